"""Small protocol pieces: query encoding, error classification, trace text, the fake source."""

from __future__ import annotations

import pytest

from kmech.clock import MILLISECOND, SECOND, Duration
from kmech.errors import APIStatusError, GoneError, Status
from kmech.informers import (
    EventType,
    ListOptions,
    TraceEvent,
    TraceKind,
    is_expired_error,
    is_too_large_resource_version_error,
)
from kmech.informers.testing import (
    FakeControllerSource,
    gone_error,
    internal_error,
    make_object,
    too_large_error,
)


@pytest.mark.parametrize(
    ("options", "query"),
    [
        pytest.param(ListOptions(), {}, id="empty"),
        pytest.param(
            ListOptions(resource_version="0", limit=500),
            {"resourceVersion": "0", "limit": "500"},
            id="initial-list",
        ),
        pytest.param(
            ListOptions(limit=500, continue_token="T1"),
            {"limit": "500", "continue": "T1"},
            id="continue-page",
        ),
        pytest.param(
            ListOptions(resource_version="100", timeout_seconds=347, allow_watch_bookmarks=True),
            {"resourceVersion": "100", "timeoutSeconds": "347", "allowWatchBookmarks": "true"},
            id="watch",
        ),
        pytest.param(
            ListOptions(
                send_initial_events=True,
                resource_version_match="NotOlderThan",
                allow_watch_bookmarks=True,
                label_selector="app=x",
                field_selector="status.phase=Running",
            ),
            {
                "sendInitialEvents": "true",
                "resourceVersionMatch": "NotOlderThan",
                "allowWatchBookmarks": "true",
                "labelSelector": "app=x",
                "fieldSelector": "status.phase=Running",
            },
            id="streaming-list",
        ),
    ],
)
def test_list_options_to_query(options, query):
    assert options.to_query() == query


@pytest.mark.parametrize(
    ("error", "expired", "too_large"),
    [
        pytest.param(gone_error("Expired"), True, False, id="410-expired"),
        pytest.param(gone_error("Gone"), True, False, id="410-gone"),
        pytest.param(
            APIStatusError("x", Status(410, "", "")), True, False, id="410-without-reason"
        ),
        pytest.param(too_large_error(), False, True, id="504-cause"),
        pytest.param(
            APIStatusError("x", Status(504, "Timeout", "Too large resource version")),
            False,
            True,
            id="504-legacy-message",
        ),
        pytest.param(
            APIStatusError("x", Status(504, "Timeout", "request timed out")),
            False,
            False,
            id="504-plain-timeout",
        ),
        pytest.param(internal_error(), False, False, id="500"),
    ],
)
def test_error_classification(error, expired, too_large):
    assert is_expired_error(error) is expired
    assert is_too_large_resource_version_error(error) is too_large


@pytest.mark.parametrize(
    ("event", "message"),
    [
        pytest.param(
            TraceEvent(kind=TraceKind.LIST_START, resource_version="0"), "LIST rv=0", id="list"
        ),
        pytest.param(
            TraceEvent(kind=TraceKind.LIST_PAGE, page=3, total_pages=9, items=1500),
            "LIST page 3 of 9 (1500 items so far)",
            id="page",
        ),
        pytest.param(
            TraceEvent(kind=TraceKind.WATCH_START, resource_version="1042", timeout_seconds=347),
            "WATCH from rv=1042 (timeout 347s)",
            id="watch",
        ),
        pytest.param(
            TraceEvent(kind=TraceKind.BOOKMARK, resource_version="1100"),
            "BOOKMARK rv=1100",
            id="bookmark",
        ),
        pytest.param(
            TraceEvent(kind=TraceKind.EXPIRED, resource_version="1100"),
            "410 Gone: relisting at rv=1100",
            id="expired",
        ),
        pytest.param(
            TraceEvent(
                kind=TraceKind.BACKOFF, delay=Duration(1300 * MILLISECOND), reason="connection lost"
            ),
            "connection lost: retry in 1.3 s",
            id="backoff",
        ),
        pytest.param(
            TraceEvent(
                kind=TraceKind.WATCH_END, resource_version="7", events=3, reason="closed by server"
            ),
            "WATCH ended after 3 events (closed by server); resuming at rv=7",
            id="watch-end",
        ),
        pytest.param(
            TraceEvent(kind=TraceKind.BACKOFF, delay=Duration(30 * SECOND), reason="relist"),
            "relist: retry in 30.0 s",
            id="relist-backoff",
        ),
    ],
)
def test_trace_messages(event, message):
    assert event.message == message


def test_fake_source_pages_replays_and_expires():
    src = FakeControllerSource()
    for i in range(5):
        src.add(make_object(f"p{i}"))
    page = src.list(ListOptions(resource_version="0", limit=2))
    assert [o["metadata"]["name"] for o in page.items] == ["p0", "p1"]
    assert (page.continue_token != "", page.remaining) == (True, 3)
    rest = src.list(ListOptions(limit=2, continue_token=page.continue_token))
    assert [o["metadata"]["name"] for o in rest.items] == ["p2", "p3"]
    assert rest.resource_version == page.resource_version
    src.expire_continue_tokens()
    with pytest.raises(GoneError):
        src.list(ListOptions(limit=2, continue_token=rest.continue_token))
    w = src.watch(ListOptions(resource_version="3"))
    src.drop_watches()
    assert [(e.type, e.object["metadata"]["name"]) for e in w] == [
        (EventType.ADDED, "p2"),
        (EventType.ADDED, "p3"),
        (EventType.ADDED, "p4"),
    ]
    src.compact()
    expired = list(src.watch(ListOptions(resource_version="3")))
    assert [(e.type, e.object["code"]) for e in expired] == [(EventType.ERROR, 410)]
    with pytest.raises(APIStatusError, match="504"):
        src.list(ListOptions(resource_version="999"))
