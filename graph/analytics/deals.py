"""A deal's view of an organisation: the graph analytics read when a question names a deal.

With a deal, a member of its buying committee holds the roles and stance they have *in that
deal* (and the deal's declared influence, when one is given); everyone else keeps their own
stance and holds **no** buying role (BRIEF §2, docs/ANALYTICS.md "Deals"). The deal view is
the organisation's analytics graph with those attributes rewritten, so every analytic answers
for the deal unchanged; the default target rules read ``graph.graph["deal"]``.
"""

from __future__ import annotations

import networkx as nx

from graph.analytics._common import UnknownNode, persons
from graph.deals import Deal

__all__ = ["deal_graph", "deal_of"]


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
