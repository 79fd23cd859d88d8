"""Requests per operation, read from the emulator's request log.

Resource operations go through the real provider host (`python -m pulumi.dynamic`, driven over
gRPC by `ProviderHost` exactly as the engine calls it); a fresh host per run, so sign-ins per
provider process can be counted. Lookups run in this process as a Pulumi program would call
them (credentials from the environment, the per-process cache cleared before each run).
Rate limits are off here: these are counts, not pacing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from benchlib import ASSOCIATION, CONNECTOR_CERT, Series, key_inputs, log, traffic

from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator


@dataclass
class OpStats:
    """Per-operation series over the runs."""

    name: str
    note: str = ""
    requests: Series = field(default_factory=Series)
    millis: Series = field(default_factory=Series)
    sent: set[str] = field(default_factory=set)


@dataclass
class OpsResult:
    ops: dict[str, OpStats] = field(default_factory=dict)
    host_sign_ins: Series = field(default_factory=Series)
    host_calls: Series = field(default_factory=Series)
    lookup_sign_ins: int = 0
    lookup_calls: int = 0

    def measure(
        self, emu: RunningEmulator, name: str, work: Callable[[], Any], note: str = ""
    ) -> tuple[Any, int]:
        """Run ``work`` once; record its API requests and time; return (result, sign-ins)."""
        emu.clear_requests()
        started = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - started
        entries = emu.requests_log()
        sent = traffic(entries)
        stats = self.ops.setdefault(name, OpStats(name, note))
        stats.requests.add(sent.api)
        stats.millis.add(elapsed * 1000)
        api = [e for e in entries if "/mgmtconfig/" in e["path"]]
        stats.sent.add(" + ".join(f"{e['method']} {e['status']}" for e in api) or "none")
        return result, sent.sign_ins


def host_ops(emu: RunningEmulator, result: OpsResult, run: int) -> None:
    """One fresh provider host: warm-up, then every resource operation once."""
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

        def op(label: str, work: Callable[[], Any], note: str = "") -> Any:
            nonlocal sign_ins, calls
            value, signed = result.measure(emu, label, work, note)
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
    result.host_sign_ins.add(sign_ins)
    result.host_calls.add(calls)


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


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
    from pulumi_zpa_pkeys.lookups import LookupError as ZpaLookupError

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
