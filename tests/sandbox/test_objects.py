"""Objects over HTTP: create, get, update, patch, delete, namespaces and error Statuses."""

from __future__ import annotations

import pytest

from kmech.errors import APIStatusError, NotFoundError
from tests.sandbox.helpers import Client, pod

PODS = "/api/v1/namespaces/default/pods"


def test_create_fills_server_fields(client: Client, sb):
    before = int(sb.resource_version)
    created = client.request("POST", PODS, body=pod("p1"))
    assert created.status == 201
    meta = created.json()["metadata"]
    assert meta["namespace"] == "default"
    assert meta["generation"] == 1
    assert meta["creationTimestamp"].endswith("Z")
    assert len(meta["uid"]) == 36
    assert int(meta["resourceVersion"]) == before + 1
    assert created.json()["kind"] == "Pod"
    assert created.json()["apiVersion"] == "v1"
    assert client.get(f"{PODS}/p1").json() == created.json()


@pytest.mark.parametrize(
    ("method", "path", "body", "code", "reason", "message"),
    [
        pytest.param(
            "GET", f"{PODS}/nope", None, 404, "NotFound", 'pods "nope" not found', id="get-missing"
        ),
        pytest.param(
            "POST",
            "/api/v1/namespaces/ghost/pods",
            pod("x"),
            404,
            "NotFound",
            'namespaces "ghost" not found',
            id="create-in-missing-namespace",
        ),
        pytest.param(
            "POST",
            PODS,
            {"metadata": {"name": "x", "namespace": "other"}},
            400,
            "BadRequest",
            "the namespace of the provided object does not match the namespace sent on the request",
            id="namespace-mismatch",
        ),
        pytest.param(
            "DELETE",
            "/apis/apps/v1/namespaces/default/deployments/nope",
            None,
            404,
            "NotFound",
            'deployments.apps "nope" not found',
            id="delete-missing-grouped",
        ),
        pytest.param(
            "GET",
            "/api/v1/nopes",
            None,
            404,
            "NotFound",
            "the server could not find the requested resource",
            id="unknown-resource",
        ),
        pytest.param(
            "POST",
            "/api/v1/namespaces/default/bindings/x",
            {},
            405,
            "MethodNotAllowed",
            "the server does not allow this method (POST) on the requested resource",
            id="post-to-name",
        ),
    ],
)
def test_error_statuses(client: Client, method, path, body, code, reason, message):
    answer = client.request(method, path, body=body)
    assert answer.status == code
    status = answer.json()
    assert status["kind"] == "Status"
    assert status["status"] == "Failure"
    assert (status["code"], status["reason"], status["message"]) == (code, reason, message)


def test_create_twice_is_already_exists(client: Client):
    client.request("POST", PODS, body=pod("p1"))
    answer = client.request("POST", PODS, body=pod("p1"))
    assert answer.status == 409
    assert answer.json()["reason"] == "AlreadyExists"
    assert answer.json()["details"] == {"name": "p1", "group": "", "kind": "pods"}


def test_generate_name(client: Client):
    created = client.request("POST", PODS, body={"metadata": {"generateName": "web-"}}).json()
    assert created["metadata"]["name"].startswith("web-")
    assert len(created["metadata"]["name"]) == len("web-") + 5


def test_update_conflict_and_generation(client: Client):
    deploys = "/apis/apps/v1/namespaces/default/deployments"
    created = client.request(
        "POST", deploys, body={"metadata": {"name": "d1"}, "spec": {"replicas": 1}}
    ).json()
    changed = dict(created, spec={"replicas": 3})
    updated = client.request("PUT", f"{deploys}/d1", body=changed)
    assert updated.status == 200
    assert updated.json()["metadata"]["generation"] == 2
    stale = client.request("PUT", f"{deploys}/d1", body=changed)
    assert stale.status == 409
    assert stale.json()["reason"] == "Conflict"
    assert stale.json()["message"] == (
        'Operation cannot be fulfilled on deployments.apps "d1": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    meta_only = dict(updated.json())
    meta_only["metadata"] = dict(meta_only["metadata"], labels={"a": "b"})
    assert (
        client.request("PUT", f"{deploys}/d1", body=meta_only).json()["metadata"]["generation"] == 2
    )


def test_status_subresource_rules(client: Client):
    client.request("POST", PODS, body=pod("p1", phase="Pending"))
    cur = client.get(f"{PODS}/p1").json()
    main = client.request("PUT", f"{PODS}/p1", body=dict(cur, status={"phase": "Running"})).json()
    assert main["status"] == {"phase": "Pending"}
    status = client.request(
        "PUT", f"{PODS}/p1/status", body=dict(main, status={"phase": "Running"}, spec={})
    ).json()
    assert status["status"] == {"phase": "Running"}
    assert status["spec"]["containers"][0]["name"] == "c"


@pytest.mark.parametrize(
    ("content_type", "patch", "labels"),
    [
        pytest.param(
            "application/merge-patch+json",
            {"metadata": {"labels": {"b": "2", "a": None}}},
            {"b": "2"},
            id="merge",
        ),
        pytest.param(
            "application/strategic-merge-patch+json",
            {"metadata": {"labels": {"b": "2"}}},
            {"a": "1", "b": "2"},
            id="strategic-as-merge",
        ),
        pytest.param(
            "application/json-patch+json",
            [
                {"op": "add", "path": "/metadata/labels/c", "value": "3"},
                {"op": "remove", "path": "/metadata/labels/a"},
            ],
            {"c": "3"},
            id="json-patch",
        ),
    ],
)
def test_patch(client: Client, content_type, patch, labels):
    client.request("POST", PODS, body=pod("p1", labels={"a": "1"}))
    answer = client.request("PATCH", f"{PODS}/p1", body=patch, content_type=content_type)
    assert answer.status == 200
    assert answer.json()["metadata"]["labels"] == labels


def test_apply_patch_is_unsupported(client: Client):
    client.request("POST", PODS, body=pod("p1"))
    answer = client.request(
        "PATCH", f"{PODS}/p1", body={}, content_type="application/apply-patch+yaml"
    )
    assert answer.status == 415


def test_delete_returns_last_state_and_namespace_delete_cascades(client: Client, sb):
    sb.create("pods", pod("p1"), namespace="shop")
    sb.create("configmaps", {"metadata": {"name": "c"}}, namespace="shop")
    deleted = client.request("DELETE", "/api/v1/namespaces/shop/pods/p1")
    assert deleted.status == 200
    assert deleted.json()["metadata"]["name"] == "p1"
    assert deleted.json()["metadata"]["resourceVersion"] == sb.resource_version
    client.request("DELETE", "/api/v1/namespaces/shop")
    assert sb.list_objects("configmaps", namespace="shop") == []
    assert client.get("/api/v1/namespaces/shop").status == 404


def test_delete_collection_by_label(client: Client, sb):
    for name, app in (("a", "web"), ("b", "web"), ("c", "db")):
        sb.create("pods", pod(name, labels={"app": app}))
    answer = client.request("DELETE", PODS, params={"labelSelector": "app=web"})
    assert [i["metadata"]["name"] for i in answer.json()["items"]] == ["a", "b"]
    assert [p["metadata"]["name"] for p in sb.list_objects("pods")] == ["c"]


def test_cluster_scoped_and_custom_resources(client: Client):
    body = {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "cp"},
        "spec": {},
    }
    assert client.request("POST", "/apis/kyverno.io/v1/clusterpolicies", body=body).status == 201
    listed = client.get("/apis/kyverno.io/v1/clusterpolicies").json()
    # Custom resources keep apiVersion/kind on list items; built-ins do not.
    assert listed["items"][0]["kind"] == "ClusterPolicy"
    assert client.get("/apis/kyverno.io/v1/namespaces/default/clusterpolicies").status == 404


def test_python_api(sb):
    created = sb.create(
        "deployments",
        {"metadata": {"name": "d"}, "spec": {"replicas": 1}},
        namespace="shop",
        group="apps",
    )
    assert created["apiVersion"] == "apps/v1"
    assert sb.get("namespaces", "shop")["status"]["phase"] == "Active"
    created["spec"]["replicas"] = 2
    assert sb.update("deployments", created, group="apps")["metadata"]["generation"] == 2
    assert sb.patch(
        "deployments", "d", {"metadata": {"labels": {"x": "y"}}}, namespace="shop", group="apps"
    )["metadata"]["labels"] == {"x": "y"}
    assert [
        d["metadata"]["name"]
        for d in sb.list_objects("deployments", group="apps", label_selector="x=y")
    ] == ["d"]
    sb.delete("deployments", "d", namespace="shop", group="apps")
    with pytest.raises(
        NotFoundError, match='deployments.apps \\"d\\" not found|deployments.apps "d" not found'
    ):
        sb.get("deployments", "d", namespace="shop", group="apps")
    with pytest.raises(APIStatusError) as info:
        sb.create("pods", pod("p"), namespace="shop")
        sb.create("pods", pod("p"), namespace="shop")
    assert info.value.status.reason == "AlreadyExists"


def test_scale_subresource(client: Client, sb):
    sb.create(
        "deployments",
        {
            "metadata": {"name": "d"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web", "tier": "a"}}},
            "status": {"replicas": 2},
        },
        group="apps",
    )
    path = "/apis/apps/v1/namespaces/default/deployments/d/scale"
    scale = client.get(path).json()
    assert (scale["kind"], scale["apiVersion"], scale["spec"], scale["status"]) == (
        "Scale",
        "autoscaling/v1",
        {"replicas": 2},
        {"replicas": 2, "selector": "app=web,tier=a"},
    )
    patched = client.request(
        "PATCH", path, body={"spec": {"replicas": 5}}, content_type="application/merge-patch+json"
    )
    assert patched.json()["spec"] == {"replicas": 5}
    assert sb.get("deployments", "d", group="apps")["spec"]["replicas"] == 5
    stale = client.request("PUT", path, body=scale)
    assert stale.status == 409
    negative = client.request(
        "PATCH", path, body={"spec": {"replicas": -1}}, content_type="application/merge-patch+json"
    )
    assert negative.status == 422
