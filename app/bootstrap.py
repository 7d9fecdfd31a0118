"""The composition root: the one place that decides which store is wired in."""

from __future__ import annotations

from app.settings import Settings
from graph.port import GraphStore


def build_store(settings: Settings) -> GraphStore:
    """Open the configured store (schema, constraints and indexes included)."""
    if settings.store == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            timeout=settings.neo4j_timeout_seconds,
            connect_timeout=settings.neo4j_connect_timeout_seconds,
            retry_time=settings.neo4j_retry_seconds,
            migrate=settings.migrates_on_start,
        )
    from graph.sqlite_store import SqliteStore

    return SqliteStore(
        settings.sqlite_path,
        lock_timeout=settings.sqlite_lock_timeout_seconds,
        write_queue=settings.sqlite_write_queue,
        quick_check_max_bytes=settings.sqlite_quick_check_max_bytes,
        migrate=settings.migrates_on_start,
    )
