"""Namespace names for ``-n <TAB>``, from a small owner-only cache with a short TTL.

The cache holds one JSON file per server and user, ``<cache-root>/kmech/namespaces/<safe-host>/
<user>.json`` (0600 in 0700 directories), with the names and the time they were listed. Within
:data:`TTL_SECONDS` a TAB reads that file and nothing else. After it, one ``GET
/api/v1/namespaces`` with a 1 s timeout refreshes the file; when that fails (no server, no
permission, too slow) the expired list is still offered, and without any list nothing is.
The user is part of the key because two users of one server may see different namespaces.
"""

from __future__ import annotations

import os
import re
import time

from kmech.completion.files import private_write, read_json
from kmech.completion.resources import safe_host

# typing is not imported on the completion path; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["TTL_SECONDS", "REFRESH_TIMEOUT_SECONDS", "cache_file", "cached_namespaces", "store"]

TTL_SECONDS = 30.0
"""How long a listed set of namespaces is offered without asking the server again."""

REFRESH_TIMEOUT_SECONDS = 1.0
"""The one request that refreshes an expired list gives up after this long."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def cache_file(cache_root: str, server: str, user: str) -> str:
    """Where the namespaces seen by ``user`` on ``server`` are kept."""
    user_part = _UNSAFE.sub("_", user) or "_"
    host = safe_host(server).replace("/", "_") or "_"
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


def names_from_list(doc: dict[str, Any]) -> list[str]:
    """The names in a NamespaceList response."""
    out: list[str] = []
    for item in doc.get("items") or []:
        if isinstance(item, dict):
            name = (item.get("metadata") or {}).get("name")
            if isinstance(name, str):
                out.append(name)
    return sorted(out)
