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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from graph.analytics._common import check_graph, is_person, is_team, persons, team
from schemas.analytics import HopRelation, HopVia, PathParams
from schemas.common import RelType, Stance

__all__ = [
    "MIN_HOP_PROBABILITY",
    "SOURCE",
    "Hop",
    "HopGraph",
    "TeamTie",
    "best_probabilities_to",
    "build_hop_graph",
    "decay",
    "engagement",
    "team_ties",
]

SOURCE = "\x00our-team"
"""The virtual source node; no real id can contain a NUL."""

MIN_HOP_PROBABILITY = 1e-12
"""A hop less likely than this is treated as impossible (and products cannot underflow)."""

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


def decay(last_contact: date | None, as_of: date, params: PathParams) -> float:
    r"""Freshness factor of a KNOWS tie: :math:`0.5^{\,\text{age}/\text{half-life}}`.

    The age is counted in whole days up to ``as_of`` (a contact dated later counts as
    today); a tie with no ``last_contact`` gets ``params.undated_decay``.

    Examples
    --------
    >>> from datetime import date
    >>> decay(date(2025, 7, 5), date(2026, 1, 1), PathParams())
    0.5
    >>> decay(None, date(2026, 1, 1), PathParams())
    0.5
    """
    if last_contact is None:
        return params.undated_decay
    age = max(0, (as_of - last_contact).days)
    return float(0.5 ** (age / params.half_life_days))


def _age(last_contact: date | None, as_of: date) -> int | None:
    return None if last_contact is None else max(0, (as_of - last_contact).days)


def _strength(data: dict[str, Any], params: PathParams) -> float:
    value = data.get("strength")
    return params.default_strength if value is None else float(value)


def team_ties(graph: nx.MultiDiGraph, as_of: date, params: PathParams) -> list[TeamTie]:
    """Every KNOWS tie between a team member and a person (either direction stored).

    Sorted by member, person, relationship id. ``effective = strength x decay``.
    """
    check_graph(graph)
    ties: list[TeamTie] = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data["type"] != RelType.KNOWS.value:
            continue
        if is_team(graph, u) and is_person(graph, v):
            member, person = u, v
        elif is_person(graph, u) and is_team(graph, v):
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
                effective=strength * decay(last, as_of, params),
            )
        )
    ties.sort(key=lambda t: (t.member, t.person, t.relationship_id))
    return ties


@dataclass
class HopGraph:
    """The hop graph of one question and what path-level rules need to know."""

    graph: nx.DiGraph
    sources: list[str]
    contacts: frozenset[str]
    reports_of: dict[str, list[str]]
    params: PathParams
    include_cold: bool

    def hop(self, u: str, v: str) -> Hop:
        hop: Hop = self.graph.edges[u, v]["hop"]
        return hop

    def probability(self, nodes: Sequence[str]) -> float:
        """Product of the hop probabilities along ``nodes`` (no penalty)."""
        return math.prod(self.hop(u, v).probability for u, v in itertools.pairwise(nodes))

    def bypassed(self, nodes: Sequence[str]) -> list[str]:
        """Contacts whose manager the path reaches before (or without) passing them.

        A person ``M`` at position ``i`` of the path counts when ``M`` is the solid or
        dotted manager of one of our contacts ``C`` (a person with a KNOWS tie from any
        team member) and ``C`` is not among ``nodes[:i]``. ``M`` never counts when ``M`` is
        our contact too: then we are not going over anyone's head. Contacts are listed in
        path order of their managers, then by name and id.
        """
        found: list[str] = []
        for i, node in enumerate(nodes):
            if node in self.contacts:
                continue
            earlier = set(nodes[:i])
            for report in self.reports_of.get(node, ()):
                if report in self.contacts and report not in earlier and report not in found:
                    found.append(report)
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
    below ``MIN_HOP_PROBABILITY`` are dropped.

    Examples
    --------
    >>> from datetime import date
    >>> from graph.network import build_graph
    >>> from tests.factories import tiny_snapshot
    >>> hg = build_hop_graph(build_graph(tiny_snapshot()), as_of=date(2026, 1, 1),
    ...                      include_cold=False)
    >>> sorted((u, v, round(h.probability, 2)) for u, v, h in hg.graph.edges(data="hop") if h)
    [('am', 'cfo', 0.4), ('ceo', 'cfo', 0.36), ('cfo', 'ceo', 0.21)]
    """
    check_graph(graph)
    params = PathParams() if params is None else params
    hops: dict[tuple[str, str], Hop] = {}
    reports: dict[str, set[str]] = defaultdict(set)
    contacts: set[str] = set()

    for tie in team_ties(graph, as_of, params):
        contacts.add(tie.person)
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
            ),
        )

    for u, v, key, data in sorted(
        graph.edges(keys=True, data=True), key=lambda e: (str(e[2]), e[0], e[1])
    ):
        if u == v or not (is_person(graph, u) and is_person(graph, v)):
            continue
        rel_id = str(key)
        kind = data["type"]
        if kind == RelType.KNOWS.value:
            strength = _strength(data, params)
            last = data.get("last_contact")
            age = _age(last, as_of)
            base = strength * decay(last, as_of, params)
            stale = age is not None and age > params.stale_after_days
            for a, b in ((u, v), (v, u)):
                p = base * params.stance_factor(_stance(graph, a))
                hop = Hop(p, HopVia.KNOWS, HopRelation.KNOWS, rel_id, strength, age, stale)
                _offer(hops, a, b, hop)
        elif kind == RelType.INFLUENCES.value:
            strength = _strength(data, params)
            forward = strength * params.stance_factor(_stance(graph, u))
            backward = (
                strength * params.influence_reverse_factor * params.stance_factor(_stance(graph, v))
            )
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
            reports[v].add(u)
            dotted = bool(data.get("dotted"))
            up = (params.dotted_up if dotted else params.reports_up) * params.stance_factor(
                _stance(graph, u)
            )
            down = (params.dotted_down if dotted else params.reports_down) * params.stance_factor(
                _stance(graph, v)
            )
            up_rel = HopRelation.DOTTED_REPORTS_TO if dotted else HopRelation.REPORTS_TO
            down_rel = HopRelation.DOTTED_MANAGES if dotted else HopRelation.MANAGES
            _offer(hops, u, v, Hop(up, HopVia.REPORTS_TO, up_rel, rel_id))
            _offer(hops, v, u, Hop(down, HopVia.REPORTS_TO, down_rel, rel_id))

    members = team(graph)
    people = persons(graph)
    if include_cold:
        cold = Hop(params.cold_probability, HopVia.COLD, HopRelation.COLD)
        for member in members:
            for person in people:
                _offer(hops, member, person, cold)

    chosen = members if sources is None else sorted(set(sources))
    digraph = nx.DiGraph()
    digraph.add_nodes_from(people)
    digraph.add_nodes_from(members)
    digraph.add_node(SOURCE)
    for member in chosen:
        digraph.add_edge(SOURCE, member, weight=0.0, hop=None)
    for (u, v), hop in sorted(hops.items()):
        digraph.add_edge(u, v, weight=max(0.0, -math.log(hop.probability)), hop=hop)
    return HopGraph(
        graph=digraph,
        sources=list(chosen),
        contacts=frozenset(contacts),
        reports_of={m: sorted(rs, key=lambda r: (_name(graph, r), r)) for m, rs in reports.items()},
        params=params,
        include_cold=include_cold,
    )


def engagement(ties: Iterable[TeamTie], threshold: float) -> dict[str, tuple[float, list[str]]]:
    """For every person with a team tie: ``(best effective strength, engaged members)``.

    A member counts as engaged with the person when their tie's effective strength
    (``strength x decay``) is at least ``threshold``; the person is engaged when any is.
    """
    best: dict[str, float] = {}
    members: dict[str, set[str]] = defaultdict(set)
    for tie in ties:
        best[tie.person] = max(best.get(tie.person, 0.0), tie.effective)
        if tie.effective >= threshold:
            members[tie.person].add(tie.member)
    return {person: (value, sorted(members.get(person, ()))) for person, value in best.items()}


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
