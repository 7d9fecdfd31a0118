"""The deal view of an organisation (graph.analytics.deals), as invariants over random ones."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analytics import coverage, entry_paths, rank_influence
from graph.analytics.deals import deal_graph, deal_ranking
from graph.deals import Deal, Seat
from schemas.common import BuyingRole, Stance
from tests.analytics.support import Org, orgs

AS_OF = date(2026, 6, 1)


def _deal(org: Org, *, copy_everyone: bool) -> Deal:
    seats = (
        tuple(
            Seat(p, frozenset(org.roles[p]), org.stance[p], org.influence[p], False)
            for p in sorted(org.people)
        )
        if copy_everyone
        else ()
    )
    return Deal("d", "Deal", "qualification", "open", seats=seats)


@settings(max_examples=40, deadline=None)
@given(orgs(min_people=1, max_people=8, min_team=0, max_team=2))
def test_an_empty_committee_keeps_stances_and_clears_every_role(org: Org) -> None:
    graph = org.graph()
    view = deal_graph(graph, _deal(org, copy_everyone=False))
    for person in org.people:
        assert view.nodes[person]["roles"] == frozenset()
        assert view.nodes[person]["stance"] == graph.nodes[person]["stance"]
        assert view.nodes[person]["influence"] == graph.nodes[person]["influence"]
    assert graph.nodes[org.people[0]]["roles"] == frozenset(org.roles[org.people[0]])


@settings(max_examples=30, deadline=None)
@given(orgs(min_people=1, max_people=7, min_team=1, max_team=2))
def test_a_committee_that_copies_everyone_answers_as_the_organisation(org: Org) -> None:
    """Seating everyone with their own roles and stance changes nothing but the target
    rule: the ranking, and the paths to any one requested target, are the organisation's."""
    graph = org.graph()
    view = deal_graph(graph, _deal(org, copy_everyone=True))
    plain, deal = rank_influence(graph), rank_influence(view)
    assert plain.items == deal.items
    target = org.people[-1]
    asked = {"target_id": target, "member_id": None, "k": 3, "include_cold": True, "as_of": AS_OF}
    assert entry_paths(graph, plain, **asked).paths == entry_paths(view, deal, **asked).paths
    org_cov = coverage(graph, plain, as_of=AS_OF, target_id=target)
    deal_cov = coverage(view, deal, as_of=AS_OF, target_id=target)
    assert org_cov.roles == deal_cov.roles
    assert deal_cov.deal is not None
    assert org_cov.deal is None


@st.composite
def _org_and_committee(draw: st.DrawFn) -> tuple[Org, Deal]:
    org = draw(orgs(min_people=1, max_people=8, min_team=0, max_team=2))
    chosen = draw(st.lists(st.sampled_from(org.people), unique=True))
    seats = tuple(
        Seat(
            person,
            frozenset(draw(st.lists(st.sampled_from([r.value for r in BuyingRole]), max_size=3))),
            draw(st.sampled_from([s.value for s in Stance])),
            draw(st.one_of(st.none(), st.integers(1, 5))),
            draw(st.booleans()),
        )
        for person in sorted(chosen)
    )
    return org, Deal("d", "Deal", "qualification", "open", seats=seats)


@settings(max_examples=60, deadline=None)
@given(_org_and_committee())
def test_the_deal_ranking_reused_from_the_organisation_equals_a_fresh_one(
    case: tuple[Org, Deal],
) -> None:
    """Whatever the committee (declared influence of its own or not), the ranking built
    from the organisation's equals ranking the deal's view from scratch."""
    org, deal = case
    graph = org.graph()
    view = deal_graph(graph, deal)
    assert deal_ranking(view, rank_influence(graph)) == rank_influence(view)
