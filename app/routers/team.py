"""Our account team (tenant-wide): the people whose ties open doors."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.deps import Cursor, Editor, IdempotencyDep, Limit, PathId, StoreDep, Viewer
from app.idempotency import created
from app.paging import page_of
from app.preconditions import IfMatch, etag, expected_version
from app.problems import IDEMPOTENCY_RESPONSES, PRECONDITION_RESPONSES
from app.routers.interactions import Since, Until, timeline_page, timeline_query
from schemas.common import Page
from schemas.interactions import InteractionPublic
from schemas.resources import TeamMemberCreate, TeamMemberPublic, TeamMemberUpdate

router = APIRouter(prefix="/v1/team", tags=["team"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TeamMemberPublic,
    responses=IDEMPOTENCY_RESPONSES,
)
def create_team_member(
    body: TeamMemberCreate, store: StoreDep, caller: Editor, idempotency: IdempotencyDep
) -> Response:
    """Add a member to our account team. Their `ETag` is their version."""
    return idempotency.run(
        lambda write: store.create_team_member(caller.tenant, body, idempotency=write),
        lambda member: created(member, f"/v1/team/{member.id}"),
    )


@router.get("", response_model=Page[TeamMemberPublic])
def list_team_members(
    store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[TeamMemberPublic]:
    """List our team, ordered by id, one page at a time."""
    return page_of(store.list_team_members(caller.tenant, limit=limit, after=cursor), limit)


@router.get("/{member_id}", response_model=TeamMemberPublic)
def get_team_member(
    member_id: PathId, store: StoreDep, caller: Viewer, response: Response
) -> TeamMemberPublic:
    """Read one team member (the `ETag` is their version)."""
    member = store.get_team_member(caller.tenant, member_id)
    response.headers["ETag"] = etag(member.version)
    return member


@router.patch("/{member_id}", response_model=TeamMemberPublic, responses=PRECONDITION_RESPONSES)
def update_team_member(
    member_id: PathId,
    body: TeamMemberUpdate,
    store: StoreDep,
    caller: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> TeamMemberPublic:
    """Change some fields of a team member. Send the `ETag` you read as `If-Match`: 412 if
    they changed since."""
    expected = expected_version(
        if_match, "team member", lambda: store.get_team_member(caller.tenant, member_id).version
    )
    member = store.update_team_member(caller.tenant, member_id, body, expected_version=expected)
    response.headers["ETag"] = etag(member.version)
    return member


@router.delete(
    "/{member_id}", status_code=status.HTTP_204_NO_CONTENT, responses=PRECONDITION_RESPONSES
)
def delete_team_member(
    member_id: PathId, store: StoreDep, caller: Editor, if_match: IfMatch = None
) -> None:
    """Remove a team member and every tie they held (`If-Match` required)."""
    expected = expected_version(
        if_match, "team member", lambda: store.get_team_member(caller.tenant, member_id).version
    )
    store.delete_team_member(caller.tenant, member_id, expected_version=expected)


@router.get("/{member_id}/interactions", response_model=Page[InteractionPublic])
def list_member_interactions(
    member_id: PathId,
    store: StoreDep,
    caller: Viewer,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[InteractionPublic]:
    """The team member's timeline across every organisation of the tenant, newest first,
    between `since` and `until` (inclusive)."""
    query = timeline_query(since=since, until=until, cursor=cursor, member_id=member_id)
    return timeline_page(store.list_member_interactions(caller.tenant, query, limit=limit), limit)
