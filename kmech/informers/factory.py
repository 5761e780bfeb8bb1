"""One shared informer per resource and selector set, however many views ask for it.

The factory is HTTP-free: it is given a function that builds a
:class:`~kmech.informers.listwatch.ListerWatcher` for an :class:`InformerKey` (the CLI passes one
that talks HTTP; tests pass one returning a :class:`~kmech.informers.testing.FakeControllerSource`).

- :meth:`SharedInformerFactory.for_resource` returns the existing informer for a key or creates
  one; creating does not start it.
- :meth:`SharedInformerFactory.start` starts every informer not yet started; calling it again starts
  only the new ones.
- :meth:`SharedInformerFactory.wait_for_cache_sync` waits on *started* informers only.
- :meth:`SharedInformerFactory.shutdown` stops them all and waits.

Upstream: client-go ``informers/factory.go`` (sharedInformerFactory: InformerFor, Start,
WaitForCacheSync, Shutdown), ``dynamic/dynamicinformer/informer.go`` (keyed by GVR).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Protocol

from kmech.clock import Clock, Duration, RealClock
from kmech.errors import KmechError
from kmech.informers.index import IndexFunc
from kmech.informers.listwatch import ListerWatcher
from kmech.informers.reflector import ReflectorOptions
from kmech.informers.shared_informer import SharedIndexInformer, wait_for_cache_sync

__all__ = [
    "GroupVersionResourceLike",
    "InformerKey",
    "ListerWatcherFactory",
    "SharedInformerFactory",
]


class GroupVersionResourceLike(Hashable, Protocol):
    """Anything with ``group``, ``version``, ``resource`` (kmech.mapper's GroupVersionResource)."""

    @property
    def group(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def resource(self) -> str: ...


@dataclass(frozen=True, slots=True)
class InformerKey:
    """What makes two informers different: resource, namespace (``""``: all), selectors, variant."""

    gvr: GroupVersionResourceLike
    namespace: str = ""
    label_selector: str = ""
    field_selector: str = ""
    metadata_only: bool = False

    @property
    def name(self) -> str:
        """``pods``, ``deployments.apps``, with ``@ns`` when namespaced (thread and trace names)."""
        base = self.gvr.resource + (f".{self.gvr.group}" if self.gvr.group else "")
        return f"{base}@{self.namespace}" if self.namespace else base


ListerWatcherFactory = Callable[[InformerKey], ListerWatcher]


class SharedInformerFactory:
    """Hands out one :class:`SharedIndexInformer` per :class:`InformerKey`. Thread-safe.

    ``default_resync`` is every new informer's default handler resync (0 = off). ``rng_seed``, if
    given, seeds each informer's random source (seed + creation index) for reproducible tests.
    """

    def __init__(
        self,
        lister_watcher_factory: ListerWatcherFactory,
        *,
        default_resync: Duration = Duration(0),  # noqa: B008 - a NewType, not a call with effects
        reflector_options: ReflectorOptions | None = None,
        indexers: Mapping[str, IndexFunc] | None = None,
        clock: Clock | None = None,
        rng_seed: int | None = None,
    ) -> None:
        self._lw_factory = lister_watcher_factory
        self._default_resync = default_resync
        self._reflector_options = reflector_options
        self._indexers = dict(indexers or {})
        self._clock: Clock = clock or RealClock()
        self._rng_seed = rng_seed
        self._lock = threading.Lock()
        self._informers: dict[InformerKey, SharedIndexInformer] = {}
        self._started: set[InformerKey] = set()
        self._shutting_down = False

    def for_resource(
        self,
        gvr: GroupVersionResourceLike,
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
        metadata_only: bool = False,
    ) -> SharedIndexInformer:
        """The informer for this key, created (not started) on first request."""
        key = InformerKey(gvr, namespace, label_selector, field_selector, metadata_only)
        return self.informer_for(key)

    def informer_for(self, key: InformerKey) -> SharedIndexInformer:
        with self._lock:
            informer = self._informers.get(key)
            if informer is None:
                if self._shutting_down:
                    raise KmechError("the informer factory is shut down; create a new one")
                rng = (
                    random.Random(self._rng_seed + len(self._informers))
                    if self._rng_seed is not None
                    else random.Random()
                )
                informer = SharedIndexInformer(
                    self._lw_factory(key),
                    name=key.name,
                    resync_period=self._default_resync,
                    indexers=self._indexers,
                    reflector_options=self._reflector_options,
                    clock=self._clock,
                    rng=rng,
                )
                self._informers[key] = informer
            return informer

    def start(self) -> None:
        """Start every informer not started yet."""
        with self._lock:
            if self._shutting_down:
                return
            todo = [(k, i) for k, i in self._informers.items() if k not in self._started]
            self._started.update(k for k, _ in todo)
        for _, informer in todo:
            informer.start()

    def wait_for_cache_sync(
        self, *, timeout_seconds: float | None = None, stop: threading.Event | None = None
    ) -> dict[InformerKey, bool]:
        """Wait for every *started* informer; returns ``{key: synced}``."""
        with self._lock:
            started = {k: self._informers[k] for k in self._started}
        wait_for_cache_sync(*started.values(), timeout_seconds=timeout_seconds, stop=stop)
        return {k: i.has_synced() for k, i in started.items()}

    def informers(self) -> dict[InformerKey, SharedIndexInformer]:
        with self._lock:
            return dict(self._informers)

    def shutdown(self, *, timeout_seconds: float | None = 5.0) -> None:
        """Stop every informer and wait for their threads; later requests fail."""
        with self._lock:
            self._shutting_down = True
            informers = list(self._informers.values())
        for informer in informers:
            informer.stop(timeout_seconds=timeout_seconds)
