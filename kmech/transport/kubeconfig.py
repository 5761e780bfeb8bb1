"""Kubeconfig selection and loading: which server, as which user, with which TLS settings.

This module owns the step from kubectl's global flags (:class:`ConnectionOptions`) to one
:class:`RestConfig`. It follows kubectl's rules:

- files: ``--kubeconfig`` (must exist), else every existing file in ``KUBECONFIG`` (separated by
  ``os.pathsep``), else ``~/.kube/config``; several files are merged, and the first file that sets
  a value wins (a named cluster, context or user, and ``current-context``);
- ``--context`` picks the context, ``--cluster`` and ``--user`` replace the context's own;
  ``--server``, ``--token``, ``--certificate-authority`` and ``--insecure-skip-tls-verify`` replace
  what the kubeconfig says;
- no kubeconfig and no ``--server``: the in-cluster service account, when the process runs in a pod
  (``KUBERNETES_SERVICE_HOST``/``_PORT`` set; the token and CA paths can be moved with
  ``KMECH_INCLUSTER_TOKEN_FILE`` and ``KMECH_INCLUSTER_CA_FILE``, which tests use).

Credentials that need code to obtain (exec plugins, auth providers, the in-cluster token with
its refresh) are read by the ``kubernetes`` package's config loader (``KubeConfigLoader``,
``ExecProvider``, ``InClusterConfigLoader``), imported lazily here and nowhere else. Static
credentials (token, token file, basic auth, client certificate and key, CA, file or data) are
read here with the same rules as that loader, so the common case never pays the ~160 ms import
of the kubernetes package (it pulls in its typed client); a test runs both paths over a matrix
of kubeconfigs and compares the results.

Upstream: client-go ``tools/clientcmd/loader.go`` (ClientConfigLoadingRules.Load, the merge),
``tools/clientcmd/client_config.go`` (DirectClientConfig.ClientConfig, the overrides).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from kmech._files import kubeconfig_files
from kmech._record import field, record
from kmech.errors import ConfigError
from kmech.transport import _simple_yaml
from kmech.transport.options import ConnectionOptions

__all__ = ["RestConfig", "load_rest_config", "kubeconfig_paths", "merge_kubeconfigs", "NO_CLUSTER"]

NO_CLUSTER = "no cluster configured: set KUBECONFIG, pass --kubeconfig, or try `kmech sandbox`"

AuthProvider = Callable[[], "str | None"]


@record(frozen=True, slots=True)
class RestConfig:
    """Everything needed to talk to one API server as one user; immutable and safe to share.

    ``authorization`` is a fixed ``Authorization`` header value; ``auth_provider``, when set,
    returns the current value instead (exec plugins and in-cluster tokens that expire and are
    refreshed). Use :meth:`authorization_header`, never the fields. ``repr`` never shows them.
    """

    host: str
    namespace: str = "default"
    context: str = ""
    cluster: str = ""
    user: str = ""
    verify: bool = True
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    tls_server_name: str | None = None
    authorization: str | None = field(default=None, repr=False)
    auth_provider: AuthProvider | None = field(default=None, repr=False, compare=False)
    source: str = "kubeconfig"

    def authorization_header(self) -> str | None:
        """The ``Authorization`` header value to send now (refreshed if the source expires)."""
        if self.auth_provider is not None:
            return self.auth_provider()
        return self.authorization

    def __repr__(self) -> str:
        secret = "<redacted>" if (self.authorization or self.auth_provider) else None
        return (
            f"RestConfig(host={self.host!r}, namespace={self.namespace!r}, "
            f"context={self.context!r}, cluster={self.cluster!r}, user={self.user!r}, "
            f"verify={self.verify!r}, ca_file={self.ca_file!r}, cert_file={self.cert_file!r}, "
            f"key_file={self.key_file!r}, tls_server_name={self.tls_server_name!r}, "
            f"authorization={secret!r}, source={self.source!r})"
        )


def kubeconfig_paths(options: ConnectionOptions) -> list[str]:
    """The kubeconfig files to merge, in precedence order (only existing ones), with ``~``
    expanded; a file named twice in ``KUBECONFIG`` counts once
    (:func:`kmech._files.kubeconfig_files`).

    Raises ConfigError when ``--kubeconfig`` names a file that does not exist (kubectl fails
    there too, rather than silently using another file).
    """
    paths = kubeconfig_files(options.kubeconfig)
    if options.kubeconfig and not paths:
        raise ConfigError(
            f'kubeconfig "{options.kubeconfig}" does not exist: check the --kubeconfig path'
        )
    return paths


@record(slots=True)
class _Entry:
    """A named cluster, user or context with the file it came from (relative paths resolve there)."""

    name: str
    value: dict[str, Any]
    path: str


@record(slots=True)
class MergedKubeconfig:
    """Several kubeconfig files merged as kubectl does; entries remember their file."""

    current_context: str = ""
    clusters: dict[str, _Entry] = field(default_factory=dict)
    users: dict[str, _Entry] = field(default_factory=dict)
    contexts: dict[str, _Entry] = field(default_factory=dict)


_SECTIONS = (("clusters", "cluster"), ("users", "user"), ("contexts", "context"))


def merge_kubeconfigs(paths: Sequence[str | os.PathLike[str]]) -> MergedKubeconfig:
    """Merge files in order; the first file that sets a name (or ``current-context``) wins.

    Upstream: client-go ``tools/clientcmd/loader.go`` (Load: "the first file to set a particular
    map key wins and map key's value is never changed").
    """
    merged = MergedKubeconfig()
    for path in [os.fspath(p) for p in paths]:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as exc:
            raise ConfigError(f'cannot read kubeconfig "{path}": {exc.strerror}') from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f'kubeconfig "{path}" is not valid YAML: fix the file or point --kubeconfig elsewhere'
            ) from exc
        try:
            data = _simple_yaml.load(text)  # the common case, without importing PyYAML
        except _simple_yaml.Unsupported:
            data = _load_yaml(text, path)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ConfigError(f'kubeconfig "{path}" is not a kubeconfig document (expected a map)')
        if not merged.current_context and isinstance(data.get("current-context"), str):
            merged.current_context = data["current-context"]
        for section, inner in _SECTIONS:
            items = data.get(section) or []
            if not isinstance(items, list):
                raise ConfigError(f'kubeconfig "{path}": "{section}" must be a list')
            target: dict[str, _Entry] = getattr(merged, section)
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    raise ConfigError(
                        f'kubeconfig "{path}": every entry in "{section}" needs a name'
                    )
                value = item.get(inner) or {}
                if not isinstance(value, dict):
                    raise ConfigError(
                        f'kubeconfig "{path}": {inner} "{item["name"]}" must be a map'
                    )
                target.setdefault(item["name"], _Entry(item["name"], value, path))
    return merged


def _load_yaml(text: str, path: str) -> Any:
    import yaml

    try:
        # libyaml's loader when present: the pure-Python scanner costs ~15 ms per start-up.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise ConfigError(
            f'kubeconfig "{path}" is not valid YAML: fix the file or point --kubeconfig elsewhere'
        ) from exc


def load_rest_config(options: ConnectionOptions) -> RestConfig:
    """Resolve flags, kubeconfig files and in-cluster config into one :class:`RestConfig`.

    Raises ConfigError (exit 1) naming the way out: nothing configured, unknown context, cluster
    or user, unreadable files, a failing exec plugin.
    """
    paths = kubeconfig_paths(options)
    merged = merge_kubeconfigs(paths)
    if not paths or _is_empty(merged):
        if options.server:
            return _from_flags_only(options)
        if os.environ.get("KUBERNETES_SERVICE_HOST") and os.environ.get("KUBERNETES_SERVICE_PORT"):
            return _in_cluster(options)
        raise ConfigError(NO_CLUSTER)
    return _from_kubeconfig(merged, options)


def _is_empty(merged: MergedKubeconfig) -> bool:
    return not (merged.clusters or merged.contexts or merged.users)


def _from_flags_only(options: ConnectionOptions) -> RestConfig:
    assert options.server is not None
    return _finish(
        cluster_value={"server": options.server},
        cluster_path=None,
        user_value={},
        user_path=None,
        options=options,
        context_name="",
        cluster_name="",
        user_name="",
        namespace=options.namespace or "default",
    )


def _from_kubeconfig(merged: MergedKubeconfig, options: ConnectionOptions) -> RestConfig:
    context_name = options.context or merged.current_context
    context: dict[str, Any] = {}
    if context_name:
        entry = merged.contexts.get(context_name)
        if entry is None:
            known = ", ".join(sorted(merged.contexts)) or "none"
            how = "fix --context" if options.context else "run `kubectl config use-context`"
            raise ConfigError(
                f'context "{context_name}" does not exist in the kubeconfig (known: {known}): {how}'
            )
        context = entry.value
    elif not (options.cluster or options.server):
        known = ", ".join(sorted(merged.contexts)) or "none"
        raise ConfigError(
            f"the kubeconfig has no current context (known: {known}): pass --context, "
            "or run `kubectl config use-context`"
        )
    cluster_name = options.cluster or str(context.get("cluster") or "")
    user_name = options.user or str(context.get("user") or "")
    cluster_entry = merged.clusters.get(cluster_name) if cluster_name else None
    if cluster_entry is None and not options.server:
        raise ConfigError(
            f'cluster "{cluster_name}" does not exist in the kubeconfig: '
            "fix --cluster or the context, or pass --server"
            if cluster_name
            else f'context "{context_name}" names no cluster: pass --cluster or --server'
        )
    user_entry = merged.users.get(user_name) if user_name else None
    if user_name and user_entry is None and options.user:
        raise ConfigError(f'user "{user_name}" does not exist in the kubeconfig: fix --user')
    return _finish(
        cluster_value=cluster_entry.value if cluster_entry else {},
        cluster_path=cluster_entry.path if cluster_entry else None,
        user_value=user_entry.value if user_entry else {},
        user_path=user_entry.path if user_entry else None,
        options=options,
        context_name=context_name,
        cluster_name=cluster_name,
        user_name=user_name,
        namespace=options.namespace or str(context.get("namespace") or "") or "default",
    )


_USER_AUTH_KEYS = ("token", "tokenFile", "exec", "auth-provider", "username", "password")


def _finish(
    *,
    cluster_value: dict[str, Any],
    cluster_path: str | None,
    user_value: dict[str, Any],
    user_path: str | None,
    options: ConnectionOptions,
    context_name: str,
    cluster_name: str,
    user_name: str,
    namespace: str,
) -> RestConfig:
    """Apply the flag overrides, then let the kubernetes config loader read credentials and TLS."""
    import binascii
    import copy

    cluster = copy.deepcopy(cluster_value)
    user = copy.deepcopy(user_value)
    if options.server:
        cluster["server"] = options.server
    if options.certificate_authority:
        # kubectl: a CA file from the flags replaces any CA data in the kubeconfig.
        cluster.pop("certificate-authority-data", None)
        cluster["certificate-authority"] = os.path.realpath(options.certificate_authority)
    if options.insecure_skip_tls_verify:
        cluster["insecure-skip-tls-verify"] = True
        cluster.pop("certificate-authority-data", None)
        cluster.pop("certificate-authority", None)
    if options.token:
        for key in _USER_AUTH_KEYS:
            user.pop(key, None)
        user["token"] = options.token
    server = cluster.get("server")
    if not isinstance(server, str) or not server:
        raise ConfigError(
            f'cluster "{cluster_name}" has no server in the kubeconfig: pass --server'
        )
    _check_server_url(server)
    if options.certificate_authority and not os.path.isfile(options.certificate_authority):
        raise ConfigError(
            f'certificate authority file "{options.certificate_authority}" does not exist: '
            "check --certificate-authority"
        )
    exec_spec = user.pop("exec", None)
    origin = "flags" if not cluster_path and not context_name else "kubeconfig"
    if exec_spec is None and not _FORCE_KUBERNETES_LOADER:
        static = _load_static(
            cluster,
            cluster_path,
            user,
            user_path,
            identity={
                "namespace": namespace,
                "context": context_name,
                "cluster": cluster_name,
                "user": user_name,
                "source": origin,
            },
        )
        if static is not None:
            return static

    from kubernetes.client import Configuration
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import ConfigNode, KubeConfigLoader

    def node(name: str, inner: str, value: dict[str, Any], path: str | None) -> Any:
        return ConfigNode(f"{path or 'flags'}/{name}", {"name": name, inner: value}, path or None)

    root = ConfigNode(
        "kube-config",
        {
            "current-context": "kmech",
            "contexts": [{"name": "kmech", "context": {"cluster": "c", "user": "u"}}],
            "clusters": [node("c", "cluster", cluster, cluster_path)],
            "users": [node("u", "user", user, user_path)],
        },
    )
    configuration = Configuration()
    try:
        loader = KubeConfigLoader(config_dict=root, config_base_path=None)
        loader.load_and_set(configuration)
    except ConfigException as exc:
        raise ConfigError(f"kubeconfig: {_strip_secrets(str(exc))}") from exc
    except OSError as exc:
        raise ConfigError(f'kubeconfig: cannot read "{exc.filename}": {exc.strerror}') from exc
    except binascii.Error as exc:
        raise ConfigError(_BAD_BASE64) from exc

    authorization = configuration.api_key.get("BearerToken")
    if authorization is None and configuration.username:
        authorization = configuration.get_basic_auth_token()
    if authorization is not None:
        # kubectl sends "tok" for a token file holding "tok\n" (client-go trims the file, Go
        # trims header values); the kubernetes loader keeps the newline, which http.client
        # refuses in a header.
        authorization = authorization.strip()
    auth_provider: AuthProvider | None = None
    cert_file = configuration.cert_file
    key_file = configuration.key_file
    if exec_spec is not None and not options.token:
        base = os.path.dirname(user_path) if user_path else ""
        source = _ExecCredentialSource(exec_spec, base, cluster, user_name)
        first = source.credential()  # fail now, with a clear message, not later as a 401
        if first.cert_file:
            cert_file, key_file = first.cert_file, first.key_file
        else:
            auth_provider = source.authorization
    elif configuration.refresh_api_key_hook is not None and authorization is not None:
        hook_configuration = configuration

        def refreshed() -> str | None:
            value = hook_configuration.get_api_key_with_prefix("BearerToken")
            return str(value).strip() if value else None

        auth_provider = refreshed

    return RestConfig(
        host=str(configuration.host).rstrip("/"),
        namespace=namespace,
        context=context_name,
        cluster=cluster_name,
        user=user_name,
        verify=bool(configuration.verify_ssl),
        ca_file=configuration.ssl_ca_cert,
        cert_file=cert_file,
        key_file=key_file,
        tls_server_name=getattr(configuration, "tls_server_name", None),
        authorization=authorization,
        auth_provider=auth_provider,
        source=origin,
    )


# Tests set this to send every kubeconfig through the kubernetes package's loader, to check that
# the static path below gives the same RestConfig.
_FORCE_KUBERNETES_LOADER = False

_BAD_BASE64 = (
    "kubeconfig: certificate or key data is not valid base64: fix the *-data fields "
    "(or use the file fields)"
)

# Fields the static path reads; each must be a string (a bool for insecure-skip-tls-verify).
# Anything else (null, a number, a map) goes to the kubernetes loader, which reports it or
# copes with it exactly as before.
_STATIC_USER_FIELDS = (
    "token",
    "tokenFile",
    "username",
    "password",
    "client-certificate",
    "client-certificate-data",
    "client-key",
    "client-key-data",
)
_STATIC_CLUSTER_FIELDS = ("server", "certificate-authority", "certificate-authority-data")


def _load_static(
    cluster: dict[str, Any],
    cluster_path: str | None,
    user: dict[str, Any],
    user_path: str | None,
    identity: dict[str, Any],
) -> RestConfig | None:
    """Read static credentials and TLS settings as the kubernetes loader does, without it;
    ``identity`` holds the RestConfig fields that do not come from the cluster or user.

    Returns None when the user needs the kubernetes loader (an auth provider) or a field has a
    type the rules below do not cover. The rules copy ``KubeConfigLoader`` (kubernetes
    ``config/kube_config.py``): a token (``token`` wins over ``tokenFile``, even when empty),
    else basic auth when both ``username`` and ``password`` are set; for ``https`` servers only,
    CA, client certificate and key, each from ``*-data`` (base64, written to an owner-only
    temporary file) in preference to the file field; relative files resolve against the
    directory of the file that defined the cluster (the loader uses the cluster's file for the
    client certificate and key too) or of the user for ``tokenFile``.
    """
    import base64
    import binascii

    if "auth-provider" in user:
        return None
    if any(k in user and not isinstance(user[k], str) for k in _STATIC_USER_FIELDS):
        return None
    if any(k in cluster and not isinstance(cluster[k], str) for k in _STATIC_CLUSTER_FIELDS):
        return None
    if "insecure-skip-tls-verify" in cluster and not isinstance(
        cluster["insecure-skip-tls-verify"], bool
    ):
        return None
    if "tls-server-name" in cluster and not isinstance(cluster["tls-server-name"], str):
        return None

    authorization: str | None = None
    token: str | None = None
    if "token" in user:
        token = user["token"]
    elif "tokenFile" in user:
        token_path = os.path.normpath(os.path.join(_base_dir(user_path), user["tokenFile"]))
        try:
            with open(token_path) as fh:  # the locale's encoding, as the kubernetes loader
                token = fh.read()
        except OSError as exc:
            raise ConfigError(f'kubeconfig: cannot read "{exc.filename}": {exc.strerror}') from exc
    if token:
        authorization = f"Bearer {token}".strip()  # see the kubernetes path
    elif "username" in user and "password" in user:
        try:
            raw = f"{user['username']}:{user['password']}".encode("latin-1")
        except UnicodeEncodeError:
            return None
        authorization = f"Basic {base64.b64encode(raw).decode()}"

    host = cluster["server"].rstrip("/")
    ca_file = cert_file = key_file = None
    if host.startswith("https"):
        base = _base_dir(cluster_path)
        try:
            ca_file = _file_or_data(cluster, "certificate-authority", base)
            cert_file = _file_or_data(user, "client-certificate", base)
            key_file = _file_or_data(user, "client-key", base)
        except binascii.Error:
            return None  # the kubernetes path reports it (_BAD_BASE64)
    verify = True
    if "insecure-skip-tls-verify" in cluster:
        verify = not cluster["insecure-skip-tls-verify"]
    return RestConfig(
        host=host,
        verify=verify,
        ca_file=ca_file,
        cert_file=cert_file,
        key_file=key_file,
        tls_server_name=cluster.get("tls-server-name"),
        authorization=authorization,
        **identity,
    )


def _base_dir(path: str | None) -> str:
    return os.path.abspath(os.path.dirname(path)) if path is not None else ""


_data_files: dict[bytes, str] = {}


def _file_or_data(section: dict[str, Any], key: str, base: str) -> str | None:
    """The file holding ``key``: ``key-data`` decoded into a private file, else ``key`` resolved.

    Upstream: kubernetes ``config/kube_config.py`` (FileOrData.as_file): a present but empty
    ``-data`` field means no file, and the file field is then ignored.
    """
    import base64

    data_key = f"{key}-data"
    if data_key in section:
        data: str = section[data_key]
        if not data:
            return None
        content = base64.standard_b64decode(data.encode())
        name = _data_files.get(content)
        if name is None or not os.path.isfile(name):
            name = _data_files[content] = _private_file(content)
        return name
    if key not in section:
        return None
    name = os.path.normpath(os.path.join(base, section[key]))
    if not os.path.isfile(name):
        raise ConfigError(f"kubeconfig: File does not exist: {name}")
    return name


def _in_cluster(options: ConnectionOptions) -> RestConfig:
    """The pod's service account: token (re-read every minute) and CA from the standard paths."""
    from kubernetes.client import Configuration
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.incluster_config import (
        SERVICE_CERT_FILENAME,
        SERVICE_TOKEN_FILENAME,
        InClusterConfigLoader,
    )

    token_file = os.environ.get("KMECH_INCLUSTER_TOKEN_FILE", SERVICE_TOKEN_FILENAME)
    cert_file = os.environ.get("KMECH_INCLUSTER_CA_FILE", SERVICE_CERT_FILENAME)
    configuration = Configuration()
    try:
        InClusterConfigLoader(token_filename=token_file, cert_filename=cert_file).load_and_set(
            configuration
        )
    except ConfigException as exc:
        raise ConfigError(f"in-cluster config: {exc}; {NO_CLUSTER}") from exc
    namespace = options.namespace
    if not namespace:
        ns_file = os.path.join(os.path.dirname(token_file), "namespace")
        try:
            with open(ns_file, encoding="utf-8") as f:
                namespace = f.read().strip()
        except OSError:
            namespace = ""
    hook_configuration = configuration

    def refreshed() -> str | None:
        value = hook_configuration.get_api_key_with_prefix("BearerToken")
        return str(value) if value else None

    return RestConfig(
        host=str(configuration.host),
        namespace=namespace or "default",
        verify=True,
        ca_file=configuration.ssl_ca_cert,
        auth_provider=refreshed,
        source="in-cluster",
    )


@record(frozen=True, slots=True)
class _ExecCredential:
    authorization: str | None
    cert_file: str | None
    key_file: str | None
    expires_at: float | None  # epoch seconds


class _ExecCredentialSource:
    """Runs a kubeconfig exec plugin (through the kubernetes package's ExecProvider) and caches
    its credential until it expires. Failures raise ConfigError instead of being logged and
    swallowed (the kubernetes package's own loader does the latter, which surfaces as a 401)."""

    def __init__(self, spec: Any, base_path: str, cluster: dict[str, Any], user_name: str) -> None:
        self._spec = spec
        self._base_path = base_path
        self._cluster = cluster
        self._user_name = user_name
        self._lock = threading.Lock()
        self._cached: _ExecCredential | None = None

    def authorization(self) -> str | None:
        return self.credential().authorization

    def credential(self) -> _ExecCredential:
        import time

        with self._lock:
            cached = self._cached
            if cached is not None and (
                cached.expires_at is None or time.time() < cached.expires_at - 10
            ):
                return cached
            self._cached = self._run()
            return self._cached

    def _run(self) -> _ExecCredential:
        from kubernetes.config.config_exception import ConfigException
        from kubernetes.config.dateutil import parse_rfc3339
        from kubernetes.config.exec_provider import ExecProvider
        from kubernetes.config.kube_config import ConfigNode

        command = self._spec.get("command", "?") if isinstance(self._spec, dict) else "?"
        try:
            provider = ExecProvider(
                ConfigNode("exec", self._spec),
                self._base_path,
                ConfigNode("cluster", self._cluster),
            )
            status = provider.run()
        except ConfigException as exc:
            raise ConfigError(
                f'exec plugin "{command}" for user "{self._user_name}" failed: '
                f"{_strip_secrets(str(exc))}; check the plugin or log in again"
            ) from exc
        except OSError as exc:
            raise ConfigError(
                f'exec plugin "{command}" for user "{self._user_name}" could not run: '
                f"{exc.strerror}; install it or fix its path in the kubeconfig"
            ) from exc
        expires_at: float | None = None
        if isinstance(status, dict) and status.get("expirationTimestamp"):
            expires_at = parse_rfc3339(status["expirationTimestamp"]).timestamp()
        if isinstance(status, dict) and status.get("token"):
            return _ExecCredential(f"Bearer {status['token']}", None, None, expires_at)
        if (
            isinstance(status, dict)
            and status.get("clientCertificateData")
            and status.get("clientKeyData")
        ):
            cert = _private_file(str(status["clientCertificateData"]))
            key = _private_file(str(status["clientKeyData"]))
            return _ExecCredential(None, cert, key, expires_at)
        raise ConfigError(
            f'exec plugin "{command}" for user "{self._user_name}" returned neither a token '
            "nor a client certificate and key"
        )


def _private_file(content: str | bytes) -> str:
    """Write PEM material to an owner-only temporary file, removed at exit."""
    import atexit
    import tempfile  # here, not at the top: it imports shutil and random (start-up time)

    fd, name = tempfile.mkstemp(prefix="kmech-", suffix=".pem")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content.encode() if isinstance(content, str) else content)

    def remove() -> None:
        if os.path.exists(name):
            os.remove(name)

    atexit.register(remove)
    return name


def _strip_secrets(text: str) -> str:
    """Loader messages quote keys and paths, never values; cut anything after a token marker."""
    for marker in ("Bearer ", "bearer ", "Basic "):
        if marker in text:
            text = text.split(marker, 1)[0] + marker + "<redacted>"
    return text


def _check_server_url(server: str) -> None:
    """ConfigError when ``server`` has a port that is not a number from 0 to 65535 (kubectl:
    ``parse "...": invalid port``); everything else is left to the connection."""
    from urllib.parse import urlsplit

    try:
        _ = urlsplit(server).port
    except ValueError:
        raise ConfigError(
            f'server "{server}" has an invalid port: fix --server or the cluster in the kubeconfig'
        ) from None
