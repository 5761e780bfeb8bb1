"""spec §1 and §3: Go String() forms and the argument parsers (nothing lowercased or trimmed)."""

from __future__ import annotations

import pytest

from kmech.mapper import (
    GroupKind,
    GroupResource,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
    parse_group_kind,
    parse_group_version,
    parse_kind_arg,
    parse_resource_arg,
)
from kmech.mapper.schema import GroupVersionParseError


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(GroupVersion("", "v1"), "v1", id="gv-core"),
        pytest.param(GroupVersion("apps", "v1"), "apps/v1", id="gv-group"),
        pytest.param(GroupResource("", "pods"), "pods", id="gr-core"),
        pytest.param(GroupResource("apps", "deployments"), "deployments.apps", id="gr-group"),
        pytest.param(GroupKind("", "Pod"), "Pod", id="gk-core"),
        pytest.param(GroupKind("apps", "Deployment"), "Deployment.apps", id="gk-group"),
        pytest.param(GroupVersionResource("", "", "foo"), "/, Resource=foo", id="gvr-empty-parts"),
        pytest.param(
            GroupVersionResource("apps", "v1", "deployments"),
            "apps/v1, Resource=deployments",
            id="gvr",
        ),
        pytest.param(GroupVersionKind("", "v1", "Pod"), "/v1, Kind=Pod", id="gvk-core"),
    ],
)
def test_go_string_forms(value: object, text: str) -> None:
    assert str(value) == text


@pytest.mark.parametrize(
    ("arg", "full", "group_resource"),
    [
        pytest.param("pods", None, ("", "pods"), id="plain"),
        pytest.param("pods.", None, ("", "pods"), id="trailing-dot"),
        pytest.param("pods.v1", None, ("v1", "pods"), id="v1-is-a-group"),
        pytest.param("pods.v1.", ("", "v1", "pods"), ("v1.", "pods"), id="version-any-group"),
        pytest.param("deployments.apps", None, ("apps", "deployments"), id="resource-group"),
        pytest.param(
            "deployments.v1.apps",
            ("apps", "v1", "deployments"),
            ("v1.apps", "deployments"),
            id="full",
        ),
        pytest.param(
            "events.events.k8s.io",
            ("k8s.io", "events", "events"),
            ("events.k8s.io", "events"),
            id="dotted-group",
        ),
        pytest.param(
            "ingresses.v1.networking.k8s.io",
            ("networking.k8s.io", "v1", "ingresses"),
            ("v1.networking.k8s.io", "ingresses"),
            id="dotted-group-full",
        ),
        pytest.param("Pods.V1.", ("", "V1", "Pods"), ("V1.", "Pods"), id="case-kept"),
    ],
)
def test_parse_resource_arg(
    arg: str, full: tuple[str, str, str] | None, group_resource: tuple[str, str]
) -> None:
    parsed_full, parsed_gr = parse_resource_arg(arg)
    assert parsed_full == (GroupVersionResource(*full) if full else None)
    assert parsed_gr == GroupResource(*group_resource)


def test_parse_kind_arg_mirrors_resource_arg() -> None:
    assert parse_kind_arg("Deployment.v1.apps") == (
        GroupVersionKind("apps", "v1", "Deployment"),
        GroupKind("v1.apps", "Deployment"),
    )
    assert parse_kind_arg("Cog") == (None, GroupKind("", "Cog"))
    assert parse_group_kind("Cog.kinds.example.com") == GroupKind("kinds.example.com", "Cog")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", GroupVersion("", ""), id="empty"),
        pytest.param("/", GroupVersion("", ""), id="slash"),
        pytest.param("v1", GroupVersion("", "v1"), id="core"),
        pytest.param("apps/v1", GroupVersion("apps", "v1"), id="group"),
    ],
)
def test_parse_group_version(text: str, expected: GroupVersion) -> None:
    assert parse_group_version(text) == expected


def test_parse_group_version_rejects_two_slashes() -> None:
    with pytest.raises(GroupVersionParseError, match="unexpected GroupVersion string: a/b/c"):
        parse_group_version("a/b/c")
