"""Queue metrics with client-go's hooks and Prometheus names, and an in-memory provider.

A queue reports through a :class:`MetricsProvider` only when it has a non-empty name. The hooks
fire where client-go's do: depth and adds when an item becomes dirty (+1) and at ``get`` (−1 on
depth), queue latency at ``get`` (since the first not-yet-consumed add), work duration at
``done``, retries on every ``add_after`` that passes the shutdown check, and the unfinished-work
and longest-running-processor gauges on a 500 ms tick. Times come from the queue's clock.

:class:`InMemoryMetricsProvider` keeps every metric in plain Python objects so a simulation can
read them back (:meth:`InMemoryMetricsProvider.snapshot`).

Upstream: client-go ``util/workqueue/metrics.go``; names from component-base
``metrics/prometheus/workqueue/metrics.go``.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kmech.clock import PassiveClock

__all__ = [
    "GaugeMetric",
    "SettableGaugeMetric",
    "CounterMetric",
    "HistogramMetric",
    "MetricsProvider",
    "InMemoryMetricsProvider",
    "Gauge",
    "Counter",
    "Histogram",
    "QueueMetricsSnapshot",
    "HISTOGRAM_BUCKETS_SECONDS",
    "UNFINISHED_WORK_UPDATE_PERIOD",
]

HISTOGRAM_BUCKETS_SECONDS: tuple[float, ...] = tuple(1e-8 * 10**i for i in range(10))
"""client-go's latency and work-duration buckets: 1e-8 s times powers of ten, up to 10 s."""

UNFINISHED_WORK_UPDATE_PERIOD = 500_000_000
"""How often (ns) the unfinished-work and longest-running-processor gauges are refreshed."""


class GaugeMetric(Protocol):
    def inc(self) -> None: ...
    def dec(self) -> None: ...


class SettableGaugeMetric(Protocol):
    def set(self, value: float) -> None: ...


class CounterMetric(Protocol):
    def inc(self) -> None: ...


class HistogramMetric(Protocol):
    def observe(self, value: float) -> None: ...


class MetricsProvider(Protocol):
    """Makes the metrics of one named queue.

    Upstream: client-go ``util/workqueue/metrics.go``, MetricsProvider.
    """

    def new_depth_metric(self, name: str) -> GaugeMetric: ...
    def new_adds_metric(self, name: str) -> CounterMetric: ...
    def new_latency_metric(self, name: str) -> HistogramMetric: ...
    def new_work_duration_metric(self, name: str) -> HistogramMetric: ...
    def new_unfinished_work_seconds_metric(self, name: str) -> SettableGaugeMetric: ...
    def new_longest_running_processor_seconds_metric(self, name: str) -> SettableGaugeMetric: ...
    def new_retries_metric(self, name: str) -> CounterMetric: ...


class Gauge:
    """A gauge that also remembers its peak."""

    __slots__ = ("value", "peak")

    def __init__(self) -> None:
        self.value = 0.0
        self.peak = 0.0

    def inc(self) -> None:
        self.value += 1
        if self.value > self.peak:
            self.peak = self.value

    def dec(self) -> None:
        self.value -= 1

    def set(self, value: float) -> None:
        self.value = value
        if value > self.peak:
            self.peak = value


class Counter:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def inc(self) -> None:
        self.value += 1


class Histogram:
    """Cumulative-bucket histogram in seconds, as Prometheus reports it."""

    __slots__ = ("bounds", "counts", "count", "sum", "max")

    def __init__(self, bounds: tuple[float, ...] = HISTOGRAM_BUCKETS_SECONDS) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.count = 0
        self.sum = 0.0
        self.max = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.count += 1
        self.sum += value
        if value > self.max:
            self.max = value

    def to_dict(self) -> dict[str, Any]:
        cumulative: list[dict[str, Any]] = []
        running = 0
        for bound, n in zip(self.bounds, self.counts, strict=False):
            running += n
            cumulative.append({"le": bound, "count": running})
        cumulative.append({"le": "+Inf", "count": self.count})
        return {"count": self.count, "sum": self.sum, "max": self.max, "buckets": cumulative}


@dataclass(frozen=True, slots=True)
class QueueMetricsSnapshot:
    """The metrics of one queue at one moment, keyed by their Prometheus names."""

    name: str
    depth: float
    depth_peak: float
    adds_total: int
    retries_total: int
    queue_duration_seconds: dict[str, Any]
    work_duration_seconds: dict[str, Any]
    unfinished_work_seconds: float
    unfinished_work_seconds_peak: float
    longest_running_processor_seconds: float
    longest_running_processor_seconds_peak: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "workqueue_depth": self.depth,
            "workqueue_depth_peak": self.depth_peak,
            "workqueue_adds_total": self.adds_total,
            "workqueue_retries_total": self.retries_total,
            "workqueue_queue_duration_seconds": self.queue_duration_seconds,
            "workqueue_work_duration_seconds": self.work_duration_seconds,
            "workqueue_unfinished_work_seconds": self.unfinished_work_seconds,
            "workqueue_unfinished_work_seconds_peak": self.unfinished_work_seconds_peak,
            "workqueue_longest_running_processor_seconds": self.longest_running_processor_seconds,
            "workqueue_longest_running_processor_seconds_peak": self.longest_running_processor_seconds_peak,
        }


class _QueueInstruments:
    __slots__ = ("depth", "adds", "latency", "work", "unfinished", "longest", "retries")

    def __init__(self) -> None:
        self.depth = Gauge()
        self.adds = Counter()
        self.latency = Histogram()
        self.work = Histogram()
        self.unfinished = Gauge()
        self.longest = Gauge()
        self.retries = Counter()


class InMemoryMetricsProvider:
    """Keeps each named queue's metrics in memory; read them with :meth:`snapshot`."""

    def __init__(self) -> None:
        self._queues: dict[str, _QueueInstruments] = {}

    def _q(self, name: str) -> _QueueInstruments:
        q = self._queues.get(name)
        if q is None:
            q = self._queues[name] = _QueueInstruments()
        return q

    def new_depth_metric(self, name: str) -> Gauge:
        return self._q(name).depth

    def new_adds_metric(self, name: str) -> Counter:
        return self._q(name).adds

    def new_latency_metric(self, name: str) -> Histogram:
        return self._q(name).latency

    def new_work_duration_metric(self, name: str) -> Histogram:
        return self._q(name).work

    def new_unfinished_work_seconds_metric(self, name: str) -> Gauge:
        return self._q(name).unfinished

    def new_longest_running_processor_seconds_metric(self, name: str) -> Gauge:
        return self._q(name).longest

    def new_retries_metric(self, name: str) -> Counter:
        return self._q(name).retries

    def names(self) -> list[str]:
        return list(self._queues)

    def snapshot(self, name: str) -> QueueMetricsSnapshot:
        q = self._q(name)
        return QueueMetricsSnapshot(
            name=name,
            depth=q.depth.value,
            depth_peak=q.depth.peak,
            adds_total=q.adds.value,
            retries_total=q.retries.value,
            queue_duration_seconds=q.latency.to_dict(),
            work_duration_seconds=q.work.to_dict(),
            unfinished_work_seconds=q.unfinished.value,
            unfinished_work_seconds_peak=q.unfinished.peak,
            longest_running_processor_seconds=q.longest.value,
            longest_running_processor_seconds_peak=q.longest.peak,
        )


class QueueMetrics:
    """The per-queue bookkeeping behind the hooks (client-go's defaultQueueMetrics).

    Called by the queue with its lock held.

    Upstream: client-go ``util/workqueue/metrics.go``, defaultQueueMetrics.
    """

    __slots__ = (
        "_clock",
        "_depth",
        "_adds",
        "_latency",
        "_work",
        "_unfinished",
        "_longest",
        "_add_times",
        "_start_times",
    )

    def __init__(self, name: str, provider: MetricsProvider, clock: PassiveClock) -> None:
        self._clock = clock
        self._depth = provider.new_depth_metric(name)
        self._adds = provider.new_adds_metric(name)
        self._latency = provider.new_latency_metric(name)
        self._work = provider.new_work_duration_metric(name)
        self._unfinished = provider.new_unfinished_work_seconds_metric(name)
        self._longest = provider.new_longest_running_processor_seconds_metric(name)
        self._add_times: dict[Hashable, int] = {}
        self._start_times: dict[Hashable, int] = {}

    def add(self, item: Hashable) -> None:
        self._adds.inc()
        self._depth.inc()
        if item not in self._add_times:
            self._add_times[item] = self._clock.now()

    def get(self, item: Hashable) -> None:
        self._depth.dec()
        now = self._clock.now()
        self._start_times[item] = now
        start = self._add_times.pop(item, None)
        if start is not None:
            self._latency.observe((now - start) / 1e9)

    def done(self, item: Hashable) -> None:
        start = self._start_times.pop(item, None)
        if start is not None:
            self._work.observe((self._clock.now() - start) / 1e9)

    def update_unfinished_work(self) -> None:
        now = self._clock.now()
        total = 0.0
        oldest = 0.0
        for start in self._start_times.values():
            age = (now - start) / 1e9
            total += age
            if age > oldest:
                oldest = age
        self._unfinished.set(total)
        self._longest.set(oldest)


if TYPE_CHECKING:
    _provider: MetricsProvider = InMemoryMetricsProvider()
