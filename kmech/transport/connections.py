"""HTTP/1.1 connections to one API server: TLS set-up, keep-alive reuse and timeouts.

Built on the standard library's :mod:`http.client` (urllib3 costs about 25 ms more to import,
on every command that talks to a server). What :class:`ConnectionPool` promises:

- one TLS context per pool, from the :class:`~kmech.transport.kubeconfig.RestConfig`: the
  cluster's CA (or the system's), the client certificate, ``tls-server-name`` for SNI and the
  hostname check, or no verification at all when the kubeconfig asks for that;
- the connect timeout bounds the TCP connect and the TLS handshake; the read timeout then
  bounds every wait for response bytes (``None``: no limit);
- a failure while connecting is raised as :class:`ConnectFailed` wrapping the real error, so
  the caller can tell "could not connect" from "stopped answering";
- a complete response's connection goes back to the pool unless either side asked to close
  it; an idle connection the server has closed meanwhile is never reused, and a GET that meets
  a connection closed under it is sent once more on a new one;
- :meth:`ConnectionPool.open` hands out a connection for a streaming response that never
  returns to the pool. Thread-safe.

Upstream: client-go ``transport/transport.go`` (TLS config from the rest config) and
``rest/request.go`` (no retries but the one on a stale keep-alive connection).
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from kmech.transport.kubeconfig import RestConfig

__all__ = ["ConnectFailed", "ConnectionPool", "RawResponse"]


class ConnectFailed(Exception):
    """Raised while connecting (TCP connect or TLS handshake); ``__cause__`` is the reason."""


class RawResponse:
    """A complete response: status, reason, headers (lower-case names; repeated headers joined
    with ``", "``) and body."""

    __slots__ = ("status", "reason", "headers", "body")

    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body


def lower_headers(response: http.client.HTTPResponse) -> dict[str, str]:
    """The response's headers with lower-case names, repeated ones joined as urllib3 joins them."""
    headers: dict[str, str] = {}
    for name, value in response.getheaders():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


class _HTTPSConnection(http.client.HTTPSConnection):
    """HTTPSConnection that checks the certificate against ``server_hostname`` (kubeconfig's
    ``tls-server-name``) instead of the host it connects to."""

    def __init__(
        self,
        host: str,
        port: int | None,
        *,
        timeout: float | None,
        context: ssl.SSLContext,
        server_hostname: str | None,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._tls = context  # http.client keeps it as the undeclared _context
        self._server_hostname = server_hostname

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._tls.wrap_socket(
            self.sock, server_hostname=self._server_hostname or self.host
        )


class ConnectionPool:
    """Keep-alive connections to the server of one RestConfig (see the module docstring)."""

    def __init__(self, config: RestConfig, *, maxsize: int = 128) -> None:
        parts = urlsplit(config.host)
        self._https = parts.scheme == "https"
        self._hostname = parts.hostname or ""
        self._port = parts.port
        #: A path the server URL carries (``https://proxy/k8s/clusters/c1``), put before every
        #: request path.
        self.prefix = parts.path.rstrip("/")
        self._config = config
        self._maxsize = maxsize
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None
        # A pool dropped without clear() still closes its idle sockets (as urllib3's does).
        weakref.finalize(self, _close_all, self._idle)

    # -- connections -----------------------------------------------------------------------

    def _tls_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._context is None:
                self._context = _make_context(self._config)
            return self._context

    def _connect(self, connect_timeout: float | None) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection
        if self._https:
            try:
                context = self._tls_context()
            except (OSError, ValueError) as exc:  # an unreadable CA, certificate or key
                raise ConnectFailed(str(exc)) from ssl.SSLError(f"TLS set-up: {exc}")
            conn = _HTTPSConnection(
                self._hostname,
                self._port,
                timeout=connect_timeout,
                context=context,
                server_hostname=self._config.tls_server_name,
            )
        else:
            conn = http.client.HTTPConnection(self._hostname, self._port, timeout=connect_timeout)
        try:
            conn.connect()
        except OSError as exc:  # ssl.SSLError is an OSError
            conn.close()
            raise ConnectFailed(str(exc)) from exc
        sock = conn.sock
        if isinstance(sock, socket.socket):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _take_idle(self) -> http.client.HTTPConnection | None:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if not _dropped(conn):
                return conn
            conn.close()

    def _put_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self._maxsize:
                self._idle.append(conn)
                return
        conn.close()

    # -- requests --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        target: str,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        connect_timeout: float | None,
        read_timeout: float | None,
    ) -> RawResponse:
        """Send one request and read the whole answer. ``target`` is the path and query."""
        conn = self._take_idle()
        reused = conn is not None
        while True:
            if conn is None:
                conn = self._connect(connect_timeout)
            try:
                _set_timeout(conn, read_timeout)
                conn.request(method, self.prefix + target, body=body, headers=dict(headers))
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                if reused and method == "GET":
                    conn, reused = None, False  # closed while idle: once more, on a new one
                    continue
                raise
            except BaseException:
                conn.close()
                raise
            result = RawResponse(response.status, response.reason, lower_headers(response), data)
            if response.will_close:
                conn.close()
            else:
                self._put_back(conn)
            return result

    def open(
        self,
        method: str,
        target: str,
        *,
        headers: Mapping[str, str],
        connect_timeout: float | None,
        read_timeout: float | None,
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Send a request on a new connection of its own and return it with the response,
        whose body is left unread (a watch). The caller closes the connection."""
        conn = self._connect(connect_timeout)
        try:
            _set_timeout(conn, read_timeout)
            conn.request(method, self.prefix + target, headers=dict(headers))
            return conn, conn.getresponse()
        except BaseException:
            conn.close()
            raise

    def clear(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle = self._idle[:]
            del self._idle[:]
        _close_all(idle)


def _close_all(connections: list[http.client.HTTPConnection]) -> None:
    for conn in connections[:]:
        conn.close()


def _set_timeout(conn: http.client.HTTPConnection, seconds: float | None) -> None:
    sock = conn.sock
    if sock is not None:
        sock.settimeout(seconds)


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """Whether an idle connection was closed by the server (readable means EOF or junk)."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _make_context(config: RestConfig) -> ssl.SSLContext:
    if config.verify:
        context = ssl.create_default_context(cafile=config.ca_file)
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if config.cert_file:
        context.load_cert_chain(config.cert_file, config.key_file)
    return context
