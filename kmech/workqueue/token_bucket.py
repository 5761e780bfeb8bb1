"""A token bucket with ``golang.org/x/time/rate`` semantics, on integer-nanosecond time.

:class:`TokenBucket` is the ``rate.Limiter`` that client-go's ``BucketRateLimiter`` wraps. Tokens
are a float64 that may go negative: every reservation is granted (when it can ever be), and a
negative balance is a debt that later callers wait for. Time is passed in explicitly (integer
nanoseconds on any clock), so the bucket itself never reads a clock.

Upstream: golang/time ``rate/rate.go`` (v0.14.0/v0.15.0 content): ``NewLimiter``, ``reserveN``,
``advance``, ``durationFromTokens``, ``tokensFromDuration``, ``Reservation.DelayFrom``.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from kmech.clock import Duration
from kmech.workqueue._go import MAX_DURATION, TWO_63, go_duration, saturate

__all__ = ["TokenBucket", "Reservation", "INF"]

INF = math.inf
"""``rate.Inf``: a limit that allows every event and ignores the burst."""


@dataclass(frozen=True, slots=True)
class Reservation:
    """What :meth:`TokenBucket.reserve` granted: ``ok`` and when the caller may act."""

    ok: bool
    time_to_act: int

    def delay_from(self, t: int) -> Duration:
        """How long after ``t`` the caller must wait: ``InfDuration`` when not ok, never negative.

        Upstream: golang/time ``rate/rate.go``, Reservation.DelayFrom.
        """
        if not self.ok:
            return MAX_DURATION
        d = saturate(self.time_to_act - t)
        return d if d > 0 else Duration(0)


class TokenBucket:
    """``rate.NewLimiter(limit, burst)``: starts full, refills at ``limit`` tokens per second.

    The balance never rises above ``burst`` but has no floor: each granted reservation spends
    its tokens at once, and the debt it leaves is repaid by the refill (kubernetes/kubernetes
    issue #104554). A reservation is refused only when ``n > burst`` (so ``burst=0`` refuses
    everything, and the caller sees ``InfDuration``). A ``limit`` of :data:`INF` grants every
    reservation at once and changes nothing. Safe to share between threads.

    Upstream: golang/time ``rate/rate.go``, Limiter.
    """

    __slots__ = ("_limit", "_burst", "_tokens", "_last", "_lock")

    def __init__(self, limit: float, burst: int) -> None:
        self._limit = float(limit)
        self._burst = burst
        # Since x/time v0.7.0 the bucket is full at construction; before that it filled on
        # first use from the zero time, which gives the same numbers for limit > 0.
        self._tokens = float(burst)
        # None stands for Go's zero time: any refill from it is capped at burst, and the
        # bucket is already full.
        self._last: int | None = None
        self._lock = threading.Lock()

    @property
    def limit(self) -> float:
        """Tokens per second."""
        return self._limit

    @property
    def burst(self) -> int:
        """The most tokens the bucket holds."""
        return self._burst

    @property
    def tokens(self) -> float:
        """The balance as of the last granted reservation (negative: a debt)."""
        with self._lock:
            return self._tokens

    def tokens_at(self, t: int) -> float:
        """The balance the bucket would have at time ``t``; changes nothing."""
        with self._lock:
            return self._advance(t)

    def reserve(self, t: int, n: int = 1) -> Reservation:
        """``ReserveN(t, n)`` with no limit on the wait: take ``n`` tokens at ``t``.

        Upstream: golang/time ``rate/rate.go``, Limiter.reserveN.
        """
        with self._lock:
            if self._limit == INF:
                return Reservation(True, t)
            tokens = self._advance(t) - n
            wait = 0
            if tokens < 0:
                wait = self._duration_from_tokens(-tokens)
            ok = n <= self._burst
            if not ok:
                return Reservation(False, 0)
            self._last = t
            self._tokens = tokens
            return Reservation(True, t + wait)

    def delay(self, t: int) -> Duration:
        """``Reserve().DelayFrom(t)`` with both evaluated at ``t``: what client-go's bucket
        limiter returns, without the few microseconds real client-go loses between its two
        ``time.Now()`` reads. Same state change as :meth:`reserve`, without the Reservation."""
        with self._lock:
            limit = self._limit
            if limit == INF:
                return Duration(0)
            # _advance, _tokens_from_duration and _duration_from_tokens inlined: this is the
            # hot path of every simulation through a bucket.
            tokens = self._tokens
            last = self._last
            if last is not None and t > last and limit > 0:
                sec, nsec = divmod(t - last, 1_000_000_000)
                tokens += (float(sec) + float(nsec) / 1e9) * limit
                burst = float(self._burst)
                if tokens > burst:
                    tokens = burst
            tokens -= 1
            if self._burst < 1:
                return MAX_DURATION
            self._last = t
            self._tokens = tokens
            if tokens >= 0:
                return Duration(0)
            if limit <= 0:
                return MAX_DURATION
            d = (-tokens / limit) * 1e9  # positive: tokens < 0 and limit > 0
            if d > TWO_63:
                return MAX_DURATION
            if d == TWO_63:
                return Duration(0)  # int64(2^63) is -2^63 on amd64; DelayFrom clamps it to 0
            return Duration(int(d))

    def _advance(self, t: int) -> float:
        last = self._last
        if last is None:
            return self._tokens
        elapsed = t - last if t > last else 0
        tokens = self._tokens + self._tokens_from_duration(elapsed)
        burst = float(self._burst)
        return burst if tokens > burst else tokens

    def _tokens_from_duration(self, d: int) -> float:
        if self._limit <= 0:
            return 0.0
        # Duration.Seconds(): whole seconds and the remainder are converted separately.
        sec, nsec = divmod(d, 1_000_000_000)
        return (float(sec) + float(nsec) / 1e9) * self._limit

    def _duration_from_tokens(self, tokens: float) -> Duration:
        if self._limit <= 0:
            return MAX_DURATION
        d = (tokens / self._limit) * 1e9
        if d > TWO_63:
            return MAX_DURATION
        return go_duration(d)

    def __repr__(self) -> str:
        return f"TokenBucket(limit={self._limit:g}, burst={self._burst})"
