"""Cursor paging: a page is full when it holds ``limit`` items; its last id is the cursor."""

from __future__ import annotations

from typing import Protocol, TypeVar

from schemas.common import Page


class HasId(Protocol):
    @property
    def id(self) -> str: ...


ItemT = TypeVar("ItemT", bound=HasId)


def page_of(items: list[ItemT], limit: int) -> Page[ItemT]:
    """Wrap one store page; ``next_cursor`` is set only when more may follow."""
    return Page(items=items, next_cursor=items[-1].id if len(items) == limit else None)
