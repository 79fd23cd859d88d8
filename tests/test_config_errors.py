"""Configuration errors as a newcomer meets them: each names what to fix.

- a connection failure names the URL it tried and the setting that chose it;
- a 401 on a token ZPA has just issued names `customerId` as the suspect;
- every configuration problem is a `ConfigError` (refused credentials are its `AuthError`), and a
  program shows it under that name, never as Pulumi's `ValueError has risen:`;
- a misspelt key of the namespace (`zpa:clientSecert`) is named, with the closest known key, in
  the missing-setting error; unknown keys alone are no error (the namespace is shared).

Through the emulator over HTTP, the SDK's provider host and a program in a process of its own.
"""

from __future__ import annotations

import os
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from support import key_inputs, keys_named

from pulumi_zpa_pkeys import _host
from pulumi_zpa_pkeys._api import Collection
from pulumi_zpa_pkeys._transport import Transport
from pulumi_zpa_pkeys.enrollment_cert import enrollment_certs
from pulumi_zpa_pkeys.errors import AuthError, ConfigError, TransportError
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.settings import Settings, known_keys
from pulumi_zpa_pkeys.testing import (
    ProgramError,
    ProviderHost,
    ProviderHostError,
    RunningEmulator,
    run_program_process,
)

PROGRAM = """
from pulumi_zpa_pkeys import ProvisioningKey, get_enrollment_cert_output

cert = get_enrollment_cert_output(name="Connector")
ProvisioningKey("k", association_type="CONNECTOR_GRP", max_usage=2,
                enrollment_cert_id=cert.id, zcomponent_id="216196257331300001")
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _certs(settings: Settings, clients: list[Transport]) -> Collection:
    client = Transport(replace(settings, retry_backoff_s=0.005))
    clients.append(client)
    return enrollment_certs(client)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))}


# -- a connection failure names the URL and the setting ----------------------------------------


@pytest.mark.parametrize("where", ["config", "env"])
def test_connection_failure_names_the_url_tried_and_the_setting_that_chose_it(
    zpa_emulator: RunningEmulator, clients: list[Transport], where: str
) -> None:
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    config = {k: v for k, v in zpa_emulator.config.items() if k != "zpa:baseUrl"}
    if where == "config":
        settings = Settings.from_config({**config, "zpa:baseUrl": nowhere}, {})
        source = "Pulumi config zpa:baseUrl"
    else:
        settings = Settings.from_config(config, {"ZPA_BASE_URL": nowhere})
        source = "env ZPA_BASE_URL"

    with pytest.raises(TransportError) as err:
        _certs(settings, clients).get("6573")

    assert str(err.value) == (
        f"sign in to ZPA (OneAPI): could not connect to {nowhere}/oauth2/v1/token (connection "
        f"refused or host not found); the URL comes from {source}"
    )


def test_the_cloud_settings_are_named_as_the_source_of_their_urls() -> None:
    oneapi = {"zpa:clientId": "c", "zpa:clientSecret": "s", "zpa:customerId": "1",
              "zpa:vanityDomain": "acme"}  # fmt: skip
    production = Settings.from_config(oneapi, {})
    assert production.token_url_source == (
        "Pulumi config zpa:vanityDomain and zpa:zscalerCloud (unset: production)"
    )
    assert production.api_base_source == "zpa:zscalerCloud (unset: production)"
    beta = Settings.from_config(oneapi, {"ZSCALER_CLOUD": "beta"})
    assert beta.token_url_source == "Pulumi config zpa:vanityDomain and env ZSCALER_CLOUD"
    legacy = {"zpa:useLegacyClient": "true", "zpa:zpaClientId": "c", "zpa:zpaClientSecret": "s",
              "zpa:customerId": "1"}  # fmt: skip
    assert Settings.from_config(legacy, {}).api_base_source == "zpa:zpaCloud (unset: PRODUCTION)"
    two = Settings.from_config({**legacy, "zpa:zpaCloud": "zpatwo"}, {})
    assert (two.token_url_source, two.api_base_source) == ("Pulumi config zpa:zpaCloud",) * 2
    assert two == Settings.from_config({**legacy}, {"ZPA_CLOUD": "ZPATWO"})  # sources aside


# -- a 401 on a fresh token names the tenant ---------------------------------------------------


@pytest.mark.parametrize("namespace", ["zpa", "zpa-emea"])
def test_401_after_a_fresh_sign_in_names_customer_id_as_the_suspect(
    zpa_emulator: RunningEmulator, clients: list[Transport], namespace: str
) -> None:
    config = {k.replace("zpa:", f"{namespace}:"): v for k, v in zpa_emulator.config.items()}
    config[f"{namespace}:customerId"] = "123"  # another tenant: sign-in works, the API refuses
    settings = Settings.from_config(config, {}, namespace=namespace)

    with pytest.raises(AuthError) as err:
        _certs(settings, clients).get("6573")

    message = str(err.value)
    assert "401" in message and "(after a fresh sign-in)" in message
    env = "env ZPA_CUSTOMER_ID; " if namespace == "zpa" else ""
    assert f"check Pulumi config {namespace}:customerId ({env}now 123)" in message
    assert zpa_emulator.client_secret not in message


# -- one exception type for configuration ------------------------------------------------------


def test_refused_credentials_and_a_missing_setting_are_both_config_errors(
    zpa_emulator: RunningEmulator, clients: list[Transport]
) -> None:
    with pytest.raises(ConfigError) as missing:
        Settings.from_config({"zpa:clientId": "c"}, {})
    wrong = Settings.from_config({**zpa_emulator.config, "zpa:clientSecret": "wrong"}, {})
    with pytest.raises(ConfigError) as refused:
        _certs(wrong, clients).get("6573")
    assert type(missing.value) is ConfigError and type(refused.value) is AuthError
    # Not a ValueError: the Pulumi SDK rewrites those when an Output resolves.
    assert not isinstance(missing.value, ValueError)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing secret", "pulumi_zpa_pkeys.errors.ConfigError: missing setting: set Pulumi "
                           "config zpa:clientSecret or env ZSCALER_CLIENT_SECRET"),
        ("wrong secret", "pulumi_zpa_pkeys.errors.AuthError: sign in to ZPA (OneAPI): 401"),
    ],
)  # fmt: skip
def test_a_program_shows_configuration_errors_by_their_name_not_as_value_error(
    zpa_emulator: RunningEmulator, tmp_path: Path, case: str, expected: str
) -> None:
    """A lookup's Output feeding a resource: a ValueError there became `ValueError has risen:`."""
    (tmp_path / "__main__.py").write_text(PROGRAM)
    config = dict(zpa_emulator.config)
    if case == "missing secret":
        del config["zpa:clientSecret"]
    else:
        config["zpa:clientSecret"] = "wrong"

    with pytest.raises(ProgramError) as err:
        run_program_process(tmp_path, project="p", config=config)

    message = str(err.value)
    assert expected in message and "has risen" not in message
    assert "wrong" not in message.split("401", 1)[-1]


# -- a misspelt key is named --------------------------------------------------------------------


def test_a_misspelt_key_is_named_with_the_closest_known_key_in_the_missing_setting_error() -> None:
    config = {"zpa:clientId": "c", "zpa:clientSecert": "s3cret", "zpa:CustomerID": "1",
              "zpa:vanityDomain": "acme", "zpa:httpProxy": "x",
              "zpa-emea:clientSecret": "y"}  # fmt: skip
    for source in (config, config.get):  # a mapping, or a getter as the provider host has
        with pytest.raises(ConfigError) as err:
            Settings.from_config(source, {})
        assert str(err.value) == (
            "missing setting: set Pulumi config zpa:clientSecret or env ZSCALER_CLIENT_SECRET; "
            "not settings of pulumi-zpa-pkeys: zpa:CustomerID (did you mean zpa:customerId?), "
            "zpa:clientSecert (did you mean zpa:clientSecret?), zpa:httpProxy"
        )
        assert "s3cret" not in str(err.value)


def test_unknown_keys_alone_are_no_error_and_other_namespaces_are_not_read() -> None:
    config = {"zpa:clientId": "c", "zpa:clientSecret": "s", "zpa:customerId": "1",
              "zpa:vanityDomain": "acme", "zpa:httpProxy": "x",
              "zpa:clientSecert": "y"}  # fmt: skip
    assert Settings.from_config(config, {}).client_id == "c"
    emea = {k.replace("zpa:", "zpa-emea:"): v for k, v in config.items()}
    del emea["zpa-emea:clientSecret"]
    with pytest.raises(ConfigError) as err:
        Settings.from_config({**emea, "zpa:clientSecert": "z"}, {}, namespace="zpa-emea")
    assert "zpa-emea:clientSecert (did you mean zpa-emea:clientSecret?)" in str(err.value)
    assert "zpa:clientSecert" not in str(err.value)


@pytest.mark.parametrize("mode", ["legacy", "OneAPI secret", "OneAPI key", "base URL"])
def test_known_keys_hold_every_key_a_complete_configuration_is_read_with(mode: str) -> None:
    config = {
        "legacy": {"useLegacyClient": "true", "zpaClientId": "c", "zpaClientSecret": "s"},
        "OneAPI secret": {"clientId": "c", "clientSecret": "s", "vanityDomain": "acme"},
        "OneAPI key": {"clientId": "c", "privateKey": "k", "vanityDomain": "acme"},
        "base URL": {"clientId": "c", "clientSecret": "s", "baseUrl": "https://zpa.example"},
    }[mode] | {"customerId": "1"}
    read: list[str] = []

    def recording(name: str) -> str | None:
        read.append(name.split(":", 1)[1])
        return config.get(name.split(":", 1)[1])

    Settings.from_config(recording, {})
    assert set(read) <= known_keys() and set(config) <= set(read)


def test_a_misspelt_key_reaches_the_provider_host_s_user_as_one_line(
    zpa_emulator: RunningEmulator,
) -> None:
    config = {k: v for k, v in zpa_emulator.config.items() if k != "zpa:clientSecret"}
    config["zpa:clientSecert"] = zpa_emulator.client_secret
    with (
        ProviderHost(ProvisioningKeyProvider(), config, env=_clean_env()) as host,
        pytest.raises(ProviderHostError) as err,
    ):
        host.up("typo", key_inputs("typo"))
    assert err.value.message.endswith(
        "not settings of pulumi-zpa-pkeys: zpa:clientSecert (did you mean zpa:clientSecret?)"
    )
    assert err.value.message.startswith("pulumi_zpa_pkeys.errors.ResourceError: create")
    assert zpa_emulator.client_secret not in err.value.details
    assert keys_named(zpa_emulator, "typo") == []


def test_a_misspelt_key_in_a_program_is_named(
    zpa_emulator: RunningEmulator, tmp_path: Path
) -> None:
    (tmp_path / "__main__.py").write_text(PROGRAM)
    config = {k: v for k, v in zpa_emulator.config.items() if k != "zpa:clientSecret"}
    config["zpa:clientSecert"] = zpa_emulator.client_secret
    with pytest.raises(ProgramError) as err:
        run_program_process(tmp_path, project="p", config=config)
    assert "zpa:clientSecert (did you mean zpa:clientSecret?)" in str(err.value)
    assert zpa_emulator.client_secret not in str(err.value)


def test_settings_read_in_the_host_keep_their_sources(zpa_emulator: RunningEmulator) -> None:
    _host.configure(zpa_emulator.config.get)
    assert _host.settings().token_url_source == "Pulumi config zpa:baseUrl"
