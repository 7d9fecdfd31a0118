"""Stakeholders: the client's people."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.deps import (
    AnalyticsDep,
    Cursor,
    Editor,
    IdempotencyDep,
    Limit,
    PathId,
    StoreDep,
    Viewer,
    WebhooksDep,
)
from app.idempotency import created
from app.paging import page_of
from app.personal_data import PersonalDataExport, erase_person, export_person
from app.preconditions import IfMatch, etag, expected_version
from app.problems import IDEMPOTENCY_RESPONSES, PRECONDITION_RESPONSES
from graph.idempotency import StoredResponse
from schemas.common import Page
from schemas.resources import PersonCreate, PersonPublic, PersonUpdate

router = APIRouter(prefix="/v1/organisations/{org_id}/people", tags=["people"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonPublic,
    responses=IDEMPOTENCY_RESPONSES,
)
def create_person(
    org_id: PathId, body: PersonCreate, store: StoreDep, caller: Editor, idempotency: IdempotencyDep
) -> Response:
    """Add a stakeholder to the organisation. Their `ETag` is their version."""
    return idempotency.run(
        lambda write: store.create_person(caller.tenant, org_id, body, idempotency=write),
        lambda person: created(person, f"/v1/organisations/{org_id}/people/{person.id}"),
    )


@router.get("", response_model=Page[PersonPublic])
def list_people(
    org_id: PathId, store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[PersonPublic]:
    """List the organisation's stakeholders, ordered by id, one page at a time."""
    return page_of(store.list_people(caller.tenant, org_id, limit=limit, after=cursor), limit)


@router.get("/{person_id}", response_model=PersonPublic)
def get_person(
    org_id: PathId, person_id: PathId, store: StoreDep, caller: Viewer, response: Response
) -> PersonPublic:
    """Read one stakeholder (the `ETag` is their version)."""
    person = store.get_person(caller.tenant, org_id, person_id)
    response.headers["ETag"] = etag(person.version)
    return person


@router.patch("/{person_id}", response_model=PersonPublic, responses=PRECONDITION_RESPONSES)
def update_person(
    org_id: PathId,
    person_id: PathId,
    body: PersonUpdate,
    store: StoreDep,
    caller: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> PersonPublic:
    """Change some fields of a stakeholder; ``null`` clears an optional field. Send the
    `ETag` you read as `If-Match`: 412 if they changed since."""
    expected = expected_version(
        if_match, "person", lambda: store.get_person(caller.tenant, org_id, person_id).version
    )
    person = store.update_person(caller.tenant, org_id, person_id, body, expected_version=expected)
    response.headers["ETag"] = etag(person.version)
    return person


@router.delete(
    "/{person_id}", status_code=status.HTTP_204_NO_CONTENT, responses=PRECONDITION_RESPONSES
)
def delete_person(
    org_id: PathId, person_id: PathId, store: StoreDep, caller: Editor, if_match: IfMatch = None
) -> None:
    """Delete a stakeholder and every tie that touches them (`If-Match` required)."""
    expected = expected_version(
        if_match, "person", lambda: store.get_person(caller.tenant, org_id, person_id).version
    )
    store.delete_person(caller.tenant, org_id, person_id, expected_version=expected)


@router.get("/{person_id}/export", response_model=PersonalDataExport)
def export_personal_data(
    org_id: PathId,
    person_id: PathId,
    store: StoreDep,
    analytics: AnalyticsDep,
    webhooks: WebhooksDep,
    caller: Viewer,
) -> PersonalDataExport:
    """Everything we hold on this person — their record, every tie that touches them and
    what our analytics derive, and the webhook deliveries naming them — in one
    machine-readable document (GDPR Art. 15 and 20)."""
    return export_person(store, analytics, webhooks, caller.tenant, org_id, person_id)


@router.post(
    "/{person_id}/erase", status_code=status.HTTP_204_NO_CONTENT, responses=IDEMPOTENCY_RESPONSES
)
def erase_personal_data(
    org_id: PathId, person_id: PathId, store: StoreDep, caller: Editor, idempotency: IdempotencyDep
) -> Response:
    """Erase this person, every tie that touches them and every webhook delivery naming
    them (GDPR Art. 17). The audit log records that an erasure happened, with ids only."""
    return idempotency.run_then_record(
        lambda: erase_person(store, caller.tenant, org_id, person_id),
        lambda _: StoredResponse(status.HTTP_204_NO_CONTENT),
    )
