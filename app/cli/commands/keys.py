"""``stakemap keys create|list|revoke``, and the admin key ``stakemap demo`` prints."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.render import err, out
from app.cli.shared import open_store
from app.constants import BOOTSTRAP_TENANT
from app.security import hash_key, new_key
from app.settings import Settings
from graph.errors import StakemapError
from graph.store import GraphStore
from schemas.common import KeyRole

__all__ = ["QUICKSTART_KEY_NAME", "keys_create", "keys_list", "keys_revoke", "print_quickstart_key"]

QUICKSTART_KEY_NAME = "quickstart"


def _pepper() -> str:
    return Settings().key_pepper.get_secret_value()


def print_quickstart_key(store: GraphStore, tenant: str) -> None:
    """Make sure an admin key exists and print how to use it: the bootstrap key if one is
    configured, else a fresh quickstart key (revoking the previous one)."""
    bootstrap = Settings().bootstrap_admin_key
    if bootstrap is not None:
        store.ensure_api_key(
            BOOTSTRAP_TENANT,
            KeyRole.ADMIN,
            "bootstrap",
            hash_key(bootstrap.get_secret_value(), _pepper()),
        )
        out.print("Admin API key: the value of STAKEMAP_BOOTSTRAP_ADMIN_KEY")
        return
    # A fresh key each run; the previous quickstart key stops working.
    for key in store.list_api_keys(tenant):
        if key.name == QUICKSTART_KEY_NAME and key.revoked_at is None:
            store.revoke_api_key(tenant, key.id)
    made = new_key(_pepper())
    secret = made.secret
    store.create_api_key(tenant, KeyRole.ADMIN, QUICKSTART_KEY_NAME, made.secret_hash)
    out.print(f"Admin API key (shown once): [bold]{secret}[/]")
    out.print(f"  curl -H 'Authorization: Bearer {secret}' http://127.0.0.1:8000/v1/organisations")


def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant the key belongs to")],
    role: Annotated[KeyRole, typer.Option(help="viewer, editor or admin")] = KeyRole.VIEWER,
    name: Annotated[str | None, typer.Option(help="What the key is for")] = None,
) -> None:
    """Create an API key and print it (it is shown only once)."""
    store = open_store()
    try:
        made = new_key(_pepper())
        key = store.create_api_key(tenant, role, name, made.secret_hash)
        out.print(f"{key.id}\t{key.role.value}\t{made.secret}")
    finally:
        store.close()


def keys_list(tenant: Annotated[str, typer.Option(help="Tenant")]) -> None:
    """List a tenant's keys (never their secrets)."""
    store = open_store()
    try:
        for key in store.list_api_keys(tenant):
            state = "revoked" if key.revoked_at else "active"
            used = key.last_used_at.isoformat() if key.last_used_at else "never"
            out.print(f"{key.id}\t{key.role.value}\t{state}\t{key.name or ''}\tlast used {used}")
    finally:
        store.close()


def keys_revoke(
    key_id: str, tenant: Annotated[str, typer.Option(help="Tenant the key belongs to")]
) -> None:
    """Revoke a key; it stops working at once."""
    store = open_store()
    try:
        store.revoke_api_key(tenant, key_id)
        out.print(f"revoked {key_id}")
    except StakemapError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from exc
    finally:
        store.close()
