"""Candidate sources by name: what each completable option or argument offers.

The generated spec names a source per parameter (``resources``, ``watchable_resources``,
``namespaces``, ``contexts``, ``clusters``, ``users``, ``limiters``); :func:`candidates` answers
it for the connection flags already on the command line (``connection`` maps click parameter
names such as ``kubeconfig``, ``context``, ``server``, ``cache_dir`` to their values). Sources
never raise: a TAB that cannot be answered offers nothing.

Network use is bounded. A TAB waits for the server only when there is no cache at all: one
discovery (resource names) or one namespace list, each request with a 1 s timeout. An expired
cache (kubectl's 6 h for discovery, 30 s for namespaces) still answers at once, and a detached
``python -m kmech.completion.refresh`` renews it behind the TAB, one refresh at a time.
"""

from __future__ import annotations

import os

from kmech.completion.candidate import Candidate

# typing is not imported on the completion path; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from kmech.completion.kubeconfig import KubeconfigSummary, Selection
    from kmech.transport.options import ConnectionOptions

__all__ = ["SOURCES", "candidates", "cache_root"]

FETCH_TIMEOUT_SECONDS = 1.0

if TYPE_CHECKING:
    Connection = dict[str, str]


def candidates(source: str, connection: Connection) -> list[Candidate]:
    """The candidates of ``source`` (unknown names offer nothing)."""
    fn = SOURCES.get(source)
    if fn is None:
        return []
    return fn(connection)


def cache_root(connection: Connection) -> str:
    """``--cache-dir``, else ``$KUBECACHEDIR``, else ``~/.kube/cache`` (kubectl's rule)."""
    flag = connection.get("cache_dir")
    if flag:
        return os.path.expanduser(flag)
    env = os.environ.get("KUBECACHEDIR", "")
    if env:
        return env
    return os.path.join(os.path.expanduser("~"), ".kube", "cache")


# -- kubeconfig ----------------------------------------------------------------------------


def _summary(connection: Connection) -> KubeconfigSummary:
    from kmech.completion.kubeconfig import kubeconfig_paths, load_summary

    return load_summary(kubeconfig_paths(connection.get("kubeconfig")), cache_root(connection))


def contexts(connection: Connection) -> list[Candidate]:
    """Context names; the description names the cluster and namespace."""
    summary = _summary(connection)
    out = []
    for name, ctx in summary.contexts.items():
        parts = [f"cluster {ctx['cluster']}"] if ctx.get("cluster") else []
        if ctx.get("namespace"):
            parts.append(f"namespace {ctx['namespace']}")
        if name == summary.current_context:
            parts.insert(0, "current")
        out.append(Candidate(name, ", ".join(parts) or None))
    return out


def clusters(connection: Connection) -> list[Candidate]:
    """Cluster names; the description is the server URL."""
    return [
        Candidate(name, server or None) for name, server in _summary(connection).clusters.items()
    ]


def users(connection: Connection) -> list[Candidate]:
    """User names (never their credentials)."""
    return [Candidate(name) for name in _summary(connection).users]


def _selection(connection: Connection) -> Selection:
    from kmech.completion.kubeconfig import select

    return select(
        _summary(connection),
        context=connection.get("context"),
        cluster=connection.get("cluster"),
        user=connection.get("user"),
        server=connection.get("server"),
        namespace=connection.get("namespace"),
    )


# -- resources -----------------------------------------------------------------------------


def resources(connection: Connection) -> list[Candidate]:
    """Every resource name, ``name.group`` and short name the server serves; from the
    ``--discovery`` folder when one is on the line, and from the packaged snapshot when no
    cluster is configured (what ``kmech resolve`` itself would then use)."""
    return _resources(connection, verb=None)


def watchable_resources(connection: Connection) -> list[Candidate]:
    """As :func:`resources`, only resources that support ``watch``."""
    return _resources(connection, verb="watch")


def _resources(connection: Connection, *, verb: str | None) -> list[Candidate]:
    """Cold cache: one discovery (1 s timeout), waited for. Expired cache (older than kubectl's
    6 h): its resources at once, and a detached refresh behind the TAB, one at a time."""
    from kmech.completion import namespaces as ns
    from kmech.completion.files import make_private_dirs
    from kmech.completion.resources import (
        discovery_dir,
        packaged_snapshot_dir,
        read_cached_resources,
        read_discovery_folder,
        resource_candidates,
    )

    folder = connection.get("discovery")
    if folder:
        return resource_candidates(read_discovery_folder(folder), verb=verb)
    if verb is None and not _cluster_configured(connection):
        # `kmech resolve` without any cluster configuration resolves against the snapshot.
        return resource_candidates(read_discovery_folder(packaged_snapshot_dir()))
    server = _selection(connection).server
    if not server:
        return []
    directory = discovery_dir(cache_root(connection), server)
    cached = read_cached_resources(directory)
    if cached is None:
        refresh_discovery(connection)
        cached = read_cached_resources(directory)
    elif not cached[1]:
        claim = _discovery_claim(connection, server)
        make_private_dirs(os.path.dirname(claim))
        if ns.claim_refresh(claim):
            _spawn_refresh("discovery", connection)
    if cached is None:
        return []
    return resource_candidates(cached[0], verb=verb)


def _discovery_claim(connection: Connection, server: str) -> str:
    """The refresh claim for a server's discovery, in kmech's part of the cache (kubectl's
    directory is left as kubectl lays it out)."""
    from kmech.completion.resources import host_dir_name

    return os.path.join(cache_root(connection), "kmech", "discovery", host_dir_name(server))


def refresh_discovery(connection: Connection) -> bool:
    """Fetch discovery now (1 s request timeout) into kubectl's disk cache; ``False`` on failure."""
    from kmech.completion import namespaces as ns

    server = _selection(connection).server
    try:
        return _fetch_discovery(connection)
    finally:
        if server:
            ns.release_refresh(_discovery_claim(connection, server))


def _cluster_configured(connection: Connection) -> bool:
    """The rule of :func:`kmech.discovery.flags.cluster_configured`: flags, a kubeconfig file
    or a pod's service account."""
    from kmech.completion.kubeconfig import kubeconfig_paths

    if any(connection.get(k) for k in ("kubeconfig", "server", "context", "cluster")):
        return True
    if os.environ.get("KUBERNETES_SERVICE_HOST") and os.environ.get("KUBERNETES_SERVICE_PORT"):
        return True
    return bool(kubeconfig_paths(None))


def _connection_options(connection: Connection) -> ConnectionOptions:
    from kmech.transport.options import ConnectionOptions

    return ConnectionOptions(
        kubeconfig=connection.get("kubeconfig"),
        context=connection.get("context"),
        cluster=connection.get("cluster"),
        user=connection.get("user"),
        server=connection.get("server"),
        namespace=connection.get("namespace"),
        request_timeout_seconds=FETCH_TIMEOUT_SECONDS,
    )


def _fetch_discovery(connection: Connection) -> bool:
    """One discovery, written to kubectl's disk cache; ``False`` when it failed."""
    from kmech.discovery.client import HTTPDiscoveryClient
    from kmech.discovery.disk_cache import CachedDiscoveryClient, DiskCache, discovery_cache_dir
    from kmech.errors import KmechError
    from kmech.transport.client import RESTClient

    try:
        with RESTClient.from_options(_connection_options(connection)) as client:
            cache = DiskCache(discovery_cache_dir(cache_root(connection), client.server))
            cache.invalidate()  # fetch everything again, as kubectl does past the TTL
            cached = CachedDiscoveryClient(HTTPDiscoveryClient(client), cache)
            cached.server_groups_and_resources()
    except KmechError:
        return False
    return True


# -- namespaces ----------------------------------------------------------------------------


def namespaces(connection: Connection) -> list[Candidate]:
    """Namespace names from the 30 s cache.

    No cache yet: one list with a 1 s timeout, waited for. An expired cache: its names are
    offered at once and a detached ``python -m kmech.completion.refresh`` lists them again
    behind the TAB (at most one at a time), so the next TAB is current and no TAB waits for the
    ``kubernetes`` config loader and a round trip.
    """
    from kmech.completion import namespaces as ns

    selection = _selection(connection)
    if not selection.server:
        return []
    path = ns.cache_file(cache_root(connection), selection.server, selection.user)
    cached = ns.cached_namespaces(path)
    if cached is None:
        return [Candidate(n) for n in refresh_namespaces(connection) or []]
    names, fresh = cached
    if not fresh and ns.claim_refresh(path):
        _spawn_refresh("namespaces", connection)
    return [Candidate(n) for n in names]


def refresh_namespaces(connection: Connection) -> list[str] | None:
    """List the namespaces now (1 s timeout) and cache them; ``None`` when that failed."""
    from kmech.completion import namespaces as ns

    selection = _selection(connection)
    if not selection.server:
        return None
    path = ns.cache_file(cache_root(connection), selection.server, selection.user)
    try:
        fetched = _fetch_namespaces(connection)
        if fetched is not None:
            ns.store(path, fetched)
        return fetched
    finally:
        ns.release_refresh(path)


def _spawn_refresh(kind: str, connection: Connection) -> None:
    """Start ``python -m kmech.completion.refresh KIND CONNECTION`` in its own session, detached
    (stdio on /dev/null), and return at once; falls back to refreshing in this process."""
    import json
    import sys

    refresh = refresh_namespaces if kind == "namespaces" else refresh_discovery
    if not hasattr(os, "posix_spawn"):
        refresh(connection)
        return
    argv = [sys.executable, "-m", "kmech.completion.refresh", kind, json.dumps(connection)]
    devnull = os.devnull
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, devnull, os.O_WRONLY, 0),
    ]
    try:
        os.posix_spawn(sys.executable, argv, os.environ, file_actions=actions, setsid=True)
    except OSError:
        refresh(connection)


def _fetch_namespaces(connection: Connection) -> list[str] | None:
    from kmech.completion.namespaces import REFRESH_TIMEOUT_SECONDS, names_from_list
    from kmech.errors import KmechError
    from kmech.transport.client import RESTClient

    options = _connection_options({k: v for k, v in connection.items() if k != "namespace"})
    try:
        with RESTClient.from_options(options) as client:
            doc = client.get_json("/api/v1/namespaces", timeout=REFRESH_TIMEOUT_SECONDS)
    except KmechError:
        return None
    return names_from_list(doc) if isinstance(doc, dict) else None


# -- limiters ------------------------------------------------------------------------------


def limiters(connection: Connection) -> list[Candidate]:
    """Rate limiter presets and expression starters for ``backoff --limiter``."""
    from kmech.completion.limiters import limiter_candidates

    return limiter_candidates()


SOURCES: dict[str, Callable[[Connection], list[Candidate]]] = {
    "resources": resources,
    "watchable_resources": watchable_resources,
    "namespaces": namespaces,
    "contexts": contexts,
    "clusters": clusters,
    "users": users,
    "limiters": limiters,
}
