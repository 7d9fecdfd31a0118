"""Decision-makers: tree tops and decision-role holders, ranked by power."""

from __future__ import annotations

from graph.analytics import find_decision_makers, rank_influence, top_decision_maker
from graph.network import build_graph
from schemas.analytics import InfluenceWeights
from schemas.common import BuyingRole
from tests.factories import SnapshotBuilder, tiny_snapshot


def test_tree_top_and_role_holders_with_reasons() -> None:
    b = (
        SnapshotBuilder()
        .person("ceo", influence=5)
        .person("cfo", roles=["economic_buyer", "influencer"])
        .person("vp", roles=["executive_sponsor"])
        .person("eng", roles=["technical_buyer"])
        .reports("cfo", "ceo")
        .reports("vp", "ceo")
        .reports("eng", "vp")
    )
    graph = build_graph(b.build())
    result = find_decision_makers(graph, rank_influence(graph))
    assert [d.person_id for d in result.items] == ["ceo", "vp", "cfo"]
    ceo, vp, cfo = result.items
    assert ceo.top_of_hierarchy
    assert ceo.reports_under == 3
    assert ceo.reasons == ["top of the reporting tree (3 people report up to them)"]
    assert vp.reasons == ["holds the executive_sponsor role"]
    assert cfo.decision_roles == [BuyingRole.ECONOMIC_BUYER]
    assert not cfo.top_of_hierarchy
    assert [d.rank for d in result.items] == sorted(d.rank for d in result.items)
    assert top_decision_maker(graph, rank_influence(graph)) == "ceo"


def test_the_most_powerful_decision_maker_wins_even_below_the_top() -> None:
    b = (
        SnapshotBuilder()
        .person("boss", influence=1)
        .person("r")
        .person("eb", roles=["economic_buyer"], influence=5)
        .reports("r", "boss")
        .reports("eb", "boss")
    )
    graph = build_graph(b.build())
    declared_only = InfluenceWeights(formal=0, informal=0, brokerage=0, declared=1)
    assert top_decision_maker(graph, rank_influence(graph)) == "boss"
    assert top_decision_maker(graph, rank_influence(graph, declared_only)) == "eb"


def test_equal_power_is_broken_by_name() -> None:
    b = SnapshotBuilder().person("zoe", roles=["decision_maker"])
    b.person("al", roles=["decision_maker"])
    graph = build_graph(b.build())
    assert top_decision_maker(graph, rank_influence(graph)) == "al"


def test_without_structure_the_most_powerful_person_is_inferred() -> None:
    b = SnapshotBuilder().person("a", influence=2).person("b", influence=4)
    graph = build_graph(b.build())
    (only,) = find_decision_makers(graph, rank_influence(graph)).items
    assert only.person_id == "b"
    assert only.inferred
    assert "no reporting tree or decision role" in only.reasons[0]


def test_no_people_no_decision_maker() -> None:
    graph = build_graph(SnapshotBuilder().member("am").build())
    assert find_decision_makers(graph, rank_influence(graph)).items == []
    assert top_decision_maker(graph, rank_influence(graph)) is None


def test_single_report_wording() -> None:
    graph = build_graph(tiny_snapshot())
    first = find_decision_makers(graph, rank_influence(graph)).items[0]
    assert first.reasons[0] == "top of the reporting tree (1 person reports up to them)"
