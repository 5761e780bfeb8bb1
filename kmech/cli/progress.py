"""A one-line spinner with counts for slow work, on a terminal only.

Usage, around anything that may take more than a moment (discovery, an informer's initial
sync)::

    from kmech.cli.progress import progress

    with progress("Discovering", unit="group-versions", color=opts.color) as p:
        for gv in ...:
            p.update(count=done, total=len(gvs))

Contract:

- It writes to stderr (never stdout, so ``-o json | jq`` stays clean), and only when stderr is
  a terminal and ``TERM`` is not ``dumb``; on a pipe or a file nothing at all is written.
- Nothing appears for the first ``delay`` seconds (0.3 s), so quick work does not flicker; the
  line is erased when the block ends, whether it ends normally or by an exception.
- ``color=False`` (``--no-color``), a set ``NO_COLOR`` or a non-terminal means no escape codes
  beyond the carriage return and erase-line the spinner needs.
- ``update`` is thread-safe and cheap; call it as often as convenient. The animation runs in a
  daemon thread named ``progress:<label>`` that stops when the block ends.

Standard library only, so commands may import it at module level.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TextIO

__all__ = ["Progress", "ProgressCallback", "progress", "progress_enabled"]

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_ASCII_FRAMES = "|/-\\"
_ERASE = "\r\x1b[2K"


def progress_enabled(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (default stderr) is a terminal that can redraw a line."""
    s = sys.stderr if stream is None else stream
    try:
        tty = s.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and os.environ.get("TERM", "") != "dumb"


class Progress:
    """The live line: a label, a spinner and the latest counts. Build with :func:`progress`."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO,
        enabled: bool,
        unit: str = "",
        color: bool = True,
        delay: float = 0.3,
        interval: float = 0.1,
    ) -> None:
        self.label = label
        self.unit = unit
        self._stream = stream
        self._enabled = enabled
        self._color = color and not os.environ.get("NO_COLOR")
        self._delay = delay
        self._interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._count: int | None = None
        self._total: int | None = None
        self._note = ""
        self._frame = 0
        self._started = time.monotonic()
        self._shown = False
        self._thread: threading.Thread | None = None
        encoding = (getattr(stream, "encoding", None) or "").lower()
        self._frames = _FRAMES if "utf" in encoding else _ASCII_FRAMES

    @property
    def enabled(self) -> bool:
        return self._enabled

    def update(
        self, *, count: int | None = None, total: int | None = None, note: str | None = None
    ) -> None:
        """Record new counts (``None`` keeps the old value) and redraw if the line is showing."""
        with self._lock:
            if count is not None:
                self._count = count
            if total is not None:
                self._total = total
            if note is not None:
                self._note = note
            if self._enabled and self._due_locked():
                self._draw_locked()

    def line(self) -> str:
        """The text the spinner shows next to its frame (also useful in tests)."""
        with self._lock:
            return self._text_locked()

    # -- internals ----------------------------------------------------------------------------

    def _start(self) -> None:
        if not self._enabled:
            return
        if self._delay <= 0:
            with self._lock:
                self._draw_locked()
        self._thread = threading.Thread(
            target=self._run, name=f"progress:{self.label}", daemon=True
        )
        self._thread.start()

    def _finish(self) -> None:
        if not self._enabled:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        with self._lock:
            if self._shown:
                self._write(_ERASE)
                self._shown = False

    def _run(self) -> None:
        if self._delay > 0 and self._stop.wait(self._delay):
            return
        while not self._stop.is_set():
            with self._lock:
                self._frame += 1
                self._draw_locked()
            if self._stop.wait(self._interval):
                return

    def _due_locked(self) -> bool:
        return self._shown or time.monotonic() - self._started >= self._delay

    def _text_locked(self) -> str:
        text = self.label + "…"
        if self._count is not None:
            text += f" {self._count}"
            if self._total is not None:
                text += f"/{self._total}"
            if self.unit:
                text += f" {self.unit}"
        if self._note:
            text += f" ({self._note})"
        return text

    def _draw_locked(self) -> None:
        frame = self._frames[self._frame % len(self._frames)]
        if self._color:
            frame = f"\x1b[36m{frame}\x1b[0m"
        self._write(f"{_ERASE}{frame} {self._text_locked()}")
        self._shown = True

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            self._enabled = False


@contextmanager
def progress(
    label: str,
    *,
    unit: str = "",
    color: bool = True,
    enabled: bool | None = None,
    stream: TextIO | None = None,
    delay: float = 0.3,
) -> Iterator[Progress]:
    """A :class:`Progress` shown while the block runs; ``enabled=None`` means "when stderr is a
    terminal" (pass ``False`` to silence it, e.g. for ``-o json``)."""
    s = sys.stderr if stream is None else stream
    on = progress_enabled(s) if enabled is None else enabled
    p = Progress(label, stream=s, enabled=on, unit=unit, color=color, delay=delay)
    p._start()
    try:
        yield p
    finally:
        p._finish()


class ProgressCallback:
    """An ``on_progress(done, total)`` callback for library code that starts the spinner only
    when first called, so work that never reports (a warm cache) shows and costs nothing.

    Call :meth:`close` when the slow part is over (safe to call again, and the next report
    starts a fresh spinner, e.g. for a later refetch)."""

    def __init__(
        self,
        label: str,
        *,
        unit: str = "",
        color: bool = True,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        delay: float = 0.3,
    ) -> None:
        self._args = (label, unit, color, enabled, stream, delay)
        self._lock = threading.Lock()
        self._cm: AbstractContextManager[Progress] | None = None
        self._progress: Progress | None = None
        self.calls: list[tuple[int, int]] = []
        """Every ``(done, total)`` reported, in order."""

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self.calls.append((done, total))
            if self._progress is None:
                label, unit, color, enabled, stream, delay = self._args
                self._cm = progress(
                    label, unit=unit, color=color, enabled=enabled, stream=stream, delay=delay
                )
                self._progress = self._cm.__enter__()
            self._progress.update(count=done, total=total)

    def close(self) -> None:
        with self._lock:
            cm, self._cm, self._progress = self._cm, None, None
        if cm is not None:
            cm.__exit__(None, None, None)
