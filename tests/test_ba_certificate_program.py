"""BaCertificate on the program side (under `pulumi.runtime.set_mocks`: the RegisterResource
request is where secrecy is decided) and its lookups against the emulator."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dill
import pki
import pytest
import requests

from pulumi_zpa_pkeys import BaCertificateInfo, get_ba_certificate
from pulumi_zpa_pkeys.ba_certificate import BaCertificateProvider
from pulumi_zpa_pkeys.errors import ZpaLookupError
from pulumi_zpa_pkeys.lookups import clear_cache
from pulumi_zpa_pkeys.testing import ProgramRun, run_program

TYPE_TOKEN = "pulumi-python:dynamic/zpa:BaCertificate"

PROGRAM = """
import pulumi
from pulumi_zpa_pkeys import BaCertificate, BaCertificateArgs

blob = pulumi.Config().require("blob")  # a plain string, not a secret
BaCertificate("kw", cert_blob=blob, description="keyword form")
BaCertificate("args", BaCertificateArgs(cert_blob=blob, name="from-args"))
ref = BaCertificate.get("ref", "216196257331500001")
pulumi.export("ref_id", ref.id)
"""


def _run(tmp_path: Path) -> ProgramRun:
    (tmp_path / "__main__.py").write_text(PROGRAM)
    return run_program(tmp_path, project="certs", config={"blob": pki.blob()})


def test_the_blob_reaches_the_engine_as_a_secret_though_the_program_passed_plain_text(
    tmp_path: Path,
) -> None:
    run = _run(tmp_path)
    created = [r for r in run.of_type(TYPE_TOKEN) if r.name in ("kw", "args")]
    assert len(created) == 2
    for registration in created:
        assert registration.is_secret("cert_blob"), registration.name
        assert registration.plain_inputs()["cert_blob"] == pki.blob()
        assert registration.additional_secret_outputs == []  # the outputs hold only a digest
    inputs = {r.name: r.plain_inputs() for r in created}
    assert inputs["kw"]["name"] == "kw" and inputs["kw"]["description"] == "keyword form"
    assert inputs["args"]["name"] == "from-args"


def test_the_pickled_provider_is_a_reference_to_the_frozen_path(tmp_path: Path) -> None:
    import base64

    registration = _run(tmp_path).of_type(TYPE_TOKEN)[0]
    assert registration.provider_blob is not None
    provider = dill.loads(base64.b64decode(registration.provider_blob))
    assert type(provider) is BaCertificateProvider and vars(provider) == {}
    assert (type(provider).__module__, type(provider).__name__) == (
        "pulumi_zpa_pkeys.ba_certificate", "BaCertificateProvider",
    )  # fmt: skip


def test_both_call_forms_at_once_are_refused() -> None:
    from pulumi_zpa_pkeys import BaCertificate, BaCertificateArgs

    with pytest.raises(TypeError, match="either a BaCertificateArgs or keyword fields"):
        BaCertificate("x", BaCertificateArgs(cert_blob="b"), name="y")  # type: ignore[call-overload]


# -- lookups -------------------------------------------------------------------------------------


@pytest.fixture
def emu(zpa_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in zpa_emulator.env.items():
        monkeypatch.setenv(name, value)
    clear_cache()
    yield zpa_emulator
    clear_cache()


def _upload(emulator: Any, name: str, blob: str) -> dict[str, Any]:
    answer = requests.post(
        f"{emulator.url}/zpa/mgmtconfig/v1/admin/customers/{emulator.customer_id}/certificate",
        json={"name": name, "certBlob": blob, "description": f"{name} cert"},
        headers={"Authorization": f"Bearer {emulator.token()}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    emulator.clear_requests()
    created: dict[str, Any] = answer.json()
    return created


def _api_requests(emulator: Any) -> list[tuple[str, str, str]]:
    return [
        (e["method"], e["path"].rsplit("/", 1)[-1], e["query"])
        for e in emulator.requests_log()
        if "mgmtconfig" in e["path"]
    ]


def test_lookup_by_name_is_one_search_of_the_v1_list(emu: Any) -> None:
    created = _upload(emu, "Portal Cert", pki.blob())
    _upload(emu, "other", pki.blob(pki.rsa_key("other")))

    info = get_ba_certificate(name="portal cert")

    assert isinstance(info, BaCertificateInfo) and info.id == created["id"]
    assert (info.name, info.description, info.cname) == ("Portal Cert", "Portal Cert cert",
                                                         "app.example.com")  # fmt: skip
    assert info.san == ("app.example.com",) and info.serial_no == created["serialNo"]
    assert info.valid_to_in_epoch_sec == int(created["validToInEpochSec"])
    assert info.certificate == created["certificate"] and info.microtenant_id is None
    ((method, path, query),) = _api_requests(emu)
    assert (method, path) == ("GET", "certificate") and "search=name%20EQ%20portal%20cert" in query
    assert get_ba_certificate(name="PORTAL CERT").id == created["id"]  # cached: no request
    assert len(_api_requests(emu)) == 1
    assert "BEGIN" not in repr(info)


def test_lookup_by_id_is_one_get(emu: Any) -> None:
    created = _upload(emu, "by-id", pki.blob())
    assert get_ba_certificate(id=created["id"]).name == "by-id"
    assert _api_requests(emu) == [("GET", created["id"], "")]


def test_lookup_of_a_missing_name_lists_the_existing_ones(emu: Any) -> None:
    _upload(emu, "present", pki.blob())
    with pytest.raises(ZpaLookupError, match=r"certificate named 'absent'.*'present'"):
        get_ba_certificate(name="absent")


def test_lookup_in_a_microtenant(emu: Any) -> None:
    answer = requests.post(
        f"{emu.url}/zpa/mgmtconfig/v1/admin/customers/{emu.customer_id}/certificate",
        params={"microtenantId": "42"},
        json={"name": "scoped", "certBlob": pki.blob()},
        headers={"Authorization": f"Bearer {emu.token()}"},
        timeout=10,
    )
    with pytest.raises(ZpaLookupError):
        get_ba_certificate(name="scoped")
    info = get_ba_certificate(name="scoped", microtenant_id="42")
    assert info.id == answer.json()["id"] and info.microtenant_id == "42"


def test_lookup_output_form_in_a_program(emu: Any, tmp_path: Path) -> None:
    created = _upload(emu, "in-program", pki.blob())
    (tmp_path / "__main__.py").write_text(
        "import pulumi\n"
        "from pulumi_zpa_pkeys import get_ba_certificate_output\n"
        "cert = get_ba_certificate_output(name='in-program')\n"
        "pulumi.export('cert_id', cert.apply(lambda c: c.id))\n"
    )
    env = {k: v for k, v in os.environ.items() if k.startswith(("ZPA_", "ZSCALER_"))}
    run = run_program(tmp_path, project="certs", env=env)
    assert run.stack_outputs["cert_id"] == created["id"]
