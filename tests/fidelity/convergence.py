"""One seeded convergence run: churn + random faults against the sandbox, then compare.

Used by ``tests/fidelity/test_convergence.py`` (100+ small seeds) and ``benchmarks/bench_watch.py``
(more seeds). A run:

1. seeds a few pods, starts an informer over HTTP with two handlers (a checking recorder and the
   ``-o jsonl`` writer of ``kmech watch``);
2. churns: creates, updates and deletes pods (some in an unwatched namespace, which move the
   resourceVersion without events), interleaved at random with the sandbox's faults (dropped
   streams, mid-stream 410s, compactions, stalls, truncated lines, 429s, 500s on LIST, refused
   connections);
3. disarms every fault and waits until the informer's cache equals the server's state;
4. checks that the cache, the recorder and the replayed jsonl all equal the server's state
   (keys and resourceVersions), and that no handler saw MODIFIED or DELETED for a key it had not
   been told about.
"""

from __future__ import annotations

import io
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kmech.cli.watch_stream import EventWriter, replay
from kmech.dynamic.informer import WatchSession
from kmech.dynamic.resolve import WatchTarget
from kmech.informers.reflector import ReflectorOptions
from kmech.mapper.schema import GroupVersionResource
from kmech.sandbox import Sandbox
from tests.fidelity.helpers import FAST, Recorder, client_for, pod

PODS = WatchTarget(GroupVersionResource("", "v1", "pods"), "Pod", True)
FAULTS = ("drop", "expire", "compact", "stall", "truncate", "throttle", "list500", "refuse")


@dataclass(slots=True)
class SeedResult:
    seed: int
    converged: bool
    operations: int
    faults: list[str] = field(default_factory=list)
    relists: int = 0
    watch_restarts: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def server_rvs(sb: Sandbox) -> dict[str, str]:
    return {
        f"shop/{o['metadata']['name']}": o["metadata"]["resourceVersion"]
        for o in sb.list_objects("pods", namespace="shop")
    }


def _rvs(cache: dict[str, dict]) -> dict[str, str]:
    return {k: v["metadata"]["resourceVersion"] for k, v in cache.items()}


def _has_rv(key: str, rv: str) -> Callable[[Recorder], bool]:
    return lambda r: (r.cache.get(key) or {}).get("metadata", {}).get("resourceVersion") == rv


def _gone(key: str) -> Callable[[Recorder], bool]:
    return lambda r: key not in r.cache


def _poll(predicate: Callable[[], bool], timeout: float) -> bool:
    """For state without a condition to wait on (the jsonl buffer): re-check every 5 ms."""
    stop = threading.Event()
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        stop.wait(0.005)
    return True


def _inject(sb: Sandbox, rng: random.Random, fault: str) -> None:
    if fault == "drop":
        sb.faults.drop_watch_after(rng.randint(0, 3))
    elif fault == "expire":
        sb.faults.expire_watch_mid_stream(after_events=rng.randint(0, 3))
    elif fault == "compact":
        sb.compact(expire_watches=rng.random() < 0.5)
    elif fault == "stall":
        sb.faults.stall_watch(rng.uniform(0.05, 0.2))
    elif fault == "truncate":
        sb.faults.truncate_next_event()
    elif fault == "throttle":
        sb.faults.status(429, path_regex=r"watch=true", retry_after=0, times=rng.randint(1, 2))
    elif fault == "list500":
        sb.faults.status(500, path_regex=r"/pods\?(?!.*watch)", times=1)
    elif fault == "refuse":
        sb.faults.refuse_connections(True)  # reopened after the next change (below)


def run_seed(
    sb: Sandbox,
    kubeconfig: Path,
    seed: int,
    *,
    operations: int = 25,
    fault_rate: float = 0.3,
    settle_timeout: float = 15.0,
    pace_seconds: float = 0.03,
    reflector_options: ReflectorOptions = FAST,
) -> SeedResult:
    rng = random.Random(seed)
    started = time.monotonic()
    result = SeedResult(seed=seed, converged=False, operations=operations)
    names = [f"p{i}" for i in range(8)]
    live: set[str] = set()
    for name in rng.sample(names, rng.randint(0, 5)):
        sb.create("pods", pod(name), namespace="shop")
        live.add(name)
    client = client_for(kubeconfig)
    session = WatchSession(
        client,
        [PODS],
        namespace="shop",
        reflector_options=reflector_options,
        read_idle_timeout_seconds=1.5,
    )
    rec = Recorder()
    out = io.StringIO()
    writer = EventWriter(out, "jsonl")
    session.add_handler(PODS, rec)
    session.add_handler(PODS, writer.notify, synced=writer.synced, rv=writer.mark_rv)
    session.start()
    try:
        if not session.wait_for_sync(settle_timeout):
            result.problems.append("initial sync did not complete")
        for i in range(operations):
            if rng.random() < fault_rate:
                fault = rng.choice(FAULTS)
                result.faults.append(fault)
                _inject(sb, rng, fault)
            name = rng.choice(names)
            key = f"shop/{name}"
            roll = rng.random()
            seen = None
            if name not in live:
                rv = sb.create("pods", pod(name, labels={"gen": str(i)}), namespace="shop")[
                    "metadata"
                ]["resourceVersion"]
                live.add(name)
                seen = _has_rv(key, rv)
            elif roll < 0.55:
                obj = sb.get("pods", name, namespace="shop")
                obj.setdefault("metadata", {}).setdefault("labels", {})["gen"] = str(i)
                rv = sb.update("pods", obj, namespace="shop")["metadata"]["resourceVersion"]
                seen = _has_rv(key, rv)
            elif roll < 0.85:
                sb.delete("pods", name, namespace="shop")
                live.discard(name)
                seen = _gone(key)
            else:
                sb.create("configmaps", {"metadata": {"name": f"c{seed}-{i}"}}, namespace="other")
            if sb.faults.refusing:
                sb.faults.refuse_connections(False)
            if seen is not None:
                # Pace the churn by the informer: a healthy watch shows the change within
                # milliseconds; a broken one does not, and the churn goes on without it.
                rec.wait(seen, pace_seconds)
        sb.faults.clear()
        expected = server_rvs(sb)
        informer = session.informer(PODS)

        def cache_rvs() -> dict[str, str]:
            return {
                f"{o['metadata']['namespace']}/{o['metadata']['name']}": o["metadata"][
                    "resourceVersion"
                ]
                for o in informer.get_store().list()
            }

        def jsonl_rvs() -> dict[str, str]:
            return _rvs(replay(out.getvalue().splitlines()))

        result.converged = rec.wait(
            lambda r: _rvs(r.cache) == expected and cache_rvs() == expected,
            settle_timeout,
        ) and _poll(lambda: jsonl_rvs() == expected, settle_timeout)
        if not result.converged:
            result.problems.append(
                f"cache {sorted(cache_rvs().items())} != server {sorted(expected.items())}"
            )
        replayed = jsonl_rvs()
        if replayed != expected:
            result.problems.append(f"replayed jsonl {sorted(replayed.items())} != server")
        result.problems.extend(rec.violations)
        stats = informer.stats()
        result.relists = stats.relists
        result.watch_restarts = stats.watch_restarts
    finally:
        session.stop()
        client.close()
    result.seconds = time.monotonic() - started
    return result
