"""Informers for resolved resources over HTTP, and the session that runs them for one command.

Owns :func:`new_informer` (one :class:`~kmech.informers.shared_informer.SharedIndexInformer` per
target over an :class:`~kmech.dynamic.listwatch.HTTPListerWatcher`) and :class:`WatchSession`
(the informers of one ``kmech watch`` run, with the hooks the CLI attaches: handler
notifications as ``(type, origin, object)``, trace lines, status counters, retry countdown and
fatal errors).

Handler records use watch vocabulary: ``ADDED`` for an add, ``MODIFIED`` for an update,
``DELETED`` for a delete. A delete after a relist carries the tombstone's last known object (or a
skeleton with the key's namespace and name when the cache never held it).

Upstream: client-go ``dynamic/dynamicinformer/informer.go`` (NewFilteredDynamicInformer),
``metadata/metadatainformer/informer.go``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from kmech.clock import Duration
from kmech.dynamic.listwatch import HTTPListerWatcher, ObjectFormat, TableCells
from kmech.dynamic.resolve import WatchTarget, resolve_targets
from kmech.errors import KmechError
from kmech.informers.factory import GroupVersionResourceLike, InformerKey, SharedInformerFactory
from kmech.informers.metrics import Phase, TraceEvent
from kmech.informers.reflector import Reflector, ReflectorOptions
from kmech.informers.shared_informer import (
    Notification,
    NotificationType,
    ResourceEventHandlerRegistration,
    SharedIndexInformer,
    wait_for_cache_sync,
)
from kmech.informers.store import DeletedFinalStateUnknown
from kmech.mapper.schema import GroupVersionResource

__all__ = [
    "WatchTarget",
    "WatchSession",
    "NotifyFunc",
    "new_informer",
    "new_dynamic_factory",
    "notification_record",
    "resolve_targets",
]

log = logging.getLogger(__name__)

_NO_RESYNC = Duration(0)

NotifyFunc = Callable[[str, str, dict[str, Any]], None]
"""``notify(type, origin, object)``; type is ADDED, MODIFIED or DELETED."""

_TYPES = {
    NotificationType.ADD: "ADDED",
    NotificationType.UPDATE: "MODIFIED",
    NotificationType.DELETE: "DELETED",
}


def notification_record(n: Notification) -> tuple[str, str, dict[str, Any]]:
    """``(type, origin, object)`` of one notification, tombstones unwrapped."""
    obj = n.object
    if isinstance(obj, DeletedFinalStateUnknown):
        if obj.obj is not None:
            obj = obj.obj
        else:
            ns, _, name = obj.key.rpartition("/")
            meta = {"namespace": ns, "name": name} if ns else {"name": name}
            obj = {"metadata": meta}
    return _TYPES[n.type], n.origin.value, obj if obj is not None else {}


class _Adapter:
    """A NotificationHandler that forwards ``(type, origin, object)`` to a plain function."""

    __slots__ = ("_notify", "_informer", "_rv")

    def __init__(
        self,
        notify: NotifyFunc,
        informer: SharedIndexInformer,
        rv: Callable[[str], None] | None,
    ) -> None:
        self._notify = notify
        self._informer = informer
        self._rv = rv

    def on_notification(self, notification: Notification) -> None:
        event_type, origin, obj = notification_record(notification)
        if self._rv is not None and origin == "initial":
            self._rv(self._informer.last_sync_resource_version())
        self._notify(event_type, origin, obj)


def new_informer(
    client: Any,
    target: WatchTarget,
    *,
    namespace: str = "",
    label_selector: str = "",
    field_selector: str = "",
    object_format: ObjectFormat = ObjectFormat.FULL,
    resync: Duration = _NO_RESYNC,
    reflector_options: ReflectorOptions | None = None,
    read_idle_timeout_seconds: float | None = 70.0,
) -> tuple[SharedIndexInformer, HTTPListerWatcher]:
    """One informer for ``target`` over HTTP (not started), and its ListerWatcher."""
    lw = HTTPListerWatcher(
        client,
        target.gvr,
        namespaced=target.namespaced,
        namespace=namespace,
        label_selector=label_selector,
        field_selector=field_selector,
        object_format=object_format,
        read_idle_timeout_seconds=read_idle_timeout_seconds,
        resource_name=str(target),
    )
    informer = SharedIndexInformer(
        lw,
        name=str(target),
        resync_period=resync,
        reflector_options=reflector_options,
    )
    return informer, lw


def new_dynamic_factory(
    client: Any,
    namespaced: Callable[[GroupVersionResourceLike], bool],
    *,
    object_format: ObjectFormat = ObjectFormat.FULL,
    default_resync: Duration = _NO_RESYNC,
    reflector_options: ReflectorOptions | None = None,
    read_idle_timeout_seconds: float | None = 70.0,
) -> SharedInformerFactory:
    """A :class:`~kmech.informers.factory.SharedInformerFactory` whose informers talk HTTP.

    ``namespaced(gvr)`` says whether a resource lives in namespaces (from the RESTMapper); a key
    with ``metadata_only`` uses PartialObjectMetadata whatever ``object_format`` says.

    Upstream: client-go ``dynamic/dynamicinformer/informer.go`` (NewFilteredDynamicSharedInformerFactory).
    """

    def lister_watcher(key: InformerKey) -> HTTPListerWatcher:
        gvr = GroupVersionResource(key.gvr.group, key.gvr.version, key.gvr.resource)
        scoped = namespaced(key.gvr)
        return HTTPListerWatcher(
            client,
            gvr,
            namespaced=scoped,
            namespace=key.namespace if scoped else "",
            label_selector=key.label_selector,
            field_selector=key.field_selector,
            object_format=ObjectFormat.METADATA if key.metadata_only else object_format,
            read_idle_timeout_seconds=read_idle_timeout_seconds,
        )

    return SharedInformerFactory(
        lister_watcher,
        default_resync=default_resync,
        reflector_options=reflector_options,
    )


class WatchSession:
    """The informers of one ``kmech watch`` run (one per target), started and stopped together.

    Set the hooks before :meth:`start`: ``on_error(exc)`` for LIST/WATCH request failures (the
    informers keep retrying; the CLI decides what is fatal), ``on_trace(line)`` for the reflector
    lifecycle, ``on_status(**counters)`` and ``on_retry(seconds, reason)`` for the status line
    (called from :meth:`poll_status`; a negative ``seconds`` means no retry is pending).
    """

    def __init__(
        self,
        client: Any,
        targets: Sequence[WatchTarget],
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
        metadata_only: bool = False,
        table: bool = False,
        watch_list: bool = False,
        resync_ns: int = 0,
        reflector_options: ReflectorOptions | None = None,
        read_idle_timeout_seconds: float | None = 70.0,
    ) -> None:
        fmt = ObjectFormat.FULL
        if metadata_only:
            fmt = ObjectFormat.METADATA
        elif table:
            fmt = ObjectFormat.TABLE
        options = reflector_options or ReflectorOptions()
        if watch_list != options.use_watch_list:
            from dataclasses import replace

            options = replace(options, use_watch_list=watch_list)
        self.targets = list(targets)
        self.namespace = namespace
        self.on_error: Callable[[BaseException], None] | None = None
        self.on_trace: Callable[[str], None] | None = None
        self.on_status: Callable[..., None] | None = None
        self.on_retry: Callable[[float, str], None] | None = None
        self._informers: dict[WatchTarget, SharedIndexInformer] = {}
        self._listwatchers: dict[WatchTarget, HTTPListerWatcher] = {}
        self._registrations: list[
            tuple[ResourceEventHandlerRegistration, Callable[[str], bool] | None]
        ] = []
        self._last_error = ""
        self._lock = threading.Lock()
        for target in self.targets:
            informer, lw = new_informer(
                client,
                target,
                namespace=namespace if target.namespaced else "",
                label_selector=label_selector,
                field_selector=field_selector,
                object_format=fmt,
                resync=Duration(resync_ns),
                reflector_options=options,
                read_idle_timeout_seconds=read_idle_timeout_seconds,
            )
            informer.set_watch_error_handler(self._watch_error)
            informer.add_trace_hook(self._trace)
            self._informers[target] = informer
            self._listwatchers[target] = lw

    # -- wiring ----------------------------------------------------------------------------

    def informer(self, target: WatchTarget) -> SharedIndexInformer:
        return self._informers[target]

    def table_cells(self, target: WatchTarget) -> TableCells | None:
        """Server-side Table cells of ``target`` (None unless Table mode)."""
        return self._listwatchers[target].table

    def add_handler(
        self,
        target: WatchTarget,
        notify: NotifyFunc,
        *,
        synced: Callable[[str], bool] | None = None,
        rv: Callable[[str], None] | None = None,
    ) -> ResourceEventHandlerRegistration:
        """Deliver every notification of ``target`` to ``notify``; ``synced(rv)`` is called by
        :meth:`report_synced` once this handler has received the whole initial list."""
        informer = self._informers[target]
        reg = informer.add_event_handler(_Adapter(notify, informer, rv))
        self._registrations.append((reg, synced))
        return reg

    def _watch_error(self, reflector: Reflector, err: KmechError) -> None:
        with self._lock:
            self._last_error = err.message
        if self.on_error is not None:
            self.on_error(err)

    def _trace(self, event: TraceEvent) -> None:
        hook = self.on_trace
        if hook is not None:
            prefix = f"{event.name}: " if len(self.targets) > 1 else ""
            hook(prefix + event.message)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        for informer in self._informers.values():
            informer.start()

    def stop(self) -> None:
        for informer in self._informers.values():
            informer.stop(timeout_seconds=2.0)

    def has_synced(self) -> bool:
        """Every informer synced and every handler received its initial list."""
        if not all(i.has_synced() for i in self._informers.values()):
            return False
        return all(reg.has_synced() for reg, _ in self._registrations)

    def wait_for_sync(self, timeout_seconds: float) -> bool:
        return wait_for_cache_sync(self.has_synced, timeout_seconds=timeout_seconds)

    def report_synced(self) -> None:
        """Call each handler's ``synced(rv)`` (they write SYNCED once, at most)."""
        for reg, synced in self._registrations:
            if synced is not None:
                informer = reg._informer  # the registration's own informer
                synced(informer.last_sync_resource_version())

    def last_error(self) -> str:
        with self._lock:
            if self._last_error:
                return self._last_error
        for informer in self._informers.values():
            err = informer.stats().last_error
            if err:
                return err
        return ""

    def describe(self) -> str:
        names = ", ".join(str(t) for t in self.targets)
        where = f'in namespace "{self.namespace}"' if self.namespace else "in all namespaces"
        return f"{names} {where}"

    def poll_status(self) -> None:
        """Push the informers' counters to ``on_status`` and a countdown to ``on_retry``."""
        stats = [i.stats() for i in self._informers.values()]
        if self.on_status is not None:
            phase = "syncing"
            if any(s.phase is Phase.BACKOFF for s in stats):
                phase = "retrying"
            self.on_status(
                synced=all(s.synced for s in stats),
                resource_version=",".join(s.last_sync_resource_version for s in stats),
                relists=sum(s.relists for s in stats),
                watch_restarts=sum(s.watch_restarts for s in stats),
                resyncs=sum(s.resyncs for s in stats),
                phase=phase,
            )
        if self.on_retry is not None:
            for s in stats:
                if s.phase is Phase.BACKOFF and s.retry_at is not None:
                    left = max(0.0, (s.retry_at - time.monotonic_ns()) / 1e9)
                    self.on_retry(left, _short_reason(s.last_error))
                    break
            else:
                self.on_retry(-1.0, "")  # nobody is waiting: no countdown

    def stats(self) -> list[Any]:
        return [i.stats() for i in self._informers.values()]


def _short_reason(error: str) -> str:
    """A few words for the status line from the reflector's last error message."""
    text = error.lower()
    for needle, words in (
        ("refused", "connection refused"),
        ("broke", "connection lost"),
        ("timed out", "timed out"),
        ("timeout", "timed out"),
        ("429", "throttled (429)"),
        ("too many requests", "throttled (429)"),
        ("410", "expired (410)"),
        ("500", "server error (500)"),
        ("503", "unavailable (503)"),
    ):
        if needle in text:
            return words
    return "retrying"
