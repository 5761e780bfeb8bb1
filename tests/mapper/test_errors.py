"""spec §11: error classes carry their data and build client-go's exact messages."""

from __future__ import annotations

import pytest

from kmech.errors import MapperError
from kmech.mapper import (
    AmbiguousKindError,
    AmbiguousResourceError,
    GroupKind,
    GroupVersionKind,
    GroupVersionResource,
    NoKindMatchError,
    NoResourceMatchError,
    ResourceRequiredError,
    ResourceTypeNotFoundError,
    is_ambiguous,
    is_no_match,
)
from kmech.mapper._gofmt import go_quote

HPA = GroupKind("autoscaling", "HorizontalPodAutoscaler")
D1 = GroupVersionResource("apps", "v1", "deployments")
D2 = GroupVersionResource("extensions", "v1beta1", "deployments")
K1 = GroupVersionKind("apps", "v1", "Deployment")


@pytest.mark.parametrize(
    ("err", "message"),
    [
        pytest.param(
            NoResourceMatchError(GroupVersionResource("", "", "foo")),
            "no matches for /, Resource=foo",
            id="no-resource",
        ),
        pytest.param(
            NoKindMatchError(GroupKind("", "Cog")),
            'no matches for kind "Cog" in group ""',
            id="no-kind-0-versions",
        ),
        pytest.param(
            NoKindMatchError(HPA, ["v2beta2"]),
            'no matches for kind "HorizontalPodAutoscaler" in version "autoscaling/v2beta2"',
            id="no-kind-1-version",
        ),
        pytest.param(
            NoKindMatchError(GroupKind("", "Pod"), ["v2"]),
            'no matches for kind "Pod" in version "v2"',
            id="no-kind-core-version",
        ),
        pytest.param(
            NoKindMatchError(HPA, ["v2", "v1", "v2"]),
            'no matches for kind "HorizontalPodAutoscaler" in versions ["autoscaling/v1" "autoscaling/v2"]',
            id="no-kind-versions-sorted-deduped",
        ),
        pytest.param(
            AmbiguousResourceError(
                GroupVersionResource("", "", "deployments"), matching_resources=[D1, D2]
            ),
            "/, Resource=deployments matches multiple resources "
            "[apps/v1, Resource=deployments extensions/v1beta1, Resource=deployments]",
            id="ambiguous-resources",
        ),
        pytest.param(
            AmbiguousResourceError(D1, matching_kinds=[K1]),
            "apps/v1, Resource=deployments matches multiple kinds [apps/v1, Kind=Deployment]",
            id="ambiguous-kinds",
        ),
        pytest.param(
            AmbiguousKindError(
                GroupVersionKind("apps", "", "Deployment"),
                matching_resources=[D1],
                matching_kinds=[K1],
            ),
            "apps/, Kind=Deployment matches multiple resources [apps/v1, Resource=deployments] "
            "and kinds [apps/v1, Kind=Deployment]",
            id="ambiguous-kind-both",
        ),
        pytest.param(
            AmbiguousKindError(GroupVersionKind("", "", "X")),
            "/, Kind=X matches multiple resources or kinds",
            id="ambiguous-kind-empty",
        ),
        pytest.param(
            ResourceRequiredError(GroupVersionResource("", "v1", "")),
            "a resource must be present, got: /v1, Resource=",
            id="resource-required",
        ),
        pytest.param(
            ResourceTypeNotFoundError("Cog"),
            'the server doesn\'t have a resource type "Cog"',
            id="kubectl-not-found",
        ),
        pytest.param(
            ResourceTypeNotFoundError("pods", group="v1"),
            'the server doesn\'t have a resource type "pods" in group "v1"',
            id="kubectl-not-found-group",
        ),
    ],
)
def test_messages(err: MapperError, message: str) -> None:
    assert str(err) == message
    assert isinstance(err, MapperError)
    assert err.exit_code == 3


def test_classifiers() -> None:
    assert is_no_match(NoKindMatchError(HPA))
    assert is_no_match(NoResourceMatchError(D1))
    assert not is_no_match(ResourceRequiredError(D1))
    assert is_ambiguous(AmbiguousKindError(GroupVersionKind("", "", "X")))
    assert not is_ambiguous(NoKindMatchError(HPA))


def test_errors_keep_their_data() -> None:
    err = AmbiguousResourceError(D1, matching_resources=[D1, D2])
    assert err.partial_resource == D1
    assert err.matching_resources == (D1, D2)
    assert NoKindMatchError(HPA, ["v1"]).searched_versions == ("v1",)


@pytest.mark.parametrize(
    ("suggestions", "hint"),
    [
        pytest.param((), "", id="none"),
        pytest.param(("pods",), 'did you mean "pods"?', id="one"),
        pytest.param(("a", "b", "c"), 'did you mean "a", "b" or "c"?', id="three"),
    ],
)
def test_hint(suggestions: tuple[str, ...], hint: str) -> None:
    assert ResourceTypeNotFoundError("x", suggestions=suggestions).hint == hint


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        pytest.param("plain", '"plain"', id="plain"),
        pytest.param('a"b\\c', '"a\\"b\\\\c"', id="escapes"),
        pytest.param("tab\there\n", '"tab\\there\\n"', id="controls"),
        pytest.param("\x00\x7f", '"\\x00\\x7f"', id="hex"),
        pytest.param("héllo", '"héllo"', id="printable-unicode"),
        pytest.param("\u200b", '"\\u200b"', id="non-printable-unicode"),
    ],
)
def test_go_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted
