"""Two ways an object or its secret could be lost, through the SDK's provider host against the
emulator:

* a replacement that moves an object to another microtenant (or tenant, see test_tenants.py)
  cannot collide with the old object's name, so it creates first: a create that fails leaves
  the old object where it was;
* a secret ZPA shows only in the create answer (an API key's ``client_secret``) is kept from
  there: a read that carries something else (a mask such as ``********``) never replaces it,
  on refresh or on update.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from support import key_inputs, keys_named

from pulumi_zpa_pkeys.api_key import ApiKeyProvider
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError

MASK = "********"


def test_microtenant_move_whose_create_fails_leaves_the_key_where_it_was(
    host_for: Any, zpa_emulator: Any
) -> None:
    host: ProviderHost = host_for(ProvisioningKeyProvider())
    state = host.up("stays", key_inputs("stays"))
    zpa_emulator.add_fault(method="POST", path_regex="provisioningKey$", status=400)

    with pytest.raises(ProviderHostError):
        host.up("stays", key_inputs("stays", microtenant_id="42"), state)

    assert [str(k["id"]) for k in keys_named(zpa_emulator, "stays")] == [state.id]
    assert host.refresh(state) is not None


def _api_key_host(host_for: Any) -> ProviderHost:
    host: ProviderHost = host_for(ApiKeyProvider())
    return host


def _answer_get_with_a_masked_secret(emulator: Any, key_id: str, **changes: Any) -> None:
    """The next GET of the key answers ZPA's object (with ``changes``, as it will be after an
    update) with ``clientSecret`` masked."""
    url = f"{emulator.url}/zpa/mgmtconfig/v1/admin/customers/{emulator.customer_id}/apiKeys"
    headers = {"Authorization": f"Bearer {emulator.token()}"}
    live = requests.get(f"{url}/{key_id}", headers=headers, timeout=10).json()
    emulator.add_fault(
        method="GET",
        path_regex=f"apiKeys/{key_id}$",
        action="answer",
        status=200,
        body=json.dumps({**live, **changes, "clientSecret": MASK}),
        content_type="application/json",
    )


def test_refresh_whose_answer_masks_the_api_key_secret_keeps_the_secret(
    host_for: Any, zpa_emulator: Any
) -> None:
    host = _api_key_host(host_for)
    state = host.up("masked", {"name": "masked", "role_id": "28"})
    secret = state.outputs["client_secret"]
    assert secret and secret != MASK
    _answer_get_with_a_masked_secret(zpa_emulator, state.id)

    refreshed = host.refresh(state)

    assert refreshed is not None and refreshed.outputs["client_secret"] == secret


def test_update_whose_read_back_masks_the_api_key_secret_keeps_the_secret(
    host_for: Any, zpa_emulator: Any
) -> None:
    host = _api_key_host(host_for)
    state = host.up("masked-update", {"name": "masked-update", "role_id": "28"})
    secret = state.outputs["client_secret"]
    _answer_get_with_a_masked_secret(zpa_emulator, state.id, enabled=False)

    updated = host.up(
        "masked-update", {"name": "masked-update", "role_id": "28", "enabled": False}, state
    )

    assert updated.outputs["enabled"] is False
    assert updated.outputs["client_secret"] == secret
