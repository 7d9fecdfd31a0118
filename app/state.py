"""What the lifespan builds and every request reads: typed, created once per process."""

from __future__ import annotations

from dataclasses import dataclass

from app.analytics import AnalyticsService
from app.keycache import ApiKeyCache
from app.middleware import Metrics
from app.ratelimit import TokenBuckets
from app.settings import Settings
from graph.port import GraphStore


@dataclass(frozen=True)
class AppState:
    settings: Settings
    store: GraphStore
    analytics: AnalyticsService
    metrics: Metrics
    rate_limits: TokenBuckets
    api_keys: ApiKeyCache
