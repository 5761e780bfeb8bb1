"""Namespace names for ``-n <TAB>``, from a small owner-only cache with a short TTL.

The cache holds one JSON file per server and user, ``<cache-root>/kmech/namespaces/<safe-host>/
<user>.json`` (0600 in 0700 directories), with the names and the time they were listed. Within
:data:`TTL_SECONDS` a TAB reads that file and nothing else. After it, one ``GET
/api/v1/namespaces`` with a 1 s timeout refreshes the file; when that fails (no server, no
permission, too slow) the expired list is still offered, and without any list nothing is.
The user is part of the key because two users of one server may see different namespaces.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kmech.completion.files import private_write, read_json
from kmech.completion.resources import safe_host

__all__ = ["TTL_SECONDS", "REFRESH_TIMEOUT_SECONDS", "cache_file", "cached_namespaces", "store"]

TTL_SECONDS = 30.0
"""How long a listed set of namespaces is offered without asking the server again."""

REFRESH_TIMEOUT_SECONDS = 1.0
"""The one request that refreshes an expired list gives up after this long."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def cache_file(cache_root: Path, server: str, user: str) -> Path:
    """Where the namespaces seen by ``user`` on ``server`` are kept."""
    user_part = _UNSAFE.sub("_", user) or "_"
    return cache_root / "kmech" / "namespaces" / (safe_host(server) or "_") / f"{user_part}.json"


def cached_namespaces(
    path: Path, *, wall_clock: Callable[[], float] = time.time
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


def store(path: Path, names: list[str], *, wall_clock: Callable[[], float] = time.time) -> None:
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
