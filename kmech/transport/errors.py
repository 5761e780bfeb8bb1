"""The one place where http.client, ssl, socket and json exceptions become kmech errors.

:func:`translate` maps a foreign exception raised while talking to ``server`` to the matching
:mod:`kmech.errors` class, most specific first; callers ``raise translate(exc, ...) from exc`` so
the cause stays chained (and visible at ``-v 9``). Messages name the server URL and the way out,
never a credential.

Upstream: client-go ``rest/request.go`` (transformResponse, the Status decoding) and kubectl's
``cmd/util/helpers.go`` (the "connection to the server ... was refused" wording).
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl

from kmech.errors import (
    ConnectError,
    KmechError,
    MalformedResponseError,
    RequestTimeoutError,
    TLSVerifyError,
)
from kmech.transport.connections import ConnectFailed

__all__ = ["translate", "format_seconds"]


def format_seconds(seconds: float | None) -> str:
    """``1.5`` → ``1.5s``, ``2.0`` → ``2s`` (the Go-like spelling users typed)."""
    if seconds is None:
        return "the timeout"
    return f"{seconds:g}s"


def _has_cause(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, kind):
            return True
        seen.add(id(cur))
        if any(isinstance(arg, kind) for arg in getattr(cur, "args", ())):
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def translate(
    exc: BaseException,
    *,
    server: str,
    timeout: float | None = None,
    connect_timeout: float | None = None,
) -> KmechError:
    """The kmech error for ``exc``; the caller raises it ``from exc``.

    ``server`` is the URL without credentials; ``timeout`` is the read limit that applied and
    ``connect_timeout`` the connect limit (default: ``timeout``), each named in its timeout
    message. A :class:`~kmech.transport.connections.ConnectFailed` is judged by its cause, as a
    failure to connect. Anything not recognised becomes a ConnectError (exit 4)
    carrying the exception's class name, so an unknown transport failure still exits with
    "unreachable".
    """
    if isinstance(exc, KmechError):
        return exc
    if isinstance(exc, json.JSONDecodeError):
        return MalformedResponseError(
            f"the server {server} answered with malformed JSON ({exc.msg} at line {exc.lineno} "
            f"column {exc.colno}); is --server an API server?"
        )
    connecting = isinstance(exc, ConnectFailed)
    cause = (exc.__cause__ or exc) if connecting else exc
    if isinstance(cause, ssl.SSLError):
        if _has_cause(cause, ssl.SSLCertVerificationError):
            detail = _verify_detail(cause)
            return TLSVerifyError(
                f"TLS verification of {server} failed ({detail}): pass --certificate-authority "
                "with the cluster's CA certificate (or --insecure-skip-tls-verify, insecure)"
            )
        return ConnectError(
            f"TLS handshake with {server} failed ({_ssl_reason(cause)}): check --server "
            "(https vs http) and the client certificate"
        )
    if connecting and isinstance(cause, socket.gaierror):
        return ConnectError(
            f"cannot resolve the host of {server}: check --server or the cluster in your kubeconfig"
        )
    if connecting and _is_timeout(cause):
        limit = timeout if connect_timeout is None else connect_timeout
        return RequestTimeoutError(
            f"connecting to {server} timed out after {format_seconds(limit)}: check the network, "
            "or raise --request-timeout"
        )
    if connecting:
        return ConnectError(
            f"the connection to the server {server} was refused: is the cluster running and "
            "--server right? (no cluster? try `kmech sandbox`)"
        )
    if isinstance(exc, socket.timeout | TimeoutError):
        return RequestTimeoutError(
            f"the server {server} did not answer within {format_seconds(timeout)}: "
            "raise --request-timeout, or check the server's load"
        )
    if isinstance(exc, http.client.HTTPException | ConnectionError | OSError):
        return ConnectError(
            f"the connection to {server} broke ({_short(exc)}): retry, or check the server"
        )
    return ConnectError(f"request to {server} failed ({type(exc).__name__}): retry with -v 9")


def _ssl_reason(exc: ssl.SSLError) -> str:
    """``wrong version number`` from ``[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)``."""
    reason = getattr(exc, "strerror", None) or _short(exc)
    text = str(reason)
    if text.startswith("[") and "] " in text:
        text = text.split("] ", 1)[1]
    if text.endswith(")") and " (_ssl.c:" in text:
        text = text[: text.rindex(" (_ssl.c:")]
    return text


def _is_timeout(exc: BaseException) -> bool:
    return _has_cause(exc, TimeoutError)  # socket.timeout is TimeoutError


def _verify_detail(exc: BaseException) -> str:
    cur: BaseException | None = exc
    while cur is not None:
        if isinstance(cur, ssl.SSLCertVerificationError):
            return str(cur.verify_message or "certificate verify failed")
        nested = [a for a in getattr(cur, "args", ()) if isinstance(a, BaseException)]
        cur = nested[0] if nested else (cur.__cause__ or cur.__context__)
    return "certificate verify failed"


def _short(exc: BaseException) -> str:
    try:
        text = str(exc).strip()
    except Exception:  # a half-built exception whose __str__ fails must not hide the real error
        text = ""
    text = text.splitlines()[0] if text else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
