"""Spec §10 scenarios S30-S34 and S40: relist/resync delivery, late handlers, slow handlers, stop."""

from __future__ import annotations

import threading

import pytest

from kmech.clock import SECOND, Duration
from kmech.informers import (
    FilteringResourceEventHandler,
    InformerStoppedError,
    ResourceEventHandlerFuncs,
    TraceKind,
)
from kmech.informers.testing import FakeControllerSource, make_object
from tests.informers.conftest import Recorder, TraceLog, rv_of, step_when_waiting, wait_until


def _expire_and_relist(src, clock, trace, changes=()):
    """End the watch with a 410, apply ``changes`` unseen, then let the relist happen."""
    n_backoff = len(trace.of(TraceKind.BACKOFF))
    src.expire_watches()
    assert wait_until(lambda: len(trace.of(TraceKind.BACKOFF)) > n_backoff)
    for change in changes:
        change()
    n_watch = len(trace.of(TraceKind.WATCH_START))
    clock.step(Duration(2 * SECOND))
    assert wait_until(lambda: len(trace.of(TraceKind.WATCH_START)) > n_watch)


def test_s30_relist_of_unchanged_object_is_an_update_with_equal_rvs(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    informer = make_informer(src)
    rec = Recorder()
    informer.add_event_handler(rec)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert rec.wait_for(1)
    rec.clear()
    _expire_and_relist(src, clock, trace)
    assert rec.wait_for(1)
    (n,) = rec.notifications
    assert (n.type.value, n.origin.value) == ("update", "relist")
    assert rv_of(n.old) == rv_of(n.new)


def test_s31_sync_filter_follows_the_last_resync_check(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    src.add(make_object("p2"))
    informer = make_informer(src, resync_period=Duration(1 * SECOND))
    rec_a, rec_b = Recorder(), Recorder()
    informer.add_event_handler(rec_a, resync_period=Duration(10 * SECOND))
    informer.add_event_handler(rec_b, resync_period=Duration(0))
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert rec_a.wait_for(2) and rec_b.wait_for(2)
    rec_a.clear()
    rec_b.clear()
    assert informer.resync_check_period == 1 * SECOND
    # First resync tick at t=1s: nobody is due, so the syncing set becomes empty.
    step_when_waiting(clock, Duration(1 * SECOND))
    assert wait_until(lambda: informer._syncing == ())
    _expire_and_relist(
        src, clock, trace, [lambda: src.modify(make_object("p2", labels={"v": "2"}))]
    )
    assert rec_a.wait_for(1) and rec_b.wait_for(1)
    assert rec_a.summary() == [("update", "relist", "p2")]
    assert rec_b.summary() == [("update", "relist", "p2")]
    rec_a.clear()
    rec_b.clear()
    # From t = 10 s, A gets resync rounds; B never does.
    clock.set(11 * SECOND)
    assert rec_a.wait_for(2)
    assert sorted(rec_a.summary()) == [("update", "resync", "p1"), ("update", "resync", "p2")]
    assert all(n.old is n.new for n in rec_a.notifications)
    assert rec_b.notifications == []


def test_s32_resync_replays_the_cache_without_requests(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    src.add(make_object("p2"))
    informer = make_informer(src, resync_period=Duration(1 * SECOND))
    rec = Recorder()
    informer.add_event_handler(rec)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert rec.wait_for(2) and src.wait_for_watches(1)
    rec.clear()
    n = len(src.requests)
    for round_ in range(1, 4):
        step_when_waiting(clock, Duration(1 * SECOND))
        assert rec.wait_for(2 * round_)
        assert wait_until(lambda r=round_: len(trace.of(TraceKind.RESYNC)) == r)
    clock.step(Duration(SECOND // 2))
    assert len(rec.notifications) == 6
    assert {(n.type.value, n.origin.value) for n in rec.notifications} == {("update", "resync")}
    assert all(n.old is n.new for n in rec.notifications)
    assert len(src.requests) == n
    assert informer.stats().resyncs == 3


def test_s33_late_handler_gets_a_replay_then_live_events(make_informer):
    src = FakeControllerSource()
    for name in ("p1", "p2"):
        src.add(make_object(name))
    informer = make_informer(src)
    h1 = Recorder()
    informer.add_event_handler(h1)
    informer.start()
    assert src.wait_for_watches(1) and h1.wait_for(2)
    gate = threading.Event()
    h2 = Recorder()
    original = h2.on_notification

    def slow(n):
        gate.wait(10)
        original(n)

    h2.on_notification = slow  # type: ignore[method-assign]
    reg2 = informer.add_event_handler(h2)
    src.modify(make_object("p1", labels={"v": "2"}))
    assert h1.wait_for(3)
    assert reg2.has_synced() is False
    gate.set()
    assert h2.wait_for(3)
    assert wait_until(reg2.has_synced)
    assert h2.summary() == [
        ("add", "replay", "p1"),
        ("add", "replay", "p2"),
        ("update", "watch", "p1"),
    ]
    assert all(n.is_in_initial_list for n in h2.notifications[:2])
    assert h1.summary() == [
        ("add", "initial", "p1"),
        ("add", "initial", "p2"),
        ("update", "watch", "p1"),
    ]


def test_s34_slow_handler_does_not_hold_back_a_fast_one(make_informer):
    src = FakeControllerSource()
    informer = make_informer(src)
    gate = threading.Event()
    slow_seen: list[str] = []
    fast = Recorder()

    def slow_add(obj, initial):
        slow_seen.append(obj["metadata"]["name"])
        if len(slow_seen) == 1:
            gate.wait(10)
        if len(slow_seen) == 3:
            raise RuntimeError("handler bug")

    informer.add_event_handler(ResourceEventHandlerFuncs(add_func=slow_add))
    informer.add_event_handler(fast)
    informer.start()
    assert src.wait_for_watches(1)
    names = [f"e{i}" for i in range(10)]
    for name in names:
        src.add(make_object(name))
    assert fast.wait_for(10)
    assert wait_until(lambda: len(slow_seen) >= 1)
    assert len(slow_seen) == 1  # still blocked in its first event
    gate.set()
    assert wait_until(lambda: len(slow_seen) == 10)
    assert slow_seen == names
    assert [s[2] for s in fast.summary()] == names


def test_s40_stop_closes_the_idle_watch_at_once(make_informer):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    informer = make_informer(src)
    rec = Recorder()
    informer.add_event_handler(rec)
    informer.start()
    assert src.wait_for_watches(1) and rec.wait_for(1)
    watch = src._watches[0]
    n = len(src.requests)
    informer.stop(timeout_seconds=1.0)
    assert watch.stopped
    assert src.open_watches() == 0
    src.add(make_object("p2"))
    assert len(src.requests) == n
    assert len(rec.notifications) == 1
    assert not any(t.name.endswith(":pods") and t.is_alive() for t in threading.enumerate()), (
        "informer threads left running"
    )
    with pytest.raises(InformerStoppedError):
        informer.add_event_handler(Recorder())


def test_thread_names_say_their_owner(make_informer):
    src = FakeControllerSource()
    informer = make_informer(src, resync_period=Duration(5 * SECOND))
    informer.add_event_handler(Recorder())
    informer.start()
    assert src.wait_for_watches(1)
    names = {t.name for t in threading.enumerate()}
    assert {"reflector:pods", "informer:pods", "handler:pods:1", "resync:pods"} <= names


def test_remove_event_handler_stops_delivery(make_informer):
    src = FakeControllerSource()
    informer = make_informer(src)
    a, b = Recorder(), Recorder()
    reg_a = informer.add_event_handler(a)
    informer.add_event_handler(b)
    informer.start()
    assert src.wait_for_watches(1)
    informer.remove_event_handler(reg_a)
    src.add(make_object("p1"))
    assert b.wait_for(1)
    assert a.notifications == []


def test_filtering_handler_turns_predicate_changes_into_add_and_delete(make_informer):
    src = FakeControllerSource()
    informer = make_informer(src)
    calls: list[tuple[str, str]] = []
    inner = ResourceEventHandlerFuncs(
        add_func=lambda o, i: calls.append(("add", o["metadata"]["name"])),
        update_func=lambda o, n: calls.append(("update", n["metadata"]["name"])),
        delete_func=lambda o: calls.append(("delete", o["metadata"]["name"])),
    )
    is_web = lambda o: (o["metadata"].get("labels") or {}).get("app") == "web"  # noqa: E731
    informer.add_event_handler(FilteringResourceEventHandler(is_web, inner))
    informer.start()
    assert src.wait_for_watches(1)
    src.add(make_object("p1"))
    src.modify(make_object("p1", labels={"app": "web"}))
    src.modify(make_object("p1", labels={"app": "web", "v": "2"}))
    src.modify(make_object("p1"))
    src.delete("default/p1")
    src.add(make_object("p2", labels={"app": "web"}))
    assert wait_until(lambda: len(calls) == 4)
    assert calls == [("add", "p1"), ("update", "p1"), ("delete", "p1"), ("add", "p2")]


def test_transform_applies_before_storing(make_informer):
    src = FakeControllerSource()
    src.add({"metadata": {"name": "p1", "namespace": "default", "managedFields": [1]}})
    informer = make_informer(src)

    def strip(obj):
        md = dict(obj["metadata"])
        md.pop("managedFields", None)
        return {**obj, "metadata": md}

    informer.set_transform(strip)
    informer.start()
    assert wait_until(informer.has_synced)
    assert "managedFields" not in informer.indexer.get_by_key("default/p1")["metadata"]
    with pytest.raises(InformerStoppedError):
        informer.set_transform(strip)


@pytest.mark.parametrize(
    ("default", "handlers", "expected_check", "expected_periods"),
    [
        pytest.param(0, [None, 5], 0, [0, 0], id="resync-off-ignores-handler-periods"),
        pytest.param(
            10, [None, 5, 0], 5, [10, 5, 0], id="smaller-handler-lowers-check-before-start"
        ),
        pytest.param(10, [0.5], 1, [1], id="below-one-second-becomes-one-second"),
    ],
)
def test_resync_period_rules(make_informer, default, handlers, expected_check, expected_periods):
    informer = make_informer(FakeControllerSource(), resync_period=Duration(int(default * SECOND)))
    regs = [
        informer.add_event_handler(
            Recorder(), resync_period=None if h is None else Duration(int(h * SECOND))
        )
        for h in handlers
    ]
    assert informer.resync_check_period == expected_check * SECOND
    assert [r.resync_period for r in regs] == [p * SECOND for p in expected_periods]


def test_handler_added_after_start_with_smaller_period_gets_the_check_period(make_informer):
    src = FakeControllerSource()
    informer = make_informer(src, resync_period=Duration(10 * SECOND))
    informer.start()
    assert src.wait_for_watches(1)
    reg = informer.add_event_handler(Recorder(), resync_period=Duration(2 * SECOND))
    assert reg.resync_period == 10 * SECOND


def test_stats_and_trace_messages(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    informer = make_informer(src)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert src.wait_for_watches(1)
    assert wait_until(informer.has_synced)
    stats = informer.stats()
    assert (stats.name, stats.phase.value, stats.synced, stats.objects) == (
        "pods",
        "watching",
        True,
        1,
    )
    assert (stats.lists, stats.relists, stats.watch_starts) == (1, 0, 1)
    assert stats.last_sync_resource_version == "2"
    messages = [e.message for e in trace.events]
    assert messages[0] == "LIST rv=0"
    assert "LIST done: 1 items at rv=2" in messages
    assert "SYNCED: 1 objects at rv=2" in messages
    assert any(m.startswith("WATCH from rv=2 (timeout ") for m in messages)
