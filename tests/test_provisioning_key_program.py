"""ProvisioningKey on the program side, under `pulumi.runtime.set_mocks`.

Mocks do not apply `additional_secret_outputs` themselves, so secrecy is checked where it is
decided: the RegisterResource request the SDK sends to the engine (read by a MockMonitor subclass).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import dill
import pulumi
import pytest

from pulumi_zpa_pkeys import ProvisioningKey, ProvisioningKeyArgs
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider

TYPE_TOKEN = "pulumi-python:dynamic/zpa:ProvisioningKey"


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        outputs = dict(args.inputs)
        outputs.pop("__provider", None)
        outputs.update({"provisioning_key": "3|api.private.zscaler.com|mock", "usage_count": 0})
        return args.resource_id or "4242", outputs

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class _Monitor(pulumi.runtime.mocks.MockMonitor):
    def __init__(self, mocks: _Mocks) -> None:
        super().__init__(mocks)
        self.secret_outputs: dict[str, list[str]] = {}
        self.types: dict[str, str] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.secret_outputs[request.name] = list(request.additionalSecretOutputs)
        self.types[request.name] = request.type
        return super().RegisterResource(request)


@pytest.fixture
def mocks() -> Iterator[tuple[_Mocks, _Monitor]]:
    m = _Mocks()
    monitor = _Monitor(m)
    pulumi.runtime.set_mocks(m, preview=False, monitor=monitor)
    yield m, monitor


@pulumi.runtime.test
def test_keyword_form_registers_defaults_and_type_token(mocks: tuple[_Mocks, _Monitor]) -> Any:
    m, monitor = mocks
    key = ProvisioningKey(
        "edge-key",
        association_type="CONNECTOR_GRP",
        max_usage=2,
        enrollment_cert_id="6573",
        zcomponent_id="216196257331300001",
    )

    def verify(values: list[Any]) -> None:
        name, enabled, exportable = values
        assert (name, enabled, exportable) == ("edge-key", True, True)
        (args,) = m.registered
        assert args.typ == TYPE_TOKEN
        assert monitor.types["edge-key"] == TYPE_TOKEN
        assert args.inputs["max_usage"] == 2

    return pulumi.Output.all(key.name, key.enabled, key.exportable).apply(verify)


@pulumi.runtime.test
def test_args_form_keeps_explicit_name_and_marks_key_secret(mocks: tuple[_Mocks, _Monitor]) -> Any:
    _, monitor = mocks
    args = ProvisioningKeyArgs(
        association_type="SERVICE_EDGE_GRP",
        max_usage=3,
        enrollment_cert_id="6574",
        zcomponent_id="216196257331300002",
        name="pse-key",
        enabled=False,
    )
    key = ProvisioningKey(
        "res", args, pulumi.ResourceOptions(additional_secret_outputs=["zcomponent_name"])
    )

    def verify(name: str) -> None:
        assert name == "pse-key"
        assert sorted(monitor.secret_outputs["res"]) == ["provisioning_key", "zcomponent_name"]

    return key.name.apply(verify)


@pulumi.runtime.test
def test_every_output_is_reachable_as_attribute(mocks: tuple[_Mocks, _Monitor]) -> Any:
    key = ProvisioningKey(
        "attrs",
        association_type="CONNECTOR_GRP",
        max_usage=1,
        enrollment_cert_id="6573",
        zcomponent_id="1",
    )
    for attr in (
        "provisioning_key",
        "usage_count",
        "zcomponent_name",
        "enrollment_cert_name",
        "creation_time",
        "modified_time",
        "microtenant_id",
        "adopt_existing",
    ):
        assert isinstance(getattr(key, attr), pulumi.Output), attr
    return key.provisioning_key.apply(lambda v: None if v.endswith("mock") else pytest.fail(v))


def test_both_call_forms_at_once_is_an_error(mocks: tuple[_Mocks, _Monitor]) -> None:
    args = ProvisioningKeyArgs(
        association_type="CONNECTOR_GRP", max_usage=1, enrollment_cert_id="1", zcomponent_id="1"
    )
    with pytest.raises(TypeError, match="not both"):
        ProvisioningKey("both", args, max_usage=2)  # type: ignore[call-overload]


def test_missing_required_keyword_is_an_error(mocks: tuple[_Mocks, _Monitor]) -> None:
    with pytest.raises(TypeError, match="zcomponent_id"):
        ProvisioningKey(
            "partial", association_type="CONNECTOR_GRP", max_usage=1, enrollment_cert_id="1"
        )  # type: ignore[call-overload]


@pulumi.runtime.test
def test_static_get_reads_existing_key_by_id(mocks: tuple[_Mocks, _Monitor]) -> Any:
    key = ProvisioningKey.get("existing", "58856", association_type="CONNECTOR_GRP")
    return key.id.apply(lambda v: None if v == "58856" else pytest.fail(v))


def test_provider_pickles_as_class_reference_with_empty_state() -> None:
    provider = ProvisioningKeyProvider()
    assert vars(provider) == {}
    blob = pulumi.dynamic.dynamic.serialize_provider(provider)
    restored = dill.loads(base64.b64decode(blob))
    assert type(restored) is ProvisioningKeyProvider and vars(restored) == {}
