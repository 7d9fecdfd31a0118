"""The demo account's scenarios of the closing notes, reproducible on a fresh SQLite file.

    .venv/bin/python tools/demo_scenarios.py deals     # the two deals beside the whole account
    .venv/bin/python tools/demo_scenarios.py leaver    # the champion VP leaves

``deals`` prints, for the whole account and for each demo deal, the default target, the best
entry path, the next contacts and the red flags, then the pipeline export's rows. ``leaver``
prints the ranking size, the best warm path and role coverage before and after Stefan
Hoffmann (the champion VP on the best route) is marked as having left 14 days ago.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from app.bootstrap import build_services
from app.demo import DEMO_ORGANISATION, demo_import
from app.routers.exports import Export, ExportFormat, export_chunks
from app.settings import Settings
from schemas.analytics import EntryPath
from schemas.common import PersonStatus
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate, PersonUpdate

TENANT = "demo"


def _route(path: EntryPath) -> str:
    return " → ".join([path.member_name, *(step.to_name for step in path.steps)])


def main(scenario: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="stakemap-demo-"))
    settings = Settings(store="sqlite", sqlite_path=folder / "demo.db", analytics_processes=0)
    services = build_services(settings, kernel_workers=False)
    store, analytics = services.store, services.analytics
    try:
        org = store.create_organisation(TENANT, OrganisationCreate(**DEMO_ORGANISATION))
        store.import_graph(TENANT, org.id, ImportRequest.model_validate(demo_import()))
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
