"""Constants the server and the ``stakemap`` command share, importable without building the
application (``app.main``)."""

from __future__ import annotations

#: The tenant ``STAKEMAP_BOOTSTRAP_ADMIN_KEY`` belongs to, and the command line's default one.
BOOTSTRAP_TENANT = "default"
