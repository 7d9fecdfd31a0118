"""The message layer: every human-readable string the API returns goes through :func:`_`.

Messages are looked up in gettext catalogs (``graph/locale/<language>/LC_MESSAGES/
stakemap.po``, maintained with Babel: ``make messages``), in the language current in the
calling context (:func:`language`, :func:`current_language`). The API negotiates it per
request from ``Accept-Language`` (:func:`negotiate`); analytics answers are cached per
language. English is the only language for now, and the source language: the English
catalog translates every message to itself.

A message is a literal with named ``str.format`` placeholders, formatted after the look-up,
so a translation may reorder them::

    _("{member} knows {person}").format(member=member, person=person)
    ngettext("{count} person reports", "{count} people report", count).format(count=count)

A constant made at import time is marked with :func:`N_` and looked up where it is used
(``_(TITLE)``): at import time there is no request, so no language.

The catalog is read with Babel and compiled in memory at first use (once per language and
process): there is no build output to keep in step with the ``.po`` file.

>>> with language("en"):
...     _("the organisation has no people yet")
'the organisation has no people yet'
>>> ngettext("{count} person reports", "{count} people report", 2).format(count=2)
'2 people report'
"""

from __future__ import annotations

import gettext
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from pathlib import Path

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LOCALE_DIR",
    "N_",
    "SUPPORTED_LANGUAGES",
    "_",
    "catalog_path",
    "current_language",
    "language",
    "negotiate",
    "ngettext",
    "reset_language",
    "translations",
    "use_language",
]

DOMAIN = "stakemap"
"""The gettext domain: the catalogs' file name."""

LOCALE_DIR = Path(__file__).with_name("locale")
"""Where the catalogs live: ``<language>/LC_MESSAGES/stakemap.po``."""

DEFAULT_LANGUAGE = "en"
"""The source language, and the answer to any request for a language we do not have."""

SUPPORTED_LANGUAGES = ("en",)
"""The languages with a catalog (each one is tested for completeness)."""

_CURRENT: ContextVar[str] = ContextVar("stakemap_language", default=DEFAULT_LANGUAGE)
_LOADED: dict[str, gettext.GNUTranslations] = {}
_LOADING = threading.Lock()


def catalog_path(lang: str) -> Path:
    """The ``.po`` file of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(lang: str) -> gettext.GNUTranslations:
    """The compiled catalog of ``lang`` (a supported language), compiled at first use.

    A supported language without a readable catalog is an installation error and raises
    (``FileNotFoundError``), rather than answering in raw msgids.
    """
    found = _LOADED.get(lang)
    if found is not None:
        return found
    with _LOADING:
        found = _LOADED.get(lang)
        if found is None:
            found = _LOADED[lang] = _compile(catalog_path(lang))
        return found


def _compile(po_file: Path) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo  # Babel only when a catalog is first read
    from babel.messages.pofile import read_po

    with po_file.open("rb") as source:
        catalog = read_po(source, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out (the catalog test forbids them)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def current_language() -> str:
    """The language messages are looked up in, in this context."""
    return _CURRENT.get()


@contextmanager
def language(lang: str) -> Iterator[str]:
    """Look messages up in ``lang`` (else the default language) inside the ``with``."""
    chosen = lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)


def use_language(lang: str) -> Token[str]:
    """Set the language for the rest of this context (a request); returns the token that
    :func:`reset_language` takes."""
    return _CURRENT.set(lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE)


def reset_language(token: Token[str]) -> None:
    """Undo :func:`use_language`."""
    _CURRENT.reset(token)


def _(message: str) -> str:
    """``message`` in the current language (a literal: ``make messages`` extracts it)."""
    return translations(_CURRENT.get()).gettext(message)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it)
    """Mark ``message`` for the catalog without looking it up yet (a constant made at import
    time, looked up with :func:`_` where it is used)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form, for ``n``, in the current language."""
    return translations(_CURRENT.get()).ngettext(singular, plural, n)


def negotiate(accept_language: str | None) -> str:
    """The supported language an ``Accept-Language`` header prefers, else the default.

    Ranges are taken by quality (``q``), then in order; a range matches a language when it
    names it or a regional variant of it (``en-GB``); ``*`` and unknown ranges fall back to
    the default. A malformed header is the same as none.

    >>> negotiate("fr-CH, fr;q=0.9, en-GB;q=0.8")
    'en'
    >>> negotiate("de") == negotiate(None) == negotiate(";;q=x") == DEFAULT_LANGUAGE
    True
    """
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(accept_language.split(",")):
        tag, _sep, rest = part.strip().partition(";")
        quality = 1.0
        for param in rest.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip().lower()
        if tag and quality > 0:
            ranked.append((-quality, order, tag))
    for _quality, _order, tag in sorted(ranked):
        primary = tag.split("-", 1)[0]
        if primary in SUPPORTED_LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE
