"""A key-addressed object map with secondary indices, safe to use from many threads.

Every operation holds one lock, so readers always see a consistent map and consistent indices.
Objects are stored and returned as they are, never copied: whatever :meth:`ThreadSafeStore.list`,
:meth:`ThreadSafeStore.get` or :meth:`ThreadSafeStore.by_index` return is shared with every other
reader and must not be mutated (client-go has an opt-in mutation detector for the same reason).

The store also remembers the resourceVersion of the last replace or bookmark applied to it
(client-go's ``LastStoreSyncResourceVersion``).

Upstream: client-go ``tools/cache/thread_safe_store.go`` (threadSafeMap, storeIndex).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from kmech.informers.index import IndexerError, IndexFunc, meta_namespace_index_func
from kmech.informers.listwatch import Object

__all__ = ["ThreadSafeStore"]

ObjectList = list[Object]
StrList = list[str]


class ThreadSafeStore:
    """``key -> object`` plus ``index name -> indexed value -> {keys}``; one lock for all.

    An index function that raises makes the store operation raise :class:`IndexerError` (client-go
    panics); the map is left unchanged for that key.
    """

    __slots__ = ("_lock", "_items", "_indexers", "_indices", "_rv")

    def __init__(self, indexers: Mapping[str, IndexFunc] | None = None) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Object] = {}
        self._indexers: dict[str, IndexFunc] = dict(indexers or {})
        self._indices: dict[str, dict[str, set[str]]] = {name: {} for name in self._indexers}
        self._rv = ""

    # -- writes ------------------------------------------------------------------------------
    def add(self, key: str, obj: Object) -> None:
        self.update(key, obj)

    def update(self, key: str, obj: Object) -> None:
        self.swap(key, obj)

    def swap(self, key: str, obj: Object) -> Object | None:
        """Store ``obj`` under ``key`` and return what was there (one lock round trip)."""
        with self._lock:
            old = self._items.get(key)
            if self._indexers:
                self._update_indices_locked(old, obj, key)
            self._items[key] = obj
            return old

    def pop(self, key: str) -> Object | None:
        """Remove ``key`` and return its object (``None`` if absent)."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None and self._indexers:
                self._update_indices_locked(old, None, key)
            return old

    def delete(self, key: str) -> None:
        self.pop(key)

    def replace(self, items: dict[str, Object], resource_version: str) -> None:
        """Swap in ``items`` (taking ownership of the dict) and rebuild every index."""
        indices: dict[str, dict[str, set[str]]] = {name: {} for name in self._indexers}
        for name, fn in self._indexers.items():
            index = indices[name]
            for key, obj in items.items():
                for value in _call_index(name, fn, obj):
                    bucket = index.get(value)
                    if bucket is None:
                        index[value] = {key}
                    else:
                        bucket.add(key)
        with self._lock:
            self._items = items
            self._indices = indices
            self._rv = resource_version

    def bookmark(self, resource_version: str) -> None:
        """Record ``resource_version`` as the last one this store is known to be in step with."""
        with self._lock:
            self._rv = resource_version

    def _update_indices_locked(self, old: Object | None, new: Object | None, key: str) -> None:
        for name, fn in self._indexers.items():
            if fn is meta_namespace_index_func and old is not None and new is not None:
                # Fast path for the built-in index: a namespace never changes in an update.
                if old["metadata"].get("namespace") == new["metadata"].get("namespace"):
                    continue
            old_values = _call_index(name, fn, old) if old is not None else []
            new_values = _call_index(name, fn, new) if new is not None else []
            # The common case (a pod's namespace or node does not change): nothing to do.
            if len(old_values) == 1 and len(new_values) == 1 and old_values[0] == new_values[0]:
                continue
            index = self._indices[name]
            for value in old_values:
                bucket = index.get(value)
                if bucket is not None:
                    bucket.discard(key)
                    if not bucket:
                        del index[value]
            for value in new_values:
                bucket = index.get(value)
                if bucket is None:
                    index[value] = {key}
                else:
                    bucket.add(key)

    # -- reads -------------------------------------------------------------------------------
    def get(self, key: str) -> Object | None:
        with self._lock:
            return self._items.get(key)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def list(self) -> ObjectList:
        with self._lock:
            return list(self._items.values())

    def list_keys(self) -> StrList:
        with self._lock:
            return list(self._items)

    def snapshot(self) -> dict[str, Object]:
        """A shallow copy of the key map (the objects themselves are shared)."""
        with self._lock:
            return dict(self._items)

    def last_store_sync_resource_version(self) -> str:
        with self._lock:
            return self._rv

    def index(self, index_name: str, obj: Object) -> ObjectList:
        with self._lock:
            fn = self._indexer_locked(index_name)
            index = self._indices[index_name]
            keys: set[str] = set()
            for value in _call_index(index_name, fn, obj):
                keys.update(index.get(value, ()))
            return [self._items[k] for k in keys]

    def index_keys(self, index_name: str, indexed_value: str) -> StrList:
        with self._lock:
            self._indexer_locked(index_name)
            return list(self._indices[index_name].get(indexed_value, ()))

    def by_index(self, index_name: str, indexed_value: str) -> ObjectList:
        with self._lock:
            self._indexer_locked(index_name)
            keys = self._indices[index_name].get(indexed_value, ())
            return [self._items[k] for k in keys]

    def list_index_func_values(self, index_name: str) -> StrList:
        with self._lock:
            self._indexer_locked(index_name)
            return list(self._indices[index_name])

    def get_indexers(self) -> dict[str, IndexFunc]:
        with self._lock:
            return dict(self._indexers)

    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None:
        """Add index functions and back-fill them over the current items.

        Raises :class:`IndexerError` if a name is already registered (nothing is added then).
        """
        with self._lock:
            clash = sorted(set(indexers) & set(self._indexers))
            if clash:
                raise IndexerError(f"indexer conflict: {', '.join(clash)} already registered")
            for name, fn in indexers.items():
                index: dict[str, set[str]] = {}
                for key, obj in self._items.items():
                    for value in _call_index(name, fn, obj):
                        index.setdefault(value, set()).add(key)
                self._indexers[name] = fn
                self._indices[name] = index

    def _indexer_locked(self, index_name: str) -> IndexFunc:
        fn = self._indexers.get(index_name)
        if fn is None:
            raise IndexerError(f"index with name {index_name!r} does not exist")
        return fn


def _call_index(name: str, fn: IndexFunc, obj: Any) -> StrList:
    try:
        return fn(obj)
    except Exception as exc:  # an index function is user code; name it in the error
        raise IndexerError(f"index function {name!r} failed: {exc}") from exc
