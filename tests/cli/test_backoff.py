"""`kmech backoff` end to end: exact text, every reference fixture through -o json, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kmech.cli.app import app, main
from kmech.cli.backoff import BackoffOptions, log_bar, run
from tests.workqueue.test_fixtures import expected_calls, expression_for, fixture_files

FIELDS = ("seq", "t_ns", "item", "op", "delay_ns", "num_requeues_after")


def kmech(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (0 if code is None else int(code)), out, err


FAILURES_20 = """\
limiter: default

FAILURE   ITEM       T            DELAY       WAITED       DECIDED BY        TOKENS   DELAY (LOG SCALE)
1         item-000   0s           5ms         5ms          exp(5ms,16m40s)   99       ▏
2         item-000   5ms          10ms        15ms         exp(5ms,16m40s)   98.05    █▌
3         item-000   15ms         20ms        35ms         exp(5ms,16m40s)   97.15    ██▉
4         item-000   35ms         40ms        75ms         exp(5ms,16m40s)   96.35    ████▎
5         item-000   75ms         80ms        155ms        exp(5ms,16m40s)   95.75    █████▌
6         item-000   155ms        160ms       315ms        exp(5ms,16m40s)   95.55    ██████▉
7         item-000   315ms        320ms       635ms        exp(5ms,16m40s)   96.15    ████████▎
8         item-000   635ms        640ms       1.275s       exp(5ms,16m40s)   98.35    █████████▋
9         item-000   1.275s       1.28s       2.555s       exp(5ms,16m40s)   99       ███████████
10        item-000   2.555s       2.56s       5.115s       exp(5ms,16m40s)   99       ████████████▍
11        item-000   5.115s       5.12s       10.235s      exp(5ms,16m40s)   99       █████████████▋
12        item-000   10.235s      10.24s      20.475s      exp(5ms,16m40s)   99       ███████████████
13        item-000   20.475s      20.48s      40.955s      exp(5ms,16m40s)   99       ████████████████▍
14        item-000   40.955s      40.96s      1m21.915s    exp(5ms,16m40s)   99       █████████████████▊
15        item-000   1m21.915s    1m21.92s    2m43.835s    exp(5ms,16m40s)   99       ███████████████████▏
16        item-000   2m43.835s    2m43.84s    5m27.675s    exp(5ms,16m40s)   99       ████████████████████▌
17        item-000   5m27.675s    5m27.68s    10m55.355s   exp(5ms,16m40s)   99       █████████████████████▉
18        item-000   10m55.355s   10m55.36s   21m50.715s   exp(5ms,16m40s)   99       ███████████████████████▏
19        item-000   21m50.715s   16m40s      38m30.715s   exp(5ms,16m40s)   99       ████████████████████████
20        item-000   38m30.715s   16m40s      55m10.715s   exp(5ms,16m40s)   99       ████████████████████████

cap 16m40s first reached at failure 19
20 failures, total wait 55m10.715s, longest delay 16m40s, last retry at 55m10.715s
"""


def test_failures_20_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = kmech(capsys, "backoff", "--failures", "20")
    assert (code, err) == (0, "")
    assert out == FAILURES_20


def test_with_cli_runner() -> None:
    result = CliRunner().invoke(
        app, ["backoff", "--limiter", "fastslow(5ms,10s,3)", "--failures", "4"]
    )
    assert result.exit_code == 0
    assert result.output == (
        "limiter: fastslow(5ms,10s,3)\n\n"
        "FAILURE   ITEM       T      DELAY   WAITED    DELAY (LOG SCALE)\n"
        "1         item-000   0s     5ms     5ms       ▏\n"
        "2         item-000   5ms    5ms     10ms      ▏\n"
        "3         item-000   10ms   5ms     15ms      ▏\n"
        "4         item-000   15ms   10s     10.015s   ████████████████████████\n"
        "\n"
        "cap 10s first reached at failure 4\n"
        "4 failures, total wait 10.015s, longest delay 10s, last retry at 10.015s\n"
    )


def fixture_args(data: dict[str, Any]) -> list[str]:
    if data["kind"] == "wait_backoff":
        b = data["backoff"]
        expr = (
            f"backoff(duration={b['duration_ns']}ns,factor={b['factor']},jitter={b['jitter']},"
            f"steps={b['steps']},cap={b['cap_ns']}ns)"
        )
        return ["--limiter", expr, "--failures", str(data["params"]["calls"])]
    args = ["--limiter", expression_for(data["limiter"])]
    if data["driver"] == "sequential":
        return [*args, "--failures", str(data["params"]["failures"])]
    return [*args, "--pattern", "instant", "--items", str(data["params"]["items"])]


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_fixture_through_json(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(path.read_text())
    code, out, _ = kmech(capsys, "backoff", *fixture_args(data), "-o", "json")
    assert code == 0
    doc = json.loads(out)
    got = []
    for c in doc["calls"]:
        row = {k: c[k] for k in FIELDS}
        if c["op"] == "step":
            row["duration_after_ns"] = c["duration_after_ns"]
            row["steps_after"] = c["steps_after"]
        got.append(row)
    assert got == expected_calls(data)
    assert all(isinstance(c["delay_ns"], int) and isinstance(c["t_ns"], int) for c in doc["calls"])
    expected_limiter = data.get("limiter", data.get("backoff"))
    for key, value in expected_limiter.items():
        assert doc["limiter"][key] == value


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kmech(capsys, "backoff", "--failures", "2", "-o", "json")
    doc = json.loads(out)
    assert list(doc) == ["limiter", "expression", "pattern", "params", "calls", "summary"]
    assert doc["calls"][0] == {
        "seq": 0,
        "t_ns": 0,
        "item": "item-000",
        "op": "when",
        "delay_ns": 5000000,
        "num_requeues_after": 1,
        "decided_by": "exp(5ms,16m40s)",
        "tokens_after": 99.0,
    }
    assert doc["summary"]["cap_reached_at_failure"] is None


def test_yaml_matches_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, as_json, _ = kmech(capsys, "backoff", "--failures", "3", "-o", "json")
    _, as_yaml, _ = kmech(capsys, "backoff", "--failures", "3", "-o", "yaml")
    assert yaml.safe_load(as_yaml) == json.loads(as_json)


def test_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kmech(
        capsys,
        "backoff",
        "--limiter",
        "bucket(1,1)",
        "--items",
        "3",
        "--pattern",
        "instant",
        "-o",
        "csv",
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        [
            "seq",
            "t_ns",
            "item",
            "op",
            "delay_ns",
            "num_requeues_after",
            "decided_by",
            "tokens_after",
        ],
        ["0", "0", "item-000", "when", "0", "0", "", "0.0"],
        ["1", "0", "item-001", "when", "1000000000", "0", "", "-1.0"],
        ["2", "0", "item-002", "when", "2000000000", "0", "", "-2.0"],
    ]


def test_rounds_pattern(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kmech(
        capsys,
        "backoff",
        "--limiter",
        "bucket(1,1)",
        "--items",
        "2",
        "--failures",
        "2",
        "--pattern",
        "rounds",
        "-o",
        "json",
    )
    calls = json.loads(out)["calls"]
    assert [(c["t_ns"], c["item"], c["delay_ns"]) for c in calls] == [
        (0, "item-000", 0),
        (0, "item-000", 1_000_000_000),
        (0, "item-001", 2_000_000_000),
        (2_000_000_000, "item-001", 1_000_000_000),
    ]


def test_script_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "calls.json"
    script.write_text(
        json.dumps(
            [
                {"t": "0s", "item": "a", "op": "when"},
                {"t": "5ms", "item": "a", "op": "when"},
                {"t": "6ms", "item": "a", "op": "num_requeues"},
                {"t": "7ms", "item": "a", "op": "forget"},
                {"t": "2000000100ns", "item": "a", "op": "when"},
            ]
        )
    )
    code, out, _ = kmech(
        capsys, "backoff", "--limiter", "exp(5ms,1s)", "--script", str(script), "-o", "json"
    )
    assert code == 0
    calls = json.loads(out)["calls"]
    assert [(c["t_ns"], c["op"], c["delay_ns"], c["num_requeues_after"]) for c in calls] == [
        (0, "when", 5_000_000, 1),
        (5_000_000, "when", 10_000_000, 2),
        (6_000_000, "num_requeues", None, 2),
        (7_000_000, "forget", None, 0),
        (2_000_000_100, "when", 5_000_000, 1),
    ]


def test_compare(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kmech(capsys, "backoff", "--failures", "3", "--compare", "kopf-api")
    assert code == 0
    assert out == (
        "A: default\n"
        "B: seq(1s,1s,2s,3s,5s,8s,13s,21s,stop)\n\n"
        "FAILURE   A DELAY   A WAITED   A (LOG SCALE)   B DELAY   B WAITED   B (LOG SCALE)\n"
        "1         5ms       5ms        ▏               1s        1s         ██████████▋\n"
        "2         10ms      15ms       █▌              1s        2s         ██████████▋\n"
        "3         20ms      35ms       ██▉             2s        4s         ████████████\n"
        "\n"
        "A: cap 16m40s not reached in 3 failures\n"
        "A: 3 failures, total wait 35ms, longest delay 20ms, last retry at 35ms\n"
        "B: no cap: seq(1s,1s,2s,3s,5s,8s,13s,21s,stop) has no upper bound on its delay\n"
        "B: 3 failures, total wait 4s, longest delay 2s, last retry at 4s\n"
    )


def test_simulation_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kmech(
        capsys,
        "backoff",
        "--items",
        "3",
        "--failures",
        "2",
        "--workers",
        "2",
        "--work-time",
        "10ms",
        "-o",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["summary"]["processings"] == 9
    assert doc["summary"]["failures"] == 6
    assert doc["metrics"]["workqueue_retries_total"] == 6
    assert doc["retries"][0] == {
        "t_ns": 10_000_000,
        "item": "item-000",
        "failure": 1,
        "delay_ns": 5_000_000,
        "retry_at_ns": 15_000_000,
        "worker": 0,
    }


def test_simulation_table_mentions_drain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kmech(capsys, "backoff", "--items", "2", "--workers", "1", "--work-time", "1s")
    assert code == 0
    assert "drained in 4s: 4 processings, 2 failures, 2 successes\n" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--limiter", "max(exp(1ms),bucket(10,5))"],
            'error: bad --limiter "max(exp(1ms),bucket(10,5))" at column 5 ("exp"): exp() takes 2 arguments (base, max), got 1\n',
            id="malformed-limiter",
        ),
        pytest.param(
            ["--compare", "exp(1ms,,1s)"],
            'error: bad --limiter "exp(1ms,,1s)" at column 9 (","): expected a limiter name, duration or number\n',
            id="malformed-compare",
        ),
        pytest.param(
            ["--items", "3"],
            "error: --pattern sequential drives one item: use --pattern instant or rounds with --items\n",
            id="sequential-many",
        ),
        pytest.param(
            ["--pattern", "zigzag"],
            'error: unknown --pattern "zigzag": use sequential, instant or rounds\n',
            id="pattern",
        ),
        pytest.param(
            ["-o", "xml"],
            'error: unknown output format "xml": use -o table|json|yaml|csv\n',
            id="output",
        ),
        pytest.param(
            ["--workers", "0"], "error: --workers must be at least 1, got 0\n", id="workers"
        ),
        pytest.param(
            ["--workers", "2", "--fail-rate", "1.5"],
            "error: --fail-rate must be between 0 and 1, got 1.5\n",
            id="fail-rate",
        ),
        pytest.param(
            ["--workers", "2", "--limiter", "reflector"],
            'error: "reflector" is a wait.Backoff, not a rate limiter: a workqueue needs one of default, item-based, exp, fastslow, bucket, max, maxwait, seq\n',
            id="backoff-in-queue",
        ),
        pytest.param(
            ["--limiter", "reflector", "--items", "2"],
            'error: --items, --pattern and --script do not apply to "reflector": a wait.Backoff is stepped --failures times\n',
            id="backoff-items",
        ),
        pytest.param(
            ["--script", "/nonexistent/calls.json"],
            "error: cannot read --script /nonexistent/calls.json: No such file or directory\n",
            id="script-missing",
        ),
        pytest.param(
            ["--workers", "1", "--work-time", "5"],
            'error: missing unit in duration "5": add one of ns, us, ms, s, m, h\n',
            id="work-time-unit",
        ),
        pytest.param(
            ["--failures", "99999999999"],
            "error: --items times --failures is 99,999,999,999 calls; a schedule has at most "
            "1,000,000 (every call is a row): lower --failures or --items\n",
            id="too-many-calls",
        ),
        pytest.param(
            ["--items", "1001", "--failures", "1000", "--pattern", "rounds"],
            "error: --items times --failures is 1,001,000 calls; a schedule has at most "
            "1,000,000 (every call is a row): lower --failures or --items\n",
            id="too-many-calls-over-items",
        ),
        pytest.param(
            ["--items", "10", "--failures", "99999999999", "--workers", "4"],
            "error: the simulation would process about 1,000,000,000,000 items (--items times "
            "--failures, plus the successes); it handles at most 20,000,000: lower --items or "
            "--failures\n",
            id="simulation-too-long",
        ),
        pytest.param(
            ["--items", "300000", "--workers", "4", "--fail-rate", "1"],
            "error: the simulation would process about 30,300,000 items (--items times "
            "--failures, plus the successes); it handles at most 20,000,000: lower --items or "
            "--failures\n",
            id="simulation-every-try-fails",
        ),
    ],
)
def test_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = kmech(capsys, "backoff", *args)
    assert (code, out, err) == (2, "", message)


def test_bad_script_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.json"
    script.write_text('[{"t": 1.5, "item": "a"}]')
    code, _, err = kmech(capsys, "backoff", "--script", str(script))
    assert code == 2
    assert (
        err
        == f'error: {script}: entry 0: "t" must be a Go duration string such as "5ms", not 1.5\n'
    )


def test_backoff_steps_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kmech(
        capsys,
        "backoff",
        "--limiter",
        "backoff(duration=100ms,factor=2,steps=2)",
        "--failures",
        "3",
    )
    assert code == 0
    assert out == (
        "limiter: backoff(duration=100ms,factor=2,steps=2,cap=0s,jitter=0)\n\n"
        "STEP   T    DELAY   WAITED   STEPS LEFT   DELAY (LOG SCALE)\n"
        "1      0s   100ms   100ms    1            ▏\n"
        "2      0s   200ms   300ms    0            ████████████\n"
        "3      0s   400ms   700ms    0            ████████████████████████\n"
        "\n"
        "no cap: backoff(duration=100ms,factor=2,steps=2,cap=0s,jitter=0) has no upper bound on its delay\n"
        "3 steps, total wait 700ms, longest delay 400ms\n"
    )


def test_reflector_is_seeded(capsys: pytest.CaptureFixture[str]) -> None:
    _, a, _ = kmech(
        capsys, "backoff", "--limiter", "reflector", "--failures", "8", "--seed", "3", "-o", "json"
    )
    _, b, _ = kmech(
        capsys, "backoff", "--limiter", "reflector", "--failures", "8", "--seed", "3", "-o", "json"
    )
    assert a == b
    delays = [c["delay_ns"] for c in json.loads(a)["calls"]]
    for k, d in enumerate(delays[:6]):
        assert 800_000_000 * 2**k <= d < 1_600_000_000 * 2**k
    assert all(30_000_000_000 <= d < 60_000_000_000 for d in delays[6:])


def test_run_directly_writes_to_the_given_stream() -> None:
    buf = io.StringIO()
    run(BackoffOptions(limiter="exp(1ms,4ms)", failures=3, output="csv"), out=buf)
    assert buf.getvalue().splitlines()[1:] == [
        "0,0,item-000,when,1000000,1,,",
        "1,1000000,item-000,when,2000000,2,,",
        "2,3000000,item-000,when,4000000,3,,",
    ]


@pytest.mark.parametrize(
    ("delay", "expected"),
    [
        pytest.param(0, "", id="zero"),
        pytest.param(1, "▏", id="low-end"),
        pytest.param(1000, "████████████████████████", id="high-end"),
        pytest.param((1 << 63) - 1, "∞", id="infinite"),
    ],
)
def test_log_bar(delay: int, expected: str) -> None:
    assert log_bar(delay, 1, 1000) == expected
