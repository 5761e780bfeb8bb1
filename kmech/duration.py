"""Go duration syntax (``1m30s``, ``250ms``, ``4.099999999s``) to and from integer nanoseconds,
and kubectl's short ages (``45s``, ``3m12s``, ``2d4h``) for AGE columns.

Parsing follows Go's ``time.ParseDuration`` exactly, including integer-exact fractions and the
units ``ns``, ``us``, ``µs``, ``μs``, ``ms``, ``s``, ``m``, ``h``; formatting follows
``time.Duration.String``. Used at the edges only: inside kmech durations are integer nanoseconds.

Upstream: Go ``src/time/format.go`` (ParseDuration), ``src/time/time.go`` (Duration.String).
"""

from __future__ import annotations

from kmech.clock import Duration
from kmech.errors import UsageError

__all__ = ["parse_duration", "format_duration", "human_duration", "MAX_DURATION"]

MAX_DURATION = (1 << 63) - 1
"""Go's maximum ``time.Duration`` (about 292 years); also client-go's "infinite" delay."""

_UNITS: dict[str, int] = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 micro sign
    "μs": 1_000,  # U+03BC Greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


def parse_duration(text: str) -> Duration:
    """Parse a Go duration string to integer nanoseconds.

    Raises :class:`~kmech.errors.UsageError` naming the text when it is not a valid duration
    (Go rejects a bare number other than ``0``, unknown units and overflow).
    """
    orig = text
    s = text
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return Duration(0)
    if not s:
        raise _syntax_error(orig)
    total = 0
    while s:
        if not (s[0] == "." or s[0].isdigit()):
            raise _syntax_error(orig)
        i = 0
        while i < len(s) and s[i].isdigit():
            i += 1
        whole_digits = s[:i]
        s = s[i:]
        frac_digits = ""
        if s.startswith("."):
            s = s[1:]
            j = 0
            while j < len(s) and s[j].isdigit():
                j += 1
            frac_digits = s[:j]
            s = s[j:]
        if not whole_digits and not frac_digits:
            raise _syntax_error(orig)
        j = 0
        while j < len(s) and not (s[j] == "." or s[j].isdigit()):
            j += 1
        unit_text = s[:j]
        s = s[j:]
        if not unit_text:
            raise UsageError(f'missing unit in duration "{orig}": add one of ns, us, ms, s, m, h')
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise UsageError(
                f'unknown unit "{unit_text}" in duration "{orig}": use ns, us, ms, s, m or h'
            )
        whole = int(whole_digits or "0")
        if whole > MAX_DURATION // unit:
            raise UsageError(f'invalid duration "{orig}": out of range')
        value = whole * unit
        if frac_digits:
            # Go accumulates the fraction as a float64 scaled by the unit, then truncates.
            frac = int(frac_digits)
            scale = 10 ** len(frac_digits)
            value += int(float(frac) * (float(unit) / float(scale)))
        total += value
        if total > MAX_DURATION + (1 if neg else 0):
            raise UsageError(f'invalid duration "{orig}": out of range')
    return Duration(-total if neg else total)


def _syntax_error(text: str) -> UsageError:
    return UsageError(f'invalid duration "{text}": expected a Go duration such as 250ms or 1m30s')


def format_duration(d: int) -> str:
    """Format integer nanoseconds as Go's ``time.Duration.String`` does (``1h2m3.5s``, ``1.5µs``)."""
    if d == 0:
        return "0s"
    neg = d < 0
    u = -d if neg else d
    if u < 1_000_000_000:
        # Sub-second: one unit, with a fraction.
        if u < 1_000:
            out = f"{u}ns"
        elif u < 1_000_000:
            out = _frac(u, 3) + "µs"
        else:
            out = _frac(u, 6) + "ms"
        return ("-" if neg else "") + out
    secs_part = _frac(u % 60_000_000_000, 9) + "s"
    mins_total = u // 60_000_000_000
    if mins_total == 0:
        out = secs_part
    else:
        hours = mins_total // 60
        mins = mins_total % 60
        out = f"{mins}m" + secs_part
        if hours:
            out = f"{hours}h" + out
    return ("-" if neg else "") + out


def _frac(v: int, prec: int) -> str:
    """``v / 10**prec`` with trailing zeros (and a bare dot) dropped, as Go's fmtFrac."""
    scale = 10**prec
    whole, frac = divmod(v, scale)
    if frac == 0:
        return str(whole)
    digits = str(frac).rjust(prec, "0").rstrip("0")
    return f"{whole}.{digits}"


def human_duration(seconds: float) -> str:
    """A short age as kubectl prints it (``45s``, ``3m12s``, ``5h``, ``12d``, ``2y30d``).

    Upstream: apimachinery ``pkg/util/duration/duration.go``, HumanDuration.
    """
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        sec = s % 60
        return f"{minutes}m" if sec == 0 else f"{minutes}m{sec}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if dy == 0 else f"{years}y{dy}d"
    return f"{hours // 24 // 365}y"
