"""Authorisation matrix and cross-tenant crawl, generated from the app's own route table
(its OpenAPI schema, which lists every ``/v1`` route).

Every ``/v1`` route, each method, with {own id, another tenant's id, unknown id, malformed
id} and {no key, revoked key, viewer, editor, admin}. A new route is covered without anyone
remembering; one that writes must have an example body below or the test says so.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.security import generate_key, hash_key
from graph.webhook_store import WebhookStore
from schemas.common import KeyRole
from schemas.webhooks import MAX_WEBHOOKS_PER_TENANT, WebhookCreate, WebhookPublic
from tests.conftest import TEST_PEPPER, LiveServer

WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
#: Writes that must name the version they change (If-Match): 428 without it, for own ids only.
CONDITIONAL_METHODS = {"PATCH", "PUT", "DELETE"}
#: PUT that creates or replaces (a committee seat): If-Match is checked when sent, not required.
CREATE_OR_REPLACE = {
    ("PUT", "/v1/organisations/{org_id}/opportunities/{opp_id}/committee/{person_id}")
}
TAGGED_VARIANTS = {"own", "foreign-with-if-match", "unknown-with-if-match"}
ADMIN_PREFIXES = ("/v1/keys", "/v1/audit", "/v1/webhooks")
MARKER = "ZZ-TENANT-B-MARKER-7f3a"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@dataclass
class World:
    """One tenant's resources, as the ids a route's path parameters take."""

    tenant: str
    ids: dict[str, str]


def build_world(server: LiveServer, tenant: str, label: str) -> World:
    admin = client_for(server, tenant, KeyRole.ADMIN)
    org = admin.post("/v1/organisations", json={"name": f"{label} org"}).json()
    hook = world_webhook(server, tenant)
    imported = admin.post(
        f"/v1/organisations/{org['id']}/import",
        json={
            "people": [
                {
                    "ref": "p1",
                    "name": f"{label} Person One",
                    "title": f"{label} title",
                    "notes": f"{label} notes",
                    "email": "p1@example.com",
                },
                {"ref": "p2", "name": f"{label} Person Two", "reports_to": "p1"},
            ],
            "team": [{"ref": "m", "name": f"{label} Member"}],
            "relationships": [{"type": "KNOWS", "source": "m", "target": "p2", "strength": 0.7}],
            "opportunities": [
                {
                    "ref": "d",
                    "name": f"{label} Deal",
                    "committee": [{"person": "p1", "roles": ["coach"], "stance": "champion"}],
                }
            ],
        },
    ).json()
    rel = admin.get(f"/v1/organisations/{org['id']}/relationships").json()["items"][0]
    interaction = admin.post(
        f"/v1/organisations/{org['id']}/interactions",
        json=BODIES[("POST", "/v1/organisations/{org_id}/interactions")](
            {"member_id": imported["ids"]["m"], "person_id": imported["ids"]["p1"]}
        ),
    ).json()
    key = admin.post("/v1/keys", json={"role": "viewer", "name": f"{label} spare"}).json()
    outbox = WebhookStore(server.store.adapter)
    delivery = outbox.list_deliveries(tenant, hook.id, limit=500)[-1]
    admin.close()
    return World(
        tenant,
        {
            "org_id": org["id"],
            "person_id": imported["ids"]["p1"],
            "other_person_id": imported["ids"]["p2"],
            "member_id": imported["ids"]["m"],
            "rel_id": rel["id"],
            "key_id": key["id"],
            "opp_id": imported["ids"]["d"],
            "webhook_id": hook.id,
            "delivery_id": delivery.id,
            "interaction_id": interaction["id"],
        },
    )


#: (server, tenant) of every world's webhooks, deleted after each test
_WEBHOOK_TENANTS: set[tuple[LiveServer, str]] = set()


@pytest.fixture(autouse=True)
def _delete_world_webhooks() -> Iterator[None]:
    """The worlds' webhooks and their pending deliveries go with the test: a delivery worker
    sharing the store later (tests/webhooks) finds none of them."""
    yield
    for server, tenant in sorted(_WEBHOOK_TENANTS, key=lambda pair: pair[1]):
        webhooks = WebhookStore(server.store.adapter)
        for hook in webhooks.list_webhooks(tenant, limit=500):
            webhooks.delete_webhook(tenant, hook.id)
    _WEBHOOK_TENANTS.clear()


def world_webhook(server: LiveServer, tenant: str) -> WebhookPublic:
    """A new webhook of the world, subscribed to people joining. Stored directly, past the
    API's URL rules, which resolve the host; the matrix server runs no delivery worker, so
    nothing is sent. A tenant may have only so many: at the limit, the webhooks of the
    worlds made for earlier cases go (the first world's, which later cases share, stays)."""
    webhooks = WebhookStore(server.store.adapter)
    _WEBHOOK_TENANTS.add((server, tenant))
    found = sorted(webhooks.list_webhooks(tenant, limit=500), key=lambda h: h.created_at)
    if len(found) >= MAX_WEBHOOKS_PER_TENANT:
        for old in found[1:]:
            webhooks.delete_webhook(tenant, old.id)
    return webhooks.create_webhook(
        tenant,
        WebhookCreate.model_validate(
            {
                "url": "https://hooks.example.com/stakemap",
                "events": ["person.joined"],
                "secret": "matrix-secret-0123456789",
            }
        ),
    )


def client_for(server: LiveServer, tenant: str, role: KeyRole | None) -> httpx.Client:
    headers = {}
    if role is not None:
        key = generate_key()
        server.store.create_api_key(tenant, role, "matrix", hash_key(key, TEST_PEPPER))
        headers["Authorization"] = f"Bearer {key}"
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def revoked_client(server: LiveServer, tenant: str) -> httpx.Client:
    key = generate_key()
    record = server.store.create_api_key(
        tenant, KeyRole.ADMIN, "revoked", hash_key(key, TEST_PEPPER)
    )
    server.store.revoke_api_key(tenant, record.id)
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)


Body = Callable[[dict[str, str]], Any]

#: An example body for each route that takes one (ids come from the world being addressed).
BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/v1/organisations"): lambda ids: {"name": "New org"},
    ("PATCH", "/v1/organisations/{org_id}"): lambda ids: {"tier": 2},
    ("POST", "/v1/organisations/{org_id}/import"): lambda ids: {
        "people": [{"ref": "z", "name": "Zed"}]
    },
    ("POST", "/v1/organisations/new/import"): lambda ids: {
        "organisation": {"name": "New org"},
        "people": [{"ref": "z", "name": "Zed"}],
    },
    ("POST", "/v1/organisations/{org_id}/people"): lambda ids: {"name": "New person"},
    ("PATCH", "/v1/organisations/{org_id}/people/{person_id}"): lambda ids: {"title": "Boss"},
    ("POST", "/v1/team"): lambda ids: {"name": "New member"},
    ("PATCH", "/v1/team/{member_id}"): lambda ids: {"title": "AE"},
    ("POST", "/v1/organisations/{org_id}/relationships"): lambda ids: {
        "type": "INFLUENCES",
        "source_id": ids["other_person_id"],
        "target_id": ids["person_id"],
        "strength": 0.4,
    },
    ("PATCH", "/v1/organisations/{org_id}/relationships/{rel_id}"): lambda ids: {"strength": 0.6},
    ("POST", "/v1/organisations/{org_id}/interactions"): lambda ids: {
        "occurred_on": "2026-01-15",
        "kind": "meeting",
        "member_ids": [ids["member_id"]],
        "person_ids": [ids["person_id"]],
        "summary": "matrix",
    },
    ("POST", "/v1/keys"): lambda ids: {"role": "viewer"},
    ("POST", "/v1/webhooks"): lambda ids: {
        "url": "https://hooks.example.com/stakemap",
        "events": ["person.joined"],
        "secret": "matrix-secret-0123456789",
    },
    ("POST", "/v1/organisations/{org_id}/opportunities"): lambda ids: {"name": "New deal"},
    ("PATCH", "/v1/organisations/{org_id}/opportunities/{opp_id}"): lambda ids: {
        "stage": "qualification"
    },
    ("PUT", "/v1/organisations/{org_id}/opportunities/{opp_id}/committee/{person_id}"): (
        lambda ids: {"roles": ["coach"], "stance": "supporter"}
    ),
}
NO_BODY = {
    ("POST", "/v1/keys/{key_id}/revoke"),
    ("POST", "/v1/organisations/{org_id}/people/{person_id}/erase"),
}


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path template) under /v1."""
    return sorted(
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/v1")
        for method in item
    )


def public_get_routes(app: FastAPI) -> list[str]:
    """Pages and probes answered without a key (the web page and API docs included)."""
    listed = [
        path
        for path, item in app.openapi()["paths"].items()
        if not path.startswith("/v1") and "get" in item and "{" not in path
    ]
    return sorted({*listed, "/", "/docs", "/openapi.json"})


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


UNKNOWN = {
    name: "00000000-0000-4000-8000-00000000000" + str(i)
    for i, name in enumerate(
        [
            "org_id",
            "person_id",
            "other_person_id",
            "member_id",
            "rel_id",
            "key_id",
            "opp_id",
            "interaction_id",
            "webhook_id",
            "delivery_id",
        ]
    )
}
MALFORMED = dict.fromkeys(UNKNOWN, "not-an-id%20%27%22%60")


def current_etag(client: httpx.Client, path: str) -> str:
    """The resource's ETag as the client can read it (a guess when it cannot)."""
    return client.get(path).headers.get("etag", '"1"')


def send(
    client: httpx.Client,
    method: str,
    template: str,
    ids: dict[str, str],
    *,
    if_match: bool = False,
) -> httpx.Response:
    key = (method, template)
    if method in {"POST", "PATCH", "PUT"} and key not in BODIES and key not in NO_BODY:
        pytest.fail(f"add an example body for {method} {template} to BODIES")
    body = BODIES[key](ids) if key in BODIES else None
    path = fill(template, ids)
    headers = {"If-Match": current_etag(client, path)} if if_match else {}
    return client.request(method, path, json=body, headers=headers)


def test_authorisation_matrix(live_server: LiveServer, store_kind: str) -> None:
    app = live_server.server.config.app
    assert isinstance(app, FastAPI)
    routes = api_routes(app)
    assert len(routes) >= 25
    suffix = uuid.uuid4().hex[:8]
    own_tenant, other_tenant = f"a-{suffix}", f"b-{suffix}"
    foreign = build_world(live_server, other_tenant, "B")
    counts: Counter[str] = Counter()
    failures: list[str] = []

    def expect(condition: bool, what: str) -> None:
        counts["checks"] += 1
        if not condition:
            failures.append(what)

    unchanged = build_world(live_server, own_tenant, "A")
    for method, template in routes:
        takes_ids = "{" in template
        admin_only = template.startswith(ADMIN_PREFIXES)
        writes = method in WRITE_METHODS
        for role in (None, "revoked", KeyRole.VIEWER, KeyRole.EDITOR, KeyRole.ADMIN):
            # A fresh world for each case that may write: earlier writes (deletes!) cannot
            # mask this one. A case that must be refused, or only reads, shares one world; a
            # write let through by mistake fails its own case (and would fail later ones).
            may_write = writes and role in (KeyRole.EDITOR, KeyRole.ADMIN)
            own = build_world(live_server, own_tenant, "A") if may_write else unchanged
            client = (
                revoked_client(live_server, own_tenant)
                if role == "revoked"
                else client_for(live_server, own_tenant, role)  # type: ignore[arg-type]
            )
            conditional = (
                method in CONDITIONAL_METHODS and (method, template) not in CREATE_OR_REPLACE
            )
            variants = {"own": own.ids}
            if takes_ids:
                variants |= {
                    "foreign": foreign.ids,
                    "unknown": UNKNOWN,
                    "malformed": MALFORMED,
                }
            if conditional:
                # own ids go with their current ETag; the others with none (foreign ids must
                # answer 404 before If-Match is looked at), and once more with a tag
                variants = {
                    "own-without-if-match": own.ids,
                    **variants,
                    "foreign-with-if-match": foreign.ids,
                    "unknown-with-if-match": UNKNOWN,
                }
            answers = {}
            for variant, ids in variants.items():
                with_tag = conditional and variant in TAGGED_VARIANTS
                answers[variant] = send(client, method, template, ids, if_match=with_tag)
                counts["requests"] += 1
            client.close()
            case = f"{method} {template} as {role}"
            allowed = role in (KeyRole.VIEWER, KeyRole.EDITOR, KeyRole.ADMIN)
            for variant, response in answers.items():
                where = f"{case} with {variant} ids -> {response.status_code}"
                expect(response.status_code < 500, where)
                if role is None or role == "revoked":
                    expect(response.status_code == 401, where)
                elif (admin_only and role is not KeyRole.ADMIN) or (
                    writes and role is KeyRole.VIEWER
                ):
                    expect(response.status_code == 403, where)
                elif variant.startswith(("foreign", "unknown")):
                    expect(response.status_code == 404, where)
                elif variant == "malformed":
                    expect(response.status_code in (404, 422), where)
                elif variant == "own-without-if-match":
                    expect(response.status_code == 428, where)
                else:
                    expect(response.status_code not in (401, 403, 404, 412, 428), where)
            if allowed and takes_ids and answers["foreign"].status_code == 404:
                expect(
                    answers["foreign"].content == answers["unknown"].content,
                    f"{case}: foreign and unknown 404 bodies differ",
                )
            if allowed and conditional and answers["foreign-with-if-match"].status_code == 404:
                expect(
                    answers["foreign-with-if-match"].content
                    == answers["unknown-with-if-match"].content,
                    f"{case}: foreign and unknown 404 bodies differ with If-Match",
                )
            counts["cases"] += len(variants)
    OUTPUT.mkdir(exist_ok=True)
    summary = {"store": store_kind, "routes": len(routes), **counts, "failures": len(failures)}
    (OUTPUT / f"authz-matrix-{store_kind}.json").write_text(json.dumps(summary, indent=2))
    print(f"\nauthorisation matrix ({store_kind}): {summary}")
    assert failures == []


def test_no_cross_tenant_leak_in_any_response(live_server: LiveServer, store_kind: str) -> None:
    """Seed a marker in tenant B; tenant A never sees it, wherever it looks."""
    app = live_server.server.config.app
    assert isinstance(app, FastAPI)
    suffix = uuid.uuid4().hex[:8]
    victim = build_world(live_server, f"b-{suffix}", MARKER)
    own = build_world(live_server, f"a-{suffix}", "A")
    admin = client_for(live_server, own.tenant, KeyRole.ADMIN)
    leaks: list[str] = []
    responses = 0
    for method, template in api_routes(app):
        if method != "GET":
            continue
        variants = [own.ids, victim.ids] if "{" in template else [own.ids]
        for ids in variants:
            for params in ({}, {"format": "csv"}, {"format": "jsonl"}):
                response = admin.get(fill(template, ids), params=params)
                responses += 1
                if MARKER in response.text or victim.ids["org_id"] in response.text:
                    leaks.append(f"GET {fill(template, ids)} {params}")
    for path in public_get_routes(app):
        response = httpx.get(live_server.url + path)
        responses += 1
        if MARKER in response.text:
            leaks.append(f"GET {path}")
    admin.close()
    OUTPUT.mkdir(exist_ok=True)
    summary = {"store": store_kind, "responses": responses, "leaks": len(leaks)}
    (OUTPUT / f"tenant-crawl-{store_kind}.json").write_text(json.dumps(summary))
    print(f"\ncross-tenant crawl ({store_kind}): {summary}")
    assert leaks == []
