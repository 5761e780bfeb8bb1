"""The store: one rv counter, bounded history, snapshots, watcher registration (pure)."""

from __future__ import annotations

import pytest

from kmech.sandbox.status import StatusException
from kmech.sandbox.storage import EventType, ResourceKey, RVCodec, Storage, StoredEvent

PODS = ResourceKey("", "pods")
CMS = ResourceKey("", "configmaps")


class Sink:
    def __init__(self) -> None:
        self.events: list[StoredEvent] = []
        self.expired: int | None = None

    def offer(self, event: StoredEvent) -> None:
        self.events.append(event)

    def expire(self, floor: int) -> None:
        self.expired = floor


def make(history: int = 100) -> Storage:
    return Storage(history_size=history, wall_time=lambda: 1_700_000_000.0)


def create(store: Storage, key: ResourceKey, name: str, ns: str = "default", **extra):
    return store.create(
        key, {"metadata": {"name": name}, **extra}, namespace=ns, kind="Pod", api_version="v1"
    )


def test_one_counter_across_resources():
    store = make()
    a = create(store, PODS, "a")
    b = create(store, CMS, "b")
    assert (a["metadata"]["resourceVersion"], b["metadata"]["resourceVersion"]) == ("1", "2")
    assert a["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z"
    assert store.rv == 2


def test_written_objects_are_never_mutated():
    store = make()
    first = create(store, PODS, "a", spec={"x": 1})
    store.update(PODS, "default", "a", lambda cur: {**cur, "spec": {"x": 2}})
    assert first["spec"] == {"x": 1}
    assert first["metadata"]["resourceVersion"] == "1"


def test_snapshot_at_older_rv_undoes_later_writes():
    store = make()
    create(store, PODS, "a")
    create(store, PODS, "b")
    at = store.rv
    store.delete(PODS, "default", "a")
    store.update(PODS, "default", "b", lambda cur: {**cur, "spec": {"v": 2}})
    create(store, PODS, "c")
    rv, items = store.list_items(PODS, None, at_rv=at)
    assert rv == at
    assert [(k, o.get("spec")) for k, o in items] == [
        (("default", "a"), None),
        (("default", "b"), None),
    ]


def test_history_bound_moves_the_floor():
    store = make(history=3)
    for name in "abcde":
        create(store, PODS, name)
    assert store.floor == 2
    with pytest.raises(StatusException) as info:
        store.list_items(PODS, None, at_rv=1)
    assert info.value.code == 410
    assert info.value.body["message"] == "too old resource version: 1 (5)"
    rv, events = store.register(PODS, Sink(), since=2)
    assert [e.rv for e in events] == [3, 4, 5]  # type: ignore[union-attr]


def test_register_is_atomic_with_start_point():
    store = make()
    create(store, PODS, "a")
    sink = Sink()
    rv, objs = store.register(PODS, sink, since=None)
    assert rv == 1 and len(objs) == 1
    create(store, PODS, "b")
    create(store, CMS, "c")
    assert [(e.type, e.obj["metadata"]["name"]) for e in sink.events] == [(EventType.ADDED, "b")]
    store.unregister(PODS, sink)
    create(store, PODS, "d")
    assert len(sink.events) == 1


def test_delete_event_carries_last_state_at_deletion_rv():
    store = make()
    create(store, PODS, "a", spec={"x": 1})
    sink = Sink()
    store.register(PODS, sink, since=store.rv)
    last = store.delete(PODS, "default", "a")
    assert last["metadata"]["resourceVersion"] == "2"
    assert last["spec"] == {"x": 1}
    assert sink.events[0].type is EventType.DELETED
    assert (
        sink.events[0].prev is not None
        and sink.events[0].prev["metadata"]["resourceVersion"] == "1"
    )


def test_compact_and_expire():
    store = make()
    create(store, PODS, "a")
    sink = Sink()
    store.register(PODS, sink, since=store.rv)
    store.compact(expire_watchers=True)
    assert store.floor == store.rv == 1
    assert sink.expired == 1


@pytest.mark.parametrize(
    "opaque", [pytest.param(False, id="numeric"), pytest.param(True, id="opaque")]
)
def test_rv_codec_round_trip(opaque):
    codec = RVCodec(opaque=opaque)
    values = [1, 2, 3, 10, 999_999]
    encoded = [codec.encode(v) for v in values]
    assert [codec.decode(e) for e in encoded] == values
    if opaque:
        assert all(not e.isdigit() for e in encoded)
        assert sorted(encoded) != encoded or len({len(e) for e in encoded}) == 1
    with pytest.raises(ValueError):
        codec.decode("nope")


def test_update_preserves_identity_and_checks_precondition():
    store = make()
    a = create(store, PODS, "a")
    renamed = store.update(
        PODS, "default", "a", lambda cur: {**cur, "metadata": {"name": "zzz", "uid": "x"}}
    )
    assert renamed["metadata"]["name"] == "a"
    assert renamed["metadata"]["uid"] == a["metadata"]["uid"]
    with pytest.raises(StatusException) as info:
        store.update(PODS, "default", "a", lambda cur: cur, precondition_rv="1")
    assert info.value.code == 409
