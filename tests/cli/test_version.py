"""`kmech version` (kubectl's shape), `python -m kmech`, and `kubectl mech` as a kubectl plugin."""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml

from kmech.cli.version import client_version_info
from kmech.sandbox import Sandbox

from .cli_main import run

CLIENT = client_version_info()


def test_client_version_info() -> None:
    assert CLIENT["gitVersion"] == "v0.1.0"
    assert (CLIENT["major"], CLIENT["minor"]) == ("0", "1")
    assert CLIENT["pythonVersion"] == platform.python_version()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["version", "--client"], "Client Version: v0.1.0\n", id="text"),
        pytest.param(
            ["version", "--client", "-o", "json"],
            json.dumps({"clientVersion": CLIENT}, indent=4) + "\n",
            id="json",
        ),
        pytest.param(
            ["version", "--client", "-o", "yaml"],
            yaml.safe_dump({"clientVersion": CLIENT}, sort_keys=False),
            id="yaml",
        ),
    ],
)
def test_client_only_needs_no_cluster(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(argv, capsys) == (0, expected, "")


def test_server_version_text(
    sb: Sandbox, kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["version"], capsys) == (
        0,
        "Client Version: v0.1.0\nServer Version: v1.34.3+k3s1\n",
        "",
    )


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_server_version_structured(
    sb: Sandbox, kubeconfig: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["version", "-o", fmt], capsys)
    data = json.loads(out) if fmt == "json" else yaml.safe_load(out)
    assert (code, err) == (0, "")
    assert list(data) == ["clientVersion", "serverVersion"]
    assert data["clientVersion"] == CLIENT
    assert data["serverVersion"]["gitVersion"] == "v1.34.3+k3s1"
    assert data["serverVersion"]["platform"] == "linux/amd64"


def test_unreachable_server_prints_client_then_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    code, out, err = run(["--server", url, "version", "-o", "json"], capsys)
    assert code == 4
    assert json.loads(out) == {"clientVersion": CLIENT}
    assert err.startswith(f"error: the connection to the server {url} was refused")


def test_server_version_uses_short_timeout(
    sb: Sandbox, kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sb.faults.latency(2.0)
    code, out, err = run(["--request-timeout", "100ms", "version"], capsys)
    assert (code, out) == (4, "Client Version: v0.1.0\n")
    assert "did not answer within 0.1s" in err


def console_scripts() -> dict[str, str]:
    wanted = ("kmech", "kubectl-mech")
    return {ep.name: ep.value for ep in entry_points(group="console_scripts") if ep.name in wanted}


def test_console_scripts_declared() -> None:
    scripts = console_scripts()
    assert set(scripts) == {"kmech", "kubectl-mech"}
    assert scripts["kmech"] == scripts["kubectl-mech"]


def test_python_dash_m(sb: Sandbox, kubeconfig: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kmech", "version"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "Client Version: v0.1.0\nServer Version: v1.34.3+k3s1\n",
        "",
    )


@pytest.fixture
def plugin_path(tmp_path: Path) -> dict[str, str]:
    """PATH with a `kubectl-mech` executable that runs the declared console-script entry point."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "kubectl-mech"
    module, func = console_scripts()["kubectl-mech"].split(":")
    shim.write_text(f"#!{sys.executable}\nfrom {module} import {func}\n{func}()\n")
    shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl (from the test extras) is not installed"
)
def test_kubectl_mech_plugin(sb: Sandbox, kubeconfig: Path, plugin_path: dict[str, str]) -> None:
    plugin_path["KUBECONFIG"] = str(kubeconfig)
    done = subprocess.run(
        ["kubectl", "mech", "version"], capture_output=True, text=True, env=plugin_path, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "Client Version: v0.1.0\nServer Version: v1.34.3+k3s1\n",
        "",
    )
    listed = subprocess.run(
        ["kubectl", "plugin", "list"], capture_output=True, text=True, env=plugin_path, timeout=60
    )
    assert "kubectl-mech" in listed.stdout
    helped = subprocess.run(
        ["kubectl", "mech", "--help"], capture_output=True, text=True, env=plugin_path, timeout=60
    )
    assert helped.stdout.startswith("Usage: kubectl mech [OPTIONS] COMMAND [ARGS]...")
