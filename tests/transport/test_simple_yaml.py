"""The kubeconfig YAML subset reader agrees with ``yaml.safe_load`` or hands the text over."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kmech.sandbox.kubeconfig import render_kubeconfig
from kmech.transport import _simple_yaml
from kmech.transport._simple_yaml import Unsupported

KUBECTL_STYLE = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    namespace: shop
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCg==
"""

INDENTED_SEQUENCES = """\
# written by hand
clusters:
  - name: 'it''s'
    cluster:
      server: "https://x:443"
      insecure-skip-tls-verify: true
users:
  -   name: u
      user:
        token: abc.def-ghi
  -
    name: v
contexts: []
current-context:
extensions: null
"""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(KUBECTL_STYLE, id="kubectl-style"),
        pytest.param(INDENTED_SEQUENCES, id="indented-sequences-and-quotes"),
        pytest.param(render_kubeconfig(server="http://127.0.0.1:1", token="t"), id="sandbox"),
        pytest.param(
            render_kubeconfig(server="https://h:1", ca_pem=b"pem", namespace="ns"),
            id="sandbox-tls",
        ),
        pytest.param("", id="empty"),
        pytest.param("# only a comment\n", id="comment-only"),
        pytest.param("a:\n  b:\n    c: d\n  e: f\ng: h\n", id="nested-dedent"),
        pytest.param("a:\n- b: c\n  d:\n  - e\n- f\n", id="compact-sequences"),
        pytest.param("a: hello world\nb: x,y [z]\n", id="plain-with-spaces-and-commas"),
    ],
)
def test_subset_documents_read_as_pyyaml_does(text: str) -> None:
    assert _simple_yaml.load(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: 1\n", id="number"),
        pytest.param("a: yes\n", id="yaml11-bool"),
        pytest.param("a: &x b\nc: *x\n", id="anchor-alias"),
        pytest.param("a: !!str b\n", id="tag"),
        pytest.param("a: |\n  text\n", id="block-scalar"),
        pytest.param("a: {b: c}\n", id="flow-mapping"),
        pytest.param('a: "b\\nc"\n', id="escape"),
        pytest.param("a: b # comment\n", id="trailing-comment"),
        pytest.param("a: b\n  c\n", id="multi-line-plain"),
        pytest.param("---\na: b\n", id="document-marker"),
        pytest.param("a:\tb\n", id="tab"),
        pytest.param("a: b: c\n", id="colon-in-value"),
        pytest.param("? a\n: b\n", id="complex-key"),
        pytest.param("1: a\n", id="numeric-key"),
        pytest.param("a: b\n   c: d\n", id="bad-indent"),
        pytest.param("a: ~\n", id="tilde"),
        pytest.param("a: 2024-01-01\n", id="timestamp"),
        pytest.param("just text\n", id="top-level-scalar"),
        pytest.param("a: b\u00a0c\n", id="non-printable-space"),
    ],
)
def test_outside_the_subset_is_handed_to_pyyaml(text: str) -> None:
    with pytest.raises(Unsupported):
        _simple_yaml.load(text)


def _same_or_unsupported(text: str) -> None:
    try:
        expected: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(Unsupported):
            _simple_yaml.load(text)
        return
    try:
        got = _simple_yaml.load(text)
    except Unsupported:
        return
    assert got == expected
    assert type(got) is type(expected)


_words = st.sampled_from(
    ["server", "name", "a-b", "x.y", "true", "False", "null", "yes", "on", "~", "1", "1.5",
     "0x1f", "-1", ".inf", "2024-01-01", "<<", "=", "a b", "a: b", "a #b", "#c", "'q'", '"d"',
     "é", "", " ", "-", "?", ":", "{}", "[]", "b64+/=", "LS0tLS1C", "https://h:1/p?q=1"]
)  # fmt: skip
_keys = st.one_of(_words, st.text(min_size=1, max_size=6))
_scalars = st.one_of(
    _words, st.text(max_size=8), st.booleans(), st.none(), st.integers(), st.floats()
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=12,
)
_documents = st.dictionaries(_keys, _values, max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    doc=_documents,
    style=st.sampled_from([None, "'", '"']),
    flow=st.sampled_from([False, None]),
    indent=st.sampled_from([2, 4]),
)
def test_dumped_documents_agree_with_pyyaml(
    doc: dict[Any, Any], style: str | None, flow: bool | None, indent: int
) -> None:
    text = yaml.safe_dump(
        doc, default_style=style, default_flow_style=flow, indent=indent, allow_unicode=True
    )
    _same_or_unsupported(text)


_line = st.tuples(
    st.sampled_from(["", "  ", "    ", " ", "- ", "  - ", "-"]),
    st.sampled_from(["", "a:", "b:", "server:", "a: ", "- "]),
    st.one_of(_words, st.text(alphabet=" -:#'\"abc{}[]1.\\", max_size=6)),
)


@settings(max_examples=500, deadline=None)
@given(lines=st.lists(_line, max_size=8))
def test_arbitrary_texts_agree_or_are_handed_over(lines: list[tuple[str, str, str]]) -> None:
    _same_or_unsupported("\n".join("".join(parts) for parts in lines) + "\n")


def test_base64_data_stays_a_string() -> None:
    data = base64.b64encode(b"\xfb\xff" * 40).decode()  # starts with "+/"
    text = f"a:\n  b: {data}\n"
    _same_or_unsupported(text)


# Documents shaped like kubeconfigs, so that most of them fall inside the subset.
_simple_keys = st.from_regex(r"[a-zA-Z][a-zA-Z0-9.-]{0,8}", fullmatch=True)
_simple_scalars = st.one_of(
    st.from_regex(r"[A-Za-z/][A-Za-z0-9+/=:._ ,#-]{0,12}", fullmatch=True),
    st.sampled_from(["true", "false", "null", "yes", "on", "it's", 'say "hi"', "a: b", "x #y"]),
    st.booleans(),
    st.none(),
)
_simple_values = st.recursive(
    _simple_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_simple_keys, inner, max_size=3)
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(
    doc=st.dictionaries(_simple_keys, _simple_values, max_size=5),
    indent=st.sampled_from([2, 3, 4]),
    style=st.sampled_from([None, None, "'", '"']),
)
def test_kubeconfig_like_documents_agree_with_pyyaml(
    doc: dict[str, Any], indent: int, style: str | None
) -> None:
    text = yaml.safe_dump(doc, default_flow_style=False, indent=indent, default_style=style)
    _same_or_unsupported(text)
