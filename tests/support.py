"""Helpers shared by the tests that talk to the emulator (imported as `support`)."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pulumi

from pulumi_zpa_pkeys.settings import Settings
from pulumi_zpa_pkeys.testing.seeds import (
    APP_CONNECTOR_GROUP_ID as CONNECTOR_GROUP,
)
from pulumi_zpa_pkeys.testing.seeds import (
    CONNECTOR_CERT_ID as CONNECTOR_CERT,
)
from pulumi_zpa_pkeys.testing.seeds import (
    SERVICE_EDGE_CERT_ID as SERVICE_EDGE_CERT,
)
from pulumi_zpa_pkeys.testing.seeds import (
    SERVICE_EDGE_GROUP_ID as SERVICE_EDGE_GROUP,
)
from pulumi_zpa_pkeys.testing.seeds import key_body, key_inputs

SIGN_IN_PATHS = ("/signin", "/oauth2/v1/token")
BENCH = Path(__file__).resolve().parent.parent / "bench"


def settings_for(emulator: Any, *, legacy: bool = False, **overrides: Any) -> Settings:
    """Settings that reach the emulator; retries back off briefly so tests stay fast."""
    config = dict(emulator.config)
    if legacy:
        config = {
            "zpa:useLegacyClient": "true",
            "zpa:zpaClientId": emulator.client_id,
            "zpa:zpaClientSecret": emulator.client_secret,
            "zpa:customerId": emulator.customer_id,
            "zpa:baseUrl": emulator.url,
            "zpa:rateLimitGets": "0",
        }
    return replace(Settings.from_config(config, {}), **{"retry_backoff_s": 0.05, **overrides})


__all__ = [
    "CONNECTOR_CERT",
    "CONNECTOR_GROUP",
    "SERVICE_EDGE_CERT",
    "SERVICE_EDGE_GROUP",
    "api_calls",
    "call_segments",
    "key_body",
    "key_inputs",
    "keys_named",
    "provider_host_children",
    "settings_for",
    "sign_ins",
]


def api_calls(emulator: Any) -> list[tuple[str, int | None]]:
    """(method, status) of every management API request in the emulator's log."""
    log = emulator.requests_log()
    return [(r["method"], r["status"]) for r in log if "/mgmtconfig/" in r["path"]]


def call_segments(emulator: Any) -> list[tuple[str, str]]:
    """(method, last path segment) of every API call in the log, sign-ins aside."""
    return [
        (e["method"], e["path"].rstrip("/").rsplit("/", 1)[-1])
        for e in emulator.requests_log()
        if "mgmtconfig" in e["path"]
    ]


def sign_ins(emulator: Any) -> int:
    """Sign-ins on either front door in the emulator's log."""
    return sum(1 for r in emulator.requests_log() if r["path"] in SIGN_IN_PATHS)


def keys_named(emulator: Any, name: str | None = None) -> list[dict[str, Any]]:
    """Keys in the emulator's state (all of them when `name` is None)."""
    keys: list[dict[str, Any]] = emulator.state()["provisioningKeys"]
    return [k for k in keys if name is None or k["name"] == name]


def provider_host_children() -> set[int] | None:
    """Pids of this process's children running `pulumi.dynamic` (None where /proc is missing)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    me, found = os.getpid(), set()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # exited meanwhile
        # The parent pid is the 2nd field after the parenthesised command name.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and b"pulumi.dynamic" in cmdline:
            found.add(int(entry.name))
    return found


def bench_module(name: str) -> ModuleType:
    """A module of bench/, imported as its scripts import each other (bench/ on sys.path)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)


class EchoMocks(pulumi.runtime.Mocks):
    """Pulumi mocks for program-side tests: a resource's outputs are its inputs (id ``"id"``)
    and a call answers nothing (our lookups reach the emulator themselves, not the mocks)."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        return "id", dict(args.inputs)

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None
