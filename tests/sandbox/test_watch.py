"""WATCH: initial events, resume from a resourceVersion, 410, bookmarks, streaming lists,
selector transitions, timeouts."""

from __future__ import annotations

import json

import pytest

from kmech.sandbox import Sandbox
from tests.sandbox.helpers import Client, pod

PODS = "/api/v1/namespaces/default/pods"


def kinds(events):
    return [(e["type"], e["object"]["metadata"].get("name")) for e in events]


def test_watch_without_rv_sends_synthetic_adds_then_changes(client: Client, sb):
    sb.create("pods", pod("a"))
    sb.create("pods", pod("b"))
    w = client.watch(PODS)
    assert w.status == 200
    assert w.resp.getheader("Transfer-Encoding") == "chunked"
    assert kinds(w.events(2)) == [("ADDED", "a"), ("ADDED", "b")]
    sb.patch("pods", "a", {"metadata": {"labels": {"x": "1"}}})
    sb.delete("pods", "b")
    events = w.events(2)
    assert kinds(events) == [("MODIFIED", "a"), ("DELETED", "b")]
    assert events[1]["object"]["metadata"]["resourceVersion"] == sb.resource_version
    assert events[1]["object"]["kind"] == "Pod"
    w.close()


def test_watch_from_rv_replays_history_only(client: Client, sb):
    sb.create("pods", pod("a"))
    rv = sb.resource_version
    sb.create("pods", pod("b"))
    sb.create("configmaps", {"metadata": {"name": "c"}})
    w = client.watch(PODS, {"resourceVersion": rv, "timeoutSeconds": 1})
    assert kinds(w.rest()) == [("ADDED", "b")]


def test_watch_timeout_ends_cleanly(client: Client, sb):
    w = client.watch(PODS, {"resourceVersion": sb.resource_version, "timeoutSeconds": 1})
    assert w.rest() == []


def test_watch_from_compacted_rv_is_http_410(client: Client, sb):
    rv = sb.resource_version
    sb.create("pods", pod("a"))
    sb.compact()
    w = client.watch(PODS, {"resourceVersion": rv})
    assert w.status == 410
    status = w.resp.read()
    assert b'"reason":"Expired"' in status
    assert f"too old resource version: {rv} ({sb.resource_version})".encode() in status


def test_watch_from_compacted_rv_in_stream_mode():
    with Sandbox(expired_watch_as_http=False) as sb:
        rv = sb.resource_version
        sb.create("pods", pod("a"))
        sb.compact()
        c = Client(sb.url)
        w = c.watch(PODS, {"resourceVersion": rv})
        assert w.status == 200
        events = w.rest()
        assert [e["type"] for e in events] == ["ERROR"]
        assert events[0]["object"]["code"] == 410
        assert events[0]["object"]["reason"] == "Expired"
        c.close()


def test_compact_with_expire_sends_error_mid_stream(client: Client, sb):
    w = client.watch(PODS, {"resourceVersion": sb.resource_version})
    assert sb.wait_for_watches(1)
    sb.create("pods", pod("a"))
    assert kinds(w.events(1)) == [("ADDED", "a")]
    sb.compact(expire_watches=True)
    rest = w.rest()
    assert [e["type"] for e in rest] == ["ERROR"]
    assert rest[0]["object"]["reason"] == "Expired"


def test_label_selector_transitions(client: Client, sb):
    sb.create("pods", pod("a", labels={"app": "web"}))
    w = client.watch(PODS, {"labelSelector": "app=web"})
    assert kinds(w.events(1)) == [("ADDED", "a")]
    sb.patch("pods", "a", {"metadata": {"labels": {"app": "db"}}})
    left = w.next()
    assert left["type"] == "DELETED"
    assert left["object"]["metadata"]["labels"] == {"app": "web"}
    assert left["object"]["metadata"]["resourceVersion"] == sb.resource_version
    sb.patch("pods", "a", {"metadata": {"labels": {"app": "web"}}})
    assert kinds(w.events(1)) == [("ADDED", "a")]
    w.close()


def test_bookmarks(sb):
    with Sandbox(bookmark_interval=0.05) as fast:
        c = Client(fast.url)
        w = c.watch(PODS, {"resourceVersion": fast.resource_version, "allowWatchBookmarks": "true"})
        event = w.next()
        assert event["type"] == "BOOKMARK"
        assert event["object"] == {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {"resourceVersion": fast.resource_version},
        }
        c.close()


def test_send_initial_events_ends_with_annotated_bookmark(client: Client, sb):
    sb.create("pods", pod("a"))
    sb.create("pods", pod("b"))
    rv = sb.resource_version
    w = client.watch(
        PODS,
        {
            "sendInitialEvents": "true",
            "resourceVersionMatch": "NotOlderThan",
            "allowWatchBookmarks": "true",
            "resourceVersion": "",
        },
    )
    events = w.events(3)
    assert kinds(events[:2]) == [("ADDED", "a"), ("ADDED", "b")]
    assert events[2]["type"] == "BOOKMARK"
    assert events[2]["object"]["metadata"] == {
        "resourceVersion": rv,
        "annotations": {"k8s.io/initial-events-end": "true"},
    }
    sb.create("pods", pod("c"))
    assert kinds(w.events(1)) == [("ADDED", "c")]
    w.close()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param(
            {"sendInitialEvents": "true", "allowWatchBookmarks": "true"},
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
            id="initial-without-match",
        ),
        pytest.param(
            {"resourceVersionMatch": "NotOlderThan", "resourceVersion": "1"},
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
            id="match-without-initial",
        ),
        pytest.param(
            {"sendInitialEvents": "true", "resourceVersionMatch": "Exact"},
            'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
            id="exact-two-errors",
        ),
    ],
)
def test_invalid_watch_options_are_422(client: Client, params, message):
    w = client.watch(PODS, params)
    assert w.status == 422
    status = json.loads(w.resp.read())
    assert status["message"] == message
    assert status["details"]["kind"] == "ListOptions"
    assert status["details"]["group"] == "meta.k8s.io"
    assert status["details"]["causes"][0]["field"] == "resourceVersionMatch"


def test_send_initial_events_without_bookmarks_has_no_end_marker(client: Client, sb):
    sb.create("pods", pod("a"))
    w = client.watch(
        PODS,
        {"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan", "timeoutSeconds": 1},
    )
    assert kinds(w.rest()) == [("ADDED", "a")]


def test_metadata_only_watch(client: Client, sb):
    sb.create("pods", pod("a"))
    w = client.watch(
        PODS, accept="application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
    )
    event = w.next()
    assert event["object"]["kind"] == "PartialObjectMetadata"
    assert event["object"]["apiVersion"] == "meta.k8s.io/v1"
    assert event["object"]["metadata"]["name"] == "a"
    w.close()


def test_table_watch_sends_columns_once(client: Client, sb):
    sb.create("pods", pod("a"))
    sb.create("pods", pod("b"))
    w = client.watch(PODS, accept="application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
    first, second = w.events(2)
    assert first["object"]["kind"] == "Table"
    assert [c["name"] for c in first["object"]["columnDefinitions"]][:3] == [
        "Name",
        "Ready",
        "Status",
    ]
    assert second["object"]["columnDefinitions"] is None
    assert second["object"]["rows"][0]["cells"][0] == "b"
    w.close()


def test_stop_closes_open_watches():
    sb = Sandbox().start()
    c = Client(sb.url)
    w = c.watch(PODS, {"resourceVersion": sb.resource_version})
    assert sb.wait_for_watches(1)
    sb.stop()
    assert w.rest() == []
    c.close()


def test_send_initial_events_false_starts_now(client: Client, sb):
    sb.create("pods", pod("old"))
    w = client.watch(
        PODS,
        {"sendInitialEvents": "false", "resourceVersionMatch": "NotOlderThan", "timeoutSeconds": 1},
    )
    assert w.status == 200
    assert sb.wait_for_watches(1)
    sb.create("pods", pod("new"))
    assert kinds(w.rest()) == [("ADDED", "new")]


def test_watch_list_defaulting_turns_a_legacy_watch_into_a_streaming_list():
    with Sandbox(watch_list_defaulting=True) as sb, Client(sb.url) as c:
        sb.create("pods", pod("a"))
        rv = sb.resource_version
        w = c.watch(PODS, {"allowWatchBookmarks": "true", "timeoutSeconds": 1})
        events = w.rest()
        assert kinds(events[:1]) == [("ADDED", "a")]
        assert events[1]["type"] == "BOOKMARK"
        assert events[1]["object"]["metadata"] == {
            "resourceVersion": rv,
            "annotations": {"k8s.io/initial-events-end": "true"},
        }
