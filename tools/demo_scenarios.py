"""The demo account's scenarios of the closing notes, reproducible on a fresh SQLite file.

    .venv/bin/python tools/demo_scenarios.py deals     # the two deals beside the whole account
    .venv/bin/python tools/demo_scenarios.py leaver    # the champion VP leaves
    .venv/bin/python tools/demo_scenarios.py quarter   # a quarter of activity, replayed

``deals`` prints, for the whole account and for each demo deal, the default target, the best
entry path, the next contacts and the red flags, then the pipeline export's rows. ``leaver``
prints the ranking size, the best warm path and role coverage before and after Stefan
Hoffmann (the champion VP on the best route) is marked as having left 14 days ago.
``quarter`` maps the account 90 days ago and plays a quarter on it (meetings, a reorg, two
hires under the opponent, the champion VP leaving), each write stamped on its day; then it
prints today's alerts, the changes feed and the answers ``as_of`` three days of the quarter.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import orjson

from app.bootstrap import Services, build_services
from app.demo import DEMO_ORGANISATION, demo_import
from app.routers.exports import Export, ExportFormat, export_chunks
from app.settings import Settings
from graph.planning import write_clock
from schemas.analytics import EntryPath
from schemas.common import PersonStatus
from schemas.imports import ImportRequest
from schemas.interactions import InteractionCreate
from schemas.resources import OrganisationCreate, PersonUpdate

TENANT = "demo"


def _route(path: EntryPath) -> str:
    return " → ".join([path.member_name, *(step.to_name for step in path.steps)])


TODAY = datetime.now(UTC).date()
#: How long ago the quarter started.
QUARTER = 90


@contextmanager
def on_day(days_ago: int) -> Iterator[None]:
    """Writes in the block happen ``days_ago`` days ago, a second apart from 10:00 UTC."""
    moment = [datetime.combine(TODAY - timedelta(days=days_ago), time(10), tzinfo=UTC)]

    def tick() -> datetime:
        moment[0] += timedelta(seconds=1)
        return moment[0]

    with write_clock(tick):
        yield


def _quarter(services: Services, org_id: str) -> None:
    store, analytics = services.store, services.analytics
    people = {p.name: p.id for p in store.snapshot(TENANT, org_id).people}
    team = {m.name: m.id for m in store.snapshot(TENANT, org_id).team}

    def meet(days_ago: int, kind: str, member: str, *names: str) -> None:
        with on_day(days_ago):
            store.log_interaction(
                TENANT,
                org_id,
                InteractionCreate.model_validate(
                    {
                        "occurred_on": (TODAY - timedelta(days=days_ago)).isoformat(),
                        "kind": kind,
                        "member_ids": [team[member]],
                        "person_ids": [people[n] for n in names],
                    }
                ),
            )

    meet(75, "meeting", "Anna Weber", "Stefan Hoffmann", "Marco Rossi")
    meet(60, "call", "Raj Patel", "Mei Chen")
    with on_day(50):  # reorg: quality moves under the CTO
        store.import_graph(
            TENANT,
            org_id,
            ImportRequest.model_validate(
                {
                    "people": [
                        {"ref": "q", "name": "Henrik Berg", "reports_to": people["Jonas Lindqvist"]}
                    ]
                }
            ),
            upsert=True,
        )
    meet(40, "meeting", "Claire Dupont", "Katrin Vogel")
    with on_day(25):  # two hires under the opponent in procurement
        store.import_graph(
            TENANT,
            org_id,
            ImportRequest.model_validate(
                {
                    "people": [
                        {
                            "ref": f"a{i}",
                            "name": f"Procurement Analyst {i}",
                            "reports_to": people["Lukas Meier"],
                        }
                        for i in (1, 2)
                    ]
                }
            ),
        )
    with on_day(20):  # the champion VP leaves
        store.update_person(
            TENANT,
            org_id,
            people["Stefan Hoffmann"],
            PersonUpdate(status=PersonStatus.LEFT, left_on=TODAY - timedelta(days=20)),
        )
    meet(5, "email", "Anna Weber", "Marco Rossi")

    print(f"Alerts today ({TODAY.isoformat()}, within 30 days):")
    for alert in analytics.account_alerts(TENANT, org_id, within_days=30).model.items:
        print(f"   {alert.due_on.isoformat()} {alert.kind.value}: {alert.message}")
    now = datetime.now(UTC)
    items, _cursor = store.list_changes(
        TENANT, org_id, since=now - timedelta(days=QUARTER + 1), now=now, limit=500
    )
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind.value] = counts.get(item.kind.value, 0) + 1
    print(f"Changes this quarter: {counts}")
    for item in items:
        if item.at.date() > TODAY - timedelta(days=QUARTER):
            print(f"   {item.at.date().isoformat()} {item.kind.value}: {item.message}")
    for days_ago in (60, 30, 0):
        day = TODAY - timedelta(days=days_ago)
        with analytics.as_of(day):
            ranking = analytics.influence(TENANT, org_id).model
            best = analytics.entry_paths(
                TENANT, org_id, target_id=None, member_id=None, k=1, include_cold=False
            ).model.paths[0]
            cover = analytics.coverage(TENANT, org_id, stale_after_days=90).model
        top = [i.name for i in ranking.items[:3]]
        missing = [r.value for r in cover.roles_missing]
        print(
            f"as_of {day.isoformat()} (version {ranking.version}): {ranking.n} ranked, top {top}; "
            f"best warm {best.probability:.3f} {_route(best)} {[f.value for f in best.flags]}; "
            f"roles covered {len(cover.roles_covered)}, missing {missing}"
        )


def main(scenario: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="stakemap-demo-"))
    settings = Settings(store="sqlite", sqlite_path=folder / "demo.db", analytics_processes=0)
    services = build_services(settings, kernel_workers=False)
    store, analytics = services.store, services.analytics
    try:
        with on_day(QUARTER):
            org = store.create_organisation(TENANT, OrganisationCreate(**DEMO_ORGANISATION))
            store.import_graph(TENANT, org.id, ImportRequest.model_validate(demo_import()))
        if scenario == "quarter":
            _quarter(services, org.id)
        if scenario == "quarter":
            return
        if scenario == "deals":
            deals = [(d.name, d.id) for d in store.list_opportunities(TENANT, org.id, limit=10)]
            for label, deal in [("whole account", None), *deals]:
                paths = analytics.entry_paths(
                    TENANT,
                    org.id,
                    target_id=None,
                    member_id=None,
                    k=1,
                    include_cold=True,
                    opportunity_id=deal,
                ).model
                nexts = analytics.next_contacts(
                    TENANT, org.id, member_id=None, limit=3, opportunity_id=deal
                ).model
                cover = analytics.coverage(
                    TENANT, org.id, stale_after_days=90, opportunity_id=deal
                ).model
                best = paths.paths[0]
                print(f"{label}: target {best.steps[-1].to_name} ({paths.target_source})")
                print(f"   best {best.probability:.3f}: {_route(best)}")
                print(f"   next: {[item.name for item in nexts.items]}")
                if cover.deal is not None:
                    print(f"   red flags: {[flag.code.value for flag in cover.deal.red_flags]}")
            body = b"".join(export_chunks(analytics, TENANT, Export.DEALS, ExportFormat.JSONL))
            for line in body.splitlines():
                print(orjson.loads(line))
            return
        people = {p.name: p for p in store.snapshot(TENANT, org.id).people}

        def show(label: str) -> None:
            ranking = analytics.influence(TENANT, org.id).model
            best = analytics.entry_paths(
                TENANT, org.id, target_id=None, member_id=None, k=1, include_cold=False
            ).model.paths[0]
            cover = analytics.coverage(TENANT, org.id, stale_after_days=90).model
            print(f"{label}: {ranking.n} ranked; best warm {best.probability:.3f} {_route(best)}")
            print(
                f"   flags {[f.value for f in best.flags]}; roles covered "
                f"{[r.value for r in cover.roles_covered]}"
            )

        show("before")
        stefan = people["Stefan Hoffmann"]
        left_on = datetime.now(UTC).date() - timedelta(days=14)
        store.update_person(
            TENANT, org.id, stefan.id, PersonUpdate(status=PersonStatus.LEFT, left_on=left_on)
        )
        show("Stefan Hoffmann (champion VP) left 14 days ago")
    finally:
        services.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "deals")
