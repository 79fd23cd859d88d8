"""What a benchmark module gives the driver (`bench/run.py`): one `Section`, named ``SECTION``.

A section measures once (the driver keeps the result under the section's key), renders its part
of RESULTS.md from that result, and reports targets for the summary at the top (what was aimed
at, what was measured, met or not); a ``required`` target missed makes `make bench` exit 1. It
may add command-line options of its own.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

R = TypeVar("R")
#: Appends one line of Markdown.
Add = Callable[[str], None]


@dataclass
class Target:
    """One line of the summary: what was aimed at, what was measured, and whether it was met.
    A ``required`` target missed makes `make bench` fail."""

    aim: str
    result: str
    met: bool
    required: bool = False


@dataclass
class Context:
    """One run of the driver: its options, its sections in order, their results by key."""

    args: argparse.Namespace
    sections: Sequence[Section[Any]] = ()
    results: dict[str, Any] = field(default_factory=dict)

    def refer(self, section: Section[Any]) -> str:
        """``section 4`` when ``section`` is part of this run, else its title in quotes."""
        keys = [s.key for s in self.sections]
        if section.key in keys:
            return f"section {keys.index(section.key) + 1}"
        return f"the section “{section.title}”"


def no_targets(ctx: Context, result: object) -> list[Target]:
    return []


def no_options(parser: argparse.ArgumentParser) -> None:
    pass


@dataclass(frozen=True)
class Section(Generic[R]):
    """One section of RESULTS.md. ``key`` selects it (`--only`); ``title`` heads it."""

    key: str
    title: str
    measure: Callable[[Context], R]
    render: Callable[[Context, R, Add], None]
    targets: Callable[[Context, R], list[Target]] = no_targets
    options: Callable[[argparse.ArgumentParser], None] = no_options


def docstring_paragraphs(doc: str | None) -> list[str]:
    """A module docstring's paragraphs after the first, as Markdown (bullets kept)."""
    out = []
    for paragraph in (doc or "").strip().split("\n\n")[1:]:
        items: list[str] = []
        for line in paragraph.splitlines():
            if line.startswith("- ") or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        out.append("\n".join(items))
    return out


def describe(add: Add, doc: str | None, first: bool = False) -> None:
    """A module's docstring as the section's prose (``first``: its first paragraph too)."""
    if first:
        add(" ".join((doc or "").strip().split("\n\n")[0].split()))
        add("")
    for paragraph in docstring_paragraphs(doc):
        add(paragraph)
        add("")
