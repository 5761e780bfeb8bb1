"""The basic work queue: FIFO, deduplicated, and never handing one item to two workers at once.

An item is *dirty* from the moment it is added until a worker takes it with :meth:`Queue.get`;
while a worker holds it (between ``get`` and ``done``) it is *processing*. Adding a dirty item
changes nothing; adding an item that is processing marks it dirty, and :meth:`Queue.done` puts
it back at the end of the queue. So any number of adds before a worker picks an item up produce
one processing, and an add during processing produces exactly one more.

Upstream: client-go ``util/workqueue/queue.go`` (Typed, Add, Get, Done, ShutDown,
ShutDownWithDrain, ShuttingDown, updateUnfinishedWorkLoop).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar, cast

from kmech.clock import Clock, Duration, PassiveClock, RealClock
from kmech.workqueue.metrics import UNFINISHED_WORK_UPDATE_PERIOD, MetricsProvider, QueueMetrics

__all__ = ["Queue", "T"]

T = TypeVar("T", bound=Hashable)


class Queue(Generic[T]):
    """client-go's ``workqueue.Typed``: items must be hashable; equality decides identity.

    Options (keyword-only):

    - ``name``: metrics are produced only for a named queue with a ``metrics_provider``.
    - ``metrics_provider``: where the metrics go (see :mod:`kmech.workqueue.metrics`).
    - ``clock``: time for metrics (and, in subclasses, for delays); default real time.
    - ``background``: start the helper thread (the 500 ms metrics refresher here, the delay
      loop in :class:`~kmech.workqueue.delaying_queue.DelayingQueue`). A simulation passes False
      and drives them itself (:meth:`update_unfinished_work`).

    Thread-safe. :meth:`get` blocks; every other method returns at once, except
    :meth:`shut_down_with_drain`, which waits for the workers' :meth:`done` calls.
    """

    def __init__(
        self,
        *,
        name: str = "",
        metrics_provider: MetricsProvider | None = None,
        clock: PassiveClock | None = None,
        background: bool = True,
    ) -> None:
        self.name = name
        self._clock: PassiveClock = clock if clock is not None else RealClock()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._queue: deque[T] = deque()
        self._dirty: set[T] = set()
        self._processing: set[T] = set()
        self._shutting_down = False
        self._drain = False
        self._waiters = 0
        self._metrics: QueueMetrics | None = None
        if name and metrics_provider is not None:
            self._metrics = QueueMetrics(name, metrics_provider, self._clock)
        self._stop_metrics = threading.Event()
        self._metrics_thread: threading.Thread | None = None
        if self._metrics is not None and background and hasattr(self._clock, "wait"):
            self._metrics_thread = threading.Thread(
                target=self._update_unfinished_work_loop,
                name=f"workqueue-metrics:{name}",
                daemon=True,
            )
            self._metrics_thread.start()

    def add(self, item: T) -> None:
        """Mark ``item`` as needing processing. Ignored during shutdown; deduplicated while dirty.

        Upstream: client-go ``util/workqueue/queue.go``, Typed.Add.
        """
        with self._lock:
            if self._shutting_down or item in self._dirty:
                # A dirty item keeps its place: the default FIFO ignores Touch.
                return
            if self._metrics is not None:
                self._metrics.add(item)
            self._dirty.add(item)
            if item in self._processing:
                return  # queued again by done()
            self._queue.append(item)
            if self._waiters:
                self._cond.notify()

    def __len__(self) -> int:
        """Items waiting to be handed out (not those processing, nor those still delayed)."""
        with self._lock:
            return len(self._queue)

    def len(self) -> int:
        """Same as ``len(queue)`` (client-go's Len); informational only."""
        return len(self)

    def get(self) -> tuple[T | None, bool]:
        """Block until an item is available and return ``(item, False)``; after shutdown, once
        the queue is empty, return ``(None, True)``. Items still queued at shutdown are handed
        out first. The caller must call :meth:`done` with the item when finished.

        Upstream: client-go ``util/workqueue/queue.go``, Typed.Get.
        """
        with self._lock:
            while not self._queue and not self._shutting_down:
                self._waiters += 1
                try:
                    self._cond.wait()
                finally:
                    self._waiters -= 1
            if not self._queue:
                return None, True
            item = self._queue.popleft()
            if self._metrics is not None:
                self._metrics.get(item)
            self._processing.add(item)
            self._dirty.discard(item)
            return item, False

    def done(self, item: T) -> None:
        """Finish processing ``item``; if it was added meanwhile, queue it again at the back
        (even during shutdown).

        Upstream: client-go ``util/workqueue/queue.go``, Typed.Done.
        """
        with self._lock:
            if self._metrics is not None:
                self._metrics.done(item)
            self._processing.discard(item)
            if item in self._dirty:
                self._queue.append(item)
                if self._waiters:
                    self._cond.notify()
            elif not self._processing and self._waiters:
                self._cond.notify_all()  # a drain may be waiting for this

    def shut_down(self) -> None:
        """Stop accepting adds and wake every blocked :meth:`get`; cancels a pending drain.

        Upstream: client-go ``util/workqueue/queue.go``, Typed.ShutDown.
        """
        with self._lock:
            self._drain = False
            self._shutting_down = True
            self._cond.notify_all()
        self._stop_background()

    def shut_down_with_drain(self) -> None:
        """Shut down, then block until every item held by a worker has been :meth:`done`.

        Blocks forever if a worker never calls ``done``, unless :meth:`shut_down` is called.

        Upstream: client-go ``util/workqueue/queue.go``, Typed.ShutDownWithDrain.
        """
        with self._lock:
            self._drain = True
            self._shutting_down = True
            self._cond.notify_all()
            while self._processing and self._drain:
                self._waiters += 1
                try:
                    self._cond.wait()
                finally:
                    self._waiters -= 1
        self._stop_background()

    def shutting_down(self) -> bool:
        with self._lock:
            return self._shutting_down

    def processing_count(self) -> int:
        """Items held by workers right now (kmech extension, for simulations and tests)."""
        with self._lock:
            return len(self._processing)

    def update_unfinished_work(self) -> None:
        """Refresh the unfinished-work and longest-running-processor gauges now (what the
        background refresher does every 500 ms; simulations call it themselves)."""
        with self._lock:
            if self._metrics is not None and not self._shutting_down:
                self._metrics.update_unfinished_work()

    def _update_unfinished_work_loop(self) -> None:
        clock = cast(Clock, self._clock)  # the constructor checked it can wait
        while not clock.wait(self._stop_metrics, Duration(UNFINISHED_WORK_UPDATE_PERIOD)):
            self.update_unfinished_work()

    def _stop_background(self) -> None:
        self._stop_metrics.set()
        t = self._metrics_thread
        if t is not None and t is not threading.current_thread():
            t.join()
