"""``stakemap export influence|graphml|power-map``: an organisation's analytics as a file."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.cli.backend import CliFailure
from app.cli.lookup import organisation_id
from app.cli.render import err
from app.cli.shared import (
    KeyOption,
    OrgArgument,
    OutputOption,
    TenantOption,
    UrlOption,
    open_backend,
)

__all__ = [
    "MapFormat",
    "TableFormatOption",
    "export_graphml",
    "export_influence",
    "export_power_map",
]


class TableFormatOption(StrEnum):
    CSV = "csv"
    JSON = "json"


class MapFormat(StrEnum):
    JSON = "json"
    SVG = "svg"


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise CliFailure(f"cannot write {output}: {exc.strerror}") from exc
    err.print(f"wrote {output} ({len(data):,} bytes)")


def export_influence(
    org: OrgArgument,
    output: OutputOption = None,
    fmt: Annotated[
        TableFormatOption, typer.Option("--format", help="csv or json")
    ] = TableFormatOption.CSV,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """Everyone's power, rank and its four components (formal, informal, brokerage,
    declared)."""
    with open_backend(url, key, tenant) as backend:
        org_id = organisation_id(backend, org)
        if fmt is TableFormatOption.CSV:
            data = backend.influence_csv(org_id).encode()
        else:
            data = backend.influence(org_id).model_dump_json(indent=2).encode() + b"\n"
        _write(data, output)


def export_graphml(
    org: OrgArgument,
    output: OutputOption = None,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """The organisation's graph as GraphML, for Gephi or yEd."""
    with open_backend(url, key, tenant) as backend:
        _write(backend.export(organisation_id(backend, org), "graphml"), output)


def export_power_map(
    org: OrgArgument,
    output: OutputOption = None,
    fmt: Annotated[
        MapFormat, typer.Option("--format", help="json (Cytoscape.js elements) or svg")
    ] = MapFormat.JSON,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """The power map with its layout: Cytoscape.js elements JSON, or a standalone SVG."""
    kind = "power-map" if fmt is MapFormat.JSON else "svg"
    with open_backend(url, key, tenant) as backend:
        _write(backend.export(organisation_id(backend, org), kind), output)
