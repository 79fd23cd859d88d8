"""Finding one certificate and one key by name in a tenant holding 10,000 keys.

The emulator is seeded with 10,000 CONNECTOR_GRP keys (`POST /_emulator/seed`, no rate limits);
the lookups run as a program calls them, with ZPA's rate limits on (default 10 s window: a
lookup is one request, far inside the budget). The per-process cache is cleared before every
run, and the client is warm (signed in), so the time is the lookup itself. For scale, the table
also shows what a lookup without `search` would cost (listing every key, pages of 500) and the
official SDK's own name lookups on the same tenant.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from benchlib import (
    ASSOCIATION,
    CONNECTOR_CERT,
    GET_BUDGET,
    WRITE_BUDGET,
    ZPA_WINDOW_S,
    Series,
    log,
    traffic,
)
from section import Add, Context, Section, describe

from pulumi_zpa_pkeys.testing import RunningEmulator, emulator
from pulumi_zpa_pkeys.testing.environment import environment

T = TypeVar("T")
SEEDED = 10_000
PREFIX = "tenant-key-"


@dataclass
class LookupRow:
    name: str
    requests: Series = field(default_factory=Series)
    millis: Series = field(default_factory=Series)
    found: str = ""


def _measure(emu: RunningEmulator, row: LookupRow, work: Callable[[], T]) -> T:
    emu.clear_requests()
    started = time.perf_counter()
    value = work()
    row.millis.add((time.perf_counter() - started) * 1000)
    row.requests.add(traffic(emu.requests_log()).api)
    return value


def lookup_10k(emu: RunningEmulator, runs: int) -> tuple[int, list[LookupRow]]:
    """(keys in the tenant, one row per lookup)."""
    from pulumi_zpa_pkeys import _host, lookups
    from pulumi_zpa_pkeys.enrollment_cert import enrollment_certs
    from pulumi_zpa_pkeys.provisioning_key import keys as key_api
    from pulumi_zpa_pkeys.settings import Settings

    emu.configure(rate_limit=False)
    seeded = emu.seed(association_type=ASSOCIATION, count=SEEDED, name_prefix=PREFIX)
    keys = emu.state()["provisioningKeys"]
    total = sum(1 for k in keys if k["associationType"] == ASSOCIATION)
    target_id = str(seeded["ids"][SEEDED * 3 // 4])
    target = next(str(k["name"]) for k in keys if str(k["id"]) == target_id)
    # ZPA's own limits on, and the client's defaults (20 GET / 10 writes per 10 s).
    emu.configure(rate_limit=True, get_per_window=GET_BUDGET, write_per_window=WRITE_BUDGET,
                  window_s=ZPA_WINDOW_S)  # fmt: skip
    env = {k: v for k, v in emu.env.items() if not k.startswith("ZPA_RATE_LIMIT")}
    cert = LookupRow('certificate by name (`get_enrollment_cert(name="Connector")`)')
    key = LookupRow(f'key by name (`get_provisioning_key("{ASSOCIATION}", name="{target}")`)')
    with environment(env):
        certs = enrollment_certs(_host.transport(Settings.from_pulumi_config()))
        certs.get(CONNECTOR_CERT)  # sign in
        for _ in range(runs):
            lookups.clear_cache()
            found_cert = _measure(emu, cert, lambda: lookups.get_enrollment_cert(name="Connector"))
            found_key = _measure(
                emu, key, lambda: lookups.get_provisioning_key(ASSOCIATION, name=target)
            )
            cert.found = f"id {found_cert.id}"
            key.found = f"id {found_key.id}"
    # The cost of not using search: every page of the key list (rate limits off, to count).
    emu.configure(rate_limit=False)
    listing = LookupRow("for scale: every key, no `search` (`keys(...).list()`)")
    with environment(emu.env):
        every_key = key_api(_host.transport(Settings.from_pulumi_config()), ASSOCIATION)
        for _ in range(runs):
            listed = _measure(emu, listing, every_key.list)
            listing.found = f"{len(listed)} keys"
    rows = [cert, key, listing, *sdk_lookups(emu, runs, target)]
    log(f"lookups in {total} keys: cert {cert.millis.fmt(1)} ms, key {key.millis.fmt(1)} ms")
    return total, rows


def sdk_lookups(emu: RunningEmulator, runs: int, target: str) -> list[LookupRow]:
    """The official SDK's name lookups on the same tenant (a fresh client, so a cold cache, per
    run; rate limits off); none when zscaler-sdk-python is not installed."""
    from sdk_compare import sdk_available, sdk_client

    if not sdk_available():
        return []
    cert = LookupRow('SDK: certificate by name (`get_enrolment_by_name("Connector")`)')
    key = LookupRow(f'SDK: key by name (`list_provisioning_keys("connector", search="{target}")`)')
    emu.configure(rate_limit=False)
    for _ in range(runs):
        with sdk_client(emu) as client:
            _sdk_lookup_once(emu, client.zpa, cert, key, target)
    return [cert, key]


def _sdk_lookup_once(
    emu: RunningEmulator, zpa: Any, cert: LookupRow, key: LookupRow, target: str
) -> None:
    found, _, error = _measure(
        emu, cert, lambda: zpa.enrollment_certificates.get_enrolment_by_name("Connector")
    )
    cert.found = f"id {found.id}" if error is None else f"error: {error}"
    listed, _, error = _measure(
        emu,
        key,
        lambda: zpa.provisioning.list_provisioning_keys(
            "connector", query_params={"search": target}
        ),
    )
    names = [k.name for k in listed or []]
    key.found = f"{names.count(target)} match" if error is None else f"error: {error}"


def measure(ctx: Context) -> list[LookupRow]:
    with emulator() as emu:
        _, rows = lookup_10k(emu, ctx.args.small_runs)
    return rows


def render(ctx: Context, rows: list[LookupRow], add: Add) -> None:
    describe(add, __doc__)
    add("| lookup | API requests | time, ms | found |")
    add("|---|---|---|---|")
    for row in rows:
        add(f"| {row.name} | {row.requests.fmt_int()} | {row.millis.fmt(1)} | {row.found} |")
    add("")


SECTION = Section(
    "lookups", f"Lookups by name in a tenant holding {SEEDED:,} keys", measure, render
)
