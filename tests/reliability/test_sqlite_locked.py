"""A SQLite file whose lock another process holds: every statement answers StoreUnavailable.

The errors are translated in the adapter's transactions (``SqliteStore.read``/``write``),
the only way any statement runs, so no statement can surface ``sqlite3.OperationalError``
(database is locked) as a 500. The holder takes the lock in exclusive locking mode, which
in WAL mode keeps readers out too (a plain ``BEGIN IMMEDIATE`` only stops writers).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.security import generate_key, hash_key
from app.settings import Settings
from graph.errors import StoreUnavailable
from graph.repositories import STATEMENTS
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from queries import Dialect, load_catalog
from schemas.common import KeyRole
from schemas.resources import OrganisationCreate, PersonCreate
from tests.conftest import TEST_PEPPER, LiveServer

_PARAMETER = re.compile(r"(?<!:):([a-z_]+)")
#: parameters that are JSON lists in SQL (``json_each``)
_LISTS = {"ids", "org_ids"}


def _parameters(sql: str) -> dict[str, Any]:
    """A value for every named parameter of ``sql``."""
    names = set(_PARAMETER.findall(sql))
    return {name: [] if name in _LISTS else 1 if name == "limit" else "x" for name in names}


class ExclusiveHolder:
    """Another process's connection holding the file's lock, readers kept out. Exclusive
    mode needs every other connection closed first; the store then reconnects."""

    def __init__(self, path: Path) -> None:
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False
        )

    def take(self) -> None:
        assert self._conn is not None
        self._conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        self._conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        if self._conn is None:
            return
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        self._conn.close()  # closing lets go of the exclusive-mode lock
        self._conn = None


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[tuple[SqliteStore, ExclusiveHolder]]:
    path = tmp_path / "locked.db"
    adapter = SqliteStore(path, lock_timeout=0.05)
    holder = ExclusiveHolder(path)
    yield adapter, holder
    holder.release()
    adapter.close()


@pytest.mark.parametrize("statement", sorted(STATEMENTS))
def test_every_statement_under_a_held_lock_is_store_unavailable(
    locked: tuple[SqliteStore, ExclusiveHolder], statement: str
) -> None:
    adapter, holder = locked
    params = _parameters(load_catalog(Dialect.SQLITE)[statement])
    adapter.close()
    holder.take()
    with pytest.raises(StoreUnavailable):
        adapter.read(lambda tx: tx.rows(statement, **params))
    with pytest.raises(StoreUnavailable):
        adapter.write(lambda tx: tx.rows(statement, **params))


def test_reads_and_writes_over_http_answer_503_with_retry_after(
    locked: tuple[SqliteStore, ExclusiveHolder],
) -> None:
    """The reported bug: a read under a held lock used to answer 500."""
    adapter, holder = locked
    store = GraphStore(adapter)
    key = generate_key()
    store.create_api_key("t", KeyRole.EDITOR, "locked", hash_key(key, TEST_PEPPER))
    org = store.create_organisation("t", OrganisationCreate(name="Held Ltd"))
    store.create_person("t", org.id, PersonCreate(name="Ada"))
    server = LiveServer(store, Settings(store="sqlite"))
    server.start()
    try:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60
        ) as client:
            assert client.get(f"/v1/organisations/{org.id}/people").status_code == 200
            adapter.close()
            holder.take()
            answers = [
                client.get(f"/v1/organisations/{org.id}/people"),
                client.get(f"/v1/organisations/{org.id}"),
                client.post(f"/v1/organisations/{org.id}/people", json={"name": "Bo"}),
            ]
            for answer in answers:
                assert answer.status_code == 503, answer.text
                assert answer.headers["content-type"] == "application/problem+json"
                assert float(answer.headers["retry-after"]) > 0
                assert "locked" not in answer.text  # no driver text
            holder.release()
    finally:
        server.stop()
