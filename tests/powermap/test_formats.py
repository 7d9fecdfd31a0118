"""The power map's formats: Cytoscape.js JSON, SVG and GraphML, read back by other tools."""

from __future__ import annotations

import csv
import io
from typing import Any

import networkx as nx
import orjson
import pytest

from graph.analytics.paths import entry_paths
from graph.network import build_graph
from graph.powermap import render_svg, to_graphml
from graph.powermap.export import EXPORT_COLUMNS, csv_chunk, csv_header, jsonl_chunk
from schemas.common import RelType
from schemas.powermap import Highlight, PowerMap
from tests.factories import SnapshotBuilder
from tests.powermap.support import AS_OF, demo_graph, mapped, parse_xml

SVG_NS = "{http://www.w3.org/2000/svg}"
GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
NASTY = 'Dr. <Ann> & "Bob" O\'Neil\x07 =SUM(A1)'


def as_networkx(doc: dict[str, Any]) -> nx.MultiDiGraph:
    """Load a power-map document with networkx.cytoscape_graph.

    networkx expects the graph flags at the top and a ``value`` (node key) and ``key``
    (edge key) in each element's data; our ids are both.
    """
    adapted = {
        "data": doc["data"],
        "directed": True,
        "multigraph": True,
        "elements": {
            "nodes": [
                {"data": {**n["data"], "value": n["data"]["id"]}} for n in doc["elements"]["nodes"]
            ],
            "edges": [
                {"data": {**e["data"], "key": e["data"]["id"]}} for e in doc["elements"]["edges"]
            ],
        },
    }
    graph: nx.MultiDiGraph = nx.cytoscape_graph(adapted)
    return graph


def expected_edges(graph: nx.MultiDiGraph) -> dict[str, tuple[str, str, str, float | None]]:
    return {
        str(key): (u, v, data["type"], data.get("strength"))
        for u, v, key, data in graph.edges(keys=True, data=True)
        if data["type"] != RelType.AFFILIATED_WITH.value
    }


def check_cytoscape_round_trip(graph: nx.MultiDiGraph, doc: dict[str, Any]) -> None:
    back = as_networkx(doc)
    assert set(back.nodes) == set(graph.nodes)
    for element in doc["elements"]["nodes"]:
        data = element["data"]
        node = back.nodes[data["id"]]
        for field in ("name", "title", "roles", "stance", "power", "rank", "engaged", "kind"):
            assert node[field] == data[field]
        assert node["name"] == graph.nodes[data["id"]]["name"]
        assert data["kind"] == graph.nodes[data["id"]]["kind"]
        assert set(element["position"]) == {"x", "y"}
    edges = expected_edges(graph)
    assert {k for _u, _v, k in back.edges(keys=True)} == set(edges)
    for u, v, key, data in back.edges(keys=True, data=True):
        assert (u, v, data["type"], data["strength"]) == edges[key]
        assert data["line"] in ("solid", "dotted")


def test_demo_map_loads_into_networkx_cytoscape_graph() -> None:
    graph = demo_graph()
    pm, ranking = mapped(graph)
    doc = orjson.loads(pm.model_dump_json())
    check_cytoscape_round_trip(graph, doc)
    by_id = {item.person_id: item for item in ranking.items}
    for node in doc["elements"]["nodes"]:
        data = node["data"]
        if data["kind"] == "person":
            assert data["rank"] == by_id[data["id"]].rank
            assert data["power"] == by_id[data["id"]].power
    # engaged by us: the people a team member's fresh, strong tie reaches
    engaged = {n["data"]["id"] for n in doc["elements"]["nodes"] if n["data"]["engaged"]}
    assert {"dir_plant_a", "eng_lead", "shift_a1"} <= engaged
    assert "board_advisor" not in engaged  # Claire's tie is 400 days old
    dotted = [e["data"] for e in doc["elements"]["edges"] if e["data"]["line"] == "dotted"]
    assert {(d["source"], d["target"]) for d in dotted} == {
        ("it_architect", "dir_eng"),
        ("sustainability", "ceo"),
    }
    # the schema reads back what was written
    assert PowerMap.model_validate(doc) == pm


def test_highlight_marks_the_best_entry_path() -> None:
    graph = demo_graph()
    plain, ranking = mapped(graph)
    best = entry_paths(graph, ranking, as_of=AS_OF, k=1).paths[0]
    pm, _ = mapped(graph, path=best, highlight=Highlight.ENTRY_PATHS)
    on_path = {best.steps[0].from_id, *(s.to_id for s in best.steps)}
    assert {n.data.id for n in pm.elements.nodes if n.data.highlight} == on_path
    assert all("highlight" in n.classes.split() for n in pm.elements.nodes if n.data.highlight)
    ties = {s.relationship_id for s in best.steps if s.relationship_id}
    assert {e.data.id for e in pm.elements.edges if e.data.highlight} >= ties
    assert pm.data.path == best
    assert pm.data.highlight is Highlight.ENTRY_PATHS
    assert [n.position for n in pm.elements.nodes] == [n.position for n in plain.elements.nodes]


def test_a_cold_step_becomes_a_highlighted_cold_edge() -> None:
    b = SnapshotBuilder().person("ceo", roles=["decision_maker"]).person("cfo").member("am")
    graph = build_graph(b.reports("cfo", "ceo").build())
    pm0, ranking = mapped(graph)
    best = entry_paths(graph, ranking, as_of=AS_OF, k=1).paths[0]
    assert best.steps[0].via.value == "cold"
    pm, _ = mapped(graph, path=best)
    cold = [e for e in pm.elements.edges if e.data.type.value == "cold"]
    assert len(cold) == len([s for s in best.steps if s.relationship_id is None])
    assert all(e.data.highlight and e.data.line.value == "dotted" for e in cold)
    assert len(pm0.elements.edges) == len(pm.elements.edges) - len(cold)


def test_svg_is_well_formed_and_names_everyone() -> None:
    graph = demo_graph()
    pm, _ = mapped(graph)
    svg = render_svg(pm)
    root = parse_xml(svg)
    assert root.tag == f"{SVG_NS}svg"
    texts = [t.text or "" for t in root.iter(f"{SVG_NS}text")]
    for node in graph.nodes:
        assert graph.nodes[node]["name"] in texts
    groups = root.findall(f".//{SVG_NS}g[@class='node']")
    assert len(groups) == graph.number_of_nodes()
    assert {g.get("data-id") for g in groups} == set(graph.nodes)
    # title and legend
    assert "Power map" in (root.find(f"{SVG_NS}title").text or "")  # type: ignore[union-attr]
    assert root.find(f".//{SVG_NS}g[@class='legend']") is not None
    # no script, no style element: presentation attributes only
    assert root.find(f".//{SVG_NS}script") is None
    assert root.find(f".//{SVG_NS}style") is None


def nasty_graph() -> nx.MultiDiGraph:
    b = SnapshotBuilder().person("ceo", roles=["decision_maker"], title=NASTY).person("cfo")
    b.people[0] = b.people[0].model_copy(update={"name": NASTY})
    b.member("am")
    b.team[0] = b.team[0].model_copy(update={"name": "<script>alert(1)</script>"})
    b.org = b.org.model_copy(update={"name": 'Acme & <Sons> "Ltd"'})
    return build_graph(b.reports("cfo", "ceo").knows("am", "cfo", 0.9).build())


def test_svg_escapes_every_text() -> None:
    pm, _ = mapped(nasty_graph())
    svg = render_svg(pm)
    root = parse_xml(svg)  # would raise on a stray < or &
    assert "<script>" not in svg
    assert root.find(f".//{SVG_NS}script") is None
    titles = [t.text or "" for t in root.iter(f"{SVG_NS}title")]
    assert any(NASTY.replace("\x07", "") in t for t in titles)
    assert any("<script>alert(1)</script>" in t for t in titles)
    assert "Acme & <Sons>" in (root.find(f"{SVG_NS}title").text or "")  # type: ignore[union-attr]


def test_graphml_reads_back_every_node_and_edge_with_types() -> None:
    graph = demo_graph()
    pm, _ = mapped(graph)
    data = to_graphml(pm)
    back = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert set(back.nodes) == set(graph.nodes)
    edges = expected_edges(graph)
    assert {k for _u, _v, k in back.edges(keys=True)} == set(edges)
    for u, v, key, attrs in back.edges(keys=True, data=True):
        source, target, kind, strength = edges[key]
        assert (u, v, attrs["type"]) == (source, target, kind)
        assert attrs.get("strength") == strength
    by_id = {n.data.id: n for n in pm.elements.nodes}
    for node, attrs in back.nodes(data=True):
        d = by_id[node].data
        assert attrs["name"] == d.name
        assert attrs["kind"] == d.kind.value
        assert (attrs["x"], attrs["y"]) == (by_id[node].position.x, by_id[node].position.y)
        if d.kind.value == "person":
            assert attrs["power"] == d.power
            assert attrs["rank"] == d.rank
            assert attrs["engaged"] is d.engaged
            assert attrs["stance"] == d.stance
            assert attrs["roles"].split(";") == [r.value for r in d.roles] or not d.roles
        else:
            assert "power" not in attrs
    assert back.graph["org_id"] == "org"
    # every attribute is declared once with its GraphML type
    root = parse_xml(data)
    keys = {
        (k.get("for"), k.get("attr.name")): k.get("attr.type")
        for k in root.iter(f"{GRAPHML_NS}key")
    }
    assert keys[("node", "power")] == "double"
    assert keys[("node", "rank")] in ("int", "long")
    assert keys[("node", "engaged")] == "boolean"
    assert keys[("node", "name")] == "string"
    assert keys[("edge", "strength")] == "double"
    declared = {k.get("id") for k in root.iter(f"{GRAPHML_NS}key")}
    assert {d.get("key") for d in root.iter(f"{GRAPHML_NS}data")} <= declared


def test_graphml_escapes_every_text() -> None:
    pm, _ = mapped(nasty_graph())
    back = nx.read_graphml(io.BytesIO(to_graphml(pm)), force_multigraph=True)
    assert back.nodes["ceo"]["name"] == NASTY.replace("\x07", "")
    assert back.nodes["am"]["name"] == "<script>alert(1)</script>"


def test_export_rows() -> None:
    graph = demo_graph()
    _pm, ranking = mapped(graph)
    text = (csv_header() + csv_chunk("org", "=Nordwerk", ranking)).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert len(rows) == ranking.n
    assert rows[0]["org_name"] == "'=Nordwerk"  # not a formula in a spreadsheet
    assert [r["person_id"] for r in rows] == [i.person_id for i in ranking.items]
    assert [float(r["power"]) for r in rows] == [i.power for i in ranking.items]
    lines = jsonl_chunk("org", "=Nordwerk", ranking).decode().splitlines()
    records = [orjson.loads(line) for line in lines]
    assert [r["rank"] for r in records] == list(range(1, ranking.n + 1))
    assert records[0]["org_name"] == "=Nordwerk"  # JSON is typed: nothing to defuse
    assert set(records[0]) == set(EXPORT_COLUMNS)
    assert records[0]["roles"] == [r.value for r in ranking.items[0].roles]


@pytest.mark.parametrize("highlight", [None, Highlight.ENTRY_PATHS])
def test_json_is_compact_and_stable(highlight: Highlight | None) -> None:
    graph = demo_graph()
    pm, ranking = mapped(graph)
    path = entry_paths(graph, ranking, as_of=AS_OF, k=1).paths[0] if highlight else None
    first, _ = mapped(graph, path=path, highlight=highlight)
    second, _ = mapped(graph, path=path, highlight=highlight)
    assert first.model_dump_json() == second.model_dump_json()
    assert len(pm.model_dump_json()) < 120_000
