"""``ServiceEdgeGroup``: the group Private Service Edges enroll into (a ``SERVICE_EDGE_GRP``
key's ``zcomponent_id``).

API: ``/mgmtconfig/v1/admin/customers/{cid}/serviceEdgeGroup[/{id}]`` (POST answers 201 with the
object, PUT and DELETE 204). The fields both group kinds share, their normal forms and the rules
of the recorded traffic are in :mod:`pulumi_zpa_pkeys._group`; this kind adds ``is_public``,
which ZPA keeps as the text ``"TRUE"``/``"FALSE"`` (recorded), and has no ``dns_query_type``.
Every field changes in place except ``microtenant_id``. ZPA refuses to delete a group that
provisioning keys still enroll into; a stack that declares the key with
``zcomponent_id=group.id`` has Pulumi delete the key first.

The provider's path ``pulumi_zpa_pkeys.service_edge_group.ServiceEdgeGroupProvider`` is frozen:
every stack's state refers to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, overload

import pulumi

from . import _fields as F
from . import _group as G
from ._lookup import lookup, lookup_output
from ._provider import ZpaProvider
from ._schema import Field, Schema

__all__ = [
    "ServiceEdgeGroup",
    "ServiceEdgeGroupArgs",
    "ServiceEdgeGroupInfo",
    "ServiceEdgeGroupProvider",
    "get_service_edge_group",
    "get_service_edge_group_output",
]


def _true_false(value: bool) -> str:
    # ZPA keeps isPublic as text (recorded: "isPublic": "TRUE").
    return "TRUE" if value else "FALSE"


SCHEMA = Schema(
    label="Service Edge group",
    path="serviceEdgeGroup",
    read_back=G.READ_BACK,
    fields=G.group_fields(
        Field("is_public", "isPublic", parse=F.boolean, default=False, to_api=_true_false,
              from_api=F.bool_or(False)),
    ),
)  # fmt: skip

#: check() and diff() of the resource as plain functions (no API, no sockets).
check_inputs = SCHEMA.check
diff_inputs = SCHEMA.diff


class ServiceEdgeGroupProvider(ZpaProvider):
    """CRUD for ZPA Service Edge groups. Frozen path: pulumi_zpa_pkeys.service_edge_group."""

    schema = SCHEMA


@dataclass(frozen=True)
class ServiceEdgeGroupInfo(G.GroupInfo):
    """An existing Service Edge group: the resource's outputs plus `id`."""

    is_public: bool


# -- the resource (program side) ---------------------------------------------------------------


@dataclass
class ServiceEdgeGroupArgs(G.GroupArgs):
    """Inputs of a ServiceEdgeGroup (see the README's resource reference)."""

    is_public: pulumi.Input[bool] = False


class ServiceEdgeGroup(G.GroupResource, module="zpa", name="ServiceEdgeGroup"):
    """A ZPA Service Edge group: where Private Service Edges enrolled with its keys belong."""

    _provider_class = ServiceEdgeGroupProvider
    _args_class = ServiceEdgeGroupArgs

    is_public: pulumi.Output[bool]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: ServiceEdgeGroupArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        latitude: pulumi.Input[float | str],
        longitude: pulumi.Input[float | str],
        location: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        enabled: pulumi.Input[bool] = True,
        city_country: pulumi.Input[str] | None = None,
        country_code: pulumi.Input[str] | None = None,
        upgrade_day: pulumi.Input[str] = G.DEFAULT_UPGRADE_DAY,
        upgrade_time_in_secs: pulumi.Input[int | str] = G.DEFAULT_UPGRADE_TIME,
        override_version_profile: pulumi.Input[bool] = False,
        version_profile_id: pulumi.Input[str] = G.DEFAULT_VERSION_PROFILE,
        is_public: pulumi.Input[bool] = False,
        microtenant_id: pulumi.Input[str] | None = None,
        adopt_existing: bool = False,
        tenant: str | None = None,
    ) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)


# -- lookups -------------------------------------------------------------------------------------


def get_service_edge_group(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> ServiceEdgeGroupInfo:
    """Find one Service Edge group by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return lookup(
        SCHEMA, ServiceEdgeGroupInfo, "get_service_edge_group", name, id, microtenant_id, tenant
    )


def get_service_edge_group_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[ServiceEdgeGroupInfo]:
    """`get_service_edge_group` over Inputs: `Output[ServiceEdgeGroupInfo]`."""
    return lookup_output(get_service_edge_group, name, id, microtenant_id, tenant)
