"""Kubeconfig selection, merging and overrides, read through the kubernetes package's loader."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kmech.errors import ConfigError
from kmech.transport.kubeconfig import NO_CLUSTER, RestConfig, load_rest_config
from kmech.transport.options import ConnectionOptions


def write_config(
    path: Path,
    *,
    current: str | None = "one",
    clusters: dict[str, dict[str, Any]] | None = None,
    users: dict[str, dict[str, Any]] | None = None,
    contexts: dict[str, dict[str, Any]] | None = None,
) -> Path:
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": n, "cluster": c} for n, c in (clusters or {}).items()],
        "users": [{"name": n, "user": u} for n, u in (users or {}).items()],
        "contexts": [{"name": n, "context": c} for n, c in (contexts or {}).items()],
    }
    if current is not None:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    first = write_config(
        tmp_path / "first.yaml",
        current="one",
        clusters={"c1": {"server": "https://first.example:6443"}},
        users={"u1": {"token": "first-token"}},
        contexts={"one": {"cluster": "c1", "user": "u1", "namespace": "shop"}},
    )
    second = write_config(
        tmp_path / "second.yaml",
        current="two",
        clusters={
            "c1": {"server": "https://second.example:6443"},
            "c2": {"server": "https://two.example:6443"},
        },
        users={"u2": {"token": "second-token"}},
        contexts={"two": {"cluster": "c2", "user": "u2"}},
    )
    return first, second


def load(**kwargs: Any) -> RestConfig:
    return load_rest_config(ConnectionOptions(**kwargs))


def test_kubeconfig_env_merges_files_first_wins(
    two_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, second = two_files
    missing = tmp_path / "missing.yaml"
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(missing), str(first), str(second)]))
    config = load()
    assert (config.host, config.context, config.namespace) == (
        "https://first.example:6443",
        "one",
        "shop",
    )
    assert config.authorization_header() == "Bearer first-token"


def test_context_from_second_file_uses_first_files_cluster_of_same_name(
    two_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_files
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(second), str(first)]))
    config = load(context="one")
    # "c1" is defined by both files; the first file in KUBECONFIG (second.yaml) wins.
    assert config.host == "https://second.example:6443"
    assert config.authorization_header() == "Bearer first-token"
    assert load().context == "two"


def test_default_location_is_home_kube_config(two_files: tuple[Path, Path]) -> None:
    first, _ = two_files
    target = Path.home() / ".kube" / "config"
    target.parent.mkdir(parents=True)
    target.write_text(first.read_text())
    assert load().host == "https://first.example:6443"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, ("https://first.example:6443", "shop"), id="context-namespace"),
        pytest.param(
            {"namespace": "kube-system"},
            ("https://first.example:6443", "kube-system"),
            id="flag-namespace",
        ),
        pytest.param(
            {"server": "https://other:443"}, ("https://other:443", "shop"), id="server-override"
        ),
        pytest.param(
            {"context": "two"},
            ("https://two.example:6443", "default"),
            id="context-without-namespace",
        ),
        pytest.param(
            {"cluster": "c2"}, ("https://two.example:6443", "shop"), id="cluster-override"
        ),
    ],
)
def test_overrides(
    two_files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    kwargs: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(str(p) for p in two_files))
    config = load(**kwargs)
    assert (config.host, config.namespace) == expected


def test_user_and_token_overrides(
    two_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(str(p) for p in two_files))
    assert load(user="u2").authorization_header() == "Bearer second-token"
    assert load(token="flag-token").authorization_header() == "Bearer flag-token"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"context": "nope"},
            'context "nope" does not exist in the kubeconfig (known: one, two): fix --context',
            id="unknown-context",
        ),
        pytest.param(
            {"cluster": "nope"},
            'cluster "nope" does not exist in the kubeconfig: fix --cluster or the context, or pass --server',
            id="unknown-cluster",
        ),
        pytest.param(
            {"user": "nope"},
            'user "nope" does not exist in the kubeconfig: fix --user',
            id="unknown-user",
        ),
    ],
)
def test_unknown_names(
    two_files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(str(p) for p in two_files))
    with pytest.raises(ConfigError) as info:
        load(**kwargs)
    assert info.value.message == message
    assert info.value.exit_code == 1


def test_current_context_missing_from_file(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "c.yaml",
        current="gone",
        clusters={"c": {"server": "https://x"}},
        contexts={"ctx": {"cluster": "c"}},
    )
    with pytest.raises(ConfigError) as info:
        load(kubeconfig=str(path))
    assert info.value.message == (
        'context "gone" does not exist in the kubeconfig (known: ctx): '
        "run `kubectl config use-context`"
    )


def test_no_current_context(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "c.yaml",
        current=None,
        clusters={"c": {"server": "https://x"}},
        contexts={"ctx": {"cluster": "c"}},
    )
    with pytest.raises(ConfigError) as info:
        load(kubeconfig=str(path))
    assert info.value.message == (
        "the kubeconfig has no current context (known: ctx): pass --context, "
        "or run `kubectl config use-context`"
    )


def test_missing_kubeconfig_flag_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(kubeconfig=str(tmp_path / "nope.yaml"))
    assert (
        info.value.message
        == f'kubeconfig "{tmp_path / "nope.yaml"}" does not exist: check the --kubeconfig path'
    )


def test_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("clusters: [\n")
    with pytest.raises(ConfigError) as info:
        load(kubeconfig=str(path))
    assert info.value.message == (
        f'kubeconfig "{path}" is not valid YAML: fix the file or point --kubeconfig elsewhere'
    )


@pytest.mark.parametrize(
    "kubeconfig_env",
    [
        pytest.param(None, id="unset"),
        pytest.param("/nonexistent/a:/nonexistent/b", id="only-missing-files"),
    ],
)
def test_nothing_configured(monkeypatch: pytest.MonkeyPatch, kubeconfig_env: str | None) -> None:
    if kubeconfig_env:
        monkeypatch.setenv("KUBECONFIG", kubeconfig_env)
    with pytest.raises(ConfigError) as info:
        load()
    assert info.value.message == NO_CLUSTER
    assert (
        NO_CLUSTER
        == "no cluster configured: set KUBECONFIG, pass --kubeconfig, or try `kmech sandbox`"
    )


def test_server_and_token_flags_need_no_kubeconfig() -> None:
    config = load(server="http://127.0.0.1:8080", token="t0k")
    assert (config.host, config.namespace, config.source) == (
        "http://127.0.0.1:8080",
        "default",
        "flags",
    )
    assert config.authorization_header() == "Bearer t0k"


def test_relative_paths_resolve_against_their_own_file(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "token.txt").write_text("file-token")
    (sub / "ca.crt").write_text("not really a cert")
    path = write_config(
        sub / "config",
        clusters={"c": {"server": "https://x:6443", "certificate-authority": "ca.crt"}},
        users={"u": {"tokenFile": "token.txt"}},
        contexts={"one": {"cluster": "c", "user": "u"}},
    )
    config = load(kubeconfig=str(path))
    assert config.ca_file == str(sub / "ca.crt")
    assert config.authorization_header() == "Bearer file-token"


def test_insecure_and_ca_flags(tmp_path: Path, two_files: tuple[Path, Path]) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    first, _ = two_files
    config = load(kubeconfig=str(first), certificate_authority=str(ca))
    assert (config.verify, config.ca_file) == (True, str(ca))
    insecure = load(kubeconfig=str(first), insecure_skip_tls_verify=True)
    assert (insecure.verify, insecure.ca_file) == (False, None)
    with pytest.raises(ConfigError) as info:
        load(kubeconfig=str(first), certificate_authority=str(tmp_path / "nope.pem"))
    assert info.value.message == (
        f'certificate authority file "{tmp_path / "nope.pem"}" does not exist: check --certificate-authority'
    )


def test_basic_auth(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "c",
        clusters={"c": {"server": "http://x"}},
        users={"u": {"username": "admin", "password": "hunter2"}},
        contexts={"one": {"cluster": "c", "user": "u"}},
    )
    assert load(kubeconfig=str(path)).authorization_header() == "Basic YWRtaW46aHVudGVyMg=="


def exec_plugin(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "plugin.py"
    script.write_text(body)
    return script


def test_exec_plugin_token_is_cached(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    script = exec_plugin(
        tmp_path,
        "import json, pathlib\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',"
        " 'status': {'token': 'exec-token-%d' % n}}))\n",
    )
    path = write_config(
        tmp_path / "c",
        clusters={"c": {"server": "http://x"}},
        users={
            "u": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "command": sys.executable,
                    "args": [str(script)],
                }
            }
        },
        contexts={"one": {"cluster": "c", "user": "u"}},
    )
    config = load(kubeconfig=str(path))
    assert config.authorization_header() == "Bearer exec-token-1"
    assert config.authorization_header() == "Bearer exec-token-1"
    assert "exec-token" not in repr(config)


def test_exec_plugin_failure_names_plugin_and_way_out(tmp_path: Path) -> None:
    script = exec_plugin(tmp_path, "import sys\nsys.stderr.write('login expired')\nsys.exit(3)\n")
    path = write_config(
        tmp_path / "c",
        clusters={"c": {"server": "http://x"}},
        users={
            "u": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "command": sys.executable,
                    "args": [str(script)],
                }
            }
        },
        contexts={"one": {"cluster": "c", "user": "u"}},
    )
    with pytest.raises(ConfigError) as info:
        load(kubeconfig=str(path))
    assert info.value.message == (
        f'exec plugin "{sys.executable}" for user "u" failed: exec: process returned 3. login expired; '
        "check the plugin or log in again"
    )


def test_exec_plugin_missing_binary(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "c",
        clusters={"c": {"server": "http://x"}},
        users={
            "u": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "command": "kmech-no-such-plugin",
                }
            }
        },
        contexts={"one": {"cluster": "c", "user": "u"}},
    )
    with pytest.raises(ConfigError) as info:
        load(kubeconfig=str(path))
    assert info.value.message == (
        'exec plugin "kmech-no-such-plugin" for user "u" could not run: No such file or directory; '
        "install it or fix its path in the kubeconfig"
    )


def test_in_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "sa"
    secrets.mkdir()
    (secrets / "token").write_text("sa-token")
    (secrets / "ca.crt").write_text("ca")
    (secrets / "namespace").write_text("shop\n")
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    monkeypatch.setenv("KMECH_INCLUSTER_TOKEN_FILE", str(secrets / "token"))
    monkeypatch.setenv("KMECH_INCLUSTER_CA_FILE", str(secrets / "ca.crt"))
    config = load()
    assert (config.host, config.namespace, config.ca_file, config.source) == (
        "https://10.0.0.1:443",
        "shop",
        str(secrets / "ca.crt"),
        "in-cluster",
    )
    assert config.authorization_header() == "bearer sa-token"


def test_repr_redacts_credentials() -> None:
    config = load(server="http://x", token="very-secret")
    assert "very-secret" not in repr(config)
    assert "authorization='<redacted>'" in repr(config)
    assert "very-secret" not in repr(ConnectionOptions(token="very-secret"))


def test_client_certificate_data_is_written_owner_only(tmp_path: Path) -> None:
    import base64

    pem = base64.b64encode(b"-----BEGIN CERTIFICATE-----\n").decode()
    path = write_config(
        tmp_path / "c",
        clusters={"c": {"server": "https://x"}},
        users={"u": {"client-certificate-data": pem, "client-key-data": pem}},
        contexts={"one": {"cluster": "c", "user": "u"}},
    )
    config = load(kubeconfig=str(path))
    assert config.cert_file and config.key_file
    assert stat.S_IMODE(os.stat(config.key_file).st_mode) == 0o600


@pytest.mark.parametrize("server", ["https://127.0.0.1:abc", "https://10.0.0.1:99999"])
def test_server_with_an_invalid_port_is_a_config_error(tmp_path: Path, server: str) -> None:
    path = write_config(
        tmp_path / "config",
        clusters={"c": {"server": server}},
        users={"u": {}},
        contexts={"one": {"cluster": "c", "user": "u"}},
    )
    with pytest.raises(ConfigError) as info:
        load_rest_config(ConnectionOptions(kubeconfig=str(path)))
    assert info.value.message == (
        f'server "{server}" has an invalid port: fix --server or the cluster in the kubeconfig'
    )
