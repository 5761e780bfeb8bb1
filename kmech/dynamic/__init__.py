"""Informers for any resource over HTTP: the HTTP ListerWatcher and informer construction by GVR.

The twin of client-go ``dynamic/dynamicinformer`` and ``metadata/metadatainformer``: objects are
plain dicts (full, PartialObjectMetadata, or full objects with server-side Table cells on the
side), and one informer is built per (GVR, namespace, selectors, representation).
"""

from __future__ import annotations

from kmech.dynamic.informer import (
    WatchSession,
    new_dynamic_factory,
    new_informer,
    notification_record,
)
from kmech.dynamic.listwatch import (
    ACCEPT_JSON,
    ACCEPT_METADATA,
    ACCEPT_METADATA_LIST,
    ACCEPT_TABLE,
    HTTPListerWatcher,
    HTTPWatch,
    ObjectFormat,
    TableCells,
    TableColumn,
    resource_path,
)
from kmech.dynamic.resolve import WatchTarget, resolve_targets

__all__ = [
    "ACCEPT_JSON",
    "ACCEPT_METADATA",
    "ACCEPT_METADATA_LIST",
    "ACCEPT_TABLE",
    "HTTPListerWatcher",
    "HTTPWatch",
    "ObjectFormat",
    "TableCells",
    "TableColumn",
    "resource_path",
    "WatchSession",
    "WatchTarget",
    "new_dynamic_factory",
    "new_informer",
    "notification_record",
    "resolve_targets",
]
