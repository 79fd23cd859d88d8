"""ApiKey on the program side (under `pulumi.runtime.set_mocks`: the RegisterResource request is
where secrecy is decided) and its lookups against the emulator (never the secret)."""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dill
import pytest
import requests

from pulumi_zpa_pkeys import ApiKeyInfo, get_api_key
from pulumi_zpa_pkeys.api_key import ApiKeyProvider
from pulumi_zpa_pkeys.errors import ZpaLookupError
from pulumi_zpa_pkeys.lookups import clear_cache
from pulumi_zpa_pkeys.testing import run_program

TYPE_TOKEN = "pulumi-python:dynamic/zpa:ApiKey"

PROGRAM = """
import pulumi
from pulumi_zpa_pkeys import ApiKey, ApiKeyArgs

ApiKey("kw", role_id="28", keepers={"rotation": "2027-Q1"})
ApiKey("args", ApiKeyArgs(role_id="28", name="from-args", enabled=False,
                          token_expiry_time_in_sec=900))
"""


def test_the_secret_output_is_marked_in_the_register_request_and_defaults_are_sent(
    tmp_path: Path,
) -> None:
    (tmp_path / "__main__.py").write_text(PROGRAM)
    run = run_program(tmp_path, project="keys")

    registrations = {r.name: r for r in run.of_type(TYPE_TOKEN)}
    assert set(registrations) == {"kw", "args"}
    for registration in registrations.values():
        assert registration.additional_secret_outputs == ["client_secret"]
    kw, args = registrations["kw"].plain_inputs(), registrations["args"].plain_inputs()
    assert (kw["name"], kw["enabled"], kw["token_expiry_time_in_sec"]) == ("kw", True, 3600)
    assert kw["keepers"] == {"rotation": "2027-Q1"}
    assert (args["name"], args["enabled"], args["token_expiry_time_in_sec"]) == (
        "from-args", False, 900,
    )  # fmt: skip
    blob = registrations["kw"].provider_blob
    assert blob is not None
    provider = dill.loads(base64.b64decode(blob))
    assert type(provider) is ApiKeyProvider and vars(provider) == {}


# -- lookups -------------------------------------------------------------------------------------


@pytest.fixture
def emu(zpa_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in zpa_emulator.env.items():
        monkeypatch.setenv(name, value)
    clear_cache()
    yield zpa_emulator
    clear_cache()


def _create(emulator: Any, name: str, **fields: Any) -> dict[str, Any]:
    answer = requests.post(
        f"{emulator.url}/zpa/mgmtconfig/v1/admin/customers/{emulator.customer_id}/apiKeys",
        json={"name": name, "roleId": "28", **fields},
        headers={"Authorization": f"Bearer {emulator.token()}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    emulator.clear_requests()
    created: dict[str, Any] = answer.json()
    return created


def _api_requests(emulator: Any) -> list[dict[str, Any]]:
    return [e for e in emulator.requests_log() if "mgmtconfig" in e["path"]]


def test_lookup_by_name_is_one_request_and_carries_no_secret(emu: Any) -> None:
    created = _create(emu, "Deploy Bot", tokenExpiryTimeInSec="900")
    _create(emu, "other")

    info = get_api_key(name="deploy bot")

    assert info == ApiKeyInfo(
        id=created["id"], name="Deploy Bot", enabled=True, role_id="28",
        token_expiry_time_in_sec=900, client_id=created["clientId"],
        creation_time=int(created["creationTime"]), modified_time=int(created["modifiedTime"]),
        microtenant_id=None,
    )  # fmt: skip
    assert "client_secret" not in {f.name for f in dataclasses.fields(ApiKeyInfo)}
    assert created["clientSecret"] not in repr(info)
    assert len(_api_requests(emu)) == 1


def test_lookup_by_id_and_a_missing_name(emu: Any) -> None:
    created = _create(emu, "by-id")
    assert get_api_key(id=created["id"]).client_id == created["clientId"]
    with pytest.raises(ZpaLookupError, match=r"no API key named 'absent'.*'by-id'"):
        get_api_key(name="absent")


def test_lookup_output_form_in_a_program(emu: Any, tmp_path: Path) -> None:
    created = _create(emu, "in-program")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\n"
        "from pulumi_zpa_pkeys import get_api_key_output\n"
        "key = get_api_key_output(name='in-program')\n"
        "pulumi.export('client_id', key.apply(lambda k: k.client_id))\n"
    )
    env = {k: v for k, v in os.environ.items() if k.startswith(("ZPA_", "ZSCALER_"))}
    run = run_program(tmp_path, project="keys", env=env)
    assert run.stack_outputs["client_id"] == created["clientId"]
