"""A reader for the plain block YAML that kubeconfig files are written in, without PyYAML.

Importing PyYAML costs ~10 ms per start-up (its scanner and resolver compile their regular
expressions at import), more than the rest of reading a kubeconfig. kubectl, client-go and the
sandbox write kubeconfigs in a small corner of YAML: block mappings and sequences, plain or
quoted one-line scalars, ``{}`` and ``[]``. :func:`load` reads exactly that corner and returns
what ``yaml.safe_load`` would; for anything else (anchors, tags, block scalars, flow
collections, escapes, numbers, multi-line scalars, comments after a value, tabs, several
documents) it raises :class:`Unsupported` and the caller uses PyYAML, which also reports
malformed files. A property test compares the two on generated documents.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Unsupported", "load"]


class Unsupported(Exception):
    """The text uses YAML beyond this reader's subset: parse it with PyYAML instead."""


_KEY = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*):(?: +(.*))?")

# Plain scalars PyYAML's (YAML 1.1) resolvers would turn into something other than a string
# start with one of these characters or are one of these words; ``true``/``false``/``null``
# forms are read here, the rest goes to PyYAML.
_SPECIAL_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`+.0123456789~<=")
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_NULL = frozenset({"null", "Null", "NULL"})
_OTHER_WORDS = frozenset(
    {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "n"}
)

_Line = tuple[int, str]  # (indent, content without the indent and trailing spaces)


def load(text: str) -> Any:
    """The document in ``text`` as ``yaml.safe_load`` returns it; Unsupported outside the subset."""
    if "\t" in text or "\r" in text or text.startswith("\ufeff"):
        raise Unsupported("tabs, carriage returns or a byte-order mark")
    lines: list[_Line] = []
    for raw in text.split("\n"):
        content = raw.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        if content.startswith(("---", "...", "%")):
            raise Unsupported("document markers or directives")
        if not content.isprintable():
            raise Unsupported("characters PyYAML may refuse")
        lines.append((len(raw) - len(content), content.rstrip(" ")))
    if not lines:
        return None
    if lines[0][0] != 0:
        raise Unsupported("an indented first line")
    value, end = _node(lines, 0, 0)
    if end != len(lines):
        raise Unsupported("text after the document")
    return value


def _is_item(content: str) -> bool:
    return content == "-" or content.startswith("- ")


def _node(lines: list[_Line], i: int, indent: int) -> tuple[Any, int]:
    """The block node starting at line ``i``, whose indent must be at least ``indent``."""
    ind, content = lines[i]
    if ind < indent:
        raise Unsupported("indentation")
    if _is_item(content):
        return _sequence(lines, i, ind)
    if _KEY.fullmatch(content):
        return _mapping(lines, i, ind)
    raise Unsupported("a scalar on a line of its own")


def _mapping(lines: list[_Line], i: int, ind: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == ind and not _is_item(lines[i][1]):
        match = _KEY.fullmatch(lines[i][1])
        if match is None:
            raise Unsupported("not a simple key")
        key, rest = match.group(1), match.group(2)
        if key in _TRUE or key in _FALSE or key in _NULL or key in _OTHER_WORDS:
            raise Unsupported("a key PyYAML would not read as a string")
        i += 1
        value: Any
        if rest:
            value = _scalar(rest)
        elif i < len(lines) and lines[i][0] > ind:
            value, i = _node(lines, i, ind + 1)
        elif i < len(lines) and lines[i][0] == ind and _is_item(lines[i][1]):
            value, i = _sequence(lines, i, ind)  # "key:" then "- item" at the key's indent
        else:
            value = None
        result[key] = value
    if i < len(lines) and lines[i][0] > ind:
        raise Unsupported("indentation")
    return result, i


def _sequence(lines: list[_Line], i: int, ind: int) -> tuple[list[Any], int]:
    result: list[Any] = []
    while i < len(lines) and lines[i][0] == ind and _is_item(lines[i][1]):
        rest = lines[i][1][1:].lstrip(" ")
        if not rest:
            i += 1
            if i < len(lines) and lines[i][0] > ind:
                value, i = _node(lines, i, ind + 1)
            else:
                value = None
        elif _is_item(rest):
            raise Unsupported("a sequence inside a sequence item")
        elif _KEY.fullmatch(rest):
            # "- key: value": a mapping whose keys line up with this first key.
            inner = ind + len(lines[i][1]) - len(rest)
            lines[i] = (inner, rest)
            value, i = _mapping(lines, i, inner)
        else:
            value = _scalar(rest)
            i += 1
        result.append(value)
    if i < len(lines) and lines[i][0] > ind:
        raise Unsupported("indentation")
    return result, i


def _scalar(text: str) -> Any:
    if text == "{}":
        return {}
    if text == "[]":
        return []
    if text[0] == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != '"' or "\\" in inner or '"' in inner:
            raise Unsupported("a double-quoted scalar with escapes")
        return inner
    if text[0] == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise Unsupported("a single-quoted scalar")
        return inner.replace("''", "'")
    if text[0] in _SPECIAL_FIRST or ": " in text or " #" in text or text.endswith(":"):
        raise Unsupported("a plain scalar PyYAML may read differently")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _NULL:
        return None
    if text in _OTHER_WORDS:
        raise Unsupported("a YAML 1.1 boolean word")
    return text
