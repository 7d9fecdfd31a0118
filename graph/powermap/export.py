"""Rows of the tenant-wide influence export (``GET /v1/exports/influence``).

One row a person, every organisation of the tenant one after the other; the columns are
``EXPORT_COLUMNS``: the organisation's id and name, then the per-organisation ranking's
columns (:data:`graph.analytics.influence.INFLUENCE_CSV_COLUMNS`). The functions here turn
one organisation's ranking into encoded chunks, so the caller can stream organisation by
organisation and hold only one of them in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from graph.analytics.influence import INFLUENCE_CSV_COLUMNS, influence_csv_rows
from graph.csvio import encode_rows, safe_cell
from graph.errors import StakemapError
from graph.messages import _
from schemas.analytics import InfluenceRanking

__all__ = [
    "EXPORT_COLUMNS",
    "csv_chunk",
    "csv_header",
    "jsonl_chunk",
    "jsonl_error",
    "jsonl_records",
]

EXPORT_COLUMNS: tuple[str, ...] = ("org_id", "org_name", *INFLUENCE_CSV_COLUMNS)
"""Column order of the CSV export; JSONL records carry the same keys."""


def csv_header() -> bytes:
    """The header line of the CSV export.

    >>> csv_header().decode().split(",")[:5]
    ['org_id', 'org_name', 'rank', 'person_id', 'name']
    """
    return encode_rows([list(EXPORT_COLUMNS)])


def csv_chunk(org_id: str, org_name: str, ranking: InfluenceRanking) -> bytes:
    """One organisation's rows of the CSV export (no header).

    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import tiny_snapshot
    >>> chunk = csv_chunk("org", "=Acme", rank_influence(build_graph(tiny_snapshot())))
    >>> chunk.decode().splitlines()[0].split(",")[:5]
    ['org', "'=Acme", '1', 'ceo', 'CEO']
    """
    prefix = [org_id, safe_cell(org_name)]
    return encode_rows([prefix + row for row in influence_csv_rows(ranking)[1:]])


def jsonl_records(
    org_id: str, org_name: str, ranking: InfluenceRanking
) -> Iterator[dict[str, Any]]:
    """One organisation's records of the JSONL export: the CSV's columns, typed.

    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import tiny_snapshot
    >>> first = next(jsonl_records("org", "Acme", rank_influence(build_graph(tiny_snapshot()))))
    >>> first["person_id"], first["roles"], first["power"] == 0.85
    ('ceo', ['decision_maker'], True)
    """
    for item in ranking.items:
        c = item.components
        yield {
            "org_id": org_id,
            "org_name": org_name,
            "rank": item.rank,
            "person_id": item.person_id,
            "name": item.name,
            "title": item.title,
            "stance": item.stance.value,
            "roles": [role.value for role in item.roles],
            "power": item.power,
            "formal": c.formal,
            "informal": c.informal,
            "brokerage": c.brokerage,
            "declared": c.declared,
            "informal_raw": item.informal_raw,
            "brokerage_raw": item.brokerage_raw,
            "reports_under": item.reports_under,
        }


def jsonl_chunk(org_id: str, org_name: str, ranking: InfluenceRanking) -> bytes:
    """One organisation's lines of the JSONL export (one JSON object a line)."""
    return b"".join(
        orjson.dumps(record) + b"\n" for record in jsonl_records(org_id, org_name, ranking)
    )


def jsonl_error(exc: BaseException) -> bytes:
    """The last line of a JSONL export that failed part-way: what a problem document of
    the error would say (a domain error's status, title and detail; anything else is an
    internal error, with no detail of its own).

    >>> from graph.errors import StoreBusy
    >>> jsonl_error(StoreBusy("the store is busy; retry shortly"))
    b'{"error":{"status":503,"title":"Store busy","detail":"the store is busy; retry shortly"}}\\n'
    >>> jsonl_error(KeyError("x")).decode()
    '{"error":{"status":500,"title":"Internal error","detail":"an unexpected error occurred"}}\\n'
    """
    if isinstance(exc, StakemapError):
        problem = {"status": exc.status, "title": _(exc.title), "detail": exc.detail}
    else:
        problem = {"status": 500, "title": _("Internal error")}
        problem["detail"] = _("an unexpected error occurred")
    return orjson.dumps({"error": problem}) + b"\n"
