"""Optimistic concurrency over HTTP: ``ETag`` out, ``If-Match`` in (RFC 9110 section 13).

Every organisation, person, team member and relationship answers with a strong ``ETag``
that is its ``version`` in quotes (``ETag: "3"``). ``PATCH`` and ``DELETE`` must send it back
in ``If-Match``: without one the answer is 428, with another version 412 (whose problem
document carries ``current_version`` and whose ``ETag`` is the current one). ``If-Match: *``
writes whatever the version (the resource must exist). Weak tags (``W/"3"``) never match: the
comparison is the strong one RFC 9110 prescribes for ``If-Match``.

The store compares versions under the resource's write lock, and an unknown or another
tenant's id is refused (404) before the version is looked at, so neither 412 nor 428 tells
anyone that a foreign id exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Header

from graph.errors import PreconditionRequired

__all__ = ["NEVER_MATCHES", "IfMatch", "etag", "expected_version", "parse_if_match"]

#: A version no resource has (versions start at 1): what an If-Match with no usable tag asks.
NEVER_MATCHES = 0

_STRONG_TAG = re.compile(r'^"(\d{1,18})"$')

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        description='The ETag of the version being changed (e.g. `"3"`), or `*`. Required: '
        "without it the answer is 428; with an outdated one, 412.",
    ),
]


def etag(version: int) -> str:
    """The entity tag of a version.

    >>> etag(3)
    '"3"'
    """
    return f'"{version}"'


def parse_if_match(value: str) -> set[int] | None:
    """The versions an If-Match header names (None for ``*``; an empty set if none usable).

    >>> parse_if_match('"3"'), parse_if_match('W/"3", "4"'), parse_if_match("*")
    ({3}, {4}, None)
    >>> parse_if_match("junk")
    set()
    """
    tags = [tag.strip() for tag in value.split(",")]
    if "*" in tags:
        return None
    versions = set()
    for tag in tags:
        match = _STRONG_TAG.match(tag)
        if match:
            versions.add(int(match.group(1)))
    return versions


def expected_version(if_match: str | None, kind: str, current: Callable[[], int]) -> int | None:
    """The version a write must find, from the ``If-Match`` header.

    ``current()`` reads the resource's version (raising ``NotFound`` for unknown and foreign
    ids): it is called when the header is missing — so such ids answer 404, not 428 — and
    when the header names several versions (the store then re-checks under its lock).
    """
    if if_match is None:
        current()
        raise PreconditionRequired(kind)
    versions = parse_if_match(if_match)
    if versions is None:
        return None
    if len(versions) == 1:
        return versions.pop()
    if not versions:
        return NEVER_MATCHES
    now = current()
    return now if now in versions else min(versions)
