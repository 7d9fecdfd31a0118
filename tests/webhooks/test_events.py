"""What each write reports, on both stores: the deliveries it leaves in the outbox, in its
own transaction, and their payloads (docs/API.md, "Webhooks")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from graph.errors import ValidationFailed
from graph.store import GraphStore
from graph.tx import Row
from graph.webhook_store import WebhookStore
from graph.webhooks import Event, enqueue, publish_batch
from schemas.deals import OpportunityCreate, OpportunityUpdate
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate, PersonCreate, PersonUpdate, RelationshipCreate
from schemas.webhooks import EventName, WebhookPublic
from tests.contract.test_store_contract import SMALL
from tests.webhooks.conftest import deliveries, subscribe

URL = "https://receiver.example/hook"


def payloads(webhooks: WebhookStore, tenant: str, hook: WebhookPublic) -> list[dict[str, Any]]:
    """Every delivery's body, oldest first."""
    return [
        webhooks.get_delivery(tenant, hook.id, d.id).payload
        for d in deliveries(webhooks, tenant, hook)
    ]


def events(found: Sequence[dict[str, Any]]) -> list[str]:
    return [body["event"] for body in found]


def test_an_import_reports_people_ties_and_deals(
    store: GraphStore, webhooks: WebhookStore, tenant: str
) -> None:
    hook = subscribe(webhooks, tenant, URL)
    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    result = store.import_graph(tenant, org.id, ImportRequest.model_validate(SMALL))
    ids = result.ids
    found = payloads(webhooks, tenant, hook)
    assert sorted(events(found)) == sorted(
        ["person.joined"] * 3 + ["relationship.created"] * 4  # 2 reporting lines, 2 ties
    )
    joined = {
        body["data"]["person"]["name"]: body for body in found if body["event"] == "person.joined"
    }
    finn = joined["Finn"]
    assert finn["org_id"] == org.id
    assert finn["data"]["person"] == {
        "id": ids["cfo"],
        "name": "Finn",
        "title": None,
        "status": "active",
        "left_on": None,
        "stance": "skeptic",
        "roles": [],
    }
    assert finn["data"]["manager_id"] == ids["ceo"]
    assert joined["Cleo"]["data"]["manager_id"] is None
    ties = [b["data"]["relationship"] for b in found if b["event"] == "relationship.created"]
    influence = next(t for t in ties if t["type"] == "INFLUENCES")
    assert (influence["source_id"], influence["target_id"], influence["strength"]) == (
        ids["cfo"],
        ids["ceo"],
        0.7,
    )
    assert {t["dotted"] for t in ties} == {False}
    # one event id per event; every body is the envelope
    assert len({body["id"] for body in found}) == len(found)
    assert all(set(body) == {"id", "event", "occurred_at", "org_id", "data"} for body in found)


def test_only_the_subscribed_events_and_only_the_tenants_webhooks(
    store: GraphStore, webhooks: WebhookStore, tenant: str
) -> None:
    people_only = subscribe(webhooks, tenant, URL, [EventName.PERSON_JOINED])
    ties_only = subscribe(webhooks, tenant, URL, [EventName.RELATIONSHIP_CREATED])
    other = subscribe(webhooks, f"{tenant}-other", URL)
    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    store.import_graph(tenant, org.id, ImportRequest.model_validate(SMALL))
    assert events(payloads(webhooks, tenant, people_only)) == ["person.joined"] * 3
    assert events(payloads(webhooks, tenant, ties_only)) == ["relationship.created"] * 4
    assert deliveries(webhooks, f"{tenant}-other", other) == []
    # one event, several webhooks: one event id, a delivery id each
    first = payloads(webhooks, tenant, people_only)[0]["id"]
    assert first not in {b["id"] for b in payloads(webhooks, tenant, ties_only)}


def test_updates_report_what_changed(
    store: GraphStore, webhooks: WebhookStore, tenant: str
) -> None:
    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    ids = store.import_graph(tenant, org.id, ImportRequest.model_validate(SMALL)).ids
    owner = ids["am"]
    deal = store.create_opportunity(
        tenant, org.id, OpportunityCreate(name="ERP", currency="EUR", owner_id=owner)
    )
    hook = subscribe(webhooks, tenant, URL)
    cfo = ids["cfo"]
    store.update_person(tenant, org.id, cfo, PersonUpdate(title="Chief Financial Officer"))
    assert payloads(webhooks, tenant, hook) == []  # nothing a webhook subscribes to
    store.update_person(tenant, org.id, cfo, PersonUpdate(stance="champion"))
    store.update_person(tenant, org.id, cfo, PersonUpdate(status="left", left_on="2026-01-31"))
    store.update_opportunity(tenant, org.id, deal.id, OpportunityUpdate(stage="qualification"))
    store.update_opportunity(tenant, org.id, deal.id, OpportunityUpdate(status="won"))
    found = payloads(webhooks, tenant, hook)
    assert events(found) == [
        "person.stance_changed",
        "person.left",
        "opportunity.stage_changed",
        "opportunity.stage_changed",
        "opportunity.closed",
    ]
    stance, left, stage, closing, closed = (body["data"] for body in found)
    assert (stance["previous_stance"], stance["stance"]) == ("skeptic", "champion")
    assert stance["person"]["id"] == cfo
    assert (left["person"]["status"], left["person"]["left_on"]) == ("left", "2026-01-31")
    assert left["previous_status"] == "active"
    assert (stage["previous_stage"], stage["stage"]) == ("prospecting", "qualification")
    assert (closing["previous_stage"], closing["stage"]) == ("qualification", "closed_won")
    assert closed["outcome"] == "won"
    assert closed["opportunity"]["id"] == deal.id
    assert closed["opportunity"]["status"] == "won"


def test_creates_report_their_event(store: GraphStore, webhooks: WebhookStore, tenant: str) -> None:
    hook = subscribe(webhooks, tenant, URL)
    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    boss = store.create_person(tenant, org.id, PersonCreate(name="Boss"))
    report = store.create_person(tenant, org.id, PersonCreate(name="Report"))
    tie = store.create_relationship(
        tenant,
        org.id,
        RelationshipCreate(type="REPORTS_TO", source_id=report.id, target_id=boss.id),
    )
    deal = store.create_opportunity(tenant, org.id, OpportunityCreate(name="ERP", currency="EUR"))
    found = payloads(webhooks, tenant, hook)
    assert events(found) == [
        "person.joined",
        "person.joined",
        "person.manager_changed",
        "relationship.created",
        "opportunity.created",
    ]
    manager = found[2]["data"]
    assert manager["person"]["name"] == "Report"
    assert (manager["manager_id"], manager["previous_manager_id"]) == (boss.id, None)
    assert found[3]["data"]["relationship"]["id"] == tie.id
    assert found[4]["data"]["opportunity"] == {
        "id": deal.id,
        "name": "ERP",
        "stage": "prospecting",
        "status": "open",
        "amount": None,
        "currency": "EUR",
        "close_date": None,
        "owner_id": None,
    }


def test_an_upsert_that_moves_a_person_reports_the_new_manager(
    store: GraphStore, webhooks: WebhookStore, tenant: str
) -> None:
    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    ids = store.import_graph(tenant, org.id, ImportRequest.model_validate(SMALL)).ids
    hook = subscribe(webhooks, tenant, URL, [EventName.PERSON_MANAGER_CHANGED])
    moved = {"people": [{"ref": "eng", "name": "Erin", "reports_to": "Cleo"}]}
    store.import_graph(tenant, org.id, ImportRequest.model_validate(moved), upsert=True)
    [body] = payloads(webhooks, tenant, hook)
    data = body["data"]
    assert data["person"]["id"] == ids["eng"]
    assert data["person"]["name"] == "Erin"
    assert (data["manager_id"], data["previous_manager_id"]) == (ids["ceo"], ids["cfo"])
    again = store.import_graph(tenant, org.id, ImportRequest.model_validate(moved), upsert=True)
    assert again.updated.people == 0
    assert len(payloads(webhooks, tenant, hook)) == 1  # nothing changed: nothing reported


def test_a_refused_write_reports_nothing(
    store: GraphStore, webhooks: WebhookStore, tenant: str
) -> None:
    hook = subscribe(webhooks, tenant, URL)
    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    bad = {"people": [{"ref": "a", "name": "A", "reports_to": "nobody"}]}
    with pytest.raises(ValidationFailed):
        store.import_graph(tenant, org.id, ImportRequest.model_validate(bad))
    store.import_graph(tenant, org.id, ImportRequest.model_validate(SMALL), dry_run=True)
    assert deliveries(webhooks, tenant, hook) == []


def test_an_inactive_webhook_is_sent_nothing(
    store: GraphStore, webhooks: WebhookStore, tenant: str
) -> None:
    from schemas.webhooks import WebhookCreate

    paused = webhooks.create_webhook(
        tenant,
        WebhookCreate.model_validate(
            {"url": URL, "events": ["person.joined"], "secret": "x" * 16, "active": False}
        ),
    )
    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    store.create_person(tenant, org.id, PersonCreate(name="Ann"))
    assert deliveries(webhooks, tenant, paused) == []


# --- what enqueueing costs -------------------------------------------------------------------


class RecordingTx:
    """A write transaction that records the statements run on it and answers ``answers``."""

    def __init__(self, answers: dict[str, list[Row]] | None = None) -> None:
        self.answers = answers or {}
        self.ran: list[str] = []
        self.written: dict[str, list[Row]] = {}

    def rows(self, statement: str, **params: Any) -> list[Row]:
        self.ran.append(statement)
        return self.answers.get(statement, [])

    def row(self, statement: str, **params: Any) -> Row | None:
        rows = self.rows(statement, **params)
        return rows[0] if rows else None

    def write_rows(self, statement: str, rows: Sequence[Row]) -> None:
        self.ran.append(statement)
        self.written.setdefault(statement, []).extend(rows)


def _event() -> Event:
    return Event(EventName.PERSON_LEFT, "o1", {"person": {"id": "p1"}}, ("p1",))


def test_nobody_subscribed_costs_one_read_and_no_write() -> None:
    tx = RecordingTx()
    assert enqueue(tx, "t", [_event(), _event()], 1.0) == 0
    assert tx.ran == ["webhook_subscribed"]
    assert enqueue(tx, "t", [], 1.0) == 0
    assert tx.ran == ["webhook_subscribed"]  # no events: no read at all


def test_one_delivery_per_subscription_and_event() -> None:
    subscribed = [
        {"id": "w1", "events": ["person.left", "person.joined"]},
        {"id": "w2", "events": json.dumps(["person.left"])},  # SQLite's JSON text
        {"id": "w3", "events": ["opportunity.closed"]},
    ]
    tx = RecordingTx({"webhook_subscribed": subscribed})
    assert enqueue(tx, "t", [_event(), _event()], 1.0) == 4
    rows = tx.written["delivery_create_many"]
    assert sorted(r["webhook_id"] for r in rows) == ["w1", "w1", "w2", "w2"]
    assert {r["status"] for r in rows} == {"pending"}
    assert {r["subjects"] == ["p1"] for r in rows} == {True}
    assert len({r["id"] for r in rows}) == 4
    assert len({r["event_id"] for r in rows}) == 2


def test_a_batch_without_subscribers_reads_only_the_subscriptions(
    store: GraphStore, tenant: str
) -> None:
    from graph.port import OrgImport
    from graph.writer import plan_in

    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    item = OrgImport(ImportRequest.model_validate(SMALL), org_id=org.id)

    def plan(tx: Any) -> Any:
        return plan_in(tx, tenant, [item], {org.id: 1}, upsert=True)

    batch = store.adapter.read(plan)
    tx = RecordingTx()
    assert publish_batch(tx, tenant, batch, 1.0) == 0
    assert tx.ran == ["webhook_subscribed"]
