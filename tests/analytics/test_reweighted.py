"""Re-ranking under other weights gives exactly what ranking from scratch gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analytics.influence import rank_influence, reweighted
from graph.network import build_graph
from schemas.analytics import InfluenceWeights
from tests.analytics.support import Org, approx_equal, orgs
from tests.datasets import krackhardt_request, lazega_request, snapshot_from_request

weights = st.tuples(*[st.floats(0.0, 1000.0) for _ in range(4)]).filter(lambda w: max(w) > 1e-6)


def _weights(w: tuple[float, float, float, float]) -> InfluenceWeights:
    return InfluenceWeights(formal=w[0], informal=w[1], brokerage=w[2], declared=w[3])


@settings(max_examples=60, deadline=None)
@given(orgs(max_people=10, max_team=1), weights)
def test_reweighted_equals_ranking_with_those_weights(
    org: Org, w: tuple[float, float, float, float]
) -> None:
    graph = org.graph()
    chosen = _weights(w)
    again = reweighted(rank_influence(graph), chosen)
    assert again == rank_influence(graph, chosen)
    assert again.model_dump_json() == rank_influence(graph, chosen).model_dump_json()


@settings(max_examples=20, deadline=None)
@given(weights)
def test_reweighted_matches_ranking_on_the_real_datasets(
    w: tuple[float, float, float, float],
) -> None:
    """At 21 and 71 people rustworkx sums betweenness in parallel, so two rankings of one
    graph may differ in the last bits of ``brokerage``: compared to 1e-12 here."""
    chosen = _weights(w).normalised()
    for body in (krackhardt_request(), lazega_request()):
        graph = build_graph(snapshot_from_request(body))
        again, fresh = reweighted(rank_influence(graph), chosen), rank_influence(graph, chosen)
        assert again.weights == fresh.weights == chosen
        assert [i.person_id for i in again.items] == [i.person_id for i in fresh.items]
        for mine, theirs in zip(again.items, fresh.items, strict=True):
            assert mine.rank == theirs.rank
            assert approx_equal(mine.power, theirs.power, 1e-12)


@settings(max_examples=60, deadline=None)
@given(weights, st.integers(-30, 30))
def test_normalised_weights_keep_only_the_proportions(
    w: tuple[float, float, float, float], exponent: int
) -> None:
    """Scaling every weight by a power of two (exact in floating point) changes nothing;
    the weights used have 4 decimals and sum to 1 within the rounding."""
    used = _weights(w).normalised()
    scaled = _weights(
        (w[0] * 2.0**exponent, w[1] * 2.0**exponent, w[2] * 2.0**exponent, w[3] * 2.0**exponent)
    )
    assert scaled.normalised() == used
    values = (used.formal, used.informal, used.brokerage, used.declared)
    assert all(round(v, 4) == v for v in values)
    assert abs(sum(values) - 1.0) <= 2e-4
