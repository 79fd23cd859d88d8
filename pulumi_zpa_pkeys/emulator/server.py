"""The HTTP server: reads requests (keep-alive, chunked bodies), hands them to ``App.handle``
and writes the replies. No API logic here."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from .app import App
from .errors import bad_argument
from .responses import Reply, Request, error_reply


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
