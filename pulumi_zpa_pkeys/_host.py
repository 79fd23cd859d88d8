"""Process-wide state, with one owner and one reset.

A Pulumi provider host (and a program running lookups) keeps, per process:

* the stack configuration the engine hands to ``configure()`` (host side only; a program reads
  ``pulumi.Config`` instead);
* one :class:`~pulumi_zpa_pkeys._transport.Transport` per settings, so a tenant is signed in to
  once per process, and one pacer per tenant budget, shared by every transport of that tenant
  (and, through a file, with the other processes of the machine: ``shared_budget``; through
  Redis with every machine: ``redis_budget``);
* the lookup cache (single flight: concurrent identical lookups share one request).

Nothing here is pickled with a provider: providers hold no state, and read settings here at
run time. :func:`reset` forgets everything (tests, long-running automation).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

from .errors import ConfigError
from .ratelimit import Pacer
from .settings import DEFAULT_NAMESPACE, Settings
from .shared_budget import pacer_for

from ._transport import Transport  # isort: skip

T = TypeVar("T")

ConfigGetter = Callable[[str], Any]


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.config: ConfigGetter | None = None
        self.settings: dict[str, Settings] = {}
        self.transports: dict[Hashable, Transport] = {}
        self.pacers: dict[Hashable, Pacer] = {}
        self.lookups: dict[Hashable, Future[Any]] = {}


_state = _State()


def configure(config: ConfigGetter) -> None:
    """Keep the stack configuration (host side): ``config("ns:key")`` -> value or None."""
    with _state.lock:
        _state.config = config
        _state.settings.clear()


def settings(namespace: str = DEFAULT_NAMESPACE) -> Settings:
    """Settings of ``namespace`` from the stack configuration given to ``configure()``, or, in
    a program, from ``pulumi.Config(namespace)``; env vars back the default namespace.

    :raises ConfigError: a setting is missing or invalid (the message names it).
    """
    with _state.lock:
        config, known = _state.config, _state.settings.get(namespace)
    if known is not None:
        return known
    if config is None:
        return Settings.from_pulumi_config(namespace)
    made = Settings.from_config(config, namespace=namespace)
    with _state.lock:
        return _state.settings.setdefault(namespace, made)


def pacer(settings: Settings) -> Pacer:
    """The client-side budget of the tenant ``settings`` reach: one pacer per process, which
    shares the budget with the machine's other processes that reach the same tenant through the
    same front door (``zpa:rateLimitShared``, on by default; see ``shared_budget``), and, with
    ``zpa:rateLimitRedisUrl``, with every process of every machine that names that Redis
    (``redis_budget``; the machine's budget paces while Redis is down).

    :raises ConfigError: a Redis URL is set but the ``redis`` client is not installed.
    """
    key = (
        settings.api_base,
        settings.customer_id,
        settings.rate_limit_gets,
        settings.rate_limit_writes,
        settings.rate_limit_window_s,
        settings.rate_limit_shared,
        settings.rate_limit_redis_url,
    )
    with _state.lock:
        found = _state.pacers.get(key)
        if found is None:
            found = pacer_for(
                settings.rate_limit_gets,
                settings.rate_limit_writes,
                settings.rate_limit_window_s,
                shared=settings.rate_limit_shared,
                api_base=settings.api_base,
                customer_id=settings.customer_id,
            )
            if settings.rate_limit_redis_url and settings.limiter_enabled:
                found = _redis_pacer(settings, found)
            _state.pacers[key] = found
        return found


def _redis_pacer(settings: Settings, local: Pacer) -> Pacer:
    try:
        from .redis_budget import RedisPacer

        return RedisPacer(
            settings.rate_limit_gets,
            settings.rate_limit_writes,
            settings.rate_limit_window_s,
            settings.rate_limit_redis_url or "",
            api_base=settings.api_base,
            customer_id=settings.customer_id,
            fallback=local,
        )
    except ImportError:
        raise ConfigError(
            f"{settings.namespace}:rateLimitRedisUrl needs the Redis client: "
            "pip install 'pulumi-zpa-pkeys[redis]'"
        ) from None


def transport(
    settings: Settings,
    make: Callable[[Pacer], Transport] | None = None,
    key: Hashable | None = None,
) -> Transport:
    """The process-wide transport for ``settings`` (made once, shared by all threads).

    ``make(pacer)`` builds another kind of transport on the tenant's pacer (ZIA and ZTW
    calls), kept under ``key`` (default: ``settings``).
    """
    shared = pacer(settings)
    cache_key = settings if key is None else key
    with _state.lock:
        found = _state.transports.get(cache_key)
        if found is None:
            made = Transport(settings, pacer=shared) if make is None else make(shared)
            found = _state.transports[cache_key] = made
        return found


def stack_config() -> ConfigGetter | None:
    """The stack configuration given to ``configure()`` (host side); None in a program, which
    reads ``pulumi.Config`` instead."""
    with _state.lock:
        return _state.config


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``key`` in this process; failures are not cached."""
    with _state.lock:
        future = _state.lookups.get(key)
        owner = future is None
        if future is None:
            future = _state.lookups[key] = Future()
    if owner:
        try:
            future.set_result(compute())
        except BaseException as err:
            with _state.lock:
                _state.lookups.pop(key, None)
            future.set_exception(err)
    return future.result()  # type: ignore[no-any-return]


def clear_lookups() -> None:
    """Forget every cached lookup result."""
    with _state.lock:
        _state.lookups.clear()


def reset() -> None:
    """Forget the configuration, transports (their connections closed), pacers and lookups."""
    global _state
    with _state.lock:
        old, _state = _state, _State()
    for made in old.transports.values():
        made.close()
