"""A pseudo-language whose every message is the English one in guillemets: an answer in it
shows which strings went through the message layer (all of them should)."""

from __future__ import annotations

import gettext
import io

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from graph import messages

PSEUDO = "xx"


def pseudo(text: str) -> str:
    return f"«{text}»"


def pseudo_translations() -> gettext.GNUTranslations:
    with messages.catalog_path(messages.DEFAULT_LANGUAGE).open("rb") as source:
        catalog = read_po(source, locale="en", domain=messages.DOMAIN)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(pseudo(form) for form in message.id)
        else:
            message.string = pseudo(message.id)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@pytest.fixture
def pseudo_language(monkeypatch: pytest.MonkeyPatch) -> str:
    """The pseudo-language, supported for the duration of the test."""
    monkeypatch.setattr(messages, "SUPPORTED_LANGUAGES", (*messages.SUPPORTED_LANGUAGES, PSEUDO))
    monkeypatch.setitem(messages._LOADED, PSEUDO, pseudo_translations())
    return PSEUDO
