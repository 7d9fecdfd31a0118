"""Coverage: how much of the organisation's power and buying roles our team reaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import networkx as nx

from graph.analytics._common import check_graph, graph_meta, is_team, name_of, team
from graph.analytics.deals import CLOSE_DATE_NEAR_DAYS, deal_coverage
from graph.analytics.hops import (
    SOURCE,
    HopGraph,
    TeamTie,
    build_hop_graph,
    engagement,
    opponents,
    team_ties,
)
from graph.analytics.paths import best_paths, formal_of, resolve_target
from schemas.analytics import (
    BusFactor,
    Coverage,
    CriticalNode,
    DealCoverage,
    EngagedPerson,
    Fragility,
    InfluenceRanking,
    MemberTies,
    NodeKind,
    NodeRef,
    PathParams,
    RoleCoverage,
    StanceShare,
    TargetSource,
    TieAge,
)
from schemas.common import BuyingRole, Stance

__all__ = [
    "FRAGILITY_PATHS",
    "FRAGILITY_THRESHOLD",
    "CoverageCore",
    "best_warm_paths",
    "bus_factor",
    "coverage",
    "coverage_core",
    "fragility",
    "warm_cut_vertices",
]

FRAGILITY_THRESHOLD = 0.5
"""A loss is critical when it cuts the best warm path probability by at least this share."""

FRAGILITY_PATHS = 5
"""``path_share`` is measured over this many best warm paths."""


def _share(part: float, whole: float) -> float:
    return 0.0 if whole <= 0.0 else min(1.0, part / whole)


def warm_cut_vertices(hops: HopGraph, target: str) -> list[str] | None:
    """Nodes on every path from ``hops.sources`` to ``target``, nearest to us first.

    They are the dominators of ``target`` in the hop graph rooted at the virtual source
    (``networkx.immediate_dominators``; Cooper, Harvey & Kennedy 2001): removing any one of
    them disconnects our team from the target, and nothing else does. ``None`` when the
    target cannot be reached at all.
    """
    if target not in hops.graph or not hops.sources:
        return None
    idom = nx.immediate_dominators(hops.graph, SOURCE)
    if target not in idom:
        return None
    chain: list[str] = []
    node = idom[target]
    while node != SOURCE:
        chain.append(str(node))
        node = idom[node]
    chain.reverse()
    return chain


def bus_factor(graph: nx.MultiDiGraph, hops: HopGraph, target: str | None) -> BusFactor:
    """How fragile our warm access to ``target`` is, on a hop graph built without cold hops.

    ``connectivity`` is ``networkx.algorithms.connectivity.local_node_connectivity`` from
    the virtual team source to the target: the number of node-disjoint warm paths, which by
    Menger's theorem is the fewest people (ours or theirs) whose loss cuts every warm path.
    ``critical_members`` and ``critical_people`` are the single points of failure
    (:func:`warm_cut_vertices`).
    """
    if target is None:
        return BusFactor(reachable=False, connectivity=0, critical_members=[], critical_people=[])
    chain = warm_cut_vertices(hops, target)
    name = name_of(graph, target)
    if chain is None:
        return BusFactor(
            target_id=target,
            target_name=name,
            reachable=False,
            connectivity=0,
            critical_members=[],
            critical_people=[],
        )
    connectivity = int(
        nx.algorithms.connectivity.local_node_connectivity(hops.graph, SOURCE, target)
    )
    refs = [NodeRef(id=node, name=name_of(graph, node)) for node in chain]
    return BusFactor(
        target_id=target,
        target_name=name,
        reachable=True,
        connectivity=connectivity,
        critical_members=[r for r in refs if is_team(graph, r.id)],
        critical_people=[r for r in refs if not is_team(graph, r.id)],
    )


WarmPaths = list[tuple[tuple[str, ...], float]]
"""Warm paths as (nodes after our team, penalised probability), best first."""


def best_warm_paths(
    graph: nx.MultiDiGraph, warm: HopGraph, target: str | None, k: int = FRAGILITY_PATHS
) -> WarmPaths:
    """The ``k`` best warm paths to ``target`` (none without a target)."""
    if target is None:
        return []
    names = {str(n): name_of(graph, n) for n in graph}
    found, _exact = best_paths(warm, target, k, names)
    return [(c.nodes, c.probability) for c in found]


def fragility(
    graph: nx.MultiDiGraph,
    warm: HopGraph,
    target: str | None,
    *,
    as_of: date,
    top: WarmPaths | None = None,
) -> Fragility:
    r"""Whose loss would cut our best warm path probability to ``target``, and by how much.

    :math:`P^*` is the best penalised probability of a warm path (no cold hop). Only the
    people and members on the best path can lower it; for each of them the organisation is
    re-read without them (their ties gone, no longer a contact anyone can be bypassed
    around, formal authority recomputed) and :math:`P_x` found again. They are critical when
    :math:`1 - P_x / P^* \ge` ``FRAGILITY_THRESHOLD``. ``path_share`` is the share of the
    summed probability of the ``FRAGILITY_PATHS`` best warm paths that passes through them.
    ``warm`` is the organisation's hop graph built without cold hops (the one
    :func:`bus_factor` reads too); ``top``, when given, is :func:`best_warm_paths` of it.
    """
    empty = Fragility(
        target_id=target,
        best_probability=0.0,
        threshold=FRAGILITY_THRESHOLD,
        paths_considered=0,
        critical=[],
    )
    if target is None:
        return empty
    names = {str(n): name_of(graph, n) for n in graph}

    def best(hops: HopGraph, k: int) -> list[tuple[tuple[str, ...], float]]:
        found, _exact = best_paths(hops, target, k, names)
        return [(c.nodes, c.probability) for c in found]

    top = best_warm_paths(graph, warm, target) if top is None else top
    if not top:
        return empty
    p_best = top[0][1]
    total = sum(p for _nodes, p in top)
    critical: list[CriticalNode] = []
    for node in top[0][0]:
        if node == target:
            continue
        without = graph.copy()
        without.remove_node(node)
        # formal authority as it stands without them (a manager's loss reshapes the tree)
        rebuilt = build_hop_graph(without, as_of=as_of, params=warm.params, include_cold=False)
        after = best(rebuilt, 1)
        p_after = after[0][1] if after else 0.0
        drop = 1.0 - p_after / p_best
        if drop < FRAGILITY_THRESHOLD:
            continue
        critical.append(
            CriticalNode(
                id=node,
                name=names[node],
                kind=NodeKind.MEMBER if is_team(graph, node) else NodeKind.PERSON,
                probability_after=p_after,
                drop_share=min(1.0, max(0.0, drop)),
                path_share=min(1.0, sum(p for nodes, p in top if node in nodes) / total),
            )
        )
    critical.sort(key=lambda c: (-c.drop_share, c.name, c.id))
    return Fragility(
        target_id=target,
        best_probability=p_best,
        threshold=FRAGILITY_THRESHOLD,
        paths_considered=len(top),
        critical=critical,
    )


@dataclass(frozen=True, slots=True)
class CoverageCore:
    """What every coverage answer and the pipeline export's deal rows are built on."""

    target: str | None
    target_source: TargetSource | None
    ties: list[TeamTie]
    against: frozenset[str]
    engaged: list[EngagedPerson]
    engaged_opponents: list[EngagedPerson]
    engaged_power_share: float
    roles: list[RoleCoverage]
    warm: HopGraph
    top: WarmPaths
    deal: DealCoverage | None


def coverage_core(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    *,
    as_of: date,
    target_id: str | None = None,
    params: PathParams | None = None,
    close_date_near_days: int = CLOSE_DATE_NEAR_DAYS,
    paths: int = FRAGILITY_PATHS,
) -> CoverageCore:
    """The target, who we are engaged with, the buying roles covered, the best warm paths
    and (on a deal's view) the deal's buying influences and red flags: :func:`coverage`
    without the per-member tallies, the stale ties, fragility and the bus factor, which
    cost a path search per person on the best path and a maximum flow. ``top`` holds the
    ``paths`` best warm paths (the pipeline export asks for one: the best is the same
    unless the search of one path stops at its candidate cap, see
    :func:`graph.analytics.paths.best_paths`).

    Raises
    ------
    UnknownNode
        ``target_id`` is not a person of this graph.
    """
    check_graph(graph)
    params = PathParams() if params is None else params
    target, target_source = resolve_target(graph, ranking, target_id)
    items = {item.person_id: item for item in ranking.items}
    total_power = sum(item.power for item in ranking.items)

    ties = team_ties(graph, as_of, params)
    against = opponents(graph)
    holds = engagement(ties, params, against)

    def listed(opposed: bool) -> list[EngagedPerson]:
        found = [
            EngagedPerson(
                person_id=person,
                name=items[person].name,
                power=items[person].power,
                strength=hold.best,
                member_ids=hold.strong_members,
            )
            for person, hold in holds.items()
            if hold.strong_members and hold.opponent is opposed and person in items
        ]
        return sorted(found, key=lambda e: (-e.power, e.name, e.person_id))

    engaged = listed(False)
    engaged_ids = {e.person_id for e in engaged}

    roles: list[RoleCoverage] = []
    for role in BuyingRole:
        holders = [item.person_id for item in ranking.items if role in item.roles]
        engaged_holders = [p for p in holders if p in engaged_ids]
        roles.append(
            RoleCoverage(
                role=role,
                holders=holders,
                engaged_holders=engaged_holders,
                opponent_holders=[p for p in holders if p in against],
                covered=bool(engaged_holders),
            )
        )
    warm = build_hop_graph(
        graph, as_of=as_of, params=params, include_cold=False, formal=formal_of(ranking)
    )
    top = best_warm_paths(graph, warm, target, paths)
    deal = graph.graph.get("deal")
    return CoverageCore(
        target=target,
        target_source=target_source,
        ties=ties,
        against=against,
        engaged=engaged,
        engaged_opponents=listed(True),
        engaged_power_share=_share(sum(e.power for e in engaged), total_power),
        roles=roles,
        warm=warm,
        top=top,
        deal=None
        if deal is None
        else deal_coverage(
            graph,
            deal=deal,
            ties=ties,
            holds=holds,
            engaged=engaged_ids,
            target=target,
            best_warm_probability=top[0][1] if top else 0.0,
            as_of=as_of,
            close_date_near_days=close_date_near_days,
        ),
    )


def coverage(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    *,
    as_of: date,
    target_id: str | None = None,
    stale_after_days: int = 90,
    params: PathParams | None = None,
    close_date_near_days: int = CLOSE_DATE_NEAR_DAYS,
) -> Coverage:
    r"""Measure how well our team covers the organisation (on a deal's view, the deal).

    On a deal's view (:func:`graph.analytics.deals.deal_graph`) roles are the committee's
    and ``deal`` lists its buying influences and red flags
    (:func:`graph.analytics.deals.deal_coverage`; an open deal closing within
    ``close_date_near_days`` is flagged).

    * ``engaged`` -- people with a team member's KNOWS tie of effective strength
      (``strength x decay``) at least ``params.engaged_threshold`` (0.4) who are not
      opponents (:func:`graph.analytics.hops.is_engaged`); ``engaged_power_share`` = their
      power / everybody's power. Opponents we know that well are ``engaged_opponents``.
    * ``roles`` -- for each buying role, who holds it and whether one of them is engaged
      (an opponent never covers a role; they are listed as ``opponent_holders``).
    * ``single_threaded`` -- exactly one team member holds every tie into the org.
    * ``stale_ties`` -- team KNOWS ties whose last contact is more than
      ``stale_after_days`` before ``as_of`` (undated ones are listed apart).
    * ``stance_shares`` -- power share by stance.
    * ``fragility`` -- :func:`fragility` toward the target (default: the top decision-maker).
    * ``bus_factor`` -- :func:`bus_factor` toward the target, cold hops left out.

    Raises
    ------
    UnknownNode
        ``target_id`` is not a person of this graph.

    Examples
    --------
    >>> from datetime import date
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> c = coverage(g, rank_influence(g), as_of=date(2026, 1, 1))
    >>> [e.person_id for e in c.engaged], c.single_threaded, c.roles_covered
    (['cfo'], True, [<BuyingRole.ECONOMIC_BUYER: 'economic_buyer'>])
    >>> [m.id for m in c.bus_factor.critical_members], [p.id for p in c.bus_factor.critical_people]
    (['am'], ['cfo'])
    """
    check_graph(graph)
    params = PathParams() if params is None else params
    core = coverage_core(
        graph,
        ranking,
        as_of=as_of,
        target_id=target_id,
        params=params,
        close_date_near_days=close_date_near_days,
    )
    org_id, version = graph_meta(graph)
    total_power = sum(item.power for item in ranking.items)
    ties, against, target, warm = core.ties, core.against, core.target, core.warm

    def age(tie_days: int | None) -> bool:
        return tie_days is not None and tie_days > stale_after_days

    per_member: list[MemberTies] = []
    for member in team(graph):
        mine = [t for t in ties if t.member == member]
        per_member.append(
            MemberTies(
                member_id=member,
                name=name_of(graph, member),
                ties=len({t.person for t in mine}),
                engaged=len(
                    {
                        t.person
                        for t in mine
                        if t.effective >= params.engaged_threshold and t.person not in against
                    }
                ),
                stale=len({t.person for t in mine if age(t.age_days)}),
            )
        )
    # Busiest member first; names (not generated ids) decide ties so the order is stable.
    per_member.sort(key=lambda m: (-m.ties, m.name, m.member_id))
    threaded = sum(1 for m in per_member if m.ties > 0)

    def tie_age(t: TeamTie) -> TieAge:
        return TieAge(
            member_id=t.member,
            member_name=name_of(graph, t.member),
            person_id=t.person,
            person_name=name_of(graph, t.person),
            last_contact=t.last_contact,
            days_since=t.age_days,
            strength=t.strength,
        )

    stale = sorted(
        (tie_age(t) for t in ties if age(t.age_days)),
        key=lambda a: (-(a.days_since or 0), a.member_name, a.person_name, a.person_id),
    )
    undated = [tie_age(t) for t in ties if t.last_contact is None]

    stance_shares = []
    for stance in Stance:
        group = [item for item in ranking.items if item.stance is stance]
        power = sum(item.power for item in group)
        stance_shares.append(
            StanceShare(
                stance=stance, people=len(group), power=power, share=_share(power, total_power)
            )
        )

    fragile = fragility(graph, warm, target, as_of=as_of, top=core.top)
    return Coverage(
        org_id=org_id,
        version=version,
        as_of=as_of,
        target_id=target,
        target_name=None if target is None else name_of(graph, target),
        target_source=core.target_source,
        people=ranking.n,
        engaged=core.engaged,
        engaged_opponents=core.engaged_opponents,
        engaged_power_share=core.engaged_power_share,
        roles=core.roles,
        roles_covered=[r.role for r in core.roles if r.covered],
        roles_missing=[r.role for r in core.roles if r.holders and not r.covered],
        roles_unassigned=[r.role for r in core.roles if not r.holders],
        single_threaded=threaded == 1,
        threaded_members=threaded,
        ties_per_member=per_member,
        stale_after_days=stale_after_days,
        stale_ties=stale,
        undated_ties=undated,
        stance_shares=stance_shares,
        fragility=fragile,
        bus_factor=bus_factor(graph, warm, target),
        deal=core.deal,
    )
