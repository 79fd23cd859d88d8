"""`make demo` (examples/demo.py), with and without the Pulumi CLI.

Without the CLI the demo is run as `make demo` runs it on a newcomer's machine: a PATH without
`pulumi`, a fresh HOME, no PYTHON* variable, plus Pulumi/ZPA variables of the caller's own that
it must ignore. The emulator is the test's own (rate limits on, with a state journal), passed
with `--emulator-url`, so the test can read what the demo did to it: its request log, its state,
and the key values it issued (which must never appear in the demo's output).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newcomer import newcomer_env, path_without_pulumi, processes_marked

from pulumi_zpa_pkeys.testing import RunningEmulator, emulator

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo.py"
INSTALL_URL = "https://www.pulumi.com/docs/install/"
CONNECTOR_GROUP = "216196257331300001"
CONNECTOR_CERT = "6573"
#: The emulator's key values: `3|api.private.zscaler.com|<base64>-<digits>`.
KEY_VALUE = re.compile(r"\d\|api\.private\.zscaler\.com\|")
MARKER_VAR = "DEMO_TEST_MARKER"  # in the demo's environment, so in every process it starts
REQUESTS = re.compile(r"ZPA requests: (\d+) \(.*\) \+ (\d+) sign-ins?$")
SIGN_IN_PATHS = ("/signin", "/oauth2/v1/token")


def _blocks(stdout: str) -> dict[str, list[str]]:
    """The demo's sections (`== title`) by title; `Step N: ...` titles as `step N`."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    blocks["head"] = current
    for line in stdout.splitlines():
        if line.startswith("== "):
            title = line[3:]
            step = re.match(r"Step (\d+):", title)
            current = blocks[f"step {step.group(1)}" if step else title] = [title]
        else:
            current.append(line)
    return blocks


def _requests_line(block: list[str]) -> tuple[int, int]:
    """(API requests, sign-ins) from the block's one `ZPA requests:` line."""
    (match,) = [m for m in (REQUESTS.search(line) for line in block) if m]
    return int(match.group(1)), int(match.group(2))


def _issued_key_values(journal: Path) -> set[str]:
    """Every key value the emulator issued, from its state journal."""
    values: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name == "provisioningKey" and isinstance(value, str):
                    values.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for line in journal.read_text().splitlines():
        walk(json.loads(line))
    return values


@pytest.fixture
def zpa_tenant(tmp_path: Path) -> Iterator[RunningEmulator]:
    """A fresh emulator with ZPA's rate limits on, journalling its state."""
    with emulator(rate_limit=True, state_file=tmp_path / "zpa.journal") as running:
        yield running


def _run_demo(
    tmp_path: Path, marker: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DEMO), *args],
        env=newcomer_env(tmp_path, MARKER_VAR, marker, path=path_without_pulumi(with_python=False)),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# -- without the Pulumi CLI -------------------------------------------------------------------


def test_demo_without_cli_shows_every_step_and_its_requests_and_leaves_no_key(
    tmp_path: Path, zpa_tenant: RunningEmulator
) -> None:
    marker = uuid.uuid4().hex

    result = _run_demo(tmp_path, marker, "--emulator-url", zpa_tenant.url)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    lines = out.splitlines()
    assert [line for line in lines if INSTALL_URL in line] == [lines[0]]
    assert "'pulumi' CLI is not on PATH" in lines[0]
    blocks = _blocks(out)
    text = {name: "\n".join(block) for name, block in blocks.items()}

    # preview: a create, with the inputs the program registered (the cert id from the lookup)
    assert text["step 1"].startswith("Step 1: pulumi preview")
    assert re.search(r"^\s+\+ create\s+connector-key\b", text["step 1"], re.M)
    assert re.search(r"^\s+max_usage\s*: 2$", text["step 1"], re.M)
    assert re.search(rf'^\s+enrollment_cert_id\s*: "{CONNECTOR_CERT}"$', text["step 1"], re.M)
    assert re.search(rf'^\s+zcomponent_id\s*: "{CONNECTOR_GROUP}"$', text["step 1"], re.M)
    assert re.search(r'^\s+name\s*: "quickstart-demo"$', text["step 1"], re.M)

    # up: created, with the key value shown as a secret
    assert text["step 2"].startswith("Step 2: pulumi up")
    created = re.search(r"^\s+\+ create\s+connector-key\s+created\s+\[id=(\d+)\]", text["step 2"],
                        re.M)  # fmt: skip
    assert created
    key_id = created.group(1)
    assert re.search(r"^\s+provisioning_key\s*: \[secret\]$", text["step 2"], re.M)

    # in-place change previewed
    assert re.search(rf"^\s+~ update\s+connector-key\s+\[id={key_id}\]", text["step 3"], re.M)
    assert re.search(r"^\s+~ max_usage: 2 => 3$", text["step 3"], re.M)

    # replacing change previewed: the group the demo made through the API
    (group,) = [g for g in zpa_tenant.state()["appConnectorGroups"]
                if str(g["id"]) != CONNECTOR_GROUP and "2" in g["name"]]  # fmt: skip
    assert re.search(rf"^\s+\+-replace\s+connector-key\s+\[id={key_id}\]\s+forced by: "
                     r"zcomponent_id$", text["step 4"], re.M)  # fmt: skip
    assert re.search(rf'^\s+~ zcomponent_id: "{CONNECTOR_GROUP}" => "{group["id"]}"$',
                     text["step 4"], re.M)  # fmt: skip
    assert "max_usage" not in text["step 4"]

    # refresh finds the out-of-band change; destroy deletes the key
    assert text["step 5"].startswith("Step 5: pulumi refresh")
    assert re.search(r"^\s+~ max_usage: 2 => 7$", text["step 5"], re.M)
    assert text["step 6"].startswith("Step 6: pulumi destroy")
    assert re.search(rf"^\s+- delete\s+connector-key\s+deleted\s+\[id={key_id}\]", text["step 6"],
                     re.M)  # fmt: skip
    assert "The emulator holds no provisioning key" in out
    assert zpa_tenant.state()["provisioningKeys"] == []

    # the requests each step cost: as the README's demo section says, and all of the emulator's log
    counted = {name: _requests_line(block) for name, block in blocks.items()
               if name.startswith("step ") or "App Connector group" in name}  # fmt: skip
    api_per_step = {name: api for name, (api, _) in counted.items() if name.startswith("step ")}
    assert api_per_step == {
        "step 1": 1,  # the program's certificate lookup; Check costs nothing
        "step 2": 3,  # lookup; POST, GET
        "step 3": 1,
        "step 4": 1,
        "step 5": 1,  # Read: GET
        "step 6": 1,  # DELETE
    }
    assert all(sign_ins >= 1 for _, sign_ins in counted.values())
    log = zpa_tenant.requests_log()
    assert sum(api for api, _ in counted.values()) == sum(
        1 for r in log if r["path"] not in SIGN_IN_PATHS
    )
    assert sum(s for _, s in counted.values()) == sum(1 for r in log if r["path"] in SIGN_IN_PATHS)
    assert all(r["status"] is not None and r["status"] < 400 for r in log)

    # no secret anywhere, and nothing left running
    issued = _issued_key_values(Path(str(zpa_tenant.state_file)))
    assert issued, "the journal holds the key the demo created"
    for value in issued:
        assert value not in out
    assert not KEY_VALUE.search(out)
    for secret in (zpa_tenant.client_secret, "users-real-secret", "pul-users-own-token"):
        assert secret not in out
    assert processes_marked(MARKER_VAR, marker) == []


def test_demo_step_failure_is_one_line_on_stderr_and_leaves_no_process(
    tmp_path: Path, zpa_tenant: RunningEmulator
) -> None:
    zpa_tenant.add_fault(method="POST", path_regex="provisioningKey$", action="status",
                         status=400)  # fmt: skip
    marker = uuid.uuid4().hex

    result = _run_demo(tmp_path, marker, "--emulator-url", zpa_tenant.url)

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("make demo: ") and "create provisioning key" in line and "400" in line
    assert "Step 2: pulumi up" in result.stdout and "Step 3" not in result.stdout
    assert not KEY_VALUE.search(result.stdout + result.stderr)
    assert zpa_tenant.state()["provisioningKeys"] == []
    assert processes_marked(MARKER_VAR, marker) == []


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_demo_with_its_own_emulator_stops_everything_when_terminated(tmp_path: Path) -> None:
    """Without --emulator-url the demo starts its own emulator; SIGTERM mid-run stops it all."""
    marker = uuid.uuid4().hex
    with subprocess.Popen(
        [sys.executable, str(DEMO)],
        env=newcomer_env(tmp_path, MARKER_VAR, marker, path=path_without_pulumi(with_python=False)),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as demo:
        assert demo.stdout is not None and demo.stderr is not None
        seen = []
        for line in demo.stdout:
            seen.append(line)
            if line.startswith("== Step 2"):
                break
        assert any("started, with ZPA's rate limits on" in s for s in seen), seen
        assert processes_marked(MARKER_VAR, marker), "the demo's emulator (at least) is running"
        demo.send_signal(signal.SIGTERM)
        stdout, stderr = demo.communicate(timeout=60)

    assert demo.returncode != 0
    assert stderr.splitlines() == ["make demo: stopped by SIGTERM"]
    assert "Step 3" not in stdout
    assert processes_marked(MARKER_VAR, marker) == []


# -- SIGTERM at every moment of a child's start and stop ---------------------------------------


def _load_demo(name: str) -> Any:
    """A fresh copy of examples/demo.py as the module `name` (its shield state starts clean);
    in sys.modules while it runs (its dataclasses look their module up there)."""
    spec = importlib.util.spec_from_file_location(name, DEMO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _sigterm() -> None:
    """SIGTERM to this process: the demo's handler runs before the next line of Python."""
    os.kill(os.getpid(), signal.SIGTERM)


@pytest.fixture
def demo_module() -> Iterator[Any]:
    name = f"demo_{uuid.uuid4().hex}"
    module = _load_demo(name)
    previous = signal.signal(signal.SIGTERM, module._on_sigterm)
    try:
        yield module
    finally:
        signal.signal(signal.SIGTERM, previous)
        del sys.modules[name]


HOST_MOMENTS = ("before the start", "as the process starts", "as its port is read",
                "as it is configured", "as the start returns", "in use", "as it stops")  # fmt: skip


@pytest.mark.parametrize("moment", HOST_MOMENTS)
def test_demo_sigterm_at_any_moment_of_a_provider_host_leaves_it_stopped(
    demo_module: Any, zpa_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    """A SIGTERM deferred while a host starts is raised as the start ends; the host must be
    stopped then too (3 of 20 moments once left it running: the `try` began after the start)."""
    from pulumi.dynamic.dynamic import serialize_provider

    from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
    from pulumi_zpa_pkeys.testing import ProviderHost

    hosts: list[ProviderHost] = []
    pids: list[int] = []
    originals = {n: getattr(ProviderHost, n) for n in ("__init__", "start", "_read_port",
                                                       "_call", "stop")}  # fmt: skip

    def init(self: ProviderHost, *args: Any, **kwargs: Any) -> None:
        originals["__init__"](self, *args, **kwargs)
        hosts.append(self)
        if moment == "before the start":
            _sigterm()

    def start(self: ProviderHost) -> ProviderHost:
        if moment == "as the process starts":
            _sigterm()
        started: ProviderHost = originals["start"](self)
        pids.append(self.pid)
        if moment == "as the start returns":
            _sigterm()
        return started

    def read_port(self: ProviderHost) -> int:
        port: int = originals["_read_port"](self)
        if moment == "as its port is read":
            _sigterm()
        return port

    def call(self: ProviderHost, method: str, request: Any) -> Any:
        if moment == "as it is configured" and method == "Configure":
            _sigterm()
        return originals["_call"](self, method, request)

    def stop(self: ProviderHost) -> None:
        if moment == "as it stops":
            _sigterm()
        originals["stop"](self)

    for name, patch in (("__init__", init), ("start", start), ("_read_port", read_port),
                        ("_call", call), ("stop", stop)):  # fmt: skip
        monkeypatch.setattr(ProviderHost, name, patch)
    emu = demo_module.Emulator(
        zpa_emulator.url,
        zpa_emulator.customer_id,
        zpa_emulator.client_id,
        zpa_emulator.client_secret,
        owned=False,
    )
    engine = demo_module.EngineDemo(emu, "zpa-pkeys", log=None)  # fmt: skip
    blob = serialize_provider(ProvisioningKeyProvider())

    with pytest.raises(demo_module.Terminated), engine.provider_host(blob):
        if moment in ("in use", "as it stops"):
            hosts[0].check("k", {})
        if moment == "in use":
            _sigterm()

    (host,) = hosts
    assert host._process is None, "stopped by the demo itself"
    for pid in pids:
        with pytest.raises(ProcessLookupError):  # killed and reaped
            os.kill(pid, 0)


EMULATOR_MOMENTS = ("as it starts", "as the start returns", "in use", "as it stops")


@pytest.mark.parametrize("moment", EMULATOR_MOMENTS)
def test_demo_sigterm_at_any_moment_of_its_emulator_leaves_it_stopped(
    demo_module: Any, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    started: list[Any] = []
    real = demo_module.emulator

    @contextlib.contextmanager
    def emulator(**options: Any) -> Iterator[Any]:
        if moment == "as it starts":
            _sigterm()
        with real(**options) as running:
            started.append(running)
            if moment == "as the start returns":
                _sigterm()
            try:
                yield running
            finally:
                if moment == "as it stops":
                    _sigterm()

    monkeypatch.setattr(demo_module, "emulator", emulator)

    try:
        with demo_module.open_emulator(None):
            if moment == "in use":
                _sigterm()
    except demo_module.Terminated:
        # Checked while the exception is handled: its traceback keeps the demo's frames (and
        # so the emulator's context manager) alive, as in the demo, where nothing else would
        # stop a forgotten emulator but the garbage collector.
        (running,) = started
        assert running.process.poll() is not None, "stopped by the demo itself"
    else:
        pytest.fail("SIGTERM did not end the demo")


# -- make demo --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_without_pulumi_cli_installs_and_runs_the_demo(tmp_path: Path) -> None:
    """No CLI gate any more: `make demo` installs the venv, then runs examples/demo.py."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    env = {"PATH": path_without_pulumi(with_python=False), "HOME": str(tmp_path)}
    result = subprocess.run(
        ["make", "-n", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    commands = result.stdout.splitlines()
    assert any("pip install" in c for c in commands)
    assert commands[-1] == ".venv/bin/python examples/demo.py"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Makefile", "pyproject.toml"]


# -- with the Pulumi CLI ----------------------------------------------------------------------

_FAKE_PULUMI = """#!{python}
import json, os, sys
stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
env = {{k: v for k, v in os.environ.items() if k.startswith(("PULUMI_", "ZPA_", "ZSCALER_"))}}
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "env": env, "stdin": stdin,
                          "cwd": os.getcwd()}}) + "\\n")
"""


def test_demo_script_runs_quickstart_on_throwaway_backend(tmp_path: Path) -> None:
    """demo.py against a fake `pulumi` that records its calls: isolation and command order."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.jsonl"
    fake = bin_dir / "pulumi"
    fake.write_text(_FAKE_PULUMI.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_ACCESS_TOKEN": "pul-users-own-token",
        "PULUMI_BACKEND_URL": "https://api.pulumi.com",
        "ZSCALER_CLIENT_SECRET": "users-real-secret",
    }
    result = subprocess.run(
        [sys.executable, str(DEMO)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    argvs = [c["argv"] for c in calls]
    stack = argvs[0][2]
    assert argvs[0][:2] == ["stack", "init"]
    assert ["up", "--yes", "--non-interactive"] in argvs
    assert ["stack", "output"] in argvs  # no --show-secrets
    assert argvs.index(["stack", "output"]) > argvs.index(["up", "--yes", "--non-interactive"])
    assert ["config", "set", "appConnectorGroupId", CONNECTOR_GROUP] in argvs
    secrets_set = {c["argv"][-1]: c["stdin"] for c in calls if "--secret" in c["argv"]}
    assert set(secrets_set) == {"zpa:clientId", "zpa:clientSecret"}
    assert "zpa-emulator-secret" not in json.dumps(argvs)  # secrets travel on stdin only
    assert secrets_set["zpa:clientSecret"] == "zpa-emulator-secret"
    base_urls = [a[-1] for a in argvs if a[:3] == ["config", "set", "zpa:baseUrl"]]
    assert base_urls and base_urls[0].startswith("http://127.0.0.1:")
    backends = set()
    for call in calls:
        assert call["cwd"] == str(ROOT)
        assert "PULUMI_ACCESS_TOKEN" not in call["env"]
        assert not any(k.startswith(("ZPA_", "ZSCALER_")) for k in call["env"])
        assert call["env"]["PULUMI_CONFIG_PASSPHRASE"]
        assert call["env"]["PULUMI_HOME"] != str(Path.home() / ".pulumi")
        backends.add(call["env"]["PULUMI_BACKEND_URL"])
    (backend,) = backends
    assert backend.startswith("file://") and not Path(backend[len("file://") :]).exists()
    assert not (ROOT / f"Pulumi.{stack}.yaml").exists()
