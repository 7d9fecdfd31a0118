"""``stakemap serve`` and ``stakemap demo``: run the API, load the demo account."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.cli.commands.keys import print_quickstart_key
from app.cli.render import out
from app.cli.shared import open_store
from app.constants import BOOTSTRAP_TENANT
from app.demo import DEMO_ORGANISATION, demo_import
from app.settings import Settings
from graph.port import MAX_PAGE_SIZE
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate

__all__ = ["StoreKind", "demo", "serve"]


class StoreKind(StrEnum):
    SQLITE = "sqlite"
    NEO4J = "neo4j"


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    store: Annotated[
        StoreKind | None, typer.Option(help="Store to serve (default: STAKEMAP_STORE)")
    ] = None,
    sqlite_path: Annotated[
        Path | None, typer.Option(help="SQLite file (default: STAKEMAP_SQLITE_PATH)")
    ] = None,
    neo4j_uri: Annotated[
        str | None, typer.Option(help="Neo4j URI (default: STAKEMAP_NEO4J_URI)")
    ] = None,
) -> None:
    """Serve the HTTP API (the store comes from STAKEMAP_* settings or these options)."""
    import uvicorn

    from app.server import uvicorn_options

    for name, value in (
        ("STAKEMAP_STORE", store.value if store else None),
        ("STAKEMAP_SQLITE_PATH", str(sqlite_path) if sqlite_path else None),
        ("STAKEMAP_NEO4J_URI", neo4j_uri),
    ):
        if value is not None:
            os.environ[name] = value  # read by every worker's lifespan
    if workers > 1:
        os.environ.setdefault("STAKEMAP_CACHE_REVALIDATE", "true")
    options = uvicorn_options(Settings())
    uvicorn.run("app.main:app", host=host, port=port, workers=workers, log_level="info", **options)


def _find_demo(store: GraphStore, tenant: str) -> str | None:
    after: str | None = None
    while True:
        page = store.list_organisations(tenant, limit=MAX_PAGE_SIZE, after=after)
        for org in page:
            if org.external_id == DEMO_ORGANISATION["external_id"]:
                return org.id
        if len(page) < MAX_PAGE_SIZE:
            return None
        after = page[-1].id


def demo(
    tenant: Annotated[str, typer.Option(help="Tenant to load it into")] = BOOTSTRAP_TENANT,
    print_key: Annotated[
        bool, typer.Option(help="Make sure an admin key exists and print how to use it")
    ] = True,
) -> None:
    """Load the demo account (once) and print an admin API key for it."""
    store = open_store()
    try:
        org_id = _find_demo(store, tenant)
        if org_id is None:
            org = store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
            result = store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import()))
            org_id = org.id
            out.print(
                f"Loaded the demo account {DEMO_ORGANISATION['name']!r}: "
                f"{result.created.people} people, {result.created.team} team members, "
                f"{result.created.relationships} ties, {result.created.opportunities} deals "
                f"with {result.created.committee} committee seats."
            )
        else:
            out.print(f"The demo account is already loaded ({org_id}).")
        if print_key:
            print_quickstart_key(store, tenant)
        out.print(f"Demo organisation id: {org_id}")
    finally:
        store.close()
