"""The children `testing` starts (the emulator, the SDK's provider host) end with the process
that started them, however it ends: a test run stopped by SIGTERM (no clean-up runs) or SIGKILL
once left both running forever.

Each test runs a small "test process" that starts both and waits; the test ends it with a signal
and waits (bounded) until no process carrying the run's marker in its environment is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from newcomer import processes_marked

MARKER_VAR = "ZPA_PKEYS_CHILDREN_TEST"
#: How long the children may take to notice (they react at once; this bounds a loaded machine).
DEADLINE_S = 30.0

TEST_PROCESS = """
import sys, threading

from pulumi_zpa_pkeys.ba_certificate import BaCertificateProvider
from pulumi_zpa_pkeys.testing import ProviderHost, emulator

with emulator() as emu:
    host = ProviderHost(BaCertificateProvider(), emu.config).start()
    print(emu.process.pid, host.pid, flush=True)
    threading.Event().wait()  # until a signal ends this process
"""


@pytest.fixture
def marker() -> Iterator[str]:
    value = uuid.uuid4().hex
    yield value
    for pid in processes_marked(MARKER_VAR, value):  # whatever outlived a failed test
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_emulator_and_provider_host_end_with_a_test_process_ended_by(
    marker: str, signum: int
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ZPA_", "ZSCALER_"))}
    env[MARKER_VAR] = marker
    with subprocess.Popen(
        [sys.executable, "-c", TEST_PROCESS],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as parent:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        assert line.strip(), parent.stderr.read() if parent.stderr else ""
        children = {int(pid) for pid in line.split()}
        assert children <= set(processes_marked(MARKER_VAR, marker)), "both children are running"

        parent.send_signal(signum)
        parent.wait(timeout=30)
    assert parent.returncode == -signum  # ended by the signal: no clean-up of its own ran

    deadline = time.monotonic() + DEADLINE_S
    while processes_marked(MARKER_VAR, marker) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling for the children's exit, bounded by the deadline
    assert processes_marked(MARKER_VAR, marker) == []
