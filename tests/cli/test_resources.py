"""`kmech resources`: kubectl api-resources' rows, filters and formats, offline and over HTTP."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kmech.cli.app import app

K3S_GATEWAY = """\
NAME              SHORTNAMES   APIVERSION                          NAMESPACED   KIND
gatewayclasses    gc           gateway.networking.k8s.io/v1        false        GatewayClass
gateways          gtw          gateway.networking.k8s.io/v1        true         Gateway
grpcroutes                     gateway.networking.k8s.io/v1        true         GRPCRoute
httproutes                     gateway.networking.k8s.io/v1        true         HTTPRoute
referencegrants   refgrant     gateway.networking.k8s.io/v1beta1   true         ReferenceGrant
"""

MINIKUBE_APPS_WIDE = """\
NAME                  SHORTNAMES   APIVERSION   NAMESPACED   KIND                 VERBS                                                        CATEGORIES
controllerrevisions                apps/v1      true         ControllerRevision   create,delete,deletecollection,get,list,patch,update,watch
daemonsets            ds           apps/v1      true         DaemonSet            create,delete,deletecollection,get,list,patch,update,watch   all
deployments           deploy       apps/v1      true         Deployment           create,delete,deletecollection,get,list,patch,update,watch   all
replicasets           rs           apps/v1      true         ReplicaSet           create,delete,deletecollection,get,list,patch,update,watch   all
statefulsets          sts          apps/v1      true         StatefulSet          create,delete,deletecollection,get,list,patch,update,watch   all
"""


def invoke(*args):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("cluster", "args", "expected"),
    [
        pytest.param(
            "k3s-1.34",
            ["--api-group", "gateway.networking.k8s.io"],
            K3S_GATEWAY,
            id="table-preferred-and-older-version",
        ),
        pytest.param(
            "minikube-1.33", ["--api-group", "apps", "-o", "wide"], MINIKUBE_APPS_WIDE, id="wide"
        ),
        pytest.param(
            "minikube-1.33",
            ["--namespaced=false", "--api-group", "", "-o", "name"],
            "componentstatuses\nnamespaces\nnodes\npersistentvolumes\n",
            id="cluster-scoped-core-names",
        ),
        pytest.param(
            "k3s-1.34",
            ["--verbs", "list", "--verbs", "watch,create", "--api-group", "batch", "-o", "name"],
            "cronjobs.batch\njobs.batch\n",
            id="verbs-filter",
        ),
        pytest.param(
            "k3s-1.34",
            [
                "--categories",
                "gateway-api",
                "--sort-by",
                "kind",
                "-o",
                "name",
                "--api-group",
                "gateway.networking.k8s.io",
            ],
            "grpcroutes.gateway.networking.k8s.io\ngateways.gateway.networking.k8s.io\ngatewayclasses.gateway.networking.k8s.io\nhttproutes.gateway.networking.k8s.io\nreferencegrants.gateway.networking.k8s.io\n",
            id="category-filter-sort-by-kind",
        ),
    ],
)
def test_offline_outputs(fixtures_dir, cluster, args, expected):
    code, out, err = invoke(
        "resources", "--discovery", str(fixtures_dir / "discovery" / cluster), *args
    )
    assert (code, err) == (0, "")
    assert out == expected


def test_json_is_one_api_resource_list_with_group_and_version(fixtures_dir):
    code, out, _ = invoke(
        "resources",
        "--discovery",
        str(fixtures_dir / "discovery" / "k3s-1.34"),
        "--api-group",
        "autoscaling",
        "-o",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    assert (doc["kind"], doc["groupVersion"]) == ("APIResourceList", "")
    assert [(r["name"], r["group"], r["version"]) for r in doc["resources"]] == [
        ("horizontalpodautoscalers", "autoscaling", "v2")
    ]


def test_packaged_snapshot_without_cluster_says_so():
    code, out, err = invoke("resources", "-o", "name", "--api-group", "apps")
    assert code == 0
    assert out.startswith("controllerrevisions.apps\n")
    assert err == (
        "no cluster configured: using the k3s 1.34 discovery snapshot shipped with kmech "
        "(point KUBECONFIG at a cluster, or pass --discovery DIR)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["-o", "table2"],
            'error: unknown output format "table2": use -o wide|name|json|yaml',
            id="output",
        ),
        pytest.param(
            ["--sort-by", "age"], "error: --sort-by accepts only name or kind", id="sort-by"
        ),
        pytest.param(
            ["--namespaced", "maybe"],
            'error: invalid value "maybe" for --namespaced: use true or false',
            id="namespaced",
        ),
        pytest.param(
            ["--discovery", "/nonexistent"],
            "error: --discovery /nonexistent: not a directory; pass a saved discovery folder",
            id="discovery-dir",
        ),
    ],
)
def test_bad_input(args, message, capfd):
    from kmech.cli.app import main

    with pytest.raises(SystemExit) as exc:
        main(["resources", *args])
    assert exc.value.code == 2
    assert capfd.readouterr().err == message + "\n"


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        pytest.param(
            [1],
            "malformed discovery data in the resource list of v1 resource #0: expected an object, got int",
            id="entry-not-object",
        ),
        pytest.param(
            [{"name": "pods", "kind": "Pod", "verbs": "get"}],
            "malformed discovery data in the resource list of v1 resource #0: verbs must be a list of strings",
            id="verbs-not-list",
        ),
    ],
)
def test_malformed_resource_list_is_one_error_line(resources, message, tmp_path, capfd):
    """The same parser and message as `kmech resolve`, not an internal error."""
    from kmech.cli.app import main

    (tmp_path / "resources").mkdir()
    (tmp_path / "api.json").write_text('{"versions": ["v1"]}')
    (tmp_path / "apis.json").write_text('{"groups": []}')
    (tmp_path / "resources" / "core_v1.json").write_text(json.dumps({"resources": resources}))
    with pytest.raises(SystemExit) as exc:
        main(["resources", "--discovery", str(tmp_path)])
    assert exc.value.code == 1
    assert capfd.readouterr().err == f"error: {message}\n"
