"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import StoreDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


@router.get("/healthz", response_model=Health, name="check_liveness")
def healthz() -> Health:
    """Liveness: the process answers HTTP."""
    return Health(status="ok")


@router.get(
    "/readyz",
    name="check_readiness",
    response_model=Health,
    responses={503: {"description": "Store unusable, damaged, or its integrity check running"}},
)
def readyz(store: StoreDep) -> Health:
    """Readiness: 200 only when the store answers a query; 503 otherwise. On SQLite also
    503 while the file's integrity check (`PRAGMA quick_check`) has not passed, and for
    good once the file was found damaged."""
    store.ping()
    return Health(status="ready")
