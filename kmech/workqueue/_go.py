"""Go numeric conversions that client-go's arithmetic depends on, reproduced bit for bit.

Private to :mod:`kmech.workqueue`: the limiters, the token bucket and ``wait.Backoff`` convert
float64 results to ``time.Duration`` (int64) exactly as Go does on linux/amd64, where the
reference fixtures were computed.
"""

from __future__ import annotations

import math

from kmech.clock import Duration
from kmech.duration import format_duration

__all__ = [
    "MAX_DURATION",
    "MIN_DURATION",
    "TWO_63",
    "format_delay",
    "go_duration",
    "json_number",
    "saturate",
]

MAX_DURATION = Duration((1 << 63) - 1)
"""``math.MaxInt64`` nanoseconds: x/time/rate's ``InfDuration`` (about 292 years)."""

MIN_DURATION = Duration(-(1 << 63))

TWO_63 = 9223372036854775808.0
"""``float64(math.MaxInt64)``: the conversion rounds up to exactly 2^63."""


def format_delay(d: int) -> str:
    """A delay as kmech prints it: :func:`kmech.duration.format_duration`, except that
    :data:`MAX_DURATION` (rate's ``InfDuration``, "never") prints as ``inf``."""
    return "inf" if d == MAX_DURATION else format_duration(d)


def go_duration(x: float) -> Duration:
    """``time.Duration(x)`` for a float64 ``x``, as compiled for amd64.

    Truncates toward zero. NaN and values outside [-2^63, 2^63) give -2^63 (the CVTTSD2SI
    "integer indefinite" value); arm64 would saturate instead, which only matters in the corner
    cases the callers document.
    """
    if x != x or x >= TWO_63 or x < -TWO_63:
        return MIN_DURATION
    return Duration(int(x))


def saturate(d: int) -> Duration:
    """Clamp an exact integer to int64, as Go's ``Time.Sub`` saturates."""
    if d > MAX_DURATION:
        return MAX_DURATION
    if d < MIN_DURATION:
        return MIN_DURATION
    return Duration(d)


def json_number(x: float) -> int | float:
    """A float64 as Go's encoding/json writes it: one that holds an integer prints as one
    (``10``, not ``10.0``), as in the reference fixtures' ``qps`` and ``factor``."""
    return int(x) if math.isfinite(x) and x == int(x) else x
