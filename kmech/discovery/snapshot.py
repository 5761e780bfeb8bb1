"""Offline discovery from a saved folder: the fixture layout (``api.json``, ``apis.json``,
``resources/<group>_<version>.json``, optional ``aggregated_api.json``/``aggregated_apis.json``)
or a kubectl cache folder (``servergroups.json``, ``<group>/<version>/serverresources.json``).

When a fixture folder holds both forms the aggregated documents are used, as a kubectl 1.37
talking to that server would. The package ships one snapshot (:func:`packaged_snapshot_dir`),
used when no cluster is configured at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kmech._files import packaged_snapshot_path
from kmech.discovery.aggregated import split_groups_and_resources
from kmech.discovery.client import DiscoveryDocuments, order_resource_lists
from kmech.discovery.legacy import api_versions_to_group, group_versions
from kmech.errors import DiscoveryError, UsageError

if TYPE_CHECKING:
    from kmech.discovery.client import DiscoveryClient

__all__ = ["DirectoryDiscoveryClient", "load_discovery_folder", "packaged_snapshot_dir"]


def packaged_snapshot_dir() -> Path:
    """The discovery snapshot shipped inside the package (k3s 1.34)."""
    return Path(packaged_snapshot_path())


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise DiscoveryError(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise DiscoveryError(f"{path} is not valid JSON: {exc}") from exc


def _fixture_resource_file(folder: Path, gv: str) -> Path:
    group, _, version = gv.rpartition("/")
    return folder / "resources" / f"{group or 'core'}_{version}.json"


def _kubectl_cache_root(folder: Path) -> Path | None:
    if (folder / "servergroups.json").is_file():
        return folder
    candidates = [d for d in folder.iterdir() if (d / "servergroups.json").is_file()]
    return candidates[0] if len(candidates) == 1 else None


def load_discovery_folder(
    folder: Path | str, *, prefer_aggregated: bool = True
) -> DiscoveryDocuments:
    """Read a saved discovery folder into :class:`DiscoveryDocuments`.

    Raises UsageError when the folder is in neither layout, DiscoveryError when a file is
    unreadable or malformed.
    """
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise UsageError(f"--discovery {folder}: not a directory; pass a saved discovery folder")
    agg_api, agg_apis = root / "aggregated_api.json", root / "aggregated_apis.json"
    if prefer_aggregated and agg_apis.is_file():
        groups: list[dict[str, Any]] = []
        lists: dict[str, dict[str, Any]] = {}
        failures: dict[str, str] = {}
        for path in (agg_api, agg_apis):
            if not path.is_file():
                continue
            split = split_groups_and_resources(_read_json(path))
            groups.extend(split.groups)
            lists.update(split.resource_lists)
            failures.update(split.failed)
        group_list = {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        return DiscoveryDocuments(group_list, order_resource_lists(group_list, lists), failures)
    if (root / "apis.json").is_file():
        groups = []
        if (root / "api.json").is_file():
            core = api_versions_to_group(_read_json(root / "api.json"))
            if core is not None:
                groups.append(core)
        apis = _read_json(root / "apis.json")
        groups.extend(g for g in apis.get("groups") or [] if g.get("name") != "" or not groups)
        group_list = {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        lists, failures = {}, {}
        for gv in group_versions(group_list):
            path = _fixture_resource_file(root, gv)
            if path.is_file():
                lists[gv] = _read_json(path)
            else:
                failures[gv] = f"no file {path.relative_to(root)} in the discovery folder"
        return DiscoveryDocuments(group_list, lists, failures)
    cache_root = _kubectl_cache_root(root)
    if cache_root is not None:
        group_list = _read_json(cache_root / "servergroups.json")
        lists, failures = {}, {}
        for gv in group_versions(group_list):
            path = cache_root.joinpath(*gv.split("/"), "serverresources.json")
            if path.is_file():
                lists[gv] = _read_json(path)
            else:
                failures[gv] = f"no file {path.relative_to(cache_root)} in the cache folder"
        return DiscoveryDocuments(group_list, lists, failures)
    raise UsageError(
        f"--discovery {folder}: no apis.json, aggregated_apis.json or servergroups.json there; "
        "pass a fixture folder or a kubectl cache folder (~/.kube/cache/discovery/<host>)"
    )


class DirectoryDiscoveryClient:
    """A DiscoveryClient over a saved folder; always fresh (there is nothing to refetch)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._documents: DiscoveryDocuments | None = None

    def server_groups_and_resources(self) -> DiscoveryDocuments:
        if self._documents is None:
            self._documents = load_discovery_folder(self.folder)
        return self._documents

    def fresh(self) -> bool:
        return True

    def invalidate(self) -> None:
        self._documents = None


if TYPE_CHECKING:
    _check: DiscoveryClient = DirectoryDiscoveryClient(".")
