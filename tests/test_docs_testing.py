"""docs/testing.md: its complete example is the file the docs name, word for word, and passes
when run as a user runs it (`python -m pytest` in the project folder); its other test snippets
pass too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "testing.md"
EXAMPLE_BLOCK = re.compile(r"<!-- example: (\S+) -->\n```python\n(.*?)```", re.DOTALL)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ZPA_", "ZSCALER_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_complete_example_is_the_file_it_names() -> None:
    ((path, code),) = EXAMPLE_BLOCK.findall(DOC.read_text())
    assert (ROOT / path).read_text() == code


def test_the_complete_example_passes_from_its_project_folder() -> None:
    ((path, _),) = EXAMPLE_BLOCK.findall(DOC.read_text())
    test_file = ROOT / path

    result = _pytest(test_file.parent)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"^2 passed", result.stdout.splitlines()[-1]), result.stdout


def _snippets() -> list[str]:
    text = EXAMPLE_BLOCK.sub("", DOC.read_text())
    return [block for block in PYTHON_BLOCK.findall(text) if "def test_" in block]


@pytest.mark.parametrize("index", range(len(_snippets())))
def test_test_snippet_passes(tmp_path: Path, index: int) -> None:
    snippet = _snippets()[index]
    (tmp_path / "test_snippet.py").write_text(snippet)

    result = _pytest(tmp_path)

    tests = snippet.count("def test_")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(rf"^{tests} passed", result.stdout.splitlines()[-1]), result.stdout
