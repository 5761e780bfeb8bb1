"""Every foreign exception the transport can meet maps to one kmech error, most specific first."""

from __future__ import annotations

import http.client
import json
import socket
import ssl

import pytest

from kmech.errors import (
    ConnectError,
    KmechError,
    MalformedResponseError,
    RequestTimeoutError,
    TLSVerifyError,
)
from kmech.transport.connections import ConnectFailed
from kmech.transport.errors import translate

SERVER = "https://127.0.0.1:6443"


def verify_error() -> ssl.SSLCertVerificationError:
    err = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err.verify_message = "self-signed certificate"
    return err


def connect_failed(cause: BaseException) -> ConnectFailed:
    """What the connection pool raises when connecting fails: the reason is the cause."""
    err = ConnectFailed("connecting failed")
    err.__cause__ = cause
    return err


CASES = [
    pytest.param(
        connect_failed(verify_error()),
        TLSVerifyError,
        "TLS verification of https://127.0.0.1:6443 failed (self-signed certificate): pass "
        "--certificate-authority with the cluster's CA certificate (or --insecure-skip-tls-verify, insecure)",
        id="handshake-verify",
    ),
    pytest.param(verify_error(), TLSVerifyError, None, id="ssl-verify"),
    pytest.param(
        connect_failed(
            ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")
        ),
        ConnectError,
        "TLS handshake with https://127.0.0.1:6443 failed (wrong version number): check --server "
        "(https vs http) and the client certificate",
        id="ssl-handshake",
    ),
    pytest.param(
        connect_failed(socket.gaierror(-2, "Name or service not known")),
        ConnectError,
        "cannot resolve the host of https://127.0.0.1:6443: check --server or the cluster in your kubeconfig",
        id="dns",
    ),
    pytest.param(
        connect_failed(ConnectionRefusedError(111, "Connection refused")),
        ConnectError,
        "the connection to the server https://127.0.0.1:6443 was refused: is the cluster running and "
        "--server right? (no cluster? try `kmech sandbox`)",
        id="refused",
    ),
    pytest.param(
        connect_failed(OSError(113, "No route to host")), ConnectError, None, id="no-route"
    ),
    pytest.param(
        connect_failed(TimeoutError("timed out")),
        RequestTimeoutError,
        "connecting to https://127.0.0.1:6443 timed out after 2s: check the network, or raise --request-timeout",
        id="connect-timeout",
    ),
    pytest.param(
        TimeoutError("timed out"),
        RequestTimeoutError,
        "the server https://127.0.0.1:6443 did not answer within 2s: raise --request-timeout, "
        "or check the server's load",
        id="read-timeout",
    ),
    pytest.param(
        http.client.RemoteDisconnected("Remote end closed connection without response"),
        ConnectError,
        "the connection to https://127.0.0.1:6443 broke (Remote end closed connection without "
        "response): retry, or check the server",
        id="remote-disconnected",
    ),
    pytest.param(http.client.IncompleteRead(b"ab", 10), ConnectError, None, id="incomplete-read"),
    pytest.param(ConnectionResetError(104, "reset"), ConnectError, None, id="os-reset"),
    pytest.param(
        json.JSONDecodeError("Expecting value", "<html>", 0),
        MalformedResponseError,
        "the server https://127.0.0.1:6443 answered with malformed JSON (Expecting value at line 1 "
        "column 1); is --server an API server?",
        id="json",
    ),
    pytest.param(
        ValueError("odd"),
        ConnectError,
        "request to https://127.0.0.1:6443 failed (ValueError): retry with -v 9",
        id="unknown",
    ),
]


@pytest.mark.parametrize(("exc", "kind", "message"), CASES)
def test_translate(exc: BaseException, kind: type[KmechError], message: str | None) -> None:
    err = translate(exc, server=SERVER, timeout=2.0)
    assert type(err) is kind
    if message is not None:
        assert err.message == message


def test_kmech_errors_pass_through() -> None:
    original = ConnectError("x")
    assert translate(original, server=SERVER) is original


def test_every_http_client_error_has_a_kmech_class() -> None:
    # Whatever http.client raises mid-response maps to a transport error, never escapes.
    for name in dir(http.client):
        cls = getattr(http.client, name)
        if isinstance(cls, type) and issubclass(cls, http.client.HTTPException):
            exc = cls.__new__(cls)
            Exception.__init__(exc, "x")
            assert isinstance(translate(exc, server=SERVER), ConnectError), name
            assert isinstance(translate(connect_failed(exc), server=SERVER), ConnectError), name
