"""Legacy (per-group-version) discovery: the shapes of ``/api`` and ``/apis`` and the parallel
fetch of every group-version's APIResourceList.

A group-version that fails is left out of the result and reported with the text client-go's
memory cache logs (``couldn't get resource list for <gv>: <reason>``, built by the caller from the
reason returned here); an empty list counts as a failure (``Got empty response for: <gv>``), as in
client-go. Results keep discovery order (group order, then version order), whatever order the
requests finish in.

Upstream: client-go ``discovery/discovery_client.go`` (downloadLegacy, apiVersionsToAPIGroup,
fetchGroupVersionResources, ServerResourcesForGroupVersion) and
``discovery/cached/memory/memcache.go`` (refreshLocked, serverResourcesForGroupVersion).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kmech.errors import APIStatusError, KmechError

__all__ = [
    "MAX_PARALLEL_FETCHES",
    "api_versions_to_group",
    "group_versions",
    "resource_list_path",
    "fetch_resource_lists",
    "failure_reason",
]

MAX_PARALLEL_FETCHES = 128
"""Upper bound on concurrent per-group-version requests (client-go starts one goroutine per
group-version; the transport's QPS limit, 50/300 burst in kubectl, bounds it there). High enough
that a typical cluster's group-versions all overlap in one round trip, as kubectl's do (with 32,
a 70-group-version cluster took three rounds); the transport's pool keeps as many connections."""

_STATUS_REASONS = {
    400: "the server rejected our request for an unknown reason",
    401: "Unauthorized",
    403: "forbidden",
    404: "the server could not find the requested resource",
    405: "the server does not allow this method on the requested resource",
    429: "the server has received too many requests and has asked us to try again later",
    500: "an error on the server has prevented the request from succeeding",
    503: "the server is currently unable to handle the request",
    504: "the server was unable to return a response in the time allotted, but may still be processing the request",
}


def api_versions_to_group(api_versions: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core group (``name: ""``) built from an ``/api`` APIVersions document; preferred is the
    first version. ``None`` when the document lists no versions."""
    versions = [str(v) for v in api_versions.get("versions") or []]
    if not versions:
        return None
    entries = [{"groupVersion": v, "version": v} for v in versions]
    return {"name": "", "versions": entries, "preferredVersion": dict(entries[0])}


def group_versions(group_list: Mapping[str, Any]) -> list[str]:
    """Every group-version string of an APIGroupList, in group order then listed version order."""
    out: list[str] = []
    for group in group_list.get("groups") or []:
        for v in group.get("versions") or []:
            gv = v.get("groupVersion") or _join(group.get("name") or "", v.get("version") or "")
            out.append(str(gv))
    return out


def _join(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def resource_list_path(group_version: str) -> str:
    """``/api/v1`` for a core version, ``/apis/<group>/<version>`` otherwise."""
    if "/" in group_version:
        return "/apis/" + group_version
    return "/api/" + group_version


def failure_reason(exc: BaseException) -> str:
    """The reason text for a failed group-version, as client-go's StatusError prints it."""
    if isinstance(exc, APIStatusError):
        return exc.status.message or _STATUS_REASONS.get(exc.status.code, str(exc))
    if isinstance(exc, KmechError):
        return exc.message
    return str(exc)


def fetch_resource_lists(
    get_json: Callable[[str], Any],
    gvs: Iterable[str],
    *,
    max_workers: int = MAX_PARALLEL_FETCHES,
    on_progress: Callable[[int, int], None] | None = None,
    on_document: Callable[[str, dict[str, Any]], None] | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Fetch every group-version's APIResourceList in parallel.

    ``get_json(path)`` performs one GET and raises a KmechError on failure. Returns the lists in
    the order of ``gvs`` and the failed group-versions with their reasons. Only KmechErrors count
    as a group-version failure; anything else is a bug and propagates.

    ``on_progress(done, total)``, when given, is called with ``(0, total)`` before the first
    request and once more each time a group-version completes (fetched or failed), from the
    worker threads but serialised, so ``done`` strictly increases and ends at ``total``.

    ``on_document(gv, doc)``, when given, receives each good APIResourceList in the worker
    thread that fetched it, as soon as it arrives (client-go writes its disk cache there too, so
    the writes overlap the requests still in flight).
    """
    ordered = list(dict.fromkeys(gvs))
    results: dict[str, dict[str, Any]] = {}
    failures: dict[str, str] = {}
    if not ordered:
        return results, failures
    total = len(ordered)
    done = 0
    done_lock = threading.Lock()

    def report() -> None:
        nonlocal done
        if on_progress is None:
            return
        with done_lock:
            done += 1
            on_progress(done, total)

    def one(gv: str) -> tuple[str, dict[str, Any] | None, str | None]:
        try:
            return fetch_one(gv)
        finally:
            report()

    def fetch_one(gv: str) -> tuple[str, dict[str, Any] | None, str | None]:
        try:
            doc = get_json(resource_list_path(gv))
        except KmechError as exc:
            if isinstance(exc, APIStatusError) and exc.status.code == 404 and gv == "v1":
                return gv, None, f"Got empty response for: {gv}"
            return gv, None, failure_reason(exc)
        if not isinstance(doc, dict) or not isinstance(doc.get("resources") or [], list):
            return gv, None, f"malformed APIResourceList for {gv}"
        if not doc.get("resources"):
            return gv, None, f"Got empty response for: {gv}"
        if on_document is not None:
            on_document(gv, doc)
        return gv, doc, None

    if on_progress is not None:
        on_progress(0, total)
    workers = max(1, min(max_workers, len(ordered)))
    if workers == 1:
        outcomes = [one(gv) for gv in ordered]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="discovery") as pool:
            outcomes = list(pool.map(one, ordered))
    for gv, doc, err in outcomes:
        if doc is not None:
            results[gv] = doc
        elif err is not None:
            failures[gv] = err
    return results, failures
