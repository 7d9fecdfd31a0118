"""Hypothesis strategies and checks shared by the analytics tests."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import networkx as nx
from hypothesis import strategies as st

from graph.network import build_graph
from schemas.analytics import EntryPath, HopVia, PathFlag, PathParams
from schemas.common import BuyingRole, RelType, Seniority, Stance
from tests.factories import SnapshotBuilder

AS_OF = date(2026, 1, 1)


def reference_prior(ranking: Any, key: Any = str) -> dict[Any, float]:
    """The documented teleport prior of ``informal``, rebuilt from the ranking's own formal
    and declared components: ``0.05 + formal x (0.5 + declared)`` (docs/ANALYTICS.md)."""
    return {
        key(item.person_id): 0.05 + item.components.formal * (0.5 + item.components.declared)
        for item in ranking.items
    }


strengths = st.one_of(st.none(), st.floats(0.0, 1.0, allow_nan=False))
positive_strengths = st.floats(0.05, 1.0, allow_nan=False)
contact_dates = st.one_of(
    st.none(), st.integers(0, 900).map(lambda days: AS_OF - timedelta(days=days))
)


@dataclass
class Org:
    """A random organisation, kept as plain data so tests can rebuild reference graphs."""

    people: list[str]
    team: list[str]
    stance: dict[str, str]
    roles: dict[str, list[str]]
    influence: dict[str, int | None]
    seniority: dict[str, str | None]
    solid: list[tuple[str, str]] = field(default_factory=list)
    dotted: list[tuple[str, str]] = field(default_factory=list)
    influences: list[tuple[str, str, float | None]] = field(default_factory=list)
    knows: list[tuple[str, str, float | None, date | None]] = field(default_factory=list)
    #: people with a status other than active (graph.movers), and the day they left
    status: dict[str, tuple[str, date | None]] = field(default_factory=dict)

    def builder(self) -> SnapshotBuilder:
        b = SnapshotBuilder()
        for p in self.people:
            status, left_on = self.status.get(p, ("active", None))
            b.person(
                p,
                stance=self.stance[p],
                roles=self.roles[p],
                influence=self.influence[p],
                seniority=self.seniority[p],
                status=status,
                left_on=left_on,
            )
        for m in self.team:
            b.member(m)
        for report, manager in self.solid:
            b.reports(report, manager)
        for report, manager in self.dotted:
            b.reports(report, manager, dotted=True)
        for a, c, s in self.influences:
            b.tie(RelType.INFLUENCES, a, c, strength=s)
        for a, c, s, last in self.knows:
            b.tie(RelType.KNOWS, a, c, strength=s, last_contact=last)
        return b

    def graph(self) -> nx.MultiDiGraph:
        return build_graph(self.builder().build())


@st.composite
def orgs(
    draw: st.DrawFn,
    *,
    min_people: int = 1,
    max_people: int = 8,
    min_team: int = 0,
    max_team: int = 2,
    dotted: bool = True,
) -> Org:
    """A random organisation: a reporting forest, dotted lines, influence and KNOWS ties."""
    n = draw(st.integers(min_people, max_people))
    people = [f"p{i}" for i in range(n)]
    team = [f"t{i}" for i in range(draw(st.integers(min_team, max_team)))]
    org = Org(
        people=people,
        team=team,
        stance={p: draw(st.sampled_from([s.value for s in Stance])) for p in people},
        roles={
            p: draw(st.lists(st.sampled_from([r.value for r in BuyingRole]), max_size=2))
            for p in people
        },
        influence={p: draw(st.one_of(st.none(), st.integers(1, 5))) for p in people},
        seniority={
            p: draw(st.one_of(st.none(), st.sampled_from([s.value for s in Seniority])))
            for p in people
        },
    )
    for i in range(1, n):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1)))
        if parent is not None:
            org.solid.append((people[i], people[parent]))
    pairs = [(a, b) for a, b in itertools.permutations(people, 2)]
    if dotted and pairs:
        solid = set(org.solid)
        chosen = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True))
        org.dotted = [p for p in chosen if p not in solid]
    if pairs:
        for a, b in draw(st.lists(st.sampled_from(pairs), max_size=2 * n, unique=True)):
            org.influences.append((a, b, draw(strengths)))
        unordered = [(a, b) for a, b in itertools.combinations(people, 2)]
        for a, b in draw(st.lists(st.sampled_from(unordered), max_size=n, unique=True)):
            org.knows.append((a, b, draw(strengths), draw(contact_dates)))
    if team:
        team_pairs = [(m, p) for m in team for p in people]
        for m, p in draw(st.lists(st.sampled_from(team_pairs), max_size=n, unique=True)):
            org.knows.append((m, p, draw(strengths), draw(contact_dates)))
    return org


def relabelled(graph: nx.MultiDiGraph, salt: str) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """The same graph with every node id replaced (names kept), and the mapping used."""
    mapping = {node: f"{salt}-{i:03d}" for i, node in enumerate(sorted(graph, reverse=True))}
    return nx.relabel_nodes(graph, mapping, copy=True), mapping


def approx_equal(a: float, b: float, tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def add_edge(graph: nx.MultiDiGraph, u: str, v: str, rel_type: str, **attrs: Any) -> None:
    """Add a tie to a built graph the way build_graph stores it."""
    data = {"strength": None, "last_contact": None, "channel": None, "dotted": False}
    data.update(attrs)
    graph.add_edge(u, v, key=f"added:{rel_type}:{u}->{v}", type=rel_type, **data)


def node_ids(path: EntryPath) -> list[str]:
    return [path.steps[0].from_id, *(s.to_id for s in path.steps)]


def check_real(graph: nx.MultiDiGraph, path: EntryPath, params: PathParams) -> None:
    nodes = node_ids(path)
    assert len(set(nodes)) == len(nodes), "paths are simple"
    assert graph.nodes[nodes[0]]["kind"] == "team"
    assert all(graph.nodes[n]["kind"] == "person" for n in nodes[1:])
    for step in path.steps:
        u, v = step.from_id, step.to_id
        if step.via is HopVia.COLD:
            assert step.relationship_id is None
            assert step.probability == params.cold_probability
            continue
        key = step.relationship_id
        found = [
            d for a, b, k, d in graph.edges(keys=True, data=True) if k == key and {a, b} == {u, v}
        ]
        assert len(found) == 1, f"step {u}->{v} uses a real tie"
        assert found[0]["type"] == step.via.value
        assert 0.0 < step.probability <= 1.0
    product = math.prod(s.probability for s in path.steps)
    assert approx_equal(path.raw_probability, product)
    penalty = params.bypass_penalty if PathFlag.BYPASSES_CONTACT in path.flags else 1.0
    assert approx_equal(path.probability, product * penalty)
    assert path.hops == len(path.steps)
    assert (PathFlag.COLD in path.flags) == any(s.via is HopVia.COLD for s in path.steps)
