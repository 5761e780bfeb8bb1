"""Label and field selectors: parse the query-string syntax and match objects.

Label selectors are :mod:`kmech.labels`' (the parser the informers' listers use too); a
malformed one is a 400 with the API server's message. Field selectors accept
``f=v``, ``f==v`` and ``f!=v`` on the fields the resource supports; anything else is a 400, as
kube-apiserver answers it.

Upstream: apimachinery ``pkg/labels/selector.go`` (Parse, Requirement.Matches),
``pkg/fields/selector.go`` (ParseSelector); kubernetes ``pkg/registry/core/pod/strategy.go``
(the pod field set).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kmech.labels import LabelSelector, LabelSelectorError, Operator, Requirement
from kmech.labels import parse_label_selector as _parse_labels
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


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse the ``labelSelector`` query value; raises a 400 StatusException when malformed,
    with the API server's message."""
    try:
        return _parse_labels(text)
    except LabelSelectorError as exc:
        raise bad_request(exc.detail) from None


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
