"""The ``--limiter`` language: a small expression that names and combines rate limiters.

Grammar (durations in Go syntax, e.g. ``5ms``, ``1m30s``)::

    expr     := NAME | NAME "(" [arg ("," arg)*] ")"
    arg      := expr | DURATION | NUMBER | KEY "=" VALUE

    default                      client-go's default controller limiter
    item-based                   client-go's default item-based limiter
    exp(BASE, MAX)               ItemExponentialFailureRateLimiter
    fastslow(FAST, SLOW, N)      ItemFastSlowRateLimiter
    bucket(QPS, BURST)           BucketRateLimiter over rate.NewLimiter(QPS, BURST); QPS may be inf
    max(EXPR, EXPR, ...)         MaxOfRateLimiter, children called in order
    maxwait(EXPR, MAX)           WithMaxWaitRateLimiter
    seq(D1, D2, ..., [stop])     kmech's SequenceRateLimiter (repeat the last delay, or give up)
    backoff(duration=D, factor=F, jitter=J, steps=N, cap=D, reset=D)
                                 wait.Backoff (keys optional, default 0); top level only
    PRESET                       a name from :mod:`kmech.workqueue.presets` (reflector, kopf, ...)

:func:`parse_limiter` checks the whole expression and raises one
:class:`~kmech.errors.UsageError` that names the column and the token at fault; the result builds
fresh limiters on any clock.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kmech.clock import Duration, PassiveClock
from kmech.duration import parse_duration
from kmech.errors import UsageError
from kmech.workqueue.backoff import Backoff, BackoffManager
from kmech.workqueue.presets import PRESETS
from kmech.workqueue.rate_limiters import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    SequenceRateLimiter,
    WithMaxWaitRateLimiter,
    default_controller_rate_limiter,
    default_item_based_rate_limiter,
)
from kmech.workqueue.token_bucket import TokenBucket

__all__ = ["LimiterExpression", "parse_limiter", "FUNCTIONS"]

FUNCTIONS = ("exp", "fastslow", "bucket", "max", "maxwait", "seq", "backoff")

_TOKEN = re.compile(r"\s*(?:(?P<word>[A-Za-z0-9_.+\-µμ]+)|(?P<punct>[(),=])|(?P<bad>\S))")

Built = RateLimiter | Backoff | BackoffManager
_Factory = Callable[[PassiveClock, random.Random], Any]


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    pos: int  # 0-based offset in the expression
    kind: str  # "word", "punct" or "end"


@dataclass(slots=True)
class _Node:
    name: _Tok
    args: list[_Arg] | None  # None: no parentheses


@dataclass(slots=True)
class _Arg:
    key: _Tok | None
    value: _Node


@dataclass(frozen=True, slots=True)
class LimiterExpression:
    """A checked ``--limiter`` expression. :meth:`build` makes fresh state each time.

    ``is_backoff`` is True for ``backoff(...)`` (a ``wait.Backoff``, stepped rather than asked
    ``when``); otherwise :meth:`build` returns a :class:`RateLimiter`.
    """

    text: str
    is_backoff: bool
    _factory: _Factory

    def build(self, clock: PassiveClock, *, seed: int | None = None) -> Built:
        """New limiter (or backoff) state whose buckets read ``clock`` and whose jitter draws
        from ``random.Random(seed)``."""
        built: Built = self._factory(clock, random.Random(seed))
        return built

    def build_limiter(self, clock: PassiveClock) -> RateLimiter:
        """Like :meth:`build`, for callers that need a rate limiter (raises UsageError for
        ``backoff(...)``)."""
        if self.is_backoff:
            raise UsageError(
                f'"{self.text}" is a wait.Backoff, not a rate limiter: a workqueue needs one of '
                "default, item-based, exp, fastslow, bucket, max, maxwait, seq"
            )
        limiter: RateLimiter = self._factory(clock, random.Random())
        return limiter


class _Error(Exception):
    def __init__(self, tok: _Tok, problem: str) -> None:
        super().__init__(problem)
        self.tok = tok
        self.problem = problem


def parse_limiter(text: str) -> LimiterExpression:
    """Check ``text`` against the grammar above and return a buildable expression.

    Raises :class:`~kmech.errors.UsageError` with one line that quotes the expression, the
    1-based column and the bad token, and says what was expected there.
    """
    try:
        toks = _tokenize(text)
        parser = _Parser(toks)
        node = parser.expr()
        parser.expect_end()
        factory, is_backoff = _compile(node, top=True)
    except _Error as err:
        where = "end of expression" if err.tok.kind == "end" else f'"{err.tok.text}"'
        raise UsageError(
            f'bad --limiter "{text}" at column {err.tok.pos + 1} ({where}): {err.problem}'
        ) from None
    return LimiterExpression(text, is_backoff, factory)


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        if m.group("bad") is not None:
            raise _Error(_Tok(m.group("bad"), m.start("bad"), "word"), "unexpected character")
        kind = "word" if m.group("word") is not None else "punct"
        toks.append(_Tok(m.group(kind), m.start(kind), kind))
        pos = m.end()
    toks.append(_Tok("", len(text), "end"))
    return toks


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def expr(self) -> _Node:
        tok = self.take()
        if tok.kind != "word":
            raise _Error(tok, "expected a limiter name, duration or number")
        if self.peek().text != "(":
            return _Node(tok, None)
        self.take()
        args: list[_Arg] = []
        if self.peek().text == ")":
            self.take()
            return _Node(tok, args)
        while True:
            args.append(self.arg())
            sep = self.take()
            if sep.text == ")":
                return _Node(tok, args)
            if sep.text != ",":
                raise _Error(sep, 'expected "," or ")"')

    def arg(self) -> _Arg:
        first = self.peek()
        if first.kind == "word" and self.toks[self.i + 1].text == "=":
            self.take()
            self.take()
            return _Arg(first, self.expr())
        return _Arg(None, self.expr())

    def expect_end(self) -> None:
        tok = self.peek()
        if tok.kind != "end":
            raise _Error(tok, "unexpected text after the expression")


def _duration(node: _Node, what: str) -> Duration:
    if node.args is not None:
        raise _Error(node.name, f"expected {what} (a Go duration such as 5ms), not a call")
    try:
        return parse_duration(node.name.text)
    except UsageError as exc:
        raise _Error(node.name, f"{what}: {exc.message}") from None


def _int(node: _Node, what: str) -> int:
    if node.args is None and re.fullmatch(r"[0-9]+", node.name.text):
        return int(node.name.text)
    raise _Error(node.name, f"expected {what} (a whole number)")


def _float(node: _Node, what: str, *, allow_inf: bool = False) -> float:
    text = node.name.text
    if node.args is None:
        if allow_inf and text == "inf":
            return math.inf
        if re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", text):
            return float(text)
    raise _Error(node.name, f"expected {what} (a number{' or inf' if allow_inf else ''})")


def _positional(node: _Node, names: tuple[str, ...]) -> list[_Node]:
    assert node.args is not None
    for a in node.args:
        if a.key is not None:
            raise _Error(
                a.key, f"{node.name.text}() takes positional arguments ({', '.join(names)})"
            )
    if len(node.args) != len(names):
        raise _Error(
            node.name,
            f"{node.name.text}() takes {len(names)} arguments ({', '.join(names)}), got {len(node.args)}",
        )
    return [a.value for a in node.args]


def _compile(node: _Node, *, top: bool) -> tuple[_Factory, bool]:
    name = node.name.text
    if node.args is None:
        if name == "default":
            return (lambda clock, rng: default_controller_rate_limiter(clock=clock)), False
        if name == "item-based":
            return (lambda clock, rng: default_item_based_rate_limiter()), False
        preset = PRESETS.get(name)
        if preset is not None:
            inner = parse_limiter(preset.expression)
            if inner.is_backoff and not top:
                raise _Error(node.name, f"preset {name} is a wait.Backoff and cannot be combined")
            return inner._factory, inner.is_backoff  # noqa: SLF001
        if name in FUNCTIONS:
            raise _Error(node.name, f"{name} needs arguments: {name}(...)")
        raise _Error(node.name, _unknown(name))
    if name == "exp":
        base, mx = _positional(node, ("base", "max"))
        b, m = _duration(base, "base delay"), _duration(mx, "max delay")
        return (lambda clock, rng: ItemExponentialFailureRateLimiter(b, m)), False
    if name == "fastslow":
        fast, slow, n = _positional(node, ("fast", "slow", "max fast attempts"))
        f, s, k = (
            _duration(fast, "fast delay"),
            _duration(slow, "slow delay"),
            _int(n, "max fast attempts"),
        )
        return (lambda clock, rng: ItemFastSlowRateLimiter(f, s, k)), False
    if name == "bucket":
        qps, burst = _positional(node, ("qps", "burst"))
        q, bu = _float(qps, "qps", allow_inf=True), _int(burst, "burst")
        return (lambda clock, rng: BucketRateLimiter(TokenBucket(q, bu), clock=clock)), False
    if name == "max":
        if not node.args:
            raise _Error(node.name, "max() needs at least one limiter")
        children = []
        for a in node.args:
            if a.key is not None:
                raise _Error(a.key, "max() takes limiters, not key=value")
            children.append(_limiter(a.value))
        return (lambda clock, rng: MaxOfRateLimiter(*(c(clock, rng) for c in children))), False
    if name == "maxwait":
        inner_node, mx = _positional(node, ("limiter", "max wait"))
        wrapped = _limiter(inner_node)
        m = _duration(mx, "max wait")
        return (lambda clock, rng: WithMaxWaitRateLimiter(wrapped(clock, rng), m)), False
    if name == "seq":
        if not node.args:
            raise _Error(node.name, "seq() needs at least one delay")
        then = "repeat"
        values = list(node.args)
        last = values[-1]
        if (
            last.key is None
            and last.value.args is None
            and last.value.name.text in ("stop", "repeat")
        ):
            then = last.value.name.text
            values = values[:-1]
            if not values:
                raise _Error(last.value.name, "seq() needs at least one delay before stop")
        delays = []
        for a in values:
            if a.key is not None:
                raise _Error(a.key, "seq() takes delays, not key=value")
            delays.append(_duration(a.value, "delay"))
        return (lambda clock, rng: SequenceRateLimiter(delays, then=then)), False
    if name == "backoff":
        if not top:
            raise _Error(
                node.name,
                "backoff(...) is a wait.Backoff and cannot be combined with rate limiters",
            )
        return _backoff(node), True
    raise _Error(node.name, _unknown(name))


def _limiter(node: _Node) -> _Factory:
    factory, is_backoff = _compile(node, top=False)
    return factory


def _backoff(node: _Node) -> _Factory:
    assert node.args is not None
    values: dict[str, Any] = {}
    for a in node.args:
        if a.key is None:
            raise _Error(
                a.value.name,
                "backoff() takes key=value arguments (duration, factor, jitter, steps, cap, reset)",
            )
        key = a.key.text
        if key in values:
            raise _Error(a.key, f"{key} given twice")
        if key in ("duration", "cap", "reset"):
            values[key] = _duration(a.value, key)
        elif key in ("factor", "jitter"):
            values[key] = _float(a.value, key)
        elif key == "steps":
            values[key] = _int(a.value, key)
        else:
            raise _Error(
                a.key,
                f"unknown backoff key {key}: use duration, factor, jitter, steps, cap or reset",
            )
    reset = values.pop("reset", None)

    def build(clock: PassiveClock, rng: random.Random) -> Backoff | BackoffManager:
        b = Backoff(
            duration=values.get("duration", Duration(0)),
            factor=values.get("factor", 0.0),
            jitter=values.get("jitter", 0.0),
            steps=values.get("steps", 0),
            cap=values.get("cap", Duration(0)),
            rng=rng,
        )
        if reset is None:
            return b
        return b.delay_with_reset(clock, reset)

    return build


def _unknown(name: str) -> str:
    presets = [p for p in PRESETS if p not in ("default", "item-based")]
    known = ", ".join(["default", "item-based", *FUNCTIONS, *presets])
    return f"unknown limiter {name}: use one of {known}"
