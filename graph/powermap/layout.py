r"""The power map's layout rules: which row each person and team member is on, and the
initial order; :mod:`graph.layered` orders, places and routes them.

**Rows** (:func:`assign_rows`): a person's row is their depth in the solid reporting tree,
so the top of the tree is on row 0 at the top. Each person without a solid manager heads
a *component* (themselves and everyone below them). The component of the top
decision-maker sits at row 0; every other component hangs one row below the highest
person it has a tie with (any tie type), so an advisor to the CEO sits on the row under
the CEO, and a separate reporting tree hangs under the executive its head knows. A
reporting tree with no tie to anything placed starts at the top decision-maker's row;
people with no tie at all share one row under the deepest stakeholder row. Nobody but the
top decision-maker's own managers (when the decision-maker has any) and their other
reports shallower than the decision-maker is ever above them. Our team is the band below
everyone.

**Initial order**: the tree order (depth-first, the more powerful report first); a
component hanging from a person starts next to them; a team member starts at the mean of
the people they have ties with.

**Links** (:func:`link_weights`): every tie between two shown nodes merged into one
undirected link, weighted by kind (a solid reporting line pulls three times as hard as any
other tie, so the org chart stays an org chart).

:func:`power_map_layout` runs both, then :func:`graph.layered.layered_layout` (in a worker
process for large organisations). Ties are broken by power rank, then id.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial

import networkx as nx

from graph.analytics._common import persons, team
from graph.analytics.influence import hierarchy
from graph.analytics.kernels import offload
from graph.layered import (
    DEFAULT_GEOMETRY,
    DEFAULT_WORK_BUDGET,
    Geometry,
    LayeredLayout,
    LayoutReport,
    Link,
    layered_layout,
    link_key,
)
from schemas.analytics import InfluenceRanking
from schemas.common import RelType

__all__ = [
    "DEFAULT_WORK_BUDGET",
    "MapLayout",
    "Rows",
    "assign_rows",
    "link_weights",
    "power_map_layout",
]

# Weight of each kind of tie when pulling nodes together (a solid reporting line counts most,
# so the org chart stays an org chart).
_LINK_WEIGHT = {"solid": 3.0, "dotted": 1.0, RelType.INFLUENCES.value: 1.0, "KNOWS": 1.0}

Offer = tuple[int, int, str, str]
"""A component's offer: row offset, rank of its head, its head, the anchor it hangs from."""


@dataclass(frozen=True)
class Rows:
    """Row and initial-order seed of every person and team member."""

    row: dict[str, int]
    seed: dict[str, float]
    band_row: int | None
    """Our team's row (None when there is no team)."""


def link_weights(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> dict[Link, float]:
    """Merge every tie between two shown nodes into one undirected weighted link.

    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> link_weights(build_graph(tiny_snapshot()), ["ceo", "cfo", "am"])
    {('am', 'cfo'): 1.0, ('ceo', 'cfo'): 3.0}
    """
    shown = set(nodes)
    links: dict[Link, float] = defaultdict(float)
    for u, v, data in graph.edges(data=True):
        if u == v or u not in shown or v not in shown:
            continue
        kind = data["type"]
        if kind == RelType.REPORTS_TO.value:
            kind = "dotted" if data.get("dotted") else "solid"
        links[link_key(u, v)] += _LINK_WEIGHT.get(kind, 1.0)
    return dict(sorted(links.items()))


def assign_rows(graph: nx.MultiDiGraph, ranking: InfluenceRanking, top: str | None) -> Rows:
    """Rows and seeds of the power map (see the module docstring for the rules).

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import SnapshotBuilder
    >>> b = SnapshotBuilder().person("ceo").person("cfo").person("advisor").person("loner")
    >>> g = build_graph(b.reports("cfo", "ceo").influences("advisor", "ceo").member("am").build())
    >>> assign_rows(g, rank_influence(g), "ceo").row
    {'ceo': 0, 'cfo': 1, 'advisor': 1, 'loner': 2, 'am': 3}
    """
    tree = hierarchy(graph)
    people = persons(graph)
    rank = {item.person_id: item.rank for item in ranking.items}

    def by_rank(p: str) -> tuple[int, str]:
        return (rank.get(p, len(people) + 1), p)

    heads = sorted((p for p in people if p not in tree.parent), key=by_rank)
    head_of: dict[str, str] = {}
    depth_in: dict[str, int] = {}
    preorder: dict[str, list[str]] = {}
    for head in heads:
        order: list[str] = []
        stack = [(head, 0)]
        while stack:
            node, d = stack.pop()
            head_of[node], depth_in[node] = head, d
            order.append(node)
            kids = sorted(tree.children.get(node, ()), key=by_rank, reverse=True)
            stack.extend((kid, d + 1) for kid in kids)
        preorder[head] = order

    neighbours: dict[str, set[str]] = defaultdict(set)
    for u, v in graph.edges():
        if u != v and u in head_of and v in head_of:
            neighbours[u].add(v)
            neighbours[v].add(u)

    row: dict[str, int] = {}
    seed: dict[str, float] = {}
    counter = [0.0]

    def place(head: str, offset: int, anchor: str | None) -> list[Offer]:
        """Put a component on the map; answer the offers it makes to its neighbours."""
        members = preorder[head]
        if anchor is None:
            base, spread = counter[0], 1.0
            counter[0] += len(members)
        else:
            base, spread = seed[anchor] + 0.1, 0.8 / len(members)
        for k, node in enumerate(members):
            row[node] = offset + depth_in[node]
            seed[node] = base + k * spread
        offers: list[Offer] = []
        for node in members:
            for n in sorted(neighbours[node]):
                if n not in row:
                    offer = max(floor, row[node] + 1 - depth_in[n])
                    offers.append((offer, by_rank(head_of[n])[0], head_of[n], node))
        return offers

    pending: list[Offer] = []
    start = None
    floor = 0  # nobody but the top decision-maker's own managers goes above them
    if top is not None and top in head_of:
        start = head_of[top]
        floor = depth_in[top]
    remaining = [h for h in heads if h != start]
    if start is not None:
        pending = place(start, 0, None)
    heapq.heapify(pending)
    while True:
        while pending:
            offset, _r, head, anchor = heapq.heappop(pending)
            if head in row:
                continue
            for offer in place(head, offset, anchor):
                heapq.heappush(pending, offer)
        remaining = [h for h in remaining if h not in row]
        if not remaining:
            break
        trees = [h for h in remaining if len(preorder[h]) > 1]
        if trees:
            for offer in place(trees[0], floor, None):
                heapq.heappush(pending, offer)
            continue
        deepest = max(row.values(), default=-1) + 1
        tied = [h for h in remaining if neighbours[h]]
        if tied:
            for offer in place(tied[0], deepest, None):
                heapq.heappush(pending, offer)
            continue
        for head in remaining:
            place(head, deepest, None)

    members = team(graph)
    if not members:
        return Rows(row=row, seed=seed, band_row=None)
    band_row = max(row.values(), default=-1) + 1
    for member in sorted(members, key=lambda m: (str(graph.nodes[m].get("name")), m)):
        contacts = [seed[n] for n in graph.successors(member) if n in seed]
        contacts += [seed[n] for n in graph.predecessors(member) if n in seed]
        row[member] = band_row
        seed[member] = sum(contacts) / len(contacts) if contacts else counter[0] + len(seed)
    return Rows(row=row, seed=seed, band_row=band_row)


@dataclass(frozen=True)
class MapLayout:
    """Rows, positions and bends of one organisation's power map."""

    rows: Rows
    layout: LayeredLayout
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {node: j for row in self.layout.rows for j, node in enumerate(row)}
        object.__setattr__(self, "_index", index)

    @property
    def report(self) -> LayoutReport:
        return self.layout.report

    def position(self, node: str) -> tuple[float, float]:
        """Centre of a node's symbol."""
        return self.layout.x[node], self.layout.row_y[self.rows.row[node]]

    def order(self, node: str) -> int:
        """Index of the node in its row."""
        return self._index[node]

    def bends(self, source: str, target: str) -> list[tuple[float, float]]:
        """Points an edge from ``source`` to ``target`` passes (empty for short edges and
        for long ones drawn straight)."""
        if (source, target) in self.layout.bends:
            return list(self.layout.bends[(source, target)])
        return list(reversed(self.layout.bends.get((target, source), [])))


def power_map_layout(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    top: str | None,
    geometry: Geometry = DEFAULT_GEOMETRY,
    *,
    budget: int = DEFAULT_WORK_BUDGET,
    executor: Executor | None = None,
) -> MapLayout:
    """Lay out one organisation: :func:`assign_rows`, then :func:`layered_layout`.

    Rows and links are found here (linear in people + ties); the layered layout of an
    organisation of ``kernels.OFFLOAD_MIN_NODES`` or more nodes runs in ``executor`` when one is
    given (a process pool, :func:`graph.analytics.kernels.kernel_pool`): it is pure Python
    and would hold the interpreter lock, slowing the event loop and every other request.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> layout = power_map_layout(g, rank_influence(g), "ceo")
    >>> layout.layout.rows, layout.position("ceo")[1] < layout.position("cfo")[1]
    ([['ceo'], ['cfo'], ['am']], True)
    >>> layout.report.method, layout.report.degraded
    ('layered', False)
    """
    rows = assign_rows(graph, ranking, top)
    links = link_weights(graph, rows.row)
    run = partial(
        layered_layout,
        rows.row,
        links,
        rows.seed,
        band_row=rows.band_row,
        geometry=geometry,
        budget=budget,
    )
    return MapLayout(rows=rows, layout=offload(run, executor, len(rows.row)))
