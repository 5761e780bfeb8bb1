"""The sandbox's HTTP/1.1 front end: sockets, authentication, faults, routing and watch streams.

One :class:`SandboxHTTPServer` listens on a local address; each connection gets a named daemon
thread (``sandbox-conn-N``) and keeps alive across requests. Accepted sockets have Nagle's
algorithm off (``TCP_NODELAY``): without it a small response written in two segments waits for
the peer's delayed ACK, about 40 ms per request. Watches are chunked responses of
newline-delimited JSON events, flushed when the watcher's queue runs dry.

Everything the server needs lives in a :class:`ServerContext` built by
:class:`~kmech.sandbox.Sandbox`; this module holds no global state.

Upstream: kubernetes ``staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go``
(serveWatch framing, timeouts), ``.../storage/cacher/cacher.go`` (bookmarks, initial events).
"""

from __future__ import annotations

import hmac
import itertools
import json
import logging
import random
import select
import socket
import ssl
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kmech.sandbox import status as st
from kmech.sandbox.discovery import DiscoveryDocs, parse_accept
from kmech.sandbox.faults import Faults, ScriptedResponse, StatusFault
from kmech.sandbox.rest import (
    Reply,
    Representation,
    ResourceHandler,
    ResourceRequest,
    choose_representation,
    resolve,
)
from kmech.sandbox.storage import Storage
from kmech.sandbox.watch import StreamAbort, Watcher, WatchFilter, WatchStream

__all__ = ["RequestRecord", "ServerContext", "SandboxHTTPServer"]

log = logging.getLogger(__name__)

_DISCOVERY_ROOTS = ("/api", "/apis", "/version")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the sandbox saw it (recorded when the response line is sent)."""

    method: str
    path: str
    query: dict[str, str]
    accept: str
    code: int
    user_agent: str = ""
    at: float = 0.0
    """``time.monotonic()`` when the response line was sent."""

    @property
    def is_watch(self) -> bool:
        """True for a watch request."""
        return self.query.get("watch") in ("true", "1")


@dataclass(slots=True)
class ServerContext:
    """Shared state of one sandbox's HTTP layer (thread-safe where noted)."""

    storage: Storage
    docs: DiscoveryDocs
    faults: Faults
    token: str | None = None
    user: str = "system:anonymous"
    bookmark_interval: float = 60.0
    expired_watch_as_http: bool = True
    watch_list_defaulting: bool = False
    wall_time: Callable[[], float] = time.time
    stopping: threading.Event = field(default_factory=threading.Event)
    records: deque[RequestRecord] = field(default_factory=lambda: deque(maxlen=20000))
    request_count: int = 0
    connection_resets: int = 0
    activity: threading.Condition = field(default_factory=threading.Condition)
    watchers: set[Watcher] = field(default_factory=set)
    connections: set[socket.socket] = field(default_factory=set)
    stream_ids: Any = field(default_factory=lambda: itertools.count(1))
    conn_ids: Any = field(default_factory=lambda: itertools.count(1))
    handler: ResourceHandler = field(init=False)
    """Serves every non-watch resource request (stateless beyond the store and the docs)."""

    def __post_init__(self) -> None:
        self.handler = ResourceHandler(self.storage, self.docs, now=self.wall_time)

    def record(self, rec: RequestRecord) -> None:
        """Append to the request log and wake anyone waiting on activity."""
        with self.activity:
            self.records.append(rec)
            self.request_count += 1
            self.activity.notify_all()

    def touch(self) -> None:
        """Wake anyone waiting on activity (watch opened or closed)."""
        with self.activity:
            self.activity.notify_all()


class SandboxHTTPServer(ThreadingHTTPServer):
    """Threaded HTTP/1.1 server with TCP_NODELAY, named threads and optional TLS."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(
        self,
        address: tuple[str, int],
        ctx: ServerContext,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.ctx = ctx
        self.ssl_context = ssl_context
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[Any, Any]:
        sock, addr = self.socket.accept()
        if self.ctx.faults.take_connection_reset():
            # Count before closing: the client sees the reset the moment the socket closes, so a
            # count taken after the close could lag behind what the client has already seen.
            with self.ctx.activity:
                self.ctx.connection_resets += 1
                self.ctx.activity.notify_all()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            raise OSError("connection reset by fault injection")  # socketserver skips it
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            # The handshake happens in the connection's own thread (see _Handler.setup), so a
            # slow client cannot hold up the accept loop.
            sock = self.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, addr

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"sandbox-conn-{next(self.ctx.conn_ids)}",
            daemon=True,
        )
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sandbox connection error from %s", client_address, exc_info=True)


class _Abort(Exception):
    """Reset the connection now (fault injection)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SandboxHTTPServer
    server_version = "kmech-sandbox"
    sys_version = ""

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (OSError, ssl.SSLError):
                self.request.close()
                raise
            self.request.settimeout(None)
        super().setup()
        with self.server.ctx.activity:
            self.server.ctx.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.ctx.activity:
            self.server.ctx.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("sandbox: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    # ----------------------------------------------------------------- dispatch

    def _dispatch(self) -> None:
        ctx = self.server.ctx
        split = urlsplit(self.path)
        path = split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        self._query = query
        self._path_only = path
        self._headers_sent = False
        body = self._read_body()
        try:
            if ctx.stopping.is_set():
                raise st.StatusException(
                    st.status_body(503, "ServiceUnavailable", "the sandbox is shutting down")
                )
            self._authenticate()
            delay = ctx.faults.latency_for(self.path)
            if delay > 0:
                ctx.stopping.wait(delay)
            fault = ctx.faults.take_status(self.command, self.path)
            if fault is not None:
                raise self._fault_status(fault, path, query)
            script = ctx.faults.take_script(self.command, self.path)
            if script is not None:
                self._scripted(script)
                return
            self._route(path, query, body)
        except st.StatusException as exc:
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
            self._send(Reply(exc.code, exc.body, headers=headers))
        except (_Abort, StreamAbort):
            self._reset()
        except (OSError, ssl.SSLError):
            self.close_connection = True  # the client went away, or stop() reset the socket
        except Exception:
            # A sandbox bug: answer 500 when nothing was sent yet, keep the traceback in the log.
            log.exception("sandbox: error serving %s %s", self.command, self.path)
            self.close_connection = True
            if not self._headers_sent:
                status = st.internal_error("unexpected sandbox error (see the log)").body
                try:
                    self._send(Reply(500, status))
                except OSError:
                    pass

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length:
            return self.rfile.read(int(length))
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""

    def _authenticate(self) -> None:
        token = self.server.ctx.token
        if token is None:
            return
        header = self.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            raise st.unauthorized()

    def _scripted(self, script: ScriptedResponse) -> None:
        ctx = self.server.ctx
        self._record(script.status)
        self.send_response(script.status)
        self.send_header("Content-Type", script.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in script.parts:
            if isinstance(part, bytes):
                if part:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            elif ctx.stopping.wait(part):
                break
        if script.end == "reset":
            raise _Abort
        if script.end == "hang":
            while not ctx.stopping.wait(0.25):
                if _peer_closed(self.connection):
                    break
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")

    def _fault_status(
        self, fault: StatusFault, path: str, query: dict[str, str]
    ) -> st.StatusException:
        code = fault.code
        if code == 403:
            return self._forbidden(fault.message, path, query)
        if code == 429:
            return st.too_many_requests(
                fault.message or "Too many requests, please try again later.", fault.retry_after
            )
        storage = self.server.ctx.storage
        current = storage.codec.encode(storage.rv)
        if code == 410 and not fault.message:
            rv = query.get("resourceVersion", "0")
            return st.expired(f"too old resource version: {rv} ({current})")
        if code == 504 and not fault.message:
            # The one 504 clients handle specially: "Too large resource version" (a relist
            # retries without a resourceVersion, client-go reflector.go).
            return st.too_large_resource_version(query.get("resourceVersion", current), current)
        # A 410 without a message was answered above: status_for_code needs no too-old text.
        body = st.status_for_code(code, fault.message, "")
        return st.StatusException(body, retry_after=fault.retry_after)

    def _forbidden(
        self, message: str | None, path: str, query: dict[str, str]
    ) -> st.StatusException:
        ctx = self.server.ctx
        try:
            req = resolve(ctx.docs, self.command, path, query)
        except st.StatusException:
            req = None
        if req is None:
            text = (
                message
                or f'forbidden: User "{ctx.user}" cannot {self.command.lower()} path "{path}"'
            )
            return st.forbidden(text)
        info = req.info
        qualified = f"{info.resource}.{info.group}" if info.group else info.resource
        resource = f"{info.resource}/{req.subresource}" if req.subresource else info.resource
        scope = f'in the namespace "{req.namespace}"' if req.namespace else "at the cluster scope"
        subject = f'{qualified} "{req.name}"' if req.name else qualified
        text = message or (
            f'{subject} is forbidden: User "{ctx.user}" cannot {req.verb} resource "{resource}" '
            f'in API group "{info.group}" {scope}'
        )
        return st.forbidden(text, resource=info.resource, group=info.group, name=req.name or "")

    def _route(self, path: str, query: dict[str, str], body: bytes) -> None:
        ctx = self.server.ctx
        accept_header = self.headers.get("Accept")
        accept = parse_accept(accept_header)
        if path in ("/healthz", "/readyz", "/livez"):
            self._send(Reply(200, b"ok", content_type="text/plain; charset=utf-8"))
            return
        stripped = path.rstrip("/")
        is_discovery = (
            stripped in _DISCOVERY_ROOTS
            or (stripped.startswith("/api/") and stripped.count("/") == 2)
            or (stripped.startswith("/apis/") and stripped.count("/") in (2, 3))
        )
        if is_discovery and self.command in ("GET", "HEAD"):
            try:
                answer = ctx.docs.respond(stripped, accept)
            except LookupError:
                raise st.path_not_found() from None
            except ValueError:
                raise st.not_acceptable(accept_header or "") from None
            if answer is not None:
                self._send(Reply(200, answer[0], content_type=answer[1]))
                return
        if path.startswith("/openapi/v3") and self.command in ("GET", "HEAD"):
            doc = ctx.docs.openapi_v3(path)
            if doc is not None:
                self._send(Reply(200, doc))
                return
        if path.startswith("/openapi/"):
            raise st.path_not_found()
        req = resolve(ctx.docs, self.command, path, query)
        rep = choose_representation(accept, verb=req.verb)
        if req.verb == "watch":
            self._watch(req, query, rep)
            return
        reply = ctx.handler.handle(
            req, query, body, self.headers.get("Content-Type", "application/json"), rep
        )
        self._send(reply)

    # ----------------------------------------------------------------- responses

    def _send(self, reply: Reply) -> None:
        body = (
            reply.body
            if isinstance(reply.body, bytes)
            else json.dumps(reply.body, separators=(",", ":")).encode()
        )
        if not isinstance(reply.body, bytes):
            body += b"\n"
        self._record(reply.code)
        self.send_response(reply.code)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _record(self, code: int) -> None:
        self._headers_sent = True
        self.server.ctx.record(
            RequestRecord(
                self.command,
                getattr(self, "_path_only", self.path),
                getattr(self, "_query", {}),
                self.headers.get("Accept", ""),
                code,
                self.headers.get("User-Agent", ""),
                time.monotonic(),
            )
        )

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    # ----------------------------------------------------------------- watch

    def _watch(self, req: ResourceRequest, query: dict[str, str], rep: Representation) -> None:
        ctx = self.server.ctx
        storage = ctx.storage
        handler = ctx.handler
        labels, fields = handler.selectors(req, query)
        rv_text = query.get("resourceVersion", "")
        rvm = query.get("resourceVersionMatch", "")
        send_initial_param = query.get("sendInitialEvents")
        allow_bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        # Upstream: apimachinery pkg/apis/meta/internalversion/validation validateWatchOptions.
        errors = []
        if send_initial_param is not None and rvm != "NotOlderThan":
            errors.append(
                st.forbidden_field(
                    "resourceVersionMatch",
                    "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                )
            )
        if rvm:
            if send_initial_param is None:
                errors.append(
                    st.forbidden_field(
                        "resourceVersionMatch",
                        "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                    )
                )
            if rvm != "NotOlderThan":
                errors.append(st.unsupported_field("resourceVersionMatch", rvm, ["NotOlderThan"]))
        if errors:
            raise st.invalid("ListOptions", "", errors, group="meta.k8s.io")
        send_initial = send_initial_param in ("true", "1")
        if (
            ctx.watch_list_defaulting
            and send_initial_param is None
            and not rvm
            and rv_text in ("", "0")
        ):
            # Upstream: apimachinery internalversion SetListOptionsDefaults (WatchList gate on):
            # a legacy watch without an rv becomes a streaming list.
            send_initial = True
        try:
            timeout = (
                float(query["timeoutSeconds"])
                if query.get("timeoutSeconds")
                else random.uniform(1800, 3600)
            )
        except ValueError:
            raise st.bad_request(f"invalid timeoutSeconds: {query['timeoutSeconds']}") from None
        flt = WatchFilter(req.namespace, labels, fields)
        watcher = Watcher(req.key, flt, name=f"{req.info.resource}")
        initial = send_initial or (send_initial_param is None and rv_text in ("", "0"))
        since: int | None = None
        too_large: st.StatusException | None = None
        if rv_text and rv_text != "0":
            want = handler.parse_rv(rv_text)
            if want > storage.rv and not storage.wait_for_rv(want, 3.0):
                too_large = st.too_large_resource_version(rv_text, storage.codec.encode(storage.rv))
            if not initial:
                since = want
        elif not initial:
            # sendInitialEvents=false without a resourceVersion: changes from now on only.
            since = storage.rv
        stream_error: st.StatusException | None = too_large
        start_rv = 0
        start: list[Any] = []
        if stream_error is None:
            try:
                start_rv, start = storage.register(
                    req.key, watcher, since=None if initial else since
                )
            except st.StatusException as exc:
                if ctx.expired_watch_as_http:
                    raise
                stream_error = exc
        stream_id = next(ctx.stream_ids)
        with ctx.activity:
            ctx.watchers.add(watcher)
        try:
            self._record(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            ctx.touch()
            stream = WatchStream(
                write=self.wfile.write,
                peer_closed=lambda: _peer_closed(self.connection),
                storage=storage,
                faults=ctx.faults,
                stopping=ctx.stopping,
                info=req.info,
                rep=rep,
                watcher=watcher,
                stream_id=stream_id,
                include_object=query.get("includeObject") or "Metadata",
                bookmark_interval=ctx.bookmark_interval,
                wall_time=ctx.wall_time,
            )
            if stream_error is not None:
                stream.send_error_event(stream_error.body)
            else:
                stream.run(
                    start,
                    initial=initial,
                    send_initial=send_initial,
                    start_rv=start_rv,
                    allow_bookmarks=allow_bookmarks,
                    deadline=time.monotonic() + timeout,
                )
            stream.finish()
        finally:
            storage.unregister(req.key, watcher)
            with ctx.activity:
                ctx.watchers.discard(watcher)
                ctx.activity.notify_all()


def _peer_closed(sock: Any) -> bool:
    """True when the peer has closed a plain TCP socket (TLS sockets: never known)."""
    if isinstance(sock, ssl.SSLSocket):
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        peeked: bytes = sock.recv(1, socket.MSG_PEEK)
        return peeked == b""
    except (OSError, ValueError):
        return True
