"""What discovery hands to the mapper, the DiscoveryClient protocol, and the live HTTP client.

The contract every discovery client keeps (``server_groups_and_resources``):

- ``group_list`` is an APIGroupList dict (kubectl's ``servergroups.json`` shape) with the core
  group first (``name: ""``), then the ``/apis`` groups in the server's order; versions in each
  group in the server's order (first = preferred unless ``preferredVersion`` says otherwise).
- ``resource_lists`` maps ``"v1"`` / ``"apps/v1"`` to APIResourceList dicts, ordered by group
  then version; a group-version that failed is absent.
- ``failures`` maps each failed or stale group-version to a one-line reason. Failures are not
  errors: the rest still resolves, and the caller reports one warning per group-version.

Upstream: client-go ``discovery/discovery_client.go`` (GroupsAndMaybeResources, downloadLegacy,
downloadAPIs, ServerGroupsAndResources) and ``discovery/cached/memory/memcache.go``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from kmech._lazy import logger
from kmech.discovery.aggregated import (
    ACCEPT_DISCOVERY,
    aggregated_version,
    split_groups_and_resources,
)
from kmech.discovery.legacy import (
    MAX_PARALLEL_FETCHES,
    api_versions_to_group,
    fetch_resource_lists,
    group_versions,
    resource_list_path,
)
from kmech.errors import DiscoveryError, ForbiddenError, MalformedResponseError, NotFoundError

if TYPE_CHECKING:
    from kmech.transport.client import Response

__all__ = [
    "DiscoveryDocuments",
    "DiscoveryClient",
    "Requester",
    "HTTPDiscoveryClient",
    "order_resource_lists",
]


class DiscoveryDocuments(NamedTuple):
    """Discovery in legacy shapes: ``(group_list, resource_lists, failures)``; see the module
    docstring for the ordering guarantees. Treat the dicts as read-only."""

    group_list: dict[str, Any]
    resource_lists: dict[str, dict[str, Any]]
    failures: dict[str, str]


class DiscoveryClient(Protocol):
    """A source of discovery documents that can say whether it may be out of date."""

    def server_groups_and_resources(self) -> DiscoveryDocuments:
        """Every group and every group-version's resources (partial on failure)."""
        ...

    def fresh(self) -> bool:
        """False when the answer came (partly) from a cache this process did not fill, so a miss
        might be cured by :meth:`invalidate` and a second look."""
        ...

    def invalidate(self) -> None:
        """Forget cached answers; the next call goes back to the source."""
        ...


class Requester(Protocol):
    """The part of :class:`kmech.transport.client.RESTClient` discovery uses."""

    @property
    def server(self) -> str: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        raise_for_status: bool = True,
    ) -> Response: ...


def order_resource_lists(
    group_list: Mapping[str, Any], lists: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``lists`` re-keyed in discovery order (group order, then version order); lists whose
    group-version the group list does not name are dropped."""
    return {gv: lists[gv] for gv in group_versions(group_list) if gv in lists}


class HTTPDiscoveryClient:
    """Live discovery over HTTP, held in memory until :meth:`invalidate`.

    One refresh asks ``/api`` and ``/apis`` for aggregated discovery (kubectl 1.37's Accept
    header); when both answer in aggregated form the resources come from those two documents,
    otherwise every group-version is fetched in parallel. Thread-safe.

    ``on_progress(done, total)`` hears about every refresh's group-versions: per completed
    fetch on the legacy path (see :func:`~kmech.discovery.legacy.fetch_resource_lists`), and a
    single ``(total, total)`` when aggregated discovery brought them all at once.
    ``on_resource_list(gv, doc)`` receives each legacy APIResourceList in the thread that
    fetched it, as it arrives (a disk cache writes it there; see
    :meth:`~kmech.discovery.disk_cache.DiskCache.write_resources`).
    """

    def __init__(
        self,
        requester: Requester,
        *,
        max_workers: int = MAX_PARALLEL_FETCHES,
        on_progress: Callable[[int, int], None] | None = None,
        on_resource_list: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self._requester = requester
        self._max_workers = max_workers
        self._on_progress = on_progress
        self._on_resource_list = on_resource_list
        self._lock = threading.Lock()
        self._documents: DiscoveryDocuments | None = None
        self.aggregated: bool | None = None
        """Whether the last refresh used aggregated discovery (``None`` before the first)."""

    @property
    def server(self) -> str:
        return self._requester.server

    def fresh(self) -> bool:
        return True

    def invalidate(self) -> None:
        with self._lock:
            self._documents = None

    def server_groups(self) -> dict[str, Any]:
        """The APIGroupList (core first)."""
        return self.server_groups_and_resources().group_list

    def server_resources_for_group_version(self, group_version: str) -> dict[str, Any]:
        """One group-version's APIResourceList; raises DiscoveryError naming the failure."""
        docs = self.server_groups_and_resources()
        found = docs.resource_lists.get(group_version)
        if found is not None:
            return found
        reason = docs.failures.get(group_version, f"Got empty response for: {group_version}")
        raise DiscoveryError(f"couldn't get resource list for {group_version}: {reason}")

    def server_groups_and_resources(self) -> DiscoveryDocuments:
        with self._lock:
            if self._documents is None:
                self._documents = self._refresh()
            return self._documents

    # -- one refresh -----------------------------------------------------------------------

    def _get_discovery(self, path: str, *, tolerate_missing: bool) -> tuple[Any, str | None]:
        """The decoded body of ``path`` and its aggregated version (``None`` for legacy)."""
        try:
            response = self._requester.request("GET", path, headers={"Accept": ACCEPT_DISCOVERY})
        except (NotFoundError, ForbiddenError):
            # client-go treats 404/403 on /api as "no core group" (very old servers).
            if tolerate_missing:
                return None, None
            raise
        version = aggregated_version(response.headers.get("content-type"))
        return response.json(), version

    def _refresh(self) -> DiscoveryDocuments:
        # /api and /apis do not depend on each other: ask both at once, one round trip instead
        # of client-go's two. Errors keep client-go's order: /api's first.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="discovery /api") as pool:
            core = pool.submit(self._get_discovery, "/api", tolerate_missing=True)
            try:
                apis_doc, apis_agg = self._get_discovery("/apis", tolerate_missing=False)
            except Exception:
                core.result()  # /api's error, if it had one, comes first
                raise
            core_doc, core_agg = core.result()
        if apis_agg is not None and (core_agg is not None or core_doc is None):
            self.aggregated = True
            return self._from_aggregated(core_doc, apis_doc)
        self.aggregated = False
        return self._from_legacy(core_doc, core_agg, apis_doc)

    def _from_aggregated(self, core_doc: Any, apis_doc: Any) -> DiscoveryDocuments:
        groups: list[dict[str, Any]] = []
        lists: dict[str, dict[str, Any]] = {}
        failures: dict[str, str] = {}
        for doc, is_core in ((core_doc, True), (apis_doc, False)):
            if doc is None:
                continue
            split = split_groups_and_resources(doc)
            for group in split.groups:
                # As client-go: the core group is kept only when it has a version; /apis groups
                # are kept even when every version was stale.
                if not is_core or group["versions"]:
                    groups.append(group)
            lists.update(split.resource_lists)
            failures.update(split.failed)
        groups = _core_first(groups)
        group_list = {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        if self._on_progress is not None:
            total = len(group_versions(group_list))
            self._on_progress(total, total)
        return DiscoveryDocuments(group_list, order_resource_lists(group_list, lists), failures)

    def _from_legacy(
        self, core_doc: Any, core_agg: str | None, apis_doc: Any
    ) -> DiscoveryDocuments:
        groups: list[dict[str, Any]] = []
        if core_doc is not None:
            if core_agg is not None:
                # /api spoke aggregated but /apis did not: take the core group's versions only.
                core_groups = split_groups_and_resources(core_doc).groups
                groups.extend(g for g in core_groups if g["versions"])
            else:
                if not isinstance(core_doc, dict) or not _is_strings(core_doc.get("versions")):
                    raise MalformedResponseError("GET /api did not return an APIVersions object")
                core = api_versions_to_group(core_doc)
                if core is not None:
                    groups.append(core)
        for g in _api_groups(apis_doc):
            groups.append(
                {
                    "name": g.get("name", ""),
                    "versions": list(g.get("versions") or []),
                    "preferredVersion": g.get("preferredVersion")
                    or {"groupVersion": "", "version": ""},
                }
            )
        group_list = {"kind": "APIGroupList", "apiVersion": "v1", "groups": _core_first(groups)}

        def get_json(path: str) -> Any:
            return self._requester.request("GET", path).json()

        lists, failures = fetch_resource_lists(
            get_json,
            group_versions(group_list),
            max_workers=self._max_workers,
            on_progress=self._on_progress,
            on_document=self._on_resource_list,
        )
        for gv, reason in failures.items():
            logger(__name__).debug("GET %s failed: %s", resource_list_path(gv), reason)
        return DiscoveryDocuments(group_list, lists, failures)


def _is_strings(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _api_groups(doc: Any) -> list[dict[str, Any]]:
    """The groups of a legacy ``/apis`` document, each checked for the fields discovery reads;
    MalformedResponseError naming the first bad group otherwise (Go's decoder fails the whole
    document on a wrong type)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("groups") or [], list):
        raise MalformedResponseError("GET /apis did not return an APIGroupList object")
    groups: list[dict[str, Any]] = doc.get("groups") or []
    for i, g in enumerate(groups):
        ok = (
            isinstance(g, dict)
            and isinstance(g.get("name", ""), str)
            and isinstance(g.get("versions") or [], list)
            and all(isinstance(v, dict) for v in g.get("versions") or [])
            and isinstance(g.get("preferredVersion") or {}, dict)
        )
        if not ok:
            raise MalformedResponseError(
                f"GET /apis did not return an APIGroupList object: group #{i} is malformed"
            )
    return groups


def _core_first(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    core = [g for g in groups if g.get("name") == ""]
    rest = [g for g in groups if g.get("name") != ""]
    return core[:1] + rest


if TYPE_CHECKING:
    _check: DiscoveryClient = HTTPDiscoveryClient(None)  # type: ignore[arg-type]
