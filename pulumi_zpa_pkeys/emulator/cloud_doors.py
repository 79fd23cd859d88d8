"""The front doors of ZIA and Cloud & Branch Connector (ZTW), beside ZPA's at the same origin.

* OneAPI: ``/zia/api/v1/...`` and ``/ztw/api/v1/...`` with a token of the ZPA token endpoint.
* legacy: ``/api/v1/...`` for both products, with the ``JSESSIONID`` of a session opened at the
  product's sign-in path (ZIA ``/api/v1/authenticatedSession``, ZTW ``/api/v1/auth``): the
  session decides which product's URLs a request reaches. ``POST`` there signs in, ``DELETE``
  logs out, and ZIA answers ``GET`` with the session's status (zscaler-sdk-python's ZIA client
  asks before each call).
* Each product's calls spend a budget of their own, like ZPA's writes; sign-ins are not
  counted. Over it: 429 with ``Retry-After: N seconds``.

The operations are ``cloud_keys.CloudKeys``'s; what a request may reach is decided here.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from .backend import Backend
from .clock import Clock
from .cloud_keys import (
    PRODUCTS,
    SIGN_IN_PATHS,
    ZIA,
    CloudError,
    CloudKeys,
    Sessions,
    invalid_input,
    not_authenticated,
    too_many_requests,
)
from .ratelimit import RateLimiter
from .responses import Reply, Request
from .urls import session_id


class CloudFront:
    """Both products' legacy sessions: their sign-in paths, the authorizers and the rate
    budgets of their doors (``App`` registers them beside ZPA's)."""

    def __init__(self, backend: Backend, limiter: RateLimiter, clock: Clock) -> None:
        self.backend = backend
        self.limiter = limiter
        self.sessions = Sessions(clock=clock)

    def sign_ins(self) -> dict[str, Callable[[Request], Reply]]:
        return {path: self._sign_in_path(product) for product, path in SIGN_IN_PATHS.items()}

    def authorizers(self) -> dict[str, Callable[[Request], bool]]:
        return {f"{product}-session": self._session_of(product) for product in PRODUCTS}

    def budgets(self) -> dict[str, Callable[[Request], None]]:
        return {product: self._budget(product) for product in PRODUCTS}

    def _session_of(self, product: str) -> Callable[[Request], bool]:
        def authorize(req: Request) -> bool:
            if self.sessions.product(session_id(req)) != product:
                raise not_authenticated()
            return True

        return authorize

    def _budget(self, product: str) -> Callable[[Request], None]:
        def take(req: Request) -> None:
            # inferred: every call of a product counts like a ZPA write, in a budget of its own.
            decision = self.limiter.take("POST", bucket=product)
            if not decision.allowed:
                raise too_many_requests(decision.reset_s, decision.limit, decision.window_s)

        return take

    def _sign_in_path(self, product: str) -> Callable[[Request], Reply]:
        def serve(req: Request) -> Reply:
            if req.method == "POST":
                return self._sign_in(product, req)
            if req.method == "DELETE":
                # inferred: logging out of no live session is a 401 like any call without one.
                if not self.sessions.close(session_id(req)):
                    raise not_authenticated()
                return Reply(204)
            if req.method == "GET" and product == ZIA:
                if self.sessions.product(session_id(req)) != product:
                    raise not_authenticated()
                return Reply(200, _session_answer())
            # inferred: any other method on a sign-in path.
            raise CloudError(405, "METHOD_NOT_ALLOWED", f"{req.method} is not allowed")

        return serve

    def _sign_in(self, product: str, req: Request) -> Reply:
        try:
            body = json.loads(req.body.decode("utf-8")) if req.body.strip() else None
        except (ValueError, RecursionError):
            raise invalid_input("the sign-in body is not valid JSON") from None
        with self.backend.lock:
            self.backend.rules(CloudKeys).sign_in(product, body)
        opened = self.sessions.open(product)
        # HttpOnly, no Secure: the emulator speaks plain http on loopback.
        cookie = f"JSESSIONID={opened}; Path=/; HttpOnly"
        return Reply(200, _session_answer(), [("Set-Cookie", cookie)])


def _session_answer() -> dict[str, object]:
    """inferred: the fields zscaler-sdk-python reads from a sign-in answer (it treats a
    ``passwordExpiryTime`` of 0 as a password that never expires)."""
    return {
        "authType": "ADMIN_LOGIN",
        "obfuscateApiKey": True,
        "passwordExpiryTime": 0,
        "passwordExpiryDays": 0,
    }


__all__ = ["CloudFront"]
