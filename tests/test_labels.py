"""kmech.labels: one label-selector parser for the listers and the sandbox; exact error text."""

from __future__ import annotations

import pytest

from kmech.errors import UsageError
from kmech.labels import (
    EVERYTHING,
    NOTHING,
    LabelSelectorError,
    Operator,
    Requirement,
    parse_label_selector,
)


def test_blank_text_selects_everything():
    assert parse_label_selector(None) is EVERYTHING
    assert parse_label_selector("  ") is EVERYTHING
    assert EVERYTHING.empty() and EVERYTHING.matches({"a": "b"}) and EVERYTHING.matches(None)


def test_nothing_matches_nothing():
    assert not NOTHING.empty()
    assert not NOTHING.matches({})
    assert str(NOTHING) == "<nothing>"


def test_selector_keeps_its_text():
    sel = parse_label_selector("app in (web, api),!canary")
    assert str(sel) == "app in (web, api),!canary"
    assert sel.requirements == (
        Requirement("app", Operator.IN, ("web", "api")),
        Requirement("canary", Operator.DOES_NOT_EXIST),
    )
    assert sel.matches({"app": "api"}) and not sel.matches({"app": "api", "canary": "1"})


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        pytest.param("a in (b", "unable to parse requirement: found '', expected: ')'", id="unclosed"),
        pytest.param("a b", "unable to parse requirement: found 'b', expected: '=', '!=', '==', 'in', notin'", id="no-operator"),
        pytest.param("=b", "unable to parse requirement: invalid label key '='", id="no-key"),
        pytest.param("app in web", "unable to parse requirement: found 'web', expected: '('", id="in-without-parenthesis"),
        pytest.param("n>x", "unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer: 'x'", id="gt-not-integer"),
        pytest.param("!", "unable to parse requirement: expected identifier after '!'", id="bare-not"),
        pytest.param("a=b c", "unable to parse requirement: found 'c', expected: ','", id="missing-comma"),
        pytest.param("a=b;", "unable to parse requirement: found ';', expected: identifier", id="bad-character"),
    ],
)  # fmt: skip
def test_errors_carry_the_api_servers_wording(text, detail):
    with pytest.raises(LabelSelectorError) as info:
        parse_label_selector(text)
    assert info.value.detail == detail
    assert str(info.value) == f"invalid label selector {text!r}: {detail}"
    assert isinstance(info.value, UsageError)
