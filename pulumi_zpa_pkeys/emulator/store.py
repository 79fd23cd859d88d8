"""``--state FILE``: an append-only JSON-lines journal, replayed on start.

Every record is written and flushed to the OS before the HTTP answer is sent, so a SIGKILL after
an answered write loses nothing (the kernel still holds the page). A torn last line (killed in the
middle of a write that was therefore never answered: no newline at the end, and not a whole
record) is ignored on replay. Anything else that cannot be read whole (a damaged record anywhere
else, a record of the wrong shape, bytes that are not UTF-8, a file that is not a journal, a
directory) raises :class:`JournalError` naming the file and the line, and the file is left
untouched. After a clean replay the state is compacted into a fresh file through an atomic rename.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


class JournalError(Exception):
    """The journal cannot be read whole (or written); the emulator refuses to start."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        where = str(path) if line is None else f"{path}, line {line}"
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line


class Journal:
    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self._lock = threading.Lock()
        self._file: IO[str] | None = None

    def replay(self, apply: Callable[[dict[str, Any]], None]) -> None:
        """Feed every record to ``apply`` in order. ``apply`` raises ``ValueError`` (or
        ``KeyError``/``TypeError``) for a record it cannot take; that becomes a JournalError."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except IsADirectoryError:
            raise JournalError(self.path, None, "is a directory, not a journal file") from None
        except OSError as exc:
            raise JournalError(self.path, None, f"cannot read it: {exc.strerror}") from None
        *lines, tail = data.split(b"\n")  # ``tail`` is b"" when the file ends with a newline
        applied = 0
        for number, raw in enumerate([*lines, tail], start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                if number == len(lines) + 1 and applied:
                    return  # a torn tail: that write was never answered
                reason = "bytes that are not UTF-8" if isinstance(exc, UnicodeError) else "not JSON"
                raise JournalError(self.path, number, f"not a journal record ({reason})") from None
            if not isinstance(record, dict):
                raise JournalError(self.path, number, "a record that is not a JSON object")
            try:
                apply(record)
            except (ValueError, KeyError, TypeError) as exc:
                raise JournalError(self.path, number, _reason(exc)) from None
            applied += 1

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Replace the whole journal atomically with ``records``."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
            tmp = self.path.with_name(self.path.name + ".tmp")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with tmp.open("w", encoding="utf-8") as f:
                    f.write("".join(_line(r) for r in records))
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
                self._file = self.path.open("a", encoding="utf-8")
            except OSError as exc:
                raise JournalError(self.path, None, f"cannot write it: {exc.strerror}") from None

    def append(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        with self._lock:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write("".join(_line(r) for r in records))
            self._file.flush()
            if self.fsync:
                os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":")) + "\n"


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"a record of the wrong shape (no {exc.args[0]!r})"
    return f"a record of the wrong shape ({exc})"
