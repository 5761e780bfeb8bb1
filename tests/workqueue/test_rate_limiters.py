"""Rate limiters against the spec's worked examples and client-go's own limiter tests, in exact
integer nanoseconds."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kmech.clock import MILLISECOND, SECOND, Duration
from kmech.workqueue import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    SequenceRateLimiter,
    TokenBucket,
    VirtualClock,
    WithMaxWaitRateLimiter,
    default_controller_rate_limiter,
    default_item_based_rate_limiter,
)
from kmech.workqueue._go import MAX_DURATION, MIN_DURATION, format_delay

MS = MILLISECOND
S = SECOND


def sequential(limiter, clock: VirtualClock, n: int, item: str = "one") -> list[int]:
    """Call when() n times, each time the previous delay ends."""
    out = []
    for _ in range(n):
        d = limiter.when(item)
        out.append(d)
        clock.step(Duration(d))
    return out


class TestDefaultControllerOneItem:
    """Spec §7.1."""

    def test_cap_first_reached_at_failure_19(self) -> None:
        clock = VirtualClock()
        delays = sequential(default_controller_rate_limiter(clock=clock), clock, 25)
        assert delays[:18] == [5 * MS * 2**k for k in range(18)]
        assert delays[17] == 655_360 * MS
        assert delays[18:] == [1000 * S] * 7
        assert sum(delays[:20]) == 3_310_715 * MS
        assert sum(delays) == 8_310_715 * MS

    def test_num_requeues_counts_failures(self) -> None:
        limiter = default_controller_rate_limiter(clock=VirtualClock())
        for k in range(1, 6):
            limiter.when("x")
            assert limiter.num_requeues("x") == k

    def test_same_instant_gives_the_same_numbers(self) -> None:
        clock = VirtualClock()
        limiter = default_controller_rate_limiter(clock=clock)
        assert [limiter.when("x") for _ in range(25)][18] == 1000 * S


class TestDefaultController150Items:
    """Spec §7.2."""

    @pytest.fixture
    def run(self) -> tuple[list[int], MaxOfRateLimiter]:
        limiter = default_controller_rate_limiter(clock=VirtualClock())
        return [limiter.when(f"item-{i:03d}") for i in range(150)], limiter

    def test_first_hundred_wait_the_exponential_base(self, run) -> None:
        delays, _ = run
        assert delays[:100] == [5 * MS] * 100

    def test_item_141_waits_4_099999999s(self, run) -> None:
        delays, _ = run
        assert delays[140] == 4_099_999_999
        assert [delays[100 + j - 1] for j in (1, 10, 50)] == [100 * MS, 1 * S, 5 * S]

    def test_sum_and_debt(self, run) -> None:
        delays, limiter = run
        assert sum(delays) == 127_999_999_999
        bucket = limiter.limiters[1]
        assert isinstance(bucket, BucketRateLimiter)
        assert bucket.bucket.tokens == -50.0
        assert bucket.bucket.tokens_at(5 * S) == 0.0


@pytest.mark.parametrize(
    ("qps", "burst", "expected"),
    [
        pytest.param(1, 1, [k * S for k in range(6)], id="1qps-burst1"),
        pytest.param(3, 1, [0, 333_333_333, 666_666_666, 1 * S], id="3qps-truncation"),
        pytest.param(10, 2, [0, 0, 100 * MS, 200 * MS], id="10qps-burst2"),
        pytest.param(0, 2, [0, 0, MAX_DURATION, MAX_DURATION], id="limit0-burst2"),
        pytest.param(10, 0, [MAX_DURATION] * 3, id="burst0-effectively-infinite"),
        pytest.param(float("inf"), 0, [0, 0, 0], id="inf-ignores-burst"),
    ],
)
def test_bucket_calls_at_one_instant(qps: float, burst: int, expected: list[int]) -> None:
    limiter = BucketRateLimiter(TokenBucket(qps, burst), clock=VirtualClock())
    assert [limiter.when(f"i{k}") for k in range(len(expected))] == expected
    assert limiter.num_requeues("i0") == 0


def test_burst_zero_changes_nothing() -> None:
    bucket = TokenBucket(10, 0)
    assert bucket.delay(0) == MAX_DURATION
    assert bucket.tokens == 0.0
    assert not bucket.reserve(0).ok


def test_bucket_one_caller_when_due_refills_exactly() -> None:
    """Spec §7.3: 1 qps burst 1, retried when due: 0, 1s, 1s, ..."""
    clock = VirtualClock()
    assert (
        sequential(BucketRateLimiter(TokenBucket(1, 1), clock=clock), clock, 5) == [0] + [1 * S] * 4
    )


def test_bucket_7qps_carries_the_fraction() -> None:
    """Spec §4.4: 7 qps, burst 5, one caller retrying exactly when due."""
    clock = VirtualClock()
    delays = sequential(BucketRateLimiter(TokenBucket(7, 5), clock=clock), clock, 9)
    assert delays == [0] * 5 + [142_857_142] + [142_857_143] * 3


def test_bucket_refills_to_burst_and_no_further() -> None:
    """Spec §7.3: 150 at t=0 leave -50; +50 at t=10s; capped at 100 by t=100s."""
    bucket = TokenBucket(10, 100)
    for _ in range(150):
        bucket.delay(0)
    assert bucket.tokens == -50.0
    assert bucket.tokens_at(10 * S) == 50.0
    delays = [bucket.delay(10 * S) for _ in range(60)]
    assert delays[:50] == [0] * 50
    assert delays[50:52] == [100 * MS, 200 * MS]
    assert bucket.tokens == -10.0
    assert bucket.tokens_at(100 * S) == 100.0


@pytest.mark.parametrize(
    ("base", "cap", "expected_head", "cap_at"),
    [
        pytest.param(1 * MS, 60 * S, [1 * MS, 2 * MS, 4 * MS], 17, id="1ms-60s"),
        pytest.param(100 * MS, 10 * S, [100 * MS, 200 * MS, 400 * MS], 8, id="100ms-10s"),
        pytest.param(1 * MS, 1000 * S, [1 * MS, 2 * MS, 4 * MS], 21, id="1ms-1000s"),
        pytest.param(5 * MS, 1000 * S, [5 * MS, 10 * MS, 20 * MS], 19, id="5ms-1000s"),
    ],
)
def test_exponential_cap_reached_at(
    base: int, cap: int, expected_head: list[int], cap_at: int
) -> None:
    limiter = ItemExponentialFailureRateLimiter(Duration(base), Duration(cap))
    delays = [limiter.when("x") for _ in range(cap_at + 2)]
    assert delays[:3] == expected_head
    assert delays.index(cap) + 1 == cap_at
    assert delays[cap_at - 2] < cap


def test_exponential_forget_starts_over_and_items_are_independent() -> None:
    limiter = ItemExponentialFailureRateLimiter(Duration(1 * MS), Duration(1 * S))
    assert [limiter.when("a") for _ in range(3)] == [1 * MS, 2 * MS, 4 * MS]
    assert limiter.when("b") == 1 * MS
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == 1 * MS
    assert limiter.num_requeues("b") == 1


def test_exponential_float_guard_beyond_the_cap() -> None:
    """5 ms: the float guard fires from call 42 on; the visible output stays max."""
    limiter = ItemExponentialFailureRateLimiter(Duration(5 * MS), Duration(1000 * S))
    assert {limiter.when("x") for _ in range(1100)} >= {1000 * S}
    assert limiter.when("x") == 1000 * S


def test_exponential_zero_base_turns_negative_after_1024_calls() -> None:
    """Spec §4.1: 0·Inf is NaN from call 1025, which amd64 converts to -2^63."""
    limiter = ItemExponentialFailureRateLimiter(Duration(0), Duration(1 * S))
    delays = [limiter.when("x") for _ in range(1025)]
    assert set(delays[:1024]) == {0}
    assert delays[1024] == MIN_DURATION


def test_exponential_power_of_two_base_hits_2_63_exactly() -> None:
    """Spec §4.1 corner case: 1 ns · 2^63 is exactly 2^63; amd64 gives -2^63."""
    limiter = ItemExponentialFailureRateLimiter(Duration(1), Duration(MAX_DURATION))
    delays = [limiter.when("x") for _ in range(65)]
    assert delays[62] == 2**62
    assert delays[63] == MIN_DURATION
    assert delays[64] == MAX_DURATION  # above the guard


def test_fast_slow() -> None:
    limiter = ItemFastSlowRateLimiter(Duration(5 * MS), Duration(10 * S), 3)
    assert [limiter.when("x") for _ in range(5)] == [5 * MS] * 3 + [10 * S] * 2
    assert limiter.num_requeues("x") == 5
    limiter.forget("x")
    assert limiter.when("x") == 5 * MS


class _Recording:
    """A hand-written limiter that records calls and returns fixed delays."""

    def __init__(self, delay: int, requeues: int = 0) -> None:
        self.delay = delay
        self.requeues = requeues
        self.calls: list[str] = []

    def when(self, item):
        self.calls.append(f"when:{item}")
        return Duration(self.delay)

    def forget(self, item) -> None:
        self.calls.append(f"forget:{item}")

    def num_requeues(self, item) -> int:
        return self.requeues


def test_max_of_calls_every_child_and_floors_at_zero() -> None:
    a, b = _Recording(-5, requeues=2), _Recording(-1, requeues=7)
    limiter = MaxOfRateLimiter(a, b)
    assert limiter.when("x") == 0
    assert a.calls == b.calls == ["when:x"]
    assert limiter.num_requeues("x") == 7
    limiter.forget("x")
    assert a.calls[-1] == b.calls[-1] == "forget:x"


def test_max_of_reports_the_first_child_reaching_the_max() -> None:
    a, b, c = _Recording(5), _Recording(9), _Recording(9)
    limiter = MaxOfRateLimiter(a, b, c)
    assert limiter.when("x") == 9
    assert limiter.last_decided_by is b


def test_max_of_fast_slow_and_exponential() -> None:
    """Spec §7.4."""
    limiter = MaxOfRateLimiter(
        ItemFastSlowRateLimiter(Duration(5 * MS), Duration(3 * S), 3),
        ItemExponentialFailureRateLimiter(Duration(1 * MS), Duration(1 * S)),
    )
    assert [limiter.when("x") for _ in range(5)] == [5 * MS] * 3 + [3 * S] * 2


def test_with_max_wait_clamps_but_the_debt_grows() -> None:
    """Spec §7.4: WithMaxWait(default, 2s), 150 items at t=0."""
    inner = default_controller_rate_limiter(clock=VirtualClock())
    limiter = WithMaxWaitRateLimiter(inner, Duration(2 * S))
    delays = [limiter.when(f"i{k}") for k in range(150)]
    assert delays[118] == 1_900_000_000
    assert delays[119:] == [2 * S] * 31
    bucket = inner.limiters[1]
    assert isinstance(bucket, BucketRateLimiter)
    assert bucket.bucket.tokens == -50.0
    assert limiter.num_requeues("i0") == 1


def test_with_max_wait_exponential() -> None:
    limiter = WithMaxWaitRateLimiter(
        ItemExponentialFailureRateLimiter(Duration(5 * MS), Duration(1000 * S)), Duration(10 * S)
    )
    delays = [limiter.when("x") for _ in range(13)]
    assert delays[10] == 5120 * MS
    assert delays[11:] == [10 * S, 10 * S]


def test_default_item_based() -> None:
    limiter = default_item_based_rate_limiter()
    assert [limiter.when("x") for _ in range(3)] == [1 * MS, 2 * MS, 4 * MS]
    assert str(limiter) == "item-based"


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        pytest.param("repeat", [1 * S, 2 * S, 2 * S], id="repeat-last"),
        pytest.param("stop", [1 * S, 2 * S, MAX_DURATION], id="stop-gives-up"),
    ],
)
def test_sequence(then: str, expected: list[int]) -> None:
    limiter = SequenceRateLimiter([Duration(1 * S), Duration(2 * S)], then=then)
    assert [limiter.when("x") for _ in range(3)] == expected


@given(
    base=st.integers(min_value=1, max_value=10**10),
    cap=st.integers(min_value=1, max_value=10**13),
    calls=st.integers(min_value=1, max_value=80),
)
def test_property_exponential_monotonic_up_to_cap_never_above(
    base: int, cap: int, calls: int
) -> None:
    # A power-of-two base reaches exactly 2^63 once: the platform-dependent corner case
    # tested separately above.
    assume(base & (base - 1) != 0)
    limiter = ItemExponentialFailureRateLimiter(Duration(base), Duration(cap))
    delays = [limiter.when("x") for _ in range(calls)]
    assert all(0 < d <= cap for d in delays)
    assert delays == sorted(delays)
    if cap in delays:
        first = delays.index(cap)
        assert set(delays[first:]) == {cap}


@given(
    base=st.integers(min_value=0, max_value=10**9),
    before=st.integers(min_value=1, max_value=40),
)
def test_property_forget_resets(base: int, before: int) -> None:
    limiter = ItemExponentialFailureRateLimiter(Duration(base), Duration(1000 * S))
    first = limiter.when("x")
    for _ in range(before):
        limiter.when("x")
    limiter.forget("x")
    assert limiter.num_requeues("x") == 0
    assert limiter.when("x") == first


@given(
    qps=st.integers(min_value=1, max_value=1000),
    burst=st.integers(min_value=1, max_value=200),
    calls=st.integers(min_value=1, max_value=400),
)
def test_property_bucket_at_one_instant(qps: int, burst: int, calls: int) -> None:
    """Call burst+j waits trunc((j/qps)·1e9) ns: the debt accumulates, never below zero."""
    bucket = TokenBucket(qps, burst)
    delays = [bucket.delay(0) for _ in range(calls)]
    expected = [0 if k < burst else int(((k - burst + 1) / qps) * 1e9) for k in range(calls)]
    assert delays == expected


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        pytest.param(0, "0s", id="zero"),
        pytest.param(5 * MS, "5ms", id="millis"),
        pytest.param(MAX_DURATION, "inf", id="never"),
        pytest.param(MAX_DURATION - 1, "2562047h47m16.854775806s", id="just-below-never"),
    ],
)
def test_format_delay_prints_never_as_inf(ns, text):
    assert format_delay(ns) == text
