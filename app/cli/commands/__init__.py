"""The ``stakemap`` Typer application: every command, registered here in the order
``stakemap --help`` lists them (commands first, then the ``keys`` and ``export`` groups).

A command is a plain function in one of this package's modules; add a new one with one
``cli.command()`` line below.
"""

from __future__ import annotations

import sys

import typer

from app.cli.commands import export, imports, keys, log, migrate, reach, serve

__all__ = ["cli", "export_cli", "keys_cli", "main"]

cli = typer.Typer(
    help="Stakemap: stakeholder power maps for key-account teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
keys_cli = typer.Typer(help="Manage API keys (on the configured store).", no_args_is_help=True)
export_cli = typer.Typer(
    help="Export an organisation's analytics to a file or standard output.", no_args_is_help=True
)
cli.add_typer(keys_cli, name="keys")
cli.add_typer(export_cli, name="export")
cli.command("migrate")(migrate.migrate)

cli.command()(serve.serve)
cli.command()(serve.demo)
cli.command("import")(imports.import_)
export_cli.command("influence")(export.export_influence)
export_cli.command("graphml")(export.export_graphml)
export_cli.command("power-map")(export.export_power_map)
cli.command("next")(reach.next_)
cli.command("paths")(reach.paths)
cli.command("log")(log.log)
keys_cli.command("create")(keys.keys_create)
keys_cli.command("list")(keys.keys_list)
keys_cli.command("revoke")(keys.keys_revoke)


def main() -> None:
    """The ``stakemap`` console script: the commands; Ctrl-C exits 130."""
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
