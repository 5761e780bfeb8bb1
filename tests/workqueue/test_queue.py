"""The basic, delaying and rate-limiting queues on fake and virtual clocks (no sleeping)."""

from __future__ import annotations

import threading

import pytest

from kmech.clock import MILLISECOND, SECOND, Duration, FakeClock
from kmech.workqueue import ItemExponentialFailureRateLimiter, VirtualClock
from kmech.workqueue.delaying_queue import DelayingQueue
from kmech.workqueue.metrics import InMemoryMetricsProvider
from kmech.workqueue.queue import Queue
from kmech.workqueue.rate_limiting_queue import RateLimitingQueue

MS = MILLISECOND
SAFETY = 10.0  # seconds: a safety net for threads, never a timing assumption


def drain(q: Queue[str]) -> list[str]:
    out = []
    while len(q):
        item, _ = q.get()
        assert item is not None
        out.append(item)
        q.done(item)
    return out


def in_thread(fn) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def target() -> None:
        result["value"] = fn()

    t = threading.Thread(target=target, name="test-worker", daemon=True)
    t.start()
    return t, result


class TestQueue:
    def test_fifo_and_dedup(self) -> None:
        q: Queue[str] = Queue(background=False)
        for item in ["a", "b", "a", "c", "b"]:
            q.add(item)
        assert len(q) == 3
        assert drain(q) == ["a", "b", "c"]

    def test_add_while_processing_is_requeued_on_done_at_the_back(self) -> None:
        q: Queue[str] = Queue(background=False)
        q.add("a")
        q.add("b")
        item, _ = q.get()
        assert item == "a"
        q.add("a")
        q.add("a")
        assert len(q) == 1  # "a" is dirty but processing: not queued yet
        q.done("a")
        assert drain(q) == ["b", "a"]

    def test_done_without_readd_does_not_requeue(self) -> None:
        q: Queue[str] = Queue(background=False)
        q.add("a")
        q.get()
        q.done("a")
        assert len(q) == 0

    def test_shutdown_hands_out_remaining_then_reports_shutdown(self) -> None:
        q: Queue[str] = Queue(background=False)
        q.add("a")
        q.shut_down()
        q.add("b")  # ignored
        assert q.shutting_down()
        assert q.get() == ("a", False)
        assert q.get() == (None, True)

    def test_readd_during_processing_is_queued_even_after_shutdown(self) -> None:
        q: Queue[str] = Queue(background=False)
        q.add("a")
        q.get()
        q.add("a")
        q.shut_down()
        q.done("a")
        assert q.get() == ("a", False)

    def test_get_blocks_until_an_add(self) -> None:
        q: Queue[str] = Queue(background=False)
        t, result = in_thread(q.get)
        q.add("x")
        t.join(SAFETY)
        assert result["value"] == ("x", False)

    def test_shutdown_wakes_blocked_getters(self) -> None:
        q: Queue[str] = Queue(background=False)
        t, result = in_thread(q.get)
        q.shut_down()
        t.join(SAFETY)
        assert result["value"] == (None, True)

    def test_shutdown_with_drain_waits_for_done(self) -> None:
        q: Queue[str] = Queue(background=False)
        q.add("a")
        q.get()
        t, _ = in_thread(q.shut_down_with_drain)
        t.join(0.05)
        assert t.is_alive()
        q.done("a")
        t.join(SAFETY)
        assert not t.is_alive()

    def test_shutdown_releases_a_drain(self) -> None:
        q: Queue[str] = Queue(background=False)
        q.add("a")
        q.get()
        t, _ = in_thread(q.shut_down_with_drain)
        q.shut_down()
        t.join(SAFETY)
        assert not t.is_alive()

    def test_metrics(self) -> None:
        clock = FakeClock()
        provider = InMemoryMetricsProvider()
        q: Queue[str] = Queue(name="q", metrics_provider=provider, clock=clock, background=False)
        q.add("a")
        q.add("a")  # dedup: no second add
        clock.step(Duration(2 * SECOND))
        q.get()
        clock.step(Duration(3 * SECOND))
        q.update_unfinished_work()
        snap = provider.snapshot("q")
        assert (snap.adds_total, snap.depth) == (1, 0)
        assert snap.queue_duration_seconds["sum"] == 2.0
        assert snap.longest_running_processor_seconds == 3.0
        q.done("a")
        snap = provider.snapshot("q")
        assert snap.work_duration_seconds["count"] == 1
        assert snap.work_duration_seconds["sum"] == 3.0

    def test_unnamed_queue_has_no_metrics(self) -> None:
        provider = InMemoryMetricsProvider()
        q: Queue[str] = Queue(metrics_provider=provider, background=False)
        q.add("a")
        assert provider.names() == []


class TestDelayingQueue:
    def test_release_in_ready_order(self) -> None:
        clock = VirtualClock()
        q: DelayingQueue[str] = DelayingQueue(clock=clock, background=False)
        q.add_after("late", Duration(30 * MS))
        q.add_after("early", Duration(10 * MS))
        q.add_after("mid", Duration(20 * MS))
        assert q.next_ready_at() == 10 * MS
        assert q.release_due(15 * MS) == 20 * MS
        assert drain(q) == ["early"]
        assert q.release_due(30 * MS) is None
        assert drain(q) == ["mid", "late"]

    def test_earlier_add_after_wins_later_never_postpones(self) -> None:
        clock = VirtualClock()
        q: DelayingQueue[str] = DelayingQueue(clock=clock, background=False)
        q.add_after("x", Duration(50 * MS))
        q.add_after("x", Duration(80 * MS))
        assert q.next_ready_at() == 50 * MS
        q.add_after("x", Duration(20 * MS))
        assert q.next_ready_at() == 20 * MS
        assert q.waiting_count() == 1
        assert q.release_due(20 * MS) is None
        assert drain(q) == ["x"]

    def test_non_positive_delay_adds_at_once_and_counts_a_retry(self) -> None:
        provider = InMemoryMetricsProvider()
        q: DelayingQueue[str] = DelayingQueue(
            name="d", metrics_provider=provider, clock=VirtualClock(), background=False
        )
        q.add_after("x", Duration(0))
        q.add_after("y", Duration(-5))
        q.add_after("z", Duration(1))
        assert len(q) == 2
        assert provider.snapshot("d").retries_total == 3

    def test_waiting_and_queued_at_once_dedups_on_release(self) -> None:
        clock = VirtualClock()
        q: DelayingQueue[str] = DelayingQueue(clock=clock, background=False)
        q.add("x")
        q.add_after("x", Duration(5))
        q.release_due(5)
        assert drain(q) == ["x"]

    def test_shutdown_drops_waiting_items(self) -> None:
        q: DelayingQueue[str] = DelayingQueue(clock=VirtualClock(), background=False)
        q.add_after("x", Duration(5))
        q.shut_down()
        q.release_due(10)
        q.add_after("y", Duration(0))
        assert q.get() == (None, True)

    def test_background_loop_on_a_fake_clock(self) -> None:
        clock = FakeClock()
        q: DelayingQueue[str] = DelayingQueue(clock=clock)
        try:
            q.add_after("x", Duration(50 * MS))
            assert len(q) == 0
            clock.step(Duration(49 * MS))
            assert len(q) == 0
            clock.step(Duration(1 * MS))
            t, result = in_thread(q.get)
            t.join(SAFETY)
            assert result["value"] == ("x", False)
        finally:
            q.shut_down()

    def test_background_loop_wakes_for_an_earlier_entry(self) -> None:
        clock = FakeClock()
        q: DelayingQueue[str] = DelayingQueue(clock=clock)
        try:
            q.add_after("slow", Duration(5 * SECOND))
            q.add_after("fast", Duration(1 * MS))
            clock.step(Duration(1 * MS))
            t, result = in_thread(q.get)
            t.join(SAFETY)
            assert result["value"] == ("fast", False)
        finally:
            q.shut_down()


class TestRateLimitingQueue:
    def test_add_rate_limited_forget_num_requeues(self) -> None:
        clock = VirtualClock()
        q: RateLimitingQueue[str] = RateLimitingQueue(
            ItemExponentialFailureRateLimiter(Duration(1 * MS), Duration(1 * SECOND)),
            clock=clock,
            background=False,
        )
        assert q.add_rate_limited("x") == 1 * MS
        assert q.add_rate_limited("x") == 2 * MS
        assert q.num_requeues("x") == 2
        assert q.next_ready_at() == 1 * MS  # the earlier of the two stands
        q.forget("x")
        assert q.num_requeues("x") == 0
        assert q.waiting_count() == 1  # forget does not touch the queue

    def test_when_runs_even_during_shutdown(self) -> None:
        q: RateLimitingQueue[str] = RateLimitingQueue(
            ItemExponentialFailureRateLimiter(Duration(1 * MS), Duration(1 * SECOND)),
            clock=VirtualClock(),
            background=False,
        )
        q.shut_down()
        q.add_rate_limited("x")
        assert q.num_requeues("x") == 1
        assert q.waiting_count() == 0

    @pytest.mark.parametrize("background", [True, False], ids=["background", "manual"])
    def test_shut_down_leaves_no_threads(self, background: bool) -> None:
        before = {t.name for t in threading.enumerate()}
        q: RateLimitingQueue[str] = RateLimitingQueue(
            ItemExponentialFailureRateLimiter(Duration(1), Duration(2)),
            name="named",
            metrics_provider=InMemoryMetricsProvider(),
            clock=FakeClock(),
            background=background,
        )
        q.shut_down()
        assert {t.name for t in threading.enumerate()} <= before
