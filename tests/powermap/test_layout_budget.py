"""The power-map layout in bounded work (issue 13): asserted on work counters, never times.

The real times are in ``bench/layout_bench.py`` (docs/PERFORMANCE.md, *Power map layout*).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

import networkx as nx
import pytest

from graph.analytics.decision import top_decision_maker
from graph.analytics.influence import hierarchy, rank_influence
from graph.analytics.kernels import OFFLOAD_MIN_NODES, kernel_pool
from graph.layered import DEFAULT_WORK_BUDGET, routing_cap
from graph.powermap.layout import MapLayout, power_map_layout
from schemas.powermap import LayoutMethod, PowerMap
from tests.powermap.support import footprints, mapped, named_graphs, overlaps, tree_graph

SIZE = 400


def layout_of(
    graph: nx.MultiDiGraph, budget: int = DEFAULT_WORK_BUDGET, executor: Executor | None = None
) -> MapLayout:
    ranking = rank_influence(graph)
    top = top_decision_maker(graph, ranking)
    return power_map_layout(graph, ranking, top, budget=budget, executor=executor)


@pytest.fixture(scope="module")
def shapes() -> dict[str, nx.MultiDiGraph]:
    """Trees of the same size and ties: flat (spans 4-8), deep (each person reports to
    one of the previous 50: issue 13's shape), a chain, and the deep tree with ten ties
    a person."""
    return {
        "flat": tree_graph(SIZE, manager_among=None),
        "deep": tree_graph(SIZE),
        "chain": tree_graph(SIZE, manager_among=1),
        "dense": tree_graph(SIZE, ties=10),
    }


def assert_drawable(graph: nx.MultiDiGraph, layout: MapLayout) -> None:
    """What every layout keeps, degraded or not: reports one row under their manager,
    rows in order left to right with no overlapping nodes, bends on every row passed."""
    x, rows = layout.layout.x, layout.rows.row
    for report, manager in hierarchy(graph).parent.items():
        assert rows[report] == rows[manager] + 1
    for row in layout.layout.rows:
        xs = [x[n] for n in row]
        assert all(b - a >= 150 for a, b in itertools.pairwise(xs))  # slot + gap
    for (hi, lo), bends in layout.layout.bends.items():
        assert len(bends) == rows[lo] - rows[hi] - 1
    assert layout.layout.crossings <= layout.layout.initial_crossings


def test_any_tree_shape_needs_at_most_three_times_the_flat_trees_work(
    shapes: dict[str, nx.MultiDiGraph],
) -> None:
    flat = layout_of(shapes["flat"]).report
    assert not flat.degraded
    for name in ("deep", "chain"):
        layout = layout_of(shapes[name])
        report = layout.report
        assert not report.degraded, report.reason
        assert report.work <= report.budget
        assert report.work <= 3 * flat.work, (name, report.work, flat.work)
        assert_drawable(shapes[name], layout)


def test_work_grows_about_linearly_with_the_people() -> None:
    small, large = (layout_of(tree_graph(n, manager_among=1)).report for n in (300, 600))
    assert large.work <= 2.5 * small.work  # uncapped dummies made a chain's work quadratic


def test_long_ties_are_routed_up_to_the_cap_and_the_rest_drawn_straight(
    shapes: dict[str, nx.MultiDiGraph],
) -> None:
    graph = shapes["chain"]  # a row per person: every tie between two people is long
    layout = layout_of(graph)
    rows = layout.rows.row
    bends = sum(len(b) for b in layout.layout.bends.values())
    assert 0 < bends <= routing_cap(len(rows), 0)
    drawn = {(u, v) if rows[u] < rows[v] else (v, u) for u, v in graph.edges() if u != v}
    long = {(u, v) for u, v in drawn if rows[v] - rows[u] > 1}
    straight = {link for link in long if not layout.bends(*link)}
    assert straight
    assert len(straight) == layout.report.straight
    assert layout.report.method == "layered-straight"
    assert not layout.report.degraded
    assert "drawn straight" in (layout.report.reason or "")
    # the shortest are routed first: no straight tie spans fewer rows than a routed one
    routed = long - straight
    assert max(rows[v] - rows[u] for u, v in routed) <= min(rows[v] - rows[u] for u, v in straight)


def test_past_the_budget_the_layout_degrades_and_says_so(
    shapes: dict[str, nx.MultiDiGraph],
) -> None:
    graph = shapes["deep"]
    full = layout_of(graph).report
    assert full.sweeps > 1
    half = layout_of(graph, budget=full.work // 2)
    report = half.report
    assert report.degraded
    assert "work budget" in (report.reason or "")
    assert report.work <= report.budget < full.work
    assert report.sweeps < full.sweeps
    assert_drawable(graph, half)


def test_a_tight_budget_routes_fewer_ties_and_a_zero_budget_packs_rows_in_tree_order(
    shapes: dict[str, nx.MultiDiGraph],
) -> None:
    graph = shapes["deep"]
    full = layout_of(graph)
    tight = layout_of(graph, budget=full.report.work // 20)
    assert tight.report.degraded
    assert tight.report.straight > full.report.straight
    assert tight.report.work <= tight.report.budget
    assert_drawable(graph, tight)
    packed = layout_of(graph, budget=0)
    assert packed.report.method == "rows"
    assert packed.report.degraded
    assert packed.report.sweeps == 0
    assert not any(packed.layout.bends.values())  # every long tie straight
    assert packed.layout.crossings == packed.layout.initial_crossings
    assert_drawable(graph, packed)
    # the floor (rows, tree order, packing) is a pass or two over the graph
    assert packed.report.work <= 4 * (graph.number_of_nodes() + graph.number_of_edges())


def test_dense_ties_stay_within_the_budget(shapes: dict[str, nx.MultiDiGraph]) -> None:
    for budget in (DEFAULT_WORK_BUDGET, 1_000_000, 100_000):
        report = layout_of(shapes["dense"], budget=budget).report
        assert report.work <= budget
        assert report.degraded == (budget < DEFAULT_WORK_BUDGET)


def test_a_degraded_layout_is_deterministic(shapes: dict[str, nx.MultiDiGraph]) -> None:
    graph = shapes["deep"]
    first, again = (layout_of(graph, budget=200_000) for _ in range(2))
    assert first.report.degraded
    assert first.layout == again.layout


@pytest.mark.parametrize("name", ["demo", "krackhardt", "lazega"])
def test_small_maps_are_full_layouts(name: str) -> None:
    pm, _ = mapped(named_graphs()[name])
    assert pm.data.layout.method is LayoutMethod.LAYERED
    assert not pm.data.layout.degraded
    assert pm.data.layout.reason is None
    assert pm.data.layout.straight == 0
    assert 0 < pm.data.layout.work <= pm.data.layout.budget == DEFAULT_WORK_BUDGET


def test_the_map_document_reports_a_degraded_layout() -> None:
    graph = named_graphs()["demo"]
    pm, _ = mapped(graph, budget=0)
    assert isinstance(pm, PowerMap)
    assert pm.data.layout.method is LayoutMethod.ROWS
    assert pm.data.layout.degraded
    assert pm.data.layout.budget == 0
    assert overlaps(footprints(pm)) == []


# --- in the kernel worker process -----------------------------------------------------------


class Recording(Executor):
    """Runs what is submitted in this thread, and counts it."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    executor = kernel_pool(1)
    yield executor
    executor.shutdown(cancel_futures=True)


def test_large_layouts_run_in_the_executor_with_the_same_answer(
    pool: ProcessPoolExecutor,
) -> None:
    small, large = tree_graph(OFFLOAD_MIN_NODES // 2), tree_graph(OFFLOAD_MIN_NODES)
    recording = Recording()
    layout_of(small, executor=recording)
    assert recording.submitted == 0  # not worth a round trip to another process
    layout_of(large, executor=recording)
    assert recording.submitted == 1
    assert layout_of(large, executor=pool).layout == layout_of(large).layout
