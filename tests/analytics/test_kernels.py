"""The fast kernels give networkx's numbers (to 1e-9) on random and named graphs."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analytics import kernels
from graph.analytics.kernels import betweenness, kernel_pool

RANDOM = settings(max_examples=150, deadline=None)


@st.composite
def graphs(draw: st.DrawFn, max_nodes: int = 40) -> nx.Graph:
    """A G(n, p) graph with string labels inserted in a drawn order (node order matters to
    networkx's sampling), sometimes with isolated nodes and several components."""
    n = draw(st.integers(0, max_nodes))
    p = draw(st.floats(0.0, 0.6))
    seed = draw(st.integers(0, 2**31 - 1))
    base = nx.gnp_random_graph(n, p, seed=seed)
    order = draw(st.permutations(list(range(n))))
    graph = nx.Graph()
    graph.add_nodes_from(f"n{i:02d}" for i in order)
    graph.add_edges_from((f"n{u:02d}", f"n{v:02d}") for u, v in base.edges)
    return graph


def assert_same(found: dict[Any, float], expected: dict[Any, float]) -> None:
    assert list(found) == list(expected)
    for node, value in expected.items():
        if math.isnan(value):
            assert math.isnan(found[node]), node
        else:
            assert found[node] == pytest.approx(value, abs=1e-9, rel=0), node


# --- exact ---------------------------------------------------------------------------------------


@RANDOM
@given(graphs())
def test_exact_is_networkx_betweenness(graph: nx.Graph) -> None:
    assert_same(betweenness(graph), nx.betweenness_centrality(graph, normalized=True))


@pytest.mark.parametrize(
    "graph",
    [
        pytest.param(nx.krackhardt_kite_graph(), id="krackhardt-kite"),
        pytest.param(nx.florentine_families_graph(), id="florentine-families"),
        pytest.param(nx.karate_club_graph(), id="karate-club"),
        pytest.param(nx.les_miserables_graph(), id="les-miserables"),
        pytest.param(nx.barbell_graph(6, 3), id="barbell"),
        pytest.param(nx.star_graph(5), id="star"),
    ],
)
def test_exact_on_named_graphs(graph: nx.Graph) -> None:
    plain = nx.Graph()
    plain.add_nodes_from(graph)
    plain.add_edges_from(graph.edges)  # weights in les_miserables are not ties' weights
    assert_same(betweenness(plain), nx.betweenness_centrality(plain, normalized=True))


def test_krackhardt_kite_known_values() -> None:
    values = betweenness(nx.krackhardt_kite_graph())
    assert values[7] == pytest.approx(14 / 36)  # Heather, the broker: 14 of 36 pairs
    assert values[8] == pytest.approx(8 / 36)
    assert values[3] == pytest.approx(3.6667 / 36, abs=1e-4)
    assert values[9] == 0.0


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_tiny_graphs(n: int) -> None:
    graph = nx.path_graph(n)
    assert_same(betweenness(graph), nx.betweenness_centrality(graph))


def test_self_loops_count_for_nothing() -> None:
    graph = nx.path_graph(4)
    graph.add_edge(1, 1)
    assert_same(betweenness(graph), nx.betweenness_centrality(graph))


# --- sampled -------------------------------------------------------------------------------------


@RANDOM
@given(graphs(), st.data())
def test_sampled_is_networkx_sampled_estimate(graph: nx.Graph, data: st.DataObject) -> None:
    if graph.number_of_nodes() == 0:
        return
    k = data.draw(st.integers(1, graph.number_of_nodes()), label="k")
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    expected = nx.betweenness_centrality(graph, k=k, normalized=True, seed=seed)
    assert_same(betweenness(graph, samples=k, seed=seed), expected)


@settings(max_examples=40, deadline=None)
@given(graphs(max_nodes=30), st.integers(1, 7))
def test_sampled_in_small_batches(graph: nx.Graph, batch: int) -> None:
    """Splitting the sources into batches changes nothing."""
    n = graph.number_of_nodes()
    if n == 0:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernels, "BATCH_CELLS", batch * n)
        found = betweenness(graph, samples=n, seed=3)
    assert_same(found, nx.betweenness_centrality(graph, k=n, seed=3))


def test_all_sources_sampled_is_exact() -> None:
    graph = nx.les_miserables_graph()
    n = graph.number_of_nodes()
    assert_same(betweenness(graph, samples=n), betweenness(graph))


def test_sampled_on_a_larger_sparse_graph() -> None:
    graph = nx.random_labeled_tree(400, seed=5)
    graph.add_edges_from(nx.gnm_random_graph(400, 600, seed=6).edges)
    expected = nx.betweenness_centrality(graph, k=60, seed=42)
    assert_same(betweenness(graph, samples=60, seed=42), expected)


# --- guards and executors ------------------------------------------------------------------------


@pytest.mark.parametrize("graph", [nx.DiGraph([(1, 2)]), nx.MultiGraph([(1, 2)])])
def test_refuses_other_graph_kinds(graph: nx.Graph) -> None:
    with pytest.raises(TypeError, match="undirected simple"):
        betweenness(graph)


@pytest.mark.parametrize("samples", [0, 5])
def test_refuses_impossible_sample_sizes(samples: int) -> None:
    with pytest.raises(ValueError, match="samples"):
        betweenness(nx.path_graph(4), samples=samples)


def test_runs_in_an_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernels, "OFFLOAD_MIN_NODES", 1)
    graph = nx.karate_club_graph()
    with ThreadPoolExecutor(1) as executor:
        assert_same(betweenness(graph, executor=executor), nx.betweenness_centrality(graph))


def test_runs_in_a_process_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernels pickle: what a server's pool receives and sends back is the same."""
    monkeypatch.setattr(kernels, "OFFLOAD_MIN_NODES", 1)
    graph = nx.florentine_families_graph()
    with kernel_pool(1) as pool:
        assert_same(betweenness(graph, executor=pool), nx.betweenness_centrality(graph))
        assert_same(
            betweenness(graph, samples=4, executor=pool),
            nx.betweenness_centrality(graph, k=4, seed=42),
        )
