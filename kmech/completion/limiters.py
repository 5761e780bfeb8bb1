"""Values for ``backoff --limiter``: the preset names and the expression functions.

The list is generated with the command spec from :mod:`kmech.workqueue.presets` and
:mod:`kmech.workqueue.expression` (importing those costs more than a TAB may), so a preset added
there shows up here at the next ``python -m kmech.cli.completion --write``, and the
generated-files test fails until then. Functions are offered with their opening parenthesis;
the description gives the arguments. An expression with parentheses must be quoted in the shell.
"""

from __future__ import annotations

from kmech.completion.candidate import Candidate

__all__ = ["limiter_candidates"]


def limiter_candidates() -> list[Candidate]:
    """Presets first (in their defined order), then ``exp(``, ``bucket(`` and the others."""
    from kmech.completion._spec import LIMITERS

    return [Candidate(value, help_text) for value, help_text in LIMITERS]
