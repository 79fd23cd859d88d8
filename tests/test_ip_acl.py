"""`ip_acl` on ProvisioningKey: who may enroll with the key (ZPA's `ipAcl`). Updated in place,
compared as a set of networks; undeclared leaves ZPA's list alone, `[]` clears it."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from support import key_body, key_inputs, keys_named

from pulumi_zpa_pkeys.provisioning_key import check_inputs, diff_inputs
from pulumi_zpa_pkeys.testing import ProviderHost


def _olds(acl: Any) -> dict[str, Any]:
    inputs, _ = check_inputs(key_inputs("k"))
    return {**inputs, "microtenant_id": None, "ip_acl": acl}


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        (["1.2.3.4", "10.0.0.0/8"], ["10.0.0.0/8", "1.2.3.4"], False),  # order
        (["1.2.3.4"], ["1.2.3.4/32"], False),  # a host is its /32
        (["2001:db8::1"], ["2001:db8::1/128"], False),
        (["1.2.3.4"], ["1.2.3.4", "1.2.3.4"], False),  # duplicates
        (None, [], False),
        (["1.2.3.4"], ["1.2.3.5"], True),
        (["1.2.3.4"], [], True),  # [] clears
        (None, ["1.2.3.4"], True),
    ],
)
def test_diff_compares_ip_acl_as_a_set_of_networks(old: Any, new: Any, changed: bool) -> None:
    news, failures = check_inputs(key_inputs("k", ip_acl=new))
    assert failures == []
    result = diff_inputs(_olds(old), news)
    assert (bool(result.changes), result.replaces) == (changed, [])


def test_undeclared_ip_acl_is_no_change() -> None:
    news, _ = check_inputs(key_inputs("k"))
    assert diff_inputs(_olds(["1.2.3.4"]), news).changes is False


@pytest.mark.parametrize("value", [["1.2.3.4", "not-an-ip"], ["1.2.3.400"], "1.2.3.4", [None], [7]])
def test_check_refuses_entries_that_are_not_ips_or_networks(value: Any) -> None:
    _, failures = check_inputs(key_inputs("k", ip_acl=value))
    assert [f.property for f in failures] == ["ip_acl"]
    assert "not-an-ip" not in failures[0].reason


def test_ip_acl_lifecycle_through_the_provider_host(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = provider_host.up("acl", key_inputs("acl", ip_acl=["10.0.0.0/8", "192.0.2.7"]))
    (stored,) = keys_named(zpa_emulator, "acl")
    assert stored["ipAcl"] == ["10.0.0.0/8", "192.0.2.7"]
    assert state.outputs["ip_acl"] == ["10.0.0.0/8", "192.0.2.7"]

    reordered = key_inputs("acl", ip_acl=["192.0.2.7/32", "10.0.0.0/8"])
    assert provider_host.preview("acl", reordered, state).op == "same"

    grown = key_inputs("acl", ip_acl=["10.0.0.0/8", "192.0.2.7", "198.51.100.0/24"])
    assert provider_host.preview("acl", grown, state).op == "update"
    state = provider_host.up("acl", grown, state)
    assert keys_named(zpa_emulator, "acl")[0]["ipAcl"][-1] == "198.51.100.0/24"

    # Not declared any more: ZPA's list is left alone.
    assert provider_host.preview("acl", key_inputs("acl"), state).op == "same"

    cleared = provider_host.up("acl", key_inputs("acl", ip_acl=[]), state)
    assert "ipAcl" not in keys_named(zpa_emulator, "acl")[0]
    assert cleared.outputs.get("ip_acl") in (None, [])


def test_ip_acl_drift_is_seen_by_refresh(provider_host: ProviderHost, zpa_emulator: Any) -> None:
    state = provider_host.up("drift-acl", key_inputs("drift-acl", ip_acl=["10.0.0.0/8"]))
    zpa_emulator.patch_key(state.id, ipAcl=["172.16.0.0/12"])
    refreshed = provider_host.refresh(state)
    assert refreshed is not None and refreshed.outputs["ip_acl"] == ["172.16.0.0/12"]
    back = provider_host.preview(
        "drift-acl", key_inputs("drift-acl", ip_acl=["10.0.0.0/8"]), refreshed
    )
    assert back.op == "update"


def test_emulator_refuses_a_bad_ip_acl_and_put_replaces_it(zpa_emulator: Any) -> None:
    token = zpa_emulator.token()
    base = f"{zpa_emulator.api_base}/v1/admin/customers/{zpa_emulator.customer_id}"
    url = f"{base}/associationType/CONNECTOR_GRP/provisioningKey"
    headers = {"Authorization": f"Bearer {token}"}
    bad = requests.post(url, json=key_body("bad-acl", ipAcl=["nope"]), headers=headers, timeout=10)
    assert bad.status_code == 400 and bad.json()["params"] == ["ipAcl"]
    made = requests.post(
        url, json=key_body("ok-acl", ipAcl=["1.2.3.4"]), headers=headers, timeout=10
    )
    assert made.status_code == 200 and made.json()["ipAcl"] == ["1.2.3.4"]
    key_id = made.json()["id"]
    kept = requests.put(f"{url}/{key_id}", json={"maxUsage": 5}, headers=headers, timeout=10)
    assert kept.status_code == 204
    assert keys_named(zpa_emulator, "ok-acl")[0]["ipAcl"] == ["1.2.3.4"]
    replaced = requests.put(
        f"{url}/{key_id}", json={"ipAcl": ["5.6.7.8"]}, headers=headers, timeout=10
    )
    assert replaced.status_code == 204
    assert keys_named(zpa_emulator, "ok-acl")[0]["ipAcl"] == ["5.6.7.8"]
