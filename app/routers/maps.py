"""The power map for front-ends (JSON with a layout, SVG, GraphML) and the analysts' export."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from app.analytics import AnalyticsService
from app.deps import AnalyticsDep, PathId, Viewer
from graph.powermap.export import csv_chunk, csv_header, jsonl_chunk
from schemas.powermap import Highlight, PowerMap

router = APIRouter(tags=["power map"])

JSON = "application/json"
SVG = "image/svg+xml"
GRAPHML = "application/graphml+xml"
CSV = "text/csv; charset=utf-8"
JSONL = "application/x-ndjson"

HighlightQuery = Annotated[
    Highlight | None,
    Query(description="`entry-paths`: mark the best entry path to the top decision-maker"),
]


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/v1/organisations/{org_id}/power-map", response_model=PowerMap)
async def power_map_route(
    org_id: PathId, caller: Viewer, analytics: AnalyticsDep, highlight: HighlightQuery = None
) -> Response:
    """The power map as Cytoscape.js elements with the layout already computed: render
    `elements` with the preset layout (every node has a `position`, long edges their
    `bends`). Rows are reporting depth with the top decision-maker on top; our team is the
    bottom band; the order within rows keeps edge crossings low. Node data: name, title,
    roles, stance, power, rank, engaged (by us), kind (`person` or `team`); edge data: type,
    strength, line (`solid` or `dotted`).
    """
    result = await analytics.answer(
        partial(analytics.power_map, caller.tenant, org_id, highlight=highlight)
    )
    return Response(result.body, media_type=JSON)


@router.get(
    "/v1/organisations/{org_id}/power-map.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "A standalone SVG picture"}},
)
async def power_map_svg(
    org_id: PathId, caller: Viewer, analytics: AnalyticsDep, highlight: HighlightQuery = None
) -> Response:
    """The power map as a standalone SVG picture (the same layout as the JSON): colour by
    stance, size by power, line style by tie type, with a title and a legend.
    """
    result = await analytics.answer(
        partial(analytics.power_map_svg, caller.tenant, org_id, highlight=highlight)
    )
    return Response(
        result.body,
        media_type=SVG,
        headers={"Content-Disposition": f'inline; filename="power-map-{org_id}.svg"'},
    )


@router.get(
    "/v1/organisations/{org_id}/graph.graphml",
    response_class=Response,
    responses={200: {"content": {GRAPHML: {}}, "description": "A GraphML document"}},
)
async def graphml(org_id: PathId, caller: Viewer, analytics: AnalyticsDep) -> Response:
    """The organisation's graph as GraphML for Gephi and yEd: every person and team member
    with their power, components, stance, roles and map position; every tie with its type
    and strength. Every attribute is declared with its type.
    """
    result = await analytics.answer(partial(analytics.graphml, caller.tenant, org_id))
    return Response(result.body, media_type=GRAPHML, headers=_attachment(f"{org_id}.graphml"))


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def export_chunks(analytics: AnalyticsService, tenant: str, fmt: ExportFormat) -> Iterator[bytes]:
    """The export's body, one chunk per organisation (after the CSV header): what the
    route streams, and what ``bench/export_bench.py`` measures."""
    if fmt is ExportFormat.CSV:
        yield csv_header()
    chunk = csv_chunk if fmt is ExportFormat.CSV else jsonl_chunk
    for org, ranking in analytics.export_rankings(tenant):
        yield chunk(org.id, org.name, ranking)


@router.get(
    "/v1/exports/influence",
    tags=["exports"],
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {CSV: {}, JSONL: {}},
            "description": "One row (CSV) or JSON object (JSONL) per person",
        }
    },
)
def export_influence(
    caller: Viewer,
    analytics: AnalyticsDep,
    format: Annotated[ExportFormat, Query(description="csv (default) or jsonl")] = (
        ExportFormat.CSV
    ),
) -> StreamingResponse:
    """Everyone's influence ranking across every organisation of the tenant, streamed one
    organisation at a time (memory stays flat however many there are). Columns: `org_id`,
    `org_name`, `rank`, `person_id`, `name`, `title`, `stance`, `roles` (`;`-joined in CSV),
    `power`, the components `formal`, `informal`, `brokerage`, `declared`, the raw
    `informal_raw` (PageRank) and `brokerage_raw` (betweenness), and `reports_under`.
    Default component weights; organisations in id order, people by rank.
    """
    media = CSV if format is ExportFormat.CSV else JSONL
    return StreamingResponse(
        export_chunks(analytics, caller.tenant, format),
        media_type=media,
        headers=_attachment(f"influence-export.{format.value}"),
    )
