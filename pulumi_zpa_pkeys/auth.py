"""Bearer-token handling: one sign-in shared by every thread of a client, refreshed on time.

The shape follows httpx's ``Auth.auth_flow``: a generator that yields the request to send,
receives the response, and on a 401 signs in again and yields the request once more. The
single resend is bounded by the code's shape, not by a counter.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable, Generator
from typing import Any

import requests

#: A sign-in answers (access token, ``expires_in`` as ZPA sends it: str, int or absent).
SignIn = Callable[[], tuple[str, Any]]

DEFAULT_LIFETIME_S = 600.0
MAX_MARGIN_S = 60.0


def token_lifetime(token: str, expires_in: Any = None, *, now: float | None = None) -> float:
    """Seconds the token stays valid: JWT ``exp - iat`` (immune to clock skew), else
    ``exp - now``, else ``expires_in`` (string or integer), else a conservative default."""
    claims = _jwt_claims(token)
    exp, iat = claims.get("exp"), claims.get("iat")
    if isinstance(exp, (int, float)):
        lifetime = exp - (iat if isinstance(iat, (int, float)) else (now or time.time()))
        if lifetime > 0:
            return float(lifetime)
    try:
        return max(float(expires_in), 0.0)
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME_S


def _jwt_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


class BearerAuth:
    """Reuses one token until shortly before it expires; N threads in need → one sign-in."""

    def __init__(self, sign_in: SignIn, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._sign_in = sign_in
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self.sign_in_count = 0

    def __repr__(self) -> str:
        return f"BearerAuth(signed_in={self._token is not None}, sign_ins={self.sign_in_count})"

    @property
    def current_token(self) -> str | None:
        """The cached token, if any (for scrubbing it from messages)."""
        return self._token

    def token(self) -> str:
        """A valid access token, signing in first if there is none or it is about to expire."""
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                token, expires_in = self._sign_in()
                self.sign_in_count += 1
                lifetime = token_lifetime(token, expires_in)
                # Refresh early (10 %, at most a minute) so no request carries a dying token.
                self._refresh_at = self._clock() + lifetime - min(MAX_MARGIN_S, 0.1 * lifetime)
                self._token = token
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still current (other threads may have replaced it)."""
        with self._lock:
            if self._token == token:
                self._token = None

    def attach(self, request: requests.PreparedRequest, token: str) -> None:
        """Put ``token`` on ``request`` (a subclass may carry it elsewhere, e.g. a cookie)."""
        request.headers["Authorization"] = f"Bearer {token}"

    def auth_flow(
        self, request: requests.PreparedRequest
    ) -> Generator[requests.PreparedRequest, requests.Response, None]:
        """Attach the token; on a 401 sign in again and resend exactly once."""
        token = self.token()
        self.attach(request, token)
        response = yield request
        if response.status_code != 401:
            return
        self.invalidate(token)
        self.attach(request, self.token())
        yield request
