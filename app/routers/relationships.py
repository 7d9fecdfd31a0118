"""Ties between people, and from our team to them."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.deps import Cursor, Editor, IdempotencyDep, Limit, PathId, StoreDep, Viewer
from app.idempotency import created
from app.paging import page_of
from app.preconditions import IfMatch, etag, expected_version
from app.problems import IDEMPOTENCY_RESPONSES, PRECONDITION_RESPONSES
from schemas.common import Page
from schemas.resources import RelationshipCreate, RelationshipPublic, RelationshipUpdate

router = APIRouter(prefix="/v1/organisations/{org_id}/relationships", tags=["relationships"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RelationshipPublic,
    responses=IDEMPOTENCY_RESPONSES,
)
def create_relationship(
    org_id: PathId,
    body: RelationshipCreate,
    store: StoreDep,
    caller: Editor,
    idempotency: IdempotencyDep,
) -> Response:
    """Add a tie: REPORTS_TO and INFLUENCES between people of the organisation, KNOWS from a
    team member or a person to a person, AFFILIATED_WITH from a person to another organisation.
    """
    return idempotency.run(
        lambda write: store.create_relationship(caller.tenant, org_id, body, idempotency=write),
        lambda rel: created(rel, f"/v1/organisations/{org_id}/relationships/{rel.id}"),
    )


@router.get("", response_model=Page[RelationshipPublic])
def list_relationships(
    org_id: PathId, store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[RelationshipPublic]:
    """List the ties stored under the organisation, ordered by id."""
    return page_of(
        store.list_relationships(caller.tenant, org_id, limit=limit, after=cursor), limit
    )


@router.get("/{rel_id}", response_model=RelationshipPublic)
def get_relationship(
    org_id: PathId, rel_id: PathId, store: StoreDep, caller: Viewer, response: Response
) -> RelationshipPublic:
    """Read one tie (the `ETag` is its version)."""
    rel = store.get_relationship(caller.tenant, org_id, rel_id)
    response.headers["ETag"] = etag(rel.version)
    return rel


@router.patch("/{rel_id}", response_model=RelationshipPublic, responses=PRECONDITION_RESPONSES)
def update_relationship(
    org_id: PathId,
    rel_id: PathId,
    body: RelationshipUpdate,
    store: StoreDep,
    caller: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> RelationshipPublic:
    """Change a tie's `strength`, `last_contact`, `channel` or `dotted` flag; `null` clears
    an optional one. The fields must fit the tie's type as on create (422 naming the
    field). Send the `ETag` you read as `If-Match`: 412 if it changed since."""
    expected = expected_version(
        if_match,
        "relationship",
        lambda: store.get_relationship(caller.tenant, org_id, rel_id).version,
    )
    rel = store.update_relationship(caller.tenant, org_id, rel_id, body, expected_version=expected)
    response.headers["ETag"] = etag(rel.version)
    return rel


@router.delete(
    "/{rel_id}", status_code=status.HTTP_204_NO_CONTENT, responses=PRECONDITION_RESPONSES
)
def delete_relationship(
    org_id: PathId, rel_id: PathId, store: StoreDep, caller: Editor, if_match: IfMatch = None
) -> None:
    """Delete one tie (`If-Match` required)."""
    expected = expected_version(
        if_match,
        "relationship",
        lambda: store.get_relationship(caller.tenant, org_id, rel_id).version,
    )
    store.delete_relationship(caller.tenant, org_id, rel_id, expected_version=expected)
