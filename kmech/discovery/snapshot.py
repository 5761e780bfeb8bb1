"""Offline discovery from a saved folder: the fixture layout (``api.json``, ``apis.json``,
``resources/<group>_<version>.json``, optional ``aggregated_api.json``/``aggregated_apis.json``)
or a kubectl cache folder (``servergroups.json``, ``<group>/<version>/serverresources.json``).

When a fixture folder holds both forms the aggregated documents are used, as a kubectl 1.37
talking to that server would. The package ships one snapshot (:func:`packaged_snapshot_dir`),
used when no cluster is configured at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kmech._files import packaged_snapshot_path
from kmech.discovery.aggregated import split_groups_and_resources
from kmech.discovery.client import DiscoveryDocuments, order_resource_lists
from kmech.errors import UsageError
from kmech.mapper.load import has_legacy_layout, read_discovery_dir, read_json_file

if TYPE_CHECKING:
    from kmech.discovery.client import DiscoveryClient

__all__ = ["DirectoryDiscoveryClient", "load_discovery_folder", "packaged_snapshot_dir"]


def packaged_snapshot_dir() -> Path:
    """The discovery snapshot shipped inside the package (k3s 1.34)."""
    return Path(packaged_snapshot_path())


def _legacy_root(folder: Path) -> Path | None:
    """``folder`` when it holds a legacy layout, else its one child that is a kubectl cache
    host folder (so ``~/.kube/cache/discovery`` with one host works too)."""
    if has_legacy_layout(folder):
        return folder
    candidates = [d for d in folder.iterdir() if (d / "servergroups.json").is_file()]
    return candidates[0] if len(candidates) == 1 else None


def load_discovery_folder(
    folder: Path | str, *, prefer_aggregated: bool = True
) -> DiscoveryDocuments:
    """Read a saved discovery folder into :class:`DiscoveryDocuments`.

    The legacy layouts are read by :func:`kmech.mapper.load.read_discovery_dir`; each
    group-version whose file is missing becomes a failure, which ``kmech resolve`` reports as a
    warning, as for a group-version the server could not serve.

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
            split = split_groups_and_resources(read_json_file(path))
            groups.extend(split.groups)
            lists.update(split.resource_lists)
            failures.update(split.failed)
        group_list = {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        return DiscoveryDocuments(group_list, order_resource_lists(group_list, lists), failures)
    legacy = _legacy_root(root)
    if legacy is None:
        raise UsageError(
            f"--discovery {folder}: no apis.json, aggregated_apis.json or servergroups.json "
            "there; pass a fixture folder or a kubectl cache folder "
            "(~/.kube/cache/discovery/<host>)"
        )
    found = read_discovery_dir(legacy)
    failures = {
        gv: f"no file {relative} in the discovery folder" for gv, relative in found.missing.items()
    }
    return DiscoveryDocuments(found.group_list, found.resource_lists, failures)


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
