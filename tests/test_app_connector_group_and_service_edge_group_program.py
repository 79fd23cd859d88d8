"""AppConnectorGroup and ServiceEdgeGroup on the program side, and a group with its key.

Under `pulumi.runtime.set_mocks`: the two call forms, defaults, type tokens, declared outputs,
static get, the pickled provider; and that a key declared with `zcomponent_id=group.id` is
registered as depending on the group, which is what makes Pulumi delete the key before the
group. The same order through the SDK's provider host against the emulator: ZPA refuses to
delete a group that a key still enrolls into, with its own message on one line.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import dill
import pulumi
import pytest
from group_support import APP_CONNECTOR, KINDS, SERVICE_EDGE, GroupKind, group_inputs, groups_in

from pulumi_zpa_pkeys import (
    AppConnectorGroup,
    AppConnectorGroupArgs,
    ProvisioningKey,
    ServiceEdgeGroup,
    ServiceEdgeGroupArgs,
)
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError

KEY_TYPE = "pulumi-python:dynamic/zpa:ProvisioningKey"
COORDINATES = {"latitude": 37.33874, "longitude": -121.8852525, "location": "San Jose, CA, USA"}
HostFor = Callable[[Any], ProviderHost]


def _resource(kind: GroupKind) -> type:
    return ServiceEdgeGroup if kind is SERVICE_EDGE else AppConnectorGroup


def _args(kind: GroupKind) -> type:
    return ServiceEdgeGroupArgs if kind is SERVICE_EDGE else AppConnectorGroupArgs


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        outputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
        if args.typ == KEY_TYPE:
            outputs["provisioning_key"] = "3|api.private.zscaler.com|mock"
        return args.resource_id or f"21619625733140{len(args.name):04d}", outputs

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@dataclass
class _Monitor(pulumi.runtime.mocks.MockMonitor):
    mocks: _Mocks = field(default_factory=_Mocks)
    registrations: list[Registration] = field(default_factory=list)
    reads: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.mocks)

    def RegisterResource(self, request: Any) -> Any:  # gRPC method name
        response = super().RegisterResource(request)
        self.registrations.append(
            Registration(
                request.type,
                request.name,
                response.urn,
                dict(request.object),
                list(request.dependencies),
                {k: list(v.urns) for k, v in request.propertyDependencies.items()},
            )
        )
        return response

    def ReadResource(self, request: Any) -> Any:  # gRPC method name
        self.reads.append(request)
        return super().ReadResource(request)

    def one(self, type_: str) -> Registration:
        (found,) = [r for r in self.registrations if r.type == type_]
        return found


@pytest.fixture
def monitor() -> Iterator[_Monitor]:
    mon = _Monitor()
    pulumi.runtime.set_mocks(mon.mocks, preview=False, monitor=mon)
    yield mon


# -- call forms, defaults, outputs -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=str)
@pulumi.runtime.test
def test_keyword_form_registers_schema_defaults_under_its_type_token(
    monitor: _Monitor, kind: GroupKind
) -> Any:
    group = _resource(kind)("edge-west", **COORDINATES)

    def verify(name: str) -> None:
        assert name == "edge-west"  # defaults to the resource name
        reg = monitor.one(kind.type_token)
        defaults = {
            "enabled": True, "upgrade_day": "SUNDAY", "upgrade_time_in_secs": "66600",
            "override_version_profile": False, "version_profile_id": "0",
            "adopt_existing": False,
        }  # fmt: skip
        assert {k: reg.inputs[k] for k in defaults} == defaults
        own = kind.own_field[0]
        assert reg.inputs[own] == {"is_public": False, "dns_query_type": "IPV4_IPV6"}[own]
        assert reg.inputs["latitude"] == 37.33874

    return group.name.apply(verify)


@pytest.mark.parametrize("kind", KINDS, ids=str)
@pulumi.runtime.test
def test_args_form_keeps_the_explicit_name(monitor: _Monitor, kind: GroupKind) -> Any:
    args = _args(kind)(name="Edge West", description="two connectors", **COORDINATES)
    group = _resource(kind)("res", args)
    return group.name.apply(lambda n: None if n == "Edge West" else pytest.fail(n))


@pytest.mark.parametrize("kind", KINDS, ids=str)
@pulumi.runtime.test
def test_every_output_is_reachable_as_attribute(monitor: _Monitor, kind: GroupKind) -> Any:
    group = _resource(kind)("attrs", **COORDINATES)
    own = kind.own_field[0]
    for attr in ("description", "enabled", "latitude", "longitude", "location", "city_country",
                 "country_code", "upgrade_day", "upgrade_time_in_secs", "override_version_profile",
                 "version_profile_id", "version_profile_name", "creation_time", "modified_time",
                 "microtenant_id", "adopt_existing", own):  # fmt: skip
        assert isinstance(getattr(group, attr), pulumi.Output), attr
    return group.id.apply(lambda i: None if i.isdigit() else pytest.fail(i))


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_both_call_forms_at_once_and_missing_fields_are_errors(
    monitor: _Monitor, kind: GroupKind
) -> None:
    resource, args = _resource(kind), _args(kind)(**COORDINATES)
    with pytest.raises(TypeError, match="not both"):
        resource("both", args, latitude=1)
    with pytest.raises(TypeError, match="missing required fields: longitude, location"):
        resource("partial", latitude=1)
    with pytest.raises(TypeError, match="unexpected keyword arguments: dns_query_types"):
        resource("typo", dns_query_types="IPV4", **COORDINATES)


@pytest.mark.parametrize("kind", KINDS, ids=str)
@pulumi.runtime.test
def test_static_get_reads_an_existing_group_by_id(monitor: _Monitor, kind: GroupKind) -> Any:
    group = _resource(kind).get("existing", kind.seeded_id)

    def verify(group_id: str) -> None:
        assert group_id == kind.seeded_id
        (read,) = monitor.reads
        assert (read.type, read.id) == (kind.type_token, kind.seeded_id)

    return group.id.apply(verify)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_provider_pickles_by_reference_to_its_frozen_path(kind: GroupKind) -> None:
    provider = kind.make_provider()
    assert vars(provider) == {}
    blob = base64.b64decode(pulumi.dynamic.dynamic.serialize_provider(provider))
    assert kind.module.encode() in blob and type(provider).__name__.encode() in blob
    restored = dill.loads(blob)
    assert type(restored) is type(provider) and vars(restored) == {}
    assert len(blob) < 300  # a class reference, not a pickled class


# -- a group and its key: the order Pulumi deletes them in -----------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=str)
@pulumi.runtime.test
def test_key_for_a_group_of_the_same_stack_depends_on_the_group(
    monitor: _Monitor, kind: GroupKind
) -> Any:
    group = _resource(kind)("group", **COORDINATES)
    key = ProvisioningKey(
        "key",
        association_type=kind.association_type,
        max_usage=2,
        enrollment_cert_id=kind.cert_id,
        zcomponent_id=group.id,
    )

    def verify(values: list[Any]) -> None:
        group_id, zcomponent_id = values
        assert zcomponent_id == group_id
        group_reg, key_reg = monitor.one(kind.type_token), monitor.one(KEY_TYPE)
        # The engine deletes in reverse dependency order: the key before the group.
        assert group_reg.urn in key_reg.dependencies
        assert key_reg.property_dependencies["zcomponent_id"] == [group_reg.urn]
        assert monitor.registrations.index(group_reg) < monitor.registrations.index(key_reg)

    return pulumi.Output.all(group.id, key.zcomponent_id).apply(verify)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_group_and_key_create_and_destroy_in_engine_order(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    group_host = host_for(kind.make_provider())
    key_host = host_for(ProvisioningKeyProvider())
    group = group_host.up("stack-group", group_inputs("stack-group"))
    key_inputs = {
        "association_type": kind.association_type,
        "name": "stack-key",
        "max_usage": 2,
        "enrollment_cert_id": kind.cert_id,
        "zcomponent_id": group.id,
    }
    key = key_host.up("stack-key", key_inputs)
    assert key.outputs["zcomponent_name"] == "stack-group"

    # Deleting the group while the key still enrolls into it: ZPA's refusal, on one line.
    with pytest.raises(ProviderHostError) as refused:
        group_host.destroy(group)
    message = refused.value.message
    label = "Service Edge group" if kind is SERVICE_EDGE else "App Connector group"
    assert message.startswith(f"pulumi_zpa_pkeys.errors.ResourceError: delete {label} {group.id}")
    assert "400 invalid.resource.argument" in message and "has provisioning keys" in message
    assert key.outputs["provisioning_key"] not in refused.value.details
    assert groups_in(zpa_emulator, kind, "stack-group") != []

    key_host.destroy(key)  # what Pulumi does: the dependent key first
    group_host.destroy(group)
    assert groups_in(zpa_emulator, kind, "stack-group") == []
    assert [k for k in zpa_emulator.state()["provisioningKeys"] if k["name"] == "stack-key"] == []


def test_a_key_cannot_enroll_into_a_group_of_the_other_kind(
    host_for: HostFor, zpa_emulator: Any
) -> None:
    group = host_for(APP_CONNECTOR.make_provider()).up("acg", group_inputs("acg"))
    with pytest.raises(ProviderHostError) as err:
        host_for(ProvisioningKeyProvider()).up(
            "wrong-kind",
            {
                "association_type": SERVICE_EDGE.association_type,
                "name": "wrong-kind",
                "max_usage": 1,
                "enrollment_cert_id": SERVICE_EDGE.cert_id,
                "zcomponent_id": group.id,
            },
        )
    assert "zcomponentId" in err.value.message and "\n" not in err.value.message
