"""One completion candidate: the text to insert and, for shells that show one, a description."""

from __future__ import annotations

__all__ = ["Candidate"]


class Candidate:
    """``value`` is inserted as typed; ``help`` is shown by zsh, fish and PowerShell only.

    Immutable by convention. A plain slotted class rather than a dataclass: importing
    ``dataclasses`` costs a TAB about 5 ms (it loads ``inspect``), a fifth of the whole budget.
    """

    __slots__ = ("value", "help")

    def __init__(self, value: str, help: str | None = None) -> None:  # noqa: A002 - click's name
        self.value = value
        self.help = help

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Candidate):
            return NotImplemented
        return (self.value, self.help) == (other.value, other.help)

    def __hash__(self) -> int:
        return hash((self.value, self.help))

    def __repr__(self) -> str:
        return f"Candidate({self.value!r}, {self.help!r})"
