"""What the lifespan builds and every request reads: typed, created once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any

from app.analytics import AnalyticsService
from app.export_slots import ExportSlots
from app.keycache import ApiKeyCache
from app.metrics import Metrics
from app.ratelimit import FailureThrottle, TokenBuckets, client_address
from app.settings import Settings
from app.webhooks import DestinationPolicy
from graph.store import GraphStore
from graph.webhook_store import WebhookStore


@dataclass(frozen=True)
class AppState:
    settings: Settings
    store: GraphStore
    analytics: AnalyticsService
    metrics: Metrics
    rate_limits: TokenBuckets
    api_keys: ApiKeyCache
    auth_failures: FailureThrottle
    exports: ExportSlots
    webhooks: WebhookStore
    destinations: DestinationPolicy
    _proxies: list[IPv4Network | IPv6Network] = field(init=False)

    def __post_init__(self) -> None:
        networks = [ip_network(proxy, strict=False) for proxy in self.settings.trusted_proxies]
        object.__setattr__(self, "_proxies", networks)

    def client_address(self, scope: Any) -> str:
        """The caller's address (``X-Forwarded-For`` believed from trusted proxies only)."""
        peer = scope.get("client")
        forwarded = [
            value.decode("latin-1")
            for name, value in scope.get("headers", [])
            if name == b"x-forwarded-for"
        ]
        return client_address(peer[0] if peer else None, forwarded, self._proxies)
