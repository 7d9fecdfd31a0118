"""Entry paths: hand-built scenarios with known answers, and properties on random orgs."""

from __future__ import annotations

import math
from datetime import timedelta

import networkx as nx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graph.analytics import UnknownNode, entry_paths, rank_influence
from graph.analytics.hops import SOURCE, build_hop_graph, decay
from graph.network import build_graph
from schemas.analytics import EntryPaths, HopVia, PathFlag, PathParams
from schemas.common import RelType
from tests.analytics.support import (
    AS_OF,
    Org,
    add_edge,
    check_real,
    contact_dates,
    node_ids,
    orgs,
    relabelled,
)
from tests.factories import SnapshotBuilder

PROPERTY = settings(max_examples=50, deadline=None)


def paths_of(builder: SnapshotBuilder, **kwargs: object) -> EntryPaths:
    graph = build_graph(builder.build())
    return entry_paths(graph, rank_influence(graph), as_of=AS_OF, **kwargs)  # type: ignore[arg-type]


# --- scenarios with known answers -------------------------------------------------------------


def test_a_strong_champion_route_beats_a_shorter_route_through_an_opponent() -> None:
    b = (
        SnapshotBuilder()
        .person("ceo", roles=["decision_maker"], influence=5)
        .person("opp", stance="opponent")
        .person("ch1", stance="champion")
        .person("ch2", stance="champion")
        .member("am")
        .knows("am", "opp", 0.9, AS_OF)
        .influences("opp", "ceo", 0.9)
        .knows("am", "ch1", 0.9, AS_OF)
        .knows("ch1", "ch2", 0.9, AS_OF)
        .influences("ch2", "ceo", 0.9)
    )
    result = paths_of(b, k=5)
    assert result.target_id == "ceo"
    best = result.paths[0]
    assert node_ids(best) == ["am", "ch1", "ch2", "ceo"]
    assert best.probability == pytest.approx(0.9 * 0.9 * 0.9)
    assert best.flags == []
    short = next(p for p in result.paths if node_ids(p) == ["am", "opp", "ceo"])
    assert short.probability == pytest.approx(0.9 * 0.9 * PathParams().opponent)
    assert short.flags == [PathFlag.THROUGH_OPPONENT]
    assert "OPP (an opponent) influences CEO" in short.explanation
    assert best.explanation == (
        "AM (our team) knows CH1 well (0.90); CH1 (a champion) knows CH2 well and can "
        "introduce you (0.90); CH2 (a champion) influences CEO and can introduce you (0.90) "
        "— 73% overall."
    )


def bypass_org() -> SnapshotBuilder:
    return (
        SnapshotBuilder()
        .person("ceo", roles=["decision_maker"])
        .person("c")
        .person("d", stance="champion")
        .member("am")
        .reports("c", "ceo")
        .knows("am", "c", 0.8, AS_OF)
        .knows("am", "d", 0.9, AS_OF)
        .influences("d", "ceo", 0.9)
    )


def test_going_over_a_contacts_head_is_flagged_and_penalised() -> None:
    result = paths_of(bypass_org(), k=5, include_cold=False)
    around, through = result.paths
    assert node_ids(around) == ["am", "d", "ceo"]
    assert around.flags == [PathFlag.BYPASSES_CONTACT]
    assert around.bypassed == ["c"]
    assert around.raw_probability == pytest.approx(0.81)
    assert around.probability == pytest.approx(0.81 * 0.5)
    assert "over the head of our contact C" in around.explanation
    assert node_ids(through) == ["am", "c", "ceo"]
    assert through.flags == []
    assert through.probability == pytest.approx(0.8 * 0.35 * 0.6)


def test_a_heavier_bypass_penalty_reorders_the_paths() -> None:
    result = paths_of(bypass_org(), k=2, include_cold=False, params=PathParams(bypass_penalty=0.1))
    assert [node_ids(p) for p in result.paths] == [["am", "c", "ceo"], ["am", "d", "ceo"]]
    assert result.paths[1].probability == pytest.approx(0.081)
    assert result.exact


def test_our_own_engaged_tie_to_the_superior_is_not_a_bypass_but_a_weak_one_is() -> None:
    """Calling the CEO we know well ourselves is not going over C's head; a weak tie (0.3)
    to the CEO is no relationship to lean on, so using it goes around C like a cold call."""
    strong = paths_of(bypass_org().knows("am", "ceo", 0.8, AS_OF), k=5, include_cold=False)
    direct = next(p for p in strong.paths if node_ids(p) == ["am", "ceo"])
    assert direct.flags == []
    assert direct.probability == pytest.approx(0.8)
    weak = paths_of(bypass_org().knows("am", "ceo", 0.3, AS_OF), k=5, include_cold=False)
    direct = next(p for p in weak.paths if node_ids(p) == ["am", "ceo"])
    assert direct.flags == [PathFlag.BYPASSES_CONTACT]
    assert direct.bypassed == ["c"]


def test_cold_approach_only() -> None:
    b = (
        SnapshotBuilder()
        .person("ceo", roles=["economic_buyer"])
        .member(
            "am",
        )
    )
    result = paths_of(b, k=5)
    assert len(result.paths) == 1
    (path,) = result.paths
    assert path.flags == [PathFlag.COLD]
    assert path.probability == pytest.approx(0.02)
    assert path.steps[0].via is HopVia.COLD
    assert path.steps[0].relationship_id is None
    assert path.explanation == "AM (our team) approaches CEO cold (0.02) — 2.0% overall."

    warm_only = paths_of(b, k=5, include_cold=False)
    assert warm_only.paths == []
    assert warm_only.reason is not None
    assert "include_cold" in warm_only.reason


def test_a_decayed_tie_loses_to_a_fresh_one() -> None:
    b = (
        SnapshotBuilder()
        .person("ceo", roles=["decision_maker"])
        .person("a")
        .person("b")
        .member("am")
        .knows("am", "a", 0.9, AS_OF - timedelta(days=730))
        .knows("am", "b", 0.6, AS_OF - timedelta(days=10))
        .influences("a", "ceo", 0.8)
        .influences("b", "ceo", 0.8)
    )
    result = paths_of(b, k=2, include_cold=False)
    fresh, stale = result.paths
    assert node_ids(fresh) == ["am", "b", "ceo"]
    assert fresh.probability == pytest.approx(0.6 * 0.5 ** (10 / (180 * 4**0.1)) * 0.8 * 0.6)
    assert fresh.flags == []
    assert node_ids(stale) == ["am", "a", "ceo"]
    assert stale.probability == pytest.approx(0.9 * 0.5 ** (730 / (180 * 4**0.4)) * 0.8 * 0.6)
    assert stale.flags == [PathFlag.STALE_TIE]
    assert "last contact 730 days ago" in stale.explanation


def test_hop_probabilities_follow_the_documented_defaults() -> None:
    b = (
        SnapshotBuilder()
        .person("boss", stance="supporter")
        .person("rep", stance="skeptic")
        .person("dot")
        .person("inf", stance="champion")
        .member("am")
        .reports("rep", "boss")
        .reports("dot", "boss", dotted=True)
        .influences("inf", "boss", 0.8)
        .knows("am", "rep")
        .tie(RelType.KNOWS, "dot", "inf")
    )
    hops = build_hop_graph(build_graph(b.build()), as_of=AS_OF, include_cold=False)
    p = {(u, v): h.probability for u, v, h in hops.graph.edges(data="hop") if h}
    assert p[("am", "rep")] == pytest.approx(0.5 * 0.5)
    assert p[("rep", "boss")] == pytest.approx(0.35 * 0.3)
    assert p[("boss", "rep")] == pytest.approx(0.6 * 0.85)
    assert p[("dot", "boss")] == pytest.approx(0.25 * 0.6)
    assert p[("boss", "dot")] == pytest.approx(0.4 * 0.85)
    assert p[("inf", "boss")] == pytest.approx(0.8 * 1.0)
    assert p[("boss", "inf")] == pytest.approx(0.8 * 0.75 * 0.85)
    assert p[("dot", "inf")] == pytest.approx(0.5 * 0.5 * 0.6)
    assert p[("inf", "dot")] == pytest.approx(0.5 * 0.5 * 1.0)
    assert ("rep", "am") not in p


def test_the_best_of_several_ties_between_a_pair_is_used() -> None:
    b = (
        SnapshotBuilder()
        .person("a")
        .person("b")
        .member("am")
        .knows("am", "a", 0.9, AS_OF)
        .influences("a", "b", 0.2)
        .knows("a", "b", 0.7, AS_OF)
    )
    result = paths_of(b, target_id="b", k=1, include_cold=False)
    step = result.paths[0].steps[1]
    assert step.via is HopVia.KNOWS
    assert step.probability == pytest.approx(0.7 * 0.6)


def test_decay_half_life() -> None:
    params = PathParams()
    assert decay(AS_OF, AS_OF, params) == 1.0
    assert decay(AS_OF - timedelta(days=360), AS_OF, params) == pytest.approx(0.25)
    assert decay(AS_OF - timedelta(days=360), AS_OF, params, strength=1.0) == pytest.approx(0.5)
    assert decay(AS_OF - timedelta(days=360), AS_OF, params, 0.0) == pytest.approx(0.5**4)
    assert decay(AS_OF + timedelta(days=5), AS_OF, params) == 1.0
    assert decay(None, AS_OF, PathParams(undated_decay=0.3)) == 0.3


def test_one_member_only() -> None:
    b = bypass_org().member("other").knows("other", "ceo", 0.9, AS_OF)
    everyone = paths_of(b, k=3)
    assert everyone.paths[0].member_id == "other"
    mine = paths_of(b, k=3, member_id="am")
    assert {p.member_id for p in mine.paths} == {"am"}
    assert mine.member_id == "am"


def test_unknown_target_or_member_raises() -> None:
    with pytest.raises(UnknownNode) as error:
        paths_of(bypass_org(), target_id="nobody")
    assert (error.value.node_id, error.value.field, error.value.status) == (
        "nobody",
        "target_id",
        404,
    )
    with pytest.raises(UnknownNode):
        paths_of(bypass_org(), target_id="am")
    with pytest.raises(UnknownNode) as error:
        paths_of(bypass_org(), member_id="ceo")
    assert error.value.field == "member_id"


def test_empty_cases_give_a_reason() -> None:
    empty = paths_of(SnapshotBuilder())
    assert empty.paths == []
    assert empty.reason == "the organisation has no people yet"
    no_team = paths_of(SnapshotBuilder().person("ceo"))
    assert no_team.paths == []
    assert no_team.reason == "our team has no members"


# --- properties --------------------------------------------------------------------------


@st.composite
def questions(draw: st.DrawFn, max_people: int = 8) -> tuple[Org, str, int, bool]:
    org = draw(orgs(max_people=max_people, min_team=1, max_team=2))
    return (
        org,
        draw(st.sampled_from(org.people)),
        draw(st.integers(1, 6)),
        draw(st.booleans()),
    )


@PROPERTY
@given(questions())
def test_paths_are_sorted_simple_and_made_of_real_hops(q: tuple[Org, str, int, bool]) -> None:
    org, target, k, cold = q
    graph = org.graph()
    result = entry_paths(
        graph, rank_influence(graph), target_id=target, k=k, include_cold=cold, as_of=AS_OF
    )
    assert len(result.paths) <= k
    if cold:
        assert result.paths, "a cold hop always exists"
    probabilities = [p.probability for p in result.paths]
    assert all(0.0 < p <= 1.0 for p in probabilities)
    assert probabilities == sorted(probabilities, reverse=True)
    assert len({tuple(node_ids(p)) for p in result.paths}) == len(result.paths)
    for path in result.paths:
        assert node_ids(path)[-1] == target
        check_real(graph, path, result.params)


def brute_force(graph: nx.MultiDiGraph, target: str, cold: bool) -> list[float]:
    hops = build_hop_graph(graph, as_of=AS_OF, include_cold=cold)
    found = []
    for path in nx.all_simple_paths(hops.graph, SOURCE, target):
        found.append(hops.penalised(path[1:])[0])
    return sorted(found, reverse=True)


@settings(max_examples=40, deadline=None)
@given(questions(max_people=6))
def test_yen_with_penalties_finds_the_true_top_k(q: tuple[Org, str, int, bool]) -> None:
    org, target, k, cold = q
    graph = org.graph()
    result = entry_paths(
        graph, rank_influence(graph), target_id=target, k=k, include_cold=cold, as_of=AS_OF
    )
    assume(result.exact)
    expected = brute_force(graph, target, cold)[:k]
    assert [p.probability for p in result.paths] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def best(graph: nx.MultiDiGraph, target: str) -> tuple[float, bool]:
    result = entry_paths(graph, rank_influence(graph), target_id=target, k=1, as_of=AS_OF)
    return result.paths[0].probability, result.exact


def raw_best(graph: nx.MultiDiGraph, target: str) -> float:
    hops = build_hop_graph(graph, as_of=AS_OF)
    return math.exp(-nx.shortest_path_length(hops.graph, SOURCE, target, weight="weight"))


@PROPERTY
@given(
    questions(),
    st.data(),
)
def test_adding_a_tie_never_lowers_the_best_path(
    q: tuple[Org, str, int, bool], data: st.DataObject
) -> None:
    org, target, _k, _cold = q
    assume(len(org.people) >= 2)
    graph = org.graph()
    before, exact_before = best(graph, target)
    raw_before = raw_best(graph, target)
    u, v = data.draw(st.permutations(org.people).map(lambda p: (p[0], p[1])))
    rel_type = data.draw(st.sampled_from([RelType.KNOWS.value, RelType.INFLUENCES.value]))
    add_edge(graph, u, v, rel_type, strength=data.draw(st.floats(0.0, 1.0)), last_contact=AS_OF)
    after, exact_after = best(graph, target)
    if exact_before and exact_after:
        assert after >= before * (1 - 1e-12)
    assert raw_best(graph, target) >= raw_before * (1 - 1e-12)

    # Any new tie, even one that makes someone a contact, never lowers the raw best.
    member = data.draw(st.sampled_from(org.team))
    extra = data.draw(st.sampled_from(org.people))
    add_edge(graph, member, extra, RelType.KNOWS.value, strength=0.9, last_contact=AS_OF)
    add_edge(graph, u, v, RelType.REPORTS_TO.value, dotted=True)
    assert raw_best(graph, target) >= raw_before * (1 - 1e-12)


@PROPERTY
@given(questions(), st.data())
def test_raising_a_strength_never_lowers_the_best_path(
    q: tuple[Org, str, int, bool], data: st.DataObject
) -> None:
    org, target, _k, _cold = q
    graph = org.graph()
    ties = sorted(
        (u, v, key)
        for u, v, key, kind in graph.edges(keys=True, data="type")
        if kind != RelType.REPORTS_TO.value
    )
    assume(ties)
    before, exact_before = best(graph, target)
    engaged_before = build_hop_graph(graph, as_of=AS_OF).contacts
    raw_before = raw_best(graph, target)
    u, v, key = data.draw(st.sampled_from(ties))
    current = graph.edges[u, v, key]["strength"]
    floor = 0.5 if current is None else current
    graph.edges[u, v, key]["strength"] = data.draw(st.floats(floor, 1.0))
    after, exact_after = best(graph, target)
    raw_after = raw_best(graph, target)
    # A tie that becomes engaged makes a new contact, whom routes may now go around (by
    # design); with the same engaged people, a stronger tie can only help.
    if (
        exact_before
        and exact_after
        and build_hop_graph(graph, as_of=AS_OF).contacts == (engaged_before)
    ):
        assert after >= before * (1 - 1e-12)
    assert raw_after >= raw_before * (1 - 1e-12)


@PROPERTY
@given(questions())
def test_paths_are_invariant_under_relabelling(q: tuple[Org, str, int, bool]) -> None:
    org, target, k, cold = q
    graph = org.graph()
    other, mapping = relabelled(graph, "node")
    one = entry_paths(
        graph, rank_influence(graph), target_id=target, k=k, include_cold=cold, as_of=AS_OF
    )
    two = entry_paths(
        other,
        rank_influence(other),
        target_id=mapping[target],
        k=k,
        include_cold=cold,
        as_of=AS_OF,
    )
    assume(one.exact and two.exact)
    assert [p.probability for p in one.paths] == pytest.approx(
        [p.probability for p in two.paths], rel=1e-9
    )
    names = [[s.to_name for s in p.steps] for p in one.paths]
    assert names == [[s.to_name for s in p.steps] for p in two.paths]
    assert [p.explanation for p in one.paths] == [p.explanation for p in two.paths]


@PROPERTY
@given(questions(), st.data())
def test_a_tie_below_the_engaged_threshold_never_lowers_the_best_path(
    q: tuple[Org, str, int, bool], data: st.DataObject
) -> None:
    """A weak, dead or undated-stale tie makes nobody a contact we could go around, so it can
    only add ways in (rule 1 of #12)."""
    org, target, _k, _cold = q
    graph = org.graph()
    before, exact_before = best(graph, target)
    member = data.draw(st.sampled_from(org.team))
    person = data.draw(st.sampled_from(org.people))
    strength = data.draw(st.floats(0.0, 1.0))
    last = data.draw(contact_dates)
    params = PathParams()
    effective = strength * decay(last, AS_OF, params, strength)
    assume(effective < params.engaged_threshold)
    add_edge(graph, member, person, RelType.KNOWS.value, strength=strength, last_contact=last)
    after, exact_after = best(graph, target)
    if exact_before and exact_after:
        assert after >= before * (1 - 1e-12)


@PROPERTY
@given(orgs(min_people=2, max_people=9, min_team=1, max_team=2), st.data())
def test_a_referral_down_the_reporting_lines_is_never_flagged(
    org: Org, data: st.DataObject
) -> None:
    """A member with a working tie to someone, then down their solid or dotted lines: every
    hop comes from above, which is the top-down method itself and never a bypass."""
    lines = org.solid + org.dotted
    assume(lines)
    reports: dict[str, list[str]] = {}
    for report, manager in lines:
        reports.setdefault(manager, []).append(report)
    start = data.draw(st.sampled_from(sorted(reports)))
    chain = [start]
    while reports.get(chain[-1]) and data.draw(st.booleans()):
        nxt = data.draw(st.sampled_from(sorted(reports[chain[-1]])))
        if nxt in chain:
            break
        chain.append(nxt)
    if len(chain) == 1:
        chain.append(data.draw(st.sampled_from(sorted(reports[start]))))
    assume(len(set(chain)) == len(chain))
    builder = org.builder().member("zz-top").knows("zz-top", start, 0.9, AS_OF)
    graph = build_graph(builder.build())
    assume(graph.nodes[start].get("stance") != "opponent")
    hops = build_hop_graph(graph, as_of=AS_OF, include_cold=False)
    assert hops.bypassed(["zz-top", *chain]) == []
