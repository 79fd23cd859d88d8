"""Shared fixtures. The emulator fixtures (`zpa_emulator`) come from the package's pytest plugin."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support import provider_host_children

_OUR_ENV_PREFIXES = ("ZPA_", "ZSCALER_", "ZIA_", "ZTW_")


@pytest.fixture(autouse=True)
def _clean_zpa_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own ZPA credentials or settings."""
    for name in list(os.environ):
        if name.startswith(_OUR_ENV_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Each test starts without the stack config, transports and lookups of the one before."""
    from pulumi_zpa_pkeys import _host

    _host.reset()
    yield
    _host.reset()


@pytest.fixture
def clients() -> Iterator[list[Any]]:
    """Transports a test makes; closed (sessions and sockets) when it ends."""
    made: list[Any] = []
    yield made
    for client in made:
        client.close()


_HOSTS: dict[tuple[Any, ...], Any] = {}


@pytest.fixture(scope="session", autouse=True)
def _provider_hosts() -> Iterator[dict[tuple[Any, ...], Any]]:
    yield _HOSTS
    for host in _HOSTS.values():
        host.stop()
    _HOSTS.clear()
    left = provider_host_children()
    assert not left, f"provider host processes outlived the test session: {sorted(left)}"


@pytest.fixture(autouse=True)
def _no_stray_provider_host(_provider_hosts: dict[Any, Any]) -> Iterator[None]:
    """Every provider host a test starts is gone when it ends (the shared ones aside)."""
    yield
    left = provider_host_children()
    if left is not None:
        shared = {host.pid for host in _provider_hosts.values()}
        assert left <= shared, f"the test left provider hosts running: {sorted(left - shared)}"


@pytest.fixture
def host_for(
    zpa_emulator: Any, _provider_hosts: dict[tuple[Any, ...], Any]
) -> Callable[[Any], Any]:
    """`host_for(provider)`: a `python -m pulumi.dynamic` host for that provider, configured
    for the emulator (one per provider class and config, reused across tests)."""
    from pulumi_zpa_pkeys.testing import ProviderHost

    def get(provider: Any) -> Any:
        config = tuple(sorted(zpa_emulator.config.items()))
        key = (type(provider).__module__, type(provider).__qualname__, config)
        host = _provider_hosts.get(key)
        if host is None:
            env = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_ENV_PREFIXES)}
            host = ProviderHost(provider, zpa_emulator.config, env=env).start()
            _provider_hosts[key] = host
        return host

    return get


@pytest.fixture
def provider_host(host_for: Callable[[Any], Any]) -> Any:
    """The host for ProvisioningKey (see `host_for`)."""
    from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider

    return host_for(ProvisioningKeyProvider())
