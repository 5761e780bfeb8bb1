"""Candidate sources over real files: discovery cache, kubeconfig summary, namespace cache."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kmech.completion import kubeconfig as kc
from kmech.completion import namespaces as ns
from kmech.completion.candidate import Candidate
from kmech.completion.resources import (
    discovery_dir,
    read_cached_resources,
    resource_candidates,
    safe_host,
)
from kmech.completion.sources import candidates

from .conftest import OTHER_SERVER, SERVER, KubeEnv, age_files, values


def test_resources_from_warm_cache(kube_env: KubeEnv) -> None:
    found = candidates("resources", {})
    assert values(found, "de") == [
        "deletingpolicies",
        "deletingpolicies.policies.kyverno.io",
        "deploy",
        "deployments",
        "deployments.apps",
        "deviceclasses",
        "deviceclasses.resource.k8s.io",
    ]
    by_value = {c.value: c.help for c in found}
    assert by_value["deploy"] == "Deployment (apps/v1)"
    assert by_value["po"] == "Pod (v1)"
    assert by_value["hpa"] == "HorizontalPodAutoscaler (autoscaling/v2)"


def test_resources_non_preferred_versions_still_offered(kube_env: KubeEnv) -> None:
    # kyverno.io prefers v2, which has no clusterpolicies; v1 serves them.
    by_value = {c.value: c.help for c in candidates("resources", {})}
    assert by_value["cpol"] == "ClusterPolicy (kyverno.io/v1)"


def test_plain_name_served_by_two_groups_is_offered_once(kube_env: KubeEnv) -> None:
    found = values(candidates("resources", {}), "events")
    assert found == ["events", "events.events.k8s.io"]


def test_watchable_resources_leave_out_unwatchable(kube_env: KubeEnv) -> None:
    all_names = set(values(candidates("resources", {})))
    watchable = set(values(candidates("watchable_resources", {})))
    assert "selfsubjectaccessreviews" in all_names
    assert "selfsubjectaccessreviews" not in watchable
    assert "deployments" in watchable


def test_subresources_never_offered(kube_env: KubeEnv) -> None:
    assert not [v for v in values(candidates("resources", {})) if "/" in v]


def test_other_context_has_cold_cache_and_unreachable_server(kube_env: KubeEnv) -> None:
    # One fetch with a 1 s timeout (refused at once on port 9), then nothing.
    assert candidates("resources", {"context": "prod-eu"}) == []


def test_expired_discovery_offered_at_once_and_refreshed_behind(
    kube_env: KubeEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kmech.completion import sources

    spawned: list[str] = []
    monkeypatch.setattr(sources, "_spawn_refresh", lambda kind, conn: spawned.append(kind))
    directory = discovery_dir(str(kube_env.cache_root), SERVER)
    age_files(directory)
    entries, fresh = read_cached_resources(directory) or ([], True)
    assert not fresh and entries
    assert "deployments.apps" in values(candidates("resources", {}))
    assert "deployments.apps" in values(candidates("resources", {}))
    assert spawned == ["discovery"]  # one refresh at a time
    # The refresher cannot reach the server (port 9): the old files stay, the claim is freed.
    assert sources.refresh_discovery({}) is False
    assert read_cached_resources(directory) is not None
    candidates("resources", {})
    assert spawned == ["discovery", "discovery"]


def test_resource_candidates_verb_filter() -> None:
    from kmech.completion.resources import ResourceEntry

    entries = [
        ResourceEntry(
            name="pods",
            group="",
            version="v1",
            kind="Pod",
            short_names=("po",),
            verbs=("get", "list", "watch"),
        ),
        ResourceEntry(
            name="bindings",
            group="",
            version="v1",
            kind="Binding",
            short_names=(),
            verbs=("create",),
        ),
    ]
    assert values(resource_candidates(entries, verb="watch")) == ["po", "pods"]
    assert values(resource_candidates(entries)) == ["bindings", "po", "pods"]


@pytest.mark.parametrize(
    "host",
    [
        "https://10.0.0.1:6443",
        "http://127.0.0.1:8080",
        "https://a.example/p/../q",
        "weird host!",
        "",
    ],
)
def test_safe_host_matches_discovery(host: str) -> None:
    from kmech.discovery.disk_cache import safe_host as discovery_safe_host

    assert safe_host(host) == discovery_safe_host(host)


def test_copies_of_discovery_constants_match() -> None:
    # kmech.completion.resources keeps its own copies: importing kmech.discovery costs a TAB too much.
    from kmech.completion.resources import CACHE_TTL_SECONDS, packaged_snapshot_dir
    from kmech.discovery import disk_cache, snapshot

    assert CACHE_TTL_SECONDS == disk_cache.DEFAULT_TTL_SECONDS
    assert Path(packaged_snapshot_dir()).resolve() == snapshot.packaged_snapshot_dir()


# -- kubeconfig --------------------------------------------------------------------------------


def test_contexts_clusters_users(kube_env: KubeEnv) -> None:
    assert candidates("contexts", {}) == [
        Candidate("kind-dev", "current, cluster kind-dev, namespace shop"),
        Candidate("prod-eu", "cluster prod-eu"),
    ]
    assert candidates("clusters", {}) == [
        Candidate("kind-dev", SERVER),
        Candidate("prod-eu", OTHER_SERVER),
    ]
    assert values(candidates("users", {})) == ["dev-admin", "prod-reader"]


def test_summary_cache_is_private_and_has_no_secrets(kube_env: KubeEnv) -> None:
    candidates("contexts", {})
    files = list((kube_env.cache_root / "kmech" / "kubeconfig").iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
    text = files[0].read_text()
    assert "token" not in text and "fake" not in text


def test_summary_follows_file_changes(kube_env: KubeEnv) -> None:
    assert values(candidates("contexts", {})) == ["kind-dev", "prod-eu"]
    text = kube_env.kubeconfig.read_text().replace(
        "name: prod-eu\n  context", "name: staging\n  context"
    )
    kube_env.kubeconfig.write_text(text)
    assert values(candidates("contexts", {})) == ["kind-dev", "staging"]


def test_kubeconfig_env_merge_first_file_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "a"
    second = tmp_path / "b"
    first.write_text("current-context: one\ncontexts:\n- name: one\n  context: {cluster: c1}\n")
    second.write_text(
        "current-context: two\ncontexts:\n- name: one\n  context: {cluster: other}\n"
        "- name: two\n  context: {cluster: c2}\n"
    )
    monkeypatch.setenv(
        "KUBECONFIG", f"{first}{os.pathsep}{tmp_path / 'missing'}{os.pathsep}{second}"
    )
    summary = kc.load_summary(kc.kubeconfig_paths(None), None)
    assert summary.current_context == "one"
    assert summary.contexts == {"one": {"cluster": "c1"}, "two": {"cluster": "c2"}}


@pytest.mark.parametrize(
    ("setup", "explicit"),
    [
        pytest.param("env", None, id="KUBECONFIG"),
        pytest.param("home", None, id="home-default"),
        pytest.param("none", None, id="nothing"),
        pytest.param("env", "explicit", id="flag-wins"),
    ],
)
def test_kubeconfig_paths_match_transport(
    setup: str, explicit: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kmech.transport.kubeconfig import kubeconfig_paths
    from kmech.transport.options import ConnectionOptions

    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("{}")
    b.write_text("{}")
    if setup == "env":
        monkeypatch.setenv(
            "KUBECONFIG", f"{a}{os.pathsep}{a}{os.pathsep}{tmp_path / 'x'}{os.pathsep}{b}"
        )
    elif setup == "home":
        home = Path(os.environ["HOME"])
        (home / ".kube").mkdir(exist_ok=True)
        (home / ".kube" / "config").write_text("{}")
    flag = str(b) if explicit else None
    expected = [str(p) for p in kubeconfig_paths(ConnectionOptions(kubeconfig=flag))]
    assert kc.kubeconfig_paths(flag) == expected


def test_broken_kubeconfig_offers_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad"
    bad.write_text("contexts: [unclosed\n")
    monkeypatch.setenv("KUBECONFIG", str(bad))
    assert candidates("contexts", {}) == []
    assert candidates("resources", {}) == []


def test_select_applies_flags() -> None:
    summary = kc.KubeconfigSummary(
        current_context="a",
        contexts={"a": {"cluster": "c1", "user": "u1", "namespace": "n1"}, "b": {"cluster": "c2"}},
        clusters={"c1": "https://one", "c2": "https://two"},
    )
    sel = kc.select(summary)
    assert (sel.server, sel.namespace, sel.user) == ("https://one", "n1", "u1")
    sel = kc.select(summary, context="b")
    assert (sel.server, sel.namespace, sel.user) == ("https://two", "default", "")
    sel = kc.select(summary, cluster="c2", server="https://three")
    assert (sel.server, sel.cluster) == ("https://three", "c2")


# -- namespaces --------------------------------------------------------------------------------


class WallClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_namespace_cache_ttl(tmp_path: Path) -> None:
    clock = WallClock(1000.0)
    path = ns.cache_file(str(tmp_path), "https://10.0.0.1:6443", "admin@corp")
    assert path == str(tmp_path / "kmech" / "namespaces" / "10.0.0.1_6443" / "admin_corp.json")
    assert ns.cached_namespaces(path, wall_clock=clock) is None
    ns.store(path, ["shop", "default"], wall_clock=clock)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    clock.now += ns.TTL_SECONDS
    assert ns.cached_namespaces(path, wall_clock=clock) == (["default", "shop"], True)
    clock.now += 0.001
    assert ns.cached_namespaces(path, wall_clock=clock) == (["default", "shop"], False)


def test_expired_namespaces_offered_at_once_and_refreshed_behind(
    kube_env: KubeEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kmech.completion import sources

    spawned: list[tuple[str, dict[str, str]]] = []
    monkeypatch.setattr(sources, "_spawn_refresh", lambda kind, conn: spawned.append((kind, conn)))
    path = ns.cache_file(str(kube_env.cache_root), SERVER, "dev-admin")
    ns.store(path, ["default", "shop"], wall_clock=lambda: 0.0)
    assert values(candidates("namespaces", {"cluster": "kind-dev"})) == ["default", "shop"]
    assert spawned == [("namespaces", {"cluster": "kind-dev"})]
    # One refresh at a time: the claim is held until the refresher releases it.
    assert values(candidates("namespaces", {})) == ["default", "shop"]
    assert len(spawned) == 1
    # The refresher cannot reach the server: the old list stays, the claim is released.
    assert sources.refresh_namespaces({}) is None
    assert ns.cached_namespaces(path) == (["default", "shop"], False)
    assert ns.claim_refresh(path)


def test_stale_claim_is_taken_over(tmp_path: Path) -> None:
    path = str(tmp_path / "ns.json")
    assert ns.claim_refresh(path)
    assert not ns.claim_refresh(path)
    assert ns.claim_refresh(path, wall_clock=lambda: os.stat(path + ".refreshing").st_mtime + 11)
    ns.release_refresh(path)
    ns.release_refresh(path)
    assert ns.claim_refresh(path)


def test_refresh_module_ignores_bad_input() -> None:
    from kmech.completion.refresh import main

    assert main(["namespaces", "not json"]) == 0
    assert main(["namespaces", "[1, 2]"]) == 0
    assert main(["pods", "{}"]) == 0
    assert main([]) == 0


def test_no_namespaces_without_cache_or_server(kube_env: KubeEnv) -> None:
    assert candidates("namespaces", {}) == []


def test_names_from_list() -> None:
    doc = {"items": [{"metadata": {"name": "b"}}, {"metadata": {"name": "a"}}, {"bad": 1}]}
    assert ns.names_from_list(doc) == ["a", "b"]


# -- limiters ----------------------------------------------------------------------------------


def test_limiters_follow_presets_and_functions() -> None:
    from kmech.workqueue.expression import FUNCTIONS
    from kmech.workqueue.presets import PRESETS

    found = candidates("limiters", {})
    expected = [(p.name, p.summary) for p in PRESETS.values()] + [f"{f}(" for f in FUNCTIONS]
    got = [(c.value, c.help) for c in found[: len(PRESETS)]] + [
        c.value for c in found[len(PRESETS) :]
    ]
    assert got == expected


def test_every_limiter_function_parses() -> None:
    from kmech.workqueue.expression import parse_limiter

    examples = {
        "exp(": "exp(5ms,1000s)",
        "fastslow(": "fastslow(5ms,10s,3)",
        "bucket(": "bucket(10,100)",
        "max(": "max(exp(5ms,1000s),bucket(10,100))",
        "maxwait(": "maxwait(exp(5ms,1000s),1s)",
        "seq(": "seq(1s,2s,stop)",
        "backoff(": "backoff(duration=1s,factor=2,steps=3)",
    }
    for c in candidates("limiters", {}):
        parse_limiter(examples.get(c.value, c.value))


def test_unknown_source_offers_nothing() -> None:
    assert candidates("nope", {}) == []


def test_summary_json_roundtrip(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "k"
    kubeconfig.write_text("current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\n")
    first = kc.load_summary([str(kubeconfig)], str(tmp_path / "cache"))
    cached = kc.load_summary([str(kubeconfig)], str(tmp_path / "cache"))
    assert (cached.current_context, cached.contexts) == (first.current_context, first.contexts)
    [entry] = (tmp_path / "cache" / "kmech" / "kubeconfig").iterdir()
    assert json.loads(entry.read_text())["summary"]["currentContext"] == "a"


def test_resolve_without_cluster_offers_the_packaged_snapshot() -> None:
    # No KUBECONFIG, an empty HOME: `kmech resolve` would use the snapshot, so TAB does too.
    found = values(candidates("resources", {}), "cpo")
    assert found == ["cpol", "cpolr"]
    assert candidates("watchable_resources", {}) == []


@pytest.mark.parametrize("layout", ["fixture", "kubectl-cache"])
def test_discovery_folder_flag(layout: str, fixtures_dir: Path, tmp_path: Path) -> None:
    from .conftest import write_discovery_cache

    folder = fixtures_dir / "discovery" / "minikube-1.33"
    if layout == "kubectl-cache":
        write_discovery_cache(folder, tmp_path, "https://mk:8443")
        folder = tmp_path / "discovery" / "mk_8443"
        age_files(folder)  # age does not matter here
    found = values(candidates("resources", {"discovery": str(folder)}), "kongcon")
    assert found == [
        "kongconsumergroups",
        "kongconsumergroups.configuration.konghq.com",
        "kongconsumers",
        "kongconsumers.configuration.konghq.com",
    ]
