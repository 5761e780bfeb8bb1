"""Raw JSON requests and streaming watches against the API server (client-go ``rest``).

CONTRACT (fixed). Other layers use only what is declared here:

- :meth:`RESTClient.from_options` loads kubeconfig/in-cluster config through the ``kubernetes``
  package's config loader (imported lazily) and raises :class:`~kmech.errors.ConfigError` with
  the way out when nothing is configured.
- Every request has connect and read timeouts; non-2xx answers raise the matching
  :func:`kmech.errors.status_error` (401/403/404/410/429...) unless ``raise_for_status=False``;
  connection problems raise :class:`~kmech.errors.TransportError` subclasses naming the server URL.
- :meth:`RESTClient.stream` returns a :class:`WatchStream` that yields one decoded JSON object per
  line and can be closed from another thread at once.

Requests go straight through one :class:`~kmech.transport.connections.ConnectionPool`
(:mod:`http.client`): no typed ``*Api`` classes, no retries but client-go's one on a stale
keep-alive connection (callers such as the reflector own their retry policy), no redirects.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from kmech import __version__
from kmech._record import field, record
from kmech.errors import MalformedResponseError, Status, status_error
from kmech.transport.connections import ConnectionPool, lower_headers
from kmech.transport.errors import translate
from kmech.transport.kubeconfig import RestConfig, load_rest_config
from kmech.transport.options import ConnectionOptions
from kmech.transport.redact import log_request
from kmech.transport.watch_stream import WatchStream

__all__ = [
    "Response",
    "RESTClient",
    "WatchStream",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "parse_retry_after",
]

ParamValue = str | int | bool

#: Seconds to establish a TCP (and TLS) connection when ``--request-timeout`` is not given
#: (client-go's dialer uses 30s; a CLI should fail faster).
DEFAULT_CONNECT_TIMEOUT = 10.0
#: Seconds to wait for response bytes when ``--request-timeout`` is not given.
DEFAULT_READ_TIMEOUT = 60.0

USER_AGENT = f"kmech/v{__version__}"


@record(frozen=True, slots=True)
class Response:
    """A complete (non-streaming) response. Header names are lower-case."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body decoded as JSON; raises MalformedResponseError naming the problem."""
        try:
            return json.loads(self.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            ctype = self.headers.get("content-type", "no content type")
            raise MalformedResponseError(
                f"expected a JSON body from the server (status {self.status}, {ctype}), "
                f"got {len(self.body)} bytes that do not decode"
            ) from exc


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent or
    unparseable; never negative."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(int(text)))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


class RESTClient:
    """Talks JSON to one API server as one user. Thread-safe; one connection pool."""

    def __init__(
        self,
        config: RestConfig,
        *,
        request_timeout: float | None = None,
        verbosity: int = 0,
    ) -> None:
        """Use :meth:`from_options` from the CLI; this constructor is for an explicit config.

        ``request_timeout`` (seconds) bounds connect and read of every non-streaming request;
        None means the defaults (:data:`DEFAULT_CONNECT_TIMEOUT`, :data:`DEFAULT_READ_TIMEOUT`);
        0 means no read limit (kubectl's ``--request-timeout=0``), connecting stays bounded.
        """
        self._config = config
        self._request_timeout = request_timeout
        self._verbosity = verbosity
        self._pool = ConnectionPool(config)

    @classmethod
    def from_options(cls, options: ConnectionOptions) -> RESTClient:
        """Build from kubectl-style flags and the kubeconfig they select."""
        config = load_rest_config(options)
        return cls(
            config,
            request_timeout=options.request_timeout_seconds,
            verbosity=options.verbosity,
        )

    @property
    def config(self) -> RestConfig:
        """The resolved configuration (its repr hides credentials)."""
        return self._config

    @property
    def server(self) -> str:
        """The server URL, e.g. ``https://127.0.0.1:6443`` (never with credentials)."""
        return self._config.host

    @property
    def namespace(self) -> str:
        """``-n`` if given, else the context's namespace, else ``default``."""
        return self._config.namespace

    def _target(self, path: str, params: Mapping[str, ParamValue] | None) -> str:
        """The request target (path and query); the server URL's own path goes before it."""
        if not path.startswith("/"):
            path = "/" + path
        if params:
            query = urlencode([(k, _param(v)) for k, v in params.items()])
            path += ("&" if "?" in path else "?") + query
        return path

    def _headers(self, extra: Mapping[str, str] | None, accept: str) -> dict[str, str]:
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        auth = self._config.authorization_header()
        if auth:
            headers["Authorization"] = auth
        if extra:
            headers.update(extra)
        return headers

    def _timeouts(self, seconds: float | None) -> tuple[float, float | None]:
        """``(connect, read)`` seconds for a limit (None: the defaults; 0 or less: no read limit,
        kubectl's --request-timeout=0, while connecting stays bounded)."""
        if seconds is None:
            return DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
        if seconds <= 0:
            return DEFAULT_CONNECT_TIMEOUT, None
        return min(seconds, DEFAULT_CONNECT_TIMEOUT), seconds

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        timeout: float | None = None,
        raise_for_status: bool = True,
    ) -> Response:
        """One request; ``body`` that is not bytes is JSON-encoded. ``timeout`` in seconds
        overrides ``--request-timeout`` for this call."""
        target = self._target(path, params)
        url = self.server + target
        all_headers = self._headers(headers, "application/json")
        payload: bytes | None = None
        if body is not None:
            if isinstance(body, bytes):
                payload = body
            else:
                payload = json.dumps(body).encode("utf-8")
                all_headers.setdefault("Content-Type", "application/json")
        limit = timeout if timeout is not None else self._request_timeout
        connect_timeout, read_timeout = self._timeouts(limit)
        started = time.monotonic()
        try:
            raw = self._pool.request(
                method.upper(),
                target,
                body=payload,
                headers=all_headers,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
            )
        except Exception as exc:
            self._log(method, url, None, "", started, all_headers, None)
            raise translate(
                exc,
                server=self.server,
                timeout=self._effective(limit),
                connect_timeout=connect_timeout,
            ) from exc
        self._log(method, url, raw.status, raw.reason or "", started, all_headers, raw.headers)
        response = Response(status=raw.status, headers=raw.headers, body=raw.body)
        if raise_for_status and not 200 <= response.status < 300:
            raise self._status_error(response, f"{method.upper()} {path}")
        return response

    def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        accept: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """GET and decode; raises on non-2xx."""
        headers = {"Accept": accept} if accept else None
        return self.request("GET", path, params=params, headers=headers, timeout=timeout).json()

    def stream(
        self,
        path: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        headers: Mapping[str, str] | None = None,
        read_idle_timeout: float | None = None,
    ) -> WatchStream:
        """Open a streaming GET (``watch=1`` is the caller's to set). A non-2xx answer raises
        before any event is yielded. ``read_idle_timeout`` None means no idle limit (the server
        ends watches by its own ``timeoutSeconds``); connecting is always bounded."""
        target = self._target(path, params)
        url = self.server + target
        all_headers = self._headers(headers, "application/json")
        connect = DEFAULT_CONNECT_TIMEOUT
        if self._request_timeout:
            connect = min(connect, self._request_timeout)
        started = time.monotonic()
        try:
            conn, raw = self._pool.open(
                "GET",
                target,
                headers=all_headers,
                connect_timeout=connect,
                read_timeout=read_idle_timeout,
            )
        except Exception as exc:
            self._log("GET", url, None, "", started, all_headers, None)
            raise translate(
                exc,
                server=self.server,
                timeout=read_idle_timeout or connect,
                connect_timeout=connect,
            ) from exc
        response_headers = lower_headers(raw)
        self._log("GET", url, raw.status, raw.reason or "", started, all_headers, response_headers)
        if not 200 <= raw.status < 300:
            try:
                data = raw.read()
            except Exception as exc:
                raise translate(exc, server=self.server, timeout=read_idle_timeout) from exc
            finally:
                conn.close()
            raise self._status_error(Response(raw.status, response_headers, data), f"GET {path}")
        return WatchStream(
            raw,
            server=self.server,
            read_idle_timeout=read_idle_timeout,
            on_close=conn.close,
            sock=conn.sock,
        )

    def close(self) -> None:
        """Release pooled connections."""
        self._pool.clear()

    def __enter__(self) -> RESTClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _effective(self, limit: float | None) -> float:
        return limit if limit is not None and limit > 0 else DEFAULT_READ_TIMEOUT

    def _status_error(self, response: Response, request: str) -> Exception:
        try:
            decoded: Any = json.loads(response.body) if response.body else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            decoded = None
        status = Status.from_body(response.status, decoded)
        if not status.message and not status.reason and response.body and decoded is None:
            text = response.body[:200].decode("utf-8", "replace").strip()
            status = Status(code=response.status, message=text.splitlines()[0] if text else "")
        return status_error(
            status,
            server=self.server,
            retry_after_seconds=parse_retry_after(response.headers.get("retry-after")),
            request=request,
        )

    def _log(
        self,
        method: str,
        url: str,
        status: int | None,
        reason: str,
        started: float,
        request_headers: Mapping[str, str],
        response_headers: Mapping[str, str] | None,
    ) -> None:
        log_request(
            self._verbosity,
            method.upper(),
            url,
            status=status,
            reason=reason,
            latency_seconds=time.monotonic() - started,
            request_headers=request_headers,
            response_headers=response_headers,
        )


def _param(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
