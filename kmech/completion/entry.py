"""The console scripts: ``kmech`` and ``kubectl-mech`` (a TAB is answered before typer loads),
and ``kubectl_complete-mech``, which kubectl (1.26+) runs to complete ``kubectl mech <TAB>``.

One TAB is one process start, so the completion request (``_KMECH_COMPLETE=complete_<shell>``)
is answered here by :mod:`kmech.completion.protocol` from the generated command spec, importing
neither typer, click nor rich. A plain ``kmech resolve`` runs without typer too
(:mod:`kmech.cli.fastpath`). Everything else, including ``source_<shell>`` instructions, goes to
:func:`kmech.cli.app.main`.
"""

from __future__ import annotations

import os
import sys

__all__ = ["COMPLETE_VAR", "main", "kubectl_complete"]

COMPLETE_VAR = "_KMECH_COMPLETE"


def main() -> None:
    """Answer a completion request quickly, run a plain ``resolve`` directly, or run the CLI."""
    instruction = os.environ.get(COMPLETE_VAR, "")
    if instruction:
        from kmech.completion.protocol import respond

        try:
            response = respond(instruction)
        except Exception:  # any bug included: a TAB offers nothing rather than a traceback
            _debug_traceback()
            sys.exit(0)
        if response is not None:
            if response.text is not None:
                sys.stdout.write(response.text + "\n")
                sys.stdout.flush()
            sys.exit(response.exit_code)
    from kmech.cli.fastpath import run

    code = run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from kmech.cli.app import main as cli_main

    cli_main()


def kubectl_complete(argv: list[str] | None = None) -> None:
    """Answer kubectl's plugin completion: ``kubectl_complete-mech ARGS... INCOMPLETE``.

    kubectl runs this program with the words after ``kubectl mech``, the last one being the
    word under the cursor, and reads cobra's ``__complete`` format back: one
    ``value<TAB>description`` per line, then ``:4`` (candidates, no file names) or ``:0`` (none:
    let the shell complete file names).

    Upstream: kubectl ``pkg/cmd/cmd.go`` (plugin completion through ``kubectl_complete-<name>``),
    cobra ``completions.go`` (the ``__complete`` output and ShellCompDirective values).
    """
    from kmech.completion.engine import complete
    from kmech.completion.sources import candidates
    from kmech.completion.spec import load_spec

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("__complete", "__completeNoDesc"):
        args = args[1:]
    incomplete = args.pop() if args else ""
    try:
        items = complete(load_spec(), args, incomplete, candidates)
    except Exception:  # any bug included: a TAB stays silent, as in main()
        _debug_traceback()
        items = []
    lines = [c.value + ("\t" + " ".join(c.help.split()) if c.help else "") for c in items]
    lines.append(":4" if items else ":0")
    sys.stdout.write("\n".join(lines) + "\n")


def _debug_traceback() -> None:
    """A TAB must never print a traceback into the user's command line; only with
    ``KMECH_COMPLETION_DEBUG=1`` it shows what went wrong (cobra's BASH_COMP_DEBUG_FILE)."""
    if os.environ.get("KMECH_COMPLETION_DEBUG"):
        import traceback

        traceback.print_exc()
