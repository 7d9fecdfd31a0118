"""Every string a client can send has a documented maximum, and an over-long one is refused
with a small answer that never echoes it (issue 13, item 12: a 15 MB ``parent_id`` came
back twice in a 30 MB 422).

The cases come from the OpenAPI schema itself: each string parameter and each string field
of each request body (nested ones included), so a field added without a limit fails here.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.main import create_app
from app.security import generate_key, hash_key
from app.settings import Settings
from schemas.common import KeyRole
from tests.conftest import TEST_PEPPER, LiveServer, open_store

SCHEMA = create_app().openapi()
COMPONENTS = SCHEMA["components"]["schemas"]
#: A body field this long is refused whatever its limit.
HUGE = 256 * 1024
ID = str(uuid.uuid4())
#: Strings whose format is a grammar of bounded length (an ISO date is 10 characters).
BOUNDED_FORMATS = {"date": 10, "date-time": 35}


def _max_length(string: dict[str, Any]) -> int | None:
    found: int | None = string.get("maxLength")
    return found if found is not None else BOUNDED_FORMATS.get(string.get("format", ""))


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    where: str  # "path", "query", "header" or "body"
    name: str  # parameter name, or the field's path in the body ("people[0].email")
    max_length: int | None
    location: tuple[str | int, ...] = ()  # where the field sits in the body

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.where}:{self.name}"


def _strings(
    node: Any, location: tuple[str | int, ...], seen: frozenset[str]
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every string schema under ``node``, with where it sits in a document."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            yield from _strings(COMPONENTS[name], location, seen | {name})
        return
    for variant in node.get("anyOf", []) + node.get("allOf", []) + node.get("oneOf", []):
        yield from _strings(variant, location, seen)
    if node.get("type") == "string" and "enum" not in node and "const" not in node:
        yield location, node
    for field, sub in node.get("properties", {}).items():
        yield from _strings(sub, (*location, field), seen)
    if "items" in node:
        yield from _strings(node["items"], (*location, 0), seen)


def _cases() -> list[Case]:
    cases = []
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                for _, string in _strings(parameter["schema"], (), frozenset()):
                    cases.append(
                        Case(
                            method.upper(),
                            path,
                            parameter["in"],
                            parameter["name"],
                            _max_length(string),
                        )
                    )
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            for location, string in _strings(body["schema"], (), frozenset()):
                name = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location)
                cases.append(
                    Case(
                        method.upper(),
                        path,
                        "body",
                        name.lstrip("."),
                        _max_length(string),
                        location,
                    )
                )
    return sorted(set(cases), key=str)


CASES = _cases()


def test_the_walk_finds_the_fields_that_matter() -> None:
    names = {str(case) for case in CASES}
    assert "POST /v1/organisations body:parent_id" in names
    assert "POST /v1/organisations/{org_id}/import body:people[0].email" in names
    assert "GET /v1/organisations/{org_id} path:org_id" in names
    assert len(CASES) > 50


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_string_input_has_a_maximum_length(case: Case) -> None:
    assert case.max_length is not None, f"{case} has no maxLength"
    assert case.max_length <= 10_000


def _nest(location: tuple[str | int, ...], value: str) -> Any:
    if not location:
        return value
    head, rest = location[0], location[1:]
    inner = _nest(rest, value)
    return [inner] if isinstance(head, int) else {head: inner}


def _request(case: Case, value: str) -> dict[str, Any]:
    path = re.sub(
        r"\{(\w+)\}",
        lambda m: value if case.where == "path" and m.group(1) == case.name else ID,
        case.path,
    )
    request: dict[str, Any] = {"method": case.method, "url": path}
    if case.where == "query":
        request["params"] = {case.name: value}
    elif case.where == "header":
        request["headers"] = {case.name: value}
    elif case.where == "body":
        request["content"] = json.dumps(_nest(case.location, value))
        request["headers"] = {"Content-Type": "application/json"}
    return request


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """An admin of a server of its own (validation comes before any store work, so one
    store is enough)."""
    server = LiveServer(
        open_store("sqlite", tmp_path_factory.mktemp("limits")),
        Settings(store="sqlite", rate_limit_per_minute=0),
    )
    server.start()
    key = generate_key()
    server.store.create_api_key("limits", KeyRole.ADMIN, "limits", hash_key(key, TEST_PEPPER))
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client
    server.stop()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_over_long_value_is_refused_without_echo(admin: httpx.Client, case: Case) -> None:
    assert case.max_length is not None
    # path, query and header values travel in the request head (capped at 16 KiB): one
    # character too many; a body field gets 256 KiB
    size = HUGE if case.where == "body" else case.max_length + 1
    value = "x" * (size - 12) + "@example.com"  # an email too, so only its length is wrong
    response = admin.request(**_request(case, value))
    assert response.status_code == 422, (str(case), response.text[:500])
    problem = response.json()
    assert len(response.content) < 64 * 1024
    assert "x" * 200 not in response.text
    offending = [e for e in problem["errors"] if _names(e["field"], case)]
    assert offending, (str(case), problem["errors"][:5])


def _names(field: str, case: Case) -> bool:
    """Whether a problem's ``field`` is the case's: ``query.name``, ``people[0].email``, or
    ``name.constrained-str`` (one branch of an optional field's union)."""
    name = case.name
    return field in (name, f"{case.where}.{name}") or field.startswith(f"{name}.")
