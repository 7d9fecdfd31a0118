"""How many bytes an object graph holds, estimated quickly enough to run on every cache fill.

:func:`estimate_size` walks an object and everything it references (dicts, lists, tuples,
sets, pydantic models, objects with a ``__dict__`` or ``__slots__``), adding
``sys.getsizeof`` of each object once. A long container is not walked in full: an even
sample of ``SAMPLE`` of its members is, and their average size stands for the rest, so
a 5,000-person power map (hundreds of thousands of objects) costs a few milliseconds, not
a few hundred. The members of one container are alike (the nodes of a graph, the items of a
ranking), which is what makes the sample a good estimate; objects shared by several
members (interned keys, small numbers) are counted once per sampled member and so make the
estimate err on the high side, the safe side for a memory bound. The field names of a
pydantic model are shared by every instance of its class and are not counted.
``tests/service/test_cache_memory.py`` checks the estimates against traced allocations.
"""

from __future__ import annotations

import sys
from enum import Enum

from pydantic import BaseModel

__all__ = ["SAMPLE", "estimate_size"]

SAMPLE = 16
"""Members walked of a container longer than this (evenly spaced); the rest are extrapolated."""

_ATOMS = frozenset({str, bytes, bytearray, int, float, complex})
_SKIPPED = frozenset({bool, type(None)})


def estimate_size(obj: object) -> int:
    """Estimated bytes held by ``obj`` and everything it references.

    Examples
    --------
    >>> estimate_size(b"x" * 1000) >= 1000
    True
    >>> rows = [{"name": f"person {i}", "score": i / 7} for i in range(10_000)]
    >>> full = sum(sys.getsizeof(r) + sys.getsizeof(r["name"]) + 24 for r in rows)
    >>> 0.9 < estimate_size(rows) / (full + sys.getsizeof(rows)) < 1.2
    True
    """
    return _size(obj, set())


def _size(obj: object, seen: set[int]) -> int:
    kind = type(obj)
    if kind in _SKIPPED or isinstance(obj, Enum | type):
        return 0
    ident = id(obj)
    if ident in seen:
        return 0
    seen.add(ident)
    size = sys.getsizeof(obj)
    if kind in _ATOMS:
        return size
    members: list[object]
    if isinstance(obj, BaseModel):
        inner = obj.__dict__
        seen.add(id(inner))
        size += sys.getsizeof(inner) + sys.getsizeof(obj.__pydantic_fields_set__)
        members = list(inner.values())  # the keys are the class's field names, shared
    elif isinstance(obj, dict):
        members = [*obj.keys(), *obj.values()] if len(obj) <= SAMPLE else _pairs(obj)
    elif isinstance(obj, list | tuple | set | frozenset):
        members = list(obj)
    else:
        members = [getattr(obj, slot, None) for slot in getattr(kind, "__slots__", ())]
        attributes = getattr(obj, "__dict__", None)
        if attributes is not None:
            members.append(attributes)
    if isinstance(obj, dict) and len(obj) > SAMPLE:  # members: a sample of its items
        sampled = sum(_size(m, seen) for m in members)
        return size + round(sampled * len(obj) / SAMPLE)
    count = len(members)
    if count <= SAMPLE or isinstance(obj, dict | BaseModel):
        return size + sum(_size(m, seen) for m in members if type(m) not in _SKIPPED)
    step = count / SAMPLE
    sampled = sum(_size(members[int(i * step)], seen) for i in range(SAMPLE))
    return size + round(sampled * count / SAMPLE)


def _pairs(mapping: dict[object, object]) -> list[object]:
    """Keys and values of ``SAMPLE`` evenly spaced items of a long dict."""
    keys = list(mapping)
    step = len(keys) / SAMPLE
    chosen = [keys[int(i * step)] for i in range(SAMPLE)]
    return [*chosen, *(mapping[k] for k in chosen)]
