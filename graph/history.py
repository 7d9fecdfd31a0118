"""History: the organisation as it stood on a past day, and what changed since a moment.

Every write records the versions it makes in the same transaction
(:class:`graph.repositories.History`): each version of an organisation, person, team member,
tie, deal or seat is valid from the write that made it until the one that replaced or
deleted it. This module is pure: it turns the versions in force at a moment back into an
:class:`~schemas.snapshot.OrgSnapshot` (the same one the store answered then, so every
analytics answer can be asked ``as_of`` a day), and versions opened or closed into the
change items of ``GET …/changes`` (docs/ANALYTICS.md, §14).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from graph.errors import NotFound
from graph.messages import _
from graph.records import (
    opportunity_from,
    organisation_from,
    person_from,
    relationship_from,
    seat_from,
    team_member_from,
)
from graph.repositories import valid_time
from schemas.history import Change, ChangeKind
from schemas.snapshot import OrgSnapshot

__all__ = [
    "change_items",
    "end_of_day",
    "faded_ties",
    "parse_valid_time",
    "snapshot_from_versions",
]

Row = dict[str, Any]


def end_of_day(day: date) -> str:
    """The moment a day ends (UTC), as history keeps time: what was in force then is the
    map "as it stood at the end of that day".

    >>> end_of_day(date(2026, 3, 1))
    '2026-03-02T00:00:00.000Z'
    """
    return valid_time(datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC))


def snapshot_from_versions(versions: Iterable[tuple[str, Mapping[str, Any]]]) -> OrgSnapshot:
    """The organisation's snapshot from the versions in force at one moment, sorted as
    :func:`graph.repositories.snapshot` sorts the stored one (so both serialise alike).

    Raises :class:`~graph.errors.NotFound` when the organisation did not exist then.
    """
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for kind, state in versions:
        by_kind.setdefault(kind, []).append(state)
    organisations = by_kind.get("organisation", [])
    if not organisations:
        raise NotFound(_("organisation on that day"))
    return OrgSnapshot(
        organisation=organisation_from(organisations[0]),
        people=sorted((person_from(p) for p in by_kind.get("person", [])), key=lambda p: p.id),
        team=sorted((team_member_from(t) for t in by_kind.get("team", [])), key=lambda t: t.id),
        relationships=sorted(
            (relationship_from(r) for r in by_kind.get("relationship", [])), key=lambda r: r.id
        ),
        opportunities=sorted(
            (opportunity_from(d) for d in by_kind.get("opportunity", [])), key=lambda d: d.id
        ),
        committee=sorted(
            (seat_from(s) for s in by_kind.get("seat", [])),
            key=lambda s: (s.opportunity_id, s.person_id),
        ),
    )


# --- the changes feed ---------------------------------------------------------------------

#: A person's fields whose change is an item of its own; the rest are "updated".
_PERSON_OWN = ("status", "left_on", "stance", "title", "roles")
_BOOKKEEPING = frozenset({"id", "tenant", "created_at", "updated_at", "version", "org_id"})


def parse_valid_time(text: str) -> datetime:
    """A history moment back as a datetime.

    >>> parse_valid_time("2026-03-01T09:30:00.250Z").isoformat()
    '2026-03-01T09:30:00.250000+00:00'
    """
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _differs(before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]) -> Row:
    return {f: after.get(f) for f in fields if before.get(f) != after.get(f)}


def _fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    keys = (set(before) | set(after)) - _BOOKKEEPING
    return sorted(k for k in keys if before.get(k) != after.get(k))


class _Feed:
    """Change items of one history row, named with ``names`` (id -> name)."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def name(self, node_id: str | None) -> str:
        return self.names.get(node_id or "", node_id or "?")

    def items(self, row: Mapping[str, Any]) -> list[Change]:
        at = parse_valid_time(row["at"])
        before, after = row.get("before"), row.get("after")
        kind = row["kind"]
        if kind == "person":
            return self.person(at, before, after)
        if kind == "relationship":
            return self.tie(at, before, after)
        if kind == "opportunity":
            return self.deal(at, before, after)
        if kind == "seat":
            return self.seat(at, before, after)
        return []

    def person(self, at: datetime, before: Row | None, after: Row | None) -> list[Change]:
        if after is None:
            assert before is not None
            return [
                self._item(
                    at,
                    ChangeKind.REMOVED,
                    before,
                    None,
                    before["id"],
                    _("{name} was removed from the map"),
                    name=before["name"],
                )
            ]
        pid, name = after["id"], after["name"]
        if before is None:
            title = after.get("title")
            text = _("{name} joined as {title}") if title else _("{name} joined")
            return [
                self._item(
                    at,
                    ChangeKind.JOINED,
                    None,
                    _pick(after, ("name", "title")),
                    pid,
                    text,
                    name=name,
                    title=title,
                )
            ]
        out: list[Change] = []
        was, now = before.get("status"), after.get("status")
        if was != now or before.get("left_on") != after.get("left_on"):
            out.append(self._status(at, before, after))
        if before.get("stance") != after.get("stance"):
            out.append(
                self._item(
                    at,
                    ChangeKind.STANCE_CHANGED,
                    _pick(before, ("stance",)),
                    _pick(after, ("stance",)),
                    pid,
                    _("{name} went from {was} to {now}"),
                    name=name,
                    was=before.get("stance"),
                    now=after.get("stance"),
                )
            )
        if before.get("title") != after.get("title"):
            out.append(
                self._item(
                    at,
                    ChangeKind.TITLE_CHANGED,
                    _pick(before, ("title",)),
                    _pick(after, ("title",)),
                    pid,
                    _("{name} is now {title}"),
                    name=name,
                    title=after.get("title") or "-",
                )
            )
        if sorted(before.get("roles") or []) != sorted(after.get("roles") or []):
            out.append(
                self._item(
                    at,
                    ChangeKind.ROLES_CHANGED,
                    _pick(before, ("roles",)),
                    _pick(after, ("roles",)),
                    pid,
                    _("{name}'s buying roles changed"),
                    name=name,
                )
            )
        rest = [f for f in _fields(before, after) if f not in _PERSON_OWN]
        if rest:
            out.append(
                self._item(
                    at,
                    ChangeKind.PERSON_UPDATED,
                    _pick(before, rest),
                    _pick(after, rest),
                    pid,
                    _("{name}'s details changed"),
                    name=name,
                )
            )
        return out

    def _status(self, at: datetime, before: Row, after: Row) -> Change:
        pid, name, now = after["id"], after["name"], after.get("status")
        left_on = after.get("left_on")
        fields = ("status", "left_on")
        if now == "left":
            if left_on is not None and date.fromisoformat(str(left_on)) > at.date():
                return self._item(
                    at,
                    ChangeKind.LEAVING_ANNOUNCED,
                    _pick(before, fields),
                    _pick(after, fields),
                    pid,
                    _("{name} leaves on {day}"),
                    name=name,
                    day=left_on,
                )
            return self._item(
                at,
                ChangeKind.LEFT,
                _pick(before, fields),
                _pick(after, fields),
                pid,
                _("{name} left"),
                name=name,
            )
        if now == "on_leave":
            return self._item(
                at,
                ChangeKind.ON_LEAVE,
                _pick(before, fields),
                _pick(after, fields),
                pid,
                _("{name} is on leave"),
                name=name,
            )
        return self._item(
            at,
            ChangeKind.RETURNED,
            _pick(before, fields),
            _pick(after, fields),
            pid,
            _("{name} is back"),
            name=name,
        )

    def tie(self, at: datetime, before: Row | None, after: Row | None) -> list[Change]:
        state = after if after is not None else before
        assert state is not None
        solid = state.get("type") == "REPORTS_TO" and not state.get("dotted")
        source, target = state["source_id"], state["target_id"]
        names = {
            "source": self.name(source),
            "target": self.name(target),
            "type": state.get("type"),
        }
        shown = ("type", "source_id", "target_id", "strength", "last_contact", "dotted")
        if before is None:
            if solid:
                return [
                    self._tie(
                        at,
                        ChangeKind.NEW_MANAGER,
                        None,
                        {"manager_id": target},
                        state,
                        source,
                        _("{source} now reports to {target}"),
                        names,
                    )
                ]
            return [
                self._tie(
                    at,
                    ChangeKind.TIE_CREATED,
                    None,
                    _pick(state, shown),
                    state,
                    target,
                    _("new {type} tie: {source} → {target}"),
                    names,
                )
            ]
        if after is None:
            if solid:
                return [
                    self._tie(
                        at,
                        ChangeKind.MANAGER_REMOVED,
                        {"manager_id": target},
                        None,
                        state,
                        source,
                        _("{source} no longer reports to {target}"),
                        names,
                    )
                ]
            return [
                self._tie(
                    at,
                    ChangeKind.TIE_REMOVED,
                    _pick(state, shown),
                    None,
                    state,
                    target,
                    _("{type} tie removed: {source} → {target}"),
                    names,
                )
            ]
        changed = _fields(before, after)
        if not changed:
            return []
        return [
            self._tie(
                at,
                ChangeKind.TIE_UPDATED,
                _pick(before, changed),
                _pick(after, changed),
                state,
                target,
                _("{type} tie {source} → {target}: {fields} changed"),
                {**names, "fields": ", ".join(changed)},
            )
        ]

    def deal(self, at: datetime, before: Row | None, after: Row | None) -> list[Change]:
        state = after if after is not None else before
        assert state is not None
        names = {"deal": state.get("name", "?")}
        base = {"opportunity_id": state["id"]}
        if before is None:
            return [
                Change(
                    at=at,
                    kind=ChangeKind.DEAL_CREATED,
                    after=_pick(state, ("name", "stage")),
                    message=_("deal {deal} opened").format(**names),
                    **base,
                )
            ]
        if after is None:
            return [
                Change(
                    at=at,
                    kind=ChangeKind.DEAL_REMOVED,
                    before=_pick(state, ("name",)),
                    message=_("deal {deal} removed").format(**names),
                    **base,
                )
            ]
        changed = _fields(before, after)
        if not changed:
            return []
        return [
            Change(
                at=at,
                kind=ChangeKind.DEAL_CHANGED,
                before=_pick(before, changed),
                after=_pick(after, changed),
                message=_("deal {deal} changed").format(**names),
                **base,
            )
        ]

    def seat(self, at: datetime, before: Row | None, after: Row | None) -> list[Change]:
        state = after if after is not None else before
        assert state is not None
        shown = ("roles", "stance", "is_primary")
        names = {"name": self.name(state["person_id"])}
        base = {"opportunity_id": state["opportunity_id"], "person_id": state["person_id"]}
        if before is None:
            return [
                Change(
                    at=at,
                    kind=ChangeKind.COMMITTEE_JOINED,
                    after=_pick(state, shown),
                    message=_("{name} joined a deal's buying committee").format(**names),
                    **base,
                )
            ]
        if after is None:
            return [
                Change(
                    at=at,
                    kind=ChangeKind.COMMITTEE_LEFT,
                    before=_pick(state, shown),
                    message=_("{name} left a deal's buying committee").format(**names),
                    **base,
                )
            ]
        changed = [f for f in _fields(before, after) if f in shown]
        if not changed:
            return []
        return [
            Change(
                at=at,
                kind=ChangeKind.COMMITTEE_CHANGED,
                before=_pick(before, changed),
                after=_pick(after, changed),
                message=_("{name}'s place on a deal's committee changed").format(**names),
                **base,
            )
        ]

    @staticmethod
    def _item(
        at: datetime,
        kind: ChangeKind,
        before: Row | None,
        after: Row | None,
        person_id: str,
        text: str,
        **names: Any,
    ) -> Change:
        return Change(
            at=at,
            kind=kind,
            person_id=person_id,
            before=before,
            after=after,
            message=text.format(**names),
        )

    @staticmethod
    def _tie(
        at: datetime,
        kind: ChangeKind,
        before: Row | None,
        after: Row | None,
        state: Row,
        person_id: str,
        text: str,
        names: Mapping[str, Any],
    ) -> Change:
        return Change(
            at=at,
            kind=kind,
            person_id=person_id,
            relationship_id=state["id"],
            before=before,
            after=after,
            message=text.format(**names),
        )


def _pick(row: Mapping[str, Any], fields: Iterable[str]) -> Row:
    return {f: row.get(f) for f in fields}


def change_items(rows: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> list[Change]:
    """The change items of history rows (versions opened, with the one they replaced, and
    versions closed without a successor), in their order.

    >>> rows = [{"at": "2026-03-01T09:00:00.000Z", "kind": "person", "before": None,
    ...          "after": {"id": "p", "name": "Ada", "title": "CFO"}}]
    >>> [(c.kind.value, c.message) for c in change_items(rows, {})]
    [('joined', 'Ada joined as CFO')]
    """
    feed = _Feed(names)
    return [item for row in rows for item in feed.items(row)]


def faded_ties(
    snapshot: OrgSnapshot, *, start: datetime, end: datetime, stale_after_days: int = 90
) -> list[Change]:
    """Time-driven items: team ties whose last contact is ``stale_after_days`` old within
    ``[start, end)`` (the day after which the advice calls them stale), as ``tie_faded``."""
    names = {p.id: p.name for p in snapshot.people} | {m.id: m.name for m in snapshot.team}
    team = {m.id for m in snapshot.team}
    out = []
    for tie in snapshot.relationships:
        if tie.type != "KNOWS" or tie.source_id not in team or tie.last_contact is None:
            continue
        faded = datetime.combine(
            tie.last_contact + timedelta(days=stale_after_days + 1), time(), tzinfo=UTC
        )
        if start <= faded < end:
            out.append(
                Change(
                    at=faded,
                    kind=ChangeKind.TIE_FADED,
                    person_id=tie.target_id,
                    relationship_id=tie.id,
                    before={"last_contact": tie.last_contact.isoformat()},
                    message=_(
                        "{member}'s tie to {person} went stale (no contact since {day})"
                    ).format(
                        member=names.get(tie.source_id, "?"),
                        person=names.get(tie.target_id, "?"),
                        day=tie.last_contact.isoformat(),
                    ),
                )
            )
    return sorted(out, key=lambda c: (c.at, c.relationship_id or ""))
