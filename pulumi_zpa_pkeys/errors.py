"""Errors raised by pulumi_zpa_pkeys.

Every message is one line that names the operation or field and what to fix, and never contains
a secret (provisioning key, client secret, private key, token, certificate blob)::

    ZpaError                      root: status, code (ZPA error id), reason, params, operation
    ├── ConfigError               the configuration is wrong: a setting is missing or invalid
    │   │                         (names the config key and env var; an unknown key of the
    │   │                         namespace is named too, with the closest known one)
    │   └── AuthError             sign-in refused, or 401/403 after one fresh sign-in (names
    │                             the settings to check)
    ├── FieldError (ValueError)   an input is invalid (names the field and what is allowed)
    ├── ResourceError             an apply-time failure of a resource operation (one line)
    ├── ZpaLookupError            a lookup found nothing, or more than one match
    ├── TransportError            no usable answer: connection refused/lost, timeout (a
    │                             connection failure names the URL and the setting behind it)
    └── ApiError                  ZPA answered with an error status, or an unusable answer
        ├── UnusableAnswerError   a redirect, or a success without the JSON it must carry
        ├── NotFoundError         400 resource.not.found, or 404
        ├── ReadOnlyError         the object is read-only (Zscaler Deception keys)
        ├── ConflictError         409 api.concurrent.access.error after bounded retries
        └── RateLimitedError      429 after the bounded total wait

Every configuration problem is a :class:`ConfigError`, so ``except ConfigError`` catches a
missing setting and refused credentials alike, and a program shows both the same way. It is not
a ``ValueError`` (it was in 0.1.0): the Pulumi SDK rewrites any ``ValueError`` raised while
it resolves an ``Output`` (a lookup's ``_output`` form feeding a resource) into ``ValueError:
While processing input ... ValueError has risen: ...``, which hid the error's name.
"""

from __future__ import annotations

from typing import Any


class ZpaError(Exception):
    """Root of every error this package raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        status: int | None = None,
        code: str | None = None,
        reason: str | None = None,
        params: list[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.status = status
        self.code = code
        self.reason = reason
        self.params = list(params or [])
        #: Seconds ZPA asked to wait before trying again (its ``retry-after``), if it did.
        self.retry_after: float | None = None
        #: The error came from signing in, before the call it was for could be carried out.
        self.at_sign_in = False

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, code={self.code!r})"
        )


class ConfigError(ZpaError):
    """The configuration is wrong: a setting is missing or invalid, or (:class:`AuthError`)
    the credentials or tenant it names are refused."""


class FieldError(ZpaError, ValueError):
    """One input is invalid; ``field`` names it and ``reason`` says what is allowed."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", reason=reason)
        self.field = field


class ResourceError(ZpaError):
    """An apply-time failure of a resource operation (create, read, update, delete)."""


class ZpaLookupError(ZpaError):
    """A lookup found nothing, or more than one match; the message says what exists."""


class AuthError(ConfigError):
    """Credentials were refused, or a fresh token was still refused."""


class TransportError(ZpaError):
    """The request got no usable answer (connection refused or lost, timeout)."""


class ApiError(ZpaError):
    """ZPA answered with an error status, or with an answer that cannot be used."""


class UnusableAnswerError(ApiError):
    """A redirect, or a success without the JSON object it must carry: for a write, whether
    ZPA carried it out is unknown."""


class NotFoundError(ApiError):
    """The object does not exist (ZPA answers 400 resource.not.found; gateways may answer 404)."""


class ReadOnlyError(ApiError):
    """The object cannot be changed or deleted (keys managed by Zscaler Deception)."""


class ConflictError(ApiError):
    """A concurrent change kept winning (409 api.concurrent.access.error) within the retry bound."""


class RateLimitedError(ApiError):
    """ZPA kept answering 429 beyond the bounded total wait."""
