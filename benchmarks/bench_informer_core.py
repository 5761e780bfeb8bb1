"""Informer core throughput: events/s through reflector → queue → store → handler, in memory.

Two measurements, each the median of ``--repeat`` runs:

- **watch**: ``--events`` MODIFIED events over ``--objects`` pods, replayed from memory as fast as
  the reflector can read them, until one handler has received the last one.
- **initial sync**: a paged LIST (500 per page) of ``--pods`` pods until the informer reports
  ``has_synced`` and the handler has received every initial add.

Each figure is given twice: per wall-clock second, and per second of CPU time the process used
(``time.process_time``), which stays meaningful on a loaded machine (the GIL keeps the informer's
threads on about one core).

The peer is the floor: the same events applied straight to a dict in one loop, with no queue, no
store lock, no index and no threads. The ratio says what the informer machinery costs per event.

Usage: ``python benchmarks/bench_informer_core.py [--events 100000] [--objects 1000] [--pods 50000]``
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

from kmech.informers import (
    EventType,
    ListOptions,
    ListResult,
    SharedIndexInformer,
    WatchEvent,
)


def pod(i: int, rv: int) -> dict[str, Any]:
    return {
        "metadata": {
            "name": f"pod-{i}",
            "namespace": f"ns-{i % 20}",
            "resourceVersion": str(rv),
            "labels": {"app": f"app-{i % 50}"},
        },
        "spec": {"nodeName": f"node-{i % 100}", "containers": [{"name": "c", "image": "x"}]},
        "status": {"phase": "Running"},
    }


class ReplayWatch:
    def __init__(self, events: list[WatchEvent]) -> None:
        self.events = events
        self.stopped = threading.Event()

    def __iter__(self) -> Iterator[WatchEvent]:
        for event in self.events:
            if self.stopped.is_set():
                return
            yield event
        self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()


class ReplayLW:
    """Lists ``items`` in pages, then serves one watch replaying ``events``."""

    def __init__(self, items: list[dict[str, Any]], rv: str, events: list[WatchEvent]) -> None:
        self.items = items
        self.rv = rv
        self.events = events
        self.watched = False

    def list(self, options: ListOptions) -> ListResult:
        offset = int(options.continue_token or 0)
        limit = options.limit or len(self.items)
        end = offset + limit
        token = str(end) if end < len(self.items) else ""
        return ListResult(self.items[offset:end], self.rv, token, max(0, len(self.items) - end))

    def watch(self, options: ListOptions) -> ReplayWatch:
        events = [] if self.watched else self.events
        self.watched = True
        return ReplayWatch(events)


class Counter:
    def __init__(self, target: int) -> None:
        self.target = target
        self.count = 0
        self.done = threading.Event()

    def on_add(self, obj: Any, is_in_initial_list: bool) -> None:
        self._tick()

    def on_update(self, old: Any, new: Any) -> None:
        self._tick()

    def on_delete(self, obj: Any) -> None:
        self._tick()

    def _tick(self) -> None:
        self.count += 1
        if self.count == self.target:
            self.done.set()


def run_watch(n_events: int, n_objects: int) -> tuple[float, float]:
    items = [pod(i, i + 1) for i in range(n_objects)]
    events = [
        WatchEvent(EventType.MODIFIED, pod(i % n_objects, n_objects + i + 1))
        for i in range(n_events)
    ]
    lw = ReplayLW(items, str(n_objects), events)
    informer = SharedIndexInformer(lw, name="bench")
    counter = Counter(n_objects + n_events)
    informer.add_event_handler(counter)
    start, cpu = time.perf_counter(), time.process_time()
    informer.start()
    assert counter.done.wait(300), f"only {counter.count} notifications"
    elapsed = (time.perf_counter() - start, time.process_time() - cpu)
    informer.stop()
    return elapsed


def run_initial_sync(n_pods: int) -> tuple[float, float]:
    lw = ReplayLW([pod(i, i + 1) for i in range(n_pods)], str(n_pods), [])
    informer = SharedIndexInformer(lw, name="bench")
    counter = Counter(n_pods)
    informer.add_event_handler(counter)
    start, cpu = time.perf_counter(), time.process_time()
    informer.start()
    assert counter.done.wait(300)
    assert informer.wait_for_sync(60)
    elapsed = (time.perf_counter() - start, time.process_time() - cpu)
    informer.stop()
    return elapsed


def run_floor(n_events: int, n_objects: int) -> tuple[float, float]:
    items = [pod(i, i + 1) for i in range(n_objects)]
    events = [
        WatchEvent(EventType.MODIFIED, pod(i % n_objects, n_objects + i + 1))
        for i in range(n_events)
    ]
    start, cpu = time.perf_counter(), time.process_time()
    store: dict[str, Any] = {}
    for o in items:
        md = o["metadata"]
        store[f"{md['namespace']}/{md['name']}"] = o
    count = 0
    for e in events:
        md = e.object["metadata"]
        store[f"{md['namespace']}/{md['name']}"] = e.object
        count += 1
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--objects", type=int, default=1_000)
    parser.add_argument("--pods", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    total = args.events + args.objects
    watch = [run_watch(args.events, args.objects) for _ in range(args.repeat)]
    floor = [run_floor(args.events, args.objects) for _ in range(args.repeat)]
    sync = [run_initial_sync(args.pods) for _ in range(args.repeat)]

    def med(runs: list[tuple[float, float]], i: int) -> float:
        return statistics.median(r[i] for r in runs)

    print(
        f"watch: {args.events} events over {args.objects} objects, 1 handler (median of {args.repeat})"
    )
    for label, runs in (("informer", watch), ("dict floor", floor)):
        wall, cpu = med(runs, 0), med(runs, 1)
        print(
            f"  {label:<12} wall {wall * 1000:8.1f} ms {total / wall:10,.0f} events/s"
            f"   cpu {cpu * 1000:8.1f} ms {total / cpu:10,.0f} events/cpu-s"
        )
    print(
        f"  ratio        wall {med(watch, 0) / med(floor, 0):.1f}x, cpu {med(watch, 1) / med(floor, 1):.1f}x the floor"
    )
    print(f"initial sync: {args.pods} pods, paged LIST of 500, 1 handler (median of {args.repeat})")
    wall, cpu = med(sync, 0), med(sync, 1)
    print(
        f"  informer     wall {wall * 1000:8.1f} ms {args.pods / wall:10,.0f} objects/s"
        f"   cpu {cpu * 1000:8.1f} ms {args.pods / cpu:10,.0f} objects/cpu-s"
    )


if __name__ == "__main__":
    main()
