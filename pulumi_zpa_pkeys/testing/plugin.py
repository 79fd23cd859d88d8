"""pytest plugin (entry point ``pytest11``): ZPA emulator fixtures, and tests that check nothing
fail instead of passing.

- ``zpa_emulator_session``: one emulator process for the whole session (rate limits off).
- ``zpa_emulator``: that emulator, reset to its seeded state with faults cleared and a fast,
  permissive configuration, for every test.
- A test that returns a Pulumi ``Output`` (or any awaitable) fails: pytest never waits for it,
  so an assertion inside its ``apply`` never runs (pytest itself only warns). A test decorated
  with ``@pulumi.runtime.test`` whose Output resolves to a value other than None fails too: the
  decorator waits for the Output and drops its value, so ``.apply(lambda v: v == 3)`` checks
  nothing; the assertion belongs inside the apply.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

from .emulator_process import RunningEmulator, emulator

CLEAN_CONFIG = {
    "rate_limit": False,
    "token_ttl_s": 3600,
    "window_s": 10,
    "get_per_window": 20,
    "write_per_window": 10,
}


@pytest.fixture(scope="session")
def zpa_emulator_session() -> Iterator[RunningEmulator]:
    with emulator() as running:
        yield running


@pytest.fixture
def zpa_emulator(zpa_emulator_session: RunningEmulator) -> RunningEmulator:
    running = zpa_emulator_session
    running.reset()
    running.clear_faults()
    running.configure(**CLEAN_CONFIG)
    return running


# -- tests that return an Output -----------------------------------------------------------

_HOW = (
    "assert on plain values instead (pulumi_zpa_pkeys.testing.run_program or deploy_program: "
    "docs/testing.md of pulumi-zpa-pkeys), or assert inside the .apply() of a test decorated "
    "with @pulumi.runtime.test"
)


def _is_output(value: object) -> bool:
    pulumi = sys.modules.get("pulumi")  # not imported: the value cannot be an Output
    return pulumi is not None and isinstance(value, pulumi.Output)


def _shown(value: object) -> str:
    """What a test's stray result was, without its content unless it is a flag or number (a
    string could be a secret, such as a key value)."""
    if isinstance(value, bool | int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def _under_pulumi_test(func: Callable[..., Any]) -> Callable[..., Any] | None:
    """The test function inside ``@pulumi.runtime.test``'s wrapper, if `func` is one."""
    mocks = sys.modules.get("pulumi.runtime.mocks")
    inner = getattr(func, "__wrapped__", None)
    if mocks is None or inner is None:
        return None
    wrapper_code = mocks.test(lambda: None).__code__  # every wrapper shares this code
    return inner if getattr(func, "__code__", None) is wrapper_code else None


def _checked(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    inner = _under_pulumi_test(func)
    if inner is not None:
        import pulumi

        def resolved_to_none(value: object) -> None:
            if value is not None:
                raise AssertionError(
                    f"{name}: the Output it returned resolved to {_shown(value)}, which "
                    "@pulumi.runtime.test drops: nothing was checked. Inside the .apply(), "
                    "`assert` the condition instead of returning it."
                )

        def checking(*args: Any, **kwargs: Any) -> Any:
            return pulumi.Output.from_input(inner(*args, **kwargs)).apply(resolved_to_none)

        return functools.wraps(inner)(pulumi.runtime.test(checking))  # type: ignore[no-untyped-call]

    @functools.wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        if _is_output(result) or inspect.isawaitable(result):
            what = "a pulumi Output" if _is_output(result) else _shown(result)
            pytest.fail(
                f"{name} returned {what} instead of asserting: pytest does not wait for it, "
                f"so nothing in it was checked; {_HOW}.",
                pytrace=False,
            )
        return result

    return checked


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, None]:
    """Run the test through :func:`_checked` (async tests are left to their own plugins)."""
    original = pyfuncitem.obj
    if inspect.iscoroutinefunction(original) or inspect.isasyncgenfunction(original):
        yield
        return
    pyfuncitem.obj = _checked(original, pyfuncitem.name)
    try:
        yield
    finally:
        pyfuncitem.obj = original
