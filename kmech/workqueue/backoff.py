"""apimachinery's ``wait.Backoff``: one mutable interval that grows by a factor on each step.

Unlike the workqueue limiters it has no per-item state: :meth:`Backoff.step` returns the current
interval (plus optional jitter) and moves the interval on, ``steps`` times at most, never past
``cap``. Jitter comes from an injectable ``random.Random`` so runs are reproducible with a seed.

Upstream: kubernetes/apimachinery ``pkg/util/wait/backoff.go`` (Backoff, Step, delay, Jitter,
DelayWithReset, backoffManager), ``pkg/util/wait/wait.go``.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kmech.clock import Clock, Duration, PassiveClock
from kmech.duration import format_duration
from kmech.errors import KmechError
from kmech.workqueue._go import go_duration, json_number

__all__ = ["Backoff", "BackoffManager", "WaitTimeoutError", "jitter", "exponential_backoff"]


class WaitTimeoutError(KmechError):
    """The condition never succeeded within the backoff's steps (apimachinery ``ErrWaitTimeout``)."""


def jitter(duration: Duration, max_factor: float, rng: random.Random) -> Duration:
    """``duration`` plus a uniform random amount in ``[0, max_factor·duration)``.

    A ``max_factor`` of 0 or less means 1.0, as upstream.

    Upstream: kubernetes/apimachinery ``pkg/util/wait/wait.go``, Jitter.
    """
    if max_factor <= 0.0:
        max_factor = 1.0
    return Duration(duration + go_duration(rng.random() * max_factor * float(duration)))


@dataclass(slots=True)
class Backoff:
    """``wait.Backoff{Duration, Factor, Jitter, Steps, Cap}``; :meth:`step` mutates it.

    - ``duration``: the interval the next :meth:`step` returns (before jitter).
    - ``factor``: multiplier applied on each step while ``steps`` remain; 0 keeps the interval.
    - ``jitter``: the returned value gets up to ``jitter·duration`` extra; never accumulates.
    - ``steps``: how many more times the interval may change; below 1 it never changes.
    - ``cap``: an upper limit for a new interval (0: none); reaching it sets ``steps`` to 0.
    - ``rng``: the random source for jitter (seed it for reproducible runs).

    So the returned values are ``D, D·F, D·F², …`` up to ``cap`` (then ``cap`` forever) or until
    ``steps`` run out (then the last computed interval forever).
    """

    duration: Duration = Duration(0)
    factor: float = 0.0
    jitter: float = 0.0
    steps: int = 0
    cap: Duration = Duration(0)
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def step(self) -> Duration:
        """Return the current interval (jittered) and advance the state.

        Upstream: kubernetes/apimachinery ``pkg/util/wait/backoff.go``, Backoff.Step and delay.
        """
        if self.steps < 1:
            if self.jitter > 0:
                return jitter(self.duration, self.jitter, self.rng)
            return self.duration
        self.steps -= 1
        current = self.duration
        if self.factor != 0:
            nxt = go_duration(float(current) * self.factor)
            if self.cap > 0 and nxt > self.cap:
                nxt = self.cap
                self.steps = 0
        else:
            nxt = current
        if self.jitter > 0:
            current = jitter(current, self.jitter, self.rng)
        self.duration = nxt
        return current

    def delay_func(self) -> Callable[[], Duration]:
        """Successive :meth:`step` results from a copy; this Backoff is not changed."""
        clone = copy.copy(self)
        return clone.step

    def delay_with_reset(self, clock: PassiveClock, reset_interval: Duration) -> BackoffManager:
        """A shared stepper that returns to this initial state once ``reset_interval`` has
        passed since the last reset (the window counts from the reset, not from the last step).

        Upstream: kubernetes/apimachinery ``pkg/util/wait/backoff.go``, Backoff.DelayWithReset.
        """
        return BackoffManager(self, clock, reset_interval)

    def describe(self) -> dict[str, Any]:
        """The configuration as the reference fixtures write it (durations in integer ns)."""
        return {
            "type": "wait_backoff",
            "duration_ns": self.duration,
            "factor": json_number(self.factor),
            "jitter": json_number(self.jitter),
            "steps": self.steps,
            "cap_ns": self.cap,
        }

    def __str__(self) -> str:
        return (
            f"backoff(duration={format_duration(self.duration)},factor={json_number(self.factor)},"
            f"steps={self.steps},cap={format_duration(self.cap)},jitter={json_number(self.jitter)})"
        )


class BackoffManager:
    """A :class:`Backoff` shared by several callers that resets after a quiet window.

    Each :meth:`step` first checks the clock: when more than ``reset_interval`` has passed since
    the last reset (or creation), the backoff returns to its initial state. client-go's
    reflector uses this with 800 ms ×2, jitter 1.0, cap 30 s and a 2 minute window.

    Upstream: kubernetes/apimachinery ``pkg/util/wait/backoff.go``, backoffManager.Step.
    """

    def __init__(self, initial: Backoff, clock: PassiveClock, reset_interval: Duration) -> None:
        self._initial = copy.copy(initial)
        self._backoff = copy.copy(initial)
        self._clock = clock
        self._reset_interval = reset_interval
        self._last_start = clock.now()
        if initial.factor <= 0:
            # Without a factor the steps cannot matter: it is a plain DelayFunc.
            self._reset_interval = Duration(-1)
        elif reset_interval <= 0:
            self._backoff.steps = 0
            self._backoff.factor = 0.0
            self._reset_interval = Duration(-1)

    @property
    def backoff(self) -> Backoff:
        """The current state (read-only by convention)."""
        return self._backoff

    @property
    def initial(self) -> Backoff:
        """The state a reset returns to."""
        return self._initial

    @property
    def reset_interval(self) -> Duration:
        """The quiet window after which the backoff resets (negative: never)."""
        return self._reset_interval

    def step(self) -> Duration:
        if self._reset_interval >= 0:
            now = self._clock.now()
            if now - self._last_start > self._reset_interval:
                rng = self._backoff.rng
                self._backoff = copy.copy(self._initial)
                self._backoff.rng = rng
                self._last_start = now
        return self._backoff.step()


def exponential_backoff(backoff: Backoff, condition: Callable[[], bool], *, clock: Clock) -> None:
    """Run ``condition`` with a :meth:`Backoff.step` sleep between runs while steps remain;
    return on success, raise :class:`WaitTimeoutError` when the steps are used up.

    ``backoff`` is copied, as upstream passes it by value. At most ``steps`` runs (``steps − 1``
    sleeps); fewer when the cap is reached, because the step that reaches it sets ``steps`` to 0
    and the loop ends after that step's sleep without running the condition again (for
    ``{5ms, ×2, steps 25, cap 1000s}``: 18 runs and 18 sleeps, the last of 655.36 s). With
    ``steps`` 0 the condition never runs.

    Upstream: kubernetes/apimachinery ``pkg/util/wait/backoff.go``, ExponentialBackoff.
    """
    b = copy.copy(backoff)
    runs = 0
    while b.steps > 0:
        runs += 1
        if condition():
            return
        if b.steps == 1:
            break
        clock.sleep(b.step())
    raise WaitTimeoutError(f"timed out waiting for the condition after {runs} attempts")
