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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

import pulumi

from . import _fields as F
from . import _group as G
from ._api import Collection
from ._resource import Field, Schema, ZpaProvider
from ._transport import Transport

__all__ = [
    "DNS_QUERY_TYPES",
    "AppConnectorGroup",
    "AppConnectorGroupArgs",
    "AppConnectorGroupInfo",
    "AppConnectorGroupProvider",
]

#: How the group's connectors resolve application names (ZPA's enumeration).
DNS_QUERY_TYPES = ("IPV4_IPV6", "IPV4", "IPV6")

SCHEMA = Schema(
    label="App Connector group",
    read_back=G.READ_BACK,
    fields=G.group_fields(
        Field("dns_query_type", "dnsQueryType", F.one_of(*DNS_QUERY_TYPES, upper=True),
              default="IPV4_IPV6", from_api=G.upper_text),
    ),
)  # fmt: skip

#: check() and diff() of the resource as plain functions (no API, no sockets).
check_inputs = SCHEMA.check
diff_inputs = SCHEMA.diff


def app_connector_groups(transport: Transport, microtenant_id: str | None = None) -> Collection:
    """The App Connector groups of a tenant (and microtenant)."""
    return Collection(
        transport, "appConnectorGroup", "App Connector group", microtenant_id=microtenant_id
    )


class AppConnectorGroupProvider(ZpaProvider):
    """CRUD for ZPA App Connector groups. Frozen path: pulumi_zpa_pkeys.app_connector_group."""

    schema = SCHEMA

    def collection(
        self, transport: Transport, props: Mapping[str, Any], mt: str | None
    ) -> Collection:
        return app_connector_groups(transport, mt)


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
