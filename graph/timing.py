"""One typed timing decorator for the store's calls.

``@observed`` on a method of a class with an ``_observe`` :class:`Observer` reports each
call's duration and failure under the method's name; the composition root passes an
observer that feeds ``stakemap_store_call_seconds{operation}`` and
``stakemap_store_errors{operation, error}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, TypeVar

__all__ = ["Observer", "observed", "unobserved"]

P = ParamSpec("P")
R = TypeVar("R")


class Observer(Protocol):
    def __call__(self, operation: str, seconds: float, error: Exception | None) -> None: ...


def unobserved(operation: str, seconds: float, error: Exception | None) -> None:
    """The observer of a store nobody measures."""


class _Observed(Protocol):
    _observe: Observer


S = TypeVar("S", bound=_Observed)


def observed(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """``method``, timed: its owner's ``_observe(name, seconds, error)`` hears each call.

    >>> class Clock:
    ...     def __init__(self) -> None:
    ...         self.heard: list[str] = []
    ...         self._observe = lambda name, seconds, error: self.heard.append(name)
    ...     @observed
    ...     def tick(self) -> int:
    ...         return 1
    >>> clock = Clock()
    >>> clock.tick(), clock.heard
    (1, ['tick'])
    """
    name = method.__name__

    @wraps(method)
    def timed(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        try:
            result = method(self, *args, **kwargs)
        except Exception as exc:
            self._observe(name, time.perf_counter() - started, exc)
            raise
        self._observe(name, time.perf_counter() - started, None)
        return result

    return timed
