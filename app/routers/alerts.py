"""Alerts across the tenant's accounts: ties about to go cold, allies who leave, new people at
the top, opponents moving up (docs/ANALYTICS.md, §13)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from app.deps import AnalyticsDep, Cursor, StoreDep, Viewer
from graph.errors import NotFound
from schemas.alerts import MAX_WITHIN_DAYS, Alert, Alerts
from schemas.common import MAX_ID_LENGTH

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

#: Organisations one page examines at most: each may need its graph and ranking computed, so
#: a page's work stays bounded however many accounts the tenant has.
ORGANISATIONS_PER_PAGE = 25


@router.get("", response_model=Alerts, name="list_alerts")
async def list_alerts(
    caller: Viewer,
    store: StoreDep,
    analytics: AnalyticsDep,
    within_days: Annotated[
        int,
        Query(ge=1, le=MAX_WITHIN_DAYS, description="How far ahead (and back) to look, in days"),
    ] = 30,
    org_id: Annotated[
        str | None, Query(max_length=MAX_ID_LENGTH, description="Only this organisation")
    ] = None,
    member_id: Annotated[
        str | None,
        Query(max_length=MAX_ID_LENGTH, description="Only what this team member should act on"),
    ] = None,
    stale_after_days: Annotated[
        int, Query(ge=1, le=3650, description="A tie with no contact for this long is stale")
    ] = 90,
    limit: Annotated[
        int, Query(ge=1, le=500, description="Stop after the organisation that reaches this")
    ] = 100,
    cursor: Cursor = None,
) -> Alerts:
    """What the account team should act on within `within_days` (either side of today):
    `tie_going_stale` / `tie_went_stale` (a team member's tie to a key person — top 5 by
    power, power ≥ 0.5, a buying role or a seat on an open deal's committee — crosses the
    stale line), `champion_left` (a champion or coach leaves or left), `new_top_person`,
    `opponent_promoted`. `member_id` on an item is who acts. Organisations are walked in id
    order, at most 25 a page; pass `next_cursor` back as `cursor` for the next ones."""
    tenant = caller.tenant
    if member_id is not None:
        await run_in_threadpool(store.get_team_member, tenant, member_id)  # 404 if unknown
    if org_id is not None:
        orgs = [org_id]
        more = False
    else:
        page = await run_in_threadpool(
            partial(store.list_organisations, tenant, limit=ORGANISATIONS_PER_PAGE, after=cursor)
        )
        orgs = [org.id for org in page]
        more = len(page) == ORGANISATIONS_PER_PAGE
    items: list[Alert] = []
    as_of: date | None = None
    examined = 0
    for account in orgs:
        examined += 1
        try:
            result = await analytics.answer(
                partial(
                    analytics.account_alerts,
                    tenant,
                    account,
                    within_days=within_days,
                    stale_after_days=stale_after_days,
                )
            )
        except NotFound:
            if org_id is not None:
                raise
            continue  # deleted since the page was read
        as_of = result.model.as_of
        items += [a for a in result.model.items if member_id in (None, a.member_id)]
        if len(items) >= limit:
            more = more or examined < len(orgs)
            break
    next_cursor = orgs[examined - 1] if more and examined else None
    return Alerts(
        as_of=as_of or analytics.today(),
        within_days=within_days,
        items=items,
        next_cursor=next_cursor,
    )
