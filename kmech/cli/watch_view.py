"""The live view of ``kmech watch`` on a terminal: a table of the cache, a status line, a trace pane.

Owns :class:`WatchModel` (thread-safe state fed by handler notifications and reflector trace
lines; no rich), :func:`render_frame` (one frame as rich renderables, only the rows that fit) and
:func:`run_live` (the refresh loop). rich is imported lazily inside the functions that draw, so a
pipe never loads it.

Frame layout, top to bottom: the column headers, the rows that fit (sorted by key), and one
status line. With ``--trace`` the right part of the screen shows the newest reflector lifecycle
lines. Row markers: ``+`` just added, ``~`` just modified, ``-`` deleted (struck through, shown for
``linger_seconds`` after the deletion).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kmech.cli.watch_stream import object_key
from kmech.duration import human_duration

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

__all__ = [
    "WatchModel",
    "Frame",
    "FrameRow",
    "render_frame",
    "rows_that_fit",
    "run_live",
    "DEFAULT_HEADERS",
]

DEFAULT_HEADERS = ("NAME", "AGE")
"""Columns when the server offers no Table (NAMESPACE is added in front with ``-A``)."""

_TRACE_KEEP = 500


@dataclass(slots=True)
class _Row:
    namespace: str
    name: str
    created: float | None  # epoch seconds of metadata.creationTimestamp
    cells: list[str] | None  # server-side Table cells, when known
    mark: str  # "+" added, "~" modified, "-" deleted
    changed_at: float  # monotonic seconds
    deleted_at: float | None = None


@dataclass(frozen=True, slots=True)
class FrameRow:
    """One rendered row: its cells, marker (``+``, ``~``, ``-`` or space) and whether deleted."""

    cells: tuple[str, ...]
    mark: str
    deleted: bool


@dataclass(frozen=True, slots=True)
class Frame:
    """Everything one screen shows, as plain data (tests assert on it without rich)."""

    headers: tuple[str, ...]
    rows: tuple[FrameRow, ...]
    total_rows: int
    status: str
    trace: tuple[str, ...] = field(default=())


def _parse_timestamp(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class WatchModel:
    """What the live view shows, updated from any thread; :meth:`frame` takes a snapshot.

    Args:
        all_namespaces: add a NAMESPACE column in front of the default columns (as kubectl -A).
        wall: epoch seconds, for AGE (objects carry wall-clock timestamps).
        monotonic: seconds, for change markers, lingering deletions, rates and countdowns.
        highlight_seconds: how long a changed row keeps its marker.
        linger_seconds: how long a deleted row stays, struck through.
    """

    def __init__(
        self,
        *,
        all_namespaces: bool = False,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        highlight_seconds: float = 2.0,
        linger_seconds: float = 3.0,
    ) -> None:
        self._lock = threading.Lock()
        self._all_namespaces = all_namespaces
        self._wall = wall
        self._monotonic = monotonic
        self._highlight = highlight_seconds
        self._linger = linger_seconds
        self._rows: dict[str, _Row] = {}
        self._sorted: list[str] | None = []
        self._server_headers: tuple[str, ...] | None = None
        self._age_column: int | None = None
        self._trace: deque[str] = deque(maxlen=_TRACE_KEEP)
        self._dirty = threading.Event()
        self._events = 0
        self._rate_samples: deque[tuple[float, int]] = deque()
        self.synced = False
        self.resource_version = ""
        self.relists = 0
        self.watch_restarts = 0
        self.resyncs = 0
        self.phase = "syncing"
        self._retry_at: float | None = None
        self._retry_reason = ""

    # -- inputs (any thread) ---------------------------------------------------------------

    def apply(
        self,
        event_type: str,
        obj: Mapping[str, Any],
        *,
        cells: Sequence[str] | None = None,
        origin: str = "watch",
    ) -> None:
        """Record one handler notification (ADDED, MODIFIED or DELETED)."""
        meta = obj.get("metadata") or {}
        key = object_key(obj)
        now = self._monotonic()
        with self._lock:
            self._events += 1
            if origin == "resync":
                self._dirty.set()
                return
            row = self._rows.get(key)
            if event_type == "DELETED":
                if row is not None:
                    row.mark = "-"
                    row.changed_at = now
                    row.deleted_at = now
            else:
                mark = "~" if row is not None and row.deleted_at is None else "+"
                if origin == "initial":
                    mark = " "
                new = _Row(
                    namespace=str(meta.get("namespace") or ""),
                    name=str(meta.get("name") or ""),
                    created=_parse_timestamp(meta.get("creationTimestamp")),
                    cells=list(cells) if cells is not None else None,
                    mark=mark,
                    changed_at=now,
                )
                if row is None:
                    self._sorted = None
                self._rows[key] = new
            self._retry_at = None
            self._dirty.set()

    def set_server_headers(self, headers: Sequence[str] | None) -> None:
        """Use the server-side Table's column names (``None``: back to the default columns)."""
        with self._lock:
            new = tuple(h.upper() for h in headers) if headers else None
            if new == self._server_headers:
                return
            self._server_headers = new
            self._age_column = new.index("AGE") if new and "AGE" in new else None
            self._dirty.set()

    def trace(self, line: str) -> None:
        """Append one reflector lifecycle line to the trace pane."""
        with self._lock:
            self._trace.append(line)
            self._dirty.set()

    def set_status(
        self,
        *,
        synced: bool | None = None,
        resource_version: str | None = None,
        relists: int | None = None,
        watch_restarts: int | None = None,
        resyncs: int | None = None,
        phase: str | None = None,
    ) -> None:
        """Update any of the status-line counters; ``None`` leaves a field as it is."""
        with self._lock:
            if synced is not None:
                self.synced = synced
            if resource_version is not None:
                self.resource_version = resource_version
            if relists is not None:
                self.relists = relists
            if watch_restarts is not None:
                self.watch_restarts = watch_restarts
            if resyncs is not None:
                self.resyncs = resyncs
            if phase is not None:
                self.phase = phase
            self._dirty.set()

    def retry_in(self, seconds: float, reason: str) -> None:
        """Show a countdown (``connection refused: retry in 1.3s``) until the next event;
        a negative ``seconds`` removes it."""
        with self._lock:
            if seconds < 0:
                if self._retry_at is not None:
                    self._retry_at = None
                    self._dirty.set()
                return
            self._retry_at = self._monotonic() + seconds
            self._retry_reason = reason
            self._dirty.set()

    # -- outputs -----------------------------------------------------------------------------

    def wait_dirty(self, timeout: float) -> bool:
        """Block until something changed (or ``timeout``); clears the flag and says if it was set."""
        changed = self._dirty.wait(timeout)
        self._dirty.clear()
        return changed

    def frame(self, max_rows: int) -> Frame:
        """A snapshot with at most ``max_rows`` rows (the first ones by key)."""
        now = self._monotonic()
        wall = self._wall()
        with self._lock:
            expired = [
                k
                for k, r in self._rows.items()
                if r.deleted_at is not None and now - r.deleted_at >= self._linger
            ]
            for k in expired:
                del self._rows[k]
            if expired:
                self._sorted = None
            if self._sorted is None:
                self._sorted = sorted(self._rows)
            keys = self._sorted
            headers = self._headers_locked()
            rows = []
            for k in keys[: max(0, max_rows)]:
                r = self._rows[k]
                mark = r.mark
                if r.deleted_at is None and now - r.changed_at >= self._highlight:
                    mark = " "
                rows.append(
                    FrameRow(
                        cells=self._cells_locked(r, wall, len(headers)),
                        mark=mark,
                        deleted=r.deleted_at is not None,
                    )
                )
            status = self._status_locked(now, len(keys))
            return Frame(
                headers=headers,
                rows=tuple(rows),
                total_rows=len(keys),
                status=status,
                trace=tuple(self._trace),
            )

    def _headers_locked(self) -> tuple[str, ...]:
        if self._server_headers is not None:
            return self._server_headers
        if self._all_namespaces:
            return ("NAMESPACE", *DEFAULT_HEADERS)
        return DEFAULT_HEADERS

    def _cells_locked(self, r: _Row, wall: float, ncols: int) -> tuple[str, ...]:
        if self._server_headers is not None and r.cells is not None:
            cells = list(r.cells[:ncols])
            cells += [""] * (ncols - len(cells))
            if self._age_column is not None and r.created is not None:
                # The server computed AGE when it converted the row; keep it live instead.
                cells[self._age_column] = human_duration(wall - r.created)
            return tuple(cells)
        age = "<unknown>" if r.created is None else human_duration(wall - r.created)
        if self._server_headers is not None:
            # A row without server cells (e.g. before the first Table arrived): name it at least.
            return (r.name, *([""] * (ncols - 1)))
        if self._all_namespaces:
            return (r.namespace, r.name, age)
        return (r.name, age)

    def _status_locked(self, now: float, total: int) -> str:
        samples = self._rate_samples
        samples.append((now, self._events))
        while len(samples) > 2 and now - samples[1][0] >= 1.0:
            samples.popleft()
        t0, n0 = samples[0]
        rate = (self._events - n0) / (now - t0) if now - t0 >= 0.05 else 0.0
        cached = sum(1 for r in self._rows.values() if r.deleted_at is None)
        state = "synced" if self.synced else self.phase
        parts = [
            state,
            f"{cached} objects",
            f"rv {self.resource_version or '-'}",
            f"{rate:.0f} ev/s",
            f"relists {self.relists}",
            f"restarts {self.watch_restarts}",
            f"resyncs {self.resyncs}",
        ]
        if self._retry_at is not None:
            left = max(0.0, self._retry_at - now)
            parts.insert(1, f"{self._retry_reason}: retry in {left:.1f}s")
        return " | ".join(parts)


# -- rendering -------------------------------------------------------------------------------

_MARK_STYLE = {"+": "green", "~": "yellow", "-": "red strike", " ": ""}


def _fit(text: str, width: int) -> str:
    if width <= 0:
        return ""
    if len(text) <= width:
        return text.ljust(width)
    if width == 1:
        return text[:1]
    return text[: width - 1] + "…"


def _table_lines(frame: Frame, width: int) -> list[Text]:
    from rich.text import Text

    ncols = len(frame.headers)
    widths = [len(h) for h in frame.headers]
    for row in frame.rows:
        for i, cell in enumerate(row.cells[:ncols]):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    lines: list[Text] = []

    def join(cells: Sequence[str]) -> str:
        parts = [cells[i].ljust(widths[i]) for i in range(len(cells) - 1)]
        return "   ".join([*parts, cells[-1]]) if cells else ""

    header = "  " + join(frame.headers)
    lines.append(Text(_fit(header, width).rstrip(), style="bold"))
    for row in frame.rows:
        text = f"{row.mark} " + join(row.cells)
        style = _MARK_STYLE.get(row.mark, "")
        if row.deleted:
            style = "red strike"
        lines.append(Text(_fit(text, width).rstrip(), style=style))
    return lines


def rows_that_fit(height: int) -> int:
    """How many table rows a screen of ``height`` lines can show (header and status excluded)."""
    return max(0, height - 2)


def render_frame(frame: Frame, width: int, height: int, *, trace: bool = False) -> RenderableType:
    """One screen: header, rows, then the status line; with ``trace``, a right-hand pane.

    Never more than ``height`` lines and ``width`` columns, so a terminal never scrolls.
    """
    from rich.console import Group
    from rich.text import Text

    trace_width = 0
    if trace:
        trace_width = min(60, max(20, width // 3))
    table_width = width - (trace_width + 3 if trace else 0)
    body = _table_lines(frame, table_width)[: max(1, height - 1)]
    shown = len(frame.rows)
    status = frame.status
    if shown < frame.total_rows:
        status += f" | showing {shown} of {frame.total_rows}"
    status_line = Text(_fit(status, width).rstrip(), style="reverse")
    if trace:
        pane_height = max(1, height - 1)
        tail = list(frame.trace[-pane_height:])
        n = max(len(body), len(tail))
        out: list[Text] = []
        for i in range(n):
            left = body[i] if i < len(body) else Text("")
            line = Text()
            line.append_text(left)
            line.append(" " * (table_width - left.cell_len))
            line.append(" │ ", style="dim")
            if i < len(tail):
                line.append(_fit(tail[i], trace_width).rstrip(), style="cyan")
            line.rstrip()
            out.append(line)
        body = out
    return Group(*body, status_line)


def run_live(
    model: WatchModel,
    console: Console,
    stop: threading.Event,
    *,
    trace: bool = False,
    refresh_seconds: float = 0.25,
) -> None:
    """Redraw the screen a few times a second while something changes, until ``stop`` is set.

    Uses the alternate screen; the console's size is read at every frame, so a terminal resize
    takes effect at the next refresh.
    """
    from rich.live import Live

    def draw() -> RenderableType:
        width, height = _terminal_size(console)
        console.size = (width, height)
        return render_frame(model.frame(rows_that_fit(height)), width, height, trace=trace)

    # No stdout/stderr redirection: the view owns the screen, and other threads' writes (logs at
    # -v) must not be swallowed into it.
    with Live(
        console=console,
        screen=True,
        auto_refresh=False,
        transient=False,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as live:
        live.update(draw(), refresh=True)
        last_size = _terminal_size(console)
        last_draw = time.monotonic()
        while not stop.is_set():
            changed = model.wait_dirty(refresh_seconds)
            if stop.is_set():
                break
            size = _terminal_size(console)
            now = time.monotonic()
            # Redraw on a change, on a resize, and once a second for ages and countdowns.
            if changed or size != last_size or now - last_draw >= 1.0:
                live.update(draw(), refresh=True)
                last_size, last_draw = size, now
                if stop.wait(refresh_seconds):  # at most a few frames a second
                    break


def _terminal_size(console: Console) -> tuple[int, int]:
    """The real size of the terminal behind ``console``, read at every frame so resizes apply.

    COLUMNS/LINES are ignored on purpose: a stale COLUMNS (exported by a parent shell or a test
    harness) larger than the window would make every line wrap and scroll the screen away.
    """
    try:
        size = os.get_terminal_size(console.file.fileno())
    except (AttributeError, OSError, ValueError):
        return console.size
    return size.columns, size.lines
