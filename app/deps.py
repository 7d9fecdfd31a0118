"""Dependencies: typed access to the lifespan state, and who the caller is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.analytics import AnalyticsService
from app.idempotency import Idempotency, IdempotencyKey, fingerprint
from app.security import hash_key
from app.settings import Settings
from app.state import AppState
from app.webhooks import DestinationPolicy
from graph.errors import Forbidden, RateLimited, Unauthenticated
from graph.messages import _
from graph.port import MAX_PAGE_SIZE
from graph.store import GraphStore
from graph.webhook_store import WebhookStore
from schemas.common import MAX_ID_LENGTH, IsoDay, KeyRole
from schemas.keys import Principal

# Record last use at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`")


async def get_state(request: Request) -> AppState:
    state: AppState = request.state.app
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_store(state: StateDep) -> GraphStore:
    return state.store


async def get_settings(state: StateDep) -> Settings:
    return state.settings


async def get_analytics(state: StateDep) -> AnalyticsService:
    return state.analytics


async def get_webhooks(state: StateDep) -> WebhookStore:
    return state.webhooks


async def get_destinations(state: StateDep) -> DestinationPolicy:
    return state.destinations


StoreDep = Annotated[GraphStore, Depends(get_store)]
AnalyticsDep = Annotated[AnalyticsService, Depends(get_analytics)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
WebhooksDep = Annotated[WebhookStore, Depends(get_webhooks)]
DestinationsDep = Annotated[DestinationPolicy, Depends(get_destinations)]


async def get_principal(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, from a valid, unrevoked API key within its rate limit.

    Async, so a key verified within ``STAKEMAP_KEY_CACHE_SECONDS`` costs no thread hop and
    no store read; only a store read runs in the thread pool.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated(_("send an API key as 'Authorization: Bearer <key>'"))
    # Looked up by its keyed hash: an attacker cannot steer the bytes being compared, so the
    # index lookup leaks nothing through timing.
    secret_hash = hash_key(credentials.credentials, state.settings.key_pepper.get_secret_value())
    key = state.api_keys.get(secret_hash)
    if key is None:
        # A key verified lately passes; any other from an address that failed too often is
        # refused before the store read (STAKEMAP_AUTH_FAILURE_LIMIT per window).
        address = state.client_address(request.scope)
        wait = state.auth_failures.wait(address)
        if wait > 0:
            raise RateLimited(wait)
        key = await run_in_threadpool(state.store.find_api_key, secret_hash)
        if key is not None:
            state.api_keys.put(secret_hash, key)
        if key is None or key.revoked_at is not None:
            state.auth_failures.failed(address)
    if key is None or key.revoked_at is not None:
        raise Unauthenticated(_("the API key is unknown or revoked"))
    wait = state.rate_limits.take(key.id)
    if wait > 0:
        raise RateLimited(wait)
    now = datetime.now(UTC)
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        await run_in_threadpool(state.store.touch_api_key, key.id)
        state.api_keys.touched(secret_hash, now)
    principal = Principal(key_id=key.id, tenant=key.tenant, role=key.role)
    request.state.principal = principal  # read by the audit middleware
    return principal


def _requires(role: KeyRole) -> object:
    async def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.role.allows(role):
            raise Forbidden(_("this needs a key with the {role} role").format(role=role.value))
        return principal

    return Depends(check)


Viewer = Annotated[Principal, _requires(KeyRole.VIEWER)]
Editor = Annotated[Principal, _requires(KeyRole.EDITOR)]
Admin = Annotated[Principal, _requires(KeyRole.ADMIN)]

Limit = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Page size (at most {MAX_PAGE_SIZE})")
]
#: An id in the path (the OpenAPI schema says how long it may be; longer is a 422).
PathId = Annotated[str, Path(max_length=MAX_ID_LENGTH)]
OpportunityQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_ID_LENGTH,
        description="A deal of this organisation: its buying committee sets roles and stance, "
        "and the default target is the deal's decision-maker",
    ),
]
Cursor = Annotated[
    str | None,
    Query(max_length=100, description="`next_cursor` of the previous page"),
]


async def get_idempotency(
    request: Request,
    state: StateDep,
    caller: Annotated[Principal, Depends(get_principal)],
    key: IdempotencyKey = None,
) -> Idempotency:
    """The ``Idempotency-Key`` of a ``POST`` with what identifies the request; the key is
    claimed by :meth:`Idempotency.run`, once the request has passed validation."""
    identity = ""
    if key is not None:  # only then is the body (already read by FastAPI) hashed
        body = await request.body()
        identity = fingerprint(request.method, request.url.path, request.url.query, body)
    return Idempotency(
        store=state.store,
        tenant=caller.tenant,
        key=key,
        fingerprint=identity,
        ttl_seconds=state.settings.idempotency_ttl_seconds,
        lease_seconds=state.settings.idempotency_lease_seconds,
    )


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]


async def asked_day(
    analytics: AnalyticsDep,
    as_of: Annotated[
        IsoDay | None,
        Query(
            description="Answer about the end of this day (UTC): a past day reads the "
            "organisation as it stood then (its history), with tie ages measured that day and "
            "`version` the one then in force; a future day reads today's graph with tie ages "
            "measured then. Default: today"
        ),
    ] = None,
) -> AsyncIterator[date | None]:
    """The ``as_of`` of an analytics question, in force for the whole request."""
    with analytics.as_of(as_of):
        yield as_of


AsOf = Annotated[date | None, Depends(asked_day)]
