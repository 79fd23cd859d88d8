"""The HTTP server: reads requests (keep-alive, chunked bodies), hands them to ``App.handle``
and writes the replies. No API logic here.

Limits (hostile input gets ZPA's error body, never a traceback or a silently dropped
connection): a body of more than ``MAX_BODY_BYTES`` (1 MiB) answers 413; a malformed
``Content-Length`` or chunking answers 400; http.server's own refusals (request line or headers
too long, bad version) answer in ZPA's error shape too; a method the emulator does not know
(``BREW``) is routed like any other (404/405 in ZPA's shape); a kept-alive connection idle for
``App.idle_timeout_s`` (5 s by default) is closed.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from .app import App
from .errors import EmulatorError
from .responses import Reply, Request, error_reply

MAX_BODY_BYTES = 1 << 20
_DRAIN_BYTES = 16 << 20  # a too-large body up to this size is read and dropped, not left unread
_LINE = 4096  # longest chunk-size or trailer line
_DIGITS = re.compile(rb"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")


class _BodyError(EmulatorError):
    """A body refused before the request is handled; unless it was read to its end, the
    connection is closed after the answer."""

    def __init__(self, status: int, reason: str, *, read: bool = False) -> None:
        super().__init__(status, "invalid.resource.argument", reason, ["body"])
        self.read = read


def _bad_framing(reason: str) -> _BodyError:
    return _BodyError(400, reason)


def _too_large(*, read: bool = False) -> _BodyError:
    # inferred: ZPA's limit and answer for large bodies are not documented.
    return _BodyError(413, f"the body exceeds {MAX_BODY_BYTES} bytes", read=read)


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

    def setup(self) -> None:
        super().setup()
        # Every read waits at most this long: an idle kept-alive connection is then closed.
        self.connection.settimeout(self.server.app.idle_timeout_s)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if not hasattr(self, "do_" + self.command):
            # An unknown method (BREW) gets ZPA's 404/405 like PATCH on a path that lacks it,
            # not http.server's HTML 501.
            setattr(self, "do_" + self.command, self._handle)
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals, in ZPA's error shape."""
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        # A line too broken to name a version would get an HTTP/0.9 answer: no status line.
        self.request_version = self.protocol_version
        reason = message or HTTPStatus(code).phrase
        self._send(error_reply(EmulatorError(code, "invalid.resource.argument", reason)))

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunks()
        raw = (self.headers.get("Content-Length") or "0").strip().encode("latin-1")
        if not _DIGITS.fullmatch(raw):
            raise _bad_framing("Content-Length must be a number of bytes")
        length = int(raw) if len(raw) <= 18 else _DRAIN_BYTES + 1
        if length > MAX_BODY_BYTES:
            if length <= _DRAIN_BYTES:
                self._discard(length)
                raise _too_large(read=True)
            raise _too_large()
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise _bad_framing("the body ended before Content-Length bytes")
        return body

    def _read_chunks(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(_LINE)
            size_text = line.split(b";", 1)[0].strip()
            if not line.endswith(b"\n") or not _HEX.fullmatch(size_text):
                raise _bad_framing("a chunk size must be a hexadecimal number on its own line")
            size = int(size_text, 16) if len(size_text) <= 8 else MAX_BODY_BYTES + 1
            if size == 0:
                break
            total += size
            if total > MAX_BODY_BYTES:
                raise _too_large()
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(_LINE) not in (b"\r\n", b"\n"):
                raise _bad_framing("a chunk ended before its size")
            chunks.append(chunk)
        for _ in range(100):  # trailers, up to the blank line
            if self.rfile.readline(_LINE) in (b"\r\n", b"\n", b""):
                return b"".join(chunks)
        raise _bad_framing("too many trailer lines")

    def _discard(self, length: int) -> None:
        """Read and drop a body we refuse, so that the answer is not lost to a reset."""
        while length > 0:
            data = self.rfile.read(min(length, 1 << 16))
            if not data:
                return
            length -= len(data)

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except _BodyError as exc:
            self.close_connection = self.close_connection or not exc.read
            self._send(error_reply(exc))
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
        reply = self.server.app.handle(req)
        if reply is None:
            self._drop()
        else:
            self._send(reply)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, reply: Reply) -> None:
        if reply.raw is not None:
            payload = reply.raw
        else:
            payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        if reply.status != 204:
            if reply.body is not None or reply.raw is not None:
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
