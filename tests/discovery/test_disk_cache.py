"""kubectl's disk cache layout, TTL, permissions and freshness rules."""

from __future__ import annotations

import json
import os
import stat

import pytest

from kmech.discovery.client import DiscoveryDocuments
from kmech.discovery.disk_cache import (
    CachedDiscoveryClient,
    DiskCache,
    default_cache_root,
    discovery_cache_dir,
    resolve_cache_root,
    safe_host,
)
from kmech.errors import DiscoveryError


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param("https://10.0.0.1:6443", "10.0.0.1_6443", id="https"),
        pytest.param("http://127.0.0.1:8080", "127.0.0.1_8080", id="http"),
        pytest.param("https://my-cluster.example.com", "my_cluster.example.com", id="dash"),
        pytest.param(
            "https://example.com/k8s/clusters/c-1", "example.com/k8s/clusters/c_1", id="path"
        ),
        pytest.param("https://[::1]:6443", "___1__6443", id="ipv6"),
        pytest.param("https://h:1/", "h_1", id="trailing-slash-cleaned"),
        pytest.param("h(1).x", "h(1).x", id="parens-kept"),
    ],
)
def test_safe_host(host, expected):
    assert safe_host(host) == expected


def test_cache_root_precedence(tmp_path):
    home_default = os.path.join(os.path.expanduser("~"), ".kube", "cache")
    assert default_cache_root({}) == home_default
    assert default_cache_root({"KUBECACHEDIR": str(tmp_path)}) == str(tmp_path)
    assert resolve_cache_root(None, {"KUBECACHEDIR": str(tmp_path)}) == str(tmp_path)
    assert resolve_cache_root(str(tmp_path / "x"), {}) == str(tmp_path / "x")
    # An explicit --cache-dir beats KUBECACHEDIR, even when it names ~/.kube/cache.
    assert resolve_cache_root(home_default, {"KUBECACHEDIR": str(tmp_path)}) == home_default
    # The default spelled out (here with a trailing slash) is the default.
    assert resolve_cache_root(home_default + "/", {}) == home_default
    assert discovery_cache_dir(tmp_path, "https://1.2.3.4:6443") == str(
        tmp_path / "discovery" / "1.2.3.4_6443"
    )


GROUPS = {
    "kind": "APIGroupList",
    "apiVersion": "v1",
    "groups": [
        {
            "name": "",
            "versions": [{"groupVersion": "v1", "version": "v1"}],
            "preferredVersion": {"groupVersion": "v1", "version": "v1"},
        },
        {
            "name": "apps",
            "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
            "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"},
        },
    ],
}
PODS = {
    "groupVersion": "v1",
    "resources": [
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod", "verbs": ["get"]}
    ],
}
DEPLOYS = {
    "groupVersion": "apps/v1",
    "resources": [
        {
            "name": "deployments",
            "singularName": "deployment",
            "namespaced": True,
            "kind": "Deployment",
            "verbs": ["get"],
        }
    ],
}


def test_layout_permissions_and_type_meta(tmp_path):
    cache = DiskCache(tmp_path / "c" / "h_1")
    cache.write_groups(GROUPS)
    cache.write_resources("v1", PODS)
    cache.write_resources("apps/v1", DEPLOYS)
    root = tmp_path / "c" / "h_1"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == ["apps/v1/serverresources.json", "servergroups.json", "v1/serverresources.json"]
    for p in root.rglob("*"):
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), p
    written = json.loads((root / "apps/v1/serverresources.json").read_text())
    assert list(written)[:3] == ["kind", "apiVersion", "groupVersion"]
    assert written["kind"] == "APIResourceList"


def test_empty_documents_are_not_written(tmp_path):
    cache = DiskCache(tmp_path)
    cache.write_groups({"groups": []})
    cache.write_resources("v1", {"resources": []})
    assert list(tmp_path.iterdir()) == []


def test_ttl_by_mtime(tmp_path):
    now = [1_000_000.0]
    cache = DiskCache(tmp_path, ttl_seconds=60, wall_clock=lambda: now[0])
    cache.write_groups(GROUPS)
    os.utime(cache.groups_path(), (now[0], now[0]))
    now[0] += 60
    assert cache.read_groups() is not None
    now[0] += 1
    assert cache.read_groups() is None


def test_fresh_until_a_foreign_file_is_read_then_invalidate_ignores_old_files(tmp_path):
    DiskCache(tmp_path).write_groups(GROUPS)  # another process
    cache = DiskCache(tmp_path)
    assert cache.fresh
    assert cache.read_groups() is not None
    assert not cache.fresh
    cache.invalidate()
    assert cache.fresh
    assert cache.read_groups() is None  # written before the invalidation
    cache.write_groups(GROUPS)
    assert cache.read_groups() is not None  # ours, written after
    assert cache.fresh


def test_own_files_keep_the_cache_fresh(tmp_path):
    cache = DiskCache(tmp_path)
    cache.write_groups(GROUPS)
    assert cache.read_groups() is not None
    assert cache.fresh


def test_garbage_file_is_a_miss(tmp_path):
    (tmp_path / "servergroups.json").write_text("{not json")
    assert DiskCache(tmp_path).read_groups() is None


class FakeLive:
    """Hand-written live discovery: counts fetches, can fail one group-version."""

    def __init__(self, fail=None):
        self.fetches = 0
        self.fail = fail or {}
        self.groups = GROUPS
        self.lists = {"v1": PODS, "apps/v1": DEPLOYS}

    def server_groups(self):
        self.fetches += 1
        return self.groups

    def server_resources_for_group_version(self, gv):
        if gv in self.fail:
            raise DiscoveryError(f"couldn't get resource list for {gv}: {self.fail[gv]}")
        return self.lists[gv]

    def server_groups_and_resources(self):
        return DiscoveryDocuments(
            self.groups,
            self.lists,
            {"metrics.k8s.io/v1beta1": "stale GroupVersion discovery: metrics.k8s.io/v1beta1"},
        )

    def invalidate(self):
        pass


def test_cached_client_reads_back_what_it_wrote(tmp_path):
    live = FakeLive()
    first = CachedDiscoveryClient(live, DiskCache(tmp_path)).server_groups_and_resources()
    assert list(first.resource_lists) == ["v1", "apps/v1"]
    assert first.failures == {
        "metrics.k8s.io/v1beta1": "stale GroupVersion discovery: metrics.k8s.io/v1beta1"
    }
    again = CachedDiscoveryClient(live, DiskCache(tmp_path))
    docs = again.server_groups_and_resources()
    assert live.fetches == 1
    assert not again.fresh()
    assert docs.failures == {}
    assert docs.resource_lists["apps/v1"]["resources"] == DEPLOYS["resources"]


def test_cached_client_reports_failed_group_version_and_keeps_the_rest(tmp_path):
    live = FakeLive(fail={"apps/v1": "the server is currently unable to handle the request"})
    docs = CachedDiscoveryClient(live, DiskCache(tmp_path)).server_groups_and_resources()
    assert list(docs.resource_lists) == ["v1"]
    assert docs.failures["apps/v1"] == "the server is currently unable to handle the request"
    assert not (tmp_path / "apps").exists()
