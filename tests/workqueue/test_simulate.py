"""The discrete-event simulation: exact drain times on virtual time, through the real queue."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kmech.clock import MILLISECOND, SECOND, Duration
from kmech.workqueue import VirtualClock, parse_limiter
from kmech.workqueue._go import MAX_DURATION
from kmech.workqueue.simulate import DepthSeries, SimulationConfig, run_simulation
from tests.workqueue.test_fastsim import run_both

MS = MILLISECOND


def run(expr: str, **kw):
    clock = VirtualClock()
    return run_simulation(parse_limiter(expr).build_limiter(clock), clock, SimulationConfig(**kw))


def engine_results(expr: str, config: SimulationConfig) -> list[dict[str, Any]]:
    """The reference engine's result document, then the fast engine's."""
    return [result for result, _, _ in run_both(expr, config)]


@pytest.mark.parametrize(
    ("expr", "config", "drain"),
    [
        pytest.param("exp(5ms,1s)", {"failures": 3}, 35 * MS, id="one-item-retries-when-due"),
        pytest.param(
            "exp(5ms,1s)",
            {"failures": 3, "work_time": Duration(10 * MS)},
            35 * MS + 4 * 10 * MS,
            id="work-time-adds-up",
        ),
        pytest.param(
            "bucket(1,1)",
            {"items": 3, "failures": 1, "workers": 3},
            2 * SECOND,
            id="bucket-serialises",
        ),
        pytest.param("default", {"failures": 20}, 3_310_715 * MS, id="default-20-failures"),
        pytest.param(
            "exp(1ms,1s)",
            {"items": 4, "failures": 0, "workers": 2, "work_time": Duration(5 * MS)},
            10 * MS,
            id="no-failures-two-workers",
        ),
    ],
)
def test_drain_time(expr: str, config: dict, drain: int) -> None:
    result = run(expr, **config)
    assert result.drain_time_ns == drain


def test_counts_and_metrics() -> None:
    result = run("exp(1ms,1s)", items=5, failures=2, workers=2, work_time=Duration(1 * MS))
    assert (result.processings, result.failures, result.successes) == (15, 10, 5)
    assert result.metrics is not None
    assert result.metrics.adds_total == 15
    assert result.metrics.retries_total == 10
    assert result.metrics.work_duration_seconds["count"] == 15
    assert result.metrics.longest_running_processor_seconds_peak <= 0.001
    assert [r.failure for r in result.retries if r.item == "item-000"] == [1, 2]


def test_single_worker_queue_latency_grows() -> None:
    result = run("exp(1ms,1s)", items=3, failures=0, workers=1, work_time=Duration(1 * SECOND))
    assert result.drain_time_ns == 3 * SECOND
    assert result.metrics is not None
    assert result.metrics.queue_duration_seconds["max"] == 2.0
    assert result.peak_depth == 3


def test_fail_rate_is_seeded_and_capped() -> None:
    a = run("exp(1ms,1s)", items=50, failures=3, fail_rate=0.5, max_failures=3, seed=42, workers=3)
    b = run("exp(1ms,1s)", items=50, failures=3, fail_rate=0.5, max_failures=3, seed=42, workers=3)
    assert a.to_dict() == b.to_dict()
    assert 0 < a.failures <= 150
    assert max(r.failure for r in a.retries) <= 3


def test_infinite_delay_gives_up() -> None:
    result = run("bucket(10,0)", items=2, failures=5)
    assert result.gave_up == 2
    assert {r.delay_ns for r in result.retries} == {MAX_DURATION}
    assert result.drain_time_ns == 0


def test_depth_series_keeps_peaks_in_constant_memory() -> None:
    series = DepthSeries(4, width=10)
    for t, d in [(0, 1), (15, 5), (25, 2), (39, 7), (80, 3)]:
        series.record(t, d)
    assert series.width == 40
    assert series.peaks == [7, 0, 3]


@pytest.mark.parametrize(
    ("expr", "config"),
    [
        pytest.param(
            "default",
            {"items": 300, "failures": 4, "workers": 3, "work_time": Duration(7 * MS)},
            id="default-bucket-runs-dry",
        ),
        pytest.param(
            "max(exp(0s,1s),bucket(inf,0))",
            {"items": 5, "failures": 3, "workers": 2, "work_time": Duration(1 * MS)},
            id="zero-delay-requeued-on-done",
        ),
        pytest.param(
            "exp(0s,1s)", {"items": 4, "failures": 2, "workers": 1}, id="zero-delay-no-work-time"
        ),
        pytest.param(
            "fastslow(1ms,1s,2)",
            {
                "items": 20,
                "failures": 5,
                "fail_rate": 0.6,
                "max_failures": 5,
                "seed": 9,
                "workers": 4,
                "work_time": Duration(3 * MS),
            },
            id="fail-rate",
        ),
        pytest.param(
            "maxwait(bucket(5,2),300ms)",
            {"items": 30, "failures": 3, "workers": 2, "work_time": Duration(600 * MS)},
            id="maxwait-long-work",
        ),
        pytest.param("bucket(10,0)", {"items": 3, "failures": 2}, id="gives-up"),
        pytest.param("seq(1ms,2ms,stop)", {"items": 3, "failures": 4, "workers": 2}, id="seq-stop"),
    ],
)
def test_fast_engine_matches_the_queue_engine(expr: str, config: dict) -> None:
    results = engine_results(expr, SimulationConfig(**config))
    assert results[0] == results[1]


@given(
    items=st.integers(min_value=1, max_value=40),
    failures=st.integers(min_value=0, max_value=6),
    workers=st.integers(min_value=1, max_value=5),
    work_ms=st.integers(min_value=0, max_value=300),
    qps=st.integers(min_value=1, max_value=20),
    burst=st.integers(min_value=0, max_value=10),
)
@settings(max_examples=40, deadline=None)
def test_property_engines_agree(
    items: int, failures: int, workers: int, work_ms: int, qps: int, burst: int
) -> None:
    expr = f"max(exp(1ms,100ms),bucket({qps},{burst}))"
    config = SimulationConfig(
        items=items, failures=failures, workers=workers, work_time=Duration(work_ms * MS)
    )
    results = engine_results(expr, config)
    assert results[0] == results[1]
