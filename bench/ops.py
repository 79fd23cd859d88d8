"""Requests per operation, read from the emulator's request log.

Resource operations go through the real provider host (`python -m pulumi.dynamic`, driven over
gRPC by `ProviderHost` exactly as the engine calls it); a fresh host per run, so sign-ins per
provider process can be counted. Each run takes one key through the provider's calls one by one,
then through the engine's lifecycle cases (`pulumi preview`/`up`/`refresh`/`destroy` of one
resource: replacements, drift, hidden and read-only keys, adoption, lost create answers). Lookups
run in this process as a Pulumi program would call them (credentials from the environment, the
per-process cache cleared before each run). Rate limits are off here: these are counts, not
pacing.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchlib import ASSOCIATION, CONNECTOR_CERT, Series, key_inputs, log, traffic
from section import Add, Context, Section, describe

from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import (
    UNKNOWN,
    ProviderHost,
    ProviderHostError,
    ResourceState,
    RunningEmulator,
    emulator,
)
from pulumi_zpa_pkeys.testing.environment import environment
from pulumi_zpa_pkeys.testing.seeds import ROOT_CERT_ID

ROOT_CERT = ROOT_CERT_ID  # another certificate with a private key: changing to it replaces a key


@dataclass
class OpStats:
    """Per-operation series over the runs."""

    name: str
    note: str = ""
    requests: Series = field(default_factory=Series)
    millis: Series = field(default_factory=Series)
    sent: set[str] = field(default_factory=set)
    outcomes: set[str] = field(default_factory=set)


@dataclass
class OpsResult:
    ops: dict[str, OpStats] = field(default_factory=dict)
    host_sign_ins: Series = field(default_factory=Series)
    host_calls: Series = field(default_factory=Series)
    lookup_sign_ins: int = 0
    lookup_calls: int = 0

    def measure(
        self,
        emu: RunningEmulator,
        name: str,
        work: Callable[[], Any],
        note: str = "",
        ordered: bool = True,
    ) -> tuple[Any, int]:
        """Run ``work`` once; record its API requests (in order, or counted by method when
        concurrent calls interleave them) and time; return (result, sign-ins)."""
        emu.clear_requests()
        outcome = "ok"
        result = None
        started = time.perf_counter()
        try:
            result = work()
        except ProviderHostError as err:  # an expected refusal (read-only key): its reason
            outcome = "error: " + err.message.rsplit("): ", 1)[-1].split(";")[0][:160]
        elapsed = time.perf_counter() - started
        entries = emu.requests_log()
        sent = traffic(entries)
        stats = self.ops.setdefault(name, OpStats(name, note))
        stats.requests.add(sent.api)
        stats.millis.add(elapsed * 1000)
        api = [e for e in entries if "/mgmtconfig/" in e["path"]]
        if ordered:
            stats.sent.add(" + ".join(f"{e['method']} {e['status']}" for e in api) or "none")
        else:
            stats.sent.add(sent.describe())
        stats.outcomes.add(outcome)
        return result, sent.sign_ins


def host_ops(emu: RunningEmulator, result: OpsResult, run: int) -> None:
    """One fresh provider host: warm-up, every provider call once, then the lifecycle cases."""
    emu.clear_requests()
    sign_ins = 0
    calls = 0
    with ProviderHost(ProvisioningKeyProvider(), emu.config) as host:
        # Warm-up (the engine's first call unpickles the provider; the first API call signs in).
        host.check("warm-up", key_inputs("warm-up"))
        host.read("warm-up", "1", {"association_type": ASSOCIATION})
        sign_ins += traffic(emu.requests_log()).sign_ins
        calls += 2
        name = f"ops-{run}"
        inputs = key_inputs(name)

        def op(label: str, work: Callable[[], Any], note: str = "", ordered: bool = True) -> Any:
            nonlocal sign_ins, calls
            value, signed = result.measure(emu, label, work, note, ordered)
            sign_ins += signed
            calls += 1
            return value

        checked = op("check (Check)", lambda: host.check(name, inputs).inputs)
        key_id, outputs = op("create (Create)", lambda: host.create(name, checked))
        changed = host.check(name, {**inputs, "max_usage": 5}, checked).inputs
        calls += 1
        op("diff (Diff)", lambda: host.diff(name, key_id, outputs, changed))
        outputs = op("update (Update)", lambda: host.update(name, key_id, outputs, changed))
        op("read (Read, refresh)", lambda: host.read(name, key_id, outputs, changed))
        op("delete (Delete)", lambda: host.delete(name, key_id, outputs))
        op("read of a deleted key", lambda: host.read(name, key_id, outputs, changed),
           "gone: the engine drops it")  # fmt: skip
        lifecycle(emu, host, op, run)
    result.host_sign_ins.add(sign_ins)
    result.host_calls.add(calls)


Op = Callable[..., Any]


def lifecycle(emu: RunningEmulator, host: ProviderHost, op: Op, run: int) -> None:
    """The engine's cases for one resource (`pulumi preview`/`up`/`refresh`/`destroy`)."""
    states: dict[str, ResourceState] = {}

    def up(label: str, key: str, note: str = "", old: str | None = None, **changes: Any) -> None:
        name = f"lc{run}-{key}"
        inputs = key_inputs(changes.pop("name", name), **changes)
        state = op(label, lambda: host.up(name, inputs, states.get(old or "")), note)
        if state is not None:
            states[key] = state

    up("`up`: create", "b")
    op("`preview`, no change (Check, Diff)", lambda: host.preview(states["b"].name,
       key_inputs(states["b"].name), states["b"]))  # fmt: skip
    op("`preview`, group unknown (Check, Diff)", lambda: host.preview(states["b"].name,
       key_inputs(states["b"].name, zcomponent_id=UNKNOWN), states["b"]),
       "a possible replacement")  # fmt: skip
    up("`up`: update max_usage in place", "b", old="b", max_usage=5)
    up("`up`: update enabled=false in place", "b", old="b", max_usage=5, enabled=False)
    up("`up`: replace, name kept", "b", "certificate changed: delete first", old="b",
       max_usage=5, enabled=False, enrollment_cert_id=ROOT_CERT)  # fmt: skip
    up("`up`: replace with a new name", "r", "create first, then delete the old key",
       old="b", name=f"lc{run}-b-renamed", max_usage=5, enabled=False)  # fmt: skip
    up("`up`: create", "a")
    emu.patch_key(states["a"].id, maxUsage="9")
    op("`refresh` with drift", lambda: host.refresh(states["a"]))
    op("`destroy`", lambda: host.destroy(states["a"]))
    op("`destroy` again", lambda: host.destroy(states["a"]), "already gone: counts as deleted")
    op("`refresh` of a deleted key", lambda: host.refresh(states["a"]), "the engine drops it")
    up("`up`: create a non-exportable key", "h", exportable=False)
    op("`refresh` of a non-exportable key", lambda: host.refresh(states["h"]),
       "value kept from the create answer")  # fmt: skip
    emu.patch_key(states["h"].id, readOnly=True)
    up("`up`: update a Deception (read-only) key", "h", "refused", old="h", exportable=False,
       max_usage=3)  # fmt: skip
    op("`destroy` a Deception (read-only) key", lambda: host.destroy(states["h"]), "refused")
    up("`up`: adopt an existing key, values differ", "adopt", "found by name, then updated",
       name=states["r"].inputs["name"], max_usage=7, adopt_existing=True)  # fmt: skip
    emu.add_fault(method="POST", path_regex="provisioningKey$", action="drop_after")
    up("`up`: create, answer lost after commit", "lost", "found by name")
    emu.add_fault(method="POST", path_regex="provisioningKey$", action="drop_after")
    up("`up`: create a non-exportable key, answer lost", "lost-h",
       "found, value unreadable: deleted and created again", exportable=False)  # fmt: skip

    def four() -> None:
        names = [f"lc{run}-c{i}" for i in range(4)]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda n: host.up(n, key_inputs(n)), names))

    op("`up`: 4 creates at once", four, "one host, 4 engine threads", ordered=False)


def lookup_ops(emu: RunningEmulator, result: OpsResult, key_name: str, key_id: str) -> None:
    """Every lookup once, on a cleared per-process cache."""
    from pulumi_zpa_pkeys import lookups

    lookups.clear_cache()

    def op(label: str, work: Callable[[], Any], note: str = "") -> None:
        _, signed = result.measure(emu, label, work, note)
        result.lookup_sign_ins += signed
        result.lookup_calls += 1

    op("get_enrollment_cert(name=...)", lambda: lookups.get_enrollment_cert(name="Connector"))
    op("get_enrollment_cert(name=...) again", lambda: lookups.get_enrollment_cert(name="connector"),
       "per-process cache")  # fmt: skip
    op("get_enrollment_cert(id=...)", lambda: lookups.get_enrollment_cert(id=CONNECTOR_CERT))
    op("get_enrollment_cert(name=<missing>)", lambda: _missing(lookups.get_enrollment_cert),
       "LookupError listing existing names")  # fmt: skip
    op("get_provisioning_key(name=...)",
       lambda: lookups.get_provisioning_key(ASSOCIATION, name=key_name))  # fmt: skip
    op("get_provisioning_key(id=...)",
       lambda: lookups.get_provisioning_key(ASSOCIATION, id=key_id))  # fmt: skip


def _missing(lookup: Callable[..., Any]) -> None:
    from pulumi_zpa_pkeys.errors import ZpaLookupError

    try:
        lookup(name="No Such Certificate")
    except ZpaLookupError:
        return
    raise AssertionError("a missing certificate was found")


def seeded_key(emu: RunningEmulator, key_id: str) -> dict[str, Any]:
    """A key of the emulator's state by id (seeded names are zero-padded: ask, don't guess)."""
    return next(k for k in emu.state()["provisioningKeys"] if str(k["id"]) == key_id)


def requests_per_operation(emu: RunningEmulator, runs: int) -> OpsResult:
    """``runs`` rounds of every resource operation and lookup (rate limits off)."""
    emu.configure(rate_limit=False)
    result = OpsResult()
    seeded = emu.seed(association_type=ASSOCIATION, count=50, name_prefix="ops-lookup-")
    target = seeded_key(emu, str(seeded["ids"][6]))
    for run in range(runs):
        host_ops(emu, result, run)
    with environment(emu.env):
        for _ in range(runs):
            lookup_ops(emu, result, str(target["name"]), str(target["id"]))
    log(f"requests per operation: {runs} runs, host sign-ins {result.host_sign_ins.values}")
    return result


def measure(ctx: Context) -> OpsResult:
    with emulator() as emu:
        return requests_per_operation(emu, ctx.args.small_runs)


def render(ctx: Context, result: OpsResult, add: Add) -> None:
    describe(add, __doc__, first=True)
    add(f"{ctx.args.small_runs} runs. Counts are API requests in the emulator's log "
        "(`GET /_emulator/requests`), sign-ins counted apart; times are warm (after the first "
        "call of the process).")  # fmt: skip
    add("")
    add("| operation | API requests | sent (method status) | time, ms |")
    add("|---|---|---|---|")
    for stats in result.ops.values():
        notes = [stats.note] if stats.note else []
        notes += sorted(o for o in stats.outcomes if o != "ok")
        note = f" ({'; '.join(notes)})" if notes else ""
        sent = "; ".join(sorted(stats.sent))
        add(f"| {stats.name}{note} | {stats.requests.fmt_int()} | {sent} | "
            f"{stats.millis.fmt(1)} |")  # fmt: skip
    add("")
    add(f"Sign-ins per provider process: **{result.host_sign_ins.fmt_int()}** over "
        f"{result.host_calls.fmt_int()} calls to each host. Sign-ins of the program process "
        f"doing every lookup of every run: **{result.lookup_sign_ins}** over "
        f"{result.lookup_calls} lookups (one token per process, reused until it nears "
        "expiry).")  # fmt: skip
    add("")


SECTION = Section("ops", "Requests per operation", measure, render)
