"""DeltaFIFO: client-go's pre-v0.33 informer queue, kept as a reference mode (spec §4.3).

Deltas pile up *per key*: each key sits in the queue once, at the position where its first pending
delta arrived, and :meth:`DeltaFIFO.pop` hands over all of that key's deltas at once. So with A1, B1,
A2 queued before processing, handlers see A1, A2, B1 (the ordering problem the in-order queue of
:mod:`kmech.informers.fifo` fixes). Other differences from the in-order queue:

- a delete for a key that is neither known (in the informer's store) nor pending is dropped;
- two consecutive deletes of one key collapse into one, preferring a real object over a tombstone;
- :meth:`DeltaFIFO.replace` queues ``Replaced`` for every listed object first, then
  ``Deleted(DeletedFinalStateUnknown)`` for pending and known keys missing from the list;
- :meth:`DeltaFIFO.resync` queues ``Sync`` only for known keys with nothing pending.

``has_synced`` becomes true once as many keys as the first replace queued have been processed.

Upstream: client-go ``tools/cache/delta_fifo.go`` (DeltaFIFO, queueActionLocked, dedupDeltas,
isDeletionDup, Replace, Resync, Pop) at v0.32.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kmech.informers.fifo import Delta, DeltaType, QueueClosedError, TransformFunc
from kmech.informers.listwatch import Object
from kmech.informers.store import DeletedFinalStateUnknown, KeyFunc, meta_namespace_key_func

__all__ = ["Deltas", "KnownObjects", "DeltaFIFO"]


@dataclass(frozen=True, slots=True)
class Deltas:
    """Every pending delta of one key, oldest first."""

    key: str
    deltas: tuple[Delta, ...]


class KnownObjects(Protocol):
    """What DeltaFIFO reads from the informer's store to detect deletions and resyncs."""

    def list_keys(self) -> list[str]: ...

    def get(self, key: str) -> Object | None: ...


def _is_deletion_dup(newer: Delta, older: Delta) -> Delta | None:
    if newer.type is not DeltaType.DELETED or older.type is not DeltaType.DELETED:
        return None
    # Keep the one with the most information: a real object beats a tombstone.
    if type(older.object) is DeletedFinalStateUnknown:
        return newer
    return older


class DeltaFIFO:
    """Per-key coalescing queue; many producers, one consumer."""

    def __init__(
        self,
        known_objects: KnownObjects,
        *,
        key_func: KeyFunc = meta_namespace_key_func,
        transform: TransformFunc | None = None,
    ) -> None:
        self._known = known_objects
        self._key_func = key_func
        self._transform = transform
        self._mutex = threading.Lock()
        self._cond = threading.Condition(self._mutex)
        self._items: dict[str, list[Delta]] = {}
        self._queue: deque[str] = deque()
        self._populated = False
        self._initial_count = 0
        self._closed = False
        self._synced_event = threading.Event()

    # -- producers ------------------------------------------------------------------------------
    def _queue_action_locked(self, dtype: DeltaType, obj: Any) -> None:
        key = self._key_func(obj)
        if (
            self._transform is not None
            and dtype is not DeltaType.SYNC
            and type(obj) is not DeletedFinalStateUnknown
        ):
            obj = self._transform(obj)
        deltas = self._items.get(key)
        if deltas is None:
            self._items[key] = [Delta(dtype, obj)]
            self._queue.append(key)
        else:
            deltas.append(Delta(dtype, obj))
            if len(deltas) >= 2:
                keep = _is_deletion_dup(deltas[-1], deltas[-2])
                if keep is not None:
                    deltas[-2:] = [keep]
        self._cond.notify()

    def _mark_populated_locked(self) -> None:
        if not self._populated:
            self._populated = True
            self._synced_event.set()

    def add(self, obj: Object) -> None:
        with self._mutex:
            self._mark_populated_locked()
            self._queue_action_locked(DeltaType.ADDED, obj)

    def update(self, obj: Object) -> None:
        with self._mutex:
            self._mark_populated_locked()
            self._queue_action_locked(DeltaType.UPDATED, obj)

    def delete(self, obj: Object) -> None:
        with self._mutex:
            self._mark_populated_locked()
            key = self._key_func(obj)
            if key not in self._items and self._known.get(key) is None:
                return  # neither known nor pending: nothing to delete
            self._queue_action_locked(DeltaType.DELETED, obj)

    def replace(self, objects: list[Object], resource_version: str) -> None:
        with self._mutex:
            keys: set[str] = set()
            for obj in objects:
                keys.add(self._key_func(obj))
                self._queue_action_locked(DeltaType.REPLACED, obj)
            deletions = 0
            for key, deltas in list(self._items.items()):
                if key in keys:
                    continue
                newest = deltas[-1].object if deltas else None
                # A tombstone's tombstone carries the object inside, not the tombstone.
                last = newest.obj if isinstance(newest, DeletedFinalStateUnknown) else newest
                deletions += 1
                self._queue_action_locked(DeltaType.DELETED, DeletedFinalStateUnknown(key, last))
            for key in self._known.list_keys():
                if key in keys or self._items.get(key):
                    continue
                deletions += 1
                self._queue_action_locked(
                    DeltaType.DELETED, DeletedFinalStateUnknown(key, self._known.get(key))
                )
            if not self._populated:
                self._populated = True
                self._initial_count = len(keys) + deletions
                if self._initial_count == 0:
                    self._synced_event.set()

    def resync(self) -> None:
        with self._mutex:
            for key in self._known.list_keys():
                obj = self._known.get(key)
                if obj is None or self._items.get(key):
                    continue
                self._queue_action_locked(DeltaType.SYNC, obj)

    def bookmark(self, resource_version: str) -> None:
        """DeltaFIFO has no bookmark items (the RV is only recorded by the reflector)."""

    # -- consumer -------------------------------------------------------------------------------
    def pop(self, process: Callable[[Deltas, bool], Any]) -> int:
        """Wait for the first key and call ``process(Deltas, is_in_initial_list)``."""
        with self._mutex:
            while not self._queue:
                if self._closed:
                    raise QueueClosedError
                self._cond.wait()
            initial = not (self._populated and self._initial_count == 0)
            counted = self._initial_count > 0
            key = self._queue.popleft()
            deltas = self._items.pop(key, [])
        try:
            process(Deltas(key, tuple(deltas)), initial)
        finally:
            if counted:
                with self._mutex:
                    self._initial_count -= 1
                    if self._initial_count == 0:
                        self._synced_event.set()
        return 1

    def close(self) -> None:
        with self._mutex:
            self._closed = True
            self._cond.notify_all()

    def clear(self) -> None:
        with self._mutex:
            self._items.clear()
            self._queue.clear()

    def has_synced(self) -> bool:
        with self._mutex:
            return self._populated and self._initial_count == 0

    def wait_synced(self, timeout_seconds: float | None) -> bool:
        return self._synced_event.wait(timeout_seconds)

    def __len__(self) -> int:
        return len(self._queue)
