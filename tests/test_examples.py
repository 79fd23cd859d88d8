"""The examples, the user-data helper, `make demo` and the PR-preview workflow.

The programs under `examples/` run unchanged under `pulumi.runtime.set_mocks`, with their lookups
going to the real emulator. Mocks do not apply `additional_secret_outputs`, so secrecy is checked
where the SDK decides it: the RegisterResource requests (read by a MockMonitor subclass), where
secret inputs arrive wrapped (`is_rpc_secret`). The quickstart's key is then applied for real
through the SDK's provider host (`ProviderHost`) against the emulator.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format
from pulumi.runtime.rpc import is_rpc_secret

from pulumi_zpa_pkeys.testing import ProviderHost
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
INSTALL_URL = "https://www.pulumi.com/docs/install/"


# -- running an example program under mocks ------------------------------------------------


@dataclass
class Registration:
    type: str
    name: str
    inputs: dict[str, Any]  # as serialized on the wire: secrets still wrapped
    additional_secret_outputs: list[str]
    dependencies: list[str] = field(default_factory=list)
    urn: str = ""


@dataclass
class _Mocks(pulumi.runtime.Mocks):
    calls: list[str] = field(default_factory=list)

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        outputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
        if args.typ == KEY_TYPE:
            outputs.update(provisioning_key=FAKE_KEY, usage_count=0)
        if args.typ in (APP_CONNECTOR_GROUP_TYPE, SERVICE_EDGE_GROUP_TYPE):
            return NEW_GROUP_ID, outputs
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.calls.append(args.token)
        if args.token == "aws:ec2/getAmi:getAmi":
            (code,) = [v for f in args.args["filters"] for v in f["values"]]
            return {"id": AMIS[code], "imageId": AMIS[code]}
        return {}


class _Monitor(pulumi.runtime.mocks.MockMonitor):
    def __init__(self, mocks: _Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:  # gRPC method name
        response = super().RegisterResource(request)
        self.registrations.append(
            Registration(
                request.type,
                request.name,
                json_format.MessageToDict(request.object),
                list(request.additionalSecretOutputs),
                list(request.dependencies),
                response.urn,
            )
        )
        return response

    def one(self, type_: str) -> Registration:
        found = [r for r in self.registrations if r.type == type_]
        assert len(found) == 1, [r.type for r in self.registrations]
        return found[0]


def run_example(
    monkeypatch: pytest.MonkeyPatch,
    emulator: Any,
    folder: str,
    project: str,
    config: dict[str, str],
) -> _Monitor:
    """Run `examples/<folder>/__main__.py` as `pulumi up` would, with mocked resources."""
    for name, value in emulator.env.items():
        monkeypatch.setenv(name, value)  # the lookups reach the emulator through env vars
    # Process-wide, as the Python language host passes config (lookups run in threads).
    project_config = {f"{project}:{key}": value for key, value in config.items()}
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(project_config))
    mocks = _Mocks()
    monitor = _Monitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack="test", preview=False, monitor=monitor)

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        runpy.run_path(str(EXAMPLES / folder / "__main__.py"), run_name="__main__")
        stack: Any = pulumi.runtime.settings.get_root_resource()
        return pulumi.Output.from_input(stack.outputs).apply(monitor.stack_outputs.update)

    program()  # returns once every registration has been sent and every export resolved
    return monitor


def _plain(value: Any) -> Any:
    return value["value"] if is_rpc_secret(value) else value


def _quickstart(monkeypatch: pytest.MonkeyPatch, emulator: Any) -> _Monitor:
    return run_example(
        monkeypatch,
        emulator,
        "quickstart",
        "zpa-pkeys-quickstart",
        {"appConnectorGroupId": CONNECTOR_GROUP},
    )


def _key_inputs(registration: Registration) -> dict[str, Any]:
    """The ProvisioningKey inputs the engine would hand to the provider (no blob, no unset)."""
    return {
        k: _plain(v)
        for k, v in registration.inputs.items()
        if k != "__provider" and _plain(v) is not None
    }


# -- (a) quickstart -------------------------------------------------------------------------


def test_quickstart_registers_key_with_looked_up_cert_and_configured_group(
    monkeypatch: pytest.MonkeyPatch, zpa_emulator: Any
) -> None:
    monitor = _quickstart(monkeypatch, zpa_emulator)

    key = monitor.one(KEY_TYPE)
    inputs = _key_inputs(key)
    assert inputs["association_type"] == "CONNECTOR_GRP"
    assert inputs["enrollment_cert_id"] == CONNECTOR_CERT  # from the emulator, by name
    assert inputs["zcomponent_id"] == CONNECTOR_GROUP  # from stack config, still a string
    assert inputs["name"] == "quickstart-test"  # per stack
    assert inputs["max_usage"] == 2
    assert key.additional_secret_outputs == ["provisioning_key"]
    searches = [r for r in zpa_emulator.requests_log() if "enrollmentCert" in r["path"]]
    assert len(searches) <= 1  # one `search` request (none if cached by an earlier test)


def test_quickstart_exports_key_id_and_value(
    monkeypatch: pytest.MonkeyPatch, zpa_emulator: Any
) -> None:
    monitor = _quickstart(monkeypatch, zpa_emulator)

    outputs = monitor.stack_outputs
    assert outputs["key_id"] == "connector-key-id"
    assert outputs["key_name"] == "quickstart-test"
    assert outputs["provisioning_key"] == FAKE_KEY


# -- (b) aws-app-connector --------------------------------------------------------------------


def _group_then_key(monitor: _Monitor, group_type: str, association: str, cert: str) -> None:
    """The stack's group is registered with the declared location, and its key enrolls into
    it: the key's `zcomponent_id` is the group's id and the key depends on the group (so the
    engine deletes the key first)."""
    group, key = monitor.one(group_type), monitor.one(KEY_TYPE)
    group_inputs = _key_inputs(group)
    assert {k: group_inputs[k] for k in GROUP_LOCATION} == GROUP_LOCATION
    assert group_inputs["name"] == group_inputs["name"].strip() and "test" in group_inputs["name"]
    inputs = _key_inputs(key)
    assert inputs["association_type"] == association
    assert inputs["enrollment_cert_id"] == cert  # looked up by name on the emulator
    assert inputs["zcomponent_id"] == NEW_GROUP_ID
    assert group.urn in key.dependencies
    assert monitor.registrations.index(group) < monitor.registrations.index(key)
    assert key.additional_secret_outputs == ["provisioning_key"]


def _instances_get_secret_user_data(
    monitor: _Monitor, count: int, ami: str, key_path: str, service: str
) -> None:
    instances = [r for r in monitor.registrations if r.type == INSTANCE_TYPE]
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
    monkeypatch: pytest.MonkeyPatch, zpa_emulator: Any
) -> None:
    monitor = run_example(
        monkeypatch,
        zpa_emulator,
        "aws-app-connector",
        "zpa-pkeys-aws-app-connector",
        {**GROUP_LOCATION, "subnetId": "subnet-0abc", "instanceCount": "2"},
    )

    _group_then_key(monitor, APP_CONNECTOR_GROUP_TYPE, "CONNECTOR_GRP", CONNECTOR_CERT)
    assert _key_inputs(monitor.one(KEY_TYPE))["max_usage"] == 2
    _instances_get_secret_user_data(
        monitor, 2, "ami-0app0connector", PROVISION_KEY_PATH, "zpa-connector"
    )
    assert monitor.stack_outputs["group_id"] == NEW_GROUP_ID


# -- (b2) aws-service-edge ----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws.*")
def test_aws_service_edge_example_creates_group_and_key_and_user_data_is_secret(
    monkeypatch: pytest.MonkeyPatch, zpa_emulator: Any
) -> None:
    monitor = run_example(
        monkeypatch,
        zpa_emulator,
        "aws-service-edge",
        "zpa-pkeys-aws-service-edge",
        {**GROUP_LOCATION, "subnetId": "subnet-0abc", "instanceCount": "3", "isPublic": "true"},
    )

    _group_then_key(monitor, SERVICE_EDGE_GROUP_TYPE, "SERVICE_EDGE_GRP", SERVICE_EDGE_CERT)
    assert _key_inputs(monitor.one(SERVICE_EDGE_GROUP_TYPE))["is_public"] is True
    assert _key_inputs(monitor.one(KEY_TYPE))["max_usage"] == 3
    _instances_get_secret_user_data(
        monitor, 3, "ami-0service0edge", SERVICE_EDGE_PROVISION_KEY_PATH, "zpa-service-edge"
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
    monkeypatch: pytest.MonkeyPatch,
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

    with monkeypatch.context() as patch:
        monitor = run_example(
            patch, zpa_emulator, folder, project, {**GROUP_LOCATION, "subnetId": "subnet-0abc"}
        )
    group_inputs = _key_inputs(monitor.one(f"pulumi-python:dynamic/zpa:{group_type}"))
    key_inputs = _key_inputs(monitor.one(KEY_TYPE))
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


@pulumi.runtime.test
def test_user_data_from_plain_string_is_secret() -> Any:
    pulumi.runtime.set_mocks(_Mocks(), preview=False)
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


# -- (d) make demo without the Pulumi CLI -----------------------------------------------------


def _path_without_pulumi() -> str:
    dirs = []
    for tool in ("make", "sh", "env"):
        found = shutil.which(tool)
        if found:
            dirs.append(str(Path(found).parent))
    dirs = [d for d in dict.fromkeys(dirs) if not (Path(d) / "pulumi").exists()]
    return os.pathsep.join(dirs)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_without_pulumi_cli_says_so_in_one_line_and_exits_2(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    env = {"PATH": _path_without_pulumi(), "HOME": str(tmp_path)}
    result = subprocess.run(
        ["make", "-s", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "pulumi" in lines[0] and INSTALL_URL in lines[0]
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Makefile"]  # nothing installed


def test_demo_script_without_pulumi_cli_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and INSTALL_URL in result.stderr


_FAKE_PULUMI = """#!{python}
import json, os, sys
stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
env = {{k: v for k, v in os.environ.items() if k.startswith(("PULUMI_", "ZPA_", "ZSCALER_"))}}
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "env": env, "stdin": stdin,
                          "cwd": os.getcwd()}}) + "\\n")
"""


def test_demo_script_runs_quickstart_on_throwaway_backend(tmp_path: Path) -> None:
    """demo.py against a fake `pulumi` that records its calls: isolation and command order."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.jsonl"
    fake = bin_dir / "pulumi"
    fake.write_text(_FAKE_PULUMI.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_ACCESS_TOKEN": "pul-users-own-token",
        "PULUMI_BACKEND_URL": "https://api.pulumi.com",
        "ZSCALER_CLIENT_SECRET": "users-real-secret",
    }
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    argvs = [c["argv"] for c in calls]
    stack = argvs[0][2]
    assert argvs[0][:2] == ["stack", "init"]
    assert ["up", "--yes", "--non-interactive"] in argvs
    assert ["stack", "output"] in argvs  # no --show-secrets
    assert argvs.index(["stack", "output"]) > argvs.index(["up", "--yes", "--non-interactive"])
    assert ["config", "set", "appConnectorGroupId", CONNECTOR_GROUP] in argvs
    secrets_set = {c["argv"][-1]: c["stdin"] for c in calls if "--secret" in c["argv"]}
    assert set(secrets_set) == {"zpa:clientId", "zpa:clientSecret"}
    assert "zpa-emulator-secret" not in json.dumps(argvs)  # secrets travel on stdin only
    assert secrets_set["zpa:clientSecret"] == "zpa-emulator-secret"
    base_urls = [a[-1] for a in argvs if a[:3] == ["config", "set", "zpa:baseUrl"]]
    assert base_urls and base_urls[0].startswith("http://127.0.0.1:")
    backends = set()
    for call in calls:
        assert call["cwd"] == str(ROOT)
        assert "PULUMI_ACCESS_TOKEN" not in call["env"]
        assert not any(k.startswith(("ZPA_", "ZSCALER_")) for k in call["env"])
        assert call["env"]["PULUMI_CONFIG_PASSPHRASE"]
        assert call["env"]["PULUMI_HOME"] != str(Path.home() / ".pulumi")
        backends.add(call["env"]["PULUMI_BACKEND_URL"])
    (backend,) = backends
    assert backend.startswith("file://") and not Path(backend[len("file://") :]).exists()
    assert not (ROOT / f"Pulumi.{stack}.yaml").exists()


# -- (e) the PR-preview workflow -----------------------------------------------------------------


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


# -- (f) the quickstart's key, applied through the provider host ----------------------------------


@pytest.fixture
def quickstart_inputs(
    monkeypatch: pytest.MonkeyPatch, zpa_emulator: Any
) -> Iterator[dict[str, Any]]:
    with monkeypatch.context() as patch:
        inputs = _key_inputs(_quickstart(patch, zpa_emulator).one(KEY_TYPE))
    yield inputs


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
