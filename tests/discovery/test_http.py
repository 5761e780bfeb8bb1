"""Discovery over real HTTP against the sandbox: aggregated and legacy, partial failure, stale
group-versions, the shared disk cache, --refresh and the refresh-once-on-a-miss rule."""

from __future__ import annotations

import io
import json
import shutil
import stat

import pytest

from kmech.discovery.aggregated import ACCEPT_DISCOVERY
from kmech.discovery.client import HTTPDiscoveryClient
from kmech.discovery.flags import DiscoveryFlags, open_discovery
from kmech.discovery.snapshot import load_discovery_folder, packaged_snapshot_dir
from kmech.transport.client import RESTClient
from kmech.transport.options import ConnectionOptions

K3S = "k3s-1.34"


@pytest.fixture(scope="module")
def legacy_folder(tmp_path_factory):
    """The packaged k3s snapshot without its aggregated documents (a pre-1.26 server)."""
    folder = tmp_path_factory.mktemp("legacy") / K3S
    shutil.copytree(packaged_snapshot_dir(), folder, ignore=shutil.ignore_patterns("aggregated_*"))
    return folder


@pytest.fixture(scope="module")
def stale_folder(tmp_path_factory):
    """The k3s snapshot whose aggregated metrics.k8s.io/v1beta1 is marked Stale."""
    folder = tmp_path_factory.mktemp("stale") / K3S
    shutil.copytree(packaged_snapshot_dir(), folder)
    path = folder / "aggregated_apis.json"
    doc = json.loads(path.read_text())
    for item in doc["items"]:
        if item["metadata"]["name"] == "metrics.k8s.io":
            item["versions"][0]["freshness"] = "Stale"
    path.write_text(json.dumps(doc))
    return folder


def discovery_requests(sandbox):
    return [(r.path, r.accept) for r in sandbox.requests if r.path.startswith(("/api", "/apis"))]


def test_aggregated_is_two_requests_with_kubectls_accept(sb, kubeconfig):
    rest = RESTClient.from_options(ConnectionOptions(kubeconfig=str(kubeconfig)))
    client = HTTPDiscoveryClient(rest)
    docs = client.server_groups_and_resources()
    rest.close()
    assert client.aggregated is True
    # /api and /apis are asked at once, in either order.
    assert sorted(discovery_requests(sb)) == [
        ("/api", ACCEPT_DISCOVERY),
        ("/apis", ACCEPT_DISCOVERY),
    ]
    expected = load_discovery_folder(packaged_snapshot_dir())
    assert docs.group_list["groups"] == expected.group_list["groups"]
    assert docs.resource_lists == expected.resource_lists
    assert docs.failures == {}


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "aggregated"])
def test_a_cold_cache_writes_every_document_once(legacy, legacy_folder, tmp_path):
    """Wired as open_discovery wires them, legacy lists are written by the thread that fetched
    each (as client-go does) and aggregated ones by the cache layer: each file once."""
    import threading

    from kmech.discovery.disk_cache import CachedDiscoveryClient, DiskCache
    from kmech.sandbox import Sandbox

    writes: list[tuple[str, str]] = []

    class RecordingCache(DiskCache):
        def write_resources(self, group_version, resource_list):
            writes.append((group_version, threading.current_thread().name))
            super().write_resources(group_version, resource_list)

    folder = legacy_folder if legacy else packaged_snapshot_dir()
    with Sandbox(folder) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        rest = RESTClient.from_options(ConnectionOptions(kubeconfig=str(kubeconfig)))
        cache = RecordingCache(tmp_path / "cache")
        live = HTTPDiscoveryClient(rest, on_resource_list=cache.write_resources)
        docs = CachedDiscoveryClient(live, cache).server_groups_and_resources()
        rest.close()
    assert sorted(gv for gv, _ in writes) == sorted(docs.resource_lists)  # each once
    threads = {name.split("_")[0] for _, name in writes}
    assert threads == ({"discovery"} if legacy else {"discovery-cache"})
    for gv, doc in docs.resource_lists.items():
        path = tmp_path / "cache" / gv / "serverresources.json"
        assert json.loads(path.read_text())["resources"] == doc["resources"]


def test_legacy_fetches_every_group_version(legacy_folder, tmp_path):
    from kmech.sandbox import Sandbox

    with Sandbox(legacy_folder) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        rest = RESTClient.from_options(ConnectionOptions(kubeconfig=str(kubeconfig)))
        client = HTTPDiscoveryClient(rest)
        docs = client.server_groups_and_resources()
        rest.close()
        paths = [p for p, _ in discovery_requests(sandbox)]
    assert client.aggregated is False
    assert sorted(paths[:2]) == ["/api", "/apis"]  # asked at once, in either order
    assert sorted(paths[2:]) == sorted(
        "/api/v1" if gv == "v1" else f"/apis/{gv}" for gv in docs.resource_lists
    )
    assert len(docs.resource_lists) == 37
    expected = load_discovery_folder(legacy_folder)
    assert [g["name"] for g in docs.group_list["groups"]] == [
        g["name"] for g in expected.group_list["groups"]
    ]
    assert list(docs.resource_lists) == list(expected.resource_lists)


def test_failed_group_version_is_a_warning_and_the_rest_resolves(legacy_folder, tmp_path):
    from kmech.cli.resolve import ResolveOptions, run
    from kmech.sandbox import Sandbox

    with Sandbox(legacy_folder) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        sandbox.faults.status(
            503,
            path_regex=r"^/apis/metrics\.k8s\.io/v1beta1$",
            times=None,
            message="the server is currently unable to handle the request",
        )
        out, err = io.StringIO(), io.StringIO()
        code = run(
            ResolveOptions(
                names=("deploy", "nodes.metrics.k8s.io"),
                output="name",
                cache_dir=str(tmp_path / "c"),
            ),
            ConnectionOptions(kubeconfig=str(kubeconfig)),
            stdout=out,
            stderr=err,
        )
    assert code == 3
    assert out.getvalue() == "deployments.apps\n"
    assert err.getvalue().splitlines() == [
        "Warning: couldn't get resource list for metrics.k8s.io/v1beta1: "
        "the server is currently unable to handle the request",
        'error: the server doesn\'t have a resource type "nodes" in group "metrics.k8s.io"',
    ]


def test_stale_group_version_is_left_out_and_reported(stale_folder, tmp_path):
    from kmech.cli.resolve import ResolveOptions, run
    from kmech.sandbox import Sandbox

    with Sandbox(stale_folder) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        out, err = io.StringIO(), io.StringIO()
        code = run(
            ResolveOptions(names=("pods",), output="name", cache_dir=str(tmp_path / "c")),
            ConnectionOptions(kubeconfig=str(kubeconfig)),
            stdout=out,
            stderr=err,
        )
    assert (code, out.getvalue()) == (0, "pods\n")
    assert err.getvalue() == (
        "Warning: couldn't get resource list for metrics.k8s.io/v1beta1: "
        "stale GroupVersion discovery: metrics.k8s.io/v1beta1\n"
    )
    host = tmp_path / "c" / "discovery" / sandbox.url.split("://")[1].replace(":", "_")
    assert not (host / "metrics.k8s.io").exists()


def _resolve(kubeconfig, cache_root, *names, refresh=False, output="json"):
    from kmech.cli.resolve import ResolveOptions, run

    out, err = io.StringIO(), io.StringIO()
    code = run(
        ResolveOptions(names=names, output=output, cache_dir=str(cache_root), refresh=refresh),
        ConnectionOptions(kubeconfig=str(kubeconfig)),
        stdout=out,
        stderr=err,
    )
    return code, out.getvalue(), err.getvalue()


def test_warm_cache_answers_without_requests_and_files_are_private(sb, kubeconfig, tmp_path):
    cache = tmp_path / "cache"
    assert _resolve(kubeconfig, cache, "deploy")[0] == 0
    assert len(discovery_requests(sb)) == 2
    sb.clear_requests()
    assert _resolve(kubeconfig, cache, "deploy", "cpol")[0] == 0
    assert discovery_requests(sb) == []
    host = cache / "discovery" / sb.url.split("://")[1].replace(":", "_")
    assert (host / "servergroups.json").is_file()
    assert (host / "kyverno.io" / "v1" / "serverresources.json").is_file()
    for path in [host, *host.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    assert _resolve(kubeconfig, cache, "deploy", refresh=True)[0] == 0
    assert len(discovery_requests(sb)) == 2


def _edit_cached(host, gv, fn):
    path = host.joinpath(*gv.split("/"), "serverresources.json")
    doc = json.loads(path.read_text())
    fn(doc["resources"])
    path.write_text(json.dumps(doc))


def test_changed_scope_never_survives_a_refresh(sb, kubeconfig, tmp_path):
    cache = tmp_path / "cache"
    _resolve(kubeconfig, cache, "pods")
    host = cache / "discovery" / sb.url.split("://")[1].replace(":", "_")

    def make_cluster_scoped(resources):
        for r in resources:
            if r["name"] == "pods":
                r["namespaced"] = False

    _edit_cached(host, "v1", make_cluster_scoped)
    assert json.loads(_resolve(kubeconfig, cache, "pods")[1])["namespaced"] is False
    assert json.loads(_resolve(kubeconfig, cache, "pods", refresh=True)[1])["namespaced"] is True
    assert json.loads(_resolve(kubeconfig, cache, "pods")[1])["namespaced"] is True


def test_miss_on_a_cached_mapper_refreshes_once(sb, kubeconfig, tmp_path):
    """A resource missing from a warm cache (a CRD created since) resolves after one refresh."""
    cache = tmp_path / "cache"
    _resolve(kubeconfig, cache, "pods")
    host = cache / "discovery" / sb.url.split("://")[1].replace(":", "_")
    _edit_cached(
        host,
        "helm.cattle.io/v1",
        lambda rs: [rs.remove(r) for r in list(rs) if r["name"].startswith("helmcharts")],
    )
    sb.clear_requests()
    code, out, _ = _resolve(kubeconfig, cache, "helmcharts", output="name")
    assert (code, out) == (0, "helmcharts.helm.cattle.io\n")
    assert len(discovery_requests(sb)) == 2
    sb.clear_requests()
    code, _, err = _resolve(kubeconfig, cache, "nosuchthing")
    assert code == 3
    assert len(discovery_requests(sb)) == 2  # one refresh for the stale cache, no more
    assert err.startswith('error: the server doesn\'t have a resource type "nosuchthing"\n')


def test_miss_on_fresh_data_does_not_refetch(sb, kubeconfig, tmp_path):
    code, _, _ = _resolve(kubeconfig, tmp_path / "cold", "nosuchthing")
    assert code == 3
    assert len(discovery_requests(sb)) == 2


def test_broken_kubeconfig_is_a_config_error(tmp_path):
    from kmech.errors import ConfigError

    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: nope\ncontexts: []\nclusters: []\nusers: []\n"
    )
    with pytest.raises(ConfigError):
        open_discovery(ConnectionOptions(kubeconfig=str(path)), DiscoveryFlags())


def test_offline_folder_and_kubectl_cache_folder_agree(sb, kubeconfig, tmp_path):
    cache = tmp_path / "cache"
    _resolve(kubeconfig, cache, "pods")
    host = cache / "discovery" / sb.url.split("://")[1].replace(":", "_")
    from_cache = load_discovery_folder(host)
    from_fixture = load_discovery_folder(packaged_snapshot_dir())
    assert from_cache.group_list["groups"] == from_fixture.group_list["groups"]
    assert {gv: rl["resources"] for gv, rl in from_cache.resource_lists.items()} == {
        gv: rl["resources"] for gv, rl in from_fixture.resource_lists.items()
    }


@pytest.mark.parametrize(
    ("api", "apis", "message"),
    [
        pytest.param(
            b'{"versions": "v1"}',
            b'{"groups": []}',
            "GET /api did not return an APIVersions object",
            id="api-versions-not-a-list",
        ),
        pytest.param(
            b'{"versions": ["v1"]}',
            b'{"groups": [5]}',
            "GET /apis did not return an APIGroupList object: group #0 is malformed",
            id="group-not-an-object",
        ),
        pytest.param(
            b'{"versions": ["v1"]}',
            b'{"groups": [{"name": "apps", "versions": "v1"}]}',
            "GET /apis did not return an APIGroupList object: group #0 is malformed",
            id="versions-not-a-list",
        ),
        pytest.param(
            b'{"versions": ["v1"]}',
            b'{"groups": [{"name": "apps", "versions": [], "preferredVersion": "v1"}]}',
            "GET /apis did not return an APIGroupList object: group #0 is malformed",
            id="preferred-not-an-object",
        ),
    ],
)
def test_malformed_legacy_root_documents_are_named(sb, kubeconfig, api, apis, message):
    """A legacy /api or /apis with a wrong type inside fails with one line, not a crash."""
    from kmech.errors import MalformedResponseError

    sb.faults.script([api], path_regex="^/api$")
    sb.faults.script([apis], path_regex="^/apis$")
    rest = RESTClient.from_options(ConnectionOptions(kubeconfig=str(kubeconfig)))
    try:
        with pytest.raises(MalformedResponseError) as info:
            HTTPDiscoveryClient(rest).server_groups_and_resources()
    finally:
        rest.close()
    assert str(info.value) == message
