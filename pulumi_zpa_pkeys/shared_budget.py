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
* **Trust**: the path is predictable, so the directory is opened without following a symbolic
  link and must be a directory of this user that no one else may write to; the file is opened
  in it without following a link (``O_NOFOLLOW``, ``O_NONBLOCK`` so that a FIFO cannot hang the
  open) and must be a regular file of this user with mode 0600 and no other hard link. Anything
  else (a link planted at the path, ``/dev/null``, a FIFO, a directory, another user's file) is
  never read or written: the process paces itself alone (see *Fallback*).
* **Locking**: ``fcntl.flock(LOCK_EX)`` on that file, held only to read the log, reserve the
  earliest slot the budget allows (:func:`~pulumi_zpa_pkeys.ratelimit.next_slot`, the rule of the
  per-process limiter) and write it back; the caller then sleeps until its slot with no lock
  held. The kernel drops a flock with the process that held it, SIGKILL included: the file
  existing never means "locked". The file is never renamed or removed while in use.
* **Clock**: ``time.monotonic()`` (``CLOCK_MONOTONIC`` on Linux, ``mach_absolute_time`` on macOS):
  one clock for every process of the machine, which neither NTP nor an administrator steps. It
  restarts at boot, so a log whose ``B`` differs from ours by more than ``BOOT_TOLERANCE_S`` was
  written in another boot (or before the wall clock was stepped) and is dropped.
* **Damage**: a log that cannot be read, is larger than ``MAX_LOG_BYTES`` (only its first bytes
  are ever read), or holds a slot more than ``HORIZON_SPANS`` windows ahead (no queue of
  processes gets that long) is taken as a budget spent just now (one window's wait, never a
  burst), and written anew.
* **Bounded waits** (:class:`StorePacer`, also the base of the Redis budget): a process holds at
  most ``limit`` reservations it has not yet used (one per thread sleeping until its slot; more
  threads wait in the process for their turn), so a process killed while waiting leaves at most
  one window's worth of unused slots behind. No reservation lies beyond ``HORIZON_SPANS``
  windows; a wait longer than ``LONG_WAIT_SPANS`` windows is reported on stderr, once per
  process.
* **Fallback**: no usable cache directory (missing and uncreatable, read-only, not trusted), a
  budget file that cannot be trusted, or no ``flock`` (Windows): the process paces itself alone,
  as before, and says so in one line on stderr, once per process.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import socket
import stat
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
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
#: No slot is reserved more than this many windows (with their margin) ahead; a stored slot
#: beyond it means a damaged log.
HORIZON_SPANS = 4
#: A wait for a shared slot longer than this many windows is reported (once per process).
LONG_WAIT_SPANS = 2
#: A budget file larger than this is damaged (a valid log of ZPA's budgets is a few hundred
#: bytes; this leaves room for budgets of some ten thousand requests per window).
MAX_LOG_BYTES = 1 << 20
KINDS = ("get", "write")

#: What this process has said on stderr already (:func:`say_once`).
_said: set[str] = set()
_said_lock = threading.Lock()


class BudgetUnavailable(OSError):
    """The budget cannot be shared here (no flock, or a budget file that will not stay put or
    cannot be trusted)."""


def say_once(topic: str, line: str) -> None:
    """Print ``line`` on stderr, unless this process has already said something on ``topic``."""
    with _said_lock:
        if topic in _said:
            return
        _said.add(topic)
    print(" ".join(line.split()), file=sys.stderr, flush=True)


def warn_once(reason: str) -> None:
    """Say on stderr, once per process, that this process paces itself alone, and why."""
    say_once(
        "alone",
        f"pulumi-zpa-pkeys: warning: cannot share the ZPA rate budget with other processes "
        f"on this machine ({reason}); this process paces itself alone",
    )


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
    """The pacer of one tenant budget on this machine: shared through the cache directory when
    ``shared`` (and pacing is on), else, or when sharing is impossible here (one warning), this
    process's own. (Across machines, ``_host`` puts a Redis budget in front of it.)"""
    if not (shared and gets and writes and window_s):
        return Pacer(gets, writes, window_s)
    try:
        path = budget_path(api_base, customer_id, cache_dir(environ))
        return SharedPacer(gets, writes, window_s, path)
    except OSError as err:
        warn_once(str(err))
        return Pacer(gets, writes, window_s)


def reserve(slots: Sequence[float], now: float, limit: int, span: float, horizon: float) -> float:
    """:func:`~pulumi_zpa_pkeys.ratelimit.next_slot`, never more than ``horizon`` ahead of
    ``now`` (only a queue deeper than the horizon reaches it: the wait stays bounded)."""
    return min(next_slot(slots, now, limit, span), now + horizon)


class StorePacer(Pacer):
    """A pacer whose slot logs live in a store shared with other processes (a file, Redis).

    :meth:`acquire` reserves a slot in the store (:meth:`_reserve`, of the subclass) and sleeps
    until it. A process holds at most ``limit`` unused reservations of a kind at a time: its
    other threads wait here for their turn, so that a process killed mid-wait leaves at most one
    window's worth of slots unused. When the store cannot serve (``_reserve`` returns None),
    ``fallback`` paces, or, without one, this process's own budgets (the inherited
    :class:`~pulumi_zpa_pkeys.ratelimit.Pacer`).
    """

    def __init__(
        self,
        gets: int,
        writes: int,
        window_s: float,
        *,
        fallback: Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if gets < 1 or writes < 1 or window_s <= 0:
            raise ValueError("gets and writes must be >= 1 and window_s > 0")
        super().__init__(gets, writes, window_s, clock=clock, sleep=sleep)
        span = window_s + default_margin(window_s)
        #: kind -> (sends allowed, in seconds): the window with its margin.
        self.limits = {"get": (gets, span), "write": (writes, span)}
        #: How far ahead a slot may lie, in seconds.
        self.horizon_s = HORIZON_SPANS * span
        self._fallback = fallback
        self._turns = {kind: threading.BoundedSemaphore(self.limits[kind][0]) for kind in KINDS}
        self._store_sleep = sleep

    def acquire(self, method: str) -> float:
        """Wait until a request with HTTP ``method`` may be sent; return the seconds waited."""
        kind = "write" if method.upper() in WRITE_METHODS else "get"
        with self._turns[kind]:
            wait = self._reserve(kind)
            if wait is not None:
                if wait > 0:
                    if wait > LONG_WAIT_SPANS * self.limits[kind][1]:
                        self._report_long(wait)
                    self._store_sleep(wait)
                return wait
        if self._fallback is not None:
            return self._fallback.acquire(method)
        return super().acquire(method)

    def _reserve(self, kind: str) -> float | None:
        """Reserve a ``kind`` slot in the store; the seconds until it (at most the horizon), or
        None when the store cannot serve this request."""
        raise NotImplementedError

    def describe(self) -> str:
        """The store, as messages name it (never a secret)."""
        raise NotImplementedError

    def _report_long(self, wait: float) -> None:
        say_once(
            "long wait",
            f"pulumi-zpa-pkeys: note: a request waited {wait:.1f} s for its turn in the ZPA rate "
            f"budget shared through {self.describe()}: more processes share it than one window "
            f"serves (said once per process)",
        )


class SharedPacer(StorePacer):
    """A :class:`~pulumi_zpa_pkeys.ratelimit.Pacer` whose two budgets (GETs, writes) live in a
    budget file shared by every process that opens the same ``path``; thread safe.

    Same rule as the per-process limiter: at most ``limit`` sends in any ``window_s + margin``,
    each caller reserves the earliest free slot under the lock and sleeps outside it. If the file
    fails later (disk gone, replaced by something that is not our file, ...), the pacer warns
    once and goes on alone.

    :raises OSError: the file cannot be created, opened or trusted, or there is no flock here.
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
        super().__init__(gets, writes, window_s, clock=clock, sleep=sleep)
        self.path = Path(path)
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._dir_fd = -1
        self._fd = -1
        self._pid = 0
        self._closers: list[weakref.finalize[[int], SharedPacer]] = []
        self._alone = False
        with self._lock:
            self._open()
        _remove_stale(self.path)

    def __repr__(self) -> str:
        return f"SharedPacer({str(self.path)!r})"

    def describe(self) -> str:
        return f"the budget file {self.path}"

    @property
    def shared(self) -> bool:
        """False once the budget file failed and this process paces itself alone."""
        return not self._alone

    def close(self) -> None:
        """Close the budget file (the next acquire opens it again)."""
        with self._lock:
            self._close()

    def _reserve(self, kind: str) -> float | None:
        if self._alone:
            return None
        try:
            with self._lock:
                now, slot = self._reserve_in_file(kind)
        except OSError as err:
            self._alone = True
            warn_once(str(err) if isinstance(err, BudgetUnavailable) else f"{self.path}: {err}")
            return None
        return slot - now

    # -- the file --------------------------------------------------------------------------

    def _open(self) -> None:
        if fcntl is None:
            raise BudgetUnavailable("this platform has no flock")
        self._close()
        dir_fd = _open_dir(self.path.parent)
        self._keep(dir_fd)
        self._dir_fd, self._pid = dir_fd, os.getpid()
        self._fd = _open_file(dir_fd, self.path)
        self._keep(self._fd)

    def _keep(self, fd: int) -> None:
        self._closers.append(weakref.finalize(self, os.close, fd))

    def _close(self) -> None:
        closers, self._closers, self._fd, self._dir_fd = self._closers, [], -1, -1
        for closer in closers:
            closer()

    def _same(self) -> bool:
        """Whether the path still names the directory and the file this pacer has open."""
        try:
            here = os.stat(self.path.parent, follow_symlinks=False)
            mine = os.fstat(self._dir_fd)
            if (here.st_dev, here.st_ino) != (mine.st_dev, mine.st_ino):
                return False
            here = os.stat(self.path.name, dir_fd=self._dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        mine = os.fstat(self._fd)
        return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)

    def _lock_file(self) -> int:
        """Take the budget file's flock; return its descriptor.

        Opens the directory and the file again in a forked child (which shares its parent's
        open file, and with it the parent's lock) and when either was removed or replaced since
        they were opened (the new ones pass the same checks, or the sharing ends).
        """
        if self._fd < 0 or self._pid != os.getpid():
            self._open()
        for _ in range(3):
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            if self._same():
                return self._fd
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._open()
        raise BudgetUnavailable(f"{self.path} keeps being replaced")

    def _reserve_in_file(self, kind: str) -> tuple[float, float]:
        """Under the file's lock: read the log, reserve a ``kind`` slot, write it back; return
        (now, slot)."""
        fd = self._lock_file()
        try:
            size = os.fstat(fd).st_size
            raw = os.pread(fd, min(size, MAX_LOG_BYTES + 1), 0) if size else b""
            now = self._clock()
            boot = self._wall() - now
            logs = _parse(raw, boot, now, self.limits, self.horizon_s)
            for name, (_, span) in self.limits.items():
                logs[name] = [slot for slot in logs[name] if slot > now - span]
            limit, span = self.limits[kind]
            slot = reserve(logs[kind], now, limit, span, self.horizon_s)
            logs[kind].append(slot)
            data = _dump(boot, logs)
            os.pwrite(fd, data, 0)
            if len(data) < size:
                os.ftruncate(fd, len(data))
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        return now, slot


def _open_dir(directory: Path) -> int:
    """The budget directory, made if missing (mode 0700), opened without following a link;
    refused unless it is a directory of this user that no one else may write to."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
            raise BudgetUnavailable(f"{directory} is not a directory (a link?)") from None
        raise
    found = os.fstat(fd)
    problem = None
    if found.st_uid != os.geteuid():
        problem = f"{directory} belongs to another user (uid {found.st_uid})"
    elif found.st_mode & 0o022:
        problem = f"{directory} may be written by other users (mode {found.st_mode & 0o777:04o})"
    if problem is not None:
        os.close(fd)
        raise BudgetUnavailable(problem)
    return fd


def _open_file(dir_fd: int, path: Path) -> int:
    """The budget file in ``dir_fd``, made if missing (mode 0600), opened without following a
    link; refused unless it is a regular file of this user, mode 0600, with no other link."""
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    created = True
    try:
        try:
            fd = os.open(path.name, flags | os.O_CREAT | os.O_EXCL, 0o600, dir_fd=dir_fd)
        except FileExistsError:
            created = False
            fd = os.open(path.name, flags, dir_fd=dir_fd)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK):
            raise BudgetUnavailable(f"{path} is a symbolic link") from None
        raise BudgetUnavailable(f"{path}: {err.strerror or err}") from None
    try:
        if created:
            os.fchmod(fd, 0o600)  # whatever the umask
        problem = _untrusted(os.fstat(fd))
        if problem is not None:
            raise BudgetUnavailable(f"{path} {problem}")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _untrusted(found: os.stat_result) -> str | None:
    """Why a budget file with this status is not ours to read and write, or None."""
    if not stat.S_ISREG(found.st_mode):
        return "is not a regular file"
    if found.st_uid != os.geteuid():
        return f"belongs to another user (uid {found.st_uid})"
    if stat.S_IMODE(found.st_mode) != 0o600:
        return f"has mode {stat.S_IMODE(found.st_mode):04o}, not 0600"
    if found.st_nlink != 1:
        return "has other hard links"
    return None


def _parse(
    raw: bytes,
    boot: float,
    now: float,
    limits: Mapping[str, tuple[int, float]],
    horizon: float,
) -> dict[str, list[float]]:
    """The slot logs in ``raw``: empty for an empty file or a log of another boot, and a budget
    spent at ``now`` for a damaged one (unreadable, too large, or a slot beyond the horizon)."""
    spent = {kind: [now] * limits[kind][0] for kind in KINDS}
    if len(raw) > MAX_LOG_BYTES:
        return spent
    if not raw.strip():
        return {kind: [] for kind in KINDS}
    try:
        found, _ = json.JSONDecoder().raw_decode(raw.decode("utf-8").lstrip())
        stored_boot = float(found["boot"])
        logs = {kind: sorted(float(slot) for slot in found[kind]) for kind in KINDS}
        if not all(math.isfinite(x) for x in [stored_boot, *logs["get"], *logs["write"]]):
            raise ValueError("not a finite number")
    except (ValueError, KeyError, TypeError):  # JSONDecodeError, UnicodeDecodeError included
        return spent
    if abs(stored_boot - boot) > BOOT_TOLERANCE_S:
        return {kind: [] for kind in KINDS}
    if any(log and log[-1] > now + horizon for log in logs.values()):
        return spent
    return logs


def _dump(boot: float, logs: Mapping[str, list[float]]) -> bytes:
    body = {"boot": round(boot, 3), **{k: [round(s, 6) for s in logs[k]] for k in KINDS}}
    return json.dumps(body, separators=(",", ":")).encode("utf-8") + b"\n"


def _remove_stale(keep: Path) -> None:
    """Remove the other budget files of ``keep``'s directory that nobody has written for
    ``STALE_AFTER_S``, unless a process holds one's lock right now. Only regular files are
    opened, never through a link. A process that still has a removed file open notices at its
    next acquire and opens the path again."""
    if fcntl is None:
        return
    try:
        candidates = [p for p in keep.parent.glob("budget-*.json") if p != keep]
    except OSError:
        return
    cutoff = time.time() - STALE_AFTER_S
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.lstat().st_mtime > cutoff or not path.is_file() or path.is_symlink():
                continue
            fd = os.open(path, flags)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                here, mine = os.stat(path, follow_symlinks=False), os.fstat(fd)
                same = (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)
                if same and stat.S_ISREG(mine.st_mode) and mine.st_mtime <= cutoff:
                    os.unlink(path)
            finally:
                os.close(fd)
