"""kubectl's on-disk discovery cache: where it lives, how old an entry may be, and which entries a
process may still trust after it invalidated them.

Layout (shared with kubectl, so either tool warms the cache for the other)::

    <cache-root>/discovery/<safe-host>/servergroups.json                 APIGroupList, core first
    <cache-root>/discovery/<safe-host>/<group>/<version>/serverresources.json   APIResourceList
    <cache-root>/discovery/<safe-host>/v1/serverresources.json           the core group

An entry is used while its file's mtime is less than the TTL (6 h, kubectl's since 1.24) old.
kmech writes files owner-only (0600, directories 0700) where kubectl uses 0660/0750, and always
atomically (a temporary file in the same directory, then a rename), so a concurrent kubectl never
reads half a file. Empty documents are never written.

Freshness: the store is *fresh* until it hands out an entry that this process did not write; a
mapper built from a store that is not fresh may be out of date, so a miss is worth one
:meth:`DiskCache.invalidate` and a rebuild (``kmech.discovery.deferred``). After ``invalidate``
every file written before it is ignored, and files written afterwards are used.

Upstream: client-go ``discovery/cached/disk/cached_discovery.go`` (getCachedFile,
writeCachedFile, Fresh, Invalidate) and cli-runtime ``pkg/genericclioptions/config_flags.go``
(getDefaultCacheDir, computeDiscoverCacheDir, ToDiscoveryClient).
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from kmech._files import make_private_dirs
from kmech._lazy import logger
from kmech.discovery.client import DiscoveryDocuments, order_resource_lists
from kmech.discovery.legacy import group_versions
from kmech.errors import KmechError

if TYPE_CHECKING:
    from kmech.discovery.client import DiscoveryClient

__all__ = [
    "DEFAULT_TTL_SECONDS",
    "DiskCache",
    "CachedDiscoveryClient",
    "LiveDiscovery",
    "default_cache_root",
    "resolve_cache_root",
    "safe_host",
    "discovery_cache_dir",
]


DEFAULT_TTL_SECONDS = 6 * 60 * 60
"""kubectl's discovery cache TTL (``6*time.Hour`` in ``ToDiscoveryClient``)."""

SERVER_GROUPS_FILE = "servergroups.json"
SERVER_RESOURCES_FILE = "serverresources.json"

# Go's `[^(\w/.)]`: anything that is not an ASCII word character, '/', '.', '(' or ')'.
_ILLEGAL_FILE_CHARACTERS = re.compile(r"[^()A-Za-z0-9_/.]")


def default_cache_root(environ: Mapping[str, str] | None = None) -> str:
    """``$KUBECACHEDIR`` if set and non-empty, else ``~/.kube/cache`` (kubectl's default)."""
    env = os.environ if environ is None else environ
    value = env.get("KUBECACHEDIR", "")
    if value:
        return value
    return os.path.join(os.path.expanduser("~"), ".kube", "cache")


def resolve_cache_root(flag: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The cache root for a ``--cache-dir`` value: the flag when given (and not merely the
    default spelled out), else :func:`default_cache_root`."""
    default = default_cache_root(environ)
    if flag and os.path.normpath(flag) != os.path.normpath(default):
        return os.path.expanduser(flag)
    return default


def safe_host(host: str) -> str:
    """The directory name kubectl derives from a server URL: drop the first ``https://`` and the
    first ``http://``, replace every other character outside ``[A-Za-z0-9_/.()]`` with ``_``,
    then clean the path as Go's ``filepath.Join`` does (``https://10.0.0.1:6443`` →
    ``10.0.0.1_6443``)."""
    schemeless = host.replace("https://", "", 1).replace("http://", "", 1)
    safe = _ILLEGAL_FILE_CHARACTERS.sub("_", schemeless)
    cleaned = posixpath.normpath(safe) if safe else ""
    return "" if cleaned == "." else cleaned


def discovery_cache_dir(cache_root: str | os.PathLike[str], host: str) -> str:
    """``<cache_root>/discovery/<safe_host(host)>``, as kubectl computes it."""
    base = os.path.join(cache_root, "discovery")
    name = safe_host(host)
    return os.path.join(base, name) if name else base


class DiskCache:
    """Discovery documents on disk for one server, with kubectl's TTL and freshness rules.

    Thread-safe. ``wall_clock`` returns seconds since the epoch (file mtimes are wall-clock time,
    so this is not the monotonic :class:`kmech.clock.PassiveClock`); tests pass their own.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = os.fspath(directory)
        self.ttl_seconds = ttl_seconds
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._our_files: set[str] = set()
        self._fresh = True
        self._invalidated = False
        self._writes = 0

    # -- paths ---------------------------------------------------------------------------

    def groups_path(self) -> str:
        return os.path.join(self.directory, SERVER_GROUPS_FILE)

    def resources_path(self, group_version: str) -> str:
        return os.path.join(self.directory, *group_version.split("/"), SERVER_RESOURCES_FILE)

    # -- freshness -------------------------------------------------------------------------

    @property
    def fresh(self) -> bool:
        """True while every entry handed out was written by this process."""
        with self._lock:
            return self._fresh

    def invalidate(self) -> None:
        """Ignore every file written so far (by anyone); the store is fresh again."""
        with self._lock:
            self._our_files = set()
            self._fresh = True
            self._invalidated = True

    # -- reads -----------------------------------------------------------------------------

    def read_groups(self) -> dict[str, Any] | None:
        """The cached APIGroupList, or ``None`` (absent, expired, invalidated or unreadable)."""
        doc = self._read(self.groups_path())
        if doc is None or not isinstance(doc.get("groups"), list):
            return None
        return doc

    def read_resources(self, group_version: str) -> dict[str, Any] | None:
        """The cached APIResourceList for ``group_version``, or ``None``."""
        doc = self._read(self.resources_path(group_version))
        if doc is None or not isinstance(doc.get("resources"), list):
            return None
        return doc

    def _read(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            ours = path in self._our_files
            if self._invalidated and not ours:
                return None
        try:
            with open(path, "rb") as f:
                mtime = os.fstat(f.fileno()).st_mtime
                if self._wall_clock() > mtime + self.ttl_seconds:
                    logger(__name__).debug("discovery cache entry %s expired", path)
                    return None
                data = f.read()
        except OSError:
            return None
        try:
            doc = json.loads(data)
        except ValueError:
            logger(__name__).debug("discovery cache entry %s is not JSON; ignoring it", path)
            return None
        if not isinstance(doc, dict):
            return None
        with self._lock:
            self._fresh = self._fresh and ours
        return doc

    def wrote_resources(self, group_version: str) -> bool:
        """Whether this process wrote ``group_version``'s file since the last invalidate."""
        path = self.resources_path(group_version)
        with self._lock:
            return path in self._our_files

    # -- writes ----------------------------------------------------------------------------

    def write_groups(self, group_list: Mapping[str, Any]) -> None:
        """Store an APIGroupList (skipped when it has no groups)."""
        if not group_list.get("groups"):
            return
        doc = {"kind": "APIGroupList", "apiVersion": "v1", **_without_type_meta(group_list)}
        self._write(self.groups_path(), doc)

    def write_resources(self, group_version: str, resource_list: Mapping[str, Any]) -> None:
        """Store an APIResourceList (skipped when it has no resources)."""
        if not resource_list.get("resources"):
            return
        body = _without_type_meta(resource_list)
        body.setdefault("groupVersion", group_version)
        doc = {"kind": "APIResourceList", "apiVersion": "v1", **body}
        self._write(self.resources_path(group_version), doc)

    def _write(self, path: str, doc: Mapping[str, Any]) -> None:
        data = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
        with self._lock:
            self._writes += 1
            tmp = f"{path}.{os.getpid()}.{self._writes}"
        try:
            make_private_dirs(os.path.dirname(path))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            # A cache that cannot be written is not an error for the command (kubectl logs it).
            logger(__name__).info("could not write discovery cache file %s: %s", path, exc)
            return
        with self._lock:
            self._our_files.add(path)


def _without_type_meta(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("kind", "apiVersion")}


class LiveDiscovery(Protocol):
    """What the disk layer asks of the live (memory-cached) client beneath it."""

    def server_groups(self) -> dict[str, Any]: ...

    def server_resources_for_group_version(self, group_version: str) -> dict[str, Any]: ...

    def server_groups_and_resources(self) -> DiscoveryDocuments: ...

    def invalidate(self) -> None: ...


class CachedDiscoveryClient:
    """Discovery through kubectl's disk cache: each document from its file while the file is
    younger than the TTL, else from ``delegate`` (and then written back).

    A group-version the delegate cannot serve is reported in ``failures`` and left out. Stale
    aggregated group-versions are absent from the group list (so never requested) but are still
    reported when this process fetched live. Thread-safe.
    """

    def __init__(self, delegate: LiveDiscovery, cache: DiskCache) -> None:
        self._delegate = delegate
        self.cache = cache
        self._lock = threading.Lock()
        self._fetched_live = False

    def fresh(self) -> bool:
        return self.cache.fresh

    def invalidate(self) -> None:
        with self._lock:
            self.cache.invalidate()
            self._delegate.invalidate()

    def server_groups(self) -> dict[str, Any]:
        cached = self.cache.read_groups()
        if cached is not None:
            return cached
        live = self._delegate.server_groups()
        self._fetched_live = True
        self.cache.write_groups(live)
        return live

    def server_groups_and_resources(self) -> DiscoveryDocuments:
        with self._lock:
            group_list = self.server_groups()
            lists: dict[str, dict[str, Any]] = {}
            failures: dict[str, str] = {}
            unwritten: list[tuple[str, dict[str, Any]]] = []
            for gv in group_versions(group_list):
                cached = self.cache.read_resources(gv)
                if cached is not None:
                    lists[gv] = cached
                    continue
                try:
                    live = self._delegate.server_resources_for_group_version(gv)
                except KmechError as exc:
                    failures[gv] = _reason(exc, gv)
                    continue
                self._fetched_live = True
                if not self.cache.wrote_resources(gv):  # a write-through delegate wrote it
                    unwritten.append((gv, live))
                lists[gv] = live
            self._write_all(unwritten)
            if self._fetched_live:
                # Stale aggregated versions never reach the group list; report them anyway.
                for gv, reason in self._delegate.server_groups_and_resources().failures.items():
                    failures.setdefault(gv, reason)
            return DiscoveryDocuments(group_list, order_resource_lists(group_list, lists), failures)

    def _write_all(self, docs: list[tuple[str, dict[str, Any]]]) -> None:
        """Write APIResourceLists, a few at a time when there are many (creating a cache's
        directories is most of the cost, and the kernel overlaps some of it)."""
        if len(docs) < _PARALLEL_WRITES_FROM:
            for gv, doc in docs:
                self.cache.write_resources(gv, doc)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(_WRITE_THREADS, thread_name_prefix="discovery-cache") as pool:
            list(pool.map(lambda item: self.cache.write_resources(*item), docs))


_PARALLEL_WRITES_FROM = 8
_WRITE_THREADS = 4


def _reason(exc: KmechError, gv: str) -> str:
    prefix = f"couldn't get resource list for {gv}: "
    text = exc.message
    return text[len(prefix) :] if text.startswith(prefix) else text


if TYPE_CHECKING:
    _check: DiscoveryClient = CachedDiscoveryClient(None, None)  # type: ignore[arg-type]
