"""Requests per operation and sign-ins of ZpaClient for a fixed workload against the emulator.

Run: ``.venv/bin/python bench/client_requests.py [--keys 10] [--window 1.0]``

The emulator enforces ZPA's budgets (20 GET / 10 writes per window; the window is shortened
from 10 s so the run takes seconds) and the client paces itself with the same numbers, so the
``429`` column should stay 0. Counts come from the emulator's request log, phase by phase.
A second table injects one fault per operation and shows what the client sent to recover.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pulumi_zpa_pkeys.client import ZpaClient
from pulumi_zpa_pkeys.settings import Settings
from pulumi_zpa_pkeys.testing import emulator

CONNECTOR_GROUP = "216196257331300001"
CONNECTOR_CERT = "6573"
KEYS = "provisioningKey$"


def key_body(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "maxUsage": 2, "enrollmentCertId": CONNECTOR_CERT,
            "zcomponentId": CONNECTOR_GROUP, **fields}  # fmt: skip


class Recorder:
    """Runs one phase, then reads the emulator's log for what that phase sent."""

    def __init__(self, emu: Any) -> None:
        self.emu = emu
        self.rows: list[tuple[str, int, int, int, int, float, str]] = []

    def phase(self, name: str, calls: int, work: Callable[[], object], note: str = "") -> None:
        self.emu.clear_requests()
        started = time.monotonic()
        work()
        elapsed = time.monotonic() - started
        log = self.emu.requests_log()
        api = [r for r in log if "/mgmtconfig/" in r["path"]]
        sign_ins = sum(1 for r in log if r["path"] in ("/signin", "/oauth2/v1/token"))
        too_many = sum(1 for r in api if r["status"] == 429)
        if not note:
            note = " ".join(f"{r['method']}:{r['status']}" for r in api) if len(api) <= 4 else ""
        self.rows.append((name, calls, len(api), sign_ins, too_many, elapsed, note))

    def print(self, title: str) -> None:
        print(f"\n{title}")
        header = ("operation", "calls", "requests", "req/call", "sign-ins", "429s", "seconds")
        print(f"{header[0]:<40} {header[1]:>5} {header[2]:>8} {header[3]:>8} {header[4]:>8} "
              f"{header[5]:>4} {header[6]:>7}  sent")  # fmt: skip
        for name, calls, requests, sign_ins, too_many, elapsed, note in self.rows:
            print(f"{name:<40} {calls:>5} {requests:>8} {requests / calls:>8.2f} {sign_ins:>8} "
                  f"{too_many:>4} {elapsed:>7.2f}  {note}")  # fmt: skip


def workload(emu: Any, client: ZpaClient, count: int) -> Recorder:
    rec = Recorder(emu)
    names = [f"bench key {i}" for i in range(count)]
    ids: list[str] = []

    def create() -> None:
        for name in names:
            ids.append(str(client.create_provisioning_key("CONNECTOR_GRP", key_body(name))["id"]))

    def get() -> None:
        for key_id in ids:
            client.get_provisioning_key("CONNECTOR_GRP", key_id)

    def find() -> None:
        for name in names:
            assert client.find_provisioning_key("CONNECTOR_GRP", name) is not None

    def update() -> None:
        for key_id in ids:
            client.update_provisioning_key("CONNECTOR_GRP", key_id, {"maxUsage": 5})

    def delete() -> None:
        for key_id in ids:
            client.delete_provisioning_key("CONNECTOR_GRP", key_id)

    rec.phase("sign-in + get enrollment cert by id", 1,
              lambda: client.get_enrollment_cert(CONNECTOR_CERT))  # fmt: skip
    rec.phase(f"create key x{count}", count, create)
    rec.phase(f"get key by id x{count}", count, get)
    rec.phase(f"find key by name x{count}", count, find)
    rec.phase("list keys (all pages)", 1, lambda: client.list_provisioning_keys("CONNECTOR_GRP"))
    rec.phase(f"update key x{count}", count, update)
    rec.phase("find enrollment cert by name", 1,
              lambda: client.list_enrollment_certs(search="name EQ Connector"))  # fmt: skip
    rec.phase(f"delete key x{count}", count, delete)
    emu.seed(association_type="SERVICE_EDGE_GRP", count=1200, name_prefix="seeded-")
    rec.phase("list 1200 keys (3 pages)", 1,
              lambda: client.list_provisioning_keys("SERVICE_EDGE_GRP"))  # fmt: skip
    emu.expire_tokens()
    rec.phase("get cert after tokens expired (401)", 1,
              lambda: client.get_enrollment_cert(CONNECTOR_CERT))  # fmt: skip
    return rec


def faults(emu: Any, client: ZpaClient) -> Recorder:
    rec = Recorder(emu)

    def injected(rule: dict[str, Any], work: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            emu.add_fault(**rule)
            try:
                return work()
            finally:
                emu.clear_faults()

        return run

    def count_keys(name: str) -> str:
        n = sum(1 for k in emu.state()["provisioningKeys"] if k["name"] == name)
        return f"keys named {name!r}: {n}"

    cases: list[tuple[str, dict[str, Any], Callable[[], object], str | None]] = [
        ("get cert: 429 retry-after 0.5s", dict(method="GET", path_regex="enrollmentCert",
         status=429, retry_after="0.5s"), lambda: client.get_enrollment_cert(CONNECTOR_CERT), None),
        ("get cert: 503 twice", dict(method="GET", path_regex="enrollmentCert", status=503,
         times=2), lambda: client.get_enrollment_cert(CONNECTOR_CERT), None),
        ("create: 429 retry-after 0.5s", dict(method="POST", path_regex=KEYS, status=429,
         retry_after="0.5s"), lambda: client.create_provisioning_key(
            "CONNECTOR_GRP", key_body("f429")), "f429"),
        ("create: answer lost after commit", dict(method="POST", path_regex=KEYS,
         action="drop_after"), lambda: client.create_provisioning_key(
            "CONNECTOR_GRP", key_body("fdrop")), "fdrop"),
        ("create hidden key: answer lost", dict(method="POST", path_regex=KEYS,
         action="drop_after"), lambda: client.create_provisioning_key(
            "CONNECTOR_GRP", key_body("fhidden", exportable=False)), "fhidden"),
        ("create: dropped before commit", dict(method="POST", path_regex=KEYS,
         action="drop_before"), lambda: client.create_provisioning_key(
            "CONNECTOR_GRP", key_body("fbefore")), "fbefore"),
        ("create: 503", dict(method="POST", path_regex=KEYS, status=503),
         lambda: client.create_provisioning_key("CONNECTOR_GRP", key_body("f503")), "f503"),
    ]  # fmt: skip
    for name, rule, work, key_name in cases:
        rec.phase(name, 1, injected(rule, work))
        if key_name:
            last = rec.rows[-1]
            rec.rows[-1] = (*last[:6], f"{last[6]}  ({count_keys(key_name)})")
    emu.clear_requests()
    try:
        client.create_provisioning_key("CONNECTOR_GRP", key_body("bad", maxUsage=0))
    except Exception as exc:
        rec.rows.append(("create: permanent 400", 1, len(emu.requests_log()), 0, 0, 0.0,
                         f"{type(exc).__name__}: {exc}"))  # fmt: skip
    return rec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=10, help="keys to create (default 10)")
    parser.add_argument("--window", type=float, default=1.0, help="rate window, s (default 1)")
    args = parser.parse_args()
    with emulator(rate_limit=True) as emu:
        emu.configure(rate_limit=True, get_per_window=20, write_per_window=10,
                      window_s=args.window)  # fmt: skip
        settings = replace(Settings.from_config(emu.config, {}),
                           rate_limit_window_s=args.window, retry_backoff_s=0.1)  # fmt: skip
        client = ZpaClient(settings)
        started = time.monotonic()
        rec = workload(emu, client, args.keys)
        rec.print(f"Workload ({args.keys} keys; emulator and client at 20 GET / 10 writes per "
                  f"{args.window:g} s; {time.monotonic() - started:.1f} s in all)")  # fmt: skip
        emu.configure(rate_limit=False)
        fault_rec = faults(emu, client)
        fault_rec.print("Injected faults (one per call; 'sent' = API requests and statuses)")
        print(f"\nsign-ins by this client in all: {client.sign_in_count}")
        client.close()


if __name__ == "__main__":
    main()
