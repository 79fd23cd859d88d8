"""Data safety under faults and hostile input, provider and client side.

Each test is named for the behaviour it proves. Provider behaviour goes through the SDK's
provider host (`ProviderHost`) against the emulator; client behaviour through a `Transport`.
The emulator's own guarantees (journal, hostile HTTP input, bare search) are in
test_emulator_*.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from typing import Any

import pytest
from support import (
    CONNECTOR_CERT,
    api_calls,
    key_body,
    key_inputs,
    keys_named,
    settings_for,
)

from pulumi_zpa_pkeys._transport import Transport
from pulumi_zpa_pkeys.enrollment_cert import enrollment_certs
from pulumi_zpa_pkeys.errors import ApiError, ConfigError
from pulumi_zpa_pkeys.provisioning_key import check_inputs, create_key, diff_inputs, keys
from pulumi_zpa_pkeys.settings import Settings
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError

KEYS = "provisioningKey$"
ONE_KEY = r"provisioningKey/\d+$"


def _old_key(emulator: Any, transport: Transport, name: str, **fields: Any) -> dict[str, Any]:
    """A key that existed long before the test's create (creationTime an hour ago)."""
    key = create_key(keys(transport, "CONNECTOR_GRP"), key_body(name, **fields))
    hour_ago = str(int(time.time()) - 3600)
    emulator.patch_key(key["id"], creationTime=hour_ago, modifiedTime=hour_ago)
    emulator.clear_requests()
    return key


@pytest.fixture
def transport(zpa_emulator: Any, clients: list[Transport]) -> Transport:
    made = Transport(settings_for(zpa_emulator, retry_backoff_s=0.02))
    enrollment_certs(made).get(CONNECTOR_CERT)  # signed in; the log starts afresh
    zpa_emulator.clear_requests()
    clients.append(made)
    return made


# -- create carried out, read-back failed ---------------------------------------------------


def test_create_whose_read_back_fails_still_ends_in_the_stack(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="GET", path_regex=ONE_KEY, status=500)
    state = provider_host.up("readback", key_inputs("readback", exportable=False))

    (stored,) = keys_named(zpa_emulator, "readback")
    assert state.id == str(stored["id"])
    assert state.outputs["provisioning_key"] == stored["provisioningKey"]  # not lost
    assert state.outputs.get("zcomponent_name") is None  # filled by the next read
    refreshed = provider_host.refresh(state)
    assert refreshed is not None
    assert refreshed.outputs["zcomponent_name"] == "Emulator Connector Group"
    assert refreshed.outputs["provisioning_key"] == stored["provisioningKey"]


# -- recovery never takes over a key it did not create --------------------------------------


@pytest.mark.parametrize("exportable", [True, False])
def test_lost_create_never_adopts_or_deletes_an_older_key_of_that_name(
    provider_host: ProviderHost, zpa_emulator: Any, transport: Transport, exportable: bool
) -> None:
    older = _old_key(zpa_emulator, transport, "taken", exportable=exportable)
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, status=503, retry_after="0.1s")

    with pytest.raises(ProviderHostError) as err:
        provider_host.up("taken", key_inputs("taken", exportable=exportable))

    assert "already exists" in err.value.message  # ZPA's own answer, as without a fault
    (still,) = keys_named(zpa_emulator, "taken")
    assert (still["id"], still["provisioningKey"]) == (older["id"], older["provisioningKey"])
    methods = [m for m, _ in api_calls(zpa_emulator)]
    assert "DELETE" not in methods and "PUT" not in methods


def test_lost_create_claims_the_key_it_made(provider_host: ProviderHost, zpa_emulator: Any) -> None:
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, action="drop_after")
    state = provider_host.up("mine", key_inputs("mine"))
    (stored,) = keys_named(zpa_emulator, "mine")
    assert state.id == str(stored["id"])
    assert state.outputs["provisioning_key"] == stored["provisioningKey"]


def test_older_key_with_other_values_is_not_claimed_even_in_the_same_second(
    zpa_emulator: Any, transport: Transport
) -> None:
    older = create_key(keys(transport, "CONNECTOR_GRP"), key_body("same-second", maxUsage=7))
    zpa_emulator.clear_requests()
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, status=503, retry_after="0.1s")
    with pytest.raises(ApiError, match="already exists"):
        create_key(keys(transport, "CONNECTOR_GRP"), key_body("same-second"))
    assert [k["id"] for k in keys_named(zpa_emulator, "same-second")] == [older["id"]]


# -- a redirect, or a 2xx without the JSON it must carry, is no success ---------------------


def test_create_answered_200_with_an_empty_body_after_the_work_claims_its_key(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, action="answer", status=200, work=True)
    state = provider_host.up("empty-200", key_inputs("empty-200"))
    (stored,) = keys_named(zpa_emulator, "empty-200")
    assert state.id == str(stored["id"])
    assert state.outputs["provisioning_key"] == stored["provisioningKey"]


def test_create_redirected_without_the_work_creates_once(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(
        method="POST", path_regex=KEYS, action="answer", status=302,
        location="https://login.example.com/sso",
    )  # fmt: skip
    state = provider_host.up("redirected", key_inputs("redirected"))
    assert [str(k["id"]) for k in keys_named(zpa_emulator, "redirected")] == [state.id]
    assert [m for m, _ in api_calls(zpa_emulator)].count("POST") == 2


def test_redirected_delete_is_an_error_and_the_key_stays(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = provider_host.up("kept", key_inputs("kept"))
    zpa_emulator.add_fault(
        method="DELETE", path_regex=ONE_KEY, action="answer", status=302, location="https://x.y/"
    )
    with pytest.raises(ProviderHostError) as err:
        provider_host.destroy(state)
    assert "unexpected redirect" in err.value.message
    assert [str(k["id"]) for k in keys_named(zpa_emulator, "kept")] == [state.id]


def test_delete_answered_200_after_the_work_is_done_once_a_read_finds_the_key_gone(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = provider_host.up("gone", key_inputs("gone"))
    zpa_emulator.add_fault(
        method="DELETE", path_regex=ONE_KEY, action="answer", status=200, work=True
    )
    zpa_emulator.clear_requests()
    provider_host.destroy(state)
    assert keys_named(zpa_emulator, "gone") == []
    assert api_calls(zpa_emulator) == [("DELETE", 200), ("GET", 400)]  # 400: not found


def test_delete_answered_200_without_the_work_fails_and_the_key_stays(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = provider_host.up("stays", key_inputs("stays"))
    zpa_emulator.add_fault(method="DELETE", path_regex=ONE_KEY, action="answer", status=200)
    with pytest.raises(ProviderHostError) as err:
        provider_host.destroy(state)
    assert "is still there" in err.value.message
    assert [str(k["id"]) for k in keys_named(zpa_emulator, "stays")] == [state.id]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", "application/json"),
        ("<html>sign in</html>", "text/html"),
        ("[1, 2]", "application/json"),
    ],
)
def test_refresh_answered_without_a_json_object_fails_and_blanks_nothing(
    provider_host: ProviderHost, zpa_emulator: Any, body: str, content_type: str
) -> None:
    state = provider_host.up("readme", key_inputs("readme"))
    zpa_emulator.add_fault(
        method="GET", path_regex=ONE_KEY, action="answer", status=200, body=body,
        content_type=content_type,
    )  # fmt: skip
    with pytest.raises(ProviderHostError) as err:
        provider_host.refresh(state)
    assert "unusable answer" in err.value.message and "sign in" not in err.value.message
    assert provider_host.refresh(state) is not None  # the next read works


# -- POST answered 429: wait and send again, no lookup ----------------------------------------


def test_post_429_is_resent_without_a_lookup(zpa_emulator: Any, transport: Transport) -> None:
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, status=429, retry_after="0.2s")
    create_key(keys(transport, "CONNECTOR_GRP"), key_body("after-429"))
    assert api_calls(zpa_emulator) == [("POST", 429), ("POST", 200)]
    assert len(keys_named(zpa_emulator, "after-429")) == 1


# -- unparseable retry-after falls back to the normal backoff --------------------------------


@pytest.mark.parametrize("header", ["garbage", "-1", "1e3", "1,2"])
def test_unreadable_retry_after_backs_off_instead_of_failing(
    zpa_emulator: Any, transport: Transport, header: str
) -> None:
    zpa_emulator.add_fault(
        method="GET", path_regex="enrollmentCert", status=503, retry_after=header
    )
    assert enrollment_certs(transport).get(CONNECTOR_CERT)["name"] == "Connector"
    assert api_calls(zpa_emulator) == [("GET", 503), ("GET", 200)]


# -- a case-only rename with a replacement deletes first --------------------------------------


def test_case_only_rename_with_replacement_deletes_first(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = provider_host.up("Edge", key_inputs("Edge"))
    changed = key_inputs("edge", enrollment_cert_id="6571")
    preview = provider_host.preview("Edge", changed, state)
    assert (preview.op, preview.delete_before_replace) == ("replace", True)

    new_state = provider_host.up("Edge", changed, state)

    assert [str(k["id"]) for k in keys_named(zpa_emulator, "edge")] == [new_state.id]
    assert keys_named(zpa_emulator, "Edge") == []


# -- odd input at preview ---------------------------------------------------------------


def _failures(**changes: Any) -> dict[str, str]:
    _, failures = check_inputs(key_inputs("k", **changes))
    return {f.property: f.reason for f in failures}


def test_ids_with_leading_zeros_are_normalised_so_nothing_changes() -> None:
    inputs, failures = check_inputs(key_inputs("k", enrollment_cert_id="0006573"))
    assert failures == [] and inputs["enrollment_cert_id"] == "6573"
    olds = {**check_inputs(key_inputs("k"))[0], "microtenant_id": None}
    assert diff_inputs(olds, inputs).changes is False


@pytest.mark.parametrize("value", ["\uff16\uff15\uff17\uff13", "657³", "²", "65 73", "0x19AD"])
def test_non_ascii_or_odd_digits_in_ids_are_refused(value: str) -> None:
    failures = _failures(enrollment_cert_id=value)
    assert list(failures) == ["enrollment_cert_id"]
    assert "digits 0-9" in failures["enrollment_cert_id"]
    assert value not in failures["enrollment_cert_id"]


def test_default_microtenant_zero_is_the_same_as_none(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = provider_host.up("mt0", key_inputs("mt0"))
    assert provider_host.preview("mt0", key_inputs("mt0", microtenant_id="0"), state).op == "same"
    assert provider_host.preview("mt0", key_inputs("mt0", microtenant_id="00"), state).op == "same"
    moved = provider_host.preview("mt0", key_inputs("mt0", microtenant_id="42"), state)
    assert moved.op == "replace"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_or_infinite_id_is_a_check_failure(value: float) -> None:
    failures = _failures(zcomponent_id=value)
    assert list(failures) == ["zcomponent_id"] and "\n" not in failures["zcomponent_id"]


def test_static_get_with_lower_case_association_type_is_one_line_naming_the_field(
    provider_host: ProviderHost, zpa_emulator: Any
) -> None:
    state = provider_host.up("getme", key_inputs("getme"))
    with pytest.raises(ProviderHostError) as err:
        provider_host.get("ref", state.id, {"association_type": "connector_grp"})
    assert err.value.message.startswith("pulumi_zpa_pkeys.errors.ResourceError: read ")
    assert "association_type: must be one of CONNECTOR_GRP" in err.value.message


@pytest.mark.parametrize("value", [1e20, 2**31, "1_000", "1e3", "\uff12", "2.5", True, math.nan])
def test_max_usage_outside_a_32_bit_whole_number_is_refused(value: Any) -> None:
    failures = _failures(max_usage=value)
    assert list(failures) == ["max_usage"]
    assert "at most 2147483647" in failures["max_usage"]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        (" edge", "spaces"),
        ("edge ", "spaces"),
        ("ed\nge", "control characters"),
        ("edge\x00", "control characters"),
        ("\u200b\u200b", "visible character"),
        ("\t", "control characters"),
    ],
)
def test_names_zpa_could_never_find_again_are_refused(name: str, fragment: str) -> None:
    failures = _failures(name=name)
    assert list(failures) == ["name"] and fragment in failures["name"]


def test_max_usage_bound_is_accepted_at_the_limit() -> None:
    inputs, failures = check_inputs(key_inputs("k", max_usage=2**31 - 1))
    assert failures == [] and inputs["max_usage"] == 2**31 - 1


# -- no proxy for loopback ------------------------------------------------------------------


def test_loopback_sign_in_never_goes_through_a_proxy(
    zpa_emulator: Any, monkeypatch: pytest.MonkeyPatch, clients: list[Transport]
) -> None:
    proxy = socket.socket()
    proxy.bind(("127.0.0.1", 0))
    proxy.listen(8)
    proxy.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = proxy.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(65536))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{proxy.getsockname()[1]}"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, address)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        transport = Transport(settings_for(zpa_emulator))
        clients.append(transport)
        assert enrollment_certs(transport).get(CONNECTOR_CERT)["name"] == "Connector"
    finally:
        stop.set()
        thread.join(2)
        proxy.close()
    assert seen == []  # nothing, not even the sign-in with the client secret


# -- errors name fields, never secret values -------------------------------------------------


def test_base_url_with_user_info_is_refused_without_echoing_it() -> None:
    config = {
        "zpa:clientId": "id",
        "zpa:clientSecret": "s",
        "zpa:customerId": "1",
        "zpa:baseUrl": "https://admin:hunter2-pass@zpa.example.com",
    }
    with pytest.raises(ConfigError) as err:
        Settings.from_config(config, {})
    assert "hunter2-pass" not in str(err.value) and "admin" not in str(err.value)
    assert "zpa:baseUrl" in str(err.value)


@pytest.mark.parametrize("field", ["max_usage", "name", "zcomponent_id", "enabled"])
def test_check_failures_never_repeat_the_value(field: str) -> None:
    secret = "3|api.private.zscaler.com|c2VjcmV0LXZhbHVl\n"
    failures = _failures(**{field: secret})
    assert list(failures) == [field]
    assert "c2VjcmV0" not in failures[field] and "zscaler" not in failures[field]


def test_error_id_carrying_the_client_secret_is_scrubbed_from_repr(
    zpa_emulator: Any, transport: Transport
) -> None:
    secret = transport.settings.client_secret
    zpa_emulator.add_fault(
        method="GET", path_regex="enrollmentCert", status=400, error_id=f"bad.{secret}"
    )
    with pytest.raises(ApiError) as err:
        enrollment_certs(transport).get(CONNECTOR_CERT)
    for text in (str(err.value), repr(err.value), str(err.value.code)):
        assert secret not in text


def test_lost_create_claims_the_newest_of_same_second_candidates_by_exact_id() -> None:
    # Two same-name groups stamped in one second: only the ids tell them apart, and 18-digit
    # ids differ in digits a float drops.
    from pulumi_zpa_pkeys._lost_create import _made_by_us

    now = time.time()
    stamp = str(int(now))
    found = [
        {"id": "216257201894168174", "name": "edge", "creationTime": stamp},
        {"id": "216257201894168173", "name": "edge", "creationTime": stamp},
    ]
    for order in (found, found[::-1]):
        ours = _made_by_us(order, {"name": "edge"}, now, now)
        assert ours is not None and ours["id"] == "216257201894168174"
