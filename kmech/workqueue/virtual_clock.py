"""A single-threaded virtual clock for simulations: time moves only when the simulation moves it.

Unlike :class:`kmech.clock.FakeClock` it never blocks: :meth:`VirtualClock.sleep` and
:meth:`VirtualClock.wait` advance the time themselves, so code written against
:class:`~kmech.clock.Clock` runs unchanged inside a discrete-event simulation. No locking: use it
from one thread.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kmech.clock import Duration

__all__ = ["VirtualClock"]


class VirtualClock:
    """Integer-nanosecond virtual time starting at ``start`` (default 0)."""

    __slots__ = ("_now",)

    def __init__(self, start: int = 0) -> None:
        self._now = start

    def now(self) -> int:
        return self._now

    def set(self, t: int) -> None:
        """Move time to ``t``; never backwards."""
        if t > self._now:
            self._now = t

    def step(self, d: Duration) -> None:
        """Move time forward by ``d`` (ignored when not positive)."""
        if d > 0:
            self._now += d

    def sleep(self, d: Duration) -> None:
        """Sleeping in a simulation is moving time forward."""
        self.step(d)

    def wait(self, stop: threading.Event, d: Duration) -> bool:
        if stop.is_set():
            return True
        self.step(d)
        return stop.is_set()


if TYPE_CHECKING:
    from kmech.clock import Clock

    _check: Clock = VirtualClock()
