"""`kmech watch` over HTTP: initial sync, sustained watch, memory per pod, reconnect storm.

Every server runs in its own process, and every client is measured in its own process, so the
GIL of one never slows the other and resident memory is the client's alone. One run each (these
take minutes); figures are printed as a table with ratios against the named peers.

1. **Initial sync** of ``--sizes`` realistic pods (about 3.5 KB of JSON each, in 50 namespaces)
   served by the sandbox: kmech's informer (paged LIST at rv=0, 500 per page, until
   ``has_synced``) against ``kubectl get pods -A -o json`` (discovery cache warmed first) and
   against the official client's ``kubernetes.informer.SharedInformer`` (one unpaged LIST into
   typed models, until its cache holds every pod).
2. **Memory**: resident bytes per cached pod after the sync (RSS after minus RSS before, over the
   number of pods), kmech full objects and ``--metadata-only``, the official informer; kubectl's
   figure is its peak RSS over the same number of pods (it caches nothing, it prints).
3. **Sustained watch**: a minimal server streams ``--events`` pre-encoded watch events (MODIFIED
   over 1,000 pods, about 1.2 KB each) as fast as the socket takes them; kmech's informer applies
   them to its cache and delivers them to a handler. Headless (a counting handler) and with the
   live view on (the view model plus a renderer drawing 40 rows into a recording console).
4. **Reconnect storm**: each client syncs through a TCP proxy, then the proxy "goes down" for
   ``--storm-seconds`` (60 by default, the real figure): every connection it accepts is reset at
   once and counted. client-go's backoff (0.8 s doubling to 30 s, jitter) allows about 8
   attempts in 60 s; the official Python informer reconnects without backoff.
5. ``--convergence N``: N more seeds of the convergence soak (tests/fidelity/convergence.py).

Usage (from the repository root)::

    python benchmarks/bench_watch.py                     # everything, about 6 minutes
    python benchmarks/bench_watch.py --sizes 10000 --storm-seconds 10 --skip-python
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------- data


def realistic_pod(i: int) -> dict[str, Any]:
    """A pod shaped like a Deployment's replica on a real cluster (managedFields included)."""
    app = f"app-{i % 97}"
    ns = f"ns-{i % 50}"
    return {
        "metadata": {
            "name": f"{app}-7d9c6b5f4-{i:06d}",
            "namespace": ns,
            "generateName": f"{app}-7d9c6b5f4-",
            "labels": {
                "app.kubernetes.io/name": app,
                "app.kubernetes.io/part-of": "shop",
                "pod-template-hash": "7d9c6b5f4",
            },
            "annotations": {
                "kubectl.kubernetes.io/restartedAt": "2026-11-20T10:00:00Z",
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "9090",
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": f"{app}-7d9c6b5f4",
                    "uid": "0f9d2f0e-7b4e-4d4c-9d6b-3c8a8f1b2a11",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
            "managedFields": [
                {
                    "manager": "kube-controller-manager",
                    "operation": "Update",
                    "apiVersion": "v1",
                    "time": "2026-11-20T10:00:01Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {
                        "f:metadata": {
                            "f:generateName": {},
                            "f:labels": {".": {}, "f:app.kubernetes.io/name": {}},
                            "f:ownerReferences": {".": {}},
                        },
                        "f:spec": {"f:containers": {}, "f:dnsPolicy": {}, "f:restartPolicy": {}},
                    },
                },
                {
                    "manager": "kubelet",
                    "operation": "Update",
                    "apiVersion": "v1",
                    "time": "2026-11-20T10:00:09Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:status": {"f:conditions": {}, "f:containerStatuses": {}}},
                    "subresource": "status",
                },
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": f"registry.example.com/shop/{app}:1.{i % 7}.3",
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                    "env": [
                        {"name": "LOG_LEVEL", "value": "info"},
                        {
                            "name": "POD_NAME",
                            "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                        },
                    ],
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "128Mi"},
                        "limits": {"cpu": "500m", "memory": "256Mi"},
                    },
                    "readinessProbe": {
                        "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                        "periodSeconds": 10,
                    },
                    "volumeMounts": [
                        {
                            "name": "kube-api-access",
                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                            "readOnly": True,
                        }
                    ],
                    "imagePullPolicy": "IfNotPresent",
                    "terminationMessagePath": "/dev/termination-log",
                }
            ],
            "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420}}],
            "nodeName": f"node-{i % 40}",
            "serviceAccountName": "default",
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                }
            ],
        },
        "status": {
            "phase": "Running",
            "hostIP": f"10.0.{i % 40}.1",
            "podIP": f"10.42.{(i // 250) % 250}.{i % 250}",
            "qosClass": "Burstable",
            "startTime": "2026-11-20T10:00:02Z",
            "conditions": [
                {"type": t, "status": "True", "lastTransitionTime": "2026-11-20T10:00:09Z"}
                for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "containerStatuses": [
                {
                    "name": "app",
                    "ready": True,
                    "restartCount": i % 3,
                    "image": f"registry.example.com/shop/{app}:1.{i % 7}.3",
                    "imageID": "registry.example.com/shop@sha256:" + "ab" * 32,
                    "containerID": "containerd://" + f"{i:064x}",
                    "started": True,
                    "state": {"running": {"startedAt": "2026-11-20T10:00:08Z"}},
                }
            ],
        },
    }


# --------------------------------------------------------------------------- helpers


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child(*args: str, log: Path | None = None) -> subprocess.Popen[str]:
    """A child running one mode of this script; its stderr goes to ``log`` (or is dropped)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, __file__, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=open(log, "w") if log is not None else subprocess.DEVNULL,  # noqa: SIM115
        text=True,
        env=env,
        cwd=ROOT,
    )


def wait_ready(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit(f"a server child failed (exit {proc.wait()})")
    return line.strip()


def run_child(*args: str, timeout: float = 900) -> dict[str, Any]:
    log = Path(tempfile.mkstemp(prefix="bench-watch-", suffix=".log")[1])
    proc = child(*args, log=log)
    out, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise SystemExit(f"{args[0]} failed ({proc.returncode}): {log.read_text()[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- servers (children)


def serve_sandbox(port: int, pods: int, kubeconfig: str) -> None:
    from kmech.sandbox import Sandbox

    sb = Sandbox(port=port, history_size=1000).start()
    for i in range(pods):
        pod = realistic_pod(i)
        sb.create("pods", pod, namespace=pod["metadata"]["namespace"])
    sb.write_kubeconfig(kubeconfig)
    print("ready", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    sb.stop()


def serve_stream(port: int, events: int) -> None:
    """LIST answers empty at rv 1; the first WATCH streams ``events`` MODIFIED events over 1,000
    pods as fast as the socket takes them, then stays open; later WATCHes stay open, silent."""
    lines = []
    base = []
    for i in range(1000):
        p = realistic_pod(i)
        del p["metadata"]["managedFields"]
        p["metadata"]["namespace"] = "bench"
        base.append(p)
    for n in range(events):
        p = base[n % 1000]
        p["metadata"]["resourceVersion"] = str(n + 2)
        lines.append(json.dumps({"type": "MODIFIED", "object": p}, separators=(",", ":")))
    blob = ("\n".join(lines) + "\n").encode()
    served = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if "watch=true" not in self.path:
                body = b'{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if not served.is_set():
                served.set()
                step = 1 << 20
                for off in range(0, len(blob), step):
                    part = blob[off : off + step]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
            time.sleep(3600)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()


# --------------------------------------------------------------------------- clients (children)


def client_kmech(kubeconfig: str, expected: int, metadata_only: bool) -> None:
    from kmech.dynamic.informer import new_informer
    from kmech.dynamic.listwatch import ObjectFormat
    from kmech.dynamic.resolve import WatchTarget
    from kmech.mapper.schema import GroupVersionResource
    from kmech.transport.client import RESTClient
    from kmech.transport.options import ConnectionOptions

    client = RESTClient.from_options(ConnectionOptions(kubeconfig=kubeconfig))
    target = WatchTarget(GroupVersionResource("", "v1", "pods"), "Pod", True)
    fmt = ObjectFormat.METADATA if metadata_only else ObjectFormat.FULL
    before = rss_bytes()
    informer, _ = new_informer(client, target, object_format=fmt)
    start = time.perf_counter()
    informer.start()
    if not informer.wait_for_sync(600):
        raise SystemExit("kmech informer did not sync")
    seconds = time.perf_counter() - start
    objects = len(informer.get_store().list_keys())
    after = rss_bytes()
    informer.stop()
    print(
        json.dumps({"seconds": seconds, "objects": objects, "rss_delta": after - before}),
        flush=True,
    )


def client_python(kubeconfig: str, expected: int) -> None:
    from kubernetes import client as k8s
    from kubernetes import config
    from kubernetes.informer import SharedInformer

    config.load_kube_config(config_file=kubeconfig)
    api = k8s.CoreV1Api()
    before = rss_bytes()
    informer = SharedInformer(api.list_pod_for_all_namespaces)
    start = time.perf_counter()
    informer.start()
    deadline = time.monotonic() + 900
    tick = threading.Event()
    while len(informer.cache.list_keys()) < expected and time.monotonic() < deadline:
        tick.wait(0.005)
    seconds = time.perf_counter() - start
    objects = len(informer.cache.list_keys())
    after = rss_bytes()
    informer._stop_event.set()
    print(
        json.dumps({"seconds": seconds, "objects": objects, "rss_delta": after - before}),
        flush=True,
    )
    os._exit(0)  # its watch thread blocks in a read with no timeout


def client_events(port: int, events: int, view: bool) -> None:
    import io

    from kmech.dynamic.informer import new_informer
    from kmech.dynamic.resolve import WatchTarget
    from kmech.mapper.schema import GroupVersionResource
    from kmech.transport.client import RESTClient
    from kmech.transport.kubeconfig import RestConfig  # noqa: F401 - see below

    kubeconfig = Path(tempfile.mkdtemp()) / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: b\n"
        f"clusters: [{{name: b, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n"
        "users: [{name: b, user: {}}]\n"
        "contexts: [{name: b, context: {cluster: b, user: b, namespace: bench}}]\n"
    )
    from kmech.transport.options import ConnectionOptions

    client = RESTClient.from_options(ConnectionOptions(kubeconfig=str(kubeconfig)))
    target = WatchTarget(GroupVersionResource("", "v1", "pods"), "Pod", True)
    informer, _ = new_informer(client, target, namespace="bench")
    done = threading.Event()
    count = [0]
    stop_view = threading.Event()
    view_thread = None
    if view:
        from rich.console import Console

        from kmech.cli.watch_view import WatchModel, run_live

        model = WatchModel()
        console = Console(
            file=io.StringIO(), width=120, height=42, force_terminal=True, color_system="standard"
        )

        def handler(event_type: str, origin: str, obj: dict[str, Any]) -> None:
            model.apply(event_type, obj, origin=origin)
            count[0] += 1
            if count[0] >= events:
                done.set()

        view_thread = threading.Thread(
            target=run_live, args=(model, console, stop_view), daemon=True
        )
    else:

        def handler(event_type: str, origin: str, obj: dict[str, Any]) -> None:
            count[0] += 1
            if count[0] >= events:
                done.set()

    from kmech.dynamic.informer import _Adapter

    informer.add_event_handler(_Adapter(handler, informer, None))
    if view_thread is not None:
        view_thread.start()
    cpu0 = time.process_time()
    start = time.perf_counter()
    informer.start()
    done.wait(600)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    stop_view.set()
    if view_thread is not None:
        view_thread.join(5)
    print(json.dumps({"seconds": seconds, "events": count[0], "cpu": cpu}), flush=True)
    os._exit(0)


def client_storm(kind: str, kubeconfig: str, expected: int, ready_file: str) -> None:
    """Sync through the proxy, say so, then keep running until killed."""
    if kind == "kmech":
        from kmech.dynamic.informer import new_informer
        from kmech.dynamic.resolve import WatchTarget
        from kmech.mapper.schema import GroupVersionResource
        from kmech.transport.client import RESTClient
        from kmech.transport.options import ConnectionOptions

        client = RESTClient.from_options(ConnectionOptions(kubeconfig=kubeconfig))
        target = WatchTarget(GroupVersionResource("", "v1", "pods"), "Pod", True)
        informer, _ = new_informer(client, target, namespace="ns-1")
        informer.start()
        informer.wait_for_sync(120)
    else:
        from kubernetes import client as k8s
        from kubernetes import config
        from kubernetes.informer import SharedInformer

        config.load_kube_config(config_file=kubeconfig)
        inf = SharedInformer(k8s.CoreV1Api().list_namespaced_pod, namespace="ns-1")
        inf.start()
        deadline = time.monotonic() + 120
        while not inf.cache.list_keys() and time.monotonic() < deadline:
            time.sleep(0.01)
    Path(ready_file).write_text("synced")
    threading.Event().wait()


# --------------------------------------------------------------------------- the proxy


class StormProxy:
    """Forwards TCP to ``backend`` while up; while down, accepts, counts and resets at once."""

    def __init__(self, backend: int) -> None:
        self.backend = backend
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = int(self.sock.getsockname()[1])
        self.down = False
        self.attempts = 0
        self.live: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import struct

        while True:
            conn, _ = self.sock.accept()
            if self.down:
                with self.lock:
                    self.attempts += 1
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.backend))
            with self.lock:
                self.live += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def go_down(self) -> None:
        import struct

        self.down = True
        with self.lock:
            for s in self.live:
                try:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.live.clear()


def proxied_kubeconfig(kubeconfig: str, port: int, path: Path) -> str:
    text = Path(kubeconfig).read_text()
    import re

    path.write_text(re.sub(r"http://127\.0\.0\.1:\d+", f"http://127.0.0.1:{port}", text))
    return str(path)


# --------------------------------------------------------------------------- main


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def bench_sync(size: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    port = free_port()
    kubeconfig = str(tmp / f"kc-{size}")
    server = child("--serve", str(port), str(size), kubeconfig)
    wait_ready(server)
    out: dict[str, Any] = {"size": size}
    try:
        out["kmech"] = run_child("--client-kmech", kubeconfig, str(size), "full")
        out["kmech-meta"] = run_child("--client-kmech", kubeconfig, str(size), "meta")
        env = {**os.environ, "KUBECONFIG": kubeconfig, "HOME": str(tmp / "home")}
        subprocess.run(["kubectl", "get", "ns"], env=env, capture_output=True, check=True)
        start = time.perf_counter()
        proc = subprocess.Popen(
            ["kubectl", "get", "pods", "-A", "-o", "json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        out["kubectl"] = {
            "seconds": time.perf_counter() - start,
            "peak_rss": usage.ru_maxrss * 1024,
            "ok": status == 0,
        }
        if not args.skip_python:
            out["python"] = run_child("--client-python", kubeconfig, str(size))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=60)
    return out


def bench_events(events: int, view: bool) -> dict[str, Any]:
    port = free_port()
    server = child("--serve-stream", str(port), str(events))
    wait_ready(server)
    try:
        return run_child("--client-events", str(port), str(events), "view" if view else "headless")
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.kill()


def bench_storm(seconds: float, args: argparse.Namespace, tmp: Path) -> dict[str, int]:
    port = free_port()
    kubeconfig = str(tmp / "kc-storm")
    server = child("--serve", str(port), "200", kubeconfig)
    wait_ready(server)
    kinds = ["kmech"] + ([] if args.skip_python else ["python"])
    proxies = {k: StormProxy(port) for k in kinds}
    clients = {}
    try:
        for k in kinds:
            kc = proxied_kubeconfig(kubeconfig, proxies[k].port, tmp / f"kc-storm-{k}")
            ready = tmp / f"ready-{k}"
            clients[k] = (child("--client-storm", k, kc, "200", str(ready)), ready)
        deadline = time.monotonic() + 120
        while not all(r.exists() for _, r in clients.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        for p in proxies.values():
            p.go_down()
        time.sleep(seconds)
        return {k: p.attempts for k, p in proxies.items()}
    finally:
        for proc, _ in clients.values():
            proc.kill()
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=60)


def main() -> None:
    if (
        len(sys.argv) > 1
        and sys.argv[1].startswith("--serve")
        or (len(sys.argv) > 1 and sys.argv[1].startswith("--client-"))
    ):
        mode, rest = sys.argv[1], sys.argv[2:]
        if mode == "--serve":
            serve_sandbox(int(rest[0]), int(rest[1]), rest[2])
        elif mode == "--serve-stream":
            serve_stream(int(rest[0]), int(rest[1]))
        elif mode == "--client-kmech":
            client_kmech(rest[0], int(rest[1]), rest[2] == "meta")
        elif mode == "--client-python":
            client_python(rest[0], int(rest[1]))
        elif mode == "--client-events":
            client_events(int(rest[0]), int(rest[1]), rest[2] == "view")
        elif mode == "--client-storm":
            client_storm(rest[0], rest[1], int(rest[2]), rest[3])
        return

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--storm-seconds", type=float, default=60.0)
    parser.add_argument("--skip-python", action="store_true")
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--skip-events", action="store_true")
    parser.add_argument("--skip-storm", action="store_true")
    parser.add_argument("--convergence", type=int, default=0, metavar="SEEDS")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    (tmp / "home").mkdir()

    if not args.skip_sync:
        print("== initial sync (one run each; seconds until the cache holds every pod)")
        for size in (int(s) for s in args.sizes.split(",")):
            r = bench_sync(size, args, tmp)
            k, m, kc = r["kmech"], r["kmech-meta"], r["kubectl"]
            print(f"-- {size:,} pods")
            print(f"   kmech informer          {k['seconds']:7.2f} s   {k['objects']:,} objects")
            print(f"   kmech --metadata-only   {m['seconds']:7.2f} s")
            print(
                f"   kubectl get -A -o json  {kc['seconds']:7.2f} s   "
                f"kmech/kubectl = {k['seconds'] / kc['seconds']:.2f}"
            )
            if "python" in r:
                p = r["python"]
                print(
                    f"   python SharedInformer   {p['seconds']:7.2f} s   "
                    f"kmech/python = {k['seconds'] / p['seconds']:.2f}"
                )
            print("   resident bytes per pod:")
            print(f"     kmech full            {k['rss_delta'] / size:9,.0f}")
            print(f"     kmech metadata-only   {m['rss_delta'] / size:9,.0f}")
            if "python" in r:
                print(f"     python SharedInformer {r['python']['rss_delta'] / size:9,.0f}")
            print(f"     kubectl (peak, no cache) {kc['peak_rss'] / size:6,.0f}")

    if not args.skip_events:
        print(f"== sustained watch ({args.events:,} MODIFIED events over 1,000 pods)")
        for view in (False, True):
            r = bench_events(args.events, view)
            label = "view on " if view else "headless"
            print(
                f"   {label}  {fmt_rate(r['events'] / r['seconds'])} events/s wall, "
                f"{fmt_rate(r['events'] / max(r['cpu'], 1e-9))} events/s per CPU second"
            )

    if not args.skip_storm:
        print(f"== reconnect storm (server down {args.storm_seconds:g} s; connection attempts)")
        counts = bench_storm(args.storm_seconds, args, tmp)
        for k, n in counts.items():
            print(f"   {k:8s} {n}")

    if args.convergence:
        sys.path.insert(0, str(ROOT))
        from kmech.sandbox import Sandbox
        from tests.fidelity.convergence import run_seed

        print(f"== convergence soak ({args.convergence} seeds)")
        with Sandbox(bookmark_interval=0.05, history_size=100) as sb:
            kubeconfig = sb.write_kubeconfig(tmp / "kc-conv")
            failed = []
            start = time.perf_counter()
            for seed in range(1000, 1000 + args.convergence):
                sb.reset()
                res = run_seed(sb, kubeconfig, seed)
                if not res.converged or res.problems:
                    failed.append(res)
            print(
                f"   {args.convergence - len(failed)}/{args.convergence} converged in "
                f"{time.perf_counter() - start:.1f} s"
            )
            for res in failed:
                print(f"   FAILED {res}")
    _ = resource  # imported for ru_maxrss units documentation (KiB on Linux)


if __name__ == "__main__":
    main()
