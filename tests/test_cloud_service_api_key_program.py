"""CloudServiceApiKey on the program side (under `pulumi.runtime.set_mocks`: the RegisterResource
request is where secrecy is decided), and its lookup against the emulator in a program: the key
is a secret in the `_output` form and never in a repr."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dill
import pulumi
import pytest
from cloud_support import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    KEY_IDS,
    SEEDED_VALUES,
    SIGN_IN_PATHS,
    cloud_calls,
    cloud_sign_ins,
)
from support import EchoMocks

from pulumi_zpa_pkeys import (
    CloudServiceApiKey,
    CloudServiceApiKeyArgs,
    CloudServiceApiKeyInfo,
    get_cloud_service_api_key,
    get_cloud_service_api_key_output,
)
from pulumi_zpa_pkeys.cloud_service_api_key import CloudServiceApiKeyProvider
from pulumi_zpa_pkeys.errors import ConfigError, FieldError
from pulumi_zpa_pkeys.lookups import clear_cache
from pulumi_zpa_pkeys.testing import run_program

TYPE_TOKEN = "pulumi-python:dynamic/zpa:CloudServiceApiKey"

PROGRAM = """
from pulumi_zpa_pkeys import CloudServiceApiKey, CloudServiceApiKeyArgs

CloudServiceApiKey("kw", product="ztw", keepers={"rotation": "2027-Q1"})
CloudServiceApiKey("args", CloudServiceApiKeyArgs(product="ZIA", activate=False,
                                                  regenerate_on_create=True, tenant="zia-emea"))
"""


def test_the_key_value_is_a_secret_output_and_only_the_keys_inputs_are_sent(
    tmp_path: Path,
) -> None:
    (tmp_path / "__main__.py").write_text(PROGRAM)
    run = run_program(tmp_path, project="cloud-keys")

    registrations = {r.name: r for r in run.of_type(TYPE_TOKEN)}
    assert set(registrations) == {"kw", "args"}
    for registration in registrations.values():
        assert registration.additional_secret_outputs == ["key_value"]
    kw, args = registrations["kw"].plain_inputs(), registrations["args"].plain_inputs()
    assert (kw["product"], kw["keepers"], kw["activate"], kw["regenerate_on_create"]) == (
        "ztw", {"rotation": "2027-Q1"}, True, False,
    )  # fmt: skip
    assert (args["product"], args["activate"], args["tenant"]) == ("ZIA", False, "zia-emea")
    # No ZPA field of other resources: no name, microtenant or adoption.
    assert not {"name", "microtenant_id", "adopt_existing"} & set(kw)
    blob = registrations["kw"].provider_blob
    assert blob is not None
    provider = dill.loads(base64.b64decode(blob))
    assert type(provider) is CloudServiceApiKeyProvider and vars(provider) == {}
    assert f"{type(provider).__module__}.{type(provider).__qualname__}" == (
        "pulumi_zpa_pkeys.cloud_service_api_key.CloudServiceApiKeyProvider"
    )


def test_both_call_forms_at_once_are_refused() -> None:
    with pytest.raises(TypeError, match="either a CloudServiceApiKeyArgs or keyword fields"):
        CloudServiceApiKey("x", CloudServiceApiKeyArgs(product="ZIA"), product="ZTW")
    with pytest.raises(TypeError, match="missing required fields: product"):
        CloudServiceApiKey("x")


# -- the lookup -----------------------------------------------------------------------------------


@pytest.fixture
def ztw_env(zpa_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A program's environment that signs in at the emulator's ZTW legacy door."""
    values = {"ZTW_API_KEY": SEEDED_VALUES["ZTW"], "ZTW_USERNAME": ADMIN_USERNAME,
              "ZTW_PASSWORD": ADMIN_PASSWORD, "ZTW_BASE_URL": zpa_emulator.url}  # fmt: skip
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    clear_cache()
    yield zpa_emulator
    clear_cache()


def test_the_lookup_reads_the_key_once_per_process_and_hides_it_from_repr(ztw_env: Any) -> None:
    info = get_cloud_service_api_key("ztw")
    again = get_cloud_service_api_key("ZTW")

    assert isinstance(info, CloudServiceApiKeyInfo) and again is info
    assert (info.id, info.key_id, info.product) == (KEY_IDS["ZTW"], KEY_IDS["ZTW"], "ZTW")
    assert info.key_value == SEEDED_VALUES["ZTW"] and info.enabled is True
    assert info.permissions and info.last_modified_by == "Zscaler"
    assert SEEDED_VALUES["ZTW"] not in repr(info) and SEEDED_VALUES["ZTW"] not in str(info)
    assert cloud_calls(ztw_env) == [("GET", "/apiKeys")] and cloud_sign_ins(ztw_env) == 1


def test_the_lookup_refuses_bad_arguments_and_names_missing_settings(ztw_env: Any) -> None:
    with pytest.raises(FieldError, match="product"):
        get_cloud_service_api_key("ZPA")
    with pytest.raises(ConfigError, match="zia:clientId"):
        get_cloud_service_api_key("ZIA")
    assert ztw_env.requests_log() == []


@pytest.fixture
def mocked(ztw_env: Any) -> Iterator[Any]:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)
    yield ztw_env


@pulumi.runtime.test
def test_the_output_form_is_a_secret(mocked: Any) -> Any:
    result = get_cloud_service_api_key_output(pulumi.Output.from_input("ZTW"))

    async def verify() -> None:
        assert await result.is_secret()
        info: CloudServiceApiKeyInfo = await result.future()  # type: ignore[assignment]
        assert info.key_value == SEEDED_VALUES["ZTW"]

    return pulumi.Output.from_input(asyncio.ensure_future(verify()))


def test_a_program_that_ends_logs_its_session_out(ztw_env: Any) -> None:
    script = "from pulumi_zpa_pkeys import get_cloud_service_api_key as g; g('ZTW')"
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)

    log = [(r["method"], r["path"], r["status"]) for r in ztw_env.requests_log()]
    path = SIGN_IN_PATHS["ZTW"]
    assert log == [("POST", path, 200), ("GET", "/api/v1/apiKeys", 200), ("DELETE", path, 204)]
