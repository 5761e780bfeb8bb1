"""`kmech watch`: an informer-backed live view of one or more resources.

The command only parses flags into :class:`WatchOptions` and calls :func:`run` (kubectl's
Complete/Validate/Run). :func:`run` resolves the resources with the RESTMapper, builds one
informer per resource over HTTP (:mod:`kmech.dynamic`), and either draws the live table
(:mod:`kmech.cli.watch_view`, on a terminal) or writes one record per handler notification
(:mod:`kmech.cli.watch_stream`, on a pipe or with ``-o jsonl|json|yaml|name``).

Stops with exit 0 after ``--timeout``, on SIGINT or SIGTERM. A 401/403 on LIST or WATCH exits 5
naming the verb, resource and namespace; an unreachable server is retried with backoff (the
countdown is in the status line) and exits 4 only when ``--request-timeout`` is set and the
initial sync cannot complete within it.

Only typer and the standard library are imported at module level; everything else is imported
inside :func:`run`, so ``kmech --help`` stays fast.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO, cast

import typer

from kmech._record import replace
from kmech.cli.completion import (
    complete_namespaces,
    complete_watchable_resources,
    output_formats,
)

if TYPE_CHECKING:
    from rich.console import Console

    from kmech.cli.app import GlobalOptions
    from kmech.cli.progress import Progress
    from kmech.cli.watch_view import WatchModel
    from kmech.dynamic.informer import WatchSession, WatchTarget
    from kmech.errors import KmechError

__all__ = ["WatchOptions", "OUTPUT_FORMATS", "register", "run"]

OUTPUT_FORMATS = ("table", "wide", "json", "yaml", "jsonl", "name")

HELP = """Watch resources through an informer: the cache a controller would see, kept consistent
through paged lists, watches, bookmarks, 410 relists, dropped connections and resyncs.

On a terminal: a live table with a status line (--trace adds the reflector's lifecycle). On a pipe,
or with -o jsonl: one JSON line per handler notification, plus one SYNCED line.

Examples:

  kmech watch deployments -n shop

  kmech watch pods,deployments.apps -A --trace

  kmech watch pods -l app=web -o jsonl --timeout 30s
"""


@dataclass(slots=True, kw_only=True)
class WatchOptions:
    """The flags of ``kmech watch`` as given (strings are parsed by :func:`run`)."""

    resources: str
    name: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    label_selector: str = ""
    field_selector: str = ""
    resync: str | None = None
    metadata_only: bool = False
    watch_list: bool = False
    timeout: str | None = None
    output: str | None = None
    trace: bool = False
    show_secrets: bool = False


def register(app: typer.Typer) -> None:
    """Add the `watch` command to ``app``."""

    @app.command("watch", help=HELP, no_args_is_help=True)
    def watch(
        ctx: typer.Context,
        resources: str = typer.Argument(
            ...,
            metavar="RESOURCE[,RESOURCE...]",
            help="Resources, as kubectl get takes them.",
            autocompletion=complete_watchable_resources,
        ),
        name: str | None = typer.Argument(None, metavar="[NAME]", help="Watch one object."),
        namespace: str | None = typer.Option(
            None,
            "-n",
            "--namespace",
            help="Namespace (default: the context's namespace).",
            autocompletion=complete_namespaces,
        ),
        all_namespaces: bool = typer.Option(
            False, "-A", "--all-namespaces", help="Watch in all namespaces."
        ),
        selector: str = typer.Option("", "-l", "--selector", help="Label selector."),
        field_selector: str = typer.Option("", "--field-selector", help="Field selector."),
        resync: str | None = typer.Option(
            None, "--resync", help="Replay the cache to the handler this often (Go duration)."
        ),
        metadata_only: bool = typer.Option(
            False, "--metadata-only", help="Cache PartialObjectMetadata instead of full objects."
        ),
        watch_list: bool = typer.Option(
            False, "--watch-list", help="Initial sync by a streaming list (sendInitialEvents)."
        ),
        timeout: str | None = typer.Option(
            None, "--timeout", help="Stop after this long, with exit 0 (Go duration)."
        ),
        output: str | None = typer.Option(
            None,
            "-o",
            "--output",
            help="table|wide|json|yaml|jsonl|name.",
            autocompletion=output_formats(*OUTPUT_FORMATS),
        ),
        trace: bool = typer.Option(False, "--trace", help="Show the reflector's lifecycle."),
        show_secrets: bool = typer.Option(
            False, "--show-secrets", help="Show Secret data in JSON/YAML output."
        ),
    ) -> None:
        from kmech.cli.app import global_options

        opts = WatchOptions(
            resources=resources,
            name=name,
            namespace=namespace,
            all_namespaces=all_namespaces,
            label_selector=selector,
            field_selector=field_selector,
            resync=resync,
            metadata_only=metadata_only,
            watch_list=watch_list,
            timeout=timeout,
            output=output,
            trace=trace,
            show_secrets=show_secrets,
        )
        code = run(opts, global_options(ctx))
        if code:
            raise typer.Exit(code)


@dataclass(slots=True)
class _Plan:
    """:func:`run` after Complete/Validate: everything parsed and checked."""

    output: str
    live: bool
    resync_ns: int
    timeout_s: float | None
    sync_deadline_s: float | None
    namespace: str  # "" = all namespaces
    field_selector: str


def _complete(opts: WatchOptions, g: GlobalOptions, out: TextIO) -> _Plan:
    from kmech.cli.output import check_output_format, is_terminal
    from kmech.duration import parse_duration
    from kmech.errors import UsageError

    terminal = is_terminal(out)
    default = "table" if terminal else "jsonl"
    fmt = check_output_format(opts.output or default, OUTPUT_FORMATS)
    if opts.all_namespaces and opts.namespace:
        raise UsageError("-n and -A cannot be used together: pick one namespace, or all")
    if opts.name and opts.all_namespaces:
        raise UsageError(
            "a resource cannot be watched by name across all namespaces: drop -A or the name"
        )
    if opts.name and "," in opts.resources:
        raise UsageError("a name needs exactly one resource type: watch one resource at a time")
    resync_ns = 0
    if opts.resync:
        resync_ns = parse_duration(opts.resync)
        if resync_ns < 0:
            raise UsageError(f"--resync must not be negative, got {opts.resync!r}")
    timeout_s: float | None = None
    if opts.timeout:
        ns = parse_duration(opts.timeout)
        if ns <= 0:
            raise UsageError(f"--timeout must be positive, got {opts.timeout!r}")
        timeout_s = ns / 1e9
    field_selector = opts.field_selector
    if opts.name:
        by_name = f"metadata.name={opts.name}"
        field_selector = f"{field_selector},{by_name}" if field_selector else by_name
    namespace = ""
    if not opts.all_namespaces:
        namespace = opts.namespace or g.connection.namespace or ""
    return _Plan(
        output=fmt,
        live=terminal and fmt in ("table", "wide"),
        resync_ns=resync_ns,
        timeout_s=timeout_s,
        sync_deadline_s=g.connection.request_timeout_seconds,
        namespace=namespace,
        field_selector=field_selector,
    )


def run(
    opts: WatchOptions,
    g: GlobalOptions,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    console: Console | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run ``kmech watch`` until ``--timeout``, a signal, ``stop``, or a fatal error.

    Returns the exit code (0 for a clean stop); raises KmechError for usage, config, resolution
    and fatal server errors (403 exits 5, an initial sync that cannot finish within
    ``--request-timeout`` exits 4). ``out``/``err``/``console``/``stop`` exist for tests.
    """
    from kmech.dynamic.informer import WatchSession, resolve_targets
    from kmech.transport.client import RESTClient

    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    plan = _complete(opts, g, out)
    connection = g.connection
    if opts.namespace:
        connection = replace(connection, namespace=opts.namespace)
    client = RESTClient.from_options(connection)
    try:
        if not opts.all_namespaces and not plan.namespace:
            plan.namespace = client.namespace
        targets = resolve_targets(client, opts.resources)
        session = WatchSession(
            client,
            targets,
            namespace=plan.namespace,
            label_selector=opts.label_selector,
            field_selector=plan.field_selector,
            metadata_only=opts.metadata_only,
            table=plan.live and not opts.metadata_only,
            watch_list=opts.watch_list,
            resync_ns=plan.resync_ns,
        )
        return _run_session(
            session, targets, opts, plan, out, err, console, stop, no_color=g.no_color
        )
    finally:
        client.close()


def _run_session(
    session: WatchSession,
    targets: list[WatchTarget],
    opts: WatchOptions,
    plan: _Plan,
    out: TextIO,
    err: TextIO,
    console: Console | None,
    stop: threading.Event | None,
    *,
    no_color: bool = False,
) -> int:
    from kmech.errors import ForbiddenError, RequestTimeoutError, UnauthorizedError

    stop = stop if stop is not None else threading.Event()
    fatal: list[KmechError] = []

    def on_error(exc: BaseException) -> None:
        if isinstance(exc, ForbiddenError | UnauthorizedError):
            fatal.append(exc)
            stop.set()

    session.on_error = on_error
    many = len(targets) > 1
    model: WatchModel | None = None
    if plan.live:
        from kmech.cli.watch_view import WatchModel

        model = WatchModel(all_namespaces=not plan.namespace)
        _attach_view(session, model, targets, many, wide=plan.output == "wide", trace=opts.trace)
    spinner: _SyncSpinner | None = None
    if not plan.live and not opts.trace:
        # Nothing else shows the initial sync here: a spinner on stderr (a terminal only) until
        # the first record is written, which closes it so the two never share a line.
        from kmech.cli.progress import progress_enabled

        if progress_enabled(err):
            from kmech.cli.output import color_enabled

            spinner = _SyncSpinner(err, color=color_enabled(no_color, err))
            out = cast("TextIO", _CloseOnWrite(out, spinner))
    if not plan.live:
        _attach_writers(session, targets, plan.output, out, opts.show_secrets, many, stop)
        if opts.trace:
            session.on_trace = lambda line: _write_line(err, line)

    restore = _install_sigterm(stop)
    started = time.monotonic()
    if spinner is not None:
        spinner.start(session.describe())
    session.start()
    view_thread: threading.Thread | None = None
    try:
        if model is not None:
            from kmech.cli.output import make_console
            from kmech.cli.watch_view import run_live

            cons = console if console is not None else make_console(color=True)
            view_thread = threading.Thread(
                target=run_live,
                args=(model, cons, stop),
                kwargs={"trace": opts.trace},
                name="watch:view",
                daemon=True,
            )
            view_thread.start()
        synced_reported = False
        while not stop.is_set():
            now = time.monotonic()
            if plan.timeout_s is not None and now - started >= plan.timeout_s:
                break
            if spinner is not None:
                spinner.update(count=sum(st.objects for st in session.stats()))
            if not synced_reported and session.has_synced():
                synced_reported = True
                if spinner is not None:
                    spinner.close()
                session.report_synced()
            if (
                not synced_reported
                and plan.sync_deadline_s is not None
                and now - started >= plan.sync_deadline_s
            ):
                raise RequestTimeoutError(
                    f"the initial sync of {session.describe()} did not complete within "
                    f"{plan.sync_deadline_s:g}s ({session.last_error() or 'no answer'}); "
                    "check that the server is reachable, or raise --request-timeout"
                )
            if model is not None:
                session.poll_status()
            stop.wait(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        if spinner is not None:
            spinner.close()
        stop.set()
        session.stop()
        if view_thread is not None:
            view_thread.join(timeout=2)
        restore()
    if fatal:
        raise fatal[0]
    return 0


class _SyncSpinner:
    """The "Syncing" spinner: counts objects until closed; closing twice, or updating after
    closing, does nothing (the writers close it from their threads)."""

    def __init__(self, err: TextIO, *, color: bool) -> None:
        self._err = err
        self._color = color
        self._lock = threading.Lock()
        self._cm: AbstractContextManager[Progress] | None = None
        self._progress: Progress | None = None
        self._closed = False

    def start(self, note: str) -> None:
        from kmech.cli.progress import progress

        with self._lock:
            if self._closed or self._cm is not None:
                return
            self._cm = progress("Syncing", unit="objects", color=self._color, stream=self._err)
            self._progress = self._cm.__enter__()
            self._progress.update(count=0, note=note)

    def update(self, count: int) -> None:
        with self._lock:
            if self._progress is not None:
                self._progress.update(count=count)

    def close(self) -> None:
        with self._lock:
            cm, self._cm, self._progress, self._closed = self._cm, None, None, True
            if cm is not None:
                cm.__exit__(None, None, None)


class _CloseOnWrite:
    """``out`` for the record writers: the first write erases the sync spinner first."""

    def __init__(self, out: TextIO, spinner: _SyncSpinner) -> None:
        self._out = out
        self._spinner = spinner

    def write(self, text: str) -> int:
        self._spinner.close()
        return self._out.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


def _write_line(stream: TextIO, line: str) -> None:
    stream.write(line + "\n")
    stream.flush()


def _attach_writers(
    session: WatchSession,
    targets: list[WatchTarget],
    fmt: str,
    out: TextIO,
    show_secrets: bool,
    many: bool,
    stop: threading.Event,
) -> None:
    from kmech.cli.watch_stream import EventWriter

    def broken_pipe() -> None:
        _silence(out)
        stop.set()

    if fmt in ("table", "wide"):
        fmt = "name"  # plain rows on a pipe: one line per notification
    lock = threading.Lock()
    for target in targets:
        writer = EventWriter(
            out,
            fmt,
            kind=target.kind,
            group=target.gvr.group,
            secrets=target.is_secret,
            show_secrets=show_secrets,
            lock=lock,
            resource=str(target) if many else "",
            on_broken_pipe=broken_pipe,
        )
        session.add_handler(target, writer.notify, synced=writer.synced, rv=writer.mark_rv)


def _attach_view(
    session: WatchSession,
    model: WatchModel,
    targets: list[WatchTarget],
    many: bool,
    *,
    wide: bool,
    trace: bool,
) -> None:
    from kmech.cli.watch_stream import object_key

    for target in targets:
        table = session.table_cells(target)
        prefix = f"{target.kind.lower()}/" if many else ""

        def notify(
            event_type: str,
            origin: str,
            obj: dict[str, Any],
            *,
            _table: Any = table,
            _prefix: str = prefix,
        ) -> None:
            cells = None
            if _table is not None:
                cells = _table.cells(object_key(obj), wide=wide)
                headers = _table.headers(wide=wide)
                if headers and not many:
                    model.set_server_headers(headers)
            if _prefix:
                meta = dict(obj.get("metadata") or {})
                meta["name"] = _prefix + str(meta.get("name", ""))
                obj = {**obj, "metadata": meta}
            model.apply(event_type, obj, cells=cells, origin=origin)

        session.add_handler(target, notify)
    session.on_status = model.set_status
    session.on_retry = model.retry_in
    if trace:
        session.on_trace = model.trace


def _silence(out: TextIO) -> None:
    """Point a closed pipe at /dev/null so the interpreter's final flush cannot fail."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _install_sigterm(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM sets ``stop`` (SIGINT arrives as KeyboardInterrupt); main thread only."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)

    def handler(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
