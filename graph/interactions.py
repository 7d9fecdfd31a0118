"""What logging an interaction does to the ties it touches: the depth model, pure.

A tie's **derived strength** comes from the *depth* of the pair's interaction history —
how often they met (frequency), for how long the relationship has run (duration) and
whether it goes both ways (reciprocity) — never from how recent the last contact was: the
advice's decay already counts recency from ``last_contact`` (docs/ANALYTICS.md,
"Interactions"), and counting it twice would punish a quiet month twice.

Each contact adds depth by a noisy-or (a second meeting adds less than the first), and
duration and reciprocity set how far depth may go: many meetings in one week stay an
acquaintance, a year of two-way contact can make a strong tie.

>>> from datetime import date
>>> derived_strength([Contact(date(2026, 1, 5), InteractionKind.MEETING, attendees=2)])
0.5
>>> monthly = [Contact(date(2025, m, 1), InteractionKind.MEETING, 2) for m in range(1, 13)]
>>> derived_strength(monthly)
0.983
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from schemas.common import StrengthSource
from schemas.interactions import InitiatedBy, InteractionKind, Sentiment, TieTouched

__all__ = [
    "EVENT_NEW_TIE_LIMIT",
    "KIND_DEPTH",
    "Contact",
    "TiePlan",
    "contact_depth",
    "creates_ties",
    "derived_strength",
    "plan_ties",
    "strength_cleared",
    "touched",
    "with_strength_source",
]

Row = dict[str, Any]

#: Depth one contact of each kind adds between two people, one to one. It is also the
#: starting strength of a tie an interaction creates.
KIND_DEPTH: Mapping[InteractionKind, float] = {
    InteractionKind.MEETING: 0.5,
    InteractionKind.CALL: 0.4,
    InteractionKind.MESSAGE: 0.25,
    InteractionKind.EMAIL: 0.2,
    InteractionKind.EVENT: 0.15,
}
#: Kinds that are a conversation whoever started it.
TWO_WAY_KINDS = frozenset({InteractionKind.MEETING, InteractionKind.CALL})
#: Up to this many participants a contact counts fully; above, its depth falls with the
#: square root of the group (a word at a 16-person workshop is half a one-to-one).
SMALL_GROUP = 4
#: A contact that went badly is contact, not trust: half the depth.
NEGATIVE_FACTOR = 0.5
#: An event with more participants than this creates no new ties (a conference hall is
#: no introduction); ties that already exist still get the contact.
EVENT_NEW_TIE_LIMIT = 12
#: How far depth may go: ``BASE + DURATION * d + RECIPROCITY * r`` with ``d`` the share of
#: a year the history spans and ``r`` how much two-way contact it holds.
CEILING_BASE, CEILING_DURATION, CEILING_RECIPROCITY = 0.3, 0.2, 0.5
#: Two-way depth that counts as fully reciprocal: two one-to-one meetings' worth. A sum,
#: not a share, so more contact of any kind never weakens a tie.
FULL_RECIPROCITY = 1.0
#: A history this long counts as fully established.
FULL_DURATION_DAYS = 365


@dataclass(frozen=True)
class Contact:
    """One interaction as a pair saw it."""

    occurred_on: date
    kind: InteractionKind
    attendees: int
    sentiment: Sentiment | None = None
    initiated_by: InitiatedBy | None = None

    @property
    def two_way(self) -> bool:
        return self.kind in TWO_WAY_KINDS or self.initiated_by is InitiatedBy.THEM


def contact_depth(contact: Contact) -> float:
    """The depth one contact adds: the kind's, scaled down for large groups and for a
    contact that went badly.

    >>> from datetime import date
    >>> contact_depth(Contact(date(2026, 1, 1), InteractionKind.CALL, attendees=2))
    0.4
    >>> contact_depth(Contact(date(2026, 1, 1), InteractionKind.MEETING, attendees=16))
    0.25
    """
    depth = KIND_DEPTH[contact.kind] * min(1.0, math.sqrt(SMALL_GROUP / max(contact.attendees, 1)))
    if contact.sentiment is Sentiment.NEGATIVE:
        depth *= NEGATIVE_FACTOR
    return depth


def derived_strength(contacts: Iterable[Contact]) -> float:
    """The strength a pair's history supports, 0..1 (rounded to 3 places); 0 without one.

    Parameters
    ----------
    contacts
        Every interaction the pair took part in, each once, in any order.

    Returns
    -------
    float
        ``min(1 - prod(1 - depth_i), BASE + DURATION*d + RECIPROCITY*r)`` where ``d`` is the
        span from the first to the last contact as a share of a year (at most 1) and ``r``
        the depth of the two-way contacts (meetings, calls, or started by them) as a share
        of ``FULL_RECIPROCITY`` (at most 1). Adding a contact never lowers it.

    Examples
    --------
    >>> from datetime import date
    >>> emails = [Contact(date(2025, m, 1), InteractionKind.EMAIL, 2) for m in range(1, 13)]
    >>> derived_strength(emails)  # a year of emails nobody answered: capped by reciprocity
    0.483
    >>> derived_strength([])
    0.0
    """
    history = list(contacts)
    if not history:
        return 0.0
    depths = [contact_depth(c) for c in history]
    untouched = math.prod(1.0 - d for d in depths)
    days = [c.occurred_on for c in history]
    span = min(1.0, (max(days) - min(days)).days / FULL_DURATION_DAYS)
    two_way = sum(d for d, c in zip(depths, history, strict=True) if c.two_way)
    reciprocity = min(1.0, two_way / FULL_RECIPROCITY)
    ceiling = CEILING_BASE + CEILING_DURATION * span + CEILING_RECIPROCITY * reciprocity
    return round(min(1.0 - untouched, ceiling), 3)


def creates_ties(kind: InteractionKind, attendees: int) -> bool:
    """Whether an interaction creates the KNOWS ties that do not exist yet.

    >>> creates_ties(InteractionKind.EVENT, 40), creates_ties(InteractionKind.EVENT, 6)
    (False, True)
    """
    return kind is not InteractionKind.EVENT or attendees <= EVENT_NEW_TIE_LIMIT


def strength_cleared(derived: float | None) -> tuple[float | None, str | None]:
    """(strength, strength_source) once a user clears a hand-set strength: the derived one
    when the pair has a history, else none (the analytics default).

    >>> strength_cleared(0.62), strength_cleared(None)
    ((0.62, 'interactions'), (None, None))
    """
    if derived is None:
        return None, None
    return derived, StrengthSource.INTERACTIONS.value


def with_strength_source(stored: Mapping[str, Any], requested: Mapping[str, Any]) -> Row:
    """``requested`` tie fields with the strength source they imply: a strength given is
    hand-set from then on; a strength cleared (``None``) falls back to the derived one.

    >>> with_strength_source({"derived_strength": 0.4}, {"strength": 0.9})
    {'strength': 0.9, 'strength_source': 'manual'}
    >>> with_strength_source({"derived_strength": 0.4}, {"strength": None})
    {'strength': 0.4, 'strength_source': 'interactions'}
    >>> with_strength_source({}, {"channel": "golf"})
    {'channel': 'golf'}
    """
    if "strength" not in requested:
        return dict(requested)
    if requested["strength"] is None:
        strength, source = strength_cleared(stored.get("derived_strength"))
        return {**requested, "strength": strength, "strength_source": source}
    return {**requested, "strength_source": StrengthSource.MANUAL.value}


@dataclass(frozen=True)
class TiePlan:
    """The KNOWS rows an interaction creates and rewrites (storable rows)."""

    created: list[Row]
    updated: list[Row]


def _contact_of(row: Mapping[str, Any]) -> Contact:
    return Contact(
        occurred_on=date.fromisoformat(row["occurred_on"]),
        kind=InteractionKind(row["kind"]),
        attendees=len(row["member_ids"]) + len(row["person_ids"]),
        sentiment=None if row.get("sentiment") is None else Sentiment(row["sentiment"]),
        initiated_by=None if row.get("initiated_by") is None else InitiatedBy(row["initiated_by"]),
    )


def _histories(history: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], list[Contact]]:
    by_pair: dict[tuple[str, str], list[Contact]] = defaultdict(list)
    for row in history:
        contact = _contact_of(row)
        for member in row["member_ids"]:
            for person in row["person_ids"]:
                by_pair[(member, person)].append(contact)
    return by_pair


def plan_ties(
    interaction: Mapping[str, Any],
    history: Iterable[Mapping[str, Any]],
    stored: Sequence[Row],
    *,
    now: str,
    new_id: Callable[[], str],
) -> TiePlan:
    """The ties a logged interaction touches, with their next state.

    Parameters
    ----------
    interaction
        The stored row of the interaction just logged.
    history
        Every stored interaction of the organisation between its members and its people
        (the new one included).
    stored
        The stored KNOWS rows from its members to its people.
    now
        The write's time stamp.
    new_id
        Makes the id of a created tie.

    Every pair gets ``last_contact = max(stored, occurred_on)`` and its derived strength;
    the strength follows it unless it is hand-set (``strength_source: manual``). A pair
    without a tie gets one, unless :func:`creates_ties` says no.
    """
    day = interaction["occurred_on"]
    by_pair = _histories(history)
    ties = {(row["source_id"], row["target_id"]): row for row in stored}
    creates = creates_ties(
        InteractionKind(interaction["kind"]),
        len(interaction["member_ids"]) + len(interaction["person_ids"]),
    )
    created: list[Row] = []
    updated: list[Row] = []
    for member in interaction["member_ids"]:
        for person in interaction["person_ids"]:
            derived = derived_strength(by_pair[(member, person)])
            tie = ties.get((member, person))
            if tie is not None:
                updated.append(_brought_up_to_date(tie, day, derived, now))
            elif creates:
                created.append(_new_tie(interaction, member, person, derived, now, new_id()))
    return TiePlan(created=created, updated=updated)


def touched(row: Row, *, created: bool) -> TieTouched:
    """What the answer to a logged interaction says of a tie it touched."""
    return TieTouched(
        relationship_id=row["id"],
        member_id=row["source_id"],
        person_id=row["target_id"],
        created=created,
        last_contact=date.fromisoformat(row["last_contact"]),
        strength=row["strength"],
        strength_source=row["strength_source"],
        derived_strength=row["derived_strength"],
    )


def _brought_up_to_date(tie: Row, day: str, derived: float, now: str) -> Row:
    manual = tie.get("strength_source") == StrengthSource.MANUAL.value
    last = tie.get("last_contact")
    return {
        **tie,
        "last_contact": day if last is None or last < day else last,
        "derived_strength": derived,
        "strength": tie.get("strength") if manual else derived,
        "strength_source": StrengthSource.MANUAL.value
        if manual
        else StrengthSource.INTERACTIONS.value,
        "updated_at": now,
        "version": int(tie["version"]) + 1,
    }


def _new_tie(
    interaction: Mapping[str, Any], member: str, person: str, derived: float, now: str, tie_id: str
) -> Row:
    return {
        "id": tie_id,
        "tenant": interaction["tenant"],
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "org_id": interaction["org_id"],
        "type": "KNOWS",
        "source_id": member,
        "target_id": person,
        "strength": derived,
        "last_contact": interaction["occurred_on"],
        "channel": None,
        "dotted": False,
        "role": None,
        "strength_source": StrengthSource.INTERACTIONS.value,
        "derived_strength": derived,
    }
