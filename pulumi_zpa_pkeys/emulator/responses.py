"""The thin translation between HTTP and the backend, the same for every object kind: find the
operation a request names (``urls.py``), pass its path parameters, query arguments and JSON body
as keyword arguments, and serialise the result. :func:`error_reply` is the one place an
:class:`~.errors.EmulatorError` becomes an HTTP answer."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from .errors import EmulatorError, bad_argument, no_route

JSON_OK = "application/json;charset=utf-8"
JSON_ERROR = "application/json"


@dataclass
class Request:
    method: str
    path: str  # percent-decoded
    query: str  # raw
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # from the path

    def arg(self, name: str) -> str | None:
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[0] if values else None


@dataclass
class Reply:
    status: int
    body: Any = None  # a JSON value; None means an empty body
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = JSON_OK
    #: Sent as is instead of ``body`` (injected unusable answers only).
    raw: bytes | None = None


def error_reply(exc: EmulatorError) -> Reply:
    """The one place an emulator error becomes an HTTP answer."""
    return Reply(exc.status, exc.body(), list(exc.headers), JSON_ERROR)


def json_body(raw: bytes) -> Any:
    if not raw.strip():
        raise bad_argument("body", "a JSON body is required")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # also integers beyond Python's 4,300 digits
        raise bad_argument("body", "the request body is not valid JSON") from None


@dataclass(frozen=True)
class Operation:
    """One API operation: the method named ``name`` on the target, called with the path's named
    groups, ``fixed`` arguments, the ``query`` arguments (snake_case) and, with ``body``, the
    parsed JSON body as ``body``; a success answers ``status`` (204: no body)."""

    name: str
    status: int = 200
    query: tuple[str, ...] = ()
    body: bool = False
    fixed: tuple[tuple[str, str], ...] = ()


Route = tuple[re.Pattern[str], dict[str, Operation]]


def route(routes: Sequence[Route], req: Request) -> Operation:
    """The operation for ``req`` (its path parameters land in ``req.params``), else 404/405."""
    for pattern, methods in routes:
        m = pattern.match(req.path)
        if m is None:
            continue
        operation = methods.get(req.method)
        if operation is None:
            # inferred: a known path with another method answers 405 in ZPA's error shape.
            raise EmulatorError(
                405, "method.not.allowed", f"{req.method} is not allowed on {req.path}"
            )
        req.params = {k: unquote(v) for k, v in m.groupdict().items()}
        return operation
    raise no_route(req.path)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def respond(target: object, operation: Operation, req: Request) -> Reply:
    """Parse, call, serialise."""
    kwargs: dict[str, Any] = dict(operation.fixed)
    kwargs.update(req.params)
    for name in operation.query:
        kwargs[_snake(name)] = req.arg(name)
    if operation.body:
        kwargs["body"] = json_body(req.body)
    result = getattr(target, operation.name)(**kwargs)
    return Reply(operation.status, None if operation.status == 204 else result)
