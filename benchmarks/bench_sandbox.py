"""Sandbox figures for the closing note: request latency and sustained watch event rate.

Run: ``python benchmarks/bench_sandbox.py`` (about 30 s on 2 cores).

1. Request latency: 5,000 GETs of one pod over one keep-alive connection, with 20,000 pods
   stored; median and p99, plus the median of the first and the last 1,000 requests (flatness).
   Peer: a bare stdlib ThreadingHTTPServer answering a fixed body with the same socket options,
   so the ratio is the cost of the sandbox's own work. A third run turns TCP_NODELAY off on the
   sandbox to show what Nagle's algorithm costs.
2. LIST of 20,000 pods (JSON), median of 5.
3. Watch: one watcher while a writer updates pods as fast as it can (sustained events/s
   delivered), then at a paced 1,000 writes/s for 5 s (all delivered? lag?).
"""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kmech.sandbox import Sandbox  # noqa: E402
from kmech.sandbox import server as sandbox_server  # noqa: E402

N_OBJECTS = 20_000
N_REQUESTS = 5_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_gets(host: str, port: int, path: str, n: int) -> list[float]:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        resp.read()
        out.append(time.perf_counter() - t0)
        assert resp.status == 200, resp.status
    conn.close()
    return out


def report(name: str, samples: list[float]) -> float:
    med = statistics.median(samples) * 1e3
    first = statistics.median(samples[:1000]) * 1e3
    last = statistics.median(samples[-1000:]) * 1e3
    print(
        f"{name:<34} median {med:7.3f} ms   p99 {percentile(samples, 0.99) * 1e3:7.3f} ms   "
        f"first-1000 {first:6.3f} ms   last-1000 {last:6.3f} ms"
    )
    return med


class _Bare(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = json.dumps({"kind": "Pod", "metadata": {"name": "p"}}).encode()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


class _BareServer(ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self):  # type: ignore[no-untyped-def]
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, addr


def preload(sb: Sandbox) -> None:
    for i in range(N_OBJECTS):
        sb.create(
            "pods",
            {
                "metadata": {"name": f"pod-{i:05d}", "labels": {"app": f"app-{i % 50}"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                "status": {"phase": "Running"},
            },
            namespace=f"ns-{i % 20}",
        )


def bench_latency(sb: Sandbox) -> None:
    path = "/api/v1/namespaces/ns-7/pods/pod-00007"
    sandbox_med = report(
        "sandbox GET (20,000 pods stored)", timed_gets("127.0.0.1", sb.port, path, N_REQUESTS)
    )
    bare = _BareServer(("127.0.0.1", 0), _Bare)
    thread = threading.Thread(target=bare.serve_forever, name="bench-bare", daemon=True)
    thread.start()
    bare_med = report(
        "peer: bare stdlib server", timed_gets("127.0.0.1", bare.server_address[1], "/", N_REQUESTS)
    )
    bare.shutdown()
    bare.server_close()
    print(f"  ratio sandbox/bare median: {sandbox_med / bare_med:.2f}x")

    original = sandbox_server.SandboxHTTPServer.get_request

    def nagle_on(self):  # type: ignore[no-untyped-def]
        sock, addr = self.socket.accept()
        return sock, addr

    sandbox_server.SandboxHTTPServer.get_request = nagle_on  # type: ignore[method-assign]
    with Sandbox() as nagle:
        nagle.create("pods", {"metadata": {"name": "p"}})
        slow = timed_gets("127.0.0.1", nagle.port, "/api/v1/namespaces/default/pods/p", 200)
        print(
            f"{'sandbox with Nagle on (200 GETs)':<34} median {statistics.median(slow) * 1e3:7.3f} ms"
            f"   ({statistics.median(slow) * 1e3 / sandbox_med:,.0f}x the sandbox with TCP_NODELAY)"
        )
    sandbox_server.SandboxHTTPServer.get_request = original  # type: ignore[method-assign]


def bench_list(sb: Sandbox) -> None:
    times = []
    size = 0
    for _ in range(5):
        conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=60)
        t0 = time.perf_counter()
        conn.request("GET", "/api/v1/pods", headers={"Accept": "application/json"})
        body = conn.getresponse().read()
        times.append(time.perf_counter() - t0)
        size = len(body)
        conn.close()
    print(
        f"LIST 20,000 pods (JSON, {size / 1e6:.1f} MB)     median {statistics.median(times) * 1e3:7.1f} ms"
    )


def watch_counter(
    sb: Sandbox, counted: list[int], done: threading.Event, target: int
) -> threading.Thread:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=30)
    conn.request(
        "GET", f"/api/v1/namespaces/ns-0/pods?watch=true&resourceVersion={sb.resource_version}"
    )
    resp = conn.getresponse()

    def run() -> None:
        while counted[0] < target:
            line = resp.readline()
            if not line:
                break
            counted[0] += 1
            if counted[0] == 1:
                counted.append(time.perf_counter())  # type: ignore[arg-type]
        counted.append(time.perf_counter())  # type: ignore[arg-type]
        done.set()
        conn.close()

    thread = threading.Thread(target=run, name="bench-watch", daemon=True)
    thread.start()
    return thread


def bench_watch(sb: Sandbox) -> None:
    names = [f"pod-{i:05d}" for i in range(0, N_OBJECTS, 20)]  # all in ns-0
    target = 20_000
    counted: list[int] = [0]
    done = threading.Event()
    watch_counter(sb, counted, done, target)
    assert sb.wait_for_watches(1)
    t0 = time.perf_counter()
    i = 0
    while i < target:
        name = names[i % len(names)]
        sb.patch("pods", name, {"metadata": {"annotations": {"n": str(i)}}}, namespace="ns-0")
        i += 1
    write_s = time.perf_counter() - t0
    done.wait(60)
    elapsed = counted[-1] - t0  # type: ignore[operator]
    print(
        f"watch, writer flat out: {target} writes in {write_s:.2f} s ({target / write_s:,.0f}/s); "
        f"{counted[0]} events delivered in {elapsed:.2f} s = {counted[0] / elapsed:,.0f} events/s"
    )

    counted2: list[int] = [0]
    done2 = threading.Event()
    paced = 5_000
    watch_counter(sb, counted2, done2, paced)
    assert sb.wait_for_watches(1)
    t0 = time.perf_counter()
    for k in range(paced):
        due = t0 + k / 1000.0
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sb.patch(
            "pods",
            names[k % len(names)],
            {"metadata": {"annotations": {"m": str(k)}}},
            namespace="ns-0",
        )
    writer_end = time.perf_counter()
    done2.wait(30)
    lag = (counted2[-1] - writer_end) * 1e3  # type: ignore[operator]
    print(
        f"watch, paced 1,000 writes/s for 5 s: {counted2[0]}/{paced} events delivered; "
        f"last event {lag:.1f} ms after the last write; achieved {paced / (writer_end - t0):,.0f} writes/s"
    )


def main() -> None:
    with Sandbox(history_size=50_000) as sb:
        t0 = time.perf_counter()
        preload(sb)
        print(f"preload {N_OBJECTS:,} pods: {time.perf_counter() - t0:.2f} s")
        bench_latency(sb)
        bench_list(sb)
        bench_watch(sb)


if __name__ == "__main__":
    main()
