"""REST semantics of resource paths: which resource a path names, and list/get/create/update/
patch/delete against the store, with kube-apiserver's rules and error answers.

This module knows nothing about sockets: it takes a parsed request and returns a :class:`Reply`
(or raises :class:`~kmech.sandbox.status.StatusException`). Watches are served by
:mod:`kmech.sandbox.server`, which uses :func:`resolve` and :func:`choose_representation` from
here.

Upstream: kubernetes ``staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go``
(path grammar), ``.../endpoints/handlers/{get,create,update,patch,delete}.go``,
``.../registry/generic/registry/store.go``; resourceVersion rules from the API concepts page
("Semantics for get and list").
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from kmech.sandbox import status as st
from kmech.sandbox.discovery import DiscoveryDocs, MediaRange, ResourceInfo
from kmech.sandbox.patch import apply_patch
from kmech.sandbox.selectors import (
    FieldSelector,
    LabelSelector,
    parse_field_selector,
    parse_label_selector,
)
from kmech.sandbox.storage import ObjectKey, ResourceKey, Storage
from kmech.sandbox.tables import partial_object_metadata, partial_object_metadata_list, table_for

__all__ = [
    "Reply",
    "Representation",
    "ResourceRequest",
    "resolve",
    "choose_representation",
    "ResourceHandler",
    "is_builtin_group",
    "encode_continue",
    "decode_continue",
]


@dataclass(slots=True)
class Reply:
    """A complete response: code, JSON body (dict) or raw bytes, and extra headers."""

    code: int
    body: dict[str, Any] | bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResourceRequest:
    """A request for a resource path, with its kube verb (get, list, watch, create, ...)."""

    info: ResourceInfo
    namespace: str | None
    name: str | None
    subresource: str | None
    verb: str

    @property
    def key(self) -> ResourceKey:
        """Storage key of the resource."""
        return ResourceKey(self.info.group, self.info.resource)


@dataclass(frozen=True, slots=True)
class Representation:
    """What the client asked to receive: ``json`` (the objects), ``table`` or ``partial``."""

    form: str
    api_version: str = ""


def is_builtin_group(group: str) -> bool:
    """Built-in API groups: core, dot-less names and ``*.k8s.io`` (list items lose TypeMeta)."""
    return group == "" or "." not in group or group.endswith(".k8s.io")


def resolve(docs: DiscoveryDocs, method: str, path: str, query: dict[str, str]) -> ResourceRequest:
    """Map ``/api/v1/...`` or ``/apis/G/V/...`` to a served resource and verb; 404/405 otherwise."""
    parts = [p for p in path.split("/") if p]
    if parts and parts[0] == "api" and len(parts) >= 2:
        group, version, rest = "", parts[1], parts[2:]
    elif parts and parts[0] == "apis" and len(parts) >= 3:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise st.path_not_found()
    namespace: str | None = None
    if (
        len(rest) >= 3
        and rest[0] == "namespaces"
        and not (len(rest) == 3 and rest[2] in ("status", "finalize"))
    ):
        namespace = rest[1]
        rest = rest[2:]
    if not rest or len(rest) > 3:
        raise st.path_not_found()
    info = docs.resource(group, version, rest[0])
    if info is None:
        raise st.path_not_found()
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if namespace is not None and not info.namespaced:
        raise st.path_not_found()
    if info.namespaced and name is not None and namespace is None:
        raise st.path_not_found()
    if sub is not None and sub not in info.subresources:
        raise st.path_not_found()
    watch = query.get("watch") in ("true", "1")
    if method in ("GET", "HEAD"):
        verb = "watch" if watch else ("get" if name else "list")
    elif method == "POST":
        if name:
            raise st.method_not_allowed(method)
        verb = "create"
    elif method == "PUT":
        verb = "update"
    elif method == "PATCH":
        verb = "patch"
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        raise st.method_not_allowed(method)
    if name is None and verb in ("update", "patch"):
        raise st.method_not_allowed(method)
    if sub is None and verb not in info.verbs:
        raise st.method_not_allowed(method)
    return ResourceRequest(info, namespace, name, sub, verb)


def choose_representation(accept: list[MediaRange], *, verb: str) -> Representation:
    """Negotiate Table / PartialObjectMetadata / plain JSON from the Accept header (406 if none)."""
    for media in accept:
        as_ = media.param("as")
        if media.type != "application/json" and not media.is_json:
            continue
        if not as_:
            return Representation("json")
        if media.param("g") != "meta.k8s.io" or media.param("v") not in ("v1", "v1beta1"):
            continue
        api_version = f"meta.k8s.io/{media.param('v')}"
        if as_ == "Table" and verb in ("get", "list", "watch"):
            return Representation("table", api_version)
        if as_ == "PartialObjectMetadataList" and verb == "list":
            return Representation("partial", api_version)
        if as_ == "PartialObjectMetadata" and verb in ("get", "watch"):
            return Representation("partial", api_version)
    raise st.not_acceptable(",".join(m.type for m in accept))


def encode_continue(rv: int, start: ObjectKey) -> str:
    """A continue token shaped like kube-apiserver's (base64 of {"v","rv","start"})."""
    ns, name = start
    key = f"{ns}/{name}" if ns else name
    raw = json.dumps(
        {"v": "meta.k8s.io/v1", "rv": rv, "start": key + "\x00"}, separators=(",", ":")
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, ObjectKey]:
    """(snapshot rv, last key sent); 400 when the token is not one of ours."""
    try:
        pad = "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(token + pad))
        rv = int(data["rv"])
        start = str(data["start"]).rstrip("\x00")
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise st.bad_request(f"continue key is not valid: {exc}") from exc
    ns, _, name = start.rpartition("/")
    return rv, (ns, name)


_CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can start "
    "a new list without the continue parameter, or use the continue value from the response body."
)


class ResourceHandler:
    """Serves non-watch verbs of resource paths from one store and one discovery snapshot."""

    def __init__(self, storage: Storage, docs: DiscoveryDocs, *, now: Any = None) -> None:
        self.storage = storage
        self.docs = docs
        self._now = now

    # ----------------------------------------------------------------- helpers

    def present(self, obj: dict[str, Any], info: ResourceInfo) -> dict[str, Any]:
        """The stored object as seen through ``info``'s group-version."""
        if obj.get("apiVersion") == info.api_version:
            return obj
        out = dict(obj)
        out["apiVersion"] = info.api_version
        return out

    def parse_rv(self, text: str) -> int:
        """A wire resourceVersion as the counter; 400 when malformed."""
        try:
            return self.storage.codec.decode(text)
        except ValueError as exc:
            raise st.bad_request(f'invalid resource version "{text}"') from exc

    def selectors(
        self, req: ResourceRequest, query: dict[str, str]
    ) -> tuple[LabelSelector, FieldSelector]:
        """The request's label and field selectors (400 when malformed or unsupported)."""
        labels = parse_label_selector(query.get("labelSelector"))
        fields = parse_field_selector(
            query.get("fieldSelector"), group=req.info.group, resource=req.info.resource
        )
        return labels, fields

    def _current(self, req: ResourceRequest) -> dict[str, Any]:
        """The stored object ``req`` names (read-only); 404 when there is none."""
        assert req.name is not None
        cur = self.storage.get(req.key, req.namespace or "", req.name)
        if cur is None:
            raise st.not_found(req.info.resource, req.info.group, req.name)
        return cur

    def _require_namespace(self, namespace: str) -> None:
        if self.storage.get(ResourceKey("", "namespaces"), "", namespace) is None:
            raise st.not_found("namespaces", "", namespace)

    # ----------------------------------------------------------------- verbs

    def handle(
        self,
        req: ResourceRequest,
        query: dict[str, str],
        body: bytes,
        content_type: str,
        rep: Representation,
    ) -> Reply:
        """Serve one request (any verb but watch)."""
        if body.strip() and req.verb in ("create", "update", "delete"):
            media = content_type.split(";")[0].strip().lower()
            if media not in ("application/json", "", "*/*"):
                # Typed client-go clients send protobuf first and fall back to JSON on 415.
                raise st.unsupported_media_type(content_type)
        if req.subresource == "scale":
            return self.scale(req, body, content_type)
        if req.verb == "list":
            return self.list(req, query, rep)
        if req.verb == "get":
            return self.get(req, rep)
        if req.verb == "create":
            return self.create(req, _json_body(body), dry_run=bool(query.get("dryRun")))
        if req.verb == "update":
            return self.update(req, _json_body(body), dry_run=bool(query.get("dryRun")))
        if req.verb == "patch":
            return self.patch(
                req, _decoded_body(body), content_type, dry_run=bool(query.get("dryRun"))
            )
        if req.verb == "delete":
            return self.delete(
                req, _json_body(body) if body.strip() else {}, dry_run=bool(query.get("dryRun"))
            )
        if req.verb == "deletecollection":
            return self.delete_collection(req, query)
        raise st.method_not_allowed(req.verb)

    def scale(self, req: ResourceRequest, body: bytes, content_type: str) -> Reply:
        """The ``scale`` subresource: an autoscaling/v1 Scale view of ``spec.replicas``.

        Upstream: kubernetes ``pkg/registry/apps/deployment/storage/storage.go`` (ScaleREST).
        """
        assert req.name is not None
        namespace = req.namespace or ""
        if req.verb == "get":
            return Reply(200, _to_scale(self._current(req), req.info.resource))
        if req.verb not in ("update", "patch"):
            raise st.method_not_allowed(req.verb)
        document = _decoded_body(body)

        def mutate(cur: dict[str, Any]) -> dict[str, Any]:
            current_scale = _to_scale(cur, req.info.resource)
            if req.verb == "patch":
                desired = apply_patch(content_type, current_scale, document)
            else:
                if not isinstance(document, dict):
                    raise st.bad_request("the request body must be a JSON object")
                desired = document
            replicas = (desired.get("spec") or {}).get("replicas", 0)
            if not isinstance(replicas, int) or replicas < 0:
                raise st.invalid(
                    "Scale",
                    req.name or "",
                    [
                        (
                            "spec.replicas",
                            "FieldValueInvalid",
                            f"Invalid value: {replicas}: must be greater than or equal to 0",
                        )
                    ],
                    group="autoscaling",
                )
            out = dict(cur)
            out["spec"] = dict(cur.get("spec") or {}, replicas=replicas)
            meta = dict(cur["metadata"])
            meta["resourceVersion"] = (desired.get("metadata") or {}).get("resourceVersion", "")
            out["metadata"] = meta
            return out

        new = self.storage.update(req.key, namespace, req.name, mutate)
        return Reply(200, _to_scale(new, req.info.resource))

    def get(self, req: ResourceRequest, rep: Representation) -> Reply:
        """GET one object (or its status subresource)."""
        obj = self.present(self._current(req), req.info)
        if rep.form == "table":
            meta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
            return Reply(
                200,
                table_for(
                    req.info.group,
                    req.info.resource,
                    [obj],
                    list_meta=meta,
                    api_version=rep.api_version,
                    now=self._wall(),
                ),
            )
        if rep.form == "partial":
            return Reply(200, partial_object_metadata(obj, rep.api_version))
        return Reply(200, obj)

    def _wall(self) -> float | None:
        return self._now() if self._now is not None else None

    def list(self, req: ResourceRequest, query: dict[str, str], rep: Representation) -> Reply:
        """LIST with selectors, paging and resourceVersion/resourceVersionMatch rules."""
        labels, fields = self.selectors(req, query)
        rv_text = query.get("resourceVersion", "")
        rvm = query.get("resourceVersionMatch", "")
        token = query.get("continue", "")
        try:
            limit = int(query.get("limit") or 0)
        except ValueError as exc:
            raise st.bad_request(f"invalid limit: {query.get('limit')}") from exc
        start: ObjectKey | None = None
        storage = self.storage
        if "sendInitialEvents" in query:
            raise st.invalid(
                "ListOptions",
                "",
                [
                    st.forbidden_field(
                        "sendInitialEvents", "sendInitialEvents is forbidden for list"
                    )
                ],
                group="meta.k8s.io",
            )
        if rvm:
            errors = []
            if not rv_text:
                errors.append(
                    st.forbidden_field(
                        "resourceVersionMatch",
                        "resourceVersionMatch is forbidden unless resourceVersion is provided",
                    )
                )
            if token:
                errors.append(
                    st.forbidden_field(
                        "resourceVersionMatch",
                        "resourceVersionMatch is forbidden when continue is provided",
                    )
                )
            if rvm not in ("Exact", "NotOlderThan"):
                errors.append(
                    st.unsupported_field("resourceVersionMatch", rvm, ["Exact", "NotOlderThan", ""])
                )
            if rvm == "Exact" and rv_text == "0":
                errors.append(
                    st.forbidden_field(
                        "resourceVersionMatch",
                        'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
                    )
                )
            if errors:
                raise st.invalid("ListOptions", "", errors, group="meta.k8s.io")
        if token:
            if rv_text and rv_text != "0":
                raise st.bad_request(
                    "specifying resource version is not allowed when using continue"
                )
            snap, start = decode_continue(token)
            if snap < storage.floor:
                raise st.expired(_CONTINUE_EXPIRED)
            at: int | None = snap
        else:
            at = None
            if rv_text and rv_text != "0":
                want = self.parse_rv(rv_text)
                exact = rvm == "Exact" or (not rvm and limit > 0)
                if want > storage.rv:
                    if exact or not storage.wait_for_rv(want, 3.0):
                        raise st.too_large_resource_version(
                            rv_text, storage.codec.encode(storage.rv)
                        )
                if exact:
                    if want < storage.floor:
                        raise storage.too_old(want)
                    at = want
        snap_rv, items = storage.list_items(req.key, req.namespace, at_rv=at)
        if start is not None:
            items = [kv for kv in items if kv[0] > start]
        selected: list[dict[str, Any]] = []
        selected_keys: list[ObjectKey] = []
        filtered = not (labels.empty() and fields.empty)
        last: ObjectKey | None = None
        more = 0
        for okey, obj in items:
            if filtered and not (
                labels.matches((obj.get("metadata") or {}).get("labels")) and fields.matches(obj)
            ):
                continue
            if limit > 0 and len(selected) >= limit:
                more += 1
                if filtered:
                    break
                continue
            selected.append(obj)
            selected_keys.append(okey)
            last = okey
        meta: dict[str, Any] = {"resourceVersion": storage.codec.encode(snap_rv)}
        if more and last is not None:
            meta["continue"] = encode_continue(snap_rv, last)
            if not filtered:
                meta["remainingItemCount"] = more
        info = req.info
        if rep.form == "table":
            objs = [self.present(o, info) for o in selected]
            return Reply(
                200,
                table_for(
                    info.group,
                    info.resource,
                    objs,
                    list_meta=meta,
                    include_object=query.get("includeObject") or "Metadata",
                    api_version=rep.api_version,
                    now=self._wall(),
                ),
            )
        if rep.form == "partial":
            return Reply(200, partial_object_metadata_list(selected, meta, rep.api_version))
        if is_builtin_group(info.group):
            # Pre-encoded items (see Storage.item_json): a large LIST costs one bytes join.
            head = json.dumps(
                {"kind": info.kind + "List", "apiVersion": info.api_version, "metadata": meta},
                separators=(",", ":"),
            ).encode()
            items_json = b",".join(
                self.storage.items_json(req.key, list(zip(selected_keys, selected, strict=True)))
            )
            return Reply(200, head[:-1] + b',"items":[' + items_json + b"]}\n")
        out_items = [self.present(o, info) for o in selected]
        return Reply(
            200,
            {
                "kind": info.kind + "List",
                "apiVersion": info.api_version,
                "metadata": meta,
                "items": out_items,
            },
        )

    def _check_type(self, req: ResourceRequest, obj: dict[str, Any]) -> None:
        info = req.info
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        if api_version and api_version != info.api_version:
            raise st.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version ({info.api_version})"
            )
        if kind and kind != info.kind:
            raise st.bad_request(
                f"the kind in the data ({kind}) does not match the expected kind ({info.kind})"
            )

    def create(self, req: ResourceRequest, obj: dict[str, Any], *, dry_run: bool = False) -> Reply:
        """POST a new object into the collection."""
        self._check_type(req, obj)
        info = req.info
        namespace = ""
        if info.namespaced:
            namespace = req.namespace or ""
            body_ns = (obj.get("metadata") or {}).get("namespace")
            if body_ns and body_ns != namespace:
                raise st.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            self._require_namespace(namespace)
        if dry_run:
            meta = dict(obj.get("metadata") or {})
            if namespace:
                meta["namespace"] = namespace
            return Reply(
                201, {**obj, "apiVersion": info.api_version, "kind": info.kind, "metadata": meta}
            )
        created = self.storage.create(
            req.key, obj, namespace=namespace, kind=info.kind, api_version=info.api_version
        )
        return Reply(201, self.present(created, info))

    def _merge_rules(
        self, req: ResourceRequest, current: dict[str, Any], desired: dict[str, Any]
    ) -> dict[str, Any]:
        # With a status subresource, the main resource ignores status changes and /status
        # ignores everything else (registry strategies' PrepareForUpdate).
        if req.subresource == "status":
            out = dict(current)
            if "status" in desired:
                out["status"] = desired["status"]
            else:
                out.pop("status", None)
            meta = dict(current["metadata"])
            meta["resourceVersion"] = (desired.get("metadata") or {}).get("resourceVersion", "")
            out["metadata"] = meta
            return out
        if "status" in req.info.subresources:
            out = dict(desired)
            if "status" in current:
                out["status"] = current["status"]
            else:
                out.pop("status", None)
            return out
        return desired

    def update(self, req: ResourceRequest, obj: dict[str, Any], *, dry_run: bool = False) -> Reply:
        """PUT a whole object (unconditional when it carries no resourceVersion)."""
        assert req.name is not None
        self._check_type(req, obj)
        body_name = (obj.get("metadata") or {}).get("name")
        if body_name and body_name != req.name:
            raise st.bad_request(
                f"the name of the object ({body_name}) does not match the name on the URL ({req.name})"
            )
        body_ns = (obj.get("metadata") or {}).get("namespace")
        if req.info.namespaced and body_ns and body_ns != req.namespace:
            raise st.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        if dry_run:
            return Reply(200, self._merge_rules(req, self._current(req), obj))
        new = self.storage.update(
            req.key, req.namespace or "", req.name, lambda cur: self._merge_rules(req, cur, obj)
        )
        return Reply(200, self.present(new, req.info))

    def patch(
        self, req: ResourceRequest, patch: Any, content_type: str, *, dry_run: bool = False
    ) -> Reply:
        """PATCH with a merge, JSON or (approximated) strategic merge patch."""
        assert req.name is not None

        def mutate(cur: dict[str, Any]) -> dict[str, Any]:
            base = self.present(cur, req.info)
            patched = apply_patch(content_type, base, patch)
            return self._merge_rules(req, cur, patched)

        if dry_run:
            return Reply(200, mutate(self._current(req)))
        new = self.storage.update(req.key, req.namespace or "", req.name, mutate)
        return Reply(200, self.present(new, req.info))

    def delete(
        self, req: ResourceRequest, options: dict[str, Any], *, dry_run: bool = False
    ) -> Reply:
        """DELETE one object at once; pods, namespaces and custom resources answer with the object,
        other built-ins with a Success Status (as their registries do)."""
        assert req.name is not None
        pre = (options.get("preconditions") or {}).get("resourceVersion")
        namespace = req.namespace or ""
        if dry_run:
            last = self._current(req)
        else:
            last = self.storage.delete(req.key, namespace, req.name, precondition_rv=pre)
            if req.info.group == "" and req.info.resource == "namespaces":
                self.storage.delete_namespace_contents(req.name)
        info = req.info
        if info.resource in ("pods", "namespaces") or not is_builtin_group(info.group):
            return Reply(200, self.present(last, info))
        return Reply(
            200,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Success",
                "details": {
                    "name": req.name,
                    "group": info.group,
                    "kind": info.resource,
                    "uid": last["metadata"].get("uid", ""),
                },
            },
        )

    def delete_collection(self, req: ResourceRequest, query: dict[str, str]) -> Reply:
        """DELETE every selected object of the collection; answers with the deleted items."""
        labels, fields = self.selectors(req, query)
        _, items = self.storage.list_items(req.key, req.namespace)
        deleted = []
        for (ns, name), obj in items:
            if labels.matches((obj.get("metadata") or {}).get("labels")) and fields.matches(obj):
                try:
                    deleted.append(self.storage.delete(req.key, ns, name))
                except st.StatusException:
                    continue  # deleted concurrently
        meta = {"resourceVersion": self.storage.codec.encode(self.storage.rv)}
        return Reply(
            200,
            {
                "kind": req.info.kind + "List",
                "apiVersion": req.info.api_version,
                "metadata": meta,
                "items": deleted,
            },
        )


def _to_scale(obj: dict[str, Any], resource: str) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    selector = spec.get("selector") or {}
    if resource != "replicationcontrollers":
        selector = selector.get("matchLabels") or {} if isinstance(selector, dict) else {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {
            "replicas": int(status.get("replicas") or 0),
            "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())),
        },
    }


def _decoded_body(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        raise st.bad_request(f"the request body is not valid JSON: {exc}") from exc


def _json_body(body: bytes) -> dict[str, Any]:
    data = _decoded_body(body)
    if not isinstance(data, dict):
        raise st.bad_request("the request body must be a JSON object")
    return data
