"""The fast simulation engine gives the reference engine's result, to the bit, at mid size.

The reference engine drives the real RateLimitingQueue; the fast one inlines the queue and, for
the default controller shape, the limiter. Both must leave the limiter and the clock in the same
state too, since the caller owns them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kmech.clock import MILLISECOND, Duration
from kmech.workqueue import VirtualClock, parse_limiter
from kmech.workqueue.rate_limiters import MaxOfRateLimiter, RateLimiter
from kmech.workqueue.simulate import SimulationConfig, run_simulation

MS = MILLISECOND


def limiter_state(limiter: RateLimiter) -> list[Any]:
    """Everything a limiter tree remembers: failure counts (in order), bucket balance and last
    reservation time, and which child decided the last MaxOf delay."""
    state: list[Any] = []
    failures = getattr(limiter, "_failures", None)
    if failures is not None:
        state.append(list(failures.items()))
    bucket = getattr(limiter, "bucket", None)
    if bucket is not None:
        state.append((bucket.tokens, bucket._last))
    if isinstance(limiter, MaxOfRateLimiter):
        decided = limiter.last_decided_by
        state.append(None if decided is None else limiter.limiters.index(decided))
        for child in limiter.limiters:
            state.extend(limiter_state(child))
    inner = getattr(limiter, "limiter", None)
    if inner is not None:
        state.extend(limiter_state(inner))
    return state


def run_both(expr: str, config: SimulationConfig) -> list[tuple[dict[str, Any], list[Any], int]]:
    outcomes = []
    for engine in ("queue", "fast"):
        clock = VirtualClock()
        limiter = parse_limiter(expr).build_limiter(clock)
        result = run_simulation(limiter, clock, config, engine=engine)
        outcomes.append((result.to_dict(), limiter_state(limiter), clock.now()))
    return outcomes


@pytest.mark.parametrize(
    ("expr", "config"),
    [
        pytest.param(
            "default",
            SimulationConfig(items=2_000, failures=20, workers=10),
            id="default-2000x20-10-workers",
        ),
        pytest.param(
            "default",
            SimulationConfig(items=2_000, failures=20, workers=10, work_time=Duration(30 * MS)),
            id="default-2000x20-10-workers-work-time",
        ),
        pytest.param(
            "default",
            SimulationConfig(
                items=2_000,
                failures=20,
                workers=10,
                work_time=Duration(5 * MS),
                fail_rate=0.7,
                max_failures=20,
                seed=11,
            ),
            id="default-fail-rate-seeded",
        ),
        pytest.param(
            "default",
            SimulationConfig(items=300, failures=25, workers=3, record_limit=50, depth_buckets=8),
            id="default-few-records-exp-capped",
        ),
        pytest.param(
            "default",
            SimulationConfig(items=3, failures=20, workers=2),
            id="default-bucket-refills-to-its-burst",
        ),
        pytest.param(
            "max(exp(0s,1s),bucket(inf,0))",
            SimulationConfig(items=2, failures=1_100, workers=1),
            id="inline-zero-base-past-2^1024",
        ),
        pytest.param(
            "max(exp(1ms,100ms),bucket(3,0))",
            SimulationConfig(items=20, failures=3, workers=4, work_time=Duration(2 * MS)),
            id="inline-bucket-refuses-gives-up",
        ),
        pytest.param(
            "max(exp(2ms,1s),bucket(1000,5))",
            SimulationConfig(items=500, failures=8, workers=7),
            id="inline-bucket-refills-within-a-second",
        ),
        pytest.param(
            # A refill over 2.551730039 s: Duration.Seconds() converts the whole seconds and the
            # rest separately, which rounds differently from elapsed/1e9 here.
            "max(exp(1ms,1s),bucket(1,5))",
            SimulationConfig(items=5, failures=2, workers=5, work_time=Duration(2_550_730_039)),
            id="inline-bucket-refill-seconds-split",
        ),
        pytest.param(
            # One token of debt at 1e-10 qps is 1e19 ns, past int64: InfDuration.
            "max(exp(1ms,1s),bucket(0.0000000001,1))",
            SimulationConfig(items=3, failures=1, workers=3),
            id="inline-bucket-debt-overflows-to-inf",
        ),
        pytest.param(
            "exp(5ms,1000s)",
            SimulationConfig(items=1_000, failures=12, workers=10),
            id="generic-limiter-no-work-time",
        ),
        pytest.param(
            "maxwait(default,2s)",
            SimulationConfig(items=500, failures=6, workers=4, work_time=Duration(20 * MS)),
            id="generic-limiter-work-time",
        ),
    ],
)
def test_fast_engine_equals_the_reference(expr: str, config: SimulationConfig) -> None:
    reference, fast = run_both(expr, config)
    assert fast[0] == reference[0]
    assert fast[1] == reference[1]
    assert fast[2] == reference[2]


@given(
    expr=st.sampled_from(
        [
            "default",
            "max(exp(1ms,100ms),bucket(3,2))",
            "max(exp(0s,1s),bucket(inf,0))",
            "max(exp(5ms,1s),bucket(0,3))",
            "max(bucket(2,2),exp(1ms,1s))",
            "exp(1ms,50ms)",
            "maxwait(bucket(5,2),300ms)",
            "seq(1ms,2ms,stop)",
        ]
    ),
    items=st.integers(min_value=0, max_value=30),
    failures=st.integers(min_value=0, max_value=5),
    workers=st.integers(min_value=1, max_value=6),
    work_ms=st.sampled_from([0, 0, 1, 7, 150, 600]),
    fail_rate=st.sampled_from([None, None, 0.5, 1.0]),
    seed=st.integers(min_value=0, max_value=1000),
    record_limit=st.sampled_from([0, 5, 10_000]),
)
@settings(max_examples=60, deadline=None)
def test_property_fast_engine_equals_the_reference(
    expr: str,
    items: int,
    failures: int,
    workers: int,
    work_ms: int,
    fail_rate: float | None,
    seed: int,
    record_limit: int,
) -> None:
    config = SimulationConfig(
        items=items,
        failures=failures,
        workers=workers,
        work_time=Duration(work_ms * MS),
        fail_rate=fail_rate,
        max_failures=failures if fail_rate is not None else None,
        seed=seed,
        record_limit=record_limit,
        depth_buckets=8,
    )
    reference, fast = run_both(expr, config)
    assert fast == reference
