"""API keys ("API Key Management"): what the legacy front door signs in with. The client secret
is shown in the create answer only. Names unique per microtenant, ignoring case. No HTTP here.

No recording exists: the field set is the one the official Python and Go SDKs model; values and
rules the documents leave open are marked inferred.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid
from typing import Any

from .certificates import microtenant_name
from .errors import bad_argument, read_only
from .kind import Kind, Rules, TableSpec, operation
from .query import list_page
from .table import FLAG, ID, INTEGER, TEXT, Shape, Table
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

# help.zscaler.com "Adding API Keys": the session validity interval is at most 3600 s.
MAX_TOKEN_EXPIRY_S = 3600
DEFAULT_TOKEN_EXPIRY_S = "3600"  # inferred: the SDKs' example value, used when none is sent

# inferred: the order of the SDKs' models, the usual header fields first.
_ORDER = (
    "id", "modifiedTime", "creationTime", "modifiedBy", "name", "enabled", "roleId",
    "tokenExpiryTimeInSec", "clientId", "clientSecret", "isLocked", "pinSessionEnabled",
    "readOnly", "zscalerManaged", "microtenantId", "*microtenantName",
)  # fmt: skip
_BOOLS = ("enabled", "isLocked", "pinSessionEnabled", "readOnly", "zscalerManaged")
API_KEY_SHAPE = Shape(
    required={
        **dict.fromkeys(("id", "roleId", "microtenantId"), ID),
        **dict.fromkeys(("modifiedTime", "creationTime", "tokenExpiryTimeInSec"), INTEGER),
        **dict.fromkeys(("name", "modifiedBy", "clientId", "clientSecret"), TEXT),
        **dict.fromkeys(_BOOLS, FLAG),
    },
)


def name_slot(key: JSON) -> tuple[str, str]:
    # inferred: names are unique per microtenant, case-insensitively (as for keys).
    return (key["microtenantId"], key["name"].casefold())


def _token_expiry(value: Any) -> str:
    seconds = parse_int("tokenExpiryTimeInSec", value, minimum=1)
    if seconds > MAX_TOKEN_EXPIRY_S:
        raise bad_argument(
            "tokenExpiryTimeInSec", f"tokenExpiryTimeInSec must be at most {MAX_TOKEN_EXPIRY_S}"
        )
    return str(seconds)


class ApiKeys(Rules):
    # ------------------------------------------------------------------ rules and views

    def _find(self, key_id: str, microtenant: str) -> JSON:
        return self.table.find(key_id, lambda k: k["microtenantId"] == microtenant)

    def _check_unique_name(self, microtenant: str, name: str, own_id: str) -> None:
        if self.table.holders((microtenant, name.casefold())) - {own_id}:
            raise bad_argument(
                "name", f"an API key named {name!r} already exists in microtenant {microtenant}"
            )

    def _new_client_id(self) -> str:
        # inferred: ZPA's legacy client ids read as base64 of "<customer id>-<uuid>".
        raw = f"{self.tenant.customer_id}-{uuid.uuid4()}".encode("ascii")
        return base64.b64encode(raw).decode("ascii")

    def view(self, key: JSON, *, full: bool, secret: bool = False, internal: bool = False) -> JSON:
        fields = dict(key)
        fields["microtenantName"] = microtenant_name(key["microtenantId"])
        if not internal and key["microtenantId"] == DEFAULT_MICROTENANT:
            fields.pop("microtenantId")  # inferred, as for keys and certificates
        if not secret:
            fields.pop("clientSecret")
        names = [n.lstrip("*") for n in _ORDER if full or not n.startswith("*")]
        return {n: fields[n] for n in names if n in fields}

    def state(self, table: Table) -> list[JSON]:
        return [self.view(k, full=True, secret=True, internal=True) for k in table]

    # ------------------------------------------------------------------ sign-in

    def sign_in(self, client_id: str | None, client_secret: str | None) -> int | None:
        """The token lifetime (the key's ``tokenExpiryTimeInSec``) when an enabled key has
        these credentials, else None."""
        if not client_id or not client_secret:
            return None
        for key in self.table:
            if key["clientId"] == client_id:
                same = hmac.compare_digest(
                    key["clientSecret"].encode("utf-8"), client_secret.encode("utf-8")
                )
                # inferred: a disabled (or locked) key cannot sign in.
                if same and key["enabled"] and not key["isLocked"]:
                    return int(key["tokenExpiryTimeInSec"])
                return None
        return None

    def active(self, client_id: str) -> bool:
        """Whether tokens issued to ``client_id`` still work (inferred: disabling or deleting a
        key also ends the sessions it opened)."""
        return any(
            k["clientId"] == client_id and k["enabled"] and not k["isLocked"] for k in self.table
        )

    # ------------------------------------------------------------------ API operations

    @operation
    def list_api_keys(
        self,
        *,
        microtenant_id: str | None = None,
        page: str | None = None,
        pagesize: str | None = None,
        search: str | None = None,
    ) -> JSON:
        microtenant = parse_microtenant(microtenant_id)
        return list_page(
            [k for k in self.table if k["microtenantId"] == microtenant],
            page=page, pagesize=pagesize, search=search,
            field_of=lambda k, f: None if f == "clientSecret" else k.get(f),
            render=lambda k: self.view(k, full=True),
            named=lambda name: self.table.holders((microtenant, name)),
        )  # fmt: skip

    @operation
    def get_api_key(self, *, key_id: str, microtenant_id: str | None = None) -> JSON:
        return self.view(self._find(key_id, parse_microtenant(microtenant_id)), full=True)

    @operation
    def create_api_key(self, *, body: Any, microtenant_id: str | None = None) -> JSON:
        body = body_dict(body)
        microtenant = parse_microtenant(
            microtenant_id if microtenant_id not in (None, "") else body.get("microtenantId")
        )
        for required in ("name", "roleId"):
            if body.get(required) is None:
                raise bad_argument(required, f"{required} is required")
        name = parse_name(body["name"])
        role_id = parse_id("roleId", body["roleId"])
        enabled = parse_bool("enabled", body["enabled"]) if "enabled" in body else True
        expiry = _token_expiry(body.get("tokenExpiryTimeInSec", DEFAULT_TOKEN_EXPIRY_S))
        self._check_unique_name(microtenant, name, "")
        now = self.tenant.clock()
        key: JSON = {
            "id": self.table.new_id(), "modifiedTime": now, "creationTime": now,
            "modifiedBy": ADMIN_ID, "name": name, "enabled": enabled, "roleId": role_id,
            "tokenExpiryTimeInSec": expiry, "clientId": self._new_client_id(),
            "clientSecret": secrets.token_urlsafe(32), "isLocked": False,
            "pinSessionEnabled": False, "readOnly": False, "zscalerManaged": False,
            "microtenantId": microtenant,
        }  # fmt: skip
        self.table.put(key)
        return self.view(key, full=False, secret=True)  # the only answer with the secret

    @operation
    def update_api_key(self, *, key_id: str, body: Any, microtenant_id: str | None = None) -> None:
        body = body_dict(body)
        key = self._find(key_id, parse_microtenant(microtenant_id))
        if key["readOnly"]:
            raise read_only("API key", key_id)
        changes: JSON = {}
        if "name" in body:
            changes["name"] = parse_name(body["name"])
            self._check_unique_name(key["microtenantId"], changes["name"], key_id)
        if "enabled" in body:
            changes["enabled"] = parse_bool("enabled", body["enabled"])
        if body.get("roleId") is not None:
            changes["roleId"] = parse_id("roleId", body["roleId"])
        if body.get("tokenExpiryTimeInSec") is not None:
            changes["tokenExpiryTimeInSec"] = _token_expiry(body["tokenExpiryTimeInSec"])
        # inferred: the credentials and the microtenant cannot change in place.
        for fixed in ("clientId", "clientSecret"):
            if body.get(fixed) not in (None, key[fixed]):
                raise bad_argument(fixed, f"{fixed} cannot be changed")
        moved = body.get("microtenantId") not in (None, "") and (
            parse_microtenant(body["microtenantId"]) != key["microtenantId"]
        )
        if moved:
            raise bad_argument("microtenantId", "an API key cannot move to another microtenant")
        now = self.tenant.clock()
        self.table.put({**key, **changes, "modifiedTime": now, "modifiedBy": ADMIN_ID})

    @operation
    def delete_api_key(self, *, key_id: str, microtenant_id: str | None = None) -> None:
        key = self._find(key_id, parse_microtenant(microtenant_id))
        if key["readOnly"]:
            raise read_only("API key", key_id)
        self.table.delete(key_id)


KIND = Kind(
    "api_keys",
    first_id=216196257331600001,
    tables=(TableSpec("apiKeys", "API key", API_KEY_SHAPE, index=name_slot),),
    rules=ApiKeys,
    former_names=("apiKey",),
)
