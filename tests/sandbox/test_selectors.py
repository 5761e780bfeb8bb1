"""Label and field selector parsing and matching (pure)."""

from __future__ import annotations

import pytest

from kmech.sandbox.selectors import (
    Operator,
    Requirement,
    parse_field_selector,
    parse_label_selector,
)
from kmech.sandbox.status import StatusException


@pytest.mark.parametrize(
    ("text", "requirements"),
    [
        pytest.param("", (), id="empty"),
        pytest.param("a=b", (Requirement("a", Operator.EQUALS, ("b",)),), id="equals"),
        pytest.param("a==b", (Requirement("a", Operator.EQUALS, ("b",)),), id="double-equals"),
        pytest.param("a!=b", (Requirement("a", Operator.NOT_EQUALS, ("b",)),), id="not-equals"),
        pytest.param("a=", (Requirement("a", Operator.EQUALS, ("",)),), id="empty-value"),
        pytest.param("a in (x, y)", (Requirement("a", Operator.IN, ("x", "y")),), id="in"),
        pytest.param("a notin (x)", (Requirement("a", Operator.NOT_IN, ("x",)),), id="notin"),
        pytest.param("a", (Requirement("a", Operator.EXISTS),), id="exists"),
        pytest.param("!a", (Requirement("a", Operator.DOES_NOT_EXIST),), id="not-exists"),
        pytest.param("n>3", (Requirement("n", Operator.GREATER_THAN, ("3",)),), id="gt"),
        pytest.param(
            "app.kubernetes.io/name=web,!b",
            (
                Requirement("app.kubernetes.io/name", Operator.EQUALS, ("web",)),
                Requirement("b", Operator.DOES_NOT_EXIST),
            ),
            id="prefixed-key-and",
        ),
    ],
)
def test_parse_label_selector(text, requirements):
    assert parse_label_selector(text).requirements == requirements


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        pytest.param("a!=b", {}, True, id="not-equals-missing-label"),
        pytest.param("a notin (b)", {"a": "c"}, True, id="notin-other"),
        pytest.param("a in (b)", {}, False, id="in-missing"),
        pytest.param("n>3", {"n": "4"}, True, id="gt-true"),
        pytest.param("n<3", {"n": "x"}, False, id="lt-non-number"),
        pytest.param("", {"a": "b"}, True, id="empty-selects-all"),
    ],
)
def test_label_matching(text, labels, expected):
    assert parse_label_selector(text).matches(labels) is expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a in (b", id="unclosed"),
        pytest.param("a b", id="missing-operator"),
        pytest.param("=b", id="missing-key"),
        pytest.param("n>x", id="gt-non-integer"),
    ],
)
def test_bad_label_selectors(text):
    with pytest.raises(StatusException) as info:
        parse_label_selector(text)
    assert info.value.code == 400


def test_field_selector():
    sel = parse_field_selector("metadata.name!=a,status.phase==Running", group="", resource="pods")
    assert sel.matches({"metadata": {"name": "b"}, "status": {"phase": "Running"}})
    assert not sel.matches({"metadata": {"name": "a"}, "status": {"phase": "Running"}})
    assert parse_field_selector("spec.nodeName=", resource="pods").matches({"spec": {}})
    with pytest.raises(StatusException, match="field label not supported: status.phase"):
        parse_field_selector("status.phase=Running", group="apps", resource="deployments")
