"""Webhook deliveries: where they may go, how they are signed, and the worker that sends them.

:class:`DestinationPolicy` is the SSRF rule, applied when a webhook is registered and again
before every attempt (a host that resolved to a public address at registration may resolve to
a private one later: DNS rebinding): the URL is ``https`` (``http`` too with
``STAKEMAP_WEBHOOK_ALLOW_LOOPBACK``), carries no credentials, and its host resolves only to
public addresses — loopback and private ones are refused unless that setting is on;
link-local (cloud metadata), multicast, unspecified and reserved ones always. The attempt
then connects to the very address that was vetted (the name is kept for ``Host`` and TLS), so
a second lookup cannot send it elsewhere.

:class:`DeliveryWorker` drains the outbox (:mod:`graph.webhooks`): each sweep leases at most
``sweep_size`` due deliveries (a write transaction, so two workers or a restarted process
never send one delivery at once), POSTs them, at most ``concurrency`` at a time, with short
timeouts and no redirects, and records each outcome: a 2xx is ``delivered``; anything else
(another status, a timeout, a refused connection or destination) is retried after
``retry_base * 2 ** (attempts - 1)`` seconds (capped), and after ``max_attempts`` attempts the
delivery is ``failed``. An attempt is counted when it is leased, so a process that dies
mid-send cannot make a delivery retry forever. Response bodies are never read.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.settings import Settings
from graph.errors import FieldError, StakemapError, ValidationFailed
from graph.messages import N_, _
from graph.tx import Row
from graph.webhook_store import WebhookStore
from graph.webhooks import Claimed, backoff, iso_time, sign
from schemas.webhooks import DeliveryStatus

__all__ = [
    "USER_AGENT",
    "DeliveryPolicy",
    "DeliveryWorker",
    "Destination",
    "DestinationPolicy",
    "DestinationRefused",
    "system_resolver",
]

logger = logging.getLogger("stakemap")

USER_AGENT = "Stakemap-Webhooks/1"
#: Longest ``last_error`` kept.
MAX_ERROR_LENGTH = 200
#: How often expired deliveries are purged (seconds).
PURGE_EVERY_SECONDS = 3600.0

Resolver = Callable[[str, int], list[str]]
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver), first-seen order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class DestinationRefused(Exception):
    """The URL may not receive webhooks; ``reason`` says why, in the current language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Destination:
    """A vetted URL and the address an attempt connects to."""

    url: httpx.URL
    address: str

    @property
    def connect_url(self) -> httpx.URL:
        """The URL with the vetted address as its host."""
        return self.url.copy_with(host=self.address)

    @property
    def host_header(self) -> str:
        host = self.url.host
        if ":" in host:
            host = f"[{host}]"
        default = 443 if self.url.scheme == "https" else 80
        port = self.url.port
        return host if port in (None, default) else f"{host}:{port}"

    @property
    def extensions(self) -> dict[str, Any]:
        """TLS checks the certificate against the name, not the address."""
        if self.url.scheme == "https" and not _is_address(self.url.host):
            return {"sni_hostname": self.url.host}
        return {}


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


_LOOPBACK = N_("loopback")
_PRIVATE = N_("private")
_LINK_LOCAL = N_("link-local")
_MULTICAST = N_("multicast")
_UNSPECIFIED = N_("unspecified")
_RESERVED = N_("reserved")


def address_kind(ip: IpAddress, *, allow_private: bool) -> str | None:
    """Why a webhook may not reach ``ip`` (the kind of address, untranslated), or None.

    >>> address_kind(ipaddress.ip_address("93.184.215.14"), allow_private=False) is None
    True
    >>> [address_kind(ipaddress.ip_address(a), allow_private=False)
    ...  for a in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::ffff:127.0.0.1")]
    ['loopback', 'private', 'link-local', 'loopback']
    >>> address_kind(ipaddress.ip_address("127.0.0.1"), allow_private=True) is None
    True
    >>> address_kind(ipaddress.ip_address("169.254.169.254"), allow_private=True)
    'link-local'
    """
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast:
        return _MULTICAST
    if ip.is_unspecified:
        return _UNSPECIFIED
    if ip.is_link_local:
        return _LINK_LOCAL
    if ip.is_loopback:
        return None if allow_private else _LOOPBACK
    if ip.is_global:
        return None
    if ip.is_private:
        return None if allow_private else _PRIVATE
    return _RESERVED


@dataclass(frozen=True)
class DestinationPolicy:
    """Where webhooks may be delivered (see the module's docstring)."""

    allow_loopback: bool = False
    resolve: Resolver = system_resolver

    def vet(self, url: str) -> Destination:
        """The destination of ``url``, resolved now; :class:`DestinationRefused` if a
        webhook may not go there."""
        schemes = ("http", "https") if self.allow_loopback else ("https",)
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise DestinationRefused(_("the URL is not valid")) from None
        if parts.scheme.lower() not in schemes:
            raise DestinationRefused(
                _("use an http or https URL") if self.allow_loopback else _("use an https URL")
            )
        if parts.username is not None or parts.password is not None:
            raise DestinationRefused(
                _("the URL must not carry a user name or password (the secret signs deliveries)")
            )
        host = parts.hostname
        if not host:
            raise DestinationRefused(_("the URL has no host"))
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            raise DestinationRefused(_("the URL is not valid")) from None
        default = 443 if parsed.scheme == "https" else 80
        if _is_address(host):
            addresses = [host]
        else:
            try:
                addresses = self.resolve(parsed.host, port or default)
            except (OSError, UnicodeError):
                addresses = []
            if not addresses:
                raise DestinationRefused(_("the host could not be resolved"))
        for address in addresses:
            kind = address_kind(
                ipaddress.ip_address(address.split("%")[0]), allow_private=self.allow_loopback
            )
            if kind is not None:
                # the kind only: the address would tell a tenant how the service's own
                # network resolves names
                raise DestinationRefused(
                    _("the host resolves to an address webhooks may not reach ({kind})").format(
                        kind=_(kind)
                    )
                )
        return Destination(parsed, addresses[0].split("%")[0])

    def check(self, url: str) -> None:
        """Refuse a URL a webhook may not be registered with (a 422 naming ``url``)."""
        try:
            self.vet(url)
        except DestinationRefused as refused:
            raise ValidationFailed([FieldError("url", refused.reason)]) from None


@dataclass(frozen=True)
class DeliveryPolicy:
    """How deliveries are sent and retried (the ``STAKEMAP_WEBHOOK_*`` settings)."""

    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 8
    timeout_seconds: float = 10.0
    poll_seconds: float = 5.0
    sweep_size: int = 50
    concurrency: int = 4
    retention_seconds: float = 30 * 86_400.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(
            retry_base_seconds=settings.webhook_retry_base_seconds,
            retry_max_seconds=settings.webhook_retry_max_seconds,
            max_attempts=settings.webhook_max_attempts,
            timeout_seconds=settings.webhook_timeout_seconds,
            poll_seconds=settings.webhook_poll_seconds,
            sweep_size=settings.webhook_sweep_size,
            concurrency=settings.webhook_concurrency,
            retention_seconds=settings.webhook_retention_days * 86_400.0,
        )

    @property
    def lease_seconds(self) -> float:
        """How long a sweep holds its deliveries: every round of ``concurrency`` attempts at
        its longest (connect, write, read: each up to the timeout), and a margin."""
        rounds = math.ceil(self.sweep_size / self.concurrency)
        return rounds * 4 * self.timeout_seconds + 30.0


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class DeliveryWorker:
    """Sends the outbox: :meth:`run_once` is one sweep; :meth:`start` runs sweeps in a
    thread every ``poll_seconds`` (at once after :meth:`wake`) until :meth:`stop`.

    ``clock`` (epoch seconds) decides what is due and stamps attempts and signatures; tests
    pass a fake one and call :meth:`run_once` themselves. ``transport`` replaces httpx's
    network transport (tests).
    """

    def __init__(
        self,
        webhooks: WebhookStore,
        policy: DeliveryPolicy,
        destinations: DestinationPolicy,
        *,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._webhooks = webhooks
        self._policy = policy
        self._destinations = destinations
        self._clock = clock
        self._client = httpx.Client(
            timeout=policy.timeout_seconds,
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: the vetted address is reached
            # a connection per attempt: pooled ones are keyed by address, and a TLS session
            # made for one name must not carry another's request
            limits=httpx.Limits(max_connections=policy.concurrency, max_keepalive_connections=0),
            transport=transport,
        )
        self._pool = ThreadPoolExecutor(
            max_workers=policy.concurrency, thread_name_prefix="stakemap-webhook"
        )
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_purge = 0.0

    # --- one sweep -------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim the due deliveries (at most ``sweep_size``), send them and record each
        outcome; answer how many were claimed."""
        now = self._clock()
        claimed = self._webhooks.claim_due(
            now, lease_seconds=self._policy.lease_seconds, limit=self._policy.sweep_size
        )
        if claimed:
            list(self._pool.map(self._deliver, claimed))
        if now >= self._next_purge:
            self._next_purge = now + PURGE_EVERY_SECONDS
            self._webhooks.purge_deliveries(now - self._policy.retention_seconds)
        return len(claimed)

    def _deliver(self, claim: Claimed) -> None:
        outcome = self._attempt(claim)
        row = self._settled(claim, outcome)
        if not outcome.delivered:
            logger.info(
                "webhook delivery attempt failed",
                extra={
                    "fields": {
                        "delivery_id": claim.id,
                        "webhook_id": claim.webhook_id,
                        "attempt": claim.attempts,
                        "status_code": outcome.status_code,
                        "outcome": row["status"],
                    }
                },
            )
        try:
            self._webhooks.settle_delivery(row)
        except StakemapError:
            # the lease runs out and the delivery is tried again (the attempt counted)
            logger.warning("could not record a webhook delivery attempt", exc_info=True)

    def _attempt(self, claim: Claimed) -> _Outcome:
        if claim.attempts > self._policy.max_attempts:
            return _Outcome(None, _("an earlier attempt was interrupted; no attempts are left"))
        try:
            destination = self._destinations.vet(claim.url)
        except DestinationRefused as refused:
            return _Outcome(
                None, _clip(_("destination refused: {reason}").format(reason=refused.reason))
            )
        try:
            status = self._post(claim, destination)
        except httpx.TimeoutException:
            return _Outcome(None, _("timed out"))
        except httpx.ConnectError:
            return _Outcome(None, _("could not connect"))
        except httpx.HTTPError as exc:
            return _Outcome(
                None, _clip(_("the request failed ({error})").format(error=type(exc).__name__))
            )
        if 200 <= status < 300:
            return _Outcome(status, None)
        if 300 <= status < 400:
            return _Outcome(status, _("answered a redirect, which is not followed"))
        return _Outcome(status, _("answered {status}").format(status=status))

    def _post(self, claim: Claimed, destination: Destination) -> int:
        body = claim.payload.encode()
        headers = {
            "Host": destination.host_header,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Stakemap-Event": claim.event,
            "Stakemap-Delivery": claim.id,
            "Stakemap-Signature": sign(claim.secret, int(self._clock()), body),
        }
        with self._client.stream(
            "POST",
            destination.connect_url,
            content=body,
            headers=headers,
            extensions=destination.extensions,
        ) as response:  # the body is never read
            return response.status_code

    def _settled(self, claim: Claimed, outcome: _Outcome) -> Row:
        """The stored outcome of an attempt: delivered, retried later, or failed."""
        now = self._clock()
        stamp = iso_time(now)
        if outcome.delivered:
            status, due, settled = DeliveryStatus.DELIVERED, now, now
        elif claim.attempts >= self._policy.max_attempts:
            status, due, settled = DeliveryStatus.FAILED, now, now
        else:
            wait = backoff(
                claim.attempts,
                self._policy.retry_base_seconds,
                self._policy.retry_max_seconds,
                claim.id,
            )
            status, due, settled = DeliveryStatus.PENDING, now + wait, None
        return {
            "id": claim.id,
            "lease": claim.lease,
            "status": status.value,
            "next_attempt_at": due,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
            "last_attempt_at": stamp,
            "delivered_at": stamp if outcome.delivered else None,
            "settled_at": settled,
        }

    # --- the background thread -------------------------------------------------------------

    def wake(self) -> None:
        """Look for due deliveries now (a write may just have enqueued some)."""
        self._wake.set()

    def written(self, event: object) -> None:
        """The writer's listener (:meth:`graph.writer.GraphWriter.subscribe`): wake."""
        self.wake()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="stakemap-webhooks", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            claimed = 0
            try:
                claimed = self.run_once()
            except StakemapError:
                logger.warning("the webhook worker could not reach the store", exc_info=True)
            except Exception:  # a bug: log it, keep delivering
                logger.exception("the webhook worker failed a sweep")
            if claimed < self._policy.sweep_size:
                self._wake.wait(self._policy.poll_seconds)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the sweep in flight (its attempts time out), then stop."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()
