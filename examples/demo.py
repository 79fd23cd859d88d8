"""`make demo`: the quickstart against the bundled ZPA emulator, with or without the Pulumi CLI.

**With `pulumi` on PATH**: start the emulator; create a temporary Pulumi home and file backend;
`pulumi stack init`; set the `zpa:*` config that reaches the emulator (credentials as secrets)
and the App Connector group id; `pulumi up --yes`; `pulumi stack output` (the key stays
`[secret]`); show the key as the emulator holds it; `pulumi destroy --yes`; stop the emulator
and delete everything made.

**Without it**: say so in one line, then take the quickstart's key through the Pulumi SDK's own
provider host (`python -u -m pulumi.dynamic`, the process `pulumi up` starts for a dynamic
provider), driven over gRPC in the engine's order: `preview`, `up`, a preview of an in-place
change (`maxUsage` 2 -> 3) and of a replacing one (another App Connector group), `refresh`
after a change made out of band, `destroy`. For each step it prints what `pulumi preview`/`up`
would show and the ZPA requests the step cost, read from the emulator's request log. The key's
inputs and pickled provider come from running the real program `examples/quickstart/` under
Pulumi mocks, in a fresh process per command as the CLI does (its certificate lookup really
reaches the emulator); each command gets a fresh provider host, configured with the stack's
config, as under the CLI.

Isolation from the user's own Pulumi and ZPA set-up, on both paths:
- every `PULUMI_*`, `ZPA_*`, `ZSCALER_*`, `ZIA_*` and `ZTW_*` variable of the caller is dropped
  first, so neither a real access token nor real Zscaler credentials can reach the run;
- with the CLI, `PULUMI_BACKEND_URL=file://<temp dir>` and `PULUMI_HOME=<temp dir>`: the user's
  login, credentials, selected stacks and plugin cache are neither read nor written; the only
  file written in the checkout is the stack's config file `Pulumi.<stack>.yaml` (Pulumi keeps it
  next to `Pulumi.yaml`; git ignores it); it is removed at the end.

The emulator runs with ZPA's rate limits on, as a real tenant. `--emulator-url URL` uses an
emulator that is already running (with the default credentials) instead, and leaves it running.
A failed step prints one line on stderr and exits 1; no process is left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pulumi_zpa_pkeys.testing import (
    ProgramError,
    ProviderHost,
    ProviderHostError,
    ProviderHostStartError,
    ResourceState,
    emulator,
    run_program_process,
)
from pulumi_zpa_pkeys.testing.emulator_process import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_CUSTOMER_ID,
)

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart"
INSTALL_URL = "https://www.pulumi.com/docs/install/"
#: The emulator's seeded App Connector group (an id, kept as a string).
APP_CONNECTOR_GROUP_ID = "216196257331300001"
#: Config keys stored encrypted in the stack's config file.
SECRET_CONFIG_KEYS = frozenset(
    {"zpa:clientId", "zpa:clientSecret", "zpa:zpaClientId", "zpa:zpaClientSecret"}
)
_DROPPED_ENV_PREFIXES = ("PULUMI_", "ZPA_", "ZSCALER_", "ZIA_", "ZTW_")
SIGN_IN_PATHS = ("/signin", "/oauth2/v1/token")
STACK = "demo"
KEY_TYPE = "pulumi-python:dynamic/zpa:ProvisioningKey"
#: Out-of-band change made before `refresh`, as if in the ZPA admin portal.
DRIFTED_MAX_USAGE = 7


class StepFailed(Exception):
    """A step failed; the message is one line, without secrets."""


class Terminated(Exception):
    """SIGTERM: unwind like Ctrl-C, so the emulator and provider hosts are stopped."""


_shield = {"depth": 0, "pending": False}


def _on_sigterm(_signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up short
    if _shield["depth"]:
        _shield["pending"] = True  # raised when the process start or stop under way is done
        return
    raise Terminated


@contextlib.contextmanager
def _unterminated() -> Iterator[None]:
    """Starting or stopping a child process is not cut short by SIGTERM (an exception raised
    between fork and bookkeeping would leave the child running); the signal takes effect
    as soon as the section ends."""
    _shield["depth"] += 1
    try:
        yield
    finally:
        _shield["depth"] -= 1
        if not _shield["depth"] and _shield["pending"]:
            _shield["pending"] = False
            raise Terminated


def _drop_callers_settings() -> None:
    """Forget the caller's Pulumi/ZPA settings for this process and every process it starts."""
    for name in list(os.environ):
        if name.startswith(_DROPPED_ENV_PREFIXES):
            del os.environ[name]


# -- the emulator ---------------------------------------------------------------------------

# Loopback only: never through a proxy the caller's environment may name.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Emulator:
    """Where the emulator listens and the `zpa:*` config that reaches it."""

    url: str
    customer_id: str
    client_id: str
    client_secret: str
    owned: bool

    @property
    def config(self) -> dict[str, str]:
        """OneAPI settings; the client keeps its default (ZPA's) rate budget."""
        return {
            "zpa:baseUrl": self.url,
            "zpa:customerId": self.customer_id,
            "zpa:clientId": self.client_id,
            "zpa:clientSecret": self.client_secret,
        }

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with _opener.open(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            err.close()
            raise StepFailed(f"{method} {path} answered {err.code}") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise StepFailed(f"{method} {self.url}{path} failed: {reason}") from None
        return json.loads(raw) if raw else None

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", "/_emulator/state")
        return result

    def requests_log(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.call("GET", "/_emulator/requests")
        return result

    def token(self) -> str:
        """A OneAPI bearer token (the sign-in the provider does, done by hand)."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "audience": "https://api.zscaler.com",
        }
        request = urllib.request.Request(
            f"{self.url}/oauth2/v1/token",
            urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with _opener.open(request, timeout=30) as response:
                token: str = json.load(response)["access_token"]
        except urllib.error.HTTPError as err:
            err.close()
            raise StepFailed(f"sign-in at {request.full_url} answered {err.code}") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise StepFailed(f"sign-in at {request.full_url} failed: {reason}") from None
        return token


@contextlib.contextmanager
def open_emulator(url: str | None) -> Iterator[Emulator]:
    """Start the bundled emulator (ZPA's rate limits on), or use the one at `url`."""
    if url is not None:
        yield Emulator(url.rstrip("/"), DEFAULT_CUSTOMER_ID, DEFAULT_CLIENT_ID,
                       DEFAULT_CLIENT_SECRET, owned=False)  # fmt: skip
        return
    running = emulator(rate_limit=True)
    started = False
    # The start is inside the `try`: a SIGTERM deferred during the start is raised as the
    # shield ends, and the `finally` must already be in force then.
    try:
        with _unterminated():
            try:
                emu = running.__enter__()
            except RuntimeError as err:  # did not start: one line (the tail of its stderr)
                raise StepFailed(" | ".join(str(err).splitlines())[:500]) from None
            started = True
        yield Emulator(emu.url, emu.customer_id, emu.client_id, emu.client_secret, owned=True)
    finally:
        if started:
            with _unterminated():
                running.__exit__(None, None, None)


# -- with the Pulumi CLI --------------------------------------------------------------------


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
    name = STACK
    while (root / f"Pulumi.{name}.yaml").exists():
        name = f"{STACK}-{secrets.token_hex(3)}"
    return name


def run(
    args: Sequence[str], env: Mapping[str, str], *, stdin: str | None = None, title: str = ""
) -> None:
    if title:
        print(f"\n== {title}")
    print("$ " + " ".join(args))
    result = subprocess.run(
        list(args), cwd=ROOT, env=dict(env), input=stdin, text=True, check=False
    )
    if result.returncode != 0:
        raise StepFailed(f"`{' '.join(args)}` exited with {result.returncode}")


def show_emulator_keys(emu: Emulator) -> None:
    """The demo's key as ZPA (the emulator) holds it, without the key value."""
    print("\n== The key as the emulator holds it (value left out)")
    for key in emu.state().get("provisioningKeys", []):
        shown = {
            f: key.get(f)
            for f in (
                "id",
                "name",
                "associationType",
                "maxUsage",
                "usageCount",
                "zcomponentName",
                "enrollmentCertName",
            )
        }
        print("  " + json.dumps(shown))


def cli_demo(emu: Emulator) -> None:
    stack = pick_stack_name(ROOT)
    stack_config_file = ROOT / f"Pulumi.{stack}.yaml"
    try:
        with tempfile.TemporaryDirectory(prefix="zpa-pkeys-demo-") as temp_dir:
            env = demo_environment(Path(temp_dir))
            print(f"Pulumi state goes to {env['PULUMI_BACKEND_URL']}")
            run(
                ["pulumi", "stack", "init", stack, "--non-interactive"],
                env,
                title=f"Create the throw-away stack {stack!r}",
            )
            print("\n== Configure the stack for the emulator")
            for key, value in sorted(emu.config.items()):
                if key in SECRET_CONFIG_KEYS:
                    # From stdin: a secret on the command line is visible to `ps`.
                    run(["pulumi", "config", "set", "--secret", key], env, stdin=value)
                else:
                    run(["pulumi", "config", "set", key, value], env)
            run(["pulumi", "config", "set", "appConnectorGroupId", APP_CONNECTOR_GROUP_ID], env)
            run(
                ["pulumi", "up", "--yes", "--non-interactive"],
                env,
                title="Deploy the quickstart (examples/quickstart)",
            )
            run(
                ["pulumi", "stack", "output"],
                env,
                title="Stack outputs (the key is a secret: shown as [secret])",
            )
            show_emulator_keys(emu)
            run(
                ["pulumi", "destroy", "--yes", "--non-interactive"],
                env,
                title="Clean up: delete the key again",
            )
    finally:
        stack_config_file.unlink(missing_ok=True)
    print("\nDone: the temporary backend is deleted.")


# -- without the Pulumi CLI: the engine's calls through the SDK's provider host ---------------


def _project_name() -> str:
    """The project name in the root Pulumi.yaml (its config namespace)."""
    found = re.search(r"^name:\s*(\S+)", (ROOT / "Pulumi.yaml").read_text(), re.MULTILINE)
    if not found:
        raise StepFailed("Pulumi.yaml names no project")
    return found.group(1)


def _shown(value: Any) -> str:
    """A value as Pulumi prints it: JSON, whole numbers without a fraction (wire floats)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _request_label(entry: Mapping[str, Any]) -> str:
    """`GET provisioningKey/{id}` for a management API request (status added unless 2xx)."""
    path = str(entry["path"])
    tail = path.split("/customers/", 1)[-1].split("/", 1)[-1] if "/customers/" in path else path
    tail = re.sub(r"^associationType/[^/]+/", "", tail)
    tail = "/".join("{id}" if part.isdigit() else part for part in tail.split("/"))
    status = entry.get("status")
    suffix = "" if isinstance(status, int) and 200 <= status < 300 else f" -> {status}"
    return f"{entry['method']} {tail}{suffix}"


class Requests(NamedTuple):
    api: list[str]  # labels of the management API requests, in order
    sign_ins: int


@dataclass
class RequestLog:
    """The emulator's request log; each `take()` returns what arrived since the last one."""

    emu: Emulator
    seen: int = 0
    total: Requests = field(default_factory=lambda: Requests([], 0))

    def take(self) -> Requests:
        log = self.emu.requests_log()
        new, self.seen = log[self.seen :], len(log)
        taken = Requests(
            [_request_label(e) for e in new if e["path"] not in SIGN_IN_PATHS],
            sum(1 for e in new if e["path"] in SIGN_IN_PATHS),
        )
        self.total = Requests(self.total.api + taken.api, self.total.sign_ins + taken.sign_ins)
        return taken


@dataclass(frozen=True)
class Registered:
    """The key as one run of the program registered it (RegisterResource)."""

    name: str
    inputs: dict[str, Any]  # plain, as the engine hands them to the provider
    blob: str  # `__provider`: the pickled provider
    secret_inputs: frozenset[str]
    secret_outputs: frozenset[str]  # additionalSecretOutputs


@dataclass
class Deployed:
    """What the engine keeps in the stack's state for the key."""

    state: ResourceState
    blob: str  # the `__provider` stored with it: refresh and destroy use this one
    secret_outputs: frozenset[str]


def _fail_on(failures: list[tuple[str, str]]) -> None:
    if failures:
        raise StepFailed("; ".join(f"{prop}: {reason}" for prop, reason in failures))


@dataclass
class EngineDemo:
    """Each `pulumi` command as the engine runs it: the program in a fresh process (under
    mocks), then a fresh provider host, `Configure`d with the stack config, for the calls."""

    emu: Emulator
    project: str
    log: RequestLog
    config: dict[str, str] = field(default_factory=dict)  # the project's config, unqualified

    # -- building blocks --------------------------------------------------------------------

    def stack_config(self) -> dict[str, str]:
        """The whole stack config, as the engine hands it to the program and to `Configure`."""
        return {**self.emu.config, **{f"{self.project}:{k}": v for k, v in self.config.items()}}

    def run_program(self, *, preview: bool) -> tuple[Registered, Requests]:
        """The quickstart under mocks, in a fresh process; what it registered and the ZPA
        requests its lookups cost."""
        with _unterminated():  # a process of its own, waited for
            run = run_program_process(
                QUICKSTART, project=self.project, stack=STACK, config=self.stack_config(),
                preview=preview, cwd=ROOT,
            )  # fmt: skip
        keys = run.of_type(KEY_TYPE)
        if len(keys) != 1:
            raise StepFailed(f"the quickstart registered {len(keys)} provisioning keys, not 1")
        (reg,) = keys
        if reg.provider_blob is None:
            raise StepFailed(f"{reg.name}: the program registered no pickled provider")
        inputs = reg.plain_inputs()
        registered = Registered(
            reg.name,
            inputs,
            reg.provider_blob,
            frozenset(k for k in inputs if reg.is_secret(k)),
            frozenset(reg.additional_secret_outputs),
        )
        return registered, self.log.take()

    @contextlib.contextmanager
    def provider_host(self, blob: str) -> Iterator[ProviderHost]:
        """`python -u -m pulumi.dynamic` for one command, `Configure`d with the stack config."""
        host = ProviderHost(
            blob, self.stack_config(), env=dict(os.environ), cwd=str(ROOT),
            project=self.project, stack=STACK,
        )  # fmt: skip
        # The start is inside the `try` (stop() is safe on a host that never started): a
        # SIGTERM deferred during the start is raised as the shield ends, within the `try`.
        try:
            with _unterminated():
                host.start()
            yield host
        finally:
            with _unterminated():
                host.stop()

    def report(self, program: Requests | None) -> None:
        """The step's ZPA requests: the program's lookups, then the provider's calls."""
        provider = self.log.take()
        parts = [] if program is None else ["program: " + (", ".join(program.api) or "none")]
        parts.append("provider: " + (", ".join(provider.api) or "none"))
        count = len(provider.api) + (len(program.api) if program else 0)
        sign_ins = provider.sign_ins + (program.sign_ins if program else 0)
        print(f"   ZPA requests: {count} ({'; '.join(parts)}) + {_plural(sign_ins, 'sign-in')}")

    @staticmethod
    def title(number: int, command: str, note: str = "") -> None:
        print(f"\n== Step {number}: {command}" + (f"   ({note})" if note else ""))

    @staticmethod
    def properties(values: Mapping[str, Any], secret: frozenset[str]) -> None:
        width = max((len(k) for k in values), default=0)
        for name in sorted(values):
            shown = "[secret]" if name in secret else _shown(values[name])
            print(f"        {name:<{width}}: {shown}")

    @staticmethod
    def changes(olds: Mapping[str, Any], news: Mapping[str, Any], secret: frozenset[str]) -> None:
        """`~ field: old => new` for every field that differs (a secret as [secret])."""
        for name in sorted(set(olds) | set(news)):
            old = _shown(olds[name]) if name in olds else "(unset)"
            new = _shown(news[name]) if name in news else "(unset)"
            if old != new:
                if name in secret:
                    old, new = "[secret]", "[secret]"
                print(f"        ~ {name}: {old} => {new}")

    # -- the steps --------------------------------------------------------------------------

    def preview_new(self, number: int) -> None:
        self.title(number, "pulumi preview", "a new stack: the key does not exist yet")
        key, program = self.run_program(preview=True)
        with self.provider_host(key.blob) as host:
            checked = host.check(key.name, key.inputs)  # Check(olds={}, news); nothing else
            _fail_on(checked.failures)
            print(f"   + create    {key.name}  ({KEY_TYPE})")
            print(f"        [urn={host.urn(key.name)}]")
            self.properties(checked.inputs, key.secret_inputs)
        print("   Resources: + 1 to create")
        self.report(program)

    def up_create(self, number: int) -> Deployed:
        self.title(number, "pulumi up --yes --skip-preview", "step 1 was its preview")
        key, program = self.run_program(preview=False)
        with self.provider_host(key.blob) as host:
            state = host.up(key.name, key.inputs)  # Check, then Create
        print(f"   + create    {key.name}  created  [id={state.id}]")
        print("      outputs (secrets shown as [secret], as Pulumi displays them):")
        self.properties(state.outputs, key.secret_outputs)
        print("   Resources: + 1 created")
        self.report(program)
        return Deployed(state, key.blob, key.secret_outputs)

    def preview_change(self, number: int, deployed: Deployed, what: str) -> None:
        self.title(number, "pulumi preview", what)
        key, program = self.run_program(preview=True)
        state = deployed.state
        with self.provider_host(key.blob) as host:
            checked = host.check(key.name, key.inputs, state.inputs)  # Check(olds, news)
            _fail_on(checked.failures)
            diff = host.diff(key.name, state.id, state.outputs, checked.inputs)
        # Diff decides the operation; the engine renders the change from old and new inputs.
        if diff.changes == "none":
            print(f"     same      {key.name}  [id={state.id}]")
            print("   Resources: 1 unchanged")
        elif diff.replaces:
            forced_by = ", ".join(diff.replaces)
            print(f"   +-replace   {key.name}  [id={state.id}]  forced by: {forced_by}")
            self.changes(state.inputs, checked.inputs, key.secret_inputs)
            if diff.delete_before_replace:
                print("      (the name stays, so the old key is deleted first; new key, new value)")
            else:
                print("      (the new key is created first, then the old one deleted)")
            print("   Resources: +-1 to replace")
        else:
            print(f"   ~ update    {key.name}  [id={state.id}]")
            self.changes(state.inputs, checked.inputs, key.secret_inputs)
            print("   Resources: ~ 1 to update")
        self.report(program)

    def refresh(self, number: int, deployed: Deployed) -> None:
        self.title(number, "pulumi refresh --yes", "reads the key back from ZPA")
        old = deployed.state
        with self.provider_host(deployed.blob) as host:  # Read(id, stored outputs)
            new = host.refresh(old)
        if new is None:
            raise StepFailed(f"refresh: the key {old.id} is gone from ZPA")
        if new.outputs != old.outputs:
            print(f"   ~ update    {old.name}  [id={new.id}]  drift: changed outside Pulumi")
            self.changes(old.outputs, new.outputs, deployed.secret_outputs)
            print("   Resources: ~ 1 updated (the stack's state now holds what ZPA holds)")
        else:
            print(f"     same      {old.name}  [id={new.id}]  no drift")
            print("   Resources: 1 unchanged")
        deployed.state = new
        self.report(None)

    def destroy(self, number: int, deployed: Deployed) -> None:
        self.title(number, "pulumi destroy --yes")
        state = deployed.state
        with self.provider_host(deployed.blob) as host:  # Delete(id, stored outputs)
            host.destroy(state)
        print(f"   - delete    {state.name}  deleted  [id={state.id}]")
        print("   Resources: - 1 deleted")
        self.report(None)

    # -- changes made outside Pulumi --------------------------------------------------------

    def second_group(self) -> str:
        """Another App Connector group, made through the ZPA API (as an admin would)."""
        token = self.emu.token()
        path = f"/zpa/mgmtconfig/v1/admin/customers/{self.emu.customer_id}/appConnectorGroup"
        body = {"name": "Demo Connector Group 2", "enabled": True}
        group_id = str(self.emu.call("POST", path, body, token=token)["id"])
        made = self.log.take()
        print(f"\n== Meanwhile, through the ZPA API: a second App Connector group "
              f"{body['name']!r} (id {group_id})")  # fmt: skip
        print(f"   ZPA requests: {len(made.api)} ({', '.join(made.api)}) + "
              f"{_plural(made.sign_ins, 'sign-in')}")  # fmt: skip
        return group_id

    def drift(self, deployed: Deployed) -> None:
        key_id = deployed.state.id
        patch = {"maxUsage": str(DRIFTED_MAX_USAGE)}
        self.emu.call("PATCH", f"/_emulator/provisioningKey/{key_id}", patch)
        print(f"\n== Meanwhile, outside Pulumi (as in the ZPA admin portal): key {key_id} gets "
              f"maxUsage {DRIFTED_MAX_USAGE}")  # fmt: skip
        print("   (through the emulator's control endpoint: no ZPA request)")


def engine_demo(emu: Emulator) -> None:
    project = _project_name()
    log = RequestLog(emu, seen=len(emu.requests_log()))
    demo = EngineDemo(emu, project, log, {"appConnectorGroupId": APP_CONNECTOR_GROUP_ID})
    print(
        f"Program: examples/quickstart (project {project}, stack {STACK}) under Pulumi mocks, "
        "in a fresh process per command;\n"
        "provider: the Pulumi SDK's provider host (python -u -m pulumi.dynamic), one per "
        "command, called over gRPC as the engine calls it.\n"
        f"Stack config: appConnectorGroupId={APP_CONNECTOR_GROUP_ID}, and zpa:* for the "
        "emulator (credentials not shown)."
    )

    demo.preview_new(1)
    deployed = demo.up_create(2)

    demo.config["maxUsage"] = "3"
    demo.preview_change(3, deployed, "after `pulumi config set maxUsage 3`; not applied")
    del demo.config["maxUsage"]

    group_id = demo.second_group()
    demo.config["appConnectorGroupId"] = group_id
    demo.preview_change(
        4, deployed, f"after `pulumi config set appConnectorGroupId {group_id}`; not applied"
    )
    demo.config["appConnectorGroupId"] = APP_CONNECTOR_GROUP_ID

    demo.drift(deployed)
    demo.refresh(5, deployed)
    demo.destroy(6, deployed)

    left = emu.state()["provisioningKeys"]
    if left:
        raise StepFailed(f"the emulator still holds {_plural(len(left), 'provisioning key')}")
    print("\nThe emulator holds no provisioning key (checked in /_emulator/state).")
    print(
        f"ZPA requests in all: {len(log.total.api)} + {_plural(log.total.sign_ins, 'sign-in')} "
        "(one per process that calls ZPA)."
    )


# -- entry point ----------------------------------------------------------------------------


def _one_line(err: BaseException) -> str:
    text = " | ".join(line.strip() for line in str(err).splitlines() if line.strip())
    return text or type(err).__name__


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--emulator-url",
        help="use this running emulator (default credentials) instead of starting one",
    )
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, _on_sigterm)
    _drop_callers_settings()
    has_cli = shutil.which("pulumi") is not None

    try:
        if not has_cli:
            print(
                "make demo: the 'pulumi' CLI is not on PATH (install it from "
                f"{INSTALL_URL}); showing the quickstart through the Pulumi SDK's "
                "provider host instead."
            )
        with open_emulator(args.emulator_url) as emu:
            how = "started, with ZPA's rate limits on" if emu.owned else "given"
            print(f"ZPA emulator at {emu.url} (customer {emu.customer_id}; {how})")
            if has_cli:
                cli_demo(emu)
            else:
                engine_demo(emu)
        if emu.owned:
            print("Emulator stopped.")
    except (StepFailed, ProgramError, ProviderHostError, ProviderHostStartError) as err:
        print(f"make demo: {_one_line(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("make demo: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("make demo: stopped by SIGTERM", file=sys.stderr)
        return 143
    return 0


if __name__ == "__main__":
    sys.exit(main())
