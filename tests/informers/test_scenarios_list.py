"""Spec §10 scenarios S01-S07: initial sync and LIST, against the in-memory source."""

from __future__ import annotations

import threading

import pytest

from kmech.clock import MILLISECOND, SECOND, Duration
from kmech.informers import (
    ListResult,
    ListWatch,
    ResourceEventHandlerFuncs,
    TraceKind,
    wait_for_cache_sync,
)
from kmech.informers.testing import (
    FakeControllerSource,
    connection_refused_error,
    gone_error,
    internal_error,
    make_object,
    too_many_requests_error,
)
from tests.informers.conftest import (
    Recorder,
    ScriptedLW,
    TraceLog,
    obj,
    step_when_waiting,
    wait_until,
)


def test_s01_initial_list_then_watch(make_informer):
    src = FakeControllerSource()
    for name in ("p1", "p2", "p3"):
        src.add(make_object(name))
    list_rv = src.resource_version
    informer = make_informer(src)
    release = threading.Event()
    calls: list[tuple[str, bool]] = []

    def on_add(o, initial):
        calls.append((o["metadata"]["name"], initial))
        if len(calls) == 3:
            release.wait(10)

    reg = informer.add_event_handler(ResourceEventHandlerFuncs(add_func=on_add))
    informer.start()
    assert src.wait_for_watches(1)
    lst, watch = src.requests[0], src.requests[1]
    assert (lst.verb, lst.options.resource_version, lst.options.limit) == ("list", "0", 500)
    assert lst.options.resource_version_match == ""
    assert watch.verb == "watch"
    assert watch.options.resource_version == list_rv
    assert watch.options.allow_watch_bookmarks is True
    assert 300 <= watch.options.timeout_seconds <= 599
    assert wait_until(informer.has_synced)
    assert wait_until(lambda: len(calls) == 3)
    # The third on_add has not returned yet: the registration is not synced.
    assert reg.has_synced() is False
    release.set()
    assert wait_until(reg.has_synced)
    assert calls == [("p1", True), ("p2", True), ("p3", True)]


def test_s02_empty_list_is_synced_at_once(make_informer):
    lw = ScriptedLW(lists=[ListResult([], "7")])
    informer = make_informer(lw)
    rec = Recorder()
    informer.add_event_handler(rec)
    informer.start()
    assert wait_until(informer.has_synced)
    assert lw.wait_requests(2)
    assert lw.requests[1][0] == "watch"
    assert lw.requests[1][1].resource_version == "7"
    assert rec.notifications == []


def test_s03_paged_list_drops_rv_on_continue(make_informer):
    src = FakeControllerSource()
    for i in range(502):
        src.add(make_object(f"p{i:04d}"))
    first_rv = src.resource_version
    informer = make_informer(src)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert src.wait_for_watches(1)
    page1, page2, watch = src.requests[:3]
    assert (page1.options.limit, page1.options.resource_version) == (500, "0")
    assert page2.options.continue_token
    assert page2.options.limit == 500
    assert page2.options.resource_version == ""
    assert page2.options.resource_version_match == ""
    assert wait_until(lambda: len(informer.indexer.list()) == 502)
    assert watch.options.resource_version == first_rv
    pages = trace.of(trace.events[0].kind.__class__.LIST_PAGE)
    assert [p.message for p in pages] == [
        "LIST page 1 of 2 (500 items so far)",
        "LIST page 2 of 2 (502 items so far)",
    ]


def test_s04_expired_continue_token_falls_back_to_one_full_list(make_informer):
    src = FakeControllerSource()
    for i in range(502):
        src.add(make_object(f"p{i:04d}"))
    src.fail_next_lists(None, gone_error("Expired", "continue token expired"))
    informer = make_informer(src)
    informer.start()
    assert src.wait_for_watches(1)
    verbs = [
        (r.verb, r.options.resource_version, r.options.limit, r.options.continue_token)
        for r in src.requests
    ]
    assert verbs[0][:3] == ("list", "0", 500)
    assert verbs[1][0] == "list" and verbs[1][3]  # the continuation that failed
    assert verbs[2] == ("list", "0", 0, "")  # exactly one full list, original RV
    assert verbs[3][0] == "watch"
    assert verbs[3][1] == src.resource_version
    assert wait_until(lambda: len(informer.indexer.list()) == 502)


def test_s05_items_without_kind_and_cluster_scoped_keys(make_informer):
    lw = ScriptedLW(lists=[ListResult([obj("p1", "5"), obj("node-a", "6", namespace="")], "9")])
    informer = make_informer(lw)
    informer.start()
    assert wait_until(informer.has_synced)
    assert sorted(informer.indexer.list_keys()) == ["default/p1", "node-a"]


def test_s06_selectors_on_every_request(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    lw = ListWatch(
        src.list, src.watch, label_selector="app=x", field_selector="status.phase=Running"
    )
    informer = make_informer(lw)
    informer.start()
    assert src.wait_for_watches(1)
    src.expire_watches()  # forces a relist
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_watches(1)
    assert len(src.requests) == 4
    assert {(r.options.label_selector, r.options.field_selector) for r in src.requests} == {
        ("app=x", "status.phase=Running")
    }


def test_s07_list_failures_back_off_and_call_the_hook(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    src.fail_next_lists(internal_error(), internal_error())
    informer = make_informer(src)
    errors: list[str] = []
    informer.set_watch_error_handler(lambda r, err: errors.append(str(err)))
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert src.wait_for_requests(1)
    assert wait_until(clock.has_waiters)
    assert informer.has_synced() is False
    assert wait_for_cache_sync(informer, timeout_seconds=0.05) is False
    step_when_waiting(clock, Duration(1600 * MILLISECOND))
    assert src.wait_for_requests(2)
    step_when_waiting(clock, Duration(3200 * MILLISECOND))
    assert src.wait_for_watches(1)
    assert wait_until(informer.has_synced)
    delays = [e.delay for e in trace.of(trace.events[0].kind.__class__.BACKOFF)]
    assert 800 * MILLISECOND <= delays[0] < 1600 * MILLISECOND
    assert 1600 * MILLISECOND <= delays[1] < 3200 * MILLISECOND
    assert len(errors) == 2
    assert [r.verb for r in src.requests] == ["list", "list", "list", "watch"]


def test_relists_stay_paged_once_the_initial_list_was_paginated(make_informer, clock):
    src = FakeControllerSource()
    for i in range(502):
        src.add(make_object(f"p{i:04d}"))
    informer = make_informer(src)
    informer.start()
    assert src.wait_for_watches(1)
    last = informer.last_sync_resource_version()
    n = len(src.requests)
    src.expire_watches()
    step_when_waiting(clock, Duration(2 * SECOND))
    assert src.wait_for_watches(1)
    relist = src.requests[n]
    assert (relist.verb, relist.options.resource_version, relist.options.limit) == (
        "list",
        last,
        500,
    )


def test_run_blocks_until_the_stop_event(make_informer):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    informer = make_informer(src)
    stop = threading.Event()
    runner = threading.Thread(target=informer.run, args=(stop,), name="test:runner")
    runner.start()
    assert src.wait_for_watches(1)
    assert wait_until(informer.has_synced)
    stop.set()
    runner.join(10)
    assert not runner.is_alive()
    assert informer.stopped and src.open_watches() == 0


def test_list_429_waits_at_least_retry_after(make_informer, clock):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    src.fail_next_lists(too_many_requests_error(retry_after_seconds=20))
    informer = make_informer(src)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert wait_until(lambda: len(trace.of(TraceKind.BACKOFF)) == 1)
    assert trace.of(TraceKind.BACKOFF)[0].delay == 20 * SECOND
    step_when_waiting(clock, Duration(20 * SECOND))
    assert src.wait_for_watches(1)


@pytest.mark.parametrize(
    ("error", "prefix"),
    [
        pytest.param(connection_refused_error(), "connection lost: retry in ", id="refused"),
        pytest.param(internal_error(), "relist: retry in ", id="server-error"),
    ],
)
def test_list_failure_backoff_trace_names_the_cause(make_informer, error, prefix):
    src = FakeControllerSource()
    src.fail_next_lists(error)
    informer = make_informer(src)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert wait_until(lambda: len(trace.of(TraceKind.BACKOFF)) == 1)
    assert trace.of(TraceKind.BACKOFF)[0].message.startswith(prefix)
