"""Output shared by every command: ``-o json|yaml|name`` and kubectl-style plain columns.

``-o json`` and ``-o yaml`` print the same data structure a command builds for its table; tables
are rendered from that structure too, never from a separate code path. rich is imported only by
:func:`make_console`, so plain output on a pipe never loads it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from kmech.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "dump_json",
    "dump_yaml",
    "format_columns",
    "check_output_format",
    "is_terminal",
    "color_enabled",
    "make_console",
]


def dump_json(data: Any) -> str:
    """JSON as kubectl prints it: 4-space indent, keys in the order given, a final newline."""
    return json.dumps(data, indent=4, ensure_ascii=False) + "\n"


def dump_yaml(data: Any) -> str:
    """YAML with keys in the order given (pyyaml, block style)."""
    import yaml

    return str(yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True))


def format_columns(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns aligned as kubectl's tabwriter does: each cell padded to its column's width plus
    three spaces, the last column unpadded, trailing spaces stripped. Empty cells print as ``<none>``
    only if the caller put that text there; this function does not invent values."""
    table = [list(headers), *[list(r) for r in rows]]
    if not table:
        return ""
    ncols = max(len(r) for r in table)
    widths = [0] * ncols
    for r in table:
        for i, cell in enumerate(r):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for r in table:
        parts = []
        for i, cell in enumerate(r):
            parts.append(cell if i == len(r) - 1 else cell.ljust(widths[i] + 3))
        lines.append("".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def check_output_format(fmt: str | None, allowed: Sequence[str]) -> str:
    """Return ``fmt`` (default: the first allowed) or raise a usage error naming the choices."""
    if fmt is None or fmt == "":
        return allowed[0]
    if fmt not in allowed:
        choices = "|".join(allowed)
        raise UsageError(f'unknown output format "{fmt}": use -o {choices}')
    return fmt


def is_terminal(stream: TextIO | None = None) -> bool:
    s = sys.stdout if stream is None else stream
    try:
        return s.isatty()
    except (AttributeError, ValueError):
        return False


def color_enabled(no_color_flag: bool, stream: TextIO | None = None) -> bool:
    """Colour only on a terminal, never with ``--no-color`` or a non-empty ``NO_COLOR``."""
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    return is_terminal(stream)


def make_console(*, stderr: bool = False, color: bool = False, width: int | None = None) -> Console:
    """A rich Console for terminal rendering; imported lazily so pipes never load rich."""
    from rich.console import Console

    return Console(
        stderr=stderr,
        no_color=not color,
        color_system="auto" if color else None,
        width=width,
        highlight=False,
        soft_wrap=False,
    )
