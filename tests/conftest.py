"""Shared fixtures. The emulator fixtures (`zpa_emulator`) come from the package's pytest plugin."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support import CONNECTOR_CERT, provider_host_children

from pulumi_zpa_pkeys.testing.plugin import CLEAN_CONFIG

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


class _CredentialProbe:
    """A token of the shared emulator's, signed in for before any shared host signed in: while
    it works and token and session lifetimes are what every test starts with, the tokens and
    sessions the shared hosts hold work too (the emulator ends them all at once,
    `/_emulator/tokens/expire`)."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.lifetimes: dict[str, Any] = {}

    def renew(self, emulator: Any) -> None:
        self.token = emulator.token()
        # What `zpa_emulator` sets for every test; it leaves the session lifetime alone.
        self.lifetimes = {**self._lifetimes(emulator), "token_ttl_s": CLEAN_CONFIG["token_ttl_s"]}

    def holds(self, emulator: Any) -> bool:
        """Whether credentials issued since the last renew() still work (False on doubt)."""
        if self.token is None or self._lifetimes(emulator) != self.lifetimes:
            return False
        url = f"{emulator.api_base}/v1/admin/customers/{emulator.customer_id}"
        request = urllib.request.Request(
            f"{url}/enrollmentCert/{CONNECTOR_CERT}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10):
                return True
        except urllib.error.HTTPError as answer:
            answer.close()
            return answer.code != 401  # a fault or rate limit the test left: not a sign-out
        except OSError:
            return False

    @staticmethod
    def _lifetimes(emulator: Any) -> dict[str, Any]:
        config = emulator._call("GET", "/_emulator/config")
        return {name: config.get(name) for name in ("token_ttl_s", "session_idle_s")}


_PROBE = _CredentialProbe()


@pytest.fixture(autouse=True)
def _shared_hosts_hold_live_credentials(
    request: pytest.FixtureRequest, _provider_hosts: dict[tuple[Any, ...], Any]
) -> Iterator[None]:
    """A test that ends every token and session (`/_emulator/tokens/expire`) or changes their
    lifetimes leaves the shared hosts holding dead credentials: the next test's first call
    through one would draw a 401 and a sign-in that its exact request list does not hold. Such
    hosts are stopped when that test ends, so the next hand-out starts one that signs in anew
    (what a test asserts about its own calls stays as strict as it was)."""
    uses_emulator = "zpa_emulator" in request.fixturenames
    if uses_emulator and _PROBE.token is None:
        # Before `zpa_emulator` resets the emulator, which clears this sign-in from its log.
        _PROBE.renew(request.getfixturevalue("zpa_emulator_session"))
    yield
    if not uses_emulator:
        return
    emulator = request.getfixturevalue("zpa_emulator_session")
    if _PROBE.holds(emulator):
        return
    for host in _provider_hosts.values():
        host.stop()
    _provider_hosts.clear()
    _PROBE.renew(emulator)


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
