"""The package's public names: one list (`_EXPORTS` in `pulumi_zpa_pkeys/__init__.py`), the
`TYPE_CHECKING` imports that repeat it for type checkers, and what each resource module must
export."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

import pulumi_zpa_pkeys
from pulumi_zpa_pkeys import lookups
from pulumi_zpa_pkeys._resource_class import ZpaResource

INIT = Path(pulumi_zpa_pkeys.__file__)


def _exports_and_type_checking_imports() -> tuple[dict[str, tuple[str, ...]], set[tuple[str, str]]]:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    exports: dict[str, tuple[str, ...]] | None = None
    imported: set[tuple[str, str]] = set()
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_EXPORTS":
            exports = ast.literal_eval(node.value)  # type: ignore[arg-type]
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.level == 1
                for alias in statement.names:
                    # `X as X` marks a re-export for type checkers (mypy --strict).
                    assert alias.asname == alias.name, alias.name
                    imported.add((str(statement.module), alias.name))
    assert exports is not None
    return exports, imported


def test_type_checking_imports_are_the_lazy_exports() -> None:
    exports, imported = _exports_and_type_checking_imports()
    assert imported == {(module, name) for module, names in exports.items() for name in names}


def test_every_export_resolves_to_its_module_object() -> None:
    exports, _ = _exports_and_type_checking_imports()
    for module, names in exports.items():
        source = importlib.import_module(f"pulumi_zpa_pkeys.{module}")
        for name in names:
            assert getattr(pulumi_zpa_pkeys, name) is getattr(source, name)
            assert name in source.__all__, f"{module}.__all__ lacks {name}"
    assert sorted(pulumi_zpa_pkeys.__all__) == sorted(
        [*(n for names in exports.values() for n in names), "__version__"]
    )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _resource_modules() -> dict[str, type[Any]]:
    found: dict[str, type[Any]] = {}
    for info in pkgutil.iter_modules(pulumi_zpa_pkeys.__path__):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"pulumi_zpa_pkeys.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, ZpaResource)
                and value.__module__ == module.__name__
            ):
                found[info.name] = value
    return found


def test_every_resource_exports_its_class_args_info_and_lookups() -> None:
    exports, _ = _exports_and_type_checking_imports()
    resources = _resource_modules()
    assert len(resources) >= 5
    for module, cls in resources.items():
        x = cls.__name__
        expected = {x, f"{x}Args", f"{x}Info", f"get_{_snake(x)}", f"get_{_snake(x)}_output"}
        assert expected <= set(exports.get(module, ())), module


def test_lookups_module_keeps_every_lookup_and_result_class() -> None:
    wanted = [n for n in pulumi_zpa_pkeys.__all__ if n.startswith("get_") or n.endswith("Info")]
    for name in [*wanted, "EnrollmentCert", "clear_cache"]:
        assert getattr(lookups, name) is not None
    assert lookups.get_api_key is pulumi_zpa_pkeys.get_api_key
