"""Spec §10 scenarios over real HTTP: kmech's informer against the sandbox's fault injection.

Each test starts a :class:`~kmech.dynamic.informer.WatchSession` through the kubeconfig path
(RESTClient → HTTPListerWatcher → SharedIndexInformer) with the spec's fast test backoff, arms a
fault through the sandbox's own API, and checks both the handler notifications and the requests
the sandbox recorded. The informers helper covers the same rows against an in-memory source.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from kmech.dynamic.informer import WatchSession
from kmech.dynamic.listwatch import ACCEPT_METADATA, ACCEPT_METADATA_LIST, ACCEPT_TABLE
from kmech.sandbox import Sandbox
from tests.fidelity.helpers import WAIT, Recorder, pod, start_session

SHOP = "/api/v1/namespaces/shop/pods"


@pytest.fixture
def running() -> Iterator[list[WatchSession]]:
    """Sessions a test starts; all stopped at the end, even when the test fails."""
    sessions: list[WatchSession] = []
    yield sessions
    for s in sessions:
        s.stop()


def lists(sb: Sandbox, path: str = SHOP) -> list[dict[str, str]]:
    return [r.query for r in sb.requests if r.path == path and not r.is_watch]


def watches(sb: Sandbox, path: str = SHOP) -> list[dict[str, str]]:
    return [r.query for r in sb.requests if r.path == path and r.is_watch]


def seed(sb: Sandbox, n: int, prefix: str = "p") -> None:
    for i in range(n):
        sb.create("pods", pod(f"{prefix}{i}"), namespace="shop")


def open_session(sb, kubeconfig, running, **kwargs) -> tuple[WatchSession, Recorder]:
    session, rec, _ = start_session(kubeconfig, **kwargs)
    running.append(session)
    assert session.wait_for_sync(WAIT)
    assert sb.wait_for_watches(1, WAIT)
    return session, rec


# -- initial sync and LIST ------------------------------------------------------------------


def test_initial_list_then_watch_from_the_list_rv(sb, kubeconfig, running) -> None:
    """S01: LIST rv=0&limit=500 without resourceVersionMatch, then WATCH from the list's RV."""
    seed(sb, 3)
    _, rec = open_session(sb, kubeconfig, running)
    assert rec.origins() == ["initial"] * 3
    (first,) = lists(sb)
    assert first == {"resourceVersion": "0", "limit": "500"}
    w = watches(sb)[0]
    assert w["resourceVersion"] == sb.resource_version
    assert w["allowWatchBookmarks"] == "true"
    assert 300 <= int(w["timeoutSeconds"]) < 600


def test_paged_initial_list_with_expired_continue_token_falls_back_once(
    sb, kubeconfig, running
) -> None:
    """S03 + S04: continuation pages drop resourceVersion; a 410 on page 2 costs one full
    unpaged LIST at the original RV, whose items replace everything."""
    seed(sb, 1100)
    sb.faults.status(410, path_regex=r"continue=", times=1)
    session, rec = open_session(sb, kubeconfig, running)
    got = lists(sb)
    assert got[0] == {"resourceVersion": "0", "limit": "500"}
    assert set(got[1]) == {"continue", "limit"}, "continuation must not send resourceVersion"
    assert got[2] == {"resourceVersion": "0"}, "the fallback list is unpaged, at the same RV"
    assert len(got) == 3
    assert len(rec.names()) == 1100
    assert session.informer(session.targets[0]).stats().list_pages >= 2


def test_paged_list_without_faults_reads_every_page(sb, kubeconfig, running) -> None:
    seed(sb, 1001)
    _, rec = open_session(sb, kubeconfig, running)
    got = lists(sb)
    assert [q.get("limit") for q in got] == ["500", "500", "500"]
    assert [("resourceVersion" in q) for q in got] == [True, False, False]
    assert len(rec.names()) == 1001


def test_list_500_is_retried_with_backoff_until_it_succeeds(sb, kubeconfig, running) -> None:
    """S07: LIST fails twice with 500; the watch-error hook runs twice; then the cache syncs."""
    seed(sb, 2)
    sb.faults.status(500, path_regex=r"/pods\?(?!.*watch)", times=2)
    errors: list[str] = []
    session, rec, _ = start_session(
        kubeconfig, on_error=lambda exc: errors.append(type(exc).__name__)
    )
    running.append(session)
    assert session.wait_for_sync(WAIT)
    assert len(lists(sb)) == 3
    assert len(errors) == 2
    assert rec.names() == {"p0", "p1"}


# -- watch stream ----------------------------------------------------------------------------


def test_dropped_watch_resumes_from_the_last_event_without_relist(sb, kubeconfig, running) -> None:
    """S10/S12: a clean close after an event costs one WATCH from that event's RV, no LIST."""
    seed(sb, 2)
    _, rec = open_session(sb, kubeconfig, running)
    sb.faults.drop_watch_after(1)
    sb.create("pods", pod("p2"), namespace="shop")
    rv_of_p2 = sb.resource_version
    assert sb.wait_for_watches(1) and sb.wait_for(lambda s: len(watches(s)) == 2, WAIT)
    sb.create("pods", pod("p3"), namespace="shop")
    assert rec.wait(lambda r: "p3" in r.names())
    assert len(lists(sb)) == 1
    assert watches(sb)[1]["resourceVersion"] == rv_of_p2
    assert rec.origins() == ["initial", "initial", "watch", "watch"]


def test_bookmarks_advance_the_resume_rv(tmp_path, running) -> None:
    """S11: a BOOKMARK moves the resume RV (changes elsewhere), with no handler call."""
    with Sandbox(bookmark_interval=0.05) as sb:
        kubeconfig = sb.write_kubeconfig(tmp_path / "kubeconfig")
        seed(sb, 1)
        session, rec = open_session(sb, kubeconfig, running)
        informer = session.informer(session.targets[0])
        list_rv = informer.last_sync_resource_version()
        sb.create("configmaps", {"metadata": {"name": "elsewhere"}}, namespace="default")
        moved = sb.resource_version
        deadline = time.monotonic() + WAIT
        while informer.last_sync_resource_version() != moved and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        assert informer.stats().bookmarks >= 1
        assert informer.last_sync_resource_version() == moved != list_rv
        sb.faults.drop_watch_after(0)
        assert sb.wait_for(lambda s: len(watches(s)) >= 2, WAIT)
        assert watches(sb)[1]["resourceVersion"] == moved
        assert rec.origins() == ["initial"]
        session.stop()


def test_http_410_on_watch_relists_at_the_last_sync_rv(sb, kubeconfig, running) -> None:
    """S18: the WATCH request answered 410 → backoff → LIST resourceVersion=<last rv>, unpaged."""
    seed(sb, 2)
    sb.faults.status(410, path_regex=r"watch=true", times=1)
    session, rec = open_session(sb, kubeconfig, running)
    assert sb.wait_for(lambda s: len(lists(s)) == 2 and len(watches(s)) == 2, WAIT)
    first_rv = lists(sb)[0]
    assert first_rv == {"resourceVersion": "0", "limit": "500"}
    relist = lists(sb)[1]
    assert relist == {"resourceVersion": watches(sb)[0]["resourceVersion"]}
    assert rec.wait(lambda r: r.origins().count("relist") == 2)


def test_expired_error_event_mid_stream_relists_at_the_last_sync_rv(
    sb, kubeconfig, running
) -> None:
    """S14: ERROR 410 in the stream → after backoff, LIST at last_sync_rv (not 0, no limit); the
    cached objects come back as MODIFIED with origin relist; then a WATCH from the list's RV."""
    seed(sb, 2)
    session, rec = open_session(sb, kubeconfig, running)
    last_rv = session.informer(session.targets[0]).last_sync_resource_version()
    sb.faults.expire_watch_mid_stream(after_events=0)
    assert rec.wait(lambda r: r.origins().count("relist") == 2)
    assert lists(sb)[1] == {"resourceVersion": last_rv}
    assert [(t, o) for t, o, _ in rec.records[2:]] == [("MODIFIED", "relist")] * 2
    assert sb.wait_for(lambda s: len(watches(s)) == 2, WAIT)


@pytest.mark.parametrize(
    "in_stream",
    [
        pytest.param(False, id="http-410-on-rewatch"),
        pytest.param(True, id="in-stream-error-410-on-rewatch"),
    ],
)
def test_changes_missed_across_a_compaction_arrive_as_tombstones(
    tmp_path, running, in_stream: bool
) -> None:
    """S14/S18 with missed changes: while the re-watch is held up, p1 is deleted, p5 created and
    history compacted; the re-watch gets 410 (HTTP, or an in-stream ERROR as the watch cache
    sends it); the relist delivers DELETED p1 (a tombstone, first), then the survivors and p5."""
    with Sandbox(expired_watch_as_http=not in_stream) as sb:
        kubeconfig = sb.write_kubeconfig(tmp_path / "kubeconfig")
        seed(sb, 3)
        session, rec = open_session(sb, kubeconfig, running)
        sb.faults.latency(0.5, path_regex=r"watch=true")
        sb.faults.drop_watch_after(1)
        sb.create("pods", pod("trigger"), namespace="shop")
        assert sb.wait_for(lambda s: s.open_watches == 0, WAIT), "the re-watch is held up"
        sb.delete("pods", "p1", namespace="shop")
        sb.create("pods", pod("p5"), namespace="shop")
        sb.compact()
        assert rec.wait(lambda r: "p5" in r.names() and "p1" not in r.names())
        relisted = [
            (t, o["metadata"]["name"]) for t, origin, o in rec.records if origin == "relist"
        ]
        assert relisted[0] == ("DELETED", "p1"), "deletions come first"
        assert sorted(relisted[1:]) == [
            ("ADDED", "p5"),
            ("MODIFIED", "p0"),
            ("MODIFIED", "p2"),
            ("MODIFIED", "trigger"),
        ]
        assert rec.violations == []
        session.stop()


def test_truncated_event_line_recovers_and_delivers_the_event(sb, kubeconfig, running) -> None:
    """A half-written event then a reset: the informer recovers (re-watch or relist) and the
    cache ends equal to the server's."""
    seed(sb, 1)
    _, rec = open_session(sb, kubeconfig, running)
    sb.faults.truncate_next_event()
    sb.create("pods", pod("cut"), namespace="shop")
    assert rec.wait(lambda r: "cut" in r.names())
    assert sb.wait_for(lambda s: len(watches(s)) >= 2, WAIT)
    assert rec.violations == []


def test_stalled_stream_hits_the_read_idle_timeout_and_rewatches(sb, kubeconfig, running) -> None:
    """S29: headers, then silence on an open connection → after the read-idle timeout a new WATCH
    from the same RV, no LIST; the event held back arrives."""
    seed(sb, 1)
    # Above the 1 s "very short watch" threshold, as the spec's 2 s test profile is.
    _, rec = open_session(sb, kubeconfig, running, read_idle_timeout_seconds=1.2)
    rv = watches(sb)[0]["resourceVersion"]
    sb.faults.stall_watch(2.0)
    sb.create("pods", pod("late"), namespace="shop")
    assert rec.wait(lambda r: "late" in r.names())
    assert len(lists(sb)) == 1
    assert watches(sb)[1]["resourceVersion"] == rv


def test_watch_429_honours_retry_after_without_relist(sb, kubeconfig, running) -> None:
    """S20: WATCH answered 429 with Retry-After: 1 → the same WATCH again, ≥ 1 s later, no LIST."""
    seed(sb, 1)
    sb.faults.status(429, path_regex=r"watch=true", times=1, retry_after=1)
    session, rec, _ = start_session(kubeconfig)
    running.append(session)
    assert sb.wait_for(lambda s: len(watches(s)) == 2, WAIT)
    # The server's own request times: a test thread that looks late cannot shorten the gap.
    throttled, retried = [r for r in sb.requests if r.is_watch][:2]
    assert retried.at - throttled.at >= 0.99  # Retry-After: 1 (a timer may wake a hair early)
    first, second = watches(sb)
    assert first["resourceVersion"] == second["resourceVersion"]
    assert len(lists(sb)) == 1
    assert (throttled.code, retried.code) == (429, 200)


def test_refused_connections_back_off_and_rewatch_without_relist(sb, kubeconfig, running) -> None:
    """S19: the server goes away while watching; WATCH retries back off; when it returns, the
    watch resumes at the same RV with no LIST and the missed change arrives."""
    seed(sb, 1)
    session, rec = open_session(sb, kubeconfig, running)
    informer = session.informer(session.targets[0])
    # One event first: a stream that dies with no events within 1 s would (rightly) relist.
    sb.create("pods", pod("p1"), namespace="shop")
    assert rec.wait(lambda r: "p1" in r.names())
    sb.faults.refuse_connections(True)
    deadline = time.monotonic() + WAIT
    while informer.stats().phase.value != "backoff" and time.monotonic() < deadline:
        threading.Event().wait(0.005)
    sb.create("pods", pod("while-down"), namespace="shop")
    sb.faults.refuse_connections(False)
    assert rec.wait(lambda r: "while-down" in r.names())
    assert len(lists(sb)) == 1, "connection errors never force a relist"
    assert rec.origins()[-1] == "watch"


def test_500_on_watch_request_relists_after_backoff(sb, kubeconfig, running) -> None:
    """§3.5: a WATCH request answered 500 → watch-error hook → backoff → relist."""
    seed(sb, 1)
    sb.faults.status(500, path_regex=r"watch=true", times=1)
    errors: list[str] = []
    session, rec, _ = start_session(kubeconfig, on_error=lambda exc: errors.append(str(exc)))
    running.append(session)
    assert sb.wait_for(lambda s: len(lists(s)) == 2 and len(watches(s)) == 2, WAIT)
    assert len(errors) == 1
    assert lists(sb)[1] == {"resourceVersion": watches(sb)[0]["resourceVersion"]}


# -- streaming list, metadata, Table ---------------------------------------------------------


def test_watch_list_syncs_from_one_stream_without_list(sb, kubeconfig, running) -> None:
    """S41: sendInitialEvents watch, no LIST; initial adds after the end bookmark; then live
    events on the same stream."""
    seed(sb, 3)
    session, rec = open_session(sb, kubeconfig, running, watch_list=True)
    assert lists(sb) == []
    (w,) = watches(sb)
    assert w["sendInitialEvents"] == "true"
    assert w["resourceVersionMatch"] == "NotOlderThan"
    assert w["allowWatchBookmarks"] == "true"
    assert w.get("resourceVersion", "") == ""
    assert rec.origins() == ["initial"] * 3
    sb.create("pods", pod("live"), namespace="shop")
    assert rec.wait(lambda r: "live" in r.names())
    assert len(watches(sb)) == 1, "live events come on the same stream"


def test_metadata_only_sends_partial_object_metadata_accept_headers(
    sb, kubeconfig, running
) -> None:
    """S45: PartialObjectMetadataList on LIST, PartialObjectMetadata on WATCH; no spec cached."""
    seed(sb, 2)
    _, rec = open_session(sb, kubeconfig, running, metadata_only=True)
    sb.create("pods", pod("p9"), namespace="shop")
    assert rec.wait(lambda r: "p9" in r.names())
    accepts = [(r.is_watch, r.accept) for r in sb.requests if r.path == SHOP]
    assert accepts[0] == (False, ACCEPT_METADATA_LIST)
    assert accepts[1] == (True, ACCEPT_METADATA)
    for _, _, obj in rec.records:
        assert "spec" not in obj
        assert obj["metadata"]["name"]


def test_table_mode_keeps_server_columns_and_full_objects(sb, kubeconfig, running) -> None:
    """Server-side Table (includeObject=Object): the informer caches full objects; the cells and
    column definitions are kept beside it for the view."""
    seed(sb, 2)
    session, rec = open_session(sb, kubeconfig, running, table=True)
    sb.create("pods", pod("p9"), namespace="shop")
    assert rec.wait(lambda r: "p9" in r.names())
    reqs = [r for r in sb.requests if r.path == SHOP]
    assert all(r.accept == ACCEPT_TABLE and r.query["includeObject"] == "Object" for r in reqs)
    table = session.table_cells(session.targets[0])
    assert table is not None
    assert table.headers() == ("Name", "Ready", "Status", "Restarts", "Age")
    cells = table.cells("shop/p9")
    assert cells is not None and cells[0] == "p9"
    assert all(obj.get("spec") for _, _, obj in rec.records)


def test_selectors_are_identical_on_every_list_and_watch(sb, kubeconfig, running) -> None:
    """S06: -n, -l and --field-selector on every request, relists included."""
    sb.create("pods", pod("a", labels={"app": "x"}), namespace="shop")
    sb.create("pods", pod("b", labels={"app": "y"}), namespace="shop")
    session, rec = open_session(
        sb, kubeconfig, running, label_selector="app=x", field_selector="metadata.name=a"
    )
    sb.faults.expire_watch_mid_stream(after_events=0)
    assert sb.wait_for(lambda s: len(lists(s)) == 2 and len(watches(s)) == 2, WAIT)
    for q in lists(sb) + watches(sb):
        assert q["labelSelector"] == "app=x"
        assert q["fieldSelector"] == "metadata.name=a"
    assert rec.names() == {"a"}


def test_cluster_scoped_and_all_namespaces_urls(sb, kubeconfig, running) -> None:
    """S05: namespaces are cluster-scoped (no namespaces/ segment, keys are bare names); pods
    with namespace "" are listed across all namespaces."""
    sb.create("pods", pod("x"), namespace="shop")
    sb.create("pods", pod("y"), namespace="other")
    _, ns_rec = open_session(sb, kubeconfig, running, resources="namespaces")
    assert {"shop", "other", "default"} <= ns_rec.names()
    _, pods_rec = open_session(sb, kubeconfig, running, namespace="")
    paths = {r.path for r in sb.requests if r.query.get("limit")}
    assert paths == {"/api/v1/namespaces", "/api/v1/pods"}
    assert pods_rec.names() == {"x", "y"}
