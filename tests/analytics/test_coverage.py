"""Coverage: engaged power, roles, threading, stale ties, stance shares and the bus factor."""

from __future__ import annotations

from datetime import timedelta

import networkx as nx
import pytest
from hypothesis import assume, given, settings

from graph.analytics import coverage, entry_paths, rank_influence
from graph.analytics.coverage import warm_cut_vertices
from graph.analytics.decision import top_decision_maker
from graph.analytics.hops import SOURCE, build_hop_graph
from graph.network import build_graph
from schemas.analytics import Coverage
from schemas.common import BuyingRole, Stance
from tests.analytics.support import AS_OF, Org, orgs
from tests.factories import SnapshotBuilder


def covered(builder: SnapshotBuilder, **kwargs: object) -> Coverage:
    graph = build_graph(builder.build())
    return coverage(graph, rank_influence(graph), as_of=AS_OF, **kwargs)  # type: ignore[arg-type]


def chain() -> SnapshotBuilder:
    """am -> a -> b -> ceo, with a detour a -> c -> b: a and b are cut vertices, c is not."""
    return (
        SnapshotBuilder()
        .person("ceo", roles=["decision_maker"], influence=5)
        .person("a", stance="champion", roles=["coach"])
        .person("b", stance="supporter")
        .person("c", stance="opponent")
        .member("am")
        .member("se")
        .knows("am", "a", 0.9, AS_OF)
        .knows("a", "b", 0.7, AS_OF)
        .knows("a", "c", 0.7, AS_OF)
        .knows("c", "b", 0.7, AS_OF)
        .influences("b", "ceo", 0.8)
    )


def test_single_threaded_account() -> None:
    result = covered(chain())
    assert result.single_threaded
    assert result.threaded_members == 1
    ties = {m.member_id: (m.ties, m.engaged, m.stale) for m in result.ties_per_member}
    assert ties == {"am": (1, 1, 0), "se": (0, 0, 0)}
    two = covered(chain().knows("se", "c", 0.2, AS_OF))
    assert not two.single_threaded
    assert two.threaded_members == 2


def test_articulation_points_between_our_team_and_the_top() -> None:
    bus = covered(chain()).bus_factor
    assert bus.target_id == "ceo"
    assert bus.reachable
    assert [m.id for m in bus.critical_members] == ["am"]
    assert [p.id for p in bus.critical_people] == ["a", "b"]
    assert bus.connectivity == 1

    wider = covered(chain().knows("se", "c", 0.5, AS_OF)).bus_factor
    assert wider.critical_members == []
    assert [p.id for p in wider.critical_people] == ["b"]
    assert wider.connectivity == 1

    redundant = covered(chain().knows("se", "c", 0.5, AS_OF).influences("c", "ceo", 0.5)).bus_factor
    assert redundant.critical_people == []
    assert redundant.connectivity == 2


def test_no_warm_path_to_the_top() -> None:
    b = SnapshotBuilder().person("ceo", roles=["decision_maker"]).person("x").member("am")
    bus = covered(b.knows("am", "x", 0.9, AS_OF)).bus_factor
    assert not bus.reachable
    assert bus.connectivity == 0
    assert bus.critical_people == []


def test_engaged_power_share_roles_and_stances() -> None:
    result = covered(chain())
    graph = build_graph(chain().build())
    ranking = rank_influence(graph)
    power = {i.person_id: i.power for i in ranking.items}
    assert [e.person_id for e in result.engaged] == ["a"]
    assert result.engaged[0].member_ids == ["am"]
    assert result.engaged_power_share == pytest.approx(power["a"] / sum(power.values()))
    assert result.roles_covered == [BuyingRole.COACH]
    assert result.roles_missing == [BuyingRole.DECISION_MAKER]
    assert BuyingRole.ECONOMIC_BUYER in result.roles_unassigned
    assert len(result.roles) == len(BuyingRole)
    shares = {s.stance: s for s in result.stance_shares}
    assert [s.stance for s in result.stance_shares] == list(Stance)
    assert sum(s.share for s in result.stance_shares) == pytest.approx(1.0)
    assert shares[Stance.OPPONENT].people == 1
    assert shares[Stance.OPPONENT].power == pytest.approx(power["c"])
    assert shares[Stance.NEUTRAL].share == pytest.approx(power["ceo"] / sum(power.values()))


def test_stale_and_undated_ties() -> None:
    b = (
        SnapshotBuilder()
        .person("a")
        .person("b")
        .person("c")
        .member("am")
        .knows("am", "a", 0.9, AS_OF - timedelta(days=100))
        .knows("am", "b", 0.9)
        .knows("am", "c", 0.9, AS_OF - timedelta(days=10))
    )
    result = covered(b)
    assert [(t.person_id, t.days_since) for t in result.stale_ties] == [("a", 100)]
    assert [t.person_id for t in result.undated_ties] == ["b"]
    assert result.ties_per_member[0].stale == 1
    assert [t.person_id for t in covered(b, stale_after_days=5).stale_ties] == ["a", "c"]
    assert {e.person_id for e in result.engaged} == {"a", "b", "c"}


def test_weak_ties_do_not_count_as_engaged() -> None:
    b = (
        SnapshotBuilder()
        .person("a")
        .person("b")
        .member("am")
        .knows("am", "a", 0.3, AS_OF)
        .knows("am", "b", 0.9, AS_OF - timedelta(days=400))
    )
    result = covered(b)
    assert result.engaged == []
    assert result.engaged_power_share == 0.0
    assert result.ties_per_member[0].ties == 2


def test_empty_organisation() -> None:
    result = covered(SnapshotBuilder())
    assert result.people == 0
    assert result.engaged_power_share == 0.0
    assert not result.single_threaded
    assert not result.bus_factor.reachable


@settings(max_examples=50, deadline=None)
@given(orgs(min_people=1, max_people=8, min_team=1, max_team=3))
def test_cut_vertices_match_brute_force_removal(org: Org) -> None:
    graph = org.graph()
    ranking = rank_influence(graph)
    target = top_decision_maker(graph, ranking)
    assert target is not None
    hops = build_hop_graph(graph, as_of=AS_OF, include_cold=False)
    chain = warm_cut_vertices(hops, target)
    reachable = nx.has_path(hops.graph, SOURCE, target)
    assert (chain is not None) == reachable
    if chain is None:
        return
    expected = []
    for node in sorted(hops.graph):
        if node in (SOURCE, target):
            continue
        without = hops.graph.subgraph(n for n in hops.graph if n != node)
        if not nx.has_path(without, SOURCE, target):
            expected.append(node)
    assert sorted(chain) == expected
    bus = coverage(graph, ranking, as_of=AS_OF).bus_factor
    cut = nx.minimum_node_cut(hops.graph, SOURCE, target)
    assert bus.connectivity == len(cut)
    assert {r.id for r in bus.critical_members + bus.critical_people} == set(chain)


def test_opponents_are_a_risk_not_coverage() -> None:
    """We know opponent C well: C covers no role, adds no engaged power, and is listed."""
    b = chain().knows("am", "c", 0.9, AS_OF)
    b.people[3] = b.people[3].model_copy(update={"roles": [BuyingRole.ECONOMIC_BUYER]})
    result = covered(b)
    assert "c" not in {e.person_id for e in result.engaged}
    assert [e.person_id for e in result.engaged_opponents] == ["c"]
    economic = next(r for r in result.roles if r.role is BuyingRole.ECONOMIC_BUYER)
    assert (economic.covered, economic.opponent_holders) == (False, ["c"])
    assert {m.member_id: m.engaged for m in result.ties_per_member}["am"] == 1


def test_fragility_of_a_chain() -> None:
    """am -> a -> b -> ceo carries everything: losing am, a or b leaves no warm path."""
    result = covered(chain())
    assert result.fragility.best_probability == pytest.approx(0.9 * 0.7 * 0.85 * 0.8)
    assert {c.id: c.probability_after for c in result.fragility.critical} == {
        "am": 0.0,
        "a": 0.0,
        "b": 0.0,
    }
    assert all(c.path_share == 1.0 for c in result.fragility.critical)


@settings(max_examples=40, deadline=None)
@given(orgs(min_people=1, max_people=7, min_team=1, max_team=3))
def test_fragility_matches_removing_everyone_in_turn(org: Org) -> None:
    """Critical = every person or member whose removal cuts the best warm path by >= 50%."""
    graph = org.graph()
    ranking = rank_influence(graph)
    target = top_decision_maker(graph, ranking)
    assert target is not None
    result = coverage(graph, ranking, as_of=AS_OF).fragility
    today = entry_paths(graph, ranking, target_id=target, k=1, include_cold=False, as_of=AS_OF)
    assume(today.exact)
    if not today.paths:
        assert result.best_probability == 0.0
        assert result.critical == []
        return
    p_best = today.paths[0].probability
    assert result.best_probability == pytest.approx(p_best, rel=1e-9)
    expected = {}
    for node in sorted(n for n in graph if n != target):
        without = graph.copy()
        without.remove_node(node)
        after = entry_paths(
            without, rank_influence(without), target_id=target, k=1, include_cold=False, as_of=AS_OF
        )
        assume(after.exact)
        p_after = after.paths[0].probability if after.paths else 0.0
        if 1 - p_after / p_best >= 0.5 - 1e-12:
            expected[node] = p_after
    got = {c.id: c.probability_after for c in result.critical}
    assert set(got) == set(expected)
    for node, p_after in expected.items():
        assert got[node] == pytest.approx(p_after, rel=1e-9, abs=1e-15)
