"""ZPA requests per ProvisioningKey lifecycle case, through the real provider host.

Run: `.venv/bin/python bench/lifecycle_requests.py`. Starts the bundled emulator and one
`python -m pulumi.dynamic` host (as the Pulumi engine does), runs each case once and prints the
API requests the emulator logged for it (sign-ins counted apart).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any

from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import (
    UNKNOWN,
    ProviderHost,
    ProviderHostError,
    ResourceState,
    emulator,
)

GROUP = "216196257331300001"


def inputs(name: str, **changes: Any) -> dict[str, Any]:
    base = {
        "association_type": "CONNECTOR_GRP",
        "name": name,
        "max_usage": 2,
        "enrollment_cert_id": "6573",
        "zcomponent_id": GROUP,
    }
    return {**base, **changes}


def measure(emu: Any, label: str, action: Callable[[], object]) -> None:
    emu.clear_requests()
    outcome = "ok"
    try:
        action()
    except ProviderHostError as err:
        outcome = "error: " + err.message.split(": ", 1)[-1][:64]
    log = emu.requests_log()
    api = [f"{e['method']}:{e['status']}" for e in log if "mgmtconfig" in e["path"]]
    sign_ins = sum(1 for e in log if e["path"] in ("/signin", "/oauth2/v1/token"))
    print(f"{label:<44} {len(api):>3}  {sign_ins:>3}  {' '.join(api) or '-':<42} {outcome}")


def main() -> None:
    with emulator() as emu, ProviderHost(ProvisioningKeyProvider(), emu.config) as host:
        print(f"{'case':<44} {'api':>3}  {'sgn':>3}  {'requests (method:status)':<42} outcome")
        states: dict[str, ResourceState] = {}

        def up(name: str, state: str | None = None, **changes: Any) -> None:
            states[name] = host.up(name, inputs(name, **changes), states.get(state or ""))

        measure(emu, "create (first call of the process)", lambda: up("a"))
        measure(emu, "create", lambda: up("b"))
        measure(
            emu,
            "preview/check+diff, no change",
            lambda: host.preview("b", inputs("b"), states["b"]),
        )
        measure(
            emu,
            "preview with unknown group",
            lambda: host.preview("b", inputs("b", zcomponent_id=UNKNOWN), states["b"]),
        )
        measure(emu, "update max_usage in place", lambda: up("b", "b", max_usage=5))
        measure(
            emu, "update enabled=false in place", lambda: up("b", "b", max_usage=5, enabled=False)
        )
        measure(
            emu,
            "replace (cert changed, name kept)",
            lambda: up("b", "b", max_usage=5, enabled=False, enrollment_cert_id="6571"),
        )
        measure(emu, "refresh (read)", lambda: host.refresh(states["b"]))
        emu.patch_key(states["a"].id, maxUsage="9")
        measure(emu, "refresh with drift", lambda: host.refresh(states["a"]))
        measure(emu, "destroy", lambda: host.destroy(states["a"]))
        measure(emu, "destroy again (already gone)", lambda: host.destroy(states["a"]))
        measure(emu, "refresh of a deleted key", lambda: host.refresh(states["a"]))
        measure(emu, "create non-exportable (hidden) key", lambda: up("h", exportable=False))
        measure(emu, "refresh hidden key (value kept)", lambda: host.refresh(states["h"]))
        emu.patch_key(states["h"].id, readOnly=True)
        measure(
            emu,
            "update a Deception (read-only) key",
            lambda: up("h", "h", exportable=False, max_usage=3),
        )
        measure(emu, "destroy a Deception (read-only) key", lambda: host.destroy(states["h"]))
        measure(
            emu,
            "adopt existing key (values differ)",
            lambda: up("b", max_usage=7, enrollment_cert_id="6571", adopt_existing=True),
        )
        emu.add_fault(method="POST", path_regex="provisioningKey$", action="drop_after")
        measure(emu, "create, answer lost after commit", lambda: up("lost"))
        emu.add_fault(method="POST", path_regex="provisioningKey$", action="drop_after")
        measure(emu, "create hidden key, answer lost", lambda: up("lost-h", exportable=False))

        def four() -> None:
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda n: up(n), ["c1", "c2", "c3", "c4"]))

        measure(emu, "4 concurrent creates", four)


if __name__ == "__main__":
    main()
