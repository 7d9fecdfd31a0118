"""Domain errors. Adapters translate driver and sqlite errors into these; the app maps each
to an RFC 9457 problem document using the status it carries."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One reason a request was refused, and the field it concerns (dotted path)."""

    field: str
    reason: str


class StakemapError(Exception):
    """Base of every error we expect; carries its HTTP status and a stable title."""

    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the answer must carry."""
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
