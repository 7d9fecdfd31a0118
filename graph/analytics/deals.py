"""A deal's view of an organisation: the graph analytics read when a question names a deal.

With a deal, a member of its buying committee holds the roles and stance they have *in that
deal* (and the deal's declared influence, when one is given); everyone else keeps their own
stance and holds **no** buying role (BRIEF §2, docs/ANALYTICS.md "Deals"). The deal view is
the organisation's analytics graph with those attributes rewritten, so every analytic answers
for the deal unchanged; the default target rules read ``graph.graph["deal"]``.
"""

from __future__ import annotations

from concurrent.futures import Executor
from datetime import date

import networkx as nx

from graph.analytics._common import (
    UnknownNode,
    and_list,
    canonical,
    is_person,
    name_of,
    persons,
)
from graph.analytics.hops import Engagement, TeamTie
from graph.analytics.influence import declared_level, rank_influence
from graph.deals import Deal, Seat
from graph.messages import _
from schemas.analytics import (
    DealCoverage,
    DealRole,
    DealRoleHolder,
    InfluenceRanking,
    RedFlag,
    RedFlagCode,
)
from schemas.common import BuyingRole, Stance

__all__ = ["CLOSE_DATE_NEAR_DAYS", "deal_coverage", "deal_graph", "deal_of", "deal_ranking"]


def deal_of(graph: nx.MultiDiGraph, opportunity_id: str) -> Deal:
    """The deal ``opportunity_id`` of the organisation the graph is built from.

    Raises
    ------
    UnknownNode
        The organisation has no such deal (field ``opportunity_id``).
    """
    deals: dict[str, Deal] = graph.graph.get("opportunities", {})
    if opportunity_id not in deals:
        raise UnknownNode(opportunity_id, "opportunity_id")
    return deals[opportunity_id]


def deal_graph(
    graph: nx.MultiDiGraph, deal: Deal, *, organisation_top: str | None = None
) -> nx.MultiDiGraph:
    """The organisation's graph as seen for ``deal``.

    A committee member's ``roles`` and ``stance`` become their seat's (and ``influence``
    too when the seat declares one); every other person keeps their stance and holds no
    role. The graph attribute ``deal`` is the :class:`Deal`; ``organisation_top`` (the
    organisation's own top decision-maker, the last fallback of the deal's default target)
    is kept as ``organisation_top``. The input graph is not changed.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> from graph.deals import Deal, Seat
    >>> deal = Deal("d1", "ERP", "qualification", "open",
    ...             seats=(Seat("cfo", frozenset({"economic_buyer"}), "opponent"),))
    >>> view = deal_graph(g, deal)
    >>> view.nodes["cfo"]["roles"], view.nodes["cfo"]["stance"], view.nodes["ceo"]["roles"]
    (frozenset({'economic_buyer'}), 'opponent', frozenset())
    >>> g.nodes["cfo"]["stance"] == view.nodes["cfo"]["stance"]
    False
    """
    view = graph.copy()
    view.graph["deal"] = deal
    view.graph["organisation_top"] = organisation_top
    seats = {seat.person_id: seat for seat in deal.seats}
    for person in persons(view):
        attrs = view.nodes[person]
        seat = seats.get(person)
        if seat is None:
            attrs["roles"] = frozenset()
            continue
        attrs["roles"] = seat.roles
        attrs["stance"] = seat.stance
        if seat.influence is not None:
            attrs["influence"] = seat.influence
    return view


def deal_ranking(
    view: nx.MultiDiGraph,
    organisation_ranking: InfluenceRanking,
    *,
    executor: Executor | None = None,
) -> InfluenceRanking:
    """The influence ranking of a deal's ``view``, from the organisation's own ranking.

    Power reads the reporting lines, the ties and declared influence, never roles or
    stance, so a deal whose committee declares no influence of its own ranks everyone as
    the organisation does: the organisation's ranking is reused with each person's roles
    and stance for the deal (what a bulk pipeline export needs, one ranking for many
    deals). A seat that declares another influence changes power, and the view is ranked
    afresh. Either way the answer equals ``rank_influence(view)``.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> deal = Deal("d1", "ERP", "qualification", "open",
    ...             seats=(Seat("cfo", frozenset({"economic_buyer"}), "opponent"),))
    >>> view = deal_graph(g, deal)
    >>> deal_ranking(view, rank_influence(g)) == rank_influence(view)
    True
    """
    weights = organisation_ranking.weights
    for item in organisation_ranking.items:
        if declared_level(view.nodes[item.person_id].get("influence")) != item.components.declared:
            return rank_influence(view, weights, executor=executor)
    items = []
    for item in organisation_ranking.items:
        attrs = view.nodes[item.person_id]
        held = attrs["roles"]
        roles = [role for role in _ROLE_ORDER if role.value in held] if held else []
        items.append(item.model_copy(update={"roles": roles, "stance": Stance(attrs["stance"])}))
    return organisation_ranking.model_copy(update={"items": items})


_ROLE_ORDER = tuple(BuyingRole)  # iterating the enum class is slow, and this runs per person


#: An open deal closing within this many days of the question is flagged ``close_date_near``.
CLOSE_DATE_NEAR_DAYS = 30


def deal_coverage(
    graph: nx.MultiDiGraph,
    *,
    deal: Deal,
    ties: list[TeamTie],
    holds: dict[str, Engagement],
    engaged: set[str],
    target: str | None,
    best_warm_probability: float,
    as_of: date,
    close_date_near_days: int = CLOSE_DATE_NEAR_DAYS,
) -> DealCoverage:
    """The deal's buying influences, role by role, and its red flags, most severe first.

    ``graph`` is the deal's view; ``ties``, ``holds`` and ``engaged`` are what
    :func:`graph.analytics.coverage.coverage` measured on it; ``target`` is the deal's
    default (or requested) target and ``best_warm_probability`` the best chance of reaching
    it without a cold hop. The rules and why (Miller Heiman's Blue Sheet) are in
    docs/ANALYTICS.md, "Deals".

    Examples
    --------
    >>> from graph.analytics.coverage import coverage
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.network import build_graph
    >>> from graph.samples import SnapshotBuilder
    >>> snap = (SnapshotBuilder().person("ceo").person("cfo").member("am")
    ...         .reports("cfo", "ceo").knows("am", "cfo", 0.8)
    ...         .deal("erp").seat("erp", "ceo", roles=["decision_maker"])
    ...         .seat("erp", "cfo", roles=["economic_buyer"], stance="opponent").build())
    >>> g = build_graph(snap)
    >>> view = deal_graph(g, deal_of(g, "erp"))
    >>> c = coverage(view, rank_influence(view), as_of=date(2026, 1, 1))
    >>> [flag.code.value for flag in c.deal.red_flags]
    ['economic_buyer_opponent', 'no_coach', 'single_threaded']
    """
    by_person: dict[str, TeamTie] = {}
    for tie in ties:
        if tie.person not in by_person or tie.effective > by_person[tie.person].effective:
            by_person[tie.person] = tie
    seats = [seat for seat in deal.seats if is_person(graph, seat.person_id)]
    roles = []
    for role in BuyingRole:
        holders = []
        for seat in seats:
            if role.value not in seat.roles:
                continue
            warmest = by_person.get(seat.person_id)
            holders.append(
                DealRoleHolder(
                    person_id=seat.person_id,
                    name=name_of(graph, seat.person_id),
                    stance=Stance(seat.stance),
                    best_tie=None if warmest is None else warmest.member,
                    warmth=0.0 if warmest is None else canonical(warmest.effective),
                )
            )
        roles.append(DealRole(role=role, holders=holders))
    days = None if deal.close_date is None else (deal.close_date - as_of).days
    flags = _red_flags(
        graph,
        seats,
        holds,
        engaged,
        target=target,
        reachable=best_warm_probability > 0,
        open_deal=deal.status == "open",
        days_to_close=days,
        near=close_date_near_days,
    )
    return DealCoverage(
        opportunity_id=deal.id,
        name=deal.name,
        stage=deal.stage,
        status=deal.status,
        close_date=deal.close_date,
        days_to_close=days,
        committee_size=len(seats),
        committee_engaged=sum(1 for seat in seats if seat.person_id in engaged),
        best_warm_probability=canonical(best_warm_probability),
        roles=roles,
        red_flags=flags,
    )


def _red_flags(
    graph: nx.MultiDiGraph,
    seats: list[Seat],
    holds: dict[str, Engagement],
    engaged: set[str],
    *,
    target: str | None,
    reachable: bool,
    open_deal: bool,
    days_to_close: int | None,
    near: int,
) -> list[RedFlag]:
    def names(people: list[str]) -> str:
        return and_list([name_of(graph, p) for p in people])

    flags: list[RedFlag] = []
    buyers = [s.person_id for s in seats if "economic_buyer" in s.roles]
    opposed = [p for p in buyers if graph.nodes[p]["stance"] == "opponent"]
    if opposed:
        flags.append(
            RedFlag(
                code=RedFlagCode.ECONOMIC_BUYER_OPPONENT,
                message=_("the economic buyer {names} opposes this deal").format(
                    names=names(opposed)
                ),
                person_ids=opposed,
            )
        )
    if target is not None and not reachable:
        flags.append(
            RedFlag(
                code=RedFlagCode.DECISION_MAKER_UNREACHABLE,
                message=_("no warm path reaches {name}: only a cold approach is left").format(
                    name=name_of(graph, target)
                ),
                person_ids=[target],
            )
        )
    if not buyers:
        flags.append(
            RedFlag(
                code=RedFlagCode.ECONOMIC_BUYER_UNCOVERED,
                message=_("no economic buyer is identified on the committee"),
            )
        )
    elif not any(p in holds and holds[p].strong_members for p in buyers):
        flags.append(
            RedFlag(
                code=RedFlagCode.ECONOMIC_BUYER_UNCOVERED,
                message=_("nobody on our team has a working tie with {names}").format(
                    names=names(buyers)
                ),
                person_ids=buyers,
            )
        )
    if not any("coach" in s.roles and s.stance != "opponent" for s in seats):
        flags.append(
            RedFlag(code=RedFlagCode.NO_COACH, message=_("nobody on the committee coaches us"))
        )
    covered = [s.person_id for s in seats if s.person_id in engaged]
    members = {m for p in covered for m in holds[p].strong_members}
    if len(covered) <= 1 or len(members) <= 1:
        flags.append(
            RedFlag(
                code=RedFlagCode.SINGLE_THREADED,
                message=_(
                    "single-threaded: we are engaged with {people} of {size} committee members "
                    "through {members} of our team"
                ).format(people=len(covered), size=len(seats), members=len(members)),
                person_ids=covered,
            )
        )
    if open_deal and days_to_close is not None and days_to_close <= near:
        message = (
            _("the close date passed {days} days ago and the deal is still open").format(
                days=-days_to_close
            )
            if days_to_close < 0
            else _("the deal closes in {days} days").format(days=days_to_close)
        )
        flags.append(RedFlag(code=RedFlagCode.CLOSE_DATE_NEAR, message=message))
    return flags
