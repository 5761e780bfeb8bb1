"""The typer-free `kmech resolve` (kmech.cli.fastpath): what it accepts, that it answers exactly
as the typer CLI does, and that a warm run imports none of the heavy modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kmech.cli.fastpath import parse

# ---------------------------------------------------------------------------- the grammar


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["resolve", "po"], ({}, {"names": ("po",)}), id="bare"),
        pytest.param(
            ["--kubeconfig", "k", "-nshop", "resolve", "po", "deploy.apps", "-o", "wide"],
            ({"kubeconfig": "k", "namespace": "shop"}, {"output": "wide", "names": ("po", "deploy.apps")}),
            id="globals-before",
        ),
        pytest.param(
            ["resolve", "-ojson", "po", "--context=prod", "--no-color", "--explain", "--kind"],
            (
                {"context": "prod", "no_color": True},
                {"output": "json", "explain": True, "kind": True, "names": ("po",)},
            ),
            id="globals-after-and-glued",
        ),
        pytest.param(
            ["--context", "resolve", "resolve", "x", "--cache-dir", "/c", "--refresh"],
            ({"context": "resolve"}, {"cache_dir": "/c", "refresh": True, "names": ("x",)}),
            id="value-named-resolve",
        ),
        pytest.param(
            ["resolve", "po", "--discovery", "d", "-o", "name", "-o", "yaml"],
            ({}, {"discovery_dir": "d", "output": "yaml", "names": ("po",)}),
            id="last-wins",
        ),
        pytest.param(["resolve", "po", "-o=x"], ({}, {"output": "=x", "names": ("po",)}), id="click-short-eq"),
        pytest.param(["resolve", "po", "--context="], ({"context": ""}, {"names": ("po",)}), id="empty-value"),
    ],
)  # fmt: skip
def test_plain_command_lines_are_parsed(argv: list[str], expected: object) -> None:
    assert parse(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="nothing"),
        pytest.param(["resolve"], id="no-name"),
        pytest.param(["watch", "po"], id="other-command"),
        pytest.param(["po", "resolve"], id="word-before-command"),
        pytest.param(["resolve", "po", "--help"], id="help"),
        pytest.param(["-h", "resolve", "po"], id="short-help"),
        pytest.param(["-v", "6", "resolve", "po"], id="verbosity"),
        pytest.param(["resolve", "po", "--request-timeout", "1s"], id="request-timeout"),
        pytest.param(["resolve", "po", "--", "x"], id="double-dash"),
        pytest.param(["resolve", "po", "-"], id="dash"),
        pytest.param(["resolve", "po", "-o"], id="missing-value"),
        pytest.param(["resolve", "po", "-o", "--explain"], id="flag-as-value"),
        pytest.param(["resolve", "po", "--explain=yes"], id="value-for-flag"),
        pytest.param(["resolve", "po", "--bogus"], id="unknown-flag"),
        pytest.param(["-o", "json", "resolve", "po"], id="command-flag-before-command"),
        pytest.param(["resolve", "po", "--outp", "json"], id="abbreviation"),
    ],
)
def test_anything_else_is_left_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


# ---------------------------------------------------------------- same answer as typer's CLI

FAST = (
    "import sys; from kmech.completion.entry import main; sys.argv = ['kmech', *{args!r}]; main()"
)
TYPER = "from kmech.cli.app import main; main({args!r})"


def _run(template: str, args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", template.format(args=args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def env(kubeconfig: Path, tmp_path: Path) -> dict[str, str]:
    environ = dict(os.environ)
    environ["KUBECONFIG"] = str(kubeconfig)
    environ["KUBECACHEDIR"] = str(tmp_path / "cache")
    return environ


CASES = [
    pytest.param(["resolve", "deploy"], id="table"),
    pytest.param(["resolve", "po", "deploy.apps", "hpa", "cpol", "all", "-o", "wide"], id="wide"),
    pytest.param(["resolve", "hpa.v1.autoscaling", "-o", "json"], id="json"),
    pytest.param(["resolve", "ev", "-o", "yaml"], id="yaml-with-warning"),
    pytest.param(["resolve", "all", "-o", "name"], id="name-category"),
    pytest.param(["resolve", "ev", "--explain"], id="explain"),
    pytest.param(["resolve", "--kind", "Deployment.v1.apps"], id="kind"),
    pytest.param(["resolve", "deploymnets", "po"], id="unknown-name"),
    pytest.param(["resolve", "po", "-o", "bogus"], id="bad-output"),
    pytest.param(["--context", "nope", "resolve", "po"], id="unknown-context"),
    pytest.param(["resolve", "po", "--refresh", "--no-color"], id="refresh"),
]


@pytest.mark.parametrize("args", CASES)
def test_fast_path_answers_as_typer_does(args: list[str], env: dict[str, str]) -> None:
    assert parse(args) is not None
    typer_answer = _run(TYPER, args, env)  # also warms the cache for the fast run
    assert _run(FAST, args, env) == typer_answer
    assert _run(TYPER, args, env) == typer_answer


def test_fast_path_without_a_cluster_uses_the_snapshot(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    environ["HOME"] = str(tmp_path)
    answer = _run(FAST, ["resolve", "cpol"], environ)
    assert answer == _run(TYPER, ["resolve", "cpol"], environ)
    code, out, err = answer
    assert code == 0 and out.splitlines()[1].split()[:2] == ["cpol", "clusterpolicies"]
    assert err.startswith("no cluster configured: using the k3s 1.34 discovery snapshot")


def test_fast_path_unreachable_server(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n"
    )
    environ = dict(os.environ, KUBECONFIG=str(config), KUBECACHEDIR=str(tmp_path / "c"))
    answer = _run(FAST, ["resolve", "po"], environ)
    assert answer == _run(TYPER, ["resolve", "po"], environ)
    assert answer[0] == 4 and answer[1] == "" and answer[2].count("\n") == 1


# ------------------------------------------------------------------------- what it imports

HEAVY = (
    "typer", "click", "rich", "yaml", "kubernetes", "urllib3", "dataclasses", "inspect",
    "logging", "pathlib", "concurrent",
)  # fmt: skip


def test_warm_resolve_imports_nothing_heavy(env: dict[str, str]) -> None:
    args = ["resolve", "po", "deploy.apps", "-o", "wide"]
    assert _run(TYPER, args, env)[0] == 0  # a warm cache
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"  # what the interpreter's site set-up loaded (.pth files)
        "import contextlib, io, json\n"
        "from kmech.cli.fastpath import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = run({args!r})\n"
        "print(json.dumps([code, sorted({m.split('.')[0] for m in set(sys.modules) - before})]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    code, out, err = done.returncode, done.stdout, done.stderr
    assert code == 0, err
    exit_code, modules = json.loads(out)
    assert exit_code == 0
    assert sorted(set(modules) & set(HEAVY)) == []


def test_the_grammar_names_only_flags_typer_declares_the_same_way() -> None:
    """Every flag the fast path accepts exists on typer's `kmech` group (global) or `resolve`
    command, taking a value exactly when typer's does, so the two paths read flags alike."""
    import typer

    from kmech.cli import app as app_module
    from kmech.cli import fastpath

    group = typer.main.get_command(app_module.app)
    resolve = group.commands["resolve"]  # type: ignore[attr-defined]

    def declared(command: object) -> dict[str, bool]:
        return {
            name: bool(getattr(p, "is_flag", False))
            for p in command.params  # type: ignore[attr-defined]
            for name in getattr(p, "opts", [])
            if name.startswith("-")
        }

    globals_, own = declared(group), declared(resolve)
    for table, is_flag, where in (
        (fastpath.GLOBAL_VALUES, False, globals_),
        (fastpath.GLOBAL_FLAGS, True, globals_),
        (fastpath._RESOLVE_VALUES, False, own),
        (fastpath._RESOLVE_FLAGS, True, own),
    ):
        for name in table:
            assert where.get(name) is is_flag, name
