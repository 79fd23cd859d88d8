"""A program written for pulumi-zpa runs with only its import changed: its names are aliases.

The program below follows pulumi-zpa's Python SDK (zscaler_pulumi_zpa: `ConnectorGroup`,
`ProvisioningKey(..., ip_acls=[...], max_usage="10")`, the key value read as
`provisioning_key_value`), with `import pulumi_zpa_pkeys as zpa` instead of
`import zscaler_pulumi_zpa as zpa`. It runs under mocks and through the provider host.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import pulumi_zpa_pkeys as zpa
from pulumi_zpa_pkeys._schema import Field, Schema
from pulumi_zpa_pkeys.testing import CONNECTOR_CERT_ID, deploy_program, run_program

KEY = "pulumi-python:dynamic/zpa:ProvisioningKey"
GROUP = "pulumi-python:dynamic/zpa:AppConnectorGroup"

PULUMI_ZPA_PROGRAM = """
import pulumi
import pulumi_zpa_pkeys as zpa  # was: import zscaler_pulumi_zpa as zpa

connector = zpa.get_enrollment_cert(name="Connector")
example = zpa.ConnectorGroup("example",
    name="Example",
    description="Example",
    enabled=True,
    city_country="San Jose, US",
    country_code="US",
    latitude="37.338",
    longitude="-121.8863",
    location="San Jose, CA, US",
    upgrade_day="SUNDAY",
    upgrade_time_in_secs="66600",
    override_version_profile=True,
    version_profile_id="0",
    dns_query_type="IPV4_IPV6")
connector_key = zpa.ProvisioningKey("connector_key",
    name="connector-provisioning-key",
    association_type="CONNECTOR_GRP",
    max_usage="10",
    enrollment_cert_id=connector.id,
    zcomponent_id=example.id,
    ip_acls=["10.0.0.0/8", "192.168.1.10"])
pulumi.export("connectorProvisioningKey", connector_key.provisioning_key_value)
pulumi.export("ipAcls", connector_key.ip_acls)
"""


@pytest.fixture
def program(tmp_path: Path) -> Path:
    (tmp_path / "__main__.py").write_text(PULUMI_ZPA_PROGRAM)
    return tmp_path


def test_pulumi_zpa_program_registers_our_resources_under_mocks(
    program: Path, zpa_emulator: Any
) -> None:
    run = run_program(program, project="p", config=zpa_emulator.config)

    group = run.one(GROUP).plain_inputs()
    assert (group["name"], group["upgrade_time_in_secs"], group["latitude"]) == (
        "Example",
        "66600",
        "37.338",
    )
    key = run.one(KEY).plain_inputs()
    assert key["ip_acl"] == ["10.0.0.0/8", "192.168.1.10"]  # stored under our name
    assert "ip_acls" not in key
    assert key["max_usage"] == "10"  # Check normalises it
    assert key["enrollment_cert_id"] == CONNECTOR_CERT_ID  # looked up on the emulator


def test_pulumi_zpa_program_applies_through_the_provider_host(
    program: Path, zpa_emulator: Any
) -> None:
    with deploy_program(program, project="p", config=zpa_emulator.config) as stack:
        group, key = stack.one(GROUP), stack.one(KEY)
        held = {k["id"]: k for k in zpa_emulator.state()["provisioningKeys"]}[key.id]
        assert key.outputs["max_usage"] == 10
        assert key.outputs["zcomponent_id"] == group.id
        assert sorted(held["ipAcl"]) == ["10.0.0.0/8", "192.168.1.10"]
        assert stack.stack_outputs["connectorProvisioningKey"] == held["provisioningKey"]
        assert "connectorProvisioningKey" in stack.secret_outputs  # the alias is the secret
        assert stack.stack_outputs["ipAcls"] == key.outputs["ip_acl"]
    assert zpa_emulator.state()["provisioningKeys"] == []


def test_connector_group_is_the_app_connector_group_class() -> None:
    assert zpa.ConnectorGroup is zpa.AppConnectorGroup
    assert zpa.ConnectorGroupArgs is zpa.AppConnectorGroupArgs


def test_field_and_its_alias_together_are_refused() -> None:
    with pytest.raises(TypeError, match="got both ip_acl and its alias ip_acls: give one"):
        zpa.ProvisioningKey(
            "k",
            association_type="CONNECTOR_GRP",
            max_usage=1,
            enrollment_cert_id="1",
            zcomponent_id="2",
            ip_acl=["10.0.0.1"],
            ip_acls=["10.0.0.2"],
        )


def test_an_output_alias_is_not_an_input() -> None:
    with pytest.raises(TypeError, match="unexpected keyword arguments: provisioning_key_value"):
        zpa.ProvisioningKey(
            "k",
            association_type="CONNECTOR_GRP",
            max_usage=1,
            enrollment_cert_id="1",
            zcomponent_id="2",
            provisioning_key_value="x",
        )


def test_schema_refuses_an_alias_that_names_another_field() -> None:
    with pytest.raises(ValueError, match=r"aliases that name two fields: \['b'\]"):
        Schema(
            resource="Toy",
            doc="A toy.",
            label="toy",
            path="toy",
            fields=(Field("a", "a", aliases=("b",)), Field("b", "b")),
        )


def test_adopting_what_a_pulumi_zpa_stack_made_keeps_the_ids_and_the_key_value(
    program: Path, zpa_emulator: Any, host_for: Any
) -> None:
    """docs/migrating.md: after `pulumi state delete` of the pulumi-zpa resources, the same
    program with `adopt_existing=True` takes the objects over instead of making new ones."""
    from pulumi_zpa_pkeys.app_connector_group import AppConnectorGroupProvider
    from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider

    group = host_for(AppConnectorGroupProvider()).up(
        "old-group",
        {"name": "Example", "location": "San Jose, CA, US", "latitude": "37.338",
         "longitude": "-121.8863"},
    )  # fmt: skip
    key = host_for(ProvisioningKeyProvider()).up(
        "old-key",
        {"name": "connector-provisioning-key", "association_type": "CONNECTOR_GRP",
         "max_usage": 10, "enrollment_cert_id": CONNECTOR_CERT_ID, "zcomponent_id": group.id},
    )  # fmt: skip
    adopting = PULUMI_ZPA_PROGRAM.replace(
        'dns_query_type="IPV4_IPV6")', 'dns_query_type="IPV4_IPV6", adopt_existing=True)'
    ).replace('"192.168.1.10"])', '"192.168.1.10"], adopt_existing=True)')
    assert adopting.count("adopt_existing=True") == 2
    (program / "__main__.py").write_text(adopting)

    with deploy_program(program, project="p", config=zpa_emulator.config) as stack:
        assert stack.one(GROUP).id == group.id
        assert stack.one(KEY).id == key.id
        assert stack.stack_outputs["connectorProvisioningKey"] == key.outputs["provisioning_key"]
        (held,) = zpa_emulator.state()["provisioningKeys"]
        assert sorted(held["ipAcl"]) == ["10.0.0.0/8", "192.168.1.10"]  # brought to the program
    assert zpa_emulator.state()["provisioningKeys"] == []  # adopted: the stack's to delete
