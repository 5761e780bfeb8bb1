"""A work queue that can add an item later: :meth:`DelayingQueue.add_after`.

Waiting items sit in a min-heap ordered by the time they become ready. A waiting item is
deduplicated against itself only: a second ``add_after`` keeps the earlier of the two ready
times (a later call never postpones an item, an earlier one pulls it forward). An item can be
queued and waiting at once; when the wait ends, the ordinary :meth:`~Queue.add` deduplicates it.
Items ready at the same instant come out in the order they were (last) scheduled. At shutdown
the waiting items are dropped.

With ``background=True`` a thread named ``workqueue-delay:<name>`` releases items on time,
waking at the earliest ready time, on each new entry, and every 10 s as a safety net (client-go's
heartbeat). With ``background=False`` the owner drives it: :meth:`next_ready_at` says when the
next item is due and :meth:`release_due` moves due items into the queue, which is how a
discrete-event simulation runs the same code on virtual time.

Upstream: client-go ``util/workqueue/delaying_queue.go`` (AddAfter, waitingLoop, insert).
"""

from __future__ import annotations

import heapq
import threading
from typing import cast

from kmech.clock import SECOND, Clock, Duration, PassiveClock
from kmech.workqueue.metrics import CounterMetric, MetricsProvider
from kmech.workqueue.queue import Queue, T

__all__ = ["DelayingQueue", "HEARTBEAT"]

HEARTBEAT = Duration(10 * SECOND)
"""client-go's ``maxWait``: the delay loop wakes at least this often."""


class DelayingQueue(Queue[T]):
    """A :class:`~kmech.workqueue.queue.Queue` plus :meth:`add_after`; same options.

    In background mode the clock must be a :class:`~kmech.clock.Clock` (it is waited on).

    Upstream: client-go ``util/workqueue/delaying_queue.go``, delayingType.
    """

    def __init__(
        self,
        *,
        name: str = "",
        metrics_provider: MetricsProvider | None = None,
        clock: PassiveClock | None = None,
        background: bool = True,
    ) -> None:
        super().__init__(
            name=name, metrics_provider=metrics_provider, clock=clock, background=background
        )
        self._heap: list[tuple[int, int, T]] = []
        self._entries: dict[T, tuple[int, int]] = {}  # item -> (ready_at, seq) of its live entry
        self._seq = 0
        self._stale = 0  # heap entries superseded by an earlier add_after of the same item
        self._heap_lock = threading.Lock()
        self._wake = threading.Event()
        self._retries: CounterMetric | None = None
        if name and metrics_provider is not None:
            self._retries = metrics_provider.new_retries_metric(name)
        self._loop_thread: threading.Thread | None = None
        if background:
            self._loop_thread = threading.Thread(
                target=self._waiting_loop, name=f"workqueue-delay:{name or 'unnamed'}", daemon=True
            )
            self._loop_thread.start()

    def add_after(self, item: T, delay: Duration) -> None:
        """Add ``item`` once ``delay`` has passed (at once if ``delay <= 0``).

        Dropped during shutdown. Counts one retry in the metrics whatever the delay.

        Upstream: client-go ``util/workqueue/delaying_queue.go``, delayingType.AddAfter.
        """
        if self._shutting_down:
            return
        if self._retries is not None:
            self._retries.inc()
        if delay <= 0:
            self.add(item)
            return
        ready_at = self._clock.now() + delay
        with self._heap_lock:
            entry = self._entries.get(item)
            if entry is not None:
                if entry[0] <= ready_at:
                    return  # the earlier request stands
                self._stale += 1
            self._seq += 1
            self._entries[item] = (ready_at, self._seq)
            heapq.heappush(self._heap, (ready_at, self._seq, item))
            earliest = self._heap[0][1] == self._seq
        if earliest and self._loop_thread is not None:
            self._wake.set()

    def waiting_count(self) -> int:
        """Items waiting for their delay to end (kmech extension)."""
        with self._heap_lock:
            return len(self._entries)

    def next_ready_at(self) -> int | None:
        """When the earliest waiting item becomes due (None when nothing waits)."""
        with self._heap_lock:
            if self._stale:
                self._drop_stale_locked()
            return self._heap[0][0] if self._heap else None

    def release_due(self, now: int | None = None) -> int | None:
        """Add every waiting item whose ready time is not after ``now`` (default: the clock);
        return the next ready time, or None. Nothing is released after shutdown."""
        if now is None:
            now = self._clock.now()
        heap = self._heap
        entries = self._entries
        due: list[T] = []
        with self._heap_lock:
            while heap and heap[0][0] <= now:
                ready_at, seq, item = heapq.heappop(heap)
                entry = entries.get(item)
                if entry is not None and entry[1] == seq:
                    del entries[item]
                    due.append(item)
                else:
                    self._stale -= 1
            if self._stale:
                self._drop_stale_locked()
            nxt = heap[0][0] if heap else None
        if self._shutting_down:
            return None
        for item in due:
            self.add(item)
        return nxt

    def _drop_stale_locked(self) -> None:
        heap = self._heap
        entries = self._entries
        while heap:
            ready_at, seq, item = heap[0]
            entry = entries.get(item)
            if entry is not None and entry[1] == seq:
                return
            heapq.heappop(heap)
            self._stale -= 1

    def _waiting_loop(self) -> None:
        clock = cast(Clock, self._clock)
        while not self._shutting_down:
            self._wake.clear()
            now = clock.now()
            nxt = self.release_due(now)
            wait = HEARTBEAT if nxt is None else min(Duration(nxt - now), HEARTBEAT)
            clock.wait(self._wake, wait)

    def _stop_background(self) -> None:
        self._wake.set()
        t = self._loop_thread
        if t is not None and t is not threading.current_thread():
            t.join()
        super()._stop_background()
