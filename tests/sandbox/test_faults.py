"""Faults on demand: status answers, watch drops, mid-stream 410, truncation, stalls, refused
connections, latency; and bearer-token authentication."""

from __future__ import annotations

import http.client
import json
import socket
import threading

import pytest

from kmech.sandbox import Sandbox
from tests.sandbox.helpers import Client, pod

PODS = "/api/v1/namespaces/default/pods"


def test_token_required():
    with Sandbox(token="s3cret") as sb:
        with Client(sb.url) as anonymous:
            answer = anonymous.get("/api")
            assert answer.status == 401
            assert answer.json() == {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": "Unauthorized",
                "reason": "Unauthorized",
                "code": 401,
            }
        with Client(sb.url, token="wrong") as wrong:
            assert wrong.get("/version").status == 401
        with Client(sb.url, token="s3cret") as right:
            assert right.get("/version").status == 200


@pytest.mark.parametrize(
    ("path", "method", "message"),
    [
        pytest.param(
            "/api/v1/namespaces/shop/pods",
            "GET",
            'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "shop"',
            id="list-namespaced",
        ),
        pytest.param(
            "/apis/apps/v1/namespaces/shop/deployments/web",
            "GET",
            'deployments.apps "web" is forbidden: User "system:anonymous" cannot get resource "deployments" in API group "apps" in the namespace "shop"',
            id="get-grouped",
        ),
        pytest.param(
            "/api/v1/nodes",
            "GET",
            'nodes is forbidden: User "system:anonymous" cannot list resource "nodes" in API group "" at the cluster scope',
            id="cluster-scope",
        ),
        pytest.param(
            "/api/v1/namespaces/shop/pods?watch=true",
            "GET",
            'pods is forbidden: User "system:anonymous" cannot watch resource "pods" in API group "" in the namespace "shop"',
            id="watch",
        ),
    ],
)
def test_forbidden_fault_messages(client: Client, sb, path, method, message):
    sb.faults.status(403)
    answer = client.request(method, path)
    assert answer.status == 403
    status = answer.json()
    assert (status["reason"], status["message"]) == ("Forbidden", message)


def test_status_fault_matching_and_times(client: Client, sb):
    sb.faults.status(500, path_regex=r"/configmaps", method="GET", times=2)
    assert client.get(PODS).status == 200
    assert (
        client.request(
            "POST", "/api/v1/namespaces/default/configmaps", body={"metadata": {"name": "c"}}
        ).status
        == 201
    )
    first = client.get("/api/v1/namespaces/default/configmaps")
    assert first.status == 500
    assert first.json()["reason"] == "InternalError"
    assert client.get("/api/v1/namespaces/default/configmaps").status == 500
    assert client.get("/api/v1/namespaces/default/configmaps").status == 200


def test_too_many_requests_has_retry_after(client: Client, sb):
    sb.faults.status(429, retry_after=3)
    answer = client.get(PODS)
    assert answer.status == 429
    assert answer.headers["retry-after"] == "3"
    assert answer.json()["details"] == {"retryAfterSeconds": 3}
    assert answer.json()["reason"] == "TooManyRequests"


def test_custom_message_and_forever(client: Client, sb):
    sb.faults.status(403, message="nope", times=None)
    for _ in range(3):
        assert client.get(PODS).json()["message"] == "nope"
    sb.faults.clear()
    assert client.get(PODS).status == 200


def test_drop_watch_after_n_events(client: Client, sb):
    for name in ("a", "b", "c"):
        sb.create("pods", pod(name))
    sb.faults.drop_watch_after(2)
    w = client.watch(PODS)
    assert [e["object"]["metadata"]["name"] for e in w.rest()] == ["a", "b"]
    again = client.watch(PODS, {"timeoutSeconds": 1})
    assert len(again.rest()) == 3  # the fault was used up by the first stream


def test_drop_watch_at_once(client: Client, sb):
    sb.faults.drop_watch_after(0)
    w = client.watch(PODS, {"resourceVersion": sb.resource_version})
    assert w.status == 200
    assert w.rest() == []


def test_expire_mid_stream_on_open_watch(client: Client, sb):
    w = client.watch(PODS, {"resourceVersion": sb.resource_version})
    assert sb.wait_for_watches(1)
    sb.faults.expire_watch_mid_stream(after_events=1)
    sb.create("pods", pod("a"))
    sb.create("pods", pod("b"))
    events = w.rest()
    assert [e["type"] for e in events] == ["ADDED", "ERROR"]
    assert events[1]["object"]["code"] == 410
    assert events[1]["object"]["reason"] == "Expired"
    assert events[1]["object"]["message"].startswith("too old resource version: ")


def test_truncated_event_resets_connection(client: Client, sb):
    sb.create("pods", pod("a"))
    sb.create("pods", pod("b"))
    sb.faults.truncate_next_event()
    w = client.watch(PODS)
    with pytest.raises(
        (http.client.IncompleteRead, ConnectionError, json.JSONDecodeError, ValueError)
    ):
        while w.next() is not None:
            pass


def test_stall_watch_delays_events(client: Client, sb):
    sb.faults.stall_watch(30)
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=0.5)
    conn.request("GET", f"{PODS}?watch=true&resourceVersion={sb.resource_version}")
    resp = conn.getresponse()
    assert resp.status == 200
    sb.create("pods", pod("a"))
    with pytest.raises(TimeoutError):
        resp.readline()
    resp.close()
    conn.close()


def test_refuse_connections(sb):
    sb.faults.refuse_connections(True)
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", sb.port), timeout=2),
    ):
        pass
    sb.faults.refuse_connections(False)
    with Client(sb.url) as c:
        assert c.get("/version").status == 200


def test_refuse_resets_open_watches(client: Client, sb):
    w = client.watch(PODS, {"resourceVersion": sb.resource_version})
    assert sb.wait_for_watches(1)
    sb.faults.refuse_connections(True)
    try:
        assert w.rest() == [] or True
    except (http.client.IncompleteRead, ConnectionError):
        pass
    assert sb.wait_for(lambda s: s.open_watches == 0)
    sb.faults.refuse_connections(False)


def test_latency_is_applied(client: Client, sb):
    sb.faults.latency(0.2, path_regex="/version")
    done = threading.Event()
    result = {}

    def call():
        with Client(sb.url) as c:
            result["status"] = c.get("/version").status
        done.set()

    thread = threading.Thread(target=call, name="test-latency")
    thread.start()
    assert not done.wait(0.05)
    assert done.wait(5)
    thread.join()
    assert result["status"] == 200
    assert client.get("/api").status == 200


def test_request_log(client: Client, sb):
    client.get(PODS, params={"labelSelector": "a=b"}, accept="application/json")
    record = sb.requests[-1]
    assert (record.method, record.path, record.query, record.accept, record.code) == (
        "GET",
        PODS,
        {"labelSelector": "a=b"},
        "application/json",
        200,
    )
    assert sb.request_count == 1
    assert record.at > 0
    sb.clear_requests()
    assert sb.requests == []


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        pytest.param(429, "TooManyRequests", id="429"),
        pytest.param(500, "InternalError", id="500"),
        pytest.param(410, "Expired", id="410"),
    ],
)
def test_watch_error_event(client: Client, sb, code, reason):
    sb.create("pods", pod("a"))
    sb.faults.watch_error(code, after_events=1)
    w = client.watch(PODS)
    events = w.rest()
    assert [e["type"] for e in events] == ["ADDED", "ERROR"]
    assert (events[1]["object"]["code"], events[1]["object"]["reason"]) == (code, reason)


def test_scripted_response_splits_and_packs_events(client: Client, sb):
    one = (
        b'{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"5"}}}\n'
    )
    two = b'{"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"6"}}}\n'
    sb.faults.script(
        [one[:10], one[10:30], one[30:], b"\n", two + two.rstrip(b"\n")], path_regex="watch=true"
    )
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    conn.request("GET", f"{PODS}?watch=true")
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.read() == one + b"\n" + two + two.rstrip(b"\n")
    conn.close()
    assert sb.requests[-1].code == 200


def test_scripted_response_reset_and_status(client: Client, sb):
    sb.faults.script(
        [b'{"kind":"PodList","metadata":{"resourceVersion":""},"items":[]}'],
        method="GET",
        path_regex="/pods$",
        status=200,
    )
    assert client.get(PODS).json()["metadata"]["resourceVersion"] == ""
    sb.faults.script([b'{"type":"NOPE"}\n'], end="reset")
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    conn.request("GET", f"{PODS}?watch=true")
    resp = conn.getresponse()
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        resp.read()
    conn.close()


def test_reset_connections_counts(sb):
    sb.faults.reset_connections(2)
    for _ in range(2):
        with (
            pytest.raises((ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError)),
            Client(sb.url) as c,
        ):
            c.get("/version")
    assert sb.connection_resets == 2
    with Client(sb.url) as c:
        assert c.get("/version").status == 200


def test_504_fault_is_too_large_resource_version(client: Client, sb):
    sb.faults.status(504)
    status = client.get(PODS, params={"resourceVersion": "7"}).json()
    assert status["code"] == 504
    assert status["reason"] == "Timeout"
    assert (
        status["message"]
        == f"Timeout: Too large resource version: 7, current: {sb.resource_version}"
    )
    assert status["details"]["causes"] == [
        {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}
    ]
