"""examples/api-key under Pulumi mocks; its key applied for real through the SDK's provider host;
the key's exported credentials then sign in at the emulator's legacy front door."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from pulumi_zpa_pkeys.api_key import ApiKeyProvider
from pulumi_zpa_pkeys.testing import ProgramRun, ProviderHost, run_program

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "api-key"
TYPE_TOKEN = "pulumi-python:dynamic/zpa:ApiKey"
MOCK_SECRET = "mock-client-secret"


def _run(config: dict[str, str]) -> ProgramRun:
    return run_program(
        EXAMPLE,
        project="zpa-pkeys-api-key",
        config=config,
        resource_outputs={TYPE_TOKEN: {"client_id": "mock-id", "client_secret": MOCK_SECRET}},
    )


def test_the_example_registers_a_key_with_a_secret_output_and_exports_its_credentials() -> None:
    run = _run({"roleId": "28", "keyRotation": "2027-Q1"})

    registration = run.one(TYPE_TOKEN)
    assert registration.additional_secret_outputs == ["client_secret"]
    inputs = registration.plain_inputs()
    assert (inputs["name"], inputs["role_id"], inputs["token_expiry_time_in_sec"]) == (
        "ci-test", "28", 3600,
    )  # fmt: skip
    assert inputs["keepers"] == {"rotation": "2027-Q1"}
    assert run.stack_outputs["client_id"] == "mock-id"
    assert run.stack_outputs["client_secret"] == MOCK_SECRET


def test_the_created_key_signs_in_at_the_legacy_door_until_it_is_rotated(
    zpa_emulator: Any, host_for: Any
) -> None:
    host: ProviderHost = host_for(ApiKeyProvider())
    inputs = _run({"roleId": "28"}).one(TYPE_TOKEN).plain_inputs()
    state = host.up("ci", inputs)
    outputs = state.outputs

    signed_in = requests.post(
        f"{zpa_emulator.url}/signin",
        data={"client_id": outputs["client_id"], "client_secret": outputs["client_secret"]},
        timeout=10,
    )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    listed = requests.get(
        f"{zpa_emulator.url}/mgmtconfig/v1/admin/customers/{zpa_emulator.customer_id}/apiKeys",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert [k["name"] for k in listed.json()["list"]] == ["ci-test"]

    # Rotation: a new keepers value replaces the key; the old credentials stop working.
    rotated_inputs = _run({"roleId": "28", "keyRotation": "2027-Q1"}).one(TYPE_TOKEN)
    preview = host.preview("ci", rotated_inputs.plain_inputs(), state)
    assert (preview.op, preview.replaces) == ("replace", ["keepers"])
    rotated = host.up("ci", rotated_inputs.plain_inputs(), state)
    old = requests.post(
        f"{zpa_emulator.url}/signin",
        data={"client_id": outputs["client_id"], "client_secret": outputs["client_secret"]},
        timeout=10,
    )
    assert old.status_code == 401
    new = requests.post(
        f"{zpa_emulator.url}/signin",
        data={
            "client_id": rotated.outputs["client_id"],
            "client_secret": rotated.outputs["client_secret"],
        },
        timeout=10,
    )
    assert new.status_code == 200
    host.destroy(rotated)
