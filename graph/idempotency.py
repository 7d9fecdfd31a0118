"""Idempotency keys: what a store keeps for each key, and the rules both adapters apply.

A client that retries a ``POST`` with the same ``Idempotency-Key`` must never cause a second
write. Each key (scoped by tenant) has one record:

* ``pending`` — a request *claimed* the key (:meth:`GraphStore.claim_idempotency_key`, its own
  short transaction) and is running; it holds a ``token`` and a *lease*. Another request with
  the key gets ``in_progress`` (HTTP 409) until the lease ends; then it may take the key over.
* ``done`` — the write committed, and with it, **in the same transaction**, the response to
  replay (:class:`StoredResponse`). A later request with the key and the same fingerprint gets
  that response again; with another fingerprint, ``mismatch`` (HTTP 422).

Writes that create something take an :class:`IdempotentWrite`: the adapter checks the record
under its write lock at the start of the write transaction (:func:`admit`) and stores the
response at its end, so a crash can never leave the write without its record, nor the record
without the write. A client that went straight to the write (no claim: ``token`` is None, as
the import script of ``tests/reliability`` does) gets the same guarantees.

Records expire ``ttl_seconds`` after they are written (24 h by default) and are then treated
as absent; :meth:`GraphStore.purge_idempotency_keys` deletes them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from graph.errors import IdempotencyInProgress, IdempotencyKeyReused

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "DEFAULT_TTL_SECONDS",
    "ClaimOutcome",
    "IdempotencyClaim",
    "IdempotentReplay",
    "IdempotentWrite",
    "StoredResponse",
    "admit",
    "done_record",
    "judge_claim",
    "pending_record",
]

DEFAULT_TTL_SECONDS = 24 * 3600.0
DEFAULT_LEASE_SECONDS = 30.0


@dataclass(frozen=True)
class StoredResponse:
    """An answer kept for replay: status, body bytes and the headers that matter."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    def headers_json(self) -> str:
        return json.dumps([list(pair) for pair in self.headers])

    @classmethod
    def from_stored(
        cls, status: int, body: bytes | bytearray | None, headers: str
    ) -> StoredResponse:
        """The response as a record holds it (headers as a JSON list of pairs).

        >>> r = StoredResponse(201, b"{}", (("Location", "/x"),))
        >>> StoredResponse.from_stored(201, b"{}", r.headers_json()) == r
        True
        """
        pairs = tuple((str(k), str(v)) for k, v in json.loads(headers or "[]"))
        return cls(int(status), bytes(body or b""), pairs)


class IdempotentReplay(Exception):
    """Raised by a write whose key is already ``done``: nothing was written; answer this."""

    def __init__(self, response: StoredResponse) -> None:
        super().__init__(f"replayed response {response.status}")
        self.response = response


@dataclass(frozen=True)
class IdempotentWrite:
    """Store ``respond(result)`` under ``key`` in the same transaction as the write."""

    key: str
    fingerprint: str
    respond: Callable[[Any], StoredResponse]
    #: the claim's token, or None when no claim was taken before the write
    token: str | None = None
    ttl_seconds: float = DEFAULT_TTL_SECONDS
    lease_seconds: float = DEFAULT_LEASE_SECONDS


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class IdempotencyClaim:
    """The answer to a claim: go ahead (with ``token``), replay ``response``, or refuse."""

    outcome: ClaimOutcome
    token: str | None = None
    response: StoredResponse | None = None
    retry_after: float = 0.0


@dataclass
class _Record:
    state: str
    fingerprint: str | None
    token: str | None
    lease_until: float
    expires_at: float
    response: StoredResponse | None = field(default=None)


def _record(row: Mapping[str, Any] | None, now: float) -> _Record | None:
    """The live record in ``row`` (None when absent, unsaved or expired)."""
    if row is None or row.get("state") not in ("pending", "done"):
        return None
    if float(row.get("expires_at") or 0) <= now:
        return None
    response = None
    if row["state"] == "done":
        response = StoredResponse.from_stored(
            row["status"], row.get("body"), row.get("headers") or "[]"
        )
    return _Record(
        state=row["state"],
        fingerprint=row.get("fingerprint"),
        token=row.get("token"),
        lease_until=float(row.get("lease_until") or 0),
        expires_at=float(row["expires_at"]),
        response=response,
    )


def new_token() -> str:
    return uuid.uuid4().hex


def pending_record(
    tenant: str, key: str, fingerprint: str, token: str, now: float, lease: float, ttl: float
) -> dict[str, Any]:
    """The stored row of a fresh claim."""
    return {
        "tenant": tenant,
        "key": key,
        "state": "pending",
        "fingerprint": fingerprint,
        "token": token,
        "lease_until": now + lease,
        "expires_at": now + ttl,
        "status": None,
        "body": None,
        "headers": None,
        "created_at": now,
    }


def done_record(
    tenant: str, key: str, fingerprint: str, response: StoredResponse, now: float, ttl: float
) -> dict[str, Any]:
    """The stored row of a key whose write committed (with the answer to replay)."""
    return {
        "tenant": tenant,
        "key": key,
        "state": "done",
        "fingerprint": fingerprint,
        "token": None,
        "lease_until": 0.0,
        "expires_at": now + ttl,
        "status": response.status,
        "body": response.body,
        "headers": response.headers_json(),
        "created_at": now,
    }


def judge_claim(
    row: Mapping[str, Any] | None, fingerprint: str, now: float
) -> IdempotencyClaim | None:
    """What a claim finds in the (locked) row: an answer, or None to take the key.

    >>> judge_claim(None, "f", 10.0) is None
    True
    >>> row = pending_record("t", "k", "f", "tok", 10.0, 60.0, 3600.0)
    >>> judge_claim(row, "f", 20.0).outcome, judge_claim(row, "g", 20.0).outcome
    (<ClaimOutcome.IN_PROGRESS: 'in_progress'>, <ClaimOutcome.MISMATCH: 'mismatch'>)
    >>> judge_claim(row, "f", 80.0) is None  # the lease ran out: take it over
    True
    """
    record = _record(row, now)
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        return IdempotencyClaim(ClaimOutcome.MISMATCH)
    if record.state == "done":
        return IdempotencyClaim(ClaimOutcome.REPLAY, response=record.response)
    if record.lease_until > now:
        return IdempotencyClaim(ClaimOutcome.IN_PROGRESS, retry_after=record.lease_until - now)
    return None


def admit(row: Mapping[str, Any] | None, write: IdempotentWrite, now: float) -> None:
    """Inside the write transaction, with the key's row locked: may the write go ahead?

    Raises :class:`IdempotentReplay` (already done), :class:`IdempotencyKeyReused` (another
    request) or :class:`IdempotencyInProgress` (someone else holds a live claim).

    >>> w = IdempotentWrite("k", "f", respond=lambda _: StoredResponse(200), token="tok")
    >>> admit(pending_record("t", "k", "f", "tok", 0.0, 60.0, 3600.0), w, 1.0)  # our claim
    >>> admit(None, w, 1.0)  # nothing stored yet
    """
    record = _record(row, now)
    if record is None:
        return
    if record.fingerprint != write.fingerprint:
        raise IdempotencyKeyReused()
    if record.state == "done":
        assert record.response is not None
        raise IdempotentReplay(record.response)
    if record.token == write.token and write.token is not None:
        return
    if record.lease_until > now:
        raise IdempotencyInProgress(record.lease_until - now)
