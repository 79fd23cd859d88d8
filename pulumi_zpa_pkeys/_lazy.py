"""Lazy module attributes: a package names what it exports and where, and imports on first use.

Both the package and ``pulumi_zpa_pkeys.testing`` use it, so that starting the emulator or the
API client never imports ``pulumi``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, tuple[str, ...]]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``(__all__, __getattr__, __dir__)`` for ``package`` exporting, from each submodule of
    ``exports``, the names listed with it."""
    where = {name: module for module, names in exports.items() for name in names}
    public = sorted(where)

    def getattr_(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(importlib.import_module(package), name, value)
        return value

    def dir_() -> list[str]:
        return public

    return public, getattr_, dir_
