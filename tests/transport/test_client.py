"""RESTClient against the sandbox over real HTTP, configured through a real kubeconfig."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kmech.errors import (
    ConnectError,
    ForbiddenError,
    MalformedResponseError,
    NotFoundError,
    RequestTimeoutError,
    TooManyRequestsError,
    UnauthorizedError,
)
from kmech.sandbox import Sandbox
from kmech.transport.client import Response, RESTClient, parse_retry_after
from kmech.transport.options import ConnectionOptions

TOKEN = "s3cret-token-value"


@pytest.fixture(scope="module")
def token_sandbox() -> Iterator[Sandbox]:
    """A TLS sandbox that requires a bearer token (the session sandbox needs neither)."""
    server = Sandbox(token=TOKEN, tls=True).start()
    try:
        yield server
    finally:
        server.stop()


def client(kubeconfig: Path, **kwargs: Any) -> RESTClient:
    return RESTClient.from_options(ConnectionOptions(kubeconfig=str(kubeconfig), **kwargs))


def test_get_json_version_and_properties(sb: Sandbox, tmp_path: Path) -> None:
    path = sb.write_kubeconfig(tmp_path / "kc", namespace="shop")
    with client(path) as c:
        assert c.get_json("/version")["gitVersion"] == "v1.34.3+k3s1"
        assert (c.server, c.namespace) == (sb.url, "shop")


def test_json_body_round_trip(sb: Sandbox, kubeconfig: Path) -> None:
    with RESTClient.from_options(ConnectionOptions()) as c:
        cm = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cm1"},
            "data": {"k": "v"},
        }
        created = c.request("POST", "/api/v1/namespaces/default/configmaps", body=cm)
        assert created.status == 201
        assert created.headers["content-type"].startswith("application/json")
        got = c.get_json("/api/v1/namespaces/default/configmaps/cm1")
        assert got["data"] == {"k": "v"}
        listed = c.get_json("/api/v1/namespaces/default/configmaps", params={"limit": 1})
        assert [i["metadata"]["name"] for i in listed["items"]] == ["cm1"]


def test_not_found_raises_or_returns(sb: Sandbox, kubeconfig: Path) -> None:
    with RESTClient.from_options(ConnectionOptions()) as c:
        with pytest.raises(NotFoundError) as info:
            c.get_json("/api/v1/namespaces/default/pods/nope")
        assert info.value.exit_code == 3
        assert info.value.status.reason == "NotFound"
        response = c.request("GET", "/api/v1/namespaces/default/pods/nope", raise_for_status=False)
        assert response.status == 404
        assert response.json()["kind"] == "Status"


def test_forbidden_names_verb_resource_namespace(sb: Sandbox, kubeconfig: Path) -> None:
    sb.faults.status(403, path_regex="/pods")
    with RESTClient.from_options(ConnectionOptions()) as c, pytest.raises(ForbiddenError) as info:
        c.get_json("/api/v1/namespaces/shop/pods")
    assert info.value.message == (
        'forbidden (403): pods is forbidden: User "system:anonymous" cannot list resource "pods" '
        'in API group "" in the namespace "shop"; ask a cluster admin for RBAC access, or use '
        "another --context"
    )


def test_too_many_requests_carries_retry_after(sb: Sandbox, kubeconfig: Path) -> None:
    sb.faults.status(429, retry_after=3)
    with (
        RESTClient.from_options(ConnectionOptions()) as c,
        pytest.raises(TooManyRequestsError) as info,
    ):
        c.get_json("/api/v1/pods")
    assert info.value.retry_after_seconds == 3.0


def test_token_and_tls_through_kubeconfig(token_sandbox: Sandbox, tmp_path: Path) -> None:
    path = token_sandbox.write_kubeconfig(tmp_path / "kc")
    with client(path) as c:
        assert c.get_json("/version")["major"] == "1"
    with client(path, token="wrong") as c, pytest.raises(UnauthorizedError) as info:
        c.get_json("/api/v1/pods")
    assert info.value.exit_code == 5
    assert info.value.message == (
        f"unauthorized by {token_sandbox.url} (401): the credentials were rejected; check the "
        "user in your kubeconfig, or pass --token"
    )


def test_latency_beyond_request_timeout(sb: Sandbox, kubeconfig: Path) -> None:
    sb.faults.latency(2.0)
    with RESTClient.from_options(ConnectionOptions(request_timeout_seconds=0.2)) as c:
        with pytest.raises(RequestTimeoutError) as info:
            c.get_json("/version")
        assert info.value.message == (
            f"the server {sb.url} did not answer within 0.2s: raise --request-timeout, or check "
            "the server's load"
        )
        sb.faults.latency(0)
        # A per-call timeout overrides --request-timeout.
        assert c.get_json("/version", timeout=5)["major"] == "1"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_names_server() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with (
        RESTClient.from_options(ConnectionOptions(server=url)) as c,
        pytest.raises(ConnectError) as info,
    ):
        c.get_json("/version")
    assert info.value.exit_code == 4
    assert info.value.message == (
        f"the connection to the server {url} was refused: is the cluster running and --server "
        "right? (no cluster? try `kmech sandbox`)"
    )


def test_watch_stream_from_sandbox(sb: Sandbox, kubeconfig: Path) -> None:
    with RESTClient.from_options(ConnectionOptions()) as c:
        listed = c.get_json("/api/v1/namespaces/default/configmaps")
        rv = listed["metadata"]["resourceVersion"]
        stream = c.stream(
            "/api/v1/namespaces/default/configmaps",
            params={"watch": True, "resourceVersion": rv},
            read_idle_timeout=10,
        )
        assert sb.wait_for_watches(1)
        sb.create("configmaps", {"metadata": {"name": "w1"}}, namespace="default")
        events = iter(stream)
        first = next(events)
        assert (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "w1")
        closer = threading.Thread(target=stream.close, name="test:closer")
        closer.start()
        closer.join(5)
        assert list(events) == []


@pytest.mark.parametrize(
    ("verbosity", "patterns"),
    [
        pytest.param(5, [], id="v5"),
        pytest.param(
            6, [r"GET http://127\.0\.0\.1:\d+/version 200 OK in \d+ milliseconds"], id="v6"
        ),
        pytest.param(
            8,
            [
                "Request Headers:",
                "    Accept: application/json",
                r"    User-Agent: kmech/v0\.1\.0",
                "    Authorization: Bearer <masked>",
                r"GET http://127\.0\.0\.1:\d+/version 200 OK in \d+ milliseconds",
                "Response Headers:",
            ],
            id="v8",
        ),
    ],
)
def test_request_logging_redacts(
    sb: Sandbox, transport_log: list[str], verbosity: int, patterns: list[str]
) -> None:
    options = ConnectionOptions(server=sb.url, token="do-not-print-me", verbosity=verbosity)
    with RESTClient.from_options(options) as c:
        c.get_json("/version")
    assert len(transport_log) >= len(patterns)
    for pattern, line in zip(patterns, transport_log, strict=False):
        assert re.fullmatch(pattern, line), (pattern, line)
    if not patterns:
        assert transport_log == []
    assert not any("do-not-print-me" in line for line in transport_log)


def test_response_json_malformed() -> None:
    with pytest.raises(MalformedResponseError) as info:
        Response(200, {"content-type": "text/html"}, b"<html>").json()
    assert info.value.message == (
        "expected a JSON body from the server (status 200, text/html), got 6 bytes that do not decode"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param("", None, id="empty"),
        pytest.param("7", 7.0, id="seconds"),
        pytest.param("-3", 0.0, id="negative-clamped"),
        pytest.param("Thu, 01 Jan 1970 00:01:40 GMT", 40.0, id="http-date"),
        pytest.param("Thu, 01 Jan 1970 00:00:10 GMT", 0.0, id="date-in-past"),
        pytest.param("soon", None, id="garbage"),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=60.0) == expected


def test_request_timeout_zero_means_no_limit(sb: Sandbox, kubeconfig: Path) -> None:
    sb.faults.latency(0.3)
    with RESTClient.from_options(ConnectionOptions(request_timeout_seconds=0.0)) as c:
        assert c.get_json("/version")["major"] == "1"
