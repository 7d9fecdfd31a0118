"""Entry paths: the most likely chains of introductions from our team to a target."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import networkx as nx

from graph.analytics._common import (
    UnknownNode,
    and_list,
    canonical,
    check_graph,
    graph_meta,
    is_person,
    is_team,
    name_of,
    percent,
    team,
)
from graph.analytics.decision import top_decision_maker
from graph.analytics.hops import SOURCE, HopGraph, build_hop_graph
from graph.deals import Deal
from graph.messages import N_, _, ngettext
from graph.movers import FORMER
from schemas.analytics import (
    EntryPath,
    EntryPaths,
    HopRelation,
    HopVia,
    InfluenceRanking,
    PathFlag,
    PathParams,
    PathStep,
    TargetSource,
)
from schemas.common import Stance

__all__ = [
    "CANDIDATE_FACTOR",
    "MIN_CANDIDATES",
    "Candidate",
    "best_paths",
    "entry_paths",
    "formal_of",
    "resolve_target",
    "to_entry_path",
]

CANDIDATE_FACTOR = 4
"""Yen's algorithm examines at most ``max(CANDIDATE_FACTOR x k, MIN_CANDIDATES)`` paths."""

MIN_CANDIDATES = 50
"""Floor of the number of paths examined, so that k=1 still looks past a few penalised ones."""

_TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Candidate:
    """A path found by Yen's algorithm (without the virtual source)."""

    nodes: tuple[str, ...]
    probability: float
    raw: float
    bypassed: tuple[str, ...]

    def sort_key(
        self, names: dict[str, str]
    ) -> tuple[float, int, tuple[str, ...], tuple[str, ...]]:
        return (
            -self.probability,
            len(self.nodes),
            tuple(names[n] for n in self.nodes),
            self.nodes,
        )


def best_paths(
    hops: HopGraph, target: str, k: int, names: dict[str, str]
) -> tuple[list[Candidate], bool]:
    """The ``k`` most likely paths from ``hops.sources`` to ``target`` after penalties.

    Yen's k-shortest simple paths (Yen 1971; ``networkx.shortest_simple_paths``) over
    ``-ln p`` yields paths by falling raw probability. A bypass penalty can only lower a
    path, so once the k-th best penalised probability beats the raw probability of the
    next path, no later path can enter the top k: the search stops and the answer is
    exact. Otherwise it stops after ``max(CANDIDATE_FACTOR x k, MIN_CANDIDATES)`` paths and
    reports ``exact=False``.

    Returns
    -------
    (paths, exact)
        Paths sorted by probability (desc), then hops, then names, then ids.
    """
    cap = max(CANDIDATE_FACTOR * k, MIN_CANDIDATES)
    found: list[Candidate] = []
    exact = True
    if target not in hops.graph or not hops.sources:
        return found, exact
    try:
        for path in nx.shortest_simple_paths(hops.graph, SOURCE, target, weight="weight"):
            nodes = tuple(path[1:])
            probability, raw, bypassed = hops.penalised(nodes)
            if raw <= 0.0:
                break
            if len(found) >= k:
                kth = sorted(c.probability for c in found)[-k]
                if kth > raw * (1 + _TIE_TOLERANCE):
                    break
                if len(found) >= cap:
                    exact = False
                    break
            found.append(Candidate(nodes, canonical(probability), canonical(raw), tuple(bypassed)))
    except nx.NetworkXNoPath:
        return [], True
    found.sort(key=lambda c: c.sort_key(names))
    return found[:k], exact


_STANCE_LABEL = {
    Stance.CHAMPION.value: N_("{name} (a champion)"),
    Stance.SUPPORTER.value: N_("{name} (a supporter)"),
    Stance.SKEPTIC.value: N_("{name} (a skeptic)"),
    Stance.OPPONENT.value: N_("{name} (an opponent)"),
}


def _who(graph: nx.MultiDiGraph, node: str, *, introducer: bool) -> str:
    name = name_of(graph, node)
    attrs = graph.nodes[node]
    if is_team(graph, node):
        title = attrs.get("title")
        if title:
            return _("{name} (our {title})").format(name=name, title=title)
        return _("{name} (our team)").format(name=name)
    if attrs.get("kind") == FORMER:
        return _("{name} (who has left)").format(name=name)
    if attrs.get("on_leave"):
        return _("{name} (on leave)").format(name=name)
    label = _STANCE_LABEL.get(str(attrs.get("stance")))
    return _(label).format(name=name) if introducer and label else name


_PHRASES = {
    HopRelation.KNOWS: N_("{who} knows {whom}"),
    HopRelation.INFLUENCES: N_("{who} influences {whom}"),
    HopRelation.INFLUENCED_BY: N_("{who} takes advice from {whom}"),
    HopRelation.REPORTS_TO: N_("{who} reports to {whom}"),
    HopRelation.MANAGES: N_("{who} manages {whom}"),
    HopRelation.DOTTED_REPORTS_TO: N_("{who} has a dotted line to {whom}"),
    HopRelation.DOTTED_MANAGES: N_("{who} is the dotted-line manager of {whom}"),
}


def _clause(graph: nx.MultiDiGraph, hops: HopGraph, u: str, v: str, first: bool) -> str:
    hop = hops.hop(u, v)
    who = _who(graph, u, introducer=not first)
    whom = name_of(graph, v)
    if hop.via is HopVia.COLD:
        return _("{who} approaches {whom} cold ({probability:.2f})").format(
            who=who, whom=whom, probability=hop.probability
        )
    text = _(_PHRASES[hop.relation]).format(who=who, whom=whom)
    if hop.relation is HopRelation.KNOWS and hop.strength is not None and hop.strength >= 0.7:
        text = _("{clause} well").format(clause=text)
    if hop.stale and hop.age_days is not None:
        text = _("{clause} (last contact {days} days ago)").format(clause=text, days=hop.age_days)
    if hop.undated:
        undated = _("{clause} (last contact unknown: counted as one half-life old, x{decay:.2f})")
        text = undated.format(clause=text, decay=hops.params.undated_decay)
    if not is_team(graph, u):
        text = _("{clause} and can introduce you").format(clause=text)
    return _("{clause} ({probability:.2f})").format(clause=text, probability=hop.probability)


def to_entry_path(graph: nx.MultiDiGraph, hops: HopGraph, candidate: Candidate) -> EntryPath:
    """Turn a path into its response model: steps, flags and a one-line explanation."""
    nodes = candidate.nodes
    steps: list[PathStep] = []
    for u, v in itertools.pairwise(nodes):
        hop = hops.hop(u, v)
        steps.append(
            PathStep(
                from_id=u,
                from_name=name_of(graph, u),
                to_id=v,
                to_name=name_of(graph, v),
                via=hop.via,
                relation=hop.relation,
                relationship_id=hop.relationship_id,
                probability=hop.probability,
                stale=hop.stale,
                undated=hop.undated,
            )
        )
    flags: set[PathFlag] = set()
    if any(s.via is HopVia.COLD for s in steps):
        flags.add(PathFlag.COLD)
    if candidate.bypassed:
        flags.add(PathFlag.BYPASSES_CONTACT)
    if any(graph.nodes[n].get("stance") == Stance.OPPONENT.value for n in nodes[1:-1]):
        flags.add(PathFlag.THROUGH_OPPONENT)
    if any(s.stale for s in steps):
        flags.add(PathFlag.STALE_TIE)
    if any(graph.nodes[n].get("kind") == FORMER for n in nodes):
        flags.add(PathFlag.FORMER_EMPLOYEE)
    if any(graph.nodes[n].get("on_leave") for n in nodes):
        flags.add(PathFlag.ON_LEAVE)

    clauses = [
        _clause(graph, hops, u, v, i == 0) for i, (u, v) in enumerate(itertools.pairwise(nodes))
    ]
    text = _("; ").join(clauses)
    if candidate.bypassed:
        names = [name_of(graph, c) for c in candidate.bypassed]
        whom = ngettext("our contact {names}", "our contacts {names}", len(names)).format(
            names=and_list(names)
        )
        text = _("{path}; this goes over the head of {whom} (risk penalty x{penalty:.2f})").format(
            path=text, whom=whom, penalty=hops.params.bypass_penalty
        )
    text = _("{path} — {chance} overall.").format(path=text, chance=percent(candidate.probability))
    return EntryPath(
        member_id=nodes[0],
        member_name=name_of(graph, nodes[0]),
        steps=steps,
        probability=candidate.probability,
        raw_probability=candidate.raw,
        hops=len(steps),
        flags=[flag for flag in PathFlag if flag in flags],
        bypassed=list(candidate.bypassed),
        explanation=text[0].upper() + text[1:],
    )


def _names(graph: nx.MultiDiGraph) -> dict[str, str]:
    return {str(n): name_of(graph, n) for n in graph}


def formal_of(ranking: InfluenceRanking) -> dict[str, float]:
    """Each person's formal authority, as the ranking computed it."""
    return {item.person_id: item.components.formal for item in ranking.items}


def resolve_target(
    graph: nx.MultiDiGraph, ranking: InfluenceRanking, target_id: str | None
) -> tuple[str | None, TargetSource | None]:
    """The target of a question and how it was chosen; every question takes one.

    A requested target wins. Otherwise, on a deal's view (``graph.graph["deal"]``,
    :func:`graph.analytics.deals.deal_graph`) the target is the deal's decision-maker: the
    committee members holding ``decision_maker`` (primary seat first, then power, name,
    id); failing those its ``economic_buyer`` holders in the same order; failing those the
    organisation's own top decision-maker. An opponent holding the role is still the target:
    the deal is won or lost with them. Without a deal, the top decision-maker.

    Raises
    ------
    UnknownNode
        ``target_id`` is not a person of this graph.

    Examples
    --------
    >>> from graph.analytics.deals import deal_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.deals import Deal, Seat
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> resolve_target(g, rank_influence(g), None)
    ('ceo', <TargetSource.TOP_DECISION_MAKER: 'top_decision_maker'>)
    >>> deal = Deal("d", "ERP", "qualification", "open",
    ...             seats=(Seat("cfo", frozenset({"economic_buyer"}), "skeptic"),))
    >>> view = deal_graph(g, deal, organisation_top="ceo")
    >>> resolve_target(view, rank_influence(view), None)
    ('cfo', <TargetSource.DEAL_ECONOMIC_BUYER: 'deal_economic_buyer'>)
    """
    if target_id is not None:
        if not is_person(graph, target_id):
            raise UnknownNode(target_id, "target_id")
        return target_id, TargetSource.REQUESTED
    deal: Deal | None = graph.graph.get("deal")
    if deal is not None:
        chosen = deal_target(deal, ranking)
        if chosen is not None:
            return chosen
        fallback = graph.graph.get("organisation_top")
        if fallback is not None and is_person(graph, fallback):
            return fallback, TargetSource.TOP_DECISION_MAKER
    top = top_decision_maker(graph, ranking)
    return top, None if top is None else TargetSource.TOP_DECISION_MAKER


def deal_target(deal: Deal, ranking: InfluenceRanking) -> tuple[str, TargetSource] | None:
    """The deal's decision-maker, else its economic buyer (see :func:`resolve_target`);
    ``None`` when its committee holds neither role."""
    order = {item.person_id: (-item.power, item.name, item.person_id) for item in ranking.items}
    for role, source in (
        ("decision_maker", TargetSource.DEAL_DECISION_MAKER),
        ("economic_buyer", TargetSource.DEAL_ECONOMIC_BUYER),
    ):
        holders = [s for s in deal.seats if role in s.roles and s.person_id in order]
        if holders:
            best = min(holders, key=lambda s: (not s.is_primary, order[s.person_id]))
            return best.person_id, source
    return None


def entry_paths(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    *,
    target_id: str | None = None,
    member_id: str | None = None,
    k: int = 5,
    include_cold: bool = True,
    as_of: date,
    params: PathParams | None = None,
) -> EntryPaths:
    r"""The ``k`` most likely chains of introductions from our team to a target.

    The probability of a path is the product of its hop probabilities (see
    :func:`graph.analytics.hops.build_hop_graph`), times ``params.bypass_penalty`` when it
    reaches a superior of an engaged contact from below or sideways around that contact
    (``bypasses_contact``; :meth:`graph.analytics.hops.HopGraph.bypassed`):

    .. math:: P(\text{path}) = \beta^{[\text{bypass}]} \prod_{(u,v)} p_{uv}

    Paths are found with Yen's k-shortest simple paths on :math:`-\ln p` from a virtual
    source joined to the chosen team members (:func:`best_paths`).

    Parameters
    ----------
    graph : nx.MultiDiGraph
        From :func:`graph.network.build_graph`.
    ranking : InfluenceRanking
        Used to pick the default target (:func:`top_decision_maker`).
    target_id : str, optional
        A person of this organisation; default the top decision-maker.
    member_id : str, optional
        Only paths starting from this team member; default the whole team.
    k : int
        How many paths, at least 1.
    include_cold : bool
        Allow cold approaches (so that a path always exists).
    as_of : date
        The day tie ages are measured at.
    params : PathParams, optional
        Hop probabilities; defaults in docs/ANALYTICS.md.

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
    >>> result = entry_paths(g, rank_influence(g), as_of=date(2026, 1, 1), k=2)
    >>> for path in result.paths:
    ...     print(f"{path.probability:.3f}", [f.value for f in path.flags])
    ...     print(*path.explanation.split("; "), sep="\n")
    0.084 []
    AM (our team) knows CFO well (last contact unknown: counted as one half-life old, x0.50) (0.40)
    CFO reports to CEO and can introduce you (0.21) — 8.4% overall.
    0.010 ['cold', 'bypasses_contact']
    AM (our team) approaches CEO cold (0.02)
    this goes over the head of our contact CFO (risk penalty x0.50) — 1.0% overall.
    """
    check_graph(graph)
    if k < 1:
        raise ValueError("k must be at least 1")
    params = PathParams() if params is None else params
    target, source = resolve_target(graph, ranking, target_id)
    if member_id is not None and not is_team(graph, member_id):
        raise UnknownNode(member_id, "member_id")
    org_id, version = graph_meta(graph)

    def answer(paths: Sequence[EntryPath], reason: str | None, exact: bool = True) -> EntryPaths:
        return EntryPaths(
            org_id=org_id,
            version=version,
            as_of=as_of,
            target_id=target,
            target_name=None if target is None else name_of(graph, target),
            target_source=source,
            member_id=member_id,
            k=k,
            include_cold=include_cold,
            exact=exact,
            params=params,
            paths=list(paths),
            reason=reason,
        )

    if target is None:
        return answer([], _("the organisation has no people yet"))
    sources = [member_id] if member_id is not None else team(graph)
    if not sources:
        return answer([], _("our team has no members"))
    hops = build_hop_graph(
        graph,
        as_of=as_of,
        params=params,
        include_cold=include_cold,
        sources=sources,
        formal=formal_of(ranking),
    )
    found, exact = best_paths(hops, target, k, _names(graph))
    if not found:
        who = name_of(graph, member_id) if member_id is not None else _("our team")
        none = (
            _("no warm path from {who} to {target}")
            if include_cold
            else _(
                "no warm path from {who} to {target}; allow cold approaches (include_cold) to "
                "get one"
            )
        )
        return answer([], none.format(who=who, target=name_of(graph, target)))
    return answer([to_entry_path(graph, hops, c) for c in found], None, exact)
