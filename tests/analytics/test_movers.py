"""People who move (graph.movers): who left is gone from power and roles, their reports move
up, their ties still introduce at a discount; who is on leave keeps power and slows hops."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analytics import coverage, entry_paths, find_decision_makers, rank_influence
from graph.analytics._common import UnknownNode
from graph.movers import FORMER_EMPLOYEE_FACTOR, ON_LEAVE_FACTOR
from graph.network import build_graph
from graph.samples import SnapshotBuilder
from schemas.analytics import PathFlag
from schemas.common import PersonStatus
from tests.analytics.support import Org, orgs

AS_OF = date(2026, 6, 1)
LAST_MONTH = AS_OF - timedelta(days=30)


def _without(org: Org, leaver: str) -> Org:
    """The organisation as if ``leaver`` had never been there, their solid reports
    reporting to the leaver's own solid manager (a solid line replacing a dotted one to the
    same manager): what the rule says analytics must see."""
    kept = copy.deepcopy(org)
    kept.people = [p for p in org.people if p != leaver]
    manager = next((m for r, m in org.solid if r == leaver), None)
    kept.solid = [
        (r, manager if m == leaver else m)
        for r, m in org.solid
        if leaver != r and (m != leaver or manager is not None)
    ]
    kept.dotted = [
        (r, m) for r, m in org.dotted if leaver not in (r, m) and (r, m) not in kept.solid
    ]
    kept.influences = [t for t in org.influences if leaver not in t[:2]]
    kept.knows = [t for t in org.knows if leaver not in t[:2]]
    return kept


@st.composite
def _org_and_leaver(draw: st.DrawFn) -> tuple[Org, str]:
    org = draw(orgs(min_people=2, max_people=8, min_team=0, max_team=2))
    return org, draw(st.sampled_from(org.people))


@settings(max_examples=60, deadline=None)
@given(_org_and_leaver())
def test_who_left_ranks_as_if_never_there_with_reports_moved_up(case: tuple[Org, str]) -> None:
    """Power, ranks, depths and roles equal those of the organisation without the leaver,
    whose solid reports report to the leaver's own manager; the stored lines are unchanged."""
    org, leaver = case
    gone = copy.deepcopy(org)
    gone.status[leaver] = ("left", LAST_MONTH)
    view = build_graph(gone.builder().build(), as_of=AS_OF)
    reference = _without(org, leaver).graph()
    assert rank_influence(view).items == rank_influence(reference).items
    assert find_decision_makers(view, rank_influence(view)).items == (
        find_decision_makers(reference, rank_influence(reference)).items
    )


@settings(max_examples=40, deadline=None)
@given(_org_and_leaver())
def test_a_departure_announced_for_later_changes_nothing_yet(case: tuple[Org, str]) -> None:
    org, leaver = case
    leaving = copy.deepcopy(org)
    leaving.status[leaver] = ("left", AS_OF + timedelta(days=1))
    view = build_graph(leaving.builder().build(), as_of=AS_OF)
    assert rank_influence(view).items == rank_influence(org.graph()).items


def _account(cto_status: str = "active", left_on: date | None = None) -> SnapshotBuilder:
    """The CEO decides; the CTO (technical buyer and evaluator, our champion) reports to
    the CEO and is close to them; Anna knows the CTO well; Raj knows the COO a little."""
    return (
        SnapshotBuilder()
        .person("ceo", roles=["decision_maker"], influence=5, title="CEO")
        .person(
            "cto",
            roles=["technical_buyer", "evaluator"],
            stance="champion",
            influence=4,
            status=cto_status,
            left_on=left_on,
        )
        .person("coo", influence=4)
        .member("anna")
        .member("raj")
        .reports("cto", "ceo")
        .reports("coo", "ceo")
        .knows("anna", "cto", 0.9, AS_OF)
        .knows("cto", "ceo", 0.9, AS_OF)
        .knows("raj", "coo", 0.3, AS_OF)
        .influences("coo", "ceo", 0.5)
    )


def _best(graph_status: str, left_on: date | None = None) -> tuple[list[str], float, set[str]]:
    graph = build_graph(_account(graph_status, left_on).build(), as_of=AS_OF)
    answer = entry_paths(graph, rank_influence(graph), k=1, include_cold=False, as_of=AS_OF)
    path = answer.paths[0]
    nodes = [path.steps[0].from_id, *(s.to_id for s in path.steps)]
    return nodes, path.probability, {f.value for f in path.flags}


def test_the_former_cto_no_longer_covers_roles_but_can_still_introduce() -> None:
    """The CTO who carried our best route and two buying roles has left. A KAM no longer
    counts them as the technical buyer or evaluator, nor as power; they may still ask the
    CTO, now an alumnus, for an introduction to the CEO, but expect less of it, and the path
    says it goes through a former employee."""
    graph = build_graph(_account("left", LAST_MONTH).build(), as_of=AS_OF)
    ranking = rank_influence(graph)
    assert "cto" not in {item.person_id for item in ranking.items}
    answer = coverage(graph, ranking, as_of=AS_OF)
    held = {r.role.value: r.holders for r in answer.roles}
    assert held["technical_buyer"] == held["evaluator"] == []
    assert {e.person_id for e in answer.engaged} == set()

    before_nodes, before, before_flags = _best("active")
    after_nodes, after, after_flags = _best("left", LAST_MONTH)
    assert before_nodes == after_nodes == ["anna", "cto", "ceo"]
    assert "former_employee" in after_flags
    assert "former_employee" not in before_flags
    assert after == pytest.approx(before * FORMER_EMPLOYEE_FACTOR * 0.5 ** (30 / 365), rel=1e-9)


def test_a_former_employees_introduction_fades_year_by_year() -> None:
    _nodes, recent, _flags = _best("left", LAST_MONTH)
    _nodes, old, _flags = _best("left", LAST_MONTH - timedelta(days=365))
    assert old == pytest.approx(recent / 2, rel=1e-9)


def test_the_target_is_never_someone_who_left() -> None:
    """The CEO left: the next decision-maker by power is the target, never the leaver."""
    builder = _account()
    builder.people[0] = builder.people[0].model_copy(update={"status": PersonStatus.LEFT})
    graph = build_graph(builder.build(), as_of=AS_OF)
    answer = entry_paths(graph, rank_influence(graph), k=1, as_of=AS_OF)
    assert answer.target_id != "ceo"
    with pytest.raises(UnknownNode, match="ceo"):
        entry_paths(graph, rank_influence(graph), target_id="ceo", as_of=AS_OF)


def test_reports_of_a_leaver_move_up_to_the_next_manager_present() -> None:
    """The VP and their director both left: the engineer now reports to the CEO."""
    builder = (
        SnapshotBuilder()
        .person("ceo")
        .person("vp", status="left")
        .person("dir", status="left", left_on=LAST_MONTH)
        .person("eng")
        .reports("vp", "ceo")
        .reports("dir", "vp")
        .reports("eng", "dir")
    )
    graph = build_graph(builder.build(), as_of=AS_OF)
    depth = {item.person_id: item.depth for item in rank_influence(graph).items}
    assert depth == {"ceo": 0, "eng": 1}
    assert [(u, v, k) for u, v, k in graph.edges(keys=True)] == [
        ("eng", "ceo", "REPORTS_TO:eng->dir")
    ]


def test_someone_on_leave_keeps_power_and_roles_but_introduces_slowly() -> None:
    """On leave, the CTO is still the technical buyer and as powerful; an introduction
    through them waits for their return: hops to and from them count half, and the path
    says so."""
    present = build_graph(_account().build(), as_of=AS_OF)
    away = build_graph(_account("on_leave").build(), as_of=AS_OF)
    assert rank_influence(away).items == rank_influence(present).items
    before_nodes, before, _flags = _best("active")
    after_nodes, after, after_flags = _best("on_leave")
    assert before_nodes == after_nodes
    assert after == pytest.approx(before * ON_LEAVE_FACTOR * ON_LEAVE_FACTOR, rel=1e-9)
    assert PathFlag.ON_LEAVE.value in after_flags
