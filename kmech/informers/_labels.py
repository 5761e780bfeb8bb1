"""Label selectors in the API server's string syntax, matched against an object's labels.

Grammar (apimachinery ``pkg/labels/selector.go`` Parse): requirements separated by commas, each one of
``key``, ``!key``, ``key=value``, ``key==value``, ``key!=value``, ``key in (v1,v2)``,
``key notin (v1,v2)``, ``key>N``, ``key<N``. All requirements must hold. ``!=`` and ``notin`` match
objects without the label. The empty selector matches everything; :data:`NOTHING` matches nothing.

Upstream: apimachinery ``pkg/labels/selector.go`` (Parse, Requirement.Matches).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kmech.errors import UsageError

__all__ = ["LabelSelector", "EVERYTHING", "NOTHING", "parse_label_selector"]

_SET_RE = re.compile(r"^\s*([^\s!=<>(),]+)\s+(in|notin)\s*\(([^()]*)\)\s*$")
_CMP_RE = re.compile(r"^\s*([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)\s*$")
_EXISTS_RE = re.compile(r"^\s*(!?)\s*([^\s!=<>(),]+)\s*$")


@dataclass(frozen=True, slots=True)
class _Requirement:
    key: str
    op: str  # exists, !exists, =, !=, in, notin, gt, lt
    values: frozenset[str]

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.op
        has = self.key in labels
        if op == "exists":
            return has
        if op == "!exists":
            return not has
        if op in ("=", "in"):
            return has and labels[self.key] in self.values
        if op in ("!=", "notin"):
            return not has or labels[self.key] not in self.values
        if not has:
            return False
        try:
            actual = int(labels[self.key])
        except ValueError:
            return False
        bound = int(next(iter(self.values)))
        return actual > bound if op == "gt" else actual < bound


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A parsed label selector; ``matches`` tests an object's ``metadata.labels``."""

    requirements: tuple[_Requirement, ...] = ()
    nothing: bool = False
    text: str = ""

    def empty(self) -> bool:
        return not self.requirements and not self.nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        lab = labels or {}
        return all(r.matches(lab) for r in self.requirements)

    def __str__(self) -> str:
        return self.text


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(nothing=True, text="<nothing>")


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def parse_label_selector(text: str) -> LabelSelector:
    """Parse ``text``; raises :class:`~kmech.errors.UsageError` naming the bad requirement."""
    if not text.strip():
        return EVERYTHING
    reqs: list[_Requirement] = []
    for part in _split_top_level(text):
        if m := _SET_RE.match(part):
            values = frozenset(v.strip() for v in m.group(3).split(",") if v.strip())
            reqs.append(_Requirement(m.group(1), m.group(2), values))
        elif m := _CMP_RE.match(part):
            key, op, value = m.groups()
            if op in (">", "<"):
                if not value.lstrip("-").isdigit():
                    raise UsageError(
                        f"invalid label selector {text!r}: {part.strip()!r} needs an integer value"
                    )
                reqs.append(_Requirement(key, "gt" if op == ">" else "lt", frozenset([value])))
            else:
                reqs.append(_Requirement(key, "!=" if op == "!=" else "=", frozenset([value])))
        elif m := _EXISTS_RE.match(part):
            reqs.append(
                _Requirement(m.group(2), "!exists" if m.group(1) else "exists", frozenset())
            )
        else:
            raise UsageError(
                f"invalid label selector {text!r}: cannot parse {part.strip()!r}; "
                "use key=value, key!=value, key in (a,b), key notin (a,b), key or !key"
            )
    return LabelSelector(tuple(reqs), text=text)
