"""The live view end to end in a real terminal (tmux): draw, update, resize, Ctrl-C."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fidelity.helpers import pod

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed (apt-get install -y tmux); the recording-console tests in "
    "test_watch_view.py still cover the frames",
)


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


class Pane:
    def __init__(self, session: str) -> None:
        self.session = session

    def text(self) -> list[str]:
        return tmux("capture-pane", "-p", "-t", self.session).rstrip("\n").split("\n")

    def wait(self, predicate: Callable[[list[str]], bool], timeout: float = 10.0) -> list[str]:
        """Re-capture every 50 ms until ``predicate(lines)`` holds; the last capture otherwise."""
        deadline = time.monotonic() + timeout
        tick = threading.Event()
        lines = self.text()
        while not predicate(lines) and time.monotonic() < deadline:
            tick.wait(0.05)
            lines = self.text()
        return lines


@pytest.fixture
def pane(sb, kubeconfig, tmp_path: Path) -> Iterator[tuple[Pane, Path]]:
    for i in range(3):
        sb.create("pods", pod(f"web-{i}"), namespace="shop")
    session = f"kmech-test-{uuid.uuid4().hex[:8]}"
    status = tmp_path / "exit"
    command = (
        f"KUBECONFIG={kubeconfig} NO_COLOR=1 {sys.executable} -m kmech watch pods -n shop; "
        f"echo $? > {status}; sleep 30"
    )
    tmux("new-session", "-d", "-s", session, "-x", "90", "-y", "8", command)
    try:
        yield Pane(session), status
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_live_view_updates_resizes_and_stops_on_ctrl_c(sb, pane) -> None:
    p, status = pane
    lines = p.wait(lambda ls: ls[0].startswith("  NAME") and any("synced" in x for x in ls))
    assert lines[0] == "  NAME    READY   STATUS    RESTARTS   AGE"
    # AGE is live (0s, 1s, ...): compare everything before it.
    assert [line[:39] for line in lines[1:4]] == [
        "  web-0   0/1     Pending   0          ",
        "  web-1   0/1     Pending   0          ",
        "  web-2   0/1     Pending   0          ",
    ]
    assert lines[-1].startswith("synced | 3 objects | rv ")

    sb.create("pods", pod("api"), namespace="shop")
    sb.delete("pods", "web-1", namespace="shop")
    lines = p.wait(
        lambda ls: ls[1].startswith("+ api") and any(x.startswith("- web-1") for x in ls)
    )
    assert lines[1].startswith("+ api     0/1     Pending   0")
    assert lines[3].startswith("- web-1   0/1     Pending   0")
    assert lines[-1].startswith("synced | 3 objects | ")

    tmux("resize-window", "-t", p.session, "-x", "40", "-y", "4")
    lines = p.wait(lambda ls: len(ls) == 4 and ls[-1].endswith("…"))
    assert len(lines) == 4
    assert all(len(line) <= 40 for line in lines)
    assert lines[0] == "  NAME    READY   STATUS    RESTARTS   …"
    assert lines[-1].startswith("synced | 3 objects | rv ")

    tmux("send-keys", "-t", p.session, "C-c")
    deadline = time.monotonic() + 10
    tick = threading.Event()
    while not status.exists() and time.monotonic() < deadline:
        tick.wait(0.05)
    assert status.read_text().strip() == "0"
