"""Tests of the quickstart stack, as you would write them for your own (docs/testing.md).

Run them from this folder with `python -m pytest`. The `zpa_emulator` fixture comes with
pulumi-zpa-pkeys (its pytest plugin loads by itself): the bundled ZPA emulator, reset for each
test. No tenant, no Pulumi CLI, no cloud account.
"""

from pathlib import Path

from pulumi_zpa_pkeys.testing import (
    APP_CONNECTOR_GROUP_ID,
    CONNECTOR_CERT_ID,
    deploy_program,
    run_program,
)

PROGRAM = Path(__file__).resolve().parent  # the folder holding the stack's __main__.py
PROJECT = "zpa-pkeys-quickstart"  # `name:` in its Pulumi.yaml
KEY = "pulumi-python:dynamic/zpa:ProvisioningKey"  # the resource's type token


def stack_config(emulator):
    """The stack's config: the emulator's zpa:* settings plus the program's own keys."""
    return {**emulator.config, "appConnectorGroupId": APP_CONNECTOR_GROUP_ID}


def test_key_is_declared_for_the_configured_group(zpa_emulator):
    # The program runs under Pulumi mocks: nothing is created, its lookups reach the emulator.
    run = run_program(PROGRAM, project=PROJECT, stack="dev", config=stack_config(zpa_emulator))

    key = run.one(KEY).plain_inputs()  # the inputs the provider would get
    assert key["association_type"] == "CONNECTOR_GRP"
    assert key["zcomponent_id"] == APP_CONNECTOR_GROUP_ID
    assert key["enrollment_cert_id"] == CONNECTOR_CERT_ID  # found by name on the emulator
    assert key["max_usage"] == 2
    assert key["name"] == "quickstart-dev"
    assert run.one(KEY).additional_secret_outputs == ["provisioning_key"]


def test_up_creates_the_key_in_zpa_and_keeps_its_value_secret(zpa_emulator):
    # `pulumi up` without the CLI: the key is really created on the emulator.
    with deploy_program(PROGRAM, project=PROJECT, config=stack_config(zpa_emulator)) as stack:
        key = stack.one(KEY)
        assert key.outputs["max_usage"] == 2
        assert key.outputs["enrollment_cert_name"] == "Connector"
        assert stack.stack_outputs["key_id"] == key.id
        assert "provisioning_key" in stack.secret_outputs  # `pulumi stack output`: [secret]
        held = {k["id"]: k for k in zpa_emulator.state()["provisioningKeys"]}
        assert held[key.id]["zcomponentName"] == "Emulator Connector Group"

    # Leaving the block is `pulumi destroy`: the key is gone again.
    assert zpa_emulator.state()["provisioningKeys"] == []
