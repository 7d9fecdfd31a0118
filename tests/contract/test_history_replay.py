"""History replays the past exactly: on both stores, a random sequence of dated writes, the
answers captured at the end of each day equal the answers asked ``as_of`` that day later,
byte for byte."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.analytics import AnalyticsService
from app.bootstrap import invalidate_on_write
from app.cache import AnalyticsCache
from app.keycache import ApiKeyCache
from graph.planning import write_clock
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.interactions import InteractionCreate
from schemas.resources import (
    OrganisationCreate,
    PersonUpdate,
    RelationshipCreate,
    RelationshipUpdate,
    TeamMemberCreate,
)

FIRST_DAY = date(2025, 3, 3)

#: One write: (what, a number choosing whom, a number choosing a value)
writes = st.tuples(
    st.sampled_from(
        [
            "hire",
            "retitle",
            "stance",
            "leave",
            "know",
            "restrength",
            "untie",
            "fire",
            "log",
            "member",
        ]
    ),
    st.integers(0, 1_000),
    st.integers(0, 1_000),
)
days = st.lists(st.lists(writes, min_size=1, max_size=5), min_size=2, max_size=5)


class Account:
    """The account the writes change, and what the test knows of it."""

    def __init__(self, store: GraphStore, tenant: str) -> None:
        self.store, self.tenant = store, tenant
        self.org = store.create_organisation(tenant, OrganisationCreate(name="Replay")).id
        result = store.import_graph(
            tenant,
            self.org,
            ImportRequest.model_validate(
                {
                    "people": [
                        {"ref": "ceo", "name": "Cleo", "roles": ["decision_maker"], "influence": 5},
                        {"ref": "cfo", "name": "Fin", "reports_to": "ceo"},
                    ],
                    "team": [{"ref": "am", "name": f"Ann {tenant}"}],
                    "relationships": [{"type": "KNOWS", "source": "am", "target": "cfo"}],
                }
            ),
        )
        self.people = [result.ids["ceo"], result.ids["cfo"]]
        self.members = [result.ids["am"]]

    def ties(self) -> list[Any]:
        return [
            r for r in self.store.snapshot(self.tenant, self.org).relationships if r.type == "KNOWS"
        ]

    def apply(self, write: tuple[str, int, int], day: date) -> None:
        what, who, value = write
        t, org, store = self.tenant, self.org, self.store
        person = self.people[who % len(self.people)]
        member = self.members[who % len(self.members)]
        if what == "hire":
            result = store.import_graph(
                t,
                org,
                ImportRequest.model_validate(
                    {"people": [{"ref": "n", "name": f"P{value}", "reports_to": person}]}
                ),
            )
            self.people.append(result.ids["n"])
        elif what == "retitle":
            store.update_person(t, org, person, PersonUpdate(title=f"Title {value % 7}"))
        elif what == "stance":
            stance = ["champion", "supporter", "neutral", "skeptic", "opponent"][value % 5]
            store.update_person(t, org, person, PersonUpdate.model_validate({"stance": stance}))
        elif what == "leave" and person != self.people[0]:
            left_on = day + timedelta(days=value % 3)  # today, or announced for later
            store.update_person(
                t, org, person, PersonUpdate.model_validate({"status": "left", "left_on": left_on})
            )
        elif what == "know":
            known = {(r.source_id, r.target_id) for r in self.ties()}
            if (member, person) not in known:
                store.create_relationship(
                    t,
                    org,
                    RelationshipCreate.model_validate(
                        {
                            "type": "KNOWS",
                            "source_id": member,
                            "target_id": person,
                            "strength": (value % 10) / 10,
                            "last_contact": (day - timedelta(days=value % 200)).isoformat(),
                        }
                    ),
                )
        elif what in ("restrength", "untie") and self.ties():
            tie = self.ties()[who % len(self.ties())]
            if what == "untie":
                store.delete_relationship(t, org, tie.id)
            else:
                store.update_relationship(
                    t, org, tie.id, RelationshipUpdate(strength=(value % 10) / 10)
                )
        elif what == "fire" and len(self.people) > 2 and person not in self.people[:2]:
            store.delete_person(t, org, person)
            self.people.remove(person)
        elif what == "log":
            store.log_interaction(
                t,
                org,
                InteractionCreate(
                    occurred_on=day - timedelta(days=value % 30),
                    kind=["meeting", "call", "email"][value % 3],
                    member_ids=[member],
                    person_ids=[person],
                ),
            )
        elif what == "member":
            self.members.append(
                store.create_team_member(t, TeamMemberCreate(name=f"M{value} {t}")).id
            )


def _answers(service: AnalyticsService, tenant: str, org: str) -> list[bytes]:
    return [
        service.influence(tenant, org).body,
        service.entry_paths(
            tenant, org, target_id=None, member_id=None, k=3, include_cold=True
        ).body,
        service.next_contacts(tenant, org, member_id=None, limit=5).body,
        service.coverage(tenant, org, stale_after_days=90).body,
        service.decision_makers(tenant, org).body,
    ]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=days)
def test_answers_as_of_a_day_equal_those_given_that_day(store: GraphStore, plan: Any) -> None:
    """An AM asks in March what the map looked like at the end of each day of February:
    every answer is the one she was given that day, byte for byte — whoever joined, left,
    changed stance, was met or deleted since."""
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    today = [FIRST_DAY]
    cache = AnalyticsCache(64 << 20)
    service = AnalyticsService(store, cache, clock=lambda: today[0])
    unsubscribe = store.subscribe(invalidate_on_write(cache, ApiKeyCache(60)))
    moment = [datetime.combine(FIRST_DAY, time(8), tzinfo=UTC)]

    def tick() -> datetime:
        moment[0] += timedelta(seconds=1)
        return moment[0]

    captured: dict[date, list[bytes]] = {}
    try:
        with write_clock(tick):
            account = Account(store, tenant)
            for number, day_writes in enumerate(plan):
                day = FIRST_DAY + timedelta(days=number)
                today[0] = day
                moment[0] = datetime.combine(day, time(9), tzinfo=UTC)
                for write in day_writes:
                    account.apply(write, day)
                captured[day] = _answers(service, tenant, account.org)

        today[0] = FIRST_DAY + timedelta(days=len(plan) + 30)
        for day, answers in captured.items():
            with service.as_of(day):
                assert _answers(service, tenant, account.org) == answers, day
    finally:
        unsubscribe()
