"""The ``stakemap`` command: serve the API, load the demo account, import CRM exports, export
analytics, show who to reach next and the ways in, and manage API keys.

Commands work on the configured store (``STAKEMAP_*`` settings) unless ``--url`` and
``--key`` point them at a running server. Exit codes: 0 success, 1 failure, 2 bad usage;
errors are one line each, on standard error.

The package, one concern a module:

- :mod:`app.cli.commands` — the Typer application (:data:`cli`) and its thin commands, one
  module per group (``serve``/``demo``, ``import``, ``export``, ``next``/``paths``, ``keys``);
- :mod:`app.cli.shared` — the options that say where the data is, and opening it;
- :mod:`app.cli.importing` — what an import does (reading, targets, batches, tallies,
  refusals), returning data and showing nothing;
- :mod:`app.cli.render` — Rich tables, progress bars and the one-line errors;
- :mod:`app.cli.lookup` — the ids behind names typed on the command line (the rule is
  :mod:`graph.lookup`'s, shared with the import planner);
- :mod:`app.cli.backend` — where the data comes from: the configured store or a server.
"""

from __future__ import annotations

from app.cli.commands import cli, main

__all__ = ["cli", "main"]
