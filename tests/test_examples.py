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
from pulumi_zpa_pkeys.userdata import PROVISION_KEY_PATH, app_connector_user_data

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
KEY_TYPE = "pulumi-python:dynamic/zpa:ProvisioningKey"
INSTANCE_TYPE = "aws:ec2/instance:Instance"
CONNECTOR_GROUP = "216196257331300001"
CONNECTOR_CERT = "6573"
FAKE_KEY = "3|api.private.zscaler.com|bW9jay1rZXk="
AMI = "ami-0app0connector"


# -- running an example program under mocks ------------------------------------------------


def run_example(
    emulator: Any, folder: str, project: str, config: dict[str, str]
) -> ProgramRun:
    """Run `examples/<folder>/__main__.py` as `pulumi up` would, with mocked resources."""
    return run_program(
        EXAMPLES / folder,
        project=project,
        config=config,
        env=emulator.env,  # the lookups reach the emulator through env vars
        resource_outputs={KEY_TYPE: {"provisioning_key": FAKE_KEY, "usage_count": 0}},
        call_results={"aws:ec2/getAmi:getAmi": {"id": AMI, "imageId": AMI}},
    )


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


# pulumi_aws warns about its own deprecated resources when imported.
@pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws.*")
def test_aws_example_instance_user_data_carries_key_and_is_secret(zpa_emulator: Any) -> None:
    run = run_example(
        zpa_emulator,
        "aws-app-connector",
        "zpa-pkeys-aws-app-connector",
        {"appConnectorGroupId": CONNECTOR_GROUP, "subnetId": "subnet-0abc", "instanceCount": "2"},
    )

    key = run.one(KEY_TYPE)
    assert key.plain_inputs()["max_usage"] == 2
    assert key.plain_inputs()["enrollment_cert_id"] == CONNECTOR_CERT
    instances = run.of_type(INSTANCE_TYPE)
    assert len(instances) == 2
    for instance in instances:
        user_data = instance.inputs["userData"]
        assert is_rpc_secret(user_data), "user data must reach the engine as a secret"
        assert f"{FAKE_KEY}\n" in user_data["value"]
        assert PROVISION_KEY_PATH in user_data["value"]
        assert instance.inputs["ami"] == AMI  # the Marketplace lookup
        assert instance.inputs["subnetId"] == "subnet-0abc"
        assert instance.inputs["userDataReplaceOnChange"] is True


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
    for name in ("ZSCALER_CLIENT_ID", "ZSCALER_CLIENT_SECRET", "ZSCALER_VANITY_DOMAIN",
                 "ZPA_CUSTOMER_ID", "PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL"):
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
