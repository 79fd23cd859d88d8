"""The thin HTTP layer: both front doors, the ``/_emulator/`` control endpoints, faults and
rate limits on top of :class:`~.backend.Backend`. Errors become JSON in one place
(:func:`error_reply`)."""

from __future__ import annotations

import contextlib
import json
import math
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from .backend import APP_CONNECTOR_GROUPS, SERVICE_EDGE_GROUPS, Backend
from .errors import EmulatorError, bad_argument
from .faults import FaultRule, Faults, RequestLog, parse_rule
from .ratelimit import Decision, RateLimiter
from .tokens import TokenIssuer

DEFAULT_CLIENT_ID = "zpa-emulator"
DEFAULT_CLIENT_SECRET = "zpa-emulator-secret"

LEGACY = "legacy"
ONEAPI = "oneapi"

JSON_OK = "application/json;charset=utf-8"
JSON_ERROR = "application/json"

LEGACY_401: dict[str, Any] = {"id": "access.denied", "reason": "Access denied"}
ONEAPI_401: dict[str, Any] = {"detail": "unauthorized", "type": "", "title": "", "status": ""}

# Bodies a `status` fault answers (zpa-api.md); 500/502/504 and the catch-all are inferred.
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


@dataclass
class Reply:
    status: int
    body: Any = None  # a JSON value; None means an empty body
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = JSON_OK


def error_reply(exc: EmulatorError) -> Reply:
    """The one place an emulator error becomes an HTTP answer."""
    headers: list[tuple[str, str]] = []
    return Reply(exc.status, exc.body(), headers, JSON_ERROR)


def unauthorized(door: str) -> Reply:
    return Reply(401, dict(ONEAPI_401 if door == ONEAPI else LEGACY_401), [], JSON_ERROR)


def _json_body(raw: bytes) -> Any:
    if not raw.strip():
        raise bad_argument("body", "a JSON body is required")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise bad_argument("body", "the request body is not valid JSON") from None


@dataclass
class Request:
    method: str
    path: str  # percent-decoded
    query: str  # raw
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str) -> str | None:
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[0] if values else None


Handler = Callable[["App", Request], Reply]

_CID = r"/mgmtconfig/v1/admin/customers/(?P<cid>[^/]+)"
_KEYS = _CID + r"/associationType/(?P<assoc>[^/]+)/provisioningKey"


def _keys_list(app: App, req: Request) -> Reply:
    return Reply(200, app.backend.list_provisioning_keys(
        association_type=req.params["assoc"], microtenant_id=req.arg("microtenantId"),
        page=req.arg("page"), pagesize=req.arg("pagesize"), search=req.arg("search"),
    ))  # fmt: skip


def _keys_create(app: App, req: Request) -> Reply:
    # Recorded traffic: create answers 200 (the docs say 201).
    return Reply(200, app.backend.create_provisioning_key(
        association_type=req.params["assoc"], body=_json_body(req.body),
        microtenant_id=req.arg("microtenantId"),
    ))  # fmt: skip


def _keys_get(app: App, req: Request) -> Reply:
    return Reply(200, app.backend.get_provisioning_key(
        association_type=req.params["assoc"], key_id=req.params["id"],
        microtenant_id=req.arg("microtenantId"),
    ))  # fmt: skip


def _keys_update(app: App, req: Request) -> Reply:
    app.backend.update_provisioning_key(
        association_type=req.params["assoc"], key_id=req.params["id"],
        body=_json_body(req.body), microtenant_id=req.arg("microtenantId"),
    )  # fmt: skip
    return Reply(204)


def _keys_delete(app: App, req: Request) -> Reply:
    app.backend.delete_provisioning_key(
        association_type=req.params["assoc"], key_id=req.params["id"],
        microtenant_id=req.arg("microtenantId"),
    )  # fmt: skip
    return Reply(204)


def _certs_list(app: App, req: Request) -> Reply:
    return Reply(200, app.backend.list_enrollment_certs(
        page=req.arg("page"), pagesize=req.arg("pagesize"), search=req.arg("search"),
    ))  # fmt: skip


def _certs_get(app: App, req: Request) -> Reply:
    return Reply(200, app.backend.get_enrollment_cert(cert_id=req.params["id"]))


def _group_handlers(kind: str) -> tuple[dict[str, Handler], dict[str, Handler]]:
    def list_(app: App, req: Request) -> Reply:
        return Reply(200, app.backend.list_groups(
            kind=kind, page=req.arg("page"), pagesize=req.arg("pagesize"),
            search=req.arg("search"),
        ))  # fmt: skip

    def create(app: App, req: Request) -> Reply:
        return Reply(201, app.backend.create_group(kind=kind, body=_json_body(req.body)))

    def get(app: App, req: Request) -> Reply:
        return Reply(200, app.backend.get_group(kind=kind, group_id=req.params["id"]))

    def update(app: App, req: Request) -> Reply:
        app.backend.update_group(kind=kind, group_id=req.params["id"], body=_json_body(req.body))
        return Reply(204)

    def delete(app: App, req: Request) -> Reply:
        app.backend.delete_group(kind=kind, group_id=req.params["id"])
        return Reply(204)

    return {"GET": list_, "POST": create}, {"GET": get, "PUT": update, "DELETE": delete}


_ACG_COLLECTION, _ACG_ITEM = _group_handlers(APP_CONNECTOR_GROUPS)
_SEG_COLLECTION, _SEG_ITEM = _group_handlers(SERVICE_EDGE_GROUPS)

# The API routing table (paths after the OneAPI "/zpa" prefix is removed).
API_ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = [
    (re.compile(_KEYS + "$"), {"GET": _keys_list, "POST": _keys_create}),
    (
        re.compile(_KEYS + r"/(?P<id>[^/]+)$"),
        {"GET": _keys_get, "PUT": _keys_update, "DELETE": _keys_delete},
    ),
    (
        re.compile(r"/mgmtconfig/v2/admin/customers/(?P<cid>[^/]+)/enrollmentCert$"),
        {"GET": _certs_list},
    ),
    (re.compile(_CID + r"/enrollmentCert/(?P<id>[^/]+)$"), {"GET": _certs_get}),
    (re.compile(_CID + r"/appConnectorGroup$"), _ACG_COLLECTION),
    (re.compile(_CID + r"/appConnectorGroup/(?P<id>[^/]+)$"), _ACG_ITEM),
    (re.compile(_CID + r"/serviceEdgeGroup$"), _SEG_COLLECTION),
    (re.compile(_CID + r"/serviceEdgeGroup/(?P<id>[^/]+)$"), _SEG_ITEM),
]


# --------------------------------------------------------------------------- control endpoints


def _ok() -> Reply:
    return Reply(200, {"ok": True})


def _ctl_requests(app: App, req: Request) -> Reply:
    return Reply(200, app.log.entries())


def _ctl_clear_requests(app: App, req: Request) -> Reply:
    app.log.clear()
    return _ok()


def _ctl_add_fault(app: App, req: Request) -> Reply:
    rule = parse_rule(_json_body(req.body))
    app.faults.add(rule)
    return Reply(200, rule.to_json())


def _ctl_faults(app: App, req: Request) -> Reply:
    return Reply(200, app.faults.rules())


def _ctl_clear_faults(app: App, req: Request) -> Reply:
    app.faults.clear()
    return _ok()


def _ctl_config(app: App, req: Request) -> Reply:
    if req.method == "POST":
        app.configure(_json_body(req.body))
    return Reply(200, app.config())


def _ctl_expire_tokens(app: App, req: Request) -> Reply:
    app.tokens.expire_all()
    return _ok()


def _ctl_state(app: App, req: Request) -> Reply:
    return Reply(200, app.backend.state())


def _ctl_patch_key(app: App, req: Request) -> Reply:
    return Reply(200, app.backend.patch_key(key_id=req.params["id"], body=_json_body(req.body)))


def _ctl_add_cert(app: App, req: Request) -> Reply:
    return Reply(200, app.backend.add_enrollment_cert(body=_json_body(req.body)))


def _ctl_seed(app: App, req: Request) -> Reply:
    return Reply(200, app.backend.seed_keys(body=_json_body(req.body)))


def _ctl_reset(app: App, req: Request) -> Reply:
    app.reset()
    return _ok()


CONTROL_ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = [
    (re.compile(r"/_emulator/requests$"), {"GET": _ctl_requests, "DELETE": _ctl_clear_requests}),
    (
        re.compile(r"/_emulator/faults$"),
        {"GET": _ctl_faults, "POST": _ctl_add_fault, "DELETE": _ctl_clear_faults},
    ),
    (re.compile(r"/_emulator/config$"), {"GET": _ctl_config, "POST": _ctl_config}),
    (re.compile(r"/_emulator/tokens/expire$"), {"POST": _ctl_expire_tokens}),
    (re.compile(r"/_emulator/state$"), {"GET": _ctl_state}),
    (re.compile(r"/_emulator/provisioningKey/(?P<id>[^/]+)$"), {"PATCH": _ctl_patch_key}),
    (re.compile(r"/_emulator/enrollmentCert$"), {"POST": _ctl_add_cert}),
    (re.compile(r"/_emulator/seed$"), {"POST": _ctl_seed}),
    (re.compile(r"/_emulator/reset$"), {"POST": _ctl_reset}),
]


def _route(routes: list[tuple[re.Pattern[str], dict[str, Handler]]], req: Request) -> Handler:
    for pattern, methods in routes:
        m = pattern.match(req.path)
        if m is None:
            continue
        handler = methods.get(req.method)
        if handler is None:
            # inferred: a known path with another method answers 405 in ZPA's error shape.
            raise EmulatorError(
                405, "method.not.allowed", f"{req.method} is not allowed on {req.path}"
            )
        req.params = {k: unquote(v) for k, v in m.groupdict().items()}
        return handler
    # inferred: an unknown path answers 404 in ZPA's error shape.
    raise EmulatorError(404, "not.found", f"no such API path: {req.path}")


# --------------------------------------------------------------------------- the application


class App:
    """Front doors + control plane. Holds no tenant state itself (that is the backend)."""

    def __init__(
        self,
        backend: Backend,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        rate_limit: bool = True,
        token_ttl_s: float = 3600.0,
    ) -> None:
        self.backend = backend
        self.client_id = client_id
        self.client_secret = client_secret
        self.tokens = TokenIssuer(ttl_s=token_ttl_s)
        self.limiter = RateLimiter(enabled=rate_limit)
        self.faults = Faults()
        self.log = RequestLog()

    # control-plane helpers
    def config(self) -> dict[str, Any]:
        return {
            "rate_limit": self.limiter.enabled,
            "get_per_window": self.limiter.get_per_window,
            "write_per_window": self.limiter.write_per_window,
            "window_s": self.limiter.window_s,
            "token_ttl_s": self.tokens.ttl_s,
        }

    def configure(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise bad_argument("body", "the config must be a JSON object")
        unknown = sorted(set(body) - set(self.config()))
        if unknown:
            raise bad_argument(unknown[0], f"unknown config field {unknown[0]!r}")
        values: dict[str, Any] = {}
        for name, value in body.items():
            if name == "rate_limit":
                if not isinstance(value, bool):
                    raise bad_argument(name, "rate_limit must be a boolean")
            elif name in ("get_per_window", "write_per_window"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise bad_argument(name, f"{name} must be a positive integer")
            elif (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value <= 0
            ):
                raise bad_argument(name, f"{name} must be a positive number")
            values[name] = value
        if "rate_limit" in values:
            self.limiter.enabled = values["rate_limit"]
        if "get_per_window" in values:
            self.limiter.get_per_window = values["get_per_window"]
        if "write_per_window" in values:
            self.limiter.write_per_window = values["write_per_window"]
        if "window_s" in values:
            self.limiter.window_s = float(values["window_s"])
        if "token_ttl_s" in values:
            self.tokens.ttl_s = float(values["token_ttl_s"])
        self.limiter.reset()

    def reset(self) -> None:
        """Seeded state; clears log, faults and rate counters; keeps config and tokens."""
        self.backend.reset()
        self.log.clear()
        self.faults.clear()
        self.limiter.reset()

    # dispatch
    def control(self, req: Request) -> Reply:
        try:
            return _route(CONTROL_ROUTES, req)(self, req)
        except EmulatorError as exc:
            return error_reply(exc)

    @staticmethod
    def door(path: str) -> str:
        return ONEAPI if path.startswith(("/zpa/", "/oauth2/")) else LEGACY

    def fault_reply(self, rule: FaultRule, req: Request) -> Reply:
        status = rule.status or 500
        door = self.door(req.path)
        if status == 401 and rule.error_id is None:
            reply = unauthorized(door)
        else:
            error_id, reason = FAULT_IDS.get(status, ("emulated.fault", "Injected fault"))
            reply = Reply(status, {"id": rule.error_id or error_id, "reason": reason, "params": []})
            reply.content_type = JSON_ERROR
        if rule.retry_after is not None:
            reply.headers.append(("retry-after", rule.retry_after))
        return reply

    def front(self, req: Request) -> Reply:
        try:
            return self._front(req)
        except EmulatorError as exc:
            return error_reply(exc)
        except Exception:  # pragma: no cover - a bug; still answer in ZPA's shape
            traceback.print_exc()
            return Reply(500, {"id": "internal.server.error", "reason": "emulator bug",
                               "params": []}, [], JSON_ERROR)  # fmt: skip

    def _front(self, req: Request) -> Reply:
        if req.path == "/signin":
            return self._sign_in(req, LEGACY)
        if req.path == "/oauth2/v1/token":
            return self._sign_in(req, ONEAPI)
        door = self.door(req.path)
        api_path = req.path[len("/zpa") :] if door == ONEAPI else req.path
        if not api_path.startswith("/mgmtconfig/"):
            raise EmulatorError(404, "not.found", f"no such API path: {req.path}")
        if not self._authorized(req):
            return unauthorized(door)
        decision = self.limiter.take(req.method)
        if not decision.allowed:
            reply = Reply(
                429,
                {"id": "invalid.toomanyrequests", "reason": "Rate limit exceeded", "params": []},
                [("retry-after", decision.retry_after())],
                JSON_ERROR,
            )
        else:
            api_req = Request(req.method, api_path, req.query, req.headers, req.body)
            handler = _route(API_ROUTES, api_req)
            if api_req.params.get("cid") != self.backend.customer_id:
                # inferred: another tenant's customer id is refused like a bad token.
                reply = unauthorized(door)
            else:
                try:
                    reply = handler(self, api_req)
                except EmulatorError as exc:
                    reply = error_reply(exc)
        if door == ONEAPI:
            reply.headers += _ratelimit_headers(decision)
        return reply

    def _authorized(self, req: Request) -> bool:
        auth = req.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        # inferred: a token from either door is valid on both.
        return scheme.lower() == "bearer" and self.tokens.valid(token.strip())

    def _sign_in(self, req: Request, door: str) -> Reply:
        if req.method != "POST":
            raise EmulatorError(405, "method.not.allowed", f"{req.method} is not allowed")
        text = req.body.decode("utf-8", "replace")
        form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
        if door == ONEAPI and form.get("grant_type") != "client_credentials":
            # inferred: the OAuth error shape is not recorded; we answer ZPA's.
            raise bad_argument("grant_type", "grant_type must be client_credentials")
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            # inferred: the id of a refused sign-in.
            raise EmulatorError(401, "invalid.credentials", "Invalid client id or secret")
        token, ttl = self.tokens.issue(self.client_id)
        if door == LEGACY:
            expires: Any = str(max(1, round(ttl)))  # a string on the legacy door
            return Reply(
                200, {"token_type": "Bearer", "access_token": token, "expires_in": expires}
            )
        return Reply(
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": max(1, round(ttl))},
            # The recorded token host sends these too; sign-in is never limited here (inferred).
            [("x-ratelimit-limit", "500, 500;w=1"), ("x-ratelimit-remaining", "499"),
             ("x-ratelimit-reset", "1")],
        )  # fmt: skip


def _ratelimit_headers(decision: Decision) -> list[tuple[str, str]]:
    return [
        ("x-ratelimit-limit", f"{decision.limit}, {decision.limit};w={decision.window_s:g}"),
        ("x-ratelimit-remaining", str(decision.remaining)),
        ("x-ratelimit-reset", str(math.ceil(decision.reset_s))),
    ]


# --------------------------------------------------------------------------- the HTTP server


class _Dropped(Exception):
    """Raised to close the connection without answering."""


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY a kept-alive connection
    # stalls ~40 ms per answer (Nagle + delayed ACK).
    disable_nagle_algorithm = True
    server: EmulatorServer

    def version_string(self) -> str:
        return "zpa-emulator"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        app = self.server.app
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(error_reply(bad_argument("body", "bad Content-Length or chunking")))
            return
        raw_path, _, query = self.path.partition("?")
        if raw_path.startswith(("http://", "https://")):  # absolute-form target
            raw_path = "/" + raw_path.split("/", 3)[-1] if raw_path.count("/") >= 3 else "/"
        req = Request(
            method=self.command,
            path=unquote(raw_path),
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        if req.path.startswith("/_emulator/"):
            self._send(app.control(req))  # not logged, not limited, no auth
            return
        entry = app.log.start(req.method, req.path, req.query)
        rule = app.faults.match(req.method, req.path)
        if rule is not None and rule.action == "drop_before":
            self._drop()
            return
        if rule is not None and rule.action == "status":
            reply = app.fault_reply(rule, req)
        else:
            reply = app.front(req)
            if rule is not None and rule.action == "drop_after":
                self._drop()
                return
            if rule is not None and rule.action == "delay":
                time.sleep(rule.delay_s)
        app.log.finish(entry, reply.status)
        self._send(reply)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, reply: Reply) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        if reply.status != 204:
            if reply.body is not None:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False):
        self.app = app
        self.verbose = verbose
        super().__init__((host, port), RequestHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        if isinstance(host, bytes):  # pragma: no cover - AF_UNIX only
            host = host.decode()
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread (in-process use); stop with ``shutdown()``."""
        thread = threading.Thread(target=self.serve_forever, name="zpa-emulator", daemon=True)
        thread.start()
        return thread
