"""The web page in a real headless Chromium, against the live test server (both stores)."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import networkx as nx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.powermap.support import parse_xml
from tests.web.conftest import DemoAccount, PageLog

pytestmark = pytest.mark.browser

SVG_NS = "{http://www.w3.org/2000/svg}"


def sign_in(page: Page, server: LiveServer, account: DemoAccount) -> None:
    page.goto(f"{server.url}/")
    expect(page.locator("#signin-view")).to_be_visible()
    page.fill("#api-key", account.key)
    page.click("#signin-button")
    expect(page.locator(f'#map[data-org="{account.org_id}"]')).to_be_attached()
    expect(page.locator("#next-contacts li").first).to_be_visible()


def node_ids(page: Page, selector: str) -> set[str]:
    found: list[str] = page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.id)")
    return set(found)


def test_every_stakeholder_is_on_the_map(
    page: Page,
    live_server: LiveServer,
    demo_account: DemoAccount,
    page_log: PageLog,
    output_dir: Path,
) -> None:
    sign_in(page, live_server, demo_account)
    people = demo_account.api.get(
        f"/v1/organisations/{demo_account.org_id}/people", params={"limit": 500}
    ).json()["items"]
    assert len(people) == 40
    names: list[str] = page.eval_on_selector_all(
        "#map g.node[data-kind=person]", "els => els.map(e => e.dataset.name)"
    )
    assert sorted(names) == sorted(p["name"] for p in people)
    assert node_ids(page, "#map g.node[data-kind=team]") == {
        demo_account.ids[m] for m in ("anna", "raj", "claire")
    }
    # fitted on screen: every symbol inside the map, none on top of another
    view = page.locator("#map").bounding_box()
    assert view is not None
    boxes = []
    for symbol in page.locator("#map g.node .body").all():
        box = symbol.bounding_box()
        assert box is not None
        assert view["x"] <= box["x"]
        assert box["x"] + box["width"] <= view["x"] + view["width"]
        assert view["y"] <= box["y"]
        assert box["y"] + box["height"] <= view["y"] + view["height"]
        boxes.append(box)
    for a, b in itertools.combinations(boxes, 2):
        apart_x = a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
        apart_y = a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
        assert apart_x or apart_y
    # the top decision-maker is the highest symbol on screen
    top = page.locator(f'#map g.node[data-id="{demo_account.ids["ceo"]}"] .body').bounding_box()
    assert top is not None
    assert top["y"] == min(box["y"] for box in boxes)
    # the key stays in this tab's sessionStorage: not in the URL, a cookie or localStorage
    assert demo_account.key not in page.url
    assert page.evaluate("sessionStorage.getItem('stakemap.apiKey')") == demo_account.key
    assert page.evaluate("localStorage.length") == 0
    assert page.context.cookies() == []
    page.screenshot(path=str(output_dir / "power-map.png"))
    assert page_log.errors == []
    assert page_log.foreign == []


def test_clicking_a_next_contact_highlights_its_path(
    page: Page,
    live_server: LiveServer,
    demo_account: DemoAccount,
    page_log: PageLog,
    output_dir: Path,
) -> None:
    sign_in(page, live_server, demo_account)
    suggestions = demo_account.api.get(
        f"/v1/organisations/{demo_account.org_id}/next-contacts", params={"limit": 8}
    ).json()["items"]
    first = suggestions[0]
    path = first["path"]
    assert path is not None
    on_path = {path["steps"][0]["from_id"], *(s["to_id"] for s in path["steps"])}
    ties = {s["relationship_id"] for s in path["steps"] if s["relationship_id"]}

    expect(page.locator("#map g.node.hl")).to_have_count(0)
    page.locator("#next-contacts li button").first.click()
    expect(page.locator("#map g.node.hl")).to_have_count(len(on_path))
    assert node_ids(page, "#map g.node.hl") == on_path
    assert node_ids(page, "#map g.edge.hl") >= ties
    assert page.locator("#map").get_attribute("class") == "map has-hl"
    expect(page.locator("#details .person-name")).to_have_text(first["name"])
    expect(page.locator("#next-contacts li button.active")).to_have_count(1)
    page.screenshot(path=str(output_dir / "next-contact-path.png"))

    # an entry path replaces it; Escape clears
    best = demo_account.api.get(
        f"/v1/organisations/{demo_account.org_id}/entry-paths", params={"k": 5}
    ).json()["paths"][0]
    page.locator("#entry-paths li button").first.click()
    best_nodes = {best["steps"][0]["from_id"], *(s["to_id"] for s in best["steps"])}
    expect(page.locator("#map g.node.hl")).to_have_count(len(best_nodes))
    assert node_ids(page, "#map g.node.hl") == best_nodes
    page.screenshot(path=str(output_dir / "entry-path.png"))
    page.locator("#map").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#map g.node.hl")).to_have_count(0)
    assert page_log.errors == []
    assert page_log.foreign == []


def test_pan_zoom_details_and_exports(
    page: Page,
    live_server: LiveServer,
    demo_account: DemoAccount,
    page_log: PageLog,
    output_dir: Path,
) -> None:
    sign_in(page, live_server, demo_account)
    viewport = page.locator("#viewport")
    fitted = viewport.get_attribute("transform")
    page.click("#zoom-in")
    zoomed = viewport.get_attribute("transform")
    assert zoomed != fitted
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 200, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 320, box["y"] + 380, steps=5)
    page.mouse.up()
    assert viewport.get_attribute("transform") != zoomed
    page.click("#zoom-fit")
    assert viewport.get_attribute("transform") == fitted

    page.locator(f'#map g.node[data-id="{demo_account.ids["cfo"]}"]').click()
    expect(page.locator("#details .person-name")).to_have_text("Martin Brandt")
    expect(page.locator("#details")).to_contain_text("economic buyer")

    for kind, suffix in (("svg", ".svg"), ("graphml", ".graphml"), ("csv", ".csv")):
        with page.expect_download() as info:
            page.click(f"[data-export={kind}]")
        download = info.value
        assert download.suggested_filename.endswith(suffix)
        saved = output_dir / download.suggested_filename
        download.save_as(saved)
        data = saved.read_bytes()
        if kind == "svg":
            root = parse_xml(data)
            assert root.tag == f"{SVG_NS}svg"
            assert "Katrin Vogel" in {t.text for t in root.iter(f"{SVG_NS}text")}
        elif kind == "graphml":
            graph = nx.read_graphml(io.BytesIO(data))
            assert graph.number_of_nodes() == 43
        else:
            assert data.decode().count("\n") == 41
    with page.expect_download() as info:
        page.click("[data-export=all]")
    assert info.value.suggested_filename == "influence-all-accounts.csv"
    assert page_log.errors == []
    assert page_log.foreign == []


def test_wrong_key_and_sign_out(
    page: Page, live_server: LiveServer, demo_account: DemoAccount, page_log: PageLog
) -> None:
    page.goto(f"{live_server.url}/")
    page.fill("#api-key", "sm_not-a-real-key")
    page.click("#signin-button")
    expect(page.locator("#signin-error")).to_have_text("That API key was refused.")
    assert page.evaluate("sessionStorage.length") == 0
    sign_in(page, live_server, demo_account)
    page.reload()  # the key survives a reload of the tab
    expect(page.locator(f'#map[data-org="{demo_account.org_id}"]')).to_be_attached()
    page.click("#sign-out")
    expect(page.locator("#signin-view")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    expect(page.locator("#map g.node")).to_have_count(0)
    assert page_log.foreign == []
    # the 401 of the wrong key is the only complaint the console may carry
    assert all("401" in error for error in page_log.errors)


def test_api_docs_render_offline(page: Page, live_server: LiveServer, page_log: PageLog) -> None:
    page.goto(f"{live_server.url}/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/v1/organisations/{org_id}/power-map").first).to_be_visible()
    assert page_log.foreign == []


def test_fragility_is_the_headline_of_coverage(
    page: Page, live_server: LiveServer, demo_account: DemoAccount, page_log: PageLog
) -> None:
    """The page says our best warm chance to reach the CEO and whose loss would halve it,
    with the figures the coverage endpoint gives; clicking a stakeholder selects them."""
    sign_in(page, live_server, demo_account)
    fragility = demo_account.api.get(f"/v1/organisations/{demo_account.org_id}/coverage").json()[
        "fragility"
    ]
    critical = fragility["critical"]
    assert critical, "on the demo account one champion chain carries our chance"
    expect(page.locator("#fragility-hint")).to_contain_text("Our best warm chance to reach")
    expect(page.locator("#fragility li")).to_have_count(len(critical))
    names = page.locator("#fragility li .item-head span:first-child").all_inner_texts()
    assert [n.removesuffix(" (our team)") for n in names] == [c["name"] for c in critical]
    person = next(c for c in critical if c["kind"] == "person")
    page.locator(f'#fragility button[data-critical="{person["id"]}"]').click()
    expect(page.locator("#details .person-name")).to_have_text(person["name"])
    assert page_log.errors == []


def test_the_deal_selector_retargets_the_map_paths_and_contacts(
    page: Page, live_server: LiveServer, demo_account: DemoAccount, page_log: PageLog
) -> None:
    """A KAM working the maintenance rollout wants the way to the COO, who decides it; on
    the analytics pilot, to the CTO; on the whole account, to the CEO. The page follows the
    deal chosen, and a reload keeps it."""
    sign_in(page, live_server, demo_account)
    api, org_id, ids = demo_account.api, demo_account.org_id, demo_account.ids
    deals = {
        d["name"]: d["id"]
        for d in api.get(f"/v1/organisations/{org_id}/opportunities").json()["items"]
    }
    rollout = deals["Predictive maintenance rollout, all plants"]
    pilot = deals["Production analytics pilot"]
    names = {
        ref: api.get(f"/v1/organisations/{org_id}/people/{ids[ref]}").json()["name"]
        for ref in ("ceo", "coo", "cto")
    }
    expect(page.locator("#paths-hint")).to_contain_text(names["ceo"])
    expect(page.locator("#deal option")).to_have_count(3)

    contacts: dict[str, str] = {}
    for deal, ref in ((rollout, "coo"), (pilot, "cto")):
        page.select_option("#deal", deal)
        expect(page.locator(f'#map[data-deal="{deal}"]')).to_be_attached()
        expect(page.locator("#paths-hint")).to_contain_text(names[ref])
        expect(page.locator("#next-contacts li").first).to_be_visible()
        contacts[deal] = page.locator("#next-contacts").inner_text()
    assert contacts[rollout] != contacts[pilot]

    # the downloads follow the deal: the ranking's roles are the pilot committee's
    with page.expect_download() as info:
        page.click("[data-export=csv]")
    assert info.value.suggested_filename.endswith("-production-analytics-pilot.csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    roles = {row["name"]: row["roles"] for row in rows}
    assert "decision_maker" not in roles[names["ceo"]]
    assert "decision_maker" in roles[names["cto"]]
    with page.expect_download() as info:
        page.click("[data-export=pipeline]")
    assert info.value.suggested_filename == "pipeline-all-accounts.csv"
    pipeline = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert {row["opportunity_id"] for row in pipeline} == {rollout, pilot}

    page.reload()
    expect(page.locator(f'#map[data-deal="{pilot}"]')).to_be_attached()
    expect(page.locator("#deal")).to_have_value(pilot)
    expect(page.locator("#paths-hint")).to_contain_text(names["cto"])

    page.select_option("#deal", "")
    expect(page.locator('#map[data-deal=""]')).to_be_attached()
    expect(page.locator("#paths-hint")).to_contain_text(names["ceo"])
    assert page_log.errors == []
