"""apimachinery wait.Backoff: Step semantics, jitter from a seeded source, reset windows."""

from __future__ import annotations

import random

import pytest

from kmech.clock import MILLISECOND, SECOND, Duration
from kmech.workqueue import Backoff, VirtualClock, WaitTimeoutError, exponential_backoff, jitter

MS = MILLISECOND
S = SECOND


def steps(b: Backoff, n: int) -> list[int]:
    return [b.step() for _ in range(n)]


@pytest.mark.parametrize(
    ("backoff", "calls", "expected"),
    [
        pytest.param(
            Backoff(duration=Duration(100 * MS), factor=2, steps=10),
            12,
            [100 * MS * 2**k for k in range(10)] + [102_400 * MS] * 2,
            id="steps-run-out-last-interval-forever",
        ),
        pytest.param(
            Backoff(duration=Duration(5 * MS), factor=2, steps=25, cap=Duration(1000 * S)),
            20,
            [5 * MS * 2**k for k in range(18)] + [1000 * S] * 2,
            id="cap-then-cap-forever",
        ),
        pytest.param(
            Backoff(duration=Duration(7 * MS), factor=0, steps=3),
            5,
            [7 * MS] * 5,
            id="factor-0-constant",
        ),
        pytest.param(
            Backoff(duration=Duration(7 * MS), factor=3, steps=0),
            3,
            [7 * MS] * 3,
            id="steps-0-never-changes",
        ),
        pytest.param(
            Backoff(duration=Duration(10 * MS), factor=1.5, steps=4),
            5,
            [10 * MS, 15 * MS, 22_500_000, 33_750_000, 50_625_000],
            id="float-factor",
        ),
        pytest.param(
            Backoff(duration=Duration(3), factor=1.5, steps=3),
            4,
            [3, 4, 6, 9],
            id="float-factor-truncates",
        ),
    ],
)
def test_step(backoff: Backoff, calls: int, expected: list[int]) -> None:
    assert steps(backoff, calls) == expected


def test_cap_sets_steps_to_zero() -> None:
    b = Backoff(duration=Duration(600 * MS), factor=2, steps=10, cap=Duration(1 * S))
    assert b.step() == 600 * MS
    assert (b.duration, b.steps) == (1 * S, 0)


def test_jitter_never_accumulates_and_is_seeded() -> None:
    b1 = Backoff(duration=Duration(1 * S), factor=2, jitter=0.5, steps=5, rng=random.Random(7))
    b2 = Backoff(duration=Duration(1 * S), factor=2, jitter=0.5, steps=5, rng=random.Random(7))
    d1, d2 = steps(b1, 5), steps(b2, 5)
    assert d1 == d2
    for k, d in enumerate(d1):
        base = 1 * S * 2**k
        assert base <= d < base * 1.5
    assert b1.duration == 32 * S


def test_jitter_default_factor_is_one() -> None:
    rng = random.Random(1)
    expected = 1000 + int(random.Random(1).random() * 1.0 * 1000.0)
    assert jitter(Duration(1000), 0, rng) == expected


def test_delay_func_leaves_the_backoff_alone() -> None:
    b = Backoff(duration=Duration(1 * MS), factor=2, steps=3)
    fn = b.delay_func()
    assert [fn(), fn(), fn()] == [1 * MS, 2 * MS, 4 * MS]
    assert (b.duration, b.steps) == (1 * MS, 3)


def test_delay_with_reset_counts_from_the_last_reset() -> None:
    clock = VirtualClock()
    manager = Backoff(
        duration=Duration(1 * S), factor=2, steps=10, cap=Duration(8 * S)
    ).delay_with_reset(clock, Duration(60 * S))
    assert [manager.step() for _ in range(5)] == [1 * S, 2 * S, 4 * S, 8 * S, 8 * S]
    clock.set(60 * S)
    assert manager.step() == 8 * S  # exactly the window: not more than it
    clock.set(60 * S + 1)
    assert manager.step() == 1 * S  # reset
    clock.set(100 * S)
    assert manager.step() == 2 * S  # the window counts from the reset


def test_default_backoff_sleeps_without_jitter() -> None:
    """client-go util/retry DefaultBackoff {10ms, 5.0, steps 4}: sleeps 10ms, 50ms, 250ms."""
    clock = VirtualClock()
    runs = []

    def condition() -> bool:
        runs.append(clock.now())
        return False

    with pytest.raises(WaitTimeoutError):
        exponential_backoff(
            Backoff(duration=Duration(10 * MS), factor=5.0, steps=4), condition, clock=clock
        )
    assert runs == [0, 10 * MS, 60 * MS, 310 * MS]


def test_exponential_backoff_stops_on_success_and_never_runs_with_zero_steps() -> None:
    clock = VirtualClock()
    calls = []
    exponential_backoff(
        Backoff(duration=Duration(1), factor=2, steps=5),
        lambda: calls.append(1) or len(calls) == 2,
        clock=clock,
    )
    assert len(calls) == 2
    with pytest.raises(WaitTimeoutError):
        exponential_backoff(Backoff(steps=0), lambda: calls.append(1) or True, clock=clock)
    assert len(calls) == 2


def test_exponential_backoff_stops_when_the_cap_is_reached() -> None:
    """Upstream's loop runs while Steps > 0; reaching the cap zeroes Steps: 18 runs, and an 18th
    sleep (655.36 s) after which the condition is not run again."""
    clock = VirtualClock()
    runs = []
    with pytest.raises(WaitTimeoutError):
        exponential_backoff(
            Backoff(duration=Duration(5 * MS), factor=2, steps=25, cap=Duration(1000 * S)),
            lambda: runs.append(clock.now()) or False,
            clock=clock,
        )
    assert len(runs) == 18
    assert runs[-1] - runs[-2] == 327_680 * MS
    assert clock.now() == runs[-1] + 655_360 * MS
