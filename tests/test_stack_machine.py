"""Random sequences of what happens to a stack keep its invariants (the state machine in
`stack_machine.py`: rules, invariants and the defects it knows of).

`make test` runs a fixed, derandomised budget (the same sequences every run); `make soak` runs
random sequences for `SOAK_SECONDS` (default 900) and prints what it did. A sequence that breaks
an invariant is shrunk by Hypothesis and printed as Python steps; each one found so far lives on
as a named regular test in `test_stack_sequences.py`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from stack_machine import STATS, StackMachine
from stack_world import World

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}
settings.register_profile(
    "stack-ci",
    derandomize=True,
    database=None,
    max_examples=16,
    stateful_step_count=30,
    **_COMMON,
)
settings.register_profile(
    "stack-soak",
    derandomize=False,
    max_examples=10,
    stateful_step_count=50,
    print_blob=True,
    **_COMMON,
)


@pytest.fixture
def world() -> Iterator[World]:
    running = World().start()
    StackMachine.world = running
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.timeout(900)
def test_random_sequences_keep_the_stack_invariants(world: World) -> None:
    run_state_machine_as_test(StackMachine, settings=settings.get_profile("stack-ci"))


@pytest.mark.slow
@pytest.mark.timeout(0)
def test_soak(world: World) -> None:
    """`make soak`: random batches until SOAK_SECONDS have passed, then what was done."""
    budget = float(os.environ.get("SOAK_SECONDS", "900"))
    started = time.monotonic()
    try:
        while time.monotonic() - started < budget:
            try:
                run_state_machine_as_test(StackMachine, settings=settings.get_profile("stack-soak"))
            except Exception:
                STATS.violations += 1  # shrunk (at most 5 minutes) and reported once
                raise
    finally:
        print("\n-- make soak: the stack state machine --")
        print(STATS.summary(time.monotonic() - started))
