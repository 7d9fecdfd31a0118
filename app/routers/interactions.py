"""Interactions: what our team did with theirs, and the timelines that show it."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.deps import Cursor, Editor, IdempotencyDep, Limit, PathId, StoreDep, Viewer
from app.idempotency import created
from app.problems import IDEMPOTENCY_RESPONSES
from graph.errors import FieldError, ValidationFailed
from graph.messages import _
from graph.repositories import TIMELINE_START, TimelineQuery
from schemas.common import MAX_ID_LENGTH, IsoDay, Page
from schemas.interactions import InteractionCreate, InteractionLogged, InteractionPublic

router = APIRouter(prefix="/v1/organisations/{org_id}/interactions", tags=["interactions"])

#: A timeline's cursor: the day and id of the last item of the previous page.
_CURSOR = re.compile(rf"(\d{{4}}-\d{{2}}-\d{{2}}):([^:]{{1,{MAX_ID_LENGTH}}})")

Since = Annotated[IsoDay | None, Query(description="Only interactions on or after this day")]
Until = Annotated[IsoDay | None, Query(description="Only interactions on or before this day")]
PersonFilter = Annotated[
    str | None,
    Query(max_length=MAX_ID_LENGTH, description="Only interactions with this person"),
]
MemberFilter = Annotated[
    str | None,
    Query(max_length=MAX_ID_LENGTH, description="Only interactions with this team member"),
]


def timeline_query(
    *,
    since: date | None,
    until: date | None,
    cursor: str | None,
    person_id: str | None = None,
    member_id: str | None = None,
) -> TimelineQuery:
    """The store's query for a timeline request (422 naming a bad cursor or window)."""
    before = TIMELINE_START
    if cursor is not None:
        match = _CURSOR.fullmatch(cursor)
        if match is None:
            raise ValidationFailed([FieldError("cursor", _("not a cursor this list gave"))])
        before = (match.group(1), match.group(2))
    if since is not None and until is not None and since > until:
        raise ValidationFailed([FieldError("since", _("since is after until"))])
    return TimelineQuery(
        since=TimelineQuery.since if since is None else since.isoformat(),
        until=TimelineQuery.until if until is None else until.isoformat(),
        person_id=person_id or "",
        member_id=member_id or "",
        before=before,
    )


def timeline_page(items: list[InteractionPublic], limit: int) -> Page[InteractionPublic]:
    """One page of a timeline; its cursor names the last item's day and id."""
    last = items[-1] if len(items) == limit else None
    cursor = None if last is None else f"{last.occurred_on.isoformat()}:{last.id}"
    return Page(items=items, next_cursor=cursor)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=InteractionLogged,
    responses=IDEMPOTENCY_RESPONSES,
)
def log_interaction(
    org_id: PathId,
    body: InteractionCreate,
    store: StoreDep,
    caller: Editor,
    idempotency: IdempotencyDep,
) -> Response:
    """Log a meeting, call, email, event or message between team members and people of
    the organisation. Every KNOWS tie from one of the members to one of the people gets
    `last_contact` = the later of its own and `occurred_on`, and the strength the pair's
    whole interaction history supports (`derived_strength`; it becomes the `strength`
    unless that was set by hand, `strength_source: manual`). A missing tie is created with
    the kind's starting strength, except by an event with more than 12 participants. The
    answer lists every tie it touched. 422 names an unknown member or a person who is not
    of this organisation."""
    return idempotency.run(
        lambda write: store.log_interaction(caller.tenant, org_id, body, idempotency=write),
        lambda logged: created(logged, f"/v1/organisations/{org_id}/interactions/{logged.id}"),
    )


@router.get("", response_model=Page[InteractionPublic])
def list_interactions(
    org_id: PathId,
    store: StoreDep,
    caller: Viewer,
    person_id: PersonFilter = None,
    member_id: MemberFilter = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[InteractionPublic]:
    """The organisation's timeline, newest first; with `person_id` or `member_id`, only
    the interactions they took part in, between `since` and `until` (inclusive)."""
    query = timeline_query(
        since=since, until=until, cursor=cursor, person_id=person_id, member_id=member_id
    )
    return timeline_page(store.list_interactions(caller.tenant, org_id, query, limit=limit), limit)


@router.get("/{interaction_id}", response_model=InteractionPublic)
def get_interaction(
    org_id: PathId, interaction_id: PathId, store: StoreDep, caller: Viewer
) -> InteractionPublic:
    """Read one interaction."""
    return store.get_interaction(caller.tenant, org_id, interaction_id)
