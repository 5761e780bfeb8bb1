"""Lazily exported packages (kmech._lazy): the name map, ``__all__`` and the type-checking
imports list the same names, and every name resolves to its submodule's object."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys

import pytest

PACKAGES = ["kmech.mapper", "kmech.discovery"]


def _type_checking_imports(package: str) -> dict[str, str]:
    tree = ast.parse(inspect.getsource(importlib.import_module(package)))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.module
                for alias in stmt.names:
                    found[alias.name] = stmt.module.removeprefix(package + ".")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_exports_agree(package: str) -> None:
    module = importlib.import_module(package)
    exports = module._EXPORTS
    assert _type_checking_imports(package) == exports
    assert sorted(module.__all__) == sorted(exports)
    for name, submodule in exports.items():
        expected = getattr(importlib.import_module(f"{package}.{submodule}"), name)
        assert getattr(module, name) is expected
    assert set(exports) <= set(dir(module))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        module.nope  # noqa: B018


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_the_package_imports_no_submodule(package: str) -> None:
    code = (
        f"import sys, {package}; "
        f"print(sorted(m for m in sys.modules if m.startswith('{package}.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    star = f"from {package} import *"
    subprocess.run([sys.executable, "-c", star], check=True)
