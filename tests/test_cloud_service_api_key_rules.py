"""The cloud service API key's pure pieces (no sockets): settings per product and door, the
legacy sign-in's obfuscation on both sides, and the emulator's rules for keys and sessions."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_zpa_pkeys.cloud_settings import cloud_settings
from pulumi_zpa_pkeys.cloud_transport import obfuscate
from pulumi_zpa_pkeys.emulator import cloud_keys as rules
from pulumi_zpa_pkeys.emulator.backend import Backend
from pulumi_zpa_pkeys.emulator.errors import EmulatorError
from pulumi_zpa_pkeys.errors import ConfigError

LEGACY = {"apiKey": "AbCd1234EfGh", "username": "admin@example.com", "password": "pw"}
ONEAPI = {"clientId": "cid", "clientSecret": "csecret", "vanityDomain": "acme"}


def _config(namespace: str, values: dict[str, str]) -> dict[str, str]:
    return {f"{namespace}:{k}": v for k, v in values.items()}


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "cloud", "api_base", "sign_in"),
    [
        ("ZIA", "zscloud", "https://zsapi.zscloud.net/api/v1",
         "https://zsapi.zscloud.net/api/v1/authenticatedSession"),
        ("ZTW", "zscloud.net", "https://connector.zscloud.net/api/v1",
         "https://connector.zscloud.net/api/v1/auth"),
        ("ZIA", "zspreview", "https://admin.zspreview.net/api/v1",
         "https://admin.zspreview.net/api/v1/authenticatedSession"),
    ],
)  # fmt: skip
def test_legacy_settings_reach_the_products_host_for_the_cloud(
    product: str, cloud: str, api_base: str, sign_in: str
) -> None:
    ns = product.lower()
    settings = cloud_settings(product, _config(ns, {**LEGACY, "cloud": cloud}), {})
    assert (settings.legacy, settings.api_base, settings.sign_in_url) == (True, api_base, sign_in)
    assert settings.organisation == f"{product} example.com"
    assert "AbCd1234EfGh" not in repr(settings) and "pw" not in repr(settings).split("'")


@pytest.mark.parametrize(
    ("cloud", "api_base", "token"),
    [
        ("", "https://api.zsapi.net/ztw/api/v1", "https://acme.zslogin.net/oauth2/v1/token"),
        ("beta", "https://api.beta.zsapi.net/ztw/api/v1",
         "https://acme.zsloginbeta.net/oauth2/v1/token"),
    ],
)  # fmt: skip
def test_oneapi_settings_use_zpas_token_host_and_the_products_gateway_prefix(
    cloud: str, api_base: str, token: str
) -> None:
    settings = cloud_settings("ZTW", _config("ztw", {**ONEAPI, "zscalerCloud": cloud}), {})
    assert (settings.legacy, settings.api_base, settings.sign_in_url) == (False, api_base, token)


def test_base_url_overrides_either_door_and_env_backs_only_the_default_namespace() -> None:
    env = {"ZTW_API_KEY": "AbCd1234EfGh", "ZTW_USERNAME": "a@b.c", "ZTW_PASSWORD": "pw",
           "ZTW_BASE_URL": "http://127.0.0.1:9"}  # fmt: skip
    settings = cloud_settings("ZTW", {}, env)
    assert (settings.api_base, settings.sign_in_url) == (
        "http://127.0.0.1:9/api/v1", "http://127.0.0.1:9/api/v1/auth",
    )  # fmt: skip
    with pytest.raises(ConfigError, match="ztw-emea:clientId") as err:
        cloud_settings("ZTW", {}, env, namespace="ztw-emea")
    assert "ZTW_API_KEY" not in str(err.value)  # no env for another namespace
    oneapi = cloud_settings("ZIA", _config("zia", {**ONEAPI, "baseUrl": "http://localhost:8"}), {})
    assert (oneapi.api_base, oneapi.sign_in_url) == (
        "http://localhost:8/zia/api/v1", "http://localhost:8/oauth2/v1/token",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("values", "env", "message"),
    [
        ({}, {}, "set Pulumi config zia:clientId with zia:clientSecret or zia:privateKey"),
        ({**LEGACY}, {}, "zia:cloud (e.g. zscloud) or env ZIA_CLOUD, or zia:baseUrl"),
        ({**LEGACY, "cloud": "zscloud", "password": ""}, {}, "zia:password or env ZIA_PASSWORD"),
        ({**LEGACY, "cloud": "zscloud", "apiKey": "short"}, {}, "12-character"),
        ({**LEGACY, "cloud": "zs cloud"}, {}, "is not a cloud name"),
        ({**LEGACY, **ONEAPI}, {}, "not both"),
        ({**ONEAPI, "privateKey": "x"}, {}, "set only one of it and zia:clientSecret"),
        ({**LEGACY, "baseUrl": "http://example.com"}, {}, "zia:baseUrl (env ZIA_BASE_URL)"),
        ({**LEGACY, "cloud": "zscloud", "rateLimitWrites": "ten"}, {}, "zia:rateLimitWrites:"),
    ],
)
def test_bad_settings_fail_in_one_line_naming_the_setting_never_the_secret(
    values: dict[str, str], env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        cloud_settings("ZIA", _config("zia", values), env)
    text = str(err.value)
    assert message in text and "\n" not in text
    assert "AbCd1234EfGh" not in text and "csecret" not in text


def test_the_product_specific_legacy_key_wins_over_oneapi_env_vars() -> None:
    env = {"ZSCALER_CLIENT_ID": "zpa-client", "ZSCALER_CLIENT_SECRET": "s"}
    settings = cloud_settings("ZIA", _config("zia", {**LEGACY, "cloud": "zscloud"}), env)
    assert settings.legacy and settings.username == "admin@example.com"


def test_transport_settings_pace_every_call_on_the_write_budget() -> None:
    values = {**LEGACY, "cloud": "zscloud", "rateLimitWrites": "4", "rateLimitWindowSeconds": "2"}
    transport = cloud_settings("ZIA", _config("zia", values), {}).transport_settings()
    assert (transport.rate_limit_gets, transport.rate_limit_writes) == (4, 4)
    assert transport.rate_limit_window_s == 2.0
    assert transport.client_secret == "pw"  # scrubbed from every message by the transport


# -- obfuscation ------------------------------------------------------------------------------


def test_obfuscation_follows_the_documented_rule() -> None:
    key = "AbCd1234EfGh"
    # n = "654321": key[6], key[5], ...; r = 654321 >> 1 = 327160: key[3 + 2], key[2 + 2], ...
    assert obfuscate(key, 1_700_000_654_321) == "321dCb" + "21fdEC"
    # n = "000123"; r = 123 >> 1 = 61, zero-padded to "000061"
    assert obfuscate(key, 1_700_000_000_123) == "AAAbCd" + "CCCCEd"


@pytest.mark.parametrize("timestamp", [1_735_689_600_000, 1_700_000_999_999, 1_000_000_000_000])
def test_the_client_and_the_emulator_obfuscate_alike(timestamp: int) -> None:
    assert obfuscate("EmulatorZTW1", timestamp) == rules.obfuscate("EmulatorZTW1", timestamp)


# -- the emulator's rules -----------------------------------------------------------------------


@pytest.fixture
def keys() -> rules.CloudKeys:
    """The kind's rules in a tenant of their own (no other kind), its clock at 1800."""
    return Backend(kinds=(rules.KIND,), clock=lambda: "1800").rules(rules.CloudKeys)


def _sign_in_body(key: str, **changes: Any) -> dict[str, Any]:
    timestamp = 1_735_689_612_345
    body = {"apiKey": rules.obfuscate(key, timestamp), "username": rules.ADMIN_USERNAME,
            "password": rules.ADMIN_PASSWORD, "timestamp": timestamp}  # fmt: skip
    return {**body, **changes}


def test_seeded_keys_list_the_organisations_key_and_partners_only_on_request(
    keys: rules.CloudKeys,
) -> None:
    (own,) = keys.list_cloud_api_keys(product="ZTW")
    assert (own["id"], own["keyValue"], own["enabled"]) == (4201, "EmulatorZTW1", True)
    assert own["lastModifiedBy"] == {"id": 1, "name": "Zscaler"} and "partner" not in own
    listed = keys.list_cloud_api_keys(product="ZTW", include_partner_keys="true")
    assert [k["id"] for k in listed] == [4201, 4202] and listed[1]["partner"]["name"]
    with pytest.raises(EmulatorError) as err:
        keys.list_cloud_api_keys(product="ZTW", include_partner_keys="yes")
    assert err.value.status == 400


def test_sign_in_takes_the_obfuscated_key_with_the_admin_and_refuses_anything_else(
    keys: rules.CloudKeys,
) -> None:
    keys.sign_in("ZIA", _sign_in_body("EmulatorZIA1"))
    keys.sign_in("ZIA", _sign_in_body("EmulatorZIA1", username=rules.ADMIN_USERNAME.upper()))
    for refused in (
        _sign_in_body("EmulatorZTW1"),  # the other product's key
        _sign_in_body("EmulatorZIA1", password="wrong"),
        _sign_in_body("EmulatorZIA1", apiKey="EmulatorZIA1"),  # not obfuscated
        _sign_in_body("EmulatorZIA1", timestamp=1_735_689_612_346),  # another timestamp
    ):
        with pytest.raises(EmulatorError) as err:
            keys.sign_in("ZIA", refused)
        assert err.value.status == 401
    for malformed in ([], _sign_in_body("EmulatorZIA1", timestamp="soon"),
                      _sign_in_body("EmulatorZIA1", timestamp=True), {"apiKey": 1}):  # fmt: skip
        with pytest.raises(EmulatorError) as err:
            keys.sign_in("ZIA", malformed)
        assert err.value.status == 400


def test_regeneration_refuses_the_old_value_and_awaits_activation(keys: rules.CloudKeys) -> None:
    regenerated = keys.regenerate_cloud_api_key(product="ZIA", key_id="4101")

    new = regenerated["keyValue"]
    assert new != "EmulatorZIA1" and len(new) == 12 and new.isalnum() and new.isascii()
    assert regenerated["lastModifiedTime"] == 1800
    assert regenerated["lastModifiedBy"]["name"] == rules.ADMIN_USERNAME
    with pytest.raises(EmulatorError):
        keys.sign_in("ZIA", _sign_in_body("EmulatorZIA1"))
    keys.sign_in("ZIA", _sign_in_body(new))
    assert keys.cloud_activation_status(product="ZIA") == {"status": "PENDING"}
    assert keys.activate_cloud_changes(product="ZIA") == {"status": "ACTIVE"}
    assert keys.activations == {"ZIA": 1, "ZTW": 0}
    assert keys.list_cloud_api_keys(product="ZTW")[0]["keyValue"] == "EmulatorZTW1"


def test_regenerating_another_products_key_or_an_unknown_id_is_not_found(
    keys: rules.CloudKeys,
) -> None:
    for product, key_id in (("ZTW", "4101"), ("ZIA", "999")):
        with pytest.raises(EmulatorError) as err:
            keys.regenerate_cloud_api_key(product=product, key_id=key_id)
        assert err.value.status == 404


def test_ztw_activation_reports_its_status_fields(keys: rules.CloudKeys) -> None:
    keys.regenerate_cloud_api_key_out_of_band(product="ZTW")
    assert keys.cloud_activation_status(product="ZTW")["orgEditStatus"] == "EDITS_PRESENT"
    assert keys.activate_cloud_changes(product="ZTW")["orgEditStatus"] == "EDITS_CLEARED"


def test_out_of_band_regeneration_is_the_portal_admins(keys: rules.CloudKeys) -> None:
    changed = keys.regenerate_cloud_api_key_out_of_band(product="ZTW")
    assert changed["lastModifiedBy"]["name"] == rules.PORTAL_ADMIN[1]
    (state,) = [k for k in keys.state(keys.table) if k["id"] == 4201]
    assert (state["keyValue"], state["product"], state["pendingActivation"]) == (
        changed["keyValue"], "ZTW", True,
    )  # fmt: skip


def test_sessions_belong_to_a_product_and_end_when_idle_or_closed() -> None:
    sessions = rules.Sessions(idle_s=60)
    zia, ztw = sessions.open("ZIA"), sessions.open("ZTW")
    assert (sessions.product(zia), sessions.product(ztw), sessions.product("nope")) == (
        "ZIA", "ZTW", None,
    )  # fmt: skip
    assert sessions.close(zia) and not sessions.close(zia) and sessions.product(zia) is None
    sessions.idle_s = 0
    assert sessions.product(ztw) is None


# -- the client's session ---------------------------------------------------------------------


def test_a_session_is_kept_while_it_is_used_and_renewed_once_idle() -> None:
    import requests

    from pulumi_zpa_pkeys.cloud_transport import SessionAuth

    now = [0.0]
    opened: list[float] = []

    def sign_in() -> tuple[str, float]:
        opened.append(now[0])
        return f"S{len(opened)}", 300.0

    auth = SessionAuth(sign_in, idle_s=300.0, clock=lambda: now[0])
    request = requests.Request("GET", "http://127.0.0.1/api/v1/apiKeys").prepare()
    for when in (0.0, 200.0, 450.0, 700.0):  # never 270 s (300 less the margin) without a call
        now[0] = when
        auth.attach(request, auth.token())
    assert opened == [0.0] and request.headers["Cookie"] == "JSESSIONID=S1"
    now[0] = 700.0 + 271.0
    auth.attach(request, auth.token())
    assert opened == [0.0, 971.0] and request.headers["Cookie"] == "JSESSIONID=S2"
    assert "Authorization" not in request.headers


def test_the_testing_helpers_name_the_keys_and_admin_the_emulator_seeds() -> None:
    from pulumi_zpa_pkeys import testing

    for product, (own, _partner) in rules.SEEDED_KEYS.items():
        assert own == (
            testing.CLOUD_SERVICE_API_KEY_IDS[product], testing.CLOUD_SERVICE_API_KEYS[product],
        )  # fmt: skip
    assert (testing.CLOUD_ADMIN_USERNAME, testing.CLOUD_ADMIN_PASSWORD) == (
        rules.ADMIN_USERNAME, rules.ADMIN_PASSWORD,
    )  # fmt: skip
