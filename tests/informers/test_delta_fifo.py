"""DeltaFIFO reference mode (spec §4.3; scenarios S35, S36 in DeltaFIFO mode)."""

from __future__ import annotations

import pytest

from kmech.clock import SECOND, Duration
from kmech.informers import (
    Cache,
    DeletedFinalStateUnknown,
    DeltaFIFO,
    DeltaType,
    QueueMode,
    TraceKind,
)
from kmech.informers.testing import FakeControllerSource, make_object
from tests.informers.conftest import Recorder, TraceLog, wait_until


def fifo_with(*cached):
    cache = Cache()
    for obj in cached:
        cache.add(obj)
    return DeltaFIFO(cache.thread_safe_store), cache


def drain(q):
    out = []
    while len(q):
        q.pop(lambda item, initial: out.append((item, initial)))
    return out


def flat(popped):
    """[(key, [(type, name-or-tomb)])] per popped item."""
    rows = []
    for item, _ in popped:
        rows.append(
            (
                item.key,
                [
                    (
                        d.type.value,
                        f"tomb:{d.object.key}"
                        if isinstance(d.object, DeletedFinalStateUnknown)
                        else d.object["metadata"]["name"],
                    )
                    for d in item.deltas
                ],
            )
        )
    return rows


def test_s36_deltafifo_groups_by_key():
    q, _ = fifo_with()
    q.add(make_object("a", labels={"v": "1"}))
    q.add(make_object("b"))
    q.update(make_object("a", labels={"v": "2"}))
    assert flat(drain(q)) == [
        ("default/a", [("Added", "a"), ("Updated", "a")]),
        ("default/b", [("Added", "b")]),
    ]


def test_s35_delete_then_replace_keeps_the_real_object():
    p = make_object("p")
    q, _ = fifo_with(p)
    q.delete(p)
    q.replace([], "9")
    popped = drain(q)
    assert flat(popped) == [("default/p", [("Deleted", "p")])]
    assert popped[0][0].deltas[0].object is p


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        pytest.param("tomb", "real", "real", id="tombstone-then-real-keeps-real"),
        pytest.param("real", "tomb", "real", id="real-then-tombstone-keeps-real"),
        pytest.param("tomb", "tomb2", "tomb2", id="two-tombstones-keep-the-newer"),
        pytest.param("real", "real2", "real", id="two-real-objects-keep-the-older"),
    ],
)
def test_consecutive_deletes_collapse(first, second, kept):
    q, _ = fifo_with(make_object("p"))
    objs = {
        "real": make_object("p", labels={"n": "1"}),
        "real2": make_object("p", labels={"n": "2"}),
        "tomb": DeletedFinalStateUnknown("default/p", None),
        "tomb2": DeletedFinalStateUnknown("default/p", make_object("p")),
    }
    with q._mutex:
        q._queue_action_locked(DeltaType.DELETED, objs[first])
        q._queue_action_locked(DeltaType.DELETED, objs[second])
    ((item, _),) = drain(q)
    assert len(item.deltas) == 1 and item.deltas[0].object is objs[kept]


def test_delete_of_unknown_key_is_dropped():
    q, _ = fifo_with()
    q.delete(make_object("ghost"))
    assert len(q) == 0


def test_replace_lists_first_then_deletions_and_counts_the_initial_population():
    q, _ = fifo_with(make_object("gone"), make_object("kept"))
    q.update(make_object("pending"))
    q.replace([make_object("kept"), make_object("new")], "5")
    rows = flat(drain(q))
    assert rows == [
        ("default/pending", [("Updated", "pending"), ("Deleted", "tomb:default/pending")]),
        ("default/kept", [("Replaced", "kept")]),
        ("default/new", [("Replaced", "new")]),
        ("default/gone", [("Deleted", "tomb:default/gone")]),
    ]
    assert q.has_synced()


def test_resync_skips_keys_with_pending_deltas():
    q, _ = fifo_with(make_object("a"), make_object("b"))
    q.update(make_object("a", labels={"v": "2"}))
    q.resync()
    assert flat(drain(q)) == [
        ("default/a", [("Updated", "a")]),
        ("default/b", [("Sync", "b")]),
    ]


def test_informer_in_deltafifo_mode_relists_list_first_then_deletions(make_informer, clock):
    src = FakeControllerSource()
    for name in ("p1", "p2", "p3"):
        src.add(make_object(name))
    informer = make_informer(src, queue_mode=QueueMode.DELTA_FIFO)
    rec = Recorder()
    informer.add_event_handler(rec)
    trace = TraceLog()
    informer.add_trace_hook(trace)
    informer.start()
    assert rec.wait_for(3) and src.wait_for_watches(1)
    assert wait_until(informer.has_synced)
    assert {n.origin.value for n in rec.notifications} == {"initial"}
    rec.clear()
    src.expire_watches()
    assert wait_until(lambda: len(trace.of(TraceKind.BACKOFF)) == 1)
    src.modify(make_object("p1", labels={"v": "2"}))
    src.delete("default/p2")
    src.add(make_object("p5"))
    clock.step(Duration(2 * SECOND))
    assert rec.wait_for(4)
    assert rec.summary() == [
        ("update", "relist", "p1"),
        ("update", "relist", "p3"),
        ("add", "relist", "p5"),
        ("delete", "relist", "tomb:default/p2"),
    ]
