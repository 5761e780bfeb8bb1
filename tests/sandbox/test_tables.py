"""Table rendering and age formatting (pure), and Table/metadata lists over HTTP."""

from __future__ import annotations

from kmech.sandbox.tables import table_for
from tests.sandbox.helpers import Client, pod

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def test_pod_row():
    obj = {
        "metadata": {"name": "p", "creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeName": "n1"},
        "status": {
            "phase": "Running",
            "podIP": "10.0.0.1",
            "containerStatuses": [
                {"ready": True, "restartCount": 1},
                {
                    "ready": False,
                    "restartCount": 2,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                },
            ],
        },
    }
    table = table_for("", "pods", [obj], list_meta={}, now=1704067200.0 + 90)
    assert table["rows"][0]["cells"] == [
        "p",
        "1/2",
        "CrashLoopBackOff",
        "3",
        "90s",
        "10.0.0.1",
        "n1",
        "<none>",
        "<none>",
    ]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_default_columns_and_include_object():
    obj = {"metadata": {"name": "cp", "creationTimestamp": "2024-01-01T00:00:00Z"}, "spec": {}}
    table = table_for(
        "kyverno.io",
        "clusterpolicies",
        [obj],
        list_meta={"resourceVersion": "9"},
        include_object="None",
        now=1704067200.0,
    )
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Age"]
    assert table["rows"] == [{"cells": ["cp", "0s"]}]
    assert table["metadata"] == {"resourceVersion": "9"}


def test_table_list_over_http(client: Client, sb):
    sb.create("pods", pod("a"))
    answer = client.get(
        "/api/v1/namespaces/default/pods",
        params={"includeObject": "Object", "limit": 1},
        accept=TABLE,
    )
    table = answer.json()
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert table["rows"][0]["object"]["kind"] == "Pod"
    one = client.get("/api/v1/namespaces/default/pods/a", accept=TABLE).json()
    assert one["rows"][0]["cells"][0] == "a"


def test_partial_object_metadata_list(client: Client, sb):
    sb.create("pods", pod("a"))
    accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    body = client.get("/api/v1/namespaces/default/pods", accept=accept).json()
    assert body["kind"] == "PartialObjectMetadataList"
    assert body["items"][0] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": sb.get("pods", "a")["metadata"],
    }
    # A list cannot be served as a single PartialObjectMetadata: the plain JSON fallback wins.
    fallback = client.get(
        "/api/v1/namespaces/default/pods",
        accept="application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json",
    ).json()
    assert fallback["kind"] == "PodList"
