"""Webhooks of the caller's tenant and their delivery logs (admins only).

Events, payloads, the signature and the retry schedule are described in docs/API.md,
"Webhooks"; where a webhook may point, in docs/SECURITY.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.deps import Admin, Cursor, DestinationsDep, IdempotencyDep, Limit, PathId, WebhooksDep
from app.idempotency import created
from app.paging import page_of
from app.preconditions import IfMatch, etag, expected_version
from app.problems import IDEMPOTENCY_RESPONSES, PRECONDITION_RESPONSES, Problem
from schemas.common import Page
from schemas.webhooks import (
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookPublic,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

_KIND = "webhook"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookPublic,
    responses={
        **IDEMPOTENCY_RESPONSES,
        409: {
            "model": Problem,
            "description": "A request with this `Idempotency-Key` is running, or the tenant "
            "has as many webhooks as it may",
        },
    },
)
def create_webhook(
    body: WebhookCreate,
    webhooks: WebhooksDep,
    destinations: DestinationsDep,
    caller: Admin,
    idempotency: IdempotencyDep,
) -> Response:
    """Subscribe a URL to events. Its host is resolved now and must reach public
    addresses only (422 naming `url` otherwise); the `secret` signs every delivery and is
    never returned."""
    destinations.check(body.url)
    return idempotency.run(
        lambda write: webhooks.create_webhook(caller.tenant, body, idempotency=write),
        lambda hook: created(hook, f"/v1/webhooks/{hook.id}"),
    )


@router.get("", response_model=Page[WebhookPublic])
def list_webhooks(
    webhooks: WebhooksDep, caller: Admin, limit: Limit = 50, cursor: Cursor = None
) -> Page[WebhookPublic]:
    """List the tenant's webhooks, ordered by id (never their secrets)."""
    return page_of(webhooks.list_webhooks(caller.tenant, limit=limit, after=cursor), limit)


@router.get("/{webhook_id}", response_model=WebhookPublic)
def get_webhook(
    webhook_id: PathId, webhooks: WebhooksDep, caller: Admin, response: Response
) -> WebhookPublic:
    """Read one webhook (without its secret; the `ETag` is its version)."""
    hook = webhooks.get_webhook(caller.tenant, webhook_id)
    response.headers["ETag"] = etag(hook.version)
    return hook


@router.delete(
    "/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=PRECONDITION_RESPONSES
)
def delete_webhook(
    webhook_id: PathId, webhooks: WebhooksDep, caller: Admin, if_match: IfMatch = None
) -> None:
    """Delete a webhook with its delivery log; what is still pending is never sent
    (`If-Match` required)."""
    expected = expected_version(
        if_match, _KIND, lambda: webhooks.get_webhook(caller.tenant, webhook_id).version
    )
    webhooks.delete_webhook(caller.tenant, webhook_id, expected_version=expected)


@router.get("/{webhook_id}/deliveries", response_model=Page[DeliveryPublic])
def list_webhook_deliveries(
    webhook_id: PathId,
    webhooks: WebhooksDep,
    caller: Admin,
    limit: Limit = 50,
    cursor: Cursor = None,
    delivery_status: Annotated[
        DeliveryStatus | None, Query(alias="status", description="Only deliveries in this state")
    ] = None,
) -> Page[DeliveryPublic]:
    """The webhook's deliveries, oldest first: each event sent (or to be sent) with its
    status, attempts and the latest attempt's HTTP status or error."""
    items = webhooks.list_deliveries(
        caller.tenant, webhook_id, status=delivery_status, limit=limit, after=cursor
    )
    return page_of(items, limit)


@router.get("/{webhook_id}/deliveries/{delivery_id}", response_model=DeliveryDetail)
def get_webhook_delivery(
    webhook_id: PathId, delivery_id: PathId, webhooks: WebhooksDep, caller: Admin
) -> DeliveryDetail:
    """One delivery with the exact body its attempts send (the signature covers it)."""
    return webhooks.get_delivery(caller.tenant, webhook_id, delivery_id)
