"""RFC 9457 problem details: one handler per kind of error, registered once.

Titles and the fixed details are messages (:mod:`graph.messages`), looked up here in the
request's language; logs keep the English source text."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.idempotency import to_response
from graph.errors import OutcomeUnknown, StakemapError, StoreUnavailable
from graph.idempotency import IdempotentReplay
from graph.messages import N_, _

logger = logging.getLogger("stakemap")

PROBLEM_JSON = "application/problem+json"


class ProblemField(BaseModel):
    field: str
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem document; ``errors`` names each offending field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemField] = []


class VersionProblem(Problem):
    """412: the resource changed since the version ``If-Match`` names."""

    current_version: int


class OutcomeProblem(Problem):
    """503: the store is unavailable; with ``outcome: "unknown"`` the connection broke while
    the write committed, and retrying with the same ``Idempotency-Key`` is safe."""

    outcome: str | None = None
    retry_with_same_idempotency_key: bool | None = None


#: Answers every conditional write (``PATCH``/``DELETE``) may give, for the OpenAPI schema.
PRECONDITION_RESPONSES: dict[int | str, dict[str, Any]] = {
    412: {"model": VersionProblem, "description": "`If-Match` names an outdated version"},
    428: {"model": Problem, "description": "`If-Match` is missing"},
}
#: Answers every ``POST`` may give with an ``Idempotency-Key``.
IDEMPOTENCY_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "A request with this `Idempotency-Key` is running"},
}


def problem_body(
    status: int,
    title: str,
    detail: str | None = None,
    errors: list[dict[str, str]] | None = None,
    extensions: dict[str, Any] | None = None,
) -> bytes:
    """The bytes of a problem document: the one builder behind every error answer (the
    exception handlers below, the body-size limit's 413 in :mod:`app.middleware`, the
    stored replay of ``POST /v1/keys``).

    >>> problem_body(413, "Payload too large", "over 10 bytes")
    b'{"type":"about:blank","title":"Payload too large","status":413,"detail":"over 10 bytes"}'
    >>> problem_body(409, "Already created", None, extensions={"key_id": "k1"})
    b'{"type":"about:blank","title":"Already created","status":409,"key_id":"k1"}'
    """
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extensions or {})
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def problem_response(
    status: int,
    title: str,
    detail: str | None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    """:func:`problem_body` as a response."""
    return Response(
        problem_body(status, title, detail, errors, extensions),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] if parts[0] == "body" else parts
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not text:
            text = str(part)
        elif str(part).startswith(("function-", "function_")):
            continue
        else:
            text += f".{part}"
    return text or "body"


#: What a 5xx problem says instead of the error's own text, which may name a host, a port,
#: driver text or SQL: that is logged server-side with the request id, never sent.
OUTCOME_UNKNOWN_DETAIL = N_(
    "the connection to the store was lost while the write was committing, so it may or may "
    "not have been stored; retrying with the same Idempotency-Key is safe: the retry answers "
    "what was stored, or stores it once"
)
STORE_UNAVAILABLE_DETAIL = N_("the store is unavailable; retry after Retry-After seconds")
INTERNAL_DETAIL = N_("an unexpected error occurred")


def public_detail(exc: StakemapError) -> str:
    """The ``detail`` a client may see: the error's own below 500, a fixed text from 500 on
    (in the current language)."""
    if exc.status < 500 or exc.detail_is_public:
        return exc.detail
    if isinstance(exc, OutcomeUnknown):
        return _(OUTCOME_UNKNOWN_DETAIL)
    if isinstance(exc, StoreUnavailable):
        return _(STORE_UNAVAILABLE_DETAIL)
    return _(INTERNAL_DETAIL)


async def _stakemap_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StakemapError)
    detail = public_detail(exc)
    if exc.status >= 500 and exc.status != 503:
        # an expected failure of ours (a damaged store): logged with its cause chain, which
        # the answer never carries
        logger.error("%s on %s %s", exc.title, request.method, request.url.path, exc_info=exc)
    elif detail != exc.detail:  # the JSON log line carries the request id
        logger.warning(
            "%s %s answered %d: %s", request.method, request.url.path, exc.status, exc.detail
        )
    return problem_response(
        exc.status,
        _(exc.title),
        detail,
        [{"field": e.field, "reason": e.reason} for e in exc.errors],
        exc.headers or None,
        exc.extensions,
    )


async def _replayed(request: Request, exc: Exception) -> Response:
    # Routes answer replays themselves (app.idempotency); this catches any that escape.
    assert isinstance(exc, IdempotentReplay)
    return to_response(exc.response, replayed=True)


#: Longest field path or reason a 422 repeats, and most errors it lists.
MAX_ECHO = 200
MAX_ERRORS = 1000


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"


async def _request_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # Never the input itself, and field paths (which can hold a body's own keys) cut short:
    # the answer to a huge value stays small.
    found = exc.errors()
    errors = [
        {"field": _clip(_field_path(err["loc"])), "reason": _clip(err["msg"])}
        for err in found[:MAX_ERRORS]
    ]
    summary = _("; ").join(
        _("{field}: {reason}").format(field=e["field"], reason=e["reason"]) for e in errors[:5]
    )
    if len(found) > MAX_ERRORS:
        summary = _("{summary} (the first {listed} of {count} errors are listed)").format(
            summary=summary, listed=MAX_ERRORS, count=len(found)
        )
    return problem_response(422, _("Validation failed"), summary, errors)


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {
        400: N_("Bad request"),
        401: N_("Unauthenticated"),
        404: N_("Not found"),
        405: N_("Method not allowed"),
        413: N_("Payload too large"),
    }
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return problem_response(
        exc.status_code,
        _(titles.get(exc.status_code, N_("Error"))),
        str(exc.detail) if exc.detail else None,
        headers=headers or None,
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # A bug, not a client error: log it whole and answer a bare 500.
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, _("Internal error"), _(INTERNAL_DETAIL))


def register_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StakemapError, _stakemap_error)
    app.add_exception_handler(IdempotentReplay, _replayed)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


def document_problems(app: FastAPI) -> None:
    """Say in the OpenAPI schema what the handlers above send: every error answer is
    ``application/problem+json`` (a :class:`Problem`), FastAPI's own 422 included."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        problem = {"$ref": "#/components/schemas/Problem"}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for status, response in operation.get("responses", {}).items():
                    if str(status)[:1] not in ("4", "5"):
                        continue
                    content = response.setdefault("content", {})
                    body = content.pop("application/json", None) or {"schema": problem}
                    if str(status) == "422":
                        body = {"schema": problem}
                    content[PROBLEM_JSON] = body
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Problem", Problem.model_json_schema(ref_template=_REF))
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_REF = "#/components/schemas/{model}"
