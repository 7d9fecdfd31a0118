"""Stakeholders: the client's people."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.deps import AnalyticsDep, Cursor, Editor, Limit, StoreDep, Viewer
from app.paging import page_of
from app.personal_data import PersonalDataExport, erase_person, export_person
from schemas.common import Page
from schemas.resources import PersonCreate, PersonPublic, PersonUpdate

router = APIRouter(prefix="/v1/organisations/{org_id}/people", tags=["people"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PersonPublic)
def create_person(
    org_id: str, body: PersonCreate, store: StoreDep, caller: Editor, response: Response
) -> PersonPublic:
    """Add a stakeholder to the organisation."""
    person = store.create_person(caller.tenant, org_id, body)
    response.headers["Location"] = f"/v1/organisations/{org_id}/people/{person.id}"
    return person


@router.get("", response_model=Page[PersonPublic])
def list_people(
    org_id: str, store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[PersonPublic]:
    """List the organisation's stakeholders, ordered by id, one page at a time."""
    return page_of(store.list_people(caller.tenant, org_id, limit=limit, after=cursor), limit)


@router.get("/{person_id}", response_model=PersonPublic)
def get_person(org_id: str, person_id: str, store: StoreDep, caller: Viewer) -> PersonPublic:
    """Read one stakeholder."""
    return store.get_person(caller.tenant, org_id, person_id)


@router.patch("/{person_id}", response_model=PersonPublic)
def update_person(
    org_id: str, person_id: str, body: PersonUpdate, store: StoreDep, caller: Editor
) -> PersonPublic:
    """Change some fields of a stakeholder; ``null`` clears an optional field."""
    return store.update_person(caller.tenant, org_id, person_id, body)


@router.delete("/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_person(org_id: str, person_id: str, store: StoreDep, caller: Editor) -> None:
    """Delete a stakeholder and every tie that touches them."""
    store.delete_person(caller.tenant, org_id, person_id)


@router.get("/{person_id}/export", response_model=PersonalDataExport)
def export_personal_data(
    org_id: str, person_id: str, store: StoreDep, analytics: AnalyticsDep, caller: Viewer
) -> PersonalDataExport:
    """Everything we hold on this person — their record, every tie that touches them and
    what our analytics derive — in one machine-readable document (GDPR Art. 15 and 20)."""
    return export_person(store, analytics, caller.tenant, org_id, person_id)


@router.post("/{person_id}/erase", status_code=status.HTTP_204_NO_CONTENT)
def erase_personal_data(org_id: str, person_id: str, store: StoreDep, caller: Editor) -> None:
    """Erase this person and every tie that touches them (GDPR Art. 17). The audit log
    records that an erasure happened, with ids only."""
    erase_person(store, caller.tenant, org_id, person_id)
