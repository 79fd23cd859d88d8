"""Service Edges (private brokers): what enrolls into a Service Edge group with a provisioning
key. The API does not create them (a Service Edge enrolls itself with the key string), so the
control plane stands in for the machine: ``POST /_emulator/serviceEdges`` with
``{"provisioningKey": <the key's value>, "name": ..., "description"?: ...}`` counts one use of the
key and adds a Service Edge to the key's group. A group's GET and list items then show its
Service Edges as ``serviceEdges`` (the shape recorded from a real tenant), and the group cannot
be deleted while they are there. No HTTP here.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from .errors import bad_argument
from .groups import SERVICE_EDGE_GROUPS
from .keys import ProvisioningKeys
from .kind import Kind, Rules, TableSpec, operation
from .table import FLAG, ID, INTEGER, TEXT, Shape
from .values import ADMIN_ID, JSON, body_dict, parse_name, parse_string

# Answer fields in the recorded order; privateBrokerVersion is built from the stored fields.
_ORDER = (
    "id", "modifiedTime", "creationTime", "modifiedBy", "name", "description", "fingerprint",
    "issuedCertId", "enabled", "privateBrokerVersion", "upgradeAttempt", "provisioningKeyId",
)  # fmt: skip
EDGE_SHAPE = Shape(
    required={
        **dict.fromkeys(("id", "provisioningKeyId", "serviceEdgeGroupId", "issuedCertId"), ID),
        **dict.fromkeys(("modifiedTime", "creationTime", "upgradeAttempt"), INTEGER),
        **dict.fromkeys(("modifiedBy", "name", "fingerprint", "tunnelId", "privateIp"), TEXT),
        "enabled": FLAG,
    },
    optional={"description": TEXT},
)
# inferred: what a freshly enrolled Service Edge reports (the recording's values, connected).
_RUNNING = {
    "currentVersion": "26.52.3", "platform": "el9", "runtimeOS": "Red Hat Enterprise Linux 9.5",
    "ctrlChannelStatus": "ZPN_STATUS_AUTHENTICATED", "publicIp": "203.0.113.10",
    "loneWarrior": False, "sargeVersion": "26.52.3",
    "platformDetail": "Docker-Zscaler RedHat Image - ZSIVersion: 2024.11",
    "osUpgradeEnabled": False,
}  # fmt: skip
FIRST_ISSUED_CERT_ID = 10066551


class ServiceEdges(Rules):
    def view(self, edge: JSON) -> JSON:
        broker = {
            "id": edge["id"], "modifiedTime": edge["modifiedTime"],
            "creationTime": edge["creationTime"], "modifiedBy": edge["modifiedBy"],
            "currentVersion": _RUNNING["currentVersion"],
            "systemStartTime": edge["creationTime"], "applicationStartTime": edge["creationTime"],
            "lastConnectTime": edge["creationTime"] + "000000",
            "lastDisconnectTime": edge["creationTime"] + "000000",
            "platform": _RUNNING["platform"], "runtimeOS": _RUNNING["runtimeOS"],
            "brokerId": edge["id"], "ctrlChannelStatus": _RUNNING["ctrlChannelStatus"],
            "privateIp": edge["privateIp"], "publicIp": _RUNNING["publicIp"],
            "loneWarrior": _RUNNING["loneWarrior"], "tunnelId": edge["tunnelId"],
            "upgradeAttempt": edge["upgradeAttempt"], "sargeVersion": _RUNNING["sargeVersion"],
            "platformDetail": _RUNNING["platformDetail"],
            "osUpgradeEnabled": _RUNNING["osUpgradeEnabled"],
            "serviceEdgeGroupId": edge["serviceEdgeGroupId"],
        }  # fmt: skip
        fields = {**edge, "privateBrokerVersion": broker}
        return {name: fields[name] for name in _ORDER if name in fields}

    def _in(self, group_id: str) -> list[JSON]:
        return [e for e in self.table if e["serviceEdgeGroupId"] == group_id]

    def refers_to(self, table: str, ident: str) -> str | None:
        return "Service Edges" if table == SERVICE_EDGE_GROUPS and self._in(ident) else None

    def embeds(self, table: str, obj: JSON) -> JSON:
        edges = self._in(obj["id"]) if table == SERVICE_EDGE_GROUPS else []
        return {"serviceEdges": [self.view(e) for e in edges]} if edges else {}

    @operation
    def enroll_service_edge(self, *, body: Any) -> JSON:
        """Control plane: a Service Edge enrolls with a SERVICE_EDGE_GRP key's value."""
        body = body_dict(body)
        name = parse_name(body.get("name"))
        description = body.get("description")
        if description is not None:
            description = parse_string("description", description)
        private_ip = parse_string("privateIp", body.get("privateIp", "10.0.0.10"))
        if not private_ip.strip():
            raise bad_argument("privateIp", "privateIp must not be empty")
        keys = self.tenant.rules(ProvisioningKeys)
        key = keys.spend(body.get("provisioningKey"), "SERVICE_EDGE_GRP")
        edge_id = self.table.new_id()
        now = self.tenant.clock()
        edge: JSON = {
            "id": edge_id, "modifiedTime": now, "creationTime": now, "modifiedBy": ADMIN_ID,
            "name": name, "fingerprint": base64.b64encode(os.urandom(32)).decode("ascii"),
            "issuedCertId": str(FIRST_ISSUED_CERT_ID + len(self.table)), "enabled": True,
            "upgradeAttempt": "0", "provisioningKeyId": key["id"],
            "serviceEdgeGroupId": key["zcomponentId"], "privateIp": private_ip,
            "tunnelId": base64.b64encode(os.urandom(15)).decode("ascii"),
        }  # fmt: skip
        if description:
            edge["description"] = description
        self.table.put(edge)
        return self.view(edge)


KIND = Kind(
    "service_edges",
    first_id=216196257331700001,
    tables=(TableSpec("serviceEdges", "Service Edge", EDGE_SHAPE),),
    rules=ServiceEdges,
)
