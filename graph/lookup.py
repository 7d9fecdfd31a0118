"""Finding stored people, team members or organisations by what a person typed: an id, an
external_id, an email or a name.

One rule serves the import planner (a ref that names a stored person, see
``graph.planning``) and the command line (``--target``, ``--member``, an organisation
argument): keys are tried in order, one *tier* at a time; emails and names compare ignoring
case (:meth:`str.casefold`); the first tier that finds anyone decides. One item found is the
answer, several are ambiguous (the caller says how to be more precise), and a later tier is
never consulted once an earlier one found someone.

>>> people = Directory([
...     {"id": "p1", "name": "Ada Byron", "email": "ada@example.com", "external_id": "A-1"},
...     {"id": "p2", "name": "Ada Byron", "email": None, "external_id": None},
... ])
>>> found = people.find("ADA@example.com", PERSON_REF)
>>> found.key, [row["id"] for row in found.items]
(<Key.EMAIL: 'email'>, ['p1'])
>>> found = people.find("ada byron", PERSON_REF)
>>> found.key, found.unique
(<Key.NAME: 'name'>, None)
>>> people.find("nobody", PERSON_REF) is None
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

__all__ = [
    "MEMBER",
    "ORGANISATION",
    "PERSON",
    "PERSON_REF",
    "TEAM_REF",
    "Directory",
    "Found",
    "Key",
    "Tier",
    "field_of",
]

T = TypeVar("T")


class Key(StrEnum):
    """What a stored item can be named by."""

    ID = "id"
    EXTERNAL_ID = "external_id"
    EMAIL = "email"
    NAME = "name"


#: keys compared ignoring case
_FOLDED = frozenset({Key.EMAIL, Key.NAME})

#: One step of a lookup: a key, or several keys whose finds count together (an item found by
#: two of them counts once).
Tier = Key | tuple[Key, ...]

#: A stored person named by an import ref (``graph.planning``): external_id, then email, then
#: name. A stored id is not a ref.
PERSON_REF: tuple[Tier, ...] = (Key.EXTERNAL_ID, Key.EMAIL, Key.NAME)
#: A stored team member named by an import ref, when no person is: email only.
TEAM_REF: tuple[Tier, ...] = (Key.EMAIL,)
#: A person named on the command line: id or external_id, then email, then name.
PERSON: tuple[Tier, ...] = ((Key.ID, Key.EXTERNAL_ID), Key.EMAIL, Key.NAME)
#: A team member named on the command line: id, then email, then name.
MEMBER: tuple[Tier, ...] = (Key.ID, Key.EMAIL, Key.NAME)
#: An organisation named on the command line (an id is asked of the store first): its name.
ORGANISATION: tuple[Tier, ...] = (Key.NAME,)


def field_of(item: Any, key: Key) -> str | None:
    """``item``'s value for ``key``: a stored row (a mapping) or a schema object.

    >>> field_of({"email": "a@example.com"}, Key.EMAIL), field_of({}, Key.EXTERNAL_ID)
    ('a@example.com', None)
    """
    value = item.get(key.value) if isinstance(item, Mapping) else getattr(item, key.value, None)
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    """What the first fruitful tier of a lookup found."""

    #: the key that found them (a tier of several keys: the first of its keys that did)
    key: Key
    #: in the order the directory was given them, each once
    items: tuple[T, ...]

    @property
    def unique(self) -> T | None:
        """The one item found, or None when several were (ambiguous)."""
        return self.items[0] if len(self.items) == 1 else None


class Directory(Generic[T]):
    """``items`` indexed by id, external_id, email and name (emails and names case-folded).

    An empty or missing value is not indexed: an item without an email is never found by
    email. ``field`` reads a key's value of an item (default :func:`field_of`).
    """

    def __init__(
        self, items: Iterable[T], field: Callable[[Any, Key], str | None] = field_of
    ) -> None:
        self._items: list[T] = list(items)
        self._index: dict[Key, dict[str, list[int]]] = {key: defaultdict(list) for key in Key}
        for position, item in enumerate(self._items):
            for key in Key:
                value = field(item, key)
                if value:
                    self._index[key][_normal(key, value)].append(position)

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Key, value: str) -> list[T]:
        """The items whose ``key`` is ``value`` (ignoring case for emails and names).

        >>> Directory([{"id": "o1", "name": "Acme"}]).get(Key.NAME, "ACME")
        [{'id': 'o1', 'name': 'Acme'}]
        """
        return [self._items[i] for i in self._index[key].get(_normal(key, value), [])]

    def find(self, ref: str, tiers: Sequence[Tier]) -> Found[T] | None:
        """The items the first tier that finds anyone finds for ``ref``, or None."""
        for tier in tiers:
            keys = (tier,) if isinstance(tier, Key) else tier
            positions: set[int] = set()
            first: Key | None = None
            for key in keys:
                hits = self._index[key].get(_normal(key, ref), [])
                if hits and first is None:
                    first = key
                positions.update(hits)
            if first is not None:
                return Found(first, tuple(self._items[i] for i in sorted(positions)))
        return None


def _normal(key: Key, value: str) -> str:
    return value.casefold() if key in _FOLDED else value
