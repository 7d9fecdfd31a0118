"""The export's source: every organisation, page by page, without filling the cache."""

from __future__ import annotations

from app.analytics import AnalyticsService
from app.cache import AnalyticsCache
from graph.analytics.influence import rank_influence
from graph.network import build_graph
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate
from tests.contract.test_store_contract import SMALL
from tests.factories import subscribed


def test_export_pages_through_every_organisation(store: GraphStore, tenant: str) -> None:
    cache = AnalyticsCache()
    wrapped = subscribed(store, cache)
    service = AnalyticsService(wrapped, cache)
    ids = []
    for i in range(5):
        org = wrapped.create_organisation(tenant, OrganisationCreate(name=f"Org {i}"))
        wrapped.import_graph(tenant, org.id, ImportRequest.model_validate(SMALL))
        ids.append(org.id)
    ids.append(wrapped.create_organisation(tenant, OrganisationCreate(name="Empty")).id)
    warm = service.influence(tenant, ids[2]).model  # one organisation already cached
    entries = len(cache)

    exported = list(service.export_rankings(tenant, page_size=2))

    assert [org.id for org, _ranking in exported] == sorted(ids)
    for org, ranking in exported:
        expected = rank_influence(build_graph(store.snapshot(tenant, org.id)))
        assert ranking.items == expected.items
    assert {org.id: r for org, r in exported}[ids[2]] is warm  # reused, not recomputed
    assert len(cache) == entries  # the bulk read evicted nothing and added nothing
    assert list(service.export_rankings(f"{tenant}-nobody", page_size=2)) == []


def test_an_organisation_deleted_mid_export_is_skipped(store: GraphStore, tenant: str) -> None:
    cache = AnalyticsCache()
    wrapped = subscribed(store, cache)
    service = AnalyticsService(wrapped, cache)
    first = wrapped.create_organisation(tenant, OrganisationCreate(name="A"))
    second = wrapped.create_organisation(tenant, OrganisationCreate(name="B"))
    rows = service.export_rankings(tenant, page_size=2)  # both listed in the first page
    head, _ = next(rows)
    gone = second if head.id == first.id else first
    wrapped.delete_organisation(tenant, gone.id)
    assert [org.id for org, _ in rows] == []
