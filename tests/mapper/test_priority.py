"""Priority patterns from discovery (spec §6.2), pattern narrowing (§6.3) and the Multi/Priority
error paths that a discovery-built mapper never reaches."""

from __future__ import annotations

import pytest

from kmech.mapper import (
    AmbiguousKindError,
    AmbiguousResourceError,
    DefaultRESTMapper,
    DiscoveryRESTMapper,
    GroupKind,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
    MultiRESTMapper,
    NoKindMatchError,
    NoResourceMatchError,
    PriorityRESTMapper,
    RESTScopeName,
)
from kmech.mapper.discovery_mapper import priority_patterns
from kmech.mapper.priority import narrow
from tests.mapper.spec_fixtures import fixture


def texts(patterns: list[GroupVersionKind]) -> list[str]:
    return [f"{p.group or '(core)'}/{p.version}" for p in patterns]


@pytest.mark.parametrize(
    ("fx", "expected"),
    [
        pytest.param(
            "OLD",
            ["(core)/v1", "(core)/v1", "apiregistration.k8s.io/v1", "apiregistration.k8s.io/v1beta1",
             "extensions/v1beta1", "apps/v1", "apps/v1beta2", "apps/v1beta1", "autoscaling/v1",
             "autoscaling/v2beta1", "autoscaling/v2beta2", "(core)/*", "apiregistration.k8s.io/*",
             "extensions/*", "apps/*", "autoscaling/*"],
            id="old-preferred-then-listed",
        ),
        pytest.param("PM", ["(core)/v1", "(core)/v1", "g.example.com/v1", "g.example.com/v1beta1", "(core)/*", "g.example.com/*"], id="preferred-listed-second"),
        pytest.param("C2", ["(core)/v1", "extensions/v1beta", "(core)/v1", "(core)/v2", "extensions/*", "(core)/*"], id="core-v1-always-first"),
    ],
)  # fmt: skip
def test_kind_priority_patterns(fx: str, expected: list[str]) -> None:
    resources, kinds = priority_patterns(fixture(fx).data)
    assert texts(kinds) == expected
    assert [(r.group, r.version, r.resource) for r in resources] == [
        (k.group, k.version, "*") for k in kinds
    ]


def test_narrow_reports_the_deciding_pattern() -> None:
    _, kinds = priority_patterns(fixture("F0").data)
    cands = [
        GroupVersionKind("metrics.k8s.io", "v1beta1", "PodMetrics"),
        GroupVersionKind("", "v1", "Pod"),
    ]
    result = narrow(cands, kinds, key=lambda k: k)
    assert result.winner == GroupVersionKind("", "v1", "Pod")
    assert result.decided_by == 0
    assert result.ranked == (cands[1], cands[0])


def two_mappers_same_kind() -> MultiRESTMapper:
    mappers = []
    for group in ("a.io", "b.io"):
        m = DefaultRESTMapper([GroupVersion(group, "v1")])
        m.add(GroupVersionKind(group, "v1", "Thing"), RESTScopeName.NAMESPACE)
        mappers.append(m)
    return MultiRESTMapper(mappers)


def test_priority_without_patterns_is_ambiguous() -> None:
    prio = PriorityRESTMapper(two_mappers_same_kind())
    with pytest.raises(AmbiguousResourceError) as info:
        prio.kind_for(GroupVersionResource("", "", "things"))
    assert (
        str(info.value)
        == "/, Resource=things matches multiple kinds [a.io/v1, Kind=Thing b.io/v1, Kind=Thing]"
    )
    with pytest.raises(AmbiguousResourceError):
        prio.resource_for(GroupVersionResource("", "", "thing"))


def test_priority_patterns_pick_and_requested_version_first() -> None:
    prio = PriorityRESTMapper(
        two_mappers_same_kind(),
        kind_priority=[GroupVersionKind("b.io", "*", "*"), GroupVersionKind("a.io", "*", "*")],
    )
    assert prio.kind_for(GroupVersionResource("", "", "things")).group == "b.io"
    assert prio.rest_mapping(GroupKind("a.io", "Thing")).resource.group == "a.io"


def test_multi_rest_mapping_ambiguous_lists_kinds_only() -> None:
    a_io = two_mappers_same_kind().mappers[0]
    assert MultiRESTMapper([a_io]).rest_mapping(GroupKind("a.io", "Thing")).gvk.group == "a.io"
    with pytest.raises(AmbiguousKindError) as info:
        MultiRESTMapper([a_io, a_io]).rest_mapping(GroupKind("a.io", "Thing"))
    assert info.value.matching_kinds == (GroupVersionKind("a.io", "v1", "Thing"),) * 2
    assert info.value.matching_resources == ()


def test_multi_misses() -> None:
    multi = two_mappers_same_kind()
    with pytest.raises(NoResourceMatchError):
        multi.kinds_for(GroupVersionResource("", "", "nothing"))
    with pytest.raises(NoKindMatchError) as info:
        multi.rest_mappings(GroupKind("c.io", "Thing"), "v1", "v2")
    assert str(info.value) == 'no matches for kind "Thing" in versions ["c.io/v1" "c.io/v2"]'
    assert MultiRESTMapper([]).mappers == ()


def test_facade_methods_go_through_the_expander() -> None:
    seen: list[str] = []
    facade = DiscoveryRESTMapper(fixture("F0").data, warning_handler=seen.append)
    assert facade.kind_for(GroupVersionResource("", "", "po")) == GroupVersionKind("", "v1", "Pod")
    assert facade.resources_for(GroupVersionResource("", "", "hpa"))[0].version == "v2"
    assert facade.resource_for(GroupVersionResource("", "", "deploy")).group == "apps"
    assert facade.kinds_for(GroupVersionResource("", "", "ev"))[0] == GroupVersionKind(
        "", "v1", "Event"
    )
    assert len(facade.rest_mappings(GroupKind("autoscaling", "HorizontalPodAutoscaler"))) == 2
    assert seen == [
        'short name "po" could also match lower priority resource widgets.acme.example.com',
        'short name "ev" could also match lower priority resource events.events.k8s.io',
    ]
