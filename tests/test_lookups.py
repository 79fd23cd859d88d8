"""Lookup functions against the emulator over HTTP; the `_output` forms under Pulumi mocks.

Outside a Pulumi program `pulumi.Config("zpa")` is empty, so settings come from the environment
variables (the fallback users rely on in CI); inside a mocked program they come from config.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from support import EchoMocks

from pulumi_zpa_pkeys import (
    get_enrollment_cert,
    get_enrollment_cert_output,
    get_provisioning_key,
    get_provisioning_key_output,
)
from pulumi_zpa_pkeys.errors import ZpaLookupError as LookupError
from pulumi_zpa_pkeys.lookups import EnrollmentCert, ProvisioningKeyInfo, clear_cache

RECORDED = Path(__file__).resolve().parent / "data" / "recorded"


@pytest.fixture
def emu(zpa_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in zpa_emulator.env.items():
        monkeypatch.setenv(name, value)
    clear_cache()
    zpa_emulator.clear_requests()
    yield zpa_emulator
    clear_cache()


def _api_requests(emulator: Any) -> list[dict[str, Any]]:
    return [e for e in emulator.requests_log() if "mgmtconfig" in e["path"]]


def _make_key(emulator: Any, name: str, **fields: Any) -> dict[str, Any]:
    from pulumi_zpa_pkeys._host import transport as transport_for
    from pulumi_zpa_pkeys.provisioning_key import create_key, keys
    from pulumi_zpa_pkeys.settings import Settings

    body = {
        "name": name,
        "maxUsage": "3",
        "enrollmentCertId": "6573",
        "zcomponentId": "216196257331300001",
        **fields,
    }
    key = create_key(
        keys(transport_for(Settings.from_config(emulator.config)), "CONNECTOR_GRP"), body
    )
    emulator.clear_requests()
    return key


# -- enrollment certificates ----------------------------------------------------------------


def test_get_enrollment_cert_by_name_matches_recorded_fields_in_one_request(emu: Any) -> None:
    (recorded,) = [
        c
        for c in json.loads((RECORDED / "enrollment_certs.json").read_text())
        if c["name"] == "Connector"
    ]

    cert = get_enrollment_cert(name="connector")

    assert cert == EnrollmentCert(
        id="6573",
        name="Connector",
        cname=recorded["cName"],
        allow_signing=True,
        private_key_present=True,
        issued_by=recorded["issuedBy"],
        issued_to=recorded["issuedTo"],
        parent_cert_id="6571",
        parent_cert_name="Root",
        valid_from_in_epoch_sec=int(recorded["validFromInEpochSec"]),
        valid_to_in_epoch_sec=int(recorded["validToInEpochSec"]),
        client_cert_type="NONE",
        certificate=recorded["certificate"],
    )
    (request,) = _api_requests(emu)
    assert request["path"].endswith("/v2/admin/customers/216196257331281920/enrollmentCert")
    assert "search=" in request["query"]


def test_get_enrollment_cert_name_with_space_and_root_without_parent(emu: Any) -> None:
    assert get_enrollment_cert(name="Service Edge").id == "6574"
    root = get_enrollment_cert(name="Root")
    assert (root.parent_cert_id, root.parent_cert_name) == (None, None)


def test_get_enrollment_cert_by_id_uses_v1_get(emu: Any) -> None:
    assert get_enrollment_cert(id="6574").name == "Service Edge"
    (request,) = _api_requests(emu)
    assert request["path"].endswith("/v1/admin/customers/216196257331281920/enrollmentCert/6574")


def test_get_enrollment_cert_is_cached_across_fifty_concurrent_callers(emu: Any) -> None:
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        certs = list(pool.map(lambda _: get_enrollment_cert(name="Connector"), range(50)))
    assert {c.id for c in certs} == {"6573"}
    assert len(_api_requests(emu)) == 1


def test_get_enrollment_cert_unknown_name_lists_existing_names(emu: Any) -> None:
    with pytest.raises(LookupError) as err:
        get_enrollment_cert(name="Conector")
    message = str(err.value)
    assert "'Conector'" in message and "customer 216196257331281920" in message
    for existing in ("'Root'", "'Client'", "'Connector'", "'Service Edge'"):
        assert existing in message
    assert "\n" not in message
    assert len(_api_requests(emu)) == 2


def test_get_enrollment_cert_unknown_id_fails_clearly(emu: Any) -> None:
    with pytest.raises(LookupError, match="no enrollment certificate with id 999"):
        get_enrollment_cert(id="999")


def test_get_enrollment_cert_two_case_insensitive_matches_is_ambiguous(emu: Any) -> None:
    emu.add_enrollment_cert(name="CONNECTOR", privateKeyPresent=True)
    with pytest.raises(LookupError, match="ambiguous"):
        get_enrollment_cert(name="Connector")


def test_get_enrollment_cert_reports_missing_private_key(emu: Any) -> None:
    emu.add_enrollment_cert(name="No Key", privateKeyPresent=False)
    assert get_enrollment_cert(name="No Key").private_key_present is False


@pytest.mark.parametrize("kwargs", [{}, {"name": "Connector", "id": "6573"}])
def test_get_enrollment_cert_needs_exactly_one_of_name_or_id(
    emu: Any, kwargs: dict[str, str]
) -> None:
    with pytest.raises(LookupError, match="exactly one of name or id"):
        get_enrollment_cert(**kwargs)
    assert _api_requests(emu) == []


# -- provisioning keys ------------------------------------------------------------------------


def test_get_provisioning_key_by_name_returns_outputs_and_hides_key_from_repr(emu: Any) -> None:
    created = _make_key(emu, "Edge Key")

    info = get_provisioning_key("CONNECTOR_GRP", name="edge key")

    assert info.id == str(created["id"])
    assert (info.name, info.max_usage, info.enabled, info.exportable) == ("Edge Key", 3, True, True)
    assert (info.zcomponent_name, info.enrollment_cert_name) == (
        "Emulator Connector Group",
        "Connector",
    )
    assert info.provisioning_key == created["provisioningKey"]
    assert created["provisioningKey"] not in repr(info)
    assert len(_api_requests(emu)) == 1


def test_get_provisioning_key_by_id(emu: Any) -> None:
    created = _make_key(emu, "by-id")
    assert get_provisioning_key("CONNECTOR_GRP", id=str(created["id"])).name == "by-id"


def test_get_provisioning_key_in_ten_thousand_keys_is_one_request(emu: Any) -> None:
    emu.seed(association_type="CONNECTOR_GRP", count=10000, name_prefix="bulk-")
    emu.clear_requests()
    info = get_provisioning_key("CONNECTOR_GRP", name="bulk-07777")
    assert info.name == "bulk-07777"
    assert len(_api_requests(emu)) == 1


def test_get_provisioning_key_unknown_name_lists_at_most_ten_names(emu: Any) -> None:
    emu.seed(association_type="CONNECTOR_GRP", count=30, name_prefix="k-")
    emu.clear_requests()
    with pytest.raises(LookupError) as err:
        get_provisioning_key("CONNECTOR_GRP", name="missing")
    message = str(err.value)
    assert "CONNECTOR_GRP" in message and message.count("'k-") == 10
    assert len(_api_requests(emu)) == 2


def test_get_provisioning_key_bad_association_type_fails_before_any_request(emu: Any) -> None:
    with pytest.raises(ValueError, match="association_type"):
        get_provisioning_key("CONNECTOR", name="x")
    assert _api_requests(emu) == []


# -- Output forms under mocks -----------------------------------------------------------------


@pytest.fixture
def mocked(emu: Any) -> Iterator[Any]:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)
    yield emu


@pulumi.runtime.test
def test_get_enrollment_cert_output_takes_inputs(mocked: Any) -> Any:
    result = get_enrollment_cert_output(name=pulumi.Output.from_input("Connector"))
    return result.apply(lambda cert: None if cert.id == "6573" else pytest.fail(repr(cert)))


@pulumi.runtime.test
def test_get_provisioning_key_output_is_secret(mocked: Any) -> Any:
    created = _make_key(mocked, "secret-key")
    result = get_provisioning_key_output("CONNECTOR_GRP", name="secret-key")

    async def verify() -> None:
        assert await result.is_secret()
        info: ProvisioningKeyInfo = await result.future()  # type: ignore[assignment]
        assert info.provisioning_key == created["provisioningKey"]

    return pulumi.Output.from_input(asyncio.ensure_future(verify()))


@pulumi.runtime.test
def test_output_form_with_unknown_input_makes_no_request(mocked: Any) -> Any:
    known: asyncio.Future[bool] = asyncio.get_event_loop().create_future()
    value: asyncio.Future[Any] = asyncio.get_event_loop().create_future()
    known.set_result(False)
    value.set_result(None)
    unknown_name: pulumi.Output[str] = pulumi.Output(set(), value, known)

    result = get_enrollment_cert_output(name=unknown_name)

    async def verify() -> None:
        assert not await result.is_known()
        assert _api_requests(mocked) == []

    return pulumi.Output.from_input(asyncio.ensure_future(verify()))


@pytest.fixture
def program_config(zpa_emulator: Any) -> Iterator[Any]:
    """A mocked program whose stack config (not the environment) reaches the emulator."""
    from pulumi.runtime.config import set_all_config

    clear_cache()
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)
    set_all_config(dict(zpa_emulator.config))
    zpa_emulator.clear_requests()
    yield zpa_emulator
    set_all_config({})
    clear_cache()


@pulumi.runtime.test
def test_lookup_in_program_reads_credentials_from_pulumi_config(program_config: Any) -> Any:
    import os

    assert not [k for k in os.environ if k.startswith(("ZPA_", "ZSCALER_"))]
    result = get_enrollment_cert_output(name="Service Edge")
    return result.apply(lambda cert: None if cert.id == "6574" else pytest.fail(repr(cert)))
