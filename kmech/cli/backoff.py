"""`kmech backoff`: client-go retry schedules, exact to the nanosecond, and a workqueue simulator.

The command only parses flags into :class:`BackoffOptions` and calls :func:`run`; the schedules
come from :mod:`kmech.workqueue`. Module level imports typer and the standard library only:
``kmech backoff`` loads neither kubernetes nor urllib3, and rich only to colour a terminal.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

import typer

from kmech.cli.completion import complete_limiters, output_formats

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kmech.workqueue.schedule import Call, Schedule
    from kmech.workqueue.simulate import SimulationResult

__all__ = ["BackoffOptions", "register", "run", "render_schedule", "render_compare", "log_bar"]

OUTPUTS = ("table", "json", "yaml", "csv")
PATTERNS = ("sequential", "instant", "rounds")
FAIL_RATE_DEFAULT_MAX = 100
TABLE_SIM_ROWS = 200
BAR_WIDTH = 24
DEPTH_ROWS = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"

HELP = """Show client-go retry schedules: how long until the next retry, and when it stops growing.

Drives a rate limiter (client-go's default controller limiter unless --limiter says otherwise)
with a call pattern on virtual time and prints every call exactly, in integer nanoseconds under
-o json. With --workers it simulates workers draining a rate-limited workqueue instead.

Limiter expressions (durations in Go syntax): default, item-based, exp(5ms,1000s),
fastslow(5ms,10s,3), bucket(10,100), max(exp(1ms,1s),bucket(10,5)), maxwait(default,2s),
seq(1s,2s,stop), backoff(duration=5ms,factor=2,steps=25,cap=1000s,jitter=0), and the presets
client-go, reflector, kopf, kopf-api, kopf-handler, python-informer.

Examples:

\b
  kmech backoff --failures 20                      # default limiter, one item
  kmech backoff --limiter 'bucket(10,100)' --items 150 --pattern instant
  kmech backoff --failures 20 --compare kopf       # two policies side by side
  kmech backoff --items 1000 --failures 5 --workers 4 --work-time 50ms
"""


@dataclass(slots=True)
class BackoffOptions:
    """Everything ``kmech backoff`` was asked, before validation (strings as typed)."""

    failures: int | None = None
    limiter: str = "default"
    items: int = 1
    pattern: str | None = None
    script: str | None = None
    compare: str | None = None
    workers: int | None = None
    work_time: str | None = None
    fail_rate: float | None = None
    seed: int | None = None
    output: str | None = None
    color: bool = False


def register(app: typer.Typer) -> None:
    """Add the `backoff` command to ``app``."""

    @app.command("backoff", help=HELP, no_args_is_help=False)
    def backoff_command(
        ctx: typer.Context,
        failures: int | None = typer.Option(
            None,
            "--failures",
            "-f",
            help="Failures per item (default 1; with --fail-rate, the most per item, default 100).",
        ),
        limiter: str = typer.Option(
            "default",
            "--limiter",
            "-l",
            help="The limiter expression or preset.",
            autocompletion=complete_limiters,
        ),
        items: int = typer.Option(
            1, "--items", "-k", help="Distinct items (item-000, item-001, ...)."
        ),
        pattern: str | None = typer.Option(
            None,
            "--pattern",
            help="sequential (one item, retry when due), instant (all at t=0) or rounds.",
        ),
        script: str | None = typer.Option(
            None,
            "--script",
            help='Replay a JSON array of {"t": "<Go duration>", "item": ..., "op": when|forget|num_requeues}.',
        ),
        compare: str | None = typer.Option(
            None, "--compare", help="A second limiter expression or preset, shown side by side."
        ),
        workers: int | None = typer.Option(
            None, "--workers", "-w", help="Simulate W workers draining a rate-limited workqueue."
        ),
        work_time: str | None = typer.Option(
            None,
            "--work-time",
            help="Simulated processing time per item (Go duration, default 0s).",
        ),
        fail_rate: float | None = typer.Option(
            None, "--fail-rate", help="Simulation: each processing fails with probability P."
        ),
        seed: int | None = typer.Option(
            None, "--seed", help="Seed for --fail-rate and for backoff jitter."
        ),
        output: str | None = typer.Option(
            None,
            "-o",
            "--output",
            help="table, json, yaml or csv.",
            autocompletion=output_formats(*OUTPUTS),
        ),
    ) -> None:
        from kmech.cli.app import global_options

        opts = BackoffOptions(
            failures=failures,
            limiter=limiter,
            items=items,
            pattern=pattern,
            script=script,
            compare=compare,
            workers=workers,
            work_time=work_time,
            fail_rate=fail_rate,
            seed=seed,
            output=output,
            color=global_options(ctx).color,
        )
        run(opts)


MAX_SCHEDULE_CALLS = 1_000_000
"""The most ``When`` calls a schedule computes: a million rows already take about a gigabyte
and several seconds, and a mistyped ``--failures`` must not exhaust the machine."""


MAX_SIMULATED_PROCESSINGS = 20_000_000
"""The most processings a simulation runs: ten times the 100,000-item × 20-failure benchmark,
about 20 s of CPU here."""


def _expected_processings(opts: BackoffOptions) -> float:
    """How many times the simulation's workers take an item: each item's failures plus its
    success. With ``--fail-rate P`` the failures per item are a capped geometric count, whose
    mean is ``P(1 - P^cap) / (1 - P)``."""
    if opts.fail_rate is None:
        failures = 1 if opts.failures is None else opts.failures
        return float(opts.items) * (failures + 1)
    cap = FAIL_RATE_DEFAULT_MAX if opts.failures is None else opts.failures
    p = opts.fail_rate
    mean = float(cap) if p >= 1.0 else p * (1.0 - p**cap) / (1.0 - p)
    return opts.items * (1.0 + mean)


def _simulating(opts: BackoffOptions) -> bool:
    return opts.workers is not None or opts.work_time is not None or opts.fail_rate is not None


def run(opts: BackoffOptions, out: TextIO | None = None) -> None:
    """Validate ``opts``, compute the schedule (or simulation) and print it to ``out``."""
    from kmech.cli.output import check_output_format
    from kmech.errors import UsageError
    from kmech.workqueue.expression import parse_limiter

    stream = out if out is not None else sys.stdout
    fmt = check_output_format(opts.output, OUTPUTS)
    if opts.items < 1:
        raise UsageError(f"--items must be at least 1, got {opts.items}")
    if opts.failures is not None and opts.failures < 0:
        raise UsageError(f"--failures must not be negative, got {opts.failures}")
    calls = opts.items * (1 if opts.failures is None else opts.failures)
    if calls > MAX_SCHEDULE_CALLS and opts.script is None and not _simulating(opts):
        raise UsageError(
            f"--items times --failures is {calls:,} calls; a schedule has at most "
            f"{MAX_SCHEDULE_CALLS:,} (every call is a row): lower --failures or --items"
        )
    if opts.pattern is not None and opts.pattern not in PATTERNS:
        raise UsageError(f'unknown --pattern "{opts.pattern}": use sequential, instant or rounds')
    expr = parse_limiter(opts.limiter)
    other = parse_limiter(opts.compare) if opts.compare is not None else None
    if _simulating(opts):
        if other is not None:
            raise UsageError(
                "--compare does not apply to a simulation (--workers): run the two simulations separately"
            )
        if opts.script is not None or opts.pattern is not None:
            raise UsageError("--script and --pattern do not apply to a simulation (--workers)")
        result = _simulate(opts, expr)
        _write(
            stream,
            fmt,
            result.to_dict(),
            lambda: render_simulation(result),
            lambda: _simulation_csv(result),
            opts.color,
        )
        return
    schedules = [_schedule(opts, expr)]
    if other is not None:
        schedules.append(_schedule(opts, other))
    if len(schedules) == 1:
        s = schedules[0]
        _write(
            stream,
            fmt,
            s.to_dict(),
            lambda: render_schedule(s),
            lambda: _schedule_csv(s),
            opts.color,
        )
    else:
        doc = {"compare": [s.to_dict() for s in schedules]}
        _write(
            stream,
            fmt,
            doc,
            lambda: render_compare(schedules[0], schedules[1]),
            lambda: _compare_csv(schedules),
            opts.color,
        )


def _schedule(opts: BackoffOptions, expr: Any) -> Schedule:
    from pathlib import Path

    from kmech.errors import UsageError
    from kmech.workqueue.schedule import (
        load_script,
        run_instant,
        run_rounds,
        run_script,
        run_sequential,
        run_steps,
    )
    from kmech.workqueue.virtual_clock import VirtualClock

    clock = VirtualClock()
    failures = 1 if opts.failures is None else opts.failures
    if expr.is_backoff:
        if opts.items != 1 or opts.pattern is not None or opts.script is not None:
            raise UsageError(
                f'--items, --pattern and --script do not apply to "{expr.text}": a wait.Backoff is stepped --failures times'
            )
        return run_steps(expr.build(clock, seed=opts.seed), clock, calls=failures)
    limiter = expr.build_limiter(clock)
    if opts.script is not None:
        try:
            text = Path(opts.script).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read --script {opts.script}: {exc.strerror}") from exc
        return run_script(limiter, clock, load_script(text, source=opts.script))
    pattern = opts.pattern or "sequential"
    if pattern == "sequential":
        if opts.items != 1:
            raise UsageError(
                "--pattern sequential drives one item: use --pattern instant or rounds with --items"
            )
        return run_sequential(limiter, clock, failures=failures)
    if pattern == "instant":
        return run_instant(limiter, clock, items=opts.items, failures=failures)
    return run_rounds(limiter, clock, items=opts.items, failures=failures)


def _simulate(opts: BackoffOptions, expr: Any) -> SimulationResult:
    from kmech.clock import Duration
    from kmech.duration import parse_duration
    from kmech.errors import UsageError
    from kmech.workqueue.simulate import SimulationConfig, run_simulation
    from kmech.workqueue.virtual_clock import VirtualClock

    workers = 1 if opts.workers is None else opts.workers
    if workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    work_time = parse_duration(opts.work_time) if opts.work_time is not None else Duration(0)
    if work_time < 0:
        raise UsageError(f"--work-time must not be negative, got {opts.work_time}")
    if opts.fail_rate is not None and not 0.0 <= opts.fail_rate <= 1.0:
        raise UsageError(f"--fail-rate must be between 0 and 1, got {opts.fail_rate}")
    processings = _expected_processings(opts)
    if processings > MAX_SIMULATED_PROCESSINGS:
        raise UsageError(
            f"the simulation would process about {processings:,.0f} items (--items times "
            f"--failures, plus the successes); it handles at most {MAX_SIMULATED_PROCESSINGS:,}: "
            "lower --items or --failures"
        )
    clock = VirtualClock()
    limiter = expr.build_limiter(clock)
    if opts.fail_rate is None:
        config = SimulationConfig(
            items=opts.items,
            failures=1 if opts.failures is None else opts.failures,
            workers=workers,
            work_time=work_time,
        )
    else:
        cap = FAIL_RATE_DEFAULT_MAX if opts.failures is None else opts.failures
        config = SimulationConfig(
            items=opts.items,
            failures=cap,
            workers=workers,
            work_time=work_time,
            fail_rate=opts.fail_rate,
            max_failures=cap,
            seed=opts.seed,
        )
    return run_simulation(limiter, clock, config)


# ---------------------------------------------------------------------------- rendering


def _fmt(ns: int | None) -> str:
    from kmech.workqueue._go import format_delay

    return "-" if ns is None else format_delay(ns)


def _tokens(x: float | None) -> str:
    if x is None:
        return "-"
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def log_bar(delay: int, lo: int, hi: int, width: int = BAR_WIDTH) -> str:
    """A bar for ``delay`` on a log scale from ``lo`` (one eighth of a cell) to ``hi`` (full
    width); empty for 0, ``∞`` for ``InfDuration``."""
    from kmech.workqueue._go import MAX_DURATION

    if delay == MAX_DURATION:
        return "∞"
    if delay <= 0 or hi <= 0:
        return ""
    if hi <= lo:
        eighths = width * 8
    else:
        frac = (math.log(max(delay, lo)) - math.log(lo)) / (math.log(hi) - math.log(lo))
        eighths = max(1, round(1 + frac * (width * 8 - 1)))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def _bar_range(delays: list[int]) -> tuple[int, int]:
    from kmech.workqueue._go import MAX_DURATION

    finite = [d for d in delays if 0 < d < MAX_DURATION]
    if not finite:
        return 0, 0
    return min(finite), max(finite)


def _schedule_rows(s: Schedule) -> tuple[list[str], list[list[str]]]:
    from kmech.workqueue.schedule import CallOp, Pattern

    calls = s.calls
    many = (
        s.pattern in (Pattern.INSTANT, Pattern.ROUNDS, Pattern.SCRIPT)
        and len({c.item for c in calls}) > 1
    )
    script = s.pattern is Pattern.SCRIPT
    composite = any(c.decided_by is not None for c in calls)
    bucket = any(c.tokens_after is not None for c in calls)
    steps = s.pattern is Pattern.STEPS
    lo, hi = _bar_range(s.delays)
    headers = (["#"] if many or script else []) + ["FAILURE" if not steps else "STEP"]
    headers += ["ITEM"] if not steps else []
    headers += ["OP"] if script else []
    headers += ["T", "DELAY", "WAITED"]
    headers += ["DECIDED BY"] if composite else []
    headers += ["TOKENS"] if bucket else []
    headers += ["STEPS LEFT"] if steps else []
    headers += ["DELAY (LOG SCALE)"]
    per_item: dict[str | None, int] = {}
    waited: dict[str | None, int] = {}
    rows: list[list[str]] = []
    from kmech.workqueue._go import MAX_DURATION

    for c in calls:
        row: list[str] = [str(c.seq + 1)] if many or script else []
        if c.delay_ns is not None:
            per_item[c.item] = per_item.get(c.item, 0) + 1
            if c.delay_ns != MAX_DURATION:
                waited[c.item] = waited.get(c.item, 0) + max(c.delay_ns, 0)
        row.append(str(per_item.get(c.item, 0)) if c.delay_ns is not None else "-")
        if not steps:
            row.append(c.item or "-")
        if script:
            row.append(
                str(c.op)
                if c.op is not CallOp.NUM_REQUEUES
                else f"num_requeues={c.num_requeues_after}"
            )
        row += [
            _fmt(c.t_ns),
            _fmt(c.delay_ns),
            _fmt(waited.get(c.item, 0)) if c.delay_ns is not None else "-",
        ]
        if composite:
            row.append(c.decided_by or "-")
        if bucket:
            row.append(_tokens(c.tokens_after))
        if steps:
            row.append(str(c.steps_after))
        row.append(log_bar(c.delay_ns, lo, hi) if c.delay_ns is not None else "")
        rows.append(row)
    return headers, rows


def _summary_lines(s: Schedule, prefix: str = "") -> list[str]:
    sm = s.summary()
    calls = sm.get("when_calls", sm.get("step_calls", 0))
    unit = "steps" if "step_calls" in sm else "failures"
    lines = []
    if s.cap_ns is not None:
        at = sm["cap_reached_at_failure"]
        if at is None:
            lines.append(f"{prefix}cap {_fmt(s.cap_ns)} not reached in {calls} {unit}")
        else:
            lines.append(f"{prefix}cap {_fmt(s.cap_ns)} first reached at {unit[:-1]} {at}")
    else:
        lines.append(f"{prefix}no cap: {s.label} has no upper bound on its delay")
    total = f"{prefix}{calls} {unit}, total wait {_fmt(sm['sum_delays_ns'])}, longest delay {_fmt(sm['max_delay_ns'])}"
    if s.pattern.value != "steps":
        total += f", last retry at {_fmt(sm['last_retry_at_ns'])}"
    lines.append(total)
    if sm["gave_up"]:
        lines.append(f"{prefix}{sm['gave_up']} {unit} returned inf: no further retry")
    return lines


def render_schedule(s: Schedule) -> str:
    """The table for one schedule, then the cap line and the totals."""
    from kmech.cli.output import format_columns

    headers, rows = _schedule_rows(s)
    text = f"limiter: {s.label}\n\n" + format_columns(headers, rows) + "\n"
    return text + "\n".join(_summary_lines(s)) + "\n"


def render_compare(a: Schedule, b: Schedule) -> str:
    """Two schedules side by side, row by row (call i of A beside call i of B)."""
    from kmech.cli.output import format_columns

    lo_a, hi_a = _bar_range(a.delays)
    lo_b, hi_b = _bar_range(b.delays)
    lo = min(x for x in (lo_a, lo_b) if x > 0) if (lo_a or lo_b) else 0
    hi = max(hi_a, hi_b)
    headers = [
        "FAILURE",
        "A DELAY",
        "A WAITED",
        "A (LOG SCALE)",
        "B DELAY",
        "B WAITED",
        "B (LOG SCALE)",
    ]
    rows: list[list[str]] = []
    waited = [0, 0]  # A's and B's total wait so far
    n = max(len(a.calls), len(b.calls))
    from kmech.workqueue._go import MAX_DURATION

    for i in range(n):
        row = [str(i + 1)]
        for side, s in enumerate((a, b)):
            d = s.calls[i].delay_ns if i < len(s.calls) else None
            if d is None:
                row += ["-", "-", ""]
                continue
            if d != MAX_DURATION:
                waited[side] += max(d, 0)
            row += [_fmt(d), _fmt(waited[side]), log_bar(d, lo, hi, BAR_WIDTH // 2)]
        rows.append(row)
    text = f"A: {a.label}\nB: {b.label}\n\n" + format_columns(headers, rows) + "\n"
    lines = _summary_lines(a, "A: ") + _summary_lines(b, "B: ")
    return text + "\n".join(lines) + "\n"


def render_simulation(r: SimulationResult) -> str:
    """Summary, the first retries, and the queue depth over time as a bar per time bucket."""
    from kmech.cli.output import format_columns

    c = r.config
    fail = (
        f"fail rate {c.fail_rate} (seed {c.seed}), at most {c.max_failures} per item"
        if c.fail_rate is not None
        else f"{c.failures} failures per item"
    )
    lines = [
        f"limiter: {r.limiter}",
        f"simulation: {c.items} items, {fail}, {c.workers} workers, work time {_fmt(c.work_time)}",
        "",
    ]
    rows = []
    shown = r.retries[:TABLE_SIM_ROWS]
    lo, hi = _bar_range([x.delay_ns for x in shown])
    from kmech.workqueue._go import MAX_DURATION

    for x in shown:
        retry_at = "never" if x.delay_ns == MAX_DURATION else _fmt(x.t_ns + x.delay_ns)
        rows.append(
            [
                x.item,
                str(x.failure),
                _fmt(x.t_ns),
                _fmt(x.delay_ns),
                retry_at,
                str(x.worker),
                log_bar(x.delay_ns, lo, hi),
            ]
        )
    text = "\n".join(lines) + "\n"
    if rows:
        text += format_columns(
            ["ITEM", "FAILURE", "FAILED AT", "DELAY", "RETRY AT", "WORKER", "DELAY (LOG SCALE)"],
            rows,
        )
        if r.failures > len(shown):
            text += f"... {r.failures - len(shown)} more failures (-o json lists the first {c.record_limit})\n"
        text += "\n"
    if r.depth is not None:
        raw = r.depth.peaks
        group = max(1, math.ceil(len(raw) / DEPTH_ROWS))
        peaks = [max(raw[i : i + group]) for i in range(0, len(raw), group)]
        width = r.depth.width * group
        top = max(peaks) if peaks else 0
        depth_rows = []
        for i, p in enumerate(peaks):
            bar = "█" * (round(p / top * BAR_WIDTH) if top else 0)
            if p and not bar:
                bar = "▏"
            depth_rows.append([_fmt(i * width), str(p), bar])
        text += (
            f"queue depth (peak per {_fmt(width)}):\n"
            + format_columns(["FROM", "DEPTH", ""], depth_rows)
            + "\n"
        )
    sm = r.summary()
    text += (
        f"drained in {_fmt(r.drain_time_ns)}: {sm['processings']} processings, {sm['failures']} failures, "
        f"{sm['successes']} successes"
        + (f", {sm['gave_up']} gave up" if sm["gave_up"] else "")
        + "\n"
    )
    text += f"longest delay {_fmt(sm['max_delay_ns'])}, total delay {_fmt(sm['sum_delays_ns'])}, peak depth {sm['peak_depth']}, peak waiting {sm['peak_waiting']}\n"
    if r.metrics is not None:
        m = r.metrics
        lat = m.queue_duration_seconds
        work = m.work_duration_seconds
        mean_lat = lat["sum"] / lat["count"] if lat["count"] else 0.0
        text += (
            f"metrics: adds {m.adds_total}, retries {m.retries_total}, queue latency mean {mean_lat:.6g}s max {lat['max']:.6g}s, "
            f"work duration max {work['max']:.6g}s, longest running processor peak {m.longest_running_processor_seconds_peak:.6g}s\n"
        )
    return text


_CALL_COLUMNS = ["seq", "t_ns", "item", "op", "delay_ns", "num_requeues_after", "decided_by"]


def _call_cells(c: Call) -> list[Any]:
    """One schedule call under :data:`_CALL_COLUMNS` (None as an empty cell)."""
    return [
        c.seq,
        c.t_ns,
        c.item or "",
        str(c.op),
        "" if c.delay_ns is None else c.delay_ns,
        "" if c.num_requeues_after is None else c.num_requeues_after,
        c.decided_by or "",
    ]


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _schedule_csv(s: Schedule) -> str:
    return _csv(
        [*_CALL_COLUMNS, "tokens_after"],
        (
            [*_call_cells(c), "" if c.tokens_after is None else repr(c.tokens_after)]
            for c in s.calls
        ),
    )


def _compare_csv(schedules: list[Schedule]) -> str:
    return _csv(
        ["schedule", "limiter", *_CALL_COLUMNS],
        (
            [name, s.label, *_call_cells(c)]
            for name, s in zip("AB", schedules, strict=False)
            for c in s.calls
        ),
    )


def _simulation_csv(r: SimulationResult) -> str:
    from kmech.workqueue._go import MAX_DURATION

    return _csv(
        ["t_ns", "item", "failure", "delay_ns", "retry_at_ns", "worker"],
        (
            [
                x.t_ns,
                x.item,
                x.failure,
                x.delay_ns,
                "" if x.delay_ns == MAX_DURATION else x.t_ns + x.delay_ns,
                x.worker,
            ]
            for x in r.retries
        ),
    )


def _write(stream: TextIO, fmt: str, doc: Any, table: Any, as_csv: Any, color: bool) -> None:
    from kmech.cli.output import dump_json, dump_yaml

    if fmt == "json":
        stream.write(dump_json(doc))
    elif fmt == "yaml":
        stream.write(dump_yaml(doc))
    elif fmt == "csv":
        stream.write(as_csv())
    else:
        text: str = table()
        if color:
            _print_colored(text)
        else:
            stream.write(text)


def _print_colored(text: str) -> None:
    """The same text on a colour terminal: headers bold, bars cyan, the summary dim."""
    from rich.text import Text

    from kmech.cli.output import make_console

    console = make_console(color=True)
    for line in text.rstrip("\n").split("\n"):
        styled = Text(line)
        if line.startswith(("FAILURE", "#", "STEP", "ITEM", "FROM")):
            styled.stylize("bold")
        for i, ch in enumerate(line):
            if ch in "█▏▎▍▌▋▊▉∞":
                styled.stylize("cyan", i, i + 1)
        console.print(styled, soft_wrap=True)
