"""One completion candidate: the text to insert and, for shells that show one, a description."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Candidate"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """``value`` is inserted as typed; ``help`` is shown by zsh, fish and PowerShell only."""

    value: str
    help: str | None = None
