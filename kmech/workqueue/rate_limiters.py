"""client-go's workqueue rate limiters: how long a failed item waits before it is retried.

A :class:`RateLimiter` answers three questions about an item: ``when`` (record one failure and
return the delay before the retry), ``forget`` (stop tracking the item) and ``num_requeues`` (how
many failures are recorded). Richer limiters wrap simpler ones (:class:`MaxOfRateLimiter`,
:class:`WithMaxWaitRateLimiter`) instead of subclassing them.

Every delay is an integer number of nanoseconds computed with the same float64 steps as Go, so
schedules match client-go to the nanosecond (4099999999 ns, not 4.1 s, for the 141st item of a
burst through the default limiter).

Upstream: client-go ``util/workqueue/default_rate_limiters.go``.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from kmech.clock import MILLISECOND, SECOND, Duration, PassiveClock, RealClock
from kmech.workqueue._go import MAX_DURATION, TWO_63, format_delay, go_duration, json_number
from kmech.workqueue.token_bucket import TokenBucket

__all__ = [
    "RateLimiter",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "BucketRateLimiter",
    "MaxOfRateLimiter",
    "WithMaxWaitRateLimiter",
    "SequenceRateLimiter",
    "default_controller_rate_limiter",
    "default_item_based_rate_limiter",
]


@runtime_checkable
class RateLimiter(Protocol):
    """Decides how long a failed item waits before its retry.

    Upstream: client-go ``util/workqueue/default_rate_limiters.go``, TypedRateLimiter.
    """

    def when(self, item: Hashable) -> Duration:
        """Record one failure of ``item`` and return how long to wait before re-adding it."""
        ...

    def forget(self, item: Hashable) -> None:
        """Stop tracking ``item`` (it succeeded or was given up); its next failure starts over."""
        ...

    def num_requeues(self, item: Hashable) -> int:
        """How many failures of ``item`` are recorded since the last :meth:`forget`."""
        ...


class ItemExponentialFailureRateLimiter:
    """Per item: ``base_delay * 2**(failures before this one)``, capped at ``max_delay``.

    The first failure waits ``base_delay``; failure k waits ``min(base·2^(k−1), max)``. No jitter,
    no floor (a base of 0 waits 0). Items that are never forgotten stay tracked forever.

    Upstream: client-go ``util/workqueue/default_rate_limiters.go``,
    ItemExponentialFailureRateLimiter.When.
    """

    def __init__(
        self, base_delay: Duration, max_delay: Duration, *, preset: str | None = None
    ) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._preset = preset
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> Duration:
        with self._lock:
            failures = self._failures
            exp = failures.get(item, 0)
            failures[item] = exp + 1
        # math.Pow(2, exp) is exact for integer exponents and +Inf from 1024 on.
        power = 2.0**exp if exp < 1024 else float("inf")
        backoff = float(self.base_delay) * power
        # The overflow guard compares with float64(MaxInt64) == 2^63. NaN (base 0 from call
        # 1025 on) fails the comparison and converts to -2^63, as Go does on amd64.
        if backoff > TWO_63:
            return self.max_delay
        if backoff >= -TWO_63 and backoff != TWO_63:
            calculated = Duration(int(backoff))  # the common case, inlined for simulations
        else:
            calculated = go_duration(backoff)
        if calculated > self.max_delay:
            return self.max_delay
        return calculated

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)

    def describe(self) -> dict[str, Any]:
        """The configuration as the reference fixtures write it (durations in integer ns)."""
        base = {
            "type": "item_exponential_failure",
            "base_delay_ns": self.base_delay,
            "max_delay_ns": self.max_delay,
        }
        if self._preset:
            return {"type": self._preset, "equivalent": base}
        return base

    def nominal_cap(self) -> Duration | None:
        """The largest delay this limiter settles at for one item."""
        return self.max_delay

    def __str__(self) -> str:
        if self._preset == "default_item_based":
            return "item-based"
        return f"exp({format_delay(self.base_delay)},{format_delay(self.max_delay)})"


class ItemFastSlowRateLimiter:
    """Per item: ``fast_delay`` for the first ``max_fast_attempts`` failures, then ``slow_delay``.

    Upstream: client-go ``util/workqueue/default_rate_limiters.go``, ItemFastSlowRateLimiter.When.
    """

    def __init__(self, fast_delay: Duration, slow_delay: Duration, max_fast_attempts: int) -> None:
        self.fast_delay = fast_delay
        self.slow_delay = slow_delay
        self.max_fast_attempts = max_fast_attempts
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> Duration:
        with self._lock:
            n = self._failures.get(item, 0) + 1
            self._failures[item] = n
        return self.fast_delay if n <= self.max_fast_attempts else self.slow_delay

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)

    def describe(self) -> dict[str, Any]:
        return {
            "type": "item_fast_slow",
            "fast_delay_ns": self.fast_delay,
            "slow_delay_ns": self.slow_delay,
            "max_fast_attempts": self.max_fast_attempts,
        }

    def nominal_cap(self) -> Duration | None:
        return Duration(max(self.fast_delay, self.slow_delay))

    def __str__(self) -> str:
        return f"fastslow({format_delay(self.fast_delay)},{format_delay(self.slow_delay)},{self.max_fast_attempts})"


class BucketRateLimiter:
    """One token bucket shared by every item: each ``when`` spends a token, whatever the item.

    Returns the reservation's delay at the clock's current time. ``num_requeues`` is always 0 and
    ``forget`` does nothing; tokens are never given back. Upstream reads the wall clock
    (``time.Now``) even when the queue has an injected clock; here the clock is injected too
    (default: :class:`~kmech.clock.RealClock`), so simulations stay deterministic.

    Upstream: client-go ``util/workqueue/default_rate_limiters.go``, TypedBucketRateLimiter.When.
    """

    def __init__(self, bucket: TokenBucket, *, clock: PassiveClock | None = None) -> None:
        self.bucket = bucket
        self.clock: PassiveClock = clock if clock is not None else RealClock()

    def when(self, item: Hashable) -> Duration:
        return self.bucket.delay(self.clock.now())

    def num_requeues(self, item: Hashable) -> int:
        return 0

    def forget(self, item: Hashable) -> None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"type": "bucket", "qps": json_number(self.bucket.limit), "burst": self.bucket.burst}

    def nominal_cap(self) -> Duration | None:
        return None

    def __str__(self) -> str:
        return f"bucket({json_number(self.bucket.limit)},{self.bucket.burst})"


class MaxOfRateLimiter:
    """The largest delay of its children; every child is asked on every call, in order.

    Every child's side effect happens even when another child's delay wins: a bucket child
    spends a token on each failure, so a burst can look exceeded (client-go's own warning).
    Negative child delays come out as 0. ``num_requeues`` is the maximum over the children;
    ``forget`` forgets in all of them. :attr:`last_decided_by` names the child whose delay won
    the most recent ``when`` (the first one to reach the maximum; meaningful single-threaded).

    Upstream: client-go ``util/workqueue/default_rate_limiters.go``, MaxOfRateLimiter.When.
    """

    def __init__(self, *limiters: RateLimiter, preset: str | None = None) -> None:
        self.limiters: tuple[RateLimiter, ...] = limiters
        self._preset = preset
        self.last_decided_by: RateLimiter | None = None

    def when(self, item: Hashable) -> Duration:
        ret = 0
        decided: RateLimiter | None = self.limiters[0] if self.limiters else None
        for limiter in self.limiters:
            curr = limiter.when(item)
            if curr > ret:
                ret = curr
                decided = limiter
        self.last_decided_by = decided
        return Duration(ret)

    def num_requeues(self, item: Hashable) -> int:
        ret = 0
        for limiter in self.limiters:
            n = limiter.num_requeues(item)
            if n > ret:
                ret = n
        return ret

    def forget(self, item: Hashable) -> None:
        for limiter in self.limiters:
            limiter.forget(item)

    def describe(self) -> dict[str, Any]:
        base = {"type": "max_of", "limiters": [describe_limiter(c) for c in self.limiters]}
        if self._preset:
            return {"type": self._preset, "equivalent": base}
        return base

    def nominal_cap(self) -> Duration | None:
        caps = [c for c in (nominal_cap_of(child) for child in self.limiters) if c is not None]
        return Duration(max(caps)) if caps else None

    def __str__(self) -> str:
        if self._preset == "default_controller":
            return "default"
        return "max(" + ",".join(str(c) for c in self.limiters) + ")"


class WithMaxWaitRateLimiter:
    """The inner limiter's delay, clamped to ``max_delay``; state stays in the inner limiter.

    The inner limiter still records everything (a bucket's debt keeps growing under the clamp).
    :attr:`last_clamped` tells whether the most recent ``when`` was clamped.

    Upstream: client-go ``util/workqueue/default_rate_limiters.go``, WithMaxWaitRateLimiter.When
    (present since release-1.23).
    """

    def __init__(self, limiter: RateLimiter, max_delay: Duration) -> None:
        self.limiter = limiter
        self.max_delay = max_delay
        self.last_clamped = False

    def when(self, item: Hashable) -> Duration:
        delay = self.limiter.when(item)
        if delay > self.max_delay:
            self.last_clamped = True
            return self.max_delay
        self.last_clamped = False
        return delay

    def num_requeues(self, item: Hashable) -> int:
        return self.limiter.num_requeues(item)

    def forget(self, item: Hashable) -> None:
        self.limiter.forget(item)

    def describe(self) -> dict[str, Any]:
        return {
            "type": "with_max_wait",
            "limiter": describe_limiter(self.limiter),
            "max_delay_ns": self.max_delay,
        }

    def nominal_cap(self) -> Duration | None:
        inner = nominal_cap_of(self.limiter)
        return self.max_delay if inner is None else Duration(min(inner, self.max_delay))

    def __str__(self) -> str:
        return f"maxwait({self.limiter},{format_delay(self.max_delay)})"


class SequenceRateLimiter:
    """Per item: the k-th failure waits ``delays[k-1]``; past the end, repeat the last delay or
    give up (``InfDuration``, which a schedule reports as "no more retries").

    Not a client-go limiter: it expresses other projects' retry policies (kopf's
    ``error_delays`` repeat the last value, its ``error_backoffs`` give up) on the same footing.
    """

    def __init__(self, delays: Sequence[Duration], *, then: str = "repeat") -> None:
        if not delays:
            raise ValueError("SequenceRateLimiter needs at least one delay")
        if then not in ("repeat", "stop"):
            raise ValueError('then must be "repeat" or "stop"')
        self.delays: tuple[Duration, ...] = tuple(delays)
        self.then = then
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> Duration:
        with self._lock:
            n = self._failures.get(item, 0)
            self._failures[item] = n + 1
        if n < len(self.delays):
            return self.delays[n]
        return self.delays[-1] if self.then == "repeat" else MAX_DURATION

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)

    def describe(self) -> dict[str, Any]:
        return {"type": "sequence", "delays_ns": list(self.delays), "then": self.then}

    def nominal_cap(self) -> Duration | None:
        return Duration(max(self.delays)) if self.then == "repeat" else None

    def __str__(self) -> str:
        parts = [format_delay(d) for d in self.delays]
        if self.then == "stop":
            parts.append("stop")
        return "seq(" + ",".join(parts) + ")"


def describe_limiter(limiter: RateLimiter) -> dict[str, Any]:
    """The limiter's ``describe()``, or just its type name for a limiter without one."""
    describe = getattr(limiter, "describe", None)
    if callable(describe):
        result: dict[str, Any] = describe()
        return result
    return {"type": type(limiter).__name__}


def nominal_cap_of(limiter: RateLimiter) -> Duration | None:
    """The limiter's ``nominal_cap()``, or None (no known cap) for a limiter without one."""
    cap = getattr(limiter, "nominal_cap", None)
    if callable(cap):
        value: Duration | None = cap()
        return value
    return None


def default_controller_rate_limiter(*, clock: PassiveClock | None = None) -> MaxOfRateLimiter:
    """client-go's default for controllers: max of per-item exponential (5 ms base, 1000 s cap)
    and one token bucket (10 qps, burst 100), in that order. Fresh state on every call.

    Upstream: client-go ``util/workqueue/default_rate_limiters.go``,
    DefaultTypedControllerRateLimiter.
    """
    return MaxOfRateLimiter(
        ItemExponentialFailureRateLimiter(Duration(5 * MILLISECOND), Duration(1000 * SECOND)),
        BucketRateLimiter(TokenBucket(10, 100), clock=clock),
        preset="default_controller",
    )


def default_item_based_rate_limiter() -> ItemExponentialFailureRateLimiter:
    """Per-item exponential, 1 ms base and 1000 s cap.

    Upstream: client-go ``util/workqueue/default_rate_limiters.go``,
    DefaultTypedItemBasedRateLimiter.
    """
    return ItemExponentialFailureRateLimiter(
        Duration(1 * MILLISECOND), Duration(1000 * SECOND), preset="default_item_based"
    )


if TYPE_CHECKING:
    _exp: RateLimiter = ItemExponentialFailureRateLimiter(Duration(1), Duration(2))
    _fs: RateLimiter = ItemFastSlowRateLimiter(Duration(1), Duration(2), 1)
    _bucket: RateLimiter = BucketRateLimiter(TokenBucket(1, 1))
    _max: RateLimiter = MaxOfRateLimiter()
    _wait: RateLimiter = WithMaxWaitRateLimiter(_exp, Duration(1))
    _seq: RateLimiter = SequenceRateLimiter([Duration(1)])
