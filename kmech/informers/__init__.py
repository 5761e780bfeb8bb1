"""Informers: a client-go-exact LIST/WATCH cache of one resource, usable as a library.

Pure core: no HTTP, no terminal. Plug in any :class:`ListerWatcher` (the CLI's HTTP one, or
:class:`kmech.informers.testing.FakeControllerSource`) and get a thread-safe, indexed cache kept in
step with the server, with handler notifications that carry their origin.

Example::

    from kmech.informers import SharedIndexInformer, ResourceEventHandlerFuncs

    informer = SharedIndexInformer(lister_watcher, name="pods")
    informer.add_event_handler(ResourceEventHandlerFuncs(add_func=lambda obj, initial: print(obj)))
    informer.start()
    informer.wait_for_sync(timeout_seconds=30)
    pods = informer.lister.by_namespace("default").list("app=web")
    informer.stop()
"""

from __future__ import annotations

from kmech.informers.delta_fifo import DeltaFIFO, Deltas, KnownObjects
from kmech.informers.factory import (
    GroupVersionResourceLike,
    InformerKey,
    ListerWatcherFactory,
    SharedInformerFactory,
)
from kmech.informers.fifo import (
    Bookmark,
    Delta,
    DeltaType,
    QueueClosedError,
    QueueItem,
    RealFIFO,
    ReplacedAll,
    SyncAll,
    TransformFunc,
)
from kmech.informers.index import (
    NAMESPACE_INDEX,
    Indexer,
    IndexerError,
    Indexers,
    IndexFunc,
    meta_namespace_index_func,
)
from kmech.informers.listers import Lister, NamespaceLister
from kmech.informers.listwatch import (
    EventType,
    ListerWatcher,
    ListOptions,
    ListResult,
    ListWatch,
    Object,
    WatchEvent,
    WatchInterface,
)
from kmech.informers.metrics import InformerStats, Phase, TraceEvent, TraceHook, TraceKind
from kmech.informers.reflector import (
    INITIAL_EVENTS_END_ANNOTATION,
    Reflector,
    ReflectorOptions,
    ReflectorStore,
    VeryShortWatchError,
    WatchErrorHandler,
    is_expired_error,
    is_too_large_resource_version_error,
)
from kmech.informers.shared_informer import (
    MINIMUM_RESYNC_PERIOD,
    FilteringResourceEventHandler,
    InformerStoppedError,
    Notification,
    NotificationHandler,
    NotificationType,
    Origin,
    QueueMode,
    ResourceEventHandler,
    ResourceEventHandlerFuncs,
    ResourceEventHandlerRegistration,
    SharedIndexInformer,
    wait_for_cache_sync,
)
from kmech.informers.store import (
    Cache,
    DeletedFinalStateUnknown,
    KeyFunc,
    KeyFuncError,
    Store,
    deletion_handling_meta_namespace_key_func,
    meta_namespace_key_func,
    split_meta_namespace_key,
)
from kmech.informers.thread_safe_store import ThreadSafeStore
from kmech.labels import EVERYTHING, NOTHING, LabelSelector, parse_label_selector

__all__ = [
    # listwatch
    "EventType",
    "ListerWatcher",
    "ListOptions",
    "ListResult",
    "ListWatch",
    "Object",
    "WatchEvent",
    "WatchInterface",
    # store, index, listers
    "Cache",
    "DeletedFinalStateUnknown",
    "KeyFunc",
    "KeyFuncError",
    "Store",
    "deletion_handling_meta_namespace_key_func",
    "meta_namespace_key_func",
    "split_meta_namespace_key",
    "ThreadSafeStore",
    "NAMESPACE_INDEX",
    "Indexer",
    "IndexerError",
    "IndexFunc",
    "Indexers",
    "meta_namespace_index_func",
    "Lister",
    "NamespaceLister",
    "LabelSelector",
    "EVERYTHING",
    "NOTHING",
    "parse_label_selector",
    # queue
    "DeltaFIFO",
    "Deltas",
    "KnownObjects",
    "QueueMode",
    "Bookmark",
    "Delta",
    "DeltaType",
    "QueueClosedError",
    "QueueItem",
    "RealFIFO",
    "ReplacedAll",
    "SyncAll",
    "TransformFunc",
    # reflector
    "INITIAL_EVENTS_END_ANNOTATION",
    "Reflector",
    "ReflectorOptions",
    "ReflectorStore",
    "VeryShortWatchError",
    "WatchErrorHandler",
    "is_expired_error",
    "is_too_large_resource_version_error",
    # informer
    "MINIMUM_RESYNC_PERIOD",
    "FilteringResourceEventHandler",
    "InformerStoppedError",
    "Notification",
    "NotificationHandler",
    "NotificationType",
    "Origin",
    "ResourceEventHandler",
    "ResourceEventHandlerFuncs",
    "ResourceEventHandlerRegistration",
    "SharedIndexInformer",
    "wait_for_cache_sync",
    # factory
    "GroupVersionResourceLike",
    "InformerKey",
    "ListerWatcherFactory",
    "SharedInformerFactory",
    # metrics
    "InformerStats",
    "Phase",
    "TraceEvent",
    "TraceHook",
    "TraceKind",
]
