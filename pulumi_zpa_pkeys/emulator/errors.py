"""Errors are data: each carries its HTTP status and the ZPA error id; http.py serialises them."""

from __future__ import annotations

from typing import Any


class EmulatorError(Exception):
    """A ZPA error answer: ``{"id": error_id, "reason": reason, "params": params}``."""

    def __init__(
        self, status: int, error_id: str, reason: str, params: list[str] | None = None
    ) -> None:
        super().__init__(f"{status} {error_id}: {reason}")
        self.status = status
        self.error_id = error_id
        self.reason = reason
        self.params = params or []

    def body(self) -> dict[str, Any]:
        return {"id": self.error_id, "reason": self.reason, "params": list(self.params)}


def bad_argument(field: str, reason: str) -> EmulatorError:
    return EmulatorError(400, "invalid.resource.argument", reason, [field])


def not_found(kind: str, ident: str) -> EmulatorError:
    # Not-found is a 400 in ZPA, not a 404.
    return EmulatorError(400, "resource.not.found", f"{kind} {ident} was not found", [ident])


def read_only(kind: str, ident: str) -> EmulatorError:
    # inferred: the exact id/reason ZPA uses for Deception-managed keys is undocumented.
    return EmulatorError(
        400, "resource.readonly", f"{kind} {ident} is read-only (managed by Zscaler)", [ident]
    )
