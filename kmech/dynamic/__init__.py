"""Informers for any resource over HTTP: the HTTP ListerWatcher and informer construction by GVR.

The twin of client-go ``dynamic/dynamicinformer`` and ``metadata/metadatainformer``: objects are
plain dicts (full, PartialObjectMetadata, or full objects with server-side Table cells on the
side), and one informer is built per (GVR, namespace, selectors, representation).
"""

from __future__ import annotations

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
]
