"""The public surface of kmech.discovery is pinned, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import kmech.discovery

EXPECTED = {
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
}


def test_all_is_pinned():
    assert set(kmech.discovery.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(kmech.discovery, name), name


def test_import_loads_no_http_or_terminal_stack():
    code = (
        "import sys, kmech.discovery, kmech.discovery.flags, kmech.discovery.preferred; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('typer', 'rich', 'kubernetes', 'urllib3', 'yaml')]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
