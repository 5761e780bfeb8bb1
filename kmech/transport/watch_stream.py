"""Newline-delimited JSON read from a streaming HTTP response, closable from any thread.

A watch is one long GET whose body is a sequence of JSON objects, one per line. This module turns
an open :mod:`http.client` response into an iterator of dicts, with three promises:

- a line that is not a JSON object, or a final line cut off before its newline, raises
  WatchDecodeError (a clean end of stream after a newline simply ends the iteration);
- no bytes for ``read_idle_timeout`` seconds raises RequestTimeoutError (the socket's read
  timeout, set when the request was sent);
- :meth:`WatchStream.close` from another thread shuts the socket down, so a reader blocked in
  ``recv`` wakes up at once and the iteration ends without an error.

Upstream: apimachinery ``pkg/util/framer`` and ``pkg/watch/streamwatcher.go`` (Stop closes the
body to unblock the decoder).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

from kmech.errors import WatchDecodeError
from kmech.transport.errors import translate

__all__ = ["WatchStream"]

_READ_SIZE = 64 * 1024
# A single event larger than this is malformed for our purposes (apiserver objects are < 1.5 MiB,
# the etcd limit, plus the envelope).
_MAX_LINE = 16 * 1024 * 1024


class WatchStream:
    """An open streaming response (watch): iterate for decoded events, close from any thread.

    Iteration yields one ``dict`` per newline-delimited JSON object. It ends (StopIteration) when
    the server closes the stream cleanly or after :meth:`close`. A malformed or truncated line
    raises WatchDecodeError; no data for ``read_idle_timeout`` seconds raises RequestTimeoutError;
    a broken connection raises ConnectError. Iterate from one thread only; :meth:`close` may be
    called from any thread, any number of times.
    """

    def __init__(
        self,
        response: Any,
        *,
        server: str,
        read_idle_timeout: float | None,
        on_close: Callable[[], None] | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        """``response`` has ``read1`` and ``close``; ``sock`` is its connection's socket (shut
        down by :meth:`close`); ``on_close`` runs once when the stream ends or is closed."""
        self._response = response
        self._sock = sock
        self._server = server
        self._read_idle_timeout = read_idle_timeout
        self._on_close = on_close
        self._closed = threading.Event()
        self._close_lock = threading.Lock()
        self._released = False

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called or the stream ended."""
        return self._closed.is_set()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        buffer = bytearray()
        try:
            while not self._closed.is_set():
                try:
                    chunk = self._response.read1(_READ_SIZE)
                except Exception as exc:  # noqa: BLE001 - translated or ignored after close
                    if self._closed.is_set():
                        return
                    raise translate(
                        exc, server=self._server, timeout=self._read_idle_timeout
                    ) from exc
                if not chunk:
                    if self._closed.is_set():
                        return
                    if buffer.strip():
                        raise WatchDecodeError(
                            f"watch stream from {self._server} ended in the middle of an event "
                            f"({len(buffer)} bytes without a final newline); the watch will be "
                            "restarted"
                        )
                    return
                buffer.extend(chunk)
                while True:
                    newline = buffer.find(b"\n")
                    if newline < 0:
                        break
                    line = bytes(buffer[:newline])
                    del buffer[: newline + 1]
                    if not line.strip():
                        continue
                    yield self._decode(line)
                    if self._closed.is_set():
                        return
                if len(buffer) > _MAX_LINE:
                    raise WatchDecodeError(
                        f"watch event from {self._server} is larger than {_MAX_LINE} bytes"
                    )
        finally:
            self._release()

    def _decode(self, line: bytes) -> dict[str, Any]:
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            preview = line[:80].decode("utf-8", "replace")
            raise WatchDecodeError(
                f"malformed watch event from {self._server}: {preview!r} is not JSON"
            ) from exc
        if not isinstance(value, dict):
            raise WatchDecodeError(
                f"malformed watch event from {self._server}: expected an object, got "
                f"{type(value).__name__}"
            )
        return value

    def close(self) -> None:
        """Stop the stream now; a thread blocked in iteration returns promptly."""
        with self._close_lock:
            if self._closed.is_set():
                return
            self._closed.set()
        sock = self._sock
        if sock is not None:
            try:
                # shutdown (not close) wakes a thread blocked in recv on this socket at once.
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the peer
        self._release()

    def _release(self) -> None:
        with self._close_lock:
            self._closed.set()
            if self._released:
                return
            self._released = True
        try:
            # The connection is mid-body: never reuse it (on_close closes it).
            self._response.close()
        except OSError:
            pass
        if self._on_close is not None:
            self._on_close()

    def __enter__(self) -> WatchStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
