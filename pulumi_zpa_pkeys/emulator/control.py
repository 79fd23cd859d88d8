"""The ``/_emulator/`` control endpoints (tests only; no auth, not logged, not limited): one
method per operation in ``urls.CONTROL_URLS``, each answering JSON. They steer what ``app.App``
holds, described here by :class:`Steered` (so this module does not import ``app``)."""

from __future__ import annotations

import math
from typing import Any, Protocol

from .backend import Backend
from .clock import Clock
from .cloud_doors import CloudFront
from .errors import bad_argument
from .faults import Faults, RequestLog, parse_rule
from .ratelimit import GatewayBudget, RateLimiter
from .tokens import TokenIssuer
from .values import JSON

OK: JSON = {"ok": True}


class Steered(Protocol):
    """What the control endpoints change: ``app.App``'s parts."""

    backend: Backend
    clock: Clock
    tokens: TokenIssuer
    limiter: RateLimiter
    gateway: GatewayBudget
    token_host: GatewayBudget
    faults: Faults
    log: RequestLog
    token_ttl_s: float | None
    idle_timeout_s: float
    cloud: CloudFront


class Control:
    def __init__(self, app: Steered) -> None:
        self.app = app

    # ------------------------------------------------------------------ request log and faults

    def requests_log(self) -> list[JSON]:
        return self.app.log.entries()

    def clear_requests(self) -> JSON:
        self.app.log.clear()
        return OK

    def fault_rules(self) -> list[JSON]:
        return self.app.faults.rules()

    def add_fault(self, *, body: Any) -> JSON:
        rule = parse_rule(body)
        self.app.faults.add(rule)
        return rule.to_json()

    def clear_faults(self) -> JSON:
        self.app.faults.clear()
        return OK

    # ------------------------------------------------------------------ configuration and tokens

    def config(self) -> JSON:
        limiter = self.app.limiter
        return {
            "rate_limit": limiter.enabled,
            "get_per_window": limiter.get_per_window,
            "write_per_window": limiter.write_per_window,
            "window_s": limiter.window_s,
            # None: each door's own lifetime (OneAPI 83999 s, legacy 3600 s).
            "token_ttl_s": self.app.token_ttl_s,
            "idle_timeout_s": self.app.idle_timeout_s,  # for connections opened afterwards
            # ZIA and ZTW legacy sessions end after this long without a call.
            "session_idle_s": self.app.cloud.sessions.idle_s,
        }

    def configure(self, *, body: Any) -> JSON:
        if not isinstance(body, dict):
            raise bad_argument("body", "the config must be a JSON object")
        unknown = sorted(set(body) - set(self.config()))
        if unknown:
            raise bad_argument(unknown[0], f"unknown config field {unknown[0]!r}")
        for name, value in body.items():
            if name == "rate_limit":
                if not isinstance(value, bool):
                    raise bad_argument(name, "rate_limit must be a boolean")
            elif name in ("get_per_window", "write_per_window"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise bad_argument(name, f"{name} must be a positive integer")
            elif name == "token_ttl_s" and value is None:
                pass
            elif (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value <= 0
            ):
                raise bad_argument(name, f"{name} must be a positive number")
        limiter = self.app.limiter
        if "rate_limit" in body:
            limiter.enabled = body["rate_limit"]
        if "get_per_window" in body:
            limiter.get_per_window = body["get_per_window"]
        if "write_per_window" in body:
            limiter.write_per_window = body["write_per_window"]
        if "window_s" in body:
            limiter.window_s = float(body["window_s"])
        if "token_ttl_s" in body:
            ttl = body["token_ttl_s"]
            self.app.token_ttl_s = None if ttl is None else float(ttl)
        if "idle_timeout_s" in body:
            self.app.idle_timeout_s = float(body["idle_timeout_s"])
        if "session_idle_s" in body:
            self.app.cloud.sessions.idle_s = float(body["session_idle_s"])
        limiter.reset()
        return self.config()

    def clock(self) -> JSON:
        return {"offset_s": self.app.clock.offset_s}

    def advance_clock(self, *, body: Any) -> JSON:
        """Time moves forward by ``advance_s`` for tokens, rate windows, sessions and
        assertions (never back): a test passes a lifetime without waiting for it."""
        if not isinstance(body, dict) or set(body) != {"advance_s"}:
            raise bad_argument("advance_s", 'the body must be {"advance_s": <seconds>}')
        try:
            self.app.clock.advance(body["advance_s"])
        except ValueError as exc:
            raise bad_argument("advance_s", str(exc)) from None
        return self.clock()

    def expire_tokens(self) -> JSON:
        """Every token and every ZIA/ZTW session ends (the next call answers 401)."""
        self.app.tokens.expire_all()
        self.app.cloud.sessions.expire_all()
        return OK

    # ------------------------------------------------------------------ tenant state

    def state(self) -> JSON:
        return self.app.backend.state()

    def patch_key(self, *, key_id: str, body: Any) -> JSON:
        patched: JSON = self.app.backend.patch_key(key_id=key_id, body=body)
        return patched

    def regenerate_cloud_api_key_out_of_band(self, *, product: str) -> JSON:
        """What "Regenerate" in a product's portal does (drift for a stack)."""
        changed: JSON = self.app.backend.regenerate_cloud_api_key_out_of_band(product=product)
        return changed

    def add_enrollment_cert(self, *, body: Any) -> JSON:
        added: JSON = self.app.backend.add_enrollment_cert(body=body)
        return added

    def enroll_service_edge(self, *, body: Any) -> JSON:
        enrolled: JSON = self.app.backend.enroll_service_edge(body=body)
        return enrolled

    def seed_keys(self, *, body: Any) -> JSON:
        seeded: JSON = self.app.backend.seed_keys(body=body)
        return seeded

    # ------------------------------------------------------------------ private-key clients

    def register_client(self, *, body: Any) -> JSON:
        """A OneAPI client that signs in with a client assertion (its public JWK)."""
        registered: JSON = self.app.backend.register_client(body=body)
        return registered

    def client_ids(self) -> list[str]:
        ids: list[str] = self.app.backend.client_ids()
        return ids

    def clear_clients(self) -> JSON:
        cleared: JSON = self.app.backend.clear_clients()
        return cleared

    def reset(self) -> JSON:
        """Seeded state; clears log, faults and rate counters; keeps config, tokens and the
        registered private-key clients."""
        self.app.backend.reset()
        self.app.log.clear()
        self.app.faults.clear()
        self.app.limiter.reset()
        self.app.gateway.reset()
        self.app.token_host.reset()
        return OK
