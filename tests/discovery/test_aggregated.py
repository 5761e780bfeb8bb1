"""Aggregated discovery → legacy shapes, checked against kubectl's own conversion (k3s fixture)."""

from __future__ import annotations

import json

import pytest

from kmech.discovery.aggregated import aggregated_version, split_groups_and_resources
from kmech.errors import DiscoveryError


def _load(path):
    return json.loads(path.read_text())


def test_k3s_conversion_equals_kubectl_cache_files(fixtures_dir):
    """kubectl wrote the legacy files of k3s-1.34 from the aggregated responses: equal dicts."""
    folder = fixtures_dir / "discovery" / "k3s-1.34"
    core = split_groups_and_resources(_load(folder / "aggregated_api.json"))
    apis = split_groups_and_resources(_load(folder / "aggregated_apis.json"))
    lists = {**core.resource_lists, **apis.resource_lists}
    assert len(lists) == 37
    for gv, converted in lists.items():
        group, _, version = gv.rpartition("/")
        legacy = _load(folder / "resources" / f"{group or 'core'}_{version}.json")
        assert converted["resources"] == legacy["resources"], gv
    assert apis.groups == _load(folder / "apis.json")["groups"]
    assert core.failed == {} and apis.failed == {}


def _doc(*versions):
    return {"items": [{"metadata": {"name": "autoscaling"}, "versions": list(versions)}]}


HPA = {
    "resource": "horizontalpodautoscalers",
    "responseKind": {"group": "", "version": "", "kind": "HorizontalPodAutoscaler"},
    "scope": "Namespaced",
    "singularResource": "horizontalpodautoscaler",
    "verbs": ["get", "list"],
    "shortNames": ["hpa"],
    "categories": ["all"],
    "subresources": [
        {
            "subresource": "status",
            "responseKind": {"kind": "HorizontalPodAutoscaler"},
            "verbs": ["get"],
        },
        {"subresource": "nokind", "verbs": ["get"]},
    ],
}


def test_stale_version_is_dropped_and_reported():
    split = split_groups_and_resources(
        _doc(
            {"version": "v2", "resources": [HPA], "freshness": "Stale"},
            {"version": "v1", "resources": [HPA], "freshness": "Current"},
        )
    )
    assert split.groups == [
        {
            "name": "autoscaling",
            "versions": [{"groupVersion": "autoscaling/v1", "version": "v1"}],
            "preferredVersion": {"groupVersion": "autoscaling/v1", "version": "v1"},
        }
    ]
    assert list(split.resource_lists) == ["autoscaling/v1"]
    assert split.failed == {"autoscaling/v2": "stale GroupVersion discovery: autoscaling/v2"}


def test_resource_and_subresource_conversion():
    split = split_groups_and_resources(_doc({"version": "v2", "resources": [HPA]}))
    assert split.resource_lists["autoscaling/v2"]["resources"] == [
        {
            "name": "horizontalpodautoscalers",
            "singularName": "horizontalpodautoscaler",
            "namespaced": True,
            "kind": "HorizontalPodAutoscaler",
            "verbs": ["get", "list"],
            "shortNames": ["hpa"],
            "categories": ["all"],
        },
        {
            "name": "horizontalpodautoscalers/status",
            "singularName": "horizontalpodautoscaler",
            "namespaced": True,
            "kind": "HorizontalPodAutoscaler",
            "verbs": ["get"],
        },
    ]


def test_resource_without_kind_is_dropped_but_keeps_subresources():
    parent = {
        "resource": "things",
        "scope": "Cluster",
        "subresources": [{"subresource": "status", "responseKind": {"kind": "Thing"}}],
    }
    split = split_groups_and_resources(_doc({"version": "v1", "resources": [parent]}))
    names = [r["name"] for r in split.resource_lists["autoscaling/v1"]["resources"]]
    assert names == ["things/status"]


def test_all_versions_stale_keeps_group_without_preferred():
    split = split_groups_and_resources(_doc({"version": "v1", "freshness": "Stale"}))
    assert split.groups[0]["versions"] == []
    assert split.groups[0]["preferredVersion"] == {"groupVersion": "", "version": ""}


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        pytest.param(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", "v2", id="v2"
        ),
        pytest.param(
            "application/json;as=APIGroupDiscoveryList;v=v2beta1;g=apidiscovery.k8s.io",
            "v2beta1",
            id="v2beta1-any-order",
        ),
        pytest.param(
            "application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList; charset=utf-8",
            "v2",
            id="extra-param",
        ),
        pytest.param("application/json", None, id="legacy"),
        pytest.param(
            "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList",
            None,
            id="unknown-version",
        ),
        pytest.param(
            "application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
            None,
            id="not-json",
        ),
        pytest.param(None, None, id="missing"),
    ],
)
def test_aggregated_version(content_type, expected):
    assert aggregated_version(content_type) == expected


@pytest.mark.parametrize(
    "doc", [[], {"items": "x"}, {"items": [3]}], ids=["list", "items-str", "item-int"]
)
def test_malformed_document(doc):
    with pytest.raises(DiscoveryError, match="malformed aggregated discovery document"):
        split_groups_and_resources(doc)


def _apps(resource: dict) -> dict:
    return {
        "items": [
            {"metadata": {"name": "apps"}, "versions": [{"version": "v1", "resources": [resource]}]}
        ]
    }


DEPLOY = {"resource": "deployments", "responseKind": {"kind": "Deployment"}}


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        pytest.param({"items": [{"metadata": "x"}]}, "an item's metadata is not an object", id="metadata"),
        pytest.param({"items": [{"metadata": {"name": "apps"}, "versions": "v1"}]}, "group 'apps': versions must be a list of objects", id="versions"),
        pytest.param({"items": [{"metadata": {"name": "apps"}, "versions": [{"version": "v1", "resources": [1]}]}]}, "group 'apps' version 'v1': resources must be a list of objects", id="resources"),
        pytest.param(_apps({**DEPLOY, "verbs": "get"}), "group 'apps' version 'v1' resource 'deployments': verbs must be a list of strings", id="verbs"),
        pytest.param(_apps({**DEPLOY, "shortNames": [1]}), "group 'apps' version 'v1' resource 'deployments': shortNames must be a list of strings", id="short-names"),
        pytest.param(_apps({**DEPLOY, "subresources": {}}), "resource apps/v1/deployments: subresources must be a list of objects", id="subresources"),
        pytest.param(_apps({**DEPLOY, "subresources": [{"subresource": "scale", "responseKind": {"kind": "Scale"}, "verbs": [1]}]}), "resource apps/v1/deployments: subresource verbs must be a list of strings", id="subresource-verbs"),
    ],
)  # fmt: skip
def test_malformed_parts_are_named(doc, problem):
    """A wrong type anywhere fails the document with one line naming where, never a crash."""
    with pytest.raises(DiscoveryError) as info:
        split_groups_and_resources(doc)
    assert str(info.value) == f"malformed aggregated discovery document: {problem}"
