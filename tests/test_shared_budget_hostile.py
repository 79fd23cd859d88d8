"""The per-machine budget file against a local attacker, damaged files and killed processes.

The budget file's path is predictable, so anything may sit there: a link to a file of the user's
that must not be overwritten, ``/dev/null``, a FIFO, someone else's file, a huge or damaged log.
None of it may be written through, switch pacing off, stall other processes without bound, or
reach an API call as an exception. Pacing is checked on short windows (0.2-0.5 s) or a fake
clock, by the waits it orders, never by sleeping to let time pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from budget_support import DEADLINE_S, WARNING, Child

from pulumi_zpa_pkeys import shared_budget
from pulumi_zpa_pkeys.ratelimit import Pacer, default_margin
from pulumi_zpa_pkeys.shared_budget import (
    HORIZON_SPANS,
    MAX_LOG_BYTES,
    SharedPacer,
    budget_path,
    pacer_for,
)

API = "https://api.example.test/zpa/mgmtconfig"
TENANT = "216"
WINDOW_S = 0.3  # short real windows where the per-process fallback must be seen pacing
SPAN = WINDOW_S + default_margin(WINDOW_S)


def paced(wait: float) -> bool:
    """A wait for the next window, less the time the caller took between its two requests
    (up to two thirds of a window on a loaded machine)."""
    return SPAN / 3 < wait <= SPAN + 1e-6


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees this process's first warning of each kind."""
    monkeypatch.setattr(shared_budget, "_said", set())


@pytest.fixture
def children() -> Iterator[list[Child]]:
    made: list[Child] = []
    yield made
    for child in made:
        child.close()


def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "pulumi-zpa-pkeys"


def the_path(tmp_path: Path) -> Path:
    return budget_path(API, TENANT, cache(tmp_path))


def machine_pacer(tmp_path: Path, writes: int = 1) -> Pacer:
    """The pacer a process of this machine gets for the tenant (``XDG_CACHE_HOME`` in tmp)."""
    return pacer_for(
        20,
        writes,
        WINDOW_S,
        shared=True,
        api_base=API,
        customer_id=TENANT,
        environ={"XDG_CACHE_HOME": str(tmp_path / "cache")},
    )


def assert_paces_alone(pacer: Pacer, err: str, reason: str) -> None:
    """The per-process pacer (one write per window: the second one waits a window), after one
    warning naming ``reason``."""
    assert type(pacer) is Pacer
    waits = [pacer.acquire("POST") for _ in range(2)]
    assert waits[0] == 0.0 and paced(waits[1]), waits
    lines = [line for line in err.splitlines() if WARNING in line]
    assert len(lines) == 1, err
    assert reason in lines[0] and "paces itself alone" in lines[0]


def write_log(path: Path, data: bytes, mode: int = 0o600) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, mode)


# -- what sits at the path ---------------------------------------------------------------------


def test_a_link_planted_at_the_budget_path_is_never_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file\n")
    cache(tmp_path).mkdir(parents=True, mode=0o700)
    the_path(tmp_path).symlink_to(victim)
    pacer = machine_pacer(tmp_path)
    pacer.acquire("GET")
    assert victim.read_text() == "the user's own file\n"
    assert the_path(tmp_path).is_symlink()
    assert_paces_alone(pacer, capsys.readouterr().err, "is a symbolic link")


def plant_link_to_dev_null(path: Path) -> None:
    path.symlink_to("/dev/null")


def plant_fifo(path: Path) -> None:
    os.mkfifo(path, 0o600)


def plant_directory(path: Path) -> None:
    path.mkdir(mode=0o700)


@pytest.mark.parametrize(
    ("plant", "reason"),
    [
        (plant_link_to_dev_null, "is a symbolic link"),
        (plant_fifo, "is not a regular file"),
        (plant_directory, "directory"),
    ],
    ids=["link-to-dev-null", "fifo", "directory"],
)
def test_a_budget_path_that_is_not_a_regular_file_never_switches_pacing_off(
    plant: Callable[[Path], None], reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache(tmp_path).mkdir(parents=True, mode=0o700)
    plant(the_path(tmp_path))
    assert_paces_alone(machine_pacer(tmp_path), capsys.readouterr().err, reason)


def test_a_budget_file_replaced_by_dev_null_mid_run_keeps_pacing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One process alone: the file it opened is swapped for a link to /dev/null. It goes on
    pacing by itself (a write per window), after one warning."""
    pacer = machine_pacer(tmp_path)
    assert isinstance(pacer, SharedPacer)
    assert pacer.acquire("POST") == 0.0
    link = the_path(tmp_path).with_suffix(".tmp")
    link.symlink_to("/dev/null")
    link.replace(the_path(tmp_path))
    waits = [pacer.acquire("POST") for _ in range(2)]
    assert waits[0] == 0.0  # its own budget starts empty
    assert paced(waits[1]), waits
    assert not pacer.shared
    lines = [line for line in capsys.readouterr().err.splitlines() if WARNING in line]
    assert len(lines) == 1 and "is a symbolic link" in lines[0]


def file_of_mode_0644(path: Path) -> None:
    write_log(path, b"{}", 0o644)


def file_with_a_second_link(path: Path) -> None:
    write_log(path, b"{}")
    os.link(path, path.parent.parent / "second-name")


def file_of_another_user(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    write_log(path, b"{}")
    os.chown(path, 65534, 65534)


@pytest.mark.parametrize(
    ("plant", "reason"),
    [
        (file_of_mode_0644, "has mode 0644, not 0600"),
        (file_with_a_second_link, "has other hard links"),
        (file_of_another_user, "belongs to another user"),
    ],
    ids=["mode-0644", "hard-link", "other-user"],
)
def test_a_budget_file_that_is_not_private_to_the_user_is_left_alone(
    plant: Callable[[Path], None], reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache(tmp_path).mkdir(parents=True, mode=0o700)
    plant(the_path(tmp_path))
    pacer = machine_pacer(tmp_path)
    assert_paces_alone(pacer, capsys.readouterr().err, reason)
    assert the_path(tmp_path).read_bytes() == b"{}"


def test_a_budget_directory_that_is_a_link_is_not_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "planted"
    elsewhere.mkdir(mode=0o700)
    cache(tmp_path).parent.mkdir()
    cache(tmp_path).symlink_to(elsewhere)
    assert_paces_alone(machine_pacer(tmp_path), capsys.readouterr().err, "not a directory")
    assert list(elsewhere.iterdir()) == []


def test_a_budget_directory_others_may_write_is_not_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache(tmp_path).mkdir(parents=True)
    cache(tmp_path).chmod(0o777)
    assert_paces_alone(machine_pacer(tmp_path), capsys.readouterr().err, "mode 0777")
    assert list(cache(tmp_path).iterdir()) == []


def test_a_new_budget_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o277)
    try:
        pacer = machine_pacer(tmp_path)
    finally:
        os.umask(old)
    assert isinstance(pacer, SharedPacer)
    assert the_path(tmp_path).stat().st_mode & 0o777 == 0o600


# -- damaged logs and long waits, on a fake clock ----------------------------------------------


class StillTime:
    """A fake clock that sleeping does not move: waits pile up as a queue of processes would."""

    def __init__(self) -> None:
        self.now = 5000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1.7e9 + self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


FAKE_SPAN = 1.0 + default_margin(1.0)


def fake_pacer(path: Path, fake: StillTime) -> SharedPacer:
    return SharedPacer(20, 1, 1.0, path, clock=fake.clock, wall=fake.wall, sleep=fake.sleep)


def test_a_slot_far_in_the_future_counts_as_damage_and_costs_one_window(tmp_path: Path) -> None:
    fake = StillTime()
    path = tmp_path / "b.json"
    log = {"boot": 1.7e9, "get": [], "write": [fake.now + 1e6]}
    write_log(path, json.dumps(log).encode())
    assert fake_pacer(path, fake).acquire("POST") == pytest.approx(FAKE_SPAN)
    assert max(json.loads(path.read_text())["write"]) <= fake.now + FAKE_SPAN


def test_a_queue_longer_than_the_horizon_waits_at_most_the_horizon_and_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One write per window and a clock that stands still: each reservation lies a window
    behind the one before, up to the horizon, and no further."""
    fake = StillTime()
    pacer = fake_pacer(tmp_path / "b.json", fake)
    waits = [pacer.acquire("POST") for _ in range(HORIZON_SPANS + 3)]
    assert waits[: HORIZON_SPANS + 1] == pytest.approx([n * FAKE_SPAN for n in range(5)])
    assert max(waits) == pytest.approx(HORIZON_SPANS * FAKE_SPAN)
    notes = [line for line in capsys.readouterr().err.splitlines() if "waited" in line]
    assert len(notes) == 1, notes
    assert "note: a request waited 3.1 s" in notes[0] and str(tmp_path) in notes[0]


def test_a_budget_file_larger_than_any_log_is_not_read_whole(tmp_path: Path) -> None:
    """A 3 GiB (sparse) file, in a process whose memory is capped at 1 GiB: the acquire is
    paced (damage: one window's wait) instead of raising MemoryError, and the file shrinks."""
    path = tmp_path / "b.json"
    write_log(path, b'{"boot": 1.7e9, "get": [], "write": []}')
    os.truncate(path, 3 << 30)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from pulumi_zpa_pkeys.shared_budget import SharedPacer\n"
        "print(SharedPacer(20, 5, 0.2, sys.argv[1]).acquire('POST'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout) == pytest.approx(0.2 + default_margin(0.2))
    assert 0 < path.stat().st_size < 1024
    assert MAX_LOG_BYTES < 3 << 30


# -- a process killed while it waits -----------------------------------------------------------

# Thirty threads of one process ask for a write slot at once (5 per 0.5 s window); the process
# says "ready" once two windows' worth of slots are reserved in the budget file, and waits to be
# killed.
GREEDY = r"""
import json, sys, threading, time
from pulumi_zpa_pkeys.shared_budget import SharedPacer
path = sys.argv[1]
pacer = SharedPacer(20, 5, 0.5, path)
for _ in range(30):
    threading.Thread(target=pacer.acquire, args=("POST",), daemon=True).start()
while len(json.loads(open(path).read() or "{}").get("write", [])) < 10:
    time.sleep(0.005)
print("ready", flush=True)
sys.stdin.readline()
"""


def test_a_process_killed_while_waiting_delays_the_next_by_at_most_two_windows(
    tmp_path: Path, children: list[Child]
) -> None:
    """A process holds at most a window's worth (5) of reservations it has not used yet, so
    the next process waits at most two windows once it is killed (the window it had begun to
    use, and the one it had reserved), not the six its thirty threads asked for."""
    path = tmp_path / "b.json"
    span = 0.5 + default_margin(0.5)
    greedy = Child(GREEDY, [str(path)], dict(os.environ))
    children.append(greedy)
    assert greedy.line() == "ready"
    greedy.process.kill()
    assert greedy.process.wait(DEADLINE_S) < 0
    wait = SharedPacer(20, 5, 0.5, path).acquire("POST")
    assert wait <= 2 * span + 0.05
