"""Ties between people, and from our team to them."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.deps import Cursor, Editor, Limit, StoreDep, Viewer
from app.paging import page_of
from schemas.common import Page
from schemas.resources import RelationshipCreate, RelationshipPublic

router = APIRouter(prefix="/v1/organisations/{org_id}/relationships", tags=["relationships"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RelationshipPublic)
def create_relationship(
    org_id: str, body: RelationshipCreate, store: StoreDep, caller: Editor, response: Response
) -> RelationshipPublic:
    """Add a tie: REPORTS_TO and INFLUENCES between people of the organisation, KNOWS from a
    team member or a person to a person, AFFILIATED_WITH from a person to another organisation.
    """
    rel = store.create_relationship(caller.tenant, org_id, body)
    response.headers["Location"] = f"/v1/organisations/{org_id}/relationships/{rel.id}"
    return rel


@router.get("", response_model=Page[RelationshipPublic])
def list_relationships(
    org_id: str, store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[RelationshipPublic]:
    """List the ties stored under the organisation, ordered by id."""
    return page_of(
        store.list_relationships(caller.tenant, org_id, limit=limit, after=cursor), limit
    )


@router.get("/{rel_id}", response_model=RelationshipPublic)
def get_relationship(
    org_id: str, rel_id: str, store: StoreDep, caller: Viewer
) -> RelationshipPublic:
    """Read one tie."""
    return store.get_relationship(caller.tenant, org_id, rel_id)


@router.delete("/{rel_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_relationship(org_id: str, rel_id: str, store: StoreDep, caller: Editor) -> None:
    """Delete one tie."""
    store.delete_relationship(caller.tenant, org_id, rel_id)
