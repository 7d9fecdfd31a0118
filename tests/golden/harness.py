"""Golden answers: every analytics endpoint on the demo account, captured byte for byte.

``make golden`` rewrites the files in this folder from the code as it is
(``python -m tests.golden.harness``); ``tests/golden/test_golden.py`` asks the same
questions of both stores and expects the stored bytes. The answers only change when the
maths or the wire format is meant to change — review the diff of a refresh like code.

Ids are made deterministic for the run (:func:`sequential_ids` replaces
``graph.planning.new_id``, the one id factory of every write) because some answers are ordered
by id; every id of the demo import is then replaced by its ``ref`` (``{org}`` for the
organisation). The clock is fixed at :data:`DAY` and the demo's contact dates are relative to it.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from itertools import count
from pathlib import Path
from unittest import mock

import graph.planning
from app.demo import demo_import
from app.main import create_app
from app.security import generate_key, new_key
from app.settings import Settings
from graph.store import GraphStore
from schemas.common import KeyRole

with warnings.catch_warnings():
    # starlette would like httpx2 for its in-process client; httpx serves it well
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FOLDER = Path(__file__).parent
DAY = date(2026, 6, 1)
"""The day the golden answers are computed on."""

#: (file name, path under the organisation or "/v1/…" absolute, query parameters)
QUESTIONS: list[tuple[str, str, dict[str, str]]] = [
    ("influence.json", "influence", {}),
    ("influence-weighted.json", "influence", {"w_formal": "1", "w_informal": "3"}),
    ("influence.csv", "influence", {"format": "csv"}),
    ("decision-makers.json", "decision-makers", {}),
    ("entry-paths.json", "entry-paths", {}),
    ("entry-paths-k1.json", "entry-paths", {"k": "1"}),
    ("entry-paths-cto.json", "entry-paths", {"k": "3", "target_id": "@cto"}),
    ("next-contacts.json", "next-contacts", {}),
    ("next-contacts-cto.json", "next-contacts", {"limit": "3", "target_id": "@cto"}),
    ("coverage.json", "coverage", {}),
    ("coverage-cto.json", "coverage", {"target_id": "@cto"}),
    ("power-map.json", "power-map", {}),
    ("power-map-highlight.json", "power-map", {"highlight": "entry-paths"}),
    ("power-map.svg", "power-map.svg", {}),
    ("graph.graphml", "graph.graphml", {}),
    ("export.csv", "/v1/exports/influence", {"format": "csv"}),
    ("export.jsonl", "/v1/exports/influence", {"format": "jsonl"}),
]


@contextmanager
def sequential_ids() -> Iterator[None]:
    """Ids ``00000000-0000-4000-8000-000000000001``, ``…002``, … in creation order."""
    numbers = count(1)

    def next_id() -> str:
        return f"00000000-0000-4000-8000-{next(numbers):012d}"

    with mock.patch.object(graph.planning, "new_id", next_id):
        yield


@contextmanager
def demo_client(store: GraphStore) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client of the real app over ``store`` with the demo account imported.

    Yields the client and the demo's ``id -> ref`` map (the organisation is ``{org}``).
    """
    tenant = f"golden-{generate_key()[-12:]}"
    settings = Settings(store="sqlite", metrics_enabled=False)
    key = new_key(settings.key_pepper.get_secret_value())
    store.create_api_key(tenant, KeyRole.EDITOR, "golden", key.secret_hash)
    app = create_app(settings, store_factory=lambda _: store)
    with (
        sequential_ids(),
        TestClient(app, headers={"Authorization": f"Bearer {key.secret}"}) as client,
    ):
        client.app_state["app"].analytics._clock = lambda: DAY
        org = client.post("/v1/organisations", json={"name": "Nordwerk Industrie AG"})
        org.raise_for_status()
        org_id = org.json()["id"]
        imported = client.post(f"/v1/organisations/{org_id}/import", json=demo_import(DAY))
        imported.raise_for_status()
        refs = {ident: ref for ref, ident in imported.json()["ids"].items()}
        refs[org_id] = "{org}"
        yield client, refs


def normalised(body: bytes, refs: dict[str, str]) -> bytes:
    """``body`` with every id replaced by its ref."""
    text = body.decode()
    for ident in sorted(refs, key=len, reverse=True):
        text = text.replace(ident, refs[ident])
    return text.encode()


def answers(store: GraphStore) -> dict[str, bytes]:
    """Every golden question asked of ``store``: file name -> normalised body."""
    out: dict[str, bytes] = {}
    with demo_client(store) as (client, refs):
        ids = {ref: ident for ident, ref in refs.items()}
        org_id = ids["{org}"]
        for name, path, params in QUESTIONS:
            url = path if path.startswith("/") else f"/v1/organisations/{org_id}/{path}"
            query = {k: ids[v[1:]] if v.startswith("@") else v for k, v in params.items()}
            response = client.get(url, params=query)
            assert response.status_code == 200, (name, response.status_code, response.text)
            out[name] = normalised(response.content, refs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    from graph.sqlite_store import SqliteStore

    with tempfile.TemporaryDirectory() as folder:
        store = GraphStore(SqliteStore(Path(folder) / "golden.db"))
        try:
            for name, body in answers(store).items():
                (FOLDER / name).write_bytes(body)
                print(f"wrote tests/golden/{name} ({len(body)} bytes)")
        finally:
            store.close()


if __name__ == "__main__":
    main()
