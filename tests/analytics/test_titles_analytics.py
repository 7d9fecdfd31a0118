"""What the analytics make of titles alone: node attributes, formal fallback, decision-makers."""

from __future__ import annotations

from graph.analytics import find_decision_makers, rank_influence
from graph.analytics.influence import (
    HEAD_OF_ORGANISATION_BONUS,
    SENIORITY_FALLBACK,
    formal_authority,
)
from graph.network import build_graph
from tests.factories import SnapshotBuilder


def _titled(*people: tuple[str, str | None, str | None]) -> SnapshotBuilder:
    b = SnapshotBuilder()
    for pid, title, seniority in people:
        b.person(pid, title=title, seniority=seniority)
    return b


def test_nodes_carry_the_effective_seniority_and_function() -> None:
    graph = build_graph(
        _titled(("a", "Chief Financial Officer", None), ("b", "Intern", "manager")).build()
    )
    keys = ("seniority", "seniority_inferred", "function", "heads_organisation")
    a, b = ([graph.nodes[n][k] for k in keys] for n in ("a", "b"))
    assert a == ["executive", True, "finance", False]
    assert b == ["manager", False, "other", False]


def test_the_formal_fallback_follows_the_titles() -> None:
    people = [
        ("ceo", "Chief Executive Officer", None),
        ("cfo", "Chief Financial Officer", None),
        ("vp", "VP Sales", None),
        ("dir", "Head of Procurement", None),
        ("mgr", "IT Manager", None),
        ("eng", "Software Engineer", None),
        ("unknown", None, None),
        ("intern", "Intern", None),
    ]
    formal = formal_authority(build_graph(_titled(*people).build()))
    order = [pid for pid, _, _ in people]
    assert [formal[p] for p in order] == sorted((formal[p] for p in order), reverse=True)
    assert formal["ceo"] == 1.0
    top = SENIORITY_FALLBACK["executive"] + HEAD_OF_ORGANISATION_BONUS
    assert formal["cfo"] == SENIORITY_FALLBACK["executive"] / top
    assert formal["intern"] < formal["unknown"] == formal["eng"]


def test_a_given_seniority_beats_the_title_in_the_fallback() -> None:
    graph = build_graph(_titled(("a", "Intern", "executive"), ("b", "CEO", "individual")).build())
    formal = formal_authority(graph)
    assert formal["a"] > formal["b"]


def test_without_structure_the_executives_by_title_are_the_decision_makers() -> None:
    b = _titled(
        ("ceo", "总裁", None),
        ("cfo", "CFO", None),
        ("ea", "Executive Assistant to the CEO", None),
        ("eng", "Engineer", None),
    )
    graph = build_graph(b.build())
    makers = find_decision_makers(graph, rank_influence(graph)).items
    assert [m.person_id for m in makers] == ["ceo", "cfo"]
    assert all(m.inferred and m.decision_roles == [] for m in makers)
    assert makers[1].reasons == [
        "titled CFO (seniority executive, inferred from the title); no reporting tree or "
        "decision role is recorded"
    ]


def test_a_tree_top_gets_its_title_as_a_reason_and_suggestions_never_count() -> None:
    b = _titled(("ceo", "Chief Executive Officer", "executive"), ("cfo", "CFO", None))
    b.reports("cfo", "ceo")
    graph = build_graph(b.build())
    makers = find_decision_makers(graph, rank_influence(graph)).items
    # the CFO's title suggests economic_buyer, but only recorded roles make a decision-maker
    assert [m.person_id for m in makers] == ["ceo"]
    assert makers[0].reasons == [
        "top of the reporting tree (1 person reports up to them)",
        "titled Chief Executive Officer",
    ]
