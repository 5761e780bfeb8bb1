"""Discovery: fetch what a server serves (aggregated or legacy), cache it on disk as kubectl does,
and build mappers from it lazily with one refresh on a miss.

The hand-over to the mapper is :class:`DiscoveryDocuments` ``(group_list, resource_lists,
failures)``; see :mod:`kmech.discovery.client` for its ordering guarantees.

Upstream: client-go ``discovery``, ``discovery/cached/disk``, ``discovery/cached/memory``,
``restmapper/discovery.go``; cli-runtime ``pkg/genericclioptions/config_flags.go``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kmech._lazy import attach

if TYPE_CHECKING:
    from kmech.discovery.aggregated import (
        ACCEPT_DISCOVERY,
        AggregatedSplit,
        aggregated_version,
        split_groups_and_resources,
    )
    from kmech.discovery.client import (
        DiscoveryClient,
        DiscoveryDocuments,
        HTTPDiscoveryClient,
        Requester,
    )
    from kmech.discovery.deferred import DeferredMapper, is_miss
    from kmech.discovery.disk_cache import (
        DEFAULT_TTL_SECONDS,
        CachedDiscoveryClient,
        DiskCache,
        default_cache_root,
        discovery_cache_dir,
        resolve_cache_root,
        safe_host,
    )
    from kmech.discovery.legacy import api_versions_to_group, fetch_resource_lists
    from kmech.discovery.snapshot import (
        DirectoryDiscoveryClient,
        load_discovery_folder,
        packaged_snapshot_dir,
    )

# Public name -> the submodule defining it; imported on first use (kmech._lazy), so that
# reading the disk cache does not import the HTTP fetchers.
_EXPORTS = {
    "ACCEPT_DISCOVERY": "aggregated",
    "AggregatedSplit": "aggregated",
    "aggregated_version": "aggregated",
    "split_groups_and_resources": "aggregated",
    "DiscoveryClient": "client",
    "DiscoveryDocuments": "client",
    "HTTPDiscoveryClient": "client",
    "Requester": "client",
    "DeferredMapper": "deferred",
    "is_miss": "deferred",
    "DEFAULT_TTL_SECONDS": "disk_cache",
    "CachedDiscoveryClient": "disk_cache",
    "DiskCache": "disk_cache",
    "default_cache_root": "disk_cache",
    "discovery_cache_dir": "disk_cache",
    "resolve_cache_root": "disk_cache",
    "safe_host": "disk_cache",
    "api_versions_to_group": "legacy",
    "fetch_resource_lists": "legacy",
    "DirectoryDiscoveryClient": "snapshot",
    "load_discovery_folder": "snapshot",
    "packaged_snapshot_dir": "snapshot",
}

__all__ = [
    "ACCEPT_DISCOVERY",
    "AggregatedSplit",
    "CachedDiscoveryClient",
    "DEFAULT_TTL_SECONDS",
    "DeferredMapper",
    "DirectoryDiscoveryClient",
    "DiscoveryClient",
    "DiscoveryDocuments",
    "DiskCache",
    "HTTPDiscoveryClient",
    "Requester",
    "aggregated_version",
    "api_versions_to_group",
    "default_cache_root",
    "discovery_cache_dir",
    "fetch_resource_lists",
    "is_miss",
    "load_discovery_folder",
    "packaged_snapshot_dir",
    "resolve_cache_root",
    "safe_host",
    "split_groups_and_resources",
]

__getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
