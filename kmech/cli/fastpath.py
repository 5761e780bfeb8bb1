"""``kmech resolve`` straight from ``sys.argv``, without typer, when the arguments are plain.

``kmech resolve NAME`` is run in loops and scripts, and its answer from a warm cache takes a few
milliseconds; building typer's command tree costs several times that. So the console scripts
try :func:`run` first. It accepts exactly this grammar and nothing else:

- before ``resolve``: the global flags ``--kubeconfig``, ``--context``, ``--cluster``,
  ``--user``, ``-n``/``--namespace``, ``-s``/``--server``, ``--token``,
  ``--certificate-authority`` (each ``--flag VALUE`` or ``--flag=VALUE``; ``-nVALUE``,
  ``-sVALUE``), ``--insecure-skip-tls-verify`` and ``--no-color``;
- after it: NAMEs, the same global flags (kubectl accepts them anywhere), and ``resolve``'s own
  ``-o``/``--output``, ``--explain``, ``--kind``, ``--discovery``, ``--cache-dir``,
  ``--refresh``.

For anything else (help, ``-v``, ``--request-timeout``, ``--``, an unknown or incomplete flag, no
NAME) it returns ``None`` before writing a byte, and the typer CLI handles the arguments, so
typos get click's usage errors. For the arguments it accepts, its output, stderr and exit code
are the typer CLI's, byte for byte (tests/cli/test_fastpath.py runs both on the same argv);
:func:`report_errors` is the one place both map errors to exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["run", "parse", "report_errors"]

# Global flags taking a value -> ConnectionOptions field; short forms may be glued (-nshop).
# kmech.cli.app builds its list of global flags from these two tables.
GLOBAL_VALUES = {
    "--kubeconfig": "kubeconfig",
    "--context": "context",
    "--cluster": "cluster",
    "--user": "user",
    "-n": "namespace",
    "--namespace": "namespace",
    "-s": "server",
    "--server": "server",
    "--token": "token",
    "--certificate-authority": "certificate_authority",
}
GLOBAL_FLAGS = {"--insecure-skip-tls-verify": "insecure_skip_tls_verify", "--no-color": "no_color"}
_RESOLVE_VALUES = {
    "-o": "output",
    "--output": "output",
    "--discovery": "discovery_dir",
    "--cache-dir": "cache_dir",
}
_RESOLVE_FLAGS = {"--explain": "explain", "--kind": "kind", "--refresh": "refresh"}
# After `resolve`, the command's own flags are accepted too (kubectl takes global flags anywhere).
_AFTER_FLAGS = GLOBAL_FLAGS | _RESOLVE_FLAGS
_AFTER_VALUES = GLOBAL_VALUES | _RESOLVE_VALUES


def parse(argv: list[str]) -> tuple[dict[str, object], dict[str, object]] | None:
    """``(connection and colour settings, resolve settings)`` for a plain ``resolve`` command
    line, or ``None`` when typer must handle ``argv``. Later flags win, as in click."""
    glob: dict[str, object] = {}
    opts: dict[str, object] = {}
    names: list[str] = []
    command = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            if arg == "-" or (not command and arg != "resolve"):
                return None  # another command, or click's "-"
            if command:
                names.append(arg)
            command = True
            continue
        if arg.startswith("--"):
            name, eq, inline = arg.partition("=")
            has_inline = bool(eq)
        else:
            name, inline = arg[:2], arg[2:]  # -nshop
            has_inline = bool(inline)
        flags = _AFTER_FLAGS if command else GLOBAL_FLAGS
        values = _AFTER_VALUES if command else GLOBAL_VALUES
        if name in flags:
            if has_inline:
                return None  # click rejects a value for a flag: let it say so
            (glob if name in GLOBAL_FLAGS else opts)[flags[name]] = True
            continue
        if name not in values:
            return None
        if has_inline:
            value = inline
        elif i < len(argv) and not argv[i].startswith("-"):
            value = argv[i]
            i += 1
        else:
            return None  # a missing value, or one that looks like a flag: click decides
        (glob if name in GLOBAL_VALUES else opts)[values[name]] = value
    if not names:
        return None
    opts["names"] = tuple(names)
    return glob, opts


def run(argv: list[str]) -> int | None:
    """Run ``kmech resolve`` for ``argv`` and return its exit code, or ``None`` (nothing
    written) when :func:`parse` leaves ``argv`` to typer."""
    parsed = parse(argv)
    if parsed is None:
        return None
    glob, opts = parsed

    def resolve() -> int:
        from kmech.cli.output import color_enabled
        from kmech.cli.resolve import ResolveOptions
        from kmech.cli.resolve import run as run_resolve
        from kmech.transport.options import ConnectionOptions

        no_color = bool(glob.pop("no_color", False))
        connection = ConnectionOptions(**glob)  # type: ignore[arg-type]
        options = ResolveOptions(**opts)  # type: ignore[arg-type]
        return run_resolve(options, connection, color=color_enabled(no_color, sys.stderr))

    return report_errors(resolve, verbosity=0)


def report_errors(command: Callable[[], int], *, verbosity: int) -> int:
    """Run ``command``; turn a kmech error into one ``error:`` line and its exit code, Ctrl-C
    into 130, and anything else (a bug) into one ``internal error`` line and exit 1, with the
    traceback only at ``-v 9``."""
    from kmech.errors import KmechError

    try:
        return command()
    except KmechError as exc:
        if verbosity >= 9:
            import traceback

            traceback.print_exc()
        sys.stderr.write(f"error: {exc.message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: keep the traceback for -v 9 and for bug reports
        if verbosity >= 9:
            raise
        sys.stderr.write(
            f"error: internal error ({type(exc).__name__}: {exc}); "
            "run again with -v 9 for the traceback and report it\n"
        )
        return 1
