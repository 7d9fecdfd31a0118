"""The SQLite store under faults: damaged files, a lock held by another process.

Damage is done to a real database file written by the store: pages of the ``people`` table
overwritten with garbage, or its root page in the schema pointed at one of its leaves (which
SQLite then reads without complaint, answering the wrong rows). Every answer is checked to
carry no driver text, SQL or file path.
"""

from __future__ import annotations

import logging
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from app.security import generate_key, hash_key
from app.settings import Settings
from graph.errors import StoreBusy
from graph.sqlite_guard import Health
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from schemas.common import KeyRole
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate, PersonCreate
from tests.conftest import TEST_PEPPER, LiveServer

TENANT = "t-faults"
PEOPLE = 300
SETTINGS = Settings(
    store="sqlite", rate_limit_per_minute=0, analytics_processes=0, analytics_precompute=False
)
#: What no answer may carry: driver text, SQL, schema and file names.
INTERNALS = ("sqlite", "malformed", "database disk", "select ", "rootpage", "people", ".db")


@dataclass(frozen=True)
class SoundFile:
    """A store file with three organisations of 300 people, and a key of their tenant."""

    path: Path
    key: str
    #: organisation ids in the order the export streams them (id order)
    orgs: list[str]


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> SoundFile:
    path = tmp_path_factory.mktemp("sqlite-faults") / "sound.db"
    store = GraphStore(SqliteStore(path))
    key = generate_key()
    store.create_api_key(TENANT, KeyRole.EDITOR, "faults", hash_key(key, TEST_PEPPER))
    orgs = []
    for i in range(3):
        org = store.create_organisation(TENANT, OrganisationCreate(name=f"Account {i}"))
        body = {
            "people": [
                {"ref": f"p{j}", "name": f"Person {j}", "notes": "n" * 200} for j in range(PEOPLE)
            ]
        }
        store.import_graph(TENANT, org.id, ImportRequest.model_validate(body))
        orgs.append(org.id)
    store.touch_api_key(store.list_api_keys(TENANT)[0].id)
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return SoundFile(path, key, sorted(orgs))


def copy_of(sound: SoundFile, tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copy(sound.path, path)
    return path


def leaf_pages(path: Path, table: str) -> list[int]:
    """The table's leaf pages in key order (the last ones hold its greatest keys)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
            (table,),
        ).fetchall()
    return [row[0] for row in rows]


def overwrite_pages(path: Path, pages: list[int]) -> None:
    with sqlite3.connect(path) as conn:
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    with path.open("r+b") as file:
        for page in pages:
            file.seek((page - 1) * size)
            file.write(b"\xa5" * size)


def damage_last_people_pages(path: Path) -> None:
    """Garbage over the last leaf of ``people``: only the last organisation's rows."""
    overwrite_pages(path, leaf_pages(path, "people")[-1:])


def point_people_root_at_a_leaf(path: Path) -> None:
    leaf = leaf_pages(path, "people")[0]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'people'", (leaf,))
    conn.commit()
    conn.close()


def assert_no_internals(response: httpx.Response, path: Path) -> None:
    text = response.text.lower()
    assert str(path).lower() not in text
    for word in INTERNALS:
        assert word not in text, f"{word!r} in {response.text}"


@pytest.fixture
def store_log() -> Iterator[list[logging.LogRecord]]:
    """Records of the ``stakemap`` logger (it does not propagate to the root)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.ERROR)
    logger = logging.getLogger("stakemap")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@contextmanager
def serve(store: GraphStore) -> Iterator[httpx.Client]:
    """The app on ``store``, served on a loopback port."""
    server = LiveServer(store, SETTINGS)
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield client
    finally:
        server.stop()


def auth(sound: SoundFile) -> dict[str, str]:
    return {"Authorization": f"Bearer {sound.key}"}


# --- damaged files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage", [damage_last_people_pages, point_people_root_at_a_leaf], ids=["pages", "root"]
)
def test_a_damaged_file_is_found_on_open_and_never_served(
    sound: SoundFile,
    tmp_path: Path,
    damage: Callable[[Path], None],
    store_log: list[logging.LogRecord],
) -> None:
    path = copy_of(sound, tmp_path)
    damage(path)
    store = GraphStore(SqliteStore(path))

    with serve(store) as client:
        ready = client.get("/readyz")
        alive = client.get("/healthz")
        listing = client.get("/v1/organisations", headers=auth(sound))
        people = client.get(f"/v1/organisations/{sound.orgs[0]}/people", headers=auth(sound))
        export = client.get("/v1/exports/influence", headers=auth(sound))

    assert store.adapter.health is Health.DAMAGED
    assert ready.status_code == 503
    assert ready.json()["detail"] == "the store failed its integrity check"
    assert alive.status_code == 200
    for refused in (listing, people, export):
        assert refused.status_code == 500
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["title"] == "Internal error"
        assert_no_internals(refused, path)
    assert_no_internals(ready, path)
    logged = " ".join(r.getMessage() for r in store_log)
    assert "the SQLite store is damaged" in logged  # the cause is in the log only


def test_a_bad_root_page_reads_wrong_rows_without_the_check(
    sound: SoundFile, tmp_path: Path
) -> None:
    """Why the check runs on open: SQLite itself serves the damaged table silently."""
    path = copy_of(sound, tmp_path)
    point_people_root_at_a_leaf(path)
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT count(*) FROM people NOT INDEXED").fetchone()[0]

    assert 0 < rows < 3 * PEOPLE  # no error: just some of the people


def test_a_large_file_is_checked_in_the_background_not_ready_until_it_passes(
    sound: SoundFile, tmp_path: Path
) -> None:
    pending: list[Callable[[], None]] = []
    store = GraphStore(
        SqliteStore(copy_of(sound, tmp_path), quick_check_max_bytes=0, background=pending.append)
    )

    with serve(store) as client:
        checking = client.get("/readyz")
        served = client.get("/v1/organisations", headers=auth(sound))
        [check] = pending
        check()
        ready = client.get("/readyz")

    assert checking.status_code == 503
    assert checking.json()["detail"] == "the store's integrity check is still running"
    assert served.status_code == 200
    assert len(served.json()["items"]) == 3
    assert store.adapter.health is Health.OK
    assert ready.status_code == 200


def test_a_damaged_page_met_while_serving_answers_500_and_fails_readiness(
    sound: SoundFile, tmp_path: Path, store_log: list[logging.LogRecord]
) -> None:
    path = copy_of(sound, tmp_path)
    damage_last_people_pages(path)
    pending: list[Callable[[], None]] = []
    store = GraphStore(SqliteStore(path, quick_check_max_bytes=0, background=pending.append))
    damaged, sound_org = sound.orgs[-1], sound.orgs[0]

    with serve(store) as client:
        before = client.get(f"/v1/organisations/{sound_org}/people", headers=auth(sound))
        hit = client.get(f"/v1/organisations/{damaged}/people?limit=500", headers=auth(sound))
        ready = client.get("/readyz")
        after = client.get(f"/v1/organisations/{sound_org}/people", headers=auth(sound))
        pending[0]()

    assert before.status_code == 200
    assert hit.status_code == 500
    assert_no_internals(hit, path)
    assert ready.status_code == 503
    assert after.status_code == 500  # nothing more is served from a damaged file
    assert store.adapter.health is Health.DAMAGED
    assert any(r.getMessage().startswith("Internal error on GET") for r in store_log)


# --- an export cut off part-way ---------------------------------------------------------------


def raw_get(port: int, path: str, key: str) -> tuple[bytes, bytes]:
    """(head, body as sent) of one HTTP/1.1 GET, read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {key}\r\n"
            "Connection: keep-alive\r\n\r\n"
        )
        sock.sendall(request.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def dechunk(body: bytes) -> tuple[bytes, bool]:
    """The payload of a chunked body, and whether it ended with the zero-length chunk."""
    payload = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return payload, True
        payload, body = payload + rest[:size], rest[size + 2 :]
    return payload, False


@contextmanager
def serving_a_damaged_last_organisation(
    sound: SoundFile, tmp_path: Path, name: str
) -> Iterator[LiveServer]:
    """A server on a copy whose last organisation (in export order) has damaged pages, its
    integrity check not run (as for a large file whose check has not reached them)."""
    path = tmp_path / f"{name}.db"
    shutil.copy(sound.path, path)
    damage_last_people_pages(path)
    store = GraphStore(SqliteStore(path, quick_check_max_bytes=0, background=lambda _: None))
    server = LiveServer(store, SETTINGS)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        store.close()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_export_that_fails_part_way_is_cut_off(
    sound: SoundFile, tmp_path: Path, fmt: str
) -> None:
    path = f"/v1/exports/influence?format={fmt}"
    with serving_a_damaged_last_organisation(sound, tmp_path, "raw") as server:
        head, body = raw_get(server.port, path, sound.key)
    with (
        serving_a_damaged_last_organisation(sound, tmp_path, "client") as server,
        pytest.raises(httpx.RemoteProtocolError),  # what a client makes of it
    ):
        httpx.get(f"{server.url}{path}", headers=auth(sound), timeout=60)

    assert head.startswith(b"HTTP/1.1 200")
    assert b"transfer-encoding: chunked" in head.lower()
    payload, complete = dechunk(body)
    assert not complete  # no final zero-length chunk: the client sees a broken transfer
    lines = payload.decode().splitlines()
    if fmt == "csv":
        assert lines[0].startswith("org_id,org_name,rank")
        assert {line.split(",")[0] for line in lines[1:]} == set(sound.orgs[:2])
        assert len(lines) == 1 + 2 * PEOPLE
    else:
        records = [orjson.loads(line) for line in lines]
        assert {r["org_id"] for r in records[:-1]} == set(sound.orgs[:2])
        assert len(records) == 2 * PEOPLE + 1
        assert records[-1] == {
            "error": {
                "status": 500,
                "title": "Internal error",
                "detail": "the store cannot serve this request; the error has been logged",
            }
        }


def test_an_export_that_fails_before_its_first_organisation_answers_a_problem(
    sound: SoundFile, tmp_path: Path
) -> None:
    path = copy_of(sound, tmp_path)
    overwrite_pages(path, leaf_pages(path, "people")[:1])  # the first organisation's rows
    store = GraphStore(SqliteStore(path, quick_check_max_bytes=0, background=lambda _: None))

    with serve(store) as client:
        export = client.get("/v1/exports/influence?format=jsonl", headers=auth(sound))

    assert export.status_code == 500
    assert export.headers["content-type"] == "application/problem+json"
    assert_no_internals(export, path)


# --- the write lock ------------------------------------------------------------------------


def wait_for(condition: Callable[[], bool], limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.005)


class OtherConnection:
    """Another connection to a database file, holding its write lock as another process
    would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def take(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")


@pytest.fixture
def other(tmp_path: Path) -> Iterator[OtherConnection]:
    holder = OtherConnection(tmp_path / "locked.db")
    yield holder
    holder.release()


def test_a_write_waits_the_configured_time_for_a_lock_then_answers_503(
    other: OtherConnection,
) -> None:
    store = GraphStore(SqliteStore(other.path, lock_timeout=0.2))
    keys = {}
    orgs = {}
    for tenant in ("writer", "reader"):
        keys[tenant] = generate_key()
        store.create_api_key(tenant, KeyRole.EDITOR, "lock", hash_key(keys[tenant], TEST_PEPPER))
        orgs[tenant] = store.create_organisation(tenant, OrganisationCreate(name=tenant)).id
        store.touch_api_key(store.list_api_keys(tenant)[0].id)
    other.take()

    with serve(store) as client:
        write = client.post(
            f"/v1/organisations/{orgs['writer']}/people",
            json={"name": "Blocked"},
            headers={"Authorization": f"Bearer {keys['writer']}"},
        )
        read = client.get(
            f"/v1/organisations/{orgs['reader']}",
            headers={"Authorization": f"Bearer {keys['reader']}"},
        )
    stats = store.adapter.writer_queue()
    store.close()

    assert write.status_code == 503
    assert write.headers["retry-after"] == "1"
    assert write.json()["title"] == "Store busy"
    assert_no_internals(write, other.path)
    assert read.status_code == 200  # another tenant's read does not wait for the lock
    assert stats.timed_out >= 1  # this write (and the start-up purge, if it ran already)
    assert stats.longest_granted <= 0.2  # SQLite's own wait was bounded by the setting


def test_writes_queue_in_the_store_and_past_the_queue_answer_busy_at_once(
    other: OtherConnection,
) -> None:
    store = GraphStore(SqliteStore(other.path, lock_timeout=60, write_queue=1))
    org = store.create_organisation("t", OrganisationCreate(name="Queued")).id
    key = store.create_api_key("t", KeyRole.EDITOR, "queue", hash_key(generate_key(), TEST_PEPPER))
    other.take()
    store.touch_api_key(key.id)  # best effort: the lock is taken, so skipped at once
    created: list[str] = []

    def write(name: str) -> None:
        created.append(store.create_person("t", org, PersonCreate(name=name)).name)

    first = threading.Thread(target=write, args=("first",))
    first.start()
    wait_for(lambda: store.adapter.writer_queue().held)  # its turn, waiting for the other lock
    second = threading.Thread(target=write, args=("second",))
    second.start()
    wait_for(lambda: store.adapter.writer_queue().waiting == 1)

    with pytest.raises(StoreBusy) as refused:
        store.create_person("t", org, PersonCreate(name="third"))
    store.touch_api_key(key.id)  # and not queued behind the writers either
    read = store.get_organisation("t", org)  # reads go on
    during = store.adapter.writer_queue()
    other.release()
    first.join()
    second.join()
    people = store.list_people("t", org, limit=10)
    store.close()

    assert refused.value.status == 503
    assert refused.value.headers == {"Retry-After": "60"}
    assert (during.rejected, during.skipped, during.timed_out) == (1, 2, 0)
    assert read.id == org
    assert sorted(created) == ["first", "second"]  # the queued writes were done in turn
    assert sorted(p.name for p in people) == ["first", "second"]
