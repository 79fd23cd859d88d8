"""The URL table: path pattern -> HTTP method -> operation (a backend method, or a control
method for ``/_emulator/``). API paths are matched after the OneAPI ``/zpa`` prefix is removed."""

from __future__ import annotations

import re

from .groups import APP_CONNECTOR_GROUPS, SERVICE_EDGE_GROUPS
from .responses import Operation, Route

_CUSTOMER = r"/mgmtconfig/v1/admin/customers/(?P<customer_id>[^/]+)"
_CUSTOMER_V2 = r"/mgmtconfig/v2/admin/customers/(?P<customer_id>[^/]+)"
_KEYS = _CUSTOMER + r"/associationType/(?P<association_type>[^/]+)/provisioningKey"
_LIST = ("page", "pagesize", "search")
_MT = ("microtenantId",)


def _id(name: str) -> str:
    # Ids are ASCII digits: another segment under a collection (".../summary") is no route.
    return rf"/(?P<{name}>[0-9]+)$"


def _group_urls(collection: str, kind: str) -> list[Route]:
    """The rows of one group collection (the group operations take the kind)."""
    path, fixed = _CUSTOMER + collection, (("kind", kind),)
    return [
        (re.compile(path + "$"), {
            "GET": Operation("list_groups", query=_LIST, fixed=fixed),
            "POST": Operation("create_group", 201, body=True, fixed=fixed),
        }),
        (re.compile(path + _id("group_id")), {
            "GET": Operation("get_group", fixed=fixed),
            "PUT": Operation("update_group", 204, body=True, fixed=fixed),
            "DELETE": Operation("delete_group", 204, fixed=fixed),
        }),
    ]  # fmt: skip


API_URLS: list[Route] = [
    (re.compile(_KEYS + "$"), {
        "GET": Operation("list_provisioning_keys", query=_MT + _LIST),
        # Recorded traffic: create answers 200 (the docs say 201).
        "POST": Operation("create_provisioning_key", query=_MT, body=True),
    }),
    (re.compile(_KEYS + _id("key_id")), {
        "GET": Operation("get_provisioning_key", query=_MT),
        "PUT": Operation("update_provisioning_key", 204, query=_MT, body=True),
        "DELETE": Operation("delete_provisioning_key", 204, query=_MT),
    }),
    (re.compile(r"/mgmtconfig/v2/admin/customers/(?P<customer_id>[^/]+)/enrollmentCert$"), {
        "GET": Operation("list_enrollment_certs", query=_LIST),
    }),
    (re.compile(_CUSTOMER + "/enrollmentCert" + _id("cert_id")), {
        "GET": Operation("get_enrollment_cert"),
    }),
    *_group_urls("/appConnectorGroup", APP_CONNECTOR_GROUPS),
    *_group_urls("/serviceEdgeGroup", SERVICE_EDGE_GROUPS),
    # Browser-access certificates: v1 CRUD, a deprecated v1 twin for GET, two v2 lists.
    (re.compile(_CUSTOMER + "/certificate$"), {
        "GET": Operation("list_ba_certificates", query=_MT + _LIST),
        "POST": Operation("create_ba_certificate", 201, query=_MT, body=True),
    }),
    (re.compile(_CUSTOMER + "/certificate" + _id("cert_id")), {
        "GET": Operation("get_ba_certificate", query=_MT),
        "PUT": Operation("update_ba_certificate", 204, query=_MT, body=True),
        "DELETE": Operation("delete_ba_certificate", 204, query=_MT),
    }),
    (re.compile(_CUSTOMER + "/clientlessCertificate" + _id("cert_id")), {
        "GET": Operation("get_ba_certificate", query=_MT),
    }),
    # inferred: the v2 "issued" lists hold the same certificates as the v1 list (the recorded
    # one held the certificate just uploaded).
    (re.compile(_CUSTOMER_V2 + "/(?:certificate|clientlessCertificate)/issued$"), {
        "GET": Operation("list_ba_certificates", query=_MT + _LIST),
    }),
    # API keys.
    (re.compile(_CUSTOMER + "/apiKeys$"), {
        "GET": Operation("list_api_keys", query=_MT + _LIST),
        "POST": Operation("create_api_key", 201, query=_MT, body=True),
    }),
    (re.compile(_CUSTOMER + "/apiKeys" + _id("key_id")), {
        "GET": Operation("get_api_key", query=_MT),
        "PUT": Operation("update_api_key", 204, query=_MT, body=True),
        "DELETE": Operation("delete_api_key", 204, query=_MT),
    }),
]  # fmt: skip

CONTROL_URLS: list[Route] = [
    (re.compile(r"/_emulator/requests$"), {
        "GET": Operation("requests_log"), "DELETE": Operation("clear_requests"),
    }),
    (re.compile(r"/_emulator/faults$"), {
        "GET": Operation("fault_rules"), "POST": Operation("add_fault", body=True),
        "DELETE": Operation("clear_faults"),
    }),
    (re.compile(r"/_emulator/config$"), {
        "GET": Operation("config"), "POST": Operation("configure", body=True),
    }),
    (re.compile(r"/_emulator/tokens/expire$"), {"POST": Operation("expire_tokens")}),
    (re.compile(r"/_emulator/clients$"), {
        "GET": Operation("clients"), "POST": Operation("register_client", body=True),
        "DELETE": Operation("clear_clients"),
    }),
    (re.compile(r"/_emulator/state$"), {"GET": Operation("state")}),
    (re.compile(r"/_emulator/provisioningKey/(?P<key_id>[^/]+)$"), {
        "PATCH": Operation("patch_key", body=True),
    }),
    (re.compile(r"/_emulator/enrollmentCert$"), {
        "POST": Operation("add_enrollment_cert", body=True),
    }),
    (re.compile(r"/_emulator/seed$"), {"POST": Operation("seed_keys", body=True)}),
    (re.compile(r"/_emulator/reset$"), {"POST": Operation("reset")}),
]  # fmt: skip
