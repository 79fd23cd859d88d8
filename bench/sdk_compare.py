"""The same bulk work with the official `zscaler-sdk-python` client, against the same emulator.

Pointing the SDK at the emulator: the SDK has no base-URL option for ZPA. Its OneAPI client
builds `https://{vanity}.zslogin{cloud}.net` and `https://api.{cloud}.zsapi.net` from code, but
its legacy ZPA client looks the base URL up by cloud name in the module-level dict
`zscaler.constants.ZPA_BASE_URLS` (PRODUCTION, BETA, ..., DEV). The bench adds one entry,
`ZPA_BASE_URLS["EMULATOR"] = <emulator url>`, and passes `cloud="EMULATOR"`: no SDK code is
changed, and the legacy front door (`/signin`, `/mgmtconfig/...`) is the emulator's too.

Work per phase, 4 threads sharing one client as a user would: create = `add_provisioning_key`
(one POST; the SDK returns the create answer), refresh = `get_provisioning_key`, delete =
`delete_provisioning_key`. The SDK has no client-side pacing for ZPA (its `RateLimiter` is
constructed but never consulted); it reacts to 429 by sleeping `retry-after`, up to 5 attempts.
Each phase starts with `POST /_emulator/reset` (fresh rate windows; the SDK keeps no window
state of its own) and, for refresh and delete, `N` keys seeded without rate limits, so every
phase works on `N` keys even when an earlier phase failed.

Variants:
- `as shipped`: the SDK unchanged. With a window under 10 s the emulator's `retry-after` is in
  tenths (`0.4s`), which the legacy client parses with `int(...)`: every 429 fails the call.
- `retry-after shim` (optional): the bench sets `zscaler.zpa.legacy.int` to a parser that also
  accepts `0.4`, so the SDK's own retry loop runs as it would on a 10 s window.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import bulk
from benchlib import ASSOCIATION, CONNECTOR_CERT, CONNECTOR_GROUP, log, sizes
from bulk import PHASES, SHARED, PhaseResult, configure_limits, phase_result, run_pool
from section import Add, Context, Section, describe

from pulumi_zpa_pkeys.testing import RunningEmulator, emulator

CLOUD = "EMULATOR"
AS_SHIPPED = "SDK as shipped"
SHIMMED = "SDK + retry-after shim"


def sdk_available() -> bool:
    """Whether zscaler-sdk-python is installed (`make bench` installs it)."""
    return importlib.util.find_spec("zscaler") is not None


def point_sdk_at(emu: RunningEmulator) -> None:
    """Register the emulator as a legacy ZPA cloud named ``EMULATOR``."""
    import zscaler.constants

    zscaler.constants.ZPA_BASE_URLS[CLOUD] = emu.url


def sdk_client(emu: RunningEmulator) -> Any:
    """A legacy-mode SDK client on the emulator (signs in once, in its constructor)."""
    from zscaler.oneapi_client import LegacyZPAClient

    point_sdk_at(emu)
    return LegacyZPAClient(
        {
            "clientId": emu.client_id,
            "clientSecret": emu.client_secret,
            "customerId": emu.customer_id,
            "cloud": CLOUD,
        }
    )


@contextlib.contextmanager
def retry_after_shim() -> Iterator[None]:
    """Let the legacy client's ``int(retry_after.rstrip("sS"))`` accept ``0.4``."""
    import zscaler.zpa.legacy as legacy

    def lenient_int(value: Any, *args: Any) -> int | float:
        try:
            return int(value, *args)
        except ValueError:
            return float(value)

    legacy.int = lenient_int
    try:
        yield
    finally:
        del legacy.int


def _checked(answer: tuple[Any, Any, Any]) -> Any:
    """SDK calls answer ``(result, response, error)``; an error is a failure."""
    result, _response, error = answer
    if error is not None:
        raise error if isinstance(error, Exception) else RuntimeError(str(error))
    return result


def _seed(emu: RunningEmulator, count: int, prefix: str) -> list[str]:
    emu.seed(association_type=ASSOCIATION, count=count, name_prefix=prefix)
    keys = emu.state()["provisioningKeys"]
    return [str(k["id"]) for k in keys if str(k["name"]).startswith(prefix)]


def sdk_run(
    emu: RunningEmulator, count: int, window_s: float, tag: str, label: str
) -> list[PhaseResult]:
    """Create, refresh and delete ``count`` keys with one SDK client and 4 threads."""
    results: list[PhaseResult] = []
    emu.reset()
    with sdk_client(emu) as client:
        keys = client.zpa.provisioning

        def create(name: str) -> Any:
            return _checked(keys.add_provisioning_key(
                key_type="connector", name=name, max_usage="2",
                enrollment_cert_id=CONNECTOR_CERT, component_id=CONNECTOR_GROUP,
            ))  # fmt: skip

        def phase(name: str, items: list[str], work: Callable[[str], Any]) -> None:
            emu.clear_requests()
            seconds, _, errors = run_pool(items, work)
            log_entries = emu.requests_log()
            results.append(phase_result(label, name, count, window_s, seconds, log_entries, errors))

        phase("create", [f"sdk-{tag}-{i:04d}" for i in range(count)], create)
        emu.reset()  # refresh and delete each work on count keys seeded without rate limits
        phase("refresh", _seed(emu, count, f"sdk-{tag}-r-"),
              lambda key: _checked(keys.get_provisioning_key(key, "connector")))  # fmt: skip
        emu.reset()
        phase("delete", _seed(emu, count, f"sdk-{tag}-d-"),
              lambda key: _checked(keys.delete_provisioning_key(key, "connector")))  # fmt: skip
    for result in results:
        log(
            f"{label} {result.phase:<7} {count:>3} keys: {result.seconds:6.2f} s, ratio "
            f"{result.ratio:.3f}, 429s {result.traffic.too_many}, failures {result.failures}"
            + (f" ({result.first_error})" if result.first_error else "")
        )
    return results


def sdk_bulk(
    emu: RunningEmulator,
    counts: Sequence[int],
    runs: int,
    window_s: float,
    *,
    shim: bool = False,
) -> list[PhaseResult]:
    """``runs`` rounds of every size in ``counts`` with the SDK (optionally with the shim)."""
    import logging

    logging.getLogger("zscaler-sdk-python").setLevel(logging.CRITICAL)  # its 429 chatter
    configure_limits(emu, window_s)
    label = SHIMMED if shim else AS_SHIPPED
    results: list[PhaseResult] = []
    shim_context = retry_after_shim() if shim else contextlib.nullcontext()
    with shim_context:
        for run in range(runs):
            for count in counts:
                tag = f"{'s' if shim else 'a'}{run}-n{count}"
                results += sdk_run(emu, count, window_s, tag, label)
    emu.reset()
    return results


@dataclass(frozen=True)
class SdkResult:
    phases: list[PhaseResult]
    note: str = ""  # why there are none


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shim-sizes", type=sizes, default="30",
                        help="bulk sizes, SDK with the retry-after shim ('' = skip)")  # fmt: skip
    parser.add_argument("--no-sdk", action="store_true", help="skip zscaler-sdk-python")


def measure(ctx: Context) -> SdkResult:
    args = ctx.args
    if args.no_sdk:
        return SdkResult([])
    if not sdk_available():
        return SdkResult([], "zscaler-sdk-python is not installed; `make bench` installs it.")
    with emulator(rate_limit=True, legacy=True) as emu:
        results = sdk_bulk(emu, args.sizes, args.runs, args.window)
        if args.shim_sizes:
            results += sdk_bulk(emu, args.shim_sizes, args.runs, args.window, shim=True)
    return SdkResult(results)


def render(ctx: Context, result: SdkResult, add: Add) -> None:
    window = ctx.args.window
    if result.note:
        add(result.note)
        add("")
        return
    sdk = result.phases
    if not sdk:
        add("Skipped (`--no-sdk`).")
        add("")
        return
    describe(add, __doc__)
    add(f"Same emulator settings ({window:g} s window), 4 threads. The SDK's create is one POST "
        "(it returns ZPA's create answer, without the group and certificate names the provider "
        "reads back), so its create sends half the provider's requests; it runs in-process, "
        "without the provider host's gRPC hop. The provider's rows are "
        f"{ctx.refer(bulk.SECTION)}'s (sharing on).")  # fmt: skip
    add("")
    bulk_result: bulk.BulkResult | None = ctx.results.get(bulk.SECTION.key)
    provider = [r for r in bulk_result.phases if r.client == SHARED] if bulk_result else []
    both = provider + sdk
    add("| client | keys | phase | floor | wall time, s | ratio to floor | API requests | 429s "
        "| failures |")  # fmt: skip
    add("|---|---|---|---|---|---|---|---|---|")
    errors: dict[str, str] = {}
    for (client, count, phase), rows in bulk.groups(both).items():
        for row in rows:
            if row.first_error and client not in errors:
                errors[client] = row.first_error
        add(f"| {client} | {count} | {phase} | {rows[0].floor_s:.2f} s | "
            + bulk.phase_cells(rows))  # fmt: skip
    add("")
    add("Per run, create + refresh + delete, median:")
    add("")
    for count in sorted({r.count for r in both}):
        parts = []
        for client in dict.fromkeys(r.client for r in both):
            rows = [r for r in both if r.client == client and r.count == count]
            if not rows:
                continue
            seconds, _ = bulk.totals(rows)
            runs = max(1, len(rows) // len(PHASES))
            per_run_429 = sum(r.traffic.too_many for r in rows) / runs
            per_run_failed = sum(r.failures for r in rows) / runs
            per_run_api = sum(r.traffic.api for r in rows) / runs
            parts.append(f"{client} {seconds.median:.2f} s, {per_run_api:g} requests, "
                         f"{per_run_429:g} 429s, {per_run_failed:g} failures")  # fmt: skip
        add(f"- {count} keys: " + "; ".join(parts) + ".")
    add("")
    if errors:
        add("Failures, first exception of each client:")
        add("")
        for client, error in errors.items():
            add(f"- {client}: `{error}`")
        add("")
    if AS_SHIPPED in {r.client for r in sdk}:
        add(f"**Finding.** With a {window:g} s window the emulator answers 429 with "
            "`retry-after: 0.Ns` (tenths: the emulator sends those for windows under 10 s). "
            "The SDK's legacy ZPA client parses the header with "
            "`int(retry_after.rstrip(\"sS\"))` (`zscaler/zpa/legacy.py`, `send`), raises "
            "`ValueError` there, and the call fails: every 429 is a failed operation, nothing "
            "is retried. Its wall times are then short because most calls fail at once; the "
            "ratio is not a speed. On ZPA's real 10 s window (`retry-after: 13s`) the parse "
            "works; the shimmed variant shows that behaviour: it does not pace, so every "
            "window past the first costs 429s and a `retry-after` sleep per thread.")  # fmt: skip
        add("")


SECTION = Section(
    "sdk",
    "The same bulk work with the official `zscaler-sdk-python`",
    measure,
    render,
    options=options,
)
