"""Clocks: the only way kmech's core reads or waits on time.

Layered as kubernetes/utils ``clock``: :class:`PassiveClock` (read time) ⊂ :class:`Clock` (also
wait). Time is integer nanoseconds (:data:`Duration`), monotonic, with an arbitrary origin.

- :class:`RealClock` reads ``time.monotonic_ns`` and waits on real time.
- :class:`FakeClock` moves only when a test calls :meth:`FakeClock.step` or
  :meth:`FakeClock.set`; :meth:`FakeClock.has_waiters` tells a test that a thread is blocked on it,
  so tests advance time without sleeping.

Upstream: kubernetes/utils ``clock/clock.go``, ``clock/testing/fake_clock.go``.
"""

from __future__ import annotations

import threading
import time
from typing import NewType, Protocol

__all__ = ["Duration", "PassiveClock", "Clock", "RealClock", "FakeClock", "SECOND", "MILLISECOND"]

Duration = NewType("Duration", int)
"""A span of time in integer nanoseconds, as Go's ``time.Duration``."""

NANOSECOND = Duration(1)
MICROSECOND = Duration(1_000)
MILLISECOND = Duration(1_000_000)
SECOND = Duration(1_000_000_000)


class PassiveClock(Protocol):
    """Reads time; never blocks."""

    def now(self) -> int:
        """Current time in nanoseconds since this clock's origin."""
        ...


class Clock(PassiveClock, Protocol):
    """Reads time and waits on it."""

    def sleep(self, d: Duration) -> None:
        """Block until ``d`` has passed on this clock."""
        ...

    def wait(self, stop: threading.Event, d: Duration) -> bool:
        """Block until ``d`` has passed on this clock or ``stop`` is set.

        Returns True when ``stop`` was set (the caller should give up), False when the time passed.
        A non-positive ``d`` returns at once (still reporting ``stop``).
        """
        ...


class RealClock:
    """Wall-clock time from ``time.monotonic_ns``."""

    def now(self) -> int:
        return time.monotonic_ns()

    def sleep(self, d: Duration) -> None:
        if d > 0:
            time.sleep(d / 1e9)

    def wait(self, stop: threading.Event, d: Duration) -> bool:
        if d <= 0:
            return stop.is_set()
        return stop.wait(d / 1e9)


class FakeClock:
    """A clock that moves only when told to; safe to use from several threads.

    Waiters block until a :meth:`step` or :meth:`set` moves the time past their deadline. A waiter
    in :meth:`wait` also notices its ``stop`` event within a few real milliseconds (an Event cannot
    notify a second condition, so it is polled; tests never depend on that latency).
    """

    _POLL_SECONDS = 0.002

    def __init__(self, start: int = 0) -> None:
        self._now = start
        self._cond = threading.Condition()
        self._waiters = 0

    def now(self) -> int:
        with self._cond:
            return self._now

    def step(self, d: Duration) -> None:
        """Move time forward by ``d`` and wake every waiter whose deadline has passed."""
        with self._cond:
            self._now += d
            self._cond.notify_all()

    def set(self, t: int) -> None:
        """Move time to ``t`` (never backwards)."""
        with self._cond:
            if t > self._now:
                self._now = t
            self._cond.notify_all()

    def has_waiters(self) -> bool:
        """True while at least one thread is blocked in :meth:`sleep` or :meth:`wait`."""
        with self._cond:
            return self._waiters > 0

    def waiter_count(self) -> int:
        with self._cond:
            return self._waiters

    def sleep(self, d: Duration) -> None:
        self.wait(threading.Event(), d)

    def wait(self, stop: threading.Event, d: Duration) -> bool:
        with self._cond:
            deadline = self._now + d
            if self._now >= deadline:
                return stop.is_set()
            self._waiters += 1
            try:
                while self._now < deadline:
                    if stop.is_set():
                        return True
                    self._cond.wait(self._POLL_SECONDS)
            finally:
                self._waiters -= 1
            return stop.is_set()
