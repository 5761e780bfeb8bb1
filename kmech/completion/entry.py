"""The ``kmech`` and ``kubectl-mech`` console scripts: a TAB is answered before typer loads.

One TAB is one process start, so the completion request (``_KMECH_COMPLETE=complete_<shell>``)
is answered here by :mod:`kmech.completion.protocol` from the generated command spec, importing
neither typer, click nor rich. Everything else, including ``source_<shell>`` instructions,
goes to :func:`kmech.cli.app.main`.
"""

from __future__ import annotations

import os
import sys

__all__ = ["COMPLETE_VAR", "main"]

COMPLETE_VAR = "_KMECH_COMPLETE"


def main() -> None:
    """Answer a completion request quickly, or run the CLI."""
    instruction = os.environ.get(COMPLETE_VAR, "")
    if instruction:
        from kmech.completion.protocol import respond

        response = respond(instruction)
        if response is not None:
            if response.text is not None:
                sys.stdout.write(response.text + "\n")
                sys.stdout.flush()
            sys.exit(response.exit_code)
    from kmech.cli.app import main as cli_main

    cli_main()
