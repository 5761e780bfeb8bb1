"""Namespace names for ``-n <TAB>``, from a small owner-only cache with a short TTL.

The cache holds one JSON file per server and user, ``<cache-root>/kmech/namespaces/<safe-host>/
<user>.json`` (0600 in 0700 directories), with the names and the time they were listed. Within
:data:`TTL_SECONDS` a TAB reads that file and nothing else. After it, the expired names are
still offered and one ``GET /api/v1/namespaces`` with a 1 s timeout refreshes the file behind
the TAB (see :func:`kmech.completion.sources.namespaces`); without any list the first TAB waits
for that request, and when it fails (no server, no permission, too slow) nothing is offered.
The user is part of the key because two users of one server may see different namespaces.
"""

from __future__ import annotations

import os
import re
import time

from kmech.completion.files import private_write, read_json
from kmech.completion.resources import host_dir_name

# typing is not imported on the completion path; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = [
    "TTL_SECONDS",
    "REFRESH_TIMEOUT_SECONDS",
    "cache_file",
    "cached_namespaces",
    "store",
    "claim_refresh",
    "release_refresh",
    "names_from_list",
]

TTL_SECONDS = 30.0
"""How long a listed set of namespaces is offered without asking the server again."""

REFRESH_TIMEOUT_SECONDS = 1.0
"""The one request that refreshes an expired list gives up after this long."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def cache_file(cache_root: str, server: str, user: str) -> str:
    """Where the namespaces seen by ``user`` on ``server`` are kept."""
    user_part = _UNSAFE.sub("_", user) or "_"
    host = host_dir_name(server)
    return os.path.join(cache_root, "kmech", "namespaces", host, f"{user_part}.json")


def cached_namespaces(
    path: str, *, wall_clock: Callable[[], float] = time.time
) -> tuple[list[str], bool] | None:
    """The cached names and whether they are within the TTL; ``None`` without a cache."""
    doc = read_json(path)
    if doc is None:
        return None
    names = doc.get("namespaces")
    listed_at = doc.get("listedAt")
    if not isinstance(names, list) or not isinstance(listed_at, (int, float)):
        return None
    age = wall_clock() - float(listed_at)
    return [str(n) for n in names], 0 <= age <= TTL_SECONDS


def store(path: str, names: list[str], *, wall_clock: Callable[[], float] = time.time) -> None:
    """Remember ``names`` as listed now."""
    private_write(path, {"listedAt": wall_clock(), "namespaces": sorted(names)})


CLAIM_SECONDS = 10.0
"""A refresh claimed longer ago than this is presumed dead and may be claimed again."""


def claim_refresh(path: str, *, wall_clock: Callable[[], float] = time.time) -> bool:
    """Claim the right to refresh ``path``; ``False`` while another refresh holds it.

    The claim is a marker file beside the cache (created exclusively), released by
    :func:`release_refresh` or ignored after :data:`CLAIM_SECONDS`.
    """
    marker = path + ".refreshing"
    for _ in range(2):
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            try:
                age = wall_clock() - os.stat(marker).st_mtime
            except OSError:
                continue
            if age <= CLAIM_SECONDS:
                return False
            release_refresh(path)
            continue
        except OSError:
            return False
        os.close(fd)
        return True
    return False


def release_refresh(path: str) -> None:
    """Drop the claim taken by :func:`claim_refresh` (no error if there is none)."""
    try:
        os.unlink(path + ".refreshing")
    except OSError:
        pass


def names_from_list(doc: dict[str, Any]) -> list[str]:
    """The names in a NamespaceList response."""
    out: list[str] = []
    for item in doc.get("items") or []:
        if isinstance(item, dict):
            name = (item.get("metadata") or {}).get("name")
            if isinstance(name, str):
                out.append(name)
    return sorted(out)
