"""examples/cloud-connector-key-rotation under Pulumi mocks; its key applied for real through the
SDK's provider host against the emulator's ZTW; the secret it writes then holds exactly the key
the emulator signs Cloud Connectors in with, before and after a rotation."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cloud_support import SEEDED_VALUES, cloud_config, sign_in, stored_key
from pulumi.runtime.rpc import is_rpc_secret

from pulumi_zpa_pkeys.cloud_service_api_key import CloudServiceApiKeyProvider
from pulumi_zpa_pkeys.testing import ProgramRun, ProviderHost, run_program

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cloud-connector-key-rotation"
KEY_TYPE = "pulumi-python:dynamic/zpa:CloudServiceApiKey"
SECRET_TYPE = "aws:secretsmanager/secret:Secret"
VERSION_TYPE = "aws:secretsmanager/secretVersion:SecretVersion"
CONFIG = {"ccUsername": "cc-admin@example.com", "ccPassword": "cc-password"}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws.*")


def _run(config: dict[str, str], key_value: str = "MockKey00001") -> ProgramRun:
    return run_program(
        EXAMPLE,
        project="zpa-pkeys-cloud-connector-key-rotation",
        config={**CONFIG, **config},
        resource_outputs={KEY_TYPE: {"key_value": key_value, "key_id": "4201"}},
    )


def _written(run: ProgramRun) -> dict[str, Any]:
    """The secret value the SecretVersion is registered with (it must arrive as a secret)."""
    secret_string = run.one(VERSION_TYPE).inputs["secretString"]
    assert is_rpc_secret(secret_string), "the credentials must reach the engine as a secret"
    written: dict[str, Any] = json.loads(secret_string["value"])
    return written


def test_the_example_writes_the_key_into_the_secret_cloud_connectors_read() -> None:
    run = _run({"keyRotation": "2027-Q1"})

    key = run.one(KEY_TYPE)
    assert key.additional_secret_outputs == ["key_value"]
    assert key.plain_inputs()["product"] == "ZTW"
    assert key.plain_inputs()["keepers"] == {"rotation": "2027-Q1"}
    assert run.one(SECRET_TYPE).inputs["name"] == "ZS/CC/credentials/test"
    assert _written(run) == {
        "api_key": "MockKey00001", "username": "cc-admin@example.com", "password": "cc-password",
    }  # fmt: skip
    version = run.one(VERSION_TYPE)
    assert run.one(SECRET_TYPE).urn in version.dependencies and key.urn in version.dependencies
    assert run.stack_outputs["key_value"] == "MockKey00001"


def test_an_existing_secret_gets_a_new_version_and_no_secret_is_created() -> None:
    run = _run({"secretId": "ZS/CC/credentials/prod"})
    assert run.of_type(SECRET_TYPE) == []
    assert run.one(VERSION_TYPE).inputs["secretId"] == "ZS/CC/credentials/prod"
    assert run.one(KEY_TYPE).plain_inputs()["keepers"] == {"rotation": "initial"}


def test_the_examples_key_rotates_on_the_emulator_and_the_secret_follows(
    zpa_emulator: Any,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))}
    config = {**zpa_emulator.config, **cloud_config(zpa_emulator, "ZTW", oneapi=True)}
    with ProviderHost(CloudServiceApiKeyProvider(), config, env=env, type_token=KEY_TYPE) as host:
        first = host.up("cloud-connector", _run({}).one(KEY_TYPE).plain_inputs())
        assert first.outputs["key_value"] == SEEDED_VALUES["ZTW"]  # adopted as it is
        assert _written(_run({}, first.outputs["key_value"]))["api_key"] == SEEDED_VALUES["ZTW"]

        rotated_inputs = _run({"keyRotation": "2027-Q1"}).one(KEY_TYPE).plain_inputs()
        assert host.preview("cloud-connector", rotated_inputs, first).op == "update"
        rotated = host.up("cloud-connector", rotated_inputs, first)

    new_value = rotated.outputs["key_value"]
    assert new_value == stored_key(zpa_emulator, "ZTW")["keyValue"] != SEEDED_VALUES["ZTW"]
    # What the program writes next is the key a Cloud Connector can sign in with; the old is not.
    written = _written(_run({"keyRotation": "2027-Q1"}, new_value))
    assert sign_in(zpa_emulator, "ZTW", written["api_key"]).status_code == 200
    assert sign_in(zpa_emulator, "ZTW", SEEDED_VALUES["ZTW"]).status_code == 401
