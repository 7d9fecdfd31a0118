"""Shared helpers of the power-map tests: named graphs and geometric checks."""

from __future__ import annotations

import itertools
import random
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import networkx as nx

from app.demo import demo_import
from graph.analytics.influence import rank_influence
from graph.network import build_graph
from graph.powermap import power_map
from schemas.analytics import InfluenceRanking
from schemas.powermap import PowerMap
from tests.datasets import krackhardt_request, lazega_request, snapshot_from_request

AS_OF = date(2026, 1, 1)

Box = tuple[float, float, float, float]


def demo_graph() -> nx.MultiDiGraph:
    """The demo account (40 people, 3 team members) with its refs as ids."""
    return build_graph(snapshot_from_request(demo_import(AS_OF)))


def named_graphs() -> dict[str, nx.MultiDiGraph]:
    """The demo account, Krackhardt's high-tech managers and Lazega's law firm."""
    return {
        "demo": demo_graph(),
        "krackhardt": build_graph(snapshot_from_request(krackhardt_request())),
        "lazega": build_graph(snapshot_from_request(lazega_request())),
    }


def mapped(graph: nx.MultiDiGraph, **kwargs: Any) -> tuple[PowerMap, InfluenceRanking]:
    ranking = rank_influence(graph)
    return power_map(graph, ranking, as_of=AS_OF, **kwargs), ranking


def footprints(pm: PowerMap | dict[str, Any]) -> dict[str, Box]:
    """Every node's footprint ``(x1, y1, x2, y2)``: symbol and labels (schemas/powermap.py)."""
    doc = pm.model_dump(mode="json") if isinstance(pm, PowerMap) else pm
    boxes: dict[str, Box] = {}
    for node in doc["elements"]["nodes"]:
        d, p = node["data"], node["position"]
        top = p["y"] - d["size"] / 2
        boxes[d["id"]] = (p["x"] - d["width"] / 2, top, p["x"] + d["width"] / 2, top + d["height"])
    return boxes


def overlaps(boxes: dict[str, Box]) -> list[tuple[str, str]]:
    """Pairs of footprints that overlap (touching edges do not count)."""
    found = []
    for (a, (ax1, ay1, ax2, ay2)), (b, (bx1, by1, bx2, by2)) in itertools.combinations(
        boxes.items(), 2
    ):
        if ax1 < bx2 and bx1 < ax2 and ay1 < by2 and by1 < ay2:
            found.append((a, b))
    return found


def parse_xml(data: str | bytes) -> ET.Element:
    """Parse a document the service wrote (fails on anything not well-formed)."""
    return ET.fromstring(data)  # noqa: S314 -- our own output, in a test


def tree_body(
    n: int, *, manager_among: int | None = 50, ties: float = 1.5, seed: int = 0
) -> dict[str, Any]:
    """An import body of ``n`` people and ``ties`` INFLUENCES ties per person between
    random pairs. Each person reports to one of the ``manager_among`` people before them
    (50: the deep tree of issue 13; 1: a chain), or with ``None`` to a manager of a
    breadth-first tree with spans of 4-8 (the flat tree of the same size)."""
    rng = random.Random(seed)
    parent = [-1]
    if manager_among is None:
        queue, head = [0], 0
        while len(parent) < n:
            manager, head = queue[head], head + 1
            for _ in range(rng.randint(4, 8)):
                if len(parent) < n:
                    queue.append(len(parent))
                    parent.append(manager)
    else:
        parent += [rng.randrange(max(0, i - manager_among), i) for i in range(1, n)]
    people: list[dict[str, Any]] = []
    for i in range(n):
        person: dict[str, Any] = {"ref": f"p{i}", "name": f"Person {i}"}
        if i == 0:
            person["roles"] = ["decision_maker"]
        else:
            person["reports_to"] = f"p{parent[i]}"
        people.append(person)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < int(ties * n) and n > 1:
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j and (j, i) not in pairs:
            pairs.add((i, j))
    relationships = [
        {"type": "INFLUENCES", "source": f"p{i}", "target": f"p{j}", "strength": 0.5}
        for i, j in sorted(pairs)
    ]
    team = [{"ref": "am", "name": "Anna Weber"}]
    relationships.append({"type": "KNOWS", "source": "am", "target": f"p{n - 1}", "strength": 0.8})
    return {"people": people, "team": team, "relationships": relationships}


def tree_graph(n: int, **kwargs: Any) -> nx.MultiDiGraph:
    """:func:`tree_body` as an analytics graph."""
    return build_graph(snapshot_from_request(tree_body(n, **kwargs)))
