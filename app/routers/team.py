"""Our account team (tenant-wide): the people whose ties open doors."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.deps import Cursor, Editor, Limit, StoreDep, Viewer
from app.paging import page_of
from schemas.common import Page
from schemas.resources import TeamMemberCreate, TeamMemberPublic, TeamMemberUpdate

router = APIRouter(prefix="/v1/team", tags=["team"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TeamMemberPublic)
def create_team_member(
    body: TeamMemberCreate, store: StoreDep, caller: Editor, response: Response
) -> TeamMemberPublic:
    """Add a member to our account team."""
    member = store.create_team_member(caller.tenant, body)
    response.headers["Location"] = f"/v1/team/{member.id}"
    return member


@router.get("", response_model=Page[TeamMemberPublic])
def list_team_members(
    store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[TeamMemberPublic]:
    """List our team, ordered by id, one page at a time."""
    return page_of(store.list_team_members(caller.tenant, limit=limit, after=cursor), limit)


@router.get("/{member_id}", response_model=TeamMemberPublic)
def get_team_member(member_id: str, store: StoreDep, caller: Viewer) -> TeamMemberPublic:
    """Read one team member."""
    return store.get_team_member(caller.tenant, member_id)


@router.patch("/{member_id}", response_model=TeamMemberPublic)
def update_team_member(
    member_id: str, body: TeamMemberUpdate, store: StoreDep, caller: Editor
) -> TeamMemberPublic:
    """Change some fields of a team member."""
    return store.update_team_member(caller.tenant, member_id, body)


@router.delete("/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_team_member(member_id: str, store: StoreDep, caller: Editor) -> None:
    """Remove a team member and every tie they held."""
    store.delete_team_member(caller.tenant, member_id)
