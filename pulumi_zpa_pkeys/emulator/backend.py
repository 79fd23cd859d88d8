"""Tenant state and rules of the ZPA emulator. No HTTP here (see ``http.py``).

Methods are named after API operations and take keyword arguments; every "not found" goes
through one finder per kind (``_find_key``, ``_find_group``, ``_find_cert``). Values are kept
in the API's own JSON shapes (ids, counts and epochs as strings, booleans as booleans).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import threading
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, Protocol

from .errors import EmulatorError, bad_argument, not_found, read_only
from .query import filter_items, page_envelope, parse_paging, parse_search

JSON = dict[str, Any]

DEFAULT_CUSTOMER_ID = "216196257331281920"
ADMIN_ID = "216196257331372705"  # modifiedBy in the recorded traffic
DEFAULT_MICROTENANT = "0"

APP_CONNECTOR_GROUPS = "appConnectorGroups"
SERVICE_EDGE_GROUPS = "serviceEdgeGroups"
NETWORK_CONNECTOR_GROUPS = "networkConnectorGroups"
GROUP_KINDS = (APP_CONNECTOR_GROUPS, SERVICE_EDGE_GROUPS, NETWORK_CONNECTOR_GROUPS)

ASSOCIATION_TYPES: dict[str, str] = {
    "CONNECTOR_GRP": APP_CONNECTOR_GROUPS,
    "SERVICE_EDGE_GRP": SERVICE_EDGE_GROUPS,
    "NP_ASSISTANT_GRP": NETWORK_CONNECTOR_GROUPS,
}
GROUP_LABELS = {
    APP_CONNECTOR_GROUPS: "App Connector group",
    SERVICE_EDGE_GROUPS: "Service Edge group",
    NETWORK_CONNECTOR_GROUPS: "network connector group",
}

SEED_APP_CONNECTOR_GROUP_ID = "216196257331300001"
SEED_SERVICE_EDGE_GROUP_ID = "216196257331300002"
SEED_NETWORK_CONNECTOR_GROUP_ID = "216196257331300003"

FIRST_KEY_ID = 60000
FIRST_GROUP_ID = 216196257331400001
FIRST_CERT_ID = 6575
KEY_HOST = "api.private.zscaler.com"

# Key fields in the order the recorded answers list them.
KEY_ORDER = (
    "id", "modifiedTime", "creationTime", "modifiedBy", "name", "usageCount", "maxUsage",
    "zcomponentId", "enabled", "zcomponentName", "exportable", "readOnly", "zscalerManaged",
    "enrollmentCertId", "enrollmentCertName", "microtenantId", "provisioningKey",
)  # fmt: skip
KEY_BOOLS = ("enabled", "exportable", "readOnly", "zscalerManaged")
KEY_NUMBERS = ("maxUsage", "usageCount", "creationTime", "modifiedTime")
KEY_STRINGS = ("name", "modifiedBy", "provisioningKey", "associationType")
KEY_IDS = ("zcomponentId", "enrollmentCertId", "microtenantId", "id")

# Group fields: the recorded order; "*" marks fields only GET/list add.
_ACG_ORDER = (
    "id", "modifiedTime", "creationTime", "modifiedBy", "name", "enabled", "description",
    "versionProfileId", "overrideVersionProfile", "versionProfileName", "*upgradePriority",
    "*versionProfileVisibilityScope", "upgradeTimeInSecs", "upgradeDay", "*version", "location",
    "latitude", "longitude", "dnsQueryType", "cityCountry", "countryCode", "tcpQuickAckApp",
    "tcpQuickAckAssistant", "tcpQuickAckReadAssistant", "praEnabled", "useInDrMode",
    "connectorGroupType", "wafDisabled", "readOnly", "zscalerManaged", "*microtenantName",
    "lssAppConnectorGroup",
)  # fmt: skip
_SEG_ORDER = (
    "id", "modifiedTime", "creationTime", "modifiedBy", "name", "enabled", "description",
    "versionProfileId", "overrideVersionProfile", "versionProfileName", "*upgradePriority",
    "*versionProfileVisibilityScope", "upgradeTimeInSecs", "upgradeDay", "*version", "isPublic",
    "location", "latitude", "longitude", "cityCountry", "countryCode", "useInDrMode",
    "exclusiveForBusinessContinuity", "graceDistanceEnabled", "graceDistanceValue",
    "graceDistanceValueUnit", "readOnly", "zscalerManaged", "*microtenantName",
)  # fmt: skip
_NCG_ORDER = ("id", "modifiedTime", "creationTime", "modifiedBy", "name", "enabled")

_GROUP_BOOLS = {
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
_GROUP_NUMERIC_STRINGS = ("versionProfileId", "upgradeTimeInSecs", "latitude", "longitude")
_GROUP_STRINGS = {
    APP_CONNECTOR_GROUPS: (
        "name", "description", "versionProfileName", "upgradeDay", "location", "dnsQueryType",
        "connectorGroupType",
    ),
    SERVICE_EDGE_GROUPS: (
        "name", "description", "versionProfileName", "upgradeDay", "location", "isPublic",
        "graceDistanceValue", "graceDistanceValueUnit",
    ),
}  # fmt: skip
# Server-side defaults seen in the recorded create answers (inferred: applied when not sent).
_GROUP_DEFAULTS: dict[str, dict[str, Any]] = {
    APP_CONNECTOR_GROUPS: {
        "enabled": True, "useInDrMode": False, "connectorGroupType": "APP", "wafDisabled": False,
        "readOnly": False, "zscalerManaged": False, "lssAppConnectorGroup": False,
    },
    SERVICE_EDGE_GROUPS: {
        "enabled": True, "useInDrMode": False, "exclusiveForBusinessContinuity": False,
        "graceDistanceEnabled": False, "readOnly": False, "zscalerManaged": False,
    },
}  # fmt: skip
_VERSION_PROFILES = {"0": "Default", "1": "Previous Default", "2": "New Release"}
_COUNTRY_CODES = {
    "usa": "US", "us": "US", "united states": "US", "canada": "CA", "uk": "GB",
    "united kingdom": "GB", "germany": "DE", "france": "FR", "india": "IN", "japan": "JP",
    "australia": "AU", "brazil": "BR", "netherlands": "NL", "ireland": "IE",
}  # fmt: skip


class JournalLike(Protocol):
    def load(self) -> list[dict[str, Any]]: ...
    def rewrite(self, records: list[dict[str, Any]]) -> None: ...
    def append(self, records: list[dict[str, Any]]) -> None: ...
    def close(self) -> None: ...


def load_seed_certs() -> list[JSON]:
    text = resources.files(__package__).joinpath("data/enrollment_certs.json").read_text("utf-8")
    certs = json.loads(text)
    assert isinstance(certs, list)
    return certs


# --------------------------------------------------------------------------- value parsing


def _parse_bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    # The documented payload sends "exportable": "true"; accept the strings too.
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad_argument(field, f"{field} must be a boolean, got {value!r}")


def _parse_int(field: str, value: Any, *, minimum: int | None = None) -> int:
    number: Decimal | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip()) if value.strip() else None
        except InvalidOperation:
            number = None
    # inferred: integral floats like 2.0 (or "2.0") are taken as 2; 1.5 is refused.
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise bad_argument(field, f"{field} must be an integer, got {value!r}")
    result = int(number)
    if minimum is not None and result < minimum:
        raise bad_argument(field, f"{field} must be at least {minimum}, got {value!r}")
    return result


def _parse_id(field: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        raise bad_argument(field, f"{field} must be an id, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value.strip()))
    raise bad_argument(field, f"{field} must be a numeric id, got {value!r}")


def _parse_name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str):
        raise bad_argument(field, f"{field} must be a string, got {value!r}")
    if not value.strip():
        raise bad_argument(field, f"{field} must not be empty")
    if len(value) > 255:
        raise bad_argument(field, f"{field} must be at most 255 characters")
    return value


def parse_microtenant(value: Any) -> str:
    """``None``/empty/``"0"`` is the Default microtenant, stored as ``"0"``."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return DEFAULT_MICROTENANT
    # inferred: any numeric id names an existing microtenant; anything else is a 400.
    return _parse_id("microtenantId", value)


def _numeric_string(field: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad_argument(field, f"{field} must be a number, got {value!r}")
    text = str(value).strip()
    try:
        Decimal(text)
    except InvalidOperation:
        raise bad_argument(field, f"{field} must be a number, got {value!r}") from None
    return text


def _now() -> str:
    return str(int(time.time()))


def _new_key_string(key_id: int) -> str:
    secret = base64.b64encode(os.urandom(288)).decode("ascii")
    # inferred: the recorded suffix is an 18-digit number; ours is derived from the key id.
    return f"3|{KEY_HOST}|{secret}-{216196257331000000 + key_id}"


def _body_dict(body: Any) -> JSON:
    if not isinstance(body, dict):
        raise bad_argument("body", "the request body must be a JSON object")
    return body


# --------------------------------------------------------------------------- the backend


class Backend:
    """One ZPA tenant. Thread-safe: every read and write holds ``self.lock``."""

    def __init__(
        self,
        customer_id: str = DEFAULT_CUSTOMER_ID,
        *,
        journal: JournalLike | None = None,
        clock: Callable[[], str] = _now,
    ) -> None:
        self.customer_id = customer_id
        self.lock = threading.RLock()
        self._journal: JournalLike | None = None
        self._clock = clock
        self._next_key = FIRST_KEY_ID
        self._next_group = FIRST_GROUP_ID
        self._next_cert = FIRST_CERT_ID
        self.keys: dict[str, JSON] = {}
        self.groups: dict[str, dict[str, JSON]] = {kind: {} for kind in GROUP_KINDS}
        self.certs: dict[str, JSON] = {}
        self._names: dict[tuple[str, str, str], set[str]] = {}
        self._seed()
        if journal is not None:
            for record in journal.load():
                self._apply(record)
            journal.rewrite(self._snapshot())
            self._journal = journal

    # ------------------------------------------------------------------ seeding and reset

    def _seed(self) -> None:
        self.keys = {}
        self._names = {}
        self.certs = {c["id"]: copy.deepcopy(c) for c in load_seed_certs()}
        created = "1773369900"
        base: JSON = {"modifiedTime": created, "creationTime": created, "modifiedBy": ADMIN_ID}
        self.groups = {
            APP_CONNECTOR_GROUPS: {
                SEED_APP_CONNECTOR_GROUP_ID: {
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
                }
            },
            SERVICE_EDGE_GROUPS: {
                SEED_SERVICE_EDGE_GROUP_ID: {
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
                }
            },
            NETWORK_CONNECTOR_GROUPS: {
                SEED_NETWORK_CONNECTOR_GROUP_ID: {
                    "id": SEED_NETWORK_CONNECTOR_GROUP_ID, **base,
                    "name": "Emulator Network Connector Group", "enabled": True,
                }
            },
        }  # fmt: skip

    def reset(self) -> None:
        """Back to the seeded state. Id sequences keep counting (inferred: ids never repeat)."""
        with self.lock:
            self._seed()
            self._persist([{"t": "reset"}])

    # ------------------------------------------------------------------ persistence

    def close(self) -> None:
        """Close the journal (if any); the backend keeps working in memory."""
        with self.lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

    def _persist(self, records: list[JSON]) -> None:
        if self._journal is not None:
            self._journal.append(records)

    def _snapshot(self) -> list[JSON]:
        out: list[JSON] = [
            {"t": "clear"},
            {"t": "seq", "key": self._next_key, "group": self._next_group, "cert": self._next_cert},
        ]
        out += [{"t": "put", "k": "cert", "o": c} for c in self.certs.values()]
        for kind in GROUP_KINDS:
            out += [{"t": "put", "k": kind, "o": g} for g in self.groups[kind].values()]
        out += [{"t": "put", "k": "key", "o": k} for k in self.keys.values()]
        return out

    def _apply(self, record: JSON) -> None:
        kind = record.get("t")
        if kind == "reset":
            self._seed()
        elif kind == "clear":
            self.keys, self._names, self.certs = {}, {}, {}
            self.groups = {k: {} for k in GROUP_KINDS}
        elif kind == "seq":
            self._next_key = max(self._next_key, int(record["key"]))
            self._next_group = max(self._next_group, int(record["group"]))
            self._next_cert = max(self._next_cert, int(record["cert"]))
        elif kind == "put":
            obj = record["o"]
            what = record["k"]
            if what == "key":
                self._store_key(obj)
                self._next_key = max(self._next_key, int(obj["id"]) + 1)
            elif what == "cert":
                self.certs[obj["id"]] = obj
                self._next_cert = max(self._next_cert, int(obj["id"]) + 1)
            elif what in self.groups:
                self.groups[what][obj["id"]] = obj
                self._next_group = max(self._next_group, int(obj["id"]) + 1)
        elif kind == "del":
            what, ident = record["k"], record["id"]
            if what == "key":
                self._drop_key(ident)
            elif what in self.groups:
                self.groups[what].pop(ident, None)

    # ------------------------------------------------------------------ key index helpers

    @staticmethod
    def _name_slot(key: JSON) -> tuple[str, str, str]:
        # inferred: names are unique per (association type, microtenant), case-insensitively.
        return (key["associationType"], key["microtenantId"], key["name"].casefold())

    def _store_key(self, key: JSON) -> None:
        old = self.keys.get(key["id"])
        if old is not None:
            self._names.get(self._name_slot(old), set()).discard(old["id"])
        self.keys[key["id"]] = key
        self._names.setdefault(self._name_slot(key), set()).add(key["id"])

    def _drop_key(self, key_id: str) -> None:
        old = self.keys.pop(key_id, None)
        if old is not None:
            self._names.get(self._name_slot(old), set()).discard(key_id)

    def _check_unique_name(self, assoc: str, microtenant: str, name: str, own_id: str) -> None:
        holders = self._names.get((assoc, microtenant, name.casefold()), set()) - {own_id}
        if holders:
            # inferred: the error id for a duplicate name (ZPA documents none).
            raise bad_argument(
                "name",
                f"a provisioning key named {name!r} already exists for {assoc} "
                f"in microtenant {microtenant}",
            )

    # ------------------------------------------------------------------ finders

    def _find_key(self, association_type: str, key_id: str, microtenant_id: str) -> JSON:
        key = self.keys.get(key_id)
        if (
            key is None
            or key["associationType"] != association_type
            or key["microtenantId"] != microtenant_id
        ):
            raise not_found("provisioning key", key_id)
        return key

    def _find_group(self, kind: str, group_id: str) -> JSON:
        group = self.groups[kind].get(group_id)
        if group is None:
            raise not_found(GROUP_LABELS[kind], group_id)
        return group

    def _find_cert(self, cert_id: str) -> JSON:
        cert = self.certs.get(cert_id)
        if cert is None:
            raise not_found("enrollment certificate", cert_id)
        return cert

    @staticmethod
    def _check_association_type(association_type: str) -> str:
        if association_type not in ASSOCIATION_TYPES:
            raise bad_argument(
                "associationType",
                f"associationType must be one of {', '.join(ASSOCIATION_TYPES)}, "
                f"got {association_type!r}",
            )
        return ASSOCIATION_TYPES[association_type]

    def _check_component(self, association_type: str, value: Any) -> str:
        # inferred: zcomponentId must be a group of the kind the association type names;
        # groups are not scoped by microtenant.
        kind = self._check_association_type(association_type)
        group_id = _parse_id("zcomponentId", value)
        if group_id not in self.groups[kind]:
            raise bad_argument(
                "zcomponentId",
                f"zcomponentId {group_id} is not an existing {GROUP_LABELS[kind]} "
                f"(required for {association_type})",
            )
        return group_id

    def _check_cert(self, value: Any) -> str:
        cert_id = _parse_id("enrollmentCertId", value)
        cert = self.certs.get(cert_id)
        if cert is None:
            raise bad_argument(
                "enrollmentCertId", f"enrollmentCertId {cert_id} is not an existing certificate"
            )
        # inferred: only a certificate with a private key can sign keys (ZPA docs say so; the
        # exact error is undocumented).
        if cert.get("privateKeyPresent") is not True:
            raise bad_argument(
                "enrollmentCertId",
                f"enrollment certificate {cert_id} has no private key and cannot sign keys",
            )
        return cert_id

    # ------------------------------------------------------------------ key views

    def _key_view(self, key: JSON, *, names: bool, secret: bool, internal: bool = False) -> JSON:
        fields = dict(key)
        if names:
            kind = ASSOCIATION_TYPES.get(key["associationType"])
            group = self.groups[kind].get(key["zcomponentId"]) if kind else None
            if group is not None:
                fields["zcomponentName"] = group["name"]
            cert = self.certs.get(key["enrollmentCertId"])
            if cert is not None:
                fields["enrollmentCertName"] = cert["name"]
        if not secret:
            fields.pop("provisioningKey", None)
        if not internal and fields.get("microtenantId") == DEFAULT_MICROTENANT:
            # inferred: the Default microtenant is not reported on keys.
            fields.pop("microtenantId")
        out = {name: fields[name] for name in KEY_ORDER if name in fields}
        if internal:
            out["associationType"] = key["associationType"]
        return out

    def _key_api_view(self, key: JSON) -> JSON:
        # inferred: a non-exportable key omits provisioningKey on GET and list.
        return self._key_view(key, names=True, secret=key["exportable"] is True)

    # ------------------------------------------------------------------ provisioning keys

    def list_provisioning_keys(
        self,
        *,
        association_type: str,
        microtenant_id: str | None = None,
        page: str | None = None,
        pagesize: str | None = None,
        search: str | None = None,
    ) -> JSON:
        self._check_association_type(association_type)
        microtenant = parse_microtenant(microtenant_id)
        page_no, size = parse_paging(page, pagesize)
        query = parse_search(search)
        with self.lock:
            scoped = [
                k
                for k in self.keys.values()
                if k["associationType"] == association_type and k["microtenantId"] == microtenant
            ]
            if query is not None and query.field.casefold() == "name" and query.op == "EQ":
                ids = self._names.get((association_type, microtenant, query.value.casefold()), ())
                scoped = [k for k in scoped if k["id"] in ids]
            else:
                scoped = filter_items(scoped, query, self._key_field)
            return page_envelope(scoped, page_no, size, self._key_api_view)

    def _key_field(self, key: JSON, field: str) -> Any:
        if field in ("zcomponentName", "enrollmentCertName"):
            return self._key_view(key, names=True, secret=False).get(field)
        return key.get(field)

    def get_provisioning_key(
        self, *, association_type: str, key_id: str, microtenant_id: str | None = None
    ) -> JSON:
        self._check_association_type(association_type)
        microtenant = parse_microtenant(microtenant_id)
        with self.lock:
            return self._key_api_view(self._find_key(association_type, key_id, microtenant))

    def create_provisioning_key(
        self, *, association_type: str, body: Any, microtenant_id: str | None = None
    ) -> JSON:
        body = _body_dict(body)
        self._check_association_type(association_type)
        # inferred: the query's microtenantId wins; a body microtenantId is used when the query
        # has none.
        microtenant = parse_microtenant(
            microtenant_id if microtenant_id not in (None, "") else body.get("microtenantId")
        )
        for required in ("name", "maxUsage", "enrollmentCertId", "zcomponentId"):
            if body.get(required) is None:
                raise bad_argument(required, f"{required} is required")
        name = _parse_name(body["name"])
        max_usage = _parse_int("maxUsage", body["maxUsage"], minimum=1)
        enabled = _parse_bool("enabled", body["enabled"]) if "enabled" in body else True
        exportable = _parse_bool("exportable", body["exportable"]) if "exportable" in body else True
        with self.lock:
            cert_id = self._check_cert(body["enrollmentCertId"])
            group_id = self._check_component(association_type, body["zcomponentId"])
            self._check_unique_name(association_type, microtenant, name, "")
            key = self._new_key(
                association_type=association_type, microtenant=microtenant, name=name,
                max_usage=max_usage, enabled=enabled, exportable=exportable,
                group_id=group_id, cert_id=cert_id,
            )  # fmt: skip
            self._store_key(key)
            self._persist([{"t": "put", "k": "key", "o": key}])
            # The create answer carries the key but not zcomponentName/enrollmentCertName.
            return self._key_view(key, names=False, secret=True)

    def _new_key(
        self,
        *,
        association_type: str,
        microtenant: str,
        name: str,
        max_usage: int,
        enabled: bool,
        exportable: bool,
        group_id: str,
        cert_id: str,
    ) -> JSON:
        key_id = self._next_key
        self._next_key += 1
        now = self._clock()
        return {
            "id": str(key_id),
            "modifiedTime": now,
            "creationTime": now,
            "modifiedBy": ADMIN_ID,
            "name": name,
            "usageCount": "0",
            "maxUsage": str(max_usage),
            "zcomponentId": group_id,
            "enabled": enabled,
            "exportable": exportable,
            "readOnly": False,
            "zscalerManaged": False,
            "enrollmentCertId": cert_id,
            "microtenantId": microtenant,
            "provisioningKey": _new_key_string(key_id),
            "associationType": association_type,
        }

    def update_provisioning_key(
        self,
        *,
        association_type: str,
        key_id: str,
        body: Any,
        microtenant_id: str | None = None,
    ) -> None:
        body = _body_dict(body)
        self._check_association_type(association_type)
        microtenant = parse_microtenant(microtenant_id)
        with self.lock:
            key = self._find_key(association_type, key_id, microtenant)
            if key["readOnly"]:
                raise read_only("provisioning key", key_id)
            changes: JSON = {}
            if "name" in body:
                changes["name"] = _parse_name(body["name"])
            if "maxUsage" in body:
                changes["maxUsage"] = str(_parse_int("maxUsage", body["maxUsage"], minimum=1))
            if "enabled" in body:
                changes["enabled"] = _parse_bool("enabled", body["enabled"])
            if "exportable" in body:
                exportable = _parse_bool("exportable", body["exportable"])
                if exportable and not key["exportable"]:
                    raise bad_argument("exportable", "exportable cannot be switched back to true")
                changes["exportable"] = exportable
            # inferred: the group, the certificate and the microtenant cannot change in place
            # (our provider replaces the key for those).
            if body.get("zcomponentId") is not None:
                group_id = self._check_component(association_type, body["zcomponentId"])
                if group_id != key["zcomponentId"]:
                    raise bad_argument("zcomponentId", "zcomponentId cannot be changed")
            if body.get("enrollmentCertId") is not None:
                cert_id = _parse_id("enrollmentCertId", body["enrollmentCertId"])
                if cert_id != key["enrollmentCertId"]:
                    raise bad_argument("enrollmentCertId", "enrollmentCertId cannot be changed")
            moved = body.get("microtenantId") not in (None, "") and (
                parse_microtenant(body["microtenantId"]) != key["microtenantId"]
            )
            if moved:
                raise bad_argument("microtenantId", "a key cannot move to another microtenant")
            if "name" in changes:
                self._check_unique_name(
                    association_type, key["microtenantId"], changes["name"], key_id
                )
            updated = {**key, **changes, "modifiedTime": self._clock(), "modifiedBy": ADMIN_ID}
            self._store_key(updated)
            self._persist([{"t": "put", "k": "key", "o": updated}])

    def delete_provisioning_key(
        self, *, association_type: str, key_id: str, microtenant_id: str | None = None
    ) -> None:
        self._check_association_type(association_type)
        microtenant = parse_microtenant(microtenant_id)
        with self.lock:
            key = self._find_key(association_type, key_id, microtenant)
            if key["readOnly"]:
                raise read_only("provisioning key", key_id)
            self._drop_key(key_id)
            self._persist([{"t": "del", "k": "key", "id": key_id}])

    # ------------------------------------------------------------------ enrollment certificates

    def list_enrollment_certs(
        self, *, page: str | None = None, pagesize: str | None = None, search: str | None = None
    ) -> JSON:
        page_no, size = parse_paging(page, pagesize)
        query = parse_search(search)
        with self.lock:
            items = filter_items(self.certs.values(), query, lambda c, f: c.get(f))
            return page_envelope(items, page_no, size, copy.deepcopy)

    def get_enrollment_cert(self, *, cert_id: str) -> JSON:
        with self.lock:
            return copy.deepcopy(self._find_cert(cert_id))

    # ------------------------------------------------------------------ groups

    def _group_view(self, kind: str, group: JSON, *, full: bool) -> JSON:
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
            fields["microtenantName"] = "Default"  # inferred: groups live in Default
        order = {
            APP_CONNECTOR_GROUPS: _ACG_ORDER,
            SERVICE_EDGE_GROUPS: _SEG_ORDER,
            NETWORK_CONNECTOR_GROUPS: _NCG_ORDER,
        }[kind]
        names = [n.lstrip("*") for n in order if full or not n.startswith("*")]
        return {n: fields[n] for n in names if n in fields}

    def _group_fields(self, kind: str, body: JSON) -> JSON:
        out: JSON = {}
        for field in _GROUP_BOOLS[kind]:
            if field in body:
                out[field] = _parse_bool(field, body[field])
        for field in _GROUP_NUMERIC_STRINGS:
            if field in body and body[field] is not None:
                out[field] = _numeric_string(field, body[field])
        for field in _GROUP_STRINGS[kind]:
            if field in body and body[field] is not None:
                value = body[field]
                if field == "name":
                    value = _parse_name(value)
                elif not isinstance(value, str):
                    raise bad_argument(field, f"{field} must be a string, got {value!r}")
                out[field] = value
        return out

    @staticmethod
    def _locate(group: JSON) -> None:
        """Derive cityCountry/countryCode from location when coordinates are given."""
        if "latitude" in group and "longitude" in group and group.get("location"):
            # inferred: ZPA geocodes; we take the first and last parts of ``location``.
            parts = [p.strip() for p in str(group["location"]).split(",") if p.strip()]
            country = parts[-1] if parts else ""
            code = _COUNTRY_CODES.get(country.casefold()) or (
                country.upper() if len(country) == 2 else country[:2].upper()
            )
            group["cityCountry"] = f"{parts[0]}, {code}" if parts else code
            group["countryCode"] = code
        else:
            group.pop("cityCountry", None)
            group.pop("countryCode", None)

    def _check_group_kind(self, kind: str) -> None:
        if kind not in (APP_CONNECTOR_GROUPS, SERVICE_EDGE_GROUPS):
            raise not_found("group kind", kind)

    def list_groups(
        self,
        *,
        kind: str,
        page: str | None = None,
        pagesize: str | None = None,
        search: str | None = None,
    ) -> JSON:
        self._check_group_kind(kind)
        page_no, size = parse_paging(page, pagesize)
        query = parse_search(search)
        with self.lock:
            items = filter_items(self.groups[kind].values(), query, lambda g, f: g.get(f))
            return page_envelope(
                items, page_no, size, lambda g: self._group_view(kind, g, full=True)
            )

    def get_group(self, *, kind: str, group_id: str) -> JSON:
        self._check_group_kind(kind)
        with self.lock:
            return self._group_view(kind, self._find_group(kind, group_id), full=True)

    def create_group(self, *, kind: str, body: Any) -> JSON:
        self._check_group_kind(kind)
        body = _body_dict(body)
        if body.get("name") is None:
            raise bad_argument("name", "name is required")
        fields = self._group_fields(kind, body)
        with self.lock:
            group_id = str(self._next_group)
            self._next_group += 1
            now = self._clock()
            group: JSON = {
                "id": group_id, "modifiedTime": now, "creationTime": now, "modifiedBy": ADMIN_ID,
                **_GROUP_DEFAULTS[kind], **fields, "readOnly": False, "zscalerManaged": False,
            }  # fmt: skip
            self._locate(group)
            self.groups[kind][group_id] = group
            self._persist([{"t": "put", "k": kind, "o": group}])
            return self._group_view(kind, group, full=False)

    def update_group(self, *, kind: str, group_id: str, body: Any) -> None:
        self._check_group_kind(kind)
        body = _body_dict(body)
        fields = self._group_fields(kind, body)
        with self.lock:
            group = {**self._find_group(kind, group_id), **fields}
            if kind == APP_CONNECTOR_GROUPS and not ("latitude" in body and "longitude" in body):
                # Recorded quirk: an App Connector group PUT without coordinates drops them
                # (inferred: only for App Connector groups; the recorded Service Edge group PUT
                # kept them).
                for field in ("latitude", "longitude"):
                    group.pop(field, None)
            self._locate(group)
            group["modifiedTime"] = self._clock()
            self.groups[kind][group_id] = group
            self._persist([{"t": "put", "k": kind, "o": group}])

    def delete_group(self, *, kind: str, group_id: str) -> None:
        self._check_group_kind(kind)
        with self.lock:
            self._find_group(kind, group_id)
            assoc = next(a for a, k in ASSOCIATION_TYPES.items() if k == kind)
            if any(
                k["zcomponentId"] == group_id and k["associationType"] == assoc
                for k in self.keys.values()
            ):
                # inferred: a group that provisioning keys still point at cannot be deleted.
                raise bad_argument("id", f"{GROUP_LABELS[kind]} {group_id} has provisioning keys")
            del self.groups[kind][group_id]
            self._persist([{"t": "del", "k": kind, "id": group_id}])

    # ------------------------------------------------------------------ control (tests only)

    def state(self) -> JSON:
        with self.lock:
            keys = []
            for key in self.keys.values():
                view = self._key_view(key, names=True, secret=True, internal=True)
                keys.append(view)
            return {
                "provisioningKeys": keys,
                "appConnectorGroups": [
                    self._group_view(APP_CONNECTOR_GROUPS, g, full=True)
                    for g in self.groups[APP_CONNECTOR_GROUPS].values()
                ],
                "serviceEdgeGroups": [
                    self._group_view(SERVICE_EDGE_GROUPS, g, full=True)
                    for g in self.groups[SERVICE_EDGE_GROUPS].values()
                ],
                "networkConnectorGroups": [
                    copy.deepcopy(g) for g in self.groups[NETWORK_CONNECTOR_GROUPS].values()
                ],
                "enrollmentCerts": [copy.deepcopy(c) for c in self.certs.values()],
            }

    def patch_key(self, *, key_id: str, body: Any) -> JSON:
        """Overwrite fields out of band (drift). No business rules apply."""
        body = _body_dict(body)
        changes: JSON = {}
        for field, value in body.items():
            if field in KEY_BOOLS:
                changes[field] = _parse_bool(field, value)
            elif field in KEY_NUMBERS:
                changes[field] = str(_parse_int(field, value))
            elif field == "microtenantId":
                changes[field] = parse_microtenant(value)
            elif field in ("zcomponentId", "enrollmentCertId"):
                changes[field] = _parse_id(field, value)
            elif field in ("name", "modifiedBy", "provisioningKey"):
                if not isinstance(value, str):
                    raise bad_argument(field, f"{field} must be a string")
                changes[field] = value
            elif field == "associationType":
                self._check_association_type(str(value))
                changes[field] = value
            else:
                raise bad_argument(field, f"field {field!r} cannot be patched")
        with self.lock:
            key = self.keys.get(key_id)
            if key is None:
                raise not_found("provisioning key", key_id)
            updated = {**key, **changes}
            self._store_key(updated)
            self._persist([{"t": "put", "k": "key", "o": updated}])
            return self._key_view(updated, names=True, secret=True, internal=True)

    def add_enrollment_cert(self, *, body: Any) -> JSON:
        body = _body_dict(body)
        name = _parse_name(body.get("name"))
        with self.lock:
            cert_id = str(self._next_cert)
            self._next_cert += 1
            now = self._clock()
            cname = f"{self.customer_id}.zpa-customer.com/{name}"
            cert: JSON = {
                "id": cert_id, "modifiedTime": now, "creationTime": now, "modifiedBy": ADMIN_ID,
                "cName": cname, "validFromInEpochSec": now,
                "validToInEpochSec": str(int(now) + 10 * 365 * 86400),
                "issuedTo": f"O=Zscaler,OU=Private Access,CN={cname}",
                "issuedBy": f"O=Zscaler,OU=Private Access,CN={self.customer_id}"
                ".zpa-customer.com/Root",
                "serialNo": str(int.from_bytes(os.urandom(16), "big")), "name": name,
                "allowSigning": True, "parentCertId": "6571", "parentCertName": "Root",
                "privateKeyPresent": True, "clientCertType": "NONE", "storeInHsm": False,
                "readOnly": False, "zscalerManaged": False,
            }  # fmt: skip
            for field, value in body.items():
                if field == "id":
                    continue
                if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
                    cert[field] = value
                else:
                    cert[field] = str(value)
            cert = {k: v for k, v in cert.items() if v is not None}
            self.certs[cert_id] = cert
            self._persist([{"t": "put", "k": "cert", "o": cert}])
            return copy.deepcopy(cert)

    def seed_keys(self, *, body: Any) -> JSON:
        """Add keys in bulk: ``{"associationType", "count", "namePrefix", ...}``."""
        body = _body_dict(body)
        assoc = body.get("associationType", "CONNECTOR_GRP")
        if not isinstance(assoc, str):
            raise bad_argument("associationType", "associationType must be a string")
        kind = self._check_association_type(assoc)
        count = _parse_int("count", body.get("count", 1), minimum=1)
        prefix = body.get("namePrefix", "bulk-")
        if not isinstance(prefix, str):
            raise bad_argument("namePrefix", "namePrefix must be a string")
        microtenant = parse_microtenant(body.get("microtenantId"))
        max_usage = _parse_int("maxUsage", body.get("maxUsage", 10), minimum=1)
        enabled = _parse_bool("enabled", body.get("enabled", True))
        exportable = _parse_bool("exportable", body.get("exportable", True))
        default_group = {
            APP_CONNECTOR_GROUPS: SEED_APP_CONNECTOR_GROUP_ID,
            SERVICE_EDGE_GROUPS: SEED_SERVICE_EDGE_GROUP_ID,
            NETWORK_CONNECTOR_GROUPS: SEED_NETWORK_CONNECTOR_GROUP_ID,
        }[kind]
        # inferred: NP_ASSISTANT_GRP bulk keys use the Connector certificate by default.
        default_cert = "6574" if assoc == "SERVICE_EDGE_GRP" else "6573"
        width = len(str(count))
        with self.lock:
            group_id = self._check_component(assoc, body.get("zcomponentId", default_group))
            cert_id = self._check_cert(body.get("enrollmentCertId", default_cert))
            names = [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]
            for name in names:
                _parse_name(name)
                self._check_unique_name(assoc, microtenant, name, "")
            created = [
                self._new_key(
                    association_type=assoc, microtenant=microtenant, name=name,
                    max_usage=max_usage, enabled=enabled, exportable=exportable,
                    group_id=group_id, cert_id=cert_id,
                )
                for name in names
            ]  # fmt: skip
            for key in created:
                self._store_key(key)
            self._persist([{"t": "put", "k": "key", "o": k} for k in created])
            ids = [k["id"] for k in created]
            return {"count": len(ids), "firstId": ids[0], "lastId": ids[-1], "ids": ids}


__all__ = [
    "ASSOCIATION_TYPES",
    "DEFAULT_CUSTOMER_ID",
    "Backend",
    "EmulatorError",
]
