"""An in-memory API server for one resource, to drive informers without HTTP.

:class:`FakeControllerSource` is a :class:`~kmech.informers.listwatch.ListerWatcher` that keeps
objects, issues increasing resourceVersions, pages LISTs with continue tokens, replays its event
history to watches that start at an old resourceVersion, and sends synthetic ADDEDs (plus the
initial-events-end bookmark for streaming lists) to watches that start at ``""``/``"0"``. Faults
are injected by method: drop or reset open watches, expire them with an in-stream 410, compact the
history, expire continue tokens, fail the next LIST/WATCH requests with any error (429 with
Retry-After, 410, 500, connection refused), or break open streams with transport errors. Every
request is recorded in :attr:`FakeControllerSource.requests`.

It deliberately behaves like the kube-apiserver watch cache where that matters to clients:
a watch from a compacted resourceVersion gets ERROR 410 ``Expired`` in-stream (or HTTP 410 with
``expire_in_stream=False``), a LIST at a resourceVersion newer than the current one gets 504
ResourceVersionTooLarge, and deleted objects arrive with the deletion's resourceVersion.

Upstream: client-go ``tools/cache/testing/fake_controller_source.go`` (ResetWatch, Add/Modify/Delete).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kmech.errors import (
    APIStatusError,
    ConnectError,
    GoneError,
    KmechError,
    Status,
    TooManyRequestsError,
)
from kmech.informers.listwatch import (
    EventType,
    ListOptions,
    ListResult,
    Object,
    WatchEvent,
)
from kmech.informers.reflector import INITIAL_EVENTS_END_ANNOTATION
from kmech.informers.store import meta_namespace_key_func

__all__ = [
    "FakeControllerSource",
    "FakeWatch",
    "RecordedRequest",
    "make_object",
    "gone_error",
    "too_many_requests_error",
    "too_large_error",
    "internal_error",
    "connection_refused_error",
    "status_event",
]

_ObjectList = list[Object]


def make_object(
    name: str,
    namespace: str = "default",
    *,
    labels: dict[str, str] | None = None,
    spec: dict[str, Any] | None = None,
    kind: str | None = None,
    api_version: str | None = None,
) -> Object:
    """A minimal object (``namespace=""`` for cluster-scoped). No ``kind``/``apiVersion`` unless
    given, as list items of built-in types arrive."""
    md: dict[str, Any] = {"name": name}
    if namespace:
        md["namespace"] = namespace
    if labels:
        md["labels"] = dict(labels)
    obj: Object = {"metadata": md}
    if kind:
        obj["kind"] = kind
    if api_version:
        obj["apiVersion"] = api_version
    if spec is not None:
        obj["spec"] = spec
    return obj


def _status(code: int, reason: str, message: str, **details: Any) -> Status:
    return Status(code=code, reason=reason, message=message, details=details)


def gone_error(reason: str = "Expired", message: str = "too old resource version") -> GoneError:
    return GoneError(f"the server answered 410: {message}", _status(410, reason, message))


def too_many_requests_error(retry_after_seconds: float | None = None) -> TooManyRequestsError:
    details = {"retryAfterSeconds": retry_after_seconds} if retry_after_seconds else {}
    return TooManyRequestsError(
        "too many requests (429): the server is throttling; retry later",
        _status(429, "TooManyRequests", "the server is throttling", **details),
        retry_after_seconds,
    )


def too_large_error() -> APIStatusError:
    msg = "Too large resource version"
    return APIStatusError(
        f"the server answered 504: {msg}",
        _status(
            504,
            "Timeout",
            msg,
            causes=[{"reason": "ResourceVersionTooLarge", "message": msg}],
            retryAfterSeconds=1,
        ),
    )


def internal_error(message: str = "internal error") -> APIStatusError:
    return APIStatusError(
        f"the server answered 500: {message}", _status(500, "InternalError", message)
    )


def connection_refused_error() -> ConnectError:
    return ConnectError("cannot connect to the fake source: connection refused")


def status_event(code: int, reason: str, message: str = "") -> WatchEvent:
    """An in-stream ERROR event carrying a Status."""
    return WatchEvent(
        EventType.ERROR,
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message or reason,
            "reason": reason,
            "code": code,
        },
    )


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the source received: ``verb`` is ``"list"`` or ``"watch"``."""

    verb: str
    options: ListOptions


class FakeWatch:
    """One open watch on a :class:`FakeControllerSource`.

    Events pushed by the source are delivered in order; :meth:`stop` ends iteration at once (queued
    events are dropped); a server-side close ends it after the queued events; a failure raises
    after them.
    """

    def __init__(self, source: FakeControllerSource, options: ListOptions) -> None:
        self._source = source
        self.options = options
        self._cond = threading.Condition(threading.Lock())
        self._events: deque[WatchEvent] = deque()
        self._stopped = False
        self._closing = False
        self._error: KmechError | None = None
        self.delivered = 0

    @property
    def allow_bookmarks(self) -> bool:
        return self.options.allow_watch_bookmarks

    def _push(self, event: WatchEvent) -> None:
        with self._cond:
            if self._stopped or self._closing or self._error is not None:
                return
            self._events.append(event)
            self._cond.notify()

    def _close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def _fail(self, err: KmechError) -> None:
        with self._cond:
            if self._error is None:
                self._error = err
            self._cond.notify_all()

    def __iter__(self) -> Iterator[WatchEvent]:
        cond = self._cond
        events = self._events
        while True:
            with cond:
                while not events and not self._stopped and not self._closing:
                    if self._error is not None:
                        break
                    cond.wait()
                if self._stopped:
                    return
                if events:
                    batch = list(events)
                    events.clear()
                elif self._error is not None:
                    err, self._error = self._error, None
                    raise err
                else:
                    return
            for ev in batch:
                if self._stopped:
                    return
                self.delivered += 1
                yield ev

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._events.clear()
            self._cond.notify_all()
        self._source._forget(self)

    @property
    def stopped(self) -> bool:
        return self._stopped


class FakeControllerSource:
    """An in-memory, fault-injectable ListerWatcher for one resource. Thread-safe.

    ``rv_format`` turns the internal integer revision into the wire resourceVersion (``str`` by
    default; e.g. ``lambda n: f"rv-{n}"`` for opaque ones). ``expire_in_stream`` chooses how a
    watch from a compacted revision fails: in-stream ERROR 410 (the watch cache's way, default) or
    HTTP 410 at request time.
    """

    def __init__(
        self,
        *,
        rv_format: Callable[[int], str] = str,
        start_revision: int = 1,
        expire_in_stream: bool = True,
    ) -> None:
        self._lock = threading.Condition(threading.RLock())
        self._rv_format = rv_format
        self._rv_parse: dict[str, int] = {}
        self._rev = start_revision
        self._rv_parse[rv_format(start_revision)] = start_revision
        self._objects: dict[str, Object] = {}
        self._history: list[tuple[int, WatchEvent]] = []
        self._compacted = 0  # watches from a revision below this get 410
        self._watches: list[FakeWatch] = []
        self._snapshots: dict[str, tuple[int, list[Object]]] = {}
        self._token_seq = itertools.count(1)
        self._list_errors: deque[KmechError | None] = deque()
        self._watch_errors: deque[KmechError | None] = deque()
        self._ignore_limit = False
        self.expire_in_stream = expire_in_stream
        self.requests: list[RecordedRequest] = []

    # -- state --------------------------------------------------------------------------------
    @property
    def resource_version(self) -> str:
        with self._lock:
            return self._rv_format(self._rev)

    def state(self) -> dict[str, Object]:
        """``key -> object`` as the server holds it now."""
        with self._lock:
            return dict(self._objects)

    def _bump_locked(self) -> str:
        self._rev += 1
        rv = self._rv_format(self._rev)
        self._rv_parse[rv] = self._rev
        return rv

    def _parse_rv(self, rv: str) -> int:
        rev = self._rv_parse.get(rv)
        if rev is None and rv.isdigit() and self._rv_format is str:
            rev = int(rv)  # a numeric RV this source never issued (e.g. from the future)
        if rev is None:
            msg = f"invalid resourceVersion {rv!r}"
            raise APIStatusError(f"the server answered 400: {msg}", _status(400, "BadRequest", msg))
        return rev

    # -- mutations ----------------------------------------------------------------------------
    def add(self, obj: Object) -> Object:
        """Create (or overwrite) ``obj``; sends ADDED. Returns the stored copy."""
        return self._store(obj, EventType.ADDED)

    def modify(self, obj: Object) -> Object:
        """Replace ``obj`` (ADDED if it did not exist, as an apiserver upsert would be)."""
        return self._store(obj, EventType.MODIFIED)

    def _store(self, obj: Object, etype: EventType) -> Object:
        with self._lock:
            stored = dict(obj)
            md = dict(obj.get("metadata") or {})
            stored["metadata"] = md
            key = meta_namespace_key_func(stored)
            if etype is EventType.MODIFIED and key not in self._objects:
                etype = EventType.ADDED
            md["resourceVersion"] = self._bump_locked()
            self._objects[key] = stored
            self._record_locked(WatchEvent(etype, stored))
            return stored

    def delete(self, obj_or_key: Object | str) -> Object | None:
        """Delete by object or key; sends DELETED with the last state at the deletion's RV."""
        with self._lock:
            key = obj_or_key if isinstance(obj_or_key, str) else meta_namespace_key_func(obj_or_key)
            old = self._objects.pop(key, None)
            if old is None:
                return None
            last = dict(old)
            last["metadata"] = dict(old["metadata"])
            last["metadata"]["resourceVersion"] = self._bump_locked()
            self._record_locked(WatchEvent(EventType.DELETED, last))
            return last

    def _record_locked(self, event: WatchEvent) -> None:
        self._history.append((self._rev, event))
        for w in list(self._watches):
            w._push(event)

    # -- faults -------------------------------------------------------------------------------
    def bookmark(self) -> str:
        """Send a BOOKMARK at the current RV (with a null skeleton field) to watches that asked."""
        with self._lock:
            rv = self._rv_format(self._rev)
            ev = WatchEvent(
                EventType.BOOKMARK,
                {"metadata": {"resourceVersion": rv}, "spec": {"containers": None}},
            )
            for w in list(self._watches):
                if w.allow_bookmarks:
                    w._push(ev)
            return rv

    def send(self, event: WatchEvent) -> None:
        """Push a raw event (e.g. :func:`status_event`) to every open watch, unrecorded."""
        with self._lock:
            for w in list(self._watches):
                w._push(event)

    def drop_watches(self) -> int:
        """Close every open watch cleanly (a server timeout); returns how many."""
        with self._lock:
            watches = list(self._watches)
            self._watches.clear()
        for w in watches:
            w._close()
        return len(watches)

    def break_watches(self, err: KmechError | None = None) -> int:
        """Make every open watch raise ``err`` (default: connection reset) after its queued events."""
        with self._lock:
            watches = list(self._watches)
            self._watches.clear()
        for w in watches:
            w._fail(err or ConnectError("connection reset by peer"))
        return len(watches)

    def expire_watches(self, reason: str = "Expired") -> int:
        """Send an in-stream ERROR 410 to every open watch and close it."""
        ev = status_event(410, reason, "too old resource version")
        with self._lock:
            watches = list(self._watches)
            self._watches.clear()
        for w in watches:
            w._push(ev)
            w._close()
        return len(watches)

    def compact(self, revision_rv: str | None = None) -> None:
        """Forget history up to ``revision_rv`` (default: now): older watches/lists get 410."""
        with self._lock:
            rev = self._rev if revision_rv is None else self._parse_rv(revision_rv)
            self._compacted = rev
            self._history = [(r, e) for r, e in self._history if r > rev]

    def expire_continue_tokens(self) -> None:
        with self._lock:
            self._snapshots.clear()

    def fail_next_lists(self, *errors: KmechError | None) -> None:
        """The next ``len(errors)`` LIST requests raise these, in order (``None``: answer normally)."""
        with self._lock:
            self._list_errors.extend(errors)

    def fail_next_watches(self, *errors: KmechError | None) -> None:
        """The next ``len(errors)`` WATCH requests raise these, in order (``None``: answer normally)."""
        with self._lock:
            self._watch_errors.extend(errors)

    def ignore_limit(self, on: bool = True) -> None:
        """Answer LISTs unpaged whatever ``limit`` says (as the watch cache does for RV=0)."""
        with self._lock:
            self._ignore_limit = on

    # -- inspection ---------------------------------------------------------------------------
    def open_watches(self) -> int:
        with self._lock:
            return len(self._watches)

    def wait_for_watches(self, count: int = 1, timeout_seconds: float = 5.0) -> bool:
        """Block (real time) until at least ``count`` watches are open."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._watches) >= count, timeout_seconds)

    def wait_for_requests(self, count: int, timeout_seconds: float = 5.0) -> bool:
        """Block (real time) until at least ``count`` requests have been received."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.requests) >= count, timeout_seconds)

    def _forget(self, w: FakeWatch) -> None:
        with self._lock:
            try:
                self._watches.remove(w)
            except ValueError:
                pass

    # -- ListerWatcher ------------------------------------------------------------------------
    def list(self, options: ListOptions) -> ListResult:
        with self._lock:
            self.requests.append(RecordedRequest("list", options))
            self._lock.notify_all()
            if self._list_errors:
                list_err = self._list_errors.popleft()
                if list_err is not None:
                    raise list_err
            if options.continue_token:
                snap = self._snapshots.get(options.continue_token.split(":")[0])
                if snap is None:
                    raise gone_error("Expired", "the continue token has expired")
                snap_rev, items = snap
                offset = int(options.continue_token.split(":")[1])
                return self._page_locked(items, snap_rev, offset, options.limit)
            rv = options.resource_version
            if rv not in ("", "0"):
                rev = self._parse_rv(rv)
                if rev > self._rev:
                    raise too_large_error()
                exact = options.resource_version_match == "Exact" or (
                    options.limit and not options.resource_version_match
                )
                if exact and rev < self._compacted:
                    raise gone_error("Expired", f"too old resource version: {rv}")
            items = [self._objects[k] for k in sorted(self._objects)]
            return self._page_locked(
                items, self._rev, 0, 0 if self._ignore_limit else options.limit
            )

    def _page_locked(self, items: _ObjectList, rev: int, offset: int, limit: int) -> ListResult:
        rv = self._rv_format(rev)
        if not limit or offset + limit >= len(items):
            return ListResult(items[offset:], rv)
        token_id = str(next(self._token_seq))
        self._snapshots[token_id] = (rev, items)
        end = offset + limit
        return ListResult(items[offset:end], rv, f"{token_id}:{end}", len(items) - end)

    def watch(self, options: ListOptions) -> FakeWatch:
        with self._lock:
            self.requests.append(RecordedRequest("watch", options))
            self._lock.notify_all()
            if self._watch_errors:
                watch_err = self._watch_errors.popleft()
                if watch_err is not None:
                    raise watch_err
            w = FakeWatch(self, options)
            rv = options.resource_version
            if rv in ("", "0") or options.send_initial_events:
                if options.send_initial_events or rv in ("", "0"):
                    for key in sorted(self._objects):
                        w._push(WatchEvent(EventType.ADDED, self._objects[key]))
                if options.send_initial_events:
                    w._push(
                        WatchEvent(
                            EventType.BOOKMARK,
                            {
                                "metadata": {
                                    "resourceVersion": self._rv_format(self._rev),
                                    "annotations": {INITIAL_EVENTS_END_ANNOTATION: "true"},
                                }
                            },
                        )
                    )
            else:
                rev = self._parse_rv(rv)
                if rev < self._compacted:
                    if not self.expire_in_stream:
                        raise gone_error("Expired", f"too old resource version: {rv}")
                    w._push(status_event(410, "Expired", f"too old resource version: {rv}"))
                    w._close()
                    return w
                for r, ev in self._history:
                    if r > rev:
                        w._push(ev)
            self._watches.append(w)
            self._lock.notify_all()
            return w


if TYPE_CHECKING:
    from kmech.informers.listwatch import ListerWatcher, WatchInterface

    _lw_check: ListerWatcher = FakeControllerSource()
    _w_check: WatchInterface = FakeWatch(FakeControllerSource(), ListOptions())
