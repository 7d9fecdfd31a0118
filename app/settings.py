"""Configuration from the environment (prefix ``STAKEMAP_``), validated once at start."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.cache import DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_VARIANTS
from app.export_slots import DEFAULT_EXPORTS_PER_TENANT, DEFAULT_EXPORTS_TOTAL
from app.fairshare import DEFAULT_ANALYTICS_CONCURRENCY, DEFAULT_TENANT_CONCURRENCY
from app.security import DEVELOPMENT_PEPPER
from graph.powermap.layout import DEFAULT_WORK_BUDGET
from graph.sqlite_guard import (
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    DEFAULT_QUICK_CHECK_MAX_BYTES,
    DEFAULT_WRITE_QUEUE,
)

NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
PLACEHOLDER_SECRETS = {"", "neo4j", "password", "changeme", "changethis", "secret"}


class Settings(BaseSettings):
    """Every knob of the service; see the README's Configuration table."""

    model_config = SettingsConfigDict(env_prefix="STAKEMAP_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    store: Literal["sqlite", "neo4j"] = "sqlite"
    sqlite_path: Path = Path("var/stakemap.db")
    sqlite_lock_timeout_seconds: float = Field(
        default=DEFAULT_LOCK_TIMEOUT_SECONDS,
        gt=0,
        le=60,
        description="Longest a write waits for the SQLite write lock (its turn among this "
        "process's writes, then another process's lock) before it answers 503 with Retry-After",
    )
    sqlite_write_queue: int = Field(
        default=DEFAULT_WRITE_QUEUE,
        ge=1,
        le=1000,
        description="Writes that may wait for the SQLite write lock at once; more answer 503 "
        "at once, so waiting writes never take the threads reads need",
    )
    sqlite_quick_check_max_bytes: int = Field(
        default=DEFAULT_QUICK_CHECK_MAX_BYTES,
        ge=0,
        description="SQLite files up to this size pass PRAGMA quick_check before the service "
        "starts; larger ones are checked in the background, /readyz answering 503 until then",
    )
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    neo4j_timeout_seconds: float = Field(
        default=15.0, gt=0, description="Longest a Neo4j transaction may run"
    )
    neo4j_connect_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Longest to open a Neo4j connection (twice that to get one from the pool)",
    )
    neo4j_retry_seconds: float = Field(
        default=3.0,
        ge=0,
        description="How long a transaction that failed on a transient error (a lost "
        "connection, a deadlock) is retried before the request answers 503",
    )
    idempotency_ttl_seconds: float = Field(
        default=24 * 3600.0,
        gt=0,
        description="How long an Idempotency-Key and its answer are kept for replay",
    )
    idempotency_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a request holding an Idempotency-Key blocks others with the same "
        "key (409) before one may take it over (a crashed process never releases its claim)",
    )
    migrate_on_start: bool | None = Field(
        default=None,
        description="Apply pending schema and data migrations when the service starts "
        "(default: true in development, false in production, where `stakemap migrate` runs "
        "them and a start with migrations pending fails)",
    )
    bootstrap_admin_key: SecretStr | None = None
    key_pepper: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_PEPPER),
        description="Secret mixed into every stored API-key hash; changing it revokes all keys",
    )
    cache_max_bytes: int = Field(
        default=DEFAULT_CACHE_MAX_BYTES,
        ge=0,
        description="Bytes of analytics answers and graphs kept in memory per process "
        "(estimated sizes, least recently used evicted first; 0 = cache nothing)",
    )
    cache_max_variants: int = Field(
        default=DEFAULT_CACHE_MAX_VARIANTS,
        ge=1,
        le=1024,
        description="Parameter sets (weights, target, member, k ...) kept per question and "
        "organisation; a further one evicts the least recently used",
    )
    analytics_concurrency: int = Field(
        default=DEFAULT_ANALYTICS_CONCURRENCY,
        ge=1,
        le=64,
        description="Cold analytics computations (not cached: a snapshot read and a "
        "computation) running at once; more wait their turn",
    )
    analytics_tenant_concurrency: int = Field(
        default=DEFAULT_TENANT_CONCURRENCY,
        ge=1,
        le=64,
        description="Of those, at most this many for one tenant while others wait; a freed "
        "slot goes to the waiting tenant with the fewest running",
    )
    exports_per_tenant: int = Field(
        default=DEFAULT_EXPORTS_PER_TENANT,
        ge=1,
        le=64,
        description="Tenant-wide exports (influence, pipeline) one tenant may run at once; "
        "another answers 429 with Retry-After",
    )
    exports_total: int = Field(
        default=DEFAULT_EXPORTS_TOTAL,
        ge=1,
        le=64,
        description="Tenant-wide exports running at once across all tenants (each holds a "
        "server thread and a core for minutes)",
    )
    analytics_processes: int = Field(
        default=1,
        ge=0,
        le=64,
        description="Worker processes for the heavy analytics kernels of large organisations "
        "(0 = compute in the request thread, holding the interpreter lock)",
    )
    layout_work_budget: int = Field(
        default=DEFAULT_WORK_BUDGET,
        ge=0,
        description="Work units one power-map layout may spend; past it the layout degrades "
        "(fewer sweeps, ties drawn straight) and says so (Stakemap-Layout: degraded)",
    )
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="Largest request body accepted (413)"
    )
    rate_limit_per_minute: int = Field(
        default=1200, ge=0, description="Requests per minute per API key (0 = unlimited)"
    )
    rate_limit_burst: int = Field(default=120, ge=1, description="Requests a key may burst")
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (none by default)",
    )
    metrics_enabled: bool = Field(
        default=True, description="Serve Prometheus /metrics on its own listener"
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        max_length=255,
        description="Interface of the /metrics listener (loopback: only this host scrapes it)",
    )
    metrics_port: int = Field(
        default=9464,
        ge=0,
        le=65535,
        description="Port of the /metrics listener, never the API's (0 = any free port)",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of reverse proxies whose X-Forwarded-For is "
        "believed (none by default: the peer address is the client)",
    )
    auth_failure_limit: int = Field(
        default=20,
        ge=1,
        description="Failed authentications one client address may make per window before "
        "its unverified keys get 429",
    )
    auth_failure_window_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="The window of STAKEMAP_AUTH_FAILURE_LIMIT"
    )
    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Longest a client may take to send a request's line and headers (from "
        "the connection's start or the request's first byte) before it is closed",
    )
    keep_alive_seconds: float = Field(
        default=5.0, gt=0, le=300, description="Longest an idle keep-alive connection stays open"
    )
    max_header_bytes: int = Field(
        default=16 * 1024,
        ge=1024,
        le=1024 * 1024,
        description="Largest request line plus headers accepted (400, closed)",
    )
    analytics_precompute: bool = Field(
        default=True,
        description="After a write to an organisation someone is viewing (it has cached "
        "answers), recompute its ranking and power map in the background so the next read "
        "is warm",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long a verified API key is trusted without a store read (0 = read "
        "on every request); another worker process sees a revocation within this time",
    )
    cache_revalidate: bool = Field(
        default=False,
        description="Check the organisation's version on every cached read (needed when "
        "several worker processes share one store)",
    )
    webhook_worker: bool = Field(
        default=True,
        description="Run the webhook delivery worker in this process (every process that "
        "runs one shares the outbox safely: deliveries are leased)",
    )
    webhook_allow_loopback: bool = Field(
        default=False,
        description="Let webhooks point at loopback and private addresses and use plain "
        "http (development and tests only; link-local, multicast and unspecified addresses "
        "stay refused)",
    )
    webhook_retry_base_seconds: float = Field(
        default=30.0,
        gt=0,
        le=86_400,
        description="Wait after a webhook delivery's first failed attempt; it doubles after "
        "each further one (up to STAKEMAP_WEBHOOK_RETRY_MAX_SECONDS)",
    )
    webhook_retry_max_seconds: float = Field(
        default=3600.0, gt=0, le=7 * 86_400, description="Longest wait between two attempts"
    )
    webhook_max_attempts: int = Field(
        default=8,
        ge=1,
        le=50,
        description="Attempts of one delivery before it is marked failed",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=60,
        description="Longest a webhook receiver may take to connect, read the body and "
        "answer each phase of one attempt",
    )
    webhook_poll_seconds: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="How often the delivery worker looks for due retries (a write that "
        "reports events wakes it at once)",
    )
    webhook_sweep_size: int = Field(
        default=50, ge=1, le=1000, description="Deliveries one sweep of the worker claims"
    )
    webhook_concurrency: int = Field(
        default=4, ge=1, le=64, description="Deliveries the worker sends at once"
    )
    webhook_retention_days: float = Field(
        default=30.0,
        gt=0,
        description="Days a delivered or failed delivery stays in the log before it is deleted",
    )

    @property
    def migrates_on_start(self) -> bool:
        """STAKEMAP_MIGRATE_ON_START, or its environment's default."""
        if self.migrate_on_start is None:
            return self.environment == "development"
        return self.migrate_on_start

    @field_validator("neo4j_uri")
    @classmethod
    def _neo4j_scheme(cls, uri: str) -> str:
        scheme = urlsplit(uri).scheme
        if scheme not in NEO4J_SCHEMES:
            raise ValueError(f"scheme {scheme!r} is not one of {', '.join(NEO4J_SCHEMES)}")
        return uri

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, proxies: list[str]) -> list[str]:
        for proxy in proxies:
            ipaddress.ip_network(proxy, strict=False)  # ValueError names the bad entry
        return proxies

    @field_validator("bootstrap_admin_key")
    @classmethod
    def _key_long_enough(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return key

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> Self:
        if (
            self.environment == "production"
            and self.store == "neo4j"
            and self.neo4j_password.get_secret_value() in PLACEHOLDER_SECRETS
        ):
            raise ValueError("STAKEMAP_NEO4J_PASSWORD must be set to a real secret in production")
        if (
            self.environment == "production"
            and self.key_pepper.get_secret_value() == DEVELOPMENT_PEPPER
        ):
            raise ValueError("STAKEMAP_KEY_PEPPER must be set to a real secret in production")
        if self.analytics_tenant_concurrency > self.analytics_concurrency:
            raise ValueError(
                "STAKEMAP_ANALYTICS_TENANT_CONCURRENCY must not exceed "
                "STAKEMAP_ANALYTICS_CONCURRENCY"
            )
        return self
