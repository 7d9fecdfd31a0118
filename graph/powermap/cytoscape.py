"""The power map as a Cytoscape.js elements document (:class:`schemas.powermap.PowerMap`)."""

from __future__ import annotations

from concurrent.futures import Executor
from datetime import date

import networkx as nx

from graph.analytics._common import check_graph, graph_meta, name_of, persons, team
from graph.analytics.decision import top_decision_maker
from graph.analytics.hops import engagement, opponents, team_ties
from graph.layered import DEFAULT_GEOMETRY, DEFAULT_WORK_BUDGET, Geometry
from graph.network import TEAM
from graph.powermap.layout import MapLayout, power_map_layout
from schemas.analytics import EntryPath, HopVia, InfluenceItem, InfluenceRanking, PathParams
from schemas.common import RelType
from schemas.powermap import (
    Highlight,
    LayoutMethod,
    LineStyle,
    MapEdge,
    MapEdgeData,
    MapEdgeType,
    MapElements,
    MapLayoutInfo,
    MapMeta,
    MapNode,
    MapNodeData,
    MapNodeKind,
    Point,
    PowerMap,
)

__all__ = ["power_map"]

_DRAWN = {RelType.REPORTS_TO.value, RelType.INFLUENCES.value, RelType.KNOWS.value}
_DIRECTED = {MapEdgeType.REPORTS_TO, MapEdgeType.INFLUENCES, MapEdgeType.COLD}


def _point(xy: tuple[float, float]) -> Point:
    return Point(x=round(xy[0], 1), y=round(xy[1], 1))


def _classes(*names: str | None) -> str:
    return " ".join(name for name in names if name)


def _node(
    graph: nx.MultiDiGraph,
    node: str,
    layout: MapLayout,
    item: InfluenceItem | None,
    *,
    engaged: tuple[float, list[str]] | None,
    top: str | None,
    highlighted: set[str],
    geometry: Geometry,
) -> MapNode:
    attrs = graph.nodes[node]
    is_team = attrs.get("kind") == TEAM
    power = None if item is None else item.power
    size = geometry.size(power)
    tie_strength = None if engaged is None else round(engaged[0], 6)
    engaged_by = [] if engaged is None else engaged[1]
    is_engaged = None if is_team else bool(engaged_by)
    data = MapNodeData(
        id=node,
        kind=MapNodeKind.TEAM if is_team else MapNodeKind.PERSON,
        name=name_of(graph, node),
        title=attrs.get("title"),
        department=attrs.get("department"),
        seniority=attrs.get("seniority"),
        seniority_inferred=bool(attrs.get("seniority_inferred")),
        function=attrs.get("function"),
        roles=[] if item is None else item.roles,
        stance=None if item is None else item.stance,
        power=power,
        rank=None if item is None else item.rank,
        formal=None if item is None else item.components.formal,
        informal=None if item is None else item.components.informal,
        brokerage=None if item is None else item.components.brokerage,
        declared=None if item is None else item.components.declared,
        engaged=is_engaged,
        engaged_by=engaged_by,
        tie_strength=tie_strength,
        top=node == top,
        layer=layout.rows.row[node],
        order=layout.order(node),
        size=size,
        width=geometry.slot_width,
        height=geometry.footprint_height(size),
        highlight=node in highlighted,
    )
    stance = None if item is None else item.stance.value
    return MapNode(
        data=data,
        position=_point(layout.position(node)),
        classes=_classes(
            data.kind.value,
            stance,
            "top" if data.top else None,
            "engaged" if is_engaged else None,
            "highlight" if data.highlight else None,
        ),
    )


def _edge(
    graph: nx.MultiDiGraph, u: str, v: str, key: str, layout: MapLayout, highlighted: set[str]
) -> MapEdge:
    attrs = graph.edges[u, v, key]
    kind = MapEdgeType(attrs["type"])
    dotted = kind is MapEdgeType.REPORTS_TO and bool(attrs.get("dotted"))
    line = LineStyle.DOTTED if dotted else LineStyle.SOLID
    strength = attrs.get("strength")
    data = MapEdgeData(
        id=str(key),
        source=u,
        target=v,
        type=kind,
        strength=None if strength is None else float(strength),
        line=line,
        directed=kind in _DIRECTED,
        last_contact=attrs.get("last_contact"),
        channel=attrs.get("channel"),
        bends=[_point(p) for p in layout.bends(u, v)],
        flat=layout.rows.row[u] == layout.rows.row[v],
        highlight=str(key) in highlighted,
    )
    return MapEdge(
        data=data,
        classes=_classes(kind.value, line.value, "highlight" if data.highlight else None),
    )


def _cold_edge(source: str, target: str, layout: MapLayout) -> MapEdge:
    data = MapEdgeData(
        id=f"cold:{source}->{target}",
        source=source,
        target=target,
        type=MapEdgeType.COLD,
        strength=None,
        line=LineStyle.DOTTED,
        directed=True,
        bends=[_point(p) for p in layout.bends(source, target)],
        flat=layout.rows.row[source] == layout.rows.row[target],
        highlight=True,
    )
    return MapEdge(data=data, classes="cold dotted highlight")


def power_map(
    graph: nx.MultiDiGraph,
    ranking: InfluenceRanking,
    *,
    as_of: date,
    path: EntryPath | None = None,
    highlight: Highlight | None = None,
    params: PathParams | None = None,
    geometry: Geometry = DEFAULT_GEOMETRY,
    budget: int = DEFAULT_WORK_BUDGET,
    executor: Executor | None = None,
) -> PowerMap:
    """Lay out one organisation and describe it as Cytoscape.js elements.

    Every person and every member of our team is a node (people first, in reading order:
    row by row, left to right); every REPORTS_TO, INFLUENCES and KNOWS tie between them is
    an edge (sorted by id). With ``path``, its people and ties are marked ``highlight`` and
    each cold approach on it becomes an extra ``cold`` edge.

    Parameters
    ----------
    graph : nx.MultiDiGraph
        From :func:`graph.network.build_graph`.
    ranking : InfluenceRanking
        :func:`graph.analytics.rank_influence` of the same graph.
    as_of : date
        The day tie ages are measured at (who counts as engaged).
    path : EntryPath, optional
        The path to highlight.
    highlight : Highlight, optional
        What was asked to be highlighted (echoed in ``data.highlight``).
    params : PathParams, optional
        Engagement threshold and tie decay; defaults in docs/ANALYTICS.md.
    geometry : Geometry
        Sizes of the drawing.
    budget : int
        Work units the layout may spend (:mod:`graph.layered`); past it the layout
        degrades and ``data.layout`` says so.
    executor : concurrent.futures.Executor, optional
        Where to run the layout of a large organisation (a process pool).

    Examples
    --------
    >>> from datetime import date
    >>> from graph.network import build_graph
    >>> from graph.analytics.influence import rank_influence
    >>> from graph.samples import tiny_snapshot
    >>> g = build_graph(tiny_snapshot())
    >>> m = power_map(g, rank_influence(g), as_of=date(2026, 1, 1))
    >>> [(n.data.id, n.data.layer, n.data.engaged) for n in m.elements.nodes]
    [('ceo', 0, False), ('cfo', 1, True), ('am', 2, None)]
    >>> [(e.data.type.value, e.data.source, e.data.target) for e in m.elements.edges]
    [('KNOWS', 'am', 'cfo'), ('REPORTS_TO', 'cfo', 'ceo')]
    """
    check_graph(graph)
    params = PathParams() if params is None else params
    top = top_decision_maker(graph, ranking)
    layout = power_map_layout(graph, ranking, top, geometry, budget=budget, executor=executor)
    items = {item.person_id: item for item in ranking.items}
    holds = engagement(team_ties(graph, as_of, params), params, opponents(graph))
    engaged = {person: (hold.best, hold.members) for person, hold in holds.items()}
    met: dict[str, tuple[float, list[str]]] = {}
    for person, (best, members) in engaged.items():
        for member in members:
            strongest, people = met.setdefault(member, (0.0, []))
            met[member] = (max(strongest, best), [*people, person])

    on_path: set[str] = set()
    ties_on_path: set[str] = set()
    cold: list[tuple[str, str]] = []
    if path is not None:
        for step in path.steps:
            on_path.update((step.from_id, step.to_id))
            if step.via is HopVia.COLD or step.relationship_id is None:
                cold.append((step.from_id, step.to_id))
            else:
                ties_on_path.add(step.relationship_id)

    shown = [*persons(graph), *team(graph)]
    reading = sorted(shown, key=lambda n: (layout.rows.row[n], layout.order(n)))
    nodes = [
        _node(
            graph,
            node,
            layout,
            items.get(node),
            engaged=engaged.get(node) if node in items else met.get(node),
            top=top,
            highlighted=on_path,
            geometry=geometry,
        )
        for node in reading
    ]
    edges = [
        _edge(graph, u, v, str(key), layout, ties_on_path)
        for u, v, key, kind in sorted(
            graph.edges(keys=True, data="type"), key=lambda e: (str(e[2]), e[0], e[1])
        )
        if u != v and u in layout.rows.row and v in layout.rows.row and kind in _DRAWN
    ]
    edges += [_cold_edge(u, v, layout) for u, v in cold if u in layout.rows.row]
    org_id, version = graph_meta(graph)
    report = layout.report
    return PowerMap(
        data=MapMeta(
            org_id=org_id,
            org_name=graph.graph.get("org_name"),
            version=version,
            as_of=as_of,
            people=len(items),
            team=len(shown) - len(items),
            top_id=top,
            top_name=None if top is None else name_of(graph, top),
            layers=len(layout.layout.row_y),
            width=layout.layout.width,
            height=layout.layout.height,
            crossings=layout.layout.crossings,
            initial_crossings=layout.layout.initial_crossings,
            layout=MapLayoutInfo(
                method=LayoutMethod(report.method),
                degraded=report.degraded,
                reason=report.reason,
                work=report.work,
                budget=report.budget,
                sweeps=report.sweeps,
                straight=report.straight,
            ),
            highlight=highlight,
            path=path,
        ),
        elements=MapElements(nodes=nodes, edges=edges),
    )
