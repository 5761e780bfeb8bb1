"""A mapper built lazily from discovery that, on a miss, refreshes discovery once and retries.

:class:`DeferredMapper` holds whatever ``build(documents)`` returns (the ``kmech.mapper`` facade
in the CLI). A call that fails with a *miss* (by default any ``kmech.errors.MapperError`` that is
not an ambiguity) while the discovery client is not fresh (its data came from a cache this process
did not write) invalidates discovery, rebuilds and runs the call once more; a second miss is the
answer. This is what makes a CRD created after the cache was written resolvable on the first try.

Conscious difference from client-go: upstream retries inside the mapper stack, so a
``resource.dotted.group`` argument, whose first attempt is a bogus fully-qualified GVR, costs an
invalidation even when the name then resolves (kubernetes/kubernetes#96430). kmech retries only
when the whole resolution misses, so a warm cache stays warm.

Upstream: client-go ``restmapper/discovery.go`` (DeferredDiscoveryRESTMapper: getDelegate, Reset,
KindFor and friends).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from kmech._lazy import logger
from kmech.discovery.client import DiscoveryClient, DiscoveryDocuments
from kmech.errors import MapperError

__all__ = ["DeferredMapper", "is_miss"]


M = TypeVar("M")
T = TypeVar("T")


def is_miss(exc: BaseException) -> bool:
    """A mapper error that fresher discovery could cure: anything but an ambiguity."""
    if not isinstance(exc, MapperError):
        return False
    try:
        from kmech.mapper.errors import is_ambiguous
    except ImportError:  # pragma: no cover - the mapper package is part of kmech
        return True
    return not is_ambiguous(exc)


class DeferredMapper(Generic[M]):
    """Lazily built mapper with one invalidate-and-retry on a miss. Thread-safe."""

    def __init__(
        self,
        discovery: DiscoveryClient,
        build: Callable[[DiscoveryDocuments], M],
        *,
        miss: Callable[[BaseException], bool] = is_miss,
    ) -> None:
        self._discovery = discovery
        self._build = build
        self._miss = miss
        self._lock = threading.Lock()
        self._mapper: M | None = None
        self._documents: DiscoveryDocuments | None = None
        self.resets = 0
        """How many times a miss invalidated discovery (0 or 1 per call)."""

    @property
    def discovery(self) -> DiscoveryClient:
        return self._discovery

    def documents(self) -> DiscoveryDocuments:
        """The discovery documents the current mapper was built from."""
        self.mapper()
        assert self._documents is not None
        return self._documents

    def mapper(self) -> M:
        """The mapper, built on first use."""
        with self._lock:
            if self._mapper is None:
                self._documents = self._discovery.server_groups_and_resources()
                self._mapper = self._build(self._documents)
            return self._mapper

    def reset(self) -> None:
        """Invalidate discovery and drop the mapper; the next use rebuilds both."""
        with self._lock:
            self._discovery.invalidate()
            self._mapper = None
            self._documents = None

    def call(self, fn: Callable[[M], T]) -> T:
        """``fn(mapper)``, retried once on a fresh mapper when it misses on possibly stale data."""
        try:
            return fn(self.mapper())
        except MapperError as exc:
            if not self._miss(exc) or self._discovery.fresh():
                raise
            logger(__name__).info("Invalidating discovery information")
            self.resets += 1
            self.reset()
        return fn(self.mapper())
