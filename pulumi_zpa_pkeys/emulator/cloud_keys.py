"""Cloud service API keys of ZIA and Cloud & Branch Connector (ZTW): each organisation's one
key per product, legacy sessions opened with it, regeneration and activation. No HTTP here.

Sources: Zscaler's help page "About Cloud Service API Key", the Cloud & Branch Connector page
"Managing Credentials Using API", and zscaler-sdk-python (its ZIA and ZTW legacy clients and
``ztw/api_keys.py``). What none of them states is marked inferred.

* One organisation key per product, 12 letters and digits, seeded ``EmulatorZIA1`` and
  ``EmulatorZTW1``; beside it one partner key, listed only with ``includePartnerKeys=true``.
* Legacy sign-in: ``{"apiKey": <obfuscated>, "username", "password", "timestamp": <ms>}``; the
  key is obfuscated with the timestamp (:func:`obfuscate`). Regenerating a key refuses its old
  value for new sign-ins at once; sessions already open stay valid.
* ``GET /apiKeys`` answers a JSON list; ``POST /apiKeys/{id}/regenerate`` answers the key with
  its new value and leaves a change to activate (ZIA ``POST /status/activate``, ZTW
  ``PUT /ecAdminActivateStatus/activate``).
* Errors in these products' shape: ``{"code": ..., "message": ...}``.
"""

from __future__ import annotations

import hmac
import math
import secrets
import string
import threading
from collections.abc import Mapping
from typing import Any

from .clock import Clock
from .errors import EmulatorError
from .kind import Kind, Rules, TableSpec, Tenant, operation
from .table import FLAG, ID, INTEGER, TEXT, TEXTS, Shape, Table
from .values import JSON

ZIA, ZTW = "ZIA", "ZTW"
PRODUCTS = (ZIA, ZTW)
#: The legacy sign-in path of each product (POST opens a session, DELETE ends it; ZIA also
#: answers GET with the session's status, as zscaler-sdk-python's ZIA client asks).
SIGN_IN_PATHS = {ZIA: "/api/v1/authenticatedSession", ZTW: "/api/v1/auth"}
ADMIN_USERNAME = "admin@emulator.zscaler.invalid"
ADMIN_PASSWORD = "emulator-password"
KEY_LENGTH = 12
KEY_ALPHABET = string.ascii_letters + string.digits
# inferred: ZIA and ZTW key ids are small integers; these are fixed so that tests can name them.
#: Per product: (id, value) of the organisation's key, then of the partner key.
SEEDED_KEYS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    ZIA: (("4101", "EmulatorZIA1"), ("4102", "PartnerZIA01")),
    ZTW: (("4201", "EmulatorZTW1"), ("4202", "PartnerZTW01")),
}
FIRST_CLOUD_KEY_ID = 4300  # no API call creates a key; the sequence only backs the table
SEEDED_TIME = "1735689600"  # 2025-01-01T00:00:00Z
# inferred: ids and names of the admins the answers name in lastModifiedBy.
ZSCALER_ADMIN = ("1", "Zscaler")  # the key as provisioned with the API subscription
API_ADMIN = ("7001", ADMIN_USERNAME)  # the admin the emulator signs in
PORTAL_ADMIN = ("7002", "portal-admin@emulator.zscaler.invalid")  # out-of-band regenerations
PARTNER = ("9001", "Emulator Partner")
PARTNER_URL = "https://partner.emulator.zscaler.invalid"
# inferred: what a key may do is not documented; one permission string stands for it.
PERMISSIONS = ["CLOUD_SERVICE_API"]
#: inferred: a session ends after 5 minutes without a call (zscaler-sdk-python's ZIA client
#: refreshes its session after 4.5 idle minutes).
DEFAULT_SESSION_IDLE_S = 300.0

CLOUD_KEY_SHAPE = Shape(
    required={
        "id": ID, "product": TEXT, "keyValue": TEXT, "permissions": TEXTS, "enabled": FLAG,
        "lastModifiedTime": INTEGER, "lastModifiedById": ID, "lastModifiedByName": TEXT,
        "pendingActivation": FLAG,
    },
    optional={"partnerId": ID, "partnerName": TEXT, "partnerUrl": TEXT},
    choices={"product": PRODUCTS},
)  # fmt: skip


class CloudError(EmulatorError):
    """An error of the ZIA and ZTW APIs: ``{"code": ..., "message": ...}`` (the shape
    zscaler-sdk-python reads first)."""

    def body(self) -> dict[str, Any]:
        return {"code": self.error_id, "message": self.reason}


def invalid_input(reason: str) -> CloudError:
    # inferred: the code of a refused argument.
    return CloudError(400, "INVALID_INPUT_ARGUMENT", reason)


def not_authenticated() -> CloudError:
    # inferred: the answer to a call without a live session.
    return CloudError(401, "NOT_AUTHENTICATED", "The session is not authenticated or has expired")


def sign_in_refused() -> CloudError:
    # inferred: one answer for a wrong key, user name or password (nothing says which).
    return CloudError(401, "AUTHENTICATION_FAILED", "Invalid API key, user name or password")


def too_many_requests(reset_s: float, limit: int, window_s: float) -> CloudError:
    """Over the product's budget. zscaler-sdk-python reads ``Retry-After: 0 seconds`` from
    ZIA and ZTW (whole seconds with a `` seconds`` suffix); the body is inferred."""
    wait = f"{max(0, math.ceil(reset_s - 1e-9))} seconds"
    error = CloudError(
        429, "RATE_LIMIT_EXCEEDED", f"Rate Limit ({limit}/{window_s:g}SECONDS) exceeded"
    )
    error.headers = [("Retry-After", wait)]
    return error


def obfuscate(key: str, timestamp_ms: int) -> str:
    """The ``apiKey`` a legacy sign-in sends for ``key`` at ``timestamp_ms``: with ``n`` the last
    six digits of the timestamp and ``r = int(n) >> 1`` zero-padded to six digits, the key's
    character at each digit of ``n``, then at each digit of ``r`` plus two."""
    n = str(timestamp_ms)[-6:]
    r = str(int(n) >> 1).zfill(6)
    return "".join(key[int(d)] for d in n) + "".join(key[int(d) + 2] for d in r)


def _new_key_value(old: str) -> str:
    while True:
        value = "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))
        if value != old:
            return value


def _bool_arg(name: str, value: str | None) -> bool:
    if value is None or value == "":
        return False
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    # inferred: another value than true or false is refused like any bad argument.
    raise invalid_input(f"{name} must be true or false")


class CloudKeys(Rules):
    """Both products' keys in one table (journaled), and their activation state."""

    def __init__(self, tables: Mapping[str, Table], tenant: Tenant) -> None:
        super().__init__(tables, tenant)
        #: Activations answered per product since start or reset (for tests).
        self.activations = dict.fromkeys(PRODUCTS, 0)

    def seed(self) -> None:
        keys = []
        for product, ((own_id, own), (partner_id, partner)) in SEEDED_KEYS.items():
            common: JSON = {
                "product": product, "permissions": list(PERMISSIONS), "enabled": True,
                "lastModifiedTime": SEEDED_TIME, "lastModifiedById": ZSCALER_ADMIN[0],
                "lastModifiedByName": ZSCALER_ADMIN[1], "pendingActivation": False,
            }  # fmt: skip
            keys.append({"id": own_id, "keyValue": own, **common})
            # inferred: a partner key's partner and partnerUrl (only their names are documented).
            keys.append({
                "id": partner_id, "keyValue": partner, **common,
                "partnerId": PARTNER[0], "partnerName": PARTNER[1], "partnerUrl": PARTNER_URL,
            })  # fmt: skip
        self.table.fill(keys)
        self.activations = dict.fromkeys(PRODUCTS, 0)

    # ------------------------------------------------------------------ views

    @staticmethod
    def view(key: JSON) -> JSON:
        """A key as the API answers it: ids and times as numbers, the admin as an object."""
        out: JSON = {
            "id": int(key["id"]),
            "keyValue": key["keyValue"],
            "permissions": list(key["permissions"]),
            "enabled": key["enabled"],
            "lastModifiedTime": int(key["lastModifiedTime"]),
            "lastModifiedBy": {
                "id": int(key["lastModifiedById"]),
                "name": key["lastModifiedByName"],
            },
        }
        if "partnerId" in key:
            out["partner"] = {"id": int(key["partnerId"]), "name": key["partnerName"]}
            out["partnerUrl"] = key["partnerUrl"]
        return out

    def state(self, table: Table) -> list[JSON]:
        """Every key with its value, product and whether a change awaits activation."""
        return [
            {**self.view(k), "product": k["product"], "pendingActivation": k["pendingActivation"]}
            for k in self.table
        ]

    def _keys(self, product: str) -> list[JSON]:
        return [k for k in self.table if k["product"] == product]

    def organisation_key(self, product: str) -> JSON:
        """The product's own key (not a partner's)."""
        return next(k for k in self._keys(product) if "partnerId" not in k)

    # ------------------------------------------------------------------ sign-in

    def sign_in(self, product: str, body: Any) -> None:
        """Check a legacy sign-in body.

        :raises CloudError: 400 for a body of the wrong shape, 401 for wrong credentials.
        """
        if not isinstance(body, dict):
            raise invalid_input("the sign-in body must be a JSON object")
        for name in ("apiKey", "username", "password"):
            if not isinstance(body.get(name), str):
                raise invalid_input(f"{name} must be a string")
        timestamp = body.get("timestamp")
        if isinstance(timestamp, str) and timestamp.isascii() and timestamp.isdigit():
            timestamp = int(timestamp)
        # inferred: the timestamp is not checked against the clock (no source says it is).
        if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 10**5:
            raise invalid_input("timestamp must be the time in milliseconds since the epoch")
        # inferred: user names (e-mail addresses) match ignoring case.
        user_ok = body["username"].casefold() == ADMIN_USERNAME
        password_ok = hmac.compare_digest(
            body["password"].encode("utf-8"), ADMIN_PASSWORD.encode("utf-8")
        )
        sent = body["apiKey"].encode("utf-8")
        # inferred: every enabled key of the product signs in (partners with theirs), and only
        # in its obfuscated form (the key itself is refused). Compared in full, constant time.
        key_ok = False
        for key in self._keys(product):
            expected = obfuscate(key["keyValue"], timestamp).encode("utf-8")
            key_ok |= key["enabled"] and hmac.compare_digest(expected, sent)
        if not (user_ok and password_ok and key_ok):
            raise sign_in_refused()

    # ------------------------------------------------------------------ API operations

    @operation
    def list_cloud_api_keys(
        self, *, product: str, include_partner_keys: str | None = None
    ) -> list[JSON]:
        partners = _bool_arg("includePartnerKeys", include_partner_keys)
        return [self.view(k) for k in self._keys(product) if partners or "partnerId" not in k]

    @operation
    def regenerate_cloud_api_key(self, *, product: str, key_id: str) -> JSON:
        key = self.table.get(key_id)
        if key is None or key["product"] != product:
            # inferred: an unknown key id answers 404.
            raise CloudError(404, "RESOURCE_NOT_FOUND", f"API key {key_id} was not found")
        return self.view(self._regenerate(key, API_ADMIN))

    def _regenerate(self, key: JSON, admin: tuple[str, str]) -> JSON:
        new = {
            **key,
            "keyValue": _new_key_value(key["keyValue"]),
            "lastModifiedTime": self.tenant.clock(),
            "lastModifiedById": admin[0],
            "lastModifiedByName": admin[1],
            # inferred: a regeneration is a change that awaits activation, like other edits.
            "pendingActivation": True,
        }
        self.table.put(new)
        return new

    def _pending(self, product: str) -> bool:
        return any(k["pendingActivation"] for k in self._keys(product))

    @operation
    def activate_cloud_changes(self, *, product: str) -> JSON:
        """Activate the product's pending changes; answers the status afterwards."""
        if self._pending(product):
            self.table.put(*({**k, "pendingActivation": False} for k in self._keys(product)))
        # inferred: an activation with nothing pending succeeds too.
        self.activations[product] += 1
        return self.cloud_activation_status(product=product)

    @operation
    def cloud_activation_status(self, *, product: str) -> JSON:
        pending = self._pending(product)
        if product == ZIA:
            # ZIA: {"status": "ACTIVE"} after an activation (inferred: "PENDING" before one).
            return {"status": "PENDING" if pending else "ACTIVE"}
        # inferred: the values of ZTW's activation status (its fields are the SDK's model's).
        return {
            "orgEditStatus": "EDITS_PRESENT" if pending else "EDITS_CLEARED",
            "orgLastActivateStatus": "CAC_ACTV_UI",
            "adminActivateStatus": "ADM_EDITING" if pending else "ADM_ACTV_DONE",
            "adminStatusMap": {API_ADMIN[1]: "ADM_EDITING" if pending else "ADM_ACTV_DONE"},
        }

    # ------------------------------------------------------------------ control plane

    @operation
    def regenerate_cloud_api_key_out_of_band(self, *, product: str) -> JSON:
        """What an admin's "Regenerate" in the portal does (drift for a stack)."""
        if product not in PRODUCTS:
            raise EmulatorError(
                400, "invalid.resource.argument", "product must be ZIA or ZTW", ["product"]
            )
        key = self._regenerate(self.organisation_key(product), PORTAL_ADMIN)
        return {**self.view(key), "product": product}


KIND = Kind(
    "cloud_keys",
    first_id=FIRST_CLOUD_KEY_ID,
    tables=(TableSpec("cloudServiceApiKeys", "cloud service API key", CLOUD_KEY_SHAPE),),
    rules=CloudKeys,
)


class Sessions:
    """Open legacy sessions (in memory, as tokens are): id -> product and last use."""

    def __init__(
        self, *, idle_s: float = DEFAULT_SESSION_IDLE_S, clock: Clock | None = None
    ) -> None:
        self.idle_s = idle_s
        self.clock = clock or Clock()
        self._lock = threading.Lock()
        self._open: dict[str, tuple[str, float]] = {}

    def open(self, product: str) -> str:
        """A new session of ``product``; its id names the product (``ZIA-...``), so that the
        front door can tell which product's URLs a cookie reaches before checking it (the
        emulator's own form: real session ids are opaque)."""
        session_id = f"{product}-{secrets.token_hex(16).upper()}"
        now = self.clock.monotonic()
        with self._lock:
            if len(self._open) > 10000:
                self._open = {k: v for k, v in self._open.items() if now - v[1] < self.idle_s}
            self._open[session_id] = (product, now)
        return session_id

    def product(self, session_id: str | None) -> str | None:
        """The product of a live session (its idle time starts again), else None."""
        if not session_id:
            return None
        now = self.clock.monotonic()
        with self._lock:
            found = self._open.get(session_id)
            if found is None or now - found[1] >= self.idle_s:
                self._open.pop(session_id, None)
                return None
            self._open[session_id] = (found[0], now)
            return found[0]

    def close(self, session_id: str | None) -> bool:
        with self._lock:
            return self._open.pop(session_id or "", None) is not None

    def expire_all(self) -> None:
        with self._lock:
            self._open.clear()

    def count(self) -> int:
        with self._lock:
            return len(self._open)
