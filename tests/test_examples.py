"""The examples, the user-data helper and the PR-preview workflow (`make demo`: test_demo.py).

The programs under `examples/` run unchanged under `pulumi.runtime.set_mocks`, with their lookups
going to the real emulator. Mocks do not apply `additional_secret_outputs`, so secrecy is checked
where the SDK decides it: the RegisterResource requests (read by a MockMonitor subclass), where
secret inputs arrive wrapped (`is_rpc_secret`). The quickstart's key is then applied for real
through the SDK's provider host (`ProviderHost`) against the emulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime.rpc import is_rpc_secret

from pulumi_zpa_pkeys.testing import ProgramRun, ProviderHost, run_program
from pulumi_zpa_pkeys.userdata import (
    PROVISION_KEY_PATH,
    SERVICE_EDGE_PROVISION_KEY_PATH,
    app_connector_user_data,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
KEY_TYPE = "pulumi-python:dynamic/zpa:ProvisioningKey"
APP_CONNECTOR_GROUP_TYPE = "pulumi-python:dynamic/zpa:AppConnectorGroup"
SERVICE_EDGE_GROUP_TYPE = "pulumi-python:dynamic/zpa:ServiceEdgeGroup"
INSTANCE_TYPE = "aws:ec2/instance:Instance"
CONNECTOR_GROUP = "216196257331300001"
CONNECTOR_CERT = "6573"
SERVICE_EDGE_CERT = "6574"
#: The id the mocks give a group made in the stack (ZPA's 18-digit form).
NEW_GROUP_ID = "216196257331499999"
#: AMI ids the mocked `aws.ec2.get_ami` answers per Marketplace product code.
AMIS = {
    "3n2udvk6ba2lglockhnetlujo": "ami-0app0connector",
    "f3xw1xhjj0gvf0o97rfphs0k0": "ami-0service0edge",
}
GROUP_LOCATION = {"location": "Frankfurt, Germany", "latitude": "50.1109", "longitude": "8.6821"}
FAKE_KEY = "3|api.private.zscaler.com|bW9jay1rZXk="
AMI = AMIS["3n2udvk6ba2lglockhnetlujo"]


# -- running an example program under mocks ------------------------------------------------


def run_example(emulator: Any, folder: str, project: str, config: dict[str, str]) -> ProgramRun:
    """Run `examples/<folder>/__main__.py` as `pulumi up` would, with mocked resources."""
    return run_program(
        EXAMPLES / folder,
        project=project,
        config=config,
        env=emulator.env,  # the lookups reach the emulator through env vars
        resource_outputs={KEY_TYPE: {"provisioning_key": FAKE_KEY, "usage_count": 0}},
        resource_ids={
            APP_CONNECTOR_GROUP_TYPE: NEW_GROUP_ID,
            SERVICE_EDGE_GROUP_TYPE: NEW_GROUP_ID,
        },
        call_results={"aws:ec2/getAmi:getAmi": _ami_by_product_code},
    )


def _ami_by_product_code(args: Any) -> dict[str, str]:
    (code,) = [v for f in args["filters"] for v in f["values"]]
    return {"id": AMIS[code], "imageId": AMIS[code]}


def _quickstart(emulator: Any) -> ProgramRun:
    return run_example(
        emulator, "quickstart", "zpa-pkeys-quickstart", {"appConnectorGroupId": CONNECTOR_GROUP}
    )


# -- (a) quickstart -------------------------------------------------------------------------


def test_quickstart_registers_key_with_looked_up_cert_and_configured_group(
    zpa_emulator: Any,
) -> None:
    run = _quickstart(zpa_emulator)

    key = run.one(KEY_TYPE)
    inputs = key.plain_inputs()
    assert inputs["association_type"] == "CONNECTOR_GRP"
    assert inputs["enrollment_cert_id"] == CONNECTOR_CERT  # from the emulator, by name
    assert inputs["zcomponent_id"] == CONNECTOR_GROUP  # from stack config, still a string
    assert inputs["name"] == "quickstart-test"  # per stack
    assert inputs["max_usage"] == 2
    assert key.additional_secret_outputs == ["provisioning_key"]
    searches = [r for r in zpa_emulator.requests_log() if "enrollmentCert" in r["path"]]
    assert len(searches) <= 1  # one `search` request (none if cached by an earlier test)


def test_quickstart_exports_key_id_and_value(zpa_emulator: Any) -> None:
    outputs = _quickstart(zpa_emulator).stack_outputs

    assert outputs["key_id"] == "connector-key-id"
    assert outputs["key_name"] == "quickstart-test"
    assert outputs["provisioning_key"] == FAKE_KEY


# -- (b) aws-app-connector --------------------------------------------------------------------


def _group_then_key(run: ProgramRun, group_type: str, association: str, cert: str) -> None:
    """The stack's group is registered with the declared location, and its key enrolls into
    it: the key's `zcomponent_id` is the group's id and the key depends on the group (so the
    engine deletes the key first)."""
    group, key = run.one(group_type), run.one(KEY_TYPE)
    group_inputs = group.plain_inputs()
    assert {k: group_inputs[k] for k in GROUP_LOCATION} == GROUP_LOCATION
    assert group_inputs["name"] == group_inputs["name"].strip() and "test" in group_inputs["name"]
    inputs = key.plain_inputs()
    assert inputs["association_type"] == association
    assert inputs["enrollment_cert_id"] == cert  # looked up by name on the emulator
    assert inputs["zcomponent_id"] == NEW_GROUP_ID
    assert group.urn in key.dependencies
    assert run.registrations.index(group) < run.registrations.index(key)
    assert key.additional_secret_outputs == ["provisioning_key"]


def _instances_get_secret_user_data(
    run: ProgramRun, count: int, ami: str, key_path: str, service: str
) -> None:
    instances = run.of_type(INSTANCE_TYPE)
    assert len(instances) == count
    for instance in instances:
        user_data = instance.inputs["userData"]
        assert is_rpc_secret(user_data), "user data must reach the engine as a secret"
        assert f"\n{FAKE_KEY}\n" in user_data["value"]
        assert key_path in user_data["value"] and f"systemctl start {service}" in user_data["value"]
        assert instance.inputs["ami"] == ami  # the Marketplace lookup by product code
        assert instance.inputs["subnetId"] == "subnet-0abc"
        assert instance.inputs["userDataReplaceOnChange"] is True


# pulumi_aws warns about its own deprecated resources when imported.
@pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws.*")
def test_aws_example_creates_group_and_key_and_instance_user_data_is_secret(
    zpa_emulator: Any,
) -> None:
    run = run_example(
        zpa_emulator,
        "aws-app-connector",
        "zpa-pkeys-aws-app-connector",
        {**GROUP_LOCATION, "subnetId": "subnet-0abc", "instanceCount": "2"},
    )

    _group_then_key(run, APP_CONNECTOR_GROUP_TYPE, "CONNECTOR_GRP", CONNECTOR_CERT)
    assert run.one(KEY_TYPE).plain_inputs()["max_usage"] == 2
    _instances_get_secret_user_data(
        run, 2, "ami-0app0connector", PROVISION_KEY_PATH, "zpa-connector"
    )
    assert run.stack_outputs["group_id"] == NEW_GROUP_ID


# -- (b2) aws-service-edge ----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws.*")
def test_aws_service_edge_example_creates_group_and_key_and_user_data_is_secret(
    zpa_emulator: Any,
) -> None:
    run = run_example(
        zpa_emulator,
        "aws-service-edge",
        "zpa-pkeys-aws-service-edge",
        {**GROUP_LOCATION, "subnetId": "subnet-0abc", "instanceCount": "3", "isPublic": "true"},
    )

    _group_then_key(run, SERVICE_EDGE_GROUP_TYPE, "SERVICE_EDGE_GRP", SERVICE_EDGE_CERT)
    assert run.one(SERVICE_EDGE_GROUP_TYPE).plain_inputs()["is_public"] is True
    assert run.one(KEY_TYPE).plain_inputs()["max_usage"] == 3
    _instances_get_secret_user_data(
        run, 3, "ami-0service0edge", SERVICE_EDGE_PROVISION_KEY_PATH, "zpa-service-edge"
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws.*")
@pytest.mark.parametrize(
    ("folder", "project", "group_type", "key_type_inputs"),
    [
        ("aws-app-connector", "zpa-pkeys-aws-app-connector", "AppConnectorGroup", "CONNECTOR_GRP"),
        ("aws-service-edge", "zpa-pkeys-aws-service-edge", "ServiceEdgeGroup", "SERVICE_EDGE_GRP"),
    ],
)
def test_aws_examples_group_and_key_apply_through_the_provider_host(
    zpa_emulator: Any,
    host_for: Any,
    folder: str,
    project: str,
    group_type: str,
    key_type_inputs: str,
) -> None:
    """The group and key the example registers, applied for real: group first, then the key
    with the group's id; destroyed key first, then the group."""
    from pulumi_zpa_pkeys.app_connector_group import AppConnectorGroupProvider
    from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
    from pulumi_zpa_pkeys.service_edge_group import ServiceEdgeGroupProvider

    run = run_example(zpa_emulator, folder, project, {**GROUP_LOCATION, "subnetId": "subnet-0abc"})
    group_inputs = run.one(f"pulumi-python:dynamic/zpa:{group_type}").plain_inputs()
    key_inputs = run.one(KEY_TYPE).plain_inputs()
    provider = (
        AppConnectorGroupProvider() if group_type == "AppConnectorGroup"
        else ServiceEdgeGroupProvider()
    )  # fmt: skip
    group_host, key_host = host_for(provider), host_for(ProvisioningKeyProvider())

    group = group_host.up("group", group_inputs)
    key = key_host.up("key", {**key_inputs, "zcomponent_id": group.id})

    assert key.outputs["zcomponent_name"] == group_inputs["name"]
    assert key_inputs["association_type"] == key_type_inputs
    assert group.outputs["country_code"] == "DE" and group.outputs["latitude"] == "50.1109"
    key_host.destroy(key)
    group_host.destroy(group)
    state = zpa_emulator.state()
    assert all(k["id"] != key.id for k in state["provisioningKeys"])
    kind = "appConnectorGroups" if group_type == "AppConnectorGroup" else "serviceEdgeGroups"
    assert all(g["id"] != group.id for g in state[kind])


# -- (c) the user-data helper -------------------------------------------------------------------


class _NoResources(pulumi.runtime.Mocks):
    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        raise AssertionError(f"unexpected resource {args.typ}")

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        raise AssertionError(f"unexpected call {args.token}")


@pulumi.runtime.test
def test_user_data_from_plain_string_is_secret() -> Any:
    pulumi.runtime.set_mocks(_NoResources(), preview=False)
    output = app_connector_user_data(FAKE_KEY)

    def verify(values: list[Any]) -> None:
        script, secret = values
        assert secret is True
        assert script.startswith("#!/bin/bash\n")
        assert f"\n{FAKE_KEY}\n" in script
        assert "systemctl restart zpa-connector" in script

    return pulumi.Output.all(output, output.is_secret()).apply(verify)


@pytest.mark.parametrize("bad", ["", "3|a|b\nrm -rf /", "3|a|b\nZPA_PROVISIONING_KEY_EOF"])
def test_user_data_refuses_empty_or_multiline_key_without_echoing_it(bad: str) -> None:
    from pulumi_zpa_pkeys.userdata import _render

    with pytest.raises(ValueError) as err:
        _render(bad)
    assert bad.strip() == "" or bad not in str(err.value)


# -- (d) the PR-preview workflow -----------------------------------------------------------------


def test_pr_preview_workflow_runs_preview_with_diff_and_comments_on_pr() -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(
        (EXAMPLES / "pr-preview" / ".github" / "workflows" / "preview.yml").read_text()
    )
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert "pull_request" in triggers
    assert workflow["permissions"]["pull-requests"] == "write"
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    (pulumi_step,) = [s for s in steps if str(s.get("uses", "")).startswith("pulumi/actions@")]
    options = pulumi_step["with"]
    assert options["command"] == "preview"
    assert options["diff"] is True  # pulumi preview --diff
    assert options["comment-on-pr"] is True
    readme = (EXAMPLES / "pr-preview" / "README.md").read_text()
    for name in (
        "ZSCALER_CLIENT_ID",
        "ZSCALER_CLIENT_SECRET",
        "ZSCALER_VANITY_DOMAIN",
        "ZPA_CUSTOMER_ID",
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_BACKEND_URL",
    ):
        assert name in readme


# -- (e) the quickstart's key, applied through the provider host ----------------------------------


@pytest.fixture
def quickstart_inputs(zpa_emulator: Any) -> dict[str, Any]:
    return _quickstart(zpa_emulator).one(KEY_TYPE).plain_inputs()


def test_quickstart_key_applies_through_provider_host(
    quickstart_inputs: dict[str, Any], provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    preview = provider_host.preview("connector-key", quickstart_inputs)
    assert preview.op == "create" and not preview.failures

    state = provider_host.up("connector-key", quickstart_inputs)

    (live,) = [k for k in zpa_emulator.state()["provisioningKeys"] if k["id"] == state.id]
    assert live["name"] == "quickstart-test"
    assert str(live["enrollmentCertId"]) == CONNECTOR_CERT
    assert str(live["zcomponentId"]) == CONNECTOR_GROUP
    assert state.outputs["provisioning_key"] == live["provisioningKey"]
    assert state.outputs["enrollment_cert_name"] == "Connector"
    assert provider_host.preview("connector-key", quickstart_inputs, state).op == "same"

    provider_host.destroy(state)
    assert all(k["id"] != state.id for k in zpa_emulator.state()["provisioningKeys"])
