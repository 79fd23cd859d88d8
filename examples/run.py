"""`make example NAME=<folder>`: run one example of `examples/` against the bundled ZPA emulator,
then delete everything it made. Exit 0 on success; nothing is left running.

What a run uses, for any folder holding a `__main__.py` and a `Pulumi.yaml`:

- the stack config in the folder's `Pulumi.emulator.yaml` (a Pulumi stack config file, the
  stack being `emulator`), when there is one;
- one emulator per ZPA tenant, started with ZPA's rate limits on: the default tenant (`zpa`) and
  every other config namespace whose `customerId` that file sets (say `zpa-emea`); each
  tenant's `baseUrl`, `customerId`, `clientId` and `clientSecret` are added to the stack config.

**With the `pulumi` CLI on PATH** (and only `pulumi` and this package in the example's
`requirements.txt`): the folder is copied to a temporary directory (its `virtualenv:` pointed
at the Python running this), Pulumi's state and home go to that directory too, and
`pulumi stack select --create emulator`, `pulumi config set` (credentials as secrets, from
stdin), `pulumi up --yes`, `pulumi stack output` and `pulumi destroy --yes` run there.

**Without it**, or when the example needs another provider (its `requirements.txt` names one,
such as `pulumi-aws`, which would create real cloud resources): the program runs under Pulumi
mocks in this process (`pulumi_zpa_pkeys.testing.deploy_program`); each of this package's
resources goes through the Pulumi SDK's own provider host (`python -u -m pulumi.dynamic`,
what `pulumi up` starts) to the emulator, with real ids and outputs flowing back into the
program; every other resource is mocked (not created anywhere). Then the same resources are
deleted, last created first, as `pulumi destroy` does.

Either way the run ends by checking that each emulator holds exactly what it held before.
The caller's `PULUMI_*`, `ZPA_*`, `ZSCALER_*`, `ZIA_*` and `ZTW_*` variables are dropped first:
no real tenant or Pulumi account is reached. A failure prints one line on stderr and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib.metadata
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from demo import (
    SECRET_CONFIG_KEYS,
    StepFailed,
    Terminated,
    _drop_callers_settings,
    _on_sigterm,
    _one_line,
    _unterminated,
    demo_environment,
)

from pulumi_zpa_pkeys.testing import (
    ProgramError,
    ProviderHostError,
    ProviderHostStartError,
    RunningEmulator,
    deploy_program,
    emulator,
)

EXAMPLES = Path(__file__).resolve().parent
STACK = "emulator"
CONFIG_FILE = f"Pulumi.{STACK}.yaml"
DEFAULT_TENANT = "zpa"
CLOUD_PRODUCTS = ("ZIA", "ZTW")  # served by every emulator beside ZPA
#: Requirements a run on the emulator can serve with the CLI: nothing but Pulumi and this package.
OWN_REQUIREMENTS = frozenset({"pulumi", "pulumi-zpa-pkeys"})
_DYNAMIC = "pulumi-python:dynamic/"


def examples() -> list[str]:
    """The folders `make example` can run: those holding a program and its Pulumi.yaml."""
    return sorted(
        p.parent.name for p in EXAMPLES.glob("*/__main__.py") if (p.parent / "Pulumi.yaml").exists()
    )


def _config_value(value: Any) -> str:
    """A stack config value as the program reads it: strings as they are, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def project_name(folder: Path) -> str:
    found = re.search(r"^name:\s*(\S+)", (folder / "Pulumi.yaml").read_text(), re.MULTILINE)
    if not found:
        raise StepFailed(f"{folder.name}/Pulumi.yaml names no project")
    return found.group(1)


def example_config(folder: Path, project: str) -> dict[str, str]:
    """The example's own stack config for the emulator (`Pulumi.emulator.yaml`), qualified."""
    path = folder / CONFIG_FILE
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    config = data.get("config") or {}
    return {
        (k if ":" in k else f"{project}:{k}"): _config_value(v) for k, v in sorted(config.items())
    }


def tenants(config: Mapping[str, str], project: str) -> dict[str, str | None]:
    """ZPA tenants (config namespace -> the customer id it asks for, or None for the default):
    `zpa`, and each other namespace that sets `customerId`."""
    found: dict[str, str | None] = {DEFAULT_TENANT: config.get(f"{DEFAULT_TENANT}:customerId")}
    for key, value in config.items():
        namespace, name = key.split(":", 1)
        if name == "customerId" and namespace != project:
            found[namespace] = value
    return found


def other_requirements(folder: Path) -> dict[str, str]:
    """What the example's requirements.txt names besides Pulumi and this package (a path
    line, the clone, is this package): package name -> the requirement as written."""
    path = folder / "requirements.txt"
    found: dict[str, str] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.split("#", 1)[0].strip()
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if name and not line.startswith("."):
            key = name.group(0).lower().replace("_", "-")
            if key not in OWN_REQUIREMENTS:
                found[key] = line
    return found


def install_missing(requirements: Mapping[str, str]) -> None:
    """pip-install the requirements whose package this Python lacks (`pulumi-aws` when only
    the runtime dependencies are installed, as after `make demo`)."""
    missing = []
    for name, spec in requirements.items():
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(spec)
    if missing:
        print(f"Installing what the example needs besides this package: {' '.join(missing)}")
        command = [sys.executable, "-m", "pip", "install", "--quiet", *missing]
        if subprocess.run(command, check=False).returncode != 0:
            raise StepFailed(f"`pip install {' '.join(missing)}` failed")


@contextlib.contextmanager
def started_emulators(wanted: Mapping[str, str | None]) -> Iterator[dict[str, RunningEmulator]]:
    """One emulator per tenant (ZPA's rate limits on); each stopped at the end."""
    running: dict[str, RunningEmulator] = {}
    with contextlib.ExitStack() as stack:
        for namespace, customer_id in wanted.items():
            options: dict[str, Any] = {"rate_limit": True}
            if customer_id:
                options["customer_id"] = customer_id
            try:
                with _unterminated():
                    running[namespace] = stack.enter_context(emulator(**options))
            except RuntimeError as err:  # did not start: one line (the tail of its stderr)
                raise StepFailed(" | ".join(str(err).splitlines())[:500]) from None
        try:
            yield running
        finally:
            with _unterminated():
                stack.close()


def tenant_config(running: Mapping[str, RunningEmulator]) -> dict[str, str]:
    """Each tenant's emulator settings in its own namespace, and the default emulator's ZIA and
    ZTW in `zia:*` and `ztw:*` (OneAPI sign-in, which a key rotation does not cut off)."""
    config = {
        f"{namespace}:{key.split(':', 1)[1]}": value
        for namespace, emu in running.items()
        for key, value in emu.config.items()
    }
    default = running.get(DEFAULT_TENANT)
    if default is not None:
        for product in CLOUD_PRODUCTS:
            config.update(default.cloud_config(product, oneapi=True))
    return config


def _objects(emu: RunningEmulator) -> set[tuple[str, str]]:
    """(collection, id) of every object the emulator holds."""
    return {
        (kind, str(item.get("id")))
        for kind, items in emu.state().items()
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict)
    }


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def _type(token: str) -> str:
    return token.removeprefix(_DYNAMIC)


# -- without the CLI: the program under mocks, its ZPA resources through the provider host ------


def engine_run(folder: Path, project: str, config: Mapping[str, str]) -> None:
    print(f"\n== pulumi up   (examples/{folder.name} under mocks, stack {STACK})")
    os.chdir(folder)  # where `pulumi` runs a program: relative paths in it are from here
    with contextlib.ExitStack() as stack:
        # SIGTERM waits for the program run to end (a signal raised inside its event loop
        # would not unwind cleanly); then leaving the stack deletes what it made.
        with _unterminated():
            deployment = stack.enter_context(
                deploy_program(folder, project=project, stack=STACK, config=config)
            )
        resources = deployment.resources
        width = max((len(r.name) for r in resources), default=0)
        type_width = max((len(_type(r.type)) for r in resources), default=0)
        for resource in resources:
            what = "created" if resource.applied else "mocked: not created anywhere"
            print(f"   + {resource.name:<{width}}  {_type(resource.type):<{type_width}}  {what}  "
                  f"[id={resource.id}]")  # fmt: skip
        outputs = deployment.stack_outputs
        print(f"   Resources: + {len(deployment.resources)} created")
        if outputs:
            print("   Outputs:")
            name_width = max(len(name) for name in outputs)
            for name in sorted(outputs):
                shown = "[secret]" if name in deployment.secret_outputs else _shown(outputs[name])
                print(f"      {name:<{name_width}}: {shown}")
        print("\n== pulumi destroy")
        for resource in deployment.destroy():
            what = "deleted" if resource.applied else "mocked: nothing to delete"
            print(f"   - {resource.name:<{width}}  {_type(resource.type):<{type_width}}  {what}")
        print(f"   Resources: - {len(deployment.destroyed)} deleted")


# -- with the CLI ----------------------------------------------------------------------------


def _copy_project(folder: Path, into: Path) -> Path:
    """The example in a directory of its own, its virtualenv this Python's (or none)."""
    project = into / folder.name
    shutil.copytree(folder, project, ignore=shutil.ignore_patterns("__pycache__"))
    pulumi_yaml = project / "Pulumi.yaml"
    venv = sys.prefix if sys.prefix != sys.base_prefix else None
    text = pulumi_yaml.read_text()
    if venv is not None:
        text = re.sub(r"(?m)^(\s*virtualenv:\s*).*$", lambda m: m.group(1) + venv, text)
    pulumi_yaml.write_text(text)
    return project


def _pulumi(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], stdin: str | None = None
) -> None:
    print("$ pulumi " + " ".join(args))
    result = subprocess.run(
        ["pulumi", *args], cwd=cwd, env=dict(env), input=stdin, text=True, check=False
    )
    if result.returncode != 0:
        raise StepFailed(f"`pulumi {' '.join(args)}` exited with {result.returncode}")


def cli_run(folder: Path, tenant_settings: Mapping[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="zpa-pkeys-example-") as temp_dir:
        temp = Path(temp_dir)
        env = demo_environment(temp)
        project = _copy_project(folder, temp)
        print(f"Pulumi state goes to {env['PULUMI_BACKEND_URL']}; the project runs from {project}")
        _pulumi(["stack", "select", "--create", STACK, "--non-interactive"], project, env)
        for key, value in sorted(tenant_settings.items()):
            if key.split(":", 1)[1] in {k.split(":", 1)[1] for k in SECRET_CONFIG_KEYS}:
                # From stdin: a secret on the command line is visible to `ps`.
                _pulumi(["config", "set", "--secret", key], project, env, stdin=value)
            else:
                _pulumi(["config", "set", key, value], project, env)
        _pulumi(["up", "--yes", "--non-interactive"], project, env)
        _pulumi(["stack", "output"], project, env)
        _pulumi(["destroy", "--yes", "--non-interactive"], project, env)


# -- entry point -----------------------------------------------------------------------------


def run(name: str, *, install: bool = False) -> None:
    folder = EXAMPLES / name
    if name not in examples():
        raise StepFailed(f"no example {name!r}; NAME is one of: {', '.join(examples())}")
    project = project_name(folder)
    own_config = example_config(folder, project)
    others = other_requirements(folder)
    has_cli = shutil.which("pulumi") is not None
    if install:
        install_missing(others)
    if not has_cli:
        print("make example: the 'pulumi' CLI is not on PATH; running the program under mocks, "
              "its ZPA resources through the Pulumi SDK's provider host.")  # fmt: skip
    elif others:
        print(f"make example: {name} also uses {', '.join(others)} (requirements.txt), whose "
              "resources `pulumi up` would create for real; so it runs without the CLI: its ZPA "
              "resources through the Pulumi SDK's provider host, the rest mocked.")  # fmt: skip
    with started_emulators(tenants(own_config, project)) as running:
        for namespace, emu in running.items():
            print(f"ZPA emulator for {namespace}:* at {emu.url} (customer {emu.customer_id}; "
                  "ZPA's rate limits on)")  # fmt: skip
        # Names only: a value may be a password, even a made-up one.
        shown = ", ".join(own_config) or "none"
        print(f"Stack config from {name}/{CONFIG_FILE}: {shown}")
        before = {namespace: _objects(emu) for namespace, emu in running.items()}
        settings = tenant_config(running)
        if has_cli and not others:
            cli_run(folder, settings)
        else:
            engine_run(folder, project, {**own_config, **settings})
        for namespace, emu in running.items():
            left = _objects(emu) - before[namespace]
            if left:
                raise StepFailed(f"the {namespace} emulator still holds {sorted(left)}")
        print("\nEvery emulator holds what it held before the run (checked in /_emulator/state).")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("name", metavar="NAME", help="a folder under examples/")
    parser.add_argument(
        "--install-missing",
        action="store_true",
        help="first pip-install the example's other requirements (say pulumi-aws) if missing",
    )
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, _on_sigterm)
    _drop_callers_settings()
    try:
        run(args.name, install=args.install_missing)
    except (StepFailed, ProgramError, ProviderHostError, ProviderHostStartError) as err:
        print(f"make example: {_one_line(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("make example: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("make example: stopped by SIGTERM", file=sys.stderr)
        return 143
    return 0


def _close_event_loops() -> None:
    """Close the event loops the Pulumi SDK ran the program on. Left open, they are collected
    at interpreter exit after their sockets, and asyncio then prints a traceback ("Exception
    ignored in BaseEventLoop.__del__ ... Invalid file descriptor"), as runs stopped by SIGTERM
    showed. Closed here, while their sockets are still open, they go quietly."""
    for found in gc.get_objects():
        idle = isinstance(found, asyncio.AbstractEventLoop) and not found.is_running()
        if idle and not found.is_closed():
            found.close()


if __name__ == "__main__":
    try:
        code = main()
    finally:
        _close_event_loops()
    sys.exit(code)
