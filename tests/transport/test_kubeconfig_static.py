"""Static credentials are read without the kubernetes package, with the same result as its loader.

Every row loads one kubeconfig twice: through kmech's static reader and, forced by the private
switch ``_FORCE_KUBERNETES_LOADER``, through the kubernetes package's ``KubeConfigLoader``. The
two RestConfigs (or error messages) must be identical; files written from ``*-data`` fields are
compared by content, since each path writes its own temporary file.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kmech._record import replace
from kmech.errors import ConfigError
from kmech.transport import kubeconfig as kubeconfig_module
from kmech.transport.kubeconfig import load_rest_config
from kmech.transport.options import ConnectionOptions

PEM = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()


def doc(cluster: dict[str, Any], user: dict[str, Any] | None) -> dict[str, Any]:
    context: dict[str, Any] = {"cluster": "c", "namespace": "shop"}
    users = []
    if user is not None:
        context["user"] = "u"
        users = [{"name": "u", "user": user}]
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "one",
        "clusters": [{"name": "c", "cluster": cluster}],
        "users": users,
        "contexts": [{"name": "one", "context": context}],
    }


HTTPS = "https://api.example:6443"
HTTP = "http://127.0.0.1:8080"

# (cluster, user, flags); "sub/" files exist beside the kubeconfig (written by the fixture).
CASES = [
    pytest.param({"server": HTTP}, {"token": "t0k"}, {}, id="token-http"),
    pytest.param({"server": HTTP + "/"}, {"token": "t0k"}, {}, id="server-trailing-slash"),
    pytest.param({"server": HTTP}, None, {}, id="no-user"),
    pytest.param({"server": HTTP}, {}, {}, id="empty-user"),
    pytest.param({"server": HTTP}, {"tokenFile": "sub/token"}, {}, id="token-file-relative"),
    pytest.param({"server": HTTP}, {"tokenFile": "sub/missing"}, {}, id="token-file-missing"),
    pytest.param({"server": HTTP}, {"token": "", "tokenFile": "sub/token"}, {}, id="empty-token"),
    pytest.param(
        {"server": HTTP}, {"token": "t", "tokenFile": "sub/token"}, {}, id="token-beats-file"
    ),
    pytest.param(
        {"server": HTTP}, {"username": "admin", "password": "hunter2"}, {}, id="basic-auth"
    ),
    pytest.param(
        {"server": HTTP},
        {"username": "admin", "password": "hunter2", "token": "t"},
        {},
        id="token-beats-basic",
    ),
    pytest.param({"server": HTTP}, {"username": "admin"}, {}, id="username-only"),
    pytest.param(
        {"server": HTTPS, "certificate-authority": "sub/ca.crt"}, {"token": "t"}, {}, id="ca-file"
    ),
    pytest.param(
        {"server": HTTPS, "certificate-authority": "sub/nope.crt"},
        {"token": "t"},
        {},
        id="ca-file-missing",
    ),
    pytest.param(
        {"server": HTTPS, "certificate-authority-data": PEM}, {"token": "t"}, {}, id="ca-data"
    ),
    pytest.param(
        {"server": HTTPS, "certificate-authority-data": PEM, "certificate-authority": "x"},
        {},
        {},
        id="ca-data-beats-file",
    ),
    pytest.param(
        {"server": HTTPS, "certificate-authority-data": "", "certificate-authority": "x"},
        {},
        {},
        id="ca-data-empty",
    ),
    pytest.param(
        {"server": HTTP, "certificate-authority": "sub/nope.crt"},
        {"client-certificate": "nope"},
        {},
        id="http-ignores-tls-files",
    ),
    pytest.param(
        {"server": HTTPS},
        {"client-certificate": "sub/client.crt", "client-key": "sub/client.key"},
        {},
        id="client-cert-files",
    ),
    pytest.param(
        {"server": HTTPS},
        {"client-certificate-data": PEM, "client-key-data": PEM},
        {},
        id="client-cert-data",
    ),
    pytest.param(
        {"server": HTTPS},
        {"client-certificate": "sub/client.crt", "client-key": "sub/missing.key"},
        {},
        id="client-key-missing",
    ),
    pytest.param(
        {"server": HTTPS, "insecure-skip-tls-verify": True}, {"token": "t"}, {}, id="insecure"
    ),
    pytest.param(
        {"server": HTTPS, "insecure-skip-tls-verify": False}, {"token": "t"}, {}, id="secure"
    ),
    pytest.param(
        {"server": HTTPS, "tls-server-name": "api.internal"}, {}, {}, id="tls-server-name"
    ),
    pytest.param(
        {"server": HTTPS, "proxy-url": "http://proxy:3128", "extensions": []},
        {"as": "someone", "extensions": []},
        {},
        id="ignored-fields",
    ),
    pytest.param({"server": HTTPS, "certificate-authority-data": "%%%"}, {}, {}, id="bad-base64"),
    pytest.param({"server": HTTP}, {"token": None}, {}, id="token-null"),
    pytest.param({"server": HTTP}, {"token": 12345}, {}, id="token-number"),
    pytest.param(
        {"server": HTTPS, "certificate-authority-data": PEM},
        {"token": "from-file"},
        {"token": "from-flag", "namespace": "ops"},
        id="flag-token-namespace",
    ),
    pytest.param(
        {"server": HTTPS, "certificate-authority-data": PEM},
        {"client-certificate-data": PEM, "client-key-data": PEM},
        {"certificate_authority": "sub/ca.crt"},
        id="flag-ca",
    ),
    pytest.param(
        {"server": HTTPS, "certificate-authority": "sub/ca.crt"},
        {"token": "t"},
        {"insecure_skip_tls_verify": True},
        id="flag-insecure",
    ),
    pytest.param({"server": HTTPS}, {"token": "t"}, {"server": HTTP}, id="flag-server"),
]


def outcome(options: ConnectionOptions, tmp_path: Path) -> object:
    """The RestConfig (temp files replaced by their content, plus the header) or the error."""
    try:
        config = load_rest_config(options)
    except ConfigError as exc:
        return ("error", exc.message)

    def file_field(name: str | None) -> object:
        if name is None or Path(name).is_relative_to(tmp_path):
            return name
        return ("temporary file", Path(name).read_bytes(), os.stat(name).st_mode & 0o777)

    normal = replace(
        config,
        ca_file=file_field(config.ca_file),  # type: ignore[arg-type]
        cert_file=file_field(config.cert_file),  # type: ignore[arg-type]
        key_file=file_field(config.key_file),  # type: ignore[arg-type]
    )
    return (normal, config.authorization_header())


@pytest.mark.parametrize(("cluster", "user", "flags"), CASES)
def test_static_reader_matches_kubernetes_loader(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cluster: dict[str, Any],
    user: dict[str, Any] | None,
    flags: dict[str, Any],
) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    for name in ("token", "ca.crt", "client.crt", "client.key"):
        (sub / name).write_text(f"{name} content\n")
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc(cluster, user)))
    monkeypatch.chdir(tmp_path)  # flag paths are relative to the working directory
    options = ConnectionOptions(kubeconfig=str(path), **flags)

    static = outcome(options, tmp_path)
    monkeypatch.setattr(kubeconfig_module, "_FORCE_KUBERNETES_LOADER", True)
    loader = outcome(options, tmp_path)
    assert static == loader


@pytest.mark.parametrize("force_kubernetes_loader", [False, True], ids=["static", "kubernetes"])
def test_token_file_newline_is_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force_kubernetes_loader: bool
) -> None:
    """kubectl trims a token file ("tok\\n" is sent as "tok"); a newline in a header fails."""
    (tmp_path / "token").write_text("tok\n")
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc({"server": HTTP}, {"tokenFile": "token"})))
    monkeypatch.setattr(kubeconfig_module, "_FORCE_KUBERNETES_LOADER", force_kubernetes_loader)
    config = load_rest_config(ConnectionOptions(kubeconfig=str(path)))
    assert config.authorization_header() == "Bearer tok"


def test_merged_files_resolve_client_files_against_the_clusters_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files: the cluster in one directory, the user (with relative paths) in another."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        for name in ("client.crt", "client.key", "token"):
            (tmp_path / folder / name).write_text(f"{folder}/{name}")
    first = tmp_path / "a" / "config"
    first_doc = doc({"server": HTTPS}, None)
    first_doc["contexts"] = []
    first.write_text(yaml.safe_dump(first_doc))
    second = tmp_path / "b" / "config"
    second_doc = doc({"server": "https://ignored"}, None)
    second_doc["users"] = [
        {
            "name": "u",
            "user": {
                "client-certificate": "client.crt",
                "client-key": "client.key",
                "tokenFile": "token",
            },
        }
    ]
    second_doc["contexts"] = [{"name": "one", "context": {"cluster": "c", "user": "u"}}]
    second.write_text(yaml.safe_dump(second_doc))
    monkeypatch.setenv("KUBECONFIG", f"{first}{os.pathsep}{second}")
    static = load_rest_config(ConnectionOptions(context="one"))
    monkeypatch.setattr(kubeconfig_module, "_FORCE_KUBERNETES_LOADER", True)
    loader = load_rest_config(ConnectionOptions(context="one"))
    assert static == loader
    assert (static.cert_file, static.authorization) == (
        str(tmp_path / "a" / "client.crt"),
        "Bearer b/token",
    )


def test_token_kubeconfig_resolves_without_importing_kubernetes(sb: Any, tmp_path: Path) -> None:
    path = sb.write_kubeconfig(tmp_path / "kubeconfig", token="static-token")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-X", "importtime", "-m", "kmech", "--kubeconfig", str(path)]
    proc = subprocess.run(
        [*command, "resolve", "deploy", "--refresh", "--cache-dir", str(tmp_path / "cache")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "apps/v1" in proc.stdout or "deployments" in proc.stdout
    imported = re.findall(r"\|\s+(\S+)\s*$", proc.stderr, flags=re.MULTILINE)
    assert "kmech.transport.kubeconfig" in imported  # the check would see a kubernetes import
    assert [m for m in imported if m.split(".")[0] == "kubernetes"] == []
