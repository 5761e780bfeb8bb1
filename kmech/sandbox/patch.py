"""Patch documents applied to stored objects: JSON merge patch, JSON patch, and the sandbox's
approximation of strategic merge patch.

Upstream: RFC 7386 (merge patch), RFC 6902 (JSON patch); apimachinery
``pkg/util/strategicpatch`` is NOT reproduced: a strategic merge patch is applied as a merge
patch, so lists are replaced whole instead of merged by key (``$patch`` directives are dropped).
"""

from __future__ import annotations

import copy
from typing import Any

from kmech.sandbox.status import StatusException, bad_request, status_body, unsupported_media_type

__all__ = ["MERGE", "JSON_PATCH", "STRATEGIC", "apply_patch", "merge_patch", "json_patch"]

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue  # strategic-merge directives ($patch, $retainKeys, ...) have no merge meaning
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, parts: list[str]) -> tuple[Any, str]:
    cur = doc
    for part in parts[:-1]:
        if isinstance(cur, list):
            cur = cur[int(part)]
        elif isinstance(cur, dict):
            cur = cur[part]
        else:
            raise KeyError(part)
    return cur, parts[-1]


def json_patch(target: Any, ops: Any) -> Any:
    """RFC 6902 add/remove/replace/move/copy/test; raises a 422-style StatusException on failure."""
    if not isinstance(ops, list):
        raise bad_request("json patch must be a list of operations")
    doc = copy.deepcopy(target)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise bad_request(f"invalid json patch operation: {op!r}")
        try:
            doc = _apply_op(doc, op)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise StatusException(
                status_body(
                    422,
                    "Invalid",
                    "the server rejected our request due to an error in our request: "
                    f"{op['op']} {op['path']}: {exc}",
                )
            ) from exc
    return doc


def _apply_op(doc: Any, op: dict[str, Any]) -> Any:
    kind = op["op"]
    parts = _pointer(op["path"])
    if kind == "test":
        cur = doc
        for part in parts:
            cur = cur[int(part)] if isinstance(cur, list) else cur[part]
        if cur != op.get("value"):
            raise ValueError("test failed")
        return doc
    if kind in ("move", "copy"):
        src = _pointer(op["from"])
        parent, last = _parent(doc, src)
        value = parent[int(last)] if isinstance(parent, list) else parent[last]
        if kind == "move":
            doc = _apply_op(doc, {"op": "remove", "path": op["from"]})
        return _apply_op(doc, {"op": "add", "path": op["path"], "value": copy.deepcopy(value)})
    if not parts:
        if kind in ("add", "replace"):
            return copy.deepcopy(op.get("value"))
        raise ValueError("cannot remove the whole document")
    parent, last = _parent(doc, parts)
    if isinstance(parent, list):
        if kind == "add":
            idx = len(parent) if last == "-" else int(last)
            if idx > len(parent):
                raise IndexError(idx)
            parent.insert(idx, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            del parent[int(last)]
        elif kind == "replace":
            parent[int(last)] = copy.deepcopy(op.get("value"))
        else:
            raise ValueError(f"unknown op {kind}")
        return doc
    if not isinstance(parent, dict):
        raise TypeError("path does not lead to an object")
    if kind == "add":
        parent[last] = copy.deepcopy(op.get("value"))
    elif kind == "remove":
        del parent[last]
    elif kind == "replace":
        if last not in parent:
            raise KeyError(last)
        parent[last] = copy.deepcopy(op.get("value"))
    else:
        raise ValueError(f"unknown op {kind}")
    return doc


def apply_patch(content_type: str, target: dict[str, Any], patch: Any) -> dict[str, Any]:
    """Apply a patch body of ``content_type`` to ``target`` (not modified); 415 for other types."""
    media = content_type.split(";")[0].strip().lower()
    if media in (MERGE, STRATEGIC):
        if not isinstance(patch, dict):
            raise bad_request("a merge patch must be a JSON object")
        result = merge_patch(target, patch)
    elif media == JSON_PATCH:
        result = json_patch(target, patch)
    else:
        raise unsupported_media_type(content_type)
    if not isinstance(result, dict):
        raise bad_request("the patched object is not a JSON object")
    return result
