"""Domain errors. Adapters translate driver and sqlite errors into these; the app maps each
to an RFC 9457 problem document using the status it carries.

Details are messages (:mod:`graph.messages`) in the language of the request that raised
them; titles are marked with :func:`~graph.messages.N_` and looked up when the problem
document is written (:mod:`app.problems`), so logs keep the English title."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graph.messages import N_, _


@dataclass(frozen=True)
class FieldError:
    """One reason a request was refused, and the field it concerns (dotted path)."""

    field: str
    reason: str


class StakemapError(Exception):
    """Base of every error we expect; carries its HTTP status and a stable title."""

    status: int = 500
    title: str = N_("Internal error")
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
    title = N_("Not found")

    def __init__(self, kind: str) -> None:
        super().__init__(_("{kind} not found").format(kind=kind))


#: The detail of a write a store's constraint refused (the store's own text is logged).
WRITE_CONFLICT = N_("the write conflicts with stored data")


class ValidationFailed(StakemapError):
    """The request is well-formed JSON but breaks a rule of the graph model."""

    status = 422
    title = N_("Validation failed")

    def __init__(self, errors: list[FieldError]) -> None:
        summary = _("; ").join(
            _("{field}: {reason}").format(field=e.field, reason=e.reason) for e in errors[:5]
        )
        if len(errors) > 5:
            summary = _("{summary} (and {count} more)").format(
                summary=summary, count=len(errors) - 5
            )
        super().__init__(summary, errors)


class Conflict(StakemapError):
    status = 409
    title = N_("Conflict")


class Unauthenticated(StakemapError):
    status = 401
    title = N_("Unauthenticated")

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(StakemapError):
    status = 403
    title = N_("Forbidden")


class StoreUnavailable(StakemapError):
    """The store cannot be reached or refused to work; retrying later may succeed."""

    status = 503
    title = N_("Store unavailable")

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

    title = N_("Store busy")

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
    title = N_("Internal error")

    def __init__(self) -> None:
        super().__init__(_("the store cannot serve this request; the error has been logged"))


class OutcomeUnknown(StoreUnavailable):
    """The connection to the store broke while a write was committing: it may or may not
    have been stored. Retrying with the same ``Idempotency-Key`` is safe (the retry either
    replays the stored answer or writes once)."""

    title = N_("Outcome unknown")

    def __init__(self, cause: str) -> None:
        super().__init__(
            _(
                "the connection to the store was lost while the write was committing, so it may "
                "or may not have been stored; retrying with the same Idempotency-Key is safe: "
                "the retry answers what was stored, or stores it once ({cause})"
            ).format(cause=cause)
        )

    @property
    def extensions(self) -> dict[str, Any]:
        return {"outcome": "unknown", "retry_with_same_idempotency_key": True}


class PreconditionFailed(StakemapError):
    """``If-Match`` names another version than the stored one (a lost update prevented)."""

    status = 412
    title = N_("Precondition failed")

    def __init__(self, kind: str, current_version: int) -> None:
        super().__init__(
            _(
                "the {kind} is at version {version}, not the one If-Match names; read it again "
                "and reapply the change"
            ).format(kind=kind, version=current_version)
        )
        self.current_version = current_version

    @property
    def headers(self) -> dict[str, str]:
        return {"ETag": f'"{self.current_version}"'}

    @property
    def extensions(self) -> dict[str, Any]:
        return {"current_version": self.current_version}


class ExistencePreconditionFailed(StakemapError):
    """``If-None-Match: *`` met a resource that exists, or ``If-Match`` one that does not."""

    status = 412
    title = N_("Precondition failed")

    def __init__(self, kind: str, current_version: int | None) -> None:
        if current_version is None:
            detail = _("the {kind} does not exist, so If-Match cannot match it").format(kind=kind)
        else:
            detail = _(
                "the {kind} exists already (version {version}) and If-None-Match: * asks to "
                "create it only; send If-Match to replace it"
            ).format(kind=kind, version=current_version)
        super().__init__(detail)
        self.current_version = current_version

    @property
    def headers(self) -> dict[str, str]:
        return {} if self.current_version is None else {"ETag": f'"{self.current_version}"'}


class PreconditionRequired(StakemapError):
    """A write that must name the version it changes came without ``If-Match``."""

    status = 428
    title = N_("Precondition required")

    def __init__(self, kind: str) -> None:
        super().__init__(
            _(
                'send If-Match with the {kind}\'s ETag (its version, e.g. If-Match: "3") so a '
                "concurrent change is never overwritten"
            ).format(kind=kind)
        )


class IdempotencyKeyReused(StakemapError):
    """The ``Idempotency-Key`` was used before with a different request."""

    status = 422
    title = N_("Idempotency key reused")

    def __init__(self) -> None:
        super().__init__(
            _(
                "this Idempotency-Key was already used with a different request (method, path, "
                "query or body); use a new key for a new request"
            ),
            [FieldError("header.Idempotency-Key", _("already used with a different request"))],
        )


class IdempotencyInProgress(Conflict):
    """A request with the same ``Idempotency-Key`` is still being processed."""

    title = N_("Request in progress")

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            _(
                "a request with this Idempotency-Key is still being processed; retry later to "
                "get its answer"
            )
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, math.ceil(self.retry_after)))}


class RateLimited(StakemapError):
    """The API key sent more requests than its rate allows."""

    status = 429
    title = N_("Too many requests")

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            _("rate limit exceeded; retry in {seconds:.1f} s").format(seconds=retry_after)
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, math.ceil(self.retry_after)))}


class ExportsBusy(StakemapError):
    """No export slot is free (:class:`app.export_slots.ExportSlots`)."""

    status = 429
    title = N_("Too many exports")

    #: seconds a client should wait: exports take minutes, a retry storm helps nobody
    RETRY_AFTER = 60

    def __init__(self, *, mine: bool) -> None:
        super().__init__(
            _("an export of this tenant is already running; retry when it has finished")
            if mine
            else _("the server is running as many exports as it can; retry in a minute")
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.RETRY_AFTER)}


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
