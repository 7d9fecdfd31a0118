"""The power map, its pictures and the export over real HTTP, on both stores."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import networkx as nx
import orjson

from app.demo import DEMO_ORGANISATION, demo_import
from schemas.common import KeyRole
from tests.api.test_http import load, make_org
from tests.conftest import ClientFactory, LiveServer
from tests.contract.test_store_contract import SMALL
from tests.powermap.support import footprints, overlaps, parse_xml
from tests.powermap.test_formats import GRAPHML_NS, SVG_NS, as_networkx

PROBLEM = "application/problem+json"


def demo(api: httpx.Client) -> str:
    org = api.post("/v1/organisations", json=DEMO_ORGANISATION).json()
    load(api, org["id"], demo_import())
    org_id: str = org["id"]
    return org_id


def everything(api: httpx.Client, org_id: str) -> tuple[list[Any], list[Any], list[Any]]:
    people = api.get(f"/v1/organisations/{org_id}/people", params={"limit": 500}).json()
    ties = api.get(f"/v1/organisations/{org_id}/relationships", params={"limit": 500}).json()
    team = api.get("/v1/team", params={"limit": 500}).json()
    return people["items"], ties["items"], team["items"]


def test_power_map_json_renders_every_node_and_edge(api: httpx.Client) -> None:
    org_id = demo(api)
    response = api.get(f"/v1/organisations/{org_id}/power-map")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    doc = response.json()
    people, ties, team = everything(api, org_id)
    back = as_networkx(doc)
    assert set(back.nodes) == {p["id"] for p in people} | {m["id"] for m in team}
    drawn = {t["id"]: t for t in ties if t["type"] != "AFFILIATED_WITH"}
    assert {k for _u, _v, k in back.edges(keys=True)} == set(drawn)
    for u, v, key, data in back.edges(keys=True, data=True):
        tie = drawn[key]
        assert (u, v, data["type"]) == (tie["source_id"], tie["target_id"], tie["type"])
        assert data["strength"] == tie["strength"]
        assert data["line"] == ("dotted" if tie.get("dotted") else "solid")
    by_name = {p["name"]: p for p in people}
    for node in doc["elements"]["nodes"]:
        data = node["data"]
        if data["kind"] == "person":
            person = by_name[data["name"]]
            assert data["id"] == person["id"]
            assert data["title"] == person["title"]
            assert data["stance"] == person["stance"]
            assert data["roles"] == person["roles"]
    ranking = api.get(f"/v1/organisations/{org_id}/influence").json()["items"]
    ranks = {n["data"]["id"]: n["data"]["rank"] for n in doc["elements"]["nodes"]}
    assert all(ranks[item["person_id"]] == item["rank"] for item in ranking)
    # the layout: top decision-maker on top, no overlaps, sweeps never worse
    top = api.get(f"/v1/organisations/{org_id}/decision-makers").json()["items"][0]
    assert doc["data"]["top_id"] == top["person_id"]
    ys = {n["data"]["id"]: n["position"]["y"] for n in doc["elements"]["nodes"]}
    assert ys[top["person_id"]] == min(ys.values())
    assert overlaps(footprints(doc)) == []
    assert doc["data"]["crossings"] <= doc["data"]["initial_crossings"]


def test_highlight_marks_the_best_entry_path(api: httpx.Client) -> None:
    org_id = demo(api)
    doc = api.get(
        f"/v1/organisations/{org_id}/power-map", params={"highlight": "entry-paths"}
    ).json()
    best = api.get(f"/v1/organisations/{org_id}/entry-paths", params={"k": 1}).json()["paths"][0]
    on_path = {best["steps"][0]["from_id"], *(s["to_id"] for s in best["steps"])}
    marked = {n["data"]["id"] for n in doc["elements"]["nodes"] if n["data"]["highlight"]}
    assert marked == on_path
    ties = {s["relationship_id"] for s in best["steps"] if s["relationship_id"]}
    marked_edges = {e["data"]["id"] for e in doc["elements"]["edges"] if e["data"]["highlight"]}
    assert ties <= marked_edges
    assert all(
        "highlight" in e["classes"].split()
        for e in doc["elements"]["edges"]
        if e["data"]["highlight"]
    )
    assert doc["data"]["highlight"] == "entry-paths"
    assert doc["data"]["path"]["steps"] == best["steps"]
    refused = api.get(f"/v1/organisations/{org_id}/power-map", params={"highlight": "everything"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM


def test_svg_is_a_readable_picture(api: httpx.Client) -> None:
    org_id = demo(api)
    people, _ties, _team = everything(api, org_id)
    response = api.get(f"/v1/organisations/{org_id}/power-map.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    root = parse_xml(response.content)
    texts = {t.text for t in root.iter(f"{SVG_NS}text")}
    assert {p["name"] for p in people} <= texts
    assert len(root.findall(f".//{SVG_NS}g[@class='node']")) == len(people) + 3
    highlighted = api.get(
        f"/v1/organisations/{org_id}/power-map.svg", params={"highlight": "entry-paths"}
    )
    assert highlighted.content != response.content
    parse_xml(highlighted.content)


def test_names_are_escaped_everywhere(api: httpx.Client) -> None:
    org_id = make_org(api, 'Acme & <Sons> "Ltd"')
    nasty = 'Dr. <Ann> & "Bob" O\'Neil'
    load(
        api,
        org_id,
        {
            "people": [
                {
                    "ref": "a",
                    "name": nasty,
                    "title": "<b>CEO</b> & co",
                    "roles": ["decision_maker"],
                },
                {"ref": "b", "name": "</text><script>x</script>", "reports_to": "a"},
            ],
            "team": [{"ref": "m", "name": "A & B"}],
            "relationships": [{"type": "KNOWS", "source": "m", "target": "b", "strength": 0.9}],
        },
    )
    svg = api.get(f"/v1/organisations/{org_id}/power-map.svg").content
    root = parse_xml(svg)
    assert root.find(f".//{SVG_NS}script") is None
    # long names are cut to fit the picture; the tooltip carries them whole
    tooltips = " ".join(t.text or "" for t in root.iter(f"{SVG_NS}title"))
    for name in (nasty, "</text><script>x</script>", "A & B"):
        assert name in tooltips
    graphml = api.get(f"/v1/organisations/{org_id}/graph.graphml").content
    back = nx.read_graphml(io.BytesIO(graphml), force_multigraph=True)
    assert {d["name"] for _n, d in back.nodes(data=True)} >= {nasty, "A & B"}
    doc = api.get(f"/v1/organisations/{org_id}/power-map").json()
    assert doc["data"]["org_name"] == 'Acme & <Sons> "Ltd"'


def test_graphml_opens_in_networkx(api: httpx.Client) -> None:
    org_id = demo(api)
    people, ties, team = everything(api, org_id)
    response = api.get(f"/v1/organisations/{org_id}/graph.graphml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphml+xml"
    assert "attachment" in response.headers["content-disposition"]
    back = nx.read_graphml(io.BytesIO(response.content), force_multigraph=True)
    assert set(back.nodes) == {p["id"] for p in people} | {m["id"] for m in team}
    drawn = {t["id"]: t for t in ties if t["type"] != "AFFILIATED_WITH"}
    assert {k for _u, _v, k in back.edges(keys=True)} == set(drawn)
    for _u, _v, key, data in back.edges(keys=True, data=True):
        assert data["type"] == drawn[key]["type"]
        assert data.get("strength") == drawn[key]["strength"]
    by_id = {p["id"]: p for p in people}
    for node, data in back.nodes(data=True):
        if node in by_id:
            assert data["name"] == by_id[node]["name"]
            assert isinstance(data["power"], float)
            assert isinstance(data["rank"], int)
            assert isinstance(data["engaged"], bool)
    types = {
        k.get("attr.name"): k.get("attr.type")
        for k in parse_xml(response.content).iter(f"{GRAPHML_NS}key")
        if k.get("for") == "node"
    }
    assert types["power"] == "double"
    assert types["engaged"] == "boolean"


def test_maps_follow_writes_and_stay_cached_between(api: httpx.Client) -> None:
    org_id = make_org(api)
    ids = load(api, org_id, SMALL)
    first = api.get(f"/v1/organisations/{org_id}/power-map")
    again = api.get(f"/v1/organisations/{org_id}/power-map")
    assert first.content == again.content
    api.patch(
        f"/v1/organisations/{org_id}/people/{ids['cfo']}",
        json={"name": "Renamed CFO"},
        headers={"If-Match": '"1"'},
    )
    changed = api.get(f"/v1/organisations/{org_id}/power-map").json()
    assert "Renamed CFO" in {n["data"]["name"] for n in changed["elements"]["nodes"]}
    svg = api.get(f"/v1/organisations/{org_id}/power-map.svg").text
    assert "Renamed CFO" in svg
    graphml = api.get(f"/v1/organisations/{org_id}/graph.graphml").text
    assert "Renamed CFO" in graphml


def test_unknown_and_foreign_organisations_are_404(
    make_client: ClientFactory, live_server: LiveServer
) -> None:
    owner = make_client()
    org_id = make_org(owner)
    stranger = make_client(KeyRole.VIEWER, for_tenant="t-someone-else")
    for path in ("power-map", "power-map.svg", "graph.graphml"):
        for client, org in ((owner, "no-such-org"), (stranger, org_id)):
            response = client.get(f"/v1/organisations/{org}/{path}")
            assert response.status_code == 404, (path, response.text)
            assert response.headers["content-type"] == PROBLEM
        assert httpx.get(f"{live_server.url}/v1/organisations/{org_id}/{path}").status_code == 401
    assert httpx.get(f"{live_server.url}/v1/exports/influence").status_code == 401


def test_export_streams_every_organisation_of_the_tenant(make_client: ClientFactory) -> None:
    api = make_client()
    demo_id = demo(api)
    small_id = make_org(api, "=Small & Co")
    load(api, small_id, SMALL)
    empty_id = make_org(api, "Empty")
    other = make_client(for_tenant="t-other-tenant-export")
    hidden = make_org(other, "Not yours")
    load(other, hidden, SMALL)

    rankings = {
        org: api.get(f"/v1/organisations/{org}/influence").json()["items"]
        for org in (demo_id, small_id, empty_id)
    }
    with api.stream("GET", "/v1/exports/influence", params={"format": "csv"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "content-length" not in response.headers  # streamed
        assert "influence-export.csv" in response.headers["content-disposition"]
        text = b"".join(response.iter_bytes()).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0].keys() >= {
        "org_id",
        "org_name",
        "person_id",
        "name",
        "title",
        "roles",
        "stance",
        "formal",
        "informal",
        "brokerage",
        "declared",
        "power",
        "rank",
    }
    assert [r["org_id"] for r in rows] == sorted(r["org_id"] for r in rows)
    assert {r["org_id"] for r in rows} == {demo_id, small_id}
    for org, items in rankings.items():
        mine = [r for r in rows if r["org_id"] == org]
        assert [r["person_id"] for r in mine] == [i["person_id"] for i in items]
        assert [float(r["power"]) for r in mine] == [i["power"] for i in items]
        assert [int(r["rank"]) for r in mine] == [i["rank"] for i in items]
    assert {r["org_name"] for r in rows if r["org_id"] == small_id} == {"'=Small & Co"}

    response = api.get("/v1/exports/influence", params={"format": "jsonl"})
    assert response.headers["content-type"] == "application/x-ndjson"
    records = [orjson.loads(line) for line in response.content.splitlines()]
    assert len(records) == len(rows)
    assert [(r["org_id"], r["person_id"], r["rank"]) for r in records] == [
        (r["org_id"], r["person_id"], int(r["rank"])) for r in rows
    ]
    assert {r["org_name"] for r in records if r["org_id"] == small_id} == {"=Small & Co"}
    assert all(isinstance(r["roles"], list) for r in records)
    refused = api.get("/v1/exports/influence", params={"format": "xlsx"})
    assert refused.status_code == 422


def test_the_page_and_its_assets(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    # CSP-friendly: every script is a file of ours, no inline handlers or styles
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all('src="/static/' in s for s in scripts)
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "style=" not in html
    assert "http://" not in html
    assert "https://" not in html
    for asset, kind in (("app.js", "javascript"), ("app.css", "text/css"), ("favicon.svg", "svg")):
        response = httpx.get(f"{live_server.url}/static/{asset}")
        assert response.status_code == 200, asset
        assert kind in response.headers["content-type"]
    script = httpx.get(f"{live_server.url}/static/app.js").text
    assert "sessionStorage" in script
    assert "Authorization" in script
    assert "innerHTML" not in script


def test_docs_work_offline(live_server: LiveServer) -> None:
    docs = httpx.get(f"{live_server.url}/docs")
    assert docs.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert urls
    assert all(url.startswith("/") for url in urls), urls
    for url in urls:
        assert httpx.get(f"{live_server.url}{url}").status_code == 200, url
    assert "validatorUrl" in docs.text  # no call to the public validator either
    assert httpx.get(f"{live_server.url}/redoc").status_code == 404
    spec = httpx.get(f"{live_server.url}/openapi.json").json()
    assert "/v1/organisations/{org_id}/power-map" in spec["paths"]
    assert "/v1/exports/influence" in spec["paths"]
    assert "/" not in spec["paths"]
