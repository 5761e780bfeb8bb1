"""TLS: verification on by default, --certificate-authority, --insecure-skip-tls-verify."""

from __future__ import annotations

import pytest

from kmech.errors import TLSVerifyError
from kmech.transport.client import RESTClient
from kmech.transport.options import ConnectionOptions
from tests.transport.conftest import CertFiles, ScriptedServer, send_json


@pytest.fixture
def version_server(tls_scripted: ScriptedServer) -> ScriptedServer:
    tls_scripted.routes["/version"] = lambda h: send_json(h, 200, b'{"gitVersion": "v1.34.3+k3s1"}')
    return tls_scripted


def test_unknown_ca_fails_naming_server_and_flag(version_server: ScriptedServer) -> None:
    with RESTClient.from_options(ConnectionOptions(server=version_server.url)) as client:
        with pytest.raises(TLSVerifyError) as info:
            client.get_json("/version")
    assert info.value.exit_code == 4
    assert info.value.message == (
        f"TLS verification of {version_server.url} failed (unable to get local issuer certificate): "
        "pass --certificate-authority with the cluster's CA certificate (or "
        "--insecure-skip-tls-verify, insecure)"
    )


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"certificate_authority": "CA"}, id="certificate-authority"),
        pytest.param({"insecure_skip_tls_verify": True}, id="insecure-skip-tls-verify"),
    ],
)
def test_ca_flag_or_insecure_connects(
    version_server: ScriptedServer, certs: CertFiles, extra: dict[str, object]
) -> None:
    if extra.get("certificate_authority") == "CA":
        extra = {"certificate_authority": str(certs.ca)}
    options = ConnectionOptions(server=version_server.url, **extra)  # type: ignore[arg-type]
    with RESTClient.from_options(options) as client:
        assert client.get_json("/version") == {"gitVersion": "v1.34.3+k3s1"}
