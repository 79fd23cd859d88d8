"""ProvisioningKey through the engine path: the SDK's provider host over gRPC, against the emulator.

Every test drives `python -m pulumi.dynamic` the way the Pulumi engine does (Configure, then
Check/Diff/Create/Read/Update/Delete with the pickled provider) and checks the emulator's state and
request log. Request counts asserted here are the ones quoted in docs/resources.md.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
import requests
from support import (
    CONNECTOR_CERT,
    CONNECTOR_GROUP,
    SERVICE_EDGE_CERT,
    SERVICE_EDGE_GROUP,
    call_segments,
    key_inputs,
    keys_named,
    sign_ins,
)

from pulumi_zpa_pkeys._host import transport as transport_for
from pulumi_zpa_pkeys.provisioning_key import create_key, keys
from pulumi_zpa_pkeys.settings import Settings
from pulumi_zpa_pkeys.testing import UNKNOWN, ProviderHost, ProviderHostError, ResourceState

_inputs = key_inputs


_api_calls = call_segments


def _key(emulator: Any, key_id: str) -> dict[str, Any]:
    (key,) = [k for k in keys_named(emulator) if str(k["id"]) == key_id]
    return key


def _up(host: ProviderHost, emulator: Any, name: str, **changes: Any) -> ResourceState:
    state = host.up(name, _inputs(name, **changes))
    emulator.clear_requests()
    return state


# -- create and no-op ----------------------------------------------------------------------


def test_create_returns_every_output_in_two_api_calls(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    zpa_emulator.clear_requests()
    state = provider_host.up("web", _inputs("web"))

    assert state.id.isdigit()
    out = state.outputs
    live = _key(zpa_emulator, state.id)
    assert out["provisioning_key"] == live["provisioningKey"]
    assert out["provisioning_key"].startswith("3|")
    assert out["name"] == "web" and out["max_usage"] == 2 and out["usage_count"] == 0
    assert out["zcomponent_name"] == "Emulator Connector Group"
    assert out["enrollment_cert_name"] == "Connector"
    assert out["creation_time"] > 0 and out["modified_time"] > 0
    assert out["enabled"] is True and out["exportable"] is True
    assert _api_calls(zpa_emulator) == [("POST", "provisioningKey"), ("GET", state.id)]


def test_preview_of_unchanged_key_is_same_and_calls_nothing(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "same")
    assert provider_host.preview("same", _inputs("same", max_usage="2"), state).op == "same"
    assert provider_host.preview("same", _inputs("same", max_usage=2.0), state).op == "same"
    assert _api_calls(zpa_emulator) == []


def test_preview_of_new_key_with_unknown_group_is_create(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    outcome = provider_host.preview("fresh", _inputs("fresh", zcomponent_id=UNKNOWN))
    assert (outcome.op, outcome.failures) == ("create", [])
    assert _api_calls(zpa_emulator) == []


def test_check_failure_reaches_engine_as_property_and_reason(provider_host: ProviderHost) -> None:
    outcome = provider_host.check("bad", _inputs("bad", max_usage=0, association_type="NOPE"))
    failures = dict(outcome.failures)
    assert set(failures) == {"max_usage", "association_type"}
    assert "at least 1" in failures["max_usage"]


# -- in-place updates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "api_field", "expected"),
    [
        ({"name": "upd-renamed"}, "name", "upd-renamed"),
        ({"max_usage": 9}, "maxUsage", "9"),
        ({"enabled": False}, "enabled", False),
        ({"exportable": False}, "exportable", False),
    ],
)
def test_in_place_change_is_one_put_and_one_get(
    provider_host: ProviderHost,
    zpa_emulator: Any,
    changes: dict[str, Any],
    api_field: str,
    expected: Any,
) -> None:
    state = _up(provider_host, zpa_emulator, "upd")
    new_inputs = _inputs("upd", **changes)
    assert provider_host.preview("upd", new_inputs, state).op == "update"

    new_state = provider_host.up("upd", new_inputs, state)

    assert new_state.id == state.id
    assert _key(zpa_emulator, state.id)[api_field] == expected
    assert _api_calls(zpa_emulator) == [("PUT", state.id), ("GET", state.id)]
    assert new_state.outputs["provisioning_key"] == state.outputs["provisioning_key"]
    assert new_state.outputs[next(iter(changes))] == next(iter(changes.values()))


def test_disabling_then_enabling_sends_enabled_both_ways(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "toggle")
    state = provider_host.up("toggle", _inputs("toggle", enabled=False), state)
    assert _key(zpa_emulator, state.id)["enabled"] is False
    state = provider_host.up("toggle", _inputs("toggle", enabled=True), state)
    assert _key(zpa_emulator, state.id)["enabled"] is True


# -- replacements --------------------------------------------------------------------------


def _second_connector_group(emulator: Any) -> str:
    """A second App Connector group, made through the API (the client has no group calls)."""
    token = requests.post(
        f"{emulator.url}/oauth2/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
            "audience": "https://api.zscaler.com",
        },
        timeout=10,
    ).json()["access_token"]
    response = requests.post(
        f"{emulator.url}/zpa/mgmtconfig/v1/admin/customers/{emulator.customer_id}/appConnectorGroup",
        json={"name": "second group", "enabled": True},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize(
    "field", ["association_type", "zcomponent_id", "enrollment_cert_id", "microtenant_id"]
)
def test_replace_field_change_deletes_first_only_where_the_new_key_would_collide(
    provider_host: ProviderHost, zpa_emulator: Any, field: str
) -> None:
    changes: dict[str, Any] = {
        "association_type": {
            "association_type": "SERVICE_EDGE_GRP",
            "zcomponent_id": SERVICE_EDGE_GROUP,
            "enrollment_cert_id": SERVICE_EDGE_CERT,
        },
        "enrollment_cert_id": {"enrollment_cert_id": "6571"},
        "microtenant_id": {"microtenant_id": "42"},
    }.get(field, {})
    if field == "zcomponent_id":
        changes = {"zcomponent_id": _second_connector_group(zpa_emulator)}
    state = _up(provider_host, zpa_emulator, "rep")
    new_inputs = _inputs("rep", **changes)

    # Names are unique per association type and microtenant: a key moving to another one
    # cannot collide with its old self, so it is created first.
    moves = field in ("association_type", "microtenant_id")
    preview = provider_host.preview("rep", new_inputs, state)
    assert (preview.op, preview.delete_before_replace) == ("replace", not moves)
    assert field in preview.replaces
    zpa_emulator.clear_requests()

    new_state = provider_host.up("rep", new_inputs, state)

    assert new_state.id != state.id
    assert [k["id"] for k in keys_named(zpa_emulator, "rep")] == [new_state.id]
    methods = [m for m, _ in _api_calls(zpa_emulator)]
    assert methods == (["POST", "GET", "DELETE"] if moves else ["DELETE", "POST", "GET"])
    assert new_state.outputs["provisioning_key"] != state.outputs["provisioning_key"]


def test_replacement_that_renames_creates_before_deleting(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "old-name")
    new_inputs = _inputs("new-name", enrollment_cert_id="6571")
    preview = provider_host.preview("old-name", new_inputs, state)
    assert (preview.op, preview.delete_before_replace) == ("replace", False)
    zpa_emulator.clear_requests()

    provider_host.up("old-name", new_inputs, state)

    assert [m for m, _ in _api_calls(zpa_emulator)] == ["POST", "GET", "DELETE"]
    assert keys_named(zpa_emulator, "old-name") == []


def test_exportable_false_to_true_replaces_and_true_to_false_updates(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "exp")
    assert provider_host.preview("exp", _inputs("exp", exportable=False), state).op == "update"
    hidden = provider_host.up("exp", _inputs("exp", exportable=False), state)
    back = provider_host.preview("exp", _inputs("exp", exportable=True), hidden)
    assert (back.op, back.replaces) == ("replace", ["exportable"])


def test_preview_with_unknown_replacing_field_reports_possible_replacement(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "unk")
    outcome = provider_host.preview("unk", _inputs("unk", zcomponent_id=UNKNOWN), state)
    assert (outcome.op, outcome.replaces) == ("replace", ["zcomponent_id"])
    assert provider_host.preview("unk", _inputs("unk", max_usage=UNKNOWN), state).op == "update"
    assert _api_calls(zpa_emulator) == []


# -- refresh -------------------------------------------------------------------------------


def test_refresh_shows_drift_as_outputs_and_inputs(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "drift")
    zpa_emulator.patch_key(state.id, name="drift-edited", maxUsage="7", enabled=False)

    refreshed = provider_host.refresh(state)

    assert refreshed is not None
    for props in (refreshed.outputs, refreshed.inputs):
        assert (props["name"], props["max_usage"], props["enabled"]) == ("drift-edited", 7, False)
    assert refreshed.outputs["provisioning_key"] == state.outputs["provisioning_key"]
    assert _api_calls(zpa_emulator) == [("GET", state.id)]
    assert provider_host.preview("drift", _inputs("drift"), refreshed).op == "update"


def test_refresh_after_out_of_band_delete_drops_the_resource(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "gone")
    keys(transport_for(Settings.from_config(zpa_emulator.config)), "CONNECTOR_GRP").delete(state.id)
    assert provider_host.refresh(state) is None


def test_destroy_twice_succeeds(provider_host: ProviderHost, zpa_emulator: Any) -> None:
    state = _up(provider_host, zpa_emulator, "twice")
    provider_host.destroy(state)
    provider_host.destroy(state)
    assert keys_named(zpa_emulator, "twice") == []
    assert _api_calls(zpa_emulator) == [("DELETE", state.id), ("DELETE", state.id)]


# -- hidden, read-only, adopted, lost --------------------------------------------------------


def test_hidden_key_keeps_its_value_from_state(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "hidden", exportable=False)
    secret = state.outputs["provisioning_key"]
    assert secret and secret == _key(zpa_emulator, state.id)["provisioningKey"]

    refreshed = provider_host.refresh(state)
    assert refreshed is not None and refreshed.outputs["provisioning_key"] == secret
    updated = provider_host.up(
        "hidden", _inputs("hidden", exportable=False, max_usage=5), refreshed
    )
    assert updated.outputs["provisioning_key"] == secret


def test_deception_key_update_and_delete_fail_with_clear_message(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "decoy")
    zpa_emulator.patch_key(state.id, readOnly=True)

    with pytest.raises(ProviderHostError) as update_error:
        provider_host.up("decoy", _inputs("decoy", max_usage=4), state)
    with pytest.raises(ProviderHostError) as delete_error:
        provider_host.destroy(state)

    for err in (update_error.value, delete_error.value):
        assert "read-only" in err.message and "Deception" in err.message
        assert state.outputs["provisioning_key"] not in err.details
    assert _key(zpa_emulator, state.id)["maxUsage"] == "2"


def test_adopt_existing_takes_over_key_and_applies_in_place_values(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    client = transport_for(Settings.from_config(zpa_emulator.config))
    existing = create_key(
        keys(client, "CONNECTOR_GRP"),
        {
            "name": "legacy",
            "maxUsage": "1",
            "enrollmentCertId": CONNECTOR_CERT,
            "zcomponentId": CONNECTOR_GROUP,
        },
    )
    zpa_emulator.clear_requests()

    state = provider_host.up("legacy", _inputs("legacy", max_usage=3, adopt_existing=True))

    assert state.id == str(existing["id"])
    assert [k["maxUsage"] for k in keys_named(zpa_emulator, "legacy")] == ["3"]
    assert state.outputs["provisioning_key"] == existing["provisioningKey"]
    assert [m for m, _ in _api_calls(zpa_emulator)] == ["GET", "PUT", "GET"]


def test_adopt_existing_refuses_key_whose_group_differs(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    client = transport_for(Settings.from_config(zpa_emulator.config))
    create_key(
        keys(client, "CONNECTOR_GRP"),
        {
            "name": "other",
            "maxUsage": "1",
            "enrollmentCertId": "6571",
            "zcomponentId": CONNECTOR_GROUP,
        },
    )
    with pytest.raises(ProviderHostError) as err:
        provider_host.up("other", _inputs("other", adopt_existing=True))
    assert "cannot adopt" in err.value.message and "enrollment_cert_id" in err.value.message
    assert len(keys_named(zpa_emulator, "other")) == 1


def test_adopt_existing_refuses_read_only_key(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(provider_host, zpa_emulator, "ro")
    zpa_emulator.patch_key(state.id, readOnly=True)
    with pytest.raises(ProviderHostError) as err:
        provider_host.up("ro", _inputs("ro", adopt_existing=True))
    assert "read-only" in err.value.message


@pytest.mark.parametrize("exportable", [True, False])
def test_lost_create_answer_leaves_exactly_one_key_with_its_secret(
    provider_host: ProviderHost, zpa_emulator: Any, exportable: bool
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex="provisioningKey$", action="drop_after")

    zpa_emulator.clear_requests()

    state = provider_host.up("lost", _inputs("lost", exportable=exportable))

    (key,) = keys_named(zpa_emulator, "lost")
    assert state.id == str(key["id"])
    assert state.outputs["provisioning_key"] == key["provisioningKey"]
    # exportable: the name lookup returns the key with its secret; hidden: delete, create again
    expected = ["POST", "GET"] if exportable else ["POST", "GET", "DELETE", "POST", "GET"]
    assert [m for m, _ in _api_calls(zpa_emulator)] == expected


def test_four_concurrent_creates_sign_in_once_and_make_fourkeys_named(zpa_emulator: Any) -> None:
    from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider

    config = {**zpa_emulator.config, "zpa:requestTimeoutSeconds": "29"}  # a fresh host process
    with ProviderHost(ProvisioningKeyProvider(), config) as host:
        zpa_emulator.clear_requests()
        names = [f"conc-{i}" for i in range(4)]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            states = list(pool.map(lambda n: host.up(n, _inputs(n)), names))

    assert len({s.id for s in states}) == 4
    assert (
        sorted(k["name"] for k in keys_named(zpa_emulator) if k["name"].startswith("conc-"))
        == names
    )
    assert sign_ins(zpa_emulator) == 1


def test_missing_credentials_fail_with_one_line_naming_config_key(zpa_emulator: Any) -> None:
    from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider

    config = {k: v for k, v in zpa_emulator.config.items() if k != "zpa:clientSecret"}
    with (
        ProviderHost(ProvisioningKeyProvider(), config) as host,
        pytest.raises(ProviderHostError) as err,
    ):
        host.up("nocreds", _inputs("nocreds"))
    assert "zpa:clientSecret" in err.value.message and "ZSCALER_CLIENT_SECRET" in err.value.message
