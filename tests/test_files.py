"""kmech._files: the kubeconfig file rule, owner-only directories and the snapshot folder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kmech._files import kubeconfig_files, make_private_dirs, packaged_snapshot_path


def test_kubeconfig_files_follow_kubectls_precedence(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("{}")
    b.write_text("{}")
    env = {"KUBECONFIG": os.pathsep.join([str(b), "", str(tmp_path / "missing"), str(a), str(b)])}
    assert kubeconfig_files(None, env) == [str(b), str(a)]  # order kept, duplicates and gaps out
    assert kubeconfig_files(str(a), env) == [str(a)]  # --kubeconfig alone
    assert kubeconfig_files(str(tmp_path / "missing"), env) == []  # never raises
    assert kubeconfig_files(None, {}) == []  # HOME (the test's) has no ~/.kube/config
    default = Path(os.path.expanduser("~")) / ".kube" / "config"
    default.parent.mkdir(parents=True)
    default.write_text("{}")
    assert kubeconfig_files(None, {}) == [str(default)]


def test_private_dirs_are_0700_also_for_a_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_private_dirs(os.path.join("cache", "discovery", "host"))
    for part in ("cache", "cache/discovery", "cache/discovery/host"):
        assert stat.S_IMODE((tmp_path / part).stat().st_mode) == 0o700
    make_private_dirs("cache")  # existing directories are fine


def test_the_snapshot_folder_is_in_the_package() -> None:
    assert os.path.isfile(os.path.join(packaged_snapshot_path(), "apis.json"))


def test_files_imports_nothing_but_os() -> None:
    code = (
        "import sys; b = set(sys.modules); import kmech._files; print(sorted(set(sys.modules) - b))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['kmech', 'kmech._files']"
