"""Fill the English catalog after ``pybabel update`` (``make messages``).

English is the source language: each message translates to itself, so the English catalog
is complete (``tests/messages/test_catalog.py`` checks that no entry is missing, empty or
fuzzy). Other languages' catalogs are left for translators.

Usage: ``python tools/messages.py graph/locale/en/LC_MESSAGES/stakemap.po``
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill_source(po_file: Path) -> int:
    """Set every empty or fuzzy translation of ``po_file`` to its msgid; returns how many."""
    with po_file.open("rb") as source:
        catalog = read_po(source)
    filled = 0
    for message in catalog:
        if not message.id:
            continue  # the header
        expected = message.id
        if message.string != expected or message.fuzzy:
            message.string = expected
            message.flags.discard("fuzzy")
            filled += 1
    written = io.BytesIO()
    write_po(written, catalog, width=100, no_location=True, sort_output=True)
    po_file.write_bytes(_VOLATILE.sub(b"", written.getvalue()))
    return filled


_VOLATILE = re.compile(
    rb'^"(?:POT-Creation-Date|PO-Revision-Date|Report-Msgid-Bugs-To|Last-Translator|'
    rb'Language-Team|Generated-By): [^"]*"\n',
    re.MULTILINE,
)
"""Header lines that change on every run or carry template placeholders (git has the dates)."""


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {fill_source(Path(name))} messages filled")
