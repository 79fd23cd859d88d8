"""App Connector, Service Edge and network connector groups (what keys enroll into). No HTTP
here. The three kinds share one id sequence; network connector groups have no API endpoint."""

from __future__ import annotations

import math
from typing import Any

from .certificates import microtenant_name
from .errors import bad_argument, not_found
from .kind import Kind, Rules, TableSpec, operation
from .query import list_page
from .table import FLAG, ID, INTEGER, TEXT, Shape, Table
from .values import (
    ADMIN_ID,
    DEFAULT_MICROTENANT,
    JSON,
    body_dict,
    numeric_string,
    parse_bool,
    parse_microtenant,
    parse_name,
    parse_string,
    shown,
)

APP_CONNECTOR_GROUPS = "appConnectorGroups"
SERVICE_EDGE_GROUPS = "serviceEdgeGroups"
NETWORK_CONNECTOR_GROUPS = "networkConnectorGroups"
GROUP_KINDS = (APP_CONNECTOR_GROUPS, SERVICE_EDGE_GROUPS, NETWORK_CONNECTOR_GROUPS)
GROUP_LABELS = {
    APP_CONNECTOR_GROUPS: "App Connector group",
    SERVICE_EDGE_GROUPS: "Service Edge group",
    NETWORK_CONNECTOR_GROUPS: "network connector group",
}

SEED_APP_CONNECTOR_GROUP_ID = "216196257331300001"
SEED_SERVICE_EDGE_GROUP_ID = "216196257331300002"
SEED_NETWORK_CONNECTOR_GROUP_ID = "216196257331300003"

# Group fields: the recorded order; "*" marks fields only GET/list add.
_ORDER = {
    APP_CONNECTOR_GROUPS: (
        "id", "modifiedTime", "creationTime", "modifiedBy", "name", "enabled", "description",
        "versionProfileId", "overrideVersionProfile", "versionProfileName", "*upgradePriority",
        "*versionProfileVisibilityScope", "upgradeTimeInSecs", "upgradeDay", "*version",
        "location", "latitude", "longitude", "dnsQueryType", "cityCountry", "countryCode",
        "tcpQuickAckApp", "tcpQuickAckAssistant", "tcpQuickAckReadAssistant", "praEnabled",
        "useInDrMode", "connectorGroupType", "wafDisabled", "readOnly", "zscalerManaged",
        "microtenantId", "*microtenantName", "lssAppConnectorGroup",
    ),
    SERVICE_EDGE_GROUPS: (
        "id", "modifiedTime", "creationTime", "modifiedBy", "name", "enabled", "description",
        "versionProfileId", "overrideVersionProfile", "versionProfileName", "*upgradePriority",
        "*versionProfileVisibilityScope", "upgradeTimeInSecs", "upgradeDay", "*version",
        "isPublic", "location", "latitude", "longitude", "cityCountry", "countryCode",
        "useInDrMode", "exclusiveForBusinessContinuity", "graceDistanceEnabled",
        "graceDistanceValue", "graceDistanceValueUnit", "readOnly", "zscalerManaged",
        "microtenantId", "*microtenantName",
    ),
    NETWORK_CONNECTOR_GROUPS: (
        "id", "modifiedTime", "creationTime", "modifiedBy", "name", "enabled",
    ),
}  # fmt: skip
_BOOLS = {
    APP_CONNECTOR_GROUPS: (
        "enabled", "overrideVersionProfile", "tcpQuickAckApp", "tcpQuickAckAssistant",
        "tcpQuickAckReadAssistant", "praEnabled", "useInDrMode", "wafDisabled",
        "lssAppConnectorGroup",
    ),
    SERVICE_EDGE_GROUPS: (
        "enabled", "overrideVersionProfile", "useInDrMode", "exclusiveForBusinessContinuity",
        "graceDistanceEnabled",
    ),
}  # fmt: skip
_NUMERIC_STRINGS = ("versionProfileId", "upgradeTimeInSecs", "latitude", "longitude")
# Taken as a number or its text, answered as ZPA writes a double: "10.0" (recorded).
_DISTANCES = {SERVICE_EDGE_GROUPS: ("graceDistanceValue",)}
# Derived from location and coordinates unless the request declares them.
_PLACES = ("cityCountry", "countryCode")
_STRINGS = {
    APP_CONNECTOR_GROUPS: (
        "name", "description", "versionProfileName", "upgradeDay", "location", "dnsQueryType",
        "connectorGroupType", *_PLACES,
    ),
    SERVICE_EDGE_GROUPS: (
        "name", "description", "versionProfileName", "upgradeDay", "location", "isPublic",
        "graceDistanceValueUnit", *_PLACES,
    ),
}  # fmt: skip
# Server-side defaults seen in the recorded create answers (inferred: applied when not sent).
_DEFAULTS: dict[str, JSON] = {
    APP_CONNECTOR_GROUPS: {
        "enabled": True, "useInDrMode": False, "connectorGroupType": "APP", "wafDisabled": False,
        "readOnly": False, "zscalerManaged": False, "lssAppConnectorGroup": False,
    },
    SERVICE_EDGE_GROUPS: {
        "enabled": True, "useInDrMode": False, "exclusiveForBusinessContinuity": False,
        "graceDistanceEnabled": False, "readOnly": False, "zscalerManaged": False,
    },
}  # fmt: skip
_SHAPES = {
    kind: Shape(
        required={"id": ID, "name": TEXT},
        optional={
            **dict.fromkeys(("modifiedTime", "creationTime"), INTEGER),
            "microtenantId": ID,
            **dict.fromkeys(
                (
                    "modifiedBy",
                    *_STRINGS.get(kind, ()),
                    *_DISTANCES.get(kind, ()),
                    *_NUMERIC_STRINGS,
                ),
                TEXT,
            ),
            **dict.fromkeys(_BOOLS.get(kind, ("enabled",)), FLAG),
        },
    )
    for kind in GROUP_KINDS
}
_VERSION_PROFILES = {"0": "Default", "1": "Previous Default", "2": "New Release"}
_COUNTRY_CODES = {
    "usa": "US", "us": "US", "united states": "US", "canada": "CA", "uk": "GB",
    "united kingdom": "GB", "germany": "DE", "france": "FR", "india": "IN", "japan": "JP",
    "australia": "AU", "brazil": "BR", "netherlands": "NL", "ireland": "IE",
}  # fmt: skip


def _seeds() -> dict[str, JSON]:
    created = "1773369900"
    base: JSON = {"modifiedTime": created, "creationTime": created, "modifiedBy": ADMIN_ID}
    return {
        APP_CONNECTOR_GROUPS: {
            "id": SEED_APP_CONNECTOR_GROUP_ID, **base,
            "name": "Emulator Connector Group", "enabled": True,
            "description": "Seeded by the ZPA emulator", "versionProfileId": "0",
            "overrideVersionProfile": False, "versionProfileName": "Default",
            "upgradeTimeInSecs": "66600", "upgradeDay": "SUNDAY",
            "location": "San Jose, CA, USA", "latitude": "37.33874",
            "longitude": "-121.8852525", "dnsQueryType": "IPV4_IPV6",
            "cityCountry": "San Jose, US", "countryCode": "US", "tcpQuickAckApp": False,
            "tcpQuickAckAssistant": False, "tcpQuickAckReadAssistant": False,
            "praEnabled": False, "useInDrMode": False, "connectorGroupType": "APP",
            "wafDisabled": False, "readOnly": False, "zscalerManaged": False,
            "lssAppConnectorGroup": False,
        },
        SERVICE_EDGE_GROUPS: {
            "id": SEED_SERVICE_EDGE_GROUP_ID, **base,
            "name": "Emulator Service Edge Group", "enabled": True,
            "description": "Seeded by the ZPA emulator", "versionProfileId": "0",
            "overrideVersionProfile": False, "versionProfileName": "Default",
            "upgradeTimeInSecs": "66600", "upgradeDay": "SUNDAY", "isPublic": "FALSE",
            "location": "San Jose, CA, USA", "latitude": "37.33874",
            "longitude": "-121.8852525", "cityCountry": "San Jose, US",
            "countryCode": "US", "useInDrMode": False,
            "exclusiveForBusinessContinuity": False, "graceDistanceEnabled": False,
            "readOnly": False, "zscalerManaged": False,
        },
        NETWORK_CONNECTOR_GROUPS: {
            "id": SEED_NETWORK_CONNECTOR_GROUP_ID, **base,
            "name": "Emulator Network Connector Group", "enabled": True,
        },
    }  # fmt: skip


def _microtenant(group: JSON) -> str:
    """The group's microtenant (groups of the Default one, and of older journals, have none)."""
    return str(group.get("microtenantId") or DEFAULT_MICROTENANT)


def _distance(field: str, value: Any) -> str:
    """A distance (the SDKs send a number) as ZPA answers it: the text of a double, "10.0"
    (inferred: Python's float text, which is Java's for everyday values)."""
    number = float(numeric_string(field, value))
    if not math.isfinite(number) or number < 0:
        raise bad_argument(field, f"{field} must be a number of at least 0, got {shown(value)}")
    return repr(number)


def _locate(group: JSON, declared: JSON) -> None:
    """cityCountry and countryCode as the request ``declared`` them; each one it leaves out is
    derived from location when coordinates are given, else dropped."""
    derived: JSON = {}
    if "latitude" in group and "longitude" in group and group.get("location"):
        # inferred: ZPA geocodes; we take the first and last parts of ``location``.
        parts = [p.strip() for p in str(group["location"]).split(",") if p.strip()]
        country = parts[-1] if parts else ""
        code = _COUNTRY_CODES.get(country.casefold()) or (
            country.upper() if len(country) == 2 else country[:2].upper()
        )
        derived = {"cityCountry": f"{parts[0]}, {code}" if parts else code, "countryCode": code}
    for field in _PLACES:
        if field in declared:
            group[field] = declared[field]
        elif field in derived:
            group[field] = derived[field]
        else:
            group.pop(field, None)


class Groups(Rules):
    """The group tables, by kind (their journal names are the kinds)."""

    def seed(self) -> None:
        for kind, group in _seeds().items():
            self.tables[kind].fill([group])

    def view(self, kind: str, group: JSON, *, full: bool) -> JSON:
        """A group as the API shows it: create answers omit what only GET/list add."""
        fields = dict(group)
        if full:
            profile = fields.setdefault("versionProfileId", "0")
            fields.setdefault("versionProfileName", _VERSION_PROFILES.get(profile, "Default"))
            fields["upgradePriority"] = "WEEK"
            fields["versionProfileVisibilityScope"] = "ALL"
            fields["version"] = {
                "version_profile_gid": profile,
                "versionProfileName": fields["versionProfileName"],
                "sargeVersion": "26.52.3",
                "childVersion": "26.52.3",
                "latestPlatform": "el9",
            }
            # inferred: as for keys, a group of the Default microtenant does not report it.
            fields["microtenantName"] = microtenant_name(_microtenant(group))
        names = [n.lstrip("*") for n in _ORDER[kind] if full or not n.startswith("*")]
        visible = {n: fields[n] for n in names if n in fields}
        # Recorded: a Service Edge group's GET and list items end with its Service Edges.
        return {**visible, **self.tenant.embedded(kind, group)} if full else visible

    def state(self, table: Table) -> list[JSON]:
        return [self.view(table.name, g, full=True) for g in table]

    def _fields(self, kind: str, body: JSON) -> JSON:
        out: JSON = {}
        for field in _BOOLS[kind]:
            if field in body:
                out[field] = parse_bool(field, body[field])
        for field in _NUMERIC_STRINGS:
            if field in body and body[field] is not None:
                out[field] = numeric_string(field, body[field])
        for field in _DISTANCES.get(kind, ()):
            if field in body and body[field] is not None:
                out[field] = _distance(field, body[field])
        for field in _STRINGS[kind]:
            if field in body and body[field] is not None:
                value = body[field]
                out[field] = parse_name(value) if field == "name" else parse_string(field, value)
        return out

    def _table(self, kind: str) -> Table:
        if kind not in (APP_CONNECTOR_GROUPS, SERVICE_EDGE_GROUPS):
            raise not_found("group kind", kind)
        return self.tables[kind]

    def _find(self, kind: str, group_id: str, microtenant_id: str | None) -> JSON:
        """A group of the microtenant the request names (none: the Default one)."""
        microtenant = parse_microtenant(microtenant_id)
        return self._table(kind).find(group_id, lambda g: _microtenant(g) == microtenant)

    # ------------------------------------------------------------------ API operations

    @operation
    def list_groups(
        self,
        *,
        kind: str,
        microtenant_id: str | None = None,
        page: str | None = None,
        pagesize: str | None = None,
        search: str | None = None,
    ) -> JSON:
        microtenant = parse_microtenant(microtenant_id)
        groups = [g for g in self._table(kind) if _microtenant(g) == microtenant]
        return list_page(
            groups, page=page, pagesize=pagesize, search=search,
            field_of=lambda g, f: g.get(f), render=lambda g: self.view(kind, g, full=True),
            fields=[n.lstrip("*") for n in _ORDER[kind]],
        )  # fmt: skip

    @operation
    def get_group(self, *, kind: str, group_id: str, microtenant_id: str | None = None) -> JSON:
        return self.view(kind, self._find(kind, group_id, microtenant_id), full=True)

    @operation
    def create_group(self, *, kind: str, body: Any, microtenant_id: str | None = None) -> JSON:
        table = self._table(kind)
        body = body_dict(body)
        # inferred, as for keys: the query's microtenantId wins over the body's.
        microtenant = parse_microtenant(microtenant_id or body.get("microtenantId"))
        if body.get("name") is None:
            raise bad_argument("name", "name is required")
        fields = self._fields(kind, body)
        now = self.tenant.clock()
        group: JSON = {
            "id": table.new_id(), "modifiedTime": now, "creationTime": now,
            "modifiedBy": ADMIN_ID, **_DEFAULTS[kind], **fields, "readOnly": False,
            "zscalerManaged": False,
        }  # fmt: skip
        if microtenant != DEFAULT_MICROTENANT:
            group["microtenantId"] = microtenant
        _locate(group, fields)
        table.put(group)
        return self.view(kind, group, full=False)

    @operation
    def update_group(
        self, *, kind: str, group_id: str, body: Any, microtenant_id: str | None = None
    ) -> None:
        table = self._table(kind)
        body = body_dict(body)
        fields = self._fields(kind, body)
        group = {**self._find(kind, group_id, microtenant_id), **fields}
        if kind == APP_CONNECTOR_GROUPS and not ("latitude" in body and "longitude" in body):
            # Recorded quirk: an App Connector group PUT without coordinates drops them
            # (inferred: only for App Connector groups; the recorded Service Edge group PUT
            # kept them).
            for field in ("latitude", "longitude"):
                group.pop(field, None)
        _locate(group, fields)
        group["modifiedTime"] = self.tenant.clock()
        table.put(group)

    @operation
    def delete_group(self, *, kind: str, group_id: str, microtenant_id: str | None = None) -> None:
        table = self._table(kind)
        self._find(kind, group_id, microtenant_id)
        referrer = self.tenant.referenced(kind, group_id)
        if referrer is not None:
            # inferred: a group that keys (or enrolled Service Edges) still point at cannot be
            # deleted.
            raise bad_argument("id", f"{GROUP_LABELS[kind]} {group_id} has {referrer}")
        table.delete(group_id)


KIND = Kind(
    "groups",
    first_id=216196257331400001,
    tables=tuple(
        TableSpec(kind, GROUP_LABELS[kind], _SHAPES[kind], name=kind) for kind in GROUP_KINDS
    ),
    rules=Groups,
    former_names=("group",),
)
