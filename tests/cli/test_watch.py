"""`kmech watch` end to end over HTTP: output on a pipe, exit codes, signals, errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from kmech.cli.app import main
from kmech.cli.watch_stream import REDACTED, replay
from tests.fidelity.helpers import pod


def kmech(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``kmech ARGS`` in-process through main(); returns (exit code, stdout, stderr)."""
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def server_state(sb, resource: str = "pods", namespace: str = "shop") -> dict[str, dict]:
    items = sb.list_objects(resource, namespace=namespace)
    return {f"{o['metadata']['namespace']}/{o['metadata']['name']}": o for o in items}


def test_jsonl_on_a_pipe_replays_to_the_servers_state(sb, kubeconfig, capsys) -> None:
    for name in ("a", "b"):
        sb.create("pods", pod(name), namespace="shop")

    def churn() -> None:
        assert sb.wait_for_watches(1)
        sb.create("pods", pod("c"), namespace="shop")
        sb.delete("pods", "a", namespace="shop")

    t = threading.Thread(target=churn)
    t.start()
    code, out, err = kmech(capsys, "watch", "pods", "-n", "shop", "--timeout", "1s")
    t.join()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["type"], r.get("origin")) for r in records] == [
        ("ADDED", "initial"),
        ("ADDED", "initial"),
        ("SYNCED", None),
        ("ADDED", "watch"),
        ("DELETED", "watch"),
    ]
    assert records[2] == {"type": "SYNCED", "resourceVersion": records[2]["resourceVersion"]}
    cache = replay(lines)
    assert set(cache) == set(server_state(sb)) == {"shop/b", "shop/c"}


def test_name_output_and_the_global_namespace_flag(sb, kubeconfig, capsys) -> None:
    sb.create("deployments", {"metadata": {"name": "web"}}, namespace="shop", group="apps")
    code, out, _ = kmech(capsys, "-n", "shop", "watch", "deploy", "-o", "name", "--timeout", "0.3s")
    assert (code, out) == (0, "added deployment.apps/web\n")


def test_secret_values_are_redacted_in_jsonl(sb, kubeconfig, capsys) -> None:
    sb.create(
        "secrets",
        {"metadata": {"name": "db"}, "data": {"password": "aHVudGVyMg=="}},
        namespace="shop",
    )
    code, out, _ = kmech(capsys, "watch", "secrets", "-n", "shop", "--timeout", "0.3s")
    assert code == 0
    assert json.loads(out.splitlines()[0])["object"]["data"] == {"password": REDACTED}
    code, out, _ = kmech(
        capsys, "watch", "secrets", "-n", "shop", "--timeout", "0.3s", "--show-secrets"
    )
    assert json.loads(out.splitlines()[0])["object"]["data"] == {"password": "aHVudGVyMg=="}


def test_named_object_watches_by_field_selector(sb, kubeconfig, capsys) -> None:
    sb.create("pods", pod("a"), namespace="shop")
    sb.create("pods", pod("b"), namespace="shop")
    code, out, _ = kmech(
        capsys, "watch", "pods", "b", "-n", "shop", "-o", "name", "--timeout", "0.3s"
    )
    assert (code, out) == (0, "added pod/b\n")
    assert all(
        r.query.get("fieldSelector") == "metadata.name=b"
        for r in sb.requests
        if r.path.endswith("/pods")
    )


def test_forbidden_exits_5_naming_verb_resource_and_namespace(sb, kubeconfig, capsys) -> None:
    sb.faults.status(403, path_regex=r"/deployments", times=None)
    code, out, err = kmech(capsys, "watch", "deployments", "-n", "shop", "--timeout", "5s")
    assert code == 5
    assert out == ""
    assert err.startswith(
        'error: forbidden (403): cannot list deployments.apps in namespace "shop": '
    )
    assert err.endswith("; ask a cluster admin for RBAC access, or use another --context\n")
    assert len(err.splitlines()) == 1


def test_forbidden_watch_names_the_watch_verb(sb, kubeconfig, capsys) -> None:
    sb.faults.status(403, path_regex=r"watch=true", times=None)
    code, _, err = kmech(capsys, "watch", "pods", "-A", "--timeout", "5s")
    assert code == 5
    assert err.startswith("error: forbidden (403): cannot watch pods in all namespaces: ")


def test_unreachable_server_exits_4_only_after_the_request_timeout(sb, kubeconfig, capsys) -> None:
    # Discovery must answer; then the server goes away before the first LIST.
    sb.faults.latency(0.3, path_regex=r"/pods")
    threading.Timer(0.1, sb.faults.refuse_connections).start()
    code, out, err = kmech(
        capsys, "--request-timeout", "1s", "watch", "pods", "-n", "shop", "--timeout", "10s"
    )
    assert code == 4
    assert out == ""
    assert err.startswith(
        'error: the initial sync of pods in namespace "shop" did not complete within 1s'
    )
    assert err.endswith("check that the server is reachable, or raise --request-timeout\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["watch", "pods", "-n", "a", "-A"],
            "error: -n and -A cannot be used together: pick one namespace, or all\n",
            id="namespace-and-all",
        ),
        pytest.param(
            ["watch", "pods", "-o", "csv"],
            'error: unknown output format "csv": use -o table|wide|json|yaml|jsonl|name\n',
            id="bad-output",
        ),
        pytest.param(
            ["watch", "pods", "--timeout", "soon"],
            None,
            id="bad-timeout",
        ),
        pytest.param(
            ["watch", "pods,deploy", "web"],
            "error: a name needs exactly one resource type: watch one resource at a time\n",
            id="name-with-two-types",
        ),
    ],
)
def test_usage_errors_exit_2(sb, kubeconfig, capsys, args, message) -> None:
    code, out, err = kmech(capsys, *args)
    assert code == 2
    assert out == ""
    if message is not None:
        assert err == message
    assert len(err.splitlines()) == 1


def test_unknown_resource_exits_3(sb, kubeconfig, capsys) -> None:
    code, _, err = kmech(capsys, "watch", "nosuchthings", "--timeout", "1s")
    assert code == 3
    assert err.startswith("error: ")
    assert len(err.splitlines()) == 1


def test_sigterm_stops_cleanly_with_exit_0(sb, kubeconfig) -> None:
    sb.create("pods", pod("a"), namespace="default")
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kmech", "watch", "pods", "-o", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert json.loads(first)["object"]["metadata"]["name"] == "a"
        assert json.loads(proc.stdout.readline())["type"] == "SYNCED"
        assert sb.wait_for_watches(1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert (out, err) == ("", "")


def test_several_resources_share_one_stream_with_one_synced_line_each(
    sb, kubeconfig, capsys
) -> None:
    sb.create("pods", pod("a"), namespace="shop")
    sb.create("deployments", {"metadata": {"name": "web"}}, namespace="shop", group="apps")
    code, out, _ = kmech(capsys, "watch", "po,deploy", "-n", "shop", "--timeout", "0.5s")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    synced = sorted(r["resource"] for r in records if r["type"] == "SYNCED")
    assert synced == ["deployments.apps", "pods"]
    assert sorted(r["object"]["metadata"]["name"] for r in records if r["type"] == "ADDED") == [
        "a",
        "web",
    ]


def test_resync_replays_the_cache_without_requests(sb, kubeconfig, capsys) -> None:
    sb.create("pods", pod("a"), namespace="shop")
    code, out, _ = kmech(
        capsys, "watch", "pods", "-n", "shop", "--resync", "1s", "--timeout", "2.5s"
    )
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    resyncs = [r for r in records if r.get("origin") == "resync"]
    assert resyncs, records
    assert {(r["type"], r["object"]["metadata"]["name"]) for r in resyncs} == {("MODIFIED", "a")}
    lists = [r for r in sb.requests if r.path.endswith("/pods") and not r.is_watch]
    assert len(lists) == 1, "a resync replays the cache; it never relists"


def test_a_reader_that_goes_away_stops_the_command_quietly(sb, kubeconfig) -> None:
    """``kmech watch pods | head -1``: exit 0, no traceback, no "Broken pipe" noise."""
    sb.create("pods", pod("a"), namespace="default")
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kmech", "watch", "pods", "-o", "jsonl", "--timeout", "20s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert json.loads(proc.stdout.readline())["type"] == "ADDED"
        proc.stdout.close()
        assert sb.wait_for_watches(1)
        for i in range(3):  # the next writes hit the closed pipe
            sb.create("pods", pod(f"more-{i}"), namespace="default")
        assert proc.wait(timeout=10) == 0
        assert proc.stderr.read() == b""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
