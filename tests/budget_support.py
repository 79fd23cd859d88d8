"""Child processes for the shared-budget tests: a worker sending key creations through the
package's transport (as a program's lookups and a provider host do), and a line-by-line reader
with a deadline."""

from __future__ import annotations

import contextlib
import select
import subprocess
import sys
from collections.abc import Mapping
from typing import IO

DEADLINE_S = 60.0  # a bound on waiting for a child's line, never a duration that must pass
WARNING = "cannot share the ZPA rate budget"

# A process sending `count` key creations (writes) through the package's transport, after a
# warm-up (sign-in and one GET). It prints "ready", waits for a line on stdin, sends, then prints
# one JSON line: when it started sending and got its last answer (the monotonic clock, one for
# every process of the machine), the seconds between, and how many creations succeeded.
# argv: count, name prefix, and optionally "probe" (say whether another process holds the lock
# of the budget file right now, before sending), "second-tenant" (also make the pacer of a
# second tenant, which must not warn a second time) or "pause" (after half the creations, print
# "paused" and wait for another line on stdin).
WORKER = r"""
import fcntl, json, os, sys, time
from pulumi_zpa_pkeys import _host, shared_budget
from pulumi_zpa_pkeys.settings import Settings

count, prefix, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
settings = Settings.from_config({})
transport = _host.transport(settings)
if "second-tenant" in extra:
    other = Settings.from_config({"zpa:customerId": "1" + settings.customer_id})
    _host.pacer(other)
transport.call("GET", transport.customer_url() + "/enrollmentCert/6573", "warm up")
print("ready", flush=True)
sys.stdin.readline()
if "probe" in extra:
    path = shared_budget.budget_path(
        settings.api_base, settings.customer_id, shared_budget.cache_dir())
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("free", flush=True)
    except BlockingIOError:
        print("locked", flush=True)
    finally:
        os.close(fd)
url = transport.customer_url() + "/associationType/CONNECTOR_GRP/provisioningKey"
started = time.monotonic()
done = 0
for n in range(count):
    if "pause" in extra and n == count // 2:
        print("paused", flush=True)
        sys.stdin.readline()
    body = {"name": f"{prefix}{n}", "maxUsage": "2", "enrollmentCertId": "6573",
            "zcomponentId": "216196257331300001", "enabled": True}
    transport.call("POST", url, "create", body=body)
    done += 1
ended = time.monotonic()
print(json.dumps({"started": started, "ended": ended, "seconds": ended - started,
                  "created": done}), flush=True)
"""

# Takes the budget file's lock exactly as an acquire does, says "holding", and waits for stdin:
# a process killed in the middle of an acquire.
HOLDER = r"""
import sys
from pulumi_zpa_pkeys import _host, shared_budget
from pulumi_zpa_pkeys.settings import Settings

class Stuck(shared_budget.SharedPacer):
    def _reserve(self, kind):
        self._lock_file()
        print("holding", flush=True)
        sys.stdin.readline()
        raise SystemExit("not killed")

settings = Settings.from_config({})
path = shared_budget.budget_path(settings.api_base, settings.customer_id, shared_budget.cache_dir())
Stuck(20, 5, 0.65, path).acquire("POST")
"""


# -- helpers -----------------------------------------------------------------------------------


class Child:
    """A ``python -c`` subprocess whose stdout is read line by line with a deadline."""

    def __init__(self, code: str, args: list[str], env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            text=True,
        )

    def line(self) -> str:
        """The next stdout line; fails with the child's stderr if none comes by the deadline."""
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], DEADLINE_S)
        text = stdout.readline() if ready else ""
        if not text:
            self.process.kill()
            raise AssertionError(f"child gave no line; stderr: {self.stderr()[-2000:]}")
        return text.strip()

    def send(self, text: str = "go") -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(text + "\n")
        stdin.flush()

    def stderr(self) -> str:
        self.process.wait(DEADLINE_S)
        stream: IO[str] | None = self.process.stderr
        return stream.read() if stream is not None else ""

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(DEADLINE_S)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
