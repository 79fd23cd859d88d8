"""The URL tables (path pattern -> HTTP method -> operation: a backend operation, or a control
method for ``/_emulator/``) and the front doors that lead to them.

A door is where API requests of one product come in: the OneAPI gateway prefixes the product
(``/zpa/mgmtconfig/...``), the product's own (legacy) host does not (``/mgmtconfig/...``). A door
takes the paths that start with its prefix and its product's base path, removes the prefix and
routes the rest in the product's table. Another product (``/zia/api/v1/...`` through OneAPI,
``/api/v1/...`` on its own host) is one more table and its doors; sign-ins are ``App``'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from .cloud_keys import ZIA, ZTW
from .groups import APP_CONNECTOR_GROUPS, SERVICE_EDGE_GROUPS
from .responses import Operation, Request, Route

_CUSTOMER = r"/mgmtconfig/v1/admin/customers/(?P<customer_id>[^/]+)"
_CUSTOMER_V2 = r"/mgmtconfig/v2/admin/customers/(?P<customer_id>[^/]+)"
_LIST = ("page", "pagesize", "search")
_MT = ("microtenantId",)


def _id(name: str) -> str:
    # Ids are ASCII digits: another segment under a collection (".../summary") is no route.
    return rf"/(?P<{name}>[0-9]+)$"


def row(pattern: str, **methods: Operation) -> Route:
    """One path (a regular expression matched whole) and its operations by HTTP method."""
    return re.compile(pattern if pattern.endswith("$") else pattern + "$"), methods


def collection(
    path: str,
    noun: str,
    *,
    ident: str,
    query: tuple[str, ...] = (),
    created: int = 201,
    fixed: tuple[tuple[str, str], ...] = (),
) -> list[Route]:
    """The rows of one collection: ``list_<noun>s`` and ``create_<noun>`` at ``path``,
    ``get_<noun>``, ``update_<noun>`` and ``delete_<noun>`` at ``path/<ident>``. Every operation
    takes ``query`` (lists also page and search) and ``fixed``; a create answers ``created``,
    an update and a delete 204."""
    return [
        row(path, GET=Operation(f"list_{noun}s", query=query + _LIST, fixed=fixed),
            POST=Operation(f"create_{noun}", created, query=query, body=True, fixed=fixed)),
        row(path + _id(ident), GET=Operation(f"get_{noun}", query=query, fixed=fixed),
            PUT=Operation(f"update_{noun}", 204, query=query, body=True, fixed=fixed),
            DELETE=Operation(f"delete_{noun}", 204, query=query, fixed=fixed)),
    ]  # fmt: skip


ZPA_URLS: list[Route] = [
    # Recorded traffic: a key's create answers 200 (the docs say 201).
    *collection(
        _CUSTOMER + r"/associationType/(?P<association_type>[^/]+)/provisioningKey",
        "provisioning_key", ident="key_id", query=_MT, created=200,
    ),
    row(_CUSTOMER_V2 + "/enrollmentCert", GET=Operation("list_enrollment_certs", query=_LIST)),
    row(_CUSTOMER + "/enrollmentCert" + _id("cert_id"), GET=Operation("get_enrollment_cert")),
    *collection(_CUSTOMER + "/appConnectorGroup", "group", ident="group_id", query=_MT,
                fixed=(("kind", APP_CONNECTOR_GROUPS),)),
    *collection(_CUSTOMER + "/serviceEdgeGroup", "group", ident="group_id", query=_MT,
                fixed=(("kind", SERVICE_EDGE_GROUPS),)),
    # Browser-access certificates: v1 CRUD, a deprecated v1 twin for GET, two v2 lists.
    *collection(_CUSTOMER + "/certificate", "ba_certificate", ident="cert_id", query=_MT),
    row(_CUSTOMER + "/clientlessCertificate" + _id("cert_id"),
        GET=Operation("get_ba_certificate", query=_MT)),
    # inferred: the v2 "issued" lists hold the same certificates as the v1 list (the recorded
    # one held the certificate just uploaded).
    row(_CUSTOMER_V2 + "/(?:certificate|clientlessCertificate)/issued",
        GET=Operation("list_ba_certificates", query=_MT + _LIST)),
    *collection(_CUSTOMER + "/apiKeys", "api_key", ident="key_id", query=_MT),
]  # fmt: skip


@dataclass(frozen=True)
class Door:
    """Where one product's API requests come in (see the module docstring). ``oneapi``: behind
    the OneAPI gateway (its 401 body, its rate-limit headers); ``auth``: how ``App`` checks the
    caller, and ``budget``: which rate budget the call spends (names of ``App``'s authorizers
    and budgets); ``admits``: where two products share a path (ZIA's and ZTW's legacy
    ``/api/v1``), what else a request must show to come in here (its session's product)."""

    prefix: str
    base: str
    routes: Sequence[Route]
    oneapi: bool
    auth: str = "bearer"
    budget: str = "zpa"
    admits: Callable[[Request], bool] | None = None

    def takes(self, path: str) -> bool:
        return path.startswith(self.prefix + self.base)

    def accepts(self, req: Request) -> bool:
        return self.takes(req.path) and (self.admits is None or self.admits(req))


_KEYS = r"/api/v1/apiKeys"


def _product_urls(product: str, activation: list[Route]) -> list[Route]:
    fixed = (("product", product),)
    return [
        row(_KEYS, GET=Operation("list_cloud_api_keys", query=("includePartnerKeys",),
                                 fixed=fixed)),
        row(_KEYS + r"/(?P<key_id>[0-9]+)/regenerate",
            POST=Operation("regenerate_cloud_api_key", fixed=fixed)),
        *activation,
    ]  # fmt: skip


ZIA_FIXED = (("product", ZIA),)
ZTW_FIXED = (("product", ZTW),)
ZIA_URLS = _product_urls(ZIA, [
    row(r"/api/v1/status", GET=Operation("cloud_activation_status", fixed=ZIA_FIXED)),
    row(r"/api/v1/status/activate", POST=Operation("activate_cloud_changes", fixed=ZIA_FIXED)),
])  # fmt: skip
ZTW_URLS = _product_urls(ZTW, [
    row(r"/api/v1/ecAdminActivateStatus",
        GET=Operation("cloud_activation_status", fixed=ZTW_FIXED)),
    # inferred: a forced activation does what an activation does (nothing else is pending here).
    row(r"/api/v1/ecAdminActivateStatus/(?:activate|forcedActivate)",
        PUT=Operation("activate_cloud_changes", fixed=ZTW_FIXED)),
])  # fmt: skip


def session_id(req: Request) -> str | None:
    """The ``JSESSIONID`` a request carries, if any."""
    try:
        cookie = SimpleCookie(req.headers.get("cookie", ""))
    except CookieError:
        return None
    morsel = cookie.get("JSESSIONID")
    return morsel.value if morsel is not None else None


def _of(product: str) -> Callable[[Request], bool]:
    """Whether a request's session id names ``product`` (``Sessions.open``): the door it goes
    through; whether the session is live is the authorizer's question."""
    return lambda req: (session_id(req) or "").startswith(f"{product}-")


DOORS: tuple[Door, ...] = (
    Door("/zpa", "/mgmtconfig/", ZPA_URLS, oneapi=True),
    Door("", "/mgmtconfig/", ZPA_URLS, oneapi=False),
    # ZIA and Cloud & Branch Connector: OneAPI by prefix; their legacy /api/v1 by the product
    # of the caller's session (a session belongs to the product whose sign-in opened it).
    # inferred: a token that opens ZPA's OneAPI door opens theirs (one ZIdentity client).
    Door("/zia", "/api/v1/", ZIA_URLS, oneapi=True, budget=ZIA),
    Door("/ztw", "/api/v1/", ZTW_URLS, oneapi=True, budget=ZTW),
    Door("", "/api/v1/", ZIA_URLS, oneapi=False, auth="ZIA-session", budget=ZIA, admits=_of(ZIA)),
    Door("", "/api/v1/", ZTW_URLS, oneapi=False, auth="ZTW-session", budget=ZTW, admits=_of(ZTW)),
    # Anything else under /api/v1: no session, or a forged one (the authorizer answers 401).
    Door("", "/api/v1/", (), oneapi=False, auth="ZIA-session", budget=ZIA),
)

CONTROL_URLS: list[Route] = [
    row(r"/_emulator/requests", GET=Operation("requests_log"),
        DELETE=Operation("clear_requests")),
    row(r"/_emulator/faults", GET=Operation("fault_rules"),
        POST=Operation("add_fault", body=True), DELETE=Operation("clear_faults")),
    row(r"/_emulator/config", GET=Operation("config"), POST=Operation("configure", body=True)),
    row(r"/_emulator/tokens/expire", POST=Operation("expire_tokens")),
    row(r"/_emulator/clock", GET=Operation("clock"), POST=Operation("advance_clock", body=True)),
    row(r"/_emulator/clients", GET=Operation("client_ids"),
        POST=Operation("register_client", body=True), DELETE=Operation("clear_clients")),
    row(r"/_emulator/state", GET=Operation("state")),
    row(r"/_emulator/provisioningKey/(?P<key_id>[^/]+)", PATCH=Operation("patch_key", body=True)),
    row(r"/_emulator/enrollmentCert", POST=Operation("add_enrollment_cert", body=True)),
    row(r"/_emulator/seed", POST=Operation("seed_keys", body=True)),
    row(r"/_emulator/serviceEdges", POST=Operation("enroll_service_edge", body=True)),
    row(r"/_emulator/cloudServiceApiKeys/(?P<product>[^/]+)/regenerate",
        POST=Operation("regenerate_cloud_api_key_out_of_band")),
    row(r"/_emulator/reset", POST=Operation("reset")),
]  # fmt: skip
