r"""Layered (Sugiyama-style) drawing of a graph whose rows are given: order within rows,
coordinates, bends, within a work budget.

Generic: nothing here knows what a node is. The power map (:mod:`graph.powermap.layout`)
chooses the rows and the initial order and calls :func:`layered_layout`. The drawing follows
Sugiyama, Tagawa & Toda (1981):

1. **Rows** are the caller's (``rows_of``, 0 = top; ``band_row`` and the rows below it are
   moved ``Geometry.band_gap`` further down).
2. **Order** (:func:`order_rows`): an edge spanning several rows is split by a dummy
   node per row it passes -- the shortest such edges first, while the dummies stay within
   :func:`routing_cap` (linear in nodes + links); longer edges beyond the cap are drawn
   straight and take no part in ordering. Starting from the initial order (the caller's
   seeds), alternating down and up *barycentre sweeps* (each node moves to the mean
   position of its neighbours in the row just fixed) are each followed by *transposition*
   (swap neighbours while that removes crossings; Gansner, Koutsofios, North & Vo 1993).
   The order with the fewest crossings seen is kept, the initial order included, so the
   result never has more crossings than the initial order.
3. **Coordinates** (:func:`place_row`): alternating down and up passes pull every node
   towards the mean x of its neighbours in the adjacent row, subject to the minimum
   separation in its row; each row is solved exactly as a weighted isotonic regression
   (pool-adjacent-violators), so neighbours never come closer than their footprints allow.
4. **Routing**: a long edge passes through its dummies' positions (``bends``); one drawn
   straight has no bends.

**Bounded work.** Every step counts its work in *units* (about one visit of a node or an
edge of the layered graph; :class:`Work`) against a per-call budget
(``DEFAULT_WORK_BUDGET``; the power map's is ``STAKEMAP_LAYOUT_WORK_BUDGET``). With the
routing cap the layered graph has at most ``max(MIN_ROUTED_BENDS, nodes)`` dummy nodes (and
as many extra edges), so a full run (at most ``_MAX_SWEEPS`` sweeps, ``_TRANSPOSE_PASSES``
transposition passes each, ``_PLACE_ROUNDS`` placement rounds) is near-linear in nodes +
links whatever the rows' shape. Past the budget the layout degrades instead of running on,
in this order: fewer crossing-reduction sweeps (the best order so far is kept), long links
drawn straight (no dummies), fewer placement rounds, and at the very end rows packed in the
initial order (``method = rows``); :class:`LayoutReport` says what was done and why. The
floor -- initial order, packing -- is linear in nodes + links and always runs.

Everything is deterministic (work is counted, never timed): ties are broken by seed, then id.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from graph.messages import _

__all__ = [
    "DEFAULT_GEOMETRY",
    "DEFAULT_WORK_BUDGET",
    "MIN_ROUTED_BENDS",
    "Geometry",
    "LayeredLayout",
    "LayoutReport",
    "Link",
    "Work",
    "count_crossings",
    "layered_layout",
    "link_key",
    "order_rows",
    "place_row",
    "routing_cap",
    "total_crossings",
]


class Geometry:
    """Sizes of the drawing, in pixels.

    A node's footprint is ``slot_width`` wide and runs from the top of its symbol
    (``size / 2`` above its centre) to ``label_height`` below the symbol's bottom.
    """

    slot_width: float = 150.0
    """Footprint width of a person or team member (the labels' width)."""
    gap: float = 14.0
    """Free space between two footprints in a row."""
    dummy_width: float = 12.0
    """Width reserved for a long edge passing through a row."""
    dummy_gap: float = 4.0
    """Space between a passing edge and its neighbours."""
    row_height: float = 156.0
    """Distance between the centres of two rows."""
    band_gap: float = 56.0
    """Extra space above our team's band."""
    margin: float = 32.0
    """Space around the drawing."""
    min_size: float = 26.0
    """Symbol diameter at power 0."""
    max_size: float = 58.0
    """Symbol diameter at power 1."""
    team_size: float = 36.0
    """Symbol size of a team member."""
    label_height: float = 48.0
    """Height of the name and title lines under the symbol."""

    def size(self, power: float | None) -> float:
        """Symbol diameter for a power in [0, 1] (``None``: a team member).

        >>> DEFAULT_GEOMETRY.size(0.0), DEFAULT_GEOMETRY.size(1.0), DEFAULT_GEOMETRY.size(None)
        (26.0, 58.0, 36.0)
        """
        if power is None:
            return self.team_size
        return round(self.min_size + (self.max_size - self.min_size) * power, 1)

    def footprint_height(self, size: float) -> float:
        """Height of a node's footprint given its symbol diameter."""
        return size + self.label_height


DEFAULT_GEOMETRY = Geometry()

_MAX_SWEEPS = 24
_TRANSPOSE_PASSES = 8
_PATIENCE = 4
_PLACE_ROUNDS = 8
_LONELY_WEIGHT = 0.01
_ROW_UNITS = 8
"""Work units of visiting a row, beyond its nodes and edges (the fixed cost of a row's
step: a dictionary, a sort, a placement), so that units track time whatever the shape."""
_PAIR_UNITS = 8
"""Work units of comparing two neighbours' many edges, or of a swap, beyond the edges."""

DEFAULT_WORK_BUDGET = 10_000_000
"""Work units one power-map layout may spend (``STAKEMAP_LAYOUT_WORK_BUDGET``): a few
seconds of one core at the very most (measured in docs/PERFORMANCE.md, *Power map layout*).
A full layout of 2,000 people with 1.5 ties each needs at most about half of it in any tree
shape (flat, deep, a chain, a star); with ten ties each, about three quarters."""

MIN_ROUTED_BENDS = 2_000
"""Long ties are routed through the rows (a bend per row passed), shortest first, while
their bends total at most ``max(MIN_ROUTED_BENDS, nodes)`` (:func:`routing_cap`): about one
bend point per person, so the layered graph stays linear in people + ties."""


Link = tuple[str, str]


# --- work ----------------------------------------------------------------------------------


class Work:
    """Work units spent against a budget (about one visit of a node or an edge each).

    >>> work = Work(100)
    >>> work.spend(60); work.affords(40), work.affords(41), work.left
    (True, False, 40)
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0

    def spend(self, units: int) -> None:
        self.used += units

    def affords(self, units: int) -> bool:
        return self.used + units <= self.budget

    @property
    def left(self) -> int:
        return self.budget - self.used


@dataclass(frozen=True)
class LayoutReport:
    """How a layout was made: what ran, what the budget cut, and the work it took."""

    method: str
    """``layered`` (every long tie routed through the rows), ``layered-straight`` (the
    longest ties drawn straight, beyond the routing cap or the budget) or ``rows`` (rows in
    tree order, packed: the budget allowed no ordering or placement)."""
    degraded: bool
    """The work budget cut something a full layout would have done."""
    reason: str | None
    """Why the method or the degradation, in words."""
    work: int
    budget: int
    sweeps: int
    """Crossing-reduction sweeps run."""
    straight: int
    """Ties spanning several rows drawn straight (no bends)."""


def routing_cap(nodes: int, links: int) -> int:
    """Most dummies (bend points) of long ties routed through the rows (``links`` is
    accepted for a future rule; the cap follows the people).

    >>> routing_cap(10, 20), routing_cap(3_000, 5_000)
    (2000, 3000)
    """
    return max(MIN_ROUTED_BENDS, nodes)


# --- crossings ------------------------------------------------------------------------------


def count_crossings(
    upper: Sequence[str], lower: Sequence[str], edges: Iterable[tuple[str, str]]
) -> int:
    """Number of pairs of edges between two adjacent rows that cross.

    Edges are ``(u, v)`` with ``u`` in ``upper`` and ``v`` in ``lower``; two edges cross
    when their ends are in opposite orders in the two rows (edges sharing an end never
    cross). Sort the edges by upper position and count inversions of the lower positions
    with a Fenwick tree: :math:`O(E \\log V)` (Barth, Juenger & Mutzel 2002).

    Examples
    --------
    >>> count_crossings(["a", "b"], ["c", "d"], [("a", "d"), ("b", "c")])
    1
    >>> count_crossings(["a", "b"], ["c", "d"], [("a", "c"), ("b", "d"), ("a", "d")])
    0
    """
    up = {node: i for i, node in enumerate(upper)}
    low = {node: i for i, node in enumerate(lower)}
    pairs = sorted((up[u], low[v]) for u, v in edges)
    return _inversions([v for _u, v in pairs], len(lower))


def _inversions(values: Sequence[int], size: int) -> int:
    tree = [0] * (size + 1)
    crossings = 0
    for seen, value in enumerate(values):
        # of the values seen so far, count those strictly greater than this one
        i, not_greater = value + 1, 0
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        crossings += seen - not_greater
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return crossings


@dataclass
class _Proper:
    """The proper layered graph: every edge joins adjacent rows (long edges via dummies;
    those beyond the routing cap are left out and drawn straight)."""

    rows: list[list[str]]
    down: dict[str, list[str]]
    up: dict[str, list[str]]
    weight: dict[tuple[str, str], float]
    dummies: set[str] = field(default_factory=set)
    chains: dict[Link, list[str]] = field(default_factory=dict)
    straight: list[Link] = field(default_factory=list)

    @property
    def nodes(self) -> int:
        return sum(len(row) for row in self.rows)

    @property
    def edges(self) -> int:
        return sum(len(v) for v in self.down.values())

    @property
    def size(self) -> int:
        """Work units of one pass over the graph: its nodes, edges and rows."""
        return _pass_units(self.nodes, self.edges, len(self.rows))


def total_crossings(rows: Sequence[Sequence[str]], down: Mapping[str, Sequence[str]]) -> int:
    """Crossings of a layered drawing: the sum over every pair of adjacent rows.

    ``down[u]`` lists the neighbours of ``u`` in the row below.

    >>> total_crossings([["a", "b"], ["c", "d"]], {"a": ["d"], "b": ["c"]})
    1
    """
    crossings = 0
    for upper, lower in itertools.pairwise(rows):
        edges = [(u, v) for u in upper for v in down.get(u, ())]
        crossings += count_crossings(upper, lower, edges)
    return crossings


# --- ordering ---------------------------------------------------------------------------------


def _pair_crossings(left: Sequence[int], right: Sequence[int]) -> int:
    """Crossings among the edges of two neighbours when ``left`` is left of ``right``.

    Arguments are the sorted positions of each one's neighbours in one adjacent row.
    """
    return sum(bisect.bisect_left(right, a) for a in left)


def _barycentre_sweep(
    rows: list[list[str]],
    neighbours: Mapping[str, Sequence[str]],
    weight: Mapping[tuple[str, str], float],
    indices: Iterable[int],
    step: int,
    work: Work,
) -> None:
    for i in indices:
        fixed = {node: j for j, node in enumerate(rows[i - step])}
        row = rows[i]
        movable: list[tuple[float, int, str]] = []
        pinned: dict[int, str] = {}
        visits = _ROW_UNITS + len(row) + len(fixed)
        for j, node in enumerate(row):
            nbrs = [n for n in neighbours.get(node, ()) if n in fixed]
            visits += len(nbrs)
            if not nbrs:
                pinned[j] = node
                continue
            total = sum(weight[link_key(node, n)] for n in nbrs)
            centre = sum(weight[link_key(node, n)] * fixed[n] for n in nbrs) / total
            movable.append((centre, j, node))
        movable.sort()
        it = iter(movable)
        rows[i] = [pinned[j] if j in pinned else next(it)[2] for j in range(len(row))]
        work.spend(visits)


def _transpose(proper: _Proper, work: Work, limit: int) -> bool:
    """Swap neighbours in a row while that removes crossings (a few passes at most).

    A pass looks only at the rows that changed in the previous one and their neighbours
    (elsewhere nothing could have changed). Stops early, with the order valid, once the
    work spent reaches ``limit``; answers whether it ran to the end."""
    rows = proper.rows
    up, down = proper.up, proper.down
    pos: dict[str, int] = {node: j for row in rows for j, node in enumerate(row)}

    at = pos.__getitem__

    def ends(node: str) -> tuple[list[int], list[int]]:
        return sorted(map(at, up.get(node, ()))), sorted(map(at, down.get(node, ())))

    cached = {node: ends(node) for node in pos}
    used = work.used + proper.size
    todo = set(range(len(rows)))
    try:
        for _ in range(_TRANSPOSE_PASSES):
            changed: set[int] = set()
            for i in sorted(todo):
                row = rows[i]
                used += _ROW_UNITS
                for j in range(len(row) - 1):
                    if used > limit:
                        return False
                    u, v = row[j], row[j + 1]
                    before = after = 0
                    for a, b in zip(cached[u], cached[v], strict=True):
                        if not (a and b):
                            continue
                        if len(a) == 1 and len(b) == 1:
                            used += 2
                            if a[0] > b[0]:
                                before += 1
                            elif b[0] > a[0]:
                                after += 1
                        else:
                            used += _PAIR_UNITS + len(a) + len(b)
                            before += _pair_crossings(a, b)
                            after += _pair_crossings(b, a)
                    used += 1
                    if after < before:
                        row[j], row[j + 1] = v, u
                        pos[u], pos[v] = j + 1, j
                        # their neighbours now see them in the other order
                        used += _swap_seen(cached, up, down, u, j, j + 1)
                        used += _swap_seen(cached, up, down, v, j + 1, j)
                        changed.add(i)
            if not changed:
                return True
            todo = {k for i in changed for k in (i - 1, i, i + 1) if 0 <= k < len(rows)}
        return True
    finally:
        work.used = used


def _swap_seen(
    cached: dict[str, tuple[list[int], list[int]]],
    up: Mapping[str, Sequence[str]],
    down: Mapping[str, Sequence[str]],
    node: str,
    old: int,
    new: int,
) -> int:
    """``node`` moved from ``old`` to ``new`` (one place, swapped with its neighbour): fix
    the sorted positions its neighbours keep of it. A neighbour of both swapped nodes holds
    both positions and needs nothing. Answers the work done."""
    for side, index in ((up, 1), (down, 0)):  # a node above sees it in its ``down`` list
        for n in side.get(node, ()):
            seen = cached[n][index]
            k = bisect.bisect_left(seen, old)
            if new > old and k + 1 < len(seen) and seen[k + 1] == new:
                continue
            if new < old and k > 0 and seen[k - 1] == new:
                continue
            seen[k] = new
    return _PAIR_UNITS + 2 * (len(up.get(node, ())) + len(down.get(node, ())))


@dataclass(frozen=True)
class _Ordered:
    initial: int
    final: int
    sweeps: int
    cut: bool
    """The budget stopped the sweeps before they converged."""


def order_rows(proper: _Proper, work: Work | None = None, reserve: int = 0) -> _Ordered:
    """Reorder ``proper.rows`` in place to reduce crossings.

    Barycentre sweeps, alternately down and up, each followed by transposition; the best
    order seen (the initial one included) is kept, so ``final <= initial``. With ``work``,
    the sweeps stop (``cut``) once they would leave less than ``reserve`` units of its
    budget.
    """
    work = Work(2**62) if work is None else work
    rows = proper.rows
    size = proper.size
    initial = total_crossings(rows, proper.down)
    work.spend(size)
    best, best_rows = initial, [list(r) for r in rows]
    stale = sweeps = 0
    cut = False
    for sweep in range(_MAX_SWEEPS):
        if best == 0:
            break
        if not work.affords(reserve + 3 * size):  # a sweep, a transposition pass, a count
            cut = True
            break
        sweeps += 1
        if sweep % 2 == 0:
            _barycentre_sweep(rows, proper.up, proper.weight, range(1, len(rows)), 1, work)
        else:
            _barycentre_sweep(
                rows, proper.down, proper.weight, range(len(rows) - 2, -1, -1), -1, work
            )
        finished = _transpose(proper, work, work.budget - reserve - size)
        now = total_crossings(rows, proper.down)
        work.spend(size)
        if now < best:
            best, best_rows, stale = now, [list(r) for r in rows], 0
        else:
            stale += 1
        if not finished:
            cut = True
            break
        if stale >= _PATIENCE:
            break
    proper.rows[:] = best_rows
    return _Ordered(initial, best, sweeps, cut)


# --- coordinates ----------------------------------------------------------------------------


def place_row(
    desired: Sequence[float], weights: Sequence[float], gaps: Sequence[float]
) -> list[float]:
    """The x positions closest to ``desired`` that keep the row's order and spacing.

    Minimises :math:`\\sum_j w_j (x_j - d_j)^2` subject to :math:`x_{j+1} - x_j \\ge g_j`:
    with :math:`o_j = \\sum_{i<j} g_i`, :math:`y_j = x_j - o_j` must be non-decreasing, which
    is a weighted isotonic regression of :math:`d_j - o_j`, solved exactly by
    pool-adjacent-violators (Ayer et al. 1955).

    Examples
    --------
    >>> place_row([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [10.0, 10.0])
    [-10.0, 0.0, 10.0]
    >>> place_row([0.0, 50.0], [1.0, 1.0], [10.0])
    [0.0, 50.0]
    """
    if not desired:
        return []
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks: list[list[float]] = []  # [weight, weighted sum, count]
    for d, w, o in zip(desired, weights, offsets, strict=True):
        blocks.append([w, w * (d - o), 1.0])
        while len(blocks) > 1 and (blocks[-2][1] * blocks[-1][0] > blocks[-1][1] * blocks[-2][0]):
            w2, s2, c2 = blocks.pop()
            blocks[-1][0] += w2
            blocks[-1][1] += s2
            blocks[-1][2] += c2
    xs: list[float] = []
    for w, s, c in blocks:
        xs.extend([s / w] * int(c))
    placed = [y + o for y, o in zip(xs, offsets, strict=True)]
    for j, gap in enumerate(gaps):  # float noise must never bring two nodes closer
        placed[j + 1] = max(placed[j + 1], placed[j] + gap)
    return placed


@dataclass(frozen=True)
class LayeredLayout:
    """A finished layered drawing.

    ``rows`` lists the real nodes of each row in order; ``x`` and ``row_y`` place them;
    ``bends[(a, b)]`` are the points a link passes from ``a`` (upper row) to ``b`` (a link
    drawn straight has none); ``report`` says how it was made.
    """

    rows: list[list[str]]
    x: dict[str, float]
    row_y: list[float]
    bends: dict[Link, list[tuple[float, float]]]
    crossings: int
    initial_crossings: int
    width: float
    height: float
    report: LayoutReport


def link_key(u: str, v: str) -> Link:
    """The key of the undirected link between ``u`` and ``v``: the smaller id first.

    >>> link_key("b", "a")
    ('a', 'b')
    """
    return (u, v) if u <= v else (v, u)


def _long_links(rows_of: Mapping[str, int], links: Mapping[Link, float]) -> list[Link]:
    """Links spanning several rows, shortest first (then by key): the routing order."""
    spans = [(abs(rows_of[a] - rows_of[b]), (a, b)) for a, b in links]
    return [link for span, link in sorted(spans) if span > 1]


def _proper_graph(
    rows_of: Mapping[str, int],
    links: Mapping[Link, float],
    seeds: Mapping[str, float],
    routed: set[Link] | None = None,
) -> _Proper:
    """Split every link spanning several rows with one dummy a row (only those in
    ``routed`` when given: the others are left out, to be drawn straight); seed the
    dummies between their ends (so the initial order keeps long edges near their ends)."""
    n_rows = max(rows_of.values(), default=-1) + 1
    members: list[list[tuple[float, str]]] = [[] for _ in range(n_rows)]
    seed = dict(seeds)
    for node, row in rows_of.items():
        members[row].append((seed[node], node))
    down: dict[str, list[str]] = defaultdict(list)
    up: dict[str, list[str]] = defaultdict(list)
    weight: dict[tuple[str, str], float] = {}
    chains: dict[Link, list[str]] = {}
    dummies: set[str] = set()
    straight: list[Link] = []
    for (a, b), w in sorted(links.items()):
        ra, rb = rows_of[a], rows_of[b]
        if ra == rb:
            continue
        hi, lo = (a, b) if ra < rb else (b, a)
        rh, rl = rows_of[hi], rows_of[lo]
        if rl - rh > 1 and routed is not None and (a, b) not in routed:
            straight.append((hi, lo))
            continue
        chain = [hi]
        for r in range(rh + 1, rl):
            dummy = f"\x00{a}\x00{b}\x00{r}"
            t = (r - rh) / (rl - rh)
            seed[dummy] = seed[hi] + (seed[lo] - seed[hi]) * t
            members[r].append((seed[dummy], dummy))
            dummies.add(dummy)
            chain.append(dummy)
        chain.append(lo)
        for u, v in itertools.pairwise(chain):
            down[u].append(v)
            up[v].append(u)
            weight[link_key(u, v)] = w
        chains[(hi, lo)] = chain
    rows = [[node for _s, node in sorted(row)] for row in members]
    return _Proper(rows, dict(down), dict(up), weight, dummies, chains, straight)


def _pass_units(nodes: int, edges: int, rows: int) -> int:
    return nodes + edges + _ROW_UNITS * rows


def _place_cost(nodes: int, edges: int, rows: int, rounds: int) -> int:
    """Work of ``rounds`` placement rounds (down and up) and the final two-sided pass
    (:func:`layered_layout`'s ``settle``), and of their set-up."""
    each_round = 4 * nodes + 2 * _ROW_UNITS * rows + 2 * edges  # down and up
    final = 2 * nodes + _ROW_UNITS * rows + 2 * edges
    return rounds * each_round + final + 3 * nodes + 2 * edges


@dataclass(frozen=True)
class _Plan:
    routed: set[Link]
    rounds: int
    """Placement rounds; -1: none at all (rows packed)."""
    notes: list[str]
    degraded: bool


def _plan(rows_of: Mapping[str, int], links: Mapping[Link, float], work: Work) -> _Plan:
    """Which long links to route and how many placement rounds the budget allows.

    The floor (building the layered graph without dummies, counting its crossings,
    packing the rows) costs what it costs; every dummy adds a node and an edge to it."""
    long = _long_links(rows_of, links)
    nodes = len(rows_of)
    n_rows = max(rows_of.values(), default=-1) + 1
    edges = sum(1 for a, b in links if rows_of[a] != rows_of[b]) - len(long)
    cap = routing_cap(nodes, len(links))
    notes: list[str] = []
    degraded = False

    def prefix(limit: int) -> list[Link]:
        chosen, total = [], 0
        for a, b in long:
            span = abs(rows_of[a] - rows_of[b]) - 1
            if total + span > limit:
                break
            chosen.append((a, b))
            total += span
        return chosen

    def floor(dummies: int, rounds: int) -> int:
        """Work of everything but the sweeps (an upper bound: as if every long tie the
        cap allows were routed)."""
        n, e = nodes + dummies, edges + len(routed) + dummies
        place = _place_cost(n, e, n_rows, rounds) if rounds >= 0 else 0
        return 3 * _pass_units(n, e, n_rows) + n + place

    routed = prefix(cap)
    wanted = sum(abs(rows_of[a] - rows_of[b]) - 1 for a, b in routed)
    if len(routed) < len(long):
        notes.append(
            _(
                "{straight} of {long} ties spanning several rows drawn straight: routing every "
                "one would add more than {cap:,} bend points"
            ).format(straight=len(long) - len(routed), long=len(long), cap=cap)
        )
    rounds = _PLACE_ROUNDS
    if work.affords(floor(wanted, rounds)):
        return _Plan(set(routed), rounds, notes, degraded)
    # the budget first drops routing (the longest ties first), then placement rounds
    per_dummy = 6 + _place_cost(1, 1, 0, rounds)
    spare = work.left - floor(0, rounds)
    if spare >= 0:
        fewer = prefix(min(wanted, spare // per_dummy))
        degraded = True
        notes.append(
            _(
                "work budget: {count} more long ties drawn straight instead of routed through "
                "the rows"
            ).format(count=len(routed) - len(fewer))
        )
        return _Plan(set(fewer), rounds, notes, degraded)
    while rounds >= 0 and not work.affords(floor(0, rounds)):
        rounds -= 1
    degraded = True
    notes.append(
        _("work budget: every long tie drawn straight, {rounds} of {most} placement rounds").format(
            rounds=rounds, most=_PLACE_ROUNDS
        )
        if rounds >= 0
        else _(
            "work budget: every long tie drawn straight, no ordering or placement (rows packed "
            "in tree order)"
        )
    )
    return _Plan(set(), rounds, notes, degraded)


def layered_layout(
    rows_of: Mapping[str, int],
    links: Mapping[Link, float],
    seeds: Mapping[str, float],
    *,
    widths: Mapping[str, float] | None = None,
    band_row: int | None = None,
    geometry: Geometry = DEFAULT_GEOMETRY,
    budget: int = DEFAULT_WORK_BUDGET,
) -> LayeredLayout:
    """Order and place nodes whose rows are given, within a work budget.

    Parameters
    ----------
    rows_of : Mapping[str, int]
        Row of every node (0 = top).
    links : Mapping[tuple[str, str], float]
        Undirected links ``(a, b)`` with ``a < b`` and a pulling weight; links within a row
        take no part in ordering (they are drawn as arcs).
    seeds : Mapping[str, float]
        The initial order: ascending seed within each row (ties by id).
    widths : Mapping[str, float], optional
        Footprint width per node (default ``geometry.slot_width``).
    band_row : int, optional
        Rows from this one down are moved ``geometry.band_gap`` further down.
    geometry : Geometry
        Sizes.
    budget : int
        Work units to spend at most beyond the linear floor (module docstring).

    Examples
    --------
    >>> layout = layered_layout(
    ...     {"ceo": 0, "a": 1, "b": 1, "x": 2, "y": 2},
    ...     {("a", "ceo"): 3.0, ("b", "ceo"): 3.0, ("a", "y"): 3.0, ("b", "x"): 3.0},
    ...     {"ceo": 0, "a": 1, "b": 2, "x": 3, "y": 4},
    ... )
    >>> layout.rows, layout.initial_crossings, layout.crossings
    ([['ceo'], ['a', 'b'], ['y', 'x']], 1, 0)
    >>> layout.x["ceo"] == (layout.x["a"] + layout.x["b"]) / 2
    True
    >>> layout.report.method, layout.report.degraded
    ('layered', False)
    """
    work = Work(budget)
    plan = _plan(rows_of, links, work)
    proper = _proper_graph(rows_of, links, seeds, plan.routed)
    size = proper.size
    work.spend(size)
    n_nodes, n_edges, n_rows = proper.nodes, proper.edges, len(proper.rows)
    rounds = plan.rounds
    # what packing and placement will need, kept from the sweeps
    reserve = n_nodes + (_place_cost(n_nodes, n_edges, n_rows, rounds) if rounds >= 0 else 0)
    if rounds >= 0:
        ordered = order_rows(proper, work, reserve)
    else:
        crossings = total_crossings(proper.rows, proper.down)
        work.spend(size)
        ordered = _Ordered(crossings, crossings, 0, True)
    width_of = dict(widths or {})

    def w(node: str) -> float:
        if node in proper.dummies:
            return geometry.dummy_width
        return width_of.get(node, geometry.slot_width)

    def gap(a: str, b: str) -> float:
        space = geometry.gap if not ({a, b} & proper.dummies) else geometry.dummy_gap
        return (w(a) + w(b)) / 2 + space

    x: dict[str, float] = {}
    for row in proper.rows:
        cursor = 0.0
        for j, node in enumerate(row):
            if j:
                cursor += gap(row[j - 1], node)
            x[node] = cursor
        shift = cursor / 2
        for node in row:
            x[node] -= shift
    work.spend(n_nodes)

    def pulls(side: Mapping[str, Sequence[str]]) -> dict[str, list[tuple[str, float]]]:
        weight = proper.weight
        return {u: [(n, weight[link_key(u, n)]) for n in nbrs] for u, nbrs in side.items()}

    n_rows = len(proper.rows)
    if rounds >= 0:
        above, below = pulls(proper.up), pulls(proper.down)
        both = {n: above.get(n, []) + below.get(n, []) for n in {*above, *below}}
        row_gaps = [[gap(a, b) for a, b in itertools.pairwise(row)] for row in proper.rows]
        heavy = {n: 2.0 if n in proper.dummies else 1.0 for row in proper.rows for n in row}
        work.spend(3 * n_nodes + 2 * n_edges)

    def settle(i: int, side: Mapping[str, list[tuple[str, float]]]) -> None:
        row = proper.rows[i]
        desired: list[float] = []
        weights: list[float] = []
        visits = _ROW_UNITS + 2 * len(row)
        for node in row:
            total = pulled = 0.0
            nbrs = side.get(node, ())
            for n, link in nbrs:
                total += link
                pulled += link * x[n]
            visits += len(nbrs)
            if total == 0.0:
                desired.append(x[node])
                weights.append(_LONELY_WEIGHT)
            else:
                desired.append(pulled / total)
                weights.append(total * heavy[node])
        for node, value in zip(row, place_row(desired, weights, row_gaps[i]), strict=True):
            x[node] = value
        work.spend(visits)

    for _round in range(max(rounds, 0)):
        for i in range(1, n_rows):
            settle(i, above)
        for i in range(n_rows - 2, -1, -1):
            settle(i, below)
    if rounds >= 0:
        for i in range(n_rows):
            settle(i, both)

    left = min((x[n] - w(n) / 2 for row in proper.rows for n in row), default=0.0)
    right = max((x[n] + w(n) / 2 for row in proper.rows for n in row), default=0.0)
    shift = geometry.margin - left
    x = {node: round(value + shift, 1) for node, value in x.items()}
    top = geometry.margin + geometry.max_size / 2
    row_y = [
        top
        + i * geometry.row_height
        + (geometry.band_gap if band_row is not None and i >= band_row else 0.0)
        for i in range(n_rows)
    ]
    bends: dict[Link, list[tuple[float, float]]] = {}
    for (hi, lo), chain in proper.chains.items():
        bends[(hi, lo)] = [(x[d], row_y[rows_of[hi] + k]) for k, d in enumerate(chain) if k][:-1]
    real_rows = [[n for n in row if n not in proper.dummies] for row in proper.rows]
    height = (
        (row_y[-1] + geometry.max_size / 2 + geometry.label_height + geometry.margin)
        if row_y
        else 2 * geometry.margin
    )
    notes = list(plan.notes)
    degraded = plan.degraded
    if ordered.cut and rounds >= 0:
        degraded = True
        notes.append(
            _(
                "work budget: crossing reduction stopped after {sweeps} of up to {most} sweeps "
                "(the best order so far is kept)"
            ).format(sweeps=ordered.sweeps, most=_MAX_SWEEPS)
        )
    if rounds < 0:
        method = "rows"
    elif proper.straight:
        method = "layered-straight"
    else:
        method = "layered"
    report = LayoutReport(
        method=method,
        degraded=degraded,
        reason=_("; ").join(notes) or None,
        work=work.used,
        budget=budget,
        sweeps=ordered.sweeps,
        straight=len(proper.straight),
    )
    return LayeredLayout(
        rows=real_rows,
        x={n: v for n, v in x.items() if n not in proper.dummies},
        row_y=row_y,
        bends=bends,
        crossings=ordered.final,
        initial_crossings=ordered.initial,
        width=round(right - left + 2 * geometry.margin, 1),
        height=round(height, 1),
        report=report,
    )
