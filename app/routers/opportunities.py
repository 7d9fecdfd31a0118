"""Deals: opportunities under an organisation and their buying committees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from app.deps import Cursor, Editor, IdempotencyDep, Limit, PathId, StoreDep, Viewer
from app.idempotency import created
from app.paging import page_of
from app.preconditions import IfMatch, etag, expected_version
from app.problems import IDEMPOTENCY_RESPONSES, PRECONDITION_RESPONSES
from graph.errors import FieldError, ValidationFailed
from graph.messages import _
from graph.store import GraphStore
from schemas.common import Page
from schemas.deals import (
    CommitteeSeatPublic,
    CommitteeSeatPut,
    OpportunityCreate,
    OpportunityPublic,
    OpportunityUpdate,
)

router = APIRouter(prefix="/v1/organisations/{org_id}/opportunities", tags=["deals"])

IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=10,
        description="`*`: create the seat only; 412 if the person already sits on the committee",
    ),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OpportunityPublic,
    responses=IDEMPOTENCY_RESPONSES,
)
def create_opportunity(
    org_id: PathId,
    body: OpportunityCreate,
    store: StoreDep,
    caller: Editor,
    idempotency: IdempotencyDep,
) -> Response:
    """Open a deal under the organisation. Its `ETag` is its version; the organisation's
    version moves with every deal or committee change."""
    return idempotency.run(
        lambda write: store.create_opportunity(caller.tenant, org_id, body, idempotency=write),
        lambda deal: created(deal, f"/v1/organisations/{org_id}/opportunities/{deal.id}"),
    )


@router.get("", response_model=Page[OpportunityPublic])
def list_opportunities(
    org_id: PathId, store: StoreDep, caller: Viewer, limit: Limit = 50, cursor: Cursor = None
) -> Page[OpportunityPublic]:
    """The organisation's deals (every status), ordered by id, one page at a time."""
    return page_of(
        store.list_opportunities(caller.tenant, org_id, limit=limit, after=cursor), limit
    )


@router.get("/{opp_id}", response_model=OpportunityPublic)
def get_opportunity(
    org_id: PathId, opp_id: PathId, store: StoreDep, caller: Viewer, response: Response
) -> OpportunityPublic:
    """Read one deal (the `ETag` is its version)."""
    deal = store.get_opportunity(caller.tenant, org_id, opp_id)
    response.headers["ETag"] = etag(deal.version)
    return deal


@router.patch("/{opp_id}", response_model=OpportunityPublic, responses=PRECONDITION_RESPONSES)
def update_opportunity(
    org_id: PathId,
    opp_id: PathId,
    body: OpportunityUpdate,
    store: StoreDep,
    caller: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> OpportunityPublic:
    """Change some fields of a deal; `null` clears an optional field. Moving `stage` to
    `closed_won` or `closed_lost` sets `status` (and the other way round)."""
    expected = expected_version(
        if_match,
        "opportunity",
        lambda: store.get_opportunity(caller.tenant, org_id, opp_id).version,
    )
    deal = store.update_opportunity(caller.tenant, org_id, opp_id, body, expected_version=expected)
    response.headers["ETag"] = etag(deal.version)
    return deal


@router.delete(
    "/{opp_id}", status_code=status.HTTP_204_NO_CONTENT, responses=PRECONDITION_RESPONSES
)
def delete_opportunity(
    org_id: PathId, opp_id: PathId, store: StoreDep, caller: Editor, if_match: IfMatch = None
) -> None:
    """Delete a deal with its buying committee (`If-Match` required)."""
    expected = expected_version(
        if_match,
        "opportunity",
        lambda: store.get_opportunity(caller.tenant, org_id, opp_id).version,
    )
    store.delete_opportunity(caller.tenant, org_id, opp_id, expected_version=expected)


def _deal_version(store: GraphStore, tenant: str, org_id: str, opp_id: str) -> int:
    return store.get_opportunity(tenant, org_id, opp_id).version


# --- buying committee ---------------------------------------------------------------------


@router.get("/{opp_id}/committee", response_model=Page[CommitteeSeatPublic])
def list_committee(
    org_id: PathId,
    opp_id: PathId,
    store: StoreDep,
    caller: Viewer,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CommitteeSeatPublic]:
    """The deal's buying committee in person-id order: each member's roles and stance in
    this deal (the cursor is the last `person_id`)."""
    seats = store.list_committee(caller.tenant, org_id, opp_id, limit=limit, after=cursor)
    return Page(items=seats, next_cursor=seats[-1].person_id if len(seats) == limit else None)


@router.get("/{opp_id}/committee/{person_id}", response_model=CommitteeSeatPublic)
def get_committee_seat(
    org_id: PathId,
    opp_id: PathId,
    person_id: PathId,
    store: StoreDep,
    caller: Viewer,
    response: Response,
) -> CommitteeSeatPublic:
    """One person's seat on the deal's committee (the `ETag` is its version)."""
    seat = store.get_seat(caller.tenant, org_id, opp_id, person_id)
    response.headers["ETag"] = etag(seat.version)
    return seat


@router.put(
    "/{opp_id}/committee/{person_id}",
    response_model=CommitteeSeatPublic,
    responses={
        201: {"model": CommitteeSeatPublic, "description": "Seat created"},
        **PRECONDITION_RESPONSES,
    },
)
def put_committee_seat(
    org_id: PathId,
    opp_id: PathId,
    person_id: PathId,
    body: CommitteeSeatPut,
    store: StoreDep,
    caller: Editor,
    response: Response,
    if_match: IfMatch = None,
    if_none_match: IfNoneMatch = None,
) -> CommitteeSeatPublic:
    """Seat a person of the organisation on the deal's buying committee, or replace their
    seat: their roles and stance in this deal replace their own for every question asked
    with `opportunity_id`. `If-Match` (checked when sent) guards a replacement;
    `If-None-Match: *` creates only. `is_primary: true` makes any other seat not primary.
    201 when the seat is new, 200 when replaced."""
    if if_none_match is not None and if_none_match.strip() != "*":
        raise ValidationFailed(
            [FieldError("If-None-Match", _("only `*` (create only) is supported here"))]
        )
    expected: int | None = None
    if if_match is not None:
        expected = expected_version(
            if_match,
            "committee seat",
            lambda: store.get_seat(caller.tenant, org_id, opp_id, person_id).version,
        )
    seat, new = store.put_seat(
        caller.tenant,
        org_id,
        opp_id,
        person_id,
        body,
        expected_version=expected,
        create_only=if_none_match is not None,
        must_exist=if_match is not None,
    )
    response.status_code = status.HTTP_201_CREATED if new else status.HTTP_200_OK
    response.headers["ETag"] = etag(seat.version)
    return seat


@router.delete(
    "/{opp_id}/committee/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=PRECONDITION_RESPONSES,
)
def delete_committee_seat(
    org_id: PathId,
    opp_id: PathId,
    person_id: PathId,
    store: StoreDep,
    caller: Editor,
    if_match: IfMatch = None,
) -> None:
    """Take the person off the deal's committee (`If-Match` required); they hold no role
    in the deal from now on."""
    expected = expected_version(
        if_match,
        "committee seat",
        lambda: store.get_seat(caller.tenant, org_id, opp_id, person_id).version,
    )
    store.delete_seat(caller.tenant, org_id, opp_id, person_id, expected_version=expected)
