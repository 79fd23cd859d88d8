"""The benchmark driver (`bench/run.py`) and its modules agree: every module it lists holds a
`SECTION`, every module of bench/ holding one is listed, and a new benchmark is one module plus
one line in the list (its options, its section, its targets reach RESULTS.md and the exit code).
Nothing is measured here."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from support import BENCH, bench_module

TOY = """
from section import Section, Target


def options(parser):
    parser.add_argument("--toy-answer", type=int, default=41)


def measure(ctx):
    return ctx.args.toy_answer


def render(ctx, answer, add):
    add(f"The answer is {answer}.")
    add("")


def targets(ctx, answer):
    return [Target("the answer is 42", str(answer), answer == 42, required=True)]


SECTION = Section("toy", "A toy benchmark", measure, render, targets, options)
"""


@pytest.fixture
def run() -> ModuleType:
    return bench_module("run")


@pytest.fixture
def toy_listed(run: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A benchmark module written to a temporary folder and added to the driver's list."""
    (tmp_path / "toy_bench.py").write_text(TOY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(run, "BENCHMARKS", (*run.BENCHMARKS, "toy_bench"))
    yield
    sys.modules.pop("toy_bench", None)


def test_every_listed_module_holds_a_section_with_a_unique_key_and_title(run: ModuleType) -> None:
    section = bench_module("section")
    sections = [bench_module(name).SECTION for name in run.BENCHMARKS]

    assert all(isinstance(s, section.Section) for s in sections)
    assert all(callable(f) for s in sections for f in (s.measure, s.render, s.targets, s.options))
    keys = [s.key for s in sections]
    assert len(set(keys)) == len(keys) and all(keys)
    assert len({s.title for s in sections}) == len(sections)
    assert [s.key for s in run.sections()] == keys
    assert run.parse_args(["--only", ",".join(keys)]).only == ",".join(keys)


def test_every_module_of_bench_holding_a_section_is_listed(run: ModuleType) -> None:
    modules = sorted(path.stem for path in BENCH.glob("*.py"))
    with_section = {name for name in modules if hasattr(bench_module(name), "SECTION")}

    assert with_section == set(run.BENCHMARKS)


def test_only_names_the_sections_when_given_an_unknown_key(
    run: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run.parse_args(["--only", "ops,nope"])

    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.endswith(
        "--only: no section nope; the sections: " + ", ".join(s.key for s in run.sections())
    )


@pytest.mark.usefixtures("toy_listed")
def test_a_new_module_in_the_list_is_rendered_and_its_missed_required_target_fails(
    run: ModuleType, tmp_path: Path
) -> None:
    output = tmp_path / "RESULTS.md"

    assert run.main(["--only", "toy", "--output", str(output)]) == 1

    text = output.read_text()
    assert "| the answer is 42 (required) | 41 | **missed** |" in text
    assert "## 1. A toy benchmark\n\nThe answer is 41.\n" in text
    assert "## 2." not in text


@pytest.mark.usefixtures("toy_listed")
def test_a_new_module_adds_its_own_option_and_a_met_target_passes(
    run: ModuleType, tmp_path: Path
) -> None:
    output = tmp_path / "RESULTS.md"

    assert run.main(["--only", "toy", "--toy-answer", "42", "--output", str(output)]) == 0

    text = output.read_text()
    assert "| the answer is 42 (required) | 42 | met |" in text
    assert "| command | `.venv/bin/python bench/run.py --only toy --toy-answer 42 --output" in text
