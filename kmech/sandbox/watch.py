"""One open watch: its queue of store events, its filter, and the events it puts on the wire.

A :class:`Watcher` is registered with the store (:meth:`Storage.register`), which calls
:meth:`Watcher.offer` for every write of the watched resource while holding the store lock; the
offer only appends to a queue. The HTTP thread that owns the watch drains the queue with
:meth:`Watcher.next_batch`, and :meth:`Watcher.translate` applies namespace and selector
filters the way kube-apiserver's watch cache does: an object that starts matching arrives as
ADDED, one that stops matching as DELETED carrying its previous content at the new
resourceVersion.

Upstream: kubernetes ``staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go``
(convertToWatchEvent).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from kmech.sandbox.selectors import FieldSelector, LabelSelector
from kmech.sandbox.storage import EventType, ResourceKey, StoredEvent

__all__ = ["WatchFilter", "Watcher"]


@dataclass(frozen=True, slots=True)
class WatchFilter:
    """Namespace (None = all) plus label and field selectors."""

    namespace: str | None = None
    labels: LabelSelector = LabelSelector()
    fields: FieldSelector = FieldSelector()

    def matches(self, obj: dict[str, Any]) -> bool:
        """Whether ``obj`` is selected."""
        meta = obj.get("metadata") or {}
        if self.namespace and meta.get("namespace") != self.namespace:
            return False
        return self.labels.matches(meta.get("labels")) and self.fields.matches(obj)

    @property
    def trivial(self) -> bool:
        """True when every object of the resource is selected."""
        return not self.namespace and self.labels.empty and self.fields.empty


class Watcher:
    """The server side of one watch stream. ``offer``/``expire`` may be called from any thread."""

    def __init__(self, key: ResourceKey, flt: WatchFilter, *, name: str = "") -> None:
        self.key = key
        self.filter = flt
        self.name = name
        self._cond = threading.Condition()
        self._queue: deque[StoredEvent] = deque()
        self._closed = False
        self.expired_floor: int | None = None

    def offer(self, event: StoredEvent) -> None:
        """Queue a store event (called with the store lock held: cheap, never blocks)."""
        with self._cond:
            self._queue.append(event)
            self._cond.notify()

    def expire(self, floor: int) -> None:
        """Ask the stream to send a 410 ERROR and end (history compacted under it)."""
        with self._cond:
            self.expired_floor = floor
            self._cond.notify()

    def close(self) -> None:
        """Ask the stream to end now (server stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def wake(self) -> None:
        """Make a blocked :meth:`next_batch` return so the stream re-reads its faults."""
        with self._cond:
            self._cond.notify()

    def wait_closed(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, returning early (True) once the watch is closed."""
        with self._cond:
            return self._cond.wait_for(lambda: self._closed, timeout)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def pending(self) -> int:
        """Number of queued, unsent events."""
        with self._cond:
            return len(self._queue)

    def next_batch(self, timeout: float, limit: int = 1000) -> list[StoredEvent]:
        """Up to ``limit`` queued events; waits up to ``timeout`` seconds when none is queued."""
        with self._cond:
            if not self._queue and not self._closed and self.expired_floor is None:
                self._cond.wait(timeout)
            out: list[StoredEvent] = []
            while self._queue and len(out) < limit:
                out.append(self._queue.popleft())
            return out

    def translate(self, event: StoredEvent) -> tuple[EventType, dict[str, Any]] | None:
        """The event this watcher sends for a store event, or None when filtered out."""
        flt = self.filter
        if flt.trivial:
            return event.type, event.obj
        if event.type is EventType.DELETED:
            return (event.type, event.obj) if flt.matches(event.obj) else None
        now = flt.matches(event.obj)
        before = event.prev is not None and flt.matches(event.prev)
        if event.type is EventType.ADDED or event.prev is None:
            return (EventType.ADDED, event.obj) if now else None
        if now and before:
            return EventType.MODIFIED, event.obj
        if now:
            return EventType.ADDED, event.obj
        if before:
            assert event.prev is not None
            prev = dict(event.prev)
            meta = dict(prev.get("metadata") or {})
            meta["resourceVersion"] = event.obj["metadata"]["resourceVersion"]
            prev["metadata"] = meta
            return EventType.DELETED, prev
        return None
