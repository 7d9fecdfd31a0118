"""Power ranking: formal authority, informal influence, brokerage and declared influence.

Every person (``kind == "person"``; our team is never ranked) gets four components in
[0, 1] and ``power``, their weighted mean. The formulas and the reasons for every default
are in docs/ANALYTICS.md, "Influence ranking".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import networkx as nx

from graph.analytics import kernels
from graph.analytics._common import (
    canonical,
    check_graph,
    edges_of_type,
    graph_meta,
    is_person,
    persons,
)
from graph.csvio import safe_cell
from schemas.analytics import InfluenceItem, InfluenceRanking, InfluenceWeights, PowerComponents
from schemas.common import BuyingRole, RelType, Seniority, Stance

__all__ = [
    "BROKERAGE_EXACT_MAX",
    "BROKERAGE_SAMPLES",
    "BROKERAGE_SEED",
    "DECLARED_DEFAULT",
    "DEFAULT_STRENGTH",
    "DOTTED_REPORT_WEIGHT",
    "HEAD_OF_ORGANISATION_BONUS",
    "INFLUENCE_CSV_COLUMNS",
    "MIN_WEIGHT",
    "NO_SENIORITY_FALLBACK",
    "PAGERANK_ALPHA",
    "PRIOR_FLOOR",
    "SENIORITY_FALLBACK",
    "Hierarchy",
    "declared_level",
    "endorsement_graph",
    "formal_authority",
    "hierarchy",
    "influence_csv_rows",
    "informal_prior",
    "power_of",
    "rank_influence",
    "reweighted",
    "tie_graph",
]

PAGERANK_ALPHA = 0.85
"""Damping factor of PageRank (the networkx default)."""

PRIOR_FLOOR = 0.05
"""Teleport weight everyone gets before formal authority and declared influence add theirs,
so that nobody's endorsement counts for nothing."""

DEFAULT_STRENGTH = 0.5
"""Strength of an INFLUENCES tie stored without one."""

MIN_WEIGHT = 1e-12
"""An INFLUENCES strength below this counts as 0 (denormal weights overflow PageRank)."""

DOTTED_REPORT_WEIGHT = 0.5
"""A dotted-line report adds this much to their manager's reach (a solid report adds 1)."""

FORMAL_SIZE_SHARE = 0.5
"""Share of the formal score that comes from reach; the rest comes from level in the tree."""

SENIORITY_FALLBACK: dict[str, float] = {
    Seniority.EXECUTIVE.value: 0.5,
    Seniority.VP.value: 0.4,
    Seniority.DIRECTOR.value: 0.3,
    Seniority.MANAGER.value: 0.2,
    Seniority.INDIVIDUAL.value: 0.1,
    Seniority.JUNIOR.value: 0.05,
}
"""Formal score of a person in no reporting tree, by seniority (the top of the largest tree
scores 1). The seniority is the given one, else the one the title implies (graph.titles)."""

HEAD_OF_ORGANISATION_BONUS = 0.05
"""Added to an executive's fallback when the title names the head of the whole organisation
(CEO, president, chair, 总裁): the other executives report to them."""

NO_SENIORITY_FALLBACK = 0.1
"""Formal score of a person in no reporting tree and without a seniority."""

DECLARED_DEFAULT = 0.5
"""Declared component when no influence was declared: the middle of the 1-5 scale."""

BROKERAGE_EXACT_MAX = 5_000
"""Above this many people betweenness is estimated from a sample of sources. Exact
betweenness is O(n m); measured on 2 cores (``python -m bench.analytics_bench``, see
docs/PERFORMANCE.md) it costs 0.2-0.3 s at 2,000 people, 1.1-2.2 s at 5,000, 2.6-5 s at
7,500 and 4.6-10 s at 10,000 (quiet vs loaded machine), where the 300-source estimate costs
under 1 s: exact stays within a cold answer's budget of about 3 s up to 5,000 people
(docs/ANALYTICS.md, "brokerage")."""

BROKERAGE_SAMPLES = 300
"""Number of sampled sources when betweenness is estimated."""

BROKERAGE_SEED = 42
"""Seed of the sample, so the same graph always gives the same numbers."""

INFLUENCE_CSV_COLUMNS: tuple[str, ...] = (
    "rank",
    "person_id",
    "name",
    "title",
    "stance",
    "roles",
    "power",
    "formal",
    "informal",
    "brokerage",
    "declared",
    "informal_raw",
    "brokerage_raw",
    "reports_under",
)
"""Column order of :func:`influence_csv_rows` (stable: analysts script against it)."""


# --- the reporting tree ----------------------------------------------------------------------


@dataclass(frozen=True)
class Hierarchy:
    """The solid reporting forest and its dotted lines.

    ``parent`` holds one solid manager per person (bad data is repaired: of several solid
    managers the smallest id stays solid and the others count as dotted; a cycle loses the
    solid line of its smallest id). ``reach`` is ``1 + DOTTED_REPORT_WEIGHT x dotted reports
    + the reach of every solid report``; ``under`` counts solid reports at all levels.
    """

    parent: dict[str, str]
    children: dict[str, list[str]]
    dotted_reports: dict[str, list[str]]
    managers: dict[str, list[str]]
    depth: dict[str, int]
    root: dict[str, str]
    reach: dict[str, float]
    under: dict[str, int]

    def in_tree(self, person: str) -> bool:
        """Whether the person has a solid manager or any (solid or dotted) report."""
        return person in self.depth

    def is_top(self, person: str) -> bool:
        """A top of a tree: no solid manager and at least one solid report."""
        return person not in self.parent and bool(self.children.get(person))


def hierarchy(graph: nx.MultiDiGraph) -> Hierarchy:
    """Read the REPORTS_TO ties between people into a :class:`Hierarchy`.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> h = hierarchy(build_graph(tiny_snapshot()))
    >>> h.parent, h.depth["cfo"], h.under["ceo"], h.reach["ceo"]
    ({'cfo': 'ceo'}, 1, 1, 2.0)
    """
    check_graph(graph)
    solid: dict[str, set[str]] = defaultdict(set)
    dotted: dict[str, set[str]] = defaultdict(set)
    managers: dict[str, set[str]] = defaultdict(set)
    for u, v, _key, data in edges_of_type(graph, RelType.REPORTS_TO.value):
        if u == v or not (is_person(graph, u) and is_person(graph, v)):
            continue
        managers[u].add(v)
        (dotted if data.get("dotted") else solid)[u].add(v)

    parent = {p: min(ms) for p, ms in solid.items()}
    for start in sorted(parent):
        trail: list[str] = []
        seen: dict[str, int] = {}
        node: str | None = start
        while node is not None and node in parent and node not in seen:
            seen[node] = len(trail)
            trail.append(node)
            node = parent.get(node)
        if node is not None and node in seen:
            del parent[min(trail[seen[node] :])]

    children: dict[str, list[str]] = defaultdict(list)
    for report, manager in parent.items():
        children[manager].append(report)
    dotted_reports: dict[str, set[str]] = defaultdict(set)
    for report, ms in managers.items():
        for manager in ms:
            if parent.get(report) != manager:
                dotted_reports[manager].add(report)

    members = set(parent) | set(children) | set(dotted_reports)
    roots = sorted(p for p in members if p not in parent)
    depth: dict[str, int] = {}
    root: dict[str, str] = {}
    order: list[str] = []
    for top in roots:
        depth[top], root[top] = 0, top
        stack = [top]
        while stack:
            node = stack.pop()
            order.append(node)
            for child in sorted(children.get(node, ())):
                depth[child], root[child] = depth[node] + 1, top
                stack.append(child)
    reach: dict[str, float] = {}
    under: dict[str, int] = {}
    for node in reversed(order):
        kids = children.get(node, [])
        reach[node] = (
            1.0
            + DOTTED_REPORT_WEIGHT * len(dotted_reports.get(node, ()))
            + sum(reach[c] for c in kids)
        )
        under[node] = sum(under[c] + 1 for c in kids)
    return Hierarchy(
        parent=parent,
        children={m: sorted(rs) for m, rs in children.items()},
        dotted_reports={m: sorted(rs) for m, rs in dotted_reports.items()},
        managers={p: sorted(ms) for p, ms in managers.items()},
        depth=depth,
        root=root,
        reach=reach,
        under=under,
    )


def formal_authority(graph: nx.MultiDiGraph, tree: Hierarchy | None = None) -> dict[str, float]:
    r"""Formal authority of every person, in [0, 1].

    For a person :math:`p` in a reporting tree with top :math:`r`, depth :math:`d_p` and
    reach :math:`s_p` (see :class:`Hierarchy`), with :math:`S` the largest reach in the org:

    .. math::

        f_p = \tfrac12 \frac{\ln(1+s_p)}{\ln(1+S)}
            + \tfrac12 \frac{\ln(1+s_r)}{\ln(1+S)} \frac{1}{1+d_p}

    A solid manager has a larger reach and a smaller depth than each report, so a manager
    always scores strictly above their reports, and the top of the largest tree scores 1.
    People in no tree get ``SENIORITY_FALLBACK`` (at most 0.5; 0.55 for the head of the
    organisation, ``HEAD_OF_ORGANISATION_BONUS``). The scores are then divided by
    their maximum, which only matters when there is no tree at all.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> f = formal_authority(build_graph(tiny_snapshot()))
    >>> f["ceo"], round(f["cfo"], 4)
    (1.0, 0.5655)
    """
    check_graph(graph)
    tree = hierarchy(graph) if tree is None else tree
    people = persons(graph)
    largest = max((tree.reach[p] for p in people if tree.in_tree(p)), default=1.0)
    scale = math.log1p(largest)
    raw: dict[str, float] = {}
    for person in people:
        if tree.in_tree(person):
            size = math.log1p(tree.reach[person]) / scale
            tree_weight = math.log1p(tree.reach[tree.root[person]]) / scale
            level = tree_weight / (1 + tree.depth[person])
            raw[person] = FORMAL_SIZE_SHARE * size + (1 - FORMAL_SIZE_SHARE) * level
        else:
            node = graph.nodes[person]
            raw[person] = SENIORITY_FALLBACK.get(str(node.get("seniority")), NO_SENIORITY_FALLBACK)
            if node.get("heads_organisation"):
                raw[person] += HEAD_OF_ORGANISATION_BONUS
    return _scaled(raw)


# --- informal influence and brokerage ---------------------------------------------------------


def endorsement_graph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """The directed endorsement graph PageRank runs on.

    Every person is a node; each ``A INFLUENCES B`` between two different people adds the
    edge ``B -> A`` (B's attention goes to A) weighted by the tie's strength (``0.5`` when
    unset; below ``MIN_WEIGHT`` it counts as 0). Of several ties in the same direction the
    strongest counts.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import SnapshotBuilder
    >>> b = SnapshotBuilder().person("a").person("b").influences("a", "b", 0.7)
    >>> list(endorsement_graph(build_graph(b.build())).edges(data="weight"))
    [('b', 'a', 0.7)]
    """
    check_graph(graph)
    endorsements = nx.DiGraph()
    people = persons(graph)
    endorsements.add_nodes_from(people)
    member = set(people)
    for u, v, _key, data in edges_of_type(graph, RelType.INFLUENCES.value):
        if u == v or u not in member or v not in member:
            continue
        strength = data.get("strength")
        weight = DEFAULT_STRENGTH if strength is None else float(strength)
        weight = weight if weight >= MIN_WEIGHT else 0.0
        if endorsements.has_edge(v, u):
            weight = max(weight, endorsements[v][u]["weight"])
        endorsements.add_edge(v, u, weight=weight)
    return endorsements


def informal_prior(graph: nx.MultiDiGraph, formal: dict[str, float]) -> dict[str, float]:
    r"""Teleport weights of the personalised PageRank behind ``informal``.

    .. math:: \pi_p = 0.05 + f_p \cdot (0.5 + d_p)

    with :math:`f_p` the formal authority and :math:`d_p` the declared component (0.5 when
    none is declared). The random walk restarts at people in proportion to how much they
    count on their own, so an endorsement from someone powerful weighs more than one from
    the end of a chain of juniors. Declared influence scales formal authority (x0.5 for a
    declared 1, x1.5 for a 5) rather than adding to it: a rating says how much weight the
    person's position really carries.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> {p: round(v, 3) for p, v in informal_prior(g, formal_authority(g)).items()}
    {'ceo': 1.55, 'cfo': 0.757}
    """
    return {
        person: PRIOR_FLOOR
        + formal[person] * (0.5 + declared_level(graph.nodes[person].get("influence")))
        for person in persons(graph)
    }


def tie_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph of all person--person ties (betweenness runs on it).

    Every person is a node; REPORTS_TO, INFLUENCES and KNOWS between two different people
    each give one unweighted edge; team members and self-loops are left out.
    """
    check_graph(graph)
    ties = nx.Graph()
    people = persons(graph)
    ties.add_nodes_from(people)
    member = set(people)
    kinds = {RelType.REPORTS_TO.value, RelType.INFLUENCES.value, RelType.KNOWS.value}
    edges = sorted(
        {
            (min(u, v), max(u, v))
            for u, v, rel_type in graph.edges(data="type")
            if rel_type in kinds and u != v and u in member and v in member
        }
    )
    ties.add_edges_from(edges)
    return ties


def _brokerage(
    graph: nx.MultiDiGraph, executor: Executor | None = None
) -> tuple[dict[str, float], int | None]:
    """Betweenness of the tie graph (networkx's numbers, computed by :mod:`kernels`) and the
    number of sampled sources, ``None`` when exact."""
    ties = tie_graph(graph)
    samples: int | None = None
    if ties.number_of_nodes() > BROKERAGE_EXACT_MAX:
        samples = min(BROKERAGE_SAMPLES, ties.number_of_nodes())
    values = kernels.betweenness(ties, samples=samples, seed=BROKERAGE_SEED, executor=executor)
    return {str(n): float(v) for n, v in values.items()}, samples


def _scaled(values: dict[str, float]) -> dict[str, float]:
    """Divide by the maximum (all zeros stay zeros)."""
    top = max(values.values(), default=0.0)
    if top <= 0.0:
        return dict.fromkeys(values, 0.0)
    return {node: min(1.0, value / top) for node, value in values.items()}


def declared_level(influence: object) -> float:
    """The declared component of an influence level 1 to 5 (``None``: the default)."""
    if influence is None:
        return DECLARED_DEFAULT
    level = min(5, max(1, int(str(influence))))
    return (level - 1) / 4


# --- the ranking --------------------------------------------------------------------------


def rank_influence(
    graph: nx.MultiDiGraph,
    weights: InfluenceWeights | None = None,
    *,
    executor: Executor | None = None,
) -> InfluenceRanking:
    r"""Rank every person of the organisation by power.

    .. math::

        \mathrm{power}_p = \frac{w_f f_p + w_i i_p + w_b b_p + w_d d_p}{w_f + w_i + w_b + w_d}

    * ``formal`` :math:`f` -- :func:`formal_authority`.
    * ``informal`` :math:`i` -- ``networkx.pagerank(endorsement_graph(G), alpha=0.85,
      personalization=informal_prior(G, formal), weight="weight")`` divided by its maximum
      (Page, Brin, Motwani & Winograd 1999; personalised as in Haveliwala 2002).
    * ``brokerage`` :math:`b` -- ``networkx.betweenness_centrality(tie_graph(G),
      normalized=True)`` divided by its maximum (Brandes 2001); above
      ``BROKERAGE_EXACT_MAX`` people it is estimated from ``BROKERAGE_SAMPLES`` sources drawn
      with seed 42, and the response says so. The numbers are networkx's; they are computed
      by :func:`graph.analytics.kernels.betweenness` (rustworkx when exact).
    * ``declared`` :math:`d` -- ``(influence - 1) / 4``, ``DECLARED_DEFAULT`` when unset.

    ``power`` is rounded to 12 significant digits; ranks run 1..n by power, ties broken by
    name, then id.

    Parameters
    ----------
    graph : nx.MultiDiGraph
        From :func:`graph.network.build_graph`.
    weights : InfluenceWeights, optional
        Defaults: formal 0.35, informal 0.30, brokerage 0.15, declared 0.20.
    executor : concurrent.futures.Executor, optional
        Runs the betweenness kernel of a large graph (see :mod:`graph.analytics.kernels`);
        a server passes a process pool so the kernel does not hold its GIL.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> ranking = rank_influence(build_graph(tiny_snapshot()))
    >>> [(i.rank, i.person_id, round(i.power, 3)) for i in ranking.items]
    [(1, 'ceo', 0.85), (2, 'cfo', 0.494)]
    """
    check_graph(graph)
    weights = InfluenceWeights() if weights is None else weights
    people = persons(graph)
    tree = hierarchy(graph)
    formal = formal_authority(graph, tree)
    pagerank: dict[str, float] = {
        str(n): float(v)
        for n, v in nx.pagerank(
            endorsement_graph(graph),
            alpha=PAGERANK_ALPHA,
            personalization=informal_prior(graph, formal),
            weight="weight",
        ).items()
    }
    informal = _scaled(pagerank)
    betweenness, samples = _brokerage(graph, executor)
    brokerage = _scaled(betweenness)

    scored: list[tuple[float, str, str, PowerComponents]] = []
    for person in people:
        attrs = graph.nodes[person]
        components = PowerComponents(
            formal=formal[person],
            informal=informal[person],
            brokerage=brokerage[person],
            declared=declared_level(attrs.get("influence")),
        )
        power = power_of(components, weights)
        scored.append((power, str(attrs.get("name") or person), person, components))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))

    items = []
    for rank, (power, name, person, components) in enumerate(scored, start=1):
        attrs = graph.nodes[person]
        items.append(
            InfluenceItem(
                person_id=person,
                name=name,
                title=attrs.get("title"),
                roles=_roles(attrs.get("roles")),
                stance=Stance(attrs.get("stance") or Stance.NEUTRAL.value),
                rank=rank,
                power=power,
                components=components,
                informal_raw=pagerank[person],
                brokerage_raw=betweenness[person],
                reports_under=tree.under.get(person, 0),
                depth=tree.depth.get(person),
            )
        )
    org_id, version = graph_meta(graph)
    return InfluenceRanking(
        org_id=org_id,
        version=version,
        n=len(items),
        weights=weights,
        brokerage_sampled=samples is not None,
        brokerage_samples=samples,
        items=items,
    )


_ROLE_ORDER = tuple(BuyingRole)  # iterating the enum class itself is slow, and this is per person


def _roles(values: object) -> list[BuyingRole]:
    held = {str(v) for v in values} if isinstance(values, frozenset | set | list | tuple) else set()
    return [role for role in _ROLE_ORDER if role.value in held] if held else []


def influence_csv_rows(ranking: InfluenceRanking) -> list[list[str]]:
    """The ranking as CSV rows: the header (``INFLUENCE_CSV_COLUMNS``), then one row a person.

    Numbers are written with ``repr`` (round-trip exact); roles are joined with ``;``; text
    starting with ``= + - @`` gets a leading ``'`` so spreadsheets do not evaluate it.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> rows = influence_csv_rows(rank_influence(build_graph(tiny_snapshot())))
    >>> rows[0][:4], rows[1][:3]
    (['rank', 'person_id', 'name', 'title'], ['1', 'ceo', 'CEO'])
    """
    rows: list[list[str]] = [list(INFLUENCE_CSV_COLUMNS)]
    for item in ranking.items:
        c = item.components
        numbers: Sequence[float] = (
            item.power,
            c.formal,
            c.informal,
            c.brokerage,
            c.declared,
            item.informal_raw,
            item.brokerage_raw,
        )
        rows.append(
            [
                str(item.rank),
                item.person_id,
                safe_cell(item.name),
                safe_cell(item.title),
                item.stance.value,
                ";".join(role.value for role in item.roles),
                *(repr(float(x)) for x in numbers),
                str(item.reports_under),
            ]
        )
    return rows


def power_of(components: PowerComponents, weights: InfluenceWeights) -> float:
    """``power``: the weighted mean of the four components, rounded to 12 significant digits
    (the one place the formula lives; the ranking and :func:`reweighted` both use it)."""
    total = (
        weights.formal * components.formal
        + weights.informal * components.informal
        + weights.brokerage * components.brokerage
        + weights.declared * components.declared
    )
    return canonical(min(1.0, total / weights.total))


def reweighted(ranking: InfluenceRanking, weights: InfluenceWeights) -> InfluenceRanking:
    """The same ranking under other weights: every person's power recomputed from the
    components already in ``ranking``, and the people ranked again.

    Equal to ``rank_influence(graph, weights)`` for the graph ``ranking`` was computed from
    (the same formula, the same floats, the same order and tie-breaks), without recomputing
    PageRank or betweenness: changing the weights costs a sort, not a ranking.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> graph = build_graph(tiny_snapshot())
    >>> formal_only = InfluenceWeights(formal=1, informal=0, brokerage=0, declared=0)
    >>> reweighted(rank_influence(graph), formal_only) == rank_influence(graph, formal_only)
    True
    """
    scored: list[tuple[float, str, str, InfluenceItem]] = []
    for item in ranking.items:
        scored.append((power_of(item.components, weights), item.name, item.person_id, item))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    items = [
        item.model_copy(update={"rank": rank, "power": power})
        for rank, (power, _, _, item) in enumerate(scored, start=1)
    ]
    return ranking.model_copy(update={"weights": weights, "items": items})
