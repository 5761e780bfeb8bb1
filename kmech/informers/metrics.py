"""What an informer reports about itself: trace events as they happen, and counters on demand.

Trace events (:class:`TraceEvent`) are emitted by the reflector and the informer at protocol steps
(LIST pages, WATCH opened/ended, bookmarks, expiries, backoffs, resyncs, sync) — never per watch
event, so subscribing costs nothing on the hot path. Hooks (:class:`TraceHook`) run on the emitting
thread and must be quick and must not raise (a raising hook is logged and ignored).
:attr:`TraceEvent.message` renders the one-line text the CLI prints for ``--trace``, for example
``LIST page 3``, ``WATCH from rv=1042``, ``BOOKMARK rv=1100``, ``410 Gone: relisting at rv=1100``,
``connection lost: retry in 1.3 s``.

:class:`InformerStats` is a snapshot of plain counters; a live view computes rates (events/s) from
two snapshots and its own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kmech.clock import Duration

__all__ = ["TraceKind", "TraceEvent", "TraceHook", "Phase", "InformerStats"]


class TraceKind(StrEnum):
    LIST_START = "list-start"
    LIST_PAGE = "list-page"
    LIST_DONE = "list-done"
    LIST_FALLBACK = "list-fallback"  # continue token expired: one full list
    LIST_RETRY_NO_RV = "list-retry-no-rv"  # list RV unavailable: immediate retry from ""
    LIST_ERROR = "list-error"
    WATCH_LIST_START = "watch-list-start"
    WATCH_LIST_DONE = "watch-list-done"
    WATCH_START = "watch-start"
    WATCH_END = "watch-end"  # clean end (server timeout, EOF, idle timeout)
    WATCH_ERROR = "watch-error"  # request or in-stream error
    BOOKMARK = "bookmark"
    EXPIRED = "expired"  # 410: the next step is a relist
    THROTTLED = "throttled"  # 429
    BACKOFF = "backoff"  # waiting before the next attempt
    RESYNC = "resync"
    SYNCED = "synced"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceEvent:
    """One protocol step. Fields not relevant to ``kind`` keep their defaults."""

    kind: TraceKind
    name: str = ""  # the informer/reflector name, e.g. "pods"
    at: int = 0  # clock time in ns
    resource_version: str = ""
    page: int = 0
    total_pages: int = 0  # 0 when unknown (the server sent no remainingItemCount)
    items: int = 0
    events: int = 0
    delay: Duration | None = None
    timeout_seconds: int | None = None
    reason: str = ""
    error: str = ""

    @property
    def message(self) -> str:
        """The one-line ``--trace`` text."""
        k = self.kind
        rv = self.resource_version
        if k is TraceKind.LIST_START:
            return f"LIST rv={rv or '(none)'}"
        if k is TraceKind.LIST_PAGE:
            of = f" of {self.total_pages}" if self.total_pages else ""
            return f"LIST page {self.page}{of} ({self.items} items so far)"
        if k is TraceKind.LIST_DONE:
            return f"LIST done: {self.items} items at rv={rv}"
        if k is TraceKind.LIST_FALLBACK:
            return f"LIST continue token expired: one full list at rv={rv or '(none)'}"
        if k is TraceKind.LIST_RETRY_NO_RV:
            return f"LIST rv unavailable ({self.error}): relisting without rv"
        if k is TraceKind.LIST_ERROR:
            return f"LIST failed: {self.error}"
        if k is TraceKind.WATCH_LIST_START:
            return f"WATCH-LIST from rv={rv or '(none)'}"
        if k is TraceKind.WATCH_LIST_DONE:
            return f"WATCH-LIST synced: {self.items} items at rv={rv}"
        if k is TraceKind.WATCH_START:
            timeout = f" (timeout {self.timeout_seconds}s)" if self.timeout_seconds else ""
            return f"WATCH from rv={rv or '(none)'}{timeout}"
        if k is TraceKind.WATCH_END:
            return f"WATCH ended after {self.events} events ({self.reason}); resuming at rv={rv}"
        if k is TraceKind.WATCH_ERROR:
            return f"WATCH error: {self.error}"
        if k is TraceKind.BOOKMARK:
            return f"BOOKMARK rv={rv}"
        if k is TraceKind.EXPIRED:
            return f"410 Gone: relisting at rv={rv or '(none)'}"
        if k is TraceKind.THROTTLED:
            return f"429 Too Many Requests: {self.reason}"
        if k is TraceKind.BACKOFF:
            seconds = (self.delay or 0) / 1e9
            return f"{self.reason or 'retrying'}: retry in {seconds:.1f} s"
        if k is TraceKind.RESYNC:
            return "RESYNC"
        if k is TraceKind.SYNCED:
            return f"SYNCED: {self.items} objects at rv={rv}"
        return "STOPPED"


class TraceHook(Protocol):
    """Receives trace events; plain functions ``def hook(event): ...`` satisfy it."""

    def __call__(self, event: TraceEvent) -> None: ...


class Phase(StrEnum):
    NEW = "new"  # not started
    LISTING = "listing"
    WATCHING = "watching"
    BACKOFF = "backoff"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class InformerStats:
    """A snapshot of one informer's counters (all totals since start)."""

    name: str
    phase: Phase
    synced: bool
    objects: int  # objects in the cache
    last_sync_resource_version: str
    events: int  # watch events received (bookmarks included, errors excluded)
    bookmarks: int
    lists: int  # successful LIST/streaming-list syncs, the initial one included
    relists: int  # lists after the first
    list_pages: int
    watch_starts: int  # WATCH requests that opened
    watch_restarts: int  # WATCH requests after the first
    watch_errors: int
    resyncs: int
    backoff_delay: Duration | None  # the current wait, while in Phase.BACKOFF
    retry_at: int | None  # clock time (ns) the current wait ends
    queue_depth: int
    last_error: str
