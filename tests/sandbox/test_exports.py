"""The public surface of kmech.sandbox, its import weight, churn, reset and the kubeconfig fixture."""

from __future__ import annotations

import subprocess
import sys

import yaml

import kmech.sandbox
from tests.sandbox.helpers import Client, pod


def test_public_names():
    assert sorted(kmech.sandbox.__all__) == [
        "DEFAULT_NAMESPACES",
        "EventType",
        "Faults",
        "RequestRecord",
        "Sandbox",
        "ScriptedResponse",
        "StatusFault",
        "WatchFault",
        "WatchFaultKind",
        "openssl_available",
    ]


def test_sandbox_is_standard_library_only():
    code = (
        "import sys, kmech.sandbox\n"
        "bad = [m for m in ('kubernetes', 'urllib3', 'typer', 'rich', 'yaml', 'kmech.mapper', 'kmech.transport') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def test_reset_clears_everything(sb):
    sb.create("pods", pod("a"), namespace="shop")
    sb.faults.status(500, times=None)
    rv = int(sb.resource_version)
    sb.reset()
    assert sb.list_objects("pods") == []
    assert [n["metadata"]["name"] for n in sb.list_objects("namespaces")] == [
        "default",
        "kube-node-lease",
        "kube-public",
        "kube-system",
    ]
    assert int(sb.resource_version) > rv
    assert sb.request_count == 0
    with Client(sb.url) as c:
        assert c.get("/api/v1/pods").status == 200


def test_kubeconfig_fixture(kubeconfig, sb, monkeypatch):
    import os

    assert os.environ["KUBECONFIG"] == str(kubeconfig)
    config = yaml.safe_load(kubeconfig.read_text())
    assert config["current-context"] == "sandbox"
    assert config["clusters"][0]["cluster"] == {"server": sb.url}
    assert config["users"][0] == {"name": "sandbox", "user": {}}
    assert kubeconfig.stat().st_mode & 0o777 == 0o600


def test_churn_produces_watchable_changes(sb):
    churn = sb.start_churn(500, seed=7)
    try:
        with Client(sb.url) as c:
            w = c.watch("/api/v1/namespaces/default/pods", {"resourceVersion": sb.resource_version})
            types = {w.next()["type"] for _ in range(60)}
    finally:
        churn.stop()
    assert types >= {"ADDED", "MODIFIED"}
    assert churn.operations >= 60
