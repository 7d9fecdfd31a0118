"""Next contacts: who we should engage next, and how to reach them."""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import networkx as nx

from graph.analytics._common import (
    UnknownNode,
    and_list,
    canonical,
    check_graph,
    graph_meta,
    is_team,
    name_of,
    percent,
    team,
)
from graph.analytics.hops import (
    SOURCE,
    Engagement,
    Hop,
    HopGraph,
    TeamTie,
    best_probabilities_to,
    build_hop_graph,
    engagement,
    is_engaged,
    opponents,
    over_head,
    team_ties,
)
from graph.analytics.paths import Candidate, best_paths, formal_of, resolve_target, to_entry_path
from graph.messages import _, ngettext
from schemas.analytics import (
    EntryPath,
    HopRelation,
    HopVia,
    InfluenceItem,
    InfluenceRanking,
    NextContact,
    NextContactParams,
    NextContacts,
    PathFlag,
    TargetSource,
)
from schemas.common import BuyingRole, Stance

__all__ = [
    "REACH_FLOOR",
    "ROLE_GAP_VALUE",
    "VALUE_MARGIN",
    "WARM_REACH",
    "next_contacts",
    "reach_factor",
]

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

REACH_FLOOR = 0.01
"""Reachability at or below this has ``reach_factor`` 0 (a cold approach is 0.02)."""

WARM_REACH = 0.05
"""``r_min``: a candidate reachable at least this well is never outranked by one worth
``VALUE_MARGIN`` less, however easy that one is to reach."""

VALUE_MARGIN = 0.1
"""``delta`` of the guarantee above. It holds because ``reach_weight <= 0.15`` and
``0.15 x (1 - reach_factor(WARM_REACH)) = 0.098 < 0.1``."""

_NEW_TIE = "\x00new-tie"
"""The virtual member who holds the hypothetical fresh tie when uplift is measured."""


def reach_factor(probability: float) -> float:
    r"""Reachability on a log scale: :math:`\ln(p/0.01) / \ln(100)`, clipped to [0, 1].

    Each tenfold gain in the chance of reaching someone counts the same, so 5% and 50%
    differ as much as 0.5% and 5%.

    Examples
    --------
    >>> [round(reach_factor(p), 3) for p in (0.001, 0.01, 0.05, 0.1, 1.0)]
    [0.0, 0.0, 0.349, 0.5, 1.0]
    """
    if probability <= REACH_FLOOR:
        return 0.0
    return min(1.0, math.log(probability / REACH_FLOOR) / math.log(1.0 / REACH_FLOOR))


def _modifier(reach: float, params: NextContactParams) -> float:
    return 1.0 - params.reach_weight * (1.0 - reach_factor(reach))


@dataclass
class _Scored:
    item: InfluenceItem
    value_bound: float
    reach_bound: float
    role_gap: float
    uncovered: list[BuyingRole]
    hold: Engagement | None
    direct: TeamTie | None
    value: float = 0.0
    uplift: float = 0.0
    p_new: float = 0.0
    candidate: Candidate | None = None


@dataclass
class _Search:
    """What one question needs to score candidates exactly, and whether it stayed exact."""

    graph: nx.MultiDiGraph
    hops: HopGraph
    params: NextContactParams
    target: str | None
    p_cur: float
    names: dict[str, str]
    exact: bool = True

    def reach(self, entry: _Scored) -> Candidate | None:
        """The path to show: our own direct tie when we have one, else the best path."""
        person = entry.item.person_id
        nodes: tuple[str, ...]
        if entry.direct is not None:
            nodes = (entry.direct.member, person)
            probability, raw, bypassed = self.hops.penalised(nodes)
            return Candidate(nodes, canonical(probability), canonical(raw), tuple(bypassed))
        # Yen rather than Dijkstra's own path: among equally likely paths it picks by names,
        # as entry-paths does, so the answer does not depend on the ids.
        found, exact = best_paths(self.hops, person, 1, self.names)
        self.exact = self.exact and exact
        return found[0] if found else None

    def best_with_new_tie(self, person: str) -> float:
        """Best penalised path probability to the target once we hold a fresh tie with
        ``person`` (``hypothetical_strength``), as entry-paths would then show it."""
        if self.target is None:
            return 0.0
        hops = self.hops
        strength = self.params.hypothetical_strength
        stance = self.graph.nodes[person].get("stance")
        # the same test as for a stored tie: a fresh tie of this strength, not an opponent
        engaged = is_engaged(strength, stance, self.params.paths) and person not in hops.contacts
        contacts = hops.contacts | {person} if engaged else hops.contacts
        trial = dataclasses.replace(
            hops,
            contacts=contacts,
            over_head=over_head(self.graph, contacts, hops.managers_of)
            if engaged
            else hops.over_head,
            engaged_ties=hops.engaged_ties | {(_NEW_TIE, person)} if engaged else hops.engaged_ties,
            team=hops.team | {_NEW_TIE},
            sources=[*hops.sources, _NEW_TIE],
        )
        hop = Hop(strength, HopVia.KNOWS, HopRelation.KNOWS, None, strength, 0)
        g = hops.graph
        g.add_edge(SOURCE, _NEW_TIE, weight=0.0, hop=None)
        if strength > 0.0:
            g.add_edge(_NEW_TIE, person, weight=max(0.0, -math.log(strength)), hop=hop)
        try:
            found, exact = best_paths(trial, self.target, 1, {**self.names, _NEW_TIE: ""})
        finally:
            g.remove_node(_NEW_TIE)
        self.exact = self.exact and exact
        return found[0].probability if found else 0.0


def _roles_text(roles: list[BuyingRole]) -> str:
    names = [role.value for role in roles]
    return ngettext("the {roles} role", "the {roles} roles", len(names)).format(
        roles=and_list(names)
    )


def _tie_text(graph: nx.MultiDiGraph, tie: TeamTie, params: NextContactParams) -> str:
    who = name_of(graph, tie.member)
    when = (
        _("last contact unknown")
        if tie.age_days is None
        else ngettext(
            "last contact {days} day ago", "last contact {days} days ago", tie.age_days
        ).format(days=tie.age_days)
    )
    if tie.strength >= params.paths.engaged_threshold or tie.last_contact is None:
        return _("reactivate {who}'s tie ({when}; effective strength {effective:.2f})").format(
            who=who, when=when, effective=tie.effective
        )
    return _("deepen {who}'s tie (strength {strength:.2f}, {when})").format(
        who=who, strength=tie.strength, when=when
    )


def _target_reasons() -> dict[TargetSource | None, str]:
    """How the target is described, in the current language (read per answer)."""
    return {
        TargetSource.TOP_DECISION_MAKER: _("is the top decision-maker"),
        TargetSource.DEAL_DECISION_MAKER: _("decides this deal"),
        TargetSource.DEAL_ECONOMIC_BUYER: _("holds this deal's budget (economic buyer)"),
    }


def _reasons(
    graph: nx.MultiDiGraph,
    scored: _Scored,
    path: EntryPath | None,
    *,
    n: int,
    search: _Search,
    target_source: TargetSource | None,
    others: list[TeamTie],
) -> list[str]:
    item = scored.item
    target = search.target
    reasons: list[str] = []
    if item.person_id == target:
        reasons.append(_target_reasons().get(target_source, _("is the target")))
    reasons.append(
        _("power {power:.2f} (rank {rank} of {n})").format(power=item.power, rank=item.rank, n=n)
    )
    if scored.uncovered:
        reasons.append(
            _("holds {roles}, not covered by anyone we are engaged with").format(
                roles=_roles_text(scored.uncovered)
            )
        )
    if target is not None and scored.uplift > 0.0005:
        if item.person_id == target:
            lift = _("a strong tie with them would lift our best path to them from {now} to {new}")
            text = lift.format(now=percent(search.p_cur), new=percent(scored.p_new))
        else:
            lift = _(
                "a strong tie with them would lift our best path to {target} from {now} to {new}"
            )
            text = lift.format(
                target=name_of(graph, target), now=percent(search.p_cur), new=percent(scored.p_new)
            )
        reasons.append(text)
    if item.stance is Stance.OPPONENT:
        reasons.append(_("opposes us: a tie alone will not win them, find who they listen to"))
    if scored.direct is not None:
        reasons.append(_tie_text(graph, scored.direct, search.params))
    for tie in others:
        reasons.append(
            _("{member} also knows them (effective strength {effective:.2f})").format(
                member=name_of(graph, tie.member), effective=tie.effective
            )
        )
    if path is not None and scored.direct is None:
        chance = percent(path.probability)
        if PathFlag.COLD in path.flags:
            reasons.append(_("only a cold approach reaches them ({chance})").format(chance=chance))
        elif path.hops == 1:
            reasons.append(
                _("{member} can reach them directly ({chance})").format(
                    member=path.member_name, chance=chance
                )
            )
        else:
            through = _(", ").join(step.to_name for step in path.steps[:-1])
            reasons.append(
                _("reachable at {chance} through {through}").format(chance=chance, through=through)
            )
    if path is not None and path.bypassed:
        names = [name_of(graph, c) for c in path.bypassed]
        whom = ngettext("our contact {names}", "our contacts {names}", len(names)).format(
            names=and_list(names)
        )
        reasons.append(
            _("this way in goes over the head of {whom}: involve them first").format(whom=whom)
        )
    return reasons


def _direct_ties(
    graph: nx.MultiDiGraph, ties: list[TeamTie], sources: list[str]
) -> dict[str, TeamTie]:
    """Per person, the strongest tie a source member holds (equal ones: by member name, id)."""
    chosen = set(sources)
    best: dict[str, TeamTie] = {}
    ranked = sorted(
        (t for t in ties if t.member in chosen),
        key=lambda t: (-t.effective, name_of(graph, t.member), t.member, t.relationship_id),
    )
    for tie in ranked:
        best.setdefault(tie.person, tie)
    return best


def next_contacts(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    *,
    target_id: str | None = None,
    member_id: str | None = None,
    limit: int = 5,
    as_of: date,
    params: NextContactParams | None = None,
) -> NextContacts:
    r"""Rank the people we are not yet engaged with by the value of engaging them.

    For every person not engaged (:func:`graph.analytics.hops.is_engaged`):

    .. math::

        \mathrm{value} = \frac{w_p\,\mathrm{power} + w_r\,\mathrm{role\_gap}
                              + w_u\,\mathrm{uplift}}{w_p + w_r + w_u},
        \qquad \mathrm{score} = \mathrm{value}\,\bigl(1 - \mu\,(1 - g(r))\bigr)

    * ``role_gap`` -- the best ``ROLE_GAP_VALUE`` of their roles that no engaged person holds;
    * ``uplift`` -- :math:`\max(P_0, P_c) - P_0`: :math:`P_0` is today's best penalised path
      probability to the target (the top entry path), :math:`P_c` the same once we hold a
      fresh tie of ``hypothetical_strength`` with the candidate (who then counts as engaged);
    * :math:`r` -- reachability: the probability of the path shown, which is our own direct
      tie when a member already knows them (never a detour through their colleagues),
      else the best path (cold hops allowed, bypass penalty applied);
      :math:`g` = :func:`reach_factor`, :math:`\mu` = ``reach_weight`` (at most 0.15).

    Value leads: if value(A) >= value(B) + ``VALUE_MARGIN`` and A's reachability is at least
    ``WARM_REACH``, A ranks above B. Scores are computed lazily from upper bounds (raw
    Dijkstra probabilities), so only candidates that can still reach the top ``limit`` get
    exact paths and uplift. Ties: name, then id.

    Raises
    ------
    UnknownNode
        ``target_id`` is not a person, or ``member_id`` not a team member, of this graph.

    Examples
    --------
    >>> from datetime import date
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> result = next_contacts(g, rank_influence(g), as_of=date(2026, 1, 1))
    >>> [(c.person_id, round(c.score, 3)) for c in result.items], result.exact  # CFO engaged
    ([('ceo', 0.815)], True)
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
    target, target_source = resolve_target(graph, ranking, target_id)
    if member_id is not None and not is_team(graph, member_id):
        raise UnknownNode(member_id, "member_id")
    org_id, version = graph_meta(graph)
    sources = [member_id] if member_id is not None else team(graph)

    ties = team_ties(graph, as_of, path_params)
    holds = engagement(ties, path_params, opponents(graph))
    engaged = {p for p, hold in holds.items() if hold.engaged}
    by_id = {item.person_id: item for item in ranking.items}
    covered = {role for p in engaged if p in by_id for role in by_id[p].roles}

    def answer(
        items: list[NextContact], p_cur: float, reason: str | None, exact: bool = True
    ) -> NextContacts:
        return NextContacts(
            org_id=org_id,
            version=version,
            as_of=as_of,
            member_id=member_id,
            target_id=target,
            target_name=None if target is None else name_of(graph, target),
            target_source=target_source,
            current_best_probability=p_cur,
            exact=exact,
            params=params,
            items=items,
            reason=reason,
        )

    if not ranking.items:
        return answer([], 0.0, _("the organisation has no people yet"))
    if not sources:
        return answer([], 0.0, _("our team has no members"))

    hops = build_hop_graph(
        graph, as_of=as_of, params=path_params, sources=sources, formal=formal_of(ranking)
    )
    names = {str(n): name_of(graph, n) for n in graph}
    lengths = nx.single_source_dijkstra_path_length(hops.graph, SOURCE, weight="weight")
    p_cur, p_cur_raw, exact = 0.0, 0.0, True
    if target is not None:
        best, exact = best_paths(hops, target, 1, names)
        p_cur = best[0].probability if best else 0.0
        p_cur_raw = math.exp(-lengths[target]) if target in lengths else 0.0
    search = _Search(graph, hops, params, target, p_cur, names, exact)
    to_target = best_probabilities_to(hops, target) if target is not None else {}
    weights = params.power_weight + params.role_weight + params.uplift_weight
    direct = _direct_ties(graph, ties, sources)

    def value_of(item: InfluenceItem, role_gap: float, uplift: float) -> float:
        total = (
            params.power_weight * item.power
            + params.role_weight * role_gap
            + params.uplift_weight * uplift
        )
        return min(1.0, total / weights)

    heap: list[tuple[float, str, str, bool]] = []
    scored: dict[str, _Scored] = {}
    for item in ranking.items:
        person = item.person_id
        if person in engaged or person not in lengths or math.exp(-lengths[person]) <= 0.0:
            continue
        uncovered = [role for role in item.roles if role not in covered]
        role_gap = max((ROLE_GAP_VALUE[role] for role in uncovered), default=0.0)
        q = to_target.get(person, 0.0)
        uplift_bound = max(0.0, max(p_cur_raw, params.hypothetical_strength * q) - p_cur)
        tie = direct.get(person)
        reach_bound = (
            hops.probability((tie.member, person))
            if tie is not None
            else math.exp(-lengths[person])
        )
        entry = _Scored(
            item=item,
            value_bound=value_of(item, role_gap, uplift_bound),
            reach_bound=reach_bound,
            role_gap=role_gap,
            uncovered=uncovered,
            hold=holds.get(person),
            direct=tie,
        )
        scored[person] = entry
        bound = entry.value_bound * _modifier(reach_bound, params)
        heap.append((-canonical(bound), item.name, person, False))
    heapq.heapify(heap)

    chosen: list[_Scored] = []
    while heap and len(chosen) < limit:
        _key, name, person, is_exact = heapq.heappop(heap)
        entry = scored[person]
        if is_exact:
            chosen.append(entry)
            continue
        entry.candidate = search.reach(entry)
        reach = entry.candidate.probability if entry.candidate is not None else 0.0
        entry.p_new = 0.0 if target is None else max(p_cur, search.best_with_new_tie(person))
        entry.uplift = entry.p_new - p_cur
        entry.value = value_of(entry.item, entry.role_gap, entry.uplift)
        score = entry.value * _modifier(reach, params)
        heapq.heappush(heap, (-canonical(score), name, person, True))

    others_of: dict[str, list[TeamTie]] = defaultdict(list)
    for t in sorted(ties, key=lambda t: (name_of(graph, t.member), t.member, t.relationship_id)):
        others_of[t.person].append(t)
    items: list[NextContact] = []
    for entry in chosen:
        item = entry.item
        path = None if entry.candidate is None else to_entry_path(graph, hops, entry.candidate)
        reach = 0.0 if path is None else path.probability
        others = [
            t
            for t in others_of.get(item.person_id, ())
            if entry.direct is None or t.relationship_id != entry.direct.relationship_id
        ]
        items.append(
            NextContact(
                person_id=item.person_id,
                name=item.name,
                title=item.title,
                roles=item.roles,
                stance=item.stance,
                rank=item.rank,
                power=item.power,
                score=canonical(entry.value * _modifier(reach, params)),
                value=entry.value,
                reachability=reach,
                reach_factor=reach_factor(reach),
                uplift=entry.uplift,
                role_gap=entry.role_gap,
                uncovered_roles=entry.uncovered,
                current_tie=None if entry.hold is None else entry.hold.best,
                direct_tie=entry.direct is not None,
                path=path,
                reasons=_reasons(
                    graph,
                    entry,
                    path,
                    n=ranking.n,
                    search=search,
                    target_source=target_source,
                    others=others,
                ),
            )
        )
    reason = None if items else "everyone reachable is already engaged"
    return answer(items, p_cur, reason, search.exact)
