"""The embedded store: one SQLite file in WAL mode, the zero-set-up default.

Writes run in ``BEGIN IMMEDIATE`` transactions (the write lock is taken up front, so two
writers never deadlock on a lock upgrade); foreign keys are on; node and tie tables are
``WITHOUT ROWID`` with primary keys that start with (tenant, organisation), so one
organisation's rows sit together on disk and reading it costs the same whatever the size
of the whole database.
"""

from __future__ import annotations

import inspect
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import wraps
from operator import itemgetter
from pathlib import Path
from typing import Any

from graph.errors import (
    Conflict,
    FieldError,
    NotFound,
    StakemapError,
    StoreBusy,
    StoreCorrupt,
    StoreUnavailable,
    ValidationFailed,
    check_version,
)
from graph.idempotency import (
    ClaimOutcome,
    IdempotencyClaim,
    IdempotentWrite,
    StoredResponse,
    admit,
    done_record,
    judge_claim,
    new_token,
    pending_record,
)
from graph.migrations import MigrationError, load_migrations, open_schema
from graph.planning import (
    BatchPlan,
    OrgContext,
    external_refs,
    new_id,
    new_record,
    plan_batch,
    utcnow,
)
from graph.port import ImportOutcome, OrgImport
from graph.records import (
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    RELATIONSHIP_FIELDS,
    TEAM_FIELDS,
    api_key_from,
    model_row,
    organisation_from,
    person_from,
    relationship_from,
    team_member_from,
    to_storable,
)
from graph.sqlite_guard import (
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    DEFAULT_QUICK_CHECK_MAX_BYTES,
    DEFAULT_WRITE_QUEUE,
    ErrorKind,
    Health,
    Integrity,
    WriterQueue,
    WriterQueueStats,
    error_kind,
    quick_check,
)
from graph.sqlite_migrations import SqliteMigrations
from schemas.audit import AuditEntry
from schemas.common import KeyRole, RelType
from schemas.imports import (
    ImportRequest,
    ImportResult,
    PersonImport,
    RelationshipImport,
)
from schemas.keys import ApiKeyPublic
from schemas.resources import (
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    PersonCreate,
    PersonPublic,
    PersonUpdate,
    RelationshipCreate,
    RelationshipPublic,
    TeamMemberCreate,
    TeamMemberPublic,
    TeamMemberUpdate,
)
from schemas.snapshot import OrgSnapshot

logger = logging.getLogger("stakemap")

#: Longest pause between two attempts to take a write lock another process holds.
_LOCK_POLL_SECONDS = 0.02

#: WAL pages between automatic checkpoints (SQLite's default is 1000, i.e. 4 MiB).
WAL_AUTOCHECKPOINT_PAGES = 16_384

#: Error fields of a single-tie create, named as in its request body.
_TIE_PATHS = {
    "relationships[0].source": "source_id",
    "relationships[0].target": "target_id",
    "relationships[0]": "type",
}

_ORG_COLUMNS = ("id", "tenant", "created_at", "updated_at", "version", *ORGANISATION_FIELDS)
_PERSON_COLUMNS = ("id", "tenant", "created_at", "updated_at", "version", "org_id", *PERSON_FIELDS)
_TEAM_COLUMNS = ("id", "tenant", "created_at", "updated_at", "version", *TEAM_FIELDS)
_REL_COLUMNS = (
    "id",
    "tenant",
    "created_at",
    "updated_at",
    "version",
    "org_id",
    *RELATIONSHIP_FIELDS,
)


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    # Table and column names come from the constants above, never from input.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in columns)})"
    )


def _update_sql(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    # Table and column names come from the constants above, never from input.
    changed = [c for c in columns if c not in key and c != "created_at"]
    return (
        f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in changed)} "  # noqa: S608
        f"WHERE {' AND '.join(f'{c} = ?' for c in key)}"
    )


_INSERT_PERSON = _insert_sql("people", _PERSON_COLUMNS)
_INSERT_TEAM = _insert_sql("team_members", _TEAM_COLUMNS)
_INSERT_REL = _insert_sql("relationships", _REL_COLUMNS)
_INSERT_ORG = _insert_sql("organisations", _ORG_COLUMNS)
_ROW_KEY = ("tenant", "org_id", "id")
_UPDATE_PERSON = _update_sql("people", _PERSON_COLUMNS, _ROW_KEY)
_UPDATE_REL = _update_sql("relationships", _REL_COLUMNS, _ROW_KEY)
_UPDATE_PERSON_ORDER = (
    tuple(c for c in _PERSON_COLUMNS if c not in _ROW_KEY and c != "created_at") + _ROW_KEY
)
_UPDATE_REL_ORDER = (
    tuple(c for c in _REL_COLUMNS if c not in _ROW_KEY and c != "created_at") + _ROW_KEY
)


_AUDIT_COLUMNS = tuple(AuditEntry.model_fields)
_IDEMPOTENCY_COLUMNS = (
    "tenant",
    "key",
    "state",
    "fingerprint",
    "token",
    "lease_until",
    "expires_at",
    "status",
    "body",
    "headers",
    "created_at",
)
_SAVE_IDEMPOTENCY = _insert_sql("idempotency_keys", _IDEMPOTENCY_COLUMNS).replace(
    "INSERT INTO", "INSERT OR REPLACE INTO", 1
)
_INSERT_AUDIT = _insert_sql("audit_log", _AUDIT_COLUMNS)


def _single_result(batch: BatchPlan, *, dry_run: bool) -> ImportResult:
    """The result of a one-organisation batch, or its refusal raised."""
    [outcome] = batch.outcomes(dry_run=dry_run)
    if outcome.missing:
        raise NotFound("organisation")
    if outcome.result is None:
        raise ValidationFailed(outcome.errors)
    return outcome.result


def _created_person(batch: BatchPlan) -> PersonPublic:
    return person_from(batch.planned[0].plan.people[0])


def _created_relationship(batch: BatchPlan) -> RelationshipPublic:
    return relationship_from(batch.planned[0].plan.relationships[0])


def _person_row(row: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(row)
    data["roles"] = json.loads(data["roles"])
    return data


def _params(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Statement parameters of planned rows (which carry every column)."""
    get = itemgetter(*columns)
    return [get(row) for row in rows]


def _person_params(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """:func:`_params` with the roles list stored as JSON text."""
    get = itemgetter(*columns)
    at = columns.index("roles")
    texts: dict[tuple[str, ...], str] = {}
    params = []
    for row in rows:
        values = get(row)
        roles = tuple(row["roles"])
        text = texts.get(roles)
        if text is None:
            text = texts[roles] = json.dumps(list(roles))
        params.append((*values[:at], text, *values[at + 1 :]))
    return params


def _rollback(conn: sqlite3.Connection) -> None:
    """End the failed transaction, if SQLite has not ended it already."""
    if conn.in_transaction:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


class SqliteStore:
    """:class:`graph.port.GraphStore` on a SQLite file (one connection per thread).

    Writes take turns in one :class:`~graph.sqlite_guard.WriterQueue` per store: at most
    ``write_queue`` wait, none longer than ``lock_timeout`` seconds in all (its turn here,
    then SQLite's lock if another process holds it), else :class:`StoreBusy` (503 with
    ``Retry-After``). The file passes ``PRAGMA quick_check`` before it is served when it is
    at most ``quick_check_max_bytes`` long; a larger one is checked by ``background`` (a
    thread by default) while it is served, and :meth:`ping` fails until the check passes.
    A damaged file (a failed check, or a damaged page met by any call) is served no more:
    every call raises :class:`StoreCorrupt` (a logged 500) and :meth:`ping` fails.
    ``migrate`` applies pending migrations at open, else they are refused
    (:func:`graph.migrations.open_schema`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
        write_queue: int = DEFAULT_WRITE_QUEUE,
        quick_check_max_bytes: int = DEFAULT_QUICK_CHECK_MAX_BYTES,
        background: Callable[[Callable[[], None]], None] | None = None,
        migrate: bool = True,
    ) -> None:
        self._path = str(path)
        size = 0
        if self._path != ":memory:":
            file = Path(self._path)
            file.parent.mkdir(parents=True, exist_ok=True)
            size = file.stat().st_size if file.exists() else 0
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._writers = WriterQueue(lock_timeout, write_queue)
        self._integrity = Integrity()
        self._checker: threading.Thread | None = None
        self._checking: sqlite3.Connection | None = None
        in_background = size > quick_check_max_bytes
        try:
            conn = self._connection()
            if not in_background:
                self.integrity_check()
            if self._integrity.state is not Health.DAMAGED:
                open_schema(SqliteMigrations(conn), load_migrations("sqlite"), apply=migrate)
        except MigrationError:
            self.close()
            raise
        except sqlite3.Error as exc:
            if error_kind(exc) is not ErrorKind.DAMAGED:
                raise StoreUnavailable(f"cannot open the SQLite store: {exc}") from exc
            self._integrity.damaged(str(exc))
        if in_background and self._integrity.state is Health.CHECKING:
            # its own connection, which close() can interrupt
            self._checking = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False
            )
            (background or self._start_checker)(self._check_in_background)

    # --- connections and transactions ----------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self._path,
                timeout=self._writers.lock_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            with self._lock:
                self._connections.append(conn)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Erased personal data is overwritten on disk, not just unlinked (GDPR Art. 17).
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute(f"PRAGMA busy_timeout = {self._wait_ms(self._writers.lock_timeout)}")
            # Checkpoint (copy the WAL into the file, with fsyncs) every 64 MiB of WAL
            # rather than every 4 MiB: bulk imports commit large transactions back to
            # back (docs/PERFORMANCE.md).
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
            self._local.conn = conn
        return conn

    @staticmethod
    def _wait_ms(seconds: float) -> int:
        return max(0, int(seconds * 1000))

    @contextmanager
    def _write(self, *, bounded: bool = True, wait: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction in this store's writer turn (see :meth:`WriterQueue.turn`)."""
        with self._writers.turn(bounded=bounded, wait=wait) as left:
            conn = self._connection()
            if not self._begin_immediate(conn, left):
                raise self._writers.busy() if wait else StoreBusy("the store's write lock is taken")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    def _begin_immediate(self, conn: sqlite3.Connection, wait: float) -> bool:
        """Take SQLite's write lock, waiting at most ``wait`` seconds for another process
        to let go of it (polled here rather than by SQLite's busy handler, whose sleeps can
        overrun the timeout by a second); False if it stayed taken."""
        deadline = time.monotonic() + wait
        pause = 0.001
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return True
                except sqlite3.OperationalError as exc:
                    left = deadline - time.monotonic()
                    if error_kind(exc) is not ErrorKind.BUSY:
                        raise
                    if left <= 0:
                        return False
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, _LOCK_POLL_SECONDS)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {self._wait_ms(self._writers.lock_timeout)}")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield conn
        except BaseException:
            _rollback(conn)
            raise
        conn.execute("COMMIT")

    def _domain_error(self, exc: sqlite3.Error) -> StakemapError | None:
        """The domain error a sqlite3 error means, or None (a bug: let it propagate).

        Driver text, SQL and the file's path go to the log, never into the error."""
        kind = error_kind(exc)
        if kind is ErrorKind.BUSY:
            return StoreBusy("the store is busy; retry shortly", self._writers.retry_after)
        if kind is ErrorKind.DAMAGED:
            self._integrity.damaged(str(exc))
            return StoreCorrupt()
        if kind is ErrorKind.UNUSABLE:
            logger.error("the SQLite store cannot use its file: %s", exc)
            return StoreUnavailable("the store cannot read or write its data")
        return None

    # --- health ----------------------------------------------------------------------------

    def integrity_check(self) -> Health:
        """Run ``PRAGMA quick_check`` now; the file is then ``ok`` or ``damaged``."""
        conn = self._checking or self._connection()
        try:
            problems = quick_check(conn)
        except sqlite3.DatabaseError as exc:
            if error_kind(exc) is not ErrorKind.DAMAGED:
                raise
            problems = [str(exc)]
        if problems:
            self._integrity.damaged("; ".join(problems))
        else:
            self._integrity.passed()
        return self._integrity.state

    @property
    def health(self) -> Health:
        return self._integrity.state

    def writer_queue(self) -> WriterQueueStats:
        return self._writers.stats()

    def _start_checker(self, work: Callable[[], None]) -> None:
        self._checker = threading.Thread(target=work, name="sqlite-quick-check", daemon=True)
        self._checker.start()

    def _check_in_background(self) -> None:
        try:
            self.integrity_check()
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_INTERRUPT:
                # readiness stays failed: the file was never found sound
                logger.error("the SQLite integrity check could not run: %s", exc)

    def ping(self) -> None:
        self._integrity.require_ready()
        try:
            self._connection().execute("SELECT 1 FROM organisations LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            domain = self._domain_error(exc)
            self._integrity.require_ready()  # a damaged page was met: not ready
            if domain is None:
                raise
            raise domain from exc

    def close(self) -> None:
        checking = self._checking
        if checking is not None:
            checking.interrupt()
            if self._checker is not None:
                self._checker.join(timeout=10)
            checking.close()
            self._checking = None
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _bump(conn: sqlite3.Connection, tenant: str, org_id: str) -> int:
        row = conn.execute(
            "UPDATE organisations SET version = version + 1, updated_at = ? "
            "WHERE tenant = ? AND id = ? RETURNING version",
            (to_storable(utcnow()), tenant, org_id),
        ).fetchone()
        if row is None:
            raise NotFound("organisation")
        return int(row[0])

    @staticmethod
    def _bump_tenant(conn: sqlite3.Connection, tenant: str) -> None:
        conn.execute("UPDATE organisations SET version = version + 1 WHERE tenant = ?", (tenant,))

    @staticmethod
    def _known(conn: sqlite3.Connection, table: str, tenant: str, refs: set[str]) -> set[str]:
        """Which of ``refs`` are ids in ``table`` (organisations or team_members)."""
        if not refs:
            return set()
        rows = conn.execute(
            f"SELECT id FROM {table} WHERE tenant = ? "  # noqa: S608 - table is a constant
            "AND id IN (SELECT value FROM json_each(?))",
            (tenant, json.dumps(sorted(refs))),
        )
        return {r[0] for r in rows}

    def _lean_context(
        self, conn: sqlite3.Connection, tenant: str, org_id: str, refs: set[str]
    ) -> OrgContext:
        person_ids = {
            r[0]
            for r in conn.execute(
                "SELECT id FROM people WHERE tenant = ? AND org_id = ?", (tenant, org_id)
            )
        }
        ties = [
            (RelType(r[0]), r[1], r[2], bool(r[3]))
            for r in conn.execute(
                "SELECT type, source_id, target_id, dotted FROM relationships "
                "WHERE tenant = ? AND org_id = ?",
                (tenant, org_id),
            )
        ]
        return OrgContext(
            tenant,
            org_id,
            person_ids,
            self._known(conn, "team_members", tenant, refs),
            self._known(conn, "organisations", tenant, refs),
            ties,
        )

    @staticmethod
    def _org_rows(
        conn: sqlite3.Connection, tenant: str, org_id: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        people = [
            _person_row(r)
            for r in conn.execute(
                "SELECT * FROM people WHERE tenant = ? AND org_id = ?", (tenant, org_id)
            )
        ]
        ties = [
            dict(r)
            for r in conn.execute(
                "SELECT * FROM relationships WHERE tenant = ? AND org_id = ?", (tenant, org_id)
            )
        ]
        return people, ties

    @staticmethod
    def _versions(conn: sqlite3.Connection, tenant: str, org_ids: list[str]) -> dict[str, int]:
        """The stored organisations among ``org_ids``, with their versions.

        The transaction (``BEGIN IMMEDIATE`` for writes) holds the write lock already."""
        versions: dict[str, int] = {}
        for org_id in org_ids:
            row = conn.execute(
                "SELECT version FROM organisations WHERE tenant = ? AND id = ?", (tenant, org_id)
            ).fetchone()
            if row is not None:
                versions[org_id] = int(row[0])
        return versions

    def _plan(
        self,
        conn: sqlite3.Connection,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool,
        dry_run: bool,
        paths: dict[str, str] | None,
    ) -> BatchPlan:
        org_ids = sorted({item.org_id for item in items if item.org_id is not None})
        versions = self._versions(conn, tenant, org_ids)
        refs: set[str] = set()
        for item in items:
            refs |= external_refs(item.request)
        team: list[dict[str, Any]] = []
        known_orgs: set[str] = set()
        if upsert:
            team = [
                dict(r)
                for r in conn.execute("SELECT * FROM team_members WHERE tenant = ?", (tenant,))
            ]
            known_orgs = self._known(conn, "organisations", tenant, refs)

        def context(org_id: str, new: bool) -> OrgContext:
            if not upsert:
                if new:
                    return OrgContext(
                        tenant,
                        org_id,
                        set(),
                        self._known(conn, "team_members", tenant, refs),
                        self._known(conn, "organisations", tenant, refs),
                    )
                return self._lean_context(conn, tenant, org_id, refs)
            people, ties = ([], []) if new else self._org_rows(conn, tenant, org_id)
            return OrgContext.from_rows(
                tenant, org_id, people=people, team=team, relationships=ties, org_ids=known_orgs
            )

        def check_parent(parent_id: str) -> None:
            self._check_parent(conn, tenant, "", parent_id)

        return plan_batch(
            tenant,
            items,
            versions=versions,
            context=context,
            check_parent=check_parent,
            upsert=upsert,
            paths=paths,
        )

    @staticmethod
    def _store(conn: sqlite3.Connection, tenant: str, batch: BatchPlan) -> None:
        conn.executemany(_INSERT_ORG, _params(batch.new_organisations, _ORG_COLUMNS))
        conn.executemany(_INSERT_PERSON, _person_params(batch.rows("people"), _PERSON_COLUMNS))
        conn.executemany(
            _UPDATE_PERSON, _person_params(batch.rows("updated_people"), _UPDATE_PERSON_ORDER)
        )
        conn.executemany(_INSERT_TEAM, _params(batch.rows("team"), _TEAM_COLUMNS))
        conn.executemany(
            "DELETE FROM relationships WHERE tenant = ? AND org_id = ? AND id = ?",
            _params(batch.rows("removed_relationships"), _ROW_KEY),
        )
        conn.executemany(
            _UPDATE_REL, _params(batch.rows("updated_relationships"), _UPDATE_REL_ORDER)
        )
        conn.executemany(_INSERT_REL, _params(batch.rows("relationships"), _REL_COLUMNS))
        now = to_storable(utcnow())
        conn.executemany(
            "UPDATE organisations SET version = ?, updated_at = ? WHERE tenant = ? AND id = ?",
            [(version, now, tenant, org_id) for org_id, version in batch.version_updates()],
        )
        if batch.creates_team:
            SqliteStore._bump_tenant(conn, tenant)

    def _batch(
        self,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool,
        dry_run: bool,
        paths: dict[str, str] | None = None,
        idempotency: IdempotentWrite | None = None,
        result_of: Callable[[BatchPlan], Any] | None = None,
    ) -> BatchPlan:
        """Plan ``items`` and, unless ``dry_run``, store them: one transaction, which also
        records ``idempotency`` with ``result_of(batch)`` (default: the outcomes)."""
        if dry_run:
            with self._read() as conn:
                return self._plan(conn, tenant, items, upsert=upsert, dry_run=True, paths=paths)
        with self._write() as conn:
            self._admit(conn, tenant, idempotency)
            batch = self._plan(conn, tenant, items, upsert=upsert, dry_run=False, paths=paths)
            self._store(conn, tenant, batch)
            if idempotency is not None:
                result = result_of(batch) if result_of else batch.outcomes(dry_run=False)
                self._record_done(conn, tenant, idempotency, result)
        return batch

    def _single(
        self,
        tenant: str,
        org_id: str,
        request: ImportRequest,
        *,
        upsert: bool = False,
        dry_run: bool = False,
        paths: dict[str, str] | None = None,
        idempotency: IdempotentWrite | None = None,
        created: Callable[[BatchPlan], Any] | None = None,
    ) -> tuple[BatchPlan, ImportResult]:
        """Import into one organisation; raise its refusal. With ``idempotency``, the
        refusal is raised inside the transaction and ``created(batch)`` (default: the
        import result) is what the record keeps."""

        def result_of(batch: BatchPlan) -> Any:
            result = _single_result(batch, dry_run=False)
            return result if created is None else created(batch)

        batch = self._batch(
            tenant,
            [OrgImport(request, org_id=org_id)],
            upsert=upsert,
            dry_run=dry_run,
            paths=paths,
            idempotency=idempotency,
            result_of=result_of,
        )
        return batch, _single_result(batch, dry_run=dry_run)

    @staticmethod
    def _one(
        conn: sqlite3.Connection, sql: str, params: tuple[Any, ...], kind: str
    ) -> dict[str, Any]:
        row: sqlite3.Row | None = conn.execute(sql, params).fetchone()
        if row is None:
            raise NotFound(kind)
        return dict(row)

    @staticmethod
    def _check_row_version(
        conn: sqlite3.Connection,
        table: str,
        kind: str,
        tenant: str,
        org_id: str,
        row_id: str,
        expected: int | None,
    ) -> None:
        """NotFound, or PreconditionFailed unless the row is at ``expected`` (if given)."""
        row = SqliteStore._one(
            conn,
            f"SELECT version FROM {table} "  # noqa: S608 - table is a constant
            "WHERE tenant = ? AND org_id = ? AND id = ?",
            (tenant, org_id, row_id),
            kind,
        )
        check_version(kind, int(row["version"]), expected)

    @staticmethod
    def _check_member_version(
        conn: sqlite3.Connection, tenant: str, member_id: str, expected: int | None
    ) -> None:
        row = SqliteStore._one(
            conn,
            "SELECT version FROM team_members WHERE tenant = ? AND id = ?",
            (tenant, member_id),
            "team member",
        )
        check_version("team member", int(row["version"]), expected)

    @staticmethod
    def _set_clause(changes: Mapping[str, Any]) -> tuple[str, list[Any]]:
        # Column names come from the validated update models' field names only.
        columns = [f"{name} = ?" for name in changes]
        values = [
            json.dumps(to_storable(v)) if name == "roles" else to_storable(v)
            for name, v in changes.items()
        ]
        columns += ["updated_at = ?", "version = version + 1"]
        values.append(to_storable(utcnow()))
        return ", ".join(columns), values

    # --- organisations -----------------------------------------------------------------------

    def _check_parent(
        self, conn: sqlite3.Connection, tenant: str, org_id: str, parent_id: str | None
    ) -> None:
        seen = {org_id}
        current = parent_id
        while current is not None:
            if current in seen:
                raise ValidationFailed(
                    [
                        FieldError(
                            "parent_id", "this parent would make the organisation its own ancestor"
                        )
                    ]
                )
            seen.add(current)
            row = conn.execute(
                "SELECT parent_id FROM organisations WHERE tenant = ? AND id = ?",
                (tenant, current),
            ).fetchone()
            if row is None:
                raise ValidationFailed(
                    [FieldError("parent_id", f"unknown organisation {current!r}")]
                )
            current = row[0]

    def create_organisation(
        self, tenant: str, data: OrganisationCreate, *, idempotency: IdempotentWrite | None = None
    ) -> OrganisationPublic:
        org = new_record(OrganisationPublic, tenant, data)
        with self._write() as conn:
            self._admit(conn, tenant, idempotency)
            self._check_parent(conn, tenant, org.id, org.parent_id)
            conn.execute(_INSERT_ORG, tuple(model_row(org, ORGANISATION_FIELDS).values()))
            self._record_done(conn, tenant, idempotency, org)
        return org

    def get_organisation(self, tenant: str, org_id: str) -> OrganisationPublic:
        conn = self._connection()
        return organisation_from(
            self._one(
                conn,
                "SELECT * FROM organisations WHERE tenant = ? AND id = ?",
                (tenant, org_id),
                "organisation",
            )
        )

    def list_organisations(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[OrganisationPublic]:
        rows = self._connection().execute(
            "SELECT * FROM organisations WHERE tenant = ? AND id > ? ORDER BY id LIMIT ?",
            (tenant, after or "", limit),
        )
        return [organisation_from(r) for r in rows]

    def update_organisation(
        self,
        tenant: str,
        org_id: str,
        changes: OrganisationUpdate,
        *,
        expected_version: int | None = None,
    ) -> OrganisationPublic:
        values = changes.model_dump(exclude_unset=True)
        with self._write() as conn:
            current = self._one(
                conn,
                "SELECT version FROM organisations WHERE tenant = ? AND id = ?",
                (tenant, org_id),
                "organisation",
            )
            check_version("organisation", int(current["version"]), expected_version)
            if "parent_id" in values:
                self._check_parent(conn, tenant, org_id, values["parent_id"])
            clause, params = self._set_clause(values)
            row = conn.execute(
                f"UPDATE organisations SET {clause} WHERE tenant = ? AND id = ? RETURNING *",  # noqa: S608
                (*params, tenant, org_id),
            ).fetchone()
        return organisation_from(row)

    def delete_organisation(
        self, tenant: str, org_id: str, *, expected_version: int | None = None
    ) -> None:
        with self._write() as conn:
            current = self._one(
                conn,
                "SELECT version FROM organisations WHERE tenant = ? AND id = ?",
                (tenant, org_id),
                "organisation",
            )
            check_version("organisation", int(current["version"]), expected_version)
            affected = [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT org_id FROM relationships "
                    "WHERE tenant = ? AND target_id = ? AND type = 'AFFILIATED_WITH'",
                    (tenant, org_id),
                )
            ]
            conn.execute(
                "DELETE FROM relationships WHERE tenant = ? AND target_id = ? "
                "AND type = 'AFFILIATED_WITH'",
                (tenant, org_id),
            )
            conn.execute(
                "UPDATE organisations SET parent_id = NULL WHERE tenant = ? AND parent_id = ?",
                (tenant, org_id),
            )
            deleted = conn.execute(
                "DELETE FROM organisations WHERE tenant = ? AND id = ? RETURNING id",
                (tenant, org_id),
            ).fetchone()
            if deleted is None:
                raise NotFound("organisation")
            for other in affected:
                if other != org_id:
                    self._bump(conn, tenant, other)

    def org_version(self, tenant: str, org_id: str) -> int:
        row = self._one(
            self._connection(),
            "SELECT version FROM organisations WHERE tenant = ? AND id = ?",
            (tenant, org_id),
            "organisation",
        )
        return int(row["version"])

    # --- people -----------------------------------------------------------------------------

    def create_person(
        self,
        tenant: str,
        org_id: str,
        data: PersonCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> PersonPublic:
        request = ImportRequest(people=[PersonImport(ref="new", **data.model_dump())])
        batch, _ = self._single(
            tenant, org_id, request, idempotency=idempotency, created=_created_person
        )
        return _created_person(batch)

    def get_person(self, tenant: str, org_id: str, person_id: str) -> PersonPublic:
        row = self._one(
            self._connection(),
            "SELECT * FROM people WHERE tenant = ? AND org_id = ? AND id = ?",
            (tenant, org_id, person_id),
            "person",
        )
        return person_from(_person_row(row))

    def list_people(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[PersonPublic]:
        with self._read() as conn:
            self._one(
                conn,
                "SELECT id FROM organisations WHERE tenant = ? AND id = ?",
                (tenant, org_id),
                "organisation",
            )
            rows = conn.execute(
                "SELECT * FROM people WHERE tenant = ? AND org_id = ? AND id > ? "
                "ORDER BY id LIMIT ?",
                (tenant, org_id, after or "", limit),
            ).fetchall()
        return [person_from(_person_row(r)) for r in rows]

    def update_person(
        self,
        tenant: str,
        org_id: str,
        person_id: str,
        changes: PersonUpdate,
        *,
        expected_version: int | None = None,
    ) -> PersonPublic:
        values = changes.model_dump(exclude_unset=True)
        with self._write() as conn:
            self._bump(conn, tenant, org_id)
            self._check_row_version(
                conn, "people", "person", tenant, org_id, person_id, expected_version
            )
            clause, params = self._set_clause(values)
            row = conn.execute(
                f"UPDATE people SET {clause} WHERE tenant = ? AND org_id = ? AND id = ? "  # noqa: S608
                "RETURNING *",
                (*params, tenant, org_id, person_id),
            ).fetchone()
            if row is None:
                raise NotFound("person")
        return person_from(_person_row(row))

    def delete_person(
        self, tenant: str, org_id: str, person_id: str, *, expected_version: int | None = None
    ) -> None:
        with self._write() as conn:
            self._bump(conn, tenant, org_id)
            self._check_row_version(
                conn, "people", "person", tenant, org_id, person_id, expected_version
            )
            deleted = conn.execute(
                "DELETE FROM people WHERE tenant = ? AND org_id = ? AND id = ? RETURNING id",
                (tenant, org_id, person_id),
            ).fetchone()
            if deleted is None:
                raise NotFound("person")
            conn.execute(
                "DELETE FROM relationships WHERE tenant = ? AND org_id = ? "
                "AND (source_id = ? OR target_id = ?)",
                (tenant, org_id, person_id, person_id),
            )

    # --- team ----------------------------------------------------------------------------------

    def create_team_member(
        self, tenant: str, data: TeamMemberCreate, *, idempotency: IdempotentWrite | None = None
    ) -> TeamMemberPublic:
        member = new_record(TeamMemberPublic, tenant, data)
        with self._write() as conn:
            self._admit(conn, tenant, idempotency)
            conn.execute(_INSERT_TEAM, tuple(model_row(member, TEAM_FIELDS).values()))
            self._bump_tenant(conn, tenant)
            self._record_done(conn, tenant, idempotency, member)
        return member

    def get_team_member(self, tenant: str, member_id: str) -> TeamMemberPublic:
        return team_member_from(
            self._one(
                self._connection(),
                "SELECT * FROM team_members WHERE tenant = ? AND id = ?",
                (tenant, member_id),
                "team member",
            )
        )

    def list_team_members(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[TeamMemberPublic]:
        rows = self._connection().execute(
            "SELECT * FROM team_members WHERE tenant = ? AND id > ? ORDER BY id LIMIT ?",
            (tenant, after or "", limit),
        )
        return [team_member_from(r) for r in rows]

    def update_team_member(
        self,
        tenant: str,
        member_id: str,
        changes: TeamMemberUpdate,
        *,
        expected_version: int | None = None,
    ) -> TeamMemberPublic:
        values = changes.model_dump(exclude_unset=True)
        with self._write() as conn:
            self._check_member_version(conn, tenant, member_id, expected_version)
            clause, params = self._set_clause(values)
            row = conn.execute(
                f"UPDATE team_members SET {clause} WHERE tenant = ? AND id = ? RETURNING *",  # noqa: S608
                (*params, tenant, member_id),
            ).fetchone()
            if row is None:
                raise NotFound("team member")
            self._bump_tenant(conn, tenant)
        return team_member_from(row)

    def delete_team_member(
        self, tenant: str, member_id: str, *, expected_version: int | None = None
    ) -> None:
        with self._write() as conn:
            self._check_member_version(conn, tenant, member_id, expected_version)
            deleted = conn.execute(
                "DELETE FROM team_members WHERE tenant = ? AND id = ? RETURNING id",
                (tenant, member_id),
            ).fetchone()
            if deleted is None:
                raise NotFound("team member")
            conn.execute(
                "DELETE FROM relationships WHERE tenant = ? AND source_id = ?",
                (tenant, member_id),
            )
            self._bump_tenant(conn, tenant)

    # --- relationships ------------------------------------------------------------------------

    def create_relationship(
        self,
        tenant: str,
        org_id: str,
        data: RelationshipCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> RelationshipPublic:
        rel = RelationshipImport(
            source=data.source_id,
            target=data.target_id,
            **data.model_dump(exclude={"source_id", "target_id"}),
        )
        batch, _ = self._single(
            tenant,
            org_id,
            ImportRequest(relationships=[rel]),
            paths=_TIE_PATHS,
            idempotency=idempotency,
            created=_created_relationship,
        )
        return _created_relationship(batch)

    def get_relationship(self, tenant: str, org_id: str, rel_id: str) -> RelationshipPublic:
        return relationship_from(
            self._one(
                self._connection(),
                "SELECT * FROM relationships WHERE tenant = ? AND org_id = ? AND id = ?",
                (tenant, org_id, rel_id),
                "relationship",
            )
        )

    def list_relationships(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[RelationshipPublic]:
        with self._read() as conn:
            self._one(
                conn,
                "SELECT id FROM organisations WHERE tenant = ? AND id = ?",
                (tenant, org_id),
                "organisation",
            )
            rows = conn.execute(
                "SELECT * FROM relationships WHERE tenant = ? AND org_id = ? AND id > ? "
                "ORDER BY id LIMIT ?",
                (tenant, org_id, after or "", limit),
            ).fetchall()
        return [relationship_from(r) for r in rows]

    def delete_relationship(
        self, tenant: str, org_id: str, rel_id: str, *, expected_version: int | None = None
    ) -> None:
        with self._write() as conn:
            self._bump(conn, tenant, org_id)
            self._check_row_version(
                conn, "relationships", "relationship", tenant, org_id, rel_id, expected_version
            )
            deleted = conn.execute(
                "DELETE FROM relationships WHERE tenant = ? AND org_id = ? AND id = ? RETURNING id",
                (tenant, org_id, rel_id),
            ).fetchone()
            if deleted is None:
                raise NotFound("relationship")

    # --- bulk ------------------------------------------------------------------------------------

    def import_graph(
        self,
        tenant: str,
        org_id: str,
        request: ImportRequest,
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> ImportResult:
        return self._single(
            tenant, org_id, request, upsert=upsert, dry_run=dry_run, idempotency=idempotency
        )[1]

    def import_many(
        self,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> list[ImportOutcome]:
        batch = self._batch(tenant, items, upsert=upsert, dry_run=dry_run, idempotency=idempotency)
        return batch.outcomes(dry_run=dry_run)

    def snapshot(self, tenant: str, org_id: str) -> OrgSnapshot:
        with self._read() as conn:
            org = self._one(
                conn,
                "SELECT * FROM organisations WHERE tenant = ? AND id = ?",
                (tenant, org_id),
                "organisation",
            )
            people = conn.execute(
                "SELECT * FROM people WHERE tenant = ? AND org_id = ? ORDER BY id",
                (tenant, org_id),
            ).fetchall()
            team = conn.execute(
                "SELECT * FROM team_members WHERE tenant = ? ORDER BY id", (tenant,)
            ).fetchall()
            rels = conn.execute(
                "SELECT * FROM relationships WHERE tenant = ? AND org_id = ? ORDER BY id",
                (tenant, org_id),
            ).fetchall()
        return OrgSnapshot(
            organisation=organisation_from(org),
            people=[person_from(_person_row(r)) for r in people],
            team=[team_member_from(r) for r in team],
            relationships=[relationship_from(r) for r in rels],
        )

    # --- API keys --------------------------------------------------------------------------------

    def create_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        key_id = new_id()
        try:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO api_keys (id, tenant, role, name, secret_hash, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (key_id, tenant, role.value, name, secret_hash, to_storable(utcnow())),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict("an API key with this secret already exists") from exc
        found = self.find_api_key(secret_hash)
        assert found is not None
        return found

    def ensure_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO api_keys (id, tenant, role, name, secret_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (secret_hash) DO NOTHING",
                (new_id(), tenant, role.value, name, secret_hash, to_storable(utcnow())),
            )
        found = self.find_api_key(secret_hash)
        assert found is not None
        return found

    def find_api_key(self, secret_hash: str) -> ApiKeyPublic | None:
        row = (
            self._connection()
            .execute("SELECT * FROM api_keys WHERE secret_hash = ?", (secret_hash,))
            .fetchone()
        )
        return None if row is None else api_key_from(row)

    def touch_api_key(self, key_id: str) -> None:
        """Best effort: skipped while another write holds the lock (the stamp is advisory,
        kept to the minute), so authenticating a read never waits for a writer."""
        try:
            with self._write(wait=False) as conn:
                conn.execute(
                    "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                    (to_storable(utcnow()), key_id),
                )
        except StoreBusy:
            self._writers.skipped()

    def list_api_keys(self, tenant: str) -> list[ApiKeyPublic]:
        rows = self._connection().execute(
            "SELECT * FROM api_keys WHERE tenant = ? ORDER BY created_at, id", (tenant,)
        )
        return [api_key_from(r) for r in rows]

    def revoke_api_key(self, tenant: str, key_id: str) -> ApiKeyPublic:
        with self._write() as conn:
            row = conn.execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) "
                "WHERE tenant = ? AND id = ? RETURNING *",
                (to_storable(utcnow()), tenant, key_id),
            ).fetchone()
            if row is None:
                raise NotFound("API key")
        return api_key_from(row)

    # --- audit log -----------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        row = entry.model_dump(mode="json")
        # the entry of a write already committed: it queues even when the queue is full
        with self._write(bounded=False) as conn:
            conn.execute(_INSERT_AUDIT, tuple(row[c] for c in _AUDIT_COLUMNS))

    def list_audit(self, tenant: str, *, limit: int, after: str | None = None) -> list[AuditEntry]:
        rows = self._connection().execute(
            "SELECT * FROM audit_log WHERE tenant = ? AND id > ? ORDER BY id LIMIT ?",
            (tenant, after or "", limit),
        )
        return [AuditEntry.model_validate(dict(r)) for r in rows]

    # --- idempotency keys (graph.idempotency) --------------------------------------------------

    @staticmethod
    def _idempotency_row(conn: sqlite3.Connection, tenant: str, key: str) -> dict[str, Any] | None:
        row = conn.execute(
            "SELECT * FROM idempotency_keys WHERE tenant = ? AND key = ?", (tenant, key)
        ).fetchone()
        return None if row is None else dict(row)

    @staticmethod
    def _save_idempotency(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
        conn.execute(_SAVE_IDEMPOTENCY, tuple(row[c] for c in _IDEMPOTENCY_COLUMNS))

    def _admit(self, conn: sqlite3.Connection, tenant: str, write: IdempotentWrite | None) -> None:
        """At the start of a write transaction (which holds the write lock already)."""
        if write is not None:
            admit(self._idempotency_row(conn, tenant, write.key), write, time.time())

    def _record_done(
        self, conn: sqlite3.Connection, tenant: str, write: IdempotentWrite | None, result: Any
    ) -> None:
        """At the end of the write transaction: the response to replay, committed with it."""
        if write is not None:
            response = write.respond(result)
            self._save_idempotency(
                conn,
                done_record(
                    tenant, write.key, write.fingerprint, response, time.time(), write.ttl_seconds
                ),
            )

    def claim_idempotency_key(
        self,
        tenant: str,
        key: str,
        fingerprint: str,
        *,
        lease_seconds: float,
        ttl_seconds: float,
    ) -> IdempotencyClaim:
        with self._write() as conn:
            now = time.time()
            answer = judge_claim(self._idempotency_row(conn, tenant, key), fingerprint, now)
            if answer is not None:
                return answer
            token = new_token()
            self._save_idempotency(
                conn,
                pending_record(tenant, key, fingerprint, token, now, lease_seconds, ttl_seconds),
            )
        return IdempotencyClaim(ClaimOutcome.CLAIMED, token=token)

    def complete_idempotency_key(
        self, tenant: str, key: str, token: str, response: StoredResponse, *, ttl_seconds: float
    ) -> None:
        with self._write() as conn:
            row = self._idempotency_row(conn, tenant, key)
            if row is None or row["state"] != "pending" or row["token"] != token:
                return  # taken over after our lease ended: the new holder answers
            self._save_idempotency(
                conn,
                done_record(tenant, key, row["fingerprint"], response, time.time(), ttl_seconds),
            )

    def release_idempotency_key(self, tenant: str, key: str, token: str) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM idempotency_keys WHERE tenant = ? AND key = ? "
                "AND state = 'pending' AND token = ?",
                (tenant, key, token),
            )

    def purge_idempotency_keys(self, *, limit: int = 10_000) -> int:
        with self._write() as conn:
            deleted = conn.execute(
                "DELETE FROM idempotency_keys WHERE (tenant, key) IN (SELECT tenant, key "
                "FROM idempotency_keys WHERE expires_at <= ? LIMIT ?)",
                (time.time(), limit),
            ).rowcount
        return int(deleted)


def _translating(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` refusing a damaged file and raising domain errors for sqlite3 ones."""

    @wraps(method)
    def guarded(self: SqliteStore, *args: Any, **kwargs: Any) -> Any:
        self._integrity.require_usable()
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            domain = self._domain_error(exc)
            if domain is None:
                raise
            raise domain from exc

    return guarded


#: Calls that handle the file's health themselves.
_UNGUARDED = {"ping", "close", "integrity_check", "writer_queue"}

# Every other public call of the store.
for _name, _method in list(vars(SqliteStore).items()):
    if inspect.isfunction(_method) and not _name.startswith("_") and _name not in _UNGUARDED:
        setattr(SqliteStore, _name, _translating(_method))
