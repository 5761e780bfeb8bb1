"""Every required error: one ``error:`` line on stderr naming the way out, and its exit code.

The CLI runs in-process through ``kmech.cli.app.main`` (the console script's entry point) and
talks to sandboxes over real HTTP through real kubeconfig files.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kmech.cli.app import GlobalOptions
from kmech.sandbox import Sandbox

from .cli_main import run

TOKEN = "cli-s3cret"


@pytest.fixture(scope="module")
def tls_sandbox() -> Iterator[Sandbox]:
    server = Sandbox(token=TOKEN, tls=True).start()
    try:
        yield server
    finally:
        server.stop()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_cluster_configured(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["version"], capsys)
    assert (code, out, err) == (
        1,
        "Client Version: v0.1.0\n",
        "error: no cluster configured: set KUBECONFIG, pass --kubeconfig, or try `kmech sandbox`\n",
    )


def test_unknown_context(kubeconfig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--context", "prod", "version"], capsys)
    assert (code, err) == (
        1,
        'error: context "prod" does not exist in the kubeconfig (known: sandbox): fix --context\n',
    )


def test_tls_verification_failure(tls_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--server", tls_sandbox.url, "--token", TOKEN, "version"], capsys)
    assert code == 4
    assert err == (
        f"error: TLS verification of {tls_sandbox.url} failed (unable to get local issuer "
        "certificate): pass --certificate-authority with the cluster's CA certificate (or "
        "--insecure-skip-tls-verify, insecure)\n"
    )


def test_certificate_authority_flag_fixes_tls(
    tls_sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tls_sandbox.ca_pem is not None
    ca = tmp_path / "ca.crt"
    ca.write_bytes(tls_sandbox.ca_pem)
    argv = ["--server", tls_sandbox.url, "--token", TOKEN, "--certificate-authority", str(ca)]
    code, out, err = run([*argv, "version"], capsys)
    assert (code, out, err) == (0, "Client Version: v0.1.0\nServer Version: v1.34.3+k3s1\n", "")


def test_connection_refused(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    code, _, err = run(["--server", url, "version"], capsys)
    assert (code, err) == (
        4,
        f"error: the connection to the server {url} was refused: is the cluster running and "
        "--server right? (no cluster? try `kmech sandbox`)\n",
    )


def test_request_timeout(sb: Sandbox, kubeconfig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sb.faults.latency(2.0)
    code, _, err = run(["--request-timeout", "300ms", "version"], capsys)
    assert (code, err) == (
        4,
        f"error: the server {sb.url} did not answer within 0.3s: raise --request-timeout, or "
        "check the server's load\n",
    )


def test_unauthorized(
    tls_sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tls_sandbox.write_kubeconfig(tmp_path / "kc", token="wrong")
    code, _, err = run(["--kubeconfig", str(path), "version"], capsys)
    assert (code, err) == (
        5,
        f"error: unauthorized by {tls_sandbox.url} (401): the credentials were rejected; check "
        "the user in your kubeconfig, or pass --token\n",
    )


def test_forbidden_names_verb_resource_namespace(
    sb: Sandbox, kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = 'pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "shop"'
    sb.faults.status(403, path_regex="/version", message=message)
    code, _, err = run(["version"], capsys)
    assert (code, err) == (
        5,
        f"error: forbidden (403): {message}; ask a cluster admin for RBAC access, or use another "
        "--context\n",
    )


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        pytest.param(
            ["--request-timeout", "soon", "version"],
            'error: invalid --request-timeout "soon": use whole seconds or a duration such as 5s, 2m or 1h\n',
            id="bad-duration",
        ),
        pytest.param(
            ["--request-timeout", "-1s", "version"],
            'error: invalid --request-timeout "-1s": it cannot be negative; use whole seconds or a '
            "duration such as 5s, 2m or 1h\n",
            id="negative-duration",
        ),
        pytest.param(
            ["--no-such-flag", "version"], "No such option: --no-such-flag", id="unknown-flag"
        ),
        pytest.param(["frobnicate"], "No such command 'frobnicate'", id="unknown-command"),
        pytest.param(
            ["version", "-o", "xml"],
            'unknown output format "xml": use -o text|json|yaml',
            id="bad-output",
        ),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err


def test_traceback_only_at_v9(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    code, _, err = run(["--server", url, "version"], capsys)
    assert code == 4 and "Traceback" not in err
    code, _, err = run(["-v", "9", "--server", url, "version"], capsys)
    assert code == 4
    assert "Traceback (most recent call last):\n" in err
    assert err.splitlines()[-1].startswith(f"error: the connection to the server {url} was refused")


def test_v6_logs_requests_and_never_the_token(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["-v", "6", "--server", sb.url, "--token", "hide-me", "version"], capsys)
    assert code == 0
    # The in-process sandbox logs under "kmech.sandbox" too; keep only the client's lines.
    client_lines = [line for line in err.splitlines() if not line.startswith("sandbox:")]
    assert len(client_lines) == 1
    assert re.fullmatch(
        rf"GET {re.escape(sb.url)}/version 200 OK in \d+ milliseconds", client_lines[0]
    )
    code, _, err = run(["-v=8", "--server", sb.url, "--token", "hide-me", "version"], capsys)
    assert "    Authorization: Bearer <masked>\n" in err
    assert "hide-me" not in err


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        pytest.param(False, None, False, id="not-a-tty"),
        pytest.param(True, None, False, id="no-color-flag"),
        pytest.param(False, "1", False, id="NO_COLOR"),
    ],
)
def test_no_color(
    monkeypatch: pytest.MonkeyPatch, flag: bool, env: str | None, expected: bool
) -> None:
    if env is not None:
        monkeypatch.setenv("NO_COLOR", env)
    assert GlobalOptions(no_color=flag).color is expected


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("5", 5.0, id="whole-seconds"),
        pytest.param("250ms", 0.25, id="go-duration"),
        pytest.param("1m30s", 90.0, id="compound"),
        pytest.param("0", 0.0, id="zero-is-no-limit"),
        pytest.param(None, None, id="absent-is-default"),
    ],
)
def test_request_timeout_flag(text: str | None, seconds: float | None) -> None:
    from kmech.cli.app import _request_timeout_seconds

    assert _request_timeout_seconds(text) == seconds
