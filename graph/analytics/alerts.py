"""Alerts of one organisation: what its account team should act on, and by when.

Pure over the analytics graph (:func:`graph.network.build_graph`, people who left already
applied) and its influence ranking. Every rule and threshold is in docs/ANALYTICS.md, §13.

* ``tie_going_stale`` / ``tie_went_stale`` — a team member's KNOWS tie to a **key person**
  crosses the stale line (the advice's ``stale_after_days``) within the window ahead, or did
  within the window behind. Ties to other people never raise an alert.
* ``champion_left`` — a champion or coach leaves (announced) or left within the window.
* ``new_top_person`` — someone is at the top of a reporting tree who was not before: created
  within the window (after the account's first day: its first load is not news), or their
  solid manager left within it.
* ``opponent_promoted`` — an opponent gained solid reports within the window, or moved up a
  level because their manager left within it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import networkx as nx

from graph.analytics._common import name_of
from graph.messages import _
from graph.movers import FORMER
from graph.network import PERSON, TEAM
from schemas.alerts import Alert, AlertKind
from schemas.analytics import InfluenceRanking
from schemas.common import RelType, Stance

__all__ = ["KEY_POWER", "KEY_RANK", "account_alerts", "key_people"]

#: A person ranked this high or higher is key, whatever their role.
KEY_RANK = 5
#: A person with at least this power (0..1 within the organisation) is key.
KEY_POWER = 0.5
#: Buying roles that make a person who leaves a loss to warn about.
_ALLY_ROLES = frozenset({"coach"})
_REPORTS_TO = RelType.REPORTS_TO.value
_KNOWS = RelType.KNOWS.value


def key_people(graph: nx.MultiDiGraph, ranking: InfluenceRanking) -> set[str]:
    """People whose ties must not go cold: ranked in the top :data:`KEY_RANK`, with power
    at least :data:`KEY_POWER`, holding a buying role, or on an open deal's committee.

    >>> from graph.analytics.influence import rank_influence
    >>> from graph.network import build_graph
    >>> from graph.samples import tiny_snapshot
    >>> graph = build_graph(tiny_snapshot())
    >>> sorted(key_people(graph, rank_influence(graph)))
    ['ceo', 'cfo']
    """
    key = {
        item.person_id for item in ranking.items if item.rank <= KEY_RANK or item.power >= KEY_POWER
    }
    key |= {p for p, roles in graph.nodes(data="roles") if roles}
    for deal in graph.graph.get("opportunities", {}).values():
        if deal.status == "open":
            key |= {seat.person_id for seat in deal.seats}
    return {p for p in key if p in graph and graph.nodes[p].get("kind") == PERSON}


def account_alerts(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    *,
    as_of: date,
    within_days: int,
    stale_after_days: int = 90,
) -> list[Alert]:
    """The organisation's alerts due within ``within_days`` either side of ``as_of``.

    Parameters
    ----------
    graph
        The organisation's analytics graph as of ``as_of``.
    ranking
        Its influence ranking (who is key).
    as_of
        Today.
    within_days
        How far ahead (and back) to look.
    stale_after_days
        The advice's stale line: a tie older than this is stale.

    Returns
    -------
    list of Alert
        Soonest first (then by kind and person, so the order is stable).
    """
    org_id = str(graph.graph["org_id"])
    start, end = as_of - timedelta(days=within_days), as_of + timedelta(days=within_days)
    # What the account's first load brought is not news: "new" starts the day after it.
    known_since = graph.graph.get("created_on")
    if known_since is not None:
        start_of_news = max(start, known_since + timedelta(days=1))
    else:
        start_of_news = start
    alerts = [
        *_stale_ties(graph, ranking, org_id, as_of, start, end, stale_after_days),
        *_allies_leaving(graph, org_id, as_of, start, end),
        *_new_tops(graph, org_id, start, start_of_news, as_of),
        *_opponents_up(graph, org_id, start, start_of_news, as_of),
    ]
    return sorted(alerts, key=lambda a: (a.due_on, a.kind.value, a.person_id, a.member_id or ""))


def _stale_ties(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    org_id: str,
    as_of: date,
    start: date,
    end: date,
    stale_after_days: int,
) -> Iterator[Alert]:
    key = key_people(graph, ranking)
    for member, person, rel_id, data in graph.edges(keys=True, data=True):
        last = data.get("last_contact")
        if data["type"] != _KNOWS or person not in key or last is None:
            continue
        if graph.nodes[member].get("kind") != TEAM:
            continue
        stale_on = last + timedelta(days=stale_after_days + 1)
        if not start <= stale_on <= end:
            continue
        going = stale_on >= as_of
        names = {
            "member": name_of(graph, member),
            "person": name_of(graph, person),
            "day": stale_on.isoformat(),
            "last": last.isoformat(),
        }
        message = (
            _(
                "{member}'s tie to {person} goes stale on {day} (last contact {last}): get in "
                "touch before then"
            ).format(**names)
            if going
            else _(
                "{member}'s tie to {person} went stale on {day} (last contact {last}): renew it"
            ).format(**names)
        )
        yield Alert(
            kind=AlertKind.TIE_GOING_STALE if going else AlertKind.TIE_WENT_STALE,
            org_id=org_id,
            person_id=person,
            member_id=member,
            relationship_id=rel_id,
            due_on=stale_on,
            message=message,
        )


def _closest_member(graph: nx.MultiDiGraph, person: str) -> str | None:
    """The team member with the strongest KNOWS tie to ``person`` (then the most recent)."""
    ties = [
        (data.get("strength") or 0.0, data.get("last_contact") or date.min, member)
        for member, _p, data in graph.in_edges(person, data=True)
        if data["type"] == _KNOWS and graph.nodes[member].get("kind") == TEAM
    ]
    return max(ties)[2] if ties else None


def _allies_leaving(
    graph: nx.MultiDiGraph, org_id: str, as_of: date, start: date, end: date
) -> Iterator[Alert]:
    for person, attrs in graph.nodes(data=True):
        left_on = attrs.get("left_on")
        if attrs.get("status") != "left" or left_on is None or not start <= left_on <= end:
            continue
        roles = attrs.get("held_roles", attrs.get("roles", frozenset()))
        if attrs.get("stance") != Stance.CHAMPION.value and not roles & _ALLY_ROLES:
            continue
        member = _closest_member(graph, person)
        names = {"person": name_of(graph, person), "day": left_on.isoformat()}
        if member is not None:
            names["member"] = name_of(graph, member)
            message = (
                _(
                    "{person}, an ally, leaves on {day}: {member} should ask them who takes "
                    "over and to introduce the successor before then"
                ).format(**names)
                if left_on > as_of
                else _(
                    "{person}, an ally, left on {day}: {member} should ask them who took "
                    "over, and find a new champion"
                ).format(**names)
            )
        else:
            message = (
                _("{person}, an ally, leaves on {day}: find a new champion").format(**names)
                if left_on > as_of
                else _("{person}, an ally, left on {day}: find a new champion").format(**names)
            )
        yield Alert(
            kind=AlertKind.CHAMPION_LEFT,
            org_id=org_id,
            person_id=person,
            member_id=member,
            due_on=left_on,
            message=message,
        )


def _solid_manager(graph: nx.MultiDiGraph, person: str) -> str | None:
    for _p, manager, data in graph.out_edges(person, data=True):
        if data["type"] == _REPORTS_TO and not data.get("dotted"):
            return str(manager)
    return None


def _solid_reports(graph: nx.MultiDiGraph, person: str) -> list[tuple[str, date | None]]:
    return [
        (report, data.get("created_on"))
        for report, _p, data in graph.in_edges(person, data=True)
        if data["type"] == _REPORTS_TO and not data.get("dotted")
    ]


def _moved_up(graph: nx.MultiDiGraph, start: date, as_of: date) -> dict[str, tuple[str, date]]:
    """People whose solid manager left within the window: person -> (leaver, day)."""
    moved: dict[str, tuple[str, date]] = {}
    for leaver, attrs in graph.nodes(data=True):
        left_on = attrs.get("left_on")
        if attrs.get("kind") != FORMER or left_on is None or not start <= left_on <= as_of:
            continue
        for report in attrs.get("former_reports", ()):
            moved[report] = (leaver, left_on)
    return moved


def _new_tops(
    graph: nx.MultiDiGraph, org_id: str, start: date, start_of_news: date, as_of: date
) -> Iterator[Alert]:
    moved = _moved_up(graph, start, as_of)
    for person, attrs in graph.nodes(data=True):
        if attrs.get("kind") != PERSON or _solid_manager(graph, person) is not None:
            continue
        reports = _solid_reports(graph, person)
        if not reports:
            continue
        created = attrs.get("created_on")
        names = {"person": name_of(graph, person), "count": len(reports)}
        if person in moved:
            leaver, day = moved[person]
            names["leaver"] = name_of(graph, leaver)
            message = _(
                "{person} is now at the top of {leaver}'s former line ({count} reporting): "
                "map their priorities and who they listen to"
            ).format(**names)
        elif created is not None and start_of_news <= created <= as_of:
            day = created
            message = _(
                "{person} is new at the top of a reporting line ({count} reporting): map "
                "their priorities and who they listen to"
            ).format(**names)
        else:
            continue
        yield Alert(
            kind=AlertKind.NEW_TOP_PERSON,
            org_id=org_id,
            person_id=person,
            member_id=_closest_member(graph, person),
            due_on=day,
            message=message,
        )


def _opponents_up(
    graph: nx.MultiDiGraph, org_id: str, start: date, start_of_news: date, as_of: date
) -> Iterator[Alert]:
    moved = _moved_up(graph, start, as_of)
    for person, attrs in graph.nodes(data=True):
        if attrs.get("kind") != PERSON or attrs.get("stance") != Stance.OPPONENT.value:
            continue
        new_reports = sorted(
            day
            for _r, day in _solid_reports(graph, person)
            if day and start_of_news <= day <= as_of
        )
        names = {"person": name_of(graph, person)}
        if person in moved:
            day = moved[person][1]
            manager = _solid_manager(graph, person)
            names["manager"] = name_of(graph, manager) if manager else _("nobody")
            message = _(
                "{person}, an opponent, moved up a level (now reports to {manager}): their "
                "objections now carry further"
            ).format(**names)
        elif new_reports:
            day = new_reports[-1]
            names["count"] = str(len(new_reports))
            message = _(
                "{person}, an opponent, gained {count} reports: their objections now carry further"
            ).format(**names)
        else:
            continue
        yield Alert(
            kind=AlertKind.OPPONENT_PROMOTED,
            org_id=org_id,
            person_id=person,
            member_id=_closest_member(graph, person),
            due_on=day,
            message=message,
        )
