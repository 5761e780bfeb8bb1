"""`kmech watch` initial-sync progress: nothing on a pipe; on a terminal the "Syncing" spinner
lives on stderr and is erased before the first record reaches stdout."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from kmech.cli.watch import _CloseOnWrite, _SyncSpinner
from tests.fidelity.helpers import pod


class FakeTerminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def test_json_on_a_pipe_prints_no_progress(sb, kubeconfig) -> None:
    sb.create("pods", pod("a"), namespace="shop")
    done = subprocess.run(
        [sys.executable, "-m", "kmech", "watch", "pods", "-n", "shop", "-o", "json"]
        + ["--timeout", "0.5s"],
        capture_output=True,
        text=True,
        env=dict(os.environ, TERM="xterm-256color"),
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert '"name": "a"' in done.stdout


def test_the_first_record_closes_the_spinner_and_later_updates_are_ignored() -> None:
    err, out = FakeTerminal(), io.StringIO()
    spinner = _SyncSpinner(err, color=False)
    spinner.start("pods in shop")
    spinner.update(3)
    writer = _CloseOnWrite(out, spinner)
    writer.write("{}\n")
    spinner.update(4)
    spinner.start("pods in shop")
    spinner.close()
    assert out.getvalue() == "{}\n"
    assert err.getvalue() == "" or err.getvalue().endswith("\r\x1b[2K")
