"""Helpers for the App Connector group and Service Edge group tests (imported as `group_support`).

Both kinds are built from one table (`pulumi_zpa_pkeys._group`), so most tests run once per
kind; `KINDS` says what differs between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from support import call_segments

from pulumi_zpa_pkeys._api import Collection
from pulumi_zpa_pkeys._provider import ZpaProvider
from pulumi_zpa_pkeys._transport import Transport
from pulumi_zpa_pkeys.app_connector_group import AppConnectorGroupProvider
from pulumi_zpa_pkeys.service_edge_group import ServiceEdgeGroupProvider
from pulumi_zpa_pkeys.settings import Settings
from pulumi_zpa_pkeys.testing.seeds import (
    APP_CONNECTOR_GROUP_ID,
    CONNECTOR_CERT_ID,
    SERVICE_EDGE_CERT_ID,
    SERVICE_EDGE_GROUP_ID,
)

LOCATION = "San Jose, CA, USA"
LATITUDE = "37.33874"
LONGITUDE = "-121.8852525"


@dataclass(frozen=True)
class GroupKind:
    """One group kind: its provider, where the emulator keeps it, the keys that enroll into it
    and the input only it has (`own_field`: name, API field, a non-default value, that value as
    ZPA keeps it; `own_default`: its default as the API takes it)."""

    id: str
    make_provider: Callable[[], ZpaProvider]
    collection: Callable[[Transport, str | None], Collection]
    state_key: str
    type_token: str
    seeded_id: str
    association_type: str
    cert_id: str
    own_field: tuple[str, str, Any, Any]
    own_default: dict[str, Any]
    collection_path: str
    module: str
    seeded_name: str

    def __str__(self) -> str:
        return self.id


APP_CONNECTOR = GroupKind(
    id="app_connector",
    make_provider=AppConnectorGroupProvider,
    collection=lambda t, mt: AppConnectorGroupProvider.schema.collection(t, {}, mt),
    state_key="appConnectorGroups",
    type_token="pulumi-python:dynamic/zpa:AppConnectorGroup",
    seeded_id=APP_CONNECTOR_GROUP_ID,
    association_type="CONNECTOR_GRP",
    cert_id=CONNECTOR_CERT_ID,
    own_field=("dns_query_type", "dnsQueryType", "IPV4", "IPV4"),
    own_default={"dnsQueryType": "IPV4_IPV6"},
    collection_path="appConnectorGroup",
    module="pulumi_zpa_pkeys.app_connector_group",
    seeded_name="Emulator Connector Group",
)
SERVICE_EDGE = GroupKind(
    id="service_edge",
    make_provider=ServiceEdgeGroupProvider,
    collection=lambda t, mt: ServiceEdgeGroupProvider.schema.collection(t, {}, mt),
    state_key="serviceEdgeGroups",
    type_token="pulumi-python:dynamic/zpa:ServiceEdgeGroup",
    seeded_id=SERVICE_EDGE_GROUP_ID,
    association_type="SERVICE_EDGE_GRP",
    cert_id=SERVICE_EDGE_CERT_ID,
    own_field=("is_public", "isPublic", True, "TRUE"),
    own_default={"isPublic": "FALSE"},
    collection_path="serviceEdgeGroup",
    module="pulumi_zpa_pkeys.service_edge_group",
    seeded_name="Emulator Service Edge Group",
)
KINDS = (APP_CONNECTOR, SERVICE_EDGE)


def group_inputs(name: str, /, **changes: Any) -> dict[str, Any]:
    """A group's inputs as a program declares them (coordinates as numbers, as users write)."""
    return {
        "name": name,
        "latitude": float(LATITUDE),
        "longitude": float(LONGITUDE),
        "location": LOCATION,
        **changes,
    }


def group_body(name: str, /, **fields: Any) -> dict[str, Any]:
    """A whole group as the API takes it (for objects made out of band)."""
    return {
        "name": name,
        "enabled": True,
        "latitude": LATITUDE,
        "longitude": LONGITUDE,
        "location": LOCATION,
        "upgradeDay": "SUNDAY",
        "upgradeTimeInSecs": "66600",
        "overrideVersionProfile": False,
        "versionProfileId": "0",
        **fields,
    }


def api_for(emulator: Any, kind: GroupKind, clients: list[Transport]) -> Collection:
    """The kind's collection on the emulator, outside the provider host (out-of-band changes).

    Its transport is the test's own (closed with the `clients` fixture), never the process-wide
    one of `_host`: a signed-in transport left there would be reused by later tests.
    """
    transport = Transport(Settings.from_config(emulator.config))
    clients.append(transport)
    return kind.collection(transport, None)


def groups_in(emulator: Any, kind: GroupKind, name: str | None = None) -> list[dict[str, Any]]:
    """The kind's groups in the emulator's state (all of them when `name` is None)."""
    groups: list[dict[str, Any]] = emulator.state()[kind.state_key]
    return [g for g in groups if name is None or g["name"] == name]


def group_in(emulator: Any, kind: GroupKind, group_id: str) -> dict[str, Any]:
    (group,) = [g for g in groups_in(emulator, kind) if str(g["id"]) == group_id]
    return group


api_calls = call_segments
