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

import contextlib
import importlib.util
from collections.abc import Iterator, Sequence
from typing import Any

from benchlib import CONNECTOR_CERT, CONNECTOR_GROUP, log
from bulk import PhaseResult, configure_limits, phase_result, run_pool

from pulumi_zpa_pkeys.testing import RunningEmulator

CLOUD = "EMULATOR"


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
    emu.seed(association_type="CONNECTOR_GRP", count=count, name_prefix=prefix)
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

        emu.clear_requests()
        names = [f"sdk-{tag}-{i:04d}" for i in range(count)]
        seconds, _, errors = run_pool(names, create)
        results.append(
            phase_result(label, "create", count, window_s, seconds, emu.requests_log(), errors)
        )

        emu.reset()
        ids = _seed(emu, count, f"sdk-{tag}-r-")
        emu.clear_requests()
        seconds, _, errors = run_pool(
            ids, lambda key_id: _checked(keys.get_provisioning_key(key_id, "connector"))
        )
        results.append(
            phase_result(label, "refresh", count, window_s, seconds, emu.requests_log(), errors)
        )

        emu.reset()
        ids = _seed(emu, count, f"sdk-{tag}-d-")
        emu.clear_requests()
        seconds, _, errors = run_pool(
            ids, lambda key_id: _checked(keys.delete_provisioning_key(key_id, "connector"))
        )
        results.append(
            phase_result(label, "delete", count, window_s, seconds, emu.requests_log(), errors)
        )
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
    label = "SDK + retry-after shim" if shim else "SDK as shipped"
    results: list[PhaseResult] = []
    shim_context = retry_after_shim() if shim else contextlib.nullcontext()
    with shim_context:
        for run in range(runs):
            for count in counts:
                tag = f"{'s' if shim else 'a'}{run}-n{count}"
                results += sdk_run(emu, count, window_s, tag, label)
    emu.reset()
    return results
