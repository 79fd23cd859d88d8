"""The transport of ZIA and Cloud & Branch Connector (ZTW) calls, built on ZPA's.

* OneAPI (:class:`CloudTransport`): ZPA's transport unchanged (the ZIdentity token with a client
  secret or a private key, retries, error translation), on the product's API base. What differs:
  ZIA and ZTW answer some calls with a bare JSON list, which comes back as ``{"list": [...]}``;
  every call spends the write budget (these APIs are paced like ZPA's writes); and error hints
  name the product's settings.
* legacy (:class:`SessionTransport`): a session instead of a token. Sign-in posts
  ``{"apiKey": <obfuscated>, "username", "password", "timestamp": <ms>}`` to the product's
  sign-in path and gets a ``JSESSIONID`` cookie, which every later call carries
  (:class:`SessionAuth`: the bearer flow with the cookie instead of the header: one sign-in
  shared by the process's threads, a new one when the session has been idle too long or a call
  answers 401, then one resend). The session is logged out (``DELETE`` on the sign-in path) when
  the transport is closed, and at exit.

One transport per settings and process (``_host``); one budget per organisation and front door,
shared with the machine's other processes like ZPA's (``shared_budget``).
"""

from __future__ import annotations

import atexit
import contextlib
import http.cookiejar
import re
import time
import weakref
from collections.abc import Callable
from typing import Any

import requests

from . import _host
from ._transport import Transport
from .auth import MAX_MARGIN_S, BearerAuth
from .cloud_settings import PRODUCTS, CloudSettings, cloud_settings, from_pulumi_config
from .errors import AuthError, ZpaError
from .ratelimit import Pacer

#: inferred: a session ends after 5 minutes without a call (zscaler-sdk-python's ZIA client
#: signs in again after 4.5 idle minutes); a 401 before that also opens a new one.
SESSION_IDLE_S = 300.0
#: Logging out is a courtesy: it never holds a process's exit up for long.
LOGOUT_TIMEOUT_S = (2.0, 2.0)
_JSESSIONID = re.compile(r"(?:^|[\s;,])JSESSIONID=([^\s;,]+)")


def obfuscate(key: str, timestamp_ms: int) -> str:
    """The legacy sign-in's ``apiKey`` for ``key`` at ``timestamp_ms``: with ``n`` the last six
    digits of the timestamp and ``r`` = ``int(n) >> 1`` zero-padded to six digits, the key's
    character at each digit of ``n``, then at each digit of ``r`` plus two."""
    n = str(timestamp_ms)[-6:]
    r = str(int(n) >> 1).zfill(6)
    return "".join(key[int(d)] for d in n) + "".join(key[int(d) + 2] for d in r)


class AsWrites(Pacer):
    """A pacer that counts every call as a write, on the budget of ``pacer``.

    inferred: ZIA's and ZTW's own limits are per endpoint and not stated for these calls;
    pacing every call like a ZPA write (10 per 10 s) is the conservative reading."""

    def __init__(self, pacer: Pacer) -> None:  # no limiters of its own
        self._pacer = pacer

    def acquire(self, method: str) -> float:
        return self._pacer.acquire("POST")


class SessionAuth(BearerAuth):
    """A legacy session: its id travels as the ``JSESSIONID`` cookie, and it stays usable
    while it is used (each call moves the refresh time on by the idle timeout, less the
    margin a token gets)."""

    def __init__(
        self,
        sign_in: Callable[[], tuple[str, Any]],
        *,
        idle_s: float = SESSION_IDLE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(sign_in, clock=clock)
        self._idle_window = idle_s - min(MAX_MARGIN_S, 0.1 * idle_s)

    def attach(self, request: requests.PreparedRequest, token: str) -> None:
        request.headers["Cookie"] = f"JSESSIONID={token}"
        with self._lock:
            if self._token == token:
                self._refresh_at = max(self._refresh_at, self._clock() + self._idle_window)


class CloudTransport(Transport):
    """ZIA or ZTW calls through OneAPI (and the base of the legacy session transport)."""

    def __init__(
        self,
        cloud: CloudSettings,
        *,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = cloud.transport_settings()
        own = pacer or Pacer(
            settings.rate_limit_gets, settings.rate_limit_writes, settings.rate_limit_window_s
        )
        super().__init__(settings, pacer=AsWrites(own), clock=clock)
        self.cloud = cloud

    def __repr__(self) -> str:
        cloud = self.cloud
        return f"{type(self).__name__}({cloud.product}, {cloud.door}, {cloud.api_base!r})"

    def _decode(self, response: requests.Response, operation: str) -> dict[str, Any]:
        try:
            answer = response.json() if response.content.strip() else None
        except ValueError:
            answer = None
        if isinstance(answer, list):
            return {"list": answer}
        return super()._decode(response, operation)

    def _credential_hint(self) -> str:
        cloud, ns = self.cloud, self.cloud.namespace
        if cloud.legacy:
            env = PRODUCTS[cloud.product].env
            names = f"{ns}:apiKey, {ns}:username, {ns}:password and {ns}:cloud/{ns}:baseUrl"
            envs = f"{env}_API_KEY, {env}_USERNAME, {env}_PASSWORD, {env}_CLOUD/{env}_BASE_URL"
            after = f"; after a regeneration {ns}:apiKey needs the key's new value"
        else:
            secret, secret_env = (
                ("privateKey", "ZSCALER_PRIVATE_KEY")
                if cloud.private_key
                else ("clientSecret", "ZSCALER_CLIENT_SECRET")
            )
            names = (
                f"{ns}:clientId, {ns}:{secret}, {ns}:vanityDomain and "
                f"{ns}:zscalerCloud/{ns}:baseUrl"
            )
            envs = f"ZSCALER_CLIENT_ID, {secret_env}, ZSCALER_VANITY_DOMAIN, ZSCALER_CLOUD"
            after = ""
        where = f" (env {envs})" if cloud.env_backed else ""
        return f"check Pulumi config {names}{where}{after}"

    def _tenant_hint(self, status: int) -> str:
        cloud = self.cloud
        who = "admin" if cloud.legacy else "API client"
        return (
            f"{cloud.product} refused a fresh {'session' if cloud.legacy else 'token'}: check "
            f"that the {who} of Pulumi config {cloud.namespace} may use the {cloud.product} API"
        )


class SessionTransport(CloudTransport):
    """ZIA or ZTW calls through a legacy session (cloud service API key, user, password)."""

    def __init__(
        self,
        cloud: CloudSettings,
        *,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
        idle_s: float = SESSION_IDLE_S,
    ) -> None:
        super().__init__(cloud, pacer=pacer, clock=clock)
        self._auth = SessionAuth(self._sign_in, idle_s=idle_s, clock=clock)
        self._idle_s = idle_s
        self._api_key = cloud.api_key
        atexit.register(_log_out_at_exit, weakref.ref(self))

    def rekey(self, api_key: str) -> None:
        """Sign in with ``api_key`` from now on: the organisation's key was regenerated here,
        so the configured one no longer opens sessions (the open one stays valid)."""
        self._api_key = api_key

    def _sign_in(self) -> tuple[str, Any]:
        """Open a session: the obfuscated key, user name, password and timestamp; the answer
        sets the ``JSESSIONID`` cookie."""
        cloud = self.cloud
        now_ms = int(time.time() * 1000)
        body = {
            "apiKey": obfuscate(self._api_key, now_ms),
            "username": cloud.username,
            "password": cloud.password,
            "timestamp": now_ms,
        }
        operation = f"sign in to {cloud.product} (legacy API key)"
        session = self._http
        request = requests.Request(
            "POST", cloud.sign_in_url, json=body, headers={"Content-Type": "application/json"}
        )
        try:
            response = self._send(session, session.prepare_request(request))
        except requests.RequestException as exc:
            raise self._error(operation, exc=exc) from exc
        if response.status_code >= 400:
            raise self._error(operation, response=response, signing_in=True)
        if response.status_code >= 300:
            raise self._error(operation, response=response, unusable=True)
        match = _JSESSIONID.search(response.headers.get("Set-Cookie", ""))
        if match is None:
            raise AuthError(
                f"{operation}: the answer opened no session (no JSESSIONID cookie)",
                operation=operation,
            )
        return match.group(1), self._idle_s

    def _new_session(self) -> requests.Session:
        session = super()._new_session()
        # The session id travels only where SessionAuth puts it; the jar keeps no cookie.
        session.cookies.set_policy(_NoCookies())
        return session

    def log_out(self) -> None:
        """End the open session, if any (``DELETE`` on the sign-in path); never raises."""
        token = self._auth.current_token
        if token is None:
            return
        self._auth.invalidate(token)
        request = requests.Request(
            "DELETE", self.cloud.sign_in_url, headers={"Cookie": f"JSESSIONID={token}"}
        )
        with contextlib.suppress(requests.RequestException, ZpaError):
            session = self._http
            self._send(session, session.prepare_request(request), timeout=LOGOUT_TIMEOUT_S)

    def close(self) -> None:
        self.log_out()
        super().close()

    def _scrub(self, text: str) -> str:
        text = super()._scrub(text)
        for secret in {self._api_key, self.cloud.api_key}:
            if secret:
                text = text.replace(secret, "***")
        return text


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


def _log_out_at_exit(ref: weakref.ReferenceType[SessionTransport]) -> None:
    made = ref()
    if made is not None:
        made.log_out()


def settings_for(product: str, namespace: str | None = None) -> CloudSettings:
    """``product``'s settings from the stack configuration (host side) or ``pulumi.Config``
    (a program); env vars back the product's default namespace.

    :raises ConfigError: a setting is missing or invalid (the message names it).
    """
    config = _host.stack_config()
    if config is None:
        return from_pulumi_config(product, namespace)
    return cloud_settings(product, config, namespace=namespace)


def transport_for(cloud: CloudSettings) -> CloudTransport:
    """The process-wide transport for ``cloud``: one session or token per process, on the
    organisation's budget (shared with the machine's other processes)."""

    def make(pacer: Pacer) -> Transport:
        kind = SessionTransport if cloud.legacy else CloudTransport
        return kind(cloud, pacer=pacer)

    made = _host.transport(cloud.transport_settings(), make, key=("cloud", cloud))
    assert isinstance(made, CloudTransport)
    return made
