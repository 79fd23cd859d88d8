"""pytest plugin (entry point ``pytest11``): ZPA emulator fixtures.

- ``zpa_emulator_session``: one emulator process for the whole session (rate limits off).
- ``zpa_emulator``: that emulator, reset to its seeded state with faults cleared and a fast,
  permissive configuration, for every test.
"""

from __future__ import annotations

from collections.abc import Iterator

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
