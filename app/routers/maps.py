"""The power map for front-ends (JSON with a layout, SVG, GraphML) and the analysts' export."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import StrEnum
from functools import partial
from itertools import chain, islice
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from app.analytics import AnalyticsService
from app.cache import CachedResult
from app.deps import AnalyticsDep, OpportunityQuery, PathId, Viewer
from graph.powermap.export import csv_chunk, csv_header, jsonl_chunk, jsonl_error
from schemas.powermap import Highlight, PowerMap

logger = logging.getLogger("stakemap")

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


def _attachment(name: str) -> dict[str, str]:
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
async def graphml(org_id: PathId, caller: Viewer, analytics: AnalyticsDep) -> Response:
    """The organisation's graph as GraphML for Gephi and yEd: every person and team member
    with their power, components, stance, roles and map position; every tie with its type
    and strength. Every attribute is declared with its type.
    """
    result = await analytics.answer(partial(analytics.graphml, caller.tenant, org_id))
    return Response(
        result.body,
        media_type=GRAPHML,
        headers={**_attachment(f"{org_id}.graphml"), **_layout(result)},
    )


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


class ExportAborted(Exception):
    """An export failed after its 200 was sent: the response is cut off on purpose.

    Not a :class:`~graph.errors.StakemapError`: no handler may answer it, so it reaches
    the server, which drops the connection without the final zero-length chunk. The
    client sees an incomplete transfer, never a short body that looks whole."""


def _body(analytics: AnalyticsService, tenant: str, fmt: ExportFormat) -> Iterator[bytes]:
    if fmt is ExportFormat.CSV:
        yield csv_header()
    chunk = csv_chunk if fmt is ExportFormat.CSV else jsonl_chunk
    for org, ranking in analytics.export_rankings(tenant):
        yield chunk(org.id, org.name, ranking)


def _cut_off_on_failure(chunks: Iterator[bytes], fmt: ExportFormat) -> Iterator[bytes]:
    """``chunks``, or, when producing them fails part-way (the store busy or damaged, a
    bug), a logged :class:`ExportAborted`; JSONL first gets a last line
    ``{"error": {...}}`` naming the failure."""
    try:
        yield from chunks
    except Exception as exc:
        logger.error("the influence export failed part-way; cutting it off", exc_info=exc)
        if fmt is ExportFormat.JSONL:
            yield jsonl_error(exc)
        raise ExportAborted("the influence export failed part-way") from exc


def export_chunks(analytics: AnalyticsService, tenant: str, fmt: ExportFormat) -> Iterator[bytes]:
    """The export's body, one chunk per organisation (after the CSV header): what the
    route streams, and what ``bench/export_bench.py`` measures."""
    return _cut_off_on_failure(_body(analytics, tenant, fmt), fmt)


_EXPORT_DOC = """Everyone's influence ranking across every organisation of the tenant, streamed one
organisation at a time (memory stays flat however many there are). Columns: `org_id`,
`org_name`, `rank`, `person_id`, `name`, `title`, `stance`, `roles` (`;`-joined in CSV),
`power`, the components `formal`, `informal`, `brokerage`, `declared`, the raw
`informal_raw` (PageRank) and `brokerage_raw` (betweenness), and `reports_under`.
Default component weights; organisations in id order, people by rank.

The body is streamed after the 200 (a store failing before the first organisation
answers a problem document instead): if the export fails part-way, the response is cut
off (the connection closes before the final chunk, so clients report an incomplete
transfer; JSONL first ends with a line `{"error": {"status", "title", "detail"}}`).
A body that ended normally is complete.
"""


def _export(analytics: AnalyticsService, tenant: str, fmt: ExportFormat) -> StreamingResponse:
    media = CSV if fmt is ExportFormat.CSV else JSONL
    body = _body(analytics, tenant, fmt)
    # the first organisation's chunk before the 200: a store that fails at once answers a
    # problem document, not a cut-off body
    first = list(islice(body, 2 if fmt is ExportFormat.CSV else 1))
    return StreamingResponse(
        _cut_off_on_failure(chain(first, body), fmt),
        media_type=media,
        headers=_attachment(f"influence-export.{fmt.value}"),
    )


@router.get(
    "/v1/exports/influence.csv",
    name="export_influence_csv",
    tags=["exports"],
    response_class=StreamingResponse,
    responses={200: {"content": {CSV: {}}, "description": "One row per person"}},
    description=_EXPORT_DOC,
)
def export_influence_csv(caller: Viewer, analytics: AnalyticsDep) -> StreamingResponse:
    """The tenant's influence export as CSV (``text/csv``, a header row first)."""
    return _export(analytics, caller.tenant, ExportFormat.CSV)


@router.get(
    "/v1/exports/influence.jsonl",
    name="export_influence_jsonl",
    tags=["exports"],
    response_class=StreamingResponse,
    responses={200: {"content": {JSONL: {}}, "description": "One JSON object per person"}},
    description=_EXPORT_DOC,
)
def export_influence_jsonl(caller: Viewer, analytics: AnalyticsDep) -> StreamingResponse:
    """The tenant's influence export as JSON lines (``application/x-ndjson``)."""
    return _export(analytics, caller.tenant, ExportFormat.JSONL)


@router.get(
    "/v1/exports/influence",
    name="export_influence",
    tags=["exports"],
    deprecated=True,
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
    """Kept for compatibility: answers what `GET /v1/exports/influence.csv` (`format=csv`,
    the default) or `GET /v1/exports/influence.jsonl` (`format=jsonl`) answers, byte for
    byte. New clients use those paths, each with one media type."""
    return _export(analytics, caller.tenant, format)
