"""Streaming list (spec §3.6; scenarios S41-S44)."""

from __future__ import annotations

import pytest

from kmech.clock import SECOND, Duration
from kmech.errors import APIStatusError, ForbiddenError, Status
from kmech.informers import EventType, ListResult, ReflectorOptions, WatchEvent
from kmech.informers.testing import FakeControllerSource, make_object
from tests.informers.conftest import (
    Recorder,
    ScriptedLW,
    WatchScript,
    ev,
    obj,
    wait_until,
)

WATCH_LIST = ReflectorOptions(use_watch_list=True)


def end_bookmark(rv: str, value: str | None = "true") -> WatchEvent:
    md: dict = {"resourceVersion": rv}
    if value is not None:
        md["annotations"] = {"k8s.io/initial-events-end": value}
    return WatchEvent(EventType.BOOKMARK, {"metadata": md})


def test_s41_streaming_list_builds_state_then_keeps_the_stream(make_informer):
    lw = ScriptedLW(
        watches=[
            WatchScript(
                [
                    ev("ADDED", "p1", "11"),
                    ev("ADDED", "p2", "12"),
                    ev("MODIFIED", "p1", "13", spec={"v": 2}),
                    ev("ADDED", "p3", "14"),
                    ev("DELETED", "p3", "15"),
                    end_bookmark("20"),
                    ev("ADDED", "p4", "21"),
                ],
                end="hang",
            )
        ]
    )
    informer = make_informer(lw, reflector_options=WATCH_LIST)
    rec = Recorder()
    informer.add_event_handler(rec)
    informer.start()
    assert rec.wait_for(3)
    assert wait_until(informer.has_synced)
    assert len(lw.requests) == 1
    verb, opts = lw.requests[0]
    assert verb == "watch"
    assert (opts.send_initial_events, opts.resource_version_match, opts.allow_watch_bookmarks) == (
        True,
        "NotOlderThan",
        True,
    )
    assert opts.resource_version == ""
    first_two = sorted(rec.summary()[:2])
    assert first_two == [("add", "initial", "p1"), ("add", "initial", "p2")]
    p1 = next(n.new for n in rec.notifications if n.new["metadata"]["name"] == "p1")
    assert p1["spec"] == {"v": 2}
    assert all(n.is_in_initial_list for n in rec.notifications[:2])
    assert rec.summary()[2] == ("add", "watch", "p4")
    assert rec.notifications[2].is_in_initial_list is False
    assert informer.last_sync_resource_version() == "21"


def test_s42_stream_closed_before_the_end_bookmark_restarts_the_streaming_list(
    make_informer, clock
):
    lw = ScriptedLW(
        watches=[
            WatchScript([ev("ADDED", "p1", "11")]),
            WatchScript([ev("ADDED", "p1", "11"), end_bookmark("30")], end="hang"),
        ]
    )
    informer = make_informer(lw, reflector_options=WATCH_LIST)
    rec = Recorder()
    informer.add_event_handler(rec)
    informer.start()
    assert rec.wait_for(1)
    assert lw.verbs() == ["watch", "watch"]
    assert all(o.send_initial_events for _, o in lw.requests)
    assert rec.summary() == [("add", "initial", "p1")]


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(
            APIStatusError("the server answered 422: invalid", Status(422, "Invalid", "invalid")),
            id="422-invalid",
        ),
        pytest.param(
            ForbiddenError("forbidden (403)", Status(403, "Forbidden")), id="403-forbidden"
        ),
    ],
)
def test_s43_rejected_streaming_list_falls_back_to_list(make_informer, error):
    src = FakeControllerSource()
    src.add(make_object("p1"))
    src.fail_next_watches(error)
    informer = make_informer(src, reflector_options=WATCH_LIST)
    informer.start()
    assert src.wait_for_watches(1)
    assert [
        (r.verb, r.options.resource_version, r.options.limit, r.options.send_initial_events)
        for r in src.requests
    ] == [
        ("watch", "", 0, True),
        ("list", "0", 500, False),
        ("watch", "2", 0, False),
    ]


def test_empty_short_streaming_list_falls_back_to_list(make_informer):
    lw = ScriptedLW(lists=[ListResult([obj("p1", "5")], "5")], watches=[WatchScript([])])
    informer = make_informer(lw, reflector_options=WATCH_LIST)
    informer.start()
    assert lw.wait_requests(3)
    assert [(v, o.send_initial_events) for v, o in lw.requests[:3]] == [
        ("watch", True),
        ("list", False),
        ("watch", False),
    ]


@pytest.mark.parametrize("value", ["false", None], ids=["annotated-false", "not-annotated"])
def test_s44_other_bookmarks_do_not_end_the_initial_phase(make_informer, value):
    lw = ScriptedLW(
        watches=[WatchScript([ev("ADDED", "p1", "11"), end_bookmark("12", value)], end="hang")]
    )
    informer = make_informer(lw, reflector_options=WATCH_LIST)
    rec = Recorder()
    informer.add_event_handler(rec)
    informer.start()
    assert lw.wait_requests(1)
    assert wait_until(lambda: informer.stats().bookmarks == 1)
    assert informer.has_synced() is False
    assert informer.last_sync_resource_version() == ""
    assert rec.notifications == []


def test_watch_list_against_the_fake_source_then_plain_rewatch(make_informer, clock):
    src = FakeControllerSource()
    for name in ("a", "b"):
        src.add(make_object(name))
    informer = make_informer(src, reflector_options=WATCH_LIST)
    rec = Recorder()
    informer.add_event_handler(rec)
    informer.start()
    assert rec.wait_for(2) and wait_until(informer.has_synced)
    clock.step(Duration(2 * SECOND))
    src.add(make_object("c"))
    assert rec.wait_for(3)
    n = len(src.requests)
    src.drop_watches()
    assert src.wait_for_requests(n + 1)
    last = src.requests[-1].options
    assert (last.send_initial_events, last.resource_version) == (False, src.resource_version)
    assert obj  # helper kept for symmetry with other modules
    assert ListResult
