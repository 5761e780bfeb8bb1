"""A scripted HTTP(S) server for the transport's own edge cases (truncated streams, TLS).

Everything above the transport talks to the sandbox; these tests need byte-level control the
sandbox does not offer (a line cut mid-event, a stream held open, a self-signed CA), so they use
a small stdlib server on 127.0.0.1 with one handler function per path.
"""

from __future__ import annotations

import http.server
import logging
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kmech.sandbox.tls import generate_tls

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class ScriptedServer:
    url: str
    routes: dict[str, Handler] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    seen_headers: list[dict[str, str]] = field(default_factory=list)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    scripted: ScriptedServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.scripted.seen_headers.append(dict(self.headers.items()))
        handler = self.scripted.routes.get(self.path.split("?")[0])
        if handler is None:
            self.send_error(404)
            return
        handler(self)


def send_chunked(handler: http.server.BaseHTTPRequestHandler, chunks: list[bytes]) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for chunk in chunks:
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    handler.wfile.flush()


def end_chunked(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"0\r\n\r\n")
    handler.wfile.flush()


def send_json(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _serve(context: ssl.SSLContext | None) -> Iterator[ScriptedServer]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    scheme = "http"
    if context is not None:
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        scheme = "https"
    scripted = ScriptedServer(url=f"{scheme}://127.0.0.1:{httpd.server_address[1]}")
    handler_cls = type("BoundHandler", (_Handler,), {"scripted": scripted})
    httpd.RequestHandlerClass = handler_cls
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": 0.02},
        name="test:scripted-server",
        daemon=True,
    )
    thread.start()
    try:
        yield scripted
    finally:
        scripted.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    """A plain-HTTP scripted server; set ``routes[path] = handler``."""
    yield from _serve(None)


@dataclass(frozen=True)
class CertFiles:
    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def certs() -> Iterator[CertFiles]:
    """A CA and a server certificate for 127.0.0.1, made by the sandbox's openssl helper."""
    material = generate_tls(("127.0.0.1",))
    yield CertFiles(ca=material.ca_cert, cert=material.server_cert, key=material.server_key)
    material.cleanup()


@pytest.fixture
def tls_scripted(certs: CertFiles) -> Iterator[ScriptedServer]:
    """The scripted server over TLS, with a certificate signed by ``certs.ca``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs.cert, certs.key)
    yield from _serve(context)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def transport_log() -> Iterator[list[str]]:
    """Messages logged by ``kmech.transport`` during the test, whatever the CLI did to logging."""
    logger = logging.getLogger("kmech.transport")
    handler = _ListHandler()
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
