"""The reflector's one stateful backoff: exponential with full jitter, a cap, and a reset window.

Each :meth:`ReflectorBackoff.next_delay` returns ``d + random() * d`` (jitter 1.0, so the value is in
``[d, 2d)``), then doubles ``d`` up to the cap; once the cap is hit every later delay is in
``[cap, 2 * cap)``. When more than ``reset_after`` has passed since the last reset (or creation)
at the time of a call, the state goes back to the initial delay first. The window counts from the
last *reset*, not from the last failure (the upstream comment says otherwise; the code does this).

With the defaults (0.8 s, factor 2, cap 30 s, 2 min) the ranges are [0.8,1.6), [1.6,3.2), [3.2,6.4),
[6.4,12.8), [12.8,25.6), [25.6,51.2), then [30,60) forever.

Upstream: apimachinery ``pkg/util/wait/backoff.go`` (Backoff.Step, Jitter, backoffManager /
NewExponentialBackoffManager), client-go ``tools/cache/reflector.go`` (the 800ms/30s/2m/2.0/1.0
arguments).
"""

from __future__ import annotations

import math
import random
import threading

from kmech.clock import MILLISECOND, SECOND, Duration, PassiveClock

__all__ = ["ReflectorBackoff"]

_INITIAL = Duration(800 * MILLISECOND)
_CAP = Duration(30 * SECOND)
_RESET = Duration(120 * SECOND)


class ReflectorBackoff:
    """Thread-safe ``next_delay()`` shared by every retry inside one reflector."""

    __slots__ = (
        "_lock",
        "_clock",
        "_rng",
        "initial",
        "cap",
        "factor",
        "jitter",
        "reset_after",
        "_duration",
        "_steps",
        "_last_reset",
        "_initial_steps",
    )

    def __init__(
        self,
        *,
        clock: PassiveClock,
        rng: random.Random,
        initial: Duration = _INITIAL,
        cap: Duration = _CAP,
        factor: float = 2.0,
        jitter: float = 1.0,
        reset_after: Duration = _RESET,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._rng = rng
        self.initial = initial
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        self.reset_after = reset_after
        self._initial_steps = max(1, math.ceil(cap / initial)) if initial > 0 else 1
        self._duration = initial
        self._steps = self._initial_steps
        self._last_reset = clock.now()

    def next_delay(self) -> Duration:
        with self._lock:
            now = self._clock.now()
            if now - self._last_reset > self.reset_after:
                self._duration = self.initial
                self._steps = self._initial_steps
                self._last_reset = now
            duration = self._duration
            if self._steps >= 1:
                self._steps -= 1
                nxt = int(duration * self.factor)
                if self.cap > 0 and nxt > self.cap:
                    nxt = self.cap
                    self._steps = 0
                self._duration = Duration(nxt)
            if self.jitter > 0:
                duration = Duration(duration + int(self._rng.random() * self.jitter * duration))
            return duration
