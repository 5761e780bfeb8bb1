"""The public surface of kmech.informers: pinned, resolvable, and free of HTTP/terminal imports."""

from __future__ import annotations

import ast
from pathlib import Path

import kmech.informers

EXPECTED = {
    "Bookmark", "Cache", "DeltaFIFO", "Deltas", "KnownObjects", "QueueMode", "DeletedFinalStateUnknown", "Delta", "DeltaType", "EVERYTHING",
    "EventType", "FilteringResourceEventHandler", "GroupVersionResourceLike",
    "INITIAL_EVENTS_END_ANNOTATION", "IndexFunc", "Indexer", "IndexerError", "Indexers",
    "InformerKey", "InformerStats", "InformerStoppedError", "KeyFunc", "KeyFuncError",
    "LabelSelector", "ListOptions", "ListResult", "ListWatch", "Lister", "ListerWatcher",
    "ListerWatcherFactory", "MINIMUM_RESYNC_PERIOD", "NAMESPACE_INDEX", "NOTHING",
    "NamespaceLister", "Notification", "NotificationHandler", "NotificationType", "Object",
    "Origin", "Phase", "QueueClosedError", "QueueItem", "RealFIFO", "Reflector",
    "ReflectorOptions", "ReflectorStore", "ReplacedAll", "ResourceEventHandler",
    "ResourceEventHandlerFuncs", "ResourceEventHandlerRegistration", "SharedIndexInformer",
    "SharedInformerFactory", "Store", "SyncAll", "ThreadSafeStore", "TraceEvent", "TraceHook",
    "TraceKind", "TransformFunc", "VeryShortWatchError", "WatchErrorHandler", "WatchEvent",
    "WatchInterface", "deletion_handling_meta_namespace_key_func", "is_expired_error",
    "is_too_large_resource_version_error", "meta_namespace_index_func",
    "meta_namespace_key_func", "parse_label_selector", "split_meta_namespace_key",
    "wait_for_cache_sync",
}  # fmt: skip

PACKAGE = Path(kmech.informers.__file__).parent


def test_all_is_pinned_and_resolvable():
    assert set(kmech.informers.__all__) == EXPECTED
    assert len(kmech.informers.__all__) == len(EXPECTED)
    for name in EXPECTED:
        assert getattr(kmech.informers, name) is not None


def test_no_module_imports_transport_cli_or_terminal_code():
    banned = ("kmech.transport", "kmech.cli", "kubernetes", "urllib3", "rich", "typer")
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith(banned), f"{path.name} imports {name}"


def test_no_module_reads_time_directly():
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text()
        for call in ("time.time(", "time.sleep(", "time.monotonic("):
            if path.name == "shared_informer.py" and call == "time.monotonic(":
                continue  # wait_for_cache_sync's real-time timeout, documented as real seconds
            assert call not in text, f"{path.name} calls {call}"
