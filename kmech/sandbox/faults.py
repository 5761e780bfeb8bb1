"""Faults injected on demand: what the sandbox does wrong, when asked, and for how long.

A :class:`Faults` object belongs to one :class:`~kmech.sandbox.Sandbox` (``sb.faults``). Tests
and ``kmech sandbox`` flags arm faults; the HTTP layer consults them on every request and every
watch event. All methods are thread-safe and take effect at once, including on watch streams
that are already open.

Watch faults (drop, expire, truncate, stall) are *claimed* by streams: each armed fault is
claimed by up to ``times`` streams (``None``: every stream, forever). An open stream claims it
the next time it wakes (at once, since arming wakes every stream); a new stream claims it right
after its response headers. Event counts (``after_events``) start at the claim.

Request faults (latency, status) match on method and a regular expression searched in the
request's path plus query string (``/api/v1/namespaces/shop/pods?watch=true``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

__all__ = ["Faults", "ScriptedResponse", "StatusFault", "WatchFault", "WatchFaultKind"]


class WatchFaultKind(StrEnum):
    """What a watch fault does to the stream that claims it."""

    DROP = "drop"  # end the stream cleanly (terminating chunk) after N events
    EXPIRE = "expire"  # send ERROR 410 Expired after N events, then end cleanly
    TRUNCATE = "truncate"  # write half of the next event, then reset the connection
    STALL = "stall"  # send nothing (no events, no bookmarks) for N seconds
    ERROR = "error"  # send an ERROR event with a Status of ``code`` after N events, then end


@dataclass(slots=True)
class WatchFault:
    """An armed watch fault; ``remaining`` streams may still claim it (None: unlimited)."""

    kind: WatchFaultKind
    after_events: int = 0
    seconds: float = 0.0
    remaining: int | None = 1
    claimed_by: set[int] = field(default_factory=set)
    code: int = 410
    message: str | None = None


def _request_matches(
    want_method: str | None, path_regex: re.Pattern[str] | None, method: str, target: str
) -> bool:
    if want_method and want_method.upper() != method.upper():
        return False
    return path_regex is None or path_regex.search(target) is not None


@dataclass(slots=True)
class StatusFault:
    """Answer matching requests with ``code`` and a proper Status body."""

    code: int
    path_regex: re.Pattern[str] | None = None
    method: str | None = None
    remaining: int | None = 1
    retry_after: int | None = None
    message: str | None = None

    def matches(self, method: str, target: str) -> bool:
        """Whether a request (method, path+query) is hit by this fault."""
        return _request_matches(self.method, self.path_regex, method, target)


@dataclass(slots=True)
class ScriptedResponse:
    """A canned answer: status, headers, then a chunked body of ``parts`` and an ending.

    ``parts`` items are bytes (each written and flushed as its own HTTP chunk, so one event can
    be split across chunks or several packed into one) or floats (pause that many seconds).
    ``end``: ``"clean"`` (terminating chunk), ``"reset"`` (TCP reset, no terminating chunk) or
    ``"hang"`` (keep the connection open and silent until the sandbox stops or resets).
    """

    parts: list[bytes | float]
    status: int = 200
    content_type: str = "application/json"
    end: str = "clean"
    path_regex: re.Pattern[str] | None = None
    method: str | None = "GET"
    remaining: int | None = 1

    def matches(self, method: str, target: str) -> bool:
        """Whether a request (method, path+query) gets this answer."""
        return _request_matches(self.method, self.path_regex, method, target)


_RequestFault = TypeVar("_RequestFault", StatusFault, ScriptedResponse)


@dataclass(slots=True)
class _Latency:
    seconds: float
    path_regex: re.Pattern[str] | None


class Faults:
    """The fault switchboard of one sandbox.

    ``on_watch_change`` is called after a watch fault is armed (it wakes open streams);
    ``on_refuse`` is called with the new setting of :meth:`refuse_connections`.
    """

    def __init__(
        self,
        *,
        on_watch_change: Callable[[], None] | None = None,
        on_refuse: Callable[[bool], None] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._on_watch_change = on_watch_change
        self._on_refuse = on_refuse
        self._status: list[StatusFault] = []
        self._watch: list[WatchFault] = []
        self._scripts: list[ScriptedResponse] = []
        self._latency: _Latency | None = None
        self._refusing = False
        self._resets = 0

    # ---------------------------------------------------------------------- arming

    def latency(self, seconds: float, *, path_regex: str | None = None) -> None:
        """Delay every matching request by ``seconds`` before it is answered (0 turns it off)."""
        with self._lock:
            self._latency = (
                _Latency(seconds, re.compile(path_regex) if path_regex else None)
                if seconds > 0
                else None
            )

    def status(
        self,
        code: int,
        *,
        path_regex: str | None = None,
        method: str | None = None,
        times: int | None = 1,
        retry_after: int | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests (None: all) with ``code`` and a Status.

        403 without ``message`` gets kube-apiserver's wording for the request
        (``pods is forbidden: User "..." cannot list resource "pods" in API group "" in the
        namespace "shop"``); 429 carries ``Retry-After``; 410 is ``Expired``; 500 is an
        InternalError; 504 is "Too large resource version" with its ResourceVersionTooLarge
        cause. Other codes get a generic Status.
        """
        if code < 400 or code > 599:
            raise ValueError(f"status fault code must be 4xx or 5xx, not {code}")
        with self._lock:
            self._status.append(
                StatusFault(
                    code,
                    re.compile(path_regex) if path_regex else None,
                    method,
                    times,
                    retry_after,
                    message,
                )
            )

    def drop_watch_after(self, n: int, *, times: int | None = 1) -> None:
        """End watch streams cleanly after ``n`` more events (0: right away, no events)."""
        self._arm(WatchFault(WatchFaultKind.DROP, after_events=n, remaining=times))

    def expire_watch_mid_stream(self, *, after_events: int = 0, times: int | None = 1) -> None:
        """After ``after_events`` more events, send ERROR 410 Expired and end the stream."""
        self._arm(WatchFault(WatchFaultKind.EXPIRE, after_events=after_events, remaining=times))

    def watch_error(
        self,
        code: int,
        *,
        after_events: int = 0,
        message: str | None = None,
        times: int | None = 1,
    ) -> None:
        """After ``after_events`` more events, send an ERROR event whose Status has ``code``
        (429 TooManyRequests, 500 InternalError, 410 Expired, 504 Timeout...) and end."""
        self._arm(
            WatchFault(
                WatchFaultKind.ERROR,
                after_events=after_events,
                remaining=times,
                code=code,
                message=message,
            )
        )

    def script(
        self,
        parts: list[bytes | float],
        *,
        path_regex: str | None = None,
        method: str | None = "GET",
        status: int = 200,
        content_type: str = "application/json",
        end: str = "clean",
        times: int | None = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with a scripted chunked response
        (see :class:`ScriptedResponse`): odd framing, undecodable events, odd list bodies."""
        if end not in ("clean", "reset", "hang"):
            raise ValueError(f"end must be clean, reset or hang, not {end!r}")
        with self._lock:
            self._scripts.append(
                ScriptedResponse(
                    list(parts),
                    status,
                    content_type,
                    end,
                    re.compile(path_regex) if path_regex else None,
                    method,
                    times,
                )
            )

    def truncate_next_event(self, *, times: int | None = 1) -> None:
        """Write only the first half of the next event's line, then reset the connection."""
        self._arm(WatchFault(WatchFaultKind.TRUNCATE, remaining=times))

    def stall_watch(self, seconds: float, *, times: int | None = 1) -> None:
        """Keep the stream open but silent for ``seconds`` (events queue up and follow later)."""
        self._arm(WatchFault(WatchFaultKind.STALL, seconds=seconds, remaining=times))

    def refuse_connections(self, refuse: bool = True) -> None:
        """Close (True) or reopen (False) the listening socket; closing also resets every open
        connection, as a server that died would. New connections are refused by the kernel."""
        with self._lock:
            changed = self._refusing != refuse
            self._refusing = refuse
        if changed and self._on_refuse is not None:
            self._on_refuse(refuse)

    def reset_connections(self, times: int = 1) -> None:
        """Reset the next ``times`` TCP connections right after accepting them, before any byte.

        Unlike :meth:`refuse_connections` this can be counted (the kernel does not report
        refused attempts to the server): a client sees a connection reset before the response
        headers, the other transport failure of a server that is going away.
        """
        with self._lock:
            self._resets = max(times, 0)

    def clear(self) -> None:
        """Disarm every fault and accept connections again."""
        with self._lock:
            self._resets = 0
            self._status.clear()
            self._watch.clear()
            self._scripts.clear()
            self._latency = None
        self.refuse_connections(False)

    def _arm(self, fault: WatchFault) -> None:
        with self._lock:
            self._watch.append(fault)
        if self._on_watch_change is not None:
            self._on_watch_change()

    # ---------------------------------------------------------------------- consulting

    @property
    def refusing(self) -> bool:
        """True while connections are refused."""
        return self._refusing

    def take_connection_reset(self) -> bool:
        """True when a just-accepted connection must be reset (consumes one use)."""
        if not self._resets:
            return False
        with self._lock:
            if self._resets <= 0:
                return False
            self._resets -= 1
            return True

    def latency_for(self, target: str) -> float:
        """Seconds to delay a request for ``target`` (path+query)."""
        lat = self._latency
        if lat is None:
            return 0.0
        if lat.path_regex is not None and lat.path_regex.search(target) is None:
            return 0.0
        return lat.seconds

    def take_status(self, method: str, target: str) -> StatusFault | None:
        """The first armed status fault matching this request, consuming one use of it."""
        return self._take(self._status, method, target)

    def take_script(self, method: str, target: str) -> ScriptedResponse | None:
        """The first scripted answer matching this request, consuming one use of it."""
        return self._take(self._scripts, method, target)

    def _take(self, armed: list[_RequestFault], method: str, target: str) -> _RequestFault | None:
        if not armed:
            return None
        with self._lock:
            for entry in armed:
                if entry.matches(method, target):
                    if entry.remaining is not None:
                        entry.remaining -= 1
                        if entry.remaining <= 0:
                            armed.remove(entry)
                    return entry
        return None

    def claim_watch(self, stream_id: int) -> list[WatchFault]:
        """Watch faults newly claimed by stream ``stream_id`` (each at most once per stream)."""
        if not self._watch:
            return []
        out: list[WatchFault] = []
        with self._lock:
            for fault in list(self._watch):
                if stream_id in fault.claimed_by:
                    continue
                fault.claimed_by.add(stream_id)
                out.append(fault)
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._watch.remove(fault)
        return out
