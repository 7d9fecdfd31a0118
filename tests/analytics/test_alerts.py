"""Alerts of one account (:mod:`graph.analytics.alerts`): named scenarios with the answer an
experienced account manager expects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from graph.analytics.alerts import account_alerts
from graph.analytics.influence import rank_influence
from graph.network import build_graph
from graph.samples import SnapshotBuilder
from schemas.alerts import Alert, AlertKind
from schemas.snapshot import OrgSnapshot

AS_OF = date(2026, 3, 1)


def _org() -> SnapshotBuilder:
    """A CEO (the decision-maker) with eight direct reports, one of whom has an intern; our
    account manager knows several of them."""
    b = SnapshotBuilder().person("ceo", roles=["decision_maker"], influence=5).member("am")
    for i in range(8):
        b.person(f"vp{i}", influence=3).reports(f"vp{i}", "ceo")
    return b.person("intern", influence=1).reports("intern", "vp7")


def _created(snapshot: OrgSnapshot, day: date, *ids: str) -> OrgSnapshot:
    """The snapshot with the people and ties ``ids`` created on ``day``."""
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return snapshot.model_copy(
        update={
            "people": [
                p.model_copy(update={"created_at": at}) if p.id in ids else p
                for p in snapshot.people
            ],
            "relationships": [
                r.model_copy(update={"created_at": at})
                if r.id in ids or (r.source_id, r.target_id) in ids
                else r
                for r in snapshot.relationships
            ],
        }
    )


def _alerts(snapshot: OrgSnapshot, within_days: int = 30) -> list[Alert]:
    graph = build_graph(snapshot, as_of=AS_OF)
    return account_alerts(graph, rank_influence(graph), as_of=AS_OF, within_days=within_days)


def test_a_key_tie_alerts_before_it_goes_stale_and_a_minor_one_never() -> None:
    """The AM last met the CEO 80 days ago: with a 90-day stale line the tie goes stale in 11
    days, so she is told now, naming the day. The intern she last saw 85 days ago matters
    little to the deal: no alert, however close that tie is to going stale."""
    b = _org().knows("am", "ceo", 0.7, last_contact=AS_OF - timedelta(days=80))
    b.knows("am", "intern", 0.7, last_contact=AS_OF - timedelta(days=85))

    alerts = _alerts(b.build())

    assert [(a.kind, a.person_id, a.member_id, a.due_on) for a in alerts] == [
        (AlertKind.TIE_GOING_STALE, "ceo", "am", AS_OF + timedelta(days=11))
    ]
    assert "CEO" in alerts[0].message
    assert "2026-03-12" in alerts[0].message
    assert alerts[0].relationship_id is not None
    assert _alerts(b.build(), within_days=7) == []


def test_a_key_tie_that_went_stale_last_week_is_flagged_to_renew() -> None:
    """A tie to the decision-maker that crossed the line five days ago is still news."""
    b = _org().knows("am", "ceo", 0.7, last_contact=AS_OF - timedelta(days=96))

    [alert] = _alerts(b.build())

    assert (alert.kind, alert.due_on) == (AlertKind.TIE_WENT_STALE, AS_OF - timedelta(days=5))


def test_a_champion_announcing_departure_names_who_should_act() -> None:
    """Our champion hands in notice, leaving in ten days: the AM who knows them best should
    ask who takes over and get introduced before they go."""
    b = _org().person("champ", stance="champion", status="left", left_on=AS_OF + timedelta(10))
    b.reports("champ", "ceo").member("se")
    b.knows("se", "champ", 0.4, last_contact=AS_OF).knows("am", "champ", 0.9, last_contact=AS_OF)

    alerts = [a for a in _alerts(b.build()) if a.kind is AlertKind.CHAMPION_LEFT]

    assert [(a.person_id, a.member_id, a.due_on) for a in alerts] == [
        ("champ", "am", AS_OF + timedelta(days=10))
    ]
    assert "leaves on 2026-03-11" in alerts[0].message


def test_a_coach_who_left_last_week_is_still_an_alert() -> None:
    """A coach (by role, neutral in stance) who left five days ago: find a new one."""
    b = _org().person("coach", roles=["coach"], status="left", left_on=AS_OF - timedelta(5))
    b.reports("coach", "vp1")

    [alert] = [a for a in _alerts(b.build()) if a.kind is AlertKind.CHAMPION_LEFT]

    assert (alert.person_id, alert.member_id) == ("coach", None)
    assert "left on 2026-02-24" in alert.message


def test_a_new_person_at_the_top_of_a_tree() -> None:
    """A new division head arrives three days ago with people under them: map them. The
    CEO, at the top for years, raises nothing."""
    b = _org().person("head", influence=4).person("eng", influence=2).reports("eng", "head")
    snapshot = _created(b.build(), AS_OF - timedelta(days=3), "head")

    alerts = [a for a in _alerts(snapshot) if a.kind is AlertKind.NEW_TOP_PERSON]

    assert [(a.person_id, a.due_on) for a in alerts] == [("head", AS_OF - timedelta(days=3))]


def test_the_ceo_leaving_puts_the_deputy_at_the_top() -> None:
    """The CEO of a division left two days ago and nobody is above their deputy any more: the
    deputy is the new person to win."""
    b = SnapshotBuilder().person("boss", status="left", left_on=AS_OF - timedelta(days=2))
    b.person("deputy", influence=4).reports("deputy", "boss")
    b.person("eng").reports("eng", "deputy").member("am")

    [alert] = [a for a in _alerts(b.build()) if a.kind is AlertKind.NEW_TOP_PERSON]

    assert (alert.person_id, alert.due_on) == ("deputy", AS_OF - timedelta(days=2))
    assert "BOSS" in alert.message


def test_an_opponent_gaining_reports_or_moving_up_is_flagged() -> None:
    """An opponent given a team last week has more voice against us; so has one whose
    manager left, which moved them a level up."""
    b = _org().person("critic", stance="opponent").reports("critic", "vp2")
    b.person("hire").reports("hire", "critic")
    b.person("rival", stance="opponent").person("gone", status="left", left_on=AS_OF - timedelta(1))
    b.reports("gone", "vp3").reports("rival", "gone")
    snapshot = _created(b.build(), AS_OF - timedelta(days=4), ("hire", "critic"))

    alerts = {a.person_id: a for a in _alerts(snapshot) if a.kind is AlertKind.OPPONENT_PROMOTED}

    assert sorted(alerts) == ["critic", "rival"]
    assert alerts["critic"].due_on == AS_OF - timedelta(days=4)
    assert "now reports to VP3" in alerts["rival"].message
