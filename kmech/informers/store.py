"""Object keys, tombstones, and the keyed store an informer caches objects in.

Vocabulary: a *key* names one object in a store: ``"namespace/name"``, or ``"name"`` for a
cluster-scoped object (:func:`meta_namespace_key_func`). A *tombstone*
(:class:`DeletedFinalStateUnknown`) stands for an object whose deletion was learned from a relist
rather than a DELETED event; its ``obj`` is the last state the cache knew (possibly ``None``).
Handlers' ``on_delete`` receives either a real object or a tombstone and must unwrap the latter.

:class:`Cache` is client-go's ``cache``: a :class:`~kmech.informers.thread_safe_store.ThreadSafeStore`
plus a key function, so callers pass objects instead of keys. Objects are stored as given, never
copied: :meth:`Cache.replace` takes ownership of the list, and everything :meth:`Cache.list` or
:meth:`Cache.get_by_key` returns is shared with the informer and every other reader, so it must be
treated as read-only.

Upstream: client-go ``tools/cache/store.go`` (Store, cache, MetaNamespaceKeyFunc, SplitMetaNamespaceKey),
``tools/cache/controller.go`` (DeletionHandlingMetaNamespaceKeyFunc),
``tools/cache/delta_fifo.go`` (DeletedFinalStateUnknown).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kmech.errors import MalformedResponseError
from kmech.informers.index import IndexFunc
from kmech.informers.listwatch import Object
from kmech.informers.thread_safe_store import ThreadSafeStore

__all__ = [
    "KeyFunc",
    "KeyFuncError",
    "DeletedFinalStateUnknown",
    "meta_namespace_key_func",
    "deletion_handling_meta_namespace_key_func",
    "split_meta_namespace_key",
    "object_key",
    "Store",
    "Cache",
]

ObjectList = list[Object]
StrList = list[str]


class KeyFuncError(MalformedResponseError):
    """An object has no usable ``metadata.name`` (or a key has too many ``/``), so it has no key."""


@dataclass(frozen=True, slots=True)
class DeletedFinalStateUnknown:
    """Tombstone: the object under ``key`` was deleted while the watch was not looking.

    ``obj`` is the last state the cache held, or ``None`` when unknown; it may be stale.
    """

    key: str
    obj: Object | None


KeyFunc = Callable[[Any], str]
"""Maps an object (or a tombstone) to its store key; raises :class:`KeyFuncError`."""


def meta_namespace_key_func(obj: Any) -> str:
    """``"namespace/name"``, or ``"name"`` when the object has no namespace. Tombstones map to their key."""
    if type(obj) is DeletedFinalStateUnknown:
        return obj.key
    try:
        md = obj["metadata"]
        name = md["name"]
    except (KeyError, TypeError):
        raise KeyFuncError("object has no metadata.name, so it has no cache key") from None
    ns = md.get("namespace")
    if ns:
        return f"{ns}/{name}"
    return str(name)


def object_key(obj: Mapping[str, Any]) -> str:
    """The key :func:`meta_namespace_key_func` gives, but never raising: a missing name or
    namespace counts as ``""``, and so does a ``metadata`` that is not an object. For display
    and Table-cell bookkeeping, where a malformed object must still be shown rather than stop
    the stream."""
    meta = obj.get("metadata") if isinstance(obj, Mapping) else None
    if not isinstance(meta, Mapping):
        return ""
    ns = meta.get("namespace") or ""
    name = meta.get("name") or ""
    return f"{ns}/{name}" if ns else str(name)


deletion_handling_meta_namespace_key_func = meta_namespace_key_func
"""Same as :func:`meta_namespace_key_func`, which already maps tombstones to their key (kept for
readers who know client-go's name)."""


def split_meta_namespace_key(key: str) -> tuple[str, str]:
    """``(namespace, name)`` from a key; the namespace is ``""`` for cluster-scoped keys."""
    parts = key.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise KeyFuncError(f"unexpected key format {key!r}: expected 'name' or 'namespace/name'")


class Store(Protocol):
    """A keyed set of objects; the key comes from the store's key function."""

    def add(self, obj: Object) -> None: ...

    def update(self, obj: Object) -> None: ...

    def delete(self, obj: Any) -> None: ...

    def list(self) -> ObjectList: ...

    def list_keys(self) -> StrList: ...

    def get(self, obj: Any) -> Object | None: ...

    def get_by_key(self, key: str) -> Object | None: ...

    def replace(self, objects: Iterable[Object], resource_version: str) -> None: ...


class Cache:
    """A thread-safe, indexed :class:`Store` keyed by ``key_func`` (client-go ``NewIndexer``).

    ``indexers`` maps an index name to an :data:`~kmech.informers.index.IndexFunc`. Reads return
    shared objects: do not mutate them.
    """

    __slots__ = ("key_func", "_store")

    def __init__(
        self,
        *,
        key_func: KeyFunc = meta_namespace_key_func,
        indexers: Mapping[str, IndexFunc] | None = None,
    ) -> None:
        self.key_func = key_func
        self._store = ThreadSafeStore(indexers)

    @property
    def thread_safe_store(self) -> ThreadSafeStore:
        """The underlying key-addressed store (used by the informer's hot path)."""
        return self._store

    def add(self, obj: Object) -> None:
        self._store.add(self.key_func(obj), obj)

    def update(self, obj: Object) -> None:
        self._store.update(self.key_func(obj), obj)

    def delete(self, obj: Any) -> None:
        self._store.delete(self.key_func(obj))

    def list(self) -> ObjectList:
        return self._store.list()

    def list_keys(self) -> StrList:
        return self._store.list_keys()

    def get(self, obj: Any) -> Object | None:
        return self._store.get(self.key_func(obj))

    def get_by_key(self, key: str) -> Object | None:
        return self._store.get(key)

    def __len__(self) -> int:
        return len(self._store)

    def replace(self, objects: Iterable[Object], resource_version: str) -> None:
        """Swap the whole content for ``objects`` (taking ownership of them) and rebuild indices."""
        kf = self.key_func
        self._store.replace({kf(o): o for o in objects}, resource_version)

    def resync(self) -> None:
        """Nothing to do for a plain cache (kept for the Store shape)."""

    def bookmark(self, resource_version: str) -> None:
        self._store.bookmark(resource_version)

    def last_store_sync_resource_version(self) -> str:
        return self._store.last_store_sync_resource_version()

    # Indexer
    def index(self, index_name: str, obj: Object) -> ObjectList:
        return self._store.index(index_name, obj)

    def index_keys(self, index_name: str, indexed_value: str) -> StrList:
        return self._store.index_keys(index_name, indexed_value)

    def by_index(self, index_name: str, indexed_value: str) -> ObjectList:
        return self._store.by_index(index_name, indexed_value)

    def list_index_func_values(self, index_name: str) -> StrList:
        return self._store.list_index_func_values(index_name)

    def get_indexers(self) -> dict[str, IndexFunc]:
        return self._store.get_indexers()

    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None:
        self._store.add_indexers(indexers)


if TYPE_CHECKING:
    from kmech.informers.index import Indexer

    _store_check: Store = Cache()
    _indexer_check: Indexer = Cache()
