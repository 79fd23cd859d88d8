"""`ProviderHost` starts the SDK's provider host as the Pulumi CLI does, in any environment.

The host writes its port line without flushing: started without `-u` it hangs every reader
unless the caller's shell happens to set PYTHONUNBUFFERED. These tests run the host in an
environment without any PYTHON* variable, and make it fail to start on purpose to show that a
failed start is one clear error and leaves no process behind.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pki
import pytest
from support import provider_host_children

from pulumi_zpa_pkeys.ba_certificate import BaCertificateProvider
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostStartError, key_inputs


def _env_without_python_vars(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ZPA_", "ZSCALER_"))}
    env.update(extra)
    return env


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _sitecustomize(tmp_path: Path, body: str) -> str:
    """A PYTHONPATH whose sitecustomize runs `body` in the host before it prints its port."""
    (tmp_path / "sitecustomize.py").write_text(body)
    return str(tmp_path)


def test_host_starts_and_answers_without_pythonunbuffered(zpa_emulator: Any) -> None:
    env = _env_without_python_vars()
    assert "PYTHONUNBUFFERED" not in env
    started = time.monotonic()
    with ProviderHost(ProvisioningKeyProvider(), zpa_emulator.config, env=env) as host:
        outcome = host.check("k", {"association_type": "NOPE"})
        pid = host.pid
    assert time.monotonic() - started < 30
    assert ("association_type" in dict(outcome.failures)) is True
    assert not _alive(pid)


def test_host_that_prints_no_port_is_killed_after_the_deadline(tmp_path: Path) -> None:
    env = _env_without_python_vars(
        PYTHONPATH=_sitecustomize(tmp_path, "import time\ntime.sleep(3600)\n")
    )
    host = ProviderHost(ProvisioningKeyProvider(), {}, env=env, start_timeout=2)
    before = provider_host_children()
    started = time.monotonic()
    with pytest.raises(ProviderHostStartError, match="printed no port within 2 s"):
        host.start()
    assert time.monotonic() - started < 15
    if before is not None:
        assert provider_host_children() == before  # the hung host was killed and reaped


def test_host_that_exits_at_start_reports_exit_code_and_stderr(tmp_path: Path) -> None:
    env = _env_without_python_vars(
        PYTHONPATH=_sitecustomize(
            tmp_path,
            "import os, sys\nsys.stderr.write('no pulumi here\\n')\nsys.stderr.flush()\n"
            "os._exit(3)\n",
        )
    )
    host = ProviderHost(ProvisioningKeyProvider(), {}, env=env, start_timeout=20)
    with pytest.raises(ProviderHostStartError) as caught:
        host.start()
    message = str(caught.value)
    assert "exit code 3" in message
    assert "no pulumi here" in message
    assert "\n" not in message.strip()


def test_stop_twice_is_harmless(zpa_emulator: Any) -> None:
    env = _env_without_python_vars()
    host = ProviderHost(ProvisioningKeyProvider(), zpa_emulator.config, env=env)
    host.start()
    pid = host.pid
    host.stop()
    host.stop()
    assert not _alive(pid)


# -- what comes back: as the engine would hand it on -----------------------------------------


def test_get_with_no_inputs_finds_the_provider_and_reads(host_for: Any) -> None:
    """`Resource.get(name, id)` without properties: the engine sends empty inputs, and the
    provider is found in them (a KeyError '__provider' before)."""
    host = host_for(BaCertificateProvider())
    created = host.up("existing", {"name": "existing", "cert_blob": pki.blob()})

    read = host.get("ref", created.id, {})

    assert read.id == created.id and read.outputs["name"] == "existing"


def test_check_with_a_nan_input_returns_the_provider_s_failure(provider_host: Any) -> None:
    outcome = provider_host.check("k", key_inputs("k", max_usage=float("nan")))

    ((field, reason),) = outcome.failures
    assert field == "max_usage" and "whole number" in reason
    assert outcome.inputs["max_usage"] != outcome.inputs["max_usage"]  # NaN, as sent
    inf = provider_host.check("k", key_inputs("k", max_usage=float("inf")))
    assert [f for f, _ in inf.failures] == ["max_usage"] and inf.inputs["max_usage"] > 1e308


def test_whole_numbers_come_back_as_ints_and_others_as_floats(provider_host: Any) -> None:
    state = provider_host.up("ints", key_inputs("ints", max_usage=3))
    provider_host.destroy(state)

    for name in ("max_usage", "usage_count", "creation_time", "modified_time"):
        assert type(state.outputs[name]) is int, name
    assert state.outputs["max_usage"] == 3
    half = provider_host.check("k", key_inputs("k", max_usage=2.5))
    assert type(half.inputs["max_usage"]) is float and half.inputs["max_usage"] == 2.5
