"""examples/ba-certificate under Pulumi mocks, with its lookup on the emulator and its certificate
applied for real through the SDK's provider host.

Mocks create nothing in ZPA, and the program looks its certificate up by name once it exists.
So the test plays the stack's first `pulumi up` through the provider host (the certificate from
the two files, as the example reads them), then runs the program as the next `pulumi up` would:
it must register the same certificate (a preview of it is "same"), as a secret input, and its
lookup must find the certificate by name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pki
import pytest

from pulumi_zpa_pkeys.ba_certificate import BaCertificateProvider, blob_digest
from pulumi_zpa_pkeys.testing import ProgramRun, ProviderHost, ResourceState, run_program

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ba-certificate"
TYPE_TOKEN = "pulumi-python:dynamic/zpa:BaCertificate"


def _run(emulator: Any, config: dict[str, str]) -> ProgramRun:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))}
    return run_program(
        EXAMPLE, project="zpa-pkeys-ba-certificate", config=config, env={**env, **emulator.env}
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    key = pki.rsa_key()
    (tmp_path / "portal.crt").write_text(pki.cert_pem(pki.certificate(key, "portal.example.com")))
    (tmp_path / "portal.key").write_text(pki.key_pem(key))
    return {"certFile": str(tmp_path / "portal.crt"), "keyFile": str(tmp_path / "portal.key")}


def _blob(files: dict[str, str]) -> str:
    return Path(files["certFile"]).read_text() + Path(files["keyFile"]).read_text()


@pytest.fixture
def first_up(host_for: Any, files: dict[str, str]) -> tuple[ProviderHost, ResourceState]:
    """The stack's first `pulumi up`: the example's certificate created through the host."""
    host: ProviderHost = host_for(BaCertificateProvider())
    inputs = {"name": "portal-test", "description": "Certificate of the browser-access portal",
              "cert_blob": _blob(files)}  # fmt: skip
    return host, host.up("portal", inputs)


@pytest.mark.parametrize("source", ["files", "secret config"])
def test_the_program_registers_its_certificate_as_a_secret_and_finds_it_by_name(
    zpa_emulator: Any,
    files: dict[str, str],
    first_up: tuple[ProviderHost, ResourceState],
    source: str,
) -> None:
    host, state = first_up
    assert state.outputs["cname"] == "portal.example.com"
    assert state.outputs["cert_blob"] == blob_digest(_blob(files))
    zpa_emulator.clear_requests()

    run = _run(zpa_emulator, files if source == "files" else {"certBlob": _blob(files)})

    registration = run.one(TYPE_TOKEN)
    assert registration.is_secret("cert_blob")  # plain text from files, secret on the wire
    assert registration.plain_inputs()["cert_blob"] == _blob(files)
    assert host.preview("portal", registration.plain_inputs(), state).op == "same"
    assert run.stack_outputs["found_by_name"] == state.id
    lookups = [r for r in zpa_emulator.requests_log() if "mgmtconfig" in r["path"]]
    assert len(lookups) == 1 and "search=name" in lookups[0]["query"]
    host.destroy(state)
