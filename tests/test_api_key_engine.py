"""ApiKey through the engine path: the SDK's provider host over gRPC, against the emulator.

The client secret is in ZPA's create answer only: it must be kept from there through every
later read and update, and a lost create answer must end in exactly one key whose secret the
stack holds. Request counts asserted here are the ones quoted in docs/resources.md.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from support import call_segments

from pulumi_zpa_pkeys.api_key import ApiKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError, ResourceState

KEYS = "/mgmtconfig/v1/admin/customers/{cid}/apiKeys"


@pytest.fixture
def host(host_for: Any) -> ProviderHost:
    provider_host: ProviderHost = host_for(ApiKeyProvider())
    return provider_host


def _inputs(name_: str, **changes: Any) -> dict[str, Any]:
    return {"name": name_, "role_id": "28", **changes}


_calls = call_segments


def _stored(emulator: Any, name: str | None = None) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = emulator.state()["apiKeys"]
    return [k for k in keys if name is None or k["name"] == name]


def _up(host: ProviderHost, emulator: Any, name: str, **changes: Any) -> ResourceState:
    state = host.up(name, _inputs(name, **changes))
    emulator.clear_requests()
    return state


def _api(emulator: Any, method: str, path: str = "", **kwargs: Any) -> requests.Response:
    url = emulator.url + "/zpa" + KEYS.format(cid=emulator.customer_id) + path
    headers = {"Authorization": f"Bearer {emulator.token()}"}
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


# -- create and no-op ----------------------------------------------------------------------


def test_create_is_one_post_and_keeps_the_secret_from_its_answer(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    zpa_emulator.clear_requests()
    state = host.up("ci", _inputs("ci"))

    assert _calls(zpa_emulator) == [("POST", "apiKeys")]
    (live,) = _stored(zpa_emulator, "ci")
    out = state.outputs
    assert state.id == live["id"]
    assert (out["client_id"], out["client_secret"]) == (live["clientId"], live["clientSecret"])
    assert (out["role_id"], out["enabled"], out["token_expiry_time_in_sec"]) == ("28", True, 3600)
    assert live["tokenExpiryTimeInSec"] == "3600"  # sent as ZPA writes it
    assert out["creation_time"] > 0 and out["modified_time"] > 0


def test_preview_of_an_unchanged_key_is_same_and_calls_nothing(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(host, zpa_emulator, "same")
    for same in (_inputs("same"), _inputs("same", token_expiry_time_in_sec="3600"),
                 _inputs("same", role_id=28, keepers={})):  # fmt: skip
        assert host.preview("same", same, state).op == "same"
    assert _calls(zpa_emulator) == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"token_expiry_time_in_sec": 3601}, "at most 3600"),
        ({"role_id": "admin"}, "numeric id"),
        ({"role_id": None}, "a value is required"),
    ],
)
def test_bad_inputs_fail_at_preview_naming_the_field(
    host: ProviderHost, zpa_emulator: Any, changes: dict[str, Any], reason: str
) -> None:
    outcome = host.preview("bad", _inputs("bad", **changes))
    ((field, text),) = outcome.failures
    assert field == next(iter(changes)) and reason in text
    assert _calls(zpa_emulator) == []


# -- in-place updates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "api_field", "expected"),
    [
        ({"name": "ci-renamed"}, "name", "ci-renamed"),
        ({"enabled": False}, "enabled", False),
        ({"role_id": "29"}, "roleId", "29"),
        ({"token_expiry_time_in_sec": 900}, "tokenExpiryTimeInSec", "900"),
    ],
)
def test_in_place_change_is_one_put_and_one_get_and_keeps_the_secret(
    host: ProviderHost, zpa_emulator: Any, changes: dict[str, Any], api_field: str, expected: Any
) -> None:
    state = _up(host, zpa_emulator, "upd")
    new_inputs = {**_inputs("upd"), **changes}
    assert host.preview("upd", new_inputs, state).op == "update"

    updated = host.up("upd", new_inputs, state)

    assert updated.id == state.id
    (live,) = [k for k in _stored(zpa_emulator) if k["id"] == state.id]
    assert live[api_field] == expected
    assert _calls(zpa_emulator) == [("PUT", state.id), ("GET", state.id)]
    assert updated.outputs["client_secret"] == state.outputs["client_secret"]


# -- replacements --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes", [{"keepers": {"rotation": "2027-Q1"}}, {"microtenant_id": "42"}]
)
def test_keepers_or_microtenant_replace_the_key_with_a_new_secret(
    host: ProviderHost, zpa_emulator: Any, changes: dict[str, Any]
) -> None:
    state = _up(host, zpa_emulator, "rot")
    new_inputs = _inputs("rot", **changes)
    preview = host.preview("rot", new_inputs, state)
    collides = "keepers" in changes  # a new microtenant holds no key of that name
    assert (preview.op, preview.replaces, preview.delete_before_replace) == (
        "replace", list(changes), collides,
    )  # fmt: skip

    rotated = host.up("rot", new_inputs, state)

    (live,) = _stored(zpa_emulator, "rot")
    assert rotated.id == live["id"] != state.id
    assert rotated.outputs["client_secret"] == live["clientSecret"]
    assert rotated.outputs["client_secret"] != state.outputs["client_secret"]
    calls = [m for m, _ in _calls(zpa_emulator)]
    assert calls == (["DELETE", "POST"] if collides else ["POST", "DELETE"])
    assert host.preview("rot", new_inputs, rotated).op == "same"


# -- refresh, destroy ------------------------------------------------------------------------


def test_refresh_shows_drift_and_never_blanks_the_secret(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(host, zpa_emulator, "drift")
    body = {"name": "drift-edited", "enabled": False, "roleId": "28",
            "tokenExpiryTimeInSec": "600"}  # fmt: skip
    assert _api(zpa_emulator, "PUT", f"/{state.id}", json=body).status_code == 204
    zpa_emulator.clear_requests()

    refreshed = host.refresh(state)

    assert refreshed is not None
    for props in (refreshed.outputs, refreshed.inputs):
        assert (props["name"], props["enabled"], props["token_expiry_time_in_sec"]) == (
            "drift-edited", False, 600,
        )  # fmt: skip
    assert refreshed.outputs["client_secret"] == state.outputs["client_secret"]
    assert _calls(zpa_emulator) == [("GET", state.id)]
    assert host.preview("drift", _inputs("drift"), refreshed).op == "update"


def test_refresh_after_an_out_of_band_delete_drops_the_resource(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(host, zpa_emulator, "gone")
    assert _api(zpa_emulator, "DELETE", f"/{state.id}").status_code == 204
    assert host.refresh(state) is None


def test_destroy_twice_succeeds_with_one_delete_each(host: ProviderHost, zpa_emulator: Any) -> None:
    state = _up(host, zpa_emulator, "twice")
    host.destroy(state)
    host.destroy(state)
    assert _stored(zpa_emulator) == []
    assert _calls(zpa_emulator) == [("DELETE", state.id), ("DELETE", state.id)]


# -- adopt, get, lost answers, errors ----------------------------------------------------------


def test_adopt_existing_takes_the_key_over_without_a_secret_it_cannot_read(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    created = _api(zpa_emulator, "POST", json={"name": "legacy", "roleId": "28"}).json()
    zpa_emulator.clear_requests()

    state = host.up("legacy", _inputs("legacy", token_expiry_time_in_sec=900, adopt_existing=True))

    assert state.id == created["id"] and state.outputs["client_id"] == created["clientId"]
    assert state.outputs.get("client_secret") is None
    assert [k["tokenExpiryTimeInSec"] for k in _stored(zpa_emulator, "legacy")] == ["900"]
    assert [m for m, _ in _calls(zpa_emulator)] == ["GET", "PUT", "GET"]


def test_adopt_existing_looks_only_in_the_declared_microtenant(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    _api(zpa_emulator, "POST", json={"name": "elsewhere", "roleId": "28"})
    state = host.up("elsewhere", _inputs("elsewhere", microtenant_id="42", adopt_existing=True))
    assert len(_stored(zpa_emulator, "elsewhere")) == 2  # the other microtenant's is untouched
    assert state.outputs["client_secret"]


def test_static_get_reads_an_existing_key(host: ProviderHost, zpa_emulator: Any) -> None:
    created = _api(zpa_emulator, "POST", json={"name": "ref", "roleId": "28"}).json()
    zpa_emulator.clear_requests()
    read = host.get("ref", created["id"], {"microtenant_id": None})
    assert read.id == created["id"] and read.outputs["client_id"] == created["clientId"]
    assert read.outputs.get("client_secret") is None
    assert _calls(zpa_emulator) == [("GET", created["id"])]


def test_lost_create_answer_recovers_a_key_whose_secret_the_stack_holds(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex="apiKeys$", action="drop_after")
    zpa_emulator.clear_requests()

    state = host.up("lost", _inputs("lost"))

    (live,) = _stored(zpa_emulator, "lost")
    assert state.id == live["id"]
    assert state.outputs["client_secret"] == live["clientSecret"]
    # the search finds the key, its secret went with the answer: delete, create again
    assert [m for m, _ in _calls(zpa_emulator)] == ["POST", "GET", "DELETE", "POST"]


def test_a_duplicate_name_fails_as_one_line_without_any_secret(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    first = _up(host, zpa_emulator, "dup")
    with pytest.raises(ProviderHostError) as err:
        host.up("dup-2", _inputs("DUP"))
    assert "create API key 'DUP'" in err.value.message and "400" in err.value.message
    assert first.outputs["client_secret"] not in err.value.details
