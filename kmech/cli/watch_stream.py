"""Line-oriented output of ``kmech watch``: one record per handler notification.

Owns the ``-o jsonl|json|yaml|name`` formats (and plain ``table|wide`` rows on a pipe) and the
redaction of Secret values. Every writer receives notifications in the order the informer delivered
them to its handler, so replaying the ``jsonl`` records into a dict keyed ``namespace/name`` gives
the informer's cache at every point (ADDED and MODIFIED set the key, DELETED removes it).

Thread safety: :meth:`EventWriter.notify` and :meth:`EventWriter.synced` may be called from
different threads (the handler's worker and the command's main thread); one lock orders them, and
``SYNCED`` is written exactly once, after the last initial ADDED and before the first record of any
other origin.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from kmech.informers.store import object_key

__all__ = [
    "REDACTED",
    "EventWriter",
    "redact_secret",
    "object_key",
    "kind_name",
    "replay",
]

REDACTED = "<redacted>"
"""What a Secret's ``data`` and ``stringData`` values become unless ``--show-secrets`` is given."""


def redact_secret(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy of a Secret with every ``data``/``stringData`` value replaced by REDACTED.

    Keys stay visible (they are names, not secrets, and kubectl describe shows them too). The
    input is never mutated: informer caches share their objects with every reader.
    """
    out = dict(obj)
    for field in ("data", "stringData"):
        values = out.get(field)
        if isinstance(values, dict):
            out[field] = dict.fromkeys(values, REDACTED)
    return out


def kind_name(kind: str, group: str) -> str:
    """The ``kind[.group]`` prefix kubectl's ``-o name`` prints (``pod``, ``deployment.apps``)."""
    k = kind.lower()
    return f"{k}.{group}" if group else k


class EventWriter:
    """Writes one record per notification to ``out`` in the chosen format, flushing each.

    ``kind`` and ``group`` name the resource for ``-o name``; ``secrets`` says the objects are
    Secrets (list items of built-in types carry no ``kind``, so the caller knows better than the
    object), and ``show_secrets`` turns redaction off. Writers of several resources sharing one
    output pass one ``lock``; each then names its ``resource`` in its ``SYNCED`` record.
    """

    FORMATS = ("jsonl", "json", "yaml", "name")

    def __init__(
        self,
        out: TextIO,
        fmt: str,
        *,
        kind: str = "",
        group: str = "",
        secrets: bool = False,
        show_secrets: bool = False,
        lock: threading.Lock | None = None,
        resource: str = "",
        on_broken_pipe: Callable[[], None] | None = None,
    ) -> None:
        if fmt not in self.FORMATS:
            raise ValueError(f"unknown event format {fmt!r}")
        self._out = out
        self._fmt = fmt
        self._prefix = kind_name(kind, group) if kind else ""
        self._secrets = secrets
        self._show_secrets = show_secrets
        self._lock = lock if lock is not None else threading.Lock()
        self._resource = resource
        self._on_broken_pipe = on_broken_pipe
        self.broken = False
        """True once the reader went away (``kmech watch ... | head``); nothing is written after."""
        self._synced = False
        self._pending_rv = ""
        self._documents = 0
        self.records = 0
        """How many notification records were written (not counting SYNCED)."""

    def notify(self, event_type: str, origin: str, obj: Mapping[str, Any]) -> None:
        """Write one notification. A non-initial record first writes ``SYNCED`` if still due,
        using ``resource_version`` from the last :meth:`mark_rv` call (the informer's RV)."""
        with self._lock:
            if origin != "initial" and not self._synced:
                self._write_synced_locked(self._pending_rv)
            self._write_locked(self._record(event_type, origin, obj))
            self.records += 1

    def mark_rv(self, resource_version: str) -> None:
        """Remember the RV that an implicit ``SYNCED`` record would carry."""
        with self._lock:
            self._pending_rv = resource_version

    def synced(self, resource_version: str) -> bool:
        """Write ``SYNCED`` once; returns False if it was already written."""
        with self._lock:
            if self._synced:
                return False
            self._write_synced_locked(resource_version)
            return True

    def _write_synced_locked(self, resource_version: str) -> None:
        self._synced = True
        if self._fmt == "name":
            return
        record = {"type": "SYNCED", "resourceVersion": resource_version}
        if self._resource:
            record["resource"] = self._resource
        self._write_locked(record)

    def _record(self, event_type: str, origin: str, obj: Mapping[str, Any]) -> dict[str, Any]:
        if self._secrets and not self._show_secrets:
            obj = redact_secret(obj)
        return {"type": event_type, "origin": origin, "object": obj}

    def _write_locked(self, record: dict[str, Any]) -> None:
        fmt = self._fmt
        if fmt == "jsonl":
            text = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
        elif fmt == "json":
            from kmech.cli.output import dump_json

            text = dump_json(record)
        elif fmt == "yaml":
            from kmech.cli.output import dump_yaml

            text = ("---\n" if self._documents else "") + dump_yaml(record)
        else:
            obj = record["object"]
            name = (obj.get("metadata") or {}).get("name", "")
            text = f"{record['type'].lower()} {self._prefix}/{name}\n"
        self._documents += 1
        if self.broken:
            return
        try:
            self._out.write(text)
            self._out.flush()
        except BrokenPipeError:
            # The reader is gone: stop writing, and let the command stop (exit 0, as kubectl).
            self.broken = True
            if self._on_broken_pipe is not None:
                self._on_broken_pipe()


def replay(lines: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Replay ``jsonl`` records into a dict keyed ``namespace/name`` (what a test compares with
    the server's state); ``SYNCED`` records are skipped."""
    cache: dict[str, dict[str, Any]] = {}
    for line in lines:
        if not line.strip():
            continue
        rec = json.loads(line)
        t = rec["type"]
        if t == "SYNCED":
            continue
        key = object_key(rec["object"])
        if t == "DELETED":
            cache.pop(key, None)
        else:
            cache[key] = rec["object"]
    return cache
