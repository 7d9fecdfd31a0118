"""Analytics of one organisation (BRIEF §3). Formulas and defaults: docs/ANALYTICS.md."""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import ValidationError

from app.analytics import AnalyticsService
from app.deps import AnalyticsDep, AsOf, OpportunityQuery, PathId, Viewer
from graph.analytics.deals import CLOSE_DATE_NEAR_DAYS
from graph.errors import FieldError, ValidationFailed
from schemas.analytics import (
    Coverage,
    DecisionMakers,
    EntryPaths,
    InfluenceRanking,
    InfluenceWeights,
    NextContacts,
)

router = APIRouter(prefix="/v1/organisations/{org_id}", tags=["analytics"])

JSON = "application/json"
CSV = "text/csv; charset=utf-8"
MAX_PATHS = 20
MAX_NEXT_CONTACTS = 50

Weight = Annotated[float | None, Query(ge=0, le=1000, allow_inf_nan=False)]


async def influence_weights(
    w_formal: Weight = None,
    w_informal: Weight = None,
    w_brokerage: Weight = None,
    w_declared: Weight = None,
) -> InfluenceWeights:
    """Weights from the query; any left out keep the documented default."""
    given = {
        name: value
        for name, value in (
            ("formal", w_formal),
            ("informal", w_informal),
            ("brokerage", w_brokerage),
            ("declared", w_declared),
        )
        if value is not None
    }
    try:
        return InfluenceWeights(**given)
    except ValidationError as exc:
        raise ValidationFailed(
            [
                FieldError("query.w_*", error["msg"].removeprefix("Value error, "))
                for error in exc.errors()
            ]
        ) from exc


WeightsDep = Annotated[InfluenceWeights, Depends(influence_weights)]


class TableFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


@router.get(
    "/influence",
    name="get_influence",
    response_model=InfluenceRanking,
    responses={
        200: {
            "content": {CSV: {}},
            "description": "The ranking (JSON; CSV with the compatibility `format=csv`)",
        }
    },
)
async def influence(
    org_id: PathId,
    caller: Viewer,
    analytics: AnalyticsDep,
    as_of: AsOf,
    weights: WeightsDep,
    opportunity_id: OpportunityQuery = None,
    format: Annotated[
        TableFormat,
        Query(
            description="Kept for compatibility: `csv` answers what "
            "`GET /v1/organisations/{org_id}/influence.csv` answers",
            deprecated=True,
        ),
    ] = TableFormat.JSON,
) -> Response:
    """Everyone's power, rank and the four components behind it (formal, informal,
    brokerage, declared), each normalised to [0, 1] within the organisation. Override the
    component weights with `w_formal`, `w_informal`, `w_brokerage`, `w_declared`.
    The same table as CSV: `GET /v1/organisations/{org_id}/influence.csv`.
    """
    if format is TableFormat.CSV:
        return await _influence_csv(analytics, caller.tenant, org_id, weights, opportunity_id)
    ranking = await analytics.answer(
        partial(analytics.influence, caller.tenant, org_id, weights, opportunity_id=opportunity_id)
    )
    return Response(ranking.body, media_type=JSON)


@router.get(
    "/influence.csv",
    name="get_influence_csv",
    response_class=Response,
    responses={200: {"content": {CSV: {}}, "description": "The ranking, one row per person"}},
)
async def influence_csv(
    org_id: PathId,
    caller: Viewer,
    analytics: AnalyticsDep,
    as_of: AsOf,
    weights: WeightsDep,
    opportunity_id: OpportunityQuery = None,
) -> Response:
    """The influence ranking (as `GET /v1/organisations/{org_id}/influence`) as CSV, one row
    per person by rank, as an attachment. Columns: `rank`, `person_id`, `name`, `title`,
    `stance`, `roles` (`;`-joined), `power`, the components `formal`, `informal`,
    `brokerage`, `declared`, the raw `informal_raw` (PageRank) and `brokerage_raw`
    (betweenness), and `reports_under`. Text cells that a spreadsheet would read as a
    formula are prefixed with `'`.
    """
    return await _influence_csv(analytics, caller.tenant, org_id, weights, opportunity_id)


async def _influence_csv(
    analytics: AnalyticsService,
    tenant: str,
    org_id: str,
    weights: InfluenceWeights,
    opportunity_id: str | None,
) -> Response:
    table = await analytics.answer(
        partial(analytics.influence_csv, tenant, org_id, weights, opportunity_id=opportunity_id)
    )
    return Response(
        table.body,
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="influence-{org_id}.csv"'},
    )


@router.get("/decision-makers", response_model=DecisionMakers, name="get_decision_makers")
async def decision_makers(
    org_id: PathId,
    caller: Viewer,
    analytics: AnalyticsDep,
    as_of: AsOf,
    opportunity_id: OpportunityQuery = None,
) -> Response:
    """The top of the reporting hierarchy and the holders of decision roles, ranked by
    power, each with the reasons they are listed.
    """
    result = await analytics.answer(
        partial(analytics.decision_makers, caller.tenant, org_id, opportunity_id=opportunity_id)
    )
    return Response(result.body, media_type=JSON)


@router.get("/entry-paths", response_model=EntryPaths, name="get_entry_paths")
async def entry_paths_route(
    org_id: PathId,
    caller: Viewer,
    analytics: AnalyticsDep,
    as_of: AsOf,
    target_id: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Default: the top decision-maker (with a deal: the deal's)",
        ),
    ] = None,
    member_id: Annotated[
        str | None, Query(max_length=100, description="Default: the whole team")
    ] = None,
    k: Annotated[int, Query(ge=1, le=MAX_PATHS, description="How many paths")] = 5,
    include_cold: Annotated[
        bool, Query(description="Allow a cold approach so a path always exists")
    ] = True,
    opportunity_id: OpportunityQuery = None,
) -> Response:
    """The best top-down ways in: chains of introductions from our team to the target,
    ranked by the probability that every introduction succeeds, each step with its
    probability, risk flags and a one-line explanation.
    """
    result = await analytics.answer(
        partial(
            analytics.entry_paths,
            caller.tenant,
            org_id,
            target_id=target_id,
            member_id=member_id,
            k=k,
            include_cold=include_cold,
            opportunity_id=opportunity_id,
        )
    )
    return Response(result.body, media_type=JSON)


@router.get("/next-contacts", response_model=NextContacts, name="get_next_contacts")
async def next_contacts_route(
    org_id: PathId,
    caller: Viewer,
    analytics: AnalyticsDep,
    as_of: AsOf,
    target_id: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Whom uplift is measured to (default: the top decision-maker)",
        ),
    ] = None,
    member_id: Annotated[
        str | None, Query(max_length=100, description="Whose reach to use (default: the team)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_NEXT_CONTACTS)] = 5,
    opportunity_id: OpportunityQuery = None,
) -> Response:
    """Who to reach next: people we are not yet engaged with, ranked by the value of
    engaging them (power, uncovered buying roles, uplift toward the target), with
    reachability as a bounded modifier, each with the path in and the reasons.
    """
    result = await analytics.answer(
        partial(
            analytics.next_contacts,
            caller.tenant,
            org_id,
            target_id=target_id,
            member_id=member_id,
            limit=limit,
            opportunity_id=opportunity_id,
        )
    )
    return Response(result.body, media_type=JSON)


@router.get("/coverage", response_model=Coverage, name="get_coverage")
async def coverage_route(
    org_id: PathId,
    caller: Viewer,
    analytics: AnalyticsDep,
    as_of: AsOf,
    target_id: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Default: the top decision-maker (with a deal: the deal's)",
        ),
    ] = None,
    stale_after_days: Annotated[
        int, Query(ge=1, le=3650, description="A tie with no contact for this long is stale")
    ] = 90,
    opportunity_id: OpportunityQuery = None,
    close_date_near_days: Annotated[
        int,
        Query(
            ge=0,
            le=3650,
            description="With a deal: an open deal closing within this many days is flagged",
        ),
    ] = CLOSE_DATE_NEAR_DAYS,
) -> Response:
    """How well we cover the account: power share we are engaged with (opponents apart),
    buying roles covered and missing, single-threading, fragility (whose loss would cut our
    best warm path to the target), the bus factor, stale ties and power by stance. With
    `opportunity_id`, roles are the deal's committee's and `deal` lists, Blue-Sheet style,
    each buying role's holders (stance, our warmest tie) and the red flags: `no_coach`,
    `economic_buyer_uncovered`, `economic_buyer_opponent`, `single_threaded`,
    `decision_maker_unreachable`, `close_date_near`.
    """
    result = await analytics.answer(
        partial(
            analytics.coverage,
            caller.tenant,
            org_id,
            target_id=target_id,
            stale_after_days=stale_after_days,
            opportunity_id=opportunity_id,
            close_date_near_days=close_date_near_days,
        )
    )
    return Response(result.body, media_type=JSON)
