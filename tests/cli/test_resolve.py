"""`kmech resolve`: exact output of every format, --explain, --kind, errors and exit codes,
offline (--discovery, the packaged snapshot) and over HTTP against the sandbox."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from kmech.cli.app import app, main

TABLE = """\
INPUT         RESOURCE                   GROUP         VERSION   KIND                      SCOPE        SHORTNAMES
po            pods                       (core)        v1        Pod                       Namespaced   po
deploy.apps   deployments                apps          v1        Deployment                Namespaced   deploy
hpa           horizontalpodautoscalers   autoscaling   v2        HorizontalPodAutoscaler   Namespaced   hpa
cpol          clusterpolicies            kyverno.io    v1        ClusterPolicy             Cluster      cpol
all           pods                       (core)        v1        Pod                       Namespaced   po
all           replicationcontrollers     (core)        v1        ReplicationController     Namespaced   rc
all           services                   (core)        v1        Service                   Namespaced   svc
all           daemonsets                 apps          v1        DaemonSet                 Namespaced   ds
all           deployments                apps          v1        Deployment                Namespaced   deploy
all           replicasets                apps          v1        ReplicaSet                Namespaced   rs
all           statefulsets               apps          v1        StatefulSet               Namespaced   sts
all           horizontalpodautoscalers   autoscaling   v2        HorizontalPodAutoscaler   Namespaced   hpa
all           cronjobs                   batch         v1        CronJob                   Namespaced   cj
all           jobs                       batch         v1        Job                       Namespaced
"""

WIDE = """\
INPUT    RESOURCE      GROUP   VERSION   KIND         SCOPE        SHORTNAMES   VERBS                                                        CATEGORIES
deploy   deployments   apps    v1        Deployment   Namespaced   deploy       create,delete,deletecollection,get,list,patch,update,watch   all
"""

ALL_NAMES = (
    "pods\nreplicationcontrollers\nservices\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\n"
    "statefulsets.apps\nhorizontalpodautoscalers.autoscaling\ncronjobs.batch\njobs.batch\n"
)


@pytest.fixture
def k3s(fixtures_dir):
    return str(fixtures_dir / "discovery" / "k3s-1.34")


def invoke(*args):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["po", "deploy.apps", "hpa", "cpol", "all"], TABLE, id="table"),
        pytest.param(["deploy", "-o", "wide"], WIDE, id="wide"),
        pytest.param(["po", "deploy.apps", "-o", "name"], "pods\ndeployments.apps\n", id="name"),
        pytest.param(["all", "-o", "name"], ALL_NAMES, id="category-name"),
        pytest.param(
            ["--kind", "Deployment.v1.apps", "Pod", "-o", "name"],
            "deployments.apps\npods\n",
            id="kind",
        ),
    ],
)
def test_text_outputs(k3s, args, expected):
    code, out, _ = invoke("resolve", "--discovery", k3s, *args)
    assert code == 0
    assert out == expected


def test_json_for_a_short_name_with_a_collision(k3s):
    code, out, err = invoke("resolve", "--discovery", k3s, "ev", "-o", "json")
    assert code == 0
    doc = json.loads(out)
    assert list(doc) == [
        "input",
        "group",
        "version",
        "resource",
        "kind",
        "namespaced",
        "verbs",
        "shortNames",
        "categories",
        "matchedBy",
        "candidates",
        "warnings",
    ]
    assert (doc["input"], doc["group"], doc["version"], doc["resource"], doc["kind"]) == (
        "ev",
        "",
        "v1",
        "events",
        "Event",
    )
    assert doc["matchedBy"] == "shortName"
    assert doc["candidates"][0] == {
        "group": "events.k8s.io",
        "version": "v1",
        "resource": "events",
        "kind": "Event",
        "matchedBy": "resource",
        "reason": "group priority: core v1 always comes first",
    }
    warning = 'short name "ev" could also match lower priority resource events.events.k8s.io'
    assert doc["warnings"] == [warning]
    assert err == f"Warning: {warning}\n"


def test_json_for_a_category_lists_its_members(k3s):
    code, out, _ = invoke("resolve", "--discovery", k3s, "all", "-o", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["input"], doc["matchedBy"]) == ("all", "category")
    assert [r["resource"] for r in doc["resources"]] == [
        "pods",
        "replicationcontrollers",
        "services",
        "daemonsets",
        "deployments",
        "replicasets",
        "statefulsets",
        "horizontalpodautoscalers",
        "cronjobs",
        "jobs",
    ]


def test_several_names_give_a_json_list_and_yaml_is_the_same_data(k3s):
    _, as_json, _ = invoke("resolve", "--discovery", k3s, "po", "deploy", "-o", "json")
    _, as_yaml, _ = invoke("resolve", "--discovery", k3s, "po", "deploy", "-o", "yaml")
    docs = json.loads(as_json)
    assert [d["resource"] for d in docs] == ["pods", "deployments"]
    assert yaml.safe_load(as_yaml) == docs


def test_explain_tells_the_steps(k3s):
    code, out, err = invoke("resolve", "--discovery", k3s, "ev", "--explain")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == ['"ev" is not a category', "pieces to map: 'ev'", 'piece "ev":']
    assert "    winner v1 Event: group priority: core v1 always comes first" in lines
    assert lines[-1] == (
        'warning (kubectl prints it): short name "ev" could also match lower priority '
        "resource events.events.k8s.io"
    )


@pytest.mark.parametrize(
    ("names", "stderr"),
    [
        pytest.param(
            ["deploymnt"],
            'error: the server doesn\'t have a resource type "deploymnt"\n'
            'did you mean "deployment", "deployments" or "deploy"?\n',
            id="did-you-mean",
        ),
        pytest.param(
            ["Deployments.APPS"],
            'error: the server doesn\'t have a resource type "Deployments" in group "APPS"\n'
            'did you mean "deployments.apps" or "deployment.apps"?\n',
            id="group-case-sensitive",
        ),
        pytest.param(
            ["PO"],
            'error: the server doesn\'t have a resource type "PO"\n'
            'did you mean "po", "no" or "pod"?\n',
            id="short-names-case-sensitive",
        ),
    ],
)
def test_unknown_name_exits_3_with_kubectls_words(k3s, names, stderr):
    code, out, err = invoke("resolve", "--discovery", k3s, *names)
    assert (code, out) == (3, "")
    assert err == stderr


def test_unknown_and_known_names_together(k3s):
    code, out, err = invoke("resolve", "--discovery", k3s, "nope", "po", "-o", "name")
    assert (code, out) == (3, "pods\n")
    assert err.startswith('error: the server doesn\'t have a resource type "nope"\n')


def test_kind_without_match_exits_3(k3s):
    code, _, err = invoke("resolve", "--discovery", k3s, "--kind", "Nothing.apps")
    assert code == 3
    assert err.startswith('error: no matches for kind "Nothing" in group "apps"')


def test_no_cluster_uses_the_packaged_snapshot_and_says_so():
    code, out, err = invoke("resolve", "cpol", "-o", "name")
    assert (code, out) == (0, "clusterpolicies.kyverno.io\n")
    assert err == (
        "no cluster configured: using the k3s 1.34 discovery snapshot shipped with kmech "
        "(point KUBECONFIG at a cluster, or pass --discovery DIR)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["po", "-o", "csv"],
            'error: unknown output format "csv": use -o wide|name|json|yaml',
            id="output",
        ),
        pytest.param([], "error: no NAME given: try `kmech resolve po deploy.apps`", id="no-name"),
        pytest.param(
            ["--discovery", "/nonexistent", "po"],
            "error: --discovery /nonexistent: not a directory; pass a saved discovery folder",
            id="discovery",
        ),
    ],
)
def test_usage_errors(args, message, capfd):
    with pytest.raises(SystemExit) as exc:
        main(["resolve", *args])
    assert exc.value.code == 2
    assert capfd.readouterr().err == message + "\n"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {"apis.json": "[]"}, "apis.json is not an APIGroupList", id="not-a-group-list"
        ),
        pytest.param(
            {"apis.json": '{"groups": [1]}'},
            "apis.json has a group that is not an object",
            id="group-not-object",
        ),
        pytest.param(
            {"servergroups.json": '{"groups": [{"name": "apps", "versions": [{}]}]}'},
            "servergroups.json: group 'apps' has a version without a name",
            id="cache-version-without-name",
        ),
        pytest.param(
            {"aggregated_apis.json": "[1]"},
            "malformed aggregated discovery document: expected an APIGroupDiscoveryList with items",
            id="aggregated-not-a-list",
        ),
    ],
)
def test_malformed_discovery_folder_is_one_error_line(files, message, tmp_path, capfd):
    """A broken saved folder is a runtime error naming the file, never an internal error."""
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(SystemExit) as exc:
        main(["resolve", "--discovery", str(tmp_path), "po"])
    assert exc.value.code == 1
    err = capfd.readouterr().err
    assert err.startswith("error: ") and err.rstrip("\n").endswith(message), err
    assert err.count("\n") == 1


def test_over_http_with_kubectls_default_cache_dir(sb, kubeconfig, tmp_path):
    """KUBECONFIG from the environment, cache under ~/.kube/cache like kubectl, then reused."""
    import os

    code, out, err = invoke("resolve", "deploy", "hpa", "-o", "name")
    assert (code, out, err) == (0, "deployments.apps\nhorizontalpodautoscalers.autoscaling\n", "")
    host = sb.url.split("://")[1].replace(":", "_")
    home_cache = os.path.expanduser("~/.kube/cache/discovery/" + host)
    assert os.path.isfile(os.path.join(home_cache, "servergroups.json"))
    sb.clear_requests()
    assert invoke("resolve", "deploy")[0] == 0
    assert sb.request_count == 0


def test_kubecachedir_moves_the_cache(sb, kubeconfig, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kcd"))
    assert invoke("resolve", "po")[0] == 0
    assert list((tmp_path / "kcd" / "discovery").iterdir())[0].name == sb.url.split("://")[
        1
    ].replace(":", "_")


def test_malformed_aggregated_discovery_from_the_server_is_one_error_line(
    sb, kubeconfig, tmp_path, capfd
):
    """The server answers /apis with an aggregated document whose resources are not objects."""
    from kmech.discovery.aggregated import ACCEPT_DISCOVERY

    doc = {
        "items": [{"metadata": {"name": "apps"}, "versions": [{"version": "v1", "resources": [1]}]}]
    }
    sb.faults.script(
        [json.dumps(doc).encode()],
        path_regex="^/apis$",
        content_type=ACCEPT_DISCOVERY.split(",")[0],
    )
    with pytest.raises(SystemExit) as exc:
        main(["resolve", "deploy", "--cache-dir", str(tmp_path / "c")])
    assert exc.value.code == 1
    assert capfd.readouterr().err == (
        "error: malformed aggregated discovery document: "
        "group 'apps' version 'v1': resources must be a list of objects\n"
    )


def test_unreachable_server_exits_4(tmp_path, capfd):
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\nusers: [{name: u, user: {}}]\n"
    )
    with pytest.raises(SystemExit) as exc:
        main(["--kubeconfig", str(path), "resolve", "po", "--cache-dir", str(tmp_path / "c")])
    assert exc.value.code == 4
    assert capfd.readouterr().err.startswith("error: ")
