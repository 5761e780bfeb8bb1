"""Read-only views of an informer's cache: list with a label selector, get by name.

Listers never call the API: they read the indexer the informer keeps in step with the server, so
they are cheap and may be a little behind the server (and, while a handler runs, a little ahead of
the notification it is handling). A miss raises :class:`~kmech.errors.NotFoundError`, as the
generated client-go listers do, rather than returning ``None``. Returned objects are shared with the
cache: read-only.

Upstream: client-go ``tools/cache/listers.go`` (ListAll, ListAllByNamespace, GenericLister).
"""

from __future__ import annotations

from kmech.errors import NotFoundError, Status
from kmech.informers.index import NAMESPACE_INDEX, Indexer, IndexerError
from kmech.informers.listwatch import Object
from kmech.labels import EVERYTHING, LabelSelector, parse_label_selector

__all__ = ["Lister", "NamespaceLister"]

SelectorArg = LabelSelector | str | None


def _selector(selector: SelectorArg) -> LabelSelector:
    if selector is None:
        return EVERYTHING
    if isinstance(selector, str):
        return parse_label_selector(selector)
    return selector


def _labels_of(obj: Object) -> dict[str, str] | None:
    md = obj.get("metadata")
    return md.get("labels") if isinstance(md, dict) else None


def _filter(objs: list[Object], sel: LabelSelector) -> list[Object]:
    if sel.empty():
        return objs
    return [o for o in objs if sel.matches(_labels_of(o))]


def _not_found(resource: str, name: str) -> NotFoundError:
    what = f'{resource} "{name}"' if resource else f'"{name}"'
    msg = f"{what} not found in the informer cache"
    return NotFoundError(msg, Status(404, "NotFound", msg))


class Lister:
    """Lists and gets objects of one informer across all its namespaces.

    ``resource`` (e.g. ``"pods"``) only names things in NotFound messages.
    """

    __slots__ = ("_indexer", "_resource")

    def __init__(self, indexer: Indexer, *, resource: str = "") -> None:
        self._indexer = indexer
        self._resource = resource

    def list(self, selector: SelectorArg = None) -> list[Object]:
        """Every cached object whose labels match ``selector`` (a string or a parsed selector)."""
        return _filter(self._indexer.list(), _selector(selector))

    def get(self, name: str) -> Object:
        """The cluster-scoped object ``name`` (key ``name``); raises NotFoundError."""
        obj = self._indexer.get_by_key(name)
        if obj is None:
            raise _not_found(self._resource, name)
        return obj

    def by_namespace(self, namespace: str) -> NamespaceLister:
        """A lister limited to ``namespace``; ``""`` means every namespace."""
        return NamespaceLister(self._indexer, namespace, resource=self._resource)


class NamespaceLister:
    """Lists and gets objects of one namespace (``""``: all namespaces)."""

    __slots__ = ("_indexer", "_namespace", "_resource")

    def __init__(self, indexer: Indexer, namespace: str, *, resource: str = "") -> None:
        self._indexer = indexer
        self._namespace = namespace
        self._resource = resource

    def list(self, selector: SelectorArg = None) -> list[Object]:
        sel = _selector(selector)
        if not self._namespace:
            return _filter(self._indexer.list(), sel)
        try:
            objs = self._indexer.by_index(NAMESPACE_INDEX, self._namespace)
        except IndexerError:
            # No namespace index: fall back to a full scan, as client-go's ListAllByNamespace does.
            objs = [
                o
                for o in self._indexer.list()
                if (o.get("metadata") or {}).get("namespace", "") == self._namespace
            ]
        return _filter(objs, sel)

    def get(self, name: str) -> Object:
        """The object ``name`` in this namespace; raises NotFoundError."""
        key = f"{self._namespace}/{name}" if self._namespace else name
        obj = self._indexer.get_by_key(key)
        if obj is None:
            raise _not_found(self._resource, name)
        return obj
