"""Resolution results as data: matchedBy, candidates in priority order, kubectl warnings vs kmech
notes, the JSON shape, --kind resolution and the explain trace (exact text)."""

from __future__ import annotations

import pytest

from kmech.mapper import MatchedBy, NoKindMatchError, ResourceTypeNotFoundError
from tests.mapper.spec_fixtures import fixture


def gv(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


@pytest.mark.parametrize(
    ("fx", "arg", "matched_by"),
    [
        pytest.param("F0", "pods", MatchedBy.RESOURCE, id="plural"),
        pytest.param("F0", "Pod", MatchedBy.SINGULAR, id="singular-any-case"),
        pytest.param("F0", "po", MatchedBy.SHORT_NAME, id="short"),
        pytest.param("F0", "hpa.autoscal", MatchedBy.SHORT_NAME, id="prefix-short"),
        pytest.param("F0", "Cog.kinds.example.com", MatchedBy.KIND, id="kind"),
        pytest.param("F0", "all", MatchedBy.CATEGORY, id="category"),
        pytest.param("F0", "podmetrics", MatchedBy.SINGULAR, id="guessed-singular"),
        pytest.param("COLL", "po", MatchedBy.RESOURCE, id="real-name-po"),
    ],
)
def test_matched_by(fx: str, arg: str, matched_by: MatchedBy) -> None:
    assert fixture(fx).resolve(arg).resolutions[0].matched_by is matched_by


@pytest.mark.parametrize(
    ("fx", "arg", "candidates"),
    [
        pytest.param(
            "F0",
            "po",
            [
                (
                    "metrics.k8s.io/v1beta1 pods",
                    "resource",
                    "group priority: core v1 always comes first",
                ),
                (
                    "acme.example.com/v1 widgets",
                    "shortName",
                    "a short name listed later in discovery order",
                ),
            ],
            id="po",
        ),
        pytest.param(
            "F0",
            "hpa",
            [
                (
                    "autoscaling/v1 horizontalpodautoscalers",
                    "resource",
                    "version priority: autoscaling prefers v2",
                )
            ],
            id="hpa",
        ),
        pytest.param(
            "VO",
            "peas",
            [
                (
                    "fruit.example.com/v2beta1 peas",
                    "resource",
                    "version priority: v2alpha1 is listed before v2beta1 in fruit.example.com (listed order, not version value)",
                )
            ],
            id="listed-order",
        ),
        pytest.param(
            "COLL",
            "gateway",
            [
                (
                    "networking.istio.io/v1beta1 gateways",
                    "singular",
                    "group priority: gateway.networking.k8s.io is listed before networking.istio.io in discovery order",
                )
            ],
            id="group-order",
        ),
        pytest.param(
            "C2",
            "pods",
            [
                (
                    "extensions/v1beta pods",
                    "resource",
                    "group priority: core v1 always comes first",
                ),
                ("v2 pods", "resource", "group priority: core v1 always comes first"),
            ],
            id="core-v1-first",
        ),
        pytest.param("F0", "gadgets", [], id="only-one"),
        pytest.param(
            "F0",
            "ev",
            [("events.k8s.io/v1 events", "resource", "group priority: core v1 always comes first")],
            id="short-name-alternative-listed-once",
        ),
    ],
)
def test_candidates(fx: str, arg: str, candidates: list[tuple[str, str, str]]) -> None:
    (res,) = fixture(fx).resolve(arg).resolutions
    got = [
        (
            f"{gv(c.resource.group, c.resource.version)} {c.resource.resource}",
            str(c.matched_by),
            c.reason,
        )
        for c in res.candidates
    ]
    assert got == candidates


@pytest.mark.parametrize(
    ("fx", "arg", "warnings", "notes"),
    [
        pytest.param(
            "F0",
            "po",
            ['short name "po" could also match lower priority resource widgets.acme.example.com'],
            [],
            id="kubectl-warning-only",
        ),
        pytest.param(
            "COLL",
            "deployments",
            [],
            [
                '"deployments" also matches deployments.example.io; kubectl silently uses deployments.apps '
                "(group priority: apps is listed before example.io in discovery order)"
            ],
            id="plural-collision-94860",
        ),
        pytest.param(
            "COLL",
            "po",
            [],
            [
                '"po" is also a short name of pods, widgets.acme.example.com; kubectl uses the resource named '
                '"po" (po.tiny.example.com) because real names beat short names'
            ],
            id="real-name-shadows-short-name",
        ),
        pytest.param(
            "COLL",
            "services",
            [],
            [
                '"services" is a category, so kubectl never reads it as the resource services (categories are checked first)'
            ],
            id="category-shadows-resource",
        ),
        pytest.param("F0", "hpa", [], [], id="same-resource-other-version-silent"),
        pytest.param("F0", "all", [], [], id="category-members-no-collision-notes"),
    ],
)
def test_warnings_and_notes(fx: str, arg: str, warnings: list[str], notes: list[str]) -> None:
    result = fixture(fx).resolve(arg)
    assert list(result.warnings) == warnings
    assert list(result.notes) == notes


def test_to_dict_single() -> None:
    data = fixture("F0").resolve("hpa").to_dict()
    assert data == {
        "input": "hpa",
        "group": "autoscaling",
        "version": "v2",
        "resource": "horizontalpodautoscalers",
        "kind": "HorizontalPodAutoscaler",
        "namespaced": True,
        "verbs": ["get", "list"],
        "shortNames": ["hpa"],
        "categories": ["all"],
        "matchedBy": "shortName",
        "candidates": [
            {
                "group": "autoscaling",
                "version": "v1",
                "resource": "horizontalpodautoscalers",
                "kind": "HorizontalPodAutoscaler",
                "matchedBy": "resource",
                "reason": "version priority: autoscaling prefers v2",
            }
        ],
        "warnings": [],
    }


def test_to_dict_category_lists_members() -> None:
    data = fixture("F0").resolve("acme").to_dict()
    assert data["matchedBy"] == "category"
    assert data["categories"] == {"acme": ["widgets.acme.example.com", "gadgets.acme.example.com"]}
    assert [r["resource"] for r in data["resources"]] == ["widgets", "gadgets"]
    assert all(r["category"] == "acme" for r in data["resources"])


def test_to_dict_comma_list() -> None:
    data = fixture("F0").resolve("pods,svc,po").to_dict()
    assert data["matchedBy"] == "list"
    assert [r["input"] for r in data["resources"]] == ["pods", "svc"]


def test_synthetic_list_has_no_discovery_facts() -> None:
    (res,) = fixture("F0").resolve("podlist").resolutions
    assert res.info is None
    assert res.to_dict()["verbs"] == []


@pytest.mark.parametrize(
    ("arg", "expected", "notes"),
    [
        pytest.param("Deployment.apps", "apps/v1 deployments Deployment", 0, id="kind-group"),
        pytest.param(
            "Deployment.v1.apps", "apps/v1 deployments Deployment", 0, id="kind-version-group"
        ),
        pytest.param(
            "HorizontalPodAutoscaler.v1.autoscaling",
            "autoscaling/v1 horizontalpodautoscalers HorizontalPodAutoscaler",
            0,
            id="non-preferred",
        ),
        pytest.param("Pod", "v1 pods Pod", 0, id="core"),
        pytest.param("pod", "v1 pods pod", 0, id="lowercase-echoed"),
        pytest.param("Deployment", "apps/v1 deployments Deployment", 1, id="kmech-searches-groups"),
        pytest.param("Cog", "kinds.example.com/v1 sprockets Cog", 1, id="crd-kind"),
    ],
)
def test_resolve_kind(arg: str, expected: str, notes: int) -> None:
    result = fixture("F0").resolve_kind(arg)
    (res,) = result.resolutions
    assert f"{gv(res.group, res.version)} {res.resource} {res.kind}" == expected
    assert res.matched_by is MatchedBy.KIND
    assert len(result.notes) == notes


@pytest.mark.parametrize(
    ("arg", "message", "suggestions"),
    [
        pytest.param(
            "Deploymnet",
            'no matches for kind "Deploymnet" in group ""',
            ("Deployment.apps",),
            id="typo",
        ),
        pytest.param(
            "Deployment.v2.apps",
            'no matches for kind "Deployment" in version "apps/v2"',
            ("Deployment.apps",),
            id="bad-version",
        ),
        pytest.param("POD", 'no matches for kind "POD" in group ""', ("Pod",), id="case"),
    ],
)
def test_resolve_kind_errors(arg: str, message: str, suggestions: tuple[str, ...]) -> None:
    with pytest.raises(NoKindMatchError) as info:
        fixture("F0").resolve_kind(arg)
    assert str(info.value) == message
    assert info.value.suggestions[: len(suggestions)] == suggestions


@pytest.mark.parametrize(
    ("fx", "arg", "suggestions", "hint"),
    [
        pytest.param(
            "F0",
            "deploymnets",
            ("deployments", "deployment"),
            'did you mean "deployments" or "deployment"?',
            id="typo",
        ),
        pytest.param(
            "F0",
            "PO",
            ("po", "no", "pod"),
            'did you mean "po", "no" or "pod"?',
            id="short-name-case",
        ),
        pytest.param(
            "F0",
            "Cog",
            ("Cog.kinds.example.com",),
            'did you mean "Cog.kinds.example.com"?',
            id="kind-needs-group",
        ),
        pytest.param("F0", "All", ("all",), 'did you mean "all"?', id="category-case"),
        pytest.param("F0", "zzzzzz", (), "", id="nothing-close"),
        pytest.param(
            "F0",
            "pods/log",
            ("pods", "pod"),
            'kubectl would read "pods/log" as TYPE/NAME ("pods" named "log"); subresources are not '
            'resource types. did you mean "pods" or "pod"?',
            id="type-name",
        ),
    ],
)
def test_not_found_suggestions(fx: str, arg: str, suggestions: tuple[str, ...], hint: str) -> None:
    with pytest.raises(ResourceTypeNotFoundError) as info:
        fixture(fx).resolve(arg)
    assert info.value.suggestions == suggestions
    assert info.value.hint == hint


def test_explain_short_name_collision() -> None:
    assert fixture("COLL").explain("deploy") == [
        '"deploy" is not a category',
        "pieces to map: 'deploy'",
        'piece "deploy":',
        "  fewer than two dots: no resource.version.group form",
        '  parsed as resource.group: resource "deploy" in any group, any version',
        '  short names: "deploy" is the short name of deployments.apps (first in discovery order)',
        "    deployments.example.io has the same short name but comes later: kubectl warns",
        '  kind lookup for resource "deployments" in group "apps", any version: 1 candidate(s): apps/v1 Deployment',
        "    winner apps/v1 Deployment: the only candidate",
        '  mapping for kind Deployment.apps (versions "v1"): 1 candidate(s)',
        "    winner apps/v1 deployments (kind Deployment, namespaced): the only candidate",
        'result: "deploy" → apps/v1 deployments (kind Deployment, namespaced), matched by shortName',
        "  candidate example.io/v1 deployments (Deployment), matched by shortName: lost, a short name listed later in discovery order",
        'warning (kubectl prints it): short name "deploy" could also match lower priority resource deployments.example.io',
    ]


def test_explain_not_found_ends_with_the_error_and_hint() -> None:
    lines = fixture("F0").explain("Cog")
    assert lines[-2:] == [
        'result: error: the server doesn\'t have a resource type "Cog"',
        '  did you mean "Cog.kinds.example.com"?',
    ]
    assert '  mapping for kind Cog (versions ""): no matches for kind "Cog" in version ""' in lines


def test_explain_version_priority_in_words() -> None:
    lines = fixture("F0").explain("hpa")
    assert (
        "    winner autoscaling/v2 HorizontalPodAutoscaler: version priority: autoscaling prefers v2"
        in lines
    )


def test_explain_kind() -> None:
    assert fixture("F0").explain("Deployment", kind=True) == [
        'kind "Deployment": parsed as Kind.group: kind "Deployment" in the core group, preferred version',
        '  mapping for kind Deployment (versions none): no matches for kind "Deployment" in group ""',
        '  note: the core group has no kind "Deployment" and kubectl looks nowhere else for a kind '
        "without a group; kmech found Deployment.apps (spell it that way for kubectl)",
        'result: "Deployment" → apps/v1 deployments (kind Deployment, namespaced), matched by kind',
        'warning (kmech only): the core group has no kind "Deployment" and kubectl looks nowhere else '
        "for a kind without a group; kmech found Deployment.apps (spell it that way for kubectl)",
    ]
