"""Request logging at kubectl's verbosity levels, with every secret masked.

``-v 6`` logs one line per request (method, URL, status, latency); ``-v 8`` adds the request and
response headers. Header values that carry credentials are replaced by ``<masked>`` at every
level, as kubectl does (client-go ``transport/round_trippers.go``, maskValue): the
``Authorization`` scheme is kept (``Bearer <masked>``) so a reader still sees which kind of
credential went out. Query parameters that look like credentials are masked too.

Upstream: client-go ``transport/round_trippers.go`` (debuggingRoundTripper, maskValue).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kmech._lazy import logger as lazy_logger

__all__ = [
    "LOG_REQUESTS",
    "LOG_HEADERS",
    "is_sensitive_header",
    "redact_header",
    "redact_headers",
    "redact_url",
    "log_request",
]

LOG_REQUESTS = 6
LOG_HEADERS = 8

_SENSITIVE_EXACT = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-auth-token"}
)
_SENSITIVE_PARTS = ("token", "secret", "password", "key", "credential", "auth")
MASK = "<masked>"


def is_sensitive_header(name: str) -> bool:
    """True for headers whose value may be a credential (by name; errs on the side of masking)."""
    lowered = name.lower()
    return lowered in _SENSITIVE_EXACT or any(part in lowered for part in _SENSITIVE_PARTS)


def redact_header(name: str, value: str) -> str:
    """The value to print for header ``name``: unchanged, or masked keeping only the scheme."""
    if not is_sensitive_header(name):
        return value
    scheme, sep, _ = value.partition(" ")
    if sep and name.lower() in ("authorization", "proxy-authorization"):
        return f"{scheme} {MASK}"
    return MASK


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers as (name, printable value) pairs in their original order."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(name, redact_header(name, str(value))) for name, value in items]


def redact_url(url: str) -> str:
    """The URL with userinfo and credential-like query values masked."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_sensitive_header(k) for k, _ in pairs):
            query = urlencode([(k, MASK if is_sensitive_header(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def log_request(
    verbosity: int,
    method: str,
    url: str,
    *,
    status: int | None,
    reason: str = "",
    latency_seconds: float,
    request_headers: Mapping[str, str] | None = None,
    response_headers: Mapping[str, str] | None = None,
) -> None:
    """Log one finished (or failed, ``status=None``) request at the given verbosity."""
    if verbosity < LOG_REQUESTS:
        return
    logger = lazy_logger("kmech.transport")  # logging loads only when -v asks for it
    if verbosity >= LOG_HEADERS and request_headers:
        logger.debug("Request Headers:")
        for name, value in redact_headers(request_headers):
            logger.debug("    %s: %s", name, value)
    status_text = f"{status} {reason}".strip() if status is not None else "(no response)"
    logger.debug(
        "%s %s %s in %d milliseconds",
        method,
        redact_url(url),
        status_text,
        round(latency_seconds * 1000),
    )
    if verbosity >= LOG_HEADERS and response_headers:
        logger.debug("Response Headers:")
        for name, value in redact_headers(response_headers):
            logger.debug("    %s: %s", name, value)
