"""Label selectors: the API server's string syntax, parsed once, matched against labels.

Grammar (apimachinery ``pkg/labels/selector.go`` Parse): requirements separated by commas, each one
of ``key``, ``!key``, ``key=value``, ``key==value``, ``key!=value``, ``key in (v1,v2)``,
``key notin (v1,v2)``, ``key>N``, ``key<N``. All requirements must hold. ``!=`` and ``notin``
match objects without the label. The empty selector matches everything; :data:`NOTHING` matches
nothing.

One parser serves both sides of the wire: the informers' listers (client side, where a bad
selector is a usage error) and the sandbox (server side, where it is a 400 whose message is the
API server's, :attr:`LabelSelectorError.detail`). This module imports only the standard library
and :mod:`kmech.errors`.

Upstream: apimachinery ``pkg/labels/selector.go`` (Parse, Requirement.Matches).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

from kmech._record import record
from kmech.errors import UsageError

__all__ = [
    "EVERYTHING",
    "NOTHING",
    "LabelSelector",
    "LabelSelectorError",
    "Operator",
    "Requirement",
    "parse_label_selector",
]


class LabelSelectorError(UsageError):
    """A label selector that does not parse. ``str()`` names the selector; :attr:`detail` is the
    API server's own wording (``unable to parse requirement: ...``)."""

    def __init__(self, text: str, detail: str) -> None:
        super().__init__(f"invalid label selector {text!r}: {detail}")
        self.detail = detail


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


@record(frozen=True, slots=True)
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


@record(frozen=True, slots=True)
class LabelSelector:
    """A parsed label selector: all requirements must hold; ``str()`` is the text it came from."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False
    text: str = ""

    def empty(self) -> bool:
        """True when the selector selects everything (client-go ``Selector.Empty``)."""
        return not self.requirements and not self.nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object's ``metadata.labels`` satisfy every requirement."""
        if self.nothing:
            return False
        if not self.requirements:
            return True
        got = labels or {}
        return all(r.matches(got) for r in self.requirements)

    def __str__(self) -> str:
        return self.text


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(nothing=True, text="<nothing>")

_TOKEN = re.compile(r"\s*(?:(?P<op>==|!=|=|!|\(|\)|,|>|<)|(?P<word>[A-Za-z0-9_.\-/]+))")
_KEY = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_OPERATORS = ("==", "!=", "=", "!", "(", ")", ",", ">", "<")


class _Parser:
    """Walks the token list of one selector; every error names the selector."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = self._tokens(text)
        self.i = 0

    def fail(self, detail: str) -> LabelSelectorError:
        return LabelSelectorError(self.text, f"unable to parse requirement: {detail}")

    def _tokens(self, text: str) -> list[str]:
        out: list[str] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                found = text[pos:].strip()[:1]
                raise self.fail(f"found '{found}', expected: identifier")
            out.append(m.group("op") or m.group("word") or "")
            pos = m.end()
        return out

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def key(self) -> str:
        key = self.peek()
        if key is None or not _KEY.match(key) or key in ("in", "notin"):
            raise self.fail(f"invalid label key {key or ''!r}")
        self.i += 1
        return key

    def value(self) -> str:
        # An empty value is allowed (``k=`` selects label k with value "").
        tok = self.peek()
        if tok is None or tok in _OPERATORS:
            return ""
        self.i += 1
        return tok

    def value_set(self) -> tuple[str, ...]:
        if self.peek() != "(":
            raise self.fail(f"found '{self.peek() or ''}', expected: '('")
        self.i += 1
        values: list[str] = []
        while (tok := self.peek()) is not None and tok != ")":
            if tok != ",":
                values.append(tok)
            self.i += 1
        if tok is None:
            raise self.fail("found '', expected: ')'")
        self.i += 1
        return tuple(values)

    def requirement(self) -> Requirement:
        if self.peek() == "!":
            self.i += 1
            if self.peek() is None:
                raise self.fail("expected identifier after '!'")
            return Requirement(self.key(), Operator.DOES_NOT_EXIST)
        key = self.key()
        op = self.peek() or ","
        if op == ",":
            return Requirement(key, Operator.EXISTS)
        self.i += 1
        if op in ("=", "=="):
            return Requirement(key, Operator.EQUALS, (self.value(),))
        if op == "!=":
            return Requirement(key, Operator.NOT_EQUALS, (self.value(),))
        if op in (">", "<"):
            value = self.value()
            if not value.lstrip("-").isdigit():
                raise self.fail(
                    f"for 'gt', 'lt' operators, the value must be an integer: {value!r}"
                )
            kind = Operator.GREATER_THAN if op == ">" else Operator.LESS_THAN
            return Requirement(key, kind, (value,))
        if op in ("in", "notin"):
            return Requirement(key, Operator(op), self.value_set())
        raise self.fail(f"found '{op}', expected: '=', '!=', '==', 'in', notin'")

    def selector(self) -> LabelSelector:
        reqs: list[Requirement] = []
        while self.peek() is not None:
            reqs.append(self.requirement())
            tok = self.peek()
            if tok is not None:
                if tok != ",":
                    raise self.fail(f"found '{tok}', expected: ','")
                self.i += 1
        return LabelSelector(tuple(reqs), text=self.text)


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse ``text``; ``None`` or blank gives :data:`EVERYTHING`.

    Raises:
        LabelSelectorError: the text does not parse; the message names the bad requirement.
    """
    if not text or not text.strip():
        return EVERYTHING
    return _Parser(text).selector()
