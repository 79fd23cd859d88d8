"""Injected faults and the request log (both tests-only, driven by ``/_emulator/...``)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_argument

ACTIONS = ("status", "drop_before", "drop_after", "delay", "answer")
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{0,100}")
_LONG_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,2000}")
MAX_ANSWER_BODY = 65536


@dataclass
class FaultRule:
    action: str
    method: str | None = None
    path_regex: str = ""
    status: int | None = None
    times: int | None = 1  # None: every matching request
    retry_after: str | None = None
    delay_s: float = 1.0
    error_id: str | None = None
    #: action "answer": the raw body, its content type and Location, and whether the request
    #: is carried out first (its real answer is then replaced by this one).
    body: str = ""
    content_type: str | None = None
    location: str | None = None
    work: bool = False
    _pattern: re.Pattern[str] = field(default=re.compile(""), repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path_regex": self.path_regex,
            "action": self.action,
            "status": self.status,
            "times": self.times,
            "retry_after": self.retry_after,
            "delay_s": self.delay_s,
            "error_id": self.error_id,
            "body": self.body,
            "content_type": self.content_type,
            "location": self.location,
            "work": self.work,
        }


def parse_rule(body: Any) -> FaultRule:
    if not isinstance(body, dict):
        raise bad_argument("body", "the fault rule must be a JSON object")
    known = {"method", "path_regex", "action", "status", "times", "retry_after", "delay_s",
             "error_id", "body", "content_type", "location", "work"}  # fmt: skip
    unknown = sorted(set(body) - known)
    if unknown:
        raise bad_argument(unknown[0], f"unknown fault field {unknown[0]!r}")
    action = body.get("action", "status")
    if action not in ACTIONS:
        raise bad_argument("action", f"action must be one of {', '.join(ACTIONS)}")
    method = body.get("method")
    if method is not None and (not isinstance(method, str) or not method.strip()):
        raise bad_argument("method", "method must be an HTTP method or null (any)")
    path_regex = body.get("path_regex", "")
    if not isinstance(path_regex, str):
        raise bad_argument("path_regex", "path_regex must be a string")
    try:
        pattern = re.compile(path_regex)
    except re.error as exc:
        raise bad_argument("path_regex", f"path_regex does not compile: {exc}") from None
    status = body.get("status")
    if action == "status":
        # inferred: only error statuses can be injected.
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise bad_argument("status", "status must be an integer from 400 to 599")
    elif action == "answer":
        # A success or redirect that a client must not take for a usable answer.
        if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 399:
            raise bad_argument("status", "status must be an integer from 200 to 399")
    elif status is not None:
        raise bad_argument("status", "status is only for actions 'status' and 'answer'")
    answer = {k: body[k] for k in ("body", "content_type", "location", "work") if k in body}
    if answer and action != "answer":
        raise bad_argument(next(iter(answer)), f"{next(iter(answer))} is only for action 'answer'")
    raw = answer.get("body", "")
    if not isinstance(raw, str) or len(raw) > MAX_ANSWER_BODY:
        raise bad_argument("body", f"body must be a string of at most {MAX_ANSWER_BODY} characters")
    for name in ("content_type", "location"):
        value = answer.get(name)
        if value is not None and not (
            isinstance(value, str) and _LONG_HEADER_VALUE.fullmatch(value)
        ):
            raise bad_argument(name, f"{name} must be printable ASCII, no CR/LF")
    work = answer.get("work", False)
    if not isinstance(work, bool):
        raise bad_argument("work", "work must be a boolean")
    times = body.get("times", 1)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise bad_argument("times", "times must be a positive integer or null (forever)")
    retry_after = body.get("retry_after")
    if retry_after is not None:
        if isinstance(retry_after, bool) or not isinstance(retry_after, (str, int, float)):
            raise bad_argument("retry_after", "retry_after must be a string like '2s'")
        retry_after = str(retry_after)
        if not _HEADER_VALUE.fullmatch(retry_after):
            # It is sent as a header: CR/LF would split the answer.
            raise bad_argument("retry_after", "retry_after must be printable ASCII, no CR/LF")
    delay_s = body.get("delay_s", 1.0)
    if isinstance(delay_s, bool) or not isinstance(delay_s, (int, float)) or delay_s < 0:
        raise bad_argument("delay_s", "delay_s must be a number >= 0")
    error_id = body.get("error_id")
    if error_id is not None and not isinstance(error_id, str):
        raise bad_argument("error_id", "error_id must be a string or null")
    return FaultRule(
        action=action,
        method=method.upper() if isinstance(method, str) else None,
        path_regex=path_regex,
        status=status,
        times=times,
        retry_after=retry_after,
        delay_s=float(delay_s),
        error_id=error_id,
        body=raw,
        content_type=answer.get("content_type"),
        location=answer.get("location"),
        work=work,
        _pattern=pattern,
    )


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_json() for r in self._rules]

    def match(self, method: str, path: str) -> FaultRule | None:
        """The first matching rule (in the order added), consuming one of its ``times``."""
        with self._lock:
            for rule in self._rules:
                if rule.method is not None and rule.method != method:
                    continue
                if not rule._pattern.search(path):
                    continue
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                return rule
        return None


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def start(self, method: str, path: str, query: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"method": method, "path": path, "query": query, "status": None}
        with self._lock:
            self._entries.append(entry)
        return entry

    def finish(self, entry: dict[str, Any], status: int | None) -> None:
        with self._lock:
            entry["status"] = status

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
