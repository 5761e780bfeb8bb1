"""`main` registers only the invoked sub-command; `app` from outside always has all of them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer

from kmech.cli import app as app_module


@pytest.mark.parametrize("module", sorted(set(app_module.COMMAND_MODULES.values())))
def test_command_modules_map_matches_what_each_module_registers(module: str) -> None:
    import importlib

    scratch = typer.Typer()
    importlib.import_module(f"kmech.cli.{module}").register(scratch)
    names = [info.name for info in scratch.registered_commands]
    expected = [n for n, m in app_module.COMMAND_MODULES.items() if m == module]
    assert names == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["resolve", "deploy"], "resolve", id="bare"),
        pytest.param(["--kubeconfig", "k", "-n", "shop", "resolve"], "resolve", id="value-options"),
        pytest.param(["--context=x", "--v=6", "watch", "pods"], "watch", id="equals-form"),
        pytest.param(["-nshop", "-v6", "resources"], "resources", id="attached-short-values"),
        pytest.param(
            ["--insecure-skip-tls-verify", "--no-color", "version"], "version", id="flags"
        ),
        pytest.param(["--request-timeout", "5s", "backoff"], "backoff", id="timeout"),
        pytest.param(["resolve", "--help"], "resolve", id="command-help"),
        pytest.param([], None, id="nothing"),
        pytest.param(["--help"], None, id="help"),
        pytest.param(["-h", "resolve"], None, id="help-first"),
        pytest.param(["--show-completion", "bash"], None, id="typer-completion-option"),
        pytest.param(["resovle"], None, id="typo"),
        pytest.param(["--bogus", "resolve"], None, id="unknown-option"),
        pytest.param(["--bogus=1", "resolve"], None, id="unknown-option-with-value"),
        pytest.param(["--", "resolve"], None, id="double-dash"),
        pytest.param(["-n"], None, id="missing-value"),
    ],
)
def test_command_in(args: list[str], expected: str | None) -> None:
    assert app_module._command_in(args) == expected


def test_completion_request_registers_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_KMECH_COMPLETE", "complete_bash")
    assert app_module._command_in(["resolve"]) is None


PROBE = """
import contextlib, io, json, sys
from kmech.cli import app as app_module
with contextlib.redirect_stdout(io.StringIO()):
    try:
        app_module.main({argv!r})
    except SystemExit:
        pass
loaded = sorted(m for m in sys.modules if m.startswith("kmech.cli."))
registered = [c.name for c in app_module._app.registered_commands]
everything = [c.name for c in app_module.app.registered_commands]
print(json.dumps([loaded, registered, everything]))
"""


@pytest.mark.parametrize(
    ("argv", "registered"),
    [
        pytest.param(["version", "--help"], ["version"], id="one-command"),
        pytest.param(["--help"], list(app_module.COMMAND_MODULES), id="help"),
    ],
)
def test_main_registers_only_the_invoked_command(argv: list[str], registered: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    loaded, seen, everything = json.loads(out.strip().splitlines()[-1])
    assert seen == registered
    if registered == ["version"]:
        assert "kmech.cli.watch" not in loaded
        assert "kmech.cli.sandbox" not in loaded
    # Reading `app` afterwards adds the rest, in the order --help lists them.
    assert everything == list(app_module.COMMAND_MODULES)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(
            ["watch", "pods", "--request-timeout", "2s"],
            ["--request-timeout", "2s", "watch", "pods"],
            id="value-flag-moves",
        ),
        pytest.param(
            ["resolve", "po", "--context=prod", "--no-color"],
            ["--context=prod", "--no-color", "resolve", "po"],
            id="equals-form-and-bool-flag-move",
        ),
        pytest.param(
            ["watch", "pods", "-n", "shop", "--kubeconfig", "k"],
            ["--kubeconfig", "k", "watch", "pods", "-n", "shop"],
            id="a-flag-the-command-defines-stays",
        ),
        pytest.param(
            ["resolve", "-o", "json", "--server", "https://x", "po"],
            ["--server", "https://x", "resolve", "-o", "json", "po"],
            id="command-option-values-are-skipped",
        ),
        pytest.param(
            ["--context", "a", "resolve", "po", "--", "--token"],
            ["--context", "a", "resolve", "po", "--", "--token"],
            id="nothing-after-double-dash",
        ),
        pytest.param(["resolve", "po"], ["resolve", "po"], id="no-globals"),
    ],
)
def test_global_flags_after_the_command_move_before_it(
    argv: list[str], expected: list[str]
) -> None:
    group = typer.main.get_command(app_module._app_for(argv))
    assert app_module._hoist_global_options(argv, group) == expected


def test_the_global_flag_lists_match_typers_global_options() -> None:
    group = typer.main.get_command(app_module.app)
    declared = {
        name: bool(getattr(p, "is_flag", False))
        for p in group.params
        for name in getattr(p, "opts", [])
        if name not in ("-h", "--help", "--install-completion", "--show-completion")
    }
    listed = dict.fromkeys(app_module._VALUE_OPTIONS, False) | dict.fromkeys(
        app_module._FLAG_OPTIONS, True
    )
    assert listed == declared
