"""Per-key token buckets: each API key has its own budget, so one tenant hammering the API
gets 429s while every other key keeps its full rate. Failed authentications are throttled
per client address (:class:`FailureThrottle`)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from ipaddress import IPv4Network, IPv6Network, ip_address


class TokenBuckets:
    """``rate`` tokens per second up to ``burst``, one bucket per key.

    >>> now = [0.0]
    >>> buckets = TokenBuckets(rate=1.0, burst=2, clock=lambda: now[0])
    >>> [buckets.take("k") for _ in range(3)]
    [0.0, 0.0, 1.0]
    >>> now[0] = 1.0
    >>> buckets.take("k")
    0.0
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token; 0.0 when allowed, else the seconds until one is available."""
        if self._rate <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self._rate


class FailureThrottle:
    """At most ``limit`` failed authentications per client address per ``window`` seconds.

    Past the limit the address is refused (429) until its window ends, before any store
    read: guessing keys costs the guesser a wait and the store nothing. The table is
    bounded (``max_addresses``; the oldest windows are dropped first).

    >>> now = [0.0]
    >>> throttle = FailureThrottle(limit=2, window=60.0, clock=lambda: now[0])
    >>> throttle.failed("1.2.3.4"); throttle.failed("1.2.3.4")
    >>> throttle.wait("1.2.3.4"), throttle.wait("5.6.7.8")
    (60.0, 0.0)
    >>> now[0] = 60.0
    >>> throttle.wait("1.2.3.4")
    0.0
    """

    def __init__(
        self,
        limit: int,
        window: float,
        max_addresses: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window = window
        self._max = max_addresses
        self._clock = clock
        self._failures: OrderedDict[str, tuple[float, int]] = OrderedDict()  # start, count
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """0.0 when this address may try a key, else the seconds until it may."""
        with self._lock:
            found = self._failures.get(address)
            if found is None:
                return 0.0
            start, count = found
            left = start + self._window - self._clock()
            if left <= 0:
                del self._failures[address]
                return 0.0
            return left if count >= self._limit else 0.0

    def failed(self, address: str) -> None:
        """Count one failed authentication from this address."""
        with self._lock:
            now = self._clock()
            start, count = self._failures.get(address, (now, 0))
            if now - start >= self._window:
                start, count = now, 0
            self._failures[address] = (start, count + 1)
            while len(self._failures) > self._max:
                self._failures.popitem(last=False)


def client_address(
    peer: str | None, forwarded_for: list[str], trusted: list[IPv4Network | IPv6Network]
) -> str:
    """The client's address: the peer's, or when the peer is a trusted proxy the rightmost
    ``X-Forwarded-For`` entry that is not itself a trusted proxy (entries left of it could
    be forged by the client).

    >>> from ipaddress import ip_network
    >>> proxies = [ip_network("10.0.0.0/8")]
    >>> client_address("10.0.0.2", ["6.6.6.6, 1.2.3.4, 10.0.0.3"], proxies)
    '1.2.3.4'
    >>> client_address("1.2.3.4", ["6.6.6.6"], proxies)
    '1.2.3.4'
    """
    if peer is None:
        return "unknown"
    if not trusted or not forwarded_for or not _within(peer, trusted):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        if hop and not _within(hop, trusted):
            return hop[:64]
    return peer


def _within(address: str, networks: list[IPv4Network | IPv6Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
