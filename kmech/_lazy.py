"""Package namespaces whose names are imported on first use (:pep:`562`).

``import kmech.mapper.resolve`` runs ``kmech/mapper/__init__.py`` first; if that imported every
public name, the lightest submodule would cost as much as the whole package. A package lists its
exports as ``{name: submodule}`` and gets the module-level ``__getattr__`` and ``__dir__`` from
:func:`attach`; it imports the same names under ``TYPE_CHECKING`` for type checkers, and its
tests check that the three lists (the map, ``__all__``, the imports) agree.

:func:`logger` is the same idea for :mod:`logging`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

__all__ = ["attach", "logger"]


def attach(
    package: str, namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose ``exports`` map each public name to
    the submodule (relative to ``package``) that defines it. A name is imported once, then
    stored in ``namespace`` (the package's ``globals()``) so later lookups are plain."""

    def __getattr__(name: str) -> Any:
        submodule = exports.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{submodule}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__


def logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)``, importing :mod:`logging` (4 ms with what it pulls in) only
    when something is about to be logged, for modules on a command's start-up path."""
    import logging

    return logging.getLogger(name)
