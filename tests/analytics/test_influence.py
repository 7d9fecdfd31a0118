"""Influence ranking: reference equality with networkx, formal authority, weights, CSV."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from graph.analytics import influence
from graph.analytics.influence import (
    formal_authority,
    hierarchy,
    influence_csv_rows,
    rank_influence,
)
from graph.network import build_graph
from schemas.analytics import InfluenceWeights
from tests.analytics.support import Org, approx_equal, orgs, reference_prior, relabelled
from tests.factories import SnapshotBuilder

REFERENCE = settings(max_examples=60, deadline=None)


def reference_endorsements(org: Org) -> nx.DiGraph:
    """Built straight from the random data, not through the code under test."""
    graph = nx.DiGraph()
    graph.add_nodes_from(org.people)
    for a, b, s in org.influences:
        weight = 0.5 if s is None else s
        graph.add_edge(b, a, weight=weight if weight >= 1e-12 else 0.0)
    return graph


def reference_ties(org: Org) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(org.people)
    graph.add_edges_from(org.solid + org.dotted)
    graph.add_edges_from((a, b) for a, b, _s in org.influences)
    people = set(org.people)
    graph.add_edges_from((a, b) for a, b, _s, _d in org.knows if a in people and b in people)
    return graph


def scaled(values: dict[str, float]) -> dict[str, float]:
    top = max(values.values())
    return {k: (v / top if top > 0 else 0.0) for k, v in values.items()}


# --- reference equality on random graphs ---------------------------------------------------


@REFERENCE
@given(orgs(max_people=12, max_team=1))
def test_informal_is_networkx_pagerank(org: Org) -> None:
    ranking = rank_influence(org.graph())
    expected = nx.pagerank(
        reference_endorsements(org),
        alpha=0.85,
        personalization=reference_prior(ranking),
        weight="weight",
    )
    expected_scaled = scaled(expected)
    for item in ranking.items:
        assert item.informal_raw == pytest.approx(expected[item.person_id], abs=1e-9)
        assert item.components.informal == pytest.approx(expected_scaled[item.person_id], abs=1e-9)


@REFERENCE
@given(orgs(max_people=12, max_team=2))
def test_brokerage_is_networkx_betweenness(org: Org) -> None:
    ranking = rank_influence(org.graph())
    expected = nx.betweenness_centrality(reference_ties(org), normalized=True)
    expected_scaled = scaled(expected)
    assert not ranking.brokerage_sampled
    for item in ranking.items:
        assert item.brokerage_raw == pytest.approx(expected[item.person_id], abs=1e-9)
        assert item.components.brokerage == pytest.approx(expected_scaled[item.person_id], abs=1e-9)


@REFERENCE
@given(
    st.integers(2, 40),
    st.floats(0.02, 0.4),
    st.integers(0, 2**31 - 1),
)
def test_reference_equality_on_gnp_graphs(n: int, p: float, seed: int) -> None:
    advice = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    friends = nx.gnp_random_graph(n, p / 2, seed=seed + 1)
    b = SnapshotBuilder()
    for i in range(n):
        b.person(f"n{i:02d}")
    for u, v in advice.edges:
        b.influences(f"n{u:02d}", f"n{v:02d}", 0.5)
    for u, v in friends.edges:
        b.knows(f"n{u:02d}", f"n{v:02d}", 0.7)
    ranking = rank_influence(build_graph(b.build()))

    endorse = nx.DiGraph()
    endorse.add_nodes_from(f"n{i:02d}" for i in range(n))
    endorse.add_edges_from((f"n{v:02d}", f"n{u:02d}") for u, v in advice.edges)
    pagerank = nx.pagerank(endorse, personalization=reference_prior(ranking))
    ties = nx.compose(advice.to_undirected(), friends)
    betweenness = {
        f"n{k:02d}": value for k, value in nx.betweenness_centrality(ties, normalized=True).items()
    }
    for item in ranking.items:
        assert item.informal_raw == pytest.approx(pagerank[item.person_id], abs=1e-9)
        assert item.brokerage_raw == pytest.approx(betweenness[item.person_id], abs=1e-9)


def test_sampled_brokerage_above_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(influence, "BROKERAGE_EXACT_MAX", 10)
    monkeypatch.setattr(influence, "BROKERAGE_SAMPLES", 6)
    graph = nx.gnp_random_graph(30, 0.15, seed=7)
    b = SnapshotBuilder()
    for i in range(30):
        b.person(f"n{i:02d}")
    for u, v in graph.edges:
        b.knows(f"n{u:02d}", f"n{v:02d}")
    ranking = rank_influence(build_graph(b.build()))
    assert ranking.brokerage_sampled
    assert ranking.brokerage_samples == 6
    ties = nx.Graph()
    ties.add_nodes_from(sorted(f"n{i:02d}" for i in range(30)))
    ties.add_edges_from((f"n{u:02d}", f"n{v:02d}") for u, v in graph.edges)
    expected = nx.betweenness_centrality(ties, k=6, normalized=True, seed=42)
    for item in ranking.items:
        assert item.brokerage_raw == pytest.approx(expected[item.person_id], abs=1e-9)
    assert rank_influence(build_graph(b.build())) == ranking


# --- formal authority ------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(orgs(max_people=14, max_team=0))
def test_manager_is_never_below_a_report(org: Org) -> None:
    graph = org.graph()
    formal = formal_authority(graph)
    for report, manager in org.solid:
        assert formal[manager] > formal[report]
    assert all(0.0 <= v <= 1.0 for v in formal.values())
    tree = hierarchy(graph)
    if tree.reach:
        top = max(tree.reach, key=lambda p: tree.reach[p])
        assert formal[top] == 1.0
    ranking = rank_influence(graph)
    by_id = {i.person_id: i for i in ranking.items}
    for report, manager in org.solid:
        assert by_id[manager].components.formal > by_id[report].components.formal
        assert by_id[manager].reports_under > by_id[report].reports_under


def test_formal_counts_dotted_reports_at_a_discount() -> None:
    b = SnapshotBuilder().person("ceo").person("a").person("b").person("x").person("y")
    b.reports("a", "ceo").reports("b", "ceo").reports("x", "a").reports("y", "b", dotted=True)
    tree = hierarchy(build_graph(b.build()))
    assert tree.reach["a"] == 2.0
    assert tree.reach["b"] == 1.5
    assert tree.reach["ceo"] == 4.5
    assert tree.under["ceo"] == 3
    formal = formal_authority(build_graph(b.build()))
    assert formal["ceo"] == 1.0 > formal["a"] > formal["b"] > formal["x"]


def test_people_outside_the_tree_fall_back_on_seniority() -> None:
    b = (
        SnapshotBuilder()
        .person("ceo")
        .person("cfo")
        .person("exec", seniority="executive")
        .person("vp", seniority="vp")
        .person("ic", seniority="individual")
        .person("unknown")
        .reports("cfo", "ceo")
    )
    formal = formal_authority(build_graph(b.build()))
    assert formal["ceo"] == 1.0
    assert formal["exec"] == 0.5
    assert formal["vp"] == 0.4
    assert formal["ic"] == formal["unknown"] == 0.1


def test_without_any_tree_seniority_is_scaled_to_one() -> None:
    b = SnapshotBuilder().person("a", seniority="executive").person("b", seniority="manager")
    formal = formal_authority(build_graph(b.build()))
    assert formal == {"a": 1.0, "b": pytest.approx(0.4)}


def test_broken_hierarchy_data_is_repaired_deterministically() -> None:
    b = SnapshotBuilder().person("a").person("b").person("c")
    b.reports("a", "b").reports("b", "c").reports("c", "a")
    tree = hierarchy(build_graph(b.build()))
    assert "a" not in tree.parent
    assert tree.parent == {"b": "c", "c": "a"}


# --- declared, power, ranks ------------------------------------------------------------------


def test_declared_scale_and_default() -> None:
    b = SnapshotBuilder()
    for level in (1, 2, 3, 4, 5):
        b.person(f"p{level}", influence=level)
    b.person("none")
    ranking = rank_influence(build_graph(b.build()))
    declared = {i.person_id: i.components.declared for i in ranking.items}
    assert declared == {"p1": 0.0, "p2": 0.25, "p3": 0.5, "p4": 0.75, "p5": 1.0, "none": 0.5}


@settings(max_examples=40, deadline=None)
@given(
    orgs(max_people=8, max_team=1),
    st.tuples(*[st.floats(0.0, 10.0) for _ in range(4)]).filter(lambda w: sum(w) > 0),
)
def test_power_is_the_weighted_mean(org: Org, w: tuple[float, float, float, float]) -> None:
    weights = InfluenceWeights(formal=w[0], informal=w[1], brokerage=w[2], declared=w[3])
    ranking = rank_influence(org.graph(), weights)
    assert ranking.weights == weights
    assert ranking.n == len(org.people)
    assert [i.rank for i in ranking.items] == list(range(1, ranking.n + 1))
    powers = [i.power for i in ranking.items]
    assert powers == sorted(powers, reverse=True)
    for item in ranking.items:
        c = item.components
        mean = (w[0] * c.formal + w[1] * c.informal + w[2] * c.brokerage + w[3] * c.declared) / sum(
            w
        )
        assert approx_equal(item.power, mean)
        assert 0.0 <= item.power <= 1.0


def test_ties_are_broken_by_name_then_id() -> None:
    b = SnapshotBuilder().person("zed").person("amy").person("mo")
    ranking = rank_influence(build_graph(b.build()))
    assert [i.name for i in ranking.items] == ["AMY", "MO", "ZED"]


def test_team_members_are_not_ranked() -> None:
    b = SnapshotBuilder().person("a").member("am").knows("am", "a", 0.9)
    ranking = rank_influence(build_graph(b.build()))
    assert [i.person_id for i in ranking.items] == ["a"]


def test_empty_organisation() -> None:
    ranking = rank_influence(build_graph(SnapshotBuilder().build()))
    assert ranking.n == 0
    assert ranking.items == []


@settings(max_examples=40, deadline=None)
@given(orgs(max_people=9, max_team=2))
def test_ranking_is_invariant_under_relabelling(org: Org) -> None:
    graph = org.graph()
    other, _mapping = relabelled(graph, "id")
    before = rank_influence(graph)
    after = rank_influence(other)
    assert [(i.name, i.rank) for i in before.items] == [(i.name, i.rank) for i in after.items]
    for x, y in zip(before.items, after.items, strict=True):
        assert approx_equal(x.power, y.power, 1e-12)


# --- weights validation and CSV --------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"formal": -0.1},
        {"informal": math.inf},
        {"brokerage": math.nan},
        {"formal": 0, "informal": 0, "brokerage": 0, "declared": 0},
        {"popularity": 1.0},
    ],
)
def test_weights_are_validated(fields: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        InfluenceWeights.model_validate(fields)


def test_default_weights() -> None:
    weights = InfluenceWeights()
    assert (weights.formal, weights.informal, weights.brokerage, weights.declared) == (
        0.35,
        0.30,
        0.15,
        0.20,
    )
    assert weights.total == pytest.approx(1.0)


def test_csv_rows_have_a_stable_header_and_escape_formulas() -> None:
    b = SnapshotBuilder().person("ceo", roles=["decision_maker", "economic_buyer"])
    b.person("=evil", title="+cmd").reports("=evil", "ceo")
    ranking = rank_influence(build_graph(b.build()))
    rows = influence_csv_rows(ranking)
    assert rows[0] == list(influence.INFLUENCE_CSV_COLUMNS)
    assert len(rows) == 3
    ceo = dict(zip(rows[0], rows[1], strict=True))
    assert ceo["rank"] == "1"
    assert ceo["roles"] == "decision_maker;economic_buyer"
    assert float(ceo["power"]) == ranking.items[0].power
    evil = dict(zip(rows[0], rows[2], strict=True))
    assert evil["name"] == "'=EVIL"
    assert evil["title"] == "'+cmd"
    assert all(len(row) == len(rows[0]) for row in rows)
