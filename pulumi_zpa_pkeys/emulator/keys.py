"""Provisioning keys: one table and one id sequence across association types, names unique per
(association type, microtenant). No HTTP here."""

from __future__ import annotations

import base64
import ipaddress
import os
from typing import Any

from .enrollment_certs import EnrollmentCerts
from .errors import bad_argument, read_only
from .groups import (
    APP_CONNECTOR_GROUPS,
    GROUP_LABELS,
    NETWORK_CONNECTOR_GROUPS,
    SEED_APP_CONNECTOR_GROUP_ID,
    SEED_NETWORK_CONNECTOR_GROUP_ID,
    SEED_SERVICE_EDGE_GROUP_ID,
    SERVICE_EDGE_GROUPS,
    Groups,
)
from .kind import Kind, Rules, TableSpec, operation
from .query import list_page
from .table import FLAG, ID, INTEGER, TEXT, TEXTS, Shape, Table
from .values import (
    ADMIN_ID,
    DEFAULT_MICROTENANT,
    JSON,
    body_dict,
    parse_bool,
    parse_id,
    parse_int,
    parse_microtenant,
    parse_name,
)

ASSOCIATION_TYPES: dict[str, str] = {
    "CONNECTOR_GRP": APP_CONNECTOR_GROUPS,
    "SERVICE_EDGE_GRP": SERVICE_EDGE_GROUPS,
    "NP_ASSISTANT_GRP": NETWORK_CONNECTOR_GROUPS,
}
SEED_GROUPS = {
    APP_CONNECTOR_GROUPS: SEED_APP_CONNECTOR_GROUP_ID,
    SERVICE_EDGE_GROUPS: SEED_SERVICE_EDGE_GROUP_ID,
    NETWORK_CONNECTOR_GROUPS: SEED_NETWORK_CONNECTOR_GROUP_ID,
}
MAX_SEED_COUNT = 100_000  # keys per POST /_emulator/seed
KEY_HOST = "api.private.zscaler.com"

# Key fields in the order the recorded answers list them.
KEY_ORDER = (
    "id", "modifiedTime", "creationTime", "modifiedBy", "name", "usageCount", "maxUsage",
    "zcomponentId", "enabled", "zcomponentName", "exportable", "readOnly", "zscalerManaged",
    "enrollmentCertId", "enrollmentCertName", "ipAcl", "microtenantId", "provisioningKey",
)  # fmt: skip
MAX_IP_ACL = 1000  # inferred: ZPA documents no limit; a bound keeps a request small
KEY_BOOLS = ("enabled", "exportable", "readOnly", "zscalerManaged")
KEY_NUMBERS = ("maxUsage", "usageCount", "creationTime", "modifiedTime")
KEY_SHAPE = Shape(
    required={
        **dict.fromkeys(("id", "zcomponentId", "enrollmentCertId", "microtenantId"), ID),
        **dict.fromkeys(("name", "modifiedBy", "provisioningKey", "associationType"), TEXT),
        **dict.fromkeys(KEY_BOOLS, FLAG),
        **dict.fromkeys(KEY_NUMBERS, INTEGER),
    },
    optional={"ipAcl": TEXTS},
    choices={"associationType": ASSOCIATION_TYPES},
)


def parse_ip_acl(value: Any) -> list[str]:
    """``ipAcl``: IP addresses or CIDR networks allowed to enroll with the key.

    inferred: stored as sent (each entry stripped); an entry that is not an IPv4/IPv6 address or
    network is a 400; an empty list means no restriction (and is not reported).
    """
    if not isinstance(value, list) or len(value) > MAX_IP_ACL:
        raise bad_argument("ipAcl", f"ipAcl must be a list of at most {MAX_IP_ACL} IPs or CIDRs")
    entries = []
    for entry in value:
        try:
            ipaddress.ip_network(entry.strip() if isinstance(entry, str) else "", strict=False)
        except ValueError:
            raise bad_argument("ipAcl", "every ipAcl entry must be an IP address or CIDR") from None
        entries.append(entry.strip())
    return entries


def name_slot(key: JSON) -> tuple[str, str, str]:
    # inferred: names are unique per (association type, microtenant), case-insensitively.
    return (key["associationType"], key["microtenantId"], key["name"].casefold())


def check_association_type(association_type: str) -> str:
    """The group kind an association type enrolls into, else a 400."""
    if association_type not in ASSOCIATION_TYPES:
        raise bad_argument(
            "associationType",
            f"associationType must be one of {', '.join(ASSOCIATION_TYPES)}, "
            f"got {association_type!r}",
        )
    return ASSOCIATION_TYPES[association_type]


def _new_key_string(key_id: str) -> str:
    secret = base64.b64encode(os.urandom(288)).decode("ascii")
    # inferred: the recorded suffix is an 18-digit number; ours is derived from the key id.
    return f"3|{KEY_HOST}|{secret}-{216196257331000000 + int(key_id)}"


class ProvisioningKeys(Rules):
    @property
    def groups(self) -> Groups:
        return self.tenant.rules(Groups)

    @property
    def certs(self) -> EnrollmentCerts:
        return self.tenant.rules(EnrollmentCerts)

    def refers_to(self, table: str, ident: str) -> str | None:
        """A key enrolls into a group (of the kind its association type names)."""
        used = any(
            k["zcomponentId"] == ident and ASSOCIATION_TYPES[k["associationType"]] == table
            for k in self.table
        )
        return "provisioning keys" if used else None

    # ------------------------------------------------------------------ rules

    def _find_key(self, association_type: str, key_id: str, microtenant: str) -> JSON:
        scope = (association_type, microtenant)
        return self.table.find(
            key_id, lambda k: (k["associationType"], k["microtenantId"]) == scope
        )

    def _component(self, association_type: str, value: Any) -> str:
        # inferred: zcomponentId must be a group of the kind the association type names;
        # groups are not scoped by microtenant.
        kind = check_association_type(association_type)
        group_id = parse_id("zcomponentId", value)
        if group_id not in self.groups.tables[kind]:
            raise bad_argument(
                "zcomponentId",
                f"zcomponentId {group_id} is not an existing {GROUP_LABELS[kind]} "
                f"(required for {association_type})",
            )
        return group_id

    def _check_unique_name(self, assoc: str, microtenant: str, name: str, own_id: str) -> None:
        if self.table.holders((assoc, microtenant, name.casefold())) - {own_id}:
            # inferred: the error id for a duplicate name (ZPA documents none).
            raise bad_argument(
                "name",
                f"a provisioning key named {name!r} already exists for {assoc} "
                f"in microtenant {microtenant}",
            )

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
        key_id = self.table.new_id()
        now = self.tenant.clock()
        return {
            "id": key_id,
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

    # ------------------------------------------------------------------ views

    def view(self, key: JSON, *, names: bool, secret: bool, internal: bool = False) -> JSON:
        fields = dict(key)
        if names:
            kind = ASSOCIATION_TYPES.get(key["associationType"])
            group = self.groups.tables[kind].get(key["zcomponentId"]) if kind else None
            if group is not None:
                fields["zcomponentName"] = group["name"]
            cert_name = self.certs.name_of(key["enrollmentCertId"])
            if cert_name is not None:
                fields["enrollmentCertName"] = cert_name
        if not secret:
            fields.pop("provisioningKey", None)
        if not internal and fields.get("microtenantId") == DEFAULT_MICROTENANT:
            # inferred: the Default microtenant is not reported on keys.
            fields.pop("microtenantId")
        out = {name: fields[name] for name in KEY_ORDER if name in fields}
        if internal:
            out["associationType"] = key["associationType"]
        return out

    def _api_view(self, key: JSON) -> JSON:
        # inferred: a non-exportable key omits provisioningKey on GET and list.
        return self.view(key, names=True, secret=key["exportable"] is True)

    def _field(self, key: JSON, field: str) -> Any:
        if field in ("zcomponentName", "enrollmentCertName"):
            return self.view(key, names=True, secret=False).get(field)
        return key.get(field)

    def state(self, table: Table) -> list[JSON]:
        return [self.view(k, names=True, secret=True, internal=True) for k in table]

    # ------------------------------------------------------------------ API operations

    @operation
    def list_provisioning_keys(
        self,
        *,
        association_type: str,
        microtenant_id: str | None = None,
        page: str | None = None,
        pagesize: str | None = None,
        search: str | None = None,
    ) -> JSON:
        check_association_type(association_type)
        microtenant = parse_microtenant(microtenant_id)
        return list_page(
            [
                k
                for k in self.table
                if k["associationType"] == association_type and k["microtenantId"] == microtenant
            ],
            page=page, pagesize=pagesize, search=search, field_of=self._field,
            render=self._api_view, fields=(*KEY_ORDER, "associationType"),
            named=lambda name: self.table.holders((association_type, microtenant, name)),
        )  # fmt: skip

    @operation
    def get_provisioning_key(
        self, *, association_type: str, key_id: str, microtenant_id: str | None = None
    ) -> JSON:
        check_association_type(association_type)
        microtenant = parse_microtenant(microtenant_id)
        return self._api_view(self._find_key(association_type, key_id, microtenant))

    @operation
    def create_provisioning_key(
        self, *, association_type: str, body: Any, microtenant_id: str | None = None
    ) -> JSON:
        body = body_dict(body)
        check_association_type(association_type)
        # inferred: the query's microtenantId wins; a body microtenantId is used when the query
        # has none.
        microtenant = parse_microtenant(
            microtenant_id if microtenant_id not in (None, "") else body.get("microtenantId")
        )
        for required in ("name", "maxUsage", "enrollmentCertId", "zcomponentId"):
            if body.get(required) is None:
                raise bad_argument(required, f"{required} is required")
        name = parse_name(body["name"])
        max_usage = parse_int("maxUsage", body["maxUsage"], minimum=1)
        enabled = parse_bool("enabled", body["enabled"]) if "enabled" in body else True
        exportable = parse_bool("exportable", body["exportable"]) if "exportable" in body else True
        ip_acl = parse_ip_acl(body["ipAcl"]) if body.get("ipAcl") is not None else []
        cert_id = self.certs.signing_cert(body["enrollmentCertId"])
        group_id = self._component(association_type, body["zcomponentId"])
        self._check_unique_name(association_type, microtenant, name, "")
        key = self._new_key(
            association_type=association_type, microtenant=microtenant, name=name,
            max_usage=max_usage, enabled=enabled, exportable=exportable,
            group_id=group_id, cert_id=cert_id,
        )  # fmt: skip
        if ip_acl:
            key["ipAcl"] = ip_acl
        self.table.put(key)
        # The create answer carries the key but not zcomponentName/enrollmentCertName.
        return self.view(key, names=False, secret=True)

    @operation
    def update_provisioning_key(
        self,
        *,
        association_type: str,
        key_id: str,
        body: Any,
        microtenant_id: str | None = None,
    ) -> None:
        body = body_dict(body)
        check_association_type(association_type)
        microtenant = parse_microtenant(microtenant_id)
        key = self._find_key(association_type, key_id, microtenant)
        if key["readOnly"]:
            raise read_only("provisioning key", key_id)
        changes: JSON = {}
        if "name" in body:
            changes["name"] = parse_name(body["name"])
        if "maxUsage" in body:
            changes["maxUsage"] = str(parse_int("maxUsage", body["maxUsage"], minimum=1))
        if "enabled" in body:
            changes["enabled"] = parse_bool("enabled", body["enabled"])
        if "exportable" in body:
            exportable = parse_bool("exportable", body["exportable"])
            if exportable and not key["exportable"]:
                raise bad_argument("exportable", "exportable cannot be switched back to true")
            changes["exportable"] = exportable
        ip_acl = parse_ip_acl(body["ipAcl"]) if body.get("ipAcl") is not None else None
        # inferred: the group, the certificate and the microtenant cannot change in place
        # (our provider replaces the key for those).
        if body.get("zcomponentId") is not None:
            group_id = self._component(association_type, body["zcomponentId"])
            if group_id != key["zcomponentId"]:
                raise bad_argument("zcomponentId", "zcomponentId cannot be changed")
        if body.get("enrollmentCertId") is not None:
            cert_id = parse_id("enrollmentCertId", body["enrollmentCertId"])
            if cert_id != key["enrollmentCertId"]:
                raise bad_argument("enrollmentCertId", "enrollmentCertId cannot be changed")
        moved = body.get("microtenantId") not in (None, "") and (
            parse_microtenant(body["microtenantId"]) != key["microtenantId"]
        )
        if moved:
            raise bad_argument("microtenantId", "a key cannot move to another microtenant")
        if "name" in changes:
            self._check_unique_name(association_type, key["microtenantId"], changes["name"], key_id)
        updated = {**key, **changes, "modifiedTime": self.tenant.clock(), "modifiedBy": ADMIN_ID}
        if ip_acl is not None:  # a PUT that carries ipAcl replaces it ([] clears it)
            updated.pop("ipAcl", None)
            if ip_acl:
                updated["ipAcl"] = ip_acl
        self.table.put(updated)

    @operation
    def delete_provisioning_key(
        self, *, association_type: str, key_id: str, microtenant_id: str | None = None
    ) -> None:
        check_association_type(association_type)
        microtenant = parse_microtenant(microtenant_id)
        key = self._find_key(association_type, key_id, microtenant)
        if key["readOnly"]:
            raise read_only("provisioning key", key_id)
        self.table.delete(key_id)

    def spend(self, key_string: Any, association_type: str) -> JSON:
        """The key a component enrolling into a group of ``association_type`` presents, after
        counting the use (its ``usageCount`` goes up by one); else a 400 naming
        ``provisioningKey`` (inferred: ZPA's refusals of an enrollment are not recorded)."""
        key = next(
            (k for k in self.table if isinstance(key_string, str)
             and k["associationType"] == association_type and k["provisioningKey"] == key_string),
            None,
        )  # fmt: skip
        if key is None:
            raise bad_argument("provisioningKey", f"no {association_type} key has this value")
        if not key["enabled"]:
            raise bad_argument("provisioningKey", f"provisioning key {key['id']} is disabled")
        if int(key["usageCount"]) >= int(key["maxUsage"]):
            raise bad_argument(
                "provisioningKey", f"provisioning key {key['id']} is used up ({key['maxUsage']})"
            )
        used = {**key, "usageCount": str(int(key["usageCount"]) + 1)}
        self.table.put(used)
        return used

    # ------------------------------------------------------------------ control plane

    @operation
    def patch_key(self, *, key_id: str, body: Any) -> JSON:
        """Overwrite fields out of band (drift). No business rules apply."""
        body = body_dict(body)
        changes: JSON = {}
        for field, value in body.items():
            if field in KEY_BOOLS:
                changes[field] = parse_bool(field, value)
            elif field in KEY_NUMBERS:
                changes[field] = str(parse_int(field, value))
            elif field == "microtenantId":
                changes[field] = parse_microtenant(value)
            elif field in ("zcomponentId", "enrollmentCertId"):
                changes[field] = parse_id(field, value)
            elif field in ("name", "modifiedBy", "provisioningKey"):
                if not isinstance(value, str):
                    raise bad_argument(field, f"{field} must be a string")
                changes[field] = value
            elif field == "associationType":
                check_association_type(str(value))
                changes[field] = value
            elif field == "ipAcl":
                changes[field] = parse_ip_acl(value)
            else:
                raise bad_argument(field, f"field {field!r} cannot be patched")
        updated = {**self.table.find(key_id), **changes}
        self.table.put(updated)
        return self.view(updated, names=True, secret=True, internal=True)

    @operation
    def seed_keys(self, *, body: Any) -> JSON:
        """Add keys in bulk: ``{"associationType", "count", "namePrefix", ...}``."""
        body = body_dict(body)
        assoc = body.get("associationType", "CONNECTOR_GRP")
        if not isinstance(assoc, str):
            raise bad_argument("associationType", "associationType must be a string")
        kind = check_association_type(assoc)
        count = parse_int("count", body.get("count", 1), minimum=1)
        if count > MAX_SEED_COUNT:
            raise bad_argument("count", f"count must be at most {MAX_SEED_COUNT}, got {count}")
        prefix = body.get("namePrefix", "bulk-")
        if not isinstance(prefix, str):
            raise bad_argument("namePrefix", "namePrefix must be a string")
        microtenant = parse_microtenant(body.get("microtenantId"))
        max_usage = parse_int("maxUsage", body.get("maxUsage", 10), minimum=1)
        enabled = parse_bool("enabled", body.get("enabled", True))
        exportable = parse_bool("exportable", body.get("exportable", True))
        # inferred: NP_ASSISTANT_GRP bulk keys use the Connector certificate by default.
        default_cert = "6574" if assoc == "SERVICE_EDGE_GRP" else "6573"
        width = len(str(count))
        group_id = self._component(assoc, body.get("zcomponentId", SEED_GROUPS[kind]))
        cert_id = self.certs.signing_cert(body.get("enrollmentCertId", default_cert))
        names = [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]
        for name in names:
            parse_name(name)
            self._check_unique_name(assoc, microtenant, name, "")
        created = [
            self._new_key(
                association_type=assoc, microtenant=microtenant, name=name,
                max_usage=max_usage, enabled=enabled, exportable=exportable,
                group_id=group_id, cert_id=cert_id,
            )
            for name in names
        ]  # fmt: skip
        self.table.put(*created)
        ids = [k["id"] for k in created]
        return {"count": len(ids), "firstId": ids[0], "lastId": ids[-1], "ids": ids}


KIND = Kind(
    "keys",
    first_id=60000,
    tables=(TableSpec("provisioningKeys", "provisioning key", KEY_SHAPE, index=name_slot),),
    rules=ProvisioningKeys,
    former_names=("key",),
)
