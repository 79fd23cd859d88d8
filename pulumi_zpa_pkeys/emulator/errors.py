"""Errors are data: each carries its HTTP status, the ZPA error id and any headers;
``responses.error_reply`` is the one place they become JSON answers.

    EmulatorError                 {"id", "reason", "params"}: ZPA's error body
    ├── Unauthorized              401 in the front door's own shape
    └── TooManyRequests           429 as recorded from real ZPA, with retry-after

ZPA's ids: ``resource.not.found`` (400: not-found is a 400, not a 404),
``invalid.resource.argument`` (400, ``params`` naming the field), ``access.denied`` (401),
``api.concurrent.access.error`` (409, retryable), ``invalid.toomanyrequests`` (429),
``retryable.server.error`` (503).
"""

from __future__ import annotations

from typing import Any


class EmulatorError(Exception):
    """A ZPA error answer: ``{"id": error_id, "reason": reason, "params": params}``."""

    def __init__(
        self,
        status: int,
        error_id: str,
        reason: str,
        params: list[str] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_id}: {reason}")
        self.status = status
        self.error_id = error_id
        self.reason = reason
        self.params = params or []
        self.headers = list(headers or [])

    def body(self) -> dict[str, Any]:
        return {"id": self.error_id, "reason": self.reason, "params": list(self.params)}


class Unauthorized(EmulatorError):
    """A missing, expired or foreign token, answered as each front door does: the legacy door
    ``{"id": "access.denied", "reason": "Access denied"}``, OneAPI
    ``{"detail": "unauthorized", "type": "", "title": "", "status": ""}``."""

    def __init__(self, *, oneapi: bool) -> None:
        super().__init__(401, "access.denied", "Access denied")
        self.oneapi = oneapi

    def body(self) -> dict[str, Any]:
        if self.oneapi:
            return {"detail": "unauthorized", "type": "", "title": "", "status": ""}
        return {"id": self.error_id, "reason": self.reason}


class TooManyRequests(EmulatorError):
    """Over a rate budget; the body is the one recorded from real ZPA (an ``exception`` key,
    no ``params``; tests/data/recorded/rate_limited_exchange.json), with ``retry-after``."""

    def __init__(self, retry_after: str | None) -> None:
        headers = [] if retry_after is None else [("retry-after", retry_after)]
        super().__init__(
            429, "invalid.toomanyrequests", "Exceeded the number of requests allowed.", [], headers
        )

    def body(self) -> dict[str, Any]:
        return {"exception": self.error_id, "id": self.error_id, "reason": self.reason}


def bad_argument(field: str, reason: str) -> EmulatorError:
    return EmulatorError(400, "invalid.resource.argument", reason, [field])


def not_found(kind: str, ident: str) -> EmulatorError:
    # Not-found is a 400 in ZPA, not a 404.
    return EmulatorError(400, "resource.not.found", f"{kind} {ident} was not found", [ident])


def no_route(path: str) -> EmulatorError:
    # inferred: an unknown path answers 404 in ZPA's error shape.
    return EmulatorError(404, "not.found", f"no such API path: {path}")


def read_only(kind: str, ident: str) -> EmulatorError:
    # inferred: the exact id/reason ZPA uses for Deception-managed keys is undocumented.
    return EmulatorError(
        400, "resource.readonly", f"{kind} {ident} is read-only (managed by Zscaler)", [ident]
    )
