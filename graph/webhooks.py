"""Webhook events and the durable outbox: what a write reports, written in that write's
transaction.

A committed write that changed something a webhook can subscribe to (:class:`EventName`)
leaves one delivery row per (active subscription of the tenant that lists the event, times
event) in the outbox, in the *same* transaction: a change is never reported without having
happened, nor happens without being reported. The worker (:mod:`app.webhooks`) sends the
rows later, so a write never waits for a receiver. :func:`enqueue` costs one indexed read
(the tenant's subscriptions) when a write reports events, and nothing else when nobody
subscribes.

What a write reports is derived here, once: :func:`events_of_batch` for imports and the
creates that are one-row imports (people, ties, deals), :func:`events_of_person_update`
and :func:`events_of_deal_update` for the updates; another write reports its own events
by building :class:`Event` values (:func:`interaction_logged`) and calling :func:`enqueue`.

This module imports no other store module (only the port, :mod:`graph.tx`), so any of
them may import it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graph.tx import ReadTx, Row, WriteTx
from schemas.webhooks import (
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    EventName,
    WebhookPublic,
)

if TYPE_CHECKING:
    from graph.planning import BatchPlan, ImportPlan

__all__ = [
    "Claimed",
    "Event",
    "EventName",
    "Outbox",
    "OutboxReads",
    "Subscription",
    "WebhookReads",
    "Webhooks",
    "backoff",
    "delivery_detail_from",
    "delivery_from",
    "delivery_id",
    "enqueue",
    "events_of_batch",
    "events_of_deal_update",
    "events_of_person_update",
    "forget_organisation",
    "forget_person",
    "interaction_logged",
    "iso_time",
    "payload_of",
    "publish_batch",
    "sign",
]

_REPORTS_TO = "REPORTS_TO"
_CLOSED = ("won", "lost")

#: The fields of a person an event's payload carries (never email, notes or influence).
PERSON_PAYLOAD = ("id", "name", "title", "status", "left_on", "stance", "roles")
RELATIONSHIP_PAYLOAD = (
    "id",
    "type",
    "source_id",
    "target_id",
    "strength",
    "last_contact",
    "channel",
    "dotted",
    "role",
)
OPPORTUNITY_PAYLOAD = (
    "id",
    "name",
    "stage",
    "status",
    "amount",
    "currency",
    "close_date",
    "owner_id",
)
#: The fields of an interaction ``interaction.logged`` carries (its free-text summary is not
#: sent: fetch the interaction for it).
INTERACTION_PAYLOAD = (
    "id",
    "occurred_on",
    "kind",
    "member_ids",
    "person_ids",
    "sentiment",
    "initiated_by",
)


@dataclass(frozen=True)
class Event:
    """One thing a write changed, as a webhook is told it.

    ``data`` is the payload's ``data`` member (JSON values only); ``subjects`` names every
    person the payload names, so deleting or erasing one of them deletes the deliveries
    that name them (forgetting one leaves their personal data in the log: name them all).
    """

    name: EventName
    org_id: str
    data: Mapping[str, Any]
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class Subscription:
    """An active webhook of a tenant and the events it wants."""

    id: str
    events: frozenset[EventName]


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds the lease of, with what it needs to send it."""

    id: str
    tenant: str
    webhook_id: str
    event: str
    payload: str
    #: attempts counted so far, this one included
    attempts: int
    lease: str
    url: str
    secret: str


# --- the payloads -------------------------------------------------------------------------


def _pick(row: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    picked = {name: row.get(name) for name in names}
    if "dotted" in picked:
        picked["dotted"] = bool(picked["dotted"])
    return picked


def _person(row: Mapping[str, Any]) -> dict[str, Any]:
    return _pick(row, PERSON_PAYLOAD)


def _deal(row: Mapping[str, Any]) -> dict[str, Any]:
    return _pick(row, OPPORTUNITY_PAYLOAD)


def delivery_id(now: float, sequence: int = 0) -> str:
    """A new delivery id: a UUID laid out as RFC 9562's version 7 (48 bits of milliseconds,
    then 12 bits of the fraction of the millisecond), then ``sequence`` (the row's place in
    its transaction) and random bits, so ids sort by creation and a webhook's log pages in
    the order it was written.

    >>> a, b, c = delivery_id(1.0), delivery_id(1.0, 1), delivery_id(1.001)
    >>> a < b < c and uuid.UUID(a).version == 7
    True
    """
    millis, fraction = divmod(now * 1000, 1.0)
    value = (int(millis) & (2**48 - 1)) << 80 | 0x7 << 76 | int(fraction * 4096) << 64
    value |= 0b10 << 62 | (sequence & 0xFFFF) << 46 | secrets.randbits(46)
    return str(uuid.UUID(int=value))


def payload_of(event: Event, event_id: str, occurred_at: str) -> str:
    """The JSON body every subscription of ``event`` is sent (the bytes that are signed).

    >>> e = Event(EventName.PERSON_LEFT, "o1", {"person": {"id": "p1"}}, ("p1",))
    >>> body = payload_of(e, "e1", "2025-01-02T03:04:05+00:00")
    >>> body[:52]
    '{"id":"e1","event":"person.left","occurred_at":"2025'
    >>> json.loads(body)["data"]
    {'person': {'id': 'p1'}}
    """
    body = {
        "id": event_id,
        "event": event.name.value,
        "occurred_at": occurred_at,
        "org_id": event.org_id,
        "data": event.data,
    }
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Stakemap-Signature`` header: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of
    "<t>.<body>" under the secret>``.

    >>> sign("s3cr3t", 1700000000, b'{"id":"e1"}')
    't=1700000000,v1=a2953b8eba2bd400d66b003565aa6f85124e52c1a45ec3c1d891c836af05b5ce'
    """
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def backoff(attempts: int, base: float, cap: float, delivery: str = "") -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: ``base * 2 ** (attempts
    - 1)``, at most ``cap``, stretched by up to 10 % by a jitter derived from the delivery id
    (deterministic, so a test knows it; spread, so the deliveries of one outage do not all
    come back at once).

    >>> [backoff(n, 30.0, 3600.0) for n in (1, 2, 3, 8, 9)]
    [30.0, 60.0, 120.0, 3600.0, 3600.0]
    >>> 30.0 <= backoff(1, 30.0, 3600.0, "d1") <= 33.0
    True
    """
    delay = min(cap, base * 2.0 ** max(0, attempts - 1))
    if not delivery:
        return delay
    spread = int.from_bytes(hashlib.sha256(delivery.encode()).digest()[:2], "big") / 65535
    return min(cap, delay * (1.0 + 0.1 * spread))


# --- repositories -------------------------------------------------------------------------


def _listed(value: Any) -> list[str]:
    """A list column as a list (SQLite keeps it as JSON text)."""
    if isinstance(value, str):
        decoded: list[str] = json.loads(value)
        return decoded
    return list(value or [])


def webhook_from(row: Mapping[str, Any]) -> WebhookPublic:
    data = {k: v for k, v in row.items() if k != "secret"}
    data["events"] = [e for e in _listed(data.get("events")) if e in _KNOWN_EVENTS]
    data["active"] = bool(data.get("active", True))
    return WebhookPublic.model_validate(data)


_KNOWN_EVENTS = frozenset(EventName)


def _epoch_to_datetime(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(float(value), UTC)


def delivery_from(row: Mapping[str, Any]) -> DeliveryPublic:
    data = {k: v for k, v in row.items() if k != "payload"}
    pending = data.get("status") == DeliveryStatus.PENDING.value
    data["next_attempt_at"] = _epoch_to_datetime(data.get("next_attempt_at")) if pending else None
    return DeliveryPublic.model_validate(data)


def delivery_detail_from(row: Mapping[str, Any]) -> DeliveryDetail:
    """A delivery row that holds its ``payload`` (JSON text), with the payload decoded."""
    public = delivery_from(row)
    return DeliveryDetail(**public.model_dump(), payload=json.loads(row["payload"]))


class WebhookReads:
    """A tenant's webhooks (never their secrets, but for :meth:`subscribed`'s callers)."""

    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def find(self, tenant: str, webhook_id: str) -> WebhookPublic | None:
        row = self._tx.row("webhook_get", tenant=tenant, webhook_id=webhook_id)
        return None if row is None else webhook_from(row)

    def page(self, tenant: str, *, limit: int, after: str | None) -> list[WebhookPublic]:
        rows = self._tx.rows("webhook_list", tenant=tenant, after=after or "", limit=limit)
        return [webhook_from(r) for r in rows]

    def count(self, tenant: str) -> int:
        row = self._tx.row("webhook_count", tenant=tenant)
        return int(row["webhooks"]) if row else 0

    def subscribed(self, tenant: str) -> list[Subscription]:
        """The tenant's active webhooks, with their events (one indexed read)."""
        return [
            Subscription(
                r["id"], frozenset(EventName(e) for e in _listed(r["events"]) if e in _KNOWN_EVENTS)
            )
            for r in self._tx.rows("webhook_subscribed", tenant=tenant)
        ]


class Webhooks(WebhookReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def insert(self, row: Row) -> None:
        self._write.write_rows("webhook_create", [row])

    def lock(self, tenant: str, webhook_id: str) -> int | None:
        """Take the webhook's write lock; answer its version (None: no such webhook)."""
        row = self._write.row("webhook_lock", tenant=tenant, webhook_id=webhook_id)
        return None if row is None else int(row["version"])

    def delete(self, tenant: str, webhook_id: str) -> None:
        """Delete the webhook and every delivery of it."""
        self._write.rows("webhook_delete", tenant=tenant, webhook_id=webhook_id)


class OutboxReads:
    def __init__(self, tx: ReadTx) -> None:
        self._tx = tx

    def page(
        self,
        tenant: str,
        webhook_id: str,
        *,
        status: DeliveryStatus | None,
        limit: int,
        after: str | None,
    ) -> list[DeliveryPublic]:
        rows = self._tx.rows(
            "delivery_list",
            tenant=tenant,
            webhook_id=webhook_id,
            status="" if status is None else status.value,
            after=after or "",
            limit=limit,
        )
        return [delivery_from(r) for r in rows]

    def find(self, tenant: str, webhook_id: str, delivery_id: str) -> DeliveryDetail | None:
        row = self._tx.row(
            "delivery_get", tenant=tenant, webhook_id=webhook_id, delivery_id=delivery_id
        )
        return None if row is None else delivery_detail_from(row)

    def naming(self, tenant: str, org_id: str, person_id: str) -> list[DeliveryDetail]:
        """Every delivery whose payload names the person, with its payload."""
        rows = self._tx.rows(
            "delivery_naming_person", tenant=tenant, org_id=org_id, person_id=person_id
        )
        return [delivery_detail_from(r) for r in rows]

    def any_due(self, now: float) -> bool:
        return self._tx.row("delivery_due", now=now) is not None


class Outbox(OutboxReads):
    def __init__(self, tx: WriteTx) -> None:
        super().__init__(tx)
        self._write = tx

    def insert(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("delivery_create_many", rows)

    def claim(self, now: float, *, lease: str, lease_until: float, limit: int) -> list[Claimed]:
        rows = self._write.rows(
            "delivery_claim", now=now, lease=lease, lease_until=lease_until, limit=limit
        )
        return [
            Claimed(
                id=r["id"],
                tenant=r["tenant"],
                webhook_id=r["webhook_id"],
                event=r["event"],
                payload=r["payload"],
                attempts=int(r["attempts"]),
                lease=r["lease"],
                url=r["url"],
                secret=r["secret"],
            )
            for r in rows
        ]

    def settle(self, rows: Sequence[Row]) -> None:
        self._write.write_rows("delivery_settle", rows)

    def forget_person(self, tenant: str, org_id: str, person_id: str) -> None:
        self._write.rows(
            "delivery_forget_person", tenant=tenant, org_id=org_id, person_id=person_id
        )

    def forget_organisation(self, tenant: str, org_id: str) -> None:
        self._write.rows("delivery_forget_organisation", tenant=tenant, org_id=org_id)

    def purge(self, before: float, limit: int) -> int:
        row = self._write.row("delivery_purge", before=before, limit=limit)
        return int(row["deleted"]) if row else 0


# --- writing events into the outbox --------------------------------------------------------


def iso_time(now: float) -> str:
    """A time stamp as the stores keep them (UTC, milliseconds)."""
    moment = datetime.fromtimestamp(now, UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat()


def enqueue(
    tx: WriteTx,
    tenant: str,
    events: Sequence[Event],
    now: float,
    *,
    subscriptions: Sequence[Subscription] | None = None,
) -> int:
    """Write a delivery of each event to each of the tenant's active webhooks that wants
    it, in ``tx`` (the transaction of the change the events report); answer how many.

    No events cost nothing; otherwise one indexed read of the subscriptions (none if the
    caller passes the ``subscriptions`` it read in this transaction). ``now`` is epoch
    seconds: the deliveries are due at once.
    """
    if not events:
        return 0
    subs = WebhookReads(tx).subscribed(tenant) if subscriptions is None else subscriptions
    wanted = [sub for sub in subs if sub.events]
    if not wanted:
        return 0
    occurred_at = iso_time(now)
    rows: list[Row] = []
    for event in events:
        listeners = [sub for sub in wanted if event.name in sub.events]
        if not listeners:
            continue
        event_id = str(uuid.uuid4())
        payload = payload_of(event, event_id, occurred_at)
        subjects = sorted(set(event.subjects))
        rows += [
            {
                "tenant": tenant,
                "id": delivery_id(now, len(rows) + place),
                "webhook_id": sub.id,
                "event": event.name.value,
                "event_id": event_id,
                "org_id": event.org_id,
                "subjects": subjects,
                "payload": payload,
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": occurred_at,
            }
            for place, sub in enumerate(listeners)
        ]
    Outbox(tx).insert(rows)
    return len(rows)


def forget_person(tx: WriteTx, tenant: str, org_id: str, person_id: str) -> None:
    """Delete the deliveries naming a person (in the transaction that deletes them)."""
    Outbox(tx).forget_person(tenant, org_id, person_id)


def forget_organisation(tx: WriteTx, tenant: str, org_id: str) -> None:
    """Delete the deliveries about an organisation (in the transaction that deletes it)."""
    Outbox(tx).forget_organisation(tenant, org_id)


# --- what a write reports -------------------------------------------------------------------


def events_of_person_update(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Event]:
    """``person.left`` (the status became ``left``) and ``person.stance_changed``, from a
    person's stored row and the row that replaces it.

    >>> row = {"id": "p", "org_id": "o", "name": "Ann", "status": "active", "stance": "neutral"}
    >>> [e.name.value for e in events_of_person_update(row, {**row, "status": "left"})]
    ['person.left']
    >>> events_of_person_update(row, {**row, "name": "Anne"})
    []
    """
    events: list[Event] = []
    person_id, org_id = after["id"], after["org_id"]
    if after.get("status") == "left" and before.get("status") != "left":
        events.append(
            Event(
                EventName.PERSON_LEFT,
                org_id,
                {"person": _person(after), "previous_status": before.get("status")},
                (person_id,),
            )
        )
    if after.get("stance") != before.get("stance"):
        events.append(
            Event(
                EventName.PERSON_STANCE_CHANGED,
                org_id,
                {
                    "person": _person(after),
                    "previous_stance": before.get("stance"),
                    "stance": after.get("stance"),
                },
                (person_id,),
            )
        )
    return events


def events_of_deal_update(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Event]:
    """``opportunity.stage_changed`` and ``opportunity.closed`` (the status became won or
    lost), from a deal's stored row and the row that replaces it.

    >>> deal = {"id": "d", "org_id": "o", "stage": "proposal", "status": "open"}
    >>> won = {**deal, "stage": "closed_won", "status": "won"}
    >>> [e.name.value for e in events_of_deal_update(deal, won)]
    ['opportunity.stage_changed', 'opportunity.closed']
    """
    events: list[Event] = []
    org_id = after["org_id"]
    if after.get("stage") != before.get("stage"):
        events.append(
            Event(
                EventName.OPPORTUNITY_STAGE_CHANGED,
                org_id,
                {
                    "opportunity": _deal(after),
                    "previous_stage": before.get("stage"),
                    "stage": after.get("stage"),
                },
                (),
            )
        )
    if after.get("status") in _CLOSED and before.get("status") not in _CLOSED:
        events.append(
            Event(
                EventName.OPPORTUNITY_CLOSED,
                org_id,
                {"opportunity": _deal(after), "outcome": after.get("status")},
                (),
            )
        )
    return events


def interaction_logged(org_id: str, interaction: Mapping[str, Any]) -> Event:
    """The ``interaction.logged`` event of a stored interaction row (its ``person_ids`` are
    the subjects; the payload carries :data:`INTERACTION_PAYLOAD`).

    >>> e = interaction_logged("o", {"id": "i", "kind": "call", "person_ids": ["p2", "p1"]})
    >>> e.subjects, e.data["interaction"]["kind"]
    (('p2', 'p1'), 'call')
    """
    picked = _pick(interaction, INTERACTION_PAYLOAD)
    people = tuple(_listed(interaction.get("person_ids")))
    picked["member_ids"] = _listed(interaction.get("member_ids"))
    picked["person_ids"] = list(people)
    return Event(EventName.INTERACTION_LOGGED, org_id, {"interaction": picked}, people)


@dataclass
class Before:
    """What a batch's stored rows were before it, for the events that compare: people and
    deals by id, and each person's solid-line manager (read only when someone wants them)."""

    people: dict[str, Row] = field(default_factory=dict)
    deals: dict[str, Row] = field(default_factory=dict)
    managers: dict[str, dict[str, str]] = field(default_factory=dict)


def _solid_managers(ties: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {
        t["source_id"]: t["target_id"]
        for t in ties
        if t["type"] == _REPORTS_TO and not t.get("dotted")
    }


def _manager_events(org_id: str, plan: ImportPlan, before: Before) -> list[Event]:
    """``person.manager_changed`` for every stored person whose solid-line manager the plan
    changes (a new person's manager is in their ``person.joined``)."""
    stored = before.managers.get(org_id, {})
    after = dict(stored)
    new_people = {row["id"] for row in plan.people}
    for tie in plan.removed_relationships:
        if tie["type"] == _REPORTS_TO and after.get(tie["source_id"]) == tie["target_id"]:
            del after[tie["source_id"]]
    for tie in plan.updated_relationships:
        if tie["type"] != _REPORTS_TO:
            continue
        if not tie.get("dotted"):
            after[tie["source_id"]] = tie["target_id"]
        elif after.get(tie["source_id"]) == tie["target_id"]:
            del after[tie["source_id"]]
    after.update(_solid_managers(plan.relationships))
    people = {**before.people, **{row["id"]: row for row in plan.updated_people}}
    events = []
    for person_id in sorted(set(stored) | set(after)):
        previous, manager = stored.get(person_id), after.get(person_id)
        if person_id in new_people or previous == manager:
            continue
        person = people.get(person_id, {"id": person_id})
        subjects = tuple(p for p in (person_id, manager, previous) if p is not None)
        events.append(
            Event(
                EventName.PERSON_MANAGER_CHANGED,
                org_id,
                {"person": _person(person), "manager_id": manager, "previous_manager_id": previous},
                subjects,
            )
        )
    return events


def _plan_events(org_id: str, plan: ImportPlan, before: Before) -> list[Event]:
    """Every event of one organisation's part of a batch, in the order of the model: people,
    their managers, ties, deals."""
    events: list[Event] = []
    managers = _solid_managers(plan.relationships)
    for row in plan.people:
        manager = managers.get(row["id"])
        events.append(
            Event(
                EventName.PERSON_JOINED,
                org_id,
                {"person": _person(row), "manager_id": manager},
                (row["id"],) if manager is None else (row["id"], manager),
            )
        )
    for row in plan.updated_people:
        stored = before.people.get(row["id"])
        if stored is not None:
            events += events_of_person_update(stored, row)
    events += _manager_events(org_id, plan, before)
    for row in plan.relationships:
        ends = (row["source_id"], row["target_id"])
        events.append(
            Event(
                EventName.RELATIONSHIP_CREATED,
                org_id,
                {"relationship": _pick(row, RELATIONSHIP_PAYLOAD)},
                ends,
            )
        )
    for row in plan.opportunities:
        events.append(Event(EventName.OPPORTUNITY_CREATED, org_id, {"opportunity": _deal(row)}, ()))
    for row in plan.updated_opportunities:
        stored = before.deals.get(row["id"])
        if stored is not None:
            events += events_of_deal_update(stored, row)
    return events


def events_of_batch(batch: BatchPlan, before: Before | None = None) -> list[Event]:
    """Every event a planned batch (an import, or a create that is a one-row import) will
    report once stored. ``before`` holds the stored rows the batch changes (see
    :func:`publish_batch`); without it, updates of stored rows report nothing."""
    known = before or Before()
    return [
        event for item in batch.planned for event in _plan_events(item.org_id, item.plan, known)
    ]


_PERSON_CHANGES = frozenset(
    {EventName.PERSON_LEFT, EventName.PERSON_STANCE_CHANGED, EventName.PERSON_MANAGER_CHANGED}
)
_DEAL_CHANGES = frozenset({EventName.OPPORTUNITY_STAGE_CHANGED, EventName.OPPORTUNITY_CLOSED})


def _touches_lines(plan: ImportPlan) -> bool:
    ties = plan.relationships + plan.updated_relationships + plan.removed_relationships
    return any(t["type"] == _REPORTS_TO for t in ties)


def _read_before(tx: ReadTx, tenant: str, batch: BatchPlan, wanted: set[EventName]) -> Before:
    """The stored rows the batch's comparing events need, read before it writes (only those
    someone subscribes to: at most three reads, none for a batch that updates nothing)."""
    stored = [item for item in batch.planned if not item.new]
    before = Before()
    managers = EventName.PERSON_MANAGER_CHANGED in wanted
    people_orgs = sorted(
        {
            item.org_id
            for item in stored
            if (wanted & _PERSON_CHANGES and item.plan.updated_people)
            or (managers and _touches_lines(item.plan))
        }
    )
    if people_orgs:
        rows = tx.rows("people_of_orgs", tenant=tenant, org_ids=people_orgs)
        before.people = {row["id"]: row for row in rows}
    deal_orgs = sorted(
        {
            item.org_id
            for item in stored
            if wanted & _DEAL_CHANGES and item.plan.updated_opportunities
        }
    )
    if deal_orgs:
        rows = tx.rows("opportunities_of_orgs", tenant=tenant, org_ids=deal_orgs)
        before.deals = {row["id"]: row for row in rows}
    if managers:
        for item in stored:
            if _touches_lines(item.plan):
                ties = tx.rows("ties_of_org", tenant=tenant, org_id=item.org_id)
                before.managers[item.org_id] = _solid_managers(ties)
    return before


def _reports_anything(batch: BatchPlan) -> bool:
    return any(
        plan.people
        or plan.updated_people
        or plan.relationships
        or plan.updated_relationships
        or plan.removed_relationships
        or plan.opportunities
        or plan.updated_opportunities
        for plan in (item.plan for item in batch.planned)
    )


def publish_batch(tx: WriteTx, tenant: str, batch: BatchPlan, now: float) -> int:
    """Enqueue the events of a planned batch, in its transaction, *before* its rows are
    written (the events that compare read the stored rows). One read when nobody
    subscribes; the stored rows only for the events someone subscribes to."""
    if not _reports_anything(batch):
        return 0
    subscriptions = WebhookReads(tx).subscribed(tenant)
    wanted = {name for sub in subscriptions for name in sub.events}
    if not wanted:
        return 0
    events = events_of_batch(batch, _read_before(tx, tenant, batch, wanted))
    return enqueue(tx, tenant, events, now, subscriptions=subscriptions)
