"""The one CSV writer: spreadsheet-safe text cells and the encoding of rows.

Every CSV the service answers (``…/influence.csv``, ``/v1/exports/influence.csv``, the
CLI's ``--format csv``) is written by these two functions: RFC 4180 quoting, ``\\r\\n``
line ends, UTF-8 without a byte-order mark; text that a spreadsheet would run as a
formula gets a leading ``'`` (OWASP, *CSV injection*).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_PREFIXES", "encode_rows", "safe_cell"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def safe_cell(text: str | None) -> str:
    """A text cell that a spreadsheet will not run as a formula (``None`` is empty).

    >>> safe_cell("=HYPERLINK(1)"), safe_cell("-1"), safe_cell("Acme"), safe_cell(None)
    ("'=HYPERLINK(1)", "'-1", 'Acme', '')
    """
    if not text:
        return ""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def encode_rows(rows: Iterable[Sequence[str]]) -> bytes:
    """``rows`` as CSV bytes (quoted where needed, ``\\r\\n`` after every row, UTF-8).

    >>> encode_rows([["id", "name"], ["1", "Doe, Jane"]])
    b'id,name\\r\\n1,"Doe, Jane"\\r\\n'
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")
