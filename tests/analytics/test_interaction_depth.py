"""The depth model of :mod:`graph.interactions`: invariants and known answers."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from graph.interactions import (
    KIND_DEPTH,
    Contact,
    contact_depth,
    derived_strength,
    plan_ties,
    with_strength_source,
)
from schemas.interactions import InitiatedBy, InteractionKind, Sentiment

START = date(2024, 1, 1)

contacts = st.builds(
    Contact,
    occurred_on=st.integers(0, 1_000).map(lambda d: START + timedelta(days=d)),
    kind=st.sampled_from(InteractionKind),
    attendees=st.integers(2, 300),
    sentiment=st.none() | st.sampled_from(Sentiment),
    initiated_by=st.none() | st.sampled_from(InitiatedBy),
)


@given(st.lists(contacts, max_size=30), contacts)
def test_more_contact_never_weakens_a_tie(history: list[Contact], extra: Contact) -> None:
    """Whatever the kind, an extra contact adds depth or leaves it: an email to someone you
    meet every month must not make the tie look weaker."""
    assert derived_strength([*history, extra]) >= derived_strength(history)


@given(st.lists(contacts, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_strength_is_a_share_and_ignores_order(history: list[Contact], rng: object) -> None:
    """The strength is in 0..1 and the same however the log was entered."""
    shuffled = list(history)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    value = derived_strength(history)
    assert 0.0 < value <= 1.0
    assert derived_strength(shuffled) == value


@given(contacts)
def test_one_contact_gives_its_own_depth(contact: Contact) -> None:
    """A first interaction gives the tie exactly the depth of that contact (for a one-to-one
    the kind's documented starting strength): no ceiling cuts a single contact short."""
    assert derived_strength([contact]) == round(contact_depth(contact), 3)


@given(st.lists(contacts, min_size=1, max_size=20), st.integers(1, 2_000))
def test_recency_is_not_counted(history: list[Contact], shift: int) -> None:
    """Moving the whole history later in time changes nothing: recency is the decay's job
    (it reads last_contact), never counted twice."""
    later = [
        Contact(
            c.occurred_on + timedelta(days=shift), c.kind, c.attendees, c.sentiment, c.initiated_by
        )
        for c in history
    ]
    assert derived_strength(later) == derived_strength(history)


def test_reciprocity_and_duration_cap_one_sided_or_short_histories() -> None:
    """A year of unanswered emails stays below a year of meetings; a year of emails they
    answered by writing back (initiated by them) comes close; a week of meetings is no
    year of them."""
    year = [START + timedelta(days=30 * m) for m in range(12)]
    week = [START + timedelta(days=d) for d in range(6)]
    unanswered = derived_strength(Contact(d, InteractionKind.EMAIL, 2) for d in year)
    answered = derived_strength(
        Contact(d, InteractionKind.EMAIL, 2, initiated_by=InitiatedBy.THEM) for d in year
    )
    meetings = derived_strength(Contact(d, InteractionKind.MEETING, 2) for d in year)
    burst = derived_strength(Contact(d, InteractionKind.MEETING, 2) for d in week)
    assert unanswered < 0.5 < burst < answered <= meetings
    assert meetings > 0.95 > 0.85 > burst


def test_large_groups_and_bad_meetings_count_less() -> None:
    """A word at a 16-person workshop is half a one-to-one; a meeting that went badly is
    half of one that went well."""
    Contact(START, InteractionKind.MEETING, 2)
    workshop = Contact(START, InteractionKind.MEETING, 16)
    tense = Contact(START, InteractionKind.MEETING, 2, sentiment=Sentiment.NEGATIVE)
    assert (
        contact_depth(workshop) == contact_depth(tense) == KIND_DEPTH[InteractionKind.MEETING] / 2
    )


def test_a_hand_set_strength_survives_new_interactions() -> None:
    """The strength an AM set stays; only ``derived_strength`` follows the history."""
    interaction = {
        "tenant": "t",
        "org_id": "o",
        "occurred_on": "2026-01-10",
        "kind": "meeting",
        "member_ids": ["m"],
        "person_ids": ["p"],
    }
    stored = {
        "id": "r",
        "source_id": "m",
        "target_id": "p",
        "strength": 0.9,
        "strength_source": "manual",
        "last_contact": "2026-02-01",
        "version": 4,
    }
    plan = plan_ties(interaction, [interaction], [stored], now="T", new_id=lambda: "new")
    [updated] = plan.updated
    assert plan.created == []
    assert (updated["strength"], updated["strength_source"]) == (0.9, "manual")
    assert (updated["derived_strength"], updated["last_contact"]) == (0.5, "2026-02-01")
    assert updated["version"] == 5
    assert with_strength_source(updated, {"strength": None})["strength"] == 0.5
