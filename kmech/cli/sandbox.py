"""`kmech sandbox`: run the local API server until Ctrl-C and print the KUBECONFIG line for it."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

HELP = """Run a local Kubernetes API server (the kmech sandbox) until Ctrl-C.

It serves discovery from a snapshot (default: k3s 1.34 with some CRDs, shipped in the package),
stores any object of a served resource in memory, and lists and watches them with
kube-apiserver's resourceVersion rules. It prints an `export KUBECONFIG=...` line that points
kubectl and kmech at it. For tests, demos and learning; never a replacement for a cluster.

Examples:

  kmech sandbox                                  # plain HTTP on a free port

  kmech sandbox --port 8001 --churn 50           # 50 pod/deployment changes per second

  kmech sandbox --token s3cret --tls             # bearer token and HTTPS (needs openssl)

  kmech sandbox --drop-watch-after 5 --latency 200ms   # misbehave on purpose
"""


@dataclass(slots=True)
class SandboxOptions:
    """Everything `kmech sandbox` was asked to do (durations already in seconds)."""

    host: str = "127.0.0.1"
    port: int = 0
    discovery: Path | None = None
    token: str | None = None
    tls: bool = False
    churn: float = 0.0
    kubeconfig_out: Path | None = None
    namespace: str = "default"
    history_size: int = 10000
    opaque_resource_versions: bool = False
    generate_aggregated: bool = False
    bookmark_interval: float = 60.0
    watch_expired_in_stream: bool = False
    watch_list_defaulting: bool = False
    latency: float = 0.0
    drop_watch_after: int | None = None
    expire_watch_after: int | None = None
    truncate_events: bool = False
    stall_watch: float = 0.0
    fail_status: int | None = None
    fail_path: str | None = None
    fail_times: int = 0
    retry_after: int | None = None
    compact_every: float = 0.0
    outage_every: float = 0.0
    outage_for: float = 5.0


def register(app: typer.Typer) -> None:
    """Add the `sandbox` command to ``app``."""

    @app.command("sandbox", help=HELP, no_args_is_help=False)
    def sandbox_command(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(0, "--port", help="Port to listen on (0: a free port)."),
        discovery: str | None = typer.Option(
            None,
            "--discovery",
            help="Discovery snapshot folder (layout of shared/fixtures/discovery/<cluster>).",
        ),
        token: str | None = typer.Option(
            None, "--token", help="Require this bearer token (401 without it)."
        ),
        tls: bool = typer.Option(
            False, "--tls", help="Serve HTTPS with a generated CA (needs the openssl tool)."
        ),
        churn: float = typer.Option(
            0.0, "--churn", help="Create, update and delete pods and deployments at RATE writes/s."
        ),
        kubeconfig_out: str | None = typer.Option(
            None,
            "--kubeconfig-out",
            help="Write the kubeconfig here (default: a private temporary file).",
        ),
        namespace: str = typer.Option(
            "default", "--kubeconfig-namespace", help="Namespace of the written context."
        ),
        history_size: int = typer.Option(
            10000, "--history-size", help="Events kept for watches; older resourceVersions get 410."
        ),
        opaque: bool = typer.Option(
            False, "--opaque-resource-versions", help="Issue non-numeric resourceVersions."
        ),
        generate_aggregated: bool = typer.Option(
            False,
            "--generate-aggregated",
            help="Serve aggregated discovery built from legacy documents when the folder has none.",
        ),
        bookmark_interval: str = typer.Option(
            "1m", "--bookmark-interval", help="Time between watch bookmarks (Go duration)."
        ),
        watch_expired_in_stream: bool = typer.Option(
            False,
            "--watch-expired-in-stream",
            help="Answer a too-old watch with 200 and an ERROR 410 event (watch-cache style).",
        ),
        watch_list_defaulting: bool = typer.Option(
            False,
            "--watch-list-defaulting",
            help="Treat watches without a resourceVersion as streaming lists (WatchList gate on).",
        ),
        latency: str = typer.Option(
            "0s", "--latency", help="Fault: delay every request (Go duration, e.g. 200ms)."
        ),
        drop_watch_after: int | None = typer.Option(
            None, "--drop-watch-after", help="Fault: end every watch cleanly after N events."
        ),
        expire_watch_after: int | None = typer.Option(
            None,
            "--expire-watch-after",
            help="Fault: send ERROR 410 Expired on every watch after N events.",
        ),
        truncate_events: bool = typer.Option(
            False,
            "--truncate-events",
            help="Fault: cut every watch's first event in half and reset.",
        ),
        stall_watch: str = typer.Option(
            "0s",
            "--stall-watch",
            help="Fault: keep every watch silent for this long after its headers.",
        ),
        fail_status: int | None = typer.Option(
            None,
            "--fail-status",
            help="Fault: answer requests with this HTTP status (403, 429, 500...).",
        ),
        fail_path: str | None = typer.Option(
            None, "--fail-path", help="Only requests whose path+query match this regex fail."
        ),
        fail_times: int = typer.Option(
            0, "--fail-times", help="Fail this many requests, then recover (0: all of them)."
        ),
        retry_after: int | None = typer.Option(
            None, "--retry-after", help="Retry-After seconds sent with --fail-status 429."
        ),
        compact_every: str = typer.Option(
            "0s", "--compact-every", help="Fault: drop watch history this often (Go duration)."
        ),
        outage_every: str = typer.Option(
            "0s",
            "--outage-every",
            help="Fault: refuse new connections (and reset open ones) every DURATION.",
        ),
        outage_for: str = typer.Option(
            "5s", "--outage-for", help="How long each --outage-every outage lasts."
        ),
    ) -> None:
        from kmech.duration import parse_duration

        def seconds(text: str) -> float:
            return parse_duration(text) / 1e9

        options = SandboxOptions(
            host=host,
            port=port,
            discovery=Path(discovery) if discovery else None,
            token=token,
            tls=tls,
            churn=churn,
            kubeconfig_out=Path(kubeconfig_out) if kubeconfig_out else None,
            namespace=namespace,
            history_size=history_size,
            opaque_resource_versions=opaque,
            generate_aggregated=generate_aggregated,
            bookmark_interval=seconds(bookmark_interval),
            watch_expired_in_stream=watch_expired_in_stream,
            watch_list_defaulting=watch_list_defaulting,
            latency=seconds(latency),
            drop_watch_after=drop_watch_after,
            expire_watch_after=expire_watch_after,
            truncate_events=truncate_events,
            stall_watch=seconds(stall_watch),
            fail_status=fail_status,
            fail_path=fail_path,
            fail_times=fail_times,
            retry_after=retry_after,
            compact_every=seconds(compact_every),
            outage_every=seconds(outage_every),
            outage_for=seconds(outage_for),
        )
        run(options)


def validate(options: SandboxOptions) -> None:
    """Reject impossible option combinations with a UsageError naming the way out."""
    from kmech.errors import UsageError

    if not 0 <= options.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {options.port}")
    if options.churn < 0:
        raise UsageError("--churn must be a positive rate (writes per second), or 0 for none")
    if options.outage_every > 0 and options.outage_for <= 0:
        raise UsageError("--outage-for must be a positive duration when --outage-every is set")
    if options.history_size < 1:
        raise UsageError("--history-size must be at least 1")
    if options.fail_status is not None and not 400 <= options.fail_status <= 599:
        raise UsageError(
            f"--fail-status must be an HTTP error code (400-599), not {options.fail_status}"
        )
    if options.discovery is not None and not options.discovery.is_dir():
        raise UsageError(
            f"--discovery {options.discovery} is not a folder; pass a discovery snapshot folder"
        )
    if options.fail_path is not None:
        import re

        try:
            re.compile(options.fail_path)
        except re.error as exc:
            raise UsageError(f"--fail-path is not a valid regular expression: {exc}") from exc


def run(
    options: SandboxOptions,
    *,
    stop: threading.Event | None = None,
    out: Any = None,
    err: Any = None,
) -> int:
    """Start the sandbox, print the KUBECONFIG line, serve until ``stop`` is set or Ctrl-C/SIGTERM.

    ``out``/``err`` default to stdout/stderr (tests pass buffers). Returns the exit code.
    """
    import shutil
    import signal
    import tempfile

    from kmech.sandbox import Sandbox

    validate(options)
    out = out or sys.stdout
    err = err or sys.stderr
    stop = stop or threading.Event()
    sb = Sandbox(
        options.discovery,
        host=options.host,
        port=options.port,
        token=options.token,
        tls=options.tls,
        history_size=options.history_size,
        opaque_resource_versions=options.opaque_resource_versions,
        generate_aggregated=options.generate_aggregated,
        bookmark_interval=options.bookmark_interval,
        expired_watch_as_http=not options.watch_expired_in_stream,
        watch_list_defaulting=options.watch_list_defaulting,
    )
    _arm_faults(sb, options)
    temp_dir: Path | None = None
    # Ctrl-C and SIGTERM only set ``stop``: the shutdown below then always runs in order.
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    sb.start()
    try:
        if options.kubeconfig_out is not None:
            path = sb.write_kubeconfig(options.kubeconfig_out, namespace=options.namespace)
        else:
            temp_dir = Path(tempfile.mkdtemp(prefix="kmech-sandbox-"))
            path = sb.write_kubeconfig(temp_dir / "kubeconfig", namespace=options.namespace)
        if options.churn > 0:
            sb.start_churn(options.churn, namespace=options.namespace)
        if options.outage_every > 0:
            threading.Thread(
                target=_outage_loop,
                args=(sb, options.outage_every, options.outage_for, stop),
                name="sandbox-outages",
                daemon=True,
            ).start()
        if options.compact_every > 0:
            threading.Thread(
                target=_compact_loop,
                args=(sb, options.compact_every, stop),
                name="sandbox-compactor",
                daemon=True,
            ).start()
        extras = [f"discovery {sb.docs.folder.name}"]
        if options.token:
            extras.append("bearer token required")
        if options.churn > 0:
            extras.append(f"churn {options.churn:g}/s")
        err.write(f"kmech sandbox serving {sb.url} ({', '.join(extras)}); Ctrl-C stops it\n")
        out.write(f"export KUBECONFIG={path}\n")
        out.flush()
        err.flush()
        while not stop.wait(0.5):
            pass
    finally:
        stop.set()
        sb.stop()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    err.write("kmech sandbox stopped\n")
    err.flush()
    return 0


def _compact_loop(sb: Any, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        sb.compact(expire_watches=True)


def _outage_loop(sb: Any, every: float, duration: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        sb.faults.refuse_connections(True)
        stop.wait(duration)
        if not stop.is_set():
            sb.faults.refuse_connections(False)


def _arm_faults(sb: Any, options: SandboxOptions) -> None:
    faults = sb.faults
    if options.latency > 0:
        faults.latency(options.latency)
    if options.drop_watch_after is not None:
        faults.drop_watch_after(options.drop_watch_after, times=None)
    if options.expire_watch_after is not None:
        faults.expire_watch_mid_stream(after_events=options.expire_watch_after, times=None)
    if options.truncate_events:
        faults.truncate_next_event(times=None)
    if options.stall_watch > 0:
        faults.stall_watch(options.stall_watch, times=None)
    if options.fail_status is not None:
        faults.status(
            options.fail_status,
            path_regex=options.fail_path,
            times=options.fail_times or None,
            retry_after=options.retry_after,
        )
