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
from ._schema import KEEPERS_FIELD, Field, Schema
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
    # ZPA can stop exporting a key, never start again.
    return "replace" if old is False and new is not False else "update"


SCHEMA = Schema(
    label="provisioning key",
    path="associationType/{association_type}/provisioningKey",
    read_only_note="managed by Zscaler Deception",
    read_back=frozenset({"zcomponentName", "enrollmentCertName"}),
    fields=(
        Field("association_type", parse=F.one_of(*ASSOCIATION_TYPES), change="replace",
              required=True),
        Field("name", "name", parse=F.name, required=True),
        Field("max_usage", "maxUsage", parse=F.whole_number(1), required=True,
              from_api=F.int_or_none, to_api=str),
        Field("enrollment_cert_id", "enrollmentCertId", parse=F.object_id, change="replace",
              required=True, from_api=F.str_or_none),
        Field("zcomponent_id", "zcomponentId", parse=F.object_id, change="replace",
              required=True, from_api=F.str_or_none),
        Field("enabled", "enabled", parse=F.boolean, default=True, from_api=F.bool_or(True)),
        Field("exportable", "exportable", parse=F.boolean, change=_exportable, default=True,
              from_api=F.bool_or(True)),
        # Who may enroll with the key. Undeclared leaves ZPA's list alone; [] clears it.
        Field("ip_acl", "ipAcl", parse=F.ip_list, same=F.same_networks,
              undeclared_is_no_change=True, from_api=F.str_list_or_none),
        Field("provisioning_key", "provisioningKey", secret=True, shown_once=True,
              from_api=F.str_or_none),
        Field("usage_count", "usageCount", from_api=lambda v: F.int_or_none(v) or 0),
        Field("zcomponent_name", "zcomponentName"),
        Field("enrollment_cert_name", "enrollmentCertName"),
        Field("creation_time", "creationTime", from_api=F.int_or_none),
        Field("modified_time", "modifiedTime", from_api=F.int_or_none),
        KEEPERS_FIELD,  # never sent: any change replaces the key, so rotation is one config change
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


@dataclass(frozen=True)
class ProvisioningKeyInfo:
    """An existing provisioning key: the resource's outputs plus `id`; the key is not in repr()."""

    id: str
    association_type: str
    name: str
    max_usage: int
    enrollment_cert_id: str
    zcomponent_id: str
    enabled: bool
    exportable: bool
    ip_acl: list[str] | None
    microtenant_id: str | None
    provisioning_key: str | None = field(repr=False)
    usage_count: int
    zcomponent_name: str | None
    enrollment_cert_name: str | None
    creation_time: int | None
    modified_time: int | None


# -- the resource (program side) ---------------------------------------------------------------


@dataclass
class ProvisioningKeyArgs:
    """Inputs of a ProvisioningKey (see the README's resource reference)."""

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
    """A ZPA provisioning key; `provisioning_key` (the enrollment secret) is a secret output."""

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
    keepers: pulumi.Output[Mapping[str, str] | None]
    tenant: pulumi.Output[str]
    provisioning_key: pulumi.Output[str | None]
    usage_count: pulumi.Output[int]
    zcomponent_name: pulumi.Output[str]
    enrollment_cert_name: pulumi.Output[str]
    creation_time: pulumi.Output[int]
    modified_time: pulumi.Output[int]

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
    ) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        association_type: pulumi.Input[str],
        microtenant_id: pulumi.Input[str] | None = None,
        tenant: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> ProvisioningKey:
        """A read-only reference to an existing key (the engine calls the provider's read)."""
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


# -- lookups -------------------------------------------------------------------------------------


def get_provisioning_key(
    association_type: str,
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> ProvisioningKeyInfo:
    """Find one existing provisioning key by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    :raises FieldError: ``association_type`` is not one ZPA knows.
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
    """`get_provisioning_key` over Inputs: a secret `Output[ProvisioningKeyInfo]` (the key)."""
    return lookup_output(
        get_provisioning_key, association_type, name, id, microtenant_id, tenant, secret=True
    )
