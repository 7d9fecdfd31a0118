"""Answers speak the request's language: every explanation, reason and error detail goes
through the message layer, and answers are cached per language."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path

import httpx
import pytest

from app.analytics import AnalyticsService
from app.cache import AnalyticsCache, CachedResult, CacheKey, Question
from app.demo import DEMO_ORGANISATION, demo_import
from app.precompute import Precomputer
from graph.analytics.kernels import OFFLOAD_MIN_NODES, offload
from graph.messages import _, language
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate, PersonUpdate
from tests.api.test_http import load
from tests.factories import subscribed
from tests.messages.conftest import pseudo

AS_OF = date(2026, 11, 27)
TENANT = "languages"


def is_pseudo(text: str) -> bool:
    return text.startswith("«") and text.endswith("»")


def test_every_text_of_an_answer_is_a_message_and_each_language_is_cached_apart(
    tmp_path: Path, pseudo_language: str
) -> None:
    store = GraphStore(SqliteStore(tmp_path / "languages.db"))
    try:
        org = store.create_organisation(TENANT, OrganisationCreate(**DEMO_ORGANISATION))
        store.import_graph(TENANT, org.id, ImportRequest.model_validate(demo_import(AS_OF)))
        cache = AnalyticsCache()
        service = AnalyticsService(subscribed(store, cache), cache, clock=lambda: AS_OF)
        english = (
            service.decision_makers(TENANT, org.id),
            service.entry_paths(
                TENANT, org.id, target_id=None, member_id=None, k=5, include_cold=True
            ),
            service.next_contacts(TENANT, org.id, member_id=None, limit=10),
        )
        with language(pseudo_language):
            dms, paths, contacts = (
                service.decision_makers(TENANT, org.id),
                service.entry_paths(
                    TENANT, org.id, target_id=None, member_id=None, k=5, include_cold=True
                ),
                service.next_contacts(TENANT, org.id, member_id=None, limit=10),
            )
        again = service.decision_makers(TENANT, org.id)
        version = store.org_version(TENANT, org.id)
    finally:
        store.close()

    texts = [r for dm in dms.model.items for r in dm.reasons]
    texts += [p.explanation for p in paths.model.paths]
    texts += [r for c in contacts.model.items for r in c.reasons]
    assert len(texts) > 20
    assert [t for t in texts if not is_pseudo(t)] == []
    assert "«" not in b"".join(answer.body for answer in english).decode()
    assert again is english[0]  # the other language's answer did not replace it
    assert cache.variants(TENANT, org.id, version, Question.DECISION_MAKERS) == 2
    # the same facts, in other words
    assert [dm.person_id for dm in dms.model.items] == [
        dm.person_id for dm in english[0].model.items
    ]


def test_the_api_answers_in_the_negotiated_language(
    api: httpx.Client, pseudo_language: str
) -> None:
    org = api.post("/v1/organisations", json=DEMO_ORGANISATION).json()
    load(api, org["id"], demo_import())
    url = f"/v1/organisations/{org['id']}/entry-paths"
    default = api.get(url)
    unsupported = api.get(url, headers={"Accept-Language": "de-DE, fr;q=0.8"})
    asked = api.get(url, headers={"Accept-Language": f"de, {pseudo_language};q=0.9, en;q=0.5"})
    cached = api.get(url, headers={"Accept-Language": pseudo_language})
    assert default.status_code == unsupported.status_code == asked.status_code == 200
    assert unsupported.content == default.content
    assert cached.content == asked.content
    explanations = [p["explanation"] for p in asked.json()["paths"]]
    assert explanations
    assert all(is_pseudo(text) for text in explanations)
    assert not any(is_pseudo(p["explanation"]) for p in default.json()["paths"])
    # a shared cache keys on the language; the answer names the one it speaks
    for response, spoken in ((default, "en"), (unsupported, "en"), (asked, pseudo_language)):
        assert response.headers["content-language"] == spoken
        assert "Accept-Language" in response.headers["vary"]


@pytest.mark.parametrize("kind", ["missing key", "unknown organisation"])
def test_problem_documents_speak_it_too(api: httpx.Client, pseudo_language: str, kind: str) -> None:
    headers = {"Accept-Language": pseudo_language}
    if kind == "missing key":
        response = httpx.get(f"{api.base_url}/v1/organisations", headers=headers)
        expected = (401, pseudo("Unauthenticated"))
    else:
        response = api.get("/v1/organisations/nope", headers=headers)
        expected = (404, pseudo("Not found"))
    problem = response.json()
    assert (response.status_code, problem["title"]) == expected
    assert is_pseudo(problem["detail"])


def test_the_drawn_map_speaks_it(tmp_path: Path, pseudo_language: str) -> None:
    store = GraphStore(SqliteStore(tmp_path / "svg.db"))
    try:
        org = store.create_organisation(TENANT, OrganisationCreate(**DEMO_ORGANISATION))
        store.import_graph(TENANT, org.id, ImportRequest.model_validate(demo_import(AS_OF)))
        cache = AnalyticsCache()
        service = AnalyticsService(subscribed(store, cache), cache, clock=lambda: AS_OF)
        english = service.power_map_svg(TENANT, org.id).body.decode()
        with language(pseudo_language):
            drawn = service.power_map_svg(TENANT, org.id).body.decode()
    finally:
        store.close()
    for words in ("our team", "engaged by us", "top decision-maker", "knows", "cold approach"):
        assert f">{words}<" in english
        assert f">{pseudo(words)}<" in drawn
    assert f"<title>{pseudo('Power map — ' + DEMO_ORGANISATION['name'])}</title>" in drawn


def test_a_kernel_worker_runs_in_the_callers_language(pseudo_language: str) -> None:
    """A worker thread or process does not inherit the caller's context: offload passes the
    language along (the layout's reasons are made there)."""
    with ThreadPoolExecutor(1) as pool, language(pseudo_language):
        said = offload(partial(_, "our team has no members"), pool, OFFLOAD_MIN_NODES)
        here = offload(partial(_, "our team has no members"), None, 1)
    assert said == here == pseudo("our team has no members")


def test_a_viewed_answer_is_recomputed_in_the_language_it_was_asked_in(
    tmp_path: Path, pseudo_language: str
) -> None:
    store = GraphStore(SqliteStore(tmp_path / "precompute.db"))
    cache = AnalyticsCache()
    writable = subscribed(store, cache)
    service = AnalyticsService(writable, cache, clock=lambda: AS_OF)
    precomputer = Precomputer(service, delay=0.01)
    cache.add_listener(precomputer.schedule)
    precomputer.start()
    try:
        org = store.create_organisation(TENANT, OrganisationCreate(**DEMO_ORGANISATION))
        ids = writable.import_graph(
            TENANT, org.id, ImportRequest.model_validate(demo_import(AS_OF))
        ).ids
        with language(pseudo_language):
            service.power_map(TENANT, org.id)
        writable.update_person(TENANT, org.id, ids["cfo"], PersonUpdate(influence=1))
        assert precomputer.wait_idle(timeout=60)
        version = store.org_version(TENANT, org.id)
    finally:
        precomputer.stop()
        store.close()
    assert precomputer.recomputed == 1

    def cached(question: Question, params: object, lang: str) -> object:
        return cache.get(CacheKey(TENANT, org.id, version, question, params, lang))

    drawn = cached(Question.POWER_MAP, (None, AS_OF, None), pseudo_language)
    assert isinstance(drawn, CachedResult)
    assert cached(Question.DECISION_MAKERS, None, pseudo_language) is not None
    assert (
        cached(Question.POWER_MAP, (None, AS_OF, None), "en") is None
    )  # nobody viewed it in English
