"""spec/restmapper.md §16 API-level cases (A1-A9, T60): the priority stack called directly."""

from __future__ import annotations

import pytest

from kmech.mapper import (
    AmbiguousResourceError,
    GroupKind,
    GroupVersionKind,
    GroupVersionResource,
    NoKindMatchError,
    NoResourceMatchError,
)
from tests.mapper.spec_fixtures import fixture

HPA = "HorizontalPodAutoscaler"


def gvk(g: str, v: str, k: str) -> GroupVersionKind:
    return GroupVersionKind(g, v, k)


def gvr(g: str, v: str, r: str) -> GroupVersionResource:
    return GroupVersionResource(g, v, r)


def test_a1_kinds_for_pods_in_discovery_order() -> None:
    kinds = fixture("F0").priority.kinds_for(gvr("", "", "pods"))
    assert kinds == [gvk("", "v1", "Pod"), gvk("metrics.k8s.io", "v1beta1", "PodMetrics")]


def test_a2_resources_for_hpa_preferred_first() -> None:
    resources = fixture("F0").priority.resources_for(gvr("", "", "horizontalpodautoscalers"))
    assert resources == [
        gvr("autoscaling", "v2", "horizontalpodautoscalers"),
        gvr("autoscaling", "v1", "horizontalpodautoscalers"),
    ]


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        pytest.param((), "v2", id="A3-preferred"),
        pytest.param(("v1",), "v1", id="A3-requested-v1"),
    ],
)
def test_a3_rest_mapping_hpa(versions: tuple[str, ...], expected: str) -> None:
    mapping = fixture("F0").priority.rest_mapping(GroupKind("autoscaling", HPA), *versions)
    assert mapping.resource == gvr("autoscaling", expected, "horizontalpodautoscalers")
    assert mapping.gvk == gvk("autoscaling", expected, HPA)


def test_a4_unknown_version_is_no_kind_match() -> None:
    with pytest.raises(NoKindMatchError) as info:
        fixture("F0").priority.rest_mapping(GroupKind("autoscaling", HPA), "v2beta2")
    assert str(info.value) == (
        'no matches for kind "HorizontalPodAutoscaler" in version "autoscaling/v2beta2"'
    )


def test_a5_rest_mappings_discovery_order() -> None:
    mappings = fixture("F0").priority.rest_mappings(GroupKind("autoscaling", HPA))
    assert [m.gvk.version for m in mappings] == ["v2", "v1"]


def test_a6_lowercase_kind_is_echoed() -> None:
    mapping = fixture("F0").priority.rest_mapping(GroupKind("", "pod"))
    assert mapping.resource == gvr("", "v1", "pods")
    assert mapping.gvk == gvk("", "v1", "pod")


def test_a7_kind_for_unknown() -> None:
    with pytest.raises(NoResourceMatchError) as info:
        fixture("F0").priority.kind_for(gvr("", "", "foo"))
    assert str(info.value) == "no matches for /, Resource=foo"


def test_a8_kind_without_group_searches_core_only() -> None:
    with pytest.raises(NoKindMatchError) as info:
        fixture("F0").priority.rest_mapping(GroupKind("", "Cog"))
    assert str(info.value) == 'no matches for kind "Cog" in group ""'


def test_a9_kind_for_with_version() -> None:
    assert fixture("F0").priority.kind_for(gvr("", "v1", "pods")) == gvk("", "v1", "Pod")


def test_t60_resource_for_same_gv_collision_is_ambiguous() -> None:
    with pytest.raises(AmbiguousResourceError) as info:
        fixture("S1").priority.resource_for(gvr("", "", "foo"))
    err = info.value
    assert err.matching_resources == (
        gvr("amb.example.com", "v1", "foo"),
        gvr("amb.example.com", "v1", "foos"),
    )
    assert str(err) == (
        "/, Resource=foo matches multiple resources "
        "[amb.example.com/v1, Resource=foo amb.example.com/v1, Resource=foos]"
    )
    assert err.exit_code == 3
