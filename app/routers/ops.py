"""Operations: Prometheus metrics (no authentication; expose it on a private network)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.deps import StateDep
from graph.errors import NotFound

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(state: StateDep) -> Response:
    """Request counts and latency by route, store latency and analytics cache hits, in the
    Prometheus text format. Off when `STAKEMAP_METRICS_ENABLED=false`."""
    if not state.settings.metrics_enabled:
        raise NotFound("page")
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
