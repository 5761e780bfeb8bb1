"""Objects, the one resourceVersion counter, and the bounded event history behind the sandbox.

The store models etcd behind kube-apiserver: every write, to any resource, takes the next value
of one increasing counter as its resourceVersion, and appends an event to one history. The
history holds the last ``history_size`` events; everything older is compacted. A watch or an
exact list can start from any resourceVersion at or above :attr:`Storage.floor`; older ones get
410 Expired.

Stored objects are never mutated after they are written: every write stores a new dict, so
events, snapshots and watchers may share them without copying. Callers must treat every dict
this module returns as read-only. All methods are thread-safe (one lock, held only for
in-memory work, never across I/O).

Objects are keyed by (group, resource) and not by version: two versions of one group share
objects, and no conversion happens between them (the sandbox is not faithful there).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from kmech.sandbox import status as st

__all__ = [
    "EventType",
    "ResourceKey",
    "StoredEvent",
    "EventSink",
    "RVCodec",
    "Storage",
    "ObjectKey",
    "format_timestamp",
]

ObjectKey = tuple[str, str]
"""(namespace, name); namespace is "" for cluster-scoped objects. Sorts like etcd keys."""


class EventType(StrEnum):
    """Watch event types (apimachinery ``pkg/watch/watch.go``)."""

    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"
    BOOKMARK = "BOOKMARK"
    ERROR = "ERROR"


@dataclass(frozen=True, slots=True)
class ResourceKey:
    """Where objects of one resource live: group and plural resource name."""

    group: str
    resource: str


@dataclass(slots=True)
class StoredEvent:
    """One write. ``obj`` is the new state (for DELETED: the last state, at the deletion rv);
    ``prev`` is the state before the write (None for a create). Both are read-only."""

    rv: int
    key: ResourceKey
    type: EventType
    obj: dict[str, Any]
    prev: dict[str, Any] | None
    # Encoded JSON of ``obj`` filled lazily by the first watcher that sends it, so that N
    # watchers serialize each object once.
    encoded: bytes | None = field(default=None)


class EventSink(Protocol):
    """What the store calls on a registered watcher; called with the store lock held, so cheap."""

    def offer(self, event: StoredEvent) -> None: ...

    def expire(self, floor: int) -> None: ...


class RVCodec:
    """Turns the internal integer counter into resourceVersion strings and back.

    Default: decimal strings, as kube-apiserver with etcd. With ``opaque=True`` the strings are
    an invertible scramble (``"rv-3f2a9c01"``): unique, but neither numeric nor ordered, so a
    client that compares or parses them is caught.
    """

    _MULT = 2654435761  # odd, so invertible modulo 2**32
    _INV = pow(_MULT, -1, 2**32)

    def __init__(self, *, opaque: bool = False) -> None:
        self.opaque = opaque

    def encode(self, rv: int) -> str:
        """The wire form of ``rv``."""
        if not self.opaque:
            return str(rv)
        return f"rv-{(rv * self._MULT) % 2**32:08x}"

    def decode(self, text: str) -> int:
        """The counter value of a wire resourceVersion; raises ValueError if it is not one."""
        if not self.opaque:
            if not text.isdigit():
                raise ValueError(text)
            return int(text)
        if not text.startswith("rv-") or len(text) != 11:
            if text == "0":
                return 0
            raise ValueError(text)
        return (int(text[3:], 16) * self._INV) % 2**32


def format_timestamp(seconds: float) -> str:
    """RFC 3339 at second precision in UTC, as metav1.Time encodes."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _with_rv(obj: dict[str, Any], rv: str) -> dict[str, Any]:
    new = dict(obj)
    meta = dict(new.get("metadata") or {})
    meta["resourceVersion"] = rv
    new["metadata"] = meta
    return new


class Storage:
    """Thread-safe object store with one rv counter and a bounded event history.

    ``history_size`` bounds the number of retained events across all resources (like etcd's
    compaction, not like the per-resource watch cache). ``wall_time`` supplies timestamps.
    """

    def __init__(
        self,
        *,
        history_size: int = 1000,
        codec: RVCodec | None = None,
        wall_time: Callable[[], float] = time.time,
    ) -> None:
        self.lock = threading.Condition(threading.RLock())
        self.codec = codec or RVCodec()
        self.history_size = max(1, history_size)
        self._wall_time = wall_time
        self._rv = 0
        self._floor = 0
        self._objects: dict[ResourceKey, dict[ObjectKey, dict[str, Any]]] = {}
        self._sorted: dict[ResourceKey, list[ObjectKey]] = {}
        self._history: deque[StoredEvent] = deque()
        self._sinks: dict[ResourceKey, set[EventSink]] = {}
        # JSON of list items without TypeMeta, keyed by object key and valid while the cached
        # object is the stored one (identity): a LIST of 20,000 objects then joins bytes.
        self._item_json: dict[ResourceKey, dict[ObjectKey, tuple[dict[str, Any], bytes]]] = {}

    # ----------------------------------------------------------------------- counters

    @property
    def rv(self) -> int:
        """The newest resourceVersion (0 before the first write)."""
        return self._rv

    @property
    def floor(self) -> int:
        """The oldest resourceVersion a watch or exact list may start from."""
        return self._floor

    # ----------------------------------------------------------------------- reads

    def get(self, key: ResourceKey, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored object, or None."""
        with self.lock:
            return self._objects.get(key, {}).get((namespace, name))

    def list_items(
        self, key: ResourceKey, namespace: str | None, *, at_rv: int | None = None
    ) -> tuple[int, list[tuple[ObjectKey, dict[str, Any]]]]:
        """(rv of the snapshot, objects in key order), now or at ``at_rv``.

        ``at_rv`` below :attr:`floor` raises 410 Expired; above the newest rv it is the caller's
        job to reject it (the error differs between list and watch).
        """
        with self.lock:
            if at_rv is None or at_rv >= self._rv:
                objs = self._objects.get(key, {})
                keys = self._sorted_keys_locked(key)
                snap_rv = self._rv
                if namespace:
                    lo = bisect_left(keys, (namespace, ""))
                    out = []
                    for k in keys[lo:]:
                        if k[0] != namespace:
                            break
                        out.append((k, objs[k]))
                    return snap_rv, out
                return snap_rv, [(k, objs[k]) for k in keys]
            if at_rv < self._floor:
                raise self.too_old(at_rv)
            state = dict(self._objects.get(key, {}))
            for ev in reversed(self._history):
                if ev.rv <= at_rv:
                    break
                if ev.key != key:
                    continue
                okey = _object_key(ev.obj)
                if ev.prev is None:
                    state.pop(okey, None)
                else:
                    state[okey] = ev.prev
            items = sorted(state.items())
            if namespace:
                items = [kv for kv in items if kv[0][0] == namespace]
            return at_rv, items

    def items_json(
        self, key: ResourceKey, pairs: list[tuple[ObjectKey, dict[str, Any]]]
    ) -> list[bytes]:
        """Compact JSON of each object without ``kind``/``apiVersion`` (built-in list items),
        cached per object key while the cached object is the one passed (identity)."""
        cache = self._item_json.setdefault(key, {})
        out: list[bytes] = []
        dumps = json.dumps
        for okey, obj in pairs:
            hit = cache.get(okey)
            if hit is not None and hit[0] is obj:
                out.append(hit[1])
                continue
            data = dumps(
                {k: v for k, v in obj.items() if k != "kind" and k != "apiVersion"},
                separators=(",", ":"),
            ).encode()
            # A racing delete may leave one stale entry; it is replaced on the next write.
            cache[okey] = (obj, data)
            out.append(data)
        return out

    def too_old(self, rv: int) -> st.StatusException:
        """410 Expired in kube-apiserver's words for a resourceVersion below the floor."""
        return st.expired(
            f"too old resource version: {self.codec.encode(rv)} ({self.codec.encode(self._rv)})"
        )

    def _sorted_keys_locked(self, key: ResourceKey) -> list[ObjectKey]:
        keys = self._sorted.get(key)
        if keys is None:
            keys = sorted(self._objects.get(key, {}))
            self._sorted[key] = keys
        return keys

    # ----------------------------------------------------------------------- writes

    def create(
        self,
        key: ResourceKey,
        obj: dict[str, Any],
        *,
        namespace: str,
        kind: str,
        api_version: str,
    ) -> dict[str, Any]:
        """Store a new object; fills uid, creationTimestamp, generation and resourceVersion.

        ``obj`` is not modified. A missing name with ``metadata.generateName`` gets a random
        suffix. Raises 409 AlreadyExists or 400/422 for a missing name.
        """
        meta = dict(obj.get("metadata") or {})
        name = meta.get("name") or ""
        with self.lock:
            objs = self._objects.setdefault(key, {})
            if not name:
                prefix = meta.get("generateName") or ""
                if not prefix:
                    raise st.invalid(
                        kind,
                        "",
                        [
                            (
                                "metadata.name",
                                "FieldValueRequired",
                                "Required value: name or generateName is required",
                            )
                        ],
                        group=key.group,
                    )
                while True:
                    name = prefix + uuid.uuid4().hex[:5]
                    if (namespace, name) not in objs:
                        break
            if (namespace, name) in objs:
                raise st.already_exists(key.resource, key.group, name)
            rv = self._next_rv_locked()
            meta["name"] = name
            if namespace:
                meta["namespace"] = namespace
            else:
                meta.pop("namespace", None)
            meta["uid"] = str(uuid.uuid4())
            meta["resourceVersion"] = self.codec.encode(rv)
            meta["creationTimestamp"] = format_timestamp(self._wall_time())
            meta["generation"] = 1
            meta.pop("deletionTimestamp", None)
            new = {"apiVersion": api_version, "kind": kind, **obj, "metadata": meta}
            new["apiVersion"] = api_version
            new["kind"] = kind
            objs[(namespace, name)] = new
            self._sorted.pop(key, None)
            self._record_locked(StoredEvent(rv, key, EventType.ADDED, new, None))
            return new

    def update(
        self,
        key: ResourceKey,
        namespace: str,
        name: str,
        mutate: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        precondition_rv: str | None = None,
    ) -> dict[str, Any]:
        """Replace an object with ``mutate(current)`` atomically.

        ``mutate`` receives the read-only current object and returns the desired new one (it
        must not modify its argument). Identity fields (name, namespace, uid,
        creationTimestamp) are kept from the stored object; ``generation`` increases when
        anything outside ``metadata`` and ``status`` changed. A non-empty resourceVersion in the
        result (or ``precondition_rv``) must equal the stored one, else 409 Conflict.
        Raises 404 when the object does not exist.
        """
        with self.lock:
            objs = self._objects.get(key, {})
            cur = objs.get((namespace, name))
            if cur is None:
                raise st.not_found(key.resource, key.group, name)
            desired = mutate(cur)
            meta = dict(desired.get("metadata") or {})
            cur_meta = cur["metadata"]
            want_rv = (
                precondition_rv if precondition_rv is not None else meta.get("resourceVersion")
            )
            if want_rv and want_rv != cur_meta.get("resourceVersion"):
                raise st.conflict(key.resource, key.group, name)
            for ident in ("name", "namespace", "uid", "creationTimestamp", "generation"):
                if ident in cur_meta:
                    meta[ident] = cur_meta[ident]
                else:
                    meta.pop(ident, None)
            if "deletionTimestamp" in cur_meta:
                meta["deletionTimestamp"] = cur_meta["deletionTimestamp"]
            if _spec_changed(cur, desired):
                meta["generation"] = int(cur_meta.get("generation") or 0) + 1
            rv = self._next_rv_locked()
            meta["resourceVersion"] = self.codec.encode(rv)
            new = dict(desired)
            new["apiVersion"] = cur["apiVersion"]
            new["kind"] = cur["kind"]
            new["metadata"] = meta
            objs[(namespace, name)] = new
            self._record_locked(StoredEvent(rv, key, EventType.MODIFIED, new, cur))
            return new

    def delete(
        self, key: ResourceKey, namespace: str, name: str, *, precondition_rv: str | None = None
    ) -> dict[str, Any]:
        """Remove an object at once (no graceful deletion, no finalizers); returns its last state
        with the deletion's resourceVersion. Raises 404, or 409 when ``precondition_rv`` differs."""
        with self.lock:
            objs = self._objects.get(key, {})
            cur = objs.get((namespace, name))
            if cur is None:
                raise st.not_found(key.resource, key.group, name)
            if precondition_rv and precondition_rv != cur["metadata"].get("resourceVersion"):
                raise st.conflict(key.resource, key.group, name)
            del objs[(namespace, name)]
            self._item_json.get(key, {}).pop((namespace, name), None)
            self._sorted.pop(key, None)
            rv = self._next_rv_locked()
            last = _with_rv(cur, self.codec.encode(rv))
            self._record_locked(StoredEvent(rv, key, EventType.DELETED, last, cur))
            return last

    def delete_namespace_contents(self, namespace: str) -> None:
        """Delete every namespaced object in ``namespace`` (one event each)."""
        with self.lock:
            for key in list(self._objects):
                for okey in [k for k in self._objects[key] if k[0] == namespace]:
                    self.delete(key, okey[0], okey[1])

    def _next_rv_locked(self) -> int:
        self._rv += 1
        return self._rv

    def _record_locked(self, event: StoredEvent) -> None:
        self._history.append(event)
        while len(self._history) > self.history_size:
            self._floor = self._history.popleft().rv
        for sink in self._sinks.get(event.key, ()):
            sink.offer(event)
        self.lock.notify_all()

    # ----------------------------------------------------------------------- history, watch

    def register(
        self, key: ResourceKey, sink: EventSink, *, since: int | None
    ) -> tuple[int, list[StoredEvent] | list[tuple[ObjectKey, dict[str, Any]]]]:
        """Attach ``sink`` to live events of ``key``, atomically with its starting point.

        ``since=None``: returns (rv, current objects) — the caller sends them as synthetic
        ADDED events. ``since=N``: returns (rv, history events of ``key`` after N). N below the
        floor raises 410 Expired; the sink is then not registered.
        """
        with self.lock:
            if since is None:
                rv, objs = self.list_items(key, None)
                self._sinks.setdefault(key, set()).add(sink)
                return rv, objs
            if since < self._floor:
                raise self.too_old(since)
            events = [ev for ev in self._history if ev.rv > since and ev.key == key]
            self._sinks.setdefault(key, set()).add(sink)
            return self._rv, events

    def unregister(self, key: ResourceKey, sink: EventSink) -> None:
        """Detach a watcher (idempotent)."""
        with self.lock:
            self._sinks.get(key, set()).discard(sink)

    def sinks(self) -> list[EventSink]:
        """Every registered watcher."""
        with self.lock:
            return [s for group in self._sinks.values() for s in group]

    def wait_for_rv(self, rv: int, timeout: float) -> bool:
        """Block until the newest rv reaches ``rv`` or ``timeout`` seconds pass."""
        with self.lock:
            return self.lock.wait_for(lambda: self._rv >= rv, timeout)

    def compact(self, *, expire_watchers: bool = False) -> None:
        """Drop all history: the floor becomes the newest rv. With ``expire_watchers`` every open
        watch also gets an in-stream 410 and ends (what etcd compaction does to a lagging watch)."""
        with self.lock:
            self._history.clear()
            self._floor = self._rv
            if expire_watchers:
                for sink in self.sinks():
                    sink.expire(self._floor)

    def reset(self) -> None:
        """Forget every object and all history; the rv counter keeps increasing (a client that
        remembers an old rv gets 410, not a silent mismatch)."""
        with self.lock:
            self._objects.clear()
            self._sorted.clear()
            self._item_json.clear()
            self._history.clear()
            self._floor = self._rv


def _object_key(obj: dict[str, Any]) -> ObjectKey:
    meta = obj.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")


def _spec_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    keys = (set(old) | set(new)) - {"metadata", "status", "apiVersion", "kind"}
    return any(old.get(k) != new.get(k) for k in keys)
