"""Next contacts: candidates, value, reachability, uplift and the lazy exact ranking."""

from __future__ import annotations

import math
from datetime import timedelta

import networkx as nx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graph.analytics import UnknownNode, coverage, entry_paths, next_contacts, rank_influence
from graph.analytics.decision import top_decision_maker
from graph.analytics.hops import best_probabilities_to, build_hop_graph
from graph.analytics.next_contacts import ROLE_GAP_VALUE, VALUE_MARGIN, WARM_REACH, reach_factor
from graph.network import build_graph
from schemas.analytics import (
    InfluenceRanking,
    NextContactParams,
    NextContacts,
    PathFlag,
    TargetSource,
)
from tests.analytics.support import AS_OF, Org, approx_equal, node_ids, orgs, relabelled
from tests.factories import SnapshotBuilder


def account() -> SnapshotBuilder:
    return (
        SnapshotBuilder()
        .person("ceo", roles=["decision_maker"], influence=5)
        .person("cfo", roles=["economic_buyer"], influence=4)
        .person("hr", influence=4)
        .person("cto", roles=["technical_buyer"], influence=4)
        .person("ch", stance="champion")
        .person("z", stance="skeptic")
        .member("am")
        .reports("cfo", "ceo")
        .reports("hr", "ceo")
        .reports("cto", "ceo")
        .reports("ch", "cto")
        .reports("z", "cto")
        .knows("am", "ch", 0.9, AS_OF)
        .knows("ch", "cfo", 0.8, AS_OF)
        .knows("ch", "hr", 0.8, AS_OF)
    )


def contacts_of(builder: SnapshotBuilder, **kwargs: object) -> NextContacts:
    graph = build_graph(builder.build())
    return next_contacts(graph, rank_influence(graph), as_of=AS_OF, **kwargs)  # type: ignore[arg-type]


def modifier(reach: float) -> float:
    return 1 - 0.15 * (1 - reach_factor(reach))


def test_value_leads_the_uncovered_ceo_then_the_economic_buyer_then_hr() -> None:
    """A KAM goes for the top decision-maker first, then the uncovered economic buyer, and
    only then for HR, though HR is as easy to reach as the CFO: value leads."""
    result = contacts_of(account(), limit=10)
    ids = [c.person_id for c in result.items]
    assert ids[:2] == ["ceo", "cfo"]
    assert "ch" not in ids, "engaged people are never suggested"
    assert ids.index("cfo") < ids.index("hr"), "the buying role makes the difference"
    cfo = result.items[1]
    assert cfo.uncovered_roles == ["economic_buyer"]
    assert cfo.role_gap == 1.0
    assert cfo.path is not None
    assert [s.to_id for s in cfo.path.steps] == ["ch", "cfo"]
    assert cfo.reachability == pytest.approx(0.9 * 0.8)
    assert cfo.score == pytest.approx(cfo.value * modifier(cfo.reachability))
    assert any("economic_buyer" in r for r in cfo.reasons)
    assert cfo.reasons[-1] == "reachable at 72% through CH"
    assert result.target_id == "ceo"
    assert result.target_source is TargetSource.TOP_DECISION_MAKER
    assert result.exact
    scores = [c.score for c in result.items]
    assert scores == sorted(scores, reverse=True)


def test_an_easy_director_without_a_role_does_not_beat_the_uncovered_economic_buyer() -> None:
    """The issue's case: a director we can reach at 72% through our champion, with no buying
    role, against the economic buyer whom only a cold call reaches. Engaging the economic
    buyer is worth far more, so they come first; the director's ease only breaks near-ties."""
    b = (
        SnapshotBuilder()
        .person("ceo", roles=["decision_maker"], influence=5)
        .person("cfo", roles=["economic_buyer"], influence=4)
        .person("director", influence=4)
        .person("ch", stance="champion")
        .member("am")
        .reports("cfo", "ceo")
        .reports("director", "ceo")
        .reports("ch", "director")
        .knows("am", "ch", 0.9, AS_OF)
        .knows("am", "ceo", 0.9, AS_OF)
    )
    ids = [c.person_id for c in contacts_of(b, limit=5).items]
    assert ids.index("cfo") < ids.index("director")


def test_value_formula_by_hand() -> None:
    result = contacts_of(account(), limit=10)
    graph = build_graph(account().build())
    ranking = rank_influence(graph)
    power = {i.person_id: i.power for i in ranking.items}
    p_cur = result.current_best_probability
    assert p_cur == pytest.approx(0.9 * 0.8 * 0.35 * 0.6)
    assert p_cur == entry_paths(graph, ranking, k=1, as_of=AS_OF).paths[0].probability
    cfo = next(c for c in result.items if c.person_id == "cfo")
    # With the CFO engaged, NEW -> CFO -> CEO reaches the CEO from below, around our
    # champion CH (the CEO is CH's skip level): penalised to 0.9 x 0.21 x 0.5 < p_cur.
    assert cfo.uplift == 0.0
    assert cfo.value == pytest.approx(0.45 * power["cfo"] + 0.30 * 1.0)
    ceo = next(c for c in result.items if c.person_id == "ceo")
    assert ceo.uplift == pytest.approx(0.9 - p_cur)
    assert ceo.reasons[0] == "is the top decision-maker"


def test_we_reactivate_our_own_tie_rather_than_ask_their_colleague() -> None:
    """Our SE met HR two years ago; CH (our champion, HR's colleague) could introduce us at
    a higher probability, but a KAM calls the person they already know: the path is SE's
    own tie and the reason says to reactivate it."""
    b = account().member("se").knows("se", "hr", 0.8, AS_OF - timedelta(days=700))
    result = contacts_of(b, limit=10)
    hr = next(c for c in result.items if c.person_id == "hr")
    assert hr.direct_tie
    assert hr.path is not None
    assert node_ids(hr.path) == ["se", "hr"]
    assert any(r.startswith("reactivate SE's tie (last contact 700 days ago") for r in hr.reasons)
    mine = contacts_of(b, limit=10, member_id="am")
    hr_mine = next(c for c in mine.items if c.person_id == "hr")
    assert not hr_mine.direct_tie
    assert hr_mine.path is not None
    assert hr_mine.path.member_id == "am"
    assert any(r.startswith("SE also knows them") for r in hr_mine.reasons)


def test_weak_and_stale_ties_are_candidates_but_strong_ones_are_not() -> None:
    b = account().knows("am", "z", 0.3, AS_OF).member("se").knows("se", "hr", 0.9, AS_OF)
    result = contacts_of(b, limit=10)
    by_id = {c.person_id: c for c in result.items}
    assert "hr" not in by_id, "engaged by another member still counts as engaged"
    assert by_id["z"].current_tie == pytest.approx(0.3)
    assert by_id["z"].direct_tie
    assert any(r.startswith("deepen AM's tie (strength 0.30") for r in by_id["z"].reasons)
    mine = contacts_of(b, limit=10, member_id="am")
    assert "hr" not in {c.person_id for c in mine.items}
    assert all(c.path is None or c.path.member_id == "am" for c in mine.items)


def test_next_contacts_take_a_target() -> None:
    """Asked for the CTO, uplift is measured toward the CTO and the answer says so."""
    result = contacts_of(account(), limit=10, target_id="cto")
    assert (result.target_id, result.target_source) == ("cto", TargetSource.REQUESTED)
    cto = next(c for c in result.items if c.person_id == "cto")
    assert cto.reasons[0] == "is the target"
    with pytest.raises(UnknownNode):
        contacts_of(account(), target_id="am")


def test_a_covered_role_is_worth_nothing_more() -> None:
    b = account().person("cfo2", roles=["economic_buyer"]).knows("am", "cfo2", 0.9, AS_OF)
    result = contacts_of(b, limit=10)
    cfo = next(c for c in result.items if c.person_id == "cfo")
    assert cfo.uncovered_roles == []
    assert cfo.role_gap == 0.0


def test_cold_only_candidates_say_so() -> None:
    b = SnapshotBuilder().person("ceo", roles=["decision_maker"]).member("am")
    (only,) = contacts_of(b).items
    assert only.path is not None
    assert only.path.flags == [PathFlag.COLD]
    assert only.reachability == pytest.approx(0.02)
    assert "only a cold approach reaches them (2.0%)" in only.reasons


def test_limit_unknown_member_and_empty_team() -> None:
    assert len(contacts_of(account(), limit=2).items) == 2
    with pytest.raises(UnknownNode):
        contacts_of(account(), member_id="ceo")
    with pytest.raises(ValueError, match="limit"):
        contacts_of(account(), limit=0)
    no_team = contacts_of(SnapshotBuilder().person("ceo"))
    assert no_team.items == []
    assert no_team.reason == "our team has no members"


def test_params_are_validated_and_used() -> None:
    with pytest.raises(ValueError, match="weights"):
        NextContactParams(power_weight=0, role_weight=0, uplift_weight=0)
    power_only = NextContactParams(role_weight=0, uplift_weight=0)
    result = contacts_of(account(), limit=10, params=power_only)
    assert all(c.value == pytest.approx(c.power) for c in result.items)


# --- properties ------------------------------------------------------------------------------


def with_new_tie(org: Org, person: str) -> nx.MultiDiGraph:
    """The organisation once a new member of ours holds a fresh 0.9 tie with ``person``."""
    return build_graph(org.builder().member("zz-new").knows("zz-new", person, 0.9, AS_OF).build())


@settings(max_examples=40, deadline=None)
@given(orgs(min_people=2, max_people=7, min_team=1, max_team=2))
def test_uplift_is_what_entry_paths_would_show_with_the_new_tie(org: Org) -> None:
    graph = org.graph()
    ranking = rank_influence(graph)
    target = top_decision_maker(graph, ranking)
    assert target is not None
    hops = build_hop_graph(graph, as_of=AS_OF)
    fast = best_probabilities_to(hops, target)
    for person in org.people:
        lengths = nx.single_source_dijkstra_path_length(hops.graph, person, weight="weight")
        slow = math.exp(-lengths[target]) if target in lengths else 0.0
        assert approx_equal(fast.get(person, 0.0), slow)

    result = next_contacts(graph, ranking, as_of=AS_OF, limit=len(org.people))
    today = entry_paths(graph, ranking, target_id=target, k=1, as_of=AS_OF)
    assume(result.exact and today.exact)
    p_cur = today.paths[0].probability
    assert approx_equal(result.current_best_probability, p_cur)
    for item in result.items:
        hypothetical = build_graph_ranked(with_new_tie(org, item.person_id))
        then = entry_paths(*hypothetical, target_id=target, k=1, as_of=AS_OF)
        assume(then.exact)
        assert approx_equal(item.uplift, max(p_cur, then.paths[0].probability) - p_cur)


def build_graph_ranked(graph: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, InfluenceRanking]:
    return graph, rank_influence(graph)


@settings(max_examples=40, deadline=None)
@given(orgs(min_people=1, max_people=8, min_team=1, max_team=2), st.integers(1, 4))
def test_lazy_ranking_equals_scoring_everyone_exactly(org: Org, limit: int) -> None:
    graph = org.graph()
    ranking = rank_influence(graph)
    result = next_contacts(graph, ranking, as_of=AS_OF, limit=limit)
    every = next_contacts(graph, ranking, as_of=AS_OF, limit=len(org.people))
    assert [c.person_id for c in result.items] == [c.person_id for c in every.items][:limit]
    exact = []
    for item in every.items:
        assert item.path is not None
        if item.direct_tie:
            assert item.path.hops == 1
        else:
            paths = entry_paths(graph, ranking, target_id=item.person_id, k=1, as_of=AS_OF)
            assume(paths.exact)
            assert approx_equal(item.reachability, paths.paths[0].probability)
        assert approx_equal(item.score, item.value * modifier(item.reachability))
        exact.append(item.score)
    assert exact == sorted(exact, reverse=True)
    power = {i.person_id: i.power for i in ranking.items}
    for item in every.items:
        gap = max((ROLE_GAP_VALUE[r] for r in item.uncovered_roles), default=0.0)
        assert item.role_gap == gap
        assert approx_equal(
            item.value, 0.45 * power[item.person_id] + 0.30 * gap + 0.25 * item.uplift
        )


@settings(max_examples=60, deadline=None)
@given(orgs(min_people=2, max_people=8, min_team=1, max_team=2))
def test_value_leads_reachability_only_breaks_near_ties(org: Org) -> None:
    """If value(A) >= value(B) + VALUE_MARGIN and A is reachable at WARM_REACH or better,
    A ranks above B, however easy B is to reach."""
    graph = org.graph()
    items = next_contacts(graph, rank_influence(graph), as_of=AS_OF, limit=len(org.people)).items
    for i, b in enumerate(items):
        for a in items[i + 1 :]:
            assert not (a.value >= b.value + VALUE_MARGIN and a.reachability >= WARM_REACH), (
                a.person_id,
                b.person_id,
            )


@settings(max_examples=30, deadline=None)
@given(orgs(min_people=1, max_people=8, min_team=1, max_team=2))
def test_next_contacts_and_fragility_are_invariant_under_relabelling(org: Org) -> None:
    graph = org.graph()
    other, _mapping = relabelled(graph, "node")
    one = next_contacts(graph, rank_influence(graph), as_of=AS_OF, limit=8)
    two = next_contacts(other, rank_influence(other), as_of=AS_OF, limit=8)
    assume(one.exact and two.exact)
    assert [(c.name, c.score) for c in one.items] == [(c.name, c.score) for c in two.items]
    assert [c.reasons for c in one.items] == [c.reasons for c in two.items]
    f_one = coverage(graph, rank_influence(graph), as_of=AS_OF).fragility
    f_two = coverage(other, rank_influence(other), as_of=AS_OF).fragility
    assert f_one.best_probability == pytest.approx(f_two.best_probability, rel=1e-9)
    assert [(c.name, c.kind) for c in f_one.critical] == [(c.name, c.kind) for c in f_two.critical]
