"""OneAPI API clients that sign in with a private key: their registered public keys, and the
verification of the RS256 client assertion (RFC 7523) they send instead of a secret. Standard
library only: the signature is checked as PKCS#1 v1.5 by hand (``pow(signature, e, n)``, then a
constant-time compare with the expected encoding of the SHA-256 digest).

Registered with ``POST /_emulator/clients`` (tests only) and kept like the tenant's objects
(``Clients`` is an object kind: ``--state`` keeps them; ``/_emulator/reset`` does not forget
them). A refusal says which check failed in ``reason`` only for the emulator's own log; the HTTP
answer is the OneAPI 401 body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import EmulatorError, bad_argument
from .kind import Kind, Rules, TableSpec, Tenant, operation
from .table import ID, TEXT, IdSequence, Shape, Table
from .values import JSON

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AUDIENCE = "https://api.zscaler.com"
MIN_BITS = 2048  # ZIdentity API clients hold RSA keys of at least 2048 bits
# inferred: bounds that keep one verification cheap (pow(signature, e, n)).
MAX_BITS = 16384
MAX_EXPONENT_BITS = 32
# The DER prefix of a SHA-256 DigestInfo (RFC 8017, section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class AssertionRefused(Exception):
    """The assertion does not sign this client in (the message says why, for the log)."""


@dataclass(frozen=True)
class PublicJwk:
    n: int
    e: int

    @property
    def size(self) -> int:
        return (self.n.bit_length() + 7) // 8


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str) or not text:
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def parse_jwk(jwk: Any) -> PublicJwk:
    """An RSA public JWK (``kty``, ``n``, ``e``), else a 400 naming the member."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        raise bad_argument("public_jwk", "public_jwk must be an RSA JWK (kty RSA)")
    numbers = {}
    for member in ("n", "e"):
        try:
            numbers[member] = int.from_bytes(_unb64(jwk.get(member)), "big")
        except ValueError:
            raise bad_argument("public_jwk", f"public_jwk.{member} must be base64url") from None
    key = PublicJwk(numbers["n"], numbers["e"])
    if not MIN_BITS <= key.n.bit_length() <= MAX_BITS or key.e < 3 or key.e % 2 == 0:
        raise bad_argument(
            "public_jwk", f"public_jwk must be an RSA key of {MIN_BITS} to {MAX_BITS} bits"
        )
    if key.e.bit_length() > MAX_EXPONENT_BITS:
        raise bad_argument("public_jwk", f"public_jwk.e must be at most {MAX_EXPONENT_BITS} bits")
    return key


def rs256_valid(key: PublicJwk, signing_input: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``key``'s RSASSA-PKCS1-v1_5 SHA-256 signature of the input."""
    if len(signature) != key.size:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    encoded = pow(s, key.e, key.n).to_bytes(key.size, "big")
    digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    padding = key.size - len(digest_info) - 3
    if padding < 8:
        return False
    expected = b"\x00\x01" + b"\xff" * padding + b"\x00" + digest_info
    return hmac.compare_digest(encoded, expected)


def _b64_int(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _stored_key(client: JSON) -> PublicJwk:
    try:
        return parse_jwk({"kty": "RSA", "n": client["n"], "e": client["e"]})
    except EmulatorError as exc:
        raise ValueError(exc.reason) from None


def _instant(claims: dict[str, Any], name: str) -> float | None:
    """A NumericDate claim: None when absent; a finite number, else the assertion is refused."""
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise AssertionRefused(f"{name} is not a finite number")
    return float(value)


def _check_key(client: JSON) -> None:
    _stored_key(client)


CLIENT_SHAPE = Shape(required={"id": ID, "clientId": TEXT, "n": TEXT, "e": TEXT}, more=_check_key)


def _client_id(client: JSON) -> str:
    return str(client["clientId"])


class Clients(Rules):
    """Registered OneAPI clients (client id -> public key). Built by the backend as a kind; also
    usable alone (``Clients()``: an in-memory table)."""

    def __init__(
        self, tables: Mapping[str, Table] | None = None, tenant: Tenant | None = None
    ) -> None:
        if tables is None:
            alone = Table(
                "clients", "API client", IdSequence(1), lambda records: None,
                shape=CLIENT_SHAPE, index=_client_id,
            )  # fmt: skip
            tables = {alone.name: alone}
        # Alone there is no tenant; this kind never asks it anything.
        super().__init__(tables, tenant)  # type: ignore[arg-type]

    def seed(self) -> None:
        """Nothing: a reset keeps the registered clients."""

    def _find(self, client_id: str) -> JSON | None:
        ids = self.table.holders(client_id)
        return self.table.get(next(iter(ids))) if ids else None

    def register(self, *, body: Any) -> dict[str, Any]:
        """``{"client_id": ..., "public_jwk": {"kty": "RSA", "n": ..., "e": ...}}``; a client
        registered again gets the new key."""
        if not isinstance(body, dict):
            raise bad_argument("body", "the body must be a JSON object")
        client_id = body.get("client_id")
        if not isinstance(client_id, str) or not client_id.strip():
            raise bad_argument("client_id", "client_id must be a non-empty string")
        key = parse_jwk(body.get("public_jwk"))
        known = self._find(client_id)
        self.table.put({
            "id": known["id"] if known else self.table.new_id(), "clientId": client_id,
            "n": _b64_int(key.n), "e": _b64_int(key.e),
        })  # fmt: skip
        return {"client_id": client_id, "bits": key.n.bit_length()}

    def ids(self) -> list[str]:
        return sorted(_client_id(c) for c in self.table)

    def clear(self) -> None:
        for client in list(self.table):
            self.table.delete(client["id"])

    def known(self, client_id: str) -> bool:
        return self._find(client_id) is not None

    # The control plane's operations (``/_emulator/clients``).

    @operation
    def register_client(self, *, body: Any) -> dict[str, Any]:
        return self.register(body=body)

    @operation
    def client_ids(self) -> list[str]:
        return self.ids()

    @operation
    def clear_clients(self) -> JSON:
        self.clear()
        return {"ok": True}

    def verify(self, form: dict[str, str], *, now: float | None = None) -> str:
        """The client id a token request signs in, from its client assertion.

        :raises AssertionRefused: wrong assertion type, not a JWT, not RS256, unknown client,
            ``iss``/``sub``/``client_id`` disagreeing, bad signature, wrong ``aud``, ``exp`` or
            ``nbf`` not a finite number, expired, not yet valid.
        """
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise AssertionRefused("client_assertion_type is not jwt-bearer")
        parts = form.get("client_assertion", "").split(".")
        if len(parts) != 3:
            raise AssertionRefused("the assertion is not a JWT")
        try:
            header = json.loads(_unb64(parts[0]))
            claims = json.loads(_unb64(parts[1]))
            signature = _unb64(parts[2]) if parts[2] else b""
        except (ValueError, UnicodeError, RecursionError):
            raise AssertionRefused("the assertion is not a JWT") from None
        if not isinstance(header, dict) or header.get("alg") != "RS256":
            raise AssertionRefused("the assertion is not RS256")
        if not isinstance(claims, dict):
            raise AssertionRefused("the assertion's claims are not an object")
        issuer = claims.get("iss")
        if not isinstance(issuer, str):
            raise AssertionRefused("no iss")
        client = self._find(issuer)
        if client is None:
            raise AssertionRefused("unknown client (iss)")
        if claims.get("sub") != issuer or form.get("client_id", issuer) != issuer:
            raise AssertionRefused("iss, sub and client_id differ")
        key = _stored_key(client)
        if not rs256_valid(key, f"{parts[0]}.{parts[1]}".encode("ascii"), signature):
            raise AssertionRefused("bad signature")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if AUDIENCE not in audiences:
            raise AssertionRefused("wrong audience")
        current = time.time() if now is None else now
        expires = _instant(claims, "exp")
        if expires is None:
            raise AssertionRefused("no exp")
        if expires <= current:
            raise AssertionRefused("expired")
        not_before = _instant(claims, "nbf")
        # inferred: no leeway (the emulator and its clients share one clock).
        if not_before is not None and not_before > current:
            raise AssertionRefused("not valid yet (nbf)")
        return issuer


KIND = Kind(
    "clients",
    first_id=1,
    tables=(TableSpec(None, "API client", CLIENT_SHAPE, index=_client_id),),
    rules=Clients,
)
