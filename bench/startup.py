"""Cold start: fresh processes, each timed from spawn until it is ready (its exit not counted).

- `python -c pass`: the interpreter alone;
- `import pulumi`: the baseline every Pulumi program and provider host pays;
- `import pulumi_zpa_pkeys` (lazy: should cost about nothing over the interpreter) and
  `from pulumi_zpa_pkeys import ProvisioningKey` (what a program does);
- `python -m pulumi.dynamic` until it serves: port printed, gRPC channel ready and `Configure`
  answered (`ProviderHost.start()`); then until its first `Check` is answered (that call
  unpickles the provider, importing `pulumi_zpa_pkeys.provisioning_key`).

"Ready" for the `python -c` rows is a line the child prints after the statement ran. The kinds
are interleaved run by run so that drift in machine load hits all of them alike.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field

from benchlib import Series, key_inputs, log
from section import Add, Context, Section, describe

from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, emulator

IMPORTS = {
    "python -c pass": "pass",
    "import pulumi": "import pulumi",
    "import pulumi_zpa_pkeys": "import pulumi_zpa_pkeys",
    "from pulumi_zpa_pkeys import ProvisioningKey": "from pulumi_zpa_pkeys import ProvisioningKey",
}
HOST_SERVES = "python -m pulumi.dynamic: serving (port + Configure)"
HOST_FIRST_CHECK = "python -m pulumi.dynamic: first Check answered"


@dataclass
class StartupResult:
    rows: dict[str, Series] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.rows.setdefault(name, Series()).add(seconds * 1000)


def _spawn(code: str) -> float:
    """Seconds from spawning ``python -c code`` to its first line of output (after ``code``).

    Interpreter shutdown is not counted: a provider host never exits before it serves either.
    """
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", f"{code}\nprint('ready', flush=True)"], stdout=subprocess.PIPE
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        elapsed = time.perf_counter() - started
        child.stdout.read()
    if child.returncode != 0 or line.strip() != b"ready":
        raise RuntimeError(f"python -c {code!r} failed (exit {child.returncode})")
    return elapsed


def _host(config: dict[str, str]) -> tuple[float, float]:
    host = ProviderHost(ProvisioningKeyProvider(), config)
    started = time.perf_counter()
    host.start()
    serving = time.perf_counter() - started
    host.check("startup", key_inputs("startup"))
    checked = time.perf_counter() - started
    host.stop()
    return serving, checked


def cold_start(config: dict[str, str], runs: int) -> StartupResult:
    result = StartupResult()
    _spawn("import pulumi")  # warm the OS file cache once, unmeasured
    for _ in range(runs):
        for name, code in IMPORTS.items():
            result.add(name, _spawn(code))
        serving, checked = _host(config)
        result.add(HOST_SERVES, serving)
        result.add(HOST_FIRST_CHECK, checked)
    log("cold start: " + ", ".join(f"{k} {v.fmt(0)} ms" for k, v in result.rows.items()))
    return result


def measure(ctx: Context) -> StartupResult:
    with emulator() as emu:
        return cold_start(emu.config, ctx.args.small_runs)


def render(ctx: Context, boot: StartupResult, add: Add) -> None:
    describe(add, __doc__)
    add("| process | time, ms | over `import pulumi`, ms |")
    add("|---|---|---|")
    base = boot.rows.get("import pulumi")
    for name, series in boot.rows.items():
        delta = ""
        if base is not None and name != "import pulumi":
            diffs = Series([a - b for a, b in zip(series.values, base.values, strict=True)])
            lo, hi = min(diffs.values), max(diffs.values)
            delta = f"{diffs.median:+.0f} ({lo:+.0f} to {hi:+.0f})"
        add(f"| `{name}` | {series.fmt(0)} | {delta} |")
    add("")
    serving = boot.rows.get(HOST_SERVES)
    if serving is not None and base is not None:
        add(f"The provider host serves {serving.median - base.median:.0f} ms after a bare "
            "`import pulumi` would have finished (it imports pulumi, grpc and dill, then "
            "starts a gRPC server).")  # fmt: skip
        add("")


SECTION = Section("startup", "Cold start", measure, render)
