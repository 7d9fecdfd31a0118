"""The ``stakemap`` command: serve the API, load the demo account, manage API keys."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from app.bootstrap import build_store
from app.demo import DEMO_ORGANISATION, demo_import
from app.main import BOOTSTRAP_TENANT
from app.security import generate_key, hash_key
from app.settings import Settings
from graph.errors import StakemapError
from graph.port import MAX_PAGE_SIZE, GraphStore
from schemas.common import KeyRole
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate

cli = typer.Typer(help="Stakemap: stakeholder power maps for key-account teams.")
keys_cli = typer.Typer(help="Manage API keys (on the configured store).")
cli.add_typer(keys_cli, name="keys")
out = Console()
err = Console(stderr=True)

QUICKSTART_KEY_NAME = "quickstart"


def _store() -> GraphStore:
    try:
        return build_store(Settings())
    except StakemapError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from exc


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the HTTP API (the store comes from STAKEMAP_* settings)."""
    import uvicorn

    uvicorn.run("app.main:app", host=host, port=port, workers=workers, log_level="info")


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


@cli.command()
def demo(
    tenant: Annotated[str, typer.Option(help="Tenant to load it into")] = BOOTSTRAP_TENANT,
    print_key: Annotated[
        bool, typer.Option(help="Make sure an admin key exists and print how to use it")
    ] = True,
) -> None:
    """Load the demo account (once) and print an admin API key for it."""
    store = _store()
    try:
        org_id = _find_demo(store, tenant)
        if org_id is None:
            org = store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
            result = store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import()))
            org_id = org.id
            out.print(
                f"Loaded the demo account {DEMO_ORGANISATION['name']!r}: "
                f"{result.created.people} people, {result.created.team} team members, "
                f"{result.created.relationships} ties."
            )
        else:
            out.print(f"The demo account is already loaded ({org_id}).")
        if print_key:
            _print_quickstart_key(store, tenant)
        out.print(f"Demo organisation id: {org_id}")
    finally:
        store.close()


def _print_quickstart_key(store: GraphStore, tenant: str) -> None:
    bootstrap = Settings().bootstrap_admin_key
    if bootstrap is not None:
        store.ensure_api_key(
            BOOTSTRAP_TENANT, KeyRole.ADMIN, "bootstrap", hash_key(bootstrap.get_secret_value())
        )
        out.print("Admin API key: the value of STAKEMAP_BOOTSTRAP_ADMIN_KEY")
        return
    # A fresh key each run; the previous quickstart key stops working.
    for key in store.list_api_keys(tenant):
        if key.name == QUICKSTART_KEY_NAME and key.revoked_at is None:
            store.revoke_api_key(tenant, key.id)
    secret = generate_key()
    store.create_api_key(tenant, KeyRole.ADMIN, QUICKSTART_KEY_NAME, hash_key(secret))
    out.print(f"Admin API key (shown once): [bold]{secret}[/]")
    out.print(f"  curl -H 'Authorization: Bearer {secret}' http://127.0.0.1:8000/v1/organisations")


@keys_cli.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant the key belongs to")],
    role: Annotated[KeyRole, typer.Option(help="viewer, editor or admin")] = KeyRole.VIEWER,
    name: Annotated[str | None, typer.Option(help="What the key is for")] = None,
) -> None:
    """Create an API key and print it (it is shown only once)."""
    store = _store()
    try:
        secret = generate_key()
        key = store.create_api_key(tenant, role, name, hash_key(secret))
        out.print(f"{key.id}\t{key.role.value}\t{secret}")
    finally:
        store.close()


@keys_cli.command("list")
def keys_list(tenant: Annotated[str, typer.Option(help="Tenant")]) -> None:
    """List a tenant's keys (never their secrets)."""
    store = _store()
    try:
        for key in store.list_api_keys(tenant):
            state = "revoked" if key.revoked_at else "active"
            used = key.last_used_at.isoformat() if key.last_used_at else "never"
            out.print(f"{key.id}\t{key.role.value}\t{state}\t{key.name or ''}\tlast used {used}")
    finally:
        store.close()


@keys_cli.command("revoke")
def keys_revoke(
    key_id: str, tenant: Annotated[str, typer.Option(help="Tenant the key belongs to")]
) -> None:
    """Revoke a key; it stops working at once."""
    store = _store()
    try:
        store.revoke_api_key(tenant, key_id)
        out.print(f"revoked {key_id}")
    except StakemapError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from exc
    finally:
        store.close()


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
