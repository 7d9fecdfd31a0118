"""Read a job title: inferred seniority, job function and suggested buying roles.

A CRM export often carries names and titles only. This module reads the title with the
documented table ``graph/data/titles.toml`` (patterns per language: English, Chinese, German,
French, Spanish, plus the commonest Italian, Dutch and Portuguese words) and answers what the
title says: a :class:`~schemas.common.Seniority`, a :class:`~schemas.common.JobFunction`,
whether the person heads the whole organisation, and the buying roles such a person is a
candidate for. Nothing here is stored: the API and the analytics derive it when they read
a person, and a seniority that was given always wins over the title.

How the table is read (normalise, match whole words, let a longer match hide a shorter one,
pick by level and function priority) is stated in the table's header and in docs/ANALYTICS.md,
"Titles: inferred seniority and function"; tests/data/titles/corpus.csv measures it.

Examples
--------
>>> read_title("Chief Financial Officer")
TitleReading(seniority='executive', function='finance', heads_organisation=False)
>>> read_title("Assistant to the CEO")
TitleReading(seniority='junior', function='executive', heads_organisation=False)
>>> read_title("财务总监")
TitleReading(seniority='director', function='finance', heads_organisation=False)
>>> read_title("总经理助理").seniority, read_title("总裁").heads_organisation
(<Seniority.JUNIOR: 'junior'>, True)
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from schemas.common import BuyingRole, JobFunction, Seniority

__all__ = [
    "FUNCTION_PRIORITY",
    "SENIORITY_PRIORITY",
    "PersonTitle",
    "TitleReading",
    "TitleTable",
    "describe_person",
    "load_table",
    "normalise",
    "read_title",
    "suggested_roles",
]

SENIORITY_PRIORITY: tuple[Seniority, ...] = (
    Seniority.JUNIOR,
    Seniority.EXECUTIVE,
    Seniority.VP,
    Seniority.DIRECTOR,
    Seniority.MANAGER,
    Seniority.INDIVIDUAL,
)
"""When a title names several levels, the first of these wins: an assistant to the CEO is
junior, "EVP & CFO" is executive."""

FUNCTION_PRIORITY: tuple[JobFunction, ...] = (
    JobFunction.PROCUREMENT,
    JobFunction.LEGAL,
    JobFunction.HR,
    JobFunction.FINANCE,
    JobFunction.MARKETING,
    JobFunction.SALES,
    JobFunction.TECHNOLOGY,
    JobFunction.OPERATIONS,
    JobFunction.EXECUTIVE,
    JobFunction.OTHER,
)
"""When a title names several functions, the more specific business wins: "IT Procurement
Manager" is procurement, "Sales Operations Manager" is sales, "CFO" is finance."""

_NONE = "none"
_TABLE = "titles.toml"
_LATIN_WORD = ("(?<![a-z0-9])(?:", ")(?![a-z0-9])")
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?$")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class _Rule:
    index: int
    seniority: str | None
    function: str | None
    head: bool
    patterns: tuple[re.Pattern[str], ...]
    #: all patterns in one alternation: a rule whose screen finds nothing is skipped
    screen: re.Pattern[str]


@dataclass(frozen=True)
class TitleTable:
    """The parsed table: rules in file order, the traditional-Chinese map, suggestions."""

    rules: tuple[_Rule, ...]
    traditional: dict[int, str]
    suggestions: tuple[tuple[JobFunction, frozenset[Seniority], tuple[BuyingRole, ...]], ...]


@dataclass(frozen=True)
class TitleReading:
    """What a title alone says (``None``: the title names no level)."""

    seniority: Seniority | None
    function: JobFunction | None
    heads_organisation: bool = False

    def __repr__(self) -> str:
        level = None if self.seniority is None else self.seniority.value
        function = None if self.function is None else self.function.value
        return (
            f"TitleReading(seniority={level!r}, function={function!r}, "
            f"heads_organisation={self.heads_organisation})"
        )


@dataclass(frozen=True)
class PersonTitle:
    """A person's seniority and function as the API and the analytics read them."""

    seniority: Seniority | None
    seniority_inferred: bool
    function: JobFunction | None
    function_inferred: bool
    heads_organisation: bool
    suggested_roles: tuple[BuyingRole, ...] = field(default=())


def _fold(text: str, traditional: dict[int, str]) -> str:
    text = unicodedata.normalize("NFKC", text).translate(traditional).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def _compile(pattern: str, lang: str, traditional: dict[int, str]) -> re.Pattern[str]:
    if pattern != pattern.lower():
        raise ValueError(f"title pattern {pattern!r} must be lower case")
    folded = _fold(pattern, traditional)
    if lang != "zh":
        folded = folded.join(_LATIN_WORD)
    return re.compile(folded)


def parse_table(data: dict[str, Any]) -> TitleTable:
    """Check and compile a table read from TOML (see ``graph/data/titles.toml``).

    Raises ``ValueError`` on an unknown level, function, role or a malformed pattern.

    >>> t = parse_table({"rule": [{"lang": "en", "seniority": "vp", "patterns": ["vp"]}]})
    >>> len(t.rules), t.rules[0].seniority
    (1, 'vp')
    """
    pairs = data.get("zh_traditional", {}).get("map", "")
    if len(pairs) % 2:
        raise ValueError("zh_traditional.map must hold pairs of characters")
    traditional = {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)}
    levels = {s.value for s in Seniority} | {_NONE}
    functions = {f.value for f in JobFunction} | {_NONE}
    rules: list[_Rule] = []
    for index, raw in enumerate(data.get("rule", [])):
        seniority, function = raw.get("seniority"), raw.get("function")
        if seniority is not None and seniority not in levels:
            raise ValueError(f"rule {index}: unknown seniority {seniority!r}")
        if function is not None and function not in functions:
            raise ValueError(f"rule {index}: unknown function {function!r}")
        if seniority is None and function is None:
            raise ValueError(f"rule {index}: sets neither seniority nor function")
        lang = str(raw.get("lang", "any"))
        compiled = tuple(_compile(p, lang, traditional) for p in raw["patterns"])
        screen = re.compile("|".join(f"(?:{p.pattern})" for p in compiled))
        rules.append(_Rule(index, seniority, function, bool(raw.get("head")), compiled, screen))
    suggestions = tuple(
        (
            JobFunction(entry["function"]),
            frozenset(Seniority(s) for s in entry["seniority"]),
            tuple(BuyingRole(r) for r in entry["roles"]),
        )
        for entry in data.get("suggest", [])
    )
    return TitleTable(tuple(rules), traditional, suggestions)


@cache
def load_table() -> TitleTable:
    """The committed table, read and compiled once (on first use, never at import)."""
    text = resources.files("graph").joinpath("data", _TABLE).read_text(encoding="utf-8")
    return parse_table(tomllib.loads(text))


def normalise(title: str, table: TitleTable | None = None) -> str:
    """The title as the patterns see it.

    >>> normalise("  Sr. V.P., Sales & Marketing ")
    'sr vp sales and marketing'
    >>> normalise("Geschäftsführerin (m/w/d)")
    'geschaftsfuhrerin m w d'
    >>> normalise("總經理")
    '总经理'
    """
    traditional = (table or load_table()).traditional
    words = []
    for word in title.split():
        word = word.strip(",;:")
        words.append(word.replace(".", "") if _DOTTED.match(word) else word)
    text = _fold(" ".join(words), traditional).replace("&", " and ").replace("+", " and ")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


@dataclass(frozen=True)
class _Match:
    rule: _Rule
    start: int
    end: int


def _matches(text: str, table: TitleTable) -> list[_Match]:
    return [
        _Match(rule, m.start(), m.end())
        for rule in table.rules
        if rule.screen.search(text)
        for pattern in rule.patterns
        for m in pattern.finditer(text)
        if m.end() > m.start()
    ]


def _hidden(match: _Match, other: _Match) -> bool:
    """Whether ``other`` hides ``match``: it covers it, and is longer or written earlier."""
    if other is match or not (other.start <= match.start and match.end <= other.end):
        return False
    longer = (other.end - other.start) > (match.end - match.start)
    return longer or other.rule.index < match.rule.index


def _survivors(matches: Sequence[_Match], dimension: str) -> list[_Match]:
    mine = [m for m in matches if getattr(m.rule, dimension) is not None]
    return [m for m in mine if not any(_hidden(m, other) for other in mine)]


def _pick(survivors: Sequence[_Match], dimension: str, order: Sequence[str]) -> list[_Match]:
    named = [m for m in survivors if getattr(m.rule, dimension) != _NONE]
    for value in order:
        best = [m for m in named if getattr(m.rule, dimension) == value]
        if best:
            return best
    return []


_DIGITS = re.compile(r"\d+")


def read_title(title: str | None) -> TitleReading:
    """Seniority, function and head-of-organisation flag that a job title states.

    ``None`` or a blank title says nothing (both ``None``). A title that names no level is
    an individual contributor's (most occupations are: "Accountant", "Augenoptiker"), unless
    it names only a unit ("Office of the CEO"); a title naming no function has ``other``.

    Examples
    --------
    >>> read_title("Vice President, Sales").seniority.value
    'vp'
    >>> read_title("President").seniority.value
    'executive'
    >>> read_title("Head of Procurement")
    TitleReading(seniority='director', function='procurement', heads_organisation=False)
    >>> read_title("Leiterin Einkauf").seniority.value, read_title("GF").heads_organisation
    ('director', True)
    >>> read_title("Stagiaire marketing")
    TitleReading(seniority='junior', function='marketing', heads_organisation=False)
    >>> read_title("Office of the CEO")
    TitleReading(seniority=None, function='executive', heads_organisation=False)
    >>> read_title("Wizard")
    TitleReading(seniority='individual', function='other', heads_organisation=False)
    >>> read_title("总裁专职司机").seniority.value, read_title("副总裁兼财务总监").seniority.value
    ('individual', 'vp')
    """
    if title is None or not title.strip():
        return TitleReading(None, None)
    # numbers never name a level or a function: "Manager 17" reads as "Manager" (and is cached
    # as one title)
    return _read(_SPACES.sub(" ", _DIGITS.sub(" ", normalise(title))).strip())


@lru_cache(maxsize=16384)
def _read(text: str) -> TitleReading:
    if not text:
        return TitleReading(None, JobFunction.OTHER)
    table = load_table()
    matches = _matches(text, table)
    levels = _levels(text, matches)
    functions = _pick(
        _survivors(matches, "function"), "function", [f.value for f in FUNCTION_PRIORITY]
    )
    function = JobFunction(str(functions[0].rule.function)) if functions else None
    seniority = Seniority(str(levels[0].rule.seniority)) if levels else None
    if seniority is None and not any(m.rule.seniority == _NONE for m in matches):
        seniority = Seniority.INDIVIDUAL
    head = seniority is Seniority.EXECUTIVE and any(m.rule.head for m in levels)
    return TitleReading(seniority, function or JobFunction.OTHER, head)


_CJK = re.compile(r"[\u3400-\u9fff]")
_ZH_PARTS = re.compile(r"[ 兼及和与]")
_ORDER = [s.value for s in SENIORITY_PRIORITY]


def _levels(text: str, matches: Sequence[_Match]) -> list[_Match]:
    """The level matches that decide the seniority.

    Latin-script titles: by ``SENIORITY_PRIORITY``. Chinese titles are head-final (总经理助理
    is an assistant, 总裁专职司机 a driver): within each part (parts split by 兼, 及, 和, 与
    or a space) the level named last wins; across parts, the priority.
    """
    survivors = _survivors(matches, "seniority")
    if not _CJK.search(text):
        return _pick(survivors, "seniority", _ORDER)
    heads: list[_Match] = []
    start = 0
    for part in [*_ZH_PARTS.finditer(text), None]:
        end = len(text) if part is None else part.start()
        named = [
            m for m in survivors if start <= m.start and m.end <= end and m.rule.seniority != _NONE
        ]
        if named:
            last = max(m.end for m in named)
            heads.extend(m for m in named if m.end == last)
        start = end if part is None else part.end()
    return _pick(heads, "seniority", _ORDER)


def suggested_roles(
    seniority: Seniority | None,
    function: JobFunction | None,
    held: Iterable[BuyingRole] = (),
) -> tuple[BuyingRole, ...]:
    """Buying roles a person of this level and function is a candidate for.

    Suggestions only: they are shown, never counted (coverage, role gaps and decision-makers
    read the roles a user recorded). A role already held is not suggested again.

    >>> suggested_roles(Seniority.EXECUTIVE, JobFunction.FINANCE)
    (<BuyingRole.ECONOMIC_BUYER: 'economic_buyer'>,)
    >>> suggested_roles(Seniority.EXECUTIVE, JobFunction.FINANCE, [BuyingRole.ECONOMIC_BUYER])
    ()
    >>> [r.value for r in suggested_roles(Seniority.DIRECTOR, JobFunction.PROCUREMENT)]
    ['gatekeeper', 'evaluator']
    """
    if seniority is None or function is None:
        return ()
    held_roles = set(held)
    found: set[BuyingRole] = set()
    for wanted_function, levels, roles in load_table().suggestions:
        if wanted_function is function and seniority in levels:
            found.update(roles)
    return tuple(role for role in BuyingRole if role in found and role not in held_roles)


def describe_person(
    title: str | None, seniority: Seniority | None, roles: Iterable[BuyingRole] = ()
) -> PersonTitle:
    """A person's effective seniority (the given one, else the title's) and function.

    >>> d = describe_person("Chief Financial Officer", None)
    >>> d.seniority.value, d.seniority_inferred, d.function.value, d.function_inferred
    ('executive', True, 'finance', True)
    >>> [role.value for role in d.suggested_roles]
    ['economic_buyer']
    >>> describe_person("Intern", Seniority.MANAGER).seniority.value
    'manager'
    >>> d = describe_person(None, None)
    >>> d.seniority, d.seniority_inferred, d.function, d.suggested_roles
    (None, False, None, ())
    """
    return _describe(title, seniority, tuple(roles))


@lru_cache(maxsize=8192)
def _describe(
    title: str | None, seniority: Seniority | None, roles: tuple[BuyingRole, ...]
) -> PersonTitle:
    reading = read_title(title)
    inferred = seniority is None and reading.seniority is not None
    effective = reading.seniority if seniority is None else seniority
    return PersonTitle(
        seniority=effective,
        seniority_inferred=inferred,
        function=reading.function,
        function_inferred=reading.function is not None,
        heads_organisation=reading.heads_organisation and effective is Seniority.EXECUTIVE,
        suggested_roles=suggested_roles(effective, reading.function, roles),
    )
