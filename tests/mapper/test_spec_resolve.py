"""spec/restmapper.md §16: the 85 ``kmech resolve NAME`` cases (kubectl's §2 pipeline), one row each."""

from __future__ import annotations

import pytest

from kmech.mapper import ResourceTypeNotFoundError, RESTMapping
from tests.mapper.spec_fixtures import fixture

POD = "v1 pods · v1 Pod · namespace"
DEPLOY = "apps/v1 deployments · apps/v1 Deployment · namespace"
HPA2 = (
    "autoscaling/v2 horizontalpodautoscalers · autoscaling/v2 HorizontalPodAutoscaler · namespace"
)
HPA1 = (
    "autoscaling/v1 horizontalpodautoscalers · autoscaling/v1 HorizontalPodAutoscaler · namespace"
)
EVENT = "v1 events · v1 Event · namespace"
EVENT_NEW = "events.k8s.io/v1 events · events.k8s.io/v1 Event · namespace"
WIDGET = "acme.example.com/v1 widgets · acme.example.com/v1 Widget · namespace"
GADGET = "acme.example.com/v1beta1 gadgets · acme.example.com/v1beta1 Gadget · namespace"
COG = "kinds.example.com/v1 sprockets · kinds.example.com/v1 Cog · namespace"
PODMETRICS = "metrics.k8s.io/v1beta1 pods · metrics.k8s.io/v1beta1 PodMetrics · namespace"
EXT_DEPLOY = "extensions/v1beta1 deployments · extensions/v1beta1 Deployment · namespace"
W_PO = 'short name "po" could also match lower priority resource widgets.acme.example.com'


def nf(name: str) -> str:
    return f'NotFound "{name}"'


def gv(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def render(m: RESTMapping) -> str:
    r, k = m.resource, m.gvk
    return f"{gv(r.group, r.version)} {r.resource} · {gv(k.group, k.version)} {k.kind} · {m.scope}"


def row(num, fx, arg, expected, *warnings, why=""):
    exp = [expected] if isinstance(expected, str) else list(expected)
    return pytest.param(fx, arg, exp, tuple(warnings), id=f"{num}-{fx}-{arg}")


CASES = [
    row("T01", "F0", "pods", POD),
    row("T02", "F0", "pod", POD),
    row("T03", "F0", "po", POD, W_PO),
    row("T04", "F0", "Pod", POD),
    row("T05", "F0", "PODS", POD),
    row("T06", "F0", "PO", nf("PO")),
    row("T07", "F0", "deploy", DEPLOY),
    row("T08", "F0", "deployments.apps", DEPLOY),
    row("T09", "F0", "deployment.apps", DEPLOY),
    row("T10", "F0", "deployments.v1.apps", DEPLOY),
    row("T11", "F0", "deployment.v1.apps", DEPLOY),
    row("T12", "F0", "Deployment.v1.apps", DEPLOY),
    row("T13", "F0", "deployments.v1beta1.apps", nf("deployments")),
    row("T14", "F0", "pods.v1.", POD),
    row("T15", "F0", "pods.v1beta1.", PODMETRICS),
    row("T16", "F0", "pods.v1", nf("pods")),
    row("T17", "F0", "hpa", HPA2),
    row("T18", "F0", "hpa.autoscaling", HPA2),
    row("T19", "F0", "hpa.v1.autoscaling", HPA2),
    row("T20", "F0", "horizontalpodautoscalers.v1.autoscaling", HPA1),
    row("T21", "F0", "hpa.autoscal", HPA2),
    row("T22", "F0", "deployments.app", DEPLOY),
    row("T23", "F0", "deploy.app", DEPLOY),
    row(
        "T24",
        "F0",
        "storageclass.storage",
        "storage.k8s.io/v1 storageclasses · storage.k8s.io/v1 StorageClass · root",
    ),
    row("T25", "F0", "events", EVENT),
    row(
        "T26",
        "F0",
        "ev",
        EVENT,
        'short name "ev" could also match lower priority resource events.events.k8s.io',
    ),
    row("T27", "F0", "events.events.k8s.io", EVENT_NEW),
    row("T28", "F0", "event.events.k8s.io", EVENT_NEW),
    row("T29", "F0", "Event.events.k8s.io", EVENT_NEW),
    row("T30", "F0", "podmetrics", PODMETRICS),
    row("T31", "F0", "nodes", "v1 nodes · v1 Node · root"),
    row(
        "T32",
        "F0",
        "nodes.metrics.k8s.io",
        "metrics.k8s.io/v1beta1 nodes · metrics.k8s.io/v1beta1 NodeMetrics · root",
    ),
    row("T33", "F0", "widgets", WIDGET),
    row("T34", "F0", "wd", WIDGET),
    row("T35", "F0", "gadgets", GADGET),
    row("T36", "F0", "gadgets.v1.acme.example.com", nf("gadgets")),
    row("T37", "F0", "gadgets.v1beta1.acme.example.com", GADGET),
    row("T38", "F0", "Cog", nf("Cog")),
    row("T39", "F0", "Cog.kinds.example.com", COG),
    row(
        "T40",
        "F0",
        "cog.kinds.example.com",
        "kinds.example.com/v1 sprockets · kinds.example.com/v1 cog · namespace",
    ),
    row("T41", "F0", "COG.kinds.example.com", nf("COG")),
    row("T42", "F0", "Cog.v1.kinds.example.com", COG),
    row("T43a", "F0", "sprockets", COG),
    row("T43b", "F0", "sprocket", COG),
    row("T44a", "F0", "list", "v1 lists · v1 List · root"),
    row("T44b", "F0", "lists", "v1 lists · v1 List · root"),
    row("T45", "F0", "podlist", "v1 podlists · v1 PodList · namespace"),
    row("T46", "F0", "endpoints", "v1 endpoints · v1 Endpoints · namespace"),
    row("T47", "F0", "endpoint", nf("endpoint")),
    row("T48", "F0", "pods/log", nf("pods/log")),
    row("T49", "F0", "deployments/scale", nf("deployments/scale")),
    row("T50", "F0", "foo", nf("foo")),
    row(
        "T51",
        "F0",
        "all",
        [
            POD,
            "v1 replicationcontrollers · v1 ReplicationController · namespace",
            "v1 services · v1 Service · namespace",
            "apps/v1 daemonsets · apps/v1 DaemonSet · namespace",
            DEPLOY,
            "apps/v1 replicasets · apps/v1 ReplicaSet · namespace",
            "apps/v1 statefulsets · apps/v1 StatefulSet · namespace",
            HPA2,
            "batch/v1 cronjobs · batch/v1 CronJob · namespace",
            "batch/v1 jobs · batch/v1 Job · namespace",
        ],
    ),
    row("T52", "F0", "acme", [WIDGET, GADGET]),
    row("T53", "F0", "All", nf("All")),
    row("T54", "F0", "pods,svc,po", [POD, "v1 services · v1 Service · namespace"], W_PO),
    row("T55", "F0", "DEPLOY", nf("DEPLOY")),
    row("T56", "F0", "Deployments.APPS", nf("Deployments")),
    row("T57", "F0", "deploy.v1.apps", DEPLOY),
    row("T58", "S1", "foo", "amb.example.com/v1 foo · amb.example.com/v1 Bar · namespace"),
    row("T59", "S2", "foo", "amb.example.com/v1 foos · amb.example.com/v1 Foo · namespace"),
    # T60 is an API-level case: see test_spec_api.py.
    row(
        "T61",
        "COLL",
        "services",
        "shadow.example.com/v1 things · shadow.example.com/v1 Thing · namespace",
    ),
    row("T62", "COLL", "svc", "v1 services · v1 Service · namespace"),
    row("T63", "COLL", "deployments", DEPLOY),
    row(
        "T64",
        "COLL",
        "deploy",
        DEPLOY,
        'short name "deploy" could also match lower priority resource deployments.example.io',
    ),
    row(
        "T65",
        "COLL",
        "deployments.example.io",
        "example.io/v1 deployments · example.io/v1 Deployment · namespace",
    ),
    row("T66", "COLL", "po", "tiny.example.com/v1 po · tiny.example.com/v1 Po · namespace"),
    row(
        "T67",
        "COLL",
        "gateway",
        "gateway.networking.k8s.io/v1 gateways · gateway.networking.k8s.io/v1 Gateway · namespace",
    ),
    row(
        "T68",
        "COLL",
        "gw",
        "networking.istio.io/v1beta1 gateways · networking.istio.io/v1beta1 Gateway · namespace",
    ),
    row("T69", "OLD", "deployments", EXT_DEPLOY),
    row(
        "T70",
        "OLD",
        "deploy",
        EXT_DEPLOY,
        'short name "deploy" could also match lower priority resource deployments.apps',
    ),
    row("T71", "OLD", "deployments.apps", DEPLOY),
    row(
        "T72",
        "OLD",
        "deployments.v1beta2.apps",
        "apps/v1beta2 deployments · apps/v1beta2 Deployment · namespace",
    ),
    row("T73", "OLD", "hpa", HPA1),
    row("T74", "PFX", "foos.example", "example.com/v1 foos · example.com/v1 Foo · namespace"),
    row("T75", "PFX", "foos.exam", "example.com/v1 foos · example.com/v1 Foo · namespace"),
    row(
        "T76",
        "VO",
        "peas",
        "fruit.example.com/v2alpha1 peas · fruit.example.com/v2alpha1 Pea · namespace",
    ),
    row(
        "T77",
        "VO",
        "broccoli",
        "fruit.example.com/v1 broccoli · fruit.example.com/v1 Broccoli · namespace",
    ),
    row("T78", "PM", "things", "g.example.com/v1 things · g.example.com/v1 Thing · namespace"),
    row("T79", "C2", "pods", POD),
    row(
        "T80",
        "C2",
        "po",
        "extensions/v1beta pods · extensions/v1beta Pod · namespace",
        'short name "po" could also match lower priority resource pods',
    ),
    row("T81", "C2", "pods.v2.", "v2 pods · v2 Pod · namespace"),
    row("T82", "C2", "jobs", "extensions/v1beta jobs · extensions/v1beta Job · namespace"),
    row("T83", "STALE", "hpa", HPA1),
    row("T84", "NOSING", "pod", POD),
    row("T85", "NOSING", "endpoint", nf("endpoint")),
]


@pytest.mark.parametrize(("fx", "arg", "expected", "warnings"), CASES)
def test_resolve(fx: str, arg: str, expected: list[str], warnings: tuple[str, ...]) -> None:
    mapper = fixture(fx)
    if expected[0].startswith("NotFound"):
        name = expected[0].removeprefix('NotFound "').removesuffix('"')
        with pytest.raises(ResourceTypeNotFoundError) as info:
            mapper.resolve(arg)
        # kubectl >= 1.33 names the group part of the argument (observed with kubectl 1.37.1).
        group = arg.split(".", 1)[1] if "." in arg else ""
        suffix = f' in group "{group}"' if group else ""
        assert str(info.value) == f'the server doesn\'t have a resource type "{name}"{suffix}'
        assert info.value.exit_code == 3
        return
    result = mapper.resolve(arg)
    assert [render(m) for m in result.mappings] == expected
    assert result.warnings == warnings
