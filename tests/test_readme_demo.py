"""The README's excerpt of a `make demo` run is what a real run prints: each of its lines (but
`...`) appears in the output of examples/demo.py, in order, ids, ports and the second group's id
aside. The demo runs as `make demo` runs it on a machine without the Pulumi CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from newcomer import path_without_pulumi

ROOT = Path(__file__).resolve().parent.parent
EXCERPT = re.compile(r"<!-- excerpt of a real `make demo` run[^>]*-->\n```text\n(.*?)```", re.S)


def _normal(line: str) -> str:
    """A line with its run-dependent numbers (ids, the port) replaced."""
    line = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", line)
    return re.sub(r"\d{5,}", "<n>", line.rstrip())


def test_readme_demo_excerpt_matches_a_real_run(tmp_path: Path) -> None:
    (excerpt,) = EXCERPT.findall((ROOT / "README.md").read_text())
    wanted = [_normal(line) for line in excerpt.splitlines() if line.strip() != "..."]

    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        env={"PATH": path_without_pulumi(), "HOME": str(tmp_path), "LANG": "C.UTF-8"},
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    printed = [_normal(line) for line in result.stdout.splitlines()]
    position = 0
    for line in wanted:
        assert line in printed[position:], f"not in the run (after line {position}): {line!r}"
        position = printed.index(line, position) + 1
