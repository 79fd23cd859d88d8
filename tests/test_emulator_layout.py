"""The emulator's pieces fit together: every URL names an operation that exists with the keyword
arguments the uniform handler passes, the public names stay importable, and no module of the
emulator imports the rest of the package (unit tests, no sockets)."""

from __future__ import annotations

import ast
import inspect
import re
import sys
from pathlib import Path

import pytest

from pulumi_zpa_pkeys.emulator import App, Backend
from pulumi_zpa_pkeys.emulator.control import Control
from pulumi_zpa_pkeys.emulator.responses import Operation, Request, _snake, respond
from pulumi_zpa_pkeys.emulator.urls import CONTROL_URLS, DOORS

EMULATOR = Path(__file__).resolve().parent.parent / "pulumi_zpa_pkeys" / "emulator"


def _arguments(pattern: re.Pattern[str], operation: Operation) -> set[str]:
    names = set(pattern.groupindex) - {"customer_id"}  # the app checks the customer id itself
    names |= {name for name, _ in operation.fixed}
    names |= {_snake(name) for name in operation.query}
    return names | ({"body"} if operation.body else set())


@pytest.mark.parametrize(
    ("routes", "target"),
    [
        *((door.routes, Backend()) for door in DOORS),
        (CONTROL_URLS, Control(App(Backend()))),
    ],
    ids=[*(f"door {door.prefix}{door.base}" for door in DOORS), "control"],
)
def test_every_url_names_an_operation_taking_its_arguments(
    routes: list[tuple[re.Pattern[str], dict[str, Operation]]], target: object
) -> None:
    for pattern, methods in routes:
        for method, operation in methods.items():
            call = getattr(target, operation.name)
            signature = inspect.signature(call)
            signature.bind(**dict.fromkeys(_arguments(pattern, operation)))
            assert operation.status in (200, 201, 204), (method, pattern.pattern)


def test_respond_parses_calls_and_serialises() -> None:
    backend = Backend()
    req = Request("GET", "", "search=name%20EQ%20Connector", {}, b"")
    listed = respond(backend, Operation("list_enrollment_certs", query=("search",)), req)
    assert (listed.status, [c["id"] for c in listed.body["list"]]) == (200, ["6573"])
    assert _snake("microtenantId") == "microtenant_id" and _snake("pagesize") == "pagesize"


def test_public_names_stay_importable() -> None:
    from pulumi_zpa_pkeys.emulator import (
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        DEFAULT_CUSTOMER_ID,
        EmulatorError,
        EmulatorServer,
    )

    assert (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET) == ("zpa-emulator", "zpa-emulator-secret")
    assert DEFAULT_CUSTOMER_ID == "216196257331281920"
    assert issubclass(EmulatorError, Exception) and EmulatorServer.__name__ == "EmulatorServer"


@pytest.mark.parametrize("module", sorted(p.name for p in EMULATOR.glob("*.py")))
def test_emulator_imports_only_itself_and_the_standard_library(module: str) -> None:
    tree = ast.parse((EMULATOR / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
        elif isinstance(node, ast.Import):
            top = node.names[0].name.split(".")[0]
        else:
            continue
        assert top == "__future__" or top in sys.stdlib_module_names, (module, top)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 1:
            raise AssertionError(f"{module} imports from outside the emulator: {node.module}")


def _imports(module: str) -> set[str]:
    """The emulator modules ``module`` imports (``from . import x``, ``from .x import y``),
    those imported only for type checking included."""
    tree = ast.parse((EMULATOR / module).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0] + ".py")
            else:
                found |= {alias.name + ".py" for alias in node.names}
    return found & {p.name for p in EMULATOR.glob("*.py")}


def test_emulator_modules_import_each_other_without_a_circle() -> None:
    graph = {p.name: _imports(p.name) for p in EMULATOR.glob("*.py")}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module not in done:
            for imported in sorted(graph[module]):
                visit(imported, (*path, module))
            done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_every_operation_of_every_kind_has_a_url() -> None:
    named = {op.name for door in DOORS for _, methods in door.routes for op in methods.values()}
    named |= {op.name for _, methods in CONTROL_URLS for op in methods.values()}
    assert set(Backend().operations) <= named, set(Backend().operations) - named
