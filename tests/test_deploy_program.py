"""`testing.deploy_program`: a program's `pulumi up` / `pulumi destroy` without the CLI, this
package's resources applied through the provider host to the emulator, the rest mocked.

(examples/run.py uses it for every example: tests/test_example_runner.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_zpa_pkeys.testing import (
    APP_CONNECTOR_GROUP_ID,
    CONNECTOR_CERT_ID,
    ProviderHostError,
    deploy_program,
)

KEY = "pulumi-python:dynamic/zpa:ProvisioningKey"
GROUP = "pulumi-python:dynamic/zpa:AppConnectorGroup"
BUCKET = "aws:s3/bucket:Bucket"

GROUP_AND_KEY = f"""
import pulumi
from pulumi_zpa_pkeys import AppConnectorGroup, ProvisioningKey

config = pulumi.Config()
group = AppConnectorGroup(
    "group", name="deploy-test", location="Frankfurt, Germany",
    latitude="50.1109", longitude="8.6821",
)
key = ProvisioningKey(
    "key", association_type="CONNECTOR_GRP", name="deploy-test",
    max_usage=config.get_int("maxUsage", 2),
    enrollment_cert_id="{CONNECTOR_CERT_ID}", zcomponent_id=group.id,
)
# A resource of another provider: mocked, its outputs its inputs.
bucket = pulumi.CustomResource("{BUCKET}", "bucket", {{"bucket": "logs"}})
pulumi.export("group_id", group.id)
pulumi.export("key_value", key.provisioning_key)
pulumi.export("plain_name", key.name)
"""


def _program(tmp_path: Path, text: str) -> Path:
    (tmp_path / "__main__.py").write_text(text)
    return tmp_path


def _ids(emulator: Any, kind: str) -> set[str]:
    return {str(item["id"]) for item in emulator.state()[kind]}


def test_deploy_creates_in_dependency_order_and_destroys_in_reverse(
    tmp_path: Path, zpa_emulator: Any
) -> None:
    program = _program(tmp_path, GROUP_AND_KEY)
    seeded_groups = _ids(zpa_emulator, "appConnectorGroups")

    with deploy_program(program, project="p", config=zpa_emulator.config) as deployment:
        group, key = deployment.one(GROUP), deployment.one(KEY)
        assert group.applied and key.applied and not deployment.one(BUCKET).applied
        assert key.outputs["zcomponent_id"] == group.id  # the group's real id reached the key
        assert key.id in _ids(zpa_emulator, "provisioningKeys")
        assert group.id in _ids(zpa_emulator, "appConnectorGroups") - seeded_groups
        assert "provisioning_key" in key.secret_outputs
        assert deployment.stack_outputs["group_id"] == group.id
        assert deployment.secret_outputs == {"key_value"}  # secret as the engine keeps it
        assert deployment.one(BUCKET).outputs == {"bucket": "logs"}

    # ZPA refuses to delete a group a key still enrolls into: the key went first.
    order = [r.name for r in deployment.destroyed]
    assert sorted(order) == ["bucket", "group", "key"] and order.index("key") < order.index("group")
    assert _ids(zpa_emulator, "provisioningKeys") == set()
    assert _ids(zpa_emulator, "appConnectorGroups") == seeded_groups


def test_deploy_failing_half_way_deletes_what_it_made_and_raises_the_providers_error(
    tmp_path: Path, zpa_emulator: Any
) -> None:
    program = _program(tmp_path, GROUP_AND_KEY)
    seeded_groups = _ids(zpa_emulator, "appConnectorGroups")
    config = {**zpa_emulator.config, "maxUsage": "0"}

    with (
        pytest.raises(ProviderHostError, match="max_usage"),
        deploy_program(program, project="p", config=config),
    ):
        pytest.fail("the program must fail before the block runs")

    assert _ids(zpa_emulator, "appConnectorGroups") == seeded_groups
    assert _ids(zpa_emulator, "provisioningKeys") == set()


def test_static_get_is_read_and_left_in_place(tmp_path: Path, zpa_emulator: Any) -> None:
    (key_id,) = zpa_emulator.seed(count=1, name_prefix="existing-")["ids"]
    program = _program(
        tmp_path,
        "import pulumi\nfrom pulumi_zpa_pkeys import ProvisioningKey\n"
        f"key = ProvisioningKey.get('existing', '{key_id}', 'CONNECTOR_GRP')\n"
        "pulumi.export('name', key.name)\npulumi.export('group', key.zcomponent_id)\n",
    )

    with deploy_program(program, project="p", config=zpa_emulator.config) as deployment:
        found = deployment.one(KEY)
        assert found.read and found.id == key_id
        assert deployment.stack_outputs["group"] == APP_CONNECTOR_GROUP_ID
        assert deployment.stack_outputs["name"].startswith("existing-")

    assert _ids(zpa_emulator, "provisioningKeys") == {key_id}
