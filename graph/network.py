"""Turn an :class:`~schemas.snapshot.OrgSnapshot` into the NetworkX graph analytics read.

The graph is a :class:`networkx.MultiDiGraph` whose nodes are person and team-member ids:

* node attributes: ``kind`` (``"person"``, ``"team"``, or ``"former"`` for a person who
  left, :mod:`graph.movers`), ``name``, ``title``,
  ``department``, ``seniority`` (str or None: the given seniority, else the one the title
  implies, :mod:`graph.titles`), ``seniority_inferred`` (bool), ``function`` (job function
  value or None), ``heads_organisation`` (bool: the title names the head of the whole
  organisation, e.g. CEO), ``roles`` (frozenset of role values), ``stance`` (stance value;
  ``"champion"`` for our own team), ``influence`` (int or None); for people also
  ``status``, ``left_on`` and ``on_leave`` (bool);
* edge key: the relationship id; edge attributes: ``type`` (``REPORTS_TO``,
  ``INFLUENCES`` or ``KNOWS``), ``strength`` (float or None), ``last_contact``
  (:class:`datetime.date` or None), ``channel``, ``dotted`` (bool);
* graph attributes: ``tenant``, ``org_id``, ``org_name``, ``version``,
  ``affiliations`` (the AFFILIATED_WITH ties, which point at organisations, not people) and
  ``opportunities`` (deal id to :class:`graph.deals.Deal`, committee seats included; the
  view of one deal is :func:`graph.deals.deal_graph`).

A Person--Person ``KNOWS`` tie is stored once, in the direction it was entered; it is
symmetric and analytics must read it both ways.
"""

from __future__ import annotations

from datetime import date

import networkx as nx

from graph.deals import Deal, Seat
from graph.movers import apply_movers
from schemas.common import PersonStatus, RelType
from schemas.snapshot import OrgSnapshot

__all__ = ["PERSON", "TEAM", "build_graph"]

PERSON = "person"
TEAM = "team"


def build_graph(snapshot: OrgSnapshot, *, as_of: date | None = None) -> nx.MultiDiGraph:
    """Build the analytics graph of one organisation as it stands on ``as_of`` (default:
    everyone marked left has gone): :func:`graph.movers.apply_movers` is applied.

    Examples
    --------
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> sorted(g.nodes[n]["kind"] for n in g)
    ['person', 'person', 'team']
    """
    graph = nx.MultiDiGraph(
        tenant=snapshot.organisation.tenant,
        org_id=snapshot.organisation.id,
        org_name=snapshot.organisation.name,
        version=snapshot.organisation.version,
        affiliations=[],
        opportunities=_deals(snapshot),
        created_on=snapshot.organisation.created_at.date(),
    )
    for person in snapshot.people:
        reading = person.reading
        graph.add_node(
            person.id,
            kind=PERSON,
            name=person.name,
            title=person.title,
            department=person.department,
            seniority=reading.seniority.value if reading.seniority else None,
            seniority_inferred=reading.seniority_inferred,
            function=reading.function.value if reading.function else None,
            heads_organisation=reading.heads_organisation,
            roles=frozenset(role.value for role in person.roles),
            stance=person.stance.value,
            influence=person.influence,
            status=person.status.value,
            left_on=person.left_on,
            on_leave=person.status is PersonStatus.ON_LEAVE,
            created_on=person.created_at.date(),
        )
    for member in snapshot.team:
        graph.add_node(
            member.id,
            kind=TEAM,
            name=member.name,
            title=member.title,
            department=None,
            seniority=member.seniority.value if member.seniority else None,
            seniority_inferred=False,
            function=None,
            heads_organisation=False,
            roles=frozenset(),
            stance="champion",
            influence=None,
        )
    for rel in snapshot.relationships:
        if rel.type is RelType.AFFILIATED_WITH:
            graph.graph["affiliations"].append(
                {"person_id": rel.source_id, "org_id": rel.target_id, "role": rel.role}
            )
            continue
        if rel.source_id not in graph or rel.target_id not in graph:
            continue
        graph.add_edge(
            rel.source_id,
            rel.target_id,
            key=rel.id,
            type=rel.type.value,
            strength=rel.strength,
            last_contact=rel.last_contact,
            channel=rel.channel,
            dotted=rel.dotted,
            created_on=rel.created_at.date(),
        )
    apply_movers(graph, as_of)
    return graph


def _deals(snapshot: OrgSnapshot) -> dict[str, Deal]:
    seats: dict[str, list[Seat]] = {}
    for seat in sorted(snapshot.committee, key=lambda s: s.person_id):
        seats.setdefault(seat.opportunity_id, []).append(
            Seat(
                seat.person_id,
                frozenset(role.value for role in seat.roles),
                seat.stance.value,
                seat.influence,
                seat.is_primary,
            )
        )
    return {
        opp.id: Deal(
            opp.id,
            opp.name,
            opp.stage.value,
            opp.status.value,
            opp.close_date,
            opp.trigger.value if opp.trigger else None,
            opp.owner_id,
            opp.amount,
            opp.currency,
            tuple(seats.get(opp.id, ())),
            opp.external_id,
        )
        for opp in snapshot.opportunities
    }
