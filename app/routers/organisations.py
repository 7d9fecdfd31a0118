"""Accounts: the client organisations whose power maps we keep."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.deps import Cursor, Editor, IdempotencyDep, Limit, PathId, StoreDep, Viewer
from app.idempotency import created, json_answer
from app.paging import page_of
from app.preconditions import IfMatch, etag, expected_version
from app.problems import IDEMPOTENCY_RESPONSES, PRECONDITION_RESPONSES
from graph.errors import FieldError, ValidationFailed
from graph.idempotency import StoredResponse
from graph.port import ImportOutcome, OrgImport
from schemas.common import Page
from schemas.imports import ImportRequest, ImportResult, NewOrganisationImport
from schemas.resources import OrganisationCreate, OrganisationPublic, OrganisationUpdate

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationPublic,
    responses=IDEMPOTENCY_RESPONSES,
)
def create_organisation(
    body: OrganisationCreate, store: StoreDep, caller: Editor, idempotency: IdempotencyDep
) -> Response:
    """Create an organisation (a key account). Its `ETag` is its version."""
    return idempotency.run(
        lambda write: store.create_organisation(caller.tenant, body, idempotency=write),
        lambda org: created(org, f"/v1/organisations/{org.id}"),
    )


def _created_with_import(
    outcomes: list[ImportOutcome], *, status_code: int = 201
) -> StoredResponse:
    """The answer of a new organisation's import, or its refusal raised (inside the write
    transaction when an ``Idempotency-Key`` is kept with it, so nothing is stored)."""
    [outcome] = outcomes
    if outcome.result is None:
        raise ValidationFailed(
            [
                FieldError(
                    f"organisation.{e.field}" if e.field == "parent_id" else e.field, e.reason
                )
                for e in outcome.errors
            ]
        )
    result = outcome.result
    if status_code != 201:
        return json_answer(status_code, result)
    return json_answer(
        201,
        result,
        ("Location", f"/v1/organisations/{result.org_id}"),
        ("ETag", f'"{result.version}"'),
    )


@router.post(
    # "new" is never an organisation's id (they are UUIDs), and this route comes first
    "/new/import",
    name="create_organisation_from_import",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportResult,
    responses={
        **IDEMPOTENCY_RESPONSES,
        200: {"model": ImportResult, "description": "`dry_run=true`: what the import would do"},
    },
)
def create_organisation_with_import(
    body: NewOrganisationImport,
    store: StoreDep,
    caller: Editor,
    idempotency: IdempotencyDep,
    upsert: Annotated[
        bool, Query(description="Match stored team members (by email); write only what differs")
    ] = False,
    dry_run: Annotated[
        bool, Query(description="Validate as the real run would and report; store nothing")
    ] = False,
) -> Response:
    """Create an organisation and load its people, team members and ties in **one
    transaction**: the organisation exists afterwards only if its whole import was stored
    (no empty organisation is left behind by a refused or interrupted import).

    The body is an import body (as for `POST /v1/organisations/{org_id}/import`) with an
    `organisation` member holding the new organisation's fields. Answers 201 with the import
    result (`org_id` is the new organisation's id, also in `Location`; `ETag` its version).
    `dry_run=true` validates against the same limits and rules and answers 200, storing
    nothing (the `org_id` it shows is not reserved). With an `Idempotency-Key` the key's
    record commits in the same transaction, so a retry never creates a second organisation.
    """
    item = OrgImport(body, create=body.organisation)
    if dry_run:  # stores nothing, so the key's answer is kept by a transaction of its own
        return idempotency.run_then_record(
            lambda: store.import_many(caller.tenant, [item], upsert=upsert, dry_run=True),
            lambda outcomes: _created_with_import(outcomes, status_code=200),
        )
    return idempotency.run(
        lambda write: store.import_many(caller.tenant, [item], upsert=upsert, idempotency=write),
        _created_with_import,
    )


@router.get("", response_model=Page[OrganisationPublic])
def list_organisations(
    store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[OrganisationPublic]:
    """List the tenant's organisations, ordered by id, one page at a time."""
    return page_of(store.list_organisations(caller.tenant, limit=limit, after=cursor), limit)


@router.get("/{org_id}", response_model=OrganisationPublic)
def get_organisation(
    org_id: PathId, store: StoreDep, caller: Viewer, response: Response
) -> OrganisationPublic:
    """Read one organisation; ``version`` (and the `ETag`) changes on every write to its
    graph."""
    org = store.get_organisation(caller.tenant, org_id)
    response.headers["ETag"] = etag(org.version)
    return org


@router.patch("/{org_id}", response_model=OrganisationPublic, responses=PRECONDITION_RESPONSES)
def update_organisation(
    org_id: PathId,
    body: OrganisationUpdate,
    store: StoreDep,
    caller: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> OrganisationPublic:
    """Change some fields of an organisation; fields left out keep their value. Send the
    `ETag` you read as `If-Match`: 412 if the organisation changed since."""
    expected = expected_version(
        if_match, "organisation", lambda: store.org_version(caller.tenant, org_id)
    )
    org = store.update_organisation(caller.tenant, org_id, body, expected_version=expected)
    response.headers["ETag"] = etag(org.version)
    return org


@router.delete(
    "/{org_id}", status_code=status.HTTP_204_NO_CONTENT, responses=PRECONDITION_RESPONSES
)
def delete_organisation(
    org_id: PathId, store: StoreDep, caller: Editor, if_match: IfMatch = None
) -> None:
    """Delete an organisation with all its people and ties (`If-Match` required)."""
    expected = expected_version(
        if_match, "organisation", lambda: store.org_version(caller.tenant, org_id)
    )
    store.delete_organisation(caller.tenant, org_id, expected_version=expected)


@router.post(
    "/{org_id}/import",
    name="import_organisation_graph",
    response_model=ImportResult,
    responses=IDEMPOTENCY_RESPONSES,
)
def import_graph(
    org_id: PathId,
    body: ImportRequest,
    store: StoreDep,
    caller: Editor,
    idempotency: IdempotencyDep,
    upsert: Annotated[
        bool,
        Query(description="Match stored people, team members and ties; write only what differs"),
    ] = False,
    dry_run: Annotated[
        bool, Query(description="Validate against the stored graph and report; store nothing")
    ] = False,
) -> Response:
    """Load people, team members and ties in one transaction: all of it, or nothing.

    People and team members are named by a caller-chosen ``ref`` (unique in the request);
    existing ones may be referenced by id. The answer maps every ``ref`` to its id. With
    `upsert=true` people are matched by external_id, else email, and re-importing the same
    data changes nothing; `dry_run=true` answers what would change and stores nothing.
    With an `Idempotency-Key` the key's record commits in the import's own transaction,
    so a retry never imports twice.
    """
    if dry_run:  # stores nothing, so the key's answer is kept by a transaction of its own
        return idempotency.run_then_record(
            lambda: store.import_graph(caller.tenant, org_id, body, upsert=upsert, dry_run=True),
            lambda result: json_answer(200, result),
        )
    return idempotency.run(
        lambda write: store.import_graph(
            caller.tenant, org_id, body, upsert=upsert, idempotency=write
        ),
        lambda result: json_answer(200, result),
    )
