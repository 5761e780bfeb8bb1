"""Spec §10 scenarios S08, S10-S29: the watch stream, errors and resume points."""

from __future__ import annotations

import random

import pytest

from kmech.clock import MILLISECOND, SECOND, Duration
from kmech.errors import RequestTimeoutError, WatchDecodeError
from kmech.informers import (
    DeletedFinalStateUnknown,
    EventType,
    ListResult,
    ReflectorOptions,
    TraceKind,
    WatchEvent,
    is_expired_error,
)
from kmech.informers.testing import (
    FakeControllerSource,
    connection_refused_error,
    gone_error,
    internal_error,
    make_object,
    status_event,
    too_large_error,
    too_many_requests_error,
)
from tests.informers.conftest import (
    Recorder,
    ScriptedLW,
    TraceLog,
    WatchScript,
    ev,
    obj,
    rv_of,
    step_when_waiting,
    wait_until,
)


def started(make_informer, src, *names, **kwargs):
    """An informer over ``src`` (with ``names`` created first), synced and watching."""
    for name in names:
        src.add(make_object(name))
    informer = make_informer(src, **kwargs)
    rec = Recorder()
    informer.add_event_handler(rec)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert src.wait_for_watches(1)
    assert wait_until(informer.has_synced)
    assert rec.wait_for(len(names))
    rec.clear()
    return informer, rec, trace


def requests_after(src, n):
    return [(r.verb, r.options.resource_version, r.options.limit) for r in src.requests[n:]]


def test_s08_watch_events_become_add_update_delete(make_informer):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1", "p2", "p3")
    p1_old = informer.indexer.get_by_key("default/p1")
    src.add(make_object("p4"))
    src.modify(make_object("p1", labels={"v": "2"}))
    p2_last = src.delete("default/p2")
    assert rec.wait_for(3)
    assert rec.summary() == [
        ("add", "watch", "p4"),
        ("update", "watch", "p1"),
        ("delete", "watch", "p2"),
    ]
    add, update, delete = rec.notifications
    assert add.is_in_initial_list is False
    assert update.old is p1_old and update.new["metadata"]["labels"] == {"v": "2"}
    assert delete.old == p2_last
    assert sorted(informer.indexer.list_keys()) == ["default/p1", "default/p3", "default/p4"]
    assert informer.lister.by_namespace("default").get("p4")["metadata"]["name"] == "p4"


def test_s10_clean_close_rewatches_at_once_without_list(make_informer, clock):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1")
    clock.step(Duration(2 * SECOND))
    for name in ("a", "b", "c"):
        src.add(make_object(name))
    assert rec.wait_for(3)
    last_rv = src.resource_version
    n = len(src.requests)
    src.drop_watches()
    assert src.wait_for_requests(n + 1)
    assert requests_after(src, n) == [("watch", last_rv, 0)]
    assert not clock.has_waiters()  # no backoff was taken


def test_s11_bookmark_moves_the_resume_point_only(make_informer, clock):
    src = FakeControllerSource()
    informer, rec, trace = started(make_informer, src, "p1")
    clock.step(Duration(2 * SECOND))
    src.add(make_object("x"))  # RV moves on without the informer's help below
    assert rec.wait_for(1)
    rec.clear()
    keys_before = sorted(informer.indexer.list_keys())
    bookmark_rv = src.bookmark()
    assert wait_until(lambda: informer.last_sync_resource_version() == bookmark_rv)
    n = len(src.requests)
    src.drop_watches()
    assert src.wait_for_requests(n + 1)
    assert requests_after(src, n) == [("watch", bookmark_rv, 0)]
    assert rec.notifications == []
    assert sorted(informer.indexer.list_keys()) == keys_before
    assert [e.message for e in trace.of(TraceKind.BOOKMARK)] == [f"BOOKMARK rv={bookmark_rv}"]


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(None, id="s12-connection-reset"),
        pytest.param(RequestTimeoutError("no data for 70s"), id="s29-read-idle-timeout"),
    ],
)
def test_s12_s29_broken_stream_is_a_clean_end(make_informer, clock, error):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1")
    clock.step(Duration(2 * SECOND))
    src.add(make_object("x"))
    assert rec.wait_for(1)
    n = len(src.requests)
    src.break_watches(error)
    assert src.wait_for_requests(n + 1)
    assert requests_after(src, n) == [("watch", src.resource_version, 0)]


def test_s13_empty_short_watch_relists_after_backoff(make_informer, clock):
    src = FakeControllerSource()
    informer, rec, trace = started(make_informer, src, "p1")
    last = informer.last_sync_resource_version()
    n = len(src.requests)
    src.drop_watches()  # closes at once with 0 events
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_requests(n + 2)
    assert requests_after(src, n)[:2] == [("list", last, 0), ("watch", last, 0)]
    assert len(trace.of(TraceKind.BACKOFF)) == 1


@pytest.mark.parametrize("reason", ["Expired", "Gone"], ids=["s14-expired", "s15-gone"])
def test_s14_s15_in_stream_410_relists_at_last_rv(make_informer, clock, reason):
    src = FakeControllerSource()
    informer, rec, trace = started(make_informer, src, "p1", "p2", "p3")
    errors: list[object] = []
    last = informer.last_sync_resource_version()
    p2_cached = informer.indexer.get_by_key("default/p2")
    n = len(src.requests)
    src.expire_watches(reason)
    assert wait_until(clock.has_waiters)
    # Changes the informer cannot see while it backs off.
    src.modify(make_object("p1", labels={"v": "2"}))
    src.delete("default/p2")
    src.add(make_object("p5"))
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_watches(1)
    assert requests_after(src, n)[0] == ("list", last, 0)
    assert src.requests[-1].options.resource_version == src.resource_version
    assert rec.wait_for(4)
    assert rec.summary() == [
        ("delete", "relist", "tomb:default/p2"),
        ("update", "relist", "p1"),
        ("update", "relist", "p3"),
        ("add", "relist", "p5"),
    ]
    tomb = rec.notifications[0].old
    assert isinstance(tomb, DeletedFinalStateUnknown) and tomb.obj is p2_cached
    assert rec.notifications[3].is_in_initial_list is False
    assert sorted(informer.indexer.list_keys()) == ["default/p1", "default/p3", "default/p5"]
    assert errors == []
    assert [e.message for e in trace.of(TraceKind.EXPIRED)] == [f"410 Gone: relisting at rv={last}"]


@pytest.mark.parametrize(
    "error",
    [pytest.param(gone_error(), id="s16-410"), pytest.param(too_large_error(), id="s17-too-large")],
)
def test_s16_s17_relist_rv_unavailable_retries_without_rv(make_informer, clock, error):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1")
    hook: list[object] = []
    last = informer.last_sync_resource_version()
    n = len(src.requests)
    src.fail_next_lists(error)
    src.expire_watches()
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_watches(1)
    assert requests_after(src, n)[:3] == [
        ("list", last, 0),
        ("list", "", 0),
        ("watch", src.resource_version, 0),
    ]
    assert hook == []
    # The flag is cleared: the next relist uses the last RV again.
    clock.step(Duration(2 * SECOND))
    src.add(make_object("x"))
    last = src.resource_version
    assert wait_until(lambda: informer.last_sync_resource_version() == last)
    n = len(src.requests)
    src.expire_watches()
    step_when_waiting(clock, Duration(5 * SECOND))
    assert src.wait_for_watches(1)
    assert requests_after(src, n)[0] == ("list", last, 0)


def test_s18_watch_request_410_calls_hook_and_relists(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    informer = make_informer(src)
    errors: list[Exception] = []
    informer.set_watch_error_handler(lambda r, err: errors.append(err))
    src.fail_next_watches(gone_error())
    informer.start()
    assert src.wait_for_requests(2)
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_watches(1)
    last = src.requests[0].options  # the first list
    assert [(r.verb, r.options.resource_version) for r in src.requests] == [
        ("list", "0"),
        ("watch", "2"),
        ("list", "2"),
        ("watch", "2"),
    ]
    assert last.limit == 500
    assert len(errors) == 1 and is_expired_error(errors[0])


def test_s19_refused_watch_retries_watch_with_growing_backoff(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    informer = make_informer(src)
    errors: list[Exception] = []
    informer.set_watch_error_handler(lambda r, err: errors.append(err))
    trace = TraceLog()
    informer.add_trace_hook(trace)
    src.fail_next_watches(*[connection_refused_error()] * 4)
    informer.start()
    for i in range(4):
        assert src.wait_for_requests(2 + i)
        assert wait_until(lambda n=i + 1: len(trace.of(TraceKind.BACKOFF)) == n)
        step_when_waiting(clock, trace.of(TraceKind.BACKOFF)[-1].delay)
    assert src.wait_for_watches(1)
    assert [(r.verb, r.options.resource_version) for r in src.requests] == [("list", "0")] + [
        ("watch", "2")
    ] * 5
    delays = [e.delay for e in trace.of(TraceKind.BACKOFF)]
    d = 800 * MILLISECOND
    for i, delay in enumerate(delays):
        assert (2**i) * d <= delay < (2 ** (i + 1)) * d
    assert errors == []
    assert trace.of(TraceKind.BACKOFF)[0].message.startswith("connection lost: retry in ")
    src.add(make_object("p2"))
    assert wait_until(lambda: informer.indexer.get_by_key("default/p2") is not None)


def test_s20_watch_429_honours_retry_after_without_relist(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    informer = make_informer(src)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    src.fail_next_watches(too_many_requests_error(retry_after_seconds=5))
    informer.start()
    step_when_waiting(clock, Duration(5 * SECOND))
    assert src.wait_for_watches(1)
    assert [(r.verb, r.options.resource_version) for r in src.requests] == [
        ("list", "0"),
        ("watch", "2"),
        ("watch", "2"),
    ]
    assert trace.of(TraceKind.BACKOFF)[0].delay == 5 * SECOND


def test_s21_in_stream_429_rewatches_after_backoff(make_informer, clock):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1")
    last = informer.last_sync_resource_version()
    n = len(src.requests)
    src.send(status_event(429, "TooManyRequests", "slow down"))
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_requests(n + 1)
    assert requests_after(src, n) == [("watch", last, 0)]


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(status_event(500, "InternalError", "boom"), id="s22-in-stream-500"),
        pytest.param(WatchDecodeError("unknown event type NOPE"), id="s22-undecodable"),
    ],
)
def test_s22_in_stream_500_or_garbage_relists(make_informer, clock, fault):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1")
    last = informer.last_sync_resource_version()
    n = len(src.requests)
    if isinstance(fault, WatchEvent):
        src.send(fault)
    else:
        src.break_watches(fault)
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_watches(1)
    assert requests_after(src, n)[0] == ("list", last, 0)


@pytest.mark.parametrize(
    ("configured", "low", "high"),
    [
        pytest.param(None, 300, 599, id="default"),
        pytest.param(600, 600, 1199, id="min-600"),
        pytest.param(60, 300, 599, id="min-60-ignored"),
    ],
)
def test_s23_watch_timeouts_are_redrawn_per_request(make_informer, clock, configured, low, high):
    src = FakeControllerSource()
    opts = (
        ReflectorOptions()
        if configured is None
        else ReflectorOptions(min_watch_timeout=Duration(configured * SECOND))
    )
    informer, rec, _ = started(
        make_informer, src, "p1", reflector_options=opts, rng=random.Random(3)
    )
    for i in range(4):
        clock.step(Duration(2 * SECOND))
        src.add(make_object(f"x{i}"))
        assert rec.wait_for(i + 1)
        n = len(src.requests)
        src.drop_watches()
        assert src.wait_for_watches(1) and src.wait_for_requests(n + 1)
    timeouts = [r.options.timeout_seconds for r in src.requests if r.verb == "watch"]
    assert len(timeouts) == 5
    assert all(isinstance(t, int) and low <= t <= high for t in timeouts)
    assert len(set(timeouts)) > 1


def test_s25_resume_rv_ignores_synthetic_adds(make_informer, clock):
    lw = ScriptedLW(
        lists=[ListResult([], ""), ListResult([], "")],
        watches=[WatchScript([ev("ADDED", "a", "9"), ev("ADDED", "b", "3")])],
    )
    informer = make_informer(lw)
    informer.start()
    assert lw.wait_requests(3)
    assert [(v, o.resource_version) for v, o in lw.requests[:3]] == [
        ("list", "0"),
        ("watch", ""),
        ("watch", ""),
    ]
    lw2 = ScriptedLW(
        lists=[ListResult([], "")],
        watches=[
            WatchScript([ev("ADDED", "a", "9"), ev("ADDED", "b", "3"), ev("MODIFIED", "a", "12")])
        ],
    )
    informer2 = make_informer(lw2, name="pods2")
    informer2.start()
    assert lw2.wait_requests(3)
    assert [(v, o.resource_version) for v, o in lw2.requests[:3]] == [
        ("list", "0"),
        ("watch", ""),
        ("watch", "12"),
    ]


def test_s26_opaque_resource_versions_round_trip(make_informer, clock):
    src = FakeControllerSource(rv_format=lambda n: f"rv-{n:x}z")
    informer, rec, _ = started(make_informer, src, "p1")
    clock.step(Duration(2 * SECOND))
    src.add(make_object("x"))
    assert rec.wait_for(1)
    n = len(src.requests)
    src.drop_watches()
    assert src.wait_for_requests(n + 1)
    assert requests_after(src, n) == [("watch", src.resource_version, 0)]
    assert src.resource_version.startswith("rv-")


def test_s27_delete_for_unknown_key_is_dropped(make_informer):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1")
    src.send(ev("DELETED", "ghost", "99"))
    src.add(make_object("marker"))
    assert rec.wait_for(1)
    assert rec.summary() == [("add", "watch", "marker")]
    assert sorted(informer.indexer.list_keys()) == ["default/marker", "default/p1"]


def test_s28_leaving_and_reentering_the_selector(make_informer):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1")
    src.send(ev("DELETED", "p1", "50"))
    assert wait_until(lambda: informer.last_sync_resource_version() == "50")
    src.send(ev("ADDED", "p1", "51"))
    assert rec.wait_for(2)
    assert rec.summary() == [("delete", "watch", "p1"), ("add", "watch", "p1")]
    assert rec.notifications[1].is_in_initial_list is False
    assert wait_until(lambda: informer.last_sync_resource_version() == "51")


def test_resync_failure_is_not_an_http_request(make_informer, clock):
    """S32's premise at reflector level: resync is served from the cache."""
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1", resync_period=Duration(1 * SECOND))
    n = len(src.requests)
    step_when_waiting(clock, Duration(1 * SECOND))
    assert rec.wait_for(1)
    assert len(src.requests) == n
    assert rec.summary() == [("update", "resync", "p1")]
    assert rv_of(rec.notifications[0].old) == rv_of(rec.notifications[0].new)


def test_unexpected_object_in_error_event_relists(make_informer, clock):
    src = FakeControllerSource()
    informer, rec, _ = started(make_informer, src, "p1")
    n = len(src.requests)
    src.send(WatchEvent(EventType.ERROR, {"metadata": {}}))
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_watches(1)
    assert requests_after(src, n)[0][0] == "list"


def test_internal_error_retry_budget_rewatches(make_informer, clock):
    src = FakeControllerSource()
    opts = ReflectorOptions(max_internal_error_retry=Duration(30 * SECOND))
    informer, rec, _ = started(make_informer, src, "p1", reflector_options=opts)
    n = len(src.requests)
    src.send(status_event(500, "InternalError", "boom"))
    assert src.wait_for_requests(n + 1)
    assert requests_after(src, n) == [("watch", informer.last_sync_resource_version(), 0)]


def test_list_errors_other_than_expiry_are_returned(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    src.fail_next_lists(internal_error())
    informer = make_informer(src)
    seen: list[str] = []
    informer.set_watch_error_handler(lambda r, err: seen.append(type(err).__name__))
    informer.start()
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_watches(1)
    assert seen == ["APIStatusError"]
    assert obj  # keep helper import used
