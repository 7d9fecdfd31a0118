"""The hop graph: who can introduce us to whom, with what probability of success.

Nodes are people and team members, plus a virtual source ``SOURCE`` joined at weight 0 to
the team members a question starts from. Each directed edge ``u -> v`` carries ``hop`` (a
:class:`Hop`: the best introduction from ``u`` to ``v``) and ``weight = -ln(p)``, so the
shortest path is the most likely chain (Dijkstra 1959; Yen 1971 for the k best). The hop
probabilities are in docs/ANALYTICS.md, "Hop graph".
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import networkx as nx

from graph.analytics._common import check_graph, is_team, persons, team
from graph.movers import FORMER, ON_LEAVE_FACTOR, former_factor
from graph.network import PERSON
from schemas.analytics import HopRelation, HopVia, PathParams
from schemas.common import RelType, Stance

__all__ = [
    "HALF_LIFE_REFERENCE_STRENGTH",
    "MIN_HOP_PROBABILITY",
    "SOURCE",
    "Engagement",
    "Hop",
    "HopGraph",
    "TeamTie",
    "best_probabilities_to",
    "build_hop_graph",
    "decay",
    "engagement",
    "half_life",
    "is_engaged",
    "opponents",
    "over_head",
    "team_ties",
]

SOURCE = "\x00our-team"
"""The virtual source node; no real id can contain a NUL."""

MIN_HOP_PROBABILITY = 1e-12
"""A hop less likely than this is treated as impossible (and products cannot underflow)."""

HALF_LIFE_REFERENCE_STRENGTH = 0.5
"""``PathParams.half_life_days`` is the half-life of a tie of this strength (the default)."""

_VIA_ORDER = {HopVia.KNOWS: 0, HopVia.INFLUENCES: 1, HopVia.REPORTS_TO: 2, HopVia.COLD: 3}


@dataclass(frozen=True)
class Hop:
    """One possible introduction ``u -> v``."""

    probability: float
    via: HopVia
    relation: HopRelation
    relationship_id: str | None = None
    strength: float | None = None
    age_days: int | None = None
    stale: bool = False
    undated: bool = False

    def beats(self, other: Hop) -> bool:
        """Higher probability wins; then KNOWS > INFLUENCES > REPORTS_TO > cold; then id."""
        mine = (-self.probability, _VIA_ORDER[self.via], self.relationship_id or "")
        theirs = (-other.probability, _VIA_ORDER[other.via], other.relationship_id or "")
        return mine < theirs


@dataclass(frozen=True)
class TeamTie:
    """A team member's KNOWS tie to a person, with its effective strength."""

    member: str
    person: str
    relationship_id: str
    strength: float
    last_contact: date | None
    age_days: int | None
    effective: float


def half_life(strength: float, params: PathParams) -> float:
    r"""Half-life in days of a KNOWS tie of this strength.

    .. math:: h(s) = h_{0.5} \cdot g^{\,s - 0.5}

    with :math:`h_{0.5}` = ``params.half_life_days`` and :math:`g` =
    ``params.strength_half_life_factor``: a deep relationship fades more slowly than an
    acquaintance (Levin, Walter & Murnighan 2011, dormant ties). With the defaults
    (180 days, 4) a tie of strength 1 halves in 360 days, 0.5 in 180, 0.2 in 119.

    Examples
    --------
    >>> [round(half_life(s, PathParams())) for s in (0.2, 0.5, 1.0)]
    [119, 180, 360]
    """
    exponent = strength - HALF_LIFE_REFERENCE_STRENGTH
    return float(params.half_life_days * params.strength_half_life_factor**exponent)


def decay(
    last_contact: date | None,
    as_of: date,
    params: PathParams,
    strength: float = HALF_LIFE_REFERENCE_STRENGTH,
) -> float:
    r"""Freshness factor of a KNOWS tie: :math:`0.5^{\,\text{age}/h(s)}` (:func:`half_life`).

    The age is counted in whole days up to ``as_of`` (a contact dated later counts as
    today); a tie with no ``last_contact`` gets ``params.undated_decay`` (as if one
    half-life old, whatever its strength) and its step says so.

    Examples
    --------
    >>> from datetime import date
    >>> decay(date(2025, 7, 5), date(2026, 1, 1), PathParams())
    0.5
    >>> decay(date(2025, 7, 5), date(2026, 1, 1), PathParams(), strength=1.0) > 0.7
    True
    >>> decay(None, date(2026, 1, 1), PathParams())
    0.5
    """
    if last_contact is None:
        return params.undated_decay
    age = max(0, (as_of - last_contact).days)
    return float(0.5 ** (age / half_life(strength, params)))


def is_engaged(effective: float, stance: str | None, params: PathParams) -> bool:
    """The one test of a working tie, used by bypass, coverage and next contacts alike.

    A person is engaged when a team member's KNOWS tie to them has effective (decayed)
    strength of at least ``params.engaged_threshold`` and they are not an opponent: we
    work *with* an engaged person, while going around an opponent is the remedy, not a risk.

    Examples
    --------
    >>> is_engaged(0.5, "neutral", PathParams()), is_engaged(0.3, "champion", PathParams())
    (True, False)
    >>> is_engaged(0.9, "opponent", PathParams())
    False
    """
    return effective >= params.engaged_threshold and stance != Stance.OPPONENT.value


def opponents(graph: nx.MultiDiGraph) -> frozenset[str]:
    """The people whose stance toward us is ``opponent``."""
    return frozenset(p for p in persons(graph) if _stance(graph, p) == Stance.OPPONENT.value)


def _age(last_contact: date | None, as_of: date) -> int | None:
    return None if last_contact is None else max(0, (as_of - last_contact).days)


def _strength(data: dict[str, Any], params: PathParams) -> float:
    value = data.get("strength")
    return params.default_strength if value is None else float(value)


def team_ties(
    graph: nx.MultiDiGraph, as_of: date, params: PathParams, *, kind: str = PERSON
) -> list[TeamTie]:
    """Every KNOWS tie between a team member and a person (either direction stored); with
    ``kind="former"``, to a person who left (:mod:`graph.movers`) instead.

    Sorted by member, person, relationship id. ``effective = strength x decay``.
    """
    check_graph(graph)

    def other(node: str) -> bool:
        return bool(graph.nodes[node].get("kind") == kind)

    ties: list[TeamTie] = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data["type"] != RelType.KNOWS.value:
            continue
        if is_team(graph, u) and other(v):
            member, person = u, v
        elif other(u) and is_team(graph, v):
            member, person = v, u
        else:
            continue
        strength = _strength(data, params)
        last = data.get("last_contact")
        ties.append(
            TeamTie(
                member=member,
                person=person,
                relationship_id=str(key),
                strength=strength,
                last_contact=last,
                age_days=_age(last, as_of),
                effective=strength * decay(last, as_of, params, strength),
            )
        )
    ties.sort(key=lambda t: (t.member, t.person, t.relationship_id))
    return ties


@dataclass
class HopGraph:
    """The hop graph of one question and what path-level rules need to know.

    ``contacts`` are the people we are engaged with (:func:`is_engaged`); ``over_head``
    maps a person ``S`` to the contacts of whom ``S`` is a superior (direct manager or skip
    level, solid or dotted); ``formal`` is each person's formal authority; ``engaged_ties``
    holds the ``(member, person)`` pairs whose KNOWS tie is engaged.
    """

    graph: nx.DiGraph
    sources: list[str]
    contacts: frozenset[str]
    over_head: dict[str, list[str]]
    managers_of: dict[str, list[str]]
    formal: dict[str, float]
    engaged_ties: frozenset[tuple[str, str]]
    team: frozenset[str]
    params: PathParams
    include_cold: bool
    _above: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def hop(self, u: str, v: str) -> Hop:
        hop: Hop = self.graph.edges[u, v]["hop"]
        return hop

    def probability(self, nodes: Sequence[str]) -> float:
        """Product of the hop probabilities along ``nodes`` (no penalty)."""
        return math.prod(self.hop(u, v).probability for u, v in itertools.pairwise(nodes))

    def ancestors(self, person: str) -> frozenset[str]:
        """Everyone above ``person`` on solid or dotted reporting lines (computed on demand)."""
        known = self._above.get(person)
        if known is None:
            seen: set[str] = set()
            stack = list(self.managers_of.get(person, ()))
            while stack:
                node = stack.pop()
                if node not in seen:
                    seen.add(node)
                    stack.extend(self.managers_of.get(node, ()))
            seen.discard(person)
            known = frozenset(seen)
            self._above[person] = known
        return known

    def from_above(self, introducer: str, superior: str) -> bool:
        """Whether a hop ``introducer -> superior`` is a referral down (never a bypass).

        A team member arrives from above only with an engaged tie of their own to the
        superior. A person does when they are an ancestor of the superior on solid or
        dotted lines; when they are a descendant they arrive from below; when no line joins
        them, from above exactly when their formal authority is strictly higher.
        """
        if introducer in self.team:
            return (introducer, superior) in self.engaged_ties
        if introducer in self.ancestors(superior):
            return True
        if superior in self.ancestors(introducer):
            return False
        return self.formal.get(introducer, 0.0) > self.formal.get(superior, 0.0)

    def bypassed(self, nodes: Sequence[str]) -> list[str]:
        """Engaged contacts whose superior the path reaches around them, from below or aside.

        A person ``S`` at position ``i`` of the path counts when ``S`` is a superior (direct
        manager or skip level) of an engaged contact ``C`` that is not among ``nodes[:i]``,
        the hop into ``S`` does not come from above ``S`` (:meth:`from_above`), and its
        introducer is not above ``C`` either: ``C``'s own manager taking us to the skip level
        is not going over ``C``'s head (reaching that manager around ``C`` already was, and
        is counted at that hop). Contacts are listed in path order of their superiors, then
        by name and id.
        """
        found: list[str] = []
        for i in range(1, len(nodes)):
            under = self.over_head.get(nodes[i])
            if not under:
                continue
            earlier = set(nodes[:i])
            introducer = nodes[i - 1]
            missed = [
                c
                for c in under
                if c not in earlier and c not in found and introducer not in self.ancestors(c)
            ]
            if missed and not self.from_above(introducer, nodes[i]):
                found.extend(missed)
        return found

    def penalised(self, nodes: Sequence[str]) -> tuple[float, float, list[str]]:
        """``(probability, raw probability, bypassed contacts)`` of a path."""
        raw = self.probability(nodes)
        bypassed = self.bypassed(nodes)
        return (raw * self.params.bypass_penalty if bypassed else raw), raw, bypassed


def _offer(hops: dict[tuple[str, str], Hop], u: str, v: str, hop: Hop) -> None:
    if hop.probability < MIN_HOP_PROBABILITY or u == v:
        return
    current = hops.get((u, v))
    if current is None or hop.beats(current):
        hops[(u, v)] = hop


def _name(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node].get("name") or node)


def _stance(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node].get("stance") or Stance.NEUTRAL.value)


def build_hop_graph(
    graph: nx.MultiDiGraph,
    *,
    as_of: date,
    params: PathParams | None = None,
    include_cold: bool = True,
    sources: Iterable[str] | None = None,
    formal: Mapping[str, float] | None = None,
) -> HopGraph:
    """Build the hop graph; ``sources`` (default: the whole team) hang off ``SOURCE``.

    Hops (``s`` = the tie's strength, ``params.default_strength`` when unset;
    ``stance(x)`` = the introducer's stance factor, never applied to our team):

    * KNOWS member--person: member -> person, ``s x decay``.
    * KNOWS person--person: both ways, ``s x decay x stance(from)``.
    * ``A INFLUENCES B``: ``A -> B`` at ``s x stance(A)``; ``B -> A`` at
      ``s x influence_reverse_factor x stance(B)``.
    * ``R REPORTS_TO M``: ``R -> M`` at ``reports_up`` (``dotted_up``) ``x stance(R)``;
      ``M -> R`` at ``reports_down`` (``dotted_down``) ``x stance(M)``.
    * cold (when ``include_cold``): every member -> every person at ``cold_probability``.

    Of several hops between one ordered pair the best is kept (:meth:`Hop.beats`); hops
    below ``MIN_HOP_PROBABILITY`` are dropped. ``formal`` (default: computed with
    :func:`graph.analytics.influence.formal_authority`) decides who arrives "from above"
    where no reporting line joins two people.

    Examples
    --------
    >>> from datetime import date
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> hg = build_hop_graph(build_graph(tiny_snapshot()), as_of=date(2026, 1, 1),
    ...                      include_cold=False)
    >>> sorted((u, v, round(h.probability, 2)) for u, v, h in hg.graph.edges(data="hop") if h)
    [('am', 'cfo', 0.4), ('ceo', 'cfo', 0.36), ('cfo', 'ceo', 0.21)]
    """
    check_graph(graph)
    params = PathParams() if params is None else params
    hops: dict[tuple[str, str], Hop] = {}
    managers: dict[str, set[str]] = defaultdict(set)
    members = team(graph)
    people = persons(graph)
    formers = sorted(n for n, k in graph.nodes(data="kind") if k == FORMER)
    # per node, not per edge: the introducer's stance factor (pydantic attribute reads and
    # enum lookups dominate a large organisation's build otherwise), times the discount of
    # someone on leave or gone (graph.movers)
    factor = {p: params.stance_factor(_stance(graph, p)) for p in people}
    away = {person for person in people if graph.nodes[person].get("on_leave")}
    for person in away:
        factor[person] *= ON_LEAVE_FACTOR
    for former in formers:
        gone = former_factor(graph.nodes[former].get("left_on"), as_of)
        factor[former] = params.stance_factor(_stance(graph, former)) * gone
    ties = team_ties(graph, as_of, params)
    engaged_ties = frozenset(
        (t.member, t.person)
        for t in ties
        if is_engaged(t.effective, _stance(graph, t.person), params)
    )

    # our ties to people who left carry introductions too (one more edge scan, only then)
    former_ties = team_ties(graph, as_of, params, kind=FORMER) if formers else []
    for tie in [*ties, *former_ties]:
        _offer(
            hops,
            tie.member,
            tie.person,
            Hop(
                probability=tie.effective,
                via=HopVia.KNOWS,
                relation=HopRelation.KNOWS,
                relationship_id=tie.relationship_id,
                strength=tie.strength,
                age_days=tie.age_days,
                stale=tie.age_days is not None and tie.age_days > params.stale_after_days,
                undated=tie.last_contact is None,
            ),
        )

    for u, v, key, data in sorted(
        graph.edges(keys=True, data=True), key=lambda e: (str(e[2]), e[0], e[1])
    ):
        if u == v or u not in factor or v not in factor:
            continue
        rel_id = str(key)
        kind = data["type"]
        if kind == RelType.KNOWS.value:
            strength = _strength(data, params)
            last = data.get("last_contact")
            age = _age(last, as_of)
            base = strength * decay(last, as_of, params, strength)
            stale = age is not None and age > params.stale_after_days
            for a, b in ((u, v), (v, u)):
                p = base * factor[a]
                hop = Hop(
                    p, HopVia.KNOWS, HopRelation.KNOWS, rel_id, strength, age, stale, last is None
                )
                _offer(hops, a, b, hop)
        elif kind == RelType.INFLUENCES.value:
            strength = _strength(data, params)
            forward = strength * factor[u]
            backward = strength * params.influence_reverse_factor * factor[v]
            _offer(
                hops,
                u,
                v,
                Hop(forward, HopVia.INFLUENCES, HopRelation.INFLUENCES, rel_id, strength),
            )
            _offer(
                hops,
                v,
                u,
                Hop(backward, HopVia.INFLUENCES, HopRelation.INFLUENCED_BY, rel_id, strength),
            )
        elif kind == RelType.REPORTS_TO.value:
            managers[u].add(v)
            dotted = bool(data.get("dotted"))
            up = (params.dotted_up if dotted else params.reports_up) * factor[u]
            down = (params.dotted_down if dotted else params.reports_down) * factor[v]
            up_rel = HopRelation.DOTTED_REPORTS_TO if dotted else HopRelation.REPORTS_TO
            down_rel = HopRelation.DOTTED_MANAGES if dotted else HopRelation.MANAGES
            _offer(hops, u, v, Hop(up, HopVia.REPORTS_TO, up_rel, rel_id))
            _offer(hops, v, u, Hop(down, HopVia.REPORTS_TO, down_rel, rel_id))

    if include_cold:
        cold = Hop(params.cold_probability, HopVia.COLD, HopRelation.COLD)
        for member in members:
            for person in people:
                _offer(hops, member, person, cold)

    if away:  # hops to someone on leave wait for them too
        for (u, v), hop in hops.items():
            if v in away:
                hops[(u, v)] = replace(hop, probability=hop.probability * ON_LEAVE_FACTOR)

    chosen = members if sources is None else sorted(set(sources))
    digraph = nx.DiGraph()
    digraph.add_nodes_from(people)
    digraph.add_nodes_from(formers)
    digraph.add_nodes_from(members)
    digraph.add_node(SOURCE)
    for member in chosen:
        digraph.add_edge(SOURCE, member, weight=0.0, hop=None)
    for (u, v), hop in sorted(hops.items()):
        digraph.add_edge(u, v, weight=max(0.0, -math.log(hop.probability)), hop=hop)

    contacts = frozenset(person for _member, person in engaged_ties)
    if formal is None:
        from graph.analytics.influence import formal_authority  # the ranking imports hops

        formal = formal_authority(graph)
    return HopGraph(
        graph=digraph,
        sources=list(chosen),
        contacts=contacts,
        over_head=over_head(graph, contacts, managers),
        managers_of={p: sorted(ms) for p, ms in managers.items()},
        formal=dict(formal),
        engaged_ties=engaged_ties,
        team=frozenset(members),
        params=params,
        include_cold=include_cold,
    )


def over_head(
    graph: nx.MultiDiGraph, contacts: Iterable[str], managers: Mapping[str, Iterable[str]]
) -> dict[str, list[str]]:
    """For each superior (direct manager or skip level), the contacts below them, by name
    (:attr:`HopGraph.over_head`)."""
    below: dict[str, set[str]] = defaultdict(set)
    for contact in contacts:
        direct = set(managers.get(contact, ()))
        for superior in direct | {s for m in direct for s in managers.get(m, ())}:
            if superior != contact:
                below[superior].add(contact)
    return {s: sorted(cs, key=lambda c: (_name(graph, c), c)) for s, cs in below.items()}


@dataclass(frozen=True)
class Engagement:
    """Our team's hold on one person: the best tie and who holds a tie strong enough."""

    best: float
    """Best effective strength of any team member's KNOWS tie to them."""
    strong_members: list[str]
    """Members whose tie reaches ``engaged_threshold``, sorted."""
    opponent: bool
    """They oppose us: a strong tie then makes them an engaged *opponent*, not engaged."""

    @property
    def engaged(self) -> bool:
        """:func:`is_engaged`: a strong enough tie and not an opponent."""
        return bool(self.strong_members) and not self.opponent

    @property
    def members(self) -> list[str]:
        """The members we are engaged through (none for an opponent)."""
        return [] if self.opponent else self.strong_members


def engagement(
    ties: Iterable[TeamTie], params: PathParams, opponents: frozenset[str] = frozenset()
) -> dict[str, Engagement]:
    """For every person with a team tie, our hold on them (see :func:`is_engaged`).

    A member's tie is strong enough when its effective strength (``strength x decay``) is
    at least ``params.engaged_threshold``; the person is engaged when any member's is and
    they are not among ``opponents``.
    """
    best: dict[str, float] = {}
    members: dict[str, set[str]] = defaultdict(set)
    for tie in ties:
        best[tie.person] = max(best.get(tie.person, 0.0), tie.effective)
        if tie.effective >= params.engaged_threshold:
            members[tie.person].add(tie.member)
    return {
        person: Engagement(value, sorted(members.get(person, ())), person in opponents)
        for person, value in best.items()
    }


def best_probabilities_to(hops: HopGraph, target: str) -> dict[str, float]:
    """Best raw path probability from every node to ``target``.

    One Dijkstra from ``target`` over the reversed hop graph; the same numbers as a
    Dijkstra from each node to ``target``, for the price of one.
    """
    if target not in hops.graph:
        return {}
    lengths = nx.single_source_dijkstra_path_length(
        hops.graph.reverse(copy=False), target, weight="weight"
    )
    return {str(node): math.exp(-float(d)) for node, d in lengths.items() if node != SOURCE}
