"""File-system rules shared by every layer, with nothing but :mod:`os` imported.

Completion answers a TAB in a fresh process and resolve starts in ~30 ms, so these live where
the cheapest caller can import them: which kubeconfig files kubectl merges, how kmech creates
its owner-only cache directories, and where the packaged discovery snapshot is.
"""

from __future__ import annotations

import os

# typing is not imported at run time here; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["kubeconfig_files", "make_private_dirs", "packaged_snapshot_path"]

_SNAPSHOT = "discovery-k3s-1.34"


def kubeconfig_files(explicit: str | None, environ: Mapping[str, str] | None = None) -> list[str]:
    """The kubeconfig files kubectl merges, in precedence order, existing files only, with
    ``~`` expanded: ``--kubeconfig`` alone when given, else every file in ``KUBECONFIG`` (a file
    named twice counts once), else ``~/.kube/config``. Never raises: a missing ``--kubeconfig``
    file gives ``[]`` (callers that must fail on it check ``explicit`` themselves).

    Upstream: client-go ``tools/clientcmd/loader.go`` (ClientConfigLoadingRules).
    """
    env = os.environ if environ is None else environ
    if explicit:
        path = os.path.expanduser(explicit)
        return [path] if os.path.isfile(path) else []
    value = env.get("KUBECONFIG", "")
    if value:
        seen: set[str] = set()
        paths: list[str] = []
        for part in value.split(os.pathsep):
            if not part:
                continue
            path = os.path.expanduser(part)
            key = os.path.normpath(path)
            if key in seen or not os.path.isfile(path):
                continue
            seen.add(key)
            paths.append(path)
        return paths
    default = os.path.join(os.path.expanduser("~"), ".kube", "config")
    return [default] if os.path.isfile(default) else []


def make_private_dirs(directory: str) -> None:
    """Create ``directory`` (relative to the working directory if not absolute) and any missing
    parents with mode 0700; existing ones are kept as they are. Raises OSError."""
    missing: list[str] = []
    d = os.path.abspath(directory)
    while not os.path.exists(d):
        missing.append(d)
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    for m in reversed(missing):
        try:
            os.mkdir(m, 0o700)
        except FileExistsError:
            pass


def packaged_snapshot_path() -> str:
    """The discovery snapshot shipped inside the package (k3s 1.34, fixture layout)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data", _SNAPSHOT)
