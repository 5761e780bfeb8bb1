"""Fixtures every test gets: a clean environment (no user kubeconfig, cache or colour settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
FIXTURES = SHARED / "fixtures"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's kubeconfig, discovery cache or colour preferences."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in ("KUBECONFIG", "NO_COLOR", "FORCE_COLOR", "KUBERNETES_SERVICE_HOST",
                "KUBERNETES_SERVICE_PORT", "KUBECACHEDIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """``../shared/fixtures`` (read-only)."""
    if not FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is not present beside this checkout")
    return FIXTURES
