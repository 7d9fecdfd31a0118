"""What changed in an organisation, from its history (docs/ANALYTICS.md, §14)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from app.deps import Cursor, Limit, PathId, StoreDep, Viewer
from graph.errors import FieldError, ValidationFailed
from graph.messages import _
from schemas.history import Changes

router = APIRouter(prefix="/v1/organisations/{org_id}", tags=["history"])

#: Changes listed when no ``since`` is given: the last month's.
DEFAULT_DAYS = 30
_CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~(.{1,120})")


def since_moment(text: str | None, now: datetime) -> datetime:
    """``since`` as a moment: an RFC 3339 time (with its offset) or a day (from its start,
    UTC); none: :data:`DEFAULT_DAYS` ago.

    >>> now = datetime(2026, 3, 31, tzinfo=UTC)
    >>> since_moment("2026-03-01", now).isoformat()
    '2026-03-01T00:00:00+00:00'
    >>> since_moment("2026-03-01T10:00:00+02:00", now).isoformat()
    '2026-03-01T08:00:00+00:00'
    """
    if text is None:
        return now - timedelta(days=DEFAULT_DAYS)
    refused = ValidationFailed(
        [FieldError("since", _("a day (YYYY-MM-DD) or an RFC 3339 time with its offset"))]
    )
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise refused
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise refused from None


@router.get("/changes", response_model=Changes, name="list_changes")
async def list_changes(
    org_id: PathId,
    store: StoreDep,
    caller: Viewer,
    since: Annotated[
        str | None,
        Query(
            max_length=40,
            description="From this moment: an RFC 3339 time or a day (its start, UTC); "
            "default: 30 days ago",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Changes:
    """What changed, oldest first: people who joined, left (or announced they will), moved
    to a new manager, changed stance, title or roles; ties created, changed or removed;
    deals and committee seats; and ties that went stale in the window (`tie_faded`, on the
    day they crossed the line). Each item has `before` and `after` of the fields that
    changed and a `message`."""
    now = datetime.now(UTC)
    start = since_moment(since, now)
    after = None
    if cursor is not None:
        match = _CURSOR.fullmatch(cursor)
        if match is None:
            raise ValidationFailed([FieldError("cursor", _("not a cursor this list gave"))])
        after = (match.group(1), match.group(2))
    items, following = await run_in_threadpool(
        lambda: store.list_changes(
            caller.tenant, org_id, since=start, now=now, limit=limit, after=after
        )
    )
    next_cursor = None if following is None else f"{following[0]}~{following[1]}"
    return Changes(items=items, next_cursor=next_cursor)
