"""`testing.run_program`: runs in one process do not leak into each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_zpa_pkeys.testing import run_program


def _program(where: Path, text: str) -> Path:
    where.mkdir()
    (where / "__main__.py").write_text(text)
    return where


def test_run_program_returns_only_the_exports_of_its_own_run(tmp_path: Path) -> None:
    first = _program(tmp_path / "a", "import pulumi\npulumi.export('a', 1)\n")
    second = _program(tmp_path / "b", "import pulumi\npulumi.export('b', 2)\n")

    assert run_program(first, project="p").stack_outputs == {"a": 1}
    assert run_program(second, project="p").stack_outputs == {"b": 2}


def test_run_program_after_a_failed_run_is_not_failed_by_it(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    failing = _program(
        tmp_path / "bad",
        "import pulumi\n"
        "out = pulumi.Output.from_input(1).apply(lambda _: 1 / 0)\n"
        "pulumi.export('broken', out)\n",
    )
    fine = _program(tmp_path / "good", "import pulumi\npulumi.export('ok', True)\n")

    with pytest.raises(ZeroDivisionError):
        run_program(failing, project="p")
    run = run_program(fine, project="p")

    assert run.stack_outputs == {"ok": True}
    assert "never retrieved" not in capfd.readouterr().err
