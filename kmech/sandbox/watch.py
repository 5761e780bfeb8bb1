"""One open watch: its queue of store events, its filter, and the bytes it puts on the wire.

A :class:`Watcher` is registered with the store (:meth:`Storage.register`), which calls
:meth:`Watcher.offer` for every write of the watched resource while holding the store lock; the
offer only appends to a queue. :meth:`Watcher.translate` applies namespace and selector filters
the way kube-apiserver's watch cache does: an object that starts matching arrives as ADDED, one
that stops matching as DELETED carrying its previous content at the new resourceVersion.

A :class:`WatchStream` is the response body of one watch request: it drains the watcher in the
connection's thread, encodes events (plain JSON, PartialObjectMetadata or Table rows), sends
bookmarks and the initial-events-end marker, applies watch faults, and flushes once per batch
(several events may share a chunk, as with the real server).

Upstream: kubernetes ``staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go``
(convertToWatchEvent, bookmarks), ``.../endpoints/handlers/watch.go`` (framing),
``.../endpoints/handlers/response.go`` (watchEmbeddedEncoder: Table headers only once).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kmech.sandbox.discovery import ResourceInfo
from kmech.sandbox.faults import Faults, WatchFault, WatchFaultKind
from kmech.sandbox.rest import Representation
from kmech.sandbox.selectors import FieldSelector, LabelSelector
from kmech.sandbox.status import status_for_code
from kmech.sandbox.storage import EventSink, EventType, ResourceKey, Storage, StoredEvent
from kmech.sandbox.tables import partial_object_metadata, table_for

__all__ = ["StreamAbort", "WatchFilter", "WatchStream", "Watcher"]


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
        return not self.namespace and self.labels.empty() and self.fields.empty


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


class _EndStream(Exception):
    """End the stream cleanly (terminating chunk)."""


if TYPE_CHECKING:
    # A Watcher is what the store feeds (the twin of client-go's `var _ Iface = &impl{}`).
    _sink: EventSink = Watcher(ResourceKey("", "pods"), WatchFilter())


class StreamAbort(Exception):
    """The stream must end with a TCP reset, not a terminating chunk (fault injection)."""


class WatchStream:
    """Writes one watch response body: initial events, live events, bookmarks, faults.

    ``write`` sends raw bytes to the client (the HTTP layer already sent the headers);
    ``peer_closed`` tells whether the client hung up. :meth:`run` returns when the watch ends
    cleanly (timeout, stop, a drop fault, an ERROR event); the caller then calls
    :meth:`finish` for the terminating chunk. :class:`StreamAbort` means reset instead.
    """

    def __init__(
        self,
        *,
        write: Callable[[bytes], Any],
        peer_closed: Callable[[], bool],
        storage: Storage,
        faults: Faults,
        stopping: threading.Event,
        info: ResourceInfo,
        rep: Representation,
        watcher: Watcher,
        stream_id: int,
        include_object: str = "Metadata",
        bookmark_interval: float = 60.0,
        wall_time: Callable[[], float] = time.time,
    ) -> None:
        self.write = write
        self.peer_closed = peer_closed
        self.storage = storage
        self.faults = faults
        self.stopping = stopping
        self.info = info
        self.rep = rep
        self.watcher = watcher
        self.stream_id = stream_id
        self.include_object = include_object
        self.bookmark_interval = bookmark_interval
        self.wall_time = wall_time
        self.sent = 0
        self.claims: list[tuple[WatchFault, int]] = []
        self.first_table = True
        self.buffer: list[bytes] = []
        self.closed = False

    # ------------------------------------------------------------- writing

    def _chunk(self, data: bytes) -> None:
        self.write(b"%x\r\n%s\r\n" % (len(data), data))

    def flush(self) -> None:
        if self.buffer:
            data = b"".join(self.buffer)
            self.buffer.clear()
            self._chunk(data)

    def finish(self) -> None:
        if self.closed:
            return
        self.flush()
        self.write(b"0\r\n\r\n")

    def encode(
        self, etype: EventType, obj: dict[str, Any], event: StoredEvent | None = None
    ) -> bytes:
        info = self.info
        if self.rep.form == "json":
            if event is not None and obj is event.obj and obj.get("apiVersion") == info.api_version:
                if event.encoded is None:
                    event.encoded = json.dumps(obj, separators=(",", ":")).encode()
                body = event.encoded
            else:
                if (
                    obj.get("apiVersion") not in (None, info.api_version)
                    and obj.get("kind") != "Status"
                ):
                    obj = {**obj, "apiVersion": info.api_version}
                body = json.dumps(obj, separators=(",", ":")).encode()
        elif obj.get("kind") == "Status" or etype is EventType.BOOKMARK:
            body = json.dumps(obj, separators=(",", ":")).encode()
        elif self.rep.form == "partial":
            body = json.dumps(
                partial_object_metadata(obj, self.rep.api_version), separators=(",", ":")
            ).encode()
        else:
            meta = {"resourceVersion": (obj.get("metadata") or {}).get("resourceVersion", "")}
            table = table_for(
                info.group,
                info.resource,
                [obj],
                list_meta=meta,
                include_object=self.include_object,
                headers=self.first_table,
                api_version=self.rep.api_version,
                now=self.wall_time(),
            )
            self.first_table = False
            body = json.dumps(table, separators=(",", ":")).encode()
        return b'{"type":"%s","object":%s}\n' % (etype.value.encode(), body)

    def send_error_event(self, status_body: dict[str, Any]) -> None:
        self.buffer.append(self.encode(EventType.ERROR, status_body))
        self.flush()

    def bookmark(self, rv: int, *, initial_end: bool = False) -> bytes:
        info = self.info
        meta: dict[str, Any] = {"resourceVersion": self.storage.codec.encode(rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": info.kind, "apiVersion": info.api_version, "metadata": meta}
        return self.encode(EventType.BOOKMARK, obj)

    # ------------------------------------------------------------- faults

    def _claim(self) -> None:
        for fault in self.faults.claim_watch(self.stream_id):
            if fault.kind is WatchFaultKind.STALL:
                self.flush()
                if self.watcher.wait_closed(fault.seconds):
                    raise _EndStream
            else:
                self.claims.append((fault, self.sent))

    def _before_event(self) -> None:
        """Act on claimed faults due before the next event is written.

        Claiming here, right before each event, makes a fault armed before a write apply to
        that write's event on every open stream, whenever the stream thread wakes up.
        """
        self._claim()
        for fault, base in self.claims:
            if fault.kind is WatchFaultKind.TRUNCATE:
                return
            if self.sent - base >= fault.after_events:
                if fault.kind is WatchFaultKind.DROP:
                    raise _EndStream
                if fault.kind in (WatchFaultKind.EXPIRE, WatchFaultKind.ERROR):
                    too_old = self.storage.too_old(max(self.storage.floor - 1, 0))
                    body = status_for_code(fault.code, fault.message, str(too_old.body["message"]))
                    self.buffer.append(self.encode(EventType.ERROR, body))
                    raise _EndStream

    def _write_event(self, line: bytes) -> None:
        self._before_event()
        for fault, _base in self.claims:
            if fault.kind is WatchFaultKind.TRUNCATE:
                self.buffer.append(line[: max(1, len(line) // 2)])
                self.flush()
                self.closed = True
                raise StreamAbort
        self.buffer.append(line)
        self.sent += 1

    def _client_gone(self) -> bool:
        return self.peer_closed()

    # ------------------------------------------------------------- main loop

    def run(
        self,
        start: list[Any],
        *,
        initial: bool,
        send_initial: bool,
        start_rv: int,
        allow_bookmarks: bool,
        deadline: float,
    ) -> None:
        watcher = self.watcher
        storage = self.storage
        interval = max(self.bookmark_interval, 0.05)
        try:
            self._claim()
            self._before_event()
            if initial:
                for _okey, obj in start:
                    if watcher.filter.matches(obj):
                        self._write_event(self.encode(EventType.ADDED, obj))
                if send_initial and allow_bookmarks:
                    # The cache watcher sends the end marker only to watchers that allow
                    # bookmarks (cache_watcher.go); without it the client cannot tell.
                    self.buffer.append(self.bookmark(start_rv, initial_end=True))
            else:
                for event in start:
                    translated = watcher.translate(event)
                    if translated is not None:
                        self._write_event(self.encode(translated[0], translated[1], event))
            self.flush()
            next_bookmark = time.monotonic() + interval
            while True:
                if self.stopping.is_set() or watcher.closed:
                    return
                if watcher.expired_floor is not None:
                    self.buffer.append(
                        self.encode(
                            EventType.ERROR, storage.too_old(max(watcher.expired_floor - 1, 0)).body
                        )
                    )
                    return
                self._claim()
                self._before_event()
                now = time.monotonic()
                if now >= deadline:
                    return
                wait = min(
                    0.25, deadline - now, max(next_bookmark - now, 0.0) if allow_bookmarks else 0.25
                )
                batch = watcher.next_batch(max(wait, 0.0))
                for event in batch:
                    translated = watcher.translate(event)
                    if translated is not None:
                        self._write_event(self.encode(translated[0], translated[1], event))
                if allow_bookmarks and time.monotonic() >= next_bookmark:
                    with storage.lock:
                        rv = storage.rv if watcher.pending() == 0 else None
                    if rv is not None:
                        self.buffer.append(self.bookmark(rv))
                    next_bookmark = time.monotonic() + interval
                self.flush()
                if not batch and self._client_gone():
                    self.closed = True
                    return
        except _EndStream:
            return
