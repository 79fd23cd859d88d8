"""The emulator as a process: command line, what it prints on start, signals, ``--state``
durability, no pulumi import, and the curl session of docs/emulator.md run as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from pulumi_zpa_pkeys.emulator.urls import DOORS
from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator, emulator

DOCS = Path(__file__).resolve().parent.parent / "docs" / "emulator.md"

KEY_PATH = "/zpa/mgmtconfig/v1/admin/customers/{cid}/associationType/{assoc}/provisioningKey"


def _start(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_zpa_pkeys.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().decode().strip()


def test_cli_prints_url_first_and_exits_zero_on_sigterm_and_sigint() -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc, url = _start()
        try:
            assert url.startswith("http://127.0.0.1:") and int(url.rsplit(":", 1)[1]) > 0
            r = requests.post(f"{url}/signin", timeout=5,
                              data={"client_id": "zpa-emulator",
                                    "client_secret": "zpa-emulator-secret"})  # fmt: skip
            assert r.status_code == 200
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=10)
            assert proc.returncode == 0, err
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def test_cli_options_are_used() -> None:
    with emulator(customer_id="123", client_id="me", client_secret="s3cret", legacy=True) as emu:
        assert emu.config["zpa:useLegacyClient"] == "true"
        assert emu.config["zpa:zpaClientId"] == "me" and emu.env["ZPA_CLIENT_ID"] == "me"
        assert emu.config["zpa:rateLimitGets"] == "0"
        token = emu.token()
        path = KEY_PATH.format(cid="123", assoc="CONNECTOR_GRP").removeprefix("/zpa")
        r = requests.get(emu.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert r.status_code == 200
        r = requests.post(emu.url + "/signin", timeout=5,
                          data={"client_id": "zpa-emulator",
                                "client_secret": "zpa-emulator-secret"})  # fmt: skip
        assert r.status_code == 401
    with emulator(rate_limit=True) as emu:
        assert "zpa:rateLimitGets" not in emu.config and emu.config["zpa:clientId"]
        cfg = requests.get(emu.url + "/_emulator/config", timeout=5).json()
        assert cfg["rate_limit"] is True and cfg["get_per_window"] == 20
    bad = subprocess.run(
        [sys.executable, "-m", "pulumi_zpa_pkeys.emulator", "--port", "nope"],
        capture_output=True, timeout=30,
    )  # fmt: skip
    assert bad.returncode == 2


def _create(emu: RunningEmulator, session: requests.Session, name: str) -> dict[str, str]:
    r = session.post(
        emu.url + KEY_PATH.format(cid=emu.customer_id, assoc="CONNECTOR_GRP"),
        json={"name": name, "maxUsage": 3, "enrollmentCertId": "6573",
              "zcomponentId": "216196257331300001"},
        timeout=10,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    key: dict[str, str] = r.json()
    return key


def test_state_file_survives_sigkill(tmp_path: Path) -> None:
    state_file = tmp_path / "zpa-state.jsonl"
    with emulator(state_file=state_file) as emu, requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {emu.token()}"
        keys = [_create(emu, s, f"durable-{i}") for i in range(20)]
        base = emu.url + KEY_PATH.format(cid=emu.customer_id, assoc="CONNECTOR_GRP")
        assert s.put(f"{base}/{keys[0]['id']}", json={"maxUsage": 9}, timeout=10).status_code == 204
        assert s.delete(f"{base}/{keys[1]['id']}", timeout=10).status_code == 204
        group = s.post(f"{emu.url}/zpa/mgmtconfig/v1/admin/customers/{emu.customer_id}"
                       "/serviceEdgeGroup", json={"name": "durable group"}, timeout=10)  # fmt: skip
        assert group.status_code == 201
        cert = emu.add_enrollment_cert(name="Durable", privateKeyPresent=False)
        emu.patch_key(keys[2]["id"], readOnly=True)
        emu.seed("SERVICE_EDGE_GRP", 50, "bulk-")
        emu.process.send_signal(signal.SIGKILL)
        emu.process.wait(timeout=10)
        assert emu.process.returncode == -signal.SIGKILL
    with emulator(state_file=state_file) as emu:
        state = emu.state()
        by_id = {k["id"]: k for k in state["provisioningKeys"]}
        conn = [k for k in by_id.values() if k["associationType"] == "CONNECTOR_GRP"]
        assert len(conn) == 19 and keys[1]["id"] not in by_id
        assert by_id[keys[0]["id"]]["maxUsage"] == "9"
        assert by_id[keys[2]["id"]]["readOnly"] is True
        assert by_id[keys[3]["id"]]["provisioningKey"] == keys[3]["provisioningKey"]
        assert len(by_id) == 19 + 50
        assert "durable group" in [g["name"] for g in state["serviceEdgeGroups"]]
        assert cert["id"] in [c["id"] for c in state["enrollmentCerts"]]
        with requests.Session() as s:
            s.headers["Authorization"] = f"Bearer {emu.token()}"
            new = _create(emu, s, "after-restart")
        assert int(new["id"]) > max(int(i) for i in by_id)
        emu.reset()
        emu.process.send_signal(signal.SIGKILL)
        emu.process.wait(timeout=10)
    with emulator(state_file=state_file) as emu:
        assert emu.state()["provisioningKeys"] == []


def test_starting_the_emulator_does_not_import_pulumi() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "pulumi_zpa_pkeys.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith(b"http://")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    modules = {line.rsplit("|", 1)[-1].strip() for line in err.decode().splitlines()}
    assert "pulumi_zpa_pkeys.emulator" in modules
    assert not {m for m in modules if m == "pulumi" or m.startswith("pulumi.")}
    assert not {m for m in modules if m == "requests"}
    helpers = subprocess.run(
        [sys.executable, "-c",
         "import sys, pulumi_zpa_pkeys.testing.emulator_process, pulumi_zpa_pkeys.testing.plugin;"
         "print('pulumi' in sys.modules)"],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert helpers.stdout.strip() == b"False", helpers.stderr


def _greeting(proc: subprocess.Popen[bytes]) -> list[str]:
    """The lines the emulator writes on stderr at start (up to the "state:" line)."""
    assert proc.stderr is not None
    lines = []
    while not lines or not lines[-1].lstrip().startswith("state:"):
        line = proc.stderr.readline().decode()
        assert line, lines
        lines.append(line.rstrip("\n"))
    return lines


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)


def test_start_prints_the_url_first_then_the_defaults_and_a_token_request_that_works() -> None:
    proc, url = _start()
    try:
        assert url.startswith("http://127.0.0.1:")
        lines = _greeting(proc)
        assert lines[0] == f"zpa-emulator: the ZPA management API at {url}"
        assert [line.split()[:2] for line in lines[1:4]] == [
            ["customer", "id"], ["client", "id"], ["client", "secret"],
        ]  # fmt: skip
        assert [line.split()[-1] for line in lines[1:4]] == [
            "216196257331281920", "zpa-emulator", "zpa-emulator-secret",
        ]  # fmt: skip
        command = next(line for line in lines if "a token:" in line).split("a token:", 1)[1]
        args = shlex.split(command)
        assert args[0] == "curl"
        answer = requests.post(args[args.index("-s") + 1], timeout=5, data=dict(
            arg.split("=", 1) for arg in args[args.index("-s") + 2 :] if arg != "-d"
        ))  # fmt: skip
        assert answer.status_code == 200 and answer.json()["token_type"] == "Bearer"
    finally:
        _stop(proc)


def test_a_client_secret_given_on_the_command_line_is_not_printed() -> None:
    proc, _ = _start("--client-secret", "my-own-s3cret")
    try:
        lines = _greeting(proc)
        assert not any("my-own-s3cret" in line for line in lines)
        assert "client secret  (the one given with --client-secret)" in lines[3]
    finally:
        _stop(proc)


def test_a_port_in_use_is_one_line_naming_it_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "pulumi_zpa_pkeys.emulator", "--port", str(port)],
            capture_output=True, timeout=30, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        f"zpa-emulator: cannot listen on 127.0.0.1 port {port}: Address already in use\n"
    )


def test_help_describes_every_option_with_its_default_and_every_object_served() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pulumi_zpa_pkeys.emulator", "--help"],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    text = proc.stdout
    options = set(re.findall(r"(--[a-z-]+)", text.split("options:", 1)[1].split("objects", 1)[0]))
    assert len(options) == 9
    for option in options - {"--help"}:
        described = text.split(option, 2)[-1].split("\n  -", 1)[0]
        assert "default" in described, option
    generic = {"mgmtconfig", "admin", "customers", "associationType", "issued"}
    for door in DOORS:
        for pattern, _ in door.routes:
            for segment in (
                set(re.findall(r"/([A-Za-z]+)(?![0-9A-Za-z])", pattern.pattern)) - generic
            ):
                assert re.search(rf"/{segment}\b", text), segment
    assert "(provisioning keys)" not in text


@pytest.mark.skipif(shutil.which("curl") is None, reason="the documented session uses curl")
def test_the_documented_curl_session_runs_as_written() -> None:
    block = DOCS.read_text(encoding="utf-8").split("<!-- session -->\n```sh\n", 1)[1]
    script = block.split("```", 1)[0]
    proc, url = _start()
    try:
        script = re.sub(r"^URL=.*$", f"URL={url}", script, count=1, flags=re.MULTILINE)
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        ran = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            capture_output=True, text=True, timeout=60, env=env, check=True,
        )  # fmt: skip
    finally:
        _stop(proc)
    certs, created, listed = (json.loads(line) for line in ran.stdout.splitlines())
    assert [c["name"] for c in certs["list"]] == ["Connector"]
    assert created["name"] == "edge" and created["provisioningKey"].startswith("3|")
    assert [k["id"] for k in listed["list"]] == [created["id"]]
