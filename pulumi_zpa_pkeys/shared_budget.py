"""One client-side rate budget per tenant per machine, shared by processes through a file.

ZPA counts requests per tenant and source IP. During one ``pulumi up`` the program (lookups) and
the provider host already reach the same budget, and stacks deployed side by side on one machine
reach it too; each pacing itself alone would spend several. Processes of one user on one machine
that reach the same tenant (customer id) through the same front door (API base URL) therefore
keep their send slots in one small file, and reserve a slot under an exclusive ``flock``:

* **File**: ``$XDG_CACHE_HOME/pulumi-zpa-pkeys/budget-<hash>.json`` (``~/.cache`` when the
  variable is unset), one per machine, door and tenant, named by a SHA-256 of the three (host
  name, API base URL, customer id) so that nothing needs escaping. Its content is one JSON object,
  ``{"boot": B, "get": [slots], "write": [slots]}``: the slots reserved within the last window
  and margin (and any reserved for later), in seconds of the monotonic clock, increasing; ``B``
  is the wall clock minus the monotonic clock when it was written. Whatever follows the object
  is ignored (the file is overwritten in place, then truncated).
* **Locking**: ``fcntl.flock(LOCK_EX)`` on that file, held only to read the log, reserve the
  earliest slot the budget allows (:func:`~pulumi_zpa_pkeys.ratelimit.next_slot`, the rule of the
  per-process limiter) and write it back; the caller then sleeps until its slot with no lock
  held. The kernel drops a flock with the process that held it, SIGKILL included: the file
  existing never means "locked". The file is never renamed or removed while in use.
* **Clock**: ``time.monotonic()`` (``CLOCK_MONOTONIC`` on Linux, ``mach_absolute_time`` on macOS):
  one clock for every process of the machine, which neither NTP nor an administrator steps. It
  restarts at boot, so a log whose ``B`` differs from ours by more than ``BOOT_TOLERANCE_S`` was
  written in another boot (or before the wall clock was stepped) and is dropped.
* **Damage**: a log that cannot be read is taken as a budget spent just now (one window's wait,
  never a burst), and written anew.
* **Fallback**: no usable cache directory (missing and uncreatable, read-only), or no ``flock``
  (Windows): the process paces itself alone, as before, and says so in one line on stderr, once
  per process.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import socket
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path

from .ratelimit import WRITE_METHODS, Pacer, default_margin, next_slot

try:
    import fcntl
except ImportError:  # Windows: no flock; every process paces itself alone
    fcntl = None  # type: ignore[assignment]

#: The directory under the user's cache directory that holds the budget files.
APP_DIR = "pulumi-zpa-pkeys"
#: Largest difference of the recorded boot time (wall minus monotonic clock) still taken as
#: this boot.
BOOT_TOLERANCE_S = 5.0
#: Budget files nobody has written for this long are removed when a process opens its own
#: (every emulator port is a front door of its own; they would pile up).
STALE_AFTER_S = 86400.0
_KINDS = ("get", "write")

_warned = False
_warn_lock = threading.Lock()


class BudgetUnavailable(OSError):
    """The budget cannot be shared here (no flock, or a budget file that will not stay put)."""


def warn_once(reason: str) -> None:
    """Say on stderr, once per process, that this process paces itself alone, and why."""
    global _warned
    with _warn_lock:
        if _warned:
            return
        _warned = True
    line = (
        f"pulumi-zpa-pkeys: warning: cannot share the ZPA rate budget with other processes "
        f"on this machine ({reason}); this process paces itself alone"
    )
    print(" ".join(line.split()), file=sys.stderr, flush=True)


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/pulumi-zpa-pkeys``, or ``~/.cache/pulumi-zpa-pkeys`` when the variable
    is unset or not an absolute path (as the XDG base directory specification says).

    :raises BudgetUnavailable: there is no home directory to put it in.
    """
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / APP_DIR
    home = env.get("HOME") or os.path.expanduser("~")
    if not os.path.isabs(home):
        raise BudgetUnavailable("no home directory for the cache")
    return Path(home) / ".cache" / APP_DIR


def budget_path(api_base: str, customer_id: str, directory: Path) -> Path:
    """The budget file of one tenant reached through one front door from this machine."""
    key = f"{socket.gethostname()}\n{api_base}\n{customer_id}"
    return directory / f"budget-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}.json"


def pacer_for(
    gets: int,
    writes: int,
    window_s: float,
    *,
    shared: bool,
    api_base: str,
    customer_id: str,
    environ: Mapping[str, str] | None = None,
) -> Pacer:
    """The pacer of one tenant budget: shared through the cache directory when ``shared`` (and
    pacing is on), else, or when sharing is impossible here (one warning), this process's own."""
    if not (shared and gets and writes and window_s):
        return Pacer(gets, writes, window_s)
    try:
        path = budget_path(api_base, customer_id, cache_dir(environ))
        return SharedPacer(gets, writes, window_s, path)
    except OSError as err:
        warn_once(str(err))
        return Pacer(gets, writes, window_s)


class SharedPacer(Pacer):
    """A :class:`~pulumi_zpa_pkeys.ratelimit.Pacer` whose two budgets (GETs, writes) live in a
    budget file shared by every process that opens the same ``path``; thread safe.

    Same rule as the per-process limiter: at most ``limit`` sends in any ``window_s + margin``,
    each caller reserves the earliest free slot under the lock and sleeps outside it. If the file
    fails later (disk gone, ...), the pacer warns once and goes on alone.

    :raises OSError: the file cannot be created or opened, or there is no flock here.
    """

    def __init__(
        self,
        gets: int,
        writes: int,
        window_s: float,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if gets < 1 or writes < 1 or window_s <= 0:
            raise ValueError("gets and writes must be >= 1 and window_s > 0")
        super().__init__(gets, writes, window_s)  # this process's own budgets: the fallback
        span = window_s + default_margin(window_s)
        self._limits = {"get": (gets, span), "write": (writes, span)}
        self.path = Path(path)
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._lock = threading.Lock()
        self._fd = -1
        self._pid = 0
        self._closer: weakref.finalize[[int], SharedPacer] | None = None
        self._alone = False
        with self._lock:
            self._open()
        _remove_stale(self.path)

    def __repr__(self) -> str:
        return f"SharedPacer({str(self.path)!r})"

    @property
    def shared(self) -> bool:
        """False once the budget file failed and this process paces itself alone."""
        return not self._alone

    def acquire(self, method: str) -> float:
        """Wait until a request with HTTP ``method`` may be sent; return the seconds waited."""
        if self._alone:
            return super().acquire(method)
        kind = "write" if method.upper() in WRITE_METHODS else "get"
        try:
            with self._lock:
                now, slot = self._reserve(kind)
        except OSError as err:
            self._alone = True
            warn_once(f"{self.path}: {err}")
            return super().acquire(method)
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def close(self) -> None:
        """Close the budget file (the next acquire opens it again)."""
        with self._lock:
            self._close()

    # -- the file --------------------------------------------------------------------------

    def _open(self) -> None:
        if fcntl is None:
            raise BudgetUnavailable("this platform has no flock")
        self._close()
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        self._fd, self._pid = fd, os.getpid()
        self._closer = weakref.finalize(self, os.close, fd)

    def _close(self) -> None:
        closer, self._closer, self._fd = self._closer, None, -1
        if closer is not None:
            closer()

    def _lock_file(self) -> int:
        """Take the budget file's flock; return its descriptor.

        Opens the file again in a forked child (which shares its parent's open file, and with
        it the parent's lock) and when the file was removed or replaced since it was opened.
        """
        if self._fd < 0 or self._pid != os.getpid():
            self._open()
        for _ in range(3):
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            with contextlib.suppress(FileNotFoundError):
                here, mine = os.stat(self.path), os.fstat(self._fd)
                if (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino):
                    return self._fd
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._open()
        raise BudgetUnavailable(f"{self.path} keeps being replaced")

    def _reserve(self, kind: str) -> tuple[float, float]:
        """Under the file's lock: read the log, reserve a ``kind`` slot, write it back; return
        (now, slot)."""
        fd = self._lock_file()
        try:
            size = os.fstat(fd).st_size
            raw = os.pread(fd, size, 0) if size else b""
            now = self._clock()
            boot = self._wall() - now
            logs = _parse(raw, boot, now, self._limits)
            for name, (_, span) in self._limits.items():
                logs[name] = [slot for slot in logs[name] if slot > now - span]
            limit, span = self._limits[kind]
            slot = next_slot(logs[kind], now, limit, span)
            logs[kind].append(slot)
            data = _dump(boot, logs)
            os.pwrite(fd, data, 0)
            if len(data) < size:
                os.ftruncate(fd, len(data))
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        return now, slot


def _parse(
    raw: bytes, boot: float, now: float, limits: Mapping[str, tuple[int, float]]
) -> dict[str, list[float]]:
    """The slot logs in ``raw``: empty for an empty file or a log of another boot, and a budget
    spent at ``now`` for a damaged one."""
    if not raw.strip():
        return {kind: [] for kind in _KINDS}
    try:
        found, _ = json.JSONDecoder().raw_decode(raw.decode("utf-8").lstrip())
        stored_boot = float(found["boot"])
        logs = {kind: sorted(float(slot) for slot in found[kind]) for kind in _KINDS}
        if not all(math.isfinite(x) for x in [stored_boot, *logs["get"], *logs["write"]]):
            raise ValueError("not a finite number")
    except (ValueError, KeyError, TypeError):  # JSONDecodeError, UnicodeDecodeError included
        return {kind: [now] * limits[kind][0] for kind in _KINDS}
    if abs(stored_boot - boot) > BOOT_TOLERANCE_S:
        return {kind: [] for kind in _KINDS}
    return logs


def _dump(boot: float, logs: Mapping[str, list[float]]) -> bytes:
    body = {"boot": round(boot, 3), **{k: [round(s, 6) for s in logs[k]] for k in _KINDS}}
    return json.dumps(body, separators=(",", ":")).encode("utf-8") + b"\n"


def _remove_stale(keep: Path) -> None:
    """Remove the other budget files of ``keep``'s directory that nobody has written for
    ``STALE_AFTER_S``, unless a process holds one's lock right now. A process that still has a
    removed file open notices at its next acquire and opens the path again."""
    if fcntl is None:
        return
    try:
        candidates = [p for p in keep.parent.glob("budget-*.json") if p != keep]
    except OSError:
        return
    cutoff = time.time() - STALE_AFTER_S
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime > cutoff:
                continue
            fd = os.open(path, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                here, mine = os.stat(path), os.fstat(fd)
                same = (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)
                if same and mine.st_mtime <= cutoff:
                    os.unlink(path)
            finally:
                os.close(fd)
