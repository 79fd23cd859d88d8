"""Transport under faults injected into the real emulator: 429 with retry-after, 503/504/409,
dropped connections before and after a committed POST, read timeouts, refused connections.

The rule under test: idempotent calls are retried within bounds; a POST is repeated only when
ZPA certainly did nothing, and otherwise the key is looked up by name first, so exactly one key
exists afterwards. Happy paths and sign-in are in test_client.py.
"""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from typing import Any

import pytest
from support import CONNECTOR_CERT, api_calls, key_body, keys_named, settings_for

from pulumi_zpa_pkeys._transport import Transport, ZpaRetry, is_ambiguous
from pulumi_zpa_pkeys.enrollment_cert import enrollment_certs
from pulumi_zpa_pkeys.errors import ApiError, RateLimitedError, TransportError
from pulumi_zpa_pkeys.provisioning_key import create_key, keys

KEYS = "provisioningKey$"


@pytest.fixture
def make_client(zpa_emulator: Any, clients: list[Transport]) -> Any:
    def make(**overrides: Any) -> Transport:
        client = Transport(settings_for(zpa_emulator, **{"retry_backoff_s": 0.02, **overrides}))
        enrollment_certs(client).get(CONNECTOR_CERT)  # sign in, then start the log afresh
        zpa_emulator.clear_requests()
        clients.append(client)
        return client

    return make


@pytest.fixture
def client(make_client: Any) -> Transport:
    made: Transport = make_client()
    return made


# --- retry-after parsing (ZPA's "13s" makes stock urllib3 raise InvalidHeader)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("13s", 13.0), ("13", 13.0), ("0.4s", 0.4), (" 2S ", 2.0), ("9999s", 60.0)],
)
def test_retry_parse_retry_after_zpa_formats(header: str, seconds: float) -> None:
    assert ZpaRetry(max_wait_s=60.0).parse_retry_after(header) == pytest.approx(seconds)


# --- 429


def test_get_provisioning_key_429_waits_retry_after_then_succeeds(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(
        method="GET", path_regex="enrollmentCert", status=429, retry_after="0.4s"
    )
    started = time.monotonic()
    assert enrollment_certs(client).get(CONNECTOR_CERT)["name"] == "Connector"
    assert time.monotonic() - started >= 0.4
    assert api_calls(zpa_emulator) == [("GET", 429), ("GET", 200)]


def test_list_enrollment_certs_429_plain_seconds_retry_after(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="GET", path_regex="enrollmentCert", status=429, retry_after="1")
    started = time.monotonic()
    assert len(enrollment_certs(client).list()) == 4
    assert time.monotonic() - started >= 1.0
    assert api_calls(zpa_emulator) == [("GET", 429), ("GET", 200)]


def test_get_enrollment_cert_429_without_retry_after_backs_off(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="GET", path_regex="enrollmentCert", status=429, times=2)
    enrollment_certs(client).get(CONNECTOR_CERT)
    assert api_calls(zpa_emulator) == [("GET", 429), ("GET", 429), ("GET", 200)]


def test_create_provisioning_key_429_retried_without_duplicate(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, status=429, retry_after="0.2s")
    created = create_key(keys(client, "CONNECTOR_GRP"), key_body("after-429"))
    assert api_calls(zpa_emulator) == [("POST", 429), ("POST", 200)]
    assert [k["id"] for k in keys_named(zpa_emulator, "after-429")] == [created["id"]]


def test_get_enrollment_cert_429_beyond_wait_budget_raises_rate_limited(
    make_client: Any, zpa_emulator: Any
) -> None:
    client = make_client(retry_max_wait_s=1.0)
    zpa_emulator.add_fault(
        method="GET", path_regex="enrollmentCert", status=429, retry_after="0.4s", times=None
    )
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as info:
        enrollment_certs(client).get(CONNECTOR_CERT)
    assert time.monotonic() - started < 1.5
    assert api_calls(zpa_emulator) == [("GET", 429)] * 3
    assert info.value.status == 429 and info.value.code == "invalid.toomanyrequests"
    assert str(info.value).startswith(f"get enrollment certificate {CONNECTOR_CERT}: 429 ")


# --- 503 / 504 / 409 on idempotent calls


def test_get_provisioning_key_503_twice_then_succeeds(client: Transport, zpa_emulator: Any) -> None:
    key_id = str(create_key(keys(client, "CONNECTOR_GRP"), key_body("k503"))["id"])
    zpa_emulator.clear_requests()
    zpa_emulator.add_fault(method="GET", path_regex=f"{key_id}$", status=503, times=2)
    assert keys(client, "CONNECTOR_GRP").get(key_id)["name"] == "k503"
    assert api_calls(zpa_emulator) == [("GET", 503), ("GET", 503), ("GET", 200)]


def test_get_enrollment_cert_503_forever_gives_up_bounded(
    make_client: Any, zpa_emulator: Any
) -> None:
    client = make_client(retry_backoff_s=0.005)
    zpa_emulator.add_fault(method="GET", path_regex="enrollmentCert", status=503, times=None)
    with pytest.raises(ApiError) as info:
        enrollment_certs(client).get(CONNECTOR_CERT)
    assert info.value.status == 503 and info.value.code == "retryable.server.error"
    assert api_calls(zpa_emulator) == [("GET", 503)] * 7  # first try + 6 status retries


def test_update_provisioning_key_409_concurrent_access_retried(
    client: Transport, zpa_emulator: Any
) -> None:
    key_id = str(create_key(keys(client, "CONNECTOR_GRP"), key_body("k409"))["id"])
    zpa_emulator.clear_requests()
    zpa_emulator.add_fault(
        method="PUT", path_regex=key_id, status=409, error_id="api.concurrent.access.error"
    )
    keys(client, "CONNECTOR_GRP").update(key_id, {"maxUsage": 9})
    assert api_calls(zpa_emulator) == [("PUT", 409), ("PUT", 204)]
    assert keys_named(zpa_emulator, "k409")[0]["maxUsage"] == "9"


def test_delete_provisioning_key_504_retried(client: Transport, zpa_emulator: Any) -> None:
    key_id = str(create_key(keys(client, "CONNECTOR_GRP"), key_body("k504"))["id"])
    zpa_emulator.clear_requests()
    zpa_emulator.add_fault(method="DELETE", path_regex=key_id, status=504)
    keys(client, "CONNECTOR_GRP").delete(key_id)
    assert api_calls(zpa_emulator) == [("DELETE", 504), ("DELETE", 204)]
    assert keys_named(zpa_emulator, "k504") == []


def test_get_provisioning_key_dropped_connection_retried(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="GET", path_regex="enrollmentCert", action="drop_before")
    assert enrollment_certs(client).get(CONNECTOR_CERT)["id"] == CONNECTOR_CERT
    assert api_calls(zpa_emulator) == [("GET", None), ("GET", 200)]


def test_get_enrollment_cert_read_timeout_retried(make_client: Any, zpa_emulator: Any) -> None:
    client = make_client(request_timeout_s=0.3)
    zpa_emulator.add_fault(method="GET", path_regex="enrollmentCert", action="delay", delay_s=0.6)
    assert enrollment_certs(client).get(CONNECTOR_CERT)["id"] == CONNECTOR_CERT
    gets = [status for method, status in api_calls(zpa_emulator) if method == "GET"]
    assert gets[-1] == 200 and len(gets) in (1, 2)  # the delayed one may still be in flight


# --- POST: never a duplicate


def test_create_provisioning_key_dropped_after_commit_exactly_one_key(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, action="drop_after")
    created = create_key(keys(client, "CONNECTOR_GRP"), key_body("lost answer"))
    (stored,) = keys_named(zpa_emulator, "lost answer")
    assert created["id"] == stored["id"]
    assert created["provisioningKey"] == stored["provisioningKey"]
    assert api_calls(zpa_emulator) == [("POST", None), ("GET", 200)]


def test_create_provisioning_key_dropped_after_commit_hidden_key_recreated(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, action="drop_after")
    created = create_key(keys(client, "CONNECTOR_GRP"), key_body("hidden", exportable=False))
    (stored,) = keys_named(zpa_emulator, "hidden")
    assert created["id"] == stored["id"] and created["provisioningKey"]
    assert api_calls(zpa_emulator) == [("POST", None), ("GET", 200), ("DELETE", 204), ("POST", 200)]


def test_create_provisioning_key_dropped_before_commit_creates_once(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, action="drop_before")
    created = create_key(keys(client, "CONNECTOR_GRP"), key_body("never arrived"))
    assert [k["id"] for k in keys_named(zpa_emulator, "never arrived")] == [created["id"]]
    assert api_calls(zpa_emulator) == [("POST", None), ("GET", 200), ("POST", 200)]


def test_create_provisioning_key_503_looks_up_then_creates_once(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, status=503, retry_after="1s")
    created = create_key(keys(client, "CONNECTOR_GRP"), key_body("after-503"))
    assert [k["id"] for k in keys_named(zpa_emulator, "after-503")] == [created["id"]]
    assert api_calls(zpa_emulator) == [("POST", 503), ("GET", 200), ("POST", 200)]


def test_create_provisioning_key_read_timeout_finds_committed_key(
    make_client: Any, zpa_emulator: Any
) -> None:
    client = make_client(request_timeout_s=0.3)
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, action="delay", delay_s=0.8)
    created = create_key(keys(client, "CONNECTOR_GRP"), key_body("slow"))
    (stored,) = keys_named(zpa_emulator, "slow")
    assert created["id"] == stored["id"] and created["provisioningKey"]
    # The POST's own log entry appears when the delayed answer goes out; the lookup is there.
    assert ("GET", 200) in api_calls(zpa_emulator)


def test_create_provisioning_key_two_503s_retried_within_wait_budget_one_key(
    client: Transport, zpa_emulator: Any
) -> None:
    """Data safety #4: two 503s in a row no longer lose the create."""
    zpa_emulator.add_fault(method="POST", path_regex=KEYS, status=503, times=2, retry_after="0.2s")
    started = time.monotonic()
    created = create_key(keys(client, "CONNECTOR_GRP"), key_body("twice"))
    assert time.monotonic() - started >= 0.4  # retry-after honoured twice
    assert [k["id"] for k in keys_named(zpa_emulator, "twice")] == [created["id"]]
    assert api_calls(zpa_emulator) == [
        ("POST", 503), ("GET", 200), ("POST", 503), ("GET", 200), ("POST", 200),
    ]  # fmt: skip


def test_create_provisioning_key_503_beyond_wait_budget_raises_and_leaves_nothing(
    make_client: Any, zpa_emulator: Any
) -> None:
    client = make_client(retry_max_wait_s=0.5)
    zpa_emulator.add_fault(
        method="POST", path_regex=KEYS, status=503, times=None, retry_after="0.2s"
    )
    with pytest.raises(ApiError) as info:
        create_key(keys(client, "CONNECTOR_GRP"), key_body("never"))
    assert info.value.status == 503
    assert keys_named(zpa_emulator, "never") == []
    assert [m for m, _ in api_calls(zpa_emulator)].count("POST") in (2, 3)


# --- nothing listening


def test_create_provisioning_key_connection_refused_raises_transport_error(
    zpa_emulator: Any, clients: list[Transport]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = settings_for(zpa_emulator, retry_backoff_s=0.005)
    settings = replace(
        settings,
        token_url=f"http://127.0.0.1:{port}/oauth2/v1/token",
        api_base=f"http://127.0.0.1:{port}/zpa/mgmtconfig",
    )
    client = Transport(settings)
    clients.append(client)
    with pytest.raises(TransportError) as info:
        create_key(keys(client, "CONNECTOR_GRP"), key_body("nowhere"))
    message = str(info.value)
    assert message.startswith("sign in to ZPA (OneAPI): could not connect")
    assert not is_ambiguous(info.value) and settings.client_secret not in message
