"""The shared informer: one cache of one resource, kept in step with the server, fanned out to handlers.

Guarantees (spec §6.1; client-go ``shared_informer.go``):

- **Eventual consistency.** After the server stops changing, the cache converges to the server's
  state, and every handler has been told about every object in it.
- **Per-object order.** Each handler receives the notifications of one object in the order the
  server produced them; notifications of *different* objects arrive in processing order too (the
  in-order queue), but different handlers run concurrently, each at its own pace (an unbounded
  buffer per handler: a slow handler never blocks the informer or the other handlers).
- **What a handler sees.** The initial list: ``on_add(obj, True)`` per object. Watch events:
  ``on_add(obj, False)`` / ``on_update(old, new)`` / ``on_delete(last_state)``; a MODIFIED for an
  unknown key becomes an add, an ADDED for a known key an update, a DELETED for an unknown key
  nothing. A relist: ``on_delete(DeletedFinalStateUnknown)`` for vanished objects first, then
  ``on_update(old, new)`` for survivors (even unchanged ones) and ``on_add(obj, False)`` for new
  ones, in list order. A resync: ``on_update(obj, obj)``. A handler added after start first gets
  ``on_add(obj, True)`` for every cached object, then live notifications, with no gap and no
  duplicate.
- **Sync filtering.** An update whose old and new resourceVersions are equal (a resync, a relist
  of an unchanged object, a repeated watch event) reaches only handlers whose resync is due (all
  handlers while no resync check has ever run).
- **The cache leads.** The store is updated *before* handlers are notified; a handler reading the
  lister may see state newer than its notification.
- Every notification carries its :class:`Origin` (initial list, watch, relist, resync, replay).
- Objects are shared between the cache and all handlers: never mutate them.

Threads: ``reflector:<name>`` (LIST/WATCH), ``informer:<name>`` (queue → store → handlers),
``handler:<name>:<n>`` per handler, and ``resync:<name>`` while watching with resync on. All stop
on :meth:`SharedIndexInformer.stop`, which also closes the open watch at once.

Upstream: client-go ``tools/cache/shared_informer.go`` (sharedIndexInformer, sharedProcessor,
processorListener), ``tools/cache/controller.go`` (processDeltas, processReplacedAllInfo,
FilteringResourceEventHandler), ``tools/cache/synctrack/synctrack.go`` (SingleFileTracker).
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from kmech.clock import SECOND, Clock, Duration, RealClock
from kmech.errors import KmechError
from kmech.informers.delta_fifo import DeltaFIFO, Deltas
from kmech.informers.fifo import (
    Bookmark,
    Delta,
    DeltaType,
    QueueClosedError,
    QueueItem,
    RealFIFO,
    ReplacedAll,
    TransformFunc,
)
from kmech.informers.index import NAMESPACE_INDEX, IndexFunc, meta_namespace_index_func
from kmech.informers.listers import Lister
from kmech.informers.listwatch import ListerWatcher, Object
from kmech.informers.metrics import InformerStats, Phase, TraceEvent, TraceHook, TraceKind
from kmech.informers.reflector import Reflector, ReflectorOptions, WatchErrorHandler
from kmech.informers.store import (
    Cache,
    DeletedFinalStateUnknown,
    KeyFunc,
    KeyFuncError,
    meta_namespace_key_func,
)

__all__ = [
    "NotificationType",
    "Origin",
    "QueueMode",
    "Notification",
    "ResourceEventHandler",
    "NotificationHandler",
    "ResourceEventHandlerFuncs",
    "FilteringResourceEventHandler",
    "ResourceEventHandlerRegistration",
    "SharedIndexInformer",
    "InformerStoppedError",
    "wait_for_cache_sync",
    "MINIMUM_RESYNC_PERIOD",
]

log = logging.getLogger(__name__)

MINIMUM_RESYNC_PERIOD = Duration(1 * SECOND)
_NO_RESYNC = Duration(0)


class QueueMode(StrEnum):
    """Which queue sits between the reflector and the store (spec §9)."""

    IN_ORDER = "in-order"  # client-go >= v0.36 RealFIFO with atomic relists (default)
    DELTA_FIFO = "deltafifo"  # client-go <= v0.32 DeltaFIFO, per-key coalescing (reference)


class NotificationType(StrEnum):
    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"


class Origin(StrEnum):
    """Why a notification happened."""

    INITIAL = "initial"  # the first LIST (or streaming list)
    WATCH = "watch"  # a watch event
    RELIST = "relist"  # a later LIST, after a 410 or another watch failure
    RESYNC = "resync"  # a periodic replay of the cache
    REPLAY = "replay"  # the cache replayed to a handler added after start


@dataclass(frozen=True, slots=True)
class Notification:
    """One handler notification. ``old`` is set for update and delete (for a delete it is the last
    state: the object from the DELETED event, or a :class:`DeletedFinalStateUnknown` after a relist);
    ``new`` is set for add and update."""

    type: NotificationType
    origin: Origin
    old: Object | DeletedFinalStateUnknown | None
    new: Object | None
    is_in_initial_list: bool = False

    @property
    def object(self) -> Object | DeletedFinalStateUnknown | None:
        """``new`` for add/update, ``old`` for delete."""
        return self.old if self.type is NotificationType.DELETE else self.new


class ResourceEventHandler(Protocol):
    """client-go's handler shape. Calls for one handler never overlap."""

    def on_add(self, obj: Object, is_in_initial_list: bool) -> None: ...

    def on_update(self, old: Object, new: Object) -> None: ...

    def on_delete(self, obj: Object | DeletedFinalStateUnknown) -> None: ...


@runtime_checkable
class NotificationHandler(Protocol):
    """A handler that wants the whole :class:`Notification` (origin included)."""

    def on_notification(self, notification: Notification) -> None: ...


@dataclass(frozen=True, slots=True)
class ResourceEventHandlerFuncs:
    """A :class:`ResourceEventHandler` from optional functions (missing ones ignore the call)."""

    add_func: Callable[[Object, bool], None] | None = None
    update_func: Callable[[Object, Object], None] | None = None
    delete_func: Callable[[Object | DeletedFinalStateUnknown], None] | None = None

    def on_add(self, obj: Object, is_in_initial_list: bool) -> None:
        if self.add_func is not None:
            self.add_func(obj, is_in_initial_list)

    def on_update(self, old: Object, new: Object) -> None:
        if self.update_func is not None:
            self.update_func(old, new)

    def on_delete(self, obj: Object | DeletedFinalStateUnknown) -> None:
        if self.delete_func is not None:
            self.delete_func(obj)


@dataclass(frozen=True, slots=True)
class FilteringResourceEventHandler:
    """Turns a predicate into add/delete transitions for ``handler`` (client-go's filter)."""

    filter_func: Callable[[Any], bool]
    handler: ResourceEventHandler

    def on_add(self, obj: Object, is_in_initial_list: bool) -> None:
        if self.filter_func(obj):
            self.handler.on_add(obj, is_in_initial_list)

    def on_update(self, old: Object, new: Object) -> None:
        was, now = self.filter_func(old), self.filter_func(new)
        if was and now:
            self.handler.on_update(old, new)
        elif now:
            self.handler.on_add(new, False)
        elif was:
            self.handler.on_delete(old)

    def on_delete(self, obj: Object | DeletedFinalStateUnknown) -> None:
        if self.filter_func(obj):
            self.handler.on_delete(obj)


AnyHandler = ResourceEventHandler | NotificationHandler


class InformerStoppedError(KmechError):
    """The informer was stopped; it cannot take handlers or be started again."""


def _rv_of(obj: Any) -> str:
    md = obj.get("metadata") if isinstance(obj, dict) else None
    return md.get("resourceVersion", "") if isinstance(md, dict) else ""


class _ProcessorListener:
    """One handler's unbounded buffer and worker thread (client-go ``processorListener``)."""

    __slots__ = (
        "handler",
        "_deliver",
        "_mutex",
        "_cond",
        "_buffer",
        "_waiting",
        "_stopped",
        "_thread",
        "thread_name",
        "requested_resync",
        "resync_period",
        "next_resync",
        "_initial_pending",
        "delivered",
    )

    def __init__(
        self, handler: AnyHandler, thread_name: str, requested: Duration, period: Duration, now: int
    ) -> None:
        self.handler = handler
        if isinstance(handler, NotificationHandler):
            self._deliver: Callable[[Notification], None] = handler.on_notification
        else:
            self._deliver = self._dispatch
        self._mutex = threading.Lock()
        self._cond = threading.Condition(self._mutex)
        self._buffer: deque[Notification] = deque()
        self._waiting = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.thread_name = thread_name
        self.requested_resync = requested
        self.resync_period = period
        self.next_resync = now + period
        self._initial_pending = 0
        self.delivered = 0

    def _dispatch(self, n: Notification) -> None:
        h: Any = self.handler
        t = n.type
        if t is NotificationType.ADD:
            h.on_add(n.new, n.is_in_initial_list)
        elif t is NotificationType.UPDATE:
            h.on_update(n.old, n.new)
        else:
            h.on_delete(n.old)

    def add(self, n: Notification) -> None:
        with self._mutex:
            if self._stopped:
                return
            if n.is_in_initial_list:
                self._initial_pending += 1
            self._buffer.append(n)
            if self._waiting:
                self._cond.notify()

    def has_synced_handler(self) -> bool:
        with self._mutex:
            return self._initial_pending == 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._mutex:
            self._stopped = True
            self._buffer.clear()
            self._cond.notify_all()

    def join(self, timeout_seconds: float | None) -> None:
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout_seconds)

    def _run(self) -> None:
        cond = self._cond
        mutex = self._mutex
        buf = self._buffer
        deliver = self._deliver
        while True:
            with mutex:
                while not buf and not self._stopped:
                    self._waiting = True
                    cond.wait()
                    self._waiting = False
                if self._stopped:
                    return
                batch = list(buf)
                buf.clear()
            for n in batch:
                if self._stopped:
                    return
                try:
                    deliver(n)
                except Exception:  # a handler bug: log it, keep delivering (client-go crashes)
                    log.exception("%s: handler raised on %s", self.thread_name, n.type)
                finally:
                    self.delivered += 1
                    if n.is_in_initial_list:
                        with mutex:
                            self._initial_pending -= 1

    def should_resync(self, now: int) -> bool:
        return self.resync_period != 0 and now >= self.next_resync

    def determine_next_resync(self, now: int) -> None:
        self.next_resync = now + self.resync_period


class ResourceEventHandlerRegistration:
    """Returned by :meth:`SharedIndexInformer.add_event_handler`; pass it back to remove."""

    __slots__ = ("_informer", "_listener")

    def __init__(self, informer: SharedIndexInformer, listener: _ProcessorListener) -> None:
        self._informer = informer
        self._listener = listener

    @property
    def handler(self) -> AnyHandler:
        return self._listener.handler

    @property
    def resync_period(self) -> Duration:
        """The effective resync period (after the informer's adjustments)."""
        return self._listener.resync_period

    def has_synced(self) -> bool:
        """True once the informer synced and this handler has *returned* from every initial add."""
        return self._informer.has_synced() and self._listener.has_synced_handler()


def _determine_resync_period(name: str, desired: Duration, check: Duration) -> Duration:
    if desired == 0:
        return Duration(0)
    if check == 0:
        log.warning("%s: resync is disabled on the informer; the handler's resync is ignored", name)
        return Duration(0)
    return desired if desired >= check else check


class SharedIndexInformer:
    """An informer over one :class:`~kmech.informers.listwatch.ListerWatcher`.

    ``resync_period`` is the default per-handler resync (0 = off). ``indexers`` are added to the
    built-in namespace index. ``clock`` and ``rng`` are injected for tests. ``name`` names threads,
    logs and trace events (``"pods"``).

    Typical use::

        informer = SharedIndexInformer(lw, name="pods")
        informer.add_event_handler(ResourceEventHandlerFuncs(add_func=on_add))
        informer.start()
        informer.wait_for_sync(timeout_seconds=30)
        ...
        informer.stop()
    """

    def __init__(
        self,
        lister_watcher: ListerWatcher,
        *,
        name: str = "informer",
        resync_period: Duration = _NO_RESYNC,
        indexers: Mapping[str, IndexFunc] | None = None,
        key_func: KeyFunc = meta_namespace_key_func,
        reflector_options: ReflectorOptions | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        queue_mode: QueueMode = QueueMode.IN_ORDER,
    ) -> None:
        self.name = name
        self._lw = lister_watcher
        self.queue_mode = QueueMode(queue_mode)
        self._clock: Clock = clock or RealClock()
        self._rng = rng or random.Random()
        self._key_func = key_func
        all_indexers: dict[str, IndexFunc] = {NAMESPACE_INDEX: meta_namespace_index_func}
        all_indexers.update(indexers or {})
        self._indexer = Cache(key_func=key_func, indexers=all_indexers)
        self._ts = self._indexer.thread_safe_store
        self._reflector_options = reflector_options or ReflectorOptions()
        self._default_resync = resync_period
        self._resync_check_period = resync_period
        self._transform: TransformFunc | None = None
        self._watch_error_handler: WatchErrorHandler | None = None
        self._hooks: list[TraceHook] = []
        # Listener bookkeeping: tuples replaced under the lock, read lock-free by the processor.
        self._listeners_lock = threading.Lock()
        self._listeners: tuple[_ProcessorListener, ...] = ()
        self._syncing: tuple[_ProcessorListener, ...] = ()
        self._listener_seq = itertools.count(1)
        # Held while a queue item is processed, and while a late handler gets its replay.
        self._block_deltas = threading.Lock()
        self._stop = threading.Event()
        self._started = False
        self._queue: RealFIFO | DeltaFIFO | None = None
        self._reflector: Reflector | None = None
        self._threads: list[threading.Thread] = []
        self._synced_traced = False

    # -- configuration (before start) ---------------------------------------------------------
    def set_watch_error_handler(self, handler: WatchErrorHandler) -> None:
        """Called with (reflector, error) when a LIST or a WATCH request fails. Before start only."""
        self._require_not_started("set_watch_error_handler")
        self._watch_error_handler = handler

    def set_transform(self, transform: TransformFunc) -> None:
        """Applied to every object before it is stored (not to tombstones, not to resyncs)."""
        self._require_not_started("set_transform")
        self._transform = transform

    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None:
        """Add index functions; existing objects are indexed at once. Fails after stop."""
        if self._stop.is_set():
            raise InformerStoppedError(f"informer {self.name} is stopped; cannot add indexers")
        self._indexer.add_indexers(indexers)

    def add_trace_hook(self, hook: TraceHook) -> None:
        """Subscribe ``hook`` to trace events (may be called at any time)."""
        self._hooks.append(hook)

    def remove_trace_hook(self, hook: TraceHook) -> None:
        try:
            self._hooks.remove(hook)
        except ValueError:
            pass

    def _require_not_started(self, what: str) -> None:
        if self._started:
            raise InformerStoppedError(f"{what} must be called before informer {self.name} starts")

    # -- handlers ----------------------------------------------------------------------------
    def add_event_handler(
        self, handler: AnyHandler, *, resync_period: Duration | None = None
    ) -> ResourceEventHandlerRegistration:
        """Register ``handler``; after start it first receives the cache as initial adds.

        ``resync_period`` (None: the informer's default) is adjusted as client-go does: below
        1 s becomes 1 s; smaller than the informer's check period lowers that period before start
        and is raised to it after start; 0 disables resync for this handler.
        """
        if self._stop.is_set():
            raise InformerStoppedError(
                f"informer {self.name} is stopped; create a new one to add handlers"
            )
        period = self._default_resync if resync_period is None else resync_period
        if period > 0:
            if period < MINIMUM_RESYNC_PERIOD:
                log.warning("%s: resync period raised to the 1s minimum", self.name)
                period = MINIMUM_RESYNC_PERIOD
            if period < self._resync_check_period:
                if self._started:
                    log.warning(
                        "%s: resync period %dns is below the running informer's %dns; using that",
                        self.name,
                        period,
                        self._resync_check_period,
                    )
                    period = self._resync_check_period
                else:
                    self._resync_check_period = period
                    self._resync_check_period_changed()
        requested = period
        effective = _determine_resync_period(self.name, requested, self._resync_check_period)
        listener = _ProcessorListener(
            handler,
            f"handler:{self.name}:{next(self._listener_seq)}",
            requested,
            effective,
            self._clock.now(),
        )
        reg = ResourceEventHandlerRegistration(self, listener)
        if not self._started:
            self._add_listener(listener)
            return reg
        with self._block_deltas:
            self._add_listener(listener)
            for obj in self._ts.list():
                listener.add(Notification(NotificationType.ADD, Origin.REPLAY, None, obj, True))
            listener.start()
        return reg

    def _add_listener(self, listener: _ProcessorListener) -> None:
        with self._listeners_lock:
            self._listeners = (*self._listeners, listener)
            self._syncing = (*self._syncing, listener)

    def _resync_check_period_changed(self) -> None:
        with self._listeners_lock:
            for listener in self._listeners:
                listener.resync_period = _determine_resync_period(
                    self.name, listener.requested_resync, self._resync_check_period
                )

    def remove_event_handler(self, registration: ResourceEventHandlerRegistration) -> None:
        """Stop delivering to that handler; notifications not yet delivered are dropped."""
        listener = registration._listener
        with self._listeners_lock:
            self._listeners = tuple(x for x in self._listeners if x is not listener)
            self._syncing = tuple(x for x in self._syncing if x is not listener)
        listener.stop()

    def _should_resync(self) -> bool:
        now = self._clock.now()
        with self._listeners_lock:
            syncing = []
            for listener in self._listeners:
                if listener.should_resync(now):
                    syncing.append(listener)
                    listener.determine_next_resync(now)
            self._syncing = tuple(syncing)
        return bool(syncing)

    # -- reading ------------------------------------------------------------------------------
    @property
    def indexer(self) -> Cache:
        """The cache (read-only use: objects are shared)."""
        return self._indexer

    def get_store(self) -> Cache:
        return self._indexer

    def get_indexer(self) -> Cache:
        return self._indexer

    @property
    def lister(self) -> Lister:
        return Lister(self._indexer, resource=self.name)

    def has_synced(self) -> bool:
        """True once the initial list has been applied to the store."""
        q = self._queue
        return q is not None and q.has_synced()

    def wait_for_sync(self, timeout_seconds: float | None = None) -> bool:
        """Block (real time) until synced; False on timeout or stop."""
        return wait_for_cache_sync(
            self.has_synced, timeout_seconds=timeout_seconds, stop=self._stop
        )

    def last_sync_resource_version(self) -> str:
        r = self._reflector
        return r.last_sync_resource_version if r is not None else ""

    @property
    def resync_check_period(self) -> Duration:
        return self._resync_check_period

    @property
    def started(self) -> bool:
        return self._started

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def stats(self) -> InformerStats:
        r = self._reflector
        q = self._queue
        return InformerStats(
            name=self.name,
            phase=(Phase.STOPPED if self._stop.is_set() else r.phase) if r else Phase.NEW,
            synced=self.has_synced(),
            objects=len(self._ts),
            last_sync_resource_version=r.last_sync_resource_version if r else "",
            events=r.events if r else 0,
            bookmarks=r.bookmarks if r else 0,
            lists=r.lists if r else 0,
            relists=max(0, r.lists - 1) if r else 0,
            list_pages=r.list_pages if r else 0,
            watch_starts=r.watch_starts if r else 0,
            watch_restarts=max(0, r.watch_starts - 1) if r else 0,
            watch_errors=r.watch_errors if r else 0,
            resyncs=r.resyncs if r else 0,
            backoff_delay=r.backoff_delay if r else None,
            retry_at=r.retry_at if r else None,
            queue_depth=len(q) if q is not None else 0,
            last_error=r.last_error if r else "",
        )

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the reflector, the processor and the handler threads; returns at once."""
        if self._stop.is_set():
            raise InformerStoppedError(f"informer {self.name} was stopped and cannot restart")
        if self._started:
            return
        self._started = True
        if self.queue_mode is QueueMode.DELTA_FIFO:
            self._queue = DeltaFIFO(self._ts, key_func=self._key_func, transform=self._transform)
        else:
            self._queue = RealFIFO(transform=self._transform)
        options = self._reflector_options
        if options.resync_period != self._resync_check_period:
            options = replace(options, resync_period=self._resync_check_period)
        self._reflector = Reflector(
            self._lw,
            self._queue,
            name=self.name,
            options=options,
            clock=self._clock,
            rng=self._rng,
            should_resync=self._should_resync,
            watch_error_handler=self._watch_error_handler,
            trace_hooks=self._hooks,
        )
        with self._listeners_lock:
            listeners = self._listeners
        for listener in listeners:
            listener.start()
        processor = threading.Thread(
            target=self._process_loop, name=f"informer:{self.name}", daemon=True
        )
        reflector = threading.Thread(
            target=self._reflector.run, name=f"reflector:{self.name}", daemon=True
        )
        self._threads = [processor, reflector]
        processor.start()
        reflector.start()

    def stop(self, *, timeout_seconds: float | None = 5.0) -> None:
        """Stop everything: close the open watch now, drop queued work, stop handler threads.

        Waits up to ``timeout_seconds`` for the threads (a handler stuck in user code is left
        behind as a daemon thread). Idempotent.
        """
        self._stop.set()
        if self._reflector is not None:
            self._reflector.stop()
        if self._queue is not None:
            self._queue.clear()
            self._queue.close()
        with self._listeners_lock:
            listeners = self._listeners
        for listener in listeners:
            listener.stop()
        current = threading.current_thread()
        for t in self._threads:
            if t is not current:
                t.join(timeout_seconds)
        for listener in listeners:
            listener.join(timeout_seconds)

    def run(self, stop: threading.Event) -> None:
        """Start, block until ``stop`` is set, then stop (client-go's ``Run(stopCh)``)."""
        self.start()
        stop.wait()
        self.stop()

    def __enter__(self) -> SharedIndexInformer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- processing ----------------------------------------------------------------------------
    def _process_loop(self) -> None:
        q = self._queue
        assert q is not None
        process = self._process
        while not self._stop.is_set():
            try:
                q.pop(process)
            except QueueClosedError:
                return
            if not self._synced_traced and q.has_synced():
                self._synced_traced = True
                if self._hooks:
                    self._trace(
                        TraceKind.SYNCED,
                        items=len(self._ts),
                        resource_version=self.last_sync_resource_version(),
                    )

    def _distribute(self, n: Notification, sync: bool) -> None:
        for listener in self._syncing if sync else self._listeners:
            listener.add(n)

    def _process(self, item: QueueItem | Deltas, initial: bool) -> None:
        if self._stop.is_set():
            return
        with self._block_deltas:
            if type(item) is Delta:
                self._process_delta(item, initial)
            elif type(item) is Deltas:
                for delta in item.deltas:
                    self._process_delta(delta, initial)
            elif type(item) is ReplacedAll:
                self._process_replaced_all(item, initial)
            elif type(item) is Bookmark:
                self._ts.bookmark(item.resource_version)
            else:  # SyncAll
                sync_n = NotificationType.UPDATE
                for obj in self._ts.list():
                    self._distribute(Notification(sync_n, Origin.RESYNC, obj, obj), True)

    def _process_delta(self, item: Delta, initial: bool) -> None:
        obj: Any = item.object
        try:
            key = self._key_func(obj)
        except KeyFuncError as err:
            log.warning("%s: dropping a %s event: %s", self.name, item.type, err)
            return
        dtype = item.type
        if dtype is DeltaType.DELETED:
            if self._ts.pop(key) is None:
                return  # kmech: a delete for a key never seen is dropped (spec §9, S27)
            origin = Origin.RELIST if type(obj) is DeletedFinalStateUnknown else Origin.WATCH
            self._distribute(Notification(NotificationType.DELETE, origin, obj, None), False)
            return
        if dtype is DeltaType.ADDED or dtype is DeltaType.UPDATED:
            origin = Origin.WATCH
        elif dtype is DeltaType.REPLACED:
            origin = Origin.INITIAL if initial else Origin.RELIST
        else:
            origin = Origin.RESYNC
        old = self._ts.swap(key, obj)
        if old is not None:
            # client-go's sharedIndexInformer.OnUpdate: an update that keeps the resourceVersion
            # is a sync, whatever produced it (e.g. a synthetic ADDED for a cached object).
            sync = _rv_of(old) == _rv_of(obj)
            self._distribute(Notification(NotificationType.UPDATE, origin, old, obj), sync)
        else:
            self._distribute(Notification(NotificationType.ADD, origin, None, obj, initial), False)

    def _process_replaced_all(self, item: ReplacedAll, initial: bool) -> None:
        origin = Origin.INITIAL if initial else Origin.RELIST
        kf = self._key_func
        new_items: dict[str, Object] = {}
        for obj in item.objects:
            try:
                new_items[kf(obj)] = obj
            except KeyFuncError as err:
                log.warning("%s: dropping a listed object: %s", self.name, err)
        ts = self._ts
        old_items: dict[str, Object] = ts.snapshot() if len(ts) else {}
        ts.replace(new_items, item.resource_version)
        delete_t = NotificationType.DELETE
        for key, old in old_items.items():
            if key not in new_items:
                tomb = DeletedFinalStateUnknown(key, old)
                self._distribute(Notification(delete_t, origin, tomb, None), False)
        add_t = NotificationType.ADD
        update_t = NotificationType.UPDATE
        for key, obj in new_items.items():
            previous = old_items.get(key)
            if previous is None:
                self._distribute(Notification(add_t, origin, None, obj, initial), False)
            else:
                sync = _rv_of(previous) == _rv_of(obj)
                self._distribute(Notification(update_t, origin, previous, obj), sync)

    def _trace(self, kind: TraceKind, **fields: Any) -> None:
        event = TraceEvent(kind=kind, name=self.name, at=self._clock.now(), **fields)
        for hook in list(self._hooks):
            try:
                hook(event)
            except Exception:
                log.exception("%s: a trace hook raised", self.name)


class _HasSynced(Protocol):
    def has_synced(self) -> bool: ...


def wait_for_cache_sync(
    *checks: Callable[[], bool] | _HasSynced,
    timeout_seconds: float | None = None,
    stop: threading.Event | None = None,
    poll_seconds: float = 0.01,
) -> bool:
    """True once every check passes; False on timeout (real seconds) or when ``stop`` is set.

    A check is a ``() -> bool`` or anything with ``has_synced()`` (informers, registrations).
    """
    fns: list[Callable[[], bool]] = [c.has_synced if not callable(c) else c for c in checks]
    waiter = stop if stop is not None else threading.Event()

    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    while True:
        if all(fn() for fn in fns):
            return True
        if waiter.is_set():
            return False
        remaining = poll_seconds
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            remaining = min(remaining, left)
        waiter.wait(remaining)
