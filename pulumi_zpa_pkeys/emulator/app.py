"""The application behind the HTTP server: both front doors (sign-in, bearer tokens, ZPA's rate
limits, the customer id), injected faults and the request log on top of the backend, and the
control plane. ``App.handle`` takes a parsed request and gives the reply (``None``: drop the
connection); errors become JSON only through ``responses.error_reply``."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs

from .api_keys import ApiKeys
from .assertions import AssertionRefused, Clients
from .backend import Backend
from .clock import Clock
from .cloud_doors import CloudFront
from .control import Control
from .errors import EmulatorError, TooManyRequests, Unauthorized, bad_argument, no_route
from .faults import FaultRule, Faults, RequestLog
from .ratelimit import GatewayBudget, RateLimiter
from .responses import Reply, Request, error_reply, respond, route
from .tokens import TokenIssuer
from .urls import CONTROL_URLS, DOORS, Door

DEFAULT_CLIENT_ID = "zpa-emulator"
DEFAULT_CLIENT_SECRET = "zpa-emulator-secret"

LEGACY_SIGN_IN = "/signin"
ONEAPI_TOKEN = "/oauth2/v1/token"
# Token lifetimes when /_emulator/config sets none: the recorded OneAPI answer said 83999 (an
# integer), the legacy door documents "3600" (a string).
LEGACY_TOKEN_TTL_S = 3600.0
ONEAPI_TOKEN_TTL_S = 83999.0
IDLE_TIMEOUT_S = 5.0  # a kept-alive connection idle this long is closed

# Errors a `status` fault answers: ZPA's ids for these statuses (see errors.py); 500/502/504 and
# the catch-all are inferred.
FAULT_IDS = {
    400: ("invalid.resource.argument", "Invalid argument (injected fault)"),
    403: ("access.denied", "Forbidden (injected fault)"),
    404: ("resource.not.found", "Not found (injected fault)"),
    409: ("api.concurrent.access.error", "Concurrent access, please retry (injected fault)"),
    429: ("invalid.toomanyrequests", "Too many requests (injected fault)"),
    500: ("internal.server.error", "Internal server error (injected fault)"),
    502: ("bad.gateway", "Bad gateway (injected fault)"),
    503: ("retryable.server.error", "Service unavailable, please retry (injected fault)"),
    504: ("gateway.timeout", "Gateway timeout (injected fault)"),
}


def is_oneapi(path: str, doors: Sequence[Door] = DOORS) -> bool:
    """Whether ``path`` is served behind the OneAPI gateway (its token host included)."""
    return path.startswith("/oauth2/") or any(
        door.oneapi and path.startswith(door.prefix + "/") for door in doors
    )


class App:
    """Front doors + control plane. Holds no tenant state itself (that is the backend)."""

    def __init__(
        self,
        backend: Backend,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        rate_limit: bool = True,
        token_ttl_s: float | None = None,
        doors: Sequence[Door] = DOORS,
    ) -> None:
        self.backend = backend
        self.doors = tuple(doors)
        # Paths that sign in (each its own door: no token needed) and how a door checks callers.
        self.sign_ins: dict[str, Callable[[Request], Reply]] = {
            LEGACY_SIGN_IN: lambda req: self._sign_in(req, oneapi=False),
            ONEAPI_TOKEN: lambda req: self._sign_in(req, oneapi=True),
        }
        self.authorizers: dict[str, Callable[[Request], bool]] = {"bearer": self._bearer}
        #: The rate budgets a door's calls spend (each raises its 429).
        self.budgets: dict[str, Callable[[Request], None]] = {"zpa": self._zpa_budget}
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl_s = token_ttl_s  # None: each door's own lifetime
        self.idle_timeout_s = IDLE_TIMEOUT_S
        #: The time of tokens, rate windows, sessions and assertions (tests move it forward).
        self.clock = Clock()
        self.tokens = TokenIssuer(clock=self.clock)
        self.limiter = RateLimiter(enabled=rate_limit, clock=self.clock.monotonic)
        # ZIA and Cloud & Branch Connector: their sign-ins, sessions and budgets.
        self.cloud = CloudFront(backend, self.limiter, self.clock)
        self.sign_ins.update(self.cloud.sign_ins())
        self.authorizers.update(self.cloud.authorizers())
        self.budgets.update(self.cloud.budgets())
        # What the recorded OneAPI gateway and token host advertise (the legacy door: nothing).
        self.gateway = GatewayBudget(5000, 60.0, clock=self.clock.monotonic)
        self.token_host = GatewayBudget(
            500, 1.0, more_policies=", 100000;w=60", clock=self.clock.monotonic
        )
        self.faults = Faults()
        self.log = RequestLog()
        self.control = Control(self)

    def handle(self, req: Request) -> Reply | None:
        """The answer to one request, or ``None`` to close the connection without one."""
        if req.path.startswith("/_emulator/"):
            return self._answer(lambda: respond(self.control, route(CONTROL_URLS, req), req))
        entry = self.log.start(req.method, req.path, req.query)
        rule = self.faults.match(req.method, req.path)
        if rule is not None and rule.action == "drop_before":
            return None
        if rule is not None and rule.action == "status":
            reply = self._answer(lambda: self._fault(rule, req))
        elif rule is not None and rule.action == "answer":
            if rule.work:
                self._answer(lambda: self._front(req))  # done; its answer is replaced
            reply = _unusable(rule)
        else:
            reply = self._answer(lambda: self._front(req))
        reply.headers += self._budget_headers(req.path, reply.status)
        if rule is not None and rule.action == "drop_after":
            return None
        if rule is not None and rule.action == "delay":
            time.sleep(rule.delay_s)
        self.log.finish(entry, reply.status)
        return reply

    def _budget_headers(self, path: str, status: int) -> list[tuple[str, str]]:
        """Every OneAPI answer counts against the gateway's budget and says so, except a 401
        (recorded without the headers: refused before it is counted)."""
        if path == ONEAPI_TOKEN:
            return self.token_host.take()
        if is_oneapi(path, self.doors) and status != 401:
            return self.gateway.take()
        return []

    @staticmethod
    def _answer(serve: Callable[[], Reply]) -> Reply:
        try:
            reply = serve()
        except EmulatorError as exc:
            reply = error_reply(exc)
        except Exception:  # pragma: no cover - a bug; still answer in ZPA's shape
            traceback.print_exc()
            reply = error_reply(EmulatorError(500, "internal.server.error", "emulator bug"))
        return reply

    def _fault(self, rule: FaultRule, req: Request) -> Reply:
        status = rule.status or 500
        headers = [] if rule.retry_after is None else [("retry-after", rule.retry_after)]
        if status == 401 and rule.error_id is None:
            exc: EmulatorError = Unauthorized(oneapi=is_oneapi(req.path, self.doors))
            exc.headers = headers
        elif status == 429 and rule.error_id is None:
            exc = TooManyRequests(rule.retry_after)
        else:
            error_id, reason = FAULT_IDS.get(status, ("emulated.fault", "Injected fault"))
            exc = EmulatorError(status, rule.error_id or error_id, reason, [], headers)
        raise exc

    def _front(self, req: Request) -> Reply:
        sign_in = self.sign_ins.get(req.path)
        if sign_in is not None:
            return sign_in(req)
        door = next((d for d in self.doors if d.accepts(req)), None)
        if door is None:
            raise no_route(req.path)
        if not self.authorizers[door.auth](req):
            raise Unauthorized(oneapi=door.oneapi)
        self.budgets[door.budget](req)
        api_path = req.path[len(door.prefix) :]
        api_req = Request(req.method, api_path, req.query, req.headers, req.body)
        operation = route(door.routes, api_req)
        customer_id = api_req.params.pop("customer_id", None)
        if customer_id is not None and customer_id != self.backend.customer_id:
            # inferred: another tenant's customer id is refused like a bad token.
            raise Unauthorized(oneapi=door.oneapi)
        return respond(self.backend, operation, api_req)

    def _zpa_budget(self, req: Request) -> None:
        decision = self.limiter.take(req.method)
        if not decision.allowed:
            raise TooManyRequests(decision.retry_after())

    def _bearer(self, req: Request) -> bool:
        """A token this emulator issued, to a subject still allowed in."""
        auth = req.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        # inferred: a token from either door is valid on both.
        subject = self.tokens.subject(token.strip()) if scheme.lower() == "bearer" else None
        if subject is None:
            return False
        # inferred: a token an API key signed in for stops working once the key is disabled or
        # deleted.
        if subject == self.client_id:
            return True
        with self.backend.lock:
            return self.backend.rules(Clients).known(subject) or self.backend.rules(ApiKeys).active(
                subject
            )

    def _sign_in(self, req: Request, *, oneapi: bool) -> Reply:
        if req.method != "POST":
            raise EmulatorError(405, "method.not.allowed", f"{req.method} is not allowed")
        text = req.body.decode("utf-8", "replace")
        form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
        if oneapi and form.get("grant_type") != "client_credentials":
            # inferred: the OAuth error shape is not recorded; we answer ZPA's.
            raise bad_argument("grant_type", "grant_type must be client_credentials")
        door_ttl = ONEAPI_TOKEN_TTL_S if oneapi else LEGACY_TOKEN_TTL_S
        subject = form.get("client_id") or ""
        if oneapi and "client_assertion" in form:
            try:
                with self.backend.lock:
                    subject = self.backend.rules(Clients).verify(form, now=self.clock.time())
            except AssertionRefused:
                # inferred: ZIdentity's refusal of an assertion is not recorded; every refusal
                # (unknown client, bad signature, wrong aud, expired) is the OneAPI 401.
                raise Unauthorized(oneapi=True) from None
        elif subject == self.client_id and form.get("client_secret") == self.client_secret:
            pass
        elif not oneapi and (key_ttl := self._api_key_ttl(form)) is not None:
            # inferred: an API key's token lives its tokenExpiryTimeInSec.
            door_ttl = float(key_ttl)
        else:
            # inferred: the id of a refused sign-in (one rule for both doors, the admin client
            # and API keys: unknown, wrong secret, disabled or deleted).
            raise EmulatorError(401, "invalid.credentials", "Invalid client id or secret")
        ttl = self.token_ttl_s if self.token_ttl_s is not None else door_ttl
        token, ttl = self.tokens.issue(subject, ttl)
        expires_in = max(1, round(ttl))
        if not oneapi:  # a string on the legacy door
            return Reply(
                200, {"token_type": "Bearer", "access_token": token, "expires_in": str(expires_in)}
            )
        return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": expires_in})

    def _api_key_ttl(self, form: dict[str, str]) -> int | None:
        """The token lifetime of the API key these credentials name, if it may sign in."""
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        with self.backend.lock:
            return self.backend.rules(ApiKeys).sign_in(client_id, client_secret)


def _unusable(rule: FaultRule) -> Reply:
    """An ``answer`` fault: a 2xx/3xx with the rule's raw body (empty, HTML, ...)."""
    headers = [] if rule.location is None else [("Location", rule.location)]
    return Reply(
        rule.status or 200,
        None,
        headers,
        rule.content_type or "text/html",
        raw=rule.body.encode("utf-8"),
    )
