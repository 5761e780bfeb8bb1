"""Go duration syntax and kubectl ages, exact to the nanosecond and to the letter."""

from __future__ import annotations

import pytest

from kmech.duration import MAX_DURATION, format_duration, human_duration, parse_duration
from kmech.errors import UsageError


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        pytest.param("0", 0, id="bare-zero"),
        pytest.param("250ms", 250_000_000, id="ms"),
        pytest.param("1m30s", 90_000_000_000, id="compound"),
        pytest.param("1.5h", 5_400_000_000_000, id="fraction-hours"),
        pytest.param("4.099999999s", 4_099_999_999, id="nine-digit-fraction"),
        pytest.param("2000000100ns", 2_000_000_100, id="ns-exact"),
        pytest.param("1.5us", 1_500, id="us"),
        pytest.param("1.5µs", 1_500, id="micro-sign"),
        pytest.param("-2s", -2_000_000_000, id="negative"),
        pytest.param("+3ms", 3_000_000, id="plus"),
        pytest.param(".5s", 500_000_000, id="leading-dot"),
    ],
)
def test_parse_duration(text: str, ns: int) -> None:
    assert parse_duration(text) == ns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "", 'invalid duration "": expected a Go duration such as 250ms or 1m30s', id="empty"
        ),
        pytest.param(
            "5", 'missing unit in duration "5": add one of ns, us, ms, s, m, h', id="no-unit"
        ),
        pytest.param(
            "3d", 'unknown unit "d" in duration "3d": use ns, us, ms, s, m or h', id="days"
        ),
        pytest.param(
            "1s.", 'invalid duration "1s.": expected a Go duration such as 250ms or 1m30s', id="dot"
        ),
        pytest.param("9999999999h", 'invalid duration "9999999999h": out of range', id="overflow"),
    ],
)
def test_parse_duration_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_duration(text)
    assert str(err.value) == message
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        pytest.param(0, "0s", id="zero"),
        pytest.param(999, "999ns", id="ns"),
        pytest.param(1_500, "1.5µs", id="us"),
        pytest.param(250_000_000, "250ms", id="ms"),
        pytest.param(4_099_999_999, "4.099999999s", id="truncated-float"),
        pytest.param(90_000_000_000, "1m30s", id="minutes"),
        pytest.param(3_600_000_000_000, "1h0m0s", id="hour"),
        pytest.param(1_000_000_000_000, "16m40s", id="client-go-cap"),
        pytest.param(-2_000_000_000, "-2s", id="negative"),
        pytest.param(MAX_DURATION, "2562047h47m16.854775807s", id="max"),
    ],
)
def test_format_duration(ns: int, text: str) -> None:
    assert format_duration(ns) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(-5, "<invalid>", id="invalid"),
        pytest.param(-1, "0s", id="one-second-skew"),
        pytest.param(-0.5, "0s", id="clock-skew"),
        pytest.param(45, "45s", id="seconds"),
        pytest.param(119, "119s", id="under-two-minutes"),
        pytest.param(192, "3m12s", id="minutes-seconds"),
        pytest.param(300, "5m", id="round-minutes"),
        pytest.param(600, "10m", id="ten-minutes"),
        pytest.param(1500, "25m", id="minutes-only"),
        pytest.param(3 * 3600 + 5 * 60, "3h5m", id="hours-minutes"),
        pytest.param(30 * 3600, "30h", id="hours"),
        pytest.param(2 * 86400 + 4 * 3600, "2d4h", id="days-hours"),
        pytest.param(400 * 86400, "400d", id="days"),
        pytest.param(3 * 365 * 86400 + 30 * 86400, "3y30d", id="years-days"),
        pytest.param(10 * 365 * 86400, "10y", id="years"),
    ],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text
