"""Go's ``%q`` and ``%v`` renderings, so mapper error messages read exactly like client-go's.

Upstream: Go ``strconv.Quote`` and ``fmt`` verbs ``%q`` / ``%v`` on slices.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["go_quote", "go_list"]

_SIMPLE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def go_quote(text: str) -> str:
    """Quote ``text`` as Go's ``%q`` does: printable runes kept, the rest escaped."""
    out = ['"']
    for ch in text:
        escaped = _SIMPLE_ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            if code < 0x80:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def go_list(items: Iterable[object]) -> str:
    """Render a slice as Go's ``%v`` does: ``[a b c]`` with each element's ``String()``."""
    return "[" + " ".join(str(item) for item in items) + "]"
