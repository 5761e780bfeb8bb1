"""Retry schedules: a rate limiter (or a ``wait.Backoff``) driven by a call pattern on virtual
time, every call recorded with integer nanoseconds.

The patterns are those of the reference fixtures (``shared/fixtures/backoff/README.md``):

- ``sequential``: one item; the first failure at t=0, each next one the instant the previous
  delay ends.
- ``instant``: every failure at t=0, round by round over the items in index order.
- ``rounds``: every item fails at t=0, then again each time its delay ends, until it has failed
  the requested number of times; calls due at one instant run in item-index order, and a delay
  of ``InfDuration`` ends that item's retries.
- a script: explicit ``{t, item, op}`` calls in file order.

The limiter must read its time (for token buckets) from the same :class:`VirtualClock` the
driver moves; :func:`kmech.workqueue.expression.parse_limiter` builds it that way.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kmech.clock import Duration
from kmech.duration import format_duration, parse_duration
from kmech.errors import UsageError
from kmech.workqueue._go import MAX_DURATION
from kmech.workqueue.backoff import Backoff, BackoffManager
from kmech.workqueue.rate_limiters import (
    BucketRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    WithMaxWaitRateLimiter,
    describe_limiter,
    nominal_cap_of,
)
from kmech.workqueue.virtual_clock import VirtualClock

__all__ = [
    "CallOp",
    "Pattern",
    "Call",
    "ScriptCall",
    "Schedule",
    "run_sequential",
    "run_instant",
    "run_rounds",
    "run_script",
    "run_steps",
    "load_script",
    "item_name",
]


class CallOp(StrEnum):
    WHEN = "when"
    FORGET = "forget"
    NUM_REQUEUES = "num_requeues"
    STEP = "step"


class Pattern(StrEnum):
    SEQUENTIAL = "sequential"
    INSTANT = "instant"
    ROUNDS = "rounds"
    SCRIPT = "script"
    STEPS = "steps"


@dataclass(frozen=True, slots=True)
class Call:
    """One recorded call. ``delay_ns`` is set on ``when`` and ``step`` calls, else None;
    ``num_requeues_after`` is the limiter's count for the item after the call (the result, for a
    ``num_requeues`` call). ``decided_by`` names the child limiter whose delay won (max-of and
    max-wait only); ``tokens_after`` is the first token bucket's balance after the call."""

    seq: int
    t_ns: int
    item: str | None
    op: CallOp
    delay_ns: int | None
    num_requeues_after: int | None
    decided_by: str | None = None
    tokens_after: float | None = None
    duration_after_ns: int | None = None
    steps_after: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "t_ns": self.t_ns,
            "item": self.item,
            "op": str(self.op),
            "delay_ns": self.delay_ns,
            "num_requeues_after": self.num_requeues_after,
            "decided_by": self.decided_by,
        }
        if self.tokens_after is not None:
            out["tokens_after"] = self.tokens_after
        if self.op is CallOp.STEP:
            out["duration_after_ns"] = self.duration_after_ns
            out["steps_after"] = self.steps_after
        return out


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """One line of a ``--script`` file: at ``t_ns``, call ``op`` for ``item``."""

    t_ns: int
    item: str
    op: CallOp


@dataclass(frozen=True, slots=True)
class Schedule:
    """A finished run: the limiter's configuration, every call, and the nominal cap."""

    limiter: dict[str, Any]
    label: str
    pattern: Pattern
    calls: tuple[Call, ...]
    cap_ns: int | None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def delays(self) -> list[int]:
        """The delays of ``when``/``step`` calls, in order."""
        return [c.delay_ns for c in self.calls if c.delay_ns is not None]

    def summary(self) -> dict[str, Any]:
        """Totals: call count, sum and max of delays, when the cap is first reached, and when the
        last retry runs. ``cap_reached_at_failure`` counts delaying calls from 1."""
        delays = self.delays
        finite = [d for d in delays if d != MAX_DURATION]
        max_delay = max(delays) if delays else 0
        first_max = delays.index(max_delay) + 1 if delays else None
        cap_at = None
        if self.cap_ns is not None and self.pattern is Pattern.STEPS:
            # Jitter makes the returned values noisy: the cap is reached by the interval itself,
            # the call after the one that set it.
            cap_at = next(
                (i + 2 for i, c in enumerate(self.calls) if c.duration_after_ns == self.cap_ns),
                None,
            )
            if cap_at is not None and cap_at > len(delays):
                cap_at = None
        elif self.cap_ns is not None:
            cap_at = next((i + 1 for i, d in enumerate(delays) if d >= self.cap_ns), None)
        retry_times = [
            c.t_ns + c.delay_ns
            for c in self.calls
            if c.delay_ns is not None and c.delay_ns != MAX_DURATION
        ]
        key = "step_calls" if self.pattern is Pattern.STEPS else "when_calls"
        return {
            key: len(delays),
            "sum_delays_ns": sum(finite),
            "max_delay_ns": max_delay,
            "first_call_returning_max_delay_1based": first_max,
            "cap_ns": self.cap_ns,
            "cap_reached_at_failure": cap_at,
            "last_retry_at_ns": max(retry_times) if retry_times else 0,
            "gave_up": sum(1 for d in delays if d == MAX_DURATION),
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``-o json`` document: limiter, calls, summary; durations in integer ns."""
        return {
            "limiter": self.limiter,
            "expression": self.label,
            "pattern": str(self.pattern),
            "params": self.params,
            "calls": [c.to_dict() for c in self.calls],
            "summary": self.summary(),
        }


def item_name(index: int) -> str:
    """The fixtures' item naming: ``item-000``, ``item-001``, …"""
    return f"item-{index:03d}"


def _walk(limiter: RateLimiter) -> Iterator[RateLimiter]:
    yield limiter
    if isinstance(limiter, MaxOfRateLimiter):
        for child in limiter.limiters:
            yield from _walk(child)
    elif isinstance(limiter, WithMaxWaitRateLimiter):
        yield from _walk(limiter.limiter)


def _first_bucket(limiter: RateLimiter) -> BucketRateLimiter | None:
    return next((lim for lim in _walk(limiter) if isinstance(lim, BucketRateLimiter)), None)


def decided_by(limiter: RateLimiter) -> str | None:
    """Which part of a composite limiter produced its most recent delay (None for a leaf)."""
    if isinstance(limiter, MaxOfRateLimiter):
        child = limiter.last_decided_by
        if child is None:
            return None
        return decided_by(child) or str(child)
    if isinstance(limiter, WithMaxWaitRateLimiter):
        if limiter.last_clamped:
            return str(limiter)
        return decided_by(limiter.limiter) or None
    return None


class _Recorder:
    """Runs calls against a limiter at given virtual times and records them."""

    def __init__(self, limiter: RateLimiter, clock: VirtualClock) -> None:
        self.limiter = limiter
        self.clock = clock
        self.bucket = _first_bucket(limiter)
        self.composite = isinstance(limiter, MaxOfRateLimiter | WithMaxWaitRateLimiter)
        self.calls: list[Call] = []

    def call(self, t: int, item: str, op: CallOp) -> int | None:
        self.clock.set(t)
        limiter = self.limiter
        delay: int | None = None
        if op is CallOp.WHEN:
            delay = limiter.when(item)
        elif op is CallOp.FORGET:
            limiter.forget(item)
        n = limiter.num_requeues(item)
        self.calls.append(
            Call(
                seq=len(self.calls),
                t_ns=t,
                item=item,
                op=op,
                delay_ns=delay,
                num_requeues_after=n,
                decided_by=decided_by(limiter) if self.composite and delay is not None else None,
                tokens_after=self.bucket.bucket.tokens if self.bucket is not None else None,
            )
        )
        return delay

    def schedule(self, pattern: Pattern, params: dict[str, Any]) -> Schedule:
        return Schedule(
            limiter=describe_limiter(self.limiter),
            label=str(self.limiter),
            pattern=pattern,
            calls=tuple(self.calls),
            cap_ns=nominal_cap_of(self.limiter),
            params=params,
        )


def run_sequential(
    limiter: RateLimiter, clock: VirtualClock, *, failures: int, item: str = "item-000"
) -> Schedule:
    """One item failing ``failures`` times, each retry the instant the previous delay ends
    (stops early if a delay is ``InfDuration``: that retry never comes)."""
    rec = _Recorder(limiter, clock)
    t = clock.now()
    for _ in range(failures):
        delay = rec.call(t, item, CallOp.WHEN)
        assert delay is not None
        if delay == MAX_DURATION:
            break
        t += max(delay, 0)
    return rec.schedule(Pattern.SEQUENTIAL, {"failures": failures, "item": item})


def run_instant(
    limiter: RateLimiter, clock: VirtualClock, *, items: int, failures: int = 1
) -> Schedule:
    """All ``items × failures`` calls at t=0, round by round in item-index order."""
    rec = _Recorder(limiter, clock)
    t = clock.now()
    names = [item_name(i) for i in range(items)]
    for _ in range(failures):
        for name in names:
            rec.call(t, name, CallOp.WHEN)
    return rec.schedule(Pattern.INSTANT, {"items": items, "failures": failures, "t_ns": t})


def run_rounds(limiter: RateLimiter, clock: VirtualClock, *, items: int, failures: int) -> Schedule:
    """Every item fails at t=0 and again each time its delay ends, ``failures`` times in all;
    calls in ascending (time, item index) order."""
    rec = _Recorder(limiter, clock)
    start = clock.now()
    names = [item_name(i) for i in range(items)]
    done = [0] * items
    heap: list[tuple[int, int]] = [(start, i) for i in range(items)] if failures > 0 else []
    while heap:
        t, i = heapq.heappop(heap)
        delay = rec.call(t, names[i], CallOp.WHEN)
        assert delay is not None
        done[i] += 1
        if done[i] < failures and delay != MAX_DURATION:
            heapq.heappush(heap, (t + max(delay, 0), i))
    return rec.schedule(Pattern.ROUNDS, {"items": items, "failures_per_item": failures})


def run_script(limiter: RateLimiter, clock: VirtualClock, script: Sequence[ScriptCall]) -> Schedule:
    """Replay explicit calls in the given order (times need not be sorted; the token bucket
    treats a time before its last update as no elapsed time, as upstream)."""
    rec = _Recorder(limiter, clock)
    for sc in script:
        rec.call(sc.t_ns, sc.item, sc.op)
    return rec.schedule(Pattern.SCRIPT, {"calls": len(script)})


def run_steps(backoff: Backoff | BackoffManager, clock: VirtualClock, *, calls: int) -> Schedule:
    """``Step()`` called ``calls`` times (also after the steps have run out).

    A plain :class:`Backoff` ignores time, so every call is recorded at t=0 (as the fixture
    does). A :class:`BackoffManager` resets on a time window, so each next call happens the
    instant the previous delay ends.
    """
    records: list[Call] = []
    initial = backoff if isinstance(backoff, Backoff) else backoff.initial
    describe = initial.describe()
    label = str(initial)
    timed = isinstance(backoff, BackoffManager)
    if isinstance(backoff, BackoffManager):
        describe["reset_interval_ns"] = backoff.reset_interval
        label = label[:-1] + f",reset={format_duration(backoff.reset_interval)})"
    t = clock.now()
    for seq in range(calls):
        clock.set(t)
        delay = backoff.step()
        state = backoff if isinstance(backoff, Backoff) else backoff.backoff
        records.append(
            Call(
                seq=seq,
                t_ns=t if timed else 0,
                item=None,
                op=CallOp.STEP,
                delay_ns=delay,
                num_requeues_after=None,
                duration_after_ns=state.duration,
                steps_after=state.steps,
            )
        )
        if timed:
            t += max(delay, 0)
    cap = initial.cap if initial.cap > 0 else None
    return Schedule(
        limiter=describe,
        label=label,
        pattern=Pattern.STEPS,
        calls=tuple(records),
        cap_ns=cap,
        params={"calls": calls},
    )


def load_script(text: str, *, source: str = "script") -> list[ScriptCall]:
    """Parse a ``--script`` file: a JSON array of ``{"t": "<Go duration>", "item": "<string>",
    "op": "when" | "forget" | "num_requeues"}``.

    Times are Go durations, never float seconds (2000000100 ns read as seconds comes back as
    2000000099 ns and changes a bucket's answer). Raises :class:`~kmech.errors.UsageError` naming
    the entry at fault.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: not valid JSON ({exc.msg} at line {exc.lineno}): expected an array of {{t, item, op}}"
        ) from exc
    if not isinstance(data, list):
        raise UsageError(f"{source}: expected a JSON array of {{t, item, op}} objects")
    out: list[ScriptCall] = []
    ops = {op.value for op in (CallOp.WHEN, CallOp.FORGET, CallOp.NUM_REQUEUES)}
    for i, entry in enumerate(data):
        where = f"{source}: entry {i}"
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: expected an object with t, item and op")
        t = entry.get("t", "0s")
        if not isinstance(t, str):
            raise UsageError(
                f'{where}: "t" must be a Go duration string such as "5ms", not {json.dumps(t)}'
            )
        item = entry.get("item")
        if not isinstance(item, str):
            raise UsageError(f'{where}: "item" must be a string')
        op = entry.get("op", "when")
        if op not in ops:
            raise UsageError(
                f"{where}: unknown op {json.dumps(op)}: use when, forget or num_requeues"
            )
        try:
            t_ns = parse_duration(t)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc.message}") from exc
        out.append(ScriptCall(Duration(t_ns), item, CallOp(op)))
    return out
