"""Resource names for TAB, read straight from kubectl's discovery disk cache.

For each API group the resources of every served version are offered, the preferred version
winning a name (as ``kubectl api-resources`` lists them), subresources left out. Each resource
is offered as its plural name, as ``plural.group`` (non-core groups) and by its short names; a
plain plural that two groups serve is offered once. The description is the kind and the
group-version (``Deployment (apps/v1)``), which zsh and fish show beside the name.

Warm cache (every file younger than kubectl's 6 h TTL): two dozen small JSON reads, no network,
no import beyond ``json``. Cold or expired cache: one discovery through
:mod:`kmech.discovery` with a 1 s request timeout, which writes the cache for the next TAB (and
for kubectl); when that fails, an expired cache is still better than nothing, and no cache
offers nothing.

The layout matches :mod:`kmech.discovery.disk_cache` (a test pins :func:`safe_host` to it); this
module reads the files itself because importing the discovery package costs more than a TAB may.

Upstream: kubectl ``pkg/cmd/util/completion.go`` (compGetResourceList: ``api-resources -o name
--cached``), cli-runtime ``pkg/genericclioptions/config_flags.go`` (computeDiscoverCacheDir).
"""

from __future__ import annotations

import os
import re
import time

from kmech._files import packaged_snapshot_path
from kmech.completion.candidate import Candidate
from kmech.completion.files import read_json

# typing is not imported on the completion path; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = [
    "CACHE_TTL_SECONDS",
    "ResourceEntry",
    "safe_host",
    "host_dir_name",
    "discovery_dir",
    "read_cached_resources",
    "read_discovery_folder",
    "packaged_snapshot_dir",
    "resource_candidates",
]

CACHE_TTL_SECONDS = 6 * 60 * 60
"""kubectl's discovery cache TTL, the same as :data:`kmech.discovery.disk_cache.DEFAULT_TTL_SECONDS`."""

_ILLEGAL_FILE_CHARACTERS = re.compile(r"[^()A-Za-z0-9_/.]")


class ResourceEntry:
    """One resource of one group, at the version that wins it (read-only by convention; not a
    dataclass because importing ``dataclasses`` costs a TAB about 5 ms)."""

    __slots__ = ("name", "group", "version", "kind", "short_names", "verbs")

    def __init__(
        self,
        *,
        name: str,
        group: str,
        version: str,
        kind: str,
        short_names: tuple[str, ...],
        verbs: tuple[str, ...],
    ) -> None:
        self.name = name
        self.group = group
        self.version = version
        self.kind = kind
        self.short_names = short_names
        self.verbs = verbs

    def __repr__(self) -> str:
        return f"ResourceEntry({self.name!r}, group={self.group!r}, version={self.version!r})"

    @property
    def description(self) -> str:
        gv = f"{self.group}/{self.version}" if self.group else self.version
        return f"{self.kind} ({gv})"


def safe_host(host: str) -> str:
    """kubectl's cache directory name for a server URL (``https://10.0.0.1:6443`` →
    ``10.0.0.1_6443``); identical to :func:`kmech.discovery.disk_cache.safe_host`."""
    schemeless = host.replace("https://", "", 1).replace("http://", "", 1)
    safe = _ILLEGAL_FILE_CHARACTERS.sub("_", schemeless)
    cleaned = os.path.normpath(safe) if safe else ""
    return "" if cleaned == "." else cleaned


def host_dir_name(server: str) -> str:
    """:func:`safe_host` as a single directory name for kmech's own caches: a URL path's ``/``
    becomes ``_``, and no host gives ``_``."""
    return safe_host(server).replace("/", "_") or "_"


def discovery_dir(cache_root: str, server: str) -> str:
    """``<cache_root>/discovery/<safe_host(server)>``."""
    name = safe_host(server)
    base = os.path.join(cache_root, "discovery")
    return os.path.join(base, name) if name else base


def read_cached_resources(
    directory: str,
    *,
    ttl_seconds: float = CACHE_TTL_SECONDS,
    wall_clock: Callable[[], float] = time.time,
) -> tuple[list[ResourceEntry], bool] | None:
    """The cached resources and whether every file was within the TTL; ``None`` without a
    readable ``servergroups.json``. Group-versions whose file is missing are skipped."""
    groups_file = os.path.join(directory, "servergroups.json")
    now = wall_clock()
    fresh = _fresh(groups_file, now, ttl_seconds)
    if fresh is None:
        return None
    doc = read_json(groups_file)
    if doc is None or not isinstance(doc.get("groups"), list):
        return None
    entries: list[ResourceEntry] = []
    for group in doc["groups"]:
        if not isinstance(group, dict):
            continue
        name = str(group.get("name", ""))
        for version, gv in _versions_preferred_first(group):
            path = os.path.join(directory, *gv.split("/"), "serverresources.json")
            file_fresh = _fresh(path, now, ttl_seconds)
            if file_fresh is None:
                continue
            fresh = fresh and file_fresh
            rlist = read_json(path)
            if rlist is None:
                continue
            entries.extend(_entries(rlist, name, version))
    return _first_per_group(entries), fresh


def packaged_snapshot_dir() -> str:
    """The discovery snapshot inside the package, which ``kmech resolve`` uses without a cluster
    (the same folder as :func:`kmech.discovery.snapshot.packaged_snapshot_dir`)."""
    return packaged_snapshot_path()


def read_discovery_folder(folder: str) -> list[ResourceEntry]:
    """The resources in a saved discovery folder (``--discovery DIR``): the fixture layout
    (``apis.json`` and ``resources/<group>_<version>.json``) or kubectl's cache layout
    (``servergroups.json``), whatever the files' age. Unreadable parts are skipped."""
    folder = os.path.expanduser(folder)
    if os.path.isfile(os.path.join(folder, "servergroups.json")):
        found = read_cached_resources(folder, ttl_seconds=float("inf"))
        return found[0] if found else []
    doc = read_json(os.path.join(folder, "apis.json")) or {}
    groups = [g for g in doc.get("groups") or [] if isinstance(g, dict)]
    core = {"name": "", "versions": [{"groupVersion": "v1", "version": "v1"}]}
    entries: list[ResourceEntry] = []
    for group in [core, *groups]:
        name = str(group.get("name", ""))
        for version, _gv in _versions_preferred_first(group):
            path = os.path.join(folder, "resources", f"{name or 'core'}_{version}.json")
            rlist = read_json(path)
            if rlist is not None:
                entries.extend(_entries(rlist, name, version))
    return _first_per_group(entries)


def resource_candidates(
    entries: list[ResourceEntry], *, verb: str | None = None
) -> list[Candidate]:
    """Names, ``name.group`` forms and short names for ``entries``, sorted, each once.

    ``verb`` keeps only resources that support it (``watch`` for ``kmech watch``).
    """
    seen: dict[str, Candidate] = {}
    for e in entries:
        if verb is not None and verb not in e.verbs:
            continue
        desc = e.description
        forms = [e.name]
        if e.group:
            forms.append(f"{e.name}.{e.group}")
        forms.extend(e.short_names)
        for form in forms:
            seen.setdefault(form, Candidate(form, desc))
    return [seen[k] for k in sorted(seen)]


def _fresh(path: str, now: float, ttl_seconds: float) -> bool | None:
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    return now <= mtime + ttl_seconds


def _versions_preferred_first(group: dict[str, Any]) -> list[tuple[str, str]]:
    versions: list[tuple[str, str]] = []
    for v in group.get("versions") or []:
        if isinstance(v, dict) and isinstance(v.get("version"), str):
            gv = v.get("groupVersion") or v["version"]
            versions.append((v["version"], str(gv)))
    preferred = group.get("preferredVersion")
    if isinstance(preferred, dict):
        pv = preferred.get("version")
        versions.sort(key=lambda item: item[0] != pv)
    return versions


def _entries(rlist: dict[str, Any], group: str, version: str) -> list[ResourceEntry]:
    out: list[ResourceEntry] = []
    for r in rlist.get("resources") or []:
        if not isinstance(r, dict):
            continue
        name = r.get("name")
        if not isinstance(name, str) or not name or "/" in name:
            continue
        out.append(
            ResourceEntry(
                name=name,
                group=group,
                version=version,
                kind=str(r.get("kind", "")),
                short_names=tuple(str(s) for s in r.get("shortNames") or ()),
                verbs=tuple(str(v) for v in r.get("verbs") or ()),
            )
        )
    return out


def _first_per_group(entries: list[ResourceEntry]) -> list[ResourceEntry]:
    seen: set[tuple[str, str]] = set()
    out: list[ResourceEntry] = []
    for e in entries:
        key = (e.group, e.name)
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out
