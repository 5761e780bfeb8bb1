"""The in-order queue (spec §4.4, S36) and the reflector backoff (spec §3.1, S24)."""

from __future__ import annotations

import random
import threading

import pytest

from kmech.clock import MILLISECOND, SECOND, Duration, FakeClock
from kmech.informers import Delta, DeltaType, QueueClosedError, RealFIFO, ReplacedAll, SyncAll
from kmech.informers._backoff import ReflectorBackoff
from kmech.informers.testing import make_object


def drain(q: RealFIFO) -> list[tuple[object, bool]]:
    out: list[tuple[object, bool]] = []
    while len(q):
        q.pop(lambda item, initial: out.append((item, initial)))
    return out


def test_s36_in_order_queue_keeps_arrival_order():
    q = RealFIFO()
    a1, b1, a2 = make_object("a"), make_object("b"), make_object("a", labels={"v": "2"})
    q.add(a1)
    q.add(b1)
    q.update(a2)
    items = [item for item, _ in drain(q)]
    assert items == [
        Delta(DeltaType.ADDED, a1),
        Delta(DeltaType.ADDED, b1),
        Delta(DeltaType.UPDATED, a2),
    ]


def test_replace_is_one_atomic_item_and_counts_as_initial_population():
    q = RealFIFO()
    assert q.has_synced() is False
    q.replace([make_object("a"), make_object("b")], "5")
    q.add(make_object("c"))
    seen: list[bool] = []

    def process(item, initial):
        seen.append(initial)
        assert q.has_synced() is False  # decremented only after processing

    q.pop(process)
    assert q.has_synced() is True
    q.pop(lambda item, initial: seen.append(initial))
    assert seen == [True, False]


def test_items_queued_before_the_first_replace_are_initial_too():
    q = RealFIFO()
    q.resync()
    q.replace([], "1")
    out = drain(q)
    assert [type(i).__name__ for i, _ in out] == ["SyncAll", "ReplacedAll"]
    assert [initial for _, initial in out] == [True, True]
    assert q.has_synced()


def test_watch_event_first_means_synced():
    q = RealFIFO()
    q.add(make_object("a"))
    assert q.has_synced() is True
    assert q.wait_synced(0) is True


def test_transform_runs_on_queue_entry_not_on_resync():
    calls: list[str] = []

    def tf(obj):
        calls.append(obj["metadata"]["name"])
        return obj

    q = RealFIFO(transform=tf)
    q.add(make_object("a"))
    q.replace([make_object("b")], "2")
    q.resync()
    assert calls == ["a", "b"]
    items = [i for i, _ in drain(q)]
    assert isinstance(items[1], ReplacedAll) and isinstance(items[2], SyncAll)


def test_close_wakes_a_blocked_consumer():
    q = RealFIFO()
    raised = threading.Event()

    def consume():
        try:
            q.pop(lambda item, initial: None)
        except QueueClosedError:
            raised.set()

    t = threading.Thread(target=consume, name="test:consumer")
    t.start()
    q.close()
    t.join(5)
    assert raised.is_set()


def _ranges(n):
    d = 800 * MILLISECOND
    out = []
    for _ in range(n):
        out.append((d, 2 * d))
        d = min(2 * d, 30 * SECOND)
    return out


def test_backoff_sequence_matches_the_spec_ranges():
    clock = FakeClock()
    b = ReflectorBackoff(clock=clock, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(10)]
    expected = [(0.8, 1.6), (1.6, 3.2), (3.2, 6.4), (6.4, 12.8), (12.8, 25.6), (25.6, 51.2)] + [
        (30, 60)
    ] * 4
    for delay, (lo, hi) in zip(delays, expected, strict=True):
        assert lo * SECOND <= delay < hi * SECOND


@pytest.mark.parametrize("value", [0.0, 0.999999])
def test_backoff_jitter_bounds(value):
    class FixedRandom(random.Random):
        def random(self):
            return value

    b = ReflectorBackoff(clock=FakeClock(), rng=FixedRandom())
    first = b.next_delay()
    assert first == int(800 * MILLISECOND * (1 + value))


def test_s24_backoff_resets_two_minutes_after_the_last_reset():
    clock = FakeClock()
    b = ReflectorBackoff(clock=clock, rng=random.Random(2))
    d = 800 * MILLISECOND
    got = []
    for _ in range(3):
        got.append(b.next_delay())
        clock.step(Duration(1 * SECOND))
    assert d <= got[0] < 2 * d and 2 * d <= got[1] < 4 * d and 4 * d <= got[2] < 8 * d
    clock.set(200 * SECOND)
    assert d <= b.next_delay() < 2 * d
    # The window counts from that reset, not from the last failure.
    clock.set(200 * SECOND + 119 * SECOND)
    assert 2 * d <= b.next_delay() < 4 * d
