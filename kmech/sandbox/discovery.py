"""Discovery documents served from a snapshot folder, and the resource table they define.

A folder has the layout of ``shared/fixtures/discovery/<cluster>`` (see its README): ``api.json``,
``apis.json``, ``resources/<group>_<version>.json`` (``core_v1.json`` for ``/api/v1``),
``version.json`` and, optionally, ``aggregated_api.json``/``aggregated_apis.json``. Which
resources the sandbox serves, their kind, scope and verbs, all come from these documents.

Negotiation follows kube-apiserver: ``GET /api`` and ``GET /apis`` answer the aggregated form
(``apidiscovery.k8s.io`` v2 or v2beta1, whichever the Accept header names first) with a matching
Content-Type, else the legacy form. A folder without aggregated files answers the legacy form
to every Accept header, as a server older than 1.26 does, unless ``generate_aggregated`` asks
to build aggregated documents from the legacy ones.

Upstream: kubernetes ``staging/src/k8s.io/apiserver/pkg/endpoints/discovery/aggregated/
handler.go`` (ServeHTTP, content negotiation); client-go ``discovery/aggregated_discovery.go``
(the mapping between the two forms, used backwards here).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kmech._files import packaged_snapshot_path
from kmech.errors import SandboxError

__all__ = [
    "AGGREGATED_CONTENT_TYPES",
    "DiscoveryDocs",
    "MediaRange",
    "ResourceInfo",
    "default_discovery_dir",
    "parse_accept",
]

AGGREGATED_CONTENT_TYPES = {
    "v2": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    "v2beta1": "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
}


def default_discovery_dir() -> Path:
    """The snapshot shipped inside the package (k3s 1.34 with some CRDs)."""
    return Path(packaged_snapshot_path())


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One entry of an Accept header: ``type/subtype`` plus parameters (lower-case keys)."""

    type: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str:
        """A parameter's value, or ""."""
        for key, value in self.params:
            if key == name:
                return value
        return ""

    @property
    def is_json(self) -> bool:
        """``application/json``, ``application/*`` or ``*/*``."""
        return self.type in ("application/json", "application/*", "*/*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges in preference order (``q`` descending, then header order)."""
    if not header:
        return [MediaRange("*/*")]
    ranges: list[tuple[float, int, MediaRange]] = []
    for idx, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        params: list[tuple[str, str]] = []
        q = 1.0
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            key = key.strip().lower()
            value = value.strip().strip('"')
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
            elif key:
                params.append((key, value))
        ranges.append((-q, idx, MediaRange(pieces[0].lower(), tuple(params))))
    ranges.sort(key=lambda t: (t[0], t[1]))
    return [r for q, _, r in ranges if q < 0]


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """One served resource of one group-version (subresources listed by name)."""

    group: str
    version: str
    resource: str
    kind: str
    namespaced: bool
    verbs: frozenset[str]
    singular: str
    short_names: tuple[str, ...]
    subresources: frozenset[str]

    @property
    def api_version(self) -> str:
        """``v1`` for core, else ``group/version``."""
        return f"{self.group}/{self.version}" if self.group else self.version


class DiscoveryDocs:
    """Pre-encoded discovery responses plus the resource table, loaded once from a folder."""

    def __init__(
        self, folder: Path | str | None = None, *, generate_aggregated: bool = False
    ) -> None:
        self.folder = Path(folder) if folder is not None else default_discovery_dir()
        if not (self.folder / "api.json").is_file() or not (self.folder / "apis.json").is_file():
            raise SandboxError(
                f"{self.folder} is not a discovery folder (api.json and apis.json are required); "
                "pass --discovery with a folder laid out like shared/fixtures/discovery/k3s-1.34"
            )
        try:
            self.api = _load(self.folder / "api.json")
            self.apis = _load(self.folder / "apis.json")
            version_file = self.folder / "version.json"
            self.version = _load(version_file) if version_file.is_file() else _default_version()
            self.resource_lists: dict[str, dict[str, Any]] = {}
            for gv in self._group_versions():
                group, _, version = gv.rpartition("/")
                name = f"{group or 'core'}_{version}.json"
                path = self.folder / "resources" / name
                if path.is_file():
                    self.resource_lists[gv] = _load(path)
            agg_api = self.folder / "aggregated_api.json"
            agg_apis = self.folder / "aggregated_apis.json"
            self.aggregated: tuple[dict[str, Any], dict[str, Any]] | None = None
            if agg_api.is_file() and agg_apis.is_file():
                self.aggregated = (_load(agg_api), _load(agg_apis))
        except (OSError, ValueError) as exc:
            raise SandboxError(f"cannot read discovery folder {self.folder}: {exc}") from exc
        if self.aggregated is None and generate_aggregated:
            self.aggregated = self._generate_aggregated()
        self._resources: dict[tuple[str, str, str], ResourceInfo] = {}
        self._index_resources()
        self._encoded: dict[str, bytes] = {}

    # ------------------------------------------------------------------ loading

    def _group_versions(self) -> list[str]:
        out: list[str] = list(self.api.get("versions") or [])
        for group in self.apis.get("groups") or []:
            for v in group.get("versions") or []:
                out.append(v["groupVersion"])
        return out

    def _index_resources(self) -> None:
        for gv, doc in self.resource_lists.items():
            group, _, version = gv.rpartition("/")
            subs: dict[str, set[str]] = {}
            for res in doc.get("resources") or []:
                name = res.get("name") or ""
                if "/" in name:
                    parent, _, sub = name.partition("/")
                    subs.setdefault(parent, set()).add(sub)
            for res in doc.get("resources") or []:
                name = res.get("name") or ""
                if "/" in name or not name:
                    continue
                self._resources[(group, version, name)] = ResourceInfo(
                    group=group,
                    version=version,
                    resource=name,
                    kind=res.get("kind") or "",
                    namespaced=bool(res.get("namespaced")),
                    verbs=frozenset(res.get("verbs") or ()),
                    singular=res.get("singularName") or "",
                    short_names=tuple(res.get("shortNames") or ()),
                    subresources=frozenset(subs.get(name, ())),
                )

    def _generate_aggregated(self) -> tuple[dict[str, Any], dict[str, Any]]:
        def version_entry(gv: str) -> dict[str, Any]:
            doc = self.resource_lists.get(gv) or {}
            group, _, version = gv.rpartition("/")
            parents: list[dict[str, Any]] = []
            by_name: dict[str, dict[str, Any]] = {}
            for res in doc.get("resources") or []:
                name = res.get("name") or ""
                if "/" in name:
                    continue
                entry: dict[str, Any] = {
                    "resource": name,
                    "responseKind": {"group": "", "version": "", "kind": res.get("kind", "")},
                    "scope": "Namespaced" if res.get("namespaced") else "Cluster",
                    "singularResource": res.get("singularName") or "",
                    "verbs": list(res.get("verbs") or []),
                }
                if res.get("shortNames"):
                    entry["shortNames"] = list(res["shortNames"])
                if res.get("categories"):
                    entry["categories"] = list(res["categories"])
                parents.append(entry)
                by_name[name] = entry
            for res in doc.get("resources") or []:
                name = res.get("name") or ""
                if "/" not in name:
                    continue
                parent, _, sub = name.partition("/")
                if parent in by_name:
                    by_name[parent].setdefault("subresources", []).append(
                        {
                            "subresource": sub,
                            "responseKind": {
                                "group": "",
                                "version": "",
                                "kind": res.get("kind", ""),
                            },
                            "verbs": list(res.get("verbs") or []),
                        }
                    )
            return {"version": version, "resources": parents, "freshness": "Current"}

        def doc(items: list[dict[str, Any]]) -> dict[str, Any]:
            return {
                "kind": "APIGroupDiscoveryList",
                "apiVersion": "apidiscovery.k8s.io/v2",
                "metadata": {},
                "items": items,
            }

        core = [
            {"metadata": {}, "versions": [version_entry(v) for v in self.api.get("versions") or []]}
        ]
        groups = [
            {
                "metadata": {"name": g["name"]},
                "versions": [version_entry(v["groupVersion"]) for v in g.get("versions") or []],
            }
            for g in self.apis.get("groups") or []
        ]
        return doc(core), doc(groups)

    # ------------------------------------------------------------------ lookups

    def resource(self, group: str, version: str, resource: str) -> ResourceInfo | None:
        """The served resource at ``/api[s]/group/version/resource``, or None."""
        return self._resources.get((group, version, resource))

    def group_served(self, group: str) -> dict[str, Any] | None:
        """The legacy APIGroup entry for ``group``, or None."""
        for g in self.apis.get("groups") or []:
            if g.get("name") == group:
                return dict(g)
        return None

    # ------------------------------------------------------------------ serving

    def respond(self, path: str, accept: list[MediaRange]) -> tuple[bytes, str] | None:
        """(body, content type) for a discovery path, None if ``path`` is not one.

        Raises ``LookupError`` for an unknown group or group-version under /apis, and
        ``ValueError`` when the Accept header names nothing servable.
        """
        path = path.rstrip("/") or "/"
        if path == "/version":
            return self._cached("version", lambda: self.version), "application/json"
        if path in ("/api", "/apis"):
            fmt = self._negotiate(accept)
            if fmt == "legacy":
                if path == "/api":
                    return self._cached("api", lambda: self.api), "application/json"
                return self._cached("apis", lambda: self.apis), "application/json"
            assert self.aggregated is not None
            doc = self.aggregated[0 if path == "/api" else 1]

            def convert() -> dict[str, Any]:
                out = dict(doc)
                out["apiVersion"] = f"apidiscovery.k8s.io/{fmt}"
                return out

            return self._cached(f"{path}:{fmt}", convert), AGGREGATED_CONTENT_TYPES[fmt]
        parts = path.strip("/").split("/")
        if (parts[0] == "api" and len(parts) == 2) or (parts[0] == "apis" and len(parts) == 3):
            gv_doc = self.resource_lists.get("/".join(parts[1:]))
            if gv_doc is None:
                raise LookupError(path)
            return self._cached(path, lambda: gv_doc), "application/json"
        if parts[0] == "apis" and len(parts) == 2:
            group = self.group_served(parts[1])
            if group is None:
                raise LookupError(path)
            return self._cached(
                path, lambda: {"kind": "APIGroup", "apiVersion": "v1", **group}
            ), "application/json"
        return None

    def openapi_v3(self, path: str) -> bytes | None:
        """A minimal OpenAPI v3 document: the root index, or one group-version's PATCH
        operations tagged with their GVK and the ``fieldValidation`` parameter.

        kubectl reads exactly this to decide that the server validates fields itself (cli-runtime
        ``query_param_verifier_v3.go``); without it ``kubectl create -f`` falls back to
        client-side validation and needs the full v2 schema, which the sandbox does not have.
        """
        path = path.rstrip("/")
        if path == "/openapi/v3":

            def index() -> dict[str, Any]:
                paths = {}
                for gv in self.resource_lists:
                    rel = f"api/{gv}" if "/" not in gv else f"apis/{gv}"
                    paths[rel] = {"serverRelativeURL": f"/openapi/v3/{rel}?hash=sandbox"}
                return {"paths": paths}

            return self._cached("openapi", index)
        prefix = "/openapi/v3/"
        if not path.startswith(prefix):
            return None
        rel = path[len(prefix) :]
        gv = rel[len("api/") :] if rel.startswith("api/") else rel[len("apis/") :]
        if gv not in self.resource_lists:
            return None
        group, _, version = gv.rpartition("/")

        def build() -> dict[str, Any]:
            ops: dict[str, Any] = {}
            root = f"/api/{version}" if not group else f"/apis/{group}/{version}"
            for info in self._resources.values():
                if info.group != group or info.version != version or "patch" not in info.verbs:
                    continue
                scope = "/namespaces/{namespace}" if info.namespaced else ""
                ops[f"{root}{scope}/{info.resource}/{{name}}"] = {
                    "patch": {
                        "operationId": f"patch{info.kind}",
                        "parameters": [
                            {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                            {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                            {
                                "name": "fieldValidation",
                                "in": "query",
                                "schema": {"type": "string"},
                            },
                        ],
                        "x-kubernetes-action": "patch",
                        "x-kubernetes-group-version-kind": {
                            "group": group,
                            "version": version,
                            "kind": info.kind,
                        },
                    }
                }
            return {
                "openapi": "3.0.0",
                "info": {"title": "Kubernetes", "version": "sandbox"},
                "paths": ops,
            }

        return self._cached(path, build)

    def _negotiate(self, accept: list[MediaRange]) -> str:
        for media in accept:
            if media.type == "application/json" and media.param("as") == "APIGroupDiscoveryList":
                if media.param("g") != "apidiscovery.k8s.io":
                    continue
                version = media.param("v")
                if version in AGGREGATED_CONTENT_TYPES and self.aggregated is not None:
                    return version
                if self.aggregated is None:
                    # An old server does not know the parameters and serves its legacy form.
                    return "legacy"
                continue
            if media.is_json:
                return "legacy"
        raise ValueError("no acceptable media type")

    def _cached(self, key: str, build: Callable[[], Any]) -> bytes:
        body = self._encoded.get(key)
        if body is None:
            body = json.dumps(build(), separators=(",", ":")).encode()
            self._encoded[key] = body
        return body


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return data


def _default_version() -> dict[str, Any]:
    return {
        "major": "1",
        "minor": "34",
        "gitVersion": "v1.34.0-kmech-sandbox",
        "platform": "linux/amd64",
    }
