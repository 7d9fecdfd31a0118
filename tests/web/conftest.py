"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, a page per test.

Never a downloaded browser: Playwright launches ``/usr/bin/chromium`` (``STAKEMAP_CHROMIUM``
to point elsewhere). Every request the page makes must stay on the test server: anything
else is refused and recorded, so a stray CDN reference fails the test that caused it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, ViewportSize, sync_playwright

from app.demo import DEMO_ORGANISATION, demo_import
from tests.api.test_http import load
from tests.conftest import ClientFactory, LiveServer

CHROMIUM = os.environ.get("STAKEMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP: ViewportSize = {"width": 1440, "height": 900}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "web"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"the browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class PageLog:
    """What the page said and tried while a test ran."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, page_log: PageLog) -> Iterator[Page]:
    """A fresh laptop-sized browser context (empty sessionStorage) on the test server."""
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)

    def only_local(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            page_log.foreign.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.on("console", lambda m: page_log.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: page_log.errors.append(str(e)))
    yield tab
    context.close()


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """This test's folder under ``test-output/web`` (gitignored)."""
    path = OUTPUT / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class DemoAccount:
    """The demo account loaded through the import endpoint, and a key that reads it."""

    api: httpx.Client
    key: str
    org_id: str
    ids: dict[str, str]


@pytest.fixture
def demo_account(make_client: ClientFactory) -> DemoAccount:
    api = make_client()
    org = api.post("/v1/organisations", json=DEMO_ORGANISATION)
    assert org.status_code == 201, org.text
    ids = load(api, org.json()["id"], demo_import())
    key = str(api.headers["Authorization"]).removeprefix("Bearer ")
    return DemoAccount(api=api, key=key, org_id=org.json()["id"], ids=ids)
