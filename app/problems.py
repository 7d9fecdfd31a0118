"""RFC 9457 problem details: one handler per kind of error, registered once."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import StakemapError

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


def problem_response(
    status: int,
    title: str,
    detail: str | None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


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


async def _stakemap_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StakemapError)
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        [{"field": e.field, "reason": e.reason} for e in exc.errors],
        exc.headers or None,
    )


async def _request_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field_path(err["loc"]), "reason": err["msg"]} for err in exc.errors()]
    summary = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return problem_response(422, "Validation failed", summary, errors)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthenticated"}
    return problem_response(
        exc.status_code,
        titles.get(exc.status_code, "Error"),
        str(exc.detail) if exc.detail else None,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # A bug, not a client error: log it whole and answer a bare 500.
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "Internal error", "an unexpected error occurred")


def register_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StakemapError, _stakemap_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
