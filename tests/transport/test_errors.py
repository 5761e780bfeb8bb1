"""Every foreign exception the transport can meet maps to one kmech error, most specific first."""

from __future__ import annotations

import json
import socket
import ssl

import pytest
import urllib3.exceptions as u3

from kmech.errors import (
    ConnectError,
    KmechError,
    MalformedResponseError,
    RequestTimeoutError,
    TLSVerifyError,
)
from kmech.transport.errors import translate

SERVER = "https://127.0.0.1:6443"


def verify_error() -> ssl.SSLCertVerificationError:
    err = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err.verify_message = "self-signed certificate"
    return err


def wrapped_ssl() -> u3.SSLError:
    inner = verify_error()
    outer = u3.SSLError(inner)
    outer.__cause__ = inner
    return outer


CASES = [
    pytest.param(
        wrapped_ssl(),
        TLSVerifyError,
        "TLS verification of https://127.0.0.1:6443 failed (self-signed certificate): pass "
        "--certificate-authority with the cluster's CA certificate (or --insecure-skip-tls-verify, insecure)",
        id="urllib3-ssl-verify",
    ),
    pytest.param(verify_error(), TLSVerifyError, None, id="ssl-verify"),
    pytest.param(
        u3.MaxRetryError(None, "/", wrapped_ssl()), TLSVerifyError, None, id="max-retry-unwrapped"
    ),
    pytest.param(
        u3.SSLError("wrong version number"),
        ConnectError,
        "TLS handshake with https://127.0.0.1:6443 failed (wrong version number): check --server "
        "(https vs http) and the client certificate",
        id="ssl-handshake",
    ),
    pytest.param(
        u3.NameResolutionError("nohost", None, socket.gaierror(-2, "Name or service not known")),  # type: ignore[arg-type]
        ConnectError,
        "cannot resolve the host of https://127.0.0.1:6443: check --server or the cluster in your kubeconfig",
        id="dns",
    ),
    pytest.param(
        u3.NewConnectionError(
            None, "Failed to establish a new connection: [Errno 111] Connection refused"
        ),  # type: ignore[arg-type]
        ConnectError,
        "the connection to the server https://127.0.0.1:6443 was refused: is the cluster running and "
        "--server right? (no cluster? try `kmech sandbox`)",
        id="refused",
    ),
    pytest.param(
        u3.ConnectTimeoutError(None, "timed out"),
        RequestTimeoutError,
        "connecting to https://127.0.0.1:6443 timed out after 2s: check the network, or raise --request-timeout",
        id="connect-timeout",
    ),
    pytest.param(
        u3.ReadTimeoutError(None, "/", "Read timed out."),  # type: ignore[arg-type]
        RequestTimeoutError,
        "the server https://127.0.0.1:6443 did not answer within 2s: raise --request-timeout, "
        "or check the server's load",
        id="read-timeout",
    ),
    pytest.param(TimeoutError("timed out"), RequestTimeoutError, None, id="socket-timeout"),
    pytest.param(
        u3.ProtocolError(
            "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
        ),
        ConnectError,
        "the connection to https://127.0.0.1:6443 broke (('Connection aborted.', "
        "ConnectionResetError(104, 'Connection reset by peer'))): retry, or check the server",
        id="reset",
    ),
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


def test_every_urllib3_error_has_a_kmech_class() -> None:
    # A new urllib3 exception must still map to a transport error, never escape untranslated.
    for name in dir(u3):
        cls = getattr(u3, name)
        if isinstance(cls, type) and issubclass(cls, u3.HTTPError) and not issubclass(cls, Warning):
            try:
                exc = cls.__new__(cls)
                Exception.__init__(exc, "x")
            except TypeError:
                continue
            assert isinstance(translate(exc, server=SERVER), KmechError), name
