"""From the command line to a discovery client: offline folder, packaged snapshot, or the server
through kubectl's disk cache.

The server path is lazy: the kubeconfig is read only far enough to learn the server URL (which
names the cache folder); credentials are loaded, and the transport built, only when a document
must actually be fetched. A warm cache therefore answers without importing an HTTP stack.

Upstream: cli-runtime ``pkg/genericclioptions/config_flags.go`` (ToDiscoveryClient,
``--cache-dir``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from kmech._files import kubeconfig_files
from kmech._record import field, record
from kmech.discovery.client import DiscoveryClient, HTTPDiscoveryClient
from kmech.discovery.disk_cache import (
    CachedDiscoveryClient,
    DiskCache,
    discovery_cache_dir,
    resolve_cache_root,
)
from kmech.errors import ConfigError
from kmech.transport.options import ConnectionOptions

if TYPE_CHECKING:
    from kmech.transport.client import Response, RESTClient

__all__ = [
    "DiscoveryFlags",
    "OpenedDiscovery",
    "SNAPSHOT_NOTICE",
    "cluster_configured",
    "peek_server",
    "open_discovery",
    "failure_warnings",
]

SNAPSHOT_NOTICE = (
    "no cluster configured: using the k3s 1.34 discovery snapshot shipped with kmech "
    "(point KUBECONFIG at a cluster, or pass --discovery DIR)"
)


@record(frozen=True, slots=True)
class DiscoveryFlags:
    """``--discovery``, ``--cache-dir`` and ``--refresh`` as given."""

    discovery_dir: str | None = None
    cache_dir: str | None = None
    refresh: bool = False


@record(slots=True)
class OpenedDiscovery:
    """A discovery client plus where it reads from; ``notice`` is a line for stderr (or "")."""

    client: DiscoveryClient
    source: str
    notice: str = ""
    cache_dir: str | None = None
    _closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        for closer in self._closers:
            closer()


def cluster_configured(
    connection: ConnectionOptions, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether any cluster configuration exists (flags, a kubeconfig file, or a pod's service
    account); when none does, commands fall back to the packaged snapshot."""
    env = os.environ if environ is None else environ
    if connection.kubeconfig or connection.server or connection.context or connection.cluster:
        return True
    if env.get("KUBERNETES_SERVICE_HOST") and env.get("KUBERNETES_SERVICE_PORT"):
        return True
    return bool(kubeconfig_files(None, env))


def peek_server(connection: ConnectionOptions) -> str | None:
    """The server URL the connection flags select, read without loading credentials, or
    ``None`` when it cannot be told cheaply (the full loader then reports the problem)."""
    if connection.server:
        return connection.server
    from kmech.transport.kubeconfig import kubeconfig_paths, merge_kubeconfigs

    try:
        paths = kubeconfig_paths(connection)
        merged = merge_kubeconfigs(paths)
    except ConfigError:
        return None
    if not (merged.clusters or merged.contexts or merged.users):
        host, port = (
            os.environ.get("KUBERNETES_SERVICE_HOST"),
            os.environ.get("KUBERNETES_SERVICE_PORT"),
        )
        if host and port:
            return f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}"
        return None
    context_name = connection.context or merged.current_context
    context = merged.contexts.get(context_name) if context_name else None
    if context_name and context is None:
        return None
    cluster_name = connection.cluster or str(
        (context.value if context else {}).get("cluster") or ""
    )
    cluster = merged.clusters.get(cluster_name)
    if cluster is None:
        return None
    server = cluster.value.get("server")
    return server.rstrip("/") if isinstance(server, str) and server else None


class _LazyRequester:
    """Builds the RESTClient on the first request, so cache hits never load the transport."""

    def __init__(self, connection: ConnectionOptions, server: str) -> None:
        self._connection = connection
        self._server = server
        self._client: RESTClient | None = None
        self._lock = threading.Lock()

    @property
    def server(self) -> str:
        return self._server

    def _rest(self) -> RESTClient:
        with self._lock:
            if self._client is None:
                from kmech.transport.client import RESTClient

                self._client = RESTClient.from_options(self._connection)
            return self._client

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        raise_for_status: bool = True,
    ) -> Response:
        return self._rest().request(
            method, path, headers=headers, raise_for_status=raise_for_status
        )

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def open_discovery(
    connection: ConnectionOptions,
    flags: DiscoveryFlags,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> OpenedDiscovery:
    """The discovery client the flags ask for.

    ``--discovery DIR`` reads a saved folder; with no cluster configured at all the packaged
    snapshot is used (and ``notice`` says so); otherwise the server, through the disk cache under
    ``--cache-dir`` (invalidated first with ``--refresh``). Raises ConfigError for a broken
    kubeconfig. ``on_progress(done, total)`` is called only when the server is actually asked
    (a cold cache, ``--refresh`` or a later refetch), never for a cache hit or a folder.
    """
    if flags.discovery_dir:
        from kmech.discovery.snapshot import DirectoryDiscoveryClient

        return OpenedDiscovery(DirectoryDiscoveryClient(flags.discovery_dir), flags.discovery_dir)
    if not cluster_configured(connection):
        from kmech.discovery.snapshot import DirectoryDiscoveryClient, packaged_snapshot_dir

        folder = packaged_snapshot_dir()
        return OpenedDiscovery(DirectoryDiscoveryClient(folder), str(folder), SNAPSHOT_NOTICE)
    server = peek_server(connection)
    if server is None:
        # Let the real loader raise the precise configuration error.
        from kmech.transport.client import RESTClient

        rest = RESTClient.from_options(connection)
        server = rest.server
        rest.close()
    requester = _LazyRequester(connection, server)
    cache_dir = discovery_cache_dir(resolve_cache_root(flags.cache_dir), server)
    cache = DiskCache(cache_dir)
    # Each legacy APIResourceList is written by the thread that fetched it, as client-go does.
    live = HTTPDiscoveryClient(
        requester, on_progress=on_progress, on_resource_list=cache.write_resources
    )
    client = CachedDiscoveryClient(live, cache)
    if flags.refresh:
        client.invalidate()
    return OpenedDiscovery(client, server, cache_dir=cache_dir, _closers=[requester.close])


def failure_warnings(failures: Mapping[str, str]) -> list[str]:
    """One line per failed group-version, in client-go's words, sorted by group-version."""
    return [f"couldn't get resource list for {gv}: {failures[gv]}" for gv in sorted(failures)]
