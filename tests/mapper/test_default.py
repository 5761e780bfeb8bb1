"""DefaultRESTMapper tables, the kind→resource guess and the per-group-version match rules (spec §5)."""

from __future__ import annotations

import pytest

from kmech.mapper import (
    DefaultRESTMapper,
    GroupKind,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
    NoKindMatchError,
    NoResourceMatchError,
    ResourceRequiredError,
    RESTScopeName,
    unsafe_guess_kind_to_resource,
)

NS = RESTScopeName.NAMESPACE


@pytest.mark.parametrize(
    ("kind", "plural", "singular"),
    [
        pytest.param("Pod", "pods", "pod", id="plain"),
        pytest.param("Ingress", "ingresses", "ingress", id="s-es"),
        pytest.param("NetworkPolicy", "networkpolicies", "networkpolicy", id="y-ies"),
        pytest.param("Endpoints", "endpoints", "endpoints", id="endpoints"),
        pytest.param(
            "SecurityContextConstraints",
            "securitycontextconstraints",
            "securitycontextconstraints",
            id="scc",
        ),
        pytest.param("PodList", "podlists", "podlist", id="list"),
        pytest.param("", "", "", id="empty"),
    ],
)
def test_unsafe_guess(kind: str, plural: str, singular: str) -> None:
    p, s = unsafe_guess_kind_to_resource(GroupVersionKind("g", "v", kind))
    assert (p.resource, s.resource) == (plural, singular)


def storage() -> DefaultRESTMapper:
    mapper = DefaultRESTMapper([GroupVersion("storage.k8s.io", "v1")])
    mapper.add(GroupVersionKind("storage.k8s.io", "v1", "StorageClass"), RESTScopeName.ROOT)
    return mapper


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        pytest.param(("storage.k8s.io", "v1", "storageclasses"), "StorageClass", id="full"),
        pytest.param(
            ("storage.k8s.io", "", "StorageClass"), "StorageClass", id="resource-lowercased"
        ),
        pytest.param(("storage", "", "storageclass"), "StorageClass", id="group-prefix"),
        pytest.param(("", "v1", "storageclasses"), "StorageClass", id="version-any-group"),
        pytest.param(("", "", "storageclass"), "StorageClass", id="singular"),
    ],
)
def test_kinds_for_rules(query: tuple[str, str, str], kind: str) -> None:
    assert storage().kinds_for(GroupVersionResource(*query)) == [
        GroupVersionKind("storage.k8s.io", "v1", kind)
    ]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(("STORAGE.k8s.io", "", "storageclasses"), id="group-case-sensitive"),
        pytest.param(("storage.k8s.io", "V1", "storageclasses"), id="version-case-sensitive"),
        pytest.param(("k8s", "", "storageclasses"), id="not-a-prefix"),
    ],
)
def test_kinds_for_misses(query: tuple[str, str, str]) -> None:
    with pytest.raises(NoResourceMatchError) as info:
        storage().kinds_for(GroupVersionResource(*query))
    assert info.value.partial_resource == GroupVersionResource(*query)


def test_empty_resource_is_not_a_no_match() -> None:
    with pytest.raises(ResourceRequiredError):
        storage().kinds_for(GroupVersionResource("storage.k8s.io", "v1", ""))
    with pytest.raises(ResourceRequiredError):
        storage().resources_for(GroupVersionResource("", "", ""))


def test_resources_for_lists_self_singular_twice() -> None:
    mapper = DefaultRESTMapper([GroupVersion("", "v1")])
    mapper.add(GroupVersionKind("", "v1", "Endpoints"), NS)
    ep = GroupVersionResource("", "v1", "endpoints")
    assert mapper.resources_for(GroupVersionResource("", "", "endpoints")) == [ep, ep]


def test_later_add_overwrites_same_key() -> None:
    mapper = DefaultRESTMapper([GroupVersion("g", "v1")])
    foo = GroupVersionResource("g", "v1", "foo")
    mapper.add_specific(
        GroupVersionKind("g", "v1", "Foo"), GroupVersionResource("g", "v1", "foos"), foo, NS
    )
    mapper.add_specific(
        GroupVersionKind("g", "v1", "Bar"), foo, GroupVersionResource("g", "v1", "foosingle"), NS
    )
    assert mapper.kind_for(GroupVersionResource("", "", "foo")) == GroupVersionKind(
        "g", "v1", "Bar"
    )


def test_rest_mappings_versions() -> None:
    mapper = storage()
    gk = GroupKind("storage.k8s.io", "StorageClass")
    assert mapper.rest_mapping(gk).resource == GroupVersionResource(
        "storage.k8s.io", "v1", "storageclasses"
    )
    assert mapper.rest_mapping(gk, "", "v1").gvk.version == "v1"
    assert mapper.rest_mapping(gk).scope is RESTScopeName.ROOT
    with pytest.raises(NoKindMatchError):
        mapper.rest_mapping(gk, "v2")
    with pytest.raises(NoKindMatchError):
        mapper.rest_mapping(GroupKind("other", "StorageClass"))
    with pytest.raises(NoResourceMatchError) as info:
        mapper.rest_mapping(GroupKind("storage.k8s.io", "STORAGECLASS"))
    assert str(info.value) == "no matches for storage.k8s.io/, Resource=STORAGECLASS"
