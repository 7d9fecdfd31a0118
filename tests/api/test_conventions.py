"""Cross-cutting API conventions: operation ids, and one media type per non-JSON path.

The OpenAPI checks read the document of a freshly built app (no server, no store); the
byte comparisons run on both stores through the live server.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.demo import DEMO_ORGANISATION, demo_import
from app.main import create_app
from app.operation_ids import VERBS, operation_id
from tests.api.test_http import load

CAMEL = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")
#: FastAPI's default id ends with the path and the method: ``..._v1_organisations__org_id__get``.
FASTAPI_DEFAULT = re.compile(r"_(get|post|put|patch|delete|head|options)$|__|_v1_")

#: Every non-JSON representation: its own path, its one media type, and the compatibility
#: request (path, query) that answers the same bytes.
OWN_PATHS = [
    pytest.param(
        "/v1/organisations/{org_id}/influence.csv",
        "text/csv; charset=utf-8",
        ("/v1/organisations/{org_id}/influence", {"format": "csv"}),
        id="influence.csv",
    ),
    pytest.param(
        "/v1/exports/influence.csv",
        "text/csv; charset=utf-8",
        ("/v1/exports/influence", {"format": "csv"}),
        id="exports-influence.csv",
    ),
    pytest.param(
        "/v1/exports/influence.jsonl",
        "application/x-ndjson",
        ("/v1/exports/influence", {"format": "jsonl"}),
        id="exports-influence.jsonl",
    ),
    pytest.param(
        "/v1/exports/deals.csv",
        "text/csv; charset=utf-8",
        ("/v1/exports/deals", {"format": "csv"}),
        id="exports-deals.csv",
    ),
    pytest.param(
        "/v1/exports/deals.jsonl",
        "application/x-ndjson",
        ("/v1/exports/deals", {"format": "jsonl"}),
        id="exports-deals.jsonl",
    ),
]


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def id_problems(schema: dict[str, Any]) -> list[str]:
    """What is wrong with the document's operation ids: duplicates, FastAPI's default
    style, not camelCase, or not starting with a verb."""
    operations = _operations(schema)
    counts = Counter(op.get("operationId") for _, _, op in operations)
    problems = [f"duplicate operationId {name!r}" for name, n in counts.items() if n > 1]
    for method, path, op in operations:
        name = op.get("operationId", "")
        if not name:
            problems.append(f"{method} {path}: no operationId")
        elif FASTAPI_DEFAULT.search(name):
            problems.append(f"{method} {path}: FastAPI's default id {name!r}")
        elif not CAMEL.match(name):
            problems.append(f"{method} {path}: {name!r} is not camelCase")
        elif re.split(r"(?=[A-Z])", name, maxsplit=1)[0] not in VERBS:
            problems.append(f"{method} {path}: {name!r} does not start with a verb")
    return problems


def test_every_operation_id_is_a_camel_case_verb_and_resource() -> None:
    schema = create_app().openapi()
    assert id_problems(schema) == []
    ids = {(method, path): op["operationId"] for method, path, op in _operations(schema)}
    assert ids[("POST", "/v1/organisations/{org_id}/people")] == "createPerson"
    assert ids[("GET", "/v1/organisations/{org_id}/entry-paths")] == "getEntryPaths"
    assert ids[("GET", "/v1/organisations")] == "listOrganisations"
    assert ids[("POST", "/v1/organisations/{org_id}/import")] == "importOrganisationGraph"
    assert ids[("GET", "/v1/exports/influence.csv")] == "exportInfluenceCsv"


def test_the_check_finds_duplicates_defaults_and_other_case() -> None:
    """The check above can fail: on FastAPI's own ids, on a duplicate, on snake case."""
    default = FastAPI()

    @default.get("/v1/organisations/{org_id}")
    def get_organisation(org_id: str) -> str:
        """An organisation."""
        return org_id

    assert id_problems(default.openapi()) == [
        "GET /v1/organisations/{org_id}: FastAPI's default id "
        "'get_organisation_v1_organisations__org_id__get'"
    ]
    twice = {
        "paths": {
            "/a": {"get": {"operationId": "getThing"}},
            "/b": {"get": {"operationId": "getThing"}, "post": {"operationId": "make_thing"}},
            "/c": {"get": {"operationId": "thingGet"}},
        }
    }
    assert id_problems(twice) == [
        "duplicate operationId 'getThing'",
        "POST /b: 'make_thing' is not camelCase",
        "GET /c: 'thingGet' does not start with a verb",
    ]


def test_a_route_without_a_verb_name_is_refused_when_registered() -> None:
    app = FastAPI(generate_unique_id_function=operation_id)
    with pytest.raises(ValueError, match="named 'influence'"):

        @app.get("/v1/influence")
        def influence() -> None:
            """No verb."""


def test_each_non_json_path_declares_one_media_type() -> None:
    schema = create_app().openapi()
    declared = {
        path: list(item["get"]["responses"]["200"]["content"])
        for path, item in schema["paths"].items()
        if path.endswith((".csv", ".jsonl", ".svg", ".graphml"))
    }
    assert declared == {
        "/v1/organisations/{org_id}/influence.csv": ["text/csv; charset=utf-8"],
        "/v1/organisations/{org_id}/power-map.svg": ["image/svg+xml"],
        "/v1/organisations/{org_id}/graph.graphml": ["application/graphml+xml"],
        "/v1/exports/influence.csv": ["text/csv; charset=utf-8"],
        "/v1/exports/influence.jsonl": ["application/x-ndjson"],
        "/v1/exports/deals.csv": ["text/csv; charset=utf-8"],
        "/v1/exports/deals.jsonl": ["application/x-ndjson"],
    }
    # the rest of the API answers JSON only: the compatibility paths are the exceptions
    several = sorted(
        (method, path)
        for method, path, op in _operations(schema)
        if len(op["responses"].get("200", {}).get("content", {})) > 1
    )
    assert several == [
        ("GET", "/v1/exports/deals"),
        ("GET", "/v1/exports/influence"),
        ("GET", "/v1/organisations/{org_id}/influence"),
    ]
    influence = schema["paths"]["/v1/organisations/{org_id}/influence"]["get"]
    assert [p["deprecated"] for p in influence["parameters"] if p["name"] == "format"] == [True]
    assert schema["paths"]["/v1/exports/influence"]["get"]["deprecated"] is True
    assert schema["paths"]["/v1/exports/deals"]["get"]["deprecated"] is True


@pytest.mark.parametrize(("path", "media_type", "compatible"), OWN_PATHS)
def test_own_path_answers_the_compatibility_bytes(
    api: httpx.Client, path: str, media_type: str, compatible: tuple[str, dict[str, str]]
) -> None:
    org = api.post("/v1/organisations", json=DEMO_ORGANISATION).json()
    load(api, org["id"], demo_import())
    own = api.get(path.format(org_id=org["id"]))
    old_path, query = compatible
    old = api.get(old_path.format(org_id=org["id"]), params=query)
    assert own.status_code == old.status_code == 200, own.text
    assert own.headers["content-type"] == old.headers["content-type"] == media_type
    assert own.headers["content-disposition"] == old.headers["content-disposition"]
    # the demo account's 40 people or 2 open deals, not an empty table
    assert len(own.content.splitlines()) >= 2
    assert own.content == old.content
