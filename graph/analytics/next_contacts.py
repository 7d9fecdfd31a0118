"""Next contacts: who we should engage next, and how to reach them."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import networkx as nx

from graph.analytics._common import (
    UnknownNode,
    canonical,
    check_graph,
    graph_meta,
    is_team,
    name_of,
    percent,
    team,
)
from graph.analytics.decision import top_decision_maker
from graph.analytics.hops import (
    SOURCE,
    HopGraph,
    best_probabilities_to,
    build_hop_graph,
    engagement,
    team_ties,
)
from graph.analytics.paths import Candidate, best_paths, to_entry_path
from schemas.analytics import (
    EntryPath,
    InfluenceItem,
    InfluenceRanking,
    NextContact,
    NextContactParams,
    NextContacts,
    PathFlag,
)
from schemas.common import BuyingRole

__all__ = ["ROLE_GAP_VALUE", "next_contacts"]

ROLE_GAP_VALUE: dict[BuyingRole, float] = {
    BuyingRole.DECISION_MAKER: 1.0,
    BuyingRole.ECONOMIC_BUYER: 1.0,
    BuyingRole.EXECUTIVE_SPONSOR: 0.75,
    BuyingRole.TECHNICAL_BUYER: 0.5,
    BuyingRole.USER_BUYER: 0.5,
    BuyingRole.COACH: 0.5,
    BuyingRole.INFLUENCER: 0.25,
    BuyingRole.EVALUATOR: 0.25,
    BuyingRole.GATEKEEPER: 0.25,
}
"""Worth of a buying role nobody we are engaged with holds (the candidate's best one counts)."""


@dataclass
class _Scored:
    item: InfluenceItem
    value: float
    reach_raw: float
    uplift: float
    p_new: float
    role_gap: float
    uncovered: list[BuyingRole]
    current_tie: float | None
    candidate: Candidate | None = None


def _exact_best(
    hops: HopGraph, person: str, dijkstra_path: list[str], names: dict[str, str]
) -> Candidate | None:
    """The best path after penalties: Dijkstra's path when it is unpenalised, else Yen."""
    nodes = tuple(dijkstra_path[1:])
    probability, raw, bypassed = hops.penalised(nodes)
    if not bypassed:
        return Candidate(nodes, canonical(probability), canonical(raw), ())
    found, _exact = best_paths(hops, person, 1, names)
    return found[0] if found else None


def _roles_text(roles: list[BuyingRole]) -> str:
    names = [role.value for role in roles]
    if len(names) == 1:
        return f"the {names[0]} role"
    return f"the {', '.join(names[:-1])} and {names[-1]} roles"


def _reasons(
    graph: nx.MultiDiGraph,
    scored: _Scored,
    path: EntryPath | None,
    *,
    n: int,
    target: str | None,
    p_cur: float,
    weak_from: list[str],
) -> list[str]:
    item = scored.item
    reasons: list[str] = []
    if item.person_id == target:
        reasons.append("is the top decision-maker")
    reasons.append(f"power {item.power:.2f} (rank {item.rank} of {n})")
    if scored.uncovered:
        reasons.append(
            f"holds {_roles_text(scored.uncovered)}, not covered by anyone we are engaged with"
        )
    if target is not None and scored.uplift > 0.0005:
        to = "them" if item.person_id == target else name_of(graph, target)
        reasons.append(
            f"a strong tie with them would lift our best path to {to} "
            f"from {percent(p_cur)} to {percent(scored.p_new)}"
        )
    if scored.current_tie is not None:
        who = ", ".join(name_of(graph, m) for m in weak_from)
        reasons.append(
            f"{who} already know{'s' if len(weak_from) == 1 else ''} them, but the tie is weak "
            f"or stale (effective strength {scored.current_tie:.2f})"
        )
    if path is not None:
        if PathFlag.COLD in path.flags:
            reasons.append(f"only a cold approach reaches them ({percent(path.probability)})")
        elif path.hops == 1:
            reasons.append(
                f"{path.member_name} can reach them directly ({percent(path.probability)})"
            )
        else:
            through = ", ".join(step.to_name for step in path.steps[:-1])
            reasons.append(f"reachable at {percent(path.probability)} through {through}")
    return reasons


def next_contacts(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    *,
    member_id: str | None = None,
    limit: int = 5,
    as_of: date,
    params: NextContactParams | None = None,
) -> NextContacts:
    r"""Rank the people we are not yet engaged with by the value of engaging them.

    For every person not engaged (no team tie of effective strength at least
    ``params.paths.engaged_threshold``, whichever member holds it):

    .. math::

        \mathrm{value} = \frac{w_p\,\mathrm{power} + w_r\,\mathrm{role\_gap}
                              + w_u\,\mathrm{uplift}}{w_p + w_r + w_u},
        \qquad \mathrm{score} = \mathrm{value} \times \mathrm{reachability}

    * ``role_gap`` -- the best ``ROLE_GAP_VALUE`` of their roles that no engaged person holds;
    * ``uplift`` -- :math:`\max(P_0, h\,q_c) - P_0`, where :math:`P_0` is today's best path
      probability from the member(s) to the top decision-maker, :math:`q_c` the best from
      the candidate to it (one Dijkstra from the target over the reversed hop graph gives
      all :math:`q_c`) and :math:`h` the fresh tie strength assumed
      (``hypothetical_strength``); raw probabilities, no bypass penalty;
    * ``reachability`` -- the best path probability from the member(s) to the candidate,
      cold hops allowed, bypass penalty applied (the path is returned).

    Scores are computed lazily: Dijkstra's raw probability bounds the penalised one from
    above, so only candidates whose bound can still reach the top ``limit`` get their exact
    path. Ties: name, then id.

    Raises
    ------
    UnknownNode
        ``member_id`` is not a team member of this graph.

    Examples
    --------
    >>> from datetime import date
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from tests.factories import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> result = next_contacts(g, rank_influence(g), as_of=date(2026, 1, 1))
    >>> [(c.person_id, round(c.score, 3)) for c in result.items]  # the CFO is engaged
    [('ceo', 0.074)]
    >>> print(*result.items[0].reasons, sep="\n")
    is the top decision-maker
    power 0.85 (rank 1 of 2)
    holds the decision_maker role, not covered by anyone we are engaged with
    a strong tie with them would lift our best path to them from 8.4% to 90%
    reachable at 8.4% through CFO
    """
    check_graph(graph)
    if limit < 1:
        raise ValueError("limit must be at least 1")
    params = NextContactParams() if params is None else params
    path_params = params.paths
    if member_id is not None and not is_team(graph, member_id):
        raise UnknownNode(member_id, "member_id")
    org_id, version = graph_meta(graph)
    target = top_decision_maker(graph, ranking)
    sources = [member_id] if member_id is not None else team(graph)

    ties = team_ties(graph, as_of, path_params)
    engaged_by = engagement(ties, path_params.engaged_threshold)
    engaged = {p for p, (_best, members) in engaged_by.items() if members}
    by_id = {item.person_id: item for item in ranking.items}
    covered = {role for p in engaged if p in by_id for role in by_id[p].roles}

    def answer(items: list[NextContact], p_cur: float, reason: str | None) -> NextContacts:
        return NextContacts(
            org_id=org_id,
            version=version,
            as_of=as_of,
            member_id=member_id,
            target_id=target,
            target_name=None if target is None else name_of(graph, target),
            current_best_probability=p_cur,
            params=params,
            items=items,
            reason=reason,
        )

    if not ranking.items:
        return answer([], 0.0, "the organisation has no people yet")
    if not sources:
        return answer([], 0.0, "our team has no members")

    hops = build_hop_graph(graph, as_of=as_of, params=path_params, sources=sources)
    lengths, dijkstra_paths = nx.single_source_dijkstra(hops.graph, SOURCE, weight="weight")
    p_cur = math.exp(-lengths[target]) if target is not None and target in lengths else 0.0
    to_target = best_probabilities_to(hops, target) if target is not None else {}
    weights = params.power_weight + params.role_weight + params.uplift_weight

    heap: list[tuple[float, str, str, bool]] = []
    scored: dict[str, _Scored] = {}
    for item in ranking.items:
        person = item.person_id
        if person in engaged or person not in lengths or math.exp(-lengths[person]) <= 0.0:
            continue
        uncovered = [role for role in item.roles if role not in covered]
        role_gap = max((ROLE_GAP_VALUE[role] for role in uncovered), default=0.0)
        q = to_target.get(person, 0.0)
        p_new = max(p_cur, params.hypothetical_strength * q)
        uplift = p_new - p_cur
        value = (
            params.power_weight * item.power
            + params.role_weight * role_gap
            + params.uplift_weight * uplift
        ) / weights
        reach_raw = math.exp(-lengths[person])
        tie = engaged_by.get(person)
        scored[person] = _Scored(
            item=item,
            value=min(1.0, value),
            reach_raw=reach_raw,
            uplift=uplift,
            p_new=p_new,
            role_gap=role_gap,
            uncovered=uncovered,
            current_tie=None if tie is None else tie[0],
        )
        bound = min(1.0, value) * reach_raw
        heap.append((-canonical(bound), item.name, person, False))
    heapq.heapify(heap)

    names = {str(n): name_of(graph, n) for n in graph}
    chosen: list[_Scored] = []
    while heap and len(chosen) < limit:
        _key, name, person, exact = heapq.heappop(heap)
        entry = scored[person]
        if exact:
            chosen.append(entry)
            continue
        entry.candidate = _exact_best(hops, person, dijkstra_paths[person], names)
        reach = entry.candidate.probability if entry.candidate is not None else 0.0
        heapq.heappush(heap, (-canonical(entry.value * reach), name, person, True))

    weak: dict[str, set[str]] = defaultdict(set)
    for t in ties:
        weak[t.person].add(t.member)
    items: list[NextContact] = []
    for entry in chosen:
        item = entry.item
        path = None if entry.candidate is None else to_entry_path(graph, hops, entry.candidate)
        reach = 0.0 if path is None else path.probability
        items.append(
            NextContact(
                person_id=item.person_id,
                name=item.name,
                title=item.title,
                roles=item.roles,
                stance=item.stance,
                rank=item.rank,
                power=item.power,
                score=canonical(entry.value * reach),
                value=entry.value,
                reachability=reach,
                uplift=entry.uplift,
                role_gap=entry.role_gap,
                uncovered_roles=entry.uncovered,
                current_tie=entry.current_tie,
                path=path,
                reasons=_reasons(
                    graph,
                    entry,
                    path,
                    n=ranking.n,
                    target=target,
                    p_cur=p_cur,
                    weak_from=sorted(weak.get(item.person_id, ())),
                ),
            )
        )
    reason = None if items else "everyone reachable is already engaged"
    return answer(items, p_cur, reason)
