"""`pulumi_zpa_pkeys.userdata`: the Private Service Edge user data beside the App Connector one.

Secrecy is checked on the Output itself (`is_secret()` under Pulumi mocks): the helpers must wrap
their result in `Output.secret` even for a plain-string key. The rendered scripts are then run by
bash, with `systemctl`, `yum` and `sleep` replaced by recorders on PATH and the key file moved
into a temporary directory: the key must land in the file byte for byte, whatever it contains,
and the service must be stopped before and started after it is written.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from support import EchoMocks

from pulumi_zpa_pkeys.userdata import (
    PROVISION_KEY_PATH,
    SERVICE_EDGE_PROVISION_KEY_PATH,
    _render,
    _render_service_edge,
    app_connector_user_data,
    service_edge_user_data,
)

FAKE_KEY = "3|api.private.zscaler.com|bW9jay1rZXk+/w=="
Render = Callable[[str | None], str]
IMAGES = [
    pytest.param(_render_service_edge, SERVICE_EDGE_PROVISION_KEY_PATH, "zpa-service-edge",
                 id="service_edge"),
    pytest.param(_render, PROVISION_KEY_PATH, "zpa-connector", id="app_connector"),
]  # fmt: skip


# -- the Private Service Edge script ------------------------------------------------------------


def test_service_edge_paths_and_service_are_the_ones_zscaler_documents() -> None:
    assert SERVICE_EDGE_PROVISION_KEY_PATH == "/opt/zscaler/var/service-edge/provision_key"
    script = _render_service_edge(FAKE_KEY)
    assert script.startswith("#!/bin/bash\n")
    assert f"\n{FAKE_KEY}\n" in script
    assert f"chmod 0644 {SERVICE_EDGE_PROVISION_KEY_PATH}\n" in script
    stop = script.index("systemctl stop zpa-service-edge")
    write = script.index(f"cat > {SERVICE_EDGE_PROVISION_KEY_PATH}")
    start = script.index("systemctl start zpa-service-edge")
    assert stop < write < start
    assert "zpa-connector" not in script and PROVISION_KEY_PATH + "\n" not in script


@pulumi.runtime.test
def test_service_edge_user_data_from_a_plain_string_is_secret() -> Any:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)
    output = service_edge_user_data(FAKE_KEY)

    def verify(values: list[Any]) -> None:
        script, secret = values
        assert secret is True
        assert script == _render_service_edge(FAKE_KEY)

    return pulumi.Output.all(output, output.is_secret()).apply(verify)


@pulumi.runtime.test
def test_service_edge_user_data_of_a_secret_output_stays_secret() -> Any:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)
    output = service_edge_user_data(pulumi.Output.secret(FAKE_KEY))
    return pulumi.Output.from_input(output.is_secret()).apply(
        lambda s: None if s is True else pytest.fail("not secret")
    )


def test_service_edge_user_data_fails_the_program_on_a_bad_key_without_echoing_it() -> None:
    bad = "3|a|b\nsystemctl disable firewalld"

    @pulumi.runtime.test
    def program() -> Any:
        pulumi.runtime.set_mocks(EchoMocks(), preview=False)
        return service_edge_user_data(pulumi.Output.from_input(bad))

    with pytest.raises(ValueError) as err:
        program()
    assert str(err.value).startswith("service_edge_user_data: ")
    assert "firewalld" not in str(err.value)


@pytest.mark.parametrize(
    "bad",
    ["", "   ", None, "3|a|b\nrm -rf /", "3|a\r|b", "3|a\x00|b", "3|ZPA_PROVISIONING_KEY_EOF|b"],
)
@pytest.mark.parametrize(("render", "name"), [(_render_service_edge, "service_edge_user_data"),
                                              (_render, "app_connector_user_data")])  # fmt: skip
def test_bad_key_is_refused_without_echoing_it(bad: str | None, render: Render, name: str) -> None:
    with pytest.raises(ValueError) as err:
        render(bad)
    message = str(err.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    if bad and bad.strip():
        assert bad.strip() not in message and "rm -rf" not in message


def test_app_connector_user_data_is_unchanged_by_the_service_edge_one() -> None:
    script = _render(FAKE_KEY)
    assert f"cat > {PROVISION_KEY_PATH} <<'ZPA_PROVISIONING_KEY_EOF'\n{FAKE_KEY}\n" in script
    assert "systemctl restart zpa-connector" in script and "service-edge" not in script


def test_app_connector_user_data_from_a_plain_string_is_still_secret() -> None:
    @pulumi.runtime.test
    def program() -> Any:
        pulumi.runtime.set_mocks(EchoMocks(), preview=False)
        output = app_connector_user_data(FAKE_KEY)
        secret = pulumi.Output.from_input(output.is_secret())
        return secret.apply(lambda s: None if s is True else pytest.fail("plain"))

    program()


# -- the scripts, run by bash --------------------------------------------------------------------

_RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(
    "key",
    [FAKE_KEY, "3|h|$(touch pwned) `id` ${HOME} \"q\" 'q' \\ ; & | * ~", "  padded-key  "],
)
@pytest.mark.parametrize(("render", "path", "service"), IMAGES)
def test_script_writes_the_key_verbatim_between_stop_and_start(
    tmp_path: Path, key: str, render: Render, path: str, service: str
) -> None:
    bin_dir, root, log = tmp_path / "bin", tmp_path / "root", tmp_path / "calls.log"
    bin_dir.mkdir()
    for tool in ("systemctl", "yum", "sleep"):
        recorder = bin_dir / tool
        recorder.write_text(_RECORDER.format(log=log))
        recorder.chmod(0o755)
    key_file = root / path.lstrip("/")
    script = render(key).replace(path.rsplit("/", 1)[0], str(key_file.parent))
    script = script.replace("/var/log/", f"{tmp_path}/")  # the background update's log
    assert str(key_file) in script  # the moves above took effect
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "LOG": str(log)}

    subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, check=True, timeout=30, capture_output=True
    )

    assert key_file.read_text() == key.strip() + "\n"
    assert oct(key_file.stat().st_mode & 0o777) == "0o644"
    assert not (tmp_path / "pwned").exists()  # nothing in the key was executed
    calls = log.read_text().splitlines()
    assert calls[0] == f"systemctl stop {service}"
    assert f"systemctl start {service}" in calls
