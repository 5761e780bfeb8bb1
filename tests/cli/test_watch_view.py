"""The live view, rendered on a recording console: exact frames after several updates."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from kmech.cli.watch_view import WatchModel, render_frame, rows_that_fit

NOW_WALL = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def pod(name: str, created: str = "2027-01-15T07:58:20Z", ns: str = "shop") -> dict:
    return {"metadata": {"namespace": ns, "name": name, "creationTimestamp": created}}


def draw(model: WatchModel, width: int, height: int, *, trace: bool = False) -> str:
    console = Console(
        record=True, width=width, height=height, color_system=None, file=io.StringIO()
    )
    console.print(render_frame(model.frame(rows_that_fit(height)), width, height, trace=trace))
    return console.export_text()


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def model(ticker: Ticker) -> WatchModel:
    m = WatchModel(all_namespaces=True, wall=lambda: NOW_WALL, monotonic=ticker)
    for i in range(4):
        m.apply("ADDED", pod(f"web-{i}"), origin="initial")
    m.set_status(synced=True, resource_version="42")
    return m


def test_frame_after_updates_marks_changes_and_lingers_deletions(
    model: WatchModel, ticker: Ticker
) -> None:
    ticker.t += 5
    model.apply("MODIFIED", pod("web-1"))
    model.apply("DELETED", pod("web-2"))
    model.apply("ADDED", pod("web-9", created="2027-01-15T08:00:00Z"))
    model.set_status(resource_version="45", watch_restarts=1)
    assert draw(model, 100, 10) == (
        "  NAMESPACE   NAME    AGE\n"
        "  shop        web-0   100s\n"
        "~ shop        web-1   100s\n"
        "- shop        web-2   100s\n"
        "  shop        web-3   100s\n"
        "+ shop        web-9   0s\n"
        "synced | 4 objects | rv 45 | 0 ev/s | relists 0 | restarts 1 | resyncs 0\n"
    )
    # Two seconds later the markers fade; after three the deleted row is gone.
    ticker.t += 3
    assert draw(model, 100, 10) == (
        "  NAMESPACE   NAME    AGE\n"
        "  shop        web-0   100s\n"
        "  shop        web-1   100s\n"
        "  shop        web-3   100s\n"
        "  shop        web-9   0s\n"
        "synced | 4 objects | rv 45 | 0 ev/s | relists 0 | restarts 1 | resyncs 0\n"
    )


def test_only_the_rows_that_fit_are_rendered(model: WatchModel) -> None:
    assert draw(model, 100, 4) == (
        "  NAMESPACE   NAME    AGE\n"
        "  shop        web-0   100s\n"
        "  shop        web-1   100s\n"
        "synced | 4 objects | rv 42 | 0 ev/s | relists 0 | restarts 0 | resyncs 0 | showing 2 of 4\n"
    )


def test_trace_pane_and_retry_countdown(model: WatchModel, ticker: Ticker) -> None:
    model.trace("LIST page 1 of 1: 4 items, rv=42")
    model.trace("WATCH from rv=42")
    model.trace("connection lost: retry in 1.3s")
    model.retry_in(1.3, "connection refused")
    ticker.t += 0.5
    assert draw(model, 90, 5, trace=True) == (
        "  NAMESPACE   NAME    AGE                                 │ LIST page 1 of 1: 4 items, rv…\n"
        "  shop        web-0   100s                                │ WATCH from rv=42\n"
        "  shop        web-1   100s                                │ connection lost: retry in 1.3s\n"
        "  shop        web-2   100s                                │\n"
        "synced | connection refused: retry in 0.8s | 4 objects | rv 42 | 0 ev/s | relists 0 | res…\n"
    )


def test_server_side_columns_replace_the_defaults(ticker: Ticker) -> None:
    """The server's columns and cells, except AGE, recomputed from creationTimestamp."""
    m = WatchModel(wall=lambda: NOW_WALL, monotonic=ticker)
    m.set_server_headers(["Name", "Ready", "Up-to-date", "Available", "Age"])
    m.apply("ADDED", pod("web"), cells=["web", "2/2", "2", "2", "5d"], origin="initial")
    m.apply("ADDED", pod("api"), cells=["api", "0/1", "1", "0", "3m"], origin="initial")
    m.set_status(phase="syncing")
    assert draw(m, 80, 6) == (
        "  NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "  api    0/1     1            0           100s\n"
        "  web    2/2     2            2           100s\n"
        "syncing | 2 objects | rv - | 0 ev/s | relists 0 | restarts 0 | resyncs 0\n"
    )


def test_narrow_terminal_truncates_instead_of_wrapping(model: WatchModel) -> None:
    text = draw(model, 20, 3)
    assert text == ("  NAMESPACE   NAME …\n  shop        web-0…\nsynced | 4 objects …\n")
    assert all(len(line) <= 20 for line in text.splitlines())


def test_events_per_second_and_resyncs_do_not_touch_rows(model: WatchModel, ticker: Ticker) -> None:
    model.frame(10)
    for _ in range(30):
        model.apply("MODIFIED", pod("web-0"), origin="resync")
    ticker.t += 2
    frame = model.frame(10)
    assert "15 ev/s" in frame.status
    assert [r.mark for r in frame.rows] == [" ", " ", " ", " "]


def test_a_negative_retry_clears_the_countdown(model: WatchModel) -> None:
    model.retry_in(1.3, "connection refused")
    assert "retry in 1.3s" in model.frame(0).status
    model.retry_in(-1.0, "")
    assert model.frame(0).status == (
        "synced | 4 objects | rv 42 | 0 ev/s | relists 0 | restarts 0 | resyncs 0"
    )
