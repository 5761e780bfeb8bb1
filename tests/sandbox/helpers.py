"""A tiny stdlib HTTP client for sandbox tests (no kmech client code involved)."""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Client:
    """One keep-alive connection to a sandbox (http.client, no kmech code involved)."""

    url: str
    token: str | None = None
    ssl_context: ssl.SSLContext | None = None
    timeout: float = 10.0
    _conn: http.client.HTTPConnection | None = field(default=None, repr=False)
    _watches: list[Watch] = field(default_factory=list, repr=False)

    def _connect(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.url)
        if parts.scheme == "https":
            return http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=self.timeout, context=self.ssl_context
            )
        return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.timeout)

    def _headers(self, accept: str | None, content_type: str | None) -> dict[str, str]:
        headers = {"Accept": accept or "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        accept: str | None = None,
        content_type: str | None = None,
    ) -> Answer:
        if params:
            path = f"{path}?{urlencode(params)}"
        data = None if body is None else json.dumps(body).encode()
        if data is not None and content_type is None:
            content_type = "application/json"
        if self._conn is None:
            self._conn = self._connect()
        self._conn.request(method, path, body=data, headers=self._headers(accept, content_type))
        resp = self._conn.getresponse()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def watch(
        self, path: str, params: dict[str, Any] | None = None, *, accept: str | None = None
    ) -> Watch:
        conn = self._connect()
        query = {"watch": "true", **(params or {})}
        conn.request("GET", f"{path}?{urlencode(query)}", headers=self._headers(accept, None))
        watch = Watch(conn, conn.getresponse())
        self._watches.append(watch)
        return watch

    def close(self) -> None:
        """Close the connection and every watch this client opened."""
        for watch in self._watches:
            watch.close()
        self._watches.clear()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Watch:
    """An open watch: ``status``, ``next()`` for one decoded event, ``events(n)``."""

    def __init__(self, conn: http.client.HTTPConnection, resp: http.client.HTTPResponse) -> None:
        self.conn = conn
        self.resp = resp
        self.status = resp.status

    def next(self) -> dict[str, Any] | None:
        line = self.resp.readline()
        if not line:
            return None
        return json.loads(line)

    def events(self, n: int) -> list[dict[str, Any]]:
        out = []
        for _ in range(n):
            ev = self.next()
            if ev is None:
                break
            out.append(ev)
        return out

    def rest(self) -> list[dict[str, Any]]:
        out = []
        while (ev := self.next()) is not None:
            out.append(ev)
        return out

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while (ev := self.next()) is not None:
            yield ev

    def close(self) -> None:
        self.resp.close()
        self.conn.close()


def pod(
    name: str, *, labels: dict[str, str] | None = None, phase: str | None = None, **spec: Any
) -> dict[str, Any]:
    """A minimal pod body."""
    obj: dict[str, Any] = {
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec},
    }
    if labels:
        obj["metadata"]["labels"] = labels
    if phase:
        obj["status"] = {"phase": phase}
    return obj
