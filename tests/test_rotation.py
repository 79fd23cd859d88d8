"""Rotation with `keepers`: never sent to ZPA; any change replaces the key (one config change),
and an undeclared or empty mapping is no change."""

from __future__ import annotations

from typing import Any

import pytest
from support import key_inputs, keys_named

from pulumi_zpa_pkeys.provisioning_key import SCHEMA, check_inputs, diff_inputs
from pulumi_zpa_pkeys.testing import ProviderHost


def _olds(**changes: Any) -> dict[str, Any]:
    inputs, failures = check_inputs(key_inputs("k", **changes))
    assert failures == []
    return {**inputs, "microtenant_id": None, "provisioning_key": "3|x|y"}


@pytest.mark.parametrize(
    ("old", "new", "replaces"),
    [
        ({"rotation": "2026-Q4"}, {"rotation": "2027-Q1"}, ["keepers"]),
        (None, {"rotation": "2027-Q1"}, ["keepers"]),
        ({"rotation": "2026-Q4"}, None, ["keepers"]),
        (None, {}, []),
        ({}, None, []),
        ({"a": "1", "b": "2"}, {"b": "2", "a": "1"}, []),
    ],
)
def test_diff_keepers_change_replaces(old: Any, new: Any, replaces: list[str]) -> None:
    news, failures = check_inputs(key_inputs("k", keepers=new))
    assert failures == []
    result = diff_inputs(_olds(keepers=old), news)
    assert (result.replaces, bool(result.changes)) == (replaces, bool(replaces))


@pytest.mark.parametrize("value", [{"rotation": 2027}, ["2027"], "2027-Q1", {"": None}])
def test_check_keepers_must_map_strings_to_strings(value: Any) -> None:
    _, failures = check_inputs(key_inputs("k", keepers=value))
    assert [f.property for f in failures] == ["keepers"]


def test_keepers_are_never_sent_to_zpa() -> None:
    inputs, _ = check_inputs(key_inputs("k", keepers={"rotation": "2027-Q1"}))
    assert "keepers" not in str(SCHEMA.body(inputs, None))


def test_rotating_keepers_replaces_the_key_with_a_new_value(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = provider_host.up("rot", key_inputs("rot", keepers={"rotation": "2026-Q4"}))
    rotated = key_inputs("rot", keepers={"rotation": "2027-Q1"})
    preview = provider_host.preview("rot", rotated, state)
    assert (preview.op, preview.replaces, preview.delete_before_replace) == (
        "replace",
        ["keepers"],
        True,
    )

    new_state = provider_host.up("rot", rotated, state)

    (stored,) = keys_named(zpa_emulator, "rot")
    assert str(stored["id"]) == new_state.id != state.id
    assert new_state.outputs["provisioning_key"] == stored["provisioningKey"]
    assert new_state.outputs["provisioning_key"] != state.outputs["provisioning_key"]
    assert new_state.outputs["keepers"] == {"rotation": "2027-Q1"}
    assert provider_host.preview("rot", rotated, new_state).op == "same"
