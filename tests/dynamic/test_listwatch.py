"""The HTTP ListerWatcher: URLs, event decoding, Table rows, the public surface, the factory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import kmech.dynamic
from kmech.dynamic import (
    HTTPWatch,
    TableCells,
    WatchTarget,
    new_dynamic_factory,
    resolve_targets,
    resource_path,
)
from kmech.errors import MapperError, WatchDecodeError
from kmech.informers.listwatch import EventType
from kmech.mapper.schema import GroupVersionResource
from tests.fidelity.helpers import WAIT, client_for, pod

PODS = GroupVersionResource("", "v1", "pods")
DEPLOYS = GroupVersionResource("apps", "v1", "deployments")
NODES = GroupVersionResource("", "v1", "nodes")


@pytest.mark.parametrize(
    ("gvr", "namespace", "namespaced", "name", "path"),
    [
        pytest.param(PODS, "shop", True, "", "/api/v1/namespaces/shop/pods", id="core-namespaced"),
        pytest.param(PODS, "", True, "", "/api/v1/pods", id="core-all-namespaces"),
        pytest.param(
            DEPLOYS,
            "shop",
            True,
            "web",
            "/apis/apps/v1/namespaces/shop/deployments/web",
            id="named",
        ),
        pytest.param(NODES, "shop", False, "", "/api/v1/nodes", id="cluster-scoped-ignores-ns"),
        pytest.param(PODS, "a b", True, "", "/api/v1/namespaces/a%20b/pods", id="escaped"),
    ],
)
def test_resource_path(gvr, namespace, namespaced, name, path) -> None:
    assert resource_path(gvr, namespace=namespace, namespaced=namespaced, name=name) == path


class FakeStream:
    """Hand-written stand-in for the transport's WatchStream: iterate dicts, close."""

    def __init__(self, raw: list[dict]) -> None:
        self.raw = raw
        self.closed = False

    def __iter__(self) -> Iterator[dict]:
        yield from self.raw

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"type": "NOPE", "object": {}}, id="unknown-type"),
        pytest.param({"type": "ADDED", "object": None}, id="no-object"),
        pytest.param({"object": {"metadata": {}}}, id="no-type"),
    ],
)
def test_malformed_events_raise_watch_decode_error(raw) -> None:
    with pytest.raises(WatchDecodeError, match="malformed watch event"):
        list(HTTPWatch(FakeStream([raw]), table=None))  # type: ignore[arg-type]


def test_table_events_become_objects_with_cells_on_the_side() -> None:
    table = TableCells()
    columns = [
        {"name": "Name", "type": "string"},
        {"name": "Ready", "type": "string"},
        {"name": "Node", "type": "string", "priority": 1},
    ]
    web = pod("web")
    web["metadata"]["namespace"] = "shop"
    raw = [
        {
            "type": "ADDED",
            "object": {
                "kind": "Table",
                "columnDefinitions": columns,
                "rows": [{"cells": ["web", "1/1", None], "object": web}],
            },
        },
        {"type": "BOOKMARK", "object": {"kind": "Table", "metadata": {"resourceVersion": "9"}}},
        {"type": "DELETED", "object": {"kind": "Table", "rows": [{"cells": [], "object": web}]}},
    ]
    stream = FakeStream(raw)
    watch = HTTPWatch(stream, table=table)  # type: ignore[arg-type]
    events = list(watch)
    assert [(e.type, e.object.get("metadata", {}).get("name")) for e in events] == [
        (EventType.ADDED, "web"),
        (EventType.BOOKMARK, None),
        (EventType.DELETED, "web"),
    ]
    assert events[1].object == {"metadata": {"resourceVersion": "9"}}
    assert table.headers() == ("Name", "Ready")
    assert table.headers(wide=True) == ("Name", "Ready", "Node")
    assert table.cells("shop/web") is None, "a deleted row's cells are forgotten"
    watch.stop()
    assert stream.closed


def test_table_cells_render_like_kubectl() -> None:
    table = TableCells()
    table._set_columns([{"name": "A"}, {"name": "B"}, {"name": "C"}, {"name": "D"}])
    table._set_cells("k", [None, True, 3.0, 2.5])
    assert table.cells("k") == ("<none>", "true", "3", "2.5")


def test_public_surface_is_pinned() -> None:
    assert sorted(kmech.dynamic.__all__) == [
        "ACCEPT_JSON",
        "ACCEPT_METADATA",
        "ACCEPT_METADATA_LIST",
        "ACCEPT_TABLE",
        "HTTPListerWatcher",
        "HTTPWatch",
        "ObjectFormat",
        "TableCells",
        "TableColumn",
        "WatchSession",
        "WatchTarget",
        "new_dynamic_factory",
        "new_informer",
        "notification_record",
        "resolve_targets",
        "resource_path",
    ]


def test_resolve_targets_uses_kubectl_resolution_and_requires_list_and_watch(
    sb, kubeconfig
) -> None:
    client = client_for(kubeconfig)
    try:
        assert resolve_targets(client, "po,deploy") == [
            WatchTarget(PODS, "Pod", True),
            WatchTarget(DEPLOYS, "Deployment", True),
        ]
        assert resolve_targets(client, "no") == [WatchTarget(NODES, "Node", False)]
        with pytest.raises(MapperError, match='does not allow "list" and "watch" on tokenreviews'):
            resolve_targets(client, "tokenreviews")
    finally:
        client.close()


def test_dynamic_factory_shares_one_informer_per_key_over_http(sb, kubeconfig) -> None:
    sb.create("pods", pod("a"), namespace="shop")
    sb.create("nodes", {"metadata": {"name": "n1"}})
    client = client_for(kubeconfig)
    factory = new_dynamic_factory(client, lambda gvr: gvr.resource != "nodes")
    try:
        pods = factory.for_resource(PODS, namespace="shop")
        assert factory.for_resource(PODS, namespace="shop") is pods
        nodes = factory.for_resource(NODES, namespace="shop")
        factory.start()
        assert all(factory.wait_for_cache_sync(timeout_seconds=WAIT).values())
        assert pods.get_store().list_keys() == ["shop/a"]
        assert nodes.get_store().list_keys() == ["n1"]
        assert {r.path for r in sb.requests if not r.is_watch and "limit" in r.query} == {
            "/api/v1/namespaces/shop/pods",
            "/api/v1/nodes",
        }
    finally:
        factory.shutdown()
        client.close()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        pytest.param(
            "the connection to the server http://127.0.0.1:1 was refused: is the cluster running",
            "connection refused",
            id="refused",
        ),
        pytest.param(
            "too many requests (429): slow down; retry later", "throttled (429)", id="429"
        ),
        pytest.param("the server answered 500: boom", "server error (500)", id="500"),
        pytest.param("", "retrying", id="nothing"),
    ],
)
def test_status_line_retry_reasons(error: str, words: str) -> None:
    from kmech.dynamic.informer import _short_reason

    assert _short_reason(error) == words


@pytest.mark.parametrize(
    ("body", "table", "message"),
    [
        pytest.param(
            b'{"kind": "PodList", "metadata": "x", "items": []}',
            False,
            "LIST /api/v1/namespaces/shop/pods: 'metadata' is not an object",
            id="metadata-not-object",
        ),
        pytest.param(
            b'{"kind": "PodList", "metadata": {}, "items": "x"}',
            False,
            "LIST /api/v1/namespaces/shop/pods: 'items' is not a list",
            id="items-not-list",
        ),
        pytest.param(
            b'{"kind": "Table", "metadata": {}, "rows": 5}',
            True,
            "LIST /api/v1/namespaces/shop/pods: a Table's 'rows' is not a list",
            id="table-rows-not-list",
        ),
    ],
)
def test_malformed_list_bodies_raise_watch_decode_error(sb, kubeconfig, body, table, message):
    """Over HTTP: a LIST answer of the wrong shape is a WatchDecodeError (the reflector reports
    it and retries), never an AttributeError from inside the ListerWatcher."""
    from kmech.dynamic import HTTPListerWatcher, ObjectFormat
    from kmech.informers.listwatch import ListOptions

    sb.faults.script([body], path_regex=r"/pods\?(?!.*watch)")
    client = client_for(kubeconfig)
    fmt = ObjectFormat.TABLE if table else ObjectFormat.FULL
    lw = HTTPListerWatcher(client, PODS, namespace="shop", object_format=fmt)
    try:
        with pytest.raises(WatchDecodeError) as info:
            lw.list(ListOptions(resource_version="0"))
    finally:
        client.close()
    assert str(info.value) == message


def test_malformed_table_watch_events() -> None:
    table = TableCells()
    bad_rows = {"type": "ADDED", "object": {"kind": "Table", "rows": 5}}
    with pytest.raises(WatchDecodeError, match="'rows' is not a list"):
        list(HTTPWatch(FakeStream([bad_rows]), table=table))  # type: ignore[arg-type]
    odd = [
        {"type": "BOOKMARK", "object": {"kind": "Table", "metadata": "x"}},
        {
            "type": "ADDED",
            "object": {
                "kind": "Table",
                "columnDefinitions": [{"name": "Name", "priority": "high"}],
                "rows": [{"cells": ["x"], "object": {"metadata": "x"}}],
            },
        },
    ]
    events = list(HTTPWatch(FakeStream(odd), table=table))  # type: ignore[arg-type]
    assert [e.object for e in events] == [{"metadata": {}}, {"metadata": "x"}]
    assert table.headers() == ("Name",)
    assert table.cells("") == ("x",)
