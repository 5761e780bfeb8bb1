"""`kmech sandbox`: the printed KUBECONFIG line, flags turned into faults, bad input, clean stop."""

from __future__ import annotations

import http.client
import io
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from kmech.cli.app import main
from kmech.cli.sandbox import SandboxOptions, run
from tests.sandbox.helpers import Client


class LineBuffer(io.StringIO):
    """A stdout stand-in that signals when the first line is written."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = threading.Event()

    def flush(self) -> None:
        super().flush()
        if "\n" in self.getvalue():
            self.ready.set()


def start(options: SandboxOptions):
    stop = threading.Event()
    out, err = LineBuffer(), io.StringIO()
    result = {}
    thread = threading.Thread(
        target=lambda: result.setdefault("rc", run(options, stop=stop, out=out, err=err)),
        name="test-sandbox-cli",
    )
    thread.start()
    assert out.ready.wait(30)
    line = out.getvalue().splitlines()[0]
    assert line.startswith("export KUBECONFIG=")
    path = Path(line.split("=", 1)[1])
    return stop, thread, result, yaml.safe_load(path.read_text()), err, path


@contextmanager
def serving(options: SandboxOptions) -> Iterator[tuple[str, io.StringIO]]:
    """:func:`start`, yielding (server URL, stderr), and stop the run however the block ends."""
    stop, thread, _, config, err, _ = start(options)
    try:
        yield config["clusters"][0]["cluster"]["server"], err
    finally:
        stop.set()
        thread.join(30)


def test_run_prints_kubeconfig_and_serves_with_faults(tmp_path):
    options = SandboxOptions(
        kubeconfig_out=tmp_path / "kc",
        token="abc",
        fail_status=429,
        fail_path="/api/v1/pods",
        retry_after=2,
    )
    stop, thread, result, config, err, _ = start(options)
    try:
        server = config["clusters"][0]["cluster"]["server"]
        assert config["users"][0]["user"]["token"] == "abc"
        assert config["contexts"][0]["context"]["namespace"] == "default"
        with Client(server, token="abc") as c:
            assert c.get("/version").status == 200
            throttled = c.get("/api/v1/pods")
            assert (throttled.status, throttled.headers["retry-after"]) == (429, "2")
        assert "serving http://127.0.0.1:" in err.getvalue()
        assert "abc" not in err.getvalue()
    finally:
        stop.set()
        thread.join(30)
    assert result["rc"] == 0
    assert err.getvalue().endswith("kmech sandbox stopped\n")
    assert (tmp_path / "kc").exists()


def test_temporary_kubeconfig_is_removed_on_stop():
    stop, thread, _, config, _, path = start(SandboxOptions(churn=200))
    server = config["clusters"][0]["cluster"]["server"]
    with Client(server) as c:
        w = c.watch("/api/v1/namespaces/default/pods", {"resourceVersion": "0"})
        assert w.next()["type"] == "ADDED"
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
    assert not path.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--discovery", "/nonexistent"],
            "error: --discovery /nonexistent is not a folder; pass a discovery snapshot folder",
            id="no-folder",
        ),
        pytest.param(
            ["--fail-status", "200"],
            "error: --fail-status must be an HTTP error code (400-599), not 200",
            id="bad-status",
        ),
        pytest.param(["--latency", "fast"], 'error: invalid duration "fast"', id="bad-duration"),
        pytest.param(
            ["--port", "70000"],
            "error: --port must be between 0 and 65535, not 70000",
            id="bad-port",
        ),
    ],
)
def test_bad_input(capsys, args, message):
    with pytest.raises(SystemExit) as info:
        main(["sandbox", *args])
    assert info.value.code == 2
    assert capsys.readouterr().err.strip().startswith(message)


def test_ctrl_c_stops_cleanly(tmp_path):
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kmech", "sandbox", "--kubeconfig-out", str(tmp_path / "kc")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == f"export KUBECONFIG={tmp_path / 'kc'}\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert err.splitlines()[-1] == "kmech sandbox stopped"


def _post_pods(server: str, n: int) -> None:
    with Client(server) as c:
        for i in range(n):
            assert (
                c.request(
                    "POST", "/api/v1/namespaces/default/pods", body={"metadata": {"name": f"p{i}"}}
                ).status
                == 201
            )


@pytest.mark.parametrize(
    ("options", "types"),
    [
        pytest.param(SandboxOptions(drop_watch_after=1), ["ADDED"], id="drop-watch-after"),
        pytest.param(
            SandboxOptions(expire_watch_after=1), ["ADDED", "ERROR"], id="expire-watch-after"
        ),
    ],
)
def test_watch_fault_flags_apply_to_every_stream(options, types):
    with serving(options) as (server, _):
        _post_pods(server, 3)
        with Client(server) as c:
            for _ in range(2):  # every stream, not only the first
                w = c.watch("/api/v1/namespaces/default/pods")
                assert [e["type"] for e in w.rest()] == types


def test_truncate_flag():
    with serving(SandboxOptions(truncate_events=True)) as (server, _):
        _post_pods(server, 1)
        with Client(server) as c:
            w = c.watch("/api/v1/namespaces/default/pods")
            with pytest.raises((http.client.IncompleteRead, ConnectionError, ValueError)):
                w.rest()


def test_discovery_flag_serves_another_snapshot(fixtures_dir):
    options = SandboxOptions(discovery=fixtures_dir / "discovery" / "minikube-1.33")
    with serving(options) as (server, err):
        with Client(server) as c:
            assert c.get("/version").json()["gitVersion"].startswith("v1.33")
            assert (
                c.get(
                    "/apis",
                    accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
                ).json()["kind"]
                == "APIGroupList"
            )
        assert "(discovery minikube-1.33)" in err.getvalue()


def test_outage_loop_refuses_then_recovers():
    from kmech.cli.sandbox import _outage_loop

    stop = threading.Event()
    calls: list[bool] = []

    class FakeFaults:
        def refuse_connections(self, refuse: bool) -> None:
            calls.append(refuse)
            if len(calls) == 4:
                stop.set()

    class FakeSandbox:
        faults = FakeFaults()

    thread = threading.Thread(
        target=_outage_loop, args=(FakeSandbox(), 0.01, 0.01, stop), name="test-outages"
    )
    thread.start()
    assert stop.wait(10)
    thread.join(10)
    assert calls == [True, False, True, False]
