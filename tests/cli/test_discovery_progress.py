"""Discovery progress: the discovery layer reports ``(done, total)`` through ``on_progress``;
the CLI turns that into a "Discovering" spinner on a terminal and prints nothing on a pipe."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from kmech.cli.progress import ProgressCallback
from kmech.discovery.flags import DiscoveryFlags, open_discovery
from kmech.discovery.legacy import fetch_resource_lists
from kmech.errors import NotFoundError, Status
from kmech.transport.options import ConnectionOptions


class FakeTerminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def _get_json(path: str) -> Any:
    if path == "/apis/broken/v1":
        raise NotFoundError("gone", Status(code=404, message="gone"))
    return {"resources": [{"name": path.rsplit("/", 1)[-1]}]}


@pytest.mark.parametrize(
    ("gvs", "workers"),
    [
        pytest.param(["v1"], 1, id="one-serial"),
        pytest.param(["v1", "apps/v1", "batch/v1"], 1, id="serial"),
        pytest.param([f"g{i}.io/v1" for i in range(40)], 16, id="parallel"),
        pytest.param(["v1", "broken/v1", "apps/v1"], 4, id="a-failure-still-counts"),
    ],
)
def test_fetch_reports_increasing_counts_ending_at_total(gvs: list[str], workers: int) -> None:
    calls: list[tuple[int, int]] = []
    lock = threading.Lock()

    def on_progress(done: int, total: int) -> None:
        with lock:
            calls.append((done, total))

    fetch_resource_lists(_get_json, gvs, max_workers=workers, on_progress=on_progress)
    n = len(gvs)
    assert calls == [(i, n) for i in range(n + 1)]


def test_no_group_versions_no_reports() -> None:
    calls: list[tuple[int, int]] = []
    fetch_resource_lists(_get_json, [], on_progress=lambda d, t: calls.append((d, t)))
    assert calls == []


def test_cold_fetch_reports_and_a_warm_cache_does_not(sb, kubeconfig, tmp_path) -> None:
    connection = ConnectionOptions(kubeconfig=str(kubeconfig))
    flags = DiscoveryFlags(cache_dir=str(tmp_path / "cache"))
    cold = ProgressCallback("Discovering", stream=io.StringIO())
    opened = open_discovery(connection, flags, on_progress=cold)
    try:
        docs = opened.client.server_groups_and_resources()
    finally:
        cold.close()
        opened.close()
    total = sum(len(g["versions"]) for g in docs.group_list["groups"])
    assert total > 0
    assert cold.calls[-1] == (total, total)
    assert [d for d, _ in cold.calls] == sorted({d for d, _ in cold.calls})

    warm = ProgressCallback("Discovering", stream=io.StringIO())
    opened = open_discovery(connection, flags, on_progress=warm)
    try:
        opened.client.server_groups_and_resources()
    finally:
        warm.close()
        opened.close()
    assert warm.calls == []

    refresh = ProgressCallback("Discovering", stream=io.StringIO())
    opened = open_discovery(
        connection, DiscoveryFlags(cache_dir=flags.cache_dir, refresh=True), on_progress=refresh
    )
    try:
        opened.client.server_groups_and_resources()
    finally:
        refresh.close()
        opened.close()
    assert refresh.calls[-1] == (total, total)


def test_callback_draws_on_a_terminal_and_erases_at_close() -> None:
    term = FakeTerminal()
    spinner = ProgressCallback(
        "Discovering", unit="group-versions", color=False, stream=term, delay=0
    )
    spinner(0, 3)
    spinner(3, 3)
    spinner.close()
    text = term.getvalue()
    assert "Discovering… 3/3 group-versions" in text
    assert text.endswith("\r\x1b[2K")
    assert "\x1b[36m" not in text


def test_callback_is_silent_on_a_pipe() -> None:
    pipe = io.StringIO()
    spinner = ProgressCallback("Discovering", unit="group-versions", stream=pipe, delay=0)
    spinner(0, 3)
    spinner(3, 3)
    spinner.close()
    assert pipe.getvalue() == ""


@pytest.mark.parametrize("command", ["resolve", "resources"])
def test_cold_refresh_on_a_pipe_prints_no_progress(sb, kubeconfig, tmp_path, command) -> None:
    args = [sys.executable, "-m", "kmech", command, "--refresh", "--cache-dir", str(tmp_path)]
    if command == "resolve":
        args.append("po")
    done = subprocess.run(
        args,
        capture_output=True,
        text=True,
        env=dict(os.environ, TERM="xterm-256color"),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "pods" in done.stdout
