"""Settings from Pulumi config and env vars (no sockets); the README's "All settings" table."""

from __future__ import annotations

import json

import pytest

from pulumi_zpa_pkeys.errors import ConfigError
from pulumi_zpa_pkeys.settings import Settings

SECRET = "s3cr3t-value-never-shown"

ONEAPI = {
    "zpa:clientId": "cid",
    "zpa:clientSecret": SECRET,
    "zpa:vanityDomain": "acme",
    "zpa:customerId": "216196257331281920",
}
LEGACY = {
    "zpa:useLegacyClient": "true",
    "zpa:zpaClientId": "legacy-id",
    "zpa:zpaClientSecret": SECRET,
    "zpa:customerId": "216196257331281920",
}


def build(config: dict[str, str], **environ: str) -> Settings:
    return Settings.from_config(config, environ)


def test_from_config_oneapi_production_urls() -> None:
    s = build(ONEAPI)
    assert not s.legacy
    assert (s.client_id, s.client_secret, s.customer_id) == ("cid", SECRET, "216196257331281920")
    assert s.token_url == "https://acme.zslogin.net/oauth2/v1/token"
    assert s.api_base == "https://api.zsapi.net/zpa/mgmtconfig"
    assert (s.rate_limit_gets, s.rate_limit_writes, s.rate_limit_window_s) == (20, 10, 10.0)
    assert s.request_timeout_s == 30.0
    assert s.microtenant_id is None
    assert s.limiter_enabled


@pytest.mark.parametrize(
    ("cloud", "token_url", "api_base"),
    [
        ("", "https://acme.zslogin.net/oauth2/v1/token", "https://api.zsapi.net/zpa/mgmtconfig"),
        (
            "PRODUCTION",
            "https://acme.zslogin.net/oauth2/v1/token",
            "https://api.zsapi.net/zpa/mgmtconfig",
        ),
        (
            "beta",
            "https://acme.zsloginbeta.net/oauth2/v1/token",
            "https://api.beta.zsapi.net/zpa/mgmtconfig",
        ),
        (
            "zscalertwo",
            "https://acme.zsloginzscalertwo.net/oauth2/v1/token",
            "https://api.zscalertwo.zsapi.net/zpa/mgmtconfig",
        ),
        (
            "GOV",
            "https://acme.zidentitygov.net/oauth2/v1/token",
            "https://api.zscalergov.net/zpa/mgmtconfig",
        ),
        (
            "govus",
            "https://acme.zidentitygov.us/oauth2/v1/token",
            "https://api.zscalergov.us/zpa/mgmtconfig",
        ),
    ],
)
def test_from_config_oneapi_cloud_urls(cloud: str, token_url: str, api_base: str) -> None:
    s = build({**ONEAPI, "zpa:zscalerCloud": cloud})
    assert (s.token_url, s.api_base) == (token_url, api_base)


@pytest.mark.parametrize(
    ("cloud", "base"),
    [
        ("PRODUCTION", "https://config.private.zscaler.com"),
        ("ZPATWO", "https://config.zpatwo.net"),
        ("BETA", "https://config.zpabeta.net"),
        ("GOV", "https://config.zpagov.net"),
        ("GOVUS", "https://config.zpagov.us"),
        ("preview", "https://config.zpapreview.net"),
    ],
)
def test_from_config_legacy_cloud_urls(cloud: str, base: str) -> None:
    s = build({**LEGACY, "zpa:zpaCloud": cloud})
    assert s.legacy
    assert (s.token_url, s.api_base) == (f"{base}/signin", f"{base}/mgmtconfig")


def test_from_config_legacy_default_cloud_is_production() -> None:
    assert build(LEGACY).token_url == "https://config.private.zscaler.com/signin"


def test_from_config_legacy_unknown_cloud_lists_valid_names() -> None:
    with pytest.raises(ConfigError, match=r"zpa:zpaCloud \(env ZPA_CLOUD\).*ZPATWO"):
        build({**LEGACY, "zpa:zpaCloud": "MARS"})


@pytest.mark.parametrize("cloud", ["be ta", "beta.evil.com/x", "a_b"])
def test_from_config_oneapi_bad_cloud_name_refused(cloud: str) -> None:
    with pytest.raises(ConfigError, match="zpa:zscalerCloud"):
        build({**ONEAPI, "zpa:zscalerCloud": cloud})


def test_from_config_base_url_overrides_both_front_doors() -> None:
    oneapi = build({**ONEAPI, "zpa:baseUrl": "http://127.0.0.1:8080/"})
    assert oneapi.token_url == "http://127.0.0.1:8080/oauth2/v1/token"
    assert oneapi.api_base == "http://127.0.0.1:8080/zpa/mgmtconfig"
    legacy = build({**LEGACY, "zpa:baseUrl": "https://zpa.example.internal"})
    assert legacy.token_url == "https://zpa.example.internal/signin"
    assert legacy.api_base == "https://zpa.example.internal/mgmtconfig"


def test_from_config_base_url_makes_vanity_domain_optional() -> None:
    config = {k: v for k, v in ONEAPI.items() if k != "zpa:vanityDomain"}
    assert build({**config, "zpa:baseUrl": "http://localhost:9"}).token_url.startswith(
        "http://localhost:9/"
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost", "http://[::1]:8"])
def test_from_config_plain_http_loopback_allowed(url: str) -> None:
    assert build({**ONEAPI, "zpa:baseUrl": url}).api_base.startswith(url)


@pytest.mark.parametrize(
    "url", ["http://zpa.example.com", "http://10.0.0.1:80", "ftp://127.0.0.1", "127.0.0.1:80"]
)
def test_from_config_plain_http_elsewhere_refused(url: str) -> None:
    with pytest.raises(ConfigError, match=r"zpa:baseUrl \(env ZPA_BASE_URL\)"):
        build({**ONEAPI, "zpa:baseUrl": url})


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {k: v for k, v in ONEAPI.items() if k != "zpa:clientId"},
            "missing setting: set Pulumi config zpa:clientId or env ZSCALER_CLIENT_ID",
        ),
        (
            {k: v for k, v in ONEAPI.items() if k != "zpa:clientSecret"},
            "missing setting: set Pulumi config zpa:clientSecret or env ZSCALER_CLIENT_SECRET",
        ),
        (
            {k: v for k, v in ONEAPI.items() if k != "zpa:vanityDomain"},
            "missing setting: set Pulumi config zpa:vanityDomain or env ZSCALER_VANITY_DOMAIN",
        ),
        (
            {k: v for k, v in ONEAPI.items() if k != "zpa:customerId"},
            "missing setting: set Pulumi config zpa:customerId or zpa:zpaCustomerId "
            "or env ZPA_CUSTOMER_ID",
        ),
        (
            {k: v for k, v in LEGACY.items() if k != "zpa:zpaClientId"},
            "missing setting: set Pulumi config zpa:zpaClientId or env ZPA_CLIENT_ID",
        ),
        (
            {**LEGACY, "zpa:zpaClientSecret": ""},
            "missing setting: set Pulumi config zpa:zpaClientSecret or env ZPA_CLIENT_SECRET",
        ),
    ],
)
def test_from_config_missing_credential_names_key_and_env(
    config: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        build(config)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_from_config_env_fallback() -> None:
    s = build(
        {},
        ZSCALER_CLIENT_ID="env-id",
        ZSCALER_CLIENT_SECRET=SECRET,
        ZSCALER_VANITY_DOMAIN="acme",
        ZSCALER_CLOUD="beta",
        ZPA_CUSTOMER_ID="42",
        ZPA_MICROTENANT_ID="777",
        ZPA_RATE_LIMIT_GETS="5",
        ZPA_RATE_LIMIT_WRITES="3",
        ZPA_RATE_LIMIT_WINDOW_SECONDS="0.5",
        ZPA_REQUEST_TIMEOUT_SECONDS="7.5",
    )
    assert (s.client_id, s.customer_id, s.microtenant_id) == ("env-id", "42", "777")
    assert s.token_url == "https://acme.zsloginbeta.net/oauth2/v1/token"
    assert (s.rate_limit_gets, s.rate_limit_writes, s.rate_limit_window_s) == (5, 3, 0.5)
    assert s.request_timeout_s == 7.5


def test_from_config_legacy_env_fallback() -> None:
    s = build(
        {},
        ZSCALER_USE_LEGACY_CLIENT="1",
        ZPA_CLIENT_ID="lid",
        ZPA_CLIENT_SECRET=SECRET,
        ZPA_CUSTOMER_ID="42",
        ZPA_CLOUD="BETA",
    )
    assert s.legacy and s.client_id == "lid"
    assert s.api_base == "https://config.zpabeta.net/mgmtconfig"


def test_from_config_config_wins_over_env() -> None:
    s = build(ONEAPI, ZSCALER_CLIENT_ID="env-id", ZPA_CUSTOMER_ID="1")
    assert (s.client_id, s.customer_id) == ("cid", "216196257331281920")


def test_from_config_customer_id_alias() -> None:
    config = {k: v for k, v in ONEAPI.items() if k != "zpa:customerId"}
    assert build({**config, "zpa:zpaCustomerId": "99"}).customer_id == "99"


def test_from_config_empty_string_falls_back_to_env() -> None:
    assert build({**ONEAPI, "zpa:clientId": ""}, ZSCALER_CLIENT_ID="env-id").client_id == "env-id"


def test_from_config_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZPA_MICROTENANT_ID", "4242")
    assert Settings.from_config(ONEAPI).microtenant_id == "4242"


def test_from_config_accepts_callable() -> None:
    assert Settings.from_config(ONEAPI.get, {}).client_id == "cid"


@pytest.mark.parametrize(
    ("text", "legacy"),
    [("true", True), ("TRUE", True), ("1", True), ("false", False), ("0", False)],
)
def test_from_config_boolean_values(text: str, legacy: bool) -> None:
    config = {**LEGACY, **ONEAPI, "zpa:useLegacyClient": text}
    assert build(config).legacy is legacy


def test_from_config_boolean_invalid_refused() -> None:
    with pytest.raises(ConfigError, match=r"zpa:useLegacyClient \(env ZSCALER_USE_LEGACY_CLIENT\)"):
        build({**ONEAPI, "zpa:useLegacyClient": "yes"})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("zpa:rateLimitGets", "abc"),
        ("zpa:rateLimitGets", "2.5"),
        ("zpa:rateLimitWrites", "-1"),
        ("zpa:rateLimitWindowSeconds", "nan"),
        ("zpa:requestTimeoutSeconds", "0"),
        ("zpa:requestTimeoutSeconds", "inf"),
    ],
)
def test_from_config_bad_number_refused(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        build({**ONEAPI, key: value})


def test_from_config_window_float_and_zero_turns_limiter_off() -> None:
    assert build({**ONEAPI, "zpa:rateLimitWindowSeconds": "0.25"}).rate_limit_window_s == 0.25
    for key in ("zpa:rateLimitGets", "zpa:rateLimitWrites", "zpa:rateLimitWindowSeconds"):
        assert not build({**ONEAPI, key: "0"}).limiter_enabled


def test_settings_repr_hides_secret_and_is_hashable() -> None:
    s = build(ONEAPI)
    assert SECRET not in repr(s) and SECRET not in str(s)
    assert hash(s) == hash(build(ONEAPI))
    assert {s: 1}[build(ONEAPI)] == 1


def test_from_config_errors_never_echo_secret() -> None:
    with pytest.raises(ConfigError) as info:
        build({**ONEAPI, "zpa:customerId": "", "zpa:baseUrl": "http://evil.example"})
    assert SECRET not in str(info.value)


def test_from_pulumi_config_reads_zpa_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({**LEGACY, "zpa:baseUrl": "http://127.0.0.1:1"}))
    monkeypatch.setenv("ZPA_MICROTENANT_ID", "5")
    s = Settings.from_pulumi_config()
    assert s.legacy and s.client_id == "legacy-id" and s.microtenant_id == "5"
    assert s.token_url == "http://127.0.0.1:1/signin"


def test_from_config_retry_wait_budget_and_timeouts() -> None:
    s = build({**ONEAPI, "zpa:requestTimeoutSeconds": "5"}, ZPA_RETRY_MAX_WAIT_SECONDS="12.5")
    assert (s.request_timeout_s, s.connect_timeout_s, s.retry_max_wait_s) == (5.0, 5.0, 12.5)
    assert build(ONEAPI).retry_max_wait_s == 60.0 and build(ONEAPI).connect_timeout_s == 10.0
