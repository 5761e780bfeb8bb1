"""Context, cluster and user names, and the selected server, read from the kubeconfig for TAB.

Completion runs once per key press, so this module avoids what a full load costs: it never reads
credentials and never imports the ``kubernetes`` package. The files are merged by
:func:`kmech.transport.kubeconfig.merge_kubeconfigs` (kubectl's rule: the first file that sets a
name, or ``current-context``, wins), and the names and servers it needs are kept in a small
owner-only summary (``<cache-root>/kmech/kubeconfig/<hash>.json``, 0600 in 0700 directories)
that is valid while every source file keeps its size and mtime. A warm TAB therefore reads one
small JSON file and does not even import ``yaml``. The summary holds no token, key or password.

A broken kubeconfig offers nothing: completion never prints an error into the user's prompt.
"""

from __future__ import annotations

import os
import zlib

from kmech._files import kubeconfig_files
from kmech.completion.files import private_write, read_json

# typing is not imported on the completion path; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["KubeconfigSummary", "Selection", "kubeconfig_paths", "load_summary", "select"]

_SUMMARY_VERSION = 1


class Selection:
    """What the connection flags of the command line being completed select (no credentials).

    Read-only by convention; plain classes here because ``dataclasses`` costs a TAB ~5 ms.
    """

    __slots__ = ("server", "namespace", "context", "cluster", "user")

    def __init__(
        self,
        *,
        server: str = "",
        namespace: str = "",
        context: str = "",
        cluster: str = "",
        user: str = "",
    ) -> None:
        self.server = server
        self.namespace = namespace
        self.context = context
        self.cluster = cluster
        self.user = user


class KubeconfigSummary:
    """The names in the merged kubeconfig, in file order, and what each context points at:
    ``contexts`` maps a name to its ``cluster``, ``user`` and ``namespace``; ``clusters`` maps a
    name to its server URL."""

    __slots__ = ("current_context", "contexts", "clusters", "users")

    def __init__(
        self,
        *,
        current_context: str = "",
        contexts: dict[str, dict[str, str]] | None = None,
        clusters: dict[str, str] | None = None,
        users: tuple[str, ...] = (),
    ) -> None:
        self.current_context = current_context
        self.contexts = contexts or {}
        self.clusters = clusters or {}
        self.users = users

    def to_json(self) -> dict[str, Any]:
        return {
            "currentContext": self.current_context,
            "contexts": self.contexts,
            "clusters": self.clusters,
            "users": list(self.users),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> KubeconfigSummary:
        return cls(
            current_context=str(doc.get("currentContext", "")),
            contexts={str(k): dict(v) for k, v in dict(doc.get("contexts", {})).items()},
            clusters={str(k): str(v) for k, v in dict(doc.get("clusters", {})).items()},
            users=tuple(str(u) for u in doc.get("users", [])),
        )


def kubeconfig_paths(explicit: str | None) -> list[str]:
    """The kubeconfig files kubectl would merge (:func:`kmech._files.kubeconfig_files`): never
    raises, a missing ``--kubeconfig`` file yields no paths."""
    return kubeconfig_files(explicit)


def load_summary(paths: list[str], cache_root: str | None) -> KubeconfigSummary:
    """The merged summary of ``paths``; from the summary cache when the files did not change.

    ``cache_root`` ``None`` disables the summary cache. Unreadable or invalid files give an
    empty summary.
    """
    if not paths:
        return KubeconfigSummary()
    stamps = _stamps(paths)
    if stamps is None:
        return KubeconfigSummary()
    cache_file: str | None = None
    if cache_root is not None:
        # The key only spreads files out; the stamps inside decide whether an entry is valid.
        key = zlib.crc32("\0".join(os.path.abspath(p) for p in paths).encode())
        cache_file = os.path.join(cache_root, "kmech", "kubeconfig", f"{key:08x}.json")
        doc = read_json(cache_file)
        if (
            doc is not None
            and doc.get("version") == _SUMMARY_VERSION
            and doc.get("sources") == stamps
            and isinstance(doc.get("summary"), dict)
        ):
            return KubeconfigSummary.from_json(doc["summary"])
    summary = _summarize(paths)
    if summary is not None and cache_file is not None:
        private_write(
            cache_file,
            {"version": _SUMMARY_VERSION, "sources": stamps, "summary": summary.to_json()},
        )
    return summary or KubeconfigSummary()


def select(
    summary: KubeconfigSummary,
    *,
    context: str | None = None,
    cluster: str | None = None,
    user: str | None = None,
    server: str | None = None,
    namespace: str | None = None,
) -> Selection:
    """What kubectl would connect to for these flags (server and namespace; no credentials).

    Upstream: client-go ``tools/clientcmd/client_config.go`` (getContext, getClusterInfo:
    ``--cluster`` and ``--user`` replace the context's, ``--server`` replaces the cluster's).
    """
    context_name = context or summary.current_context
    ctx = summary.contexts.get(context_name, {})
    cluster_name = cluster or ctx.get("cluster", "")
    user_name = user or ctx.get("user", "")
    return Selection(
        server=server or summary.clusters.get(cluster_name, ""),
        namespace=namespace or ctx.get("namespace", "") or "default",
        context=context_name,
        cluster=cluster_name,
        user=user_name,
    )


def _stamps(paths: list[str]) -> list[list[Any]] | None:
    out: list[list[Any]] = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            return None
        out.append([os.path.abspath(p), st.st_mtime_ns, st.st_size])
    return out


def _summarize(paths: list[str]) -> KubeconfigSummary | None:
    from kmech.errors import KmechError
    from kmech.transport.kubeconfig import merge_kubeconfigs

    try:
        merged = merge_kubeconfigs(paths)
    except KmechError:
        return None
    contexts: dict[str, dict[str, str]] = {}
    for name, entry in merged.contexts.items():
        contexts[name] = {
            k: str(entry.value[k])
            for k in ("cluster", "user", "namespace")
            if isinstance(entry.value.get(k), str)
        }
    clusters = {
        name: str(entry.value.get("server", ""))
        for name, entry in merged.clusters.items()
        if isinstance(entry.value.get("server", ""), str)
    }
    return KubeconfigSummary(
        current_context=merged.current_context,
        contexts=contexts,
        clusters=clusters,
        users=tuple(merged.users),
    )
