"""The one place where urllib3, ssl, socket and json exceptions become kmech errors.

:func:`translate` maps a foreign exception raised while talking to ``server`` to the matching
:mod:`kmech.errors` class, most specific first; callers ``raise translate(exc, ...) from exc`` so
the cause stays chained (and visible at ``-v 9``). Messages name the server URL and the way out,
never a credential.

Upstream: client-go ``rest/request.go`` (transformResponse, the Status decoding) and kubectl's
``cmd/util/helpers.go`` (the "connection to the server ... was refused" wording).
"""

from __future__ import annotations

import json
import socket
import ssl

import urllib3.exceptions as u3

from kmech.errors import (
    ConnectError,
    KmechError,
    MalformedResponseError,
    RequestTimeoutError,
    TLSVerifyError,
)

__all__ = ["translate", "format_seconds"]


def format_seconds(seconds: float | None) -> str:
    """``1.5`` → ``1.5s``, ``2.0`` → ``2s`` (the Go-like spelling users typed)."""
    if seconds is None:
        return "the timeout"
    return f"{seconds:g}s"


def _unwrap(exc: BaseException) -> BaseException:
    """urllib3 wraps the real error in MaxRetryError.reason (and SSLError in its args)."""
    while isinstance(exc, u3.MaxRetryError):
        reason: BaseException | None = getattr(exc, "reason", None)
        if reason is None:
            break
        exc = reason
    return exc


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


def translate(exc: BaseException, *, server: str, timeout: float | None = None) -> KmechError:
    """The kmech error for ``exc``; the caller raises it ``from exc``.

    ``server`` is the URL without credentials; ``timeout`` is the limit that applied, named in
    timeout messages. Anything not recognised becomes a ConnectError (exit 4) carrying the
    exception's class name, so an unknown transport failure still exits with "unreachable".
    """
    exc = _unwrap(exc)
    if isinstance(exc, KmechError):
        return exc
    if isinstance(exc, json.JSONDecodeError):
        return MalformedResponseError(
            f"the server {server} answered with malformed JSON ({exc.msg} at line {exc.lineno} "
            f"column {exc.colno}); is --server an API server?"
        )
    if isinstance(exc, u3.SSLError) or isinstance(exc, ssl.SSLError):
        if _has_cause(exc, ssl.SSLCertVerificationError):
            detail = _verify_detail(exc)
            return TLSVerifyError(
                f"TLS verification of {server} failed ({detail}): pass --certificate-authority "
                "with the cluster's CA certificate (or --insecure-skip-tls-verify, insecure)"
            )
        return ConnectError(
            f"TLS handshake with {server} failed ({_short(exc)}): check --server (https vs http) "
            "and the client certificate"
        )
    if isinstance(exc, u3.NameResolutionError):
        return ConnectError(
            f"cannot resolve the host of {server}: check --server or the cluster in your kubeconfig"
        )
    if isinstance(exc, u3.NewConnectionError) and not _is_timeout(exc):
        return ConnectError(
            f"the connection to the server {server} was refused: is the cluster running and "
            "--server right? (no cluster? try `kmech sandbox`)"
        )
    if isinstance(exc, u3.ConnectTimeoutError) or (
        isinstance(exc, u3.NewConnectionError) and _is_timeout(exc)
    ):
        return RequestTimeoutError(
            f"connecting to {server} timed out after {format_seconds(timeout)}: check the network, "
            "or raise --request-timeout"
        )
    if isinstance(exc, u3.ReadTimeoutError | socket.timeout | TimeoutError):
        return RequestTimeoutError(
            f"the server {server} did not answer within {format_seconds(timeout)}: "
            "raise --request-timeout, or check the server's load"
        )
    if isinstance(exc, u3.ProtocolError | u3.HTTPError | ConnectionError | OSError):
        return ConnectError(
            f"the connection to {server} broke ({_short(exc)}): retry, or check the server"
        )
    return ConnectError(f"request to {server} failed ({type(exc).__name__}): retry with -v 9")


def _is_timeout(exc: BaseException) -> bool:
    return "timed out" in str(exc) or _has_cause(exc, socket.timeout)


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
