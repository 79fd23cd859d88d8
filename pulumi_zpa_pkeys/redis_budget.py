"""One client-side rate budget per tenant across machines, shared through Redis.

ZPA counts requests per tenant and source IP. CI runners on several machines behind one egress
IP spend one budget; the budget file of :mod:`~pulumi_zpa_pkeys.shared_budget` is seen by one
machine only. With ``zpa:rateLimitRedisUrl`` (``redis://`` or ``rediss://``), every process on
every machine that names the same Redis keeps its send slots there instead:

* **Keys**: ``pulumi-zpa-pkeys:budget:{<hash>}:get`` and ``...:write``, one list per kind of
  request, where ``<hash>`` is the first 32 hex digits of the SHA-256 of ``"<API base
  URL>\\n<customer id>"`` (one budget per tenant and front door, whatever the machine). A list
  holds the send times reserved within the last window and margin (and any reserved for later),
  in microseconds of the Redis server's clock, oldest first. Each key expires one window (and a
  second) after its last slot, so nothing is left behind.
* **One round trip per request**: :data:`SCRIPT`, a Lua script that Redis runs atomically (no
  other command runs in between), reads the server's clock (``TIME``), drops the slots that left
  the window, reserves the earliest slot the budget allows (the rule of
  :func:`~pulumi_zpa_pkeys.ratelimit.next_slot`, the same window, margin and horizon as the
  budget file) and answers the server's time and the slot. The caller sleeps for their
  difference: a duration, so machines' clocks never matter. Reservations are served in the
  order they were made (FIFO across processes: nobody starves).
* **Damage**: a key of another type, or a slot that is not a number or lies beyond the horizon,
  is taken as a budget spent just now (one window's wait), as the budget file does.
* **A killed process** leaves at most one window's worth of reserved slots unused (a process
  holds at most ``limit`` unused reservations of a kind, see
  :class:`~pulumi_zpa_pkeys.shared_budget.StorePacer`); they pass with the window.
* **Redis down** (refused, timed out, failed mid-run, wrong password): one warning on stderr
  naming the server (``host:port``, never the password), then this machine's budget (the budget
  file, or this process's own) for ``COOLDOWN_S``; then Redis is tried again, and used as soon
  as it answers. No request fails because of Redis.

The client library is the optional extra ``pulumi-zpa-pkeys[redis]`` (``redis``, imported
only when a Redis URL is set).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from .ratelimit import Pacer
from .shared_budget import StorePacer, say_once

#: Every key this package writes starts with this.
KEY_PREFIX = "pulumi-zpa-pkeys:budget"
#: After a failure, how long this machine's budget paces before Redis is tried again.
COOLDOWN_S = 5.0
#: Connect and answer timeout of one Redis round trip.
TIMEOUT_S = 2.0

#: The reservation, run by Redis as one atomic step. KEYS[1]: the slot list of one kind of
#: request of one tenant and front door. ARGV: limit (sends per span), span (window + margin)
#: and horizon, in microseconds. Returns {now, slot, damaged}: the server's time and the slot
#: reserved (microseconds), and 1 when the list could not be read. A damaged list is replaced
#: by the new slot one span from now: a budget spent at now (later slots queue behind it, by
#: the rule that no slot is before the last).
SCRIPT = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local key = KEYS[1]
local limit, span, horizon = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local function bad(x) return x == nil or x ~= x or x == math.huge or x == -math.huge end
local damaged = 0
local kind = redis.call('TYPE', key)['ok']
if kind ~= 'none' and kind ~= 'list' then damaged = 1 end
local count, last, bound = 0, nil, nil
if damaged == 0 then
  while true do
    local head = redis.call('LINDEX', key, 0)
    if not head then break end
    local value = tonumber(head)
    if not bad(value) and value > now - span then break end
    redis.call('LPOP', key)
  end
  count = redis.call('LLEN', key)
  if count > 0 then
    last = tonumber(redis.call('LINDEX', key, -1))
    if bad(last) or last > now + horizon then damaged = 1 end
  end
  if damaged == 0 and count >= limit then
    bound = tonumber(redis.call('LINDEX', key, -limit))
    if bad(bound) or bound > last then damaged = 1 end
  end
end
local slot = now
if damaged == 1 then
  redis.call('DEL', key)
  count, last, slot = 0, nil, now + span
end
if count >= limit then slot = math.max(slot, bound + span) end
if last ~= nil then slot = math.max(slot, last) end
slot = math.min(slot, now + horizon)
redis.call('RPUSH', key, string.format('%.0f', slot))
redis.call('PEXPIRE', key, math.floor((slot - now + span) / 1000) + 1000)
return {now, slot, damaged}
"""


def redis_key(api_base: str, customer_id: str, kind: str) -> str:
    """The key of one kind of request (``get``, ``write``) of one tenant and front door."""
    digest = hashlib.sha256(f"{api_base}\n{customer_id}".encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{{{digest}}}:{kind}"


def server_address(url: str) -> str:
    """``host:port`` of a Redis URL: how messages name the server (never the password)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "?", parts.port or 6379
    except ValueError:
        return "?"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _scrub(text: str, url: str) -> str:
    """``text`` with the URL's password (plain and percent-encoded) and the URL blanked."""
    try:
        secret = urlsplit(url).password
    except ValueError:
        secret = None
    for word in (url, secret, quote(secret or "", safe="")):
        if word:
            text = text.replace(word, "***")
    return text


class RedisPacer(StorePacer):
    """A :class:`~pulumi_zpa_pkeys.ratelimit.Pacer` whose two budgets live in Redis at ``url``,
    shared by every process on every machine that names it; thread safe.

    ``fallback`` paces while Redis cannot be reached. ``clock`` times only the cool-down after
    a failure (slots are timed by the Redis server's clock).

    :raises ImportError: the ``redis`` client is not installed (the ``redis`` extra).
    """

    def __init__(
        self,
        gets: int,
        writes: int,
        window_s: float,
        url: str,
        *,
        api_base: str,
        customer_id: str,
        fallback: Pacer,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        cooldown_s: float = COOLDOWN_S,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        super().__init__(gets, writes, window_s, fallback=fallback, clock=clock, sleep=sleep)
        self._url = url
        self.address = server_address(url)
        # One retry, on a connection error only: a pooled connection the server closed (restart,
        # idle timeout) is made anew at once; a timeout costs one timeout, not two.
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            health_check_interval=0,
        )
        self._script = self._client.register_script(SCRIPT)
        self._keys = {kind: redis_key(api_base, customer_id, kind) for kind in self.limits}
        self._args = {
            kind: [limit, round(span * 1e6), round(self.horizon_s * 1e6)]
            for kind, (limit, span) in self.limits.items()
        }
        self._clock = clock
        self._cooldown_s = cooldown_s
        self._down_until = -float("inf")

    def __repr__(self) -> str:
        return f"RedisPacer({self.address!r})"

    def describe(self) -> str:
        return f"Redis at {self.address}"

    @property
    def shared(self) -> bool:
        """False while Redis is taken as down (this machine's budget paces)."""
        return self._clock() >= self._down_until

    def close(self) -> None:
        """Close the connections to Redis (the next acquire connects again)."""
        self._client.close()

    def _reserve(self, kind: str) -> float | None:
        if self._clock() < self._down_until:
            return None
        try:
            answer: Any = self._script(keys=[self._keys[kind]], args=self._args[kind])
            now, slot = int(answer[0]), int(answer[1])
        except Exception as err:  # whatever fails in the store, the machine's budget paces
            self._down_until = self._clock() + self._cooldown_s
            reason = _scrub(f"{type(err).__name__}: {err}", self._url)[:300]
            say_once(
                f"redis {self.address}",
                f"pulumi-zpa-pkeys: warning: the ZPA rate budget in Redis at {self.address} "
                f"cannot be used ({reason}); pacing with this machine's budget until Redis "
                f"answers again",
            )
            return None
        return (slot - now) / 1e6
