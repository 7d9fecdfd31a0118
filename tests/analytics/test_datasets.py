"""The Krackhardt and Lazega organisations: reference equality and a worked account."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from graph.analytics import (
    coverage,
    entry_paths,
    find_decision_makers,
    next_contacts,
    rank_influence,
    top_decision_maker,
)
from graph.network import build_graph
from schemas.analytics import InfluenceRanking
from schemas.imports import ImportRequest
from tests.analytics.support import AS_OF, check_real, node_ids, reference_prior
from tests.datasets import (
    krackhardt_arcs,
    krackhardt_request,
    lazega_arcs,
    lazega_request,
    snapshot_from_request,
)


def assert_matches_networkx(
    ranking: InfluenceRanking, prefix: str, advice: nx.DiGraph, ties: nx.Graph
) -> None:
    """``advice`` holds asker -> adviser arcs: exactly the endorsement graph."""
    prior = reference_prior(ranking, key=lambda pid: int(pid.removeprefix(prefix)))
    pagerank = nx.pagerank(advice, alpha=0.85, personalization=prior)
    betweenness = nx.betweenness_centrality(ties, normalized=True)
    top_pr, top_b = max(pagerank.values()), max(betweenness.values())
    assert ranking.n == advice.number_of_nodes()
    for item in ranking.items:
        i = int(item.person_id.removeprefix(prefix))
        assert item.informal_raw == pytest.approx(pagerank[i], abs=1e-9)
        assert item.components.informal == pytest.approx(pagerank[i] / top_pr, abs=1e-9)
        assert item.brokerage_raw == pytest.approx(betweenness[i], abs=1e-9)
        assert item.components.brokerage == pytest.approx(betweenness[i] / top_b, abs=1e-9)


def test_krackhardt_matches_networkx() -> None:
    arcs = krackhardt_arcs()
    advice = nx.DiGraph(arcs["advice"])
    advice.add_nodes_from(range(1, 22))
    ties = nx.Graph(arcs["advice"] + arcs["friendship"] + arcs["reports_to"])
    graph = build_graph(snapshot_from_request(krackhardt_request()))
    assert_matches_networkx(rank_influence(graph), "m", advice, ties)


def test_lazega_matches_networkx() -> None:
    arcs = lazega_arcs()
    advice = nx.DiGraph(arcs["advice"])
    advice.add_nodes_from(range(1, 72))
    ties = nx.Graph(arcs["advice"] + arcs["friends"] + arcs["cowork"])
    ties.add_nodes_from(range(1, 72))
    graph = build_graph(snapshot_from_request(lazega_request()))
    assert_matches_networkx(rank_influence(graph), "a", advice, ties)


def test_import_bodies_are_valid_and_complete() -> None:
    kr = ImportRequest.model_validate(krackhardt_request())
    assert len(kr.people) == 21
    assert sum(p.reports_to is not None for p in kr.people) == 20
    assert sum(r.type == "INFLUENCES" for r in kr.relationships) == 190
    friends = {frozenset(a) for a in krackhardt_arcs()["friendship"]}
    assert sum(r.type == "KNOWS" for r in kr.relationships) == len(friends)
    ceo = next(p for p in kr.people if p.ref == "m7")
    assert (ceo.title, ceo.reports_to) == ("CEO", None)
    direct = sorted(p.ref for p in kr.people if p.reports_to == "m7")
    assert direct == ["m14", "m18", "m2", "m21"]

    lz = ImportRequest.model_validate(lazega_request())
    assert len(lz.people) == 71
    assert sum(p.title is not None and p.title.startswith("Partner") for p in lz.people) == 36
    assert sum(r.type == "INFLUENCES" for r in lz.relationships) == 892
    assert all(p.reports_to is None for p in lz.people)


def krackhardt_account() -> dict[str, Any]:
    """Krackhardt plus our account manager, who knows manager 10 (LEVEL 3, under VP 18)."""
    body = krackhardt_request()
    body["team"] = [{"ref": "am", "name": "Anna", "title": "AE"}]
    body["relationships"].append(
        {"type": "KNOWS", "source": "am", "target": "m10", "strength": 0.8, "last_contact": AS_OF}
    )
    return body


def test_krackhardt_entry_paths_to_the_ceo() -> None:
    graph = build_graph(snapshot_from_request(krackhardt_account()))
    ranking = rank_influence(graph)
    assert top_decision_maker(graph, ranking) == "m7"
    makers = find_decision_makers(graph, ranking).items
    assert makers[0].reasons == [
        "top of the reporting tree (20 people report up to them)",
        "titled CEO",
    ]

    result = entry_paths(graph, ranking, k=5, include_cold=False, as_of=AS_OF)
    assert result.target_id == "m7"
    assert result.exact
    assert len(result.paths) == 5
    for path in result.paths:
        nodes = node_ids(path)
        assert nodes[:2] == ["am", "m10"]
        assert nodes[-1] == "m7"
        check_real(graph, path, result.params)
        assert path.explanation.startswith("Anna (our AE) knows Manager 10 well (0.80); ")
    probabilities = [p.probability for p in result.paths]
    assert probabilities == sorted(probabilities, reverse=True)


def test_krackhardt_next_contacts_and_coverage() -> None:
    graph = build_graph(snapshot_from_request(krackhardt_account()))
    ranking = rank_influence(graph)
    suggestions = next_contacts(graph, ranking, as_of=AS_OF, limit=5)
    assert len(suggestions.items) == 5
    assert "m10" not in {c.person_id for c in suggestions.items}
    assert all(c.path is not None and c.path.member_id == "am" for c in suggestions.items)

    report = coverage(graph, ranking, as_of=AS_OF)
    assert [e.person_id for e in report.engaged] == ["m10"]
    assert report.single_threaded
    assert report.bus_factor.reachable
    assert [m.id for m in report.bus_factor.critical_members] == ["am"]
    assert [p.id for p in report.bus_factor.critical_people] == ["m10"]


def test_lazega_without_a_tree_still_has_a_default_target() -> None:
    body = lazega_request()
    body["team"] = [{"ref": "am", "name": "Anna"}]
    body["relationships"].append({"type": "KNOWS", "source": "am", "target": "a40"})
    graph = build_graph(snapshot_from_request(body))
    ranking = rank_influence(graph)
    makers = find_decision_makers(graph, ranking).items
    partners = {n for n, d in graph.nodes(data=True) if d.get("seniority") == "executive"}
    assert {m.person_id for m in makers} == partners
    assert all(m.inferred for m in makers)
    assert makers[0].person_id == ranking.items[0].person_id
    result = entry_paths(graph, ranking, k=3, include_cold=False, as_of=AS_OF)
    assert len(result.paths) == 3
    for path in result.paths:
        check_real(graph, path, result.params)
