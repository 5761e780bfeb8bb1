"""The mapper over real discovery documents: both fixture clusters and the shipped snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kmech.mapper import (
    DiscoveryRESTMapper,
    ResourceTypeNotFoundError,
    build_rest_mapper,
    bundled_snapshot_dir,
    load_discovery_dir,
    load_rest_mapper,
)

CLUSTERS = ["k3s-1.34", "minikube-1.33", "bundled"]


def cluster_dir(name: str, fixtures_dir: Path) -> Path:
    return bundled_snapshot_dir() if name == "bundled" else fixtures_dir / "discovery" / name


@pytest.fixture(params=CLUSTERS)
def cluster(request: pytest.FixtureRequest, fixtures_dir: Path) -> tuple[str, DiscoveryRESTMapper]:
    return request.param, load_rest_mapper(cluster_dir(request.param, fixtures_dir))


def gv(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        pytest.param("pods", "v1 pods Pod", id="pods"),
        pytest.param("po", "v1 pods Pod", id="po"),
        pytest.param("svc", "v1 services Service", id="svc"),
        pytest.param("deploy", "apps/v1 deployments Deployment", id="deploy"),
        pytest.param(
            "hpa", "autoscaling/v2 horizontalpodautoscalers HorizontalPodAutoscaler", id="hpa"
        ),
        pytest.param(
            "hpa.v1.autoscaling",
            "autoscaling/v2 horizontalpodautoscalers HorizontalPodAutoscaler",
            id="hpa-version-dropped",
        ),
        pytest.param(
            "horizontalpodautoscalers.v1.autoscaling",
            "autoscaling/v1 horizontalpodautoscalers HorizontalPodAutoscaler",
            id="hpa-v1",
        ),
        pytest.param("ev", "v1 events Event", id="ev"),
        pytest.param("events.events.k8s.io", "events.k8s.io/v1 events Event", id="events-group"),
        pytest.param(
            "crd",
            "apiextensions.k8s.io/v1 customresourcedefinitions CustomResourceDefinition",
            id="crd",
        ),
        pytest.param(
            "storageclass.storage",
            "storage.k8s.io/v1 storageclasses StorageClass",
            id="group-prefix",
        ),
        pytest.param("Deployment.apps", "apps/v1 deployments Deployment", id="kind-form"),
    ],
)
def test_common_names(cluster: tuple[str, DiscoveryRESTMapper], arg: str, expected: str) -> None:
    _, mapper = cluster
    (res,) = mapper.resolve(arg).resolutions
    assert f"{gv(res.group, res.version)} {res.resource} {res.kind}" == expected


def test_ev_warns_like_kubectl(cluster: tuple[str, DiscoveryRESTMapper]) -> None:
    _, mapper = cluster
    assert mapper.resolve("ev").warnings == (
        'short name "ev" could also match lower priority resource events.events.k8s.io',
    )


def test_every_resource_resolves_fully_qualified(cluster: tuple[str, DiscoveryRESTMapper]) -> None:
    _, mapper = cluster
    for info in mapper.all_resources():
        (res,) = mapper.resolve(f"{info.resource}.{info.version}.{info.group}").resolutions
        assert res.mapping.resource == info.gvr, info
        assert res.namespaced == info.namespaced


def test_every_short_name_and_singular_resolves(cluster: tuple[str, DiscoveryRESTMapper]) -> None:
    _, mapper = cluster
    for info in mapper.all_resources():
        for name in (
            *info.short_names,
            f"{info.singular}.{info.group}" if info.group else info.singular,
        ):
            result = mapper.resolve(name)
            assert len(result.resolutions) == 1


def test_all_category(cluster: tuple[str, DiscoveryRESTMapper]) -> None:
    _, mapper = cluster
    result = mapper.resolve("all")
    assert [f"{r.resource}" for r in result.resolutions][:3] == [
        "pods",
        "replicationcontrollers",
        "services",
    ]
    assert all(r.matched_by == "category" and r.category == "all" for r in result.resolutions)
    assert "horizontalpodautoscalers" in [r.resource for r in result.resolutions]


def test_unknown_name_suggests(cluster: tuple[str, DiscoveryRESTMapper]) -> None:
    _, mapper = cluster
    with pytest.raises(ResourceTypeNotFoundError) as info:
        mapper.resolve("deploymnets")
    assert info.value.suggestions[0] == "deployments"


def test_all_resources_facts(cluster: tuple[str, DiscoveryRESTMapper]) -> None:
    name, mapper = cluster
    infos = mapper.all_resources()
    pods = next(i for i in infos if i.gvr.group == "" and i.resource == "pods")
    assert (pods.kind, pods.namespaced, pods.short_names, pods.preferred, pods.rank) == (
        "Pod",
        True,
        ("po",),
        True,
        0,
    )
    assert "all" in pods.categories and "watch" in pods.verbs
    assert not any("/" in i.resource for i in infos)
    hpa_v1 = next(i for i in infos if i.group == "autoscaling" and i.version == "v1")
    assert not hpa_v1.preferred
    assert pods.to_dict()["shortNames"] == ["po"]


def _write_kubectl_cache(source: Path, target: Path) -> None:
    group_list, lists = load_discovery_dir(source)
    target.mkdir()
    (target / "servergroups.json").write_text(json.dumps(group_list))
    for key, doc in lists.items():
        folder = target / key
        folder.mkdir(parents=True)
        (folder / "serverresources.json").write_text(json.dumps(doc))


@pytest.mark.parametrize("name", CLUSTERS)
def test_kubectl_cache_layout_gives_the_same_mapper(
    name: str, fixtures_dir: Path, tmp_path: Path
) -> None:
    source = cluster_dir(name, fixtures_dir)
    _write_kubectl_cache(source, tmp_path / "cache")
    from_cache = load_rest_mapper(tmp_path / "cache")
    from_fixture = load_rest_mapper(source)
    assert from_cache.all_resources() == from_fixture.all_resources()
    assert from_cache.group_names()[0] == ""


def test_core_group_is_added_when_missing(fixtures_dir: Path) -> None:
    group_list, lists = load_discovery_dir(fixtures_dir / "discovery" / "k3s-1.34")
    without_core = {**group_list, "groups": [g for g in group_list["groups"] if g["name"] != ""]}
    mapper = build_rest_mapper(without_core, lists)
    assert mapper.group_names()[0] == ""
    assert mapper.resolve("po").resolutions[0].resource == "pods"
