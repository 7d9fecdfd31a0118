"""Webhook subscriptions and their delivery log: every read and write, once, for both stores.

:class:`WebhookStore` is what the API (``app/routers/webhooks.py``) and the delivery worker
(:mod:`app.webhooks`) call; each call is one transaction over the port (:mod:`graph.tx`),
through the repositories of :mod:`graph.webhooks`. The writes that *report* events put
their deliveries in the outbox themselves, in their own transactions
(:func:`graph.webhooks.enqueue`, called by :mod:`graph.writer`).
"""

from __future__ import annotations

import time
import uuid

from graph.errors import Conflict, NotFound, check_version
from graph.idempotency import IdempotentWrite, admit, done_record
from graph.messages import _
from graph.repositories import IdempotencyRecords
from graph.timing import Observer, observed, unobserved
from graph.tx import ReadTx, Row, TxStore, WriteTx
from graph.webhooks import (
    Claimed,
    Outbox,
    OutboxReads,
    WebhookReads,
    Webhooks,
    iso_time,
    webhook_from,
)
from schemas.webhooks import (
    MAX_WEBHOOKS_PER_TENANT,
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookPublic,
)

__all__ = ["WebhookStore"]

_KIND = "webhook"


class WebhookStore:
    """A tenant's webhooks and their deliveries, over a :class:`~graph.tx.TxStore`."""

    def __init__(self, store: TxStore, *, observe: Observer = unobserved) -> None:
        self._store = store
        self._observe = observe

    # --- subscriptions ------------------------------------------------------------------------

    @observed
    def create_webhook(
        self, tenant: str, data: WebhookCreate, *, idempotency: IdempotentWrite | None = None
    ) -> WebhookPublic:
        """A new webhook (at most :data:`MAX_WEBHOOKS_PER_TENANT` per tenant: else
        :class:`Conflict`). Its URL is checked by the caller (``app.webhooks``)."""
        now = iso_time(time.time())
        row: Row = {
            "tenant": tenant,
            "id": str(uuid.uuid4()),
            "url": data.url,
            "events": [event.value for event in data.events],
            "secret": data.secret.get_secret_value(),
            "description": data.description,
            "active": data.active,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        webhook = webhook_from(row)

        def work(tx: WriteTx) -> WebhookPublic:
            records = IdempotencyRecords(tx)
            if idempotency is not None:
                admit(records.lock(tenant, idempotency.key), idempotency, time.time())
            hooks = Webhooks(tx)
            if hooks.count(tenant) >= MAX_WEBHOOKS_PER_TENANT:
                raise Conflict(
                    _("the tenant has {count} webhooks, the most it may have").format(
                        count=MAX_WEBHOOKS_PER_TENANT
                    )
                )
            hooks.insert(row)
            if idempotency is not None:
                response = idempotency.respond(webhook)
                records.save(
                    done_record(
                        tenant,
                        idempotency.key,
                        idempotency.fingerprint,
                        response,
                        time.time(),
                        idempotency.ttl_seconds,
                    )
                )
            return webhook

        return self._store.write(work)

    @observed
    def list_webhooks(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[WebhookPublic]:
        return self._store.read(lambda tx: WebhookReads(tx).page(tenant, limit=limit, after=after))

    @observed
    def get_webhook(self, tenant: str, webhook_id: str) -> WebhookPublic:
        return self._store.read(lambda tx: _found(tx, tenant, webhook_id))

    @observed
    def delete_webhook(
        self, tenant: str, webhook_id: str, *, expected_version: int | None = None
    ) -> None:
        """Delete the webhook and its delivery log (what is still pending is never sent)."""

        def work(tx: WriteTx) -> None:
            hooks = Webhooks(tx)
            version = hooks.lock(tenant, webhook_id)
            if version is None:
                raise NotFound(_KIND)
            check_version(_KIND, version, expected_version)
            hooks.delete(tenant, webhook_id)

        self._store.write(work)

    # --- the delivery log -------------------------------------------------------------------

    @observed
    def list_deliveries(
        self,
        tenant: str,
        webhook_id: str,
        *,
        status: DeliveryStatus | None = None,
        limit: int,
        after: str | None = None,
    ) -> list[DeliveryPublic]:
        """One page of the webhook's deliveries, oldest first."""

        def read(tx: ReadTx) -> list[DeliveryPublic]:
            _found(tx, tenant, webhook_id)
            return OutboxReads(tx).page(tenant, webhook_id, status=status, limit=limit, after=after)

        return self._store.read(read)

    @observed
    def get_delivery(self, tenant: str, webhook_id: str, delivery_id: str) -> DeliveryDetail:
        """One delivery of the webhook, with the body it sends."""

        def read(tx: ReadTx) -> DeliveryDetail:
            _found(tx, tenant, webhook_id)
            delivery = OutboxReads(tx).find(tenant, webhook_id, delivery_id)
            if delivery is None:
                raise NotFound("delivery")
            return delivery

        return self._store.read(read)

    @observed
    def deliveries_naming(self, tenant: str, org_id: str, person_id: str) -> list[DeliveryDetail]:
        """Every delivery whose payload names the person (their personal-data export)."""
        return self._store.read(lambda tx: OutboxReads(tx).naming(tenant, org_id, person_id))

    # --- the worker's side ------------------------------------------------------------------

    @observed
    def claim_due(self, now: float, *, lease_seconds: float, limit: int) -> list[Claimed]:
        """Lease up to ``limit`` due deliveries of every tenant for ``lease_seconds`` (a
        read first: nothing due costs no write transaction)."""
        if not self._store.read(lambda tx: OutboxReads(tx).any_due(now)):
            return []
        lease = uuid.uuid4().hex
        return self._store.write(
            lambda tx: Outbox(tx).claim(
                now, lease=lease, lease_until=now + lease_seconds, limit=limit
            )
        )

    @observed
    def settle_delivery(self, outcome: Row) -> None:
        """Record one attempt's outcome (ignored unless its lease still holds)."""
        self._store.write(lambda tx: Outbox(tx).settle([outcome]), bounded=False)

    @observed
    def purge_deliveries(self, before: float, *, limit: int = 1_000) -> int:
        """Delete up to ``limit`` deliveries settled before ``before`` (epoch seconds)."""
        return self._store.write(lambda tx: Outbox(tx).purge(before, limit))


def _found(tx: ReadTx, tenant: str, webhook_id: str) -> WebhookPublic:
    webhook = WebhookReads(tx).find(tenant, webhook_id)
    if webhook is None:
        raise NotFound(_KIND)
    return webhook
