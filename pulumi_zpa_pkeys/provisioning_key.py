"""``ProvisioningKey``: the secret an App Connector or Service Edge presents once to enroll.

API: ``/mgmtconfig/v1/admin/customers/{cid}/associationType/{type}/provisioningKey[/{id}]``.
The association type is part of the URL, so a key cannot change type in place. Rules of its
own: ``exportable`` can be switched off in place but never back on (that replaces the key); the
key value shows in ZPA's answers only while the key is exportable (always in the create answer),
so the value from the create answer is kept; a create answer lacks the group and certificate
names, so a new key is read back once.

The provider's path ``pulumi_zpa_pkeys.provisioning_key.ProvisioningKeyProvider`` is frozen:
every stack's state refers to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import pulumi

from . import _fields as F
from ._api import Collection
from ._lookup import lookup, lookup_output
from ._lost_create import create_once
from ._provider import ZpaProvider
from ._resource_class import ZpaResource
from ._schema import (
    ADOPT_EXISTING_FIELD,
    CREATION_TIME,
    KEEPERS_FIELD,
    MICROTENANT_FIELD,
    MODIFIED_TIME,
    TENANT_FIELD,
    Field,
    Schema,
)
from ._transport import Transport

__all__ = [
    "ASSOCIATION_TYPES",
    "ProvisioningKey",
    "ProvisioningKeyArgs",
    "ProvisioningKeyInfo",
    "ProvisioningKeyProvider",
    "get_provisioning_key",
    "get_provisioning_key_output",
]

ASSOCIATION_TYPES = ("CONNECTOR_GRP", "SERVICE_EDGE_GRP", "NP_ASSISTANT_GRP")


def _exportable(old: Any, new: Any) -> Literal["update", "replace"]:
    """in place, except false to true, which replaces (ZPA cannot export a key again)"""
    return "replace" if old is False and new is not False else "update"


SCHEMA = Schema(
    resource="ProvisioningKey",
    doc="A ZPA provisioning key: the secret an App Connector or a Service Edge presents once to "
    "enroll into its group.",
    label="provisioning key",
    path="associationType/{association_type}/provisioningKey",
    read_only_note="managed by Zscaler Deception",
    read_back=frozenset({"zcomponentName", "enrollmentCertName"}),
    fields=(
        Field("association_type",
              doc="The kind of group the key enrolls into: CONNECTOR_GRP (an App Connector "
              "group), SERVICE_EDGE_GRP (a Service Edge group) or NP_ASSISTANT_GRP.",
              parse=F.one_of(*ASSOCIATION_TYPES), change="replace", required=True),
        Field("name", "name",
              doc="The key's name, unique among the keys of its association type and "
              "microtenant, ignoring case.",
              parse=F.name, required=True),
        Field("max_usage", "maxUsage",
              doc="How many App Connectors or Service Edges may enroll with the key.",
              py_type="int", parse=F.whole_number(1), required=True, from_api=F.int_or_none,
              to_api=str),
        Field("enrollment_cert_id", "enrollmentCertId",
              doc="Id of the enrollment certificate that signs the key; it must hold a private "
              "key (look it up with get_enrollment_cert).",
              parse=F.object_id, change="replace", required=True, from_api=F.str_or_none),
        Field("zcomponent_id", "zcomponentId",
              doc="Id of the group the key enrolls into, of the kind association_type names.",
              parse=F.object_id, change="replace", required=True, from_api=F.str_or_none),
        Field("enabled", "enabled",
              doc="Whether the key can be used to enroll.",
              py_type="bool", parse=F.boolean, default=True, from_api=F.bool_or(True)),
        Field("exportable", "exportable",
              doc="Whether ZPA shows the key's value after its creation.",
              py_type="bool", parse=F.boolean, change=_exportable, default=True,
              from_api=F.bool_or(True)),
        # The common fields sit where 0.1.0's positional Args had them.
        MICROTENANT_FIELD,
        ADOPT_EXISTING_FIELD,
        Field("ip_acl", "ipAcl",
              doc="IP addresses or CIDR networks allowed to enroll with the key, compared as a "
              "set (undeclared leaves ZPA's list alone; an empty list clears it).",
              py_type="list[str] | None", input_py_type="Sequence[pulumi.Input[str]]",
              parse=F.ip_list, same=F.same_networks, undeclared_is_no_change=True,
              from_api=F.str_list_or_none, aliases=("ip_acls",)),
        Field("provisioning_key", "provisioningKey",
              doc="The key's value, which an App Connector or Service Edge enrolls with; kept "
              "from the create answer (None only for an adopted key ZPA hides).",
              py_type="str | None", secret=True, shown_once=True, from_api=F.str_or_none,
              aliases=("provisioning_key_value",)),
        Field("usage_count", "usageCount",
              doc="How many times the key has been used to enroll.",
              py_type="int", from_api=lambda v: F.int_or_none(v) or 0),
        Field("zcomponent_name", "zcomponentName",
              doc="The name of the group the key enrolls into.",
              py_type="str | None"),
        Field("enrollment_cert_name", "enrollmentCertName",
              doc="The name of the enrollment certificate that signs the key.",
              py_type="str | None"),
        CREATION_TIME,
        MODIFIED_TIME,
        KEEPERS_FIELD,
        TENANT_FIELD,
    ),
)  # fmt: skip

#: check() and diff() of the resource as plain functions (no API, no sockets).
check_inputs = SCHEMA.check
diff_inputs = SCHEMA.diff


def keys(
    transport: Transport, association_type: str, microtenant_id: str | None = None
) -> Collection:
    """The provisioning keys of one association type (and microtenant) of a tenant."""
    return SCHEMA.collection(transport, {"association_type": association_type}, microtenant_id)


def create_key(api: Collection, body: dict[str, Any]) -> dict[str, Any]:
    """Create a key and return ZPA's answer (with the key value), never leaving a duplicate
    when the answer is lost (see :func:`~pulumi_zpa_pkeys._lost_create.create_once`)."""
    operation = f"create provisioning key {body.get('name')!r}{api.scope}"
    return create_once(api, body, SCHEMA, operation)


class ProvisioningKeyProvider(ZpaProvider):
    """CRUD for ZPA provisioning keys. Frozen path: pulumi_zpa_pkeys.provisioning_key."""

    schema = SCHEMA


# --- generated by `make docs` from SCHEMA: edit the schema, not this block ---


@dataclass(frozen=True)
class ProvisioningKeyInfo:
    """An existing provisioning key, as ``get_provisioning_key`` finds it: its ``id`` and the
    outputs of ``ProvisioningKey`` named below (described in its docstring).

    Not in repr(): provisioning_key.
    """

    id: str
    association_type: str
    name: str
    max_usage: int
    enrollment_cert_id: str
    zcomponent_id: str
    enabled: bool
    exportable: bool
    microtenant_id: str | None
    ip_acl: list[str] | None
    provisioning_key: str | None = field(repr=False)
    usage_count: int
    zcomponent_name: str | None
    enrollment_cert_name: str | None
    creation_time: int | None
    modified_time: int | None


@dataclass
class ProvisioningKeyArgs:
    """Inputs of a ProvisioningKey (described in its class docstring)."""

    association_type: pulumi.Input[str]
    max_usage: pulumi.Input[int]
    enrollment_cert_id: pulumi.Input[str]
    zcomponent_id: pulumi.Input[str]
    name: pulumi.Input[str] | None = None
    enabled: pulumi.Input[bool] = True
    exportable: pulumi.Input[bool] = True
    microtenant_id: pulumi.Input[str] | None = None
    adopt_existing: bool = False
    ip_acl: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    keepers: pulumi.Input[Mapping[str, str]] | None = None
    tenant: str | None = None


class ProvisioningKey(ZpaResource, module="zpa", name="ProvisioningKey"):
    """A ZPA provisioning key: the secret an App Connector or a Service Edge presents once to enroll
    into its group.

    Type token ``pulumi-python:dynamic/zpa:ProvisioningKey``; id: the provisioning key's ZPA id. Two
    call forms: ``ProvisioningKey(name, ProvisioningKeyArgs(...), opts)`` or ``ProvisioningKey(name,
    opts, **inputs)``.

    Inputs:
        association_type (str, required, change: replaces): The kind of group the key enrolls into:
            CONNECTOR_GRP (an App Connector group), SERVICE_EDGE_GRP (a Service Edge group) or
            NP_ASSISTANT_GRP.
        name (str, default: the resource name): The key's name, unique among the keys of its
            association type and microtenant, ignoring case.
        max_usage (int, required): How many App Connectors or Service Edges may enroll with the key.
        enrollment_cert_id (str, required, change: replaces): Id of the enrollment certificate that
            signs the key; it must hold a private key (look it up with get_enrollment_cert).
        zcomponent_id (str, required, change: replaces): Id of the group the key enrolls into, of
            the kind association_type names.
        enabled (bool, default True): Whether the key can be used to enroll.
        exportable (bool, default True, change: in place, except false to true, which replaces (ZPA
            cannot export a key again)): Whether ZPA shows the key's value after its creation.
        microtenant_id (str, optional, change: replaces): The microtenant the object belongs to (0
            or none: the Default microtenant); undeclared, a new object goes to the tenant's
            zpa:microtenantId and later stays where it is.
        adopt_existing (bool, default False, change: never a change): On create, take over an
            existing object of the same name (brought to the declared in-place values) instead of
            creating one; refused when a replace-only value differs or the object is read-only.
        ip_acl (Sequence[pulumi.Input[str]], optional, alias ip_acls): IP addresses or CIDR networks
            allowed to enroll with the key, compared as a set (undeclared leaves ZPA's list alone;
            an empty list clears it).
        keepers (Mapping[str, str], optional, change: replaces): Strings never sent to ZPA; any
            change replaces the resource, so rotating its secret is one config change (e.g.
            {"rotation": "2027-Q1"}).
        tenant (str, optional, change: replaces): The Pulumi config namespace that holds the
            tenant's settings (default zpa, as in zpa:clientId); only the name is stored, never a
            credential.

    Outputs (besides the inputs):
        provisioning_key (str | None, secret, alias provisioning_key_value): The key's value, which
            an App Connector or Service Edge enrolls with; kept from the create answer (None only
            for an adopted key ZPA hides).
        usage_count (int): How many times the key has been used to enroll.
        zcomponent_name (str | None): The name of the group the key enrolls into.
        enrollment_cert_name (str | None): The name of the enrollment certificate that signs the
            key.
        creation_time (int | None): When ZPA created the object (epoch seconds).
        modified_time (int | None): When ZPA last changed the object (epoch seconds).
    """

    _provider_class = ProvisioningKeyProvider
    _args_class = ProvisioningKeyArgs

    association_type: pulumi.Output[str]
    name: pulumi.Output[str]
    max_usage: pulumi.Output[int]
    enrollment_cert_id: pulumi.Output[str]
    zcomponent_id: pulumi.Output[str]
    enabled: pulumi.Output[bool]
    exportable: pulumi.Output[bool]
    microtenant_id: pulumi.Output[str | None]
    adopt_existing: pulumi.Output[bool]
    ip_acl: pulumi.Output[list[str] | None]
    provisioning_key: pulumi.Output[str | None]
    usage_count: pulumi.Output[int]
    zcomponent_name: pulumi.Output[str | None]
    enrollment_cert_name: pulumi.Output[str | None]
    creation_time: pulumi.Output[int | None]
    modified_time: pulumi.Output[int | None]
    keepers: pulumi.Output[Mapping[str, str] | None]
    tenant: pulumi.Output[str]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: ProvisioningKeyArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        association_type: pulumi.Input[str],
        max_usage: pulumi.Input[int],
        enrollment_cert_id: pulumi.Input[str],
        zcomponent_id: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        enabled: pulumi.Input[bool] = True,
        exportable: pulumi.Input[bool] = True,
        microtenant_id: pulumi.Input[str] | None = None,
        adopt_existing: bool = False,
        ip_acl: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        keepers: pulumi.Input[Mapping[str, str]] | None = None,
        tenant: str | None = None,
        ip_acls: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
    ) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)

    @property
    def ip_acls(self) -> pulumi.Output[list[str] | None]:
        """``ip_acl``, by the name pulumi-zpa gives it."""
        return self.ip_acl

    @property
    def provisioning_key_value(self) -> pulumi.Output[str | None]:
        """``provisioning_key``, by the name pulumi-zpa gives it."""
        return self.provisioning_key

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        association_type: pulumi.Input[str],
        microtenant_id: pulumi.Input[str] | None = None,
        tenant: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> ProvisioningKey:
        """A read-only reference to an existing provisioning key (the engine calls the provider's
        read).
        """
        found: ProvisioningKey = ProvisioningKey._get(
            resource_name,
            id,
            {
                "association_type": association_type,
                "microtenant_id": microtenant_id,
                "tenant": tenant,
            },
            opts,
        )
        return found


def get_provisioning_key(
    association_type: str,
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> ProvisioningKeyInfo:
    """Find one existing provisioning key by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names),
        ambiguous, or not exactly one of name and id given.
    :raises FieldError: ``association_type`` is invalid.
    """
    return lookup(
        SCHEMA,
        ProvisioningKeyInfo,
        "get_provisioning_key",
        name,
        id,
        microtenant_id,
        tenant,
        association_type=association_type,
    )


def get_provisioning_key_output(
    association_type: pulumi.Input[str],
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[ProvisioningKeyInfo]:
    """``get_provisioning_key`` over Inputs (unknown during preview included): a secret
    ``Output[ProvisioningKeyInfo]`` (it holds provisioning_key).
    """
    return lookup_output(
        get_provisioning_key,
        association_type,
        name,
        id,
        microtenant_id,
        tenant,
        secret=True,
    )


# --- end of the generated block ---
