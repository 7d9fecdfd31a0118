"""A departure announced for later takes effect on its day, with no write in between: the
cached answers of the day before are not served once someone has left."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from app.analytics import AnalyticsService
from app.cache import AnalyticsCache
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate
from tests.factories import subscribed

TODAY = date(2026, 6, 1)


def test_the_ranking_changes_on_the_day_someone_leaves(tmp_path: Path) -> None:
    """The CTO hands in notice, leaving tomorrow: today they still rank; tomorrow they do
    not, though nothing was written and today's ranking was cached."""
    store = GraphStore(SqliteStore(tmp_path / "due.db"))
    day = [TODAY]
    try:
        org = store.create_organisation("t", OrganisationCreate(name="Acme"))
        store.import_graph(
            "t",
            org.id,
            ImportRequest.model_validate(
                {
                    "people": [
                        {"ref": "ceo", "name": "Cleo"},
                        {
                            "ref": "cto",
                            "name": "Theo",
                            "reports_to": "ceo",
                            "status": "left",
                            "left_on": (TODAY + timedelta(days=1)).isoformat(),
                        },
                    ]
                }
            ),
        )
        cache = AnalyticsCache(1 << 20)
        service = AnalyticsService(subscribed(store, cache), cache, clock=lambda: day[0])
        today = service.influence("t", org.id)
        assert [i.name for i in today.model.items] == ["Cleo", "Theo"]
        assert service.influence("t", org.id) is today  # cached
        day[0] = TODAY + timedelta(days=1)
        tomorrow = service.influence("t", org.id)
        assert [i.name for i in tomorrow.model.items] == ["Cleo"]
        day[0] = TODAY + timedelta(days=2)
        assert service.influence("t", org.id) is tomorrow  # nothing else falls due
    finally:
        store.close()
