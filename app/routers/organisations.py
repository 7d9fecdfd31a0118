"""Accounts: the client organisations whose power maps we keep."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.deps import Cursor, Editor, Limit, StoreDep, Viewer
from app.paging import page_of
from schemas.common import Page
from schemas.imports import ImportRequest, ImportResult
from schemas.resources import OrganisationCreate, OrganisationPublic, OrganisationUpdate

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrganisationPublic)
def create_organisation(
    body: OrganisationCreate, store: StoreDep, caller: Editor, response: Response
) -> OrganisationPublic:
    """Create an organisation (a key account)."""
    org = store.create_organisation(caller.tenant, body)
    response.headers["Location"] = f"/v1/organisations/{org.id}"
    return org


@router.get("", response_model=Page[OrganisationPublic])
def list_organisations(
    store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[OrganisationPublic]:
    """List the tenant's organisations, ordered by id, one page at a time."""
    return page_of(store.list_organisations(caller.tenant, limit=limit, after=cursor), limit)


@router.get("/{org_id}", response_model=OrganisationPublic)
def get_organisation(org_id: str, store: StoreDep, caller: Viewer) -> OrganisationPublic:
    """Read one organisation; ``version`` changes on every write to its graph."""
    return store.get_organisation(caller.tenant, org_id)


@router.patch("/{org_id}", response_model=OrganisationPublic)
def update_organisation(
    org_id: str, body: OrganisationUpdate, store: StoreDep, caller: Editor
) -> OrganisationPublic:
    """Change some fields of an organisation; fields left out keep their value."""
    return store.update_organisation(caller.tenant, org_id, body)


@router.delete("/{org_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_organisation(org_id: str, store: StoreDep, caller: Editor) -> None:
    """Delete an organisation with all its people and ties."""
    store.delete_organisation(caller.tenant, org_id)


@router.post("/{org_id}/import", response_model=ImportResult)
def import_graph(org_id: str, body: ImportRequest, store: StoreDep, caller: Editor) -> ImportResult:
    """Load people, team members and ties in one transaction: all of it, or nothing.

    People and team members are named by a caller-chosen ``ref`` (unique in the request);
    existing ones may be referenced by id. The answer maps every ``ref`` to its new id.
    """
    return store.import_graph(caller.tenant, org_id, body)
