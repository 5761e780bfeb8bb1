"""The spinner: on a terminal only, erased at the end, counts in the line, no colour on request."""

from __future__ import annotations

import io

import pytest

from kmech.cli.progress import progress, progress_enabled


class FakeTerminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def test_silent_on_a_pipe() -> None:
    pipe = io.StringIO()
    with progress("Discovering", stream=pipe, delay=0) as p:
        p.update(count=3, total=10)
    assert pipe.getvalue() == ""
    assert not p.enabled


def test_counts_then_erased_on_a_terminal() -> None:
    term = FakeTerminal()
    with progress("Syncing", unit="objects", stream=term, delay=0, color=False) as p:
        p.update(count=120)
        assert p.line() == "Syncing… 120 objects"
        p.update(total=300, note="deployments")
        assert p.line() == "Syncing… 120/300 objects (deployments)"
    out = term.getvalue()
    assert "Syncing… 120 objects" in out
    assert "\x1b[36m" not in out
    assert out.endswith("\r\x1b[2K")


def test_colour_only_when_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    term = FakeTerminal()
    with progress("Discovering", stream=term, delay=0) as p:
        p.update(count=1)
    assert "\x1b[36m" in term.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    term = FakeTerminal()
    with progress("Discovering", stream=term, delay=0) as p:
        p.update(count=1)
    assert "\x1b[36m" not in term.getvalue()


def test_nothing_before_the_delay() -> None:
    term = FakeTerminal()
    with progress("Discovering", stream=term, delay=60) as p:
        p.update(count=1)
    assert term.getvalue() == ""


def test_erased_when_the_block_raises() -> None:
    term = FakeTerminal()
    with pytest.raises(RuntimeError), progress("Discovering", stream=term, delay=0):
        raise RuntimeError("boom")
    assert term.getvalue().endswith("\r\x1b[2K")


def test_dumb_terminal_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert not progress_enabled(FakeTerminal())
    monkeypatch.setenv("TERM", "xterm-256color")
    assert progress_enabled(FakeTerminal())
