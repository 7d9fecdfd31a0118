"""Decision-makers: the tops of the reporting tree and the holders of decision roles."""

from __future__ import annotations

import networkx as nx

from graph.analytics._common import check_graph, graph_meta
from graph.analytics.influence import hierarchy
from graph.messages import _, ngettext
from schemas.analytics import DecisionMaker, DecisionMakers, InfluenceItem, InfluenceRanking
from schemas.common import DECISION_ROLES, BuyingRole, Seniority

__all__ = ["find_decision_makers", "top_decision_maker"]


def _titled(graph: nx.MultiDiGraph, person: str, title: str) -> str:
    node = graph.nodes[person]
    if node.get("seniority_inferred"):
        return _("titled {title} (seniority {seniority}, inferred from the title)").format(
            title=title, seniority=node.get("seniority")
        )
    return _("titled {title}").format(title=title)


def _listed(
    item: InfluenceItem,
    reasons: list[str],
    *,
    under: int,
    top: bool = False,
    roles: list[BuyingRole] | None = None,
    inferred: bool = False,
) -> DecisionMaker:
    return DecisionMaker(
        person_id=item.person_id,
        name=item.name,
        title=item.title,
        roles=item.roles,
        stance=item.stance,
        rank=item.rank,
        power=item.power,
        top_of_hierarchy=top,
        reports_under=under,
        decision_roles=roles or [],
        inferred=inferred,
        reasons=reasons,
    )


def _executives(
    graph: nx.MultiDiGraph, ranking: InfluenceRanking, under: dict[str, int]
) -> list[DecisionMaker]:
    """Executives by seniority (given or read from the title), in ranking order."""
    found: list[DecisionMaker] = []
    for item in ranking.items:
        if graph.nodes[item.person_id].get("seniority") != Seniority.EXECUTIVE.value:
            continue
        why = _titled(graph, item.person_id, item.title) if item.title else _("seniority executive")
        reasons = [_("{why}; no reporting tree or decision role is recorded").format(why=why)]
        found.append(_listed(item, reasons, under=under.get(item.person_id, 0), inferred=True))
    return found


def find_decision_makers(graph: nx.MultiDiGraph, ranking: InfluenceRanking) -> DecisionMakers:
    """List who can sign off the purchase, most powerful first.

    A person is listed when they are the top of a solid reporting tree (no solid manager,
    at least one solid report) or hold a role in ``schemas.common.DECISION_ROLES``
    (``decision_maker``, ``economic_buyer``, ``executive_sponsor``). When nobody qualifies,
    the executives (given seniority, else the one their title implies: graph.titles) are
    listed with ``inferred=True``; with no executive either, the most powerful person is,
    so that an account with no recorded structure still has a default target. Roles the
    title only suggests never count. A person with a title gets the reason "titled ...".
    The order is the ranking's (power, then name, then id).

    Parameters
    ----------
    graph : nx.MultiDiGraph
        From :func:`graph.network.build_graph`.
    ranking : InfluenceRanking
        :func:`graph.analytics.influence.rank_influence` of the same graph.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> for dm in find_decision_makers(g, rank_influence(g)).items:
    ...     print(dm.person_id, dm.reasons)
    ceo ['top of the reporting tree (1 person reports up to them)', 'holds the decision_maker role']
    cfo ['holds the economic_buyer role']
    >>> from graph.samples import SnapshotBuilder
    >>> b = SnapshotBuilder().person("ada", title="Chief Financial Officer")
    >>> g = build_graph(b.person("bo", title="Intern").build())
    >>> for dm in find_decision_makers(g, rank_influence(g)).items:
    ...     print(dm.person_id, dm.inferred, *dm.reasons[0].split("; "), sep=chr(10))
    ada
    True
    titled Chief Financial Officer (seniority executive, inferred from the title)
    no reporting tree or decision role is recorded
    """
    check_graph(graph)
    tree = hierarchy(graph)
    items: list[DecisionMaker] = []
    for item in ranking.items:
        top = tree.is_top(item.person_id)
        roles = [role for role in item.roles if role in DECISION_ROLES]
        if not (top or roles):
            continue
        reasons: list[str] = []
        under = tree.under.get(item.person_id, 0)
        if top:
            reasons.append(
                ngettext(
                    "top of the reporting tree ({count} person reports up to them)",
                    "top of the reporting tree ({count} people report up to them)",
                    under,
                ).format(count=under)
            )
        reasons.extend(_("holds the {role} role").format(role=role.value) for role in roles)
        if item.title:
            reasons.append(_titled(graph, item.person_id, item.title))
        items.append(_listed(item, reasons, under=under, top=top, roles=roles))
    if not items:
        items = _executives(graph, ranking, tree.under)
    if not items and ranking.items:
        best = ranking.items[0]
        reasons = [
            _(
                "most powerful person (power {power:.2f}); no reporting tree or decision role "
                "is recorded"
            ).format(power=best.power)
        ]
        items.append(_listed(best, reasons, under=tree.under.get(best.person_id, 0), inferred=True))
    org_id, version = graph_meta(graph)
    return DecisionMakers(org_id=org_id, version=version, items=items)


def top_decision_maker(graph: nx.MultiDiGraph, ranking: InfluenceRanking) -> str | None:
    """The id of the most powerful decision-maker (the default entry-path target).

    Ties follow the ranking (power, then name, then id). ``None`` only when the
    organisation has no people.

    Examples
    --------
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> top_decision_maker(g, rank_influence(g))
    'ceo'
    """
    found = find_decision_makers(graph, ranking).items
    return found[0].person_id if found else None
