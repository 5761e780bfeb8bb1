"""`kmech resolve`: placeholder until the command lands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `resolve` command to ``app``."""
