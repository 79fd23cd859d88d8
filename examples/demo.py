"""`make demo`: the quickstart against the bundled ZPA emulator, on a throw-away local backend.

Steps: start the emulator; create a temporary Pulumi home and file backend; `pulumi stack init`;
set the `zpa:*` config that reaches the emulator (credentials as secrets) and the App Connector
group id; `pulumi up --yes`; `pulumi stack output` (the key stays `[secret]`); show the key as
the emulator holds it; `pulumi destroy --yes`; stop the emulator and delete everything made.

Isolation from the user's own Pulumi and ZPA set-up:
- `PULUMI_BACKEND_URL=file://<temp dir>` and `PULUMI_HOME=<temp dir>`: the user's login,
  credentials, selected stacks and plugin cache are neither read nor written;
- every `PULUMI_*`, `ZPA_*` and `ZSCALER_*` variable of the caller is dropped, so neither a
  real access token nor real ZPA credentials can reach the run;
- the only file written in the checkout is the stack's config file `Pulumi.<stack>.yaml`
  (Pulumi keeps it next to `Pulumi.yaml`; git ignores it); it is removed at the end.

Assumes the `pulumi` CLI is on PATH (the Makefile checks first) and runs from the repository's
virtualenv, which the root `Pulumi.yaml` names.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from pulumi_zpa_pkeys.testing import emulator

ROOT = Path(__file__).resolve().parent.parent
INSTALL_URL = "https://www.pulumi.com/docs/install/"
#: The emulator's seeded App Connector group (an id, kept as a string).
APP_CONNECTOR_GROUP_ID = "216196257331300001"
#: Config keys stored encrypted in the stack's config file.
SECRET_CONFIG_KEYS = frozenset(
    {"zpa:clientId", "zpa:clientSecret", "zpa:zpaClientId", "zpa:zpaClientSecret"}
)
_DROPPED_ENV_PREFIXES = ("PULUMI_", "ZPA_", "ZSCALER_")


class StepFailed(Exception):
    """A pulumi command exited non-zero; its own output already explains why."""


def demo_environment(temp: Path) -> dict[str, str]:
    """The caller's environment without Pulumi/ZPA settings, pointed at throw-away places."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_ENV_PREFIXES)}
    (temp / "backend").mkdir()
    (temp / "home").mkdir()
    env.update(
        {
            "PULUMI_BACKEND_URL": (temp / "backend").as_uri(),
            "PULUMI_HOME": str(temp / "home"),
            # Not a secret: it protects a stack that lives for a minute in a temp dir.
            "PULUMI_CONFIG_PASSPHRASE": "zpa-pkeys-demo",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # The stack uses only the Python dynamic provider: nothing to download.
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
    )
    return env


def pick_stack_name(root: Path) -> str:
    """`demo`, unless the checkout already has a `Pulumi.demo.yaml` of the user's own."""
    name = "demo"
    while (root / f"Pulumi.{name}.yaml").exists():
        name = f"demo-{secrets.token_hex(3)}"
    return name


def run(
    args: Sequence[str], env: Mapping[str, str], *, stdin: str | None = None, title: str = ""
) -> None:
    if title:
        print(f"\n== {title}", flush=True)
    print("$ " + " ".join(args), flush=True)
    result = subprocess.run(
        list(args), cwd=ROOT, env=dict(env), input=stdin, text=True, check=False
    )
    if result.returncode != 0:
        raise StepFailed(f"`{' '.join(args)}` exited with {result.returncode}")


def show_emulator_keys(url: str) -> None:
    """The demo's key as ZPA (the emulator) holds it, without the key value."""
    with urllib.request.urlopen(f"{url}/_emulator/state", timeout=10) as response:
        state = json.load(response)
    print("\n== The key as the emulator holds it (value left out)", flush=True)
    for key in state.get("provisioningKeys", []):
        shown = {f: key.get(f) for f in ("id", "name", "associationType", "maxUsage",
                                         "usageCount", "zcomponentName", "enrollmentCertName")}
        print("  " + json.dumps(shown), flush=True)


def main() -> int:
    if shutil.which("pulumi") is None:
        print(
            f"make demo: the 'pulumi' CLI is not on PATH; install it from {INSTALL_URL}",
            file=sys.stderr,
        )
        return 2
    stack = pick_stack_name(ROOT)
    stack_config_file = ROOT / f"Pulumi.{stack}.yaml"
    with tempfile.TemporaryDirectory(prefix="zpa-pkeys-demo-") as temp_dir:
        env = demo_environment(Path(temp_dir))
        print(f"Starting the ZPA emulator; Pulumi state goes to {env['PULUMI_BACKEND_URL']}")
        try:
            # ZPA's own rate limits on, as in a real tenant; the provider paces itself.
            with emulator(rate_limit=True) as emu:
                print(f"Emulator at {emu.url} (customer {emu.customer_id})", flush=True)
                run(["pulumi", "stack", "init", stack, "--non-interactive"], env,
                    title=f"Create the throw-away stack {stack!r}")
                print("\n== Configure the stack for the emulator", flush=True)
                for key, value in sorted(emu.config.items()):
                    if key in SECRET_CONFIG_KEYS:
                        # From stdin: a secret on the command line is visible to `ps`.
                        run(["pulumi", "config", "set", "--secret", key], env, stdin=value)
                    else:
                        run(["pulumi", "config", "set", key, value], env)
                run(["pulumi", "config", "set", "appConnectorGroupId", APP_CONNECTOR_GROUP_ID],
                    env)
                run(["pulumi", "up", "--yes", "--non-interactive"], env,
                    title="Deploy the quickstart (examples/quickstart)")
                run(["pulumi", "stack", "output"], env,
                    title="Stack outputs (the key is a secret: shown as [secret])")
                show_emulator_keys(emu.url)
                run(["pulumi", "destroy", "--yes", "--non-interactive"], env,
                    title="Clean up: delete the key again")
        except StepFailed as err:
            print(f"\nmake demo: {err}", file=sys.stderr)
            return 1
        finally:
            stack_config_file.unlink(missing_ok=True)
    print("\nDone: the emulator is stopped and the temporary backend is deleted.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
