"""The checked-in completion scripts and command spec are what the current CLI generates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kmech.cli.completion import generated_files

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    return generated_files(REPO)


def test_expected_files(generated: dict[Path, str]) -> None:
    names = sorted(str(p.relative_to(REPO)) for p in generated)
    assert names == [
        "completions/_kmech",
        "completions/kmech.bash",
        "completions/kmech.fish",
        "completions/kmech.ps1",
        "kmech/completion/_spec.py",
    ]


def test_checked_in_files_match(generated: dict[Path, str]) -> None:
    stale = [
        str(path.relative_to(REPO))
        for path, text in generated.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "regenerate with: python -m kmech.cli.completion --write"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_kmech_completion_prints_the_checked_in_script(shell: str) -> None:
    from kmech.cli.completion import SCRIPT_FILES

    proc = subprocess.run(
        [sys.executable, "-m", "kmech", "completion", shell],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == (REPO / "completions" / SCRIPT_FILES[shell]).read_text()


def test_scripts_carry_no_data() -> None:
    for path in (REPO / "completions").iterdir():
        text = path.read_text()
        assert "_KMECH_COMPLETE" in text
        assert "deployments" not in text and "kind-dev" not in text


def test_unknown_shell_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kmech", "completion", "tcsh"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines()[-1] == (
        "Error: Invalid value for 'SHELL': 'tcsh' is not one of "
        "'bash', 'zsh', 'fish', 'powershell'."
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_typer_show_completion_prints_the_same_script(shell: str) -> None:
    from kmech.cli.completion import SCRIPT_FILES

    env = dict(os.environ, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    proc = subprocess.run(
        [sys.executable, "-m", "kmech", "--show-completion", shell],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == (REPO / "completions" / SCRIPT_FILES[shell]).read_text()
