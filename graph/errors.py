"""Domain errors. Adapters translate driver and sqlite errors into these; the app maps each
to an RFC 9457 problem document using the status it carries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One reason a request was refused, and the field it concerns (dotted path)."""

    field: str
    reason: str


class StakemapError(Exception):
    """Base of every error we expect; carries its HTTP status and a stable title."""

    status: int = 500
    title: str = "Internal error"
    detail_is_public: bool = False
    """A 5xx detail is replaced by a fixed text unless it is one of our own fixed sentences."""

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the answer must carry."""
        return {}

    @property
    def extensions(self) -> dict[str, Any]:
        """Extra members of the problem document (RFC 9457 section 3.2)."""
        return {}


class NotFound(StakemapError):
    """The resource does not exist in the caller's tenant (foreign ids look the same)."""

    status = 404
    title = "Not found"

    def __init__(self, kind: str) -> None:
        super().__init__(f"{kind} not found")


class ValidationFailed(StakemapError):
    """The request is well-formed JSON but breaks a rule of the graph model."""

    status = 422
    title = "Validation failed"

    def __init__(self, errors: list[FieldError]) -> None:
        summary = "; ".join(f"{e.field}: {e.reason}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(summary + more, errors)


class Conflict(StakemapError):
    status = 409
    title = "Conflict"


class Unauthenticated(StakemapError):
    status = 401
    title = "Unauthenticated"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(StakemapError):
    status = 403
    title = "Forbidden"


class StoreUnavailable(StakemapError):
    """The store cannot be reached or refused to work; retrying later may succeed."""

    status = 503
    title = "Store unavailable"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "5"}


class StoreNotReady(StoreUnavailable):
    """The store is reachable but must not serve yet (its integrity check is running or
    failed): the detail is one of our own fixed sentences, safe to answer."""

    detail_is_public = True


class StoreBusy(StoreUnavailable):
    """The store's write lock stayed taken for the whole configured wait (or the queue of
    writes waiting for it is full): the write was not done; retry after ``Retry-After``."""

    title = "Store busy"

    def __init__(self, detail: str, retry_after: float = 1.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, math.ceil(self.retry_after)))}


class StoreCorrupt(StakemapError):
    """The store's file is damaged (an integrity check or a read failed on it): nothing is
    served from it until an operator restores it. The cause is logged, never answered."""

    status = 500
    title = "Internal error"

    def __init__(self) -> None:
        super().__init__("the store cannot serve this request; the error has been logged")


class OutcomeUnknown(StoreUnavailable):
    """The connection to the store broke while a write was committing: it may or may not
    have been stored. Retrying with the same ``Idempotency-Key`` is safe (the retry either
    replays the stored answer or writes once)."""

    title = "Outcome unknown"

    def __init__(self, cause: str) -> None:
        super().__init__(
            "the connection to the store was lost while the write was committing, so it may or "
            "may not have been stored; retrying with the same Idempotency-Key is safe: the "
            f"retry answers what was stored, or stores it once ({cause})"
        )

    @property
    def extensions(self) -> dict[str, Any]:
        return {"outcome": "unknown", "retry_with_same_idempotency_key": True}


class PreconditionFailed(StakemapError):
    """``If-Match`` names another version than the stored one (a lost update prevented)."""

    status = 412
    title = "Precondition failed"

    def __init__(self, kind: str, current_version: int) -> None:
        super().__init__(
            f"the {kind} is at version {current_version}, not the one If-Match names; read it "
            "again and reapply the change"
        )
        self.current_version = current_version

    @property
    def headers(self) -> dict[str, str]:
        return {"ETag": f'"{self.current_version}"'}

    @property
    def extensions(self) -> dict[str, Any]:
        return {"current_version": self.current_version}


class PreconditionRequired(StakemapError):
    """A write that must name the version it changes came without ``If-Match``."""

    status = 428
    title = "Precondition required"

    def __init__(self, kind: str) -> None:
        super().__init__(
            f'send If-Match with the {kind}\'s ETag (its version, e.g. If-Match: "3") so a '
            "concurrent change is never overwritten"
        )


class IdempotencyKeyReused(StakemapError):
    """The ``Idempotency-Key`` was used before with a different request."""

    status = 422
    title = "Idempotency key reused"

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was already used with a different request (method, path, "
            "query or body); use a new key for a new request",
            [FieldError("header.Idempotency-Key", "already used with a different request")],
        )


class IdempotencyInProgress(Conflict):
    """A request with the same ``Idempotency-Key`` is still being processed."""

    title = "Request in progress"

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            "a request with this Idempotency-Key is still being processed; retry later to get "
            "its answer"
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, math.ceil(self.retry_after)))}


class RateLimited(StakemapError):
    """The API key sent more requests than its rate allows."""

    status = 429
    title = "Too many requests"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limit exceeded; retry in {retry_after:.1f} s")
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, math.ceil(self.retry_after)))}


def check_version(kind: str, current: int, expected: int | None) -> None:
    """Raise :class:`PreconditionFailed` unless ``expected`` is None or ``current``.

    Adapters call it inside the write transaction, holding the resource's write lock.

    >>> check_version("person", 3, None); check_version("person", 3, 3)
    >>> check_version("person", 4, 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.PreconditionFailed: the person is at version 4, not the one ...
    """
    if expected is not None and current != expected:
        raise PreconditionFailed(kind, current)
