"""Rows of the tenant-wide pipeline export (``GET /v1/exports/deals.csv|.jsonl``).

One row an **open** deal, organisation after organisation: the deal's facts, the target the
deal's questions default to, how warm our best way to them is, the committee we are engaged
with, the buying roles covered, and the Blue-Sheet red flags (``PIPELINE_COLUMNS``; each is
described in docs/API.md, "Pipeline export"). Every figure is the one ``GET …/coverage?
opportunity_id=`` answers for that deal on the same day, so an analyst's pivot table and the
account manager's screen agree.

The functions here turn one organisation into records, so the caller can stream
organisation by organisation and hold one of them in memory. One influence ranking serves
every deal of the organisation (:func:`graph.analytics.deals.deal_ranking`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from datetime import date
from typing import Any

import networkx as nx
import orjson

from graph.analytics._common import graph_meta, is_team, name_of
from graph.analytics.coverage import coverage_core
from graph.analytics.deals import CLOSE_DATE_NEAR_DAYS, deal_graph, deal_ranking
from graph.analytics.decision import top_decision_maker
from graph.csvio import encode_rows, safe_cell
from graph.deals import Deal
from schemas.analytics import InfluenceRanking
from schemas.deals import SALESFORCE_STAGE_LABELS, URGENCY, OpportunityStage, PurchaseTrigger

__all__ = [
    "PIPELINE_COLUMNS",
    "pipeline_csv_chunk",
    "pipeline_csv_header",
    "pipeline_jsonl_chunk",
    "pipeline_records",
]

PIPELINE_COLUMNS: tuple[str, ...] = (
    "org_id",
    "org_name",
    "opportunity_id",
    "external_id",
    "name",
    "stage",
    "stage_label",
    "amount",
    "currency",
    "close_date",
    "days_to_close",
    "trigger",
    "urgency",
    "owner_id",
    "owner_name",
    "target_id",
    "target_name",
    "target_source",
    "best_warm_probability",
    "committee_size",
    "committee_engaged",
    "engaged_power_share",
    "roles_covered",
    "roles_missing",
    "roles_unassigned",
    "red_flag_count",
    "red_flags",
)
"""Column order of the CSV export; JSONL records carry the same keys."""

_TEXT = frozenset({"org_name", "external_id", "name", "owner_name", "target_name"})
"""Free text a user typed: spreadsheet-safe in CSV (:func:`graph.csvio.safe_cell`)."""


def open_deals(graph: nx.MultiDiGraph) -> list[Deal]:
    """The organisation's open deals, in id order."""
    deals: dict[str, Deal] = graph.graph.get("opportunities", {})
    return [deals[key] for key in sorted(deals) if deals[key].status == "open"]


def pipeline_records(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    *,
    org_name: str,
    as_of: date,
    close_date_near_days: int = CLOSE_DATE_NEAR_DAYS,
    executor: Executor | None = None,
) -> Iterator[dict[str, Any]]:
    """One record an open deal of the organisation ``graph`` is built from, in deal-id order.

    ``ranking`` is the organisation's influence ranking (default weights). Lists are lists
    and numbers numbers here; :func:`pipeline_csv_chunk` flattens them.

    Examples
    --------
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.network import build_graph
    >>> from graph.samples import SnapshotBuilder
    >>> snap = (SnapshotBuilder().person("ceo").person("cfo").member("am")
    ...         .reports("cfo", "ceo").knows("am", "cfo", 0.8)
    ...         .deal("erp").seat("erp", "ceo", roles=["decision_maker"])
    ...         .seat("erp", "cfo", roles=["economic_buyer"], stance="opponent").build())
    >>> g = build_graph(snap)
    >>> [row] = pipeline_records(g, rank_influence(g), org_name="Acme", as_of=date(2026, 1, 1))
    >>> row["target_id"], row["target_source"], row["committee_size"], row["red_flags"]
    ('ceo', 'deal_decision_maker', 2, ['economic_buyer_opponent', 'no_coach', 'single_threaded'])
    """
    deals = open_deals(graph)
    if not deals:
        return
    organisation_top = top_decision_maker(graph, ranking)
    org_id, _version = graph_meta(graph)
    for deal in deals:
        view = deal_graph(graph, deal, organisation_top=organisation_top)
        answer = coverage_core(
            view,
            deal_ranking(view, ranking, executor=executor),
            as_of=as_of,
            close_date_near_days=close_date_near_days,
            paths=1,  # the best warm path is all a row reports
        )
        facts = answer.deal
        assert facts is not None  # the core of a deal's view always has one
        trigger = None if deal.trigger is None else PurchaseTrigger(deal.trigger)
        owner = deal.owner_id if deal.owner_id and is_team(graph, deal.owner_id) else None
        yield {
            "org_id": org_id,
            "org_name": org_name,
            "opportunity_id": deal.id,
            "external_id": deal.external_id,
            "name": deal.name,
            "stage": deal.stage,
            "stage_label": SALESFORCE_STAGE_LABELS[OpportunityStage(deal.stage)],
            "amount": deal.amount,
            "currency": deal.currency,
            "close_date": None if deal.close_date is None else deal.close_date.isoformat(),
            "days_to_close": facts.days_to_close,
            "trigger": deal.trigger,
            "urgency": None if trigger is None else URGENCY[trigger].value,
            "owner_id": owner,
            "owner_name": None if owner is None else name_of(graph, owner),
            "target_id": answer.target,
            "target_name": None if answer.target is None else name_of(graph, answer.target),
            "target_source": None if answer.target_source is None else answer.target_source.value,
            "best_warm_probability": facts.best_warm_probability,
            "committee_size": facts.committee_size,
            "committee_engaged": facts.committee_engaged,
            "engaged_power_share": answer.engaged_power_share,
            "roles_covered": [r.role.value for r in answer.roles if r.covered],
            "roles_missing": [r.role.value for r in answer.roles if r.holders and not r.covered],
            "roles_unassigned": [r.role.value for r in answer.roles if not r.holders],
            "red_flag_count": len(facts.red_flags),
            "red_flags": [flag.code.value for flag in facts.red_flags],
        }


def pipeline_csv_header() -> bytes:
    """The header line of the CSV export.

    >>> pipeline_csv_header().decode().split(",")[:4]
    ['org_id', 'org_name', 'opportunity_id', 'external_id']
    """
    return encode_rows([list(PIPELINE_COLUMNS)])


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float):
        return repr(value)
    if column in _TEXT:
        return safe_cell(str(value))
    return str(value)


def pipeline_csv_chunk(records: Sequence[dict[str, Any]]) -> bytes:
    """Records as CSV rows (no header): lists ``;``-joined, empty for none, numbers as
    written in JSON, free text spreadsheet-safe.

    >>> pipeline_csv_chunk([{c: None for c in PIPELINE_COLUMNS} | {"name": "=1+1",
    ...     "red_flags": ["no_coach", "single_threaded"], "red_flag_count": 2}]).decode()
    ",,,,'=1+1,,,,,,,,,,,,,,,,,,,,,2,no_coach;single_threaded\\r\\n"
    """
    return encode_rows([[_cell(c, record[c]) for c in PIPELINE_COLUMNS] for record in records])


def pipeline_jsonl_chunk(records: Sequence[dict[str, Any]]) -> bytes:
    """Records as JSON lines (one object a line, keys in column order)."""
    return b"".join(orjson.dumps(record) + b"\n" for record in records)
