"""Idempotency keys over HTTP: a ``POST`` retried with the same ``Idempotency-Key`` is done
once, and its answer replayed (the store side is :mod:`graph.idempotency`).

* same key, same request (method, path, query and body — JSON compared canonically) → the
  stored answer again: status, body, ``Location``/``ETag``/``Content-Type``, plus
  ``Idempotent-Replayed: true``; nothing is written again;
* same key, another request → 422; same key while the first request still runs → 409 with
  ``Retry-After``;
* keys are scoped to the tenant of the API key and kept ``STAKEMAP_IDEMPOTENCY_TTL_SECONDS``
  (24 h by default); without the header a ``POST`` behaves as before.

A route calls :meth:`Idempotency.run` with its write: the key is claimed only once the
request has passed authentication and validation, the write stores its answer in its own
transaction, and a write that fails (or whose commit outcome is unknown) releases the claim,
so a retry with the same key is always safe. Answers that failed are not kept: a retry
re-runs the request (which, refused, writes nothing).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import orjson
from anyio import to_thread
from fastapi import Header
from fastapi.responses import Response
from pydantic import BaseModel

from graph.errors import IdempotencyInProgress, IdempotencyKeyReused, StakemapError
from graph.idempotency import ClaimOutcome, IdempotentReplay, IdempotentWrite, StoredResponse
from graph.store import GraphStore

__all__ = [
    "REPLAYED_HEADER",
    "Idempotency",
    "IdempotencyKey",
    "created",
    "fingerprint",
    "json_answer",
    "purge_periodically",
    "to_response",
]

logger = logging.getLogger("stakemap")

ResultT = TypeVar("ResultT")

REPLAYED_HEADER = "Idempotent-Replayed"
PURGE_INTERVAL_SECONDS = 3600.0

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID is best; visible ASCII, at most 255 characters). "
        "A retry with the same key and request replays the first answer instead of writing "
        "again; kept for `STAKEMAP_IDEMPOTENCY_TTL_SECONDS` (24 h by default).",
    ),
]


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests "the same": method, path, query (in any order) and body
    (JSON compared canonically: key order and spacing do not matter).

    >>> a = fingerprint("POST", "/v1/team", "b=2&a=1", b'{"name": "A", "title": null}')
    >>> a == fingerprint("POST", "/v1/team", "a=1&b=2", b'{"title":null,"name":"A"}')
    True
    >>> a == fingerprint("POST", "/v1/team", "a=1&b=2", b'{"name":"B","title":null}')
    False
    """
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    pairs = urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), pairs.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def json_answer(status: int, model: BaseModel, *headers: tuple[str, str]) -> StoredResponse:
    """A JSON answer as it is sent and kept for replay."""
    return StoredResponse(
        status, model.model_dump_json().encode(), (("Content-Type", "application/json"), *headers)
    )


def created(model: Any, location: str) -> StoredResponse:
    """201 with the new resource, its ``Location`` and its ``ETag``."""
    return json_answer(201, model, ("Location", location), ("ETag", f'"{model.version}"'))


def to_response(stored: StoredResponse, *, replayed: bool = False) -> Response:
    headers = dict(stored.headers)
    media_type = headers.pop("Content-Type", None)
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    return Response(stored.body, status_code=stored.status, headers=headers, media_type=media_type)


@dataclass(frozen=True)
class Idempotency:
    """One ``POST``'s idempotency: its key (or None), its fingerprint, and where to keep it."""

    store: GraphStore
    tenant: str
    key: str | None
    fingerprint: str
    ttl_seconds: float
    lease_seconds: float

    def _claim(self, key: str) -> str | Response:
        """The claim's token, or the answer to give instead (a replay)."""
        claim = self.store.claim_idempotency_key(
            self.tenant,
            key,
            self.fingerprint,
            lease_seconds=self.lease_seconds,
            ttl_seconds=self.ttl_seconds,
        )
        if claim.outcome is ClaimOutcome.REPLAY:
            assert claim.response is not None
            return to_response(claim.response, replayed=True)
        if claim.outcome is ClaimOutcome.MISMATCH:
            raise IdempotencyKeyReused()
        if claim.outcome is ClaimOutcome.IN_PROGRESS:
            raise IdempotencyInProgress(claim.retry_after)
        assert claim.token is not None
        return claim.token

    def _release(self, key: str, token: str) -> None:
        try:
            self.store.release_idempotency_key(self.tenant, key, token)
        except StakemapError:
            # The store is away: the claim stays until its lease ends (a retry gets 409 until
            # then, and may take the key over after).
            logger.warning("could not release an idempotency key claim", exc_info=True)

    def run(
        self,
        write: Callable[[IdempotentWrite | None], ResultT],
        respond: Callable[[ResultT], StoredResponse],
    ) -> Response:
        """Do ``write`` once per key; it stores ``respond(result)`` in its own transaction
        (a write that stores nothing, such as a dry run, uses :meth:`run_then_record`)."""
        if self.key is None:
            return to_response(respond(write(None)))
        claimed = self._claim(self.key)
        if isinstance(claimed, Response):
            return claimed
        request = IdempotentWrite(
            self.key,
            self.fingerprint,
            respond,
            token=claimed,
            ttl_seconds=self.ttl_seconds,
            lease_seconds=self.lease_seconds,
        )
        try:
            result = write(request)
        except IdempotentReplay as replay:  # someone finished it after our lease ran out
            return to_response(replay.response, replayed=True)
        except BaseException:
            self._release(self.key, claimed)
            raise
        return to_response(respond(result))

    def run_then_record(
        self,
        write: Callable[[], ResultT],
        respond: Callable[[ResultT], StoredResponse],
        keep: Callable[[ResultT], StoredResponse] | None = None,
    ) -> Response:
        """Do ``write`` once per key, storing its answer in a second transaction after it.

        For writes that a second run would not duplicate anyway (revoking, erasing) or that
        cannot keep their answer (a new API key's secret is never stored: ``keep`` gives
        what to replay instead)."""
        if self.key is None:
            return to_response(respond(write()))
        claimed = self._claim(self.key)
        if isinstance(claimed, Response):
            return claimed
        try:
            result = write()
        except BaseException:
            self._release(self.key, claimed)
            raise
        answer = respond(result)
        try:
            self.store.complete_idempotency_key(
                self.tenant,
                self.key,
                claimed,
                (keep or respond)(result),
                ttl_seconds=self.ttl_seconds,
            )
        except StakemapError:
            logger.warning("could not store the answer of an idempotency key", exc_info=True)
        return to_response(answer)


async def purge_periodically(
    store: GraphStore, every: float = PURGE_INTERVAL_SECONDS
) -> None:  # pragma: no cover - a background loop; purging itself is contract-tested
    """Delete expired idempotency records now and then (run by the lifespan)."""
    while True:
        try:
            deleted = await to_thread.run_sync(store.purge_idempotency_keys)
            if deleted:
                logger.info("purged expired idempotency keys", extra={"fields": {"n": deleted}})
        except StakemapError:
            logger.warning("could not purge expired idempotency keys", exc_info=True)
        await asyncio.sleep(every)
