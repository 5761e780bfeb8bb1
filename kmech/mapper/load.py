"""Read legacy discovery documents from a folder (the mapper's only file-system access).

Two layouts are understood:

* **fixture folder** (``kmech/_data/discovery-*``, ``shared/fixtures/discovery/*``):
  ``api.json`` (APIVersions, optional), ``apis.json`` (APIGroupList) and
  ``resources/<group>_<version>.json``, with ``resources/core_<version>.json`` for core.
* **kubectl disk cache** (``~/.kube/cache/discovery/<host>/``): ``servergroups.json``
  (APIGroupList including the core group) and ``<group>/<version>/serverresources.json``, with
  ``<version>/serverresources.json`` for core.

Both produce ``(group_list, resource_lists)`` for :func:`kmech.mapper.build_rest_mapper`, the
core group first. Missing per-group-version files are simply absent (the mapper skips them);
:func:`read_discovery_dir` also says which they were, for callers that warn about them
(``kmech resolve --discovery`` does, through :mod:`kmech.discovery.snapshot`).

Raises DiscoveryError naming the file for anything unreadable, not JSON or not the document
it should be.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from kmech._files import packaged_snapshot_path
from kmech.errors import DiscoveryError
from kmech.mapper.discovery_mapper import DiscoveryRESTMapper, build_rest_mapper

__all__ = [
    "DiscoveryFolder",
    "bundled_snapshot_dir",
    "load_discovery_dir",
    "load_rest_mapper",
    "has_legacy_layout",
    "read_discovery_dir",
    "read_json_file",
]


class DiscoveryFolder(NamedTuple):
    """What :func:`read_discovery_dir` found: the APIGroupList (core group first), each
    group-version's APIResourceList that has a file, and for each that has none the file's
    path relative to the folder."""

    group_list: dict[str, Any]
    resource_lists: dict[str, Any]
    missing: dict[str, str]


def bundled_snapshot_dir() -> Path:
    """The discovery snapshot shipped with kmech (k3s 1.34, fixture layout)."""
    return Path(packaged_snapshot_path())


def read_json_file(path: Path) -> Any:
    """The JSON document in ``path``; DiscoveryError naming the file if unreadable or not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DiscoveryError(f"cannot read discovery file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DiscoveryError(f"discovery file {path} is not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DiscoveryError(
            f"discovery file {path} is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from exc


def _group_versions(group_list: Any, path: Path) -> list[tuple[str, str]]:
    if not isinstance(group_list, dict) or not isinstance(group_list.get("groups", []), list):
        raise DiscoveryError(f"discovery file {path} is not an APIGroupList")
    pairs: list[tuple[str, str]] = []
    for group in group_list.get("groups") or []:
        if not isinstance(group, dict):
            raise DiscoveryError(f"discovery file {path} has a group that is not an object")
        name = group.get("name", "")
        versions = group.get("versions") or []
        if not isinstance(name, str) or not isinstance(versions, list):
            raise DiscoveryError(f"discovery file {path} has a malformed group entry")
        for entry in versions:
            version = entry.get("version") if isinstance(entry, dict) else None
            if not isinstance(version, str) or not version:
                raise DiscoveryError(
                    f"discovery file {path}: group {name!r} has a version without a name"
                )
            pairs.append((name, version))
    return pairs


def _load_fixture_layout(folder: Path) -> DiscoveryFolder:
    group_list = read_json_file(folder / "apis.json")
    if not isinstance(group_list, dict):
        raise DiscoveryError(f"discovery file {folder / 'apis.json'} is not an APIGroupList")
    groups = list(group_list.get("groups") or [])
    api_path = folder / "api.json"
    core_versions: list[str] = ["v1"] if (folder / "resources" / "core_v1.json").is_file() else []
    if api_path.is_file():
        api = read_json_file(api_path)
        versions = api.get("versions") if isinstance(api, dict) else None
        if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
            raise DiscoveryError(f"discovery file {api_path} is not an APIVersions document")
        core_versions = list(versions)
    if core_versions and not any(isinstance(g, dict) and g.get("name") == "" for g in groups):
        core = {
            "name": "",
            "versions": [{"groupVersion": v, "version": v} for v in core_versions],
            "preferredVersion": {"groupVersion": core_versions[0], "version": core_versions[0]},
        }
        groups.insert(0, core)
    merged = {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    found = DiscoveryFolder(merged, {}, {})
    for group, version in _group_versions(merged, folder / "apis.json"):
        gv = f"{group}/{version}" if group else version
        _read_resource_list(
            found, gv, folder, Path("resources", f"{group or 'core'}_{version}.json")
        )
    return found


def _load_cache_layout(folder: Path) -> DiscoveryFolder:
    path = folder / "servergroups.json"
    found = DiscoveryFolder(read_json_file(path), {}, {})
    for group, version in _group_versions(found.group_list, path):
        gv = f"{group}/{version}" if group else version
        _read_resource_list(found, gv, folder, Path(*gv.split("/"), "serverresources.json"))
    return found


def _read_resource_list(found: DiscoveryFolder, gv: str, folder: Path, relative: Path) -> None:
    path = folder / relative
    if path.is_file():
        found.resource_lists[gv] = read_json_file(path)
    else:
        found.missing[gv] = relative.as_posix()


def has_legacy_layout(folder: Path) -> bool:
    """Whether ``folder`` holds a kubectl cache (``servergroups.json``) or a fixture folder
    (``apis.json``): what :func:`read_discovery_dir` reads."""
    return (folder / "servergroups.json").is_file() or (folder / "apis.json").is_file()


def read_discovery_dir(path: str | Path) -> DiscoveryFolder:
    """Read a fixture folder or a kubectl discovery-cache folder, and say which group-versions'
    files are missing.

    Raises:
        DiscoveryError: the folder has neither layout, or a file is unreadable, not JSON, or
            not the document it should be.
    """
    folder = Path(path).expanduser()
    if (folder / "servergroups.json").is_file():
        return _load_cache_layout(folder)
    if (folder / "apis.json").is_file():
        return _load_fixture_layout(folder)
    raise DiscoveryError(
        f"{folder} holds no discovery data: expected servergroups.json (kubectl cache) "
        "or apis.json (fixture folder)"
    )


def load_discovery_dir(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a fixture folder or a kubectl discovery-cache folder.

    Returns ``(group_list, resource_lists)`` ready for :func:`build_rest_mapper`; group-versions
    whose files are missing are left out.

    Raises:
        DiscoveryError: the folder has neither layout, or a file is unreadable / not JSON.
    """
    found = read_discovery_dir(path)
    return found.group_list, found.resource_lists


def load_rest_mapper(path: str | Path) -> DiscoveryRESTMapper:
    """``build_rest_mapper(*load_discovery_dir(path))`` in one call."""
    return build_rest_mapper(*load_discovery_dir(path))
