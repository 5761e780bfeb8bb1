"""Streaming GETs: line framing, malformed and truncated events, idle timeout, close()."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

import pytest

from kmech.errors import ForbiddenError, RequestTimeoutError, WatchDecodeError
from kmech.transport.client import RESTClient
from kmech.transport.options import ConnectionOptions
from tests.transport.conftest import ScriptedServer, end_chunked, send_chunked, send_json


def event(i: int) -> bytes:
    return json.dumps({"type": "ADDED", "object": {"metadata": {"name": f"p{i}"}}}).encode()


def client_for(server: ScriptedServer) -> RESTClient:
    return RESTClient.from_options(ConnectionOptions(server=server.url, token="t"))


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        pytest.param([event(0) + b"\n", event(1) + b"\n"], ["p0", "p1"], id="one-per-chunk"),
        pytest.param([event(0) + b"\n" + event(1) + b"\n"], ["p0", "p1"], id="two-in-one-chunk"),
        pytest.param([event(0)[:10], event(0)[10:] + b"\n"], ["p0"], id="split-across-chunks"),
        pytest.param(
            [event(0) + b"\n\n", b"\n" + event(1) + b"\n"], ["p0", "p1"], id="blank-lines"
        ),
    ],
)
def test_stream_yields_one_dict_per_line(
    scripted: ScriptedServer, chunks: list[bytes], expected: list[str]
) -> None:
    def watch(h: http.server.BaseHTTPRequestHandler) -> None:
        send_chunked(h, chunks)
        end_chunked(h)

    scripted.routes["/api/v1/pods"] = watch
    with client_for(scripted) as client:
        stream = client.stream("/api/v1/pods", params={"watch": True}, read_idle_timeout=10)
        names = [e["object"]["metadata"]["name"] for e in stream]
    assert names == expected
    assert stream.closed


@pytest.mark.parametrize(
    ("chunks", "message"),
    [
        pytest.param(
            [event(0) + b"\n", b"{not json}\n"],
            "malformed watch event from {url}: '{{not json}}' is not JSON",
            id="malformed",
        ),
        pytest.param(
            [event(0) + b"\n", b"[1, 2]\n"],
            "malformed watch event from {url}: expected an object, got list",
            id="not-an-object",
        ),
        pytest.param(
            [event(0) + b"\n", b'{"type": "ADD'],
            "watch stream from {url} ended in the middle of an event (13 bytes without a final "
            "newline); the watch will be restarted",
            id="truncated",
        ),
    ],
)
def test_bad_events_raise_watch_decode_error(
    scripted: ScriptedServer, chunks: list[bytes], message: str
) -> None:
    def watch(h: http.server.BaseHTTPRequestHandler) -> None:
        send_chunked(h, chunks)
        end_chunked(h)

    scripted.routes["/w"] = watch
    got: list[Any] = []
    with client_for(scripted) as client, pytest.raises(WatchDecodeError) as info:
        for e in client.stream("/w", read_idle_timeout=10):
            got.append(e)
    assert len(got) == 1
    assert info.value.message == message.format(url=scripted.url)


def test_idle_timeout(scripted: ScriptedServer) -> None:
    def watch(h: http.server.BaseHTTPRequestHandler) -> None:
        send_chunked(h, [event(0) + b"\n"])
        scripted.release.wait(30)

    scripted.routes["/w"] = watch
    got: list[Any] = []
    with client_for(scripted) as client, pytest.raises(RequestTimeoutError) as info:
        # 1 s, not less: the first event must still arrive in time on a loaded machine.
        for e in client.stream("/w", read_idle_timeout=1.0):
            got.append(e)
    assert len(got) == 1
    assert info.value.exit_code == 4
    assert info.value.message == (
        f"the server {scripted.url} did not answer within 1s: raise --request-timeout, "
        "or check the server's load"
    )


def test_close_from_another_thread_unblocks_reader(scripted: ScriptedServer) -> None:
    first_read = threading.Event()

    def watch(h: http.server.BaseHTTPRequestHandler) -> None:
        send_chunked(h, [event(0) + b"\n"])
        scripted.release.wait(30)

    scripted.routes["/w"] = watch
    got: list[Any] = []
    done = threading.Event()
    errors: list[BaseException] = []
    with client_for(scripted) as client:
        stream = client.stream("/w", read_idle_timeout=None)

        def read() -> None:
            try:
                for e in stream:
                    got.append(e)
                    first_read.set()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                done.set()

        reader = threading.Thread(target=read, name="test:reader")
        reader.start()
        assert first_read.wait(10)  # the reader now blocks in recv
        stream.close()
        assert done.wait(5), "reader still blocked after close()"
        reader.join(5)
    assert errors == []
    assert len(got) == 1
    stream.close()  # idempotent


def test_non_2xx_raises_before_any_event(scripted: ScriptedServer) -> None:
    body = json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "message": 'pods is forbidden: User "x" cannot watch resource "pods" in API group "" in the namespace "shop"',
            "reason": "Forbidden",
            "details": {"kind": "pods"},
            "code": 403,
        }
    ).encode()
    scripted.routes["/w"] = lambda h: send_json(h, 403, body)
    with client_for(scripted) as client, pytest.raises(ForbiddenError) as info:
        client.stream("/w")
    assert info.value.exit_code == 5
    assert 'cannot watch resource "pods"' in info.value.message
