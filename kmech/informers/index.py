"""Index functions and the Indexer protocol: secondary lookups over a store.

Vocabulary (as client-go's ``index.go``): an *index name* names an index function ("namespace",
"by_node"); an *indexed value* is one of the strings an index function returns for an object
("ns1", "node-a"); a *key* is the object's store key. An index maps each indexed value to the set
of keys of objects that produce it. An index function may return several values (an object then
appears under each) or none (it appears under none).

Upstream: client-go ``tools/cache/index.go`` (Indexer, IndexFunc, MetaNamespaceIndexFunc).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from kmech.errors import KmechError
from kmech.informers.listwatch import Object

__all__ = [
    "IndexFunc",
    "Indexers",
    "NAMESPACE_INDEX",
    "meta_namespace_index_func",
    "Indexer",
    "IndexerError",
]

ObjectList = list[Object]
StrList = list[str]

IndexFunc = Callable[[Object], list[str]]
"""Returns the indexed values of an object; raising aborts the store operation."""

Indexers = Mapping[str, IndexFunc]

NAMESPACE_INDEX = "namespace"
"""Name of the built-in namespace index every informer registers."""


def meta_namespace_index_func(obj: Object) -> StrList:
    """``[metadata.namespace]`` (``[""]`` for cluster-scoped objects)."""
    md = obj.get("metadata") or {}
    return [md.get("namespace") or ""]


class IndexerError(KmechError):
    """An index name is unknown, an indexer with that name already exists, or an index function failed."""


class Indexer(Protocol):
    """A store that also answers index queries. Returned objects are shared: read-only."""

    def list(self) -> ObjectList: ...

    def list_keys(self) -> StrList: ...

    def get_by_key(self, key: str) -> Object | None: ...

    def index(self, index_name: str, obj: Object) -> ObjectList:
        """Objects sharing any indexed value with ``obj`` under ``index_name``."""
        ...

    def index_keys(self, index_name: str, indexed_value: str) -> StrList: ...

    def by_index(self, index_name: str, indexed_value: str) -> ObjectList: ...

    def list_index_func_values(self, index_name: str) -> StrList: ...

    def get_indexers(self) -> dict[str, IndexFunc]: ...

    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None: ...
