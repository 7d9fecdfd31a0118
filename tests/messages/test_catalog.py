"""The catalogs hold exactly the messages the code uses, complete, with their placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from graph import messages
from graph.messages import _, language, negotiate, ngettext

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["app", "graph"]  # as `make messages` extracts them (babel.cfg)

MessageId = str | tuple[str, ...]


def extracted() -> set[MessageId]:
    found: set[MessageId] = set()
    for directory in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / directory, [("**.py", "python")], keywords=DEFAULT_KEYWORDS
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalog(lang: str) -> Catalog:
    with messages.catalog_path(lang).open("rb") as source:
        return read_po(source, locale=lang, domain=messages.DOMAIN)


def ids(found: Catalog) -> set[MessageId]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in found if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_message_of_the_code_is_in_every_catalog_and_no_other() -> None:
    in_code = extracted()
    assert len(in_code) > 50  # the extraction found the messages (it is not vacuous)
    for lang in messages.SUPPORTED_LANGUAGES:
        in_catalog = ids(catalog(lang))
        assert in_code - in_catalog == set(), f"run `make messages`: missing from {lang}"
        assert in_catalog - in_code == set(), f"run `make messages`: obsolete in {lang}"


@pytest.mark.parametrize("lang", messages.SUPPORTED_LANGUAGES)
def test_no_entry_is_fuzzy_empty_or_loses_a_placeholder(lang: str) -> None:
    found = catalog(lang)
    assert found.plural_forms == "nplurals=2; plural=(n != 1);"
    for message in found:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        forms = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert strings, message.id
        assert all(strings), f"untranslated: {message.id!r}"
        expected = set().union(*(placeholders(form) for form in forms))
        for translated in strings:
            assert placeholders(translated) == expected, message.id


def test_english_is_the_source_language() -> None:
    for message in catalog("en"):
        if message.id:
            assert message.string == message.id


def test_the_catalog_is_compiled_on_first_use_and_answers() -> None:
    messages._LOADED.pop("en", None)
    assert _("our team has no members") == "our team has no members"
    assert "en" in messages._LOADED
    counts = [ngettext("our contact {names}", "our contacts {names}", n) for n in (0, 1, 2)]
    assert counts == ["our contacts {names}", "our contact {names}", "our contacts {names}"]


def test_an_unsupported_language_falls_back_to_english() -> None:
    with language("de") as chosen:
        assert chosen == "en"
        assert messages.current_language() == "en"
        assert _("our team has no members") == "our team has no members"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("de-DE, fr;q=0.8, en;q=0.1", "en"),
        ("*", "en"),
        ("en;q=0", "en"),
        ("xx, en;q=0.5", "en"),
        ("garbage;;;q=nope,,", "en"),
    ],
)
def test_negotiation_answers_a_supported_language(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_negotiation_prefers_quality_then_order(pseudo_language: str) -> None:
    assert negotiate("en;q=0.5, xx") == pseudo_language
    assert negotiate("xx-YY;q=0.9, en;q=0.9") == pseudo_language
    assert negotiate("xx;q=0.4, en;q=0.5") == "en"
    assert negotiate("xx;q=0, en;q=0.1") == "en"
