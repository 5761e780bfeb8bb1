"""Label and field selectors: parse the query-string syntax and match objects.

Label selectors accept kube's grammar: ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``,
``k notin (a,b)``, ``k`` (exists), ``!k`` (does not exist), ``k>1``/``k<1``, joined by commas.
``!=`` and ``notin`` match objects without the label, as upstream. Field selectors accept
``f=v``, ``f==v`` and ``f!=v`` on the fields the resource supports; anything else is a 400, as
kube-apiserver answers it.

Upstream: apimachinery ``pkg/labels/selector.go`` (Parse, Requirement.Matches),
``pkg/fields/selector.go`` (ParseSelector); kubernetes ``pkg/registry/core/pod/strategy.go``
(the pod field set).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kmech.sandbox.status import bad_request

__all__ = [
    "Operator",
    "Requirement",
    "LabelSelector",
    "FieldRequirement",
    "FieldSelector",
    "parse_label_selector",
    "parse_field_selector",
    "supported_fields",
]


class Operator(StrEnum):
    """A label requirement's operator."""

    EQUALS = "="
    NOT_EQUALS = "!="
    IN = "in"
    NOT_IN = "notin"
    EXISTS = "exists"
    DOES_NOT_EXIST = "!"
    GREATER_THAN = "gt"
    LESS_THAN = "lt"


@dataclass(frozen=True, slots=True)
class Requirement:
    """One ``key op values`` term of a label selector."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy this term (missing labels satisfy ``!=`` and ``notin``)."""
        op = self.operator
        has = self.key in labels
        if op is Operator.EXISTS:
            return has
        if op is Operator.DOES_NOT_EXIST:
            return not has
        if op is Operator.NOT_EQUALS or op is Operator.NOT_IN:
            return not has or labels[self.key] not in self.values
        if not has:
            return False
        value = labels[self.key]
        if op is Operator.EQUALS or op is Operator.IN:
            return value in self.values
        try:
            number = int(value)
        except ValueError:
            return False
        bound = int(self.values[0])
        return number > bound if op is Operator.GREATER_THAN else number < bound


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """All requirements must hold; the empty selector matches everything."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object's ``metadata.labels`` satisfy every requirement."""
        if not self.requirements:
            return True
        got = labels or {}
        return all(r.matches(got) for r in self.requirements)

    @property
    def empty(self) -> bool:
        """True when the selector selects everything."""
        return not self.requirements


_TOKEN = re.compile(r"\s*(?:(?P<op>==|!=|=|!|\(|\)|,|>|<)|(?P<word>[A-Za-z0-9_.\-/]+))")
_KEY = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise bad_request(
                f"unable to parse requirement: found '{text[pos:].strip()[:1]}', expected: identifier"
            )
        out.append(m.group("op") or m.group("word") or "")
        pos = m.end()
    return out


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse the ``labelSelector`` query value; raises a 400 StatusException when malformed."""
    if not text or not text.strip():
        return LabelSelector()
    toks = _tokens(text)
    reqs: list[Requirement] = []
    i = 0

    def expect_value(j: int) -> tuple[str, int]:
        # An empty value is allowed (``k=`` selects label k with value "").
        if j < len(toks) and toks[j] not in ("==", "!=", "=", "!", "(", ")", ",", ">", "<"):
            return toks[j], j + 1
        return "", j

    while i < len(toks):
        tok = toks[i]
        if tok == "!":
            if i + 1 >= len(toks):
                raise bad_request("unable to parse requirement: expected identifier after '!'")
            key = toks[i + 1]
            _check_key(key)
            reqs.append(Requirement(key, Operator.DOES_NOT_EXIST))
            i += 2
        else:
            key = tok
            _check_key(key)
            i += 1
            op = toks[i] if i < len(toks) else ","
            if op == ",":
                reqs.append(Requirement(key, Operator.EXISTS))
            elif op in ("=", "=="):
                value, i = expect_value(i + 1)
                reqs.append(Requirement(key, Operator.EQUALS, (value,)))
            elif op == "!=":
                value, i = expect_value(i + 1)
                reqs.append(Requirement(key, Operator.NOT_EQUALS, (value,)))
            elif op in (">", "<"):
                value, i = expect_value(i + 1)
                if not value.lstrip("-").isdigit():
                    raise bad_request(
                        f"unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer: {value!r}"
                    )
                kind = Operator.GREATER_THAN if op == ">" else Operator.LESS_THAN
                reqs.append(Requirement(key, kind, (value,)))
            elif op in ("in", "notin"):
                i += 1
                if i >= len(toks) or toks[i] != "(":
                    raise bad_request(
                        f"unable to parse requirement: found '{toks[i] if i < len(toks) else ''}', expected: '('"
                    )
                i += 1
                values: list[str] = []
                while i < len(toks) and toks[i] != ")":
                    if toks[i] == ",":
                        i += 1
                        continue
                    values.append(toks[i])
                    i += 1
                if i >= len(toks):
                    raise bad_request("unable to parse requirement: found '', expected: ')'")
                i += 1
                reqs.append(
                    Requirement(key, Operator.IN if op == "in" else Operator.NOT_IN, tuple(values))
                )
            else:
                raise bad_request(
                    f"unable to parse requirement: found '{op}', expected: '=', '!=', '==', 'in', notin'"
                )
        if i < len(toks):
            if toks[i] != ",":
                raise bad_request(f"unable to parse requirement: found '{toks[i]}', expected: ','")
            i += 1
    return LabelSelector(tuple(reqs))


def _check_key(key: str) -> None:
    if not _KEY.match(key) or key in ("in", "notin"):
        raise bad_request(f"unable to parse requirement: invalid label key {key!r}")


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    """``field = value`` (or ``!=``) on a dotted field path."""

    field: str
    value: str
    negate: bool = False


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """All terms must hold; the empty selector matches everything."""

    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether ``obj``'s fields satisfy every term (a missing field reads as "")."""
        for req in self.requirements:
            got = _field_value(obj, req.field)
            if (got == req.value) == req.negate:
                return False
        return True

    @property
    def empty(self) -> bool:
        """True when the selector selects everything."""
        return not self.requirements


_COMMON_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
_EXTRA_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("", "pods"): frozenset(
        {
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        }
    ),
    ("", "events"): frozenset(
        {
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        }
    ),
    ("", "secrets"): frozenset({"type"}),
    ("", "namespaces"): frozenset({"status.phase"}),
    ("", "nodes"): frozenset({"spec.unschedulable"}),
    ("", "replicationcontrollers"): frozenset({"status.replicas"}),
    ("apps", "replicasets"): frozenset({"status.replicas"}),
    ("batch", "jobs"): frozenset({"status.successful"}),
}


def supported_fields(group: str, resource: str) -> frozenset[str]:
    """The field paths a field selector may use on this resource."""
    return _COMMON_FIELDS | _EXTRA_FIELDS.get((group, resource), frozenset())


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            buf.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_field_selector(text: str | None, *, group: str = "", resource: str = "") -> FieldSelector:
    """Parse the ``fieldSelector`` query value for one resource.

    Raises a 400 StatusException for malformed text, and for a field the resource does not
    support (``field label not supported: status.phase``, as kube-apiserver answers).
    """
    if not text or not text.strip():
        return FieldSelector()
    allowed = supported_fields(group, resource) if resource else None
    reqs: list[FieldRequirement] = []
    for term in _split_unescaped(text, ","):
        term = term.strip()
        if not term:
            continue
        op = next((o for o in ("!=", "==", "=") if o in term), None)
        if op is None:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        field, _, value = term.partition(op)
        field = field.strip()
        negate = op == "!="
        if allowed is not None and field not in allowed:
            raise bad_request(f"field label not supported: {field}")
        reqs.append(FieldRequirement(field, value.strip(), negate))
    return FieldSelector(tuple(reqs))
