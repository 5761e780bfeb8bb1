"""Raw JSON requests and streaming watches against the API server (client-go ``rest``).

CONTRACT (fixed; the implementation fills it in). Other layers use only what is declared here:

- :meth:`RESTClient.from_options` loads kubeconfig/in-cluster config through the ``kubernetes``
  package's config loader (imported lazily) and raises :class:`~kmech.errors.ConfigError` with
  the way out when nothing is configured.
- Every request has connect and read timeouts; non-2xx answers raise the matching
  :func:`kmech.errors.status_error` (401/403/404/410/429...) unless ``raise_for_status=False``;
  connection problems raise :class:`~kmech.errors.TransportError` subclasses naming the server URL.
- :meth:`RESTClient.stream` returns a :class:`WatchStream` that yields one decoded JSON object per
  line and can be closed from another thread at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kmech.transport.options import ConnectionOptions

__all__ = ["Response", "RESTClient", "WatchStream"]

ParamValue = str | int | bool


@dataclass(frozen=True, slots=True)
class Response:
    """A complete (non-streaming) response. Header names are lower-case."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body decoded as JSON; raises MalformedResponseError naming the problem."""
        raise NotImplementedError


class WatchStream:
    """An open streaming response (watch): iterate for decoded events, close from any thread.

    Iteration yields one ``dict`` per newline-delimited JSON object. It ends (StopIteration) when
    the server closes the stream cleanly or after :meth:`close`. A malformed or truncated line
    raises WatchDecodeError; no data for ``read_idle_timeout`` seconds raises RequestTimeoutError;
    a broken connection raises ConnectError.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop the stream now; a thread blocked in iteration returns promptly."""
        raise NotImplementedError


class RESTClient:
    """Talks JSON to one API server as one user. Thread-safe; one connection pool."""

    @classmethod
    def from_options(cls, options: ConnectionOptions) -> RESTClient:
        """Build from kubectl-style flags and the kubeconfig they select."""
        raise NotImplementedError

    @property
    def server(self) -> str:
        """The server URL, e.g. ``https://127.0.0.1:6443`` (never with credentials)."""
        raise NotImplementedError

    @property
    def namespace(self) -> str:
        """``-n`` if given, else the context's namespace, else ``default``."""
        raise NotImplementedError

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
        raise NotImplementedError

    def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        accept: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """GET and decode; raises on non-2xx."""
        raise NotImplementedError

    def stream(
        self,
        path: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        headers: Mapping[str, str] | None = None,
        read_idle_timeout: float | None = None,
    ) -> WatchStream:
        """Open a streaming GET (``watch=1`` is the caller's to set). A non-2xx answer raises
        before any event is yielded."""
        raise NotImplementedError

    def close(self) -> None:
        """Release pooled connections."""
        raise NotImplementedError
