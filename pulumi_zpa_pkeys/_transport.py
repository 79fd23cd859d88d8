"""The transport every ZPA call goes through: session, retries, sign-in, pacing, errors.

Layers, calls going one way (as requests splits sessions, adapters and exceptions):

* :class:`Transport` sends one API call: it builds the request, runs the bearer-token flow
  (:class:`~pulumi_zpa_pkeys.auth.BearerAuth`: one sign-in, one resend on a 401) and turns
  transport failures and error answers into this package's errors in one method (``_error``);
* :class:`PacedAdapter` is the ``requests`` adapter of the management API: it holds the
  client-side pacer (:class:`~pulumi_zpa_pkeys.ratelimit.Pacer`) and paces every attempt that
  goes on the wire, the first one in ``send`` and every retry in :class:`ZpaRetry`'s ``sleep``;
* :class:`ZpaRetry` (urllib3) repeats idempotent calls on 409/429/502/503/504 and connection
  errors, and a POST only when ZPA certainly did nothing (429, connection refused).

Sign-in goes through its own adapter without pacing (ZPA does not count sign-ins). What a lost
POST answer means for an object (was it created?) is a rule of each resource, not of this layer:
:func:`is_ambiguous` only says whether a write may have been carried out.
"""

from __future__ import annotations

import email.utils
import platform
import random
import re
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, MaxRetryError, NewConnectionError, ResponseError
from urllib3.util.retry import Retry

from ._client_assertion import ASSERTION_TYPE, Signer, signer
from ._version import __version__
from .auth import BearerAuth
from .errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ReadOnlyError,
    TransportError,
    UnusableAnswerError,
    ZpaError,
)
from .ratelimit import Pacer
from .settings import DEFAULT_NAMESPACE, Settings, is_loopback

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

USER_AGENT = (
    f"pulumi-zpa-pkeys/{__version__} python/{platform.python_version()} "
    f"requests/{requests.__version__}"
)
PAGE_SIZE = 500
POOL_SIZE = 10
RETRY_STATUSES = frozenset({409, 429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
#: Methods whose success ZPA answers with a JSON object (PUT and DELETE answer 204, empty).
BODY_METHODS = frozenset({"GET", "POST"})
ONEAPI_AUDIENCE = "https://api.zscaler.com"
# ZPA sends "13s" or "0.4s"; ZIA and ZTW send "0 seconds".
_RETRY_AFTER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:s|seconds?)?\s*$", re.IGNORECASE)
_MAX_REASON = 300


class ZpaRetry(Retry):
    """urllib3 ``Retry`` for ZPA.

    * reads ``retry-after: 13s`` / ``0.4s`` / ``13`` (stock urllib3 raises InvalidHeader on
      the suffix) and caps it;
    * repeats a POST on 429 only, where ZPA certainly did nothing;
    * gives up once the next wait would pass ``max_wait_s`` after the first failure (urllib3
      then hands back the last answer, which the transport reports);
    * backs off with jitter from the first retry, and paces every resend like a first send.
    """

    def __init__(
        self,
        *args: Any,
        max_wait_s: float = 60.0,
        pace: Callable[[str], object] | None = None,
        deadline: float | None = None,
        planned_s: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_wait_s = max_wait_s
        self.pace = pace
        self.deadline = deadline
        self.planned_s = planned_s

    def new(self, **kw: Any) -> ZpaRetry:
        kw.setdefault("max_wait_s", self.max_wait_s)
        kw.setdefault("pace", self.pace)
        kw.setdefault("deadline", self.deadline)
        return super().new(**kw)

    def parse_retry_after(self, retry_after: str) -> float:
        match = _RETRY_AFTER.match(retry_after)
        if match is None:
            return float(super().parse_retry_after(retry_after))
        return min(float(match.group(1)), self.max_wait_s)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        # An unreadable header (garbage, "-1", "1e3") means the normal backoff, not a failure.
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None

    def get_backoff_time(self) -> float:
        failures = len(self.history)
        if failures == 0 or self.backoff_factor <= 0:
            return 0.0
        ceiling = min(float(self.backoff_max), self.backoff_factor * 2.0 ** (failures - 1))
        # "Equal jitter": at least half the exponential step, so a 429 without retry-after
        # is never repeated at once, and concurrent callers spread out.
        return ceiling / 2 + random.random() * ceiling / 2

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429 and method.upper() == "POST":
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> ZpaRetry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        now = time.monotonic()
        deadline = now + self.max_wait_s if self.deadline is None else self.deadline
        wait = (response is not None and retry.get_retry_after(response)) or 0.0
        wait = wait or retry.get_backoff_time()
        if now + wait > deadline:
            reason = error or ResponseError(f"retry budget of {self.max_wait_s:g} s spent")
            raise MaxRetryError(_pool, url or "", reason)  # type: ignore[arg-type]
        retry.deadline, retry.planned_s = deadline, wait
        return retry

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        if self.planned_s > 0:
            time.sleep(self.planned_s)
        if self.pace is not None and self.history:
            self.pace(self.history[-1].method or "GET")


class PacedAdapter(HTTPAdapter):
    """The management API's adapter: every attempt on the wire takes a slot of ``pacer``.

    The first attempt is paced here in ``send``; urllib3 makes the retries inside ``send``,
    and :class:`ZpaRetry` calls back into the same pacer before each of them.
    """

    def __init__(self, pacer: Pacer | None, retry: ZpaRetry, **kwargs: Any) -> None:
        self.pacer = pacer
        if pacer is not None:
            retry = retry.new(pace=pacer.acquire)
        super().__init__(max_retries=retry, **kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        if self.pacer is not None:
            self.pacer.acquire(request.method or "GET")
        return super().send(request, *args, **kwargs)


class Transport:
    """Authenticated, paced, retried calls to one ZPA tenant; thread safe.

    ``pacer`` is the tenant's client-side budget (shared by every transport of the tenant in
    the process, see ``_host``); a transport made without one paces itself by ``settings``.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._auth = BearerAuth(self._sign_in, clock=clock)
        self._pacer = pacer or Pacer(
            settings.rate_limit_gets, settings.rate_limit_writes, settings.rate_limit_window_s
        )
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()
        self._timeout = (settings.connect_timeout_s, settings.request_timeout_s)
        #: ZPA's clock minus ours, from the ``Date`` of the last answer (None: none seen yet).
        self._clock_offset: float | None = None
        self._signer: Signer | None = None

    def __repr__(self) -> str:
        door = "legacy" if self.settings.legacy else "OneAPI"
        settings = self.settings
        return f"Transport({door}, {settings.api_base!r}, customer {settings.customer_id})"

    @property
    def sign_in_count(self) -> int:
        """How many times this transport has signed in."""
        return self._auth.sign_in_count

    def server_time(self) -> float | None:
        """ZPA's clock now (epoch seconds), from the ``Date`` header of its answers; None
        before any answer carried one."""
        offset = self._clock_offset
        return None if offset is None else time.time() + offset

    def customer_url(self, version: str = "v1") -> str:
        """``{api_base}/{version}/admin/customers/{customerId}``."""
        return f"{self.settings.api_base}/{version}/admin/customers/{self.settings.customer_id}"

    def close(self) -> None:
        """Close pooled connections (a later call opens new ones)."""
        with self._session_lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()

    # --- calls ---------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        url: str,
        operation: str,
        *,
        query: str = "",
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send one API call with token, pacing and retries; return its JSON ({} if empty).

        On a 401 the flow signs in again and the call is sent once more.

        :raises ZpaError: a subclass saying what went wrong (see ``errors``).
        """
        session = self._http
        request = requests.Request(
            method,
            f"{url}?{query}" if query else url,
            json=body,
            headers={"Content-Type": "application/json"},
        )
        prepared = session.prepare_request(request)
        flow = self._auth.auth_flow(prepared)
        try:
            outgoing = next(flow)
            while True:
                response = self._send(session, outgoing)
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    break
        except requests.RequestException as exc:
            raise self._error(operation, exc=exc) from exc
        finally:
            flow.close()
        return self._answer(
            response,
            operation,
            body_required=method in BODY_METHODS,
            done_only_by_204=method == "DELETE",
        )

    def _send(
        self,
        session: requests.Session,
        request: requests.PreparedRequest,
        timeout: tuple[float, float] | None = None,
    ) -> Any:
        """Send as ``requests`` would, but never through a proxy to this machine (a loopback
        base URL is plain http: a proxy would see the credentials), and keep ZPA's clock."""
        url = request.url or ""
        settings = session.merge_environment_settings(url, {}, None, None, None)
        if is_loopback(urlsplit(url).hostname or ""):
            settings["proxies"] = {}
        response = session.send(
            request, timeout=timeout or self._timeout, allow_redirects=False, **settings
        )
        date = response.headers.get("Date")
        when = email.utils.parsedate_to_datetime(date) if date else None
        if when is not None and when.tzinfo is not None:
            self._clock_offset = when.timestamp() - time.time()
        return response

    def _answer(
        self,
        response: requests.Response,
        operation: str,
        *,
        body_required: bool,
        done_only_by_204: bool = False,
    ) -> dict[str, Any]:
        """The JSON object of a successful answer; anything else is an error. A redirect, or
        a success without the JSON object it should carry, is unusable (and, for a write,
        leaves open whether ZPA carried it out). ZPA answers a delete with 204: with
        ``done_only_by_204`` another success is unusable too (something between may have
        answered without passing the call on)."""
        if response.status_code >= 400:
            raise self._error(operation, response=response)
        if (
            response.status_code >= 300
            or (body_required and not response.content.strip())
            or (done_only_by_204 and response.status_code != 204)
        ):
            raise self._error(operation, response=response, unusable=True)
        return self._decode(response, operation)

    def list_all(
        self,
        url: str,
        operation: str,
        *,
        search: str | None = None,
        microtenant_id: str | None = None,
        max_items: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a paged list; stops at ``totalPages``, an empty page or ``max_items``."""
        pagesize = min(PAGE_SIZE, max_items) if max_items else PAGE_SIZE
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            query = encode_query(
                page=str(page), pagesize=str(pagesize), search=search, microtenantId=microtenant_id
            )
            answer = self.call("GET", url, operation, query=query)
            chunk = answer.get("list") or []
            items.extend(chunk)
            total_pages = _as_int(answer.get("totalPages"))
            if max_items and len(items) >= max_items:
                return items[:max_items]
            if not chunk or (total_pages is not None and page >= total_pages):
                return items
            page += 1

    # --- session and sign-in -------------------------------------------------------------------

    @property
    def _http(self) -> requests.Session:
        with self._session_lock:
            if self._session is None:
                self._session = self._new_session()
            return self._session

    def _new_session(self) -> requests.Session:
        retry = ZpaRetry(
            total=8,
            connect=3,
            read=2,
            status=6,
            other=0,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.settings.retry_backoff_s,
            backoff_max=10.0,
            raise_on_status=False,
            max_wait_s=self.settings.retry_max_wait_s,
        )
        session = requests.Session()
        api = PacedAdapter(self._pacer, retry, pool_connections=4, pool_maxsize=POOL_SIZE)
        session.mount("https://", api)
        session.mount("http://", api)
        # Sign-ins are not counted by ZPA: their own adapter, same retries, no pacing.
        session.mount(self.settings.token_url, PacedAdapter(None, retry, pool_maxsize=2))
        session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        return session

    def _sign_in(self) -> tuple[str, Any]:
        """Fetch a new access token from the configured front door (with the client secret,
        or with a client assertion signed by the private key). Its errors are marked
        ``at_sign_in``: the call that needed the token was not carried out (it was not sent,
        or ZPA refused it unauthenticated), so no write behind it is in doubt."""
        try:
            return self._fetch_token()
        except ZpaError as err:
            err.at_sign_in = True
            raise

    def _fetch_token(self) -> tuple[str, Any]:
        settings = self.settings
        form = {"client_id": settings.client_id}
        if settings.private_key:
            form.update(
                client_assertion=self._assertion()(),
                client_assertion_type=ASSERTION_TYPE,
            )
        else:
            form.update(client_secret=settings.client_secret)
        if not settings.legacy:
            form.update(grant_type="client_credentials", audience=ONEAPI_AUDIENCE)
        operation = f"sign in to ZPA ({'legacy API key' if settings.legacy else 'OneAPI'})"
        session = self._http
        request = requests.Request(
            "POST",
            settings.token_url,
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            response = self._send(session, session.prepare_request(request))
        except requests.RequestException as exc:
            raise self._error(operation, exc=exc) from exc
        if response.status_code >= 400:
            raise self._error(operation, response=response, signing_in=True)
        answer = self._answer(response, operation, body_required=True)
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthError(f"{operation}: the answer carries no access_token", operation=operation)
        return token, answer.get("expires_in")

    def _assertion(self) -> Signer:
        """The signer for the configured private key, read once (under the auth lock)."""
        if self._signer is None:
            assert self.settings.private_key is not None
            self._signer = signer(
                self.settings.client_id,
                self.settings.private_key,
                f"{self.settings.namespace}:privateKey",
            )
        return self._signer

    # --- answers and errors --------------------------------------------------------------------

    def _decode(self, response: requests.Response, operation: str) -> dict[str, Any]:
        if not response.content.strip():
            return {}
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise self._error(operation, response=response, unreadable=True)
        return answer

    def _error(
        self,
        operation: str,
        *,
        response: requests.Response | None = None,
        exc: requests.RequestException | None = None,
        signing_in: bool = False,
        unreadable: bool = False,
        unusable: bool = False,
    ) -> ZpaError:
        """The one place where transport failures and error answers become our exceptions."""
        if response is None:
            url = _without_query(getattr(getattr(exc, "request", None), "url", None) or "")
            detail = _describe_transport(exc, self._timeout, url)
            if _never_sent(exc) and url:
                detail += f"; the URL comes from {self._url_source(url)}"
            return TransportError(self._scrub(f"{operation}: {detail}"), operation=operation)
        status = response.status_code
        code, reason, params = _error_body(response)
        if unreadable or unusable:
            code, reason = None, _unusable(response)
        head = f"{operation}: {status}" + (f" {code}" if code else "")
        message = f"{head}: {reason}" if reason else head
        cls: type[ZpaError] = ApiError
        if unreadable or unusable:
            cls = UnusableAnswerError
        elif signing_in and status in (400, 401, 403):
            cls, message = AuthError, f"{message}; {self._credential_hint()}"
        elif status in (401, 403):
            hint = self._tenant_hint(status)
            cls, message = AuthError, f"{message} (after a fresh sign-in); {hint}"
        elif status == 404 or code == "resource.not.found":
            cls = NotFoundError
        elif code == "resource.readonly":
            cls = ReadOnlyError
        elif status == 409:
            cls = ConflictError
        elif status == 429:
            cls = RateLimitedError
            message += f" (gave up after waiting up to {self.settings.retry_max_wait_s:g} s)"
        error = cls(
            self._scrub(message),
            operation=operation,
            status=status,
            code=self._scrub(code) if code else code,
            reason=self._scrub(reason) if reason else reason,
            params=[self._scrub(p) if isinstance(p, str) else p for p in params],
        )
        error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error

    def _credential_hint(self) -> str:
        ns = self.settings.namespace
        if self.settings.legacy:
            names = (
                f"{ns}:zpaClientId, {ns}:zpaClientSecret, {ns}:customerId and "
                f"{ns}:zpaCloud/{ns}:baseUrl"
            )
            env = "ZPA_CLIENT_ID, ZPA_CLIENT_SECRET, ZPA_CUSTOMER_ID, ZPA_CLOUD/ZPA_BASE_URL"
        else:
            # With a private key, the client's registered public key must be its pair.
            secret, secret_env = (
                ("privateKey", "ZSCALER_PRIVATE_KEY")
                if self.settings.private_key
                else ("clientSecret", "ZSCALER_CLIENT_SECRET")
            )
            names = (
                f"{ns}:clientId, {ns}:{secret}, {ns}:vanityDomain and "
                f"{ns}:zscalerCloud/{ns}:baseUrl"
            )
            env = (
                f"ZSCALER_CLIENT_ID, {secret_env}, ZSCALER_VANITY_DOMAIN, "
                "ZSCALER_CLOUD/ZPA_BASE_URL"
            )
        if ns != DEFAULT_NAMESPACE:
            return f"check Pulumi config {names}"
        return f"check Pulumi config {names} (env {env})"

    def _url_source(self, url: str) -> str:
        """The settings that chose ``url`` (the token URL's, or the API base's)."""
        settings = self.settings
        if url.startswith(settings.token_url):
            return settings.token_url_source or "the settings"
        return settings.api_base_source or "the settings"

    def _tenant_hint(self, status: int) -> str:
        """The suspects when ZPA refuses a token it has just issued: the tenant (a token
        for one customer is refused on another's paths), or, for 403, the client's role."""
        ns, customer = self.settings.namespace, self.settings.customer_id
        env = "env ZPA_CUSTOMER_ID; " if ns == DEFAULT_NAMESPACE else ""
        check = f"Pulumi config {ns}:customerId ({env}now {customer})"
        if status == 403:
            return f"the API client's role may not allow this; check it, and {check}"
        return f"the token was issued but refused here: check {check}, the API client's tenant"

    def _scrub(self, text: str) -> str:
        """One line, and never the client secret or the current token."""
        text = " ".join(text.split())
        for secret in (self.settings.client_secret, self._auth.current_token):
            if secret:
                text = text.replace(secret, "***")
        return text


def is_ambiguous(error: ZpaError) -> bool:
    """True when a write may have been carried out although its answer was lost or unusable
    (never when signing in failed: the write was not carried out)."""
    if error.at_sign_in:
        return False
    if isinstance(error, UnusableAnswerError):
        return True
    if isinstance(error, ApiError):
        return (error.status or 0) >= 500
    if isinstance(error, TransportError):
        return not _never_sent(error.__cause__)
    return False


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from ZPA's ``retry-after`` (``13s``, ``0.4s`` or ``13``); None if absent or
    unreadable (then the caller backs off as usual)."""
    match = _RETRY_AFTER.match(value) if value else None
    return float(match.group(1)) if match else None


def encode_query(**params: str | None) -> str:
    """A query string of the given parameters (None left out).

    Spaces become %20, not '+': ZPA splits ``search`` on spaces or literal '+' alike.
    """
    return urlencode({k: v for k, v in params.items() if v is not None}, quote_via=quote)


def segment(value: str) -> str:
    """``value`` quoted as one path segment."""
    return quote(str(value), safe="")


def _never_sent(exc: BaseException | None) -> bool:
    """True for failures before the request reached ZPA (refused, DNS, connect timeout, TLS)."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        cause = exc.args[0]
        if isinstance(cause, MaxRetryError):
            cause = cause.reason
        return isinstance(cause, NewConnectionError)
    return False


def _without_query(url: str) -> str:
    """``url`` without its query and fragment (a search term is noise in a message)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else url


def _describe_transport(
    exc: BaseException | None, timeout: tuple[float, float], url: str = ""
) -> str:
    to = f" to {url}" if url else ""
    if isinstance(exc, requests.ConnectTimeout):
        return f"could not connect{to} within {timeout[0]:g} s"
    if isinstance(exc, requests.ReadTimeout):
        return f"no answer within {timeout[1]:g} s (the request may have been processed)"
    if isinstance(exc, requests.exceptions.SSLError):
        return (
            f"could not connect{to}: TLS failed (an untrusted certificate? a private CA goes "
            "in REQUESTS_CA_BUNDLE)"
        )
    if _never_sent(exc):
        return f"could not connect{to} (connection refused or host not found)"
    if isinstance(exc, requests.ConnectionError):
        return "connection lost before the answer (the request may have been processed)"
    return f"request failed ({type(exc).__name__})"


def _unusable(response: requests.Response) -> str:
    """Why a 2xx/3xx answer cannot be used (never its body: it may hold anything)."""
    if 300 <= response.status_code < 400:
        return "unexpected redirect (ZPA answers API calls directly; check zpa:baseUrl)"
    if not response.content.strip():
        return "unusable answer (empty body)"
    return f"unusable answer (not a JSON object; {response.headers.get('Content-Type')})"


def _error_body(response: requests.Response) -> tuple[str | None, str, list[Any]]:
    """(ZPA error id, reason, params) from a ZPA or OneAPI error body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return None, (response.reason or "")[:_MAX_REASON], []
    code = body.get("id") or body.get("error") or body.get("title") or None
    reason = (
        body.get("reason")
        or body.get("error_description")
        or body.get("detail")
        or body.get("message")
        or response.reason
        or ""
    )
    params = body.get("params")
    return (
        str(code) if code else None,
        str(reason)[:_MAX_REASON],
        list(params) if isinstance(params, list) else [],
    )


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
