"""ShortcutExpander rules (spec §7), checked on the F0 and COLL fixtures, one row per rule."""

from __future__ import annotations

import pytest

from kmech.mapper import ExpansionRule, GroupVersionResource, MultiRESTMapper, ShortcutExpander
from tests.mapper.spec_fixtures import fixture


@pytest.mark.parametrize(
    ("fx", "query", "result", "rule", "warnings"),
    [
        pytest.param(
            "F0", ("", "", "pods"), ("", "", "pods"), ExpansionRule.REAL_NAME, 0, id="real-plural"
        ),
        pytest.param(
            "F0", ("", "", "pod"), ("", "", "pod"), ExpansionRule.REAL_NAME, 0, id="real-singular"
        ),
        pytest.param(
            "F0",
            ("", "", "pods/log"),
            ("", "", "pods/log"),
            ExpansionRule.REAL_NAME,
            0,
            id="subresource-is-real",
        ),
        pytest.param(
            "F0", ("", "", "po"), ("", "", "pods"), ExpansionRule.SHORT_NAME, 1, id="short-warns"
        ),
        pytest.param(
            "F0",
            ("", "", "PO"),
            ("", "", "PO"),
            ExpansionRule.UNCHANGED,
            0,
            id="short-case-sensitive",
        ),
        pytest.param(
            "F0",
            ("autoscaling", "v1", "hpa"),
            ("autoscaling", "", "horizontalpodautoscalers"),
            ExpansionRule.SHORT_NAME,
            0,
            id="version-dropped",
        ),
        pytest.param(
            "F0",
            ("autoscal", "v1", "hpa"),
            ("autoscaling", "v1", "horizontalpodautoscalers"),
            ExpansionRule.GROUP_PREFIX_SHORT_NAME,
            0,
            id="prefix-keeps-version",
        ),
        pytest.param(
            "F0",
            ("acme.example.com", "", "po"),
            ("acme.example.com", "", "widgets"),
            ExpansionRule.SHORT_NAME,
            0,
            id="group-filter",
        ),
        pytest.param(
            "COLL",
            ("", "", "po"),
            ("", "", "po"),
            ExpansionRule.REAL_NAME,
            0,
            id="real-name-beats-short",
        ),
    ],
)
def test_expand(
    fx: str,
    query: tuple[str, str, str],
    result: tuple[str, str, str],
    rule: ExpansionRule,
    warnings: int,
) -> None:
    expansion = fixture(fx).expander.expand(GroupVersionResource(*query))
    assert expansion.result == GroupVersionResource(*result)
    assert expansion.rule is rule
    assert len(expansion.warnings) == warnings


def test_warning_handler_receives_each_expansion_warning() -> None:
    mapper = fixture("F0")
    seen: list[str] = []
    expander = ShortcutExpander(
        mapper.priority, mapper.data.resource_lists, warning_handler=seen.append
    )
    expander.kind_for(GroupVersionResource("", "", "po"))
    expander.kind_for(GroupVersionResource("", "", "po"))
    assert (
        seen
        == ['short name "po" could also match lower priority resource widgets.acme.example.com'] * 2
    )


def test_rest_mapping_is_not_expanded() -> None:
    expander = ShortcutExpander(MultiRESTMapper([]), fixture("F0").data.resource_lists)
    assert len(expander.shortcuts) > 10
