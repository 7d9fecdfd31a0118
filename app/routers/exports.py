"""Tenant-wide exports for analysts: everyone's influence, and the pipeline of open deals.

Each export streams one organisation at a time (memory stays flat however many there are)
and has one path per media type (``….csv``, ``….jsonl``); the ``?format=`` forms are kept
for compatibility and answer the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from enum import StrEnum
from itertools import chain, islice
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.analytics import AnalyticsService
from app.deps import StateDep, Viewer
from app.export_slots import ExportSlot
from app.routers.maps import attachment
from graph.pipeline import pipeline_csv_chunk, pipeline_csv_header, pipeline_jsonl_chunk
from graph.powermap.export import csv_chunk, csv_header, jsonl_chunk, jsonl_error

logger = logging.getLogger("stakemap")

router = APIRouter(tags=["exports"])

CSV = "text/csv; charset=utf-8"
JSONL = "application/x-ndjson"


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


class Export(StrEnum):
    """What is exported: the name of its paths and of the downloaded file."""

    INFLUENCE = "influence"
    DEALS = "deals"


class ExportAborted(Exception):
    """An export failed after its 200 was sent: the response is cut off on purpose.

    Not a :class:`~graph.errors.StakemapError`: no handler may answer it, so it reaches
    the server, which drops the connection without the final zero-length chunk. The
    client sees an incomplete transfer, never a short body that looks whole."""


def _influence(analytics: AnalyticsService, tenant: str, fmt: ExportFormat) -> Iterator[bytes]:
    if fmt is ExportFormat.CSV:
        yield csv_header()
    chunk = csv_chunk if fmt is ExportFormat.CSV else jsonl_chunk
    for org, ranking in analytics.export_rankings(tenant):
        yield chunk(org.id, org.name, ranking)


def _deals(analytics: AnalyticsService, tenant: str, fmt: ExportFormat) -> Iterator[bytes]:
    if fmt is ExportFormat.CSV:
        yield pipeline_csv_header()
    chunk = pipeline_csv_chunk if fmt is ExportFormat.CSV else pipeline_jsonl_chunk
    for _org, records in analytics.export_pipeline(tenant):
        yield chunk(records)


_BODIES: dict[Export, Callable[[AnalyticsService, str, ExportFormat], Iterator[bytes]]] = {
    Export.INFLUENCE: _influence,
    Export.DEALS: _deals,
}


def _cut_off_on_failure(
    chunks: Iterator[bytes], what: Export, fmt: ExportFormat
) -> Iterator[bytes]:
    """``chunks``, or, when producing them fails part-way (the store busy or damaged, a
    bug), a logged :class:`ExportAborted`; JSONL first gets a last line
    ``{"error": {...}}`` naming the failure."""
    try:
        yield from chunks
    except Exception as exc:
        logger.error("the %s export failed part-way; cutting it off", what.value, exc_info=exc)
        if fmt is ExportFormat.JSONL:
            yield jsonl_error(exc)
        raise ExportAborted(f"the {what.value} export failed part-way") from exc


def export_chunks(
    analytics: AnalyticsService, tenant: str, what: Export, fmt: ExportFormat
) -> Iterator[bytes]:
    """The export's body, one chunk per organisation (after the CSV header): what the
    routes stream, and what ``bench/export_bench.py`` and ``bench/pipeline_bench.py``
    measure."""
    return _cut_off_on_failure(_BODIES[what](analytics, tenant, fmt), what, fmt)


def _holding(chunks: Iterator[bytes], slot: ExportSlot) -> Iterator[bytes]:
    """``chunks``, releasing the export's slot however the body ends (done, failed, or the
    client gone and the generator closed)."""
    try:
        yield from chunks
    finally:
        slot.release()


def _export(state: StateDep, tenant: str, what: Export, fmt: ExportFormat) -> StreamingResponse:
    media = CSV if fmt is ExportFormat.CSV else JSONL
    slot = state.exports.acquire(tenant)  # 429 before anything runs when none is free
    try:
        body = _BODIES[what](state.analytics, tenant, fmt)
        # the first organisation's chunk before the 200: a store that fails at once answers
        # a problem document, not a cut-off body
        first = list(islice(body, 2 if fmt is ExportFormat.CSV else 1))
    except BaseException:
        slot.release()
        raise
    return StreamingResponse(
        _holding(_cut_off_on_failure(chain(first, body), what, fmt), slot),
        media_type=media,
        headers=attachment(f"{what.value}-export.{fmt.value}"),
    )


_STREAMED = """
The body is streamed after the 200 (a store failing before the first organisation
answers a problem document instead): if the export fails part-way, the response is cut
off (the connection closes before the final chunk, so clients report an incomplete
transfer; JSONL first ends with a line `{"error": {"status", "title", "detail"}}`).
A body that ended normally is complete.
"""

_ADMITTED = """
An export holds a server thread for as long as it runs: one tenant runs at most
`STAKEMAP_EXPORTS_PER_TENANT` (1) at once and the server `STAKEMAP_EXPORTS_TOTAL` (2); another
answers 429 with `Retry-After` at once.
"""

_INFLUENCE_DOC = (
    """Everyone's influence ranking across every organisation of the tenant, streamed one
organisation at a time (memory stays flat however many there are). Columns: `org_id`,
`org_name`, `rank`, `person_id`, `name`, `title`, `stance`, `roles` (`;`-joined in CSV),
`power`, the components `formal`, `informal`, `brokerage`, `declared`, the raw
`informal_raw` (PageRank) and `brokerage_raw` (betweenness), and `reports_under`.
Default component weights; organisations in id order, people by rank.
"""
    + _STREAMED
    + _ADMITTED
)

_DEALS_DOC = (
    """The pipeline: every **open** deal of the tenant with its coverage figures and red
flags, streamed one organisation at a time (organisations in id order, their deals in id
order). Each figure is what `GET /v1/organisations/{org_id}/coverage?opportunity_id=`
answers for the deal today. Columns: `org_id`, `org_name`, `opportunity_id`,
`external_id`, `name`, `stage` and its Salesforce `stage_label`, `amount` (a decimal string
with the currency's minor units), `currency`, `close_date`, `days_to_close` (negative:
passed), `trigger`, `urgency`, `owner_id`, `owner_name`, `target_id`, `target_name` and
`target_source` (the deal's default target and how it was chosen), `best_warm_probability`
(our best chance of reaching the target without a cold approach), `committee_size`,
`committee_engaged` (committee members we are engaged with), `engaged_power_share`,
`roles_covered`, `roles_missing` (held, nobody engaged), `roles_unassigned` (nobody on the
committee holds them), `red_flag_count` and `red_flags` (codes, most severe first). Lists
are `;`-joined in CSV, arrays in JSONL; an empty cell is null.
"""
    + _STREAMED
    + _ADMITTED
)


@router.get(
    "/v1/exports/influence.csv",
    name="export_influence_csv",
    response_class=StreamingResponse,
    responses={200: {"content": {CSV: {}}, "description": "One row per person"}},
    description=_INFLUENCE_DOC,
)
def export_influence_csv(caller: Viewer, state: StateDep) -> StreamingResponse:
    """The tenant's influence export as CSV (``text/csv``, a header row first)."""
    return _export(state, caller.tenant, Export.INFLUENCE, ExportFormat.CSV)


@router.get(
    "/v1/exports/influence.jsonl",
    name="export_influence_jsonl",
    response_class=StreamingResponse,
    responses={200: {"content": {JSONL: {}}, "description": "One JSON object per person"}},
    description=_INFLUENCE_DOC,
)
def export_influence_jsonl(caller: Viewer, state: StateDep) -> StreamingResponse:
    """The tenant's influence export as JSON lines (``application/x-ndjson``)."""
    return _export(state, caller.tenant, Export.INFLUENCE, ExportFormat.JSONL)


FormatQuery = Annotated[ExportFormat, Query(description="csv (default) or jsonl")]


@router.get(
    "/v1/exports/influence",
    name="export_influence",
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
    caller: Viewer, state: StateDep, format: FormatQuery = ExportFormat.CSV
) -> StreamingResponse:
    """Kept for compatibility: answers what `GET /v1/exports/influence.csv` (`format=csv`,
    the default) or `GET /v1/exports/influence.jsonl` (`format=jsonl`) answers, byte for
    byte. New clients use those paths, each with one media type."""
    return _export(state, caller.tenant, Export.INFLUENCE, format)


@router.get(
    "/v1/exports/deals.csv",
    name="export_deals_csv",
    response_class=StreamingResponse,
    responses={200: {"content": {CSV: {}}, "description": "One row per open deal"}},
    description=_DEALS_DOC,
)
def export_deals_csv(caller: Viewer, state: StateDep) -> StreamingResponse:
    """The tenant's pipeline export as CSV (``text/csv``, a header row first)."""
    return _export(state, caller.tenant, Export.DEALS, ExportFormat.CSV)


@router.get(
    "/v1/exports/deals.jsonl",
    name="export_deals_jsonl",
    response_class=StreamingResponse,
    responses={200: {"content": {JSONL: {}}, "description": "One JSON object per open deal"}},
    description=_DEALS_DOC,
)
def export_deals_jsonl(caller: Viewer, state: StateDep) -> StreamingResponse:
    """The tenant's pipeline export as JSON lines (``application/x-ndjson``)."""
    return _export(state, caller.tenant, Export.DEALS, ExportFormat.JSONL)


@router.get(
    "/v1/exports/deals",
    name="export_deals",
    deprecated=True,
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {CSV: {}, JSONL: {}},
            "description": "One row (CSV) or JSON object (JSONL) per open deal",
        }
    },
)
def export_deals(
    caller: Viewer, state: StateDep, format: FormatQuery = ExportFormat.CSV
) -> StreamingResponse:
    """Answers what `GET /v1/exports/deals.csv` (`format=csv`, the default) or
    `GET /v1/exports/deals.jsonl` (`format=jsonl`) answers, byte for byte, as the
    influence export's `?format=` does. New clients use those paths."""
    return _export(state, caller.tenant, Export.DEALS, format)
