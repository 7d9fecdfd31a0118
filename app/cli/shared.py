"""What several commands share: the options that say where the data is, the organisation
argument, and opening the store or the backend those options name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from app.bootstrap import build_store
from app.cli.backend import Backend, CliFailure, RemoteBackend, open_local
from app.cli.render import err, fail
from app.constants import BOOTSTRAP_TENANT
from app.settings import Settings
from graph.errors import StakemapError
from graph.store import GraphStore

__all__ = [
    "KeyOption",
    "MemberOption",
    "OrgArgument",
    "OutputOption",
    "TenantOption",
    "UrlOption",
    "open_backend",
    "open_store",
]

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        envvar="STAKEMAP_URL",
        help="Work through the API of the server at this URL instead of the configured store",
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option("--key", envvar="STAKEMAP_API_KEY", help="API key for --url (its tenant)"),
]
TenantOption = Annotated[
    str | None,
    typer.Option("--tenant", help=f"Tenant on the configured store [default: {BOOTSTRAP_TENANT}]"),
]
OrgArgument = Annotated[str, typer.Argument(help="Organisation id or name")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", dir_okay=False, help="File to write [default: stdout]"),
]
MemberOption = Annotated[
    str | None,
    typer.Option("--member", help="Only this team member's reach (id, email or name)"),
]


def open_store() -> GraphStore:
    """The configured store (``STAKEMAP_*``), or one error line and exit 1."""
    try:
        return build_store(Settings())
    except StakemapError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from exc


@contextmanager
def open_backend(url: str | None, key: str | None, tenant: str | None) -> Iterator[Backend]:
    """The backend the options ask for; failures inside become one line and exit 1."""
    if url is not None:
        if key is None:
            raise typer.BadParameter("--url needs --key (or STAKEMAP_API_KEY)", param_hint="--key")
        if tenant is not None:
            raise typer.BadParameter(
                "with --url the API key decides the tenant; leave out --tenant",
                param_hint="--tenant",
            )
        backend: Backend = RemoteBackend(url, key)
    else:
        try:
            backend = open_local(tenant or BOOTSTRAP_TENANT)
        except CliFailure as exc:
            raise fail(str(exc)) from exc
    try:
        yield backend
    except CliFailure as exc:
        raise fail(str(exc)) from exc
    except StakemapError as exc:
        raise fail(exc.detail) from exc
    finally:
        backend.close()
