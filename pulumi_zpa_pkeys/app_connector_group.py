"""``AppConnectorGroup``: the group App Connectors enroll into (a ``CONNECTOR_GRP`` key's
``zcomponent_id``).

API: ``/mgmtconfig/v1/admin/customers/{cid}/appConnectorGroup[/{id}]`` (POST answers 201 with
the object, PUT and DELETE 204). The fields both group kinds share, their normal forms and the
rules of the recorded traffic are in :mod:`pulumi_zpa_pkeys._group`; this kind adds
``dns_query_type``. Every field changes in place except ``microtenant_id``. ZPA refuses to
delete a group that provisioning keys still enroll into; a stack that declares the key with
``zcomponent_id=group.id`` has Pulumi delete the key first.

The provider's path ``pulumi_zpa_pkeys.app_connector_group.AppConnectorGroupProvider`` is
frozen: every stack's state refers to it.
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
    "DNS_QUERY_TYPES",
    "AppConnectorGroup",
    "AppConnectorGroupArgs",
    "AppConnectorGroupInfo",
    "AppConnectorGroupProvider",
    "get_app_connector_group",
    "get_app_connector_group_output",
]

#: How the group's connectors resolve application names (ZPA's enumeration).
DNS_QUERY_TYPES = ("IPV4_IPV6", "IPV4", "IPV6")

SCHEMA = Schema(
    label="App Connector group",
    path="appConnectorGroup",
    read_back=G.READ_BACK,
    fields=G.group_fields(
        Field("dns_query_type", "dnsQueryType", parse=F.one_of(*DNS_QUERY_TYPES, upper=True),
              default="IPV4_IPV6", from_api=G.upper_text),
    ),
)  # fmt: skip

#: check() and diff() of the resource as plain functions (no API, no sockets).
check_inputs = SCHEMA.check
diff_inputs = SCHEMA.diff


class AppConnectorGroupProvider(ZpaProvider):
    """CRUD for ZPA App Connector groups. Frozen path: pulumi_zpa_pkeys.app_connector_group."""

    schema = SCHEMA


@dataclass(frozen=True)
class AppConnectorGroupInfo(G.GroupInfo):
    """An existing App Connector group: the resource's outputs plus `id`."""

    dns_query_type: str | None


# -- the resource (program side) ---------------------------------------------------------------


@dataclass
class AppConnectorGroupArgs(G.GroupArgs):
    """Inputs of an AppConnectorGroup (see the README's resource reference)."""

    dns_query_type: pulumi.Input[str] = "IPV4_IPV6"


class AppConnectorGroup(G.GroupResource, module="zpa", name="AppConnectorGroup"):
    """A ZPA App Connector group: where App Connectors enrolled with its keys belong."""

    _provider_class = AppConnectorGroupProvider
    _args_class = AppConnectorGroupArgs

    dns_query_type: pulumi.Output[str]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: AppConnectorGroupArgs,
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
        dns_query_type: pulumi.Input[str] = "IPV4_IPV6",
        microtenant_id: pulumi.Input[str] | None = None,
        adopt_existing: bool = False,
        tenant: str | None = None,
    ) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)


# -- lookups -------------------------------------------------------------------------------------


def get_app_connector_group(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> AppConnectorGroupInfo:
    """Find one App Connector group by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return lookup(
        SCHEMA, AppConnectorGroupInfo, "get_app_connector_group", name, id, microtenant_id, tenant
    )


def get_app_connector_group_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[AppConnectorGroupInfo]:
    """`get_app_connector_group` over Inputs: `Output[AppConnectorGroupInfo]`."""
    return lookup_output(get_app_connector_group, name, id, microtenant_id, tenant)
