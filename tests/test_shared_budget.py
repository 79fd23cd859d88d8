"""One rate budget per tenant per machine (``pulumi_zpa_pkeys.shared_budget``).

Processes are real subprocesses (``python -c WORKER``) that reach the emulator over HTTP through
the package's own transport, as a program's lookups and a provider host do; the emulator's
request log shows what ZPA would have counted. The emulator runs a short window (0.5 s) and the
clients a longer one (0.65 s): a client budget stricter than the server's, so that a process
woken late on a loaded machine cannot turn one window's sends into the next window's.
Everything else here runs in-process on a fake clock.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from budget_support import DEADLINE_S, HOLDER, WARNING, WORKER, Child

from pulumi_zpa_pkeys import _host, shared_budget
from pulumi_zpa_pkeys.errors import ConfigError
from pulumi_zpa_pkeys.ratelimit import Pacer, default_margin
from pulumi_zpa_pkeys.settings import Settings
from pulumi_zpa_pkeys.shared_budget import SharedPacer, budget_path, cache_dir
from pulumi_zpa_pkeys.testing import RunningEmulator, emulator

SERVER_WINDOW_S = 0.5
CLIENT_WINDOW_S = 0.65
WRITES = 5  # the emulator's and the clients' write budget per window


@pytest.fixture
def children() -> Iterator[list[Child]]:
    made: list[Child] = []
    yield made
    for child in made:
        child.close()


@pytest.fixture
def limited() -> Iterator[RunningEmulator]:
    """An emulator enforcing 20 GETs and WRITES writes per SERVER_WINDOW_S."""
    with emulator(rate_limit=True) as emu:
        emu.configure(window_s=SERVER_WINDOW_S, write_per_window=WRITES, get_per_window=20)
        yield emu


def child_env(emu: RunningEmulator, cache: Path | str, *, shared: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_", "XDG_"))}
    return {
        **env,
        **emu.env,
        "XDG_CACHE_HOME": str(cache),
        "ZPA_RATE_LIMIT_GETS": "20",
        "ZPA_RATE_LIMIT_WRITES": str(WRITES),
        "ZPA_RATE_LIMIT_WINDOW_SECONDS": str(CLIENT_WINDOW_S),
        "ZPA_RATE_LIMIT_SHARED": "true" if shared else "false",
    }


def run_together(
    children: list[Child], env: Mapping[str, str], count: int, *extra: str
) -> list[dict[str, Any]]:
    """Two workers sending ``count`` writes each, released at the same moment."""
    pair = [Child(WORKER, [str(count), f"w{i}-", *extra], env) for i in range(2)]
    children.extend(pair)
    assert [child.line() for child in pair] == ["ready", "ready"]
    for child in pair:
        child.send()
    return [json.loads(child.line()) for child in pair]


def posts(emu: RunningEmulator) -> list[int]:
    return [
        e["status"] for e in emu.requests_log() if e["method"] == "POST" and "mgmt" in e["path"]
    ]


# -- processes sharing one budget, over HTTP ---------------------------------------------------


def test_two_processes_share_one_budget_and_draw_no_429(
    limited: RunningEmulator, children: list[Child], tmp_path: Path
) -> None:
    limited.clear_requests()
    results = run_together(children, child_env(limited, tmp_path), WRITES)
    statuses = posts(limited)
    assert statuses.count(429) == 0
    assert statuses == [200] * 2 * WRITES
    assert [r["created"] for r in results] == [WRITES, WRITES]
    # They sent at the same time, twice the budget together: the last sends waited for the next
    # window (no 429 because they paid from one budget, not because one went after the other).
    assert max(r["started"] for r in results) < min(r["ended"] for r in results)
    assert max(r["ended"] for r in results) - min(r["started"] for r in results) >= SERVER_WINDOW_S
    assert [p.name for p in (tmp_path / "pulumi-zpa-pkeys").iterdir()] == [
        budget_path(limited.api_base, limited.customer_id, tmp_path / "pulumi-zpa-pkeys").name
    ]


def test_two_processes_pacing_alone_exceed_the_limit(
    limited: RunningEmulator, children: list[Child], tmp_path: Path
) -> None:
    """The same run with rateLimitShared false: each process spends a budget of its own, so
    together they send twice ZPA's budget in one window (and then retry the 429s)."""
    limited.clear_requests()
    results = run_together(children, child_env(limited, tmp_path, shared=False), WRITES)
    statuses = posts(limited)
    assert statuses.count(429) >= 1
    assert statuses.count(200) == 2 * WRITES
    assert [r["created"] for r in results] == [WRITES, WRITES]
    assert not (tmp_path / "pulumi-zpa-pkeys").exists()


def test_a_holder_killed_mid_acquire_does_not_block_the_next_process(
    limited: RunningEmulator, children: list[Child], tmp_path: Path
) -> None:
    env = child_env(limited, tmp_path)
    worker = Child(WORKER, ["1", "after-kill-", "probe"], env)
    children.append(worker)
    assert worker.line() == "ready"  # signed in, one GET paced through the shared file
    holder = Child(HOLDER, [], env)
    children.append(holder)
    assert holder.line() == "holding"
    limited.clear_requests()
    worker.send()
    assert worker.line() == "locked"  # the holder has the lock while the worker starts sending
    holder.process.send_signal(signal.SIGKILL)
    assert holder.process.wait(DEADLINE_S) == -signal.SIGKILL
    result = json.loads(worker.line())
    assert result["created"] == 1
    assert posts(limited) == [200]
    assert WARNING not in worker.stderr()
    # The file the killed holder left behind is not a lock: it is free and holds a sane log.
    path = budget_path(limited.api_base, limited.customer_id, tmp_path / "pulumi-zpa-pkeys")
    import fcntl

    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
    log = json.loads(path.read_text())
    assert len(log["write"]) == 1


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """Make ``directory`` read-only for this user (root ignores modes: the immutable flag)."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        undo = [lambda: directory.chmod(0o755)]
    else:
        made = subprocess.run(["chattr", "+i", str(directory)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip(f"cannot make a directory read-only as root here: {made.stderr!r}")
        undo = [lambda: subprocess.run(["chattr", "-i", str(directory)], check=True)]
    try:
        with pytest.raises(OSError):
            (directory / "probe").mkdir()
        yield
    finally:
        for step in undo:
            step()


@pytest.mark.parametrize("kind", ["uncreatable", "read-only"])
def test_unusable_cache_dir_paces_alone_with_one_warning(
    kind: str, limited: RunningEmulator, children: list[Child], tmp_path: Path
) -> None:
    if kind == "uncreatable":
        (tmp_path / "a-file").write_text("")
        cache: Path = tmp_path / "a-file" / "cache"
        guard: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    else:
        cache = tmp_path / "cache"
        cache.mkdir()
        guard = read_only(cache)
    with guard:
        worker = Child(
            WORKER, [str(2 * WRITES), "alone-", "second-tenant"], child_env(limited, cache)
        )
        children.append(worker)
        assert worker.line() == "ready"
        limited.clear_requests()
        worker.send()
        result = json.loads(worker.line())
        stderr = worker.stderr()
    # Paced alone, as before: twice the budget took a second window, without a 429.
    assert result["created"] == 2 * WRITES
    assert result["seconds"] >= SERVER_WINDOW_S
    assert posts(limited) == [200] * 2 * WRITES
    # One line, once, though two tenants' pacers could not share.
    warnings = [line for line in stderr.splitlines() if WARNING in line]
    assert len(warnings) == 1, stderr
    assert warnings[0].startswith("pulumi-zpa-pkeys: warning:")
    assert "paces itself alone" in warnings[0]


# -- in-process: the file, on a fake clock -----------------------------------------------------


class FakeTime:
    """One clock for every pacer of the test; sleeping advances it."""

    def __init__(self) -> None:
        self.now = 5000.0
        self.boot = 1.7e9

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.boot + self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def fake_pacer(
    path: Path, fake: FakeTime, gets: int = 4, writes: int = 2, window: float = 1.0
) -> SharedPacer:
    return SharedPacer(
        gets, writes, window, path, clock=fake.clock, wall=fake.wall, sleep=fake.sleep
    )


SPAN = 1.0 + default_margin(1.0)


def plant(path: Path, data: bytes) -> None:
    """Write a budget file as the pacer makes one (this user's, mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def test_pacers_on_one_file_share_the_first_burst_then_wait_a_window(tmp_path: Path) -> None:
    fake, path = FakeTime(), tmp_path / "b.json"
    one, two = fake_pacer(path, fake), fake_pacer(path, fake)
    assert [one.acquire("POST"), two.acquire("DELETE")] == [0.0, 0.0]
    assert two.acquire("PUT") == pytest.approx(SPAN)
    assert one.acquire("POST") == pytest.approx(0.0)  # the second window's other slot
    assert one.acquire("POST") == pytest.approx(SPAN)


def test_pacers_on_one_file_never_exceed_the_limit_in_any_span(tmp_path: Path) -> None:
    fake, path = FakeTime(), tmp_path / "b.json"
    pacers = [fake_pacer(path, fake) for _ in range(3)]
    times = []
    for n in range(30):
        pacers[n % 3].acquire("POST")
        times.append(fake.now)
    ordered = sorted(times)
    assert max(sum(1 for u in ordered if t <= u < t + SPAN) for t in ordered) == 2
    assert ordered[-1] - ordered[0] == pytest.approx(14 * SPAN)  # 30 writes at 2 per span


def test_gets_and_writes_are_separate_budgets_in_the_file(tmp_path: Path) -> None:
    fake, path = FakeTime(), tmp_path / "b.json"
    one, two = fake_pacer(path, fake), fake_pacer(path, fake)
    assert [one.acquire("POST"), two.acquire("POST")] == [0.0, 0.0]
    assert [one.acquire("GET") for _ in range(2)] + [two.acquire("GET") for _ in range(2)] == [
        0.0
    ] * 4
    assert two.acquire("GET") == pytest.approx(SPAN)
    log = json.loads(path.read_text())
    assert (len(log["get"]), len(log["write"])) == (5, 2)


def test_the_log_keeps_only_the_last_span(tmp_path: Path) -> None:
    fake, path = FakeTime(), tmp_path / "b.json"
    pacer = fake_pacer(path, fake, writes=10)
    for _ in range(500):
        pacer.acquire("POST")
        fake.now += 0.3
    log = json.loads(path.read_text())
    assert len(log["write"]) <= 4
    assert path.stat().st_size < 200


def test_a_damaged_log_counts_as_a_spent_budget_and_is_rewritten(tmp_path: Path) -> None:
    fake, path = FakeTime(), tmp_path / "b.json"
    plant(path, b'{"boot": 1.7e9, "get": [1, 2], "wri')
    pacer = fake_pacer(path, fake)
    assert pacer.acquire("POST") == pytest.approx(SPAN)
    assert json.loads(path.read_text())["boot"] == pytest.approx(fake.boot)


def test_text_after_the_log_is_ignored(tmp_path: Path) -> None:
    fake, path = FakeTime(), tmp_path / "b.json"
    pacer = fake_pacer(path, fake)
    pacer.acquire("POST")
    path.write_bytes(path.read_bytes() + b"]}, left over from a longer log}")
    assert pacer.acquire("POST") == 0.0
    assert pacer.acquire("POST") == pytest.approx(SPAN)


def test_a_log_from_another_boot_is_dropped(tmp_path: Path) -> None:
    fake, path = FakeTime(), tmp_path / "b.json"
    # Slots far ahead of this boot's clock, as the previous boot's monotonic clock wrote them.
    plant(path, json.dumps({"boot": fake.boot - 86400, "get": [], "write": [9e6, 9e6]}).encode())
    assert fake_pacer(path, fake).acquire("POST") == 0.0


def test_a_removed_file_is_opened_again(tmp_path: Path) -> None:
    fake, path = FakeTime(), tmp_path / "b.json"
    old = fake_pacer(path, fake)
    old.acquire("POST")
    path.unlink()
    new = fake_pacer(path, fake)
    assert new.acquire("POST") == 0.0
    assert old.acquire("POST") == 0.0  # now in the new file (its first slot stayed in the old)
    assert new.acquire("POST") == pytest.approx(SPAN)


def test_stale_budget_files_are_removed_unless_in_use(tmp_path: Path) -> None:
    import fcntl

    old, busy, fresh = (tmp_path / f"budget-{name}.json" for name in ("old", "busy", "fresh"))
    for path in (old, busy, fresh):
        path.write_text("{}")
    day_ago = time.time() - shared_budget.STALE_AFTER_S - 60
    for path in (old, busy):
        os.utime(path, (day_ago, day_ago))
    fd = os.open(busy, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        SharedPacer(20, 10, 10.0, tmp_path / "budget-mine.json")
    finally:
        os.close(fd)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "budget-busy.json",
        "budget-fresh.json",
        "budget-mine.json",
    ]


# -- where the file lives, and the setting -----------------------------------------------------


def test_cache_dir_follows_xdg_then_home() -> None:
    assert cache_dir({"XDG_CACHE_HOME": "/x/cache", "HOME": "/h"}) == Path(
        "/x/cache/pulumi-zpa-pkeys"
    )
    assert cache_dir({"XDG_CACHE_HOME": "relative", "HOME": "/h"}) == Path(
        "/h/.cache/pulumi-zpa-pkeys"
    )
    assert cache_dir({"HOME": "/h"}) == Path("/h/.cache/pulumi-zpa-pkeys")


def test_one_file_per_tenant_and_front_door() -> None:
    here = Path("/c")
    one = budget_path("http://127.0.0.1:1/zpa/mgmtconfig", "216", here)
    assert one == budget_path("http://127.0.0.1:1/zpa/mgmtconfig", "216", here)
    assert one != budget_path("http://127.0.0.1:1/mgmtconfig", "216", here)
    assert one != budget_path("http://127.0.0.1:1/zpa/mgmtconfig", "217", here)
    assert one.parent == here
    assert one.name.startswith("budget-") and one.name.endswith(".json")
    assert all(c in "0123456789abcdef" for c in one.name[len("budget-") : -len(".json")])


BASE = {
    "zpa:clientId": "c",
    "zpa:clientSecret": "s",
    "zpa:customerId": "1",
    "zpa:baseUrl": "http://127.0.0.1:9",
}


def test_rate_limit_shared_setting() -> None:
    assert Settings.from_config(BASE, environ={}).rate_limit_shared is True
    for off in ("false", "0", "False"):
        assert (
            Settings.from_config({**BASE, "zpa:rateLimitShared": off}, environ={}).rate_limit_shared
            is False
        )
    assert (
        Settings.from_config(BASE, environ={"ZPA_RATE_LIMIT_SHARED": "0"}).rate_limit_shared
        is False
    )
    with pytest.raises(ConfigError, match="zpa:rateLimitShared"):
        Settings.from_config({**BASE, "zpa:rateLimitShared": "maybe"}, environ={})


def test_host_pacer_shares_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    shared = _host.pacer(Settings.from_config(BASE, environ={}))
    assert isinstance(shared, SharedPacer) and shared.path.parent == tmp_path / "pulumi-zpa-pkeys"
    alone = _host.pacer(Settings.from_config({**BASE, "zpa:rateLimitShared": "false"}, environ={}))
    assert type(alone) is Pacer
    off = _host.pacer(Settings.from_config({**BASE, "zpa:rateLimitWrites": "0"}, environ={}))
    assert type(off) is Pacer and off.acquire("POST") == 0.0


def test_without_flock_a_process_paces_alone_and_says_so_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A platform without flock (Windows): the per-process pacer, and one warning line."""
    monkeypatch.setattr(shared_budget, "fcntl", None)
    monkeypatch.setattr(shared_budget, "_said", set())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made = [
        shared_budget.pacer_for(20, 10, 10.0, shared=True, api_base="https://a", customer_id=c)
        for c in ("1", "2")
    ]
    assert [type(p) for p in made] == [Pacer, Pacer]
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and WARNING in lines[0] and "no flock" in lines[0]
    assert not (tmp_path / "pulumi-zpa-pkeys").exists()
