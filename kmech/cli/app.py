"""Assembly of the ``kmech`` command: global options, sub-commands, errors to exit codes.

Nothing here holds semantics. Each sub-command lives in its own module exposing
``register(app)``; those modules import only typer and the standard library at module level, so
``kmech --help`` stays fast and never imports the ``kubernetes`` package.

:func:`main` registers only the sub-command named on the command line (start-up time: building
every command's click tree costs on each run); help, no sub-command, an unknown name, an
unknown global option and typer's completion requests get every command. ``app``, read from
outside this module, always has every command.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import typer

from kmech.cli.completion import (
    complete_clusters,
    complete_contexts,
    complete_namespaces,
    complete_users,
)
from kmech.cli.fastpath import GLOBAL_FLAGS, GLOBAL_VALUES, report_errors
from kmech.transport.options import ConnectionOptions

# `app` is served by the module's __getattr__ (it registers every command first).
__all__ = ["GlobalOptions", "app", "main", "global_options", "run_with_globals"]  # noqa: F822


@dataclass(slots=True)
class GlobalOptions:
    """What every command may read from the global flags."""

    connection: ConnectionOptions = field(default_factory=ConnectionOptions)
    no_color: bool = False
    verbosity: int = 0

    @property
    def color(self) -> bool:
        """Colour on standard output: :func:`kmech.cli.output.color_enabled`."""
        from kmech.cli.output import color_enabled

        return color_enabled(self.no_color)


HELP = """Explore the Kubernetes API machinery that client-go users live with.

Examples:

\b
  kmech resolve po deploy.apps hpa   # what kubectl would use for each name, and why
  kmech watch deployments -n shop    # an informer-backed live view
  kmech backoff --failures 20        # the default controller rate limiter's schedule
  kmech sandbox                      # a local API server to point kubectl and kmech at
"""

_app = typer.Typer(
    name="kmech",
    help=HELP,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


@_app.callback()
def _global(
    ctx: typer.Context,
    kubeconfig: str | None = typer.Option(
        None,
        "--kubeconfig",
        help="Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
    ),
    context: str | None = typer.Option(
        None, "--context", help="The kubeconfig context to use.", autocompletion=complete_contexts
    ),
    cluster: str | None = typer.Option(
        None, "--cluster", help="The kubeconfig cluster to use.", autocompletion=complete_clusters
    ),
    user: str | None = typer.Option(
        None, "--user", help="The kubeconfig user to use.", autocompletion=complete_users
    ),
    namespace: str | None = typer.Option(
        None,
        "-n",
        "--namespace",
        help="Namespace (default: the context's namespace, else 'default').",
        autocompletion=complete_namespaces,
    ),
    server: str | None = typer.Option(
        None, "-s", "--server", help="The API server's address and port."
    ),
    token: str | None = typer.Option(None, "--token", help="Bearer token for the API server."),
    certificate_authority: str | None = typer.Option(
        None, "--certificate-authority", help="Path to a CA certificate file for TLS verification."
    ),
    insecure_skip_tls_verify: bool = typer.Option(
        False,
        "--insecure-skip-tls-verify",
        help="Do not verify the server's certificate (insecure).",
    ),
    request_timeout: str | None = typer.Option(
        None,
        "--request-timeout",
        help="Timeout for one request, as a Go duration (e.g. 5s); 0 means none.",
    ),
    verbosity: int = typer.Option(
        0,
        "-v",
        "--v",
        help="Log level: 6 logs each request, 8 adds headers (secrets redacted), 9 shows tracebacks.",
    ),
    no_color: bool = typer.Option(False, "--no-color", help="Disable colour (also NO_COLOR=1)."),
) -> None:
    timeout_seconds = _request_timeout_seconds(request_timeout)
    connection = ConnectionOptions(
        kubeconfig=kubeconfig,
        context=context,
        cluster=cluster,
        user=user,
        namespace=namespace,
        server=server,
        token=token,
        certificate_authority=certificate_authority,
        insecure_skip_tls_verify=insecure_skip_tls_verify,
        request_timeout_seconds=timeout_seconds,
        verbosity=verbosity,
    )
    ctx.obj = GlobalOptions(connection=connection, no_color=no_color, verbosity=verbosity)
    _configure_logging(verbosity)


def _request_timeout_seconds(text: str | None) -> float | None:
    """kubectl's ``--request-timeout``: whole seconds or a Go duration; ``0`` means no limit.

    Upstream: cli-runtime ``genericclioptions/config_flags.go`` and client-go
    ``tools/clientcmd/client_config.go`` (getTimeout: "must be a single integer in seconds, or an
    integer followed by a corresponding time unit").
    """
    if text is None:
        return None
    from kmech.duration import parse_duration
    from kmech.errors import UsageError

    way_out = "use whole seconds or a duration such as 5s, 2m or 1h"
    try:
        ns = parse_duration(text + "s" if text.isdigit() else text)
    except UsageError as exc:
        raise UsageError(f'invalid --request-timeout "{text}": {way_out}') from exc
    if ns < 0:
        raise UsageError(f'invalid --request-timeout "{text}": it cannot be negative; {way_out}')
    # 0 is kept (not None): kubectl's "0 means no timeout"; absent means kmech's defaults.
    return ns / 1e9


def global_options(ctx: typer.Context) -> GlobalOptions:
    """The options set by the global callback (defaults when a command runs without it)."""
    root = ctx.find_root()
    obj = root.obj
    if isinstance(obj, GlobalOptions):
        return obj
    return GlobalOptions()


def run_with_globals(ctx: typer.Context, run: Callable[..., int], options: Any) -> None:
    """Call a command's ``run(options, connection, color=...)`` with the global flags, and exit
    with its code when that is not 0."""
    from kmech.cli.output import color_enabled

    globals_ = global_options(ctx)
    code = run(options, globals_.connection, color=color_enabled(globals_.no_color, sys.stderr))
    if code:
        raise typer.Exit(code)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record (main() may run many
    times in one process, e.g. under test runners that swap stderr)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING
    if verbosity >= 6:
        level = logging.DEBUG
    elif verbosity >= 4:
        level = logging.INFO
    root = logging.getLogger("kmech")
    root.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
    root.propagate = False


# Sub-command name -> the module under kmech.cli that registers it, in the order `--help` lists
# them. A test checks it against what each module's register() adds.
COMMAND_MODULES: dict[str, str] = {
    "resolve": "resolve_command",
    "resources": "resources",
    "watch": "watch",
    "backoff": "backoff",
    "sandbox": "sandbox",
    "version": "version",
    "completion": "completion",
}

# Global options that take a value (the next word unless written --opt=value or -nVALUE), and
# those that do not; any other option before the sub-command registers every command. They are
# the fast path's (kmech.cli.fastpath) plus the two it leaves to typer.
_VALUE_OPTIONS = frozenset(GLOBAL_VALUES) | {"--request-timeout", "-v", "--v"}
_FLAG_OPTIONS = frozenset(GLOBAL_FLAGS)

_registered: dict[str, list[Any]] = {}


def _register(modules: list[str]) -> None:
    """Register the commands of ``modules`` (each once), keeping the canonical order."""
    import importlib

    for name in modules:
        if name not in _registered:
            scratch = typer.Typer()
            importlib.import_module(f"kmech.cli.{name}").register(scratch)
            _registered[name] = list(scratch.registered_commands)
    order = list(dict.fromkeys(COMMAND_MODULES.values()))
    _app.registered_commands = [c for m in order if m in _registered for c in _registered[m]]


def _command_in(args: list[str]) -> str | None:
    """The sub-command ``args`` invoke, or None when every command must be registered."""
    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return None  # typer's own completion walks the whole tree
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _VALUE_OPTIONS:
            i += 2
            continue
        if arg in _FLAG_OPTIONS or (
            arg.startswith("--") and arg.split("=", 1)[0] in _VALUE_OPTIONS | _FLAG_OPTIONS
        ):
            i += 1
            continue
        if arg.startswith("-") and not arg.startswith("--") and arg[:2] in _VALUE_OPTIONS:
            i += 1  # -nshop, -v6
            continue
        if arg.startswith("-"):
            return None  # --help, --install-completion, "--", a typo: click reports it
        return arg if arg in COMMAND_MODULES else None
    return None


def _app_for(args: list[str]) -> typer.Typer:
    command = _command_in(args)
    _register([COMMAND_MODULES[command]] if command else list(COMMAND_MODULES.values()))
    return _app


def _hoist_global_options(args: list[str], group: Any) -> list[str]:
    """Move global flags written after the sub-command to before it, as kubectl accepts them
    anywhere (``kmech watch pods --context prod``). A flag the sub-command defines itself (e.g.
    ``watch -n``) stays where it is, and nothing after ``--`` moves."""
    command = _command_in(args)
    if command is None or command not in group.commands:
        return args
    at = args.index(command)
    own_value: set[str] = set()
    own_names: set[str] = set()
    for param in group.commands[command].params:
        names = [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
        own_names.update(names)
        if (
            not getattr(param, "is_flag", False)
            and getattr(param, "param_type_name", "") == "option"
        ):
            own_value.update(names)
    head, tail, moved = args[: at + 1], [], []
    i = at + 1
    while i < len(args):
        arg = args[i]
        if arg == "--":
            tail.extend(args[i:])
            break
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if name in own_names or (arg[:2] in own_names and not arg.startswith("--")):
            take = 2 if arg in own_value else 1
        elif arg in _VALUE_OPTIONS:
            moved.extend(args[i : i + 2])
            i += 2
            continue
        elif name in _VALUE_OPTIONS | _FLAG_OPTIONS or (
            not arg.startswith("--") and arg[:2] in _VALUE_OPTIONS and len(arg) > 2
        ):
            moved.append(arg)
            i += 1
            continue
        else:
            take = 1
        tail.extend(args[i : i + take])
        i += take
    return [*head[:at], *moved, *head[at:], *tail]


def __getattr__(name: str) -> typer.Typer:
    # `app` for importers (tests, the completion generator): always every command.
    if name == "app":
        _register(list(COMMAND_MODULES.values()))
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _verbosity_from_argv(argv: list[str]) -> int:
    for i, arg in enumerate(argv):
        for prefix in ("--v=", "-v="):
            if arg.startswith(prefix) and arg[len(prefix) :].isdigit():
                return int(arg[len(prefix) :])
        if arg in ("-v", "--v") and i + 1 < len(argv) and argv[i + 1].isdigit():
            return int(argv[i + 1])
    return 0


def _prog_name(argv0: str) -> str:
    """``kubectl mech`` when run as a kubectl plugin (``kubectl-mech`` on PATH), else ``kmech``."""
    name = os.path.basename(argv0)
    return "kubectl mech" if name.startswith("kubectl-mech") else "kmech"


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map kmech errors to one ``error:`` line on stderr and an exit code.

    Usage errors are click's own (exit 2, with the usage line). Anything that is not a
    :class:`~kmech.errors.KmechError` is a bug: one ``error: internal error`` line and exit 1,
    with the traceback only at ``-v 9``.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    # kubectl accepts -v=6; click would read "=6" as the value of the short option.
    args = ["--v=" + a[3:] if a.startswith("-v=") else a for a in args]
    verbosity = _verbosity_from_argv(args)

    def invoke() -> int:
        group = typer.main.get_command(_app_for(args))
        group.main(
            args=_hoist_global_options(args, group),
            prog_name=_prog_name(sys.argv[0] if sys.argv else ""),
            standalone_mode=True,
        )
        return 0

    sys.exit(report_errors(invoke, verbosity=verbosity))
