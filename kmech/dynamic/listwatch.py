"""The HTTP ListerWatcher: LIST and WATCH of one resource over the REST client.

Owns URL building (core and named groups, one namespace, all namespaces, cluster-scoped), the
``Accept`` header of each representation (full objects, PartialObjectMetadata, server-side Table),
and the translation of responses into the informers' :class:`~kmech.informers.listwatch.ListResult`
and :class:`~kmech.informers.listwatch.WatchEvent`. It holds no informer state: paging, resume
resourceVersions and retries are the reflector's.

Promises:

- every LIST and WATCH of one instance sends the same ``labelSelector`` and ``fieldSelector``
  (the ones given to the constructor win over the options, like client-go's tweakListOptions);
- WATCH requests carry ``watch=true`` and a ``timeoutSeconds`` (the reflector's, or one drawn in
  [min, 2·min) when the caller left it unset), and have a client-side read-idle timeout, so a
  half-open connection ends as a clean stream end (RequestTimeoutError while iterating);
- errors are the transport's kmech errors, unchanged (GoneError, TooManyRequestsError with
  ``retry_after_seconds``, ForbiddenError, ConnectError, RequestTimeoutError); a malformed list
  or event raises WatchDecodeError;
- in Table mode (``includeObject=Object``) each row's full object is what the informer sees; the
  row's cells and the column definitions are kept in :attr:`HTTPListerWatcher.table` for display.

Upstream: client-go ``tools/cache/listwatch.go`` (NewFilteredListWatchFromClient),
``dynamic/simple.go`` (URL layout), ``metadata/metadata.go`` (metadata Accept headers),
kubectl ``pkg/cmd/get/get.go`` (Table Accept header).
"""

from __future__ import annotations

import builtins
import random
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from kmech.errors import APIStatusError, ForbiddenError, UnauthorizedError, WatchDecodeError
from kmech.informers.listwatch import (
    EventType,
    ListOptions,
    ListResult,
    Object,
    WatchEvent,
    WatchInterface,
)
from kmech.informers.store import object_key
from kmech.mapper.schema import GroupVersionResource

if TYPE_CHECKING:
    from kmech.informers.listwatch import ListerWatcher
    from kmech.transport.client import WatchStream

__all__ = [
    "ACCEPT_JSON",
    "ACCEPT_METADATA",
    "ACCEPT_METADATA_LIST",
    "ACCEPT_TABLE",
    "ObjectFormat",
    "TableColumn",
    "TableCells",
    "HTTPListerWatcher",
    "HTTPWatch",
    "resource_path",
]

ACCEPT_JSON = "application/json"
ACCEPT_METADATA_LIST = (
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
)
ACCEPT_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
ACCEPT_TABLE = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)

_EVENT_TYPES = {t.value: t for t in EventType}


class ObjectFormat(StrEnum):
    """The representation asked for with the ``Accept`` header."""

    FULL = "full"
    METADATA = "metadata"
    TABLE = "table"


def resource_path(
    gvr: GroupVersionResource, *, namespace: str = "", namespaced: bool = True, name: str = ""
) -> str:
    """The collection (or object) URL path: ``/api/v1/...`` for the core group, else ``/apis/...``.

    ``namespace=""`` on a namespaced resource means all namespaces; a cluster-scoped resource never
    gets a ``namespaces/`` segment, whatever ``namespace`` says.
    """
    root = f"/api/{gvr.version}" if not gvr.group else f"/apis/{gvr.group}/{gvr.version}"
    parts = [root]
    if namespaced and namespace:
        parts.append(f"namespaces/{quote(namespace, safe='')}")
    parts.append(gvr.resource)
    if name:
        parts.append(quote(name, safe=""))
    return "/".join(parts)


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One server-side Table column definition (meta/v1 TableColumnDefinition)."""

    name: str
    type: str = "string"
    format: str = ""
    priority: int = 0


class TableCells:
    """Column definitions and the latest cells per object key, from Table responses.

    Written by the thread that reads the watch, read by the view; every call takes one lock.
    Only the first Table of a watch carries ``columnDefinitions``; the last seen ones stay.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._columns: tuple[TableColumn, ...] = ()
        self._cells: dict[str, tuple[str, ...]] = {}

    @property
    def columns(self) -> tuple[TableColumn, ...]:
        with self._lock:
            return self._columns

    def headers(self, *, wide: bool = False) -> tuple[str, ...]:
        """Column names; priority-0 columns only unless ``wide`` (kubectl ``-o wide``)."""
        with self._lock:
            return tuple(c.name for c in self._columns if wide or c.priority == 0)

    def cells(self, key: str, *, wide: bool = False) -> tuple[str, ...] | None:
        """The last cells seen for ``key`` (filtered like :meth:`headers`), or None."""
        with self._lock:
            cells = self._cells.get(key)
            if cells is None:
                return None
            if wide:
                return cells
            return tuple(
                c for c, col in zip(cells, self._columns, strict=False) if col.priority == 0
            )

    def _set_columns(self, defs: Any) -> None:
        if not isinstance(defs, list) or not defs:
            return
        cols = tuple(
            TableColumn(
                name=str(d.get("name", "")),
                type=str(d.get("type", "string")),
                format=str(d.get("format", "")),
                priority=d["priority"] if isinstance(d.get("priority"), int) else 0,
            )
            for d in defs
            if isinstance(d, dict)
        )
        with self._lock:
            self._columns = cols

    def _set_cells(self, key: str, cells: Any) -> None:
        if isinstance(cells, list):
            text = tuple(_cell_text(c) for c in cells)
            with self._lock:
                self._cells[key] = text

    def _forget(self, key: str) -> None:
        with self._lock:
            self._cells.pop(key, None)


def _cell_text(value: Any) -> str:
    if value is None:
        return "<none>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Client(Protocol):
    """The part of :class:`kmech.transport.client.RESTClient` this module calls."""

    def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, str | int | bool] | None = None,
        accept: str | None = None,
        timeout: float | None = None,
    ) -> Any: ...

    def stream(
        self,
        path: str,
        *,
        params: Mapping[str, str | int | bool] | None = None,
        headers: Mapping[str, str] | None = None,
        read_idle_timeout: float | None = None,
    ) -> WatchStream: ...


class HTTPWatch:
    """One open WATCH: iterate for :class:`WatchEvent`; :meth:`stop` from any thread.

    Iteration ends when the server closes the stream (or after :meth:`stop`); transport errors
    propagate unchanged. An event that is not ``{"type": <known>, "object": {...}}`` raises
    WatchDecodeError. In Table mode one Table event may yield several events (one per row).
    """

    def __init__(self, stream: WatchStream, *, table: TableCells | None) -> None:
        self._stream = stream
        self._table = table

    def __iter__(self) -> Iterator[WatchEvent]:
        table = self._table
        for raw in self._stream:
            etype = _EVENT_TYPES.get(raw.get("type"))  # type: ignore[arg-type]
            obj = raw.get("object")
            if etype is None or not isinstance(obj, dict):
                raise WatchDecodeError(
                    f"malformed watch event: type {raw.get('type')!r} with "
                    f"{type(obj).__name__} object; the informer will relist"
                )
            if table is not None and obj.get("kind") == "Table" and etype is not EventType.ERROR:
                yield from self._table_events(etype, obj, table)
                continue
            yield WatchEvent(etype, obj)

    def _table_events(
        self, etype: EventType, tbl: dict[str, Any], table: TableCells
    ) -> Iterator[WatchEvent]:
        table._set_columns(tbl.get("columnDefinitions"))
        rows = tbl.get("rows") or []
        if not isinstance(rows, builtins.list):
            raise WatchDecodeError("malformed Table watch event: 'rows' is not a list")
        if etype is EventType.BOOKMARK or not rows:
            # A Table-mode bookmark: only the resourceVersion matters.
            meta = tbl.get("metadata")
            yield WatchEvent(etype, {"metadata": dict(meta) if isinstance(meta, dict) else {}})
            return
        for row in rows:
            obj = row.get("object") if isinstance(row, dict) else None
            if not isinstance(obj, dict):
                raise WatchDecodeError("malformed Table watch event: a row has no object")
            key = object_key(obj)
            if etype is EventType.DELETED:
                table._forget(key)
            else:
                table._set_cells(key, row.get("cells"))
            yield WatchEvent(etype, obj)

    def stop(self) -> None:
        self._stream.close()


class HTTPListerWatcher:
    """Lists and watches one resource over HTTP (implements the informers' ListerWatcher).

    Args:
        client: the REST client (thread-safe; shared by every informer of one command).
        gvr: the resource; ``namespaced`` says whether it lives in namespaces.
        namespace: one namespace, or ``""`` for all (ignored for cluster-scoped resources).
        label_selector, field_selector: sent on every request, overriding the options'.
        object_format: full objects, PartialObjectMetadata, or Table rows with full objects.
        read_idle_timeout_seconds: a watch with no bytes for this long ends (spec §9: 70 s).
        min_watch_timeout_seconds: when the reflector leaves ``timeout_seconds`` unset, draw one
            in [min, 2·min) per request (client-go's rule); 0 sends none.
        resource_name: how 401/403 messages name the resource (default: the GVR's resource).
    """

    def __init__(
        self,
        client: _Client,
        gvr: GroupVersionResource,
        *,
        namespaced: bool = True,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
        object_format: ObjectFormat = ObjectFormat.FULL,
        read_idle_timeout_seconds: float | None = 70.0,
        min_watch_timeout_seconds: int = 300,
        rng: random.Random | None = None,
        resource_name: str = "",
    ) -> None:
        self.gvr = gvr
        self.namespaced = namespaced
        self.namespace = namespace if namespaced else ""
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.object_format = object_format
        self.path = resource_path(gvr, namespace=self.namespace, namespaced=namespaced)
        self.table: TableCells | None = (
            TableCells() if object_format is ObjectFormat.TABLE else None
        )
        self._client = client
        self._read_idle = read_idle_timeout_seconds
        self._min_watch_timeout = min_watch_timeout_seconds
        self._rng = rng or random.Random()
        self._resource_name = resource_name or gvr.resource

    # -- ListerWatcher ---------------------------------------------------------------------

    def list(self, options: ListOptions) -> ListResult:
        params = self._params(options)
        accept = self._accept(params, listing=True)
        try:
            body = self._client.get_json(self.path, params=params, accept=accept)
        except (ForbiddenError, UnauthorizedError) as exc:
            raise self._denied(exc, "list") from exc
        if not isinstance(body, dict):
            raise WatchDecodeError(f"LIST {self.path}: the answer is not a JSON object")
        meta = body.get("metadata") or {}
        if not isinstance(meta, dict):
            raise WatchDecodeError(f"LIST {self.path}: 'metadata' is not an object")
        if body.get("kind") == "Table" and self.table is not None:
            items = self._table_items(body, self.table)
        else:
            raw_items = body.get("items")
            if raw_items is None:
                raw_items = []
            if not isinstance(raw_items, list):
                raise WatchDecodeError(f"LIST {self.path}: 'items' is not a list")
            items = raw_items
        rv = str(meta.get("resourceVersion") or "")
        cont = str(meta.get("continue") or "")
        remaining = meta.get("remainingItemCount")
        remaining_count = int(remaining) if isinstance(remaining, int) else None
        return ListResult(
            items=items, resource_version=rv, continue_token=cont, remaining=remaining_count
        )

    def watch(self, options: ListOptions) -> WatchInterface:
        params = self._params(options)
        params["watch"] = "true"
        if options.timeout_seconds is None and self._min_watch_timeout > 0:
            low = self._min_watch_timeout
            params["timeoutSeconds"] = str(int(low + self._rng.random() * low))
        accept = self._accept(params, listing=False)
        try:
            stream = self._client.stream(
                self.path,
                params=params,
                headers={"Accept": accept},
                read_idle_timeout=self._read_idle,
            )
        except (ForbiddenError, UnauthorizedError) as exc:
            raise self._denied(exc, "watch") from exc
        return HTTPWatch(stream, table=self.table)

    # -- helpers -----------------------------------------------------------------------------

    def _params(self, options: ListOptions) -> dict[str, str | int | bool]:
        query: dict[str, str | int | bool] = dict(options.to_query())
        for name, value in (
            ("labelSelector", self.label_selector),
            ("fieldSelector", self.field_selector),
        ):
            if value:
                query[name] = value
            else:
                query.pop(name, None)
        return query

    def _accept(self, params: dict[str, str | int | bool], *, listing: bool) -> str:
        """The ``Accept`` header of this representation; Table mode also adds ``includeObject``."""
        if self.object_format is ObjectFormat.METADATA:
            return ACCEPT_METADATA_LIST if listing else ACCEPT_METADATA
        if self.object_format is ObjectFormat.TABLE:
            params["includeObject"] = "Object"
            return ACCEPT_TABLE
        return ACCEPT_JSON

    def _table_items(self, body: dict[str, Any], table: TableCells) -> builtins.list[Object]:
        table._set_columns(body.get("columnDefinitions"))
        items: builtins.list[Object] = []
        rows = body.get("rows") or []
        if not isinstance(rows, builtins.list):
            raise WatchDecodeError(f"LIST {self.path}: a Table's 'rows' is not a list")
        for row in rows:
            obj = row.get("object") if isinstance(row, dict) else None
            if not isinstance(obj, dict):
                raise WatchDecodeError(f"LIST {self.path}: a Table row has no object")
            table._set_cells(object_key(obj), row.get("cells"))
            items.append(obj)
        return items

    def _denied(self, exc: ForbiddenError | UnauthorizedError, verb: str) -> APIStatusError:
        """The same error class and Status, with a message naming verb, resource, namespace."""
        where = f' in namespace "{self.namespace}"' if self.namespace else ""
        if not self.namespaced:
            where = " at the cluster scope"
        elif not self.namespace:
            where = " in all namespaces"
        text = exc.status.message or exc.status.reason or "no message"
        code = exc.status.code
        what = "forbidden" if isinstance(exc, ForbiddenError) else "unauthorized"
        way_out = (
            "ask a cluster admin for RBAC access, or use another --context"
            if isinstance(exc, ForbiddenError)
            else "check the user in your kubeconfig, or pass --token"
        )
        return type(exc)(
            f"{what} ({code}): cannot {verb} {self._resource_name}{where}: {text}; {way_out}",
            exc.status,
        )


if TYPE_CHECKING:
    _lw: ListerWatcher = HTTPListerWatcher(None, GroupVersionResource("", "v1", "pods"))  # type: ignore[arg-type]
    _w: WatchInterface = HTTPWatch(None, table=None)  # type: ignore[arg-type]
