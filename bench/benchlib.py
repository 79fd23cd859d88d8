"""Shared pieces of the benchmarks: statistics, the emulator's request log, the machine, keys.

The benchmark modules import this as ``benchlib`` (``bench/`` is on ``sys.path`` when a script
in it runs; the smoke test adds it).
"""

from __future__ import annotations

import atexit
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_zpa_pkeys.testing.seeds import APP_CONNECTOR_GROUP_ID, CONNECTOR_CERT_ID

CONNECTOR_GROUP = APP_CONNECTOR_GROUP_ID
CONNECTOR_CERT = CONNECTOR_CERT_ID
ASSOCIATION = "CONNECTOR_GRP"
SIGN_IN_PATHS = frozenset({"/signin", "/oauth2/v1/token"})
GET_BUDGET = 20  # ZPA: 20 GETs per window
WRITE_BUDGET = 10  # ZPA: 10 POST/PUT/DELETE per window
ZPA_WINDOW_S = 10.0  # ZPA's own rate-limit window


def key_inputs(name: str, **extra: Any) -> dict[str, Any]:
    """Pulumi inputs of one CONNECTOR_GRP key, as a program would declare them."""
    return {
        "association_type": ASSOCIATION,
        "name": name,
        "max_usage": 2,
        "enrollment_cert_id": CONNECTOR_CERT,
        "zcomponent_id": CONNECTOR_GROUP,
        **extra,
    }


_CACHE: list[str] = []


def host_env() -> dict[str, str]:
    """The environment of the provider hosts the benchmarks start: this one, with the user's
    cache directory (where hosts share their rate budget) moved to a temporary directory of
    this bench run, removed at exit."""
    if not _CACHE:
        _CACHE.append(tempfile.mkdtemp(prefix="zpa-bench-cache-"))
        atexit.register(shutil.rmtree, _CACHE[0], True)
    return {**os.environ, "XDG_CACHE_HOME": _CACHE[0]}


def sizes(text: str) -> list[int]:
    """``"30,100"`` as ``[30, 100]`` (the type of the size options; ``""`` is none)."""
    return [int(part) for part in text.split(",") if part.strip()]


def log(message: str) -> None:
    """Progress on stderr (stdout stays quiet)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- statistics ------------------------------------------------------------------------------


@dataclass
class Series:
    """Repeated measurements of one figure; shown as ``median (min-max)``."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else math.nan

    def fmt(self, digits: int = 2, unit: str = "") -> str:
        if not self.values:
            return "n/a"
        lo, hi, mid = min(self.values), max(self.values), self.median
        if lo == hi:
            return f"{mid:.{digits}f}{unit}"
        return f"{mid:.{digits}f}{unit} ({lo:.{digits}f}-{hi:.{digits}f})"

    def fmt_int(self) -> str:
        """Counts: ``12`` when every run agrees, else ``12 (11-14)``."""
        if not self.values:
            return "n/a"
        lo, hi, mid = min(self.values), max(self.values), self.median
        mid_s = f"{mid:g}"
        return mid_s if lo == hi else f"{mid_s} ({lo:g}-{hi:g})"


# -- the emulator's request log --------------------------------------------------------------


@dataclass(frozen=True)
class Traffic:
    """What one phase sent to the emulator's front doors."""

    gets: int
    writes: int
    sign_ins: int
    too_many: int  # 429 answers
    dropped: int  # status null: the connection was dropped
    by_method: dict[str, int]

    @property
    def api(self) -> int:
        return self.gets + self.writes

    def describe(self) -> str:
        parts = [f"{method} {count}" for method, count in sorted(self.by_method.items())]
        return ", ".join(parts) or "none"


def traffic(entries: Sequence[dict[str, Any]]) -> Traffic:
    """Summarise request-log entries (``GET /_emulator/requests``)."""
    api = [e for e in entries if "/mgmtconfig/" in e["path"]]
    by_method: dict[str, int] = {}
    for entry in api:
        by_method[entry["method"]] = by_method.get(entry["method"], 0) + 1
    return Traffic(
        gets=sum(1 for e in api if e["method"] == "GET"),
        writes=sum(1 for e in api if e["method"] != "GET"),
        sign_ins=sum(1 for e in entries if e["path"] in SIGN_IN_PATHS),
        too_many=sum(1 for e in api if e["status"] == 429),
        dropped=sum(1 for e in api if e["status"] is None),
        by_method=by_method,
    )


# -- the rate-limit floor --------------------------------------------------------------------


#: The floor, as RESULTS.md prints it.
FLOOR_FORMULA = "floor = (⌈N/B⌉ - 1) · W"


def floor_s(count: int, budget: int, window_s: float) -> float:
    """The earliest the last of ``count`` calls can be sent when ``budget`` fit in a window:
    ``(ceil(count / budget) - 1) * window_s``.

    The server's window opens at the first call and admits ``budget`` calls; the next window
    opens at the first call after it ends. The first ``budget`` calls go at once, and the k-th
    further batch of ``budget`` cannot start before ``k * window_s``; the last batch is batch
    ``ceil(count / budget) - 1``.
    """
    return (math.ceil(count / budget) - 1) * window_s


def phase_floor(phase: str, count: int, window_s: float) -> tuple[float, str]:
    """(floor in seconds, which budget binds) for a bulk phase over ``count`` keys."""
    writes = floor_s(count, WRITE_BUDGET, window_s)
    gets = floor_s(count, GET_BUDGET, window_s)
    if phase == "create":  # N writes and N GETs: writes bind (10 < 20 per window)
        return writes, f"{count} writes at {WRITE_BUDGET}/window"
    if phase == "refresh":
        return gets, f"{count} GETs at {GET_BUDGET}/window"
    if phase == "delete":
        return writes, f"{count} writes at {WRITE_BUDGET}/window"
    raise ValueError(phase)


# -- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,) * 3
    return {
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "pulumi (SDK)": package_version("pulumi"),
        "zscaler-sdk-python": package_version("zscaler-sdk-python"),
        "load average at start": " ".join(f"{x:.2f}" for x in load),
    }


def git_revision(root: str) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", root, "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result
