"""The emulator as a process: command line, signals, ``--state`` durability, no pulumi import."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import requests

from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator, emulator

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
