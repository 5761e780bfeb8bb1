"""The --limiter language: every form builds the right limiter; malformed input names the
column and the token."""

from __future__ import annotations

import pytest

from kmech.errors import UsageError
from kmech.workqueue import PRESETS, Backoff, BackoffManager, VirtualClock, parse_limiter


@pytest.mark.parametrize(
    ("text", "label", "describe_type"),
    [
        pytest.param("default", "default", "default_controller", id="default"),
        pytest.param("client-go", "default", "default_controller", id="client-go-preset"),
        pytest.param("item-based", "item-based", "default_item_based", id="item-based"),
        pytest.param("exp(5ms,1000s)", "exp(5ms,16m40s)", "item_exponential_failure", id="exp"),
        pytest.param("fastslow(5ms,10s,3)", "fastslow(5ms,10s,3)", "item_fast_slow", id="fastslow"),
        pytest.param("bucket(10,100)", "bucket(10,100)", "bucket", id="bucket"),
        pytest.param("bucket(inf, 0)", "bucket(inf,0)", "bucket", id="bucket-inf"),
        pytest.param(
            "max(exp(1ms,1s),bucket(10,5))", "max(exp(1ms,1s),bucket(10,5))", "max_of", id="max"
        ),
        pytest.param("maxwait(default,2s)", "maxwait(default,2s)", "with_max_wait", id="maxwait"),
        pytest.param(
            " max( exp(1ms, 1s) , fastslow(1ms,1s,2) ) ",
            "max(exp(1ms,1s),fastslow(1ms,1s,2))",
            "max_of",
            id="spaces",
        ),
        pytest.param("seq(1s,2s,stop)", "seq(1s,2s,stop)", "sequence", id="seq-stop"),
        pytest.param(
            "kopf",
            str(PRESETS["kopf"].expression)
            .replace("89s", "1m29s")
            .replace("144s", "2m24s")
            .replace("233s", "3m53s")
            .replace("377s", "6m17s")
            .replace("610s", "10m10s"),
            "sequence",
            id="kopf",
        ),
    ],
)
def test_limiters(text: str, label: str, describe_type: str) -> None:
    limiter = parse_limiter(text).build_limiter(VirtualClock())
    assert str(limiter) == label
    assert limiter.describe()["type"] == describe_type  # type: ignore[attr-defined]


def test_backoff_expression() -> None:
    expr = parse_limiter("backoff(duration=5ms,factor=2,steps=25,cap=1000s,jitter=0)")
    assert expr.is_backoff
    b = expr.build(VirtualClock())
    assert isinstance(b, Backoff)
    assert (b.duration, b.factor, b.steps, b.cap, b.jitter) == (
        5_000_000,
        2.0,
        25,
        1_000_000_000_000,
        0.0,
    )


def test_reflector_preset_is_a_resetting_backoff() -> None:
    built = parse_limiter("reflector").build(VirtualClock(), seed=1)
    assert isinstance(built, BackoffManager)
    assert (built.initial.duration, built.initial.steps, built.initial.cap) == (
        800_000_000,
        38,
        30_000_000_000,
    )
    assert built.reset_interval == 120_000_000_000


def test_backoff_is_not_a_rate_limiter() -> None:
    with pytest.raises(UsageError, match="is a wait.Backoff, not a rate limiter"):
        parse_limiter("backoff(duration=1s)").build_limiter(VirtualClock())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "max(exp(1ms),bucket(10,5))",
            'bad --limiter "max(exp(1ms),bucket(10,5))" at column 5 ("exp"): exp() takes 2 arguments (base, max), got 1',
            id="arity",
        ),
        pytest.param(
            "exp(5xs,1s)",
            'bad --limiter "exp(5xs,1s)" at column 5 ("5xs"): base delay: unknown unit "xs" in duration "5xs": use ns, us, ms, s, m or h',
            id="unit",
        ),
        pytest.param(
            "exp(5,1s)",
            'bad --limiter "exp(5,1s)" at column 5 ("5"): base delay: missing unit in duration "5": add one of ns, us, ms, s, m, h',
            id="bare-number",
        ),
        pytest.param(
            "bucket(10,100",
            'bad --limiter "bucket(10,100" at column 14 (end of expression): expected "," or ")"',
            id="unclosed",
        ),
        pytest.param(
            "exp(1ms,1s))",
            'bad --limiter "exp(1ms,1s))" at column 12 (")"): unexpected text after the expression',
            id="trailing",
        ),
        pytest.param(
            "max(exp(1ms,1s) bucket(1,1))",
            'bad --limiter "max(exp(1ms,1s) bucket(1,1))" at column 17 ("bucket"): expected "," or ")"',
            id="missing-comma",
        ),
        pytest.param(
            "bucket(1.5,2.5)",
            'bad --limiter "bucket(1.5,2.5)" at column 12 ("2.5"): expected burst (a whole number)',
            id="burst-int",
        ),
        pytest.param(
            "backoff(duration=1s,wat=2)",
            'bad --limiter "backoff(duration=1s,wat=2)" at column 21 ("wat"): unknown backoff key wat: use duration, factor, jitter, steps, cap or reset',
            id="backoff-key",
        ),
        pytest.param(
            "max(backoff(duration=1s))",
            'bad --limiter "max(backoff(duration=1s))" at column 5 ("backoff"): backoff(...) is a wait.Backoff and cannot be combined with rate limiters',
            id="backoff-nested",
        ),
        pytest.param(
            "max(reflector)",
            'bad --limiter "max(reflector)" at column 5 ("reflector"): preset reflector is a wait.Backoff and cannot be combined',
            id="preset-nested",
        ),
        pytest.param(
            "exp",
            'bad --limiter "exp" at column 1 ("exp"): exp needs arguments: exp(...)',
            id="no-parens",
        ),
        pytest.param(
            "",
            'bad --limiter "" at column 1 (end of expression): expected a limiter name, duration or number',
            id="empty",
        ),
        pytest.param(
            "exp(1ms;1s)",
            'bad --limiter "exp(1ms;1s)" at column 8 (";"): unexpected character',
            id="bad-char",
        ),
    ],
)
def test_malformed(text: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_limiter(text)
    assert info.value.message == message
    assert info.value.exit_code == 2
    assert "\n" not in info.value.message


def test_unknown_name_lists_the_choices() -> None:
    with pytest.raises(UsageError) as info:
        parse_limiter("foo")
    assert info.value.message.startswith(
        'bad --limiter "foo" at column 1 ("foo"): unknown limiter foo: use one of default, item-based, exp,'
    )
    assert "python-informer" in info.value.message
