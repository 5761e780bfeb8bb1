"""The in-order informer queue with atomic relists (spec §4.4): what the reflector feeds.

Every watch event becomes one :class:`Delta`, queued in arrival order with no coalescing, so a
handler sees A1, B1, A2 exactly as the server sent them. A relist becomes one :class:`ReplacedAll`
item holding the whole list; a resync becomes one :class:`SyncAll`; a bookmark one
:class:`Bookmark`. The consumer (the informer) reconciles a ReplacedAll against its store when it
processes it, so deletions are computed against the state the handlers last saw, whatever was still
queued when the relist arrived.

Sync accounting: :meth:`RealFIFO.has_synced` becomes true once the first replace (or, when a watch
came first, the first add/update/delete) *and everything queued before it* has been processed; the
count goes down only after the consumer returns, so ``has_synced`` implies the store holds the
initial list.

Deletes are always queued; dropping a delete for a key that is neither cached nor pending (kmech's
choice, spec §9) happens when the consumer processes it, which is the same decision made later and
without bookkeeping on the hot path.

Upstream: client-go ``tools/cache/the_real_fifo.go`` (RealFIFO, atomic events since v0.36),
``tools/cache/delta_fifo.go`` (DeltaType).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kmech.informers.listwatch import Object
from kmech.informers.store import DeletedFinalStateUnknown

__all__ = [
    "DeltaType",
    "Delta",
    "ReplacedAll",
    "SyncAll",
    "Bookmark",
    "QueueItem",
    "TransformFunc",
    "QueueClosedError",
    "RealFIFO",
]


class DeltaType(StrEnum):
    ADDED = "Added"
    UPDATED = "Updated"
    DELETED = "Deleted"
    REPLACED = "Replaced"  # DeltaFIFO mode: one listed object of a replace
    SYNC = "Sync"  # DeltaFIFO mode: one cached object of a resync


@dataclass(frozen=True, slots=True)
class Delta:
    """One change of one object (a tombstone only for DeltaFIFO's relist deletions)."""

    type: DeltaType
    object: Object | DeletedFinalStateUnknown


@dataclass(frozen=True, slots=True)
class ReplacedAll:
    """A complete list at ``resource_version``: the store becomes exactly ``objects``."""

    objects: list[Object]
    resource_version: str


@dataclass(frozen=True, slots=True)
class SyncAll:
    """Replay the cache to handlers whose resync is due (no server contact)."""


@dataclass(frozen=True, slots=True)
class Bookmark:
    """The server is known to be at ``resource_version``; nothing changes for handlers."""

    resource_version: str


QueueItem = Delta | ReplacedAll | SyncAll | Bookmark

TransformFunc = Callable[[Object], Object]
"""Applied to every object entering the queue (not to tombstones, not to resyncs), e.g. to drop
``managedFields``. It may return the same dict mutated in place: the object is not shared yet."""

_SYNC_ALL = SyncAll()


class QueueClosedError(Exception):
    """Raised by :meth:`RealFIFO.pop` once the queue is closed and drained."""


class RealFIFO:
    """Unbounded FIFO of :data:`QueueItem`; many producers, one consumer.

    Producer methods (``add``/``update``/``delete``/``replace``/``resync``/``bookmark``) never block
    on the consumer. :meth:`pop` blocks until an item is ready or the queue is closed.
    """

    __slots__ = (
        "_mutex",
        "_cond",
        "_items",
        "_populated",
        "_initial_count",
        "_closed",
        "_transform",
        "_waiting",
        "_synced_event",
    )

    def __init__(self, *, transform: TransformFunc | None = None) -> None:
        # Entering the raw lock is C code; Condition.__enter__ is Python (hot path).
        self._mutex = threading.Lock()
        self._cond = threading.Condition(self._mutex)
        self._items: deque[QueueItem] = deque()
        self._populated = False
        self._initial_count = 0
        self._closed = False
        self._transform = transform
        self._waiting = False
        self._synced_event = threading.Event()

    # -- producers (the reflector) -------------------------------------------------------------
    def _put(self, item: QueueItem) -> None:
        with self._mutex:
            if not self._populated:
                # A watch came first: there is no initial list to wait for.
                self._populated = True
                self._synced_event.set()
            self._items.append(item)
            if self._waiting:
                self._cond.notify()

    def add(self, obj: Object) -> None:
        if self._transform is not None:
            obj = self._transform(obj)
        self._put(Delta(DeltaType.ADDED, obj))

    def update(self, obj: Object) -> None:
        if self._transform is not None:
            obj = self._transform(obj)
        self._put(Delta(DeltaType.UPDATED, obj))

    def delete(self, obj: Object) -> None:
        if self._transform is not None:
            obj = self._transform(obj)
        self._put(Delta(DeltaType.DELETED, obj))

    def replace(self, objects: list[Object], resource_version: str) -> None:
        """Queue the full list; takes ownership of ``objects``."""
        if self._transform is not None:
            tf = self._transform
            objects = [tf(o) for o in objects]
        with self._mutex:
            self._items.append(ReplacedAll(objects, resource_version))
            if not self._populated:
                self._populated = True
                # Everything queued so far, this list included, is the initial population.
                self._initial_count = len(self._items)
            if self._waiting:
                self._cond.notify()

    def resync(self) -> None:
        self._put_no_populate(_SYNC_ALL)

    def bookmark(self, resource_version: str) -> None:
        self._put_no_populate(Bookmark(resource_version))

    def _put_no_populate(self, item: QueueItem) -> None:
        with self._mutex:
            self._items.append(item)
            if self._waiting:
                self._cond.notify()

    # -- consumer (the informer) ---------------------------------------------------------------
    def pop(self, process: Callable[[QueueItem, bool], Any]) -> int:
        """Wait for queued items and call ``process(item, is_in_initial_list)`` on them in order.

        While the initial population is outstanding, one item is handed over per call; after that,
        everything queued at the time of the call is handed over in one go (fewer lock round trips
        on the hot path). The queue lock is not held while ``process`` runs (producers keep going);
        the initial population count goes down only after ``process`` returns. Returns the number
        of items processed. Raises :class:`QueueClosedError` when the queue is closed and empty.
        """
        with self._mutex:
            items = self._items
            while not items:
                if self._closed:
                    raise QueueClosedError
                self._waiting = True
                self._cond.wait()
                self._waiting = False
            counted = self._initial_count > 0
            if counted or not self._populated:
                batch = [items.popleft()]
                initial = True
            else:
                batch = list(items)
                items.clear()
                initial = False
        try:
            for item in batch:
                process(item, initial)
        finally:
            if counted:
                with self._mutex:
                    self._initial_count -= 1
                    if self._initial_count == 0:
                        self._synced_event.set()
        return len(batch)

    def close(self) -> None:
        """Wake the consumer; :meth:`pop` raises once the queue is empty."""
        with self._mutex:
            self._closed = True
            self._cond.notify_all()

    def clear(self) -> None:
        """Drop every queued item (used on stop)."""
        with self._mutex:
            self._items.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    def has_synced(self) -> bool:
        """True once the initial population has been processed by the consumer."""
        with self._mutex:
            return self._populated and self._initial_count == 0

    def wait_synced(self, timeout_seconds: float | None) -> bool:
        """Block until :meth:`has_synced` (True) or ``timeout_seconds`` of real time (False)."""
        return self._synced_event.wait(timeout_seconds)

    def __len__(self) -> int:
        return len(self._items)
