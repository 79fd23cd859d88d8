"""Bearer tokens: HS256 JWTs signed with a per-process random key.

The JWT's ``exp`` tells clients when to sign in again; the server also remembers the precise
expiry of every token it issued, so a 1 s token really stops working after 1 s, a token from an
earlier process (other key) or a forged one is refused, and ``expire_all`` revokes everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import uuid
from typing import Any

from .clock import Clock


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    def __init__(
        self, *, ttl_s: float = 3600.0, issuer: str = "zpa-emulator", clock: Clock | None = None
    ) -> None:
        self.ttl_s = ttl_s
        self.clock = clock or Clock()
        self.issuer = issuer
        self._key = os.urandom(32)
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def issue(self, subject: str, ttl_s: float | None = None) -> tuple[str, float]:
        """A new token for ``subject`` and its lifetime in seconds (``ttl_s``, else the
        issuer's default)."""
        now = self.clock.time()
        ttl = self.ttl_s if ttl_s is None else ttl_s
        jti = uuid.uuid4().hex
        # inferred: exp is rounded down to whole seconds, so a client that trusts it never
        # holds a token past its real expiry (which the server tracks precisely).
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "iat": int(now),
            "exp": int(now + ttl),
            "jti": jti,
        }
        header = {"alg": "HS256", "typ": "JWT"}
        signing_input = (
            _b64(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()
        with self._lock:
            self._expiry[jti] = now + ttl
            if len(self._expiry) > 10000:
                self._expiry = {k: v for k, v in self._expiry.items() if v > now}
        return signing_input + "." + _b64(signature), ttl

    def valid(self, token: str) -> bool:
        return self.subject(token) is not None

    def subject(self, token: str) -> str | None:
        """The ``sub`` of a token this issuer made that has not expired, else None."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        signing_input = parts[0] + "." + parts[1]
        try:
            expected = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(parts[2])):
                return None
            claims = json.loads(_unb64(parts[1]))
        except (ValueError, UnicodeError):
            return None
        if not isinstance(claims, dict):
            return None
        jti, subject = claims.get("jti"), claims.get("sub")
        with self._lock:
            expiry = self._expiry.get(jti) if isinstance(jti, str) else None
        if expiry is None or self.clock.time() >= expiry or not isinstance(subject, str):
            return None
        return subject

    def expire_all(self) -> None:
        with self._lock:
            self._expiry.clear()
