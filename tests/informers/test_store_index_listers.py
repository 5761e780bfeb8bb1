"""Keys, tombstones, the indexed store and listers (spec §5; scenarios S37, S38)."""

from __future__ import annotations

import pytest

from kmech.errors import NotFoundError, UsageError
from kmech.informers import (
    NAMESPACE_INDEX,
    NOTHING,
    Cache,
    DeletedFinalStateUnknown,
    IndexerError,
    KeyFuncError,
    Lister,
    meta_namespace_index_func,
    meta_namespace_key_func,
    parse_label_selector,
    split_meta_namespace_key,
)
from kmech.informers.store import object_key
from kmech.informers.testing import make_object


def pod(name, ns="ns1", node=None, labels=None, rv="1"):
    o = make_object(name, ns, labels=labels, spec={"nodeName": node} if node else {})
    o["metadata"]["resourceVersion"] = rv
    return o


def by_node(obj):
    node = (obj.get("spec") or {}).get("nodeName")
    return [node] if node else []


@pytest.mark.parametrize(
    ("obj", "key"),
    [
        pytest.param(make_object("p1", "ns1"), "ns1/p1", id="namespaced"),
        pytest.param(make_object("node-a", ""), "node-a", id="cluster-scoped"),
        pytest.param(DeletedFinalStateUnknown("ns1/gone", None), "ns1/gone", id="tombstone"),
    ],
)
def test_meta_namespace_key_func(obj, key):
    assert meta_namespace_key_func(obj) == key


def test_key_func_rejects_objects_without_name():
    with pytest.raises(KeyFuncError, match="no metadata.name"):
        meta_namespace_key_func({"metadata": {}})


@pytest.mark.parametrize(
    ("obj", "key"),
    [
        pytest.param(make_object("p1", "ns1"), "ns1/p1", id="namespaced"),
        pytest.param(make_object("node-a", ""), "node-a", id="cluster-scoped"),
        pytest.param({"metadata": {"namespace": "ns1"}}, "ns1/", id="no-name"),
        pytest.param({}, "", id="no-metadata"),
        pytest.param({"metadata": "x"}, "", id="metadata-not-an-object"),
    ],
)
def test_object_key_never_raises(obj, key):
    assert object_key(obj) == key


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        pytest.param("n", ("", "n"), id="one-part"),
        pytest.param("ns/n", ("ns", "n"), id="two-parts"),
    ],
)
def test_split_meta_namespace_key(key, parts):
    assert split_meta_namespace_key(key) == parts


def test_split_meta_namespace_key_rejects_three_parts():
    with pytest.raises(KeyFuncError, match="unexpected key format 'a/b/c'"):
        split_meta_namespace_key("a/b/c")


def test_s37_indices_follow_updates_deletes_and_replace():
    cache = Cache(indexers={NAMESPACE_INDEX: meta_namespace_index_func, "by_node": by_node})
    cache.add(pod("p1", node="n1"))
    cache.add(pod("p2", node="n1"))
    cache.add(pod("q1", ns="ns2", node="n2"))
    assert sorted(cache.index_keys("by_node", "n1")) == ["ns1/p1", "ns1/p2"]
    cache.update(pod("p1", node="n2", rv="2"))
    assert cache.index_keys("by_node", "n1") == ["ns1/p2"]
    assert sorted(cache.index_keys("by_node", "n2")) == ["ns1/p1", "ns2/q1"]
    cache.delete(pod("p1"))
    cache.delete(pod("p2"))
    assert cache.index_keys("by_node", "n1") == []
    assert "n1" not in cache.list_index_func_values("by_node")  # empty buckets are removed
    assert cache.index_keys("by_node", "n2") == ["ns2/q1"]
    assert [o["metadata"]["name"] for o in cache.by_index(NAMESPACE_INDEX, "ns2")] == ["q1"]
    assert [o["metadata"]["name"] for o in cache.index("by_node", pod("x", node="n2"))] == ["q1"]
    cache.replace([pod("r1", node="n3"), pod("r2", ns="ns3")], "99")
    assert cache.list_index_func_values("by_node") == ["n3"]
    assert sorted(cache.list_index_func_values(NAMESPACE_INDEX)) == ["ns1", "ns3"]
    assert cache.last_store_sync_resource_version() == "99"


def test_add_indexers_backfills_and_rejects_duplicates():
    cache = Cache()
    cache.add(pod("p1", node="n1"))
    cache.add_indexers({"by_node": by_node})
    assert cache.index_keys("by_node", "n1") == ["ns1/p1"]
    with pytest.raises(IndexerError, match="indexer conflict: by_node"):
        cache.add_indexers({"by_node": by_node})


def test_unknown_index_and_failing_index_function():
    cache = Cache(indexers={"bad": lambda o: o["spec"]["missing"]})
    with pytest.raises(IndexerError, match="index function 'bad' failed"):
        cache.add(pod("p1"))
    with pytest.raises(IndexerError, match="index with name 'nope' does not exist"):
        cache.by_index("nope", "x")


def test_s38_lister_filters_the_cache():
    cache = Cache(indexers={NAMESPACE_INDEX: meta_namespace_index_func})
    cache.add(pod("a", labels={"app": "web", "tier": "1"}))
    cache.add(pod("b", labels={"app": "db"}))
    cache.add(pod("c", ns="ns2", labels={"app": "web"}))
    cache.add(pod("node-x", ns=""))
    lister = Lister(cache, resource="pods")
    names = lambda objs: sorted(o["metadata"]["name"] for o in objs)  # noqa: E731
    assert names(lister.list("app=web")) == ["a", "c"]
    assert names(lister.list()) == ["a", "b", "c", "node-x"]
    assert names(lister.list(NOTHING)) == []
    assert names(lister.by_namespace("ns1").list("app in (web,db),tier!=2")) == ["a", "b"]
    assert names(lister.by_namespace("").list()) == ["a", "b", "c", "node-x"]
    assert lister.by_namespace("ns1").get("a")["metadata"]["name"] == "a"
    assert lister.get("node-x")["metadata"]["name"] == "node-x"
    with pytest.raises(NotFoundError, match='pods "missing" not found in the informer cache'):
        lister.by_namespace("ns1").get("missing")


def test_namespace_lister_without_namespace_index_scans():
    cache = Cache(indexers={})
    cache.add(pod("a"))
    cache.add(pod("b", ns="ns2"))
    assert [o["metadata"]["name"] for o in Lister(cache).by_namespace("ns2").list()] == ["b"]


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        pytest.param("", {}, True, id="empty-matches-all"),
        pytest.param("app=web", {"app": "web"}, True, id="equals"),
        pytest.param("app==web", {"app": "db"}, False, id="double-equals-mismatch"),
        pytest.param("app!=web", {}, True, id="not-equals-missing-label"),
        pytest.param("app", {"app": ""}, True, id="exists"),
        pytest.param("!app", {"app": "x"}, False, id="not-exists"),
        pytest.param("env in (a, b)", {"env": "b"}, True, id="in"),
        pytest.param("env notin (a,b)", {"env": "a"}, False, id="notin"),
        pytest.param("env notin (a,b)", {}, True, id="notin-missing"),
        pytest.param("n>3", {"n": "4"}, True, id="greater"),
        pytest.param("n<3", {"n": "x"}, False, id="less-not-a-number"),
        pytest.param("a=1, b in (2,3), !c", {"a": "1", "b": "3"}, True, id="conjunction"),
    ],
)
def test_label_selector_matching(selector, labels, matches):
    assert parse_label_selector(selector).matches(labels) is matches


@pytest.mark.parametrize("selector", ["app=(x", "a>b", "=x"])
def test_label_selector_errors_name_the_requirement(selector):
    with pytest.raises(UsageError, match="invalid label selector"):
        parse_label_selector(selector)
