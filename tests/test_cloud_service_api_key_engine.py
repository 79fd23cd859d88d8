"""CloudServiceApiKey through the engine path: the SDK's provider host over gRPC, against the
emulator's ZIA and ZTW, through both doors (legacy session and OneAPI token).

The key is the organisation's: create adopts it, refresh reads it back (drift), a change of
`keepers` regenerates it in place and activates the change, delete only forgets it. Request
counts asserted here are the ones the docs quote.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pki
import pytest
import requests
from cloud_support import (
    KEY_IDS,
    SEEDED_VALUES,
    cloud_calls,
    cloud_config,
    cloud_sign_ins,
    out_of_band_regenerate,
    sign_in,
    stored_key,
)
from cryptography.hazmat.primitives import serialization
from test_private_key_signin import public_jwk

from pulumi_zpa_pkeys.cloud_service_api_key import CloudServiceApiKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError, ResourceState

TYPE_TOKEN = "pulumi-python:dynamic/zpa:CloudServiceApiKey"
ACTIVATION = {
    "ZIA": ("POST", "/status/activate"),
    "ZTW": ("PUT", "/ecAdminActivateStatus/activate"),
}
DOORS = [pytest.param(False, id="legacy"), pytest.param(True, id="oneapi")]
PRODUCTS = ["ZIA", "ZTW"]

HostFor = Callable[..., ProviderHost]


@pytest.fixture
def cloud_host(zpa_emulator: Any, _provider_hosts: dict[tuple[Any, ...], Any]) -> Iterator[HostFor]:
    """`cloud_host(product, oneapi=False, **config)`: a provider host whose stack config reaches
    the emulator's product through one door. OneAPI hosts are shared across tests per config;
    legacy ones are the test's own (a regeneration leaves their process signing in with the new
    value, which the next test's reset takes back)."""
    own: list[ProviderHost] = []

    def get(product: str, oneapi: bool = False, **extra: str) -> ProviderHost:
        config = {**cloud_config(zpa_emulator, product, oneapi=oneapi), **extra}
        if not oneapi:
            host = _fresh_host(zpa_emulator, config).start()
            own.append(host)
            return host
        key = (TYPE_TOKEN, tuple(sorted(config.items())))
        host = _provider_hosts.get(key)
        if host is None:
            host = _provider_hosts[key] = _fresh_host(zpa_emulator, config).start()
        return host

    yield get
    for host in own:
        host.stop()


def _fresh_host(emulator: Any, config: dict[str, str]) -> ProviderHost:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_", "ZTW_"))}
    return ProviderHost(
        CloudServiceApiKeyProvider(), {**emulator.config, **config}, env=env, type_token=TYPE_TOKEN
    )


def _up(host: ProviderHost, emulator: Any, product: str, **inputs: Any) -> ResourceState:
    state = host.up("key", {"product": product, **inputs})
    emulator.clear_requests()
    return state


# -- create, no-op, check -------------------------------------------------------------------------


@pytest.mark.parametrize("oneapi", DOORS)
@pytest.mark.parametrize("product", PRODUCTS)
def test_create_adopts_the_organisations_key_with_one_get(
    cloud_host: HostFor, zpa_emulator: Any, product: str, oneapi: bool
) -> None:
    host = cloud_host(product, oneapi)
    zpa_emulator.clear_requests()

    state = host.up("key", {"product": product.lower()})

    live = stored_key(zpa_emulator, product)
    out = state.outputs
    assert cloud_calls(zpa_emulator) == [("GET", "/apiKeys")]
    assert state.id == out["key_id"] == KEY_IDS[product] == str(live["id"])
    assert out["key_value"] == live["keyValue"] == SEEDED_VALUES[product]  # adopted as it is
    assert (out["product"], out["tenant"], out["enabled"]) == (product, product.lower(), True)
    assert out["permissions"] == live["permissions"]
    assert out["last_modified_time"] == live["lastModifiedTime"]
    assert out["last_modified_by"] == live["lastModifiedBy"]["name"]
    assert (out["regenerate_on_create"], out["activate"]) == (False, True)
    assert not live["pendingActivation"]


def test_preview_of_an_unchanged_key_is_same_and_calls_nothing(
    cloud_host: HostFor, zpa_emulator: Any
) -> None:
    host = cloud_host("ZTW")
    state = _up(host, zpa_emulator, "ZTW", keepers={"rotation": "1"})
    for same in (
        {"product": "ZTW", "keepers": {"rotation": "1"}},
        {"product": "ztw", "keepers": {"rotation": "1"}, "tenant": "ztw"},
        {"product": "ZTW", "keepers": {"rotation": "1"}, "activate": False},  # no change alone
        {"product": "ZTW", "keepers": {"rotation": "1"}, "regenerate_on_create": True},
    ):
        assert host.preview("key", same, state).op == "same", same
    assert zpa_emulator.requests_log() == []


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("product", "ZPA", "must be one of ZIA, ZTW"),
        ("product", None, "required"),
        ("keepers", ["2027-Q1"], "mapping of strings"),
        ("activate", "yes", "true or false"),
        ("regenerate_on_create", 1, "true or false"),
        ("tenant", "zia emea", "config namespace"),
    ],
)
def test_bad_inputs_fail_at_preview_naming_the_field(
    cloud_host: HostFor, zpa_emulator: Any, field: str, value: Any, reason: str
) -> None:
    inputs = {"product": "ZIA", field: value}
    outcome = cloud_host("ZIA").preview("bad", inputs)
    ((named, text),) = outcome.failures
    assert named == field and reason in text
    assert zpa_emulator.requests_log() == []


# -- regeneration -----------------------------------------------------------------------------


@pytest.mark.parametrize("oneapi", DOORS)
@pytest.mark.parametrize("product", PRODUCTS)
def test_a_keepers_change_regenerates_in_place_and_activates(
    cloud_host: HostFor, zpa_emulator: Any, product: str, oneapi: bool
) -> None:
    host = cloud_host(product, oneapi)
    state = _up(host, zpa_emulator, product, keepers={"rotation": "2027-Q1"})
    rotated_inputs = {"product": product, "keepers": {"rotation": "2027-Q2"}}
    assert host.preview("key", rotated_inputs, state).op == "update"  # not a replacement

    rotated = host.up("key", rotated_inputs, state)

    live = stored_key(zpa_emulator, product)
    assert rotated.id == state.id == str(live["id"])
    assert rotated.outputs["key_value"] == live["keyValue"] != state.outputs["key_value"]
    assert cloud_calls(zpa_emulator) == [
        ("POST", f"/apiKeys/{state.id}/regenerate"), ACTIVATION[product],
    ]  # fmt: skip
    assert not live["pendingActivation"]
    assert rotated.outputs["keepers"] == {"rotation": "2027-Q2"}
    assert host.preview("key", rotated_inputs, rotated).op == "same"
    # The old value no longer opens a session; the new one does.
    assert sign_in(zpa_emulator, product, state.outputs["key_value"]).status_code == 401
    assert sign_in(zpa_emulator, product, rotated.outputs["key_value"]).status_code == 200


def test_activate_false_leaves_the_change_pending(cloud_host: HostFor, zpa_emulator: Any) -> None:
    host = cloud_host("ZIA", True)
    state = _up(host, zpa_emulator, "ZIA", activate=False)

    host.up("key", {"product": "ZIA", "activate": False, "keepers": {"r": "1"}}, state)

    assert cloud_calls(zpa_emulator) == [("POST", f"/apiKeys/{state.id}/regenerate")]
    assert stored_key(zpa_emulator, "ZIA")["pendingActivation"] is True


def test_regenerate_on_create_rotates_the_adopted_key_once(
    cloud_host: HostFor, zpa_emulator: Any
) -> None:
    host = cloud_host("ZTW", True)
    zpa_emulator.clear_requests()

    state = host.up("key", {"product": "ZTW", "regenerate_on_create": True})

    live = stored_key(zpa_emulator, "ZTW")
    assert state.outputs["key_value"] == live["keyValue"] != SEEDED_VALUES["ZTW"]
    assert cloud_calls(zpa_emulator) == [
        ("GET", "/apiKeys"), ("POST", f"/apiKeys/{state.id}/regenerate"), ACTIVATION["ZTW"],
    ]  # fmt: skip


# -- refresh, replace, destroy, get --------------------------------------------------------------


@pytest.mark.parametrize("oneapi", DOORS)
def test_refresh_shows_a_regeneration_in_the_portal_as_drift(
    cloud_host: HostFor, zpa_emulator: Any, oneapi: bool
) -> None:
    host = cloud_host("ZTW", oneapi)
    state = _up(host, zpa_emulator, "ZTW", keepers={"rotation": "a"})
    portal = out_of_band_regenerate(zpa_emulator, "ZTW")
    zpa_emulator.clear_requests()

    refreshed = host.refresh(state)

    assert refreshed is not None and refreshed.id == state.id
    assert refreshed.outputs["key_value"] == portal["keyValue"] != state.outputs["key_value"]
    assert refreshed.outputs["last_modified_by"] == portal["lastModifiedBy"]["name"]
    assert refreshed.inputs["keepers"] == {"rotation": "a"}
    assert cloud_calls(zpa_emulator) == [("GET", "/apiKeys")]
    assert host.preview("key", {"product": "ZTW", "keepers": {"rotation": "a"}}, refreshed).op == (
        "same"
    )


def test_refresh_of_a_key_id_the_organisation_no_longer_has_drops_it(
    cloud_host: HostFor, zpa_emulator: Any
) -> None:
    host = cloud_host("ZIA")
    state = _up(host, zpa_emulator, "ZIA")
    gone = ResourceState(state.name, "4999", state.inputs, {**state.outputs, "key_id": "4999"})
    assert host.refresh(gone) is None


@pytest.mark.parametrize(
    ("changes", "replaces"),
    [({"product": "ZIA"}, ["product"]), ({"tenant": "ztw-emea"}, ["tenant"])],
)
def test_product_or_tenant_changes_replace_and_forget_the_old_key(
    cloud_host: HostFor, zpa_emulator: Any, changes: dict[str, str], replaces: list[str]
) -> None:
    host = cloud_host(
        "ZTW", **cloud_config(zpa_emulator, "ZIA"),
        **cloud_config(zpa_emulator, "ZTW", namespace="ztw-emea"),
    )  # fmt: skip
    state = _up(host, zpa_emulator, "ZTW")
    new_inputs = {"product": "ZTW", **changes}
    preview = host.preview("key", new_inputs, state)
    assert (preview.op, preview.replaces, preview.delete_before_replace) == (
        "replace", replaces, False,
    )  # fmt: skip

    replaced = host.up("key", new_inputs, state)

    product = changes.get("product", "ZTW")
    assert replaced.outputs["key_value"] == stored_key(zpa_emulator, product)["keyValue"]
    assert cloud_calls(zpa_emulator) == [("GET", "/apiKeys")]  # the old key: forgotten only
    assert stored_key(zpa_emulator, "ZTW")["keyValue"] == SEEDED_VALUES["ZTW"]


def test_destroy_only_forgets_the_key_and_says_so(cloud_host: HostFor, zpa_emulator: Any) -> None:
    host = cloud_host("ZTW")
    state = _up(host, zpa_emulator, "ZTW", keepers={"rotation": "x"})

    host.destroy(state)
    host.destroy(state)

    assert zpa_emulator.requests_log() == []
    assert stored_key(zpa_emulator, "ZTW")["keyValue"] == state.outputs["key_value"]
    assert "removed from the stack only; the key itself is unchanged" in host.stderr_text()


def test_static_get_reads_the_key(cloud_host: HostFor, zpa_emulator: Any) -> None:
    host = cloud_host("ZIA", True)
    zpa_emulator.clear_requests()

    read = host.get("ref", KEY_IDS["ZIA"], {"product": "zia"})

    assert read.id == KEY_IDS["ZIA"] and read.outputs["key_value"] == SEEDED_VALUES["ZIA"]
    assert read.outputs["tenant"] == "zia"
    assert cloud_calls(zpa_emulator) == [("GET", "/apiKeys")]


# -- lost answers, errors ---------------------------------------------------------------------


def test_a_lost_regenerate_answer_is_settled_by_reading_the_key(
    cloud_host: HostFor, zpa_emulator: Any
) -> None:
    host = cloud_host("ZTW", True)
    state = _up(host, zpa_emulator, "ZTW")
    zpa_emulator.add_fault(method="POST", path_regex="regenerate$", action="drop_after")

    rotated = host.up("key", {"product": "ZTW", "keepers": {"r": "1"}}, state)

    live = stored_key(zpa_emulator, "ZTW")
    assert rotated.outputs["key_value"] == live["keyValue"] != SEEDED_VALUES["ZTW"]
    assert cloud_calls(zpa_emulator) == [
        ("POST", f"/apiKeys/{state.id}/regenerate"), ("GET", "/apiKeys"), ACTIVATION["ZTW"],
    ]  # one regeneration, not two  # fmt: skip


def test_a_regenerate_that_never_arrived_is_sent_once_more(
    cloud_host: HostFor, zpa_emulator: Any
) -> None:
    host = cloud_host("ZIA", True)
    state = _up(host, zpa_emulator, "ZIA")
    zpa_emulator.add_fault(method="POST", path_regex="regenerate$", action="drop_before")

    rotated = host.up("key", {"product": "ZIA", "keepers": {"r": "1"}}, state)

    assert rotated.outputs["key_value"] == stored_key(zpa_emulator, "ZIA")["keyValue"]
    regenerate = ("POST", f"/apiKeys/{state.id}/regenerate")
    assert cloud_calls(zpa_emulator) == [
        regenerate, ("GET", "/apiKeys"), regenerate, ACTIVATION["ZIA"],
    ]  # fmt: skip


def test_a_failed_activation_says_the_key_was_regenerated(
    cloud_host: HostFor, zpa_emulator: Any
) -> None:
    host = cloud_host("ZTW", True)
    state = _up(host, zpa_emulator, "ZTW")
    zpa_emulator.add_fault(method="PUT", path_regex="activate$", action="status", status=400)

    with pytest.raises(ProviderHostError) as err:
        host.up("key", {"product": "ZTW", "keepers": {"r": "1"}}, state)

    assert "the key was regenerated" in err.value.message and "pulumi refresh" in err.value.message
    assert stored_key(zpa_emulator, "ZTW")["keyValue"] not in err.value.details


# -- legacy sign-in and the key it uses ----------------------------------------------------------


@pytest.mark.parametrize("oneapi", DOORS)
def test_one_sign_in_per_process_for_many_operations(zpa_emulator: Any, oneapi: bool) -> None:
    with _fresh_host(zpa_emulator, cloud_config(zpa_emulator, "ZTW", oneapi=oneapi)) as host:
        zpa_emulator.clear_requests()
        state = host.up("key", {"product": "ZTW"})
        for _ in range(3):
            state = host.refresh(state) or state
        state = host.up("key", {"product": "ZTW", "keepers": {"r": "1"}}, state)
        host.refresh(state)
        assert len(cloud_calls(zpa_emulator)) == 7
        assert cloud_sign_ins(zpa_emulator) == 1
        # A session (or token) ended by the server: one new sign-in, the call sent once more.
        zpa_emulator.expire_tokens()
        assert host.refresh(state) is not None
        assert cloud_sign_ins(zpa_emulator) == 2


def test_legacy_rotation_keeps_this_process_signed_in_and_names_the_setting(
    zpa_emulator: Any,
) -> None:
    config = cloud_config(zpa_emulator, "ZTW")
    with _fresh_host(zpa_emulator, config) as host:
        state = host.up("key", {"product": "ZTW"})
        rotated = host.up("key", {"product": "ZTW", "keepers": {"r": "1"}}, state)
        message = [line for line in host.stderr_text().splitlines() if "regenerated" in line]
        # The old session ends; this process signs in again with the new value.
        zpa_emulator.expire_tokens()
        zpa_emulator.clear_requests()
        assert host.refresh(rotated) is not None
        assert cloud_sign_ins(zpa_emulator, "ZTW") == 1
    (line,) = message
    assert "ztw:apiKey (or env ZTW_API_KEY)" in line and "OneAPI (ztw:clientId)" in line
    assert rotated.outputs["key_value"] not in line and SEEDED_VALUES["ZTW"] not in line

    # The next run still reads the old key from its config: refused, naming the setting.
    with _fresh_host(zpa_emulator, config) as next_run, pytest.raises(ProviderHostError) as err:
        next_run.refresh(rotated)
    assert "ztw:apiKey" in err.value.message and "new value" in err.value.message
    for secret in (SEEDED_VALUES["ZTW"], rotated.outputs["key_value"], "emulator-password"):
        assert secret not in err.value.details
    # With the new value it signs in again.
    new_config = cloud_config(zpa_emulator, "ZTW", api_key=rotated.outputs["key_value"])
    with _fresh_host(zpa_emulator, new_config) as fixed:
        assert fixed.refresh(rotated) is not None


def test_missing_settings_fail_in_one_line_naming_them(zpa_emulator: Any) -> None:
    with _fresh_host(zpa_emulator, {}) as host, pytest.raises(ProviderHostError) as err:
        host.up("key", {"product": "ZIA"})
    assert "zia:clientId" in err.value.message and "zia:apiKey" in err.value.message


def test_a_session_of_one_product_never_reaches_the_other(zpa_emulator: Any) -> None:
    zia = requests.Session()
    assert sign_in(zpa_emulator, "ZIA", SEEDED_VALUES["ZIA"], session=zia).status_code == 200
    listed = zia.get(f"{zpa_emulator.url}/api/v1/apiKeys", timeout=10).json()
    assert [k["keyValue"] for k in listed] == [SEEDED_VALUES["ZIA"]]
    ztw_only = zia.put(f"{zpa_emulator.url}/api/v1/ecAdminActivateStatus/activate", timeout=10)
    assert ztw_only.status_code == 404
    zia.close()


def test_paced_calls_stay_within_the_products_budget(zpa_emulator: Any) -> None:
    zpa_emulator.configure(rate_limit=True, write_per_window=3, window_s=1.0)
    config = cloud_config(
        zpa_emulator, "ZIA", oneapi=True, rateLimitWrites="3", rateLimitWindowSeconds="1",
        rateLimitShared="false",
    )  # fmt: skip
    with _fresh_host(zpa_emulator, config) as host:
        state = host.up("key", {"product": "ZIA"})
        for rotation in range(3):
            state = host.up("key", {"product": "ZIA", "keepers": {"r": str(rotation)}}, state)
    statuses = [r["status"] for r in zpa_emulator.requests_log()]
    assert 429 not in statuses and len(cloud_calls(zpa_emulator)) == 7


def test_oneapi_sign_in_with_a_private_key_reaches_the_product(zpa_emulator: Any) -> None:
    key = pki.rsa_key("cloud")
    client = f"cloud-{uuid.uuid4().hex[:12]}"
    zpa_emulator.register_client(client, public_jwk(key))
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    config = {"zia:clientId": client, "zia:privateKey": pem, "zia:baseUrl": zpa_emulator.url}
    with _fresh_host(zpa_emulator, config) as host:
        zpa_emulator.clear_requests()
        state = host.up("key", {"product": "ZIA"})
        host.up("key", {"product": "ZIA", "keepers": {"r": "1"}}, state)
    assert state.outputs["key_value"] == SEEDED_VALUES["ZIA"]
    tokens = [r for r in zpa_emulator.requests_log() if r["path"] == "/oauth2/v1/token"]
    assert [r["status"] for r in tokens] == [200]  # one token for the process
    assert len(cloud_calls(zpa_emulator)) == 3
    assert pem not in host.stderr_text()
