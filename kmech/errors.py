"""The one root of every error kmech raises on purpose, and the exit code each one maps to.

Hierarchy (exit code in brackets)::

    KmechError [1]
    ├── UsageError [2]                      bad flags, malformed expressions or durations
    ├── ConfigError [1]                     kubeconfig missing or broken, unknown context
    ├── TransportError [4]                  the server could not be reached or answered nothing usable
    │   ├── ConnectError [4]                connection refused, DNS, reset before a response
    │   ├── RequestTimeoutError [4]         connect or read timeout
    │   └── TLSVerifyError [4]              the server certificate did not verify
    ├── APIStatusError [1]                  the server answered with a non-2xx meta/v1 Status
    │   ├── UnauthorizedError [5]           401
    │   ├── ForbiddenError [5]              403
    │   ├── NotFoundError [3]               404
    │   ├── GoneError [1]                   410 (expired resourceVersion or continue token)
    │   └── TooManyRequestsError [1]        429 (carries retry_after_seconds)
    ├── MapperError [3]                     name resolution (subclasses in kmech.mapper.errors)
    ├── DiscoveryError [1]                  malformed or partially failed discovery
    ├── MalformedResponseError [1]          a response body that is not the JSON it should be
    │   └── WatchDecodeError [1]            malformed watch event or list data
    └── SandboxError [1]                    the local sandbox server could not start or serve

Every error carries a one-line ``message`` that names the problem and the way out; the CLI prints
exactly ``error: <message>`` on stderr and exits with ``exit_code``. Messages never contain tokens,
keys or passwords. Foreign exceptions (http.client, ssl, json, kubernetes) are translated at one boundary per
layer, chained with ``raise ... from exc``.
"""

from __future__ import annotations

from typing import Any

from kmech._record import field, record

__all__ = [
    "EXIT_OK",
    "EXIT_ERROR",
    "EXIT_USAGE",
    "EXIT_NOT_FOUND",
    "EXIT_UNREACHABLE",
    "EXIT_UNAUTHORIZED",
    "KmechError",
    "UsageError",
    "ConfigError",
    "TransportError",
    "ConnectError",
    "RequestTimeoutError",
    "TLSVerifyError",
    "Status",
    "APIStatusError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "GoneError",
    "TooManyRequestsError",
    "MapperError",
    "DiscoveryError",
    "MalformedResponseError",
    "WatchDecodeError",
    "SandboxError",
    "status_error",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_UNREACHABLE = 4
EXIT_UNAUTHORIZED = 5


class KmechError(Exception):
    """Root of all kmech errors. ``str(err)`` is the one-line message shown to users."""

    exit_code: int = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(KmechError):
    """The command line or an expression in it is malformed."""

    exit_code = EXIT_USAGE


class ConfigError(KmechError):
    """No usable cluster configuration: kubeconfig missing, unreadable, or naming nothing valid."""


class TransportError(KmechError):
    """The server could not be reached, or the connection broke before a usable answer."""

    exit_code = EXIT_UNREACHABLE


class ConnectError(TransportError):
    """Connection refused, name not resolved, or reset before a response."""


class RequestTimeoutError(TransportError):
    """A connect or read timeout elapsed."""


class TLSVerifyError(TransportError):
    """The server's certificate did not verify against the configured CA."""


@record(frozen=True, slots=True)
class Status:
    """The parts of a meta/v1 Status that kmech reads; ``details`` keeps name, group, kind."""

    code: int
    reason: str = ""
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_body(cls, code: int, body: Any) -> Status:
        """Build from a decoded response body; tolerate bodies that are not a Status."""
        if isinstance(body, dict) and body.get("kind") == "Status":
            details = body.get("details")
            return cls(
                code=int(body.get("code") or code),
                reason=str(body.get("reason") or ""),
                message=str(body.get("message") or ""),
                details=details if isinstance(details, dict) else {},
            )
        return cls(code=code)


class APIStatusError(KmechError):
    """The server answered with a non-success Status. ``status`` keeps code, reason and message."""

    def __init__(self, message: str, status: Status) -> None:
        super().__init__(message)
        self.status = status


class UnauthorizedError(APIStatusError):
    """401: the credentials were missing, expired or rejected."""

    exit_code = EXIT_UNAUTHORIZED


class ForbiddenError(APIStatusError):
    """403: authenticated, but not allowed to do this verb on this resource."""

    exit_code = EXIT_UNAUTHORIZED


class NotFoundError(APIStatusError):
    """404: the object or path does not exist."""

    exit_code = EXIT_NOT_FOUND


class GoneError(APIStatusError):
    """410: the resourceVersion or continue token is older than the server's history."""


class TooManyRequestsError(APIStatusError):
    """429: the server asks to retry later; ``retry_after_seconds`` is its Retry-After, if any."""

    def __init__(
        self, message: str, status: Status, retry_after_seconds: float | None = None
    ) -> None:
        super().__init__(message, status)
        self.retry_after_seconds = retry_after_seconds


class MapperError(KmechError):
    """A name did not resolve, or resolved to more than one thing."""

    exit_code = EXIT_NOT_FOUND


class DiscoveryError(KmechError):
    """Discovery data was malformed, or some group-versions could not be fetched."""


class MalformedResponseError(KmechError):
    """A response body was not the JSON document it should have been."""


class WatchDecodeError(MalformedResponseError):
    """A watch event or list response could not be decoded."""


class SandboxError(KmechError):
    """The sandbox server could not start or serve."""


# The codes whose error class keeps the generic message (401, 403 and 429 have their own below).
_STATUS_CLASSES: dict[int, type[APIStatusError]] = {404: NotFoundError, 410: GoneError}


def status_error(
    status: Status,
    *,
    server: str = "",
    retry_after_seconds: float | None = None,
    request: str = "",
) -> APIStatusError:
    """Map a non-2xx Status to the matching error with a message that names the way out.

    ``server`` is the server URL (no credentials) and is named in 401 messages. ``request``
    (e.g. ``GET /api/v1/namespaces/shop/pods``) names what was refused when a 403 carries no
    message of its own (kube-apiserver's message already names verb, resource and namespace).
    """
    code = status.code
    if code == 401:
        where = f" by {server}" if server else ""
        return UnauthorizedError(
            f"unauthorized{where} (401): the credentials were rejected; check the user in your "
            "kubeconfig, or pass --token",
            status,
        )
    if code == 403:
        text = status.message or (f"{request} was denied" if request else "access denied")
        return ForbiddenError(
            f"forbidden (403): {text}; ask a cluster admin for RBAC access, or use another --context",
            status,
        )
    if code == 429:
        return TooManyRequestsError(
            f"too many requests (429): {(status.message or 'the server is throttling').rstrip('.')}; "
            "retry later",
            status,
            retry_after_seconds,
        )
    cls = _STATUS_CLASSES.get(code, APIStatusError)
    text = status.message or status.reason or "no message"
    return cls(f"the server answered {code}: {text}", status)
