"""Fixtures every test gets: a clean environment (no user kubeconfig, cache or colour settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
FIXTURES = SHARED / "fixtures"


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's kubeconfig, discovery cache or colour preferences."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in (
        "KUBECONFIG",
        "NO_COLOR",
        "FORCE_COLOR",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "KUBECACHEDIR",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """``../shared/fixtures`` (read-only)."""
    if not FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is not present beside this checkout")
    return FIXTURES


# --------------------------------------------------------------------------- sandbox fixtures


@pytest.fixture(scope="session")
def sandbox():
    """One started :class:`kmech.sandbox.Sandbox` for the whole session.

    Serves the default discovery snapshot (k3s 1.34, inside the package) on 127.0.0.1 at a free
    port, plain HTTP, no token; stopped at session end. Tests should normally use ``sb``, which
    resets it first; use ``sandbox`` directly only for read-only checks.
    """
    from kmech.sandbox import Sandbox

    server = Sandbox().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sb(sandbox):
    """The session sandbox after ``reset()``: no objects but the default namespaces, no
    history, no faults, an empty request log, no open watches. Function-scoped, not autouse.

    Example::

        def test_something(sb, kubeconfig):
            sb.create("pods", {"metadata": {"name": "p1"}}, namespace="shop")
            sb.faults.expire_watch_mid_stream(after_events=1)
    """
    sandbox.reset()
    yield sandbox
    sandbox.faults.clear()


@pytest.fixture
def kubeconfig(sb, tmp_path, monkeypatch):
    """A kubeconfig for ``sb`` at ``tmp_path/"kubeconfig"`` (namespace ``default``, context
    ``sandbox``, mode 0600), exported as ``KUBECONFIG`` for the test; returns its Path."""
    path = sb.write_kubeconfig(tmp_path / "kubeconfig")
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path
