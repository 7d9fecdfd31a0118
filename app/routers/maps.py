"""The power map for front-ends: JSON with a layout, SVG and GraphML."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.cache import CachedResult
from app.deps import AnalyticsDep, AsOf, OpportunityQuery, PathId, Viewer
from schemas.powermap import Highlight, PowerMap

router = APIRouter(tags=["power map"])

JSON = "application/json"
SVG = "image/svg+xml"
GRAPHML = "application/graphml+xml"

HighlightQuery = Annotated[
    Highlight | None,
    Query(description="`entry-paths`: mark the best entry path to the top decision-maker"),
]


LAYOUT_HEADER = "Stakemap-Layout"
"""``degraded`` when the layout's work budget cut it short (``data.layout`` says how)."""


_LAYOUT_DOC = {
    LAYOUT_HEADER: {
        "description": "`degraded` when the layout's work budget cut it short "
        "(`STAKEMAP_LAYOUT_WORK_BUDGET`; the map's `data.layout` says what was cut); absent "
        "otherwise",
        "schema": {"type": "string", "enum": ["degraded"]},
    }
}


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _layout(result: CachedResult[PowerMap]) -> dict[str, str]:
    """``Stakemap-Layout: degraded`` when the map's layout ran out of its work budget."""
    if result.model.data.layout.degraded:
        return {LAYOUT_HEADER: "degraded"}
    return {}


@router.get(
    "/v1/organisations/{org_id}/power-map",
    name="get_power_map",
    response_model=PowerMap,
    responses={200: {"headers": _LAYOUT_DOC}},
)
async def power_map_route(
    org_id: PathId,
    caller: Viewer,
    analytics: AnalyticsDep,
    as_of: AsOf,
    highlight: HighlightQuery = None,
    opportunity_id: OpportunityQuery = None,
) -> Response:
    """The power map as Cytoscape.js elements with the layout already computed: render
    `elements` with the preset layout (every node has a `position`, long edges their
    `bends`). Rows are reporting depth with the top decision-maker on top; our team is the
    bottom band; the order within rows keeps edge crossings low. Node data: name, title,
    roles, stance, power, rank, engaged (by us), kind (`person` or `team`); edge data: type,
    strength, line (`solid` or `dotted`). `data.layout` says how the layout was made; when
    its work budget cut it short, `data.layout.degraded` is true and the response carries
    `Stakemap-Layout: degraded`.
    """
    result = await analytics.answer(
        partial(
            analytics.power_map,
            caller.tenant,
            org_id,
            highlight=highlight,
            opportunity_id=opportunity_id,
        )
    )
    return Response(result.body, media_type=JSON, headers=_layout(result))


@router.get(
    "/v1/organisations/{org_id}/power-map.svg",
    name="get_power_map_svg",
    response_class=Response,
    responses={
        200: {
            "content": {SVG: {}},
            "description": "A standalone SVG picture",
            "headers": _LAYOUT_DOC,
        }
    },
)
async def power_map_svg(
    org_id: PathId,
    caller: Viewer,
    analytics: AnalyticsDep,
    as_of: AsOf,
    highlight: HighlightQuery = None,
    opportunity_id: OpportunityQuery = None,
) -> Response:
    """The power map as a standalone SVG picture (the same layout as the JSON): colour by
    stance, size by power, line style by tie type, with a title and a legend.
    `Stakemap-Layout: degraded` when the layout's work budget cut it short.
    """
    result = await analytics.answer(
        partial(
            analytics.power_map_svg,
            caller.tenant,
            org_id,
            highlight=highlight,
            opportunity_id=opportunity_id,
        )
    )
    return Response(
        result.body,
        media_type=SVG,
        headers={
            "Content-Disposition": f'inline; filename="power-map-{org_id}.svg"',
            **_layout(result),
        },
    )


@router.get(
    "/v1/organisations/{org_id}/graph.graphml",
    name="get_graphml",
    response_class=Response,
    responses={
        200: {
            "content": {GRAPHML: {}},
            "description": "A GraphML document",
            "headers": _LAYOUT_DOC,
        }
    },
)
async def graphml(org_id: PathId, caller: Viewer, analytics: AnalyticsDep, as_of: AsOf) -> Response:
    """The organisation's graph as GraphML for Gephi and yEd: every person and team member
    with their power, components, stance, roles and map position; every tie with its type
    and strength. Every attribute is declared with its type.
    """
    result = await analytics.answer(partial(analytics.graphml, caller.tenant, org_id))
    return Response(
        result.body,
        media_type=GRAPHML,
        headers={**attachment(f"{org_id}.graphml"), **_layout(result)},
    )
