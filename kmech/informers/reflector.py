"""The reflector: keeps a queue in step with the server by LIST then WATCH, forever.

Promises (spec §3, client-go HEAD semantics):

- The first LIST is paged (500 per page) at ``resourceVersion=0``; a continue token that expires
  (410 ``Expired`` on a continuation page) costs exactly one full, unpaged list. A relist asks for
  ``resourceVersion=<last seen>`` unpaged (served from the watch cache); if *that* RV is gone
  (410 / 504 ResourceVersionTooLarge) the reflector retries at once without an RV.
- The WATCH starts at the list's RV with bookmarks and a server timeout drawn in
  ``[min, 2*min)`` seconds per request. A clean end of the stream (server timeout, EOF, connection
  reset, the client read-idle timeout) costs one new WATCH from the last RV, with no LIST and no
  delay. A WATCH request refused at connect or answered 429 is retried at the same RV after a
  backoff (never less than Retry-After). An in-stream 410, any other in-stream error, garbage on
  the stream, or a stream that ends in under 1 s with no events ends the watch session: the next
  LIST comes after one backoff delay.
- The resume RV never comes from the synthetic ADDED events of a watch that started at ``""`` or
  ``"0"`` until a non-ADDED event arrives (those ADDEDs are not in RV order).
- Every wait goes through one :class:`~kmech.informers._backoff.ReflectorBackoff` (0.8 s initial,
  factor 2, full jitter, cap 30 s, reset after 2 min) and the injected clock; :meth:`Reflector.stop`
  ends any wait and closes the open watch stream at once.
- The watch-error hook runs only when a LIST fails or a WATCH *request* fails with a non-retriable
  error, never for in-stream errors (spec §6.5).

Upstream: client-go ``tools/cache/reflector.go`` (Run, ListAndWatch, list, watch, handleAnyWatch,
watchList, relistResourceVersion, isExpiredError, isTooLargeResourceVersionError,
isWatchErrorRetriable), ``tools/pager/pager.go`` (ListWithAlloc, FullListIfExpired).
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from kmech.clock import MILLISECOND, SECOND, Clock, Duration, RealClock
from kmech.errors import (
    APIStatusError,
    ConnectError,
    GoneError,
    KmechError,
    RequestTimeoutError,
    Status,
    TooManyRequestsError,
    TransportError,
    WatchDecodeError,
    status_error,
)
from kmech.informers._backoff import ReflectorBackoff
from kmech.informers.listwatch import (
    EventType,
    ListerWatcher,
    ListOptions,
    Object,
    WatchEvent,
    WatchInterface,
)
from kmech.informers.metrics import Phase, TraceEvent, TraceHook, TraceKind
from kmech.informers.store import meta_namespace_key_func

__all__ = [
    "ReflectorOptions",
    "ReflectorStore",
    "WatchErrorHandler",
    "Reflector",
    "VeryShortWatchError",
    "is_expired_error",
    "is_too_large_resource_version_error",
    "INITIAL_EVENTS_END_ANNOTATION",
]

log = logging.getLogger(__name__)

INITIAL_EVENTS_END_ANNOTATION = "k8s.io/initial-events-end"
DEFAULT_PAGE_SIZE = 500
DEFAULT_MIN_WATCH_TIMEOUT = Duration(300 * SECOND)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReflectorOptions:
    """Tuning of one reflector; the defaults are client-go's (spec §3.1, §9).

    Durations are integer nanoseconds (:data:`~kmech.clock.Duration`).
    """

    # Page size of every LIST. 0 applies client-go's rule: 500 for RV ""/"0" (and always once the
    # first list came back paginated), unpaged for a relist at a specific RV.
    page_size: int = 0
    # Lower bound of the random server-side watch timeout. Values below 300 s are ignored
    # (client-go refuses to load the control plane with short watches).
    min_watch_timeout: Duration = DEFAULT_MIN_WATCH_TIMEOUT
    backoff_initial: Duration = Duration(800 * MILLISECOND)
    backoff_cap: Duration = Duration(30 * SECOND)
    backoff_factor: float = 2.0
    backoff_jitter: float = 1.0
    backoff_reset: Duration = Duration(120 * SECOND)
    # A stream that ends with no events faster than this is an error (forces a relist).
    very_short_watch: Duration = Duration(1 * SECOND)
    # Streaming list (sendInitialEvents) instead of LIST; kmech's default is off (spec §9).
    use_watch_list: bool = False
    # How long in-stream 500s are retried by re-watching instead of relisting; 0 = never (client-go
    # informers' default).
    max_internal_error_retry: Duration = Duration(0)
    # How often the resync check runs while watching; 0 = never. The informer sets this.
    resync_period: Duration = Duration(0)


class ReflectorStore(Protocol):
    """The part of a queue the reflector writes to."""

    def add(self, obj: Object) -> None: ...

    def update(self, obj: Object) -> None: ...

    def delete(self, obj: Object) -> None: ...

    def replace(self, objects: list[Object], resource_version: str) -> None: ...

    def resync(self) -> None: ...

    def bookmark(self, resource_version: str) -> None: ...


WatchErrorHandler = Callable[["Reflector", KmechError], None]


class VeryShortWatchError(KmechError):
    """A watch ended with no events almost as soon as it opened; the reflector relists."""


class _Stopped(Exception):
    """Internal: stop was requested while a request or wait was in progress."""


def is_expired_error(err: BaseException) -> bool:
    """410 with reason Expired or Gone (servers up to 1.17 said Gone)."""
    if isinstance(err, GoneError):
        return True
    return isinstance(err, APIStatusError) and (
        err.status.code == 410 or err.status.reason in ("Expired", "Gone")
    )


def is_too_large_resource_version_error(err: BaseException) -> bool:
    """504 whose Status carries the ResourceVersionTooLarge cause (or the pre-1.17 message)."""
    if not isinstance(err, APIStatusError):
        return False
    st = err.status
    causes = st.details.get("causes") if isinstance(st.details, dict) else None
    if isinstance(causes, list):
        for cause in causes:
            if isinstance(cause, dict) and (
                cause.get("reason") == "ResourceVersionTooLarge"
                or cause.get("message") == "Too large resource version"
            ):
                return True
    if st.code != 504 and st.reason != "Timeout":
        return False
    return "Too large resource version" in st.message or (
        "Too large non-consistent resource version" in st.message
    )


def _is_internal_error(err: BaseException) -> bool:
    return isinstance(err, APIStatusError) and (
        err.status.code == 500 or err.status.reason == "InternalError"
    )


def _status_from_event(obj: Any) -> APIStatusError:
    if isinstance(obj, dict) and obj.get("kind") == "Status":
        status = Status.from_body(int(obj.get("code") or 500), obj)
        details = status.details
        retry_after = details.get("retryAfterSeconds") if isinstance(details, dict) else None
        return status_error(
            status,
            retry_after_seconds=float(retry_after)
            if isinstance(retry_after, int | float)
            else None,
        )
    msg = "unexpected object in a watch ERROR event (not a Status)"
    return APIStatusError(msg, Status(500, "InternalError", msg))


class Reflector:
    """Runs LIST/WATCH for one ListerWatcher and feeds a :class:`ReflectorStore`.

    ``name`` names the thread (``reflector:<name>``), logs and trace events. ``should_resync`` is
    asked every ``options.resync_period`` while watching; when it returns True (or is None) the
    store's ``resync`` is called. ``rng`` draws jitter and watch timeouts (seed it in tests).
    """

    def __init__(
        self,
        lister_watcher: ListerWatcher,
        store: ReflectorStore,
        *,
        name: str = "reflector",
        options: ReflectorOptions | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        should_resync: Callable[[], bool] | None = None,
        watch_error_handler: WatchErrorHandler | None = None,
        trace_hooks: list[TraceHook] | None = None,
    ) -> None:
        self.name = name
        self._lw = lister_watcher
        self._store = store
        self.options = options or ReflectorOptions()
        self._clock: Clock = clock or RealClock()
        self._rng = rng or random.Random()
        self._should_resync = should_resync
        self.watch_error_handler: WatchErrorHandler = (
            watch_error_handler or default_watch_error_handler
        )
        self._hooks: list[TraceHook] = trace_hooks if trace_hooks is not None else []
        o = self.options
        self._min_watch_timeout = max(o.min_watch_timeout, DEFAULT_MIN_WATCH_TIMEOUT)
        self._backoff = ReflectorBackoff(
            clock=self._clock,
            rng=self._rng,
            initial=o.backoff_initial,
            cap=o.backoff_cap,
            factor=o.backoff_factor,
            jitter=o.backoff_jitter,
            reset_after=o.backoff_reset,
        )
        self._stop = threading.Event()
        self._watch_lock = threading.Lock()
        self._current_watch: WatchInterface | None = None
        # Protocol state (spec §3.1).
        self._last_sync_rv = ""
        self._rv_unavailable = False
        self._paginated_result = False
        # Counters for InformerStats; single writer (the reflector thread).
        self.phase = Phase.NEW
        self.events = 0
        self.bookmarks = 0
        self.lists = 0
        self.list_pages = 0
        self.watch_starts = 0
        self.watch_errors = 0
        self.resyncs = 0
        self.backoff_delay: Duration | None = None
        self.retry_at: int | None = None
        self.last_error = ""

    # -- public ---------------------------------------------------------------------------------
    @property
    def last_sync_resource_version(self) -> str:
        """The RV the next watch or relist resumes from (``""`` before the first list)."""
        return self._last_sync_rv

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Stop: end any backoff wait and close the open watch now. Safe from any thread."""
        self._stop.set()
        with self._watch_lock:
            w = self._current_watch
        if w is not None:
            w.stop()

    def run(self) -> None:
        """Block in the list-and-watch loop until :meth:`stop` (client-go ``Run``)."""
        try:
            while not self._stop.is_set():
                retry_after: float | None = None
                reason = "relist"
                try:
                    self.list_and_watch()
                except _Stopped:
                    break
                except KmechError as err:
                    self.last_error = str(err)
                    # kmech has no rest-layer retry, so a 429's Retry-After bounds the wait here.
                    retry_after = _retry_after(err)
                    if isinstance(err, TransportError | TooManyRequestsError):
                        reason = _retry_reason(err)
                    self._call_watch_error_handler(err)
                except Exception as err:  # a ListerWatcher bug must not kill the informer silently
                    log.exception("%s: list/watch failed unexpectedly", self.name)
                    self.last_error = f"{type(err).__name__}: {err}"
                if self._stop.is_set():
                    break
                # Sliding BackoffUntil: always wait before the next list_and_watch.
                if self._backoff_wait(reason, retry_after):
                    break
        finally:
            self.phase = Phase.STOPPED
            self._trace(TraceKind.STOPPED)

    def list_and_watch(self) -> None:
        """One LIST (or streaming list) then a watch session; raises the error to report."""
        w: tuple[WatchInterface, Iterator[WatchEvent]] | None = None
        if self.options.use_watch_list:
            try:
                w = self._watch_list()
            except _Stopped:
                raise
            except KmechError as err:
                log.warning(
                    "%s: the streaming list failed (%s); falling back to LIST/WATCH", self.name, err
                )
                self._trace(TraceKind.WATCH_ERROR, error=f"streaming list failed: {err}")
                w = None
        if w is None:
            self._list()
        self._watch_with_resync(w)

    # -- LIST -----------------------------------------------------------------------------------
    def _relist_resource_version(self) -> str:
        if self._rv_unavailable:
            return ""
        if self._last_sync_rv == "":
            return "0"
        return self._last_sync_rv

    def _list(self) -> None:
        self.phase = Phase.LISTING
        rv = self._relist_resource_version()
        if self.options.page_size:
            page_size = self.options.page_size
        elif self._paginated_result:
            page_size = DEFAULT_PAGE_SIZE
        elif rv not in ("", "0"):
            page_size = 0  # force the watch cache: NotOlderThan, no trip back in time
        else:
            page_size = DEFAULT_PAGE_SIZE
        self._trace(TraceKind.LIST_START, resource_version=rv)
        try:
            items, list_rv, paginated = self._pager(ListOptions(resource_version=rv), page_size)
        except KmechError as err:
            if not (is_expired_error(err) or is_too_large_resource_version_error(err)):
                self._trace(TraceKind.LIST_ERROR, error=str(err))
                raise
            self._rv_unavailable = True
            self._trace(TraceKind.LIST_RETRY_NO_RV, error=str(err))
            try:
                items, list_rv, paginated = self._pager(
                    ListOptions(resource_version=self._relist_resource_version()), page_size
                )
            except KmechError as err2:
                self._trace(TraceKind.LIST_ERROR, error=str(err2))
                raise
        if rv == "0" and paginated:
            self._paginated_result = True
        self._rv_unavailable = False
        self._store.replace(items, list_rv)
        self._last_sync_rv = list_rv
        self.lists += 1
        self._trace(TraceKind.LIST_DONE, resource_version=list_rv, items=len(items))

    def _pager(self, options: ListOptions, page_size: int) -> tuple[list[Object], str, bool]:
        """client-go's pager: returns (items, list RV, whether more than one page was fetched)."""
        opts = options.replace(limit=page_size) if page_size else options
        items: list[Object] = []
        list_rv: str | None = None
        paginated = False
        page = 0
        while True:
            self._check_stop()
            try:
                result = self._lw.list(opts)
            except GoneError as err:
                if not opts.continue_token or err.status.reason not in ("Expired", ""):
                    raise
                # The continue token expired mid-list: one full list at the original RV.
                self._trace(TraceKind.LIST_FALLBACK, resource_version=options.resource_version)
                full = self._lw.list(options.replace(limit=0, continue_token=""))
                self.list_pages += 1
                return list(full.items), full.resource_version, paginated
            page += 1
            self.list_pages += 1
            if list_rv is None:
                list_rv = result.resource_version
            if not result.continue_token and page == 1:
                return result.items, result.resource_version, False
            items.extend(result.items)
            if self._hooks:
                total = 0
                if not result.continue_token:
                    total = page
                elif result.remaining is not None and page_size:
                    total = page + math.ceil(result.remaining / page_size)
                self._trace(TraceKind.LIST_PAGE, page=page, items=len(items), total_pages=total)
            if not result.continue_token:
                return items, list_rv, paginated
            paginated = True
            opts = opts.replace(
                resource_version="", resource_version_match="", continue_token=result.continue_token
            )

    # -- WATCH ----------------------------------------------------------------------------------
    def _watch_with_resync(self, w: tuple[WatchInterface, Iterator[WatchEvent]] | None) -> None:
        period = self.options.resync_period
        if period <= 0:
            self._watch(w)
            return
        session_done = threading.Event()
        resync_failed: list[BaseException] = []
        t = threading.Thread(
            target=self._resync_loop,
            args=(period, session_done, resync_failed),
            name=f"resync:{self.name}",
            daemon=True,
        )
        t.start()
        try:
            self._watch(w, resync_failed)
        finally:
            session_done.set()
            t.join()

    def _resync_loop(
        self, period: Duration, session_done: threading.Event, failed: list[BaseException]
    ) -> None:
        while True:
            if self._clock.wait(session_done, period) or self._stop.is_set():
                return
            if session_done.is_set():
                return
            if self._should_resync is None or self._should_resync():
                try:
                    self._store.resync()
                except Exception as err:  # store.resync failing ends the watch (spec §3.5)
                    failed.append(err)
                    with self._watch_lock:
                        w = self._current_watch
                    if w is not None:
                        w.stop()
                    return
                self.resyncs += 1
                self._trace(TraceKind.RESYNC)

    def _watch(
        self,
        handed_over: tuple[WatchInterface, Iterator[WatchEvent]] | None,
        resync_failed: list[BaseException] | None = None,
    ) -> None:
        retry_internal_until: int | None = None
        while True:
            self._check_stop()
            start = self._clock.now()
            if handed_over is None:
                rv = self._last_sync_rv
                timeout = self._watch_timeout_seconds()
                opts = ListOptions(
                    resource_version=rv, timeout_seconds=timeout, allow_watch_bookmarks=True
                )
                propagate = rv not in ("", "0")
                self.phase = Phase.WATCHING
                self._trace(TraceKind.WATCH_START, resource_version=rv, timeout_seconds=timeout)
                try:
                    w = self._lw.watch(opts)
                except KmechError as err:
                    self.watch_errors += 1
                    self.last_error = str(err)
                    self._trace(TraceKind.WATCH_ERROR, error=str(err))
                    if isinstance(err, ConnectError | TooManyRequestsError):
                        if self._backoff_wait(_retry_reason(err), _retry_after(err)):
                            raise _Stopped from None
                        continue
                    raise
                self.watch_starts += 1
                if not self._set_current_watch(w):
                    raise _Stopped
                events = iter(w)
            else:
                w, events = handed_over
                handed_over = None
                propagate = True  # handed over by the streaming list
                self.watch_starts += 1
                if not self._set_current_watch(w):
                    raise _Stopped
            try:
                end_err, count, reason = self._consume(events, propagate)
            finally:
                self._set_current_watch(None)
                w.stop()
            self._check_stop()
            if resync_failed:
                raise KmechError(f"resync failed: {resync_failed[0]}")
            if (
                end_err is None
                and count == 0
                and self._clock.now() - start < self.options.very_short_watch
            ):
                end_err = VeryShortWatchError(
                    "very short watch: the watch closed with no events in under "
                    f"{self.options.very_short_watch / SECOND:g}s; relisting"
                )
            if end_err is None:
                self._trace(
                    TraceKind.WATCH_END,
                    resource_version=self._last_sync_rv,
                    events=count,
                    reason=reason,
                )
                continue  # clean end: re-watch now from the last RV
            self.watch_errors += 1
            self.last_error = str(end_err)
            if isinstance(end_err, TooManyRequestsError):
                self._trace(TraceKind.THROTTLED, reason="in-stream")
                if self._backoff_wait("429 Too Many Requests", _retry_after(end_err)):
                    raise _Stopped
                continue
            if _is_internal_error(end_err) and self.options.max_internal_error_retry > 0:
                now = self._clock.now()
                if retry_internal_until is None:
                    retry_internal_until = now + self.options.max_internal_error_retry
                if now < retry_internal_until:
                    continue
            if is_expired_error(end_err):
                self._trace(TraceKind.EXPIRED, resource_version=self._last_sync_rv)
            else:
                self._trace(TraceKind.WATCH_ERROR, error=str(end_err))
            log.debug("%s: watch ended with %s; relisting", self.name, end_err)
            return  # relist via run(), after one backoff, without the watch-error hook

    def _consume(
        self, events: Iterator[WatchEvent], propagate: bool
    ) -> tuple[KmechError | None, int, str]:
        """Feed the store from ``w``; returns (error that ends the session, events, end reason)."""
        store = self._store
        count = 0
        added = EventType.ADDED
        modified = EventType.MODIFIED
        deleted = EventType.DELETED
        bookmark = EventType.BOOKMARK
        try:
            for event in events:
                etype = event.type
                obj = event.object
                if etype is EventType.ERROR:
                    return _status_from_event(obj), count, "error"
                md = obj.get("metadata") if type(obj) is dict else None
                if type(md) is not dict or obj.get("kind") == "Table":
                    log.warning("%s: skipping a %s event without metadata", self.name, etype)
                    continue
                if etype is added:
                    store.add(obj)
                elif etype is modified:
                    store.update(obj)
                    propagate = True
                elif etype is deleted:
                    store.delete(obj)
                    propagate = True
                elif etype is bookmark:
                    propagate = True
                    rv = md.get("resourceVersion", "")
                    store.bookmark(rv)
                    self.bookmarks += 1
                    if self._hooks:
                        self._trace(TraceKind.BOOKMARK, resource_version=rv)
                else:
                    return WatchDecodeError(f"unknown watch event type {etype!r}"), count, "error"
                count += 1
                self.events += 1
                if propagate:
                    self._last_sync_rv = md.get("resourceVersion", "") or self._last_sync_rv
            return None, count, "closed by server"
        except RequestTimeoutError:
            return None, count, "read-idle timeout"
        except ConnectError as err:
            return None, count, f"connection lost: {err}"
        except WatchDecodeError as err:
            return err, count, "decode error"
        except TransportError as err:
            return None, count, f"transport: {err}"

    # -- streaming list -------------------------------------------------------------------------
    def _watch_list(self) -> tuple[WatchInterface, Iterator[WatchEvent]]:
        """client-go ``watchList``: stream the initial state; returns the still-open stream."""
        while True:
            self._check_stop()
            self.phase = Phase.LISTING
            rv = "" if self._rv_unavailable else self._last_sync_rv
            timeout = self._watch_timeout_seconds()
            opts = ListOptions(
                resource_version=rv,
                resource_version_match="NotOlderThan",
                send_initial_events=True,
                allow_watch_bookmarks=True,
                timeout_seconds=timeout,
            )
            self._trace(TraceKind.WATCH_LIST_START, resource_version=rv)
            start = self._clock.now()
            try:
                w = self._lw.watch(opts)
            except KmechError as err:
                if self._watch_list_retriable(err):
                    continue
                raise
            if not self._set_current_watch(w):
                w.stop()
                raise _Stopped
            temp: dict[str, Object] = {}
            events_before = self.events
            try:
                events = iter(w)
                result = self._consume_initial_events(events, temp)
            except KmechError as err:
                self._set_current_watch(None)
                w.stop()
                if self._watch_list_retriable(err):
                    continue
                raise
            if result is None:
                # Closed before the end bookmark: discard the partial state, stream again.
                self._set_current_watch(None)
                w.stop()
                self._check_stop()
                if (
                    self.events == events_before
                    and self._clock.now() - start < self.options.very_short_watch
                ):
                    # client-go: a very short empty stream is an error, so fall back to LIST.
                    raise VeryShortWatchError(
                        "very short watch: the streaming list closed with no events"
                    )
                continue  # client-go retries at once, with a fresh temporary store
            self._set_current_watch(None)
            self._rv_unavailable = False
            self._store.replace(list(temp.values()), result)
            self._last_sync_rv = result
            self.lists += 1
            self._trace(TraceKind.WATCH_LIST_DONE, resource_version=result, items=len(temp))
            return w, events

    def _watch_list_retriable(self, err: KmechError) -> bool:
        """Connect/429: back off and retry; expired RV: retry from ""; else: not retriable."""
        self.last_error = str(err)
        if isinstance(err, ConnectError | TooManyRequestsError):
            if self._backoff_wait(_retry_reason(err), _retry_after(err)):
                raise _Stopped from None
            return True
        if is_expired_error(err) or is_too_large_resource_version_error(err):
            self._rv_unavailable = True
            return True
        return False

    def _consume_initial_events(
        self, events: Iterator[WatchEvent], temp: dict[str, Object]
    ) -> str | None:
        """Apply events to ``temp`` until the initial-events-end bookmark; returns its RV."""
        try:
            for event in events:
                etype = event.type
                obj = event.object
                if etype is EventType.ERROR:
                    raise _status_from_event(obj)
                md = obj.get("metadata") if type(obj) is dict else None
                if type(md) is not dict:
                    continue
                # The reflector's resume RV does not move during the initial phase: a stream that
                # breaks before the end bookmark is retried from the same RV (client-go keeps the
                # RV in a local until the bookmark arrives).
                if etype is EventType.BOOKMARK:
                    self.bookmarks += 1
                    ann = md.get("annotations") or {}
                    if ann.get(INITIAL_EVENTS_END_ANNOTATION) == "true":
                        return str(md.get("resourceVersion", ""))
                    continue
                key = meta_namespace_key_func(obj)
                if etype is EventType.DELETED:
                    temp.pop(key, None)
                else:
                    temp[key] = obj
                self.events += 1
        except (RequestTimeoutError, ConnectError):
            pass  # like a clean close: start a new streaming list
        return None

    # -- helpers --------------------------------------------------------------------------------
    def _set_current_watch(self, w: WatchInterface | None) -> bool:
        """Record the open stream so :meth:`stop` can close it; False if already stopped."""
        with self._watch_lock:
            self._current_watch = w
        if w is not None and self._stop.is_set():
            w.stop()
            return False
        return True

    def _watch_timeout_seconds(self) -> int:
        """The server-side timeout of one WATCH, drawn in [min, 2*min) seconds."""
        return int(self._min_watch_timeout / SECOND * (self._rng.random() + 1.0))

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Stopped

    def _backoff_wait(self, reason: str, at_least_seconds: float | None = None) -> bool:
        """Wait one backoff delay (at least ``at_least_seconds``); True if stopped meanwhile."""
        delay = self._backoff.next_delay()
        if at_least_seconds is not None and at_least_seconds * SECOND > delay:
            delay = Duration(int(at_least_seconds * SECOND))
        previous = self.phase
        self.phase = Phase.BACKOFF
        self.backoff_delay = delay
        self.retry_at = self._clock.now() + delay
        self._trace(TraceKind.BACKOFF, delay=delay, reason=reason)
        try:
            return self._clock.wait(self._stop, delay)
        finally:
            self.backoff_delay = None
            self.retry_at = None
            self.phase = previous

    def _call_watch_error_handler(self, err: KmechError) -> None:
        try:
            self.watch_error_handler(self, err)
        except Exception:  # a user hook must not stop the reflector
            log.exception("%s: the watch-error handler raised", self.name)

    def _trace(self, kind: TraceKind, **fields: Any) -> None:
        if not self._hooks:
            return
        event = TraceEvent(kind=kind, name=self.name, at=self._clock.now(), **fields)
        for hook in list(self._hooks):
            try:
                hook(event)
            except Exception:  # a user hook must not stop the reflector
                log.exception("%s: a trace hook raised", self.name)


def _retry_after(err: KmechError) -> float | None:
    if isinstance(err, TooManyRequestsError):
        return err.retry_after_seconds
    return None


def _retry_reason(err: KmechError) -> str:
    if isinstance(err, TooManyRequestsError):
        return "429 Too Many Requests"
    return "connection lost"


def default_watch_error_handler(reflector: Reflector, err: KmechError) -> None:
    """Log the error at a level matching its kind (client-go ``DefaultWatchErrorHandler``)."""
    if is_expired_error(err):
        log.debug("%s: watch closed with: %s", reflector.name, err)
    else:
        log.warning("%s: failed to list/watch: %s", reflector.name, err)
