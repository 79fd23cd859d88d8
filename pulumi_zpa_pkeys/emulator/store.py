"""``--state FILE``: an append-only JSON-lines journal, replayed on start.

Every record is written and flushed to the OS before the HTTP answer is sent, so a SIGKILL after
an answered write loses nothing (the kernel still holds the page). A torn last line (killed in the
middle of a write that was therefore never answered) is ignored on replay. On start the replayed
state is compacted into a fresh file through an atomic rename.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import IO, Any


class Journal:
    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self._lock = threading.Lock()
        self._file: IO[str] | None = None

    def load(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        records: list[dict[str, Any]] = []
        with self.path.open("r", encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    break  # a torn tail: that write was never answered
                if isinstance(rec, dict):
                    records.append(rec)
        return records

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Replace the whole journal atomically with ``records``."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as f:
                f.write("".join(_line(r) for r in records))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            self._file = self.path.open("a", encoding="utf-8")

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
