"""Transport against the real emulator over HTTP: both front doors, paging, search, errors,
sign-in sharing, the 401 resend and client-side pacing.

Injected faults (429, 503, dropped connections, timeouts) are in test_client_faults.py; the
token object and the limiter are unit-tested in test_auth.py and test_ratelimit.py.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import pytest
from requests.adapters import HTTPAdapter
from support import (
    CONNECTOR_CERT,
    SERVICE_EDGE_CERT,
    SERVICE_EDGE_GROUP,
    api_calls,
    key_body,
    settings_for,
    sign_ins,
)

from pulumi_zpa_pkeys._host import transport as transport_for
from pulumi_zpa_pkeys._transport import USER_AGENT, Transport, ZpaRetry
from pulumi_zpa_pkeys._version import __version__
from pulumi_zpa_pkeys.enrollment_cert import enrollment_certs
from pulumi_zpa_pkeys.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    ReadOnlyError,
    ZpaError,
)
from pulumi_zpa_pkeys.provisioning_key import create_key, keys


@pytest.fixture
def client(zpa_emulator: Any, clients: list[Transport]) -> Transport:
    made = Transport(settings_for(zpa_emulator))
    clients.append(made)
    return made


def run_threads(count: int, target: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            target(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


# --- both front doors, CRUD, requests per call


@pytest.mark.parametrize("legacy", [False, True], ids=["oneapi", "legacy"])
def test_crud_round_trip_one_request_per_call(
    zpa_emulator: Any, clients: list[Transport], legacy: bool
) -> None:
    client = Transport(settings_for(zpa_emulator, legacy=legacy))
    clients.append(client)
    created = create_key(keys(client, "CONNECTOR_GRP"), key_body("round trip"))
    key_id = str(created["id"])
    assert created["provisioningKey"]
    assert keys(client, "CONNECTOR_GRP").get(key_id)["name"] == "round trip"
    keys(client, "CONNECTOR_GRP").update(key_id, {"maxUsage": 5, "enabled": False})
    fetched = keys(client, "CONNECTOR_GRP").get(key_id)
    assert (fetched["maxUsage"], fetched["enabled"]) == ("5", False)
    keys(client, "CONNECTOR_GRP").delete(key_id)
    with pytest.raises(NotFoundError):
        keys(client, "CONNECTOR_GRP").get(key_id)

    assert api_calls(zpa_emulator) == [
        ("POST", 200), ("GET", 200), ("PUT", 204), ("GET", 200), ("DELETE", 204), ("GET", 400)
    ]  # fmt: skip
    sign_in_path = "/signin" if legacy else "/oauth2/v1/token"
    api_prefix = "/mgmtconfig/" if legacy else "/zpa/mgmtconfig/"
    log = zpa_emulator.requests_log()
    assert next(r["path"] for r in log if r["method"] == "POST") == sign_in_path
    assert all(r["path"].startswith(api_prefix) for r in log[1:])
    assert client.sign_in_count == 1 and sign_ins(zpa_emulator) == 1


def test_create_provisioning_key_sends_enabled_false(client: Transport, zpa_emulator: Any) -> None:
    create_key(keys(client, "CONNECTOR_GRP"), key_body("off", enabled=False))
    (key,) = [k for k in zpa_emulator.state()["provisioningKeys"] if k["name"] == "off"]
    assert key["enabled"] is False


def test_find_provisioning_key_name_with_spaces_one_request(
    client: Transport, zpa_emulator: Any
) -> None:
    create_key(keys(client, "CONNECTOR_GRP"), key_body("edge site 1"))
    create_key(keys(client, "CONNECTOR_GRP"), key_body("edge site 10"))
    zpa_emulator.clear_requests()
    found = keys(client, "CONNECTOR_GRP").find("EDGE Site 1")
    assert found is not None and found["name"] == "edge site 1"
    (entry,) = zpa_emulator.requests_log()
    assert "search=name%20EQ%20EDGE%20Site%201" in entry["query"]
    assert "pagesize=500" in entry["query"]


def test_find_provisioning_key_absent_returns_none(client: Transport) -> None:
    assert keys(client, "SERVICE_EDGE_GRP").find("nothing here") is None


def test_list_provisioning_keys_pages_until_total_pages(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.seed(association_type="CONNECTOR_GRP", count=1001, name_prefix="bulk-")
    enrollment_certs(client).get(CONNECTOR_CERT)  # sign in before counting
    zpa_emulator.clear_requests()
    listed = keys(client, "CONNECTOR_GRP").list()
    assert len(listed) == 1001 and len({k["id"] for k in listed}) == 1001
    queries = [r["query"] for r in zpa_emulator.requests_log()]
    assert queries == [f"page={n}&pagesize=500" for n in (1, 2, 3)]


def test_list_provisioning_keys_max_items_stops_early(client: Transport, zpa_emulator: Any) -> None:
    zpa_emulator.seed(association_type="CONNECTOR_GRP", count=30, name_prefix="few-")
    assert len(keys(client, "CONNECTOR_GRP").list(max_items=10)) == 10
    assert api_calls(zpa_emulator) == [("GET", 200)]


def test_list_provisioning_keys_microtenant_in_query(client: Transport, zpa_emulator: Any) -> None:
    keys(client, "CONNECTOR_GRP", "0").list()
    keys(client, "CONNECTOR_GRP").list()
    queries = [r["query"] for r in zpa_emulator.requests_log() if "/mgmtconfig/" in r["path"]]
    assert "microtenantId=0" in queries[0] and "microtenantId" not in queries[1]


def test_list_enrollment_certs_v2_and_get_v1(client: Transport, zpa_emulator: Any) -> None:
    certs = enrollment_certs(client).list(search="name EQ service edge")
    assert [c["id"] for c in certs] == [SERVICE_EDGE_CERT]
    assert enrollment_certs(client).get(CONNECTOR_CERT)["name"] == "Connector"
    paths = [r["path"] for r in zpa_emulator.requests_log() if "/mgmtconfig/" in r["path"]]
    assert "/mgmtconfig/v2/" in paths[0] and paths[0].endswith("/enrollmentCert")
    assert "/mgmtconfig/v1/" in paths[1] and paths[1].endswith(f"/enrollmentCert/{CONNECTOR_CERT}")


def test_get_enrollment_cert_missing_raises_not_found(client: Transport) -> None:
    with pytest.raises(NotFoundError, match="get enrollment certificate 999"):
        enrollment_certs(client).get("999")


def test_get_provisioning_key_404_raises_not_found(client: Transport, zpa_emulator: Any) -> None:
    zpa_emulator.add_fault(method="GET", path_regex="provisioningKey/", action="status", status=404)
    with pytest.raises(NotFoundError) as info:
        keys(client, "CONNECTOR_GRP").get("1")
    assert info.value.status == 404


# --- errors


def test_create_provisioning_key_invalid_argument_one_request(
    client: Transport, zpa_emulator: Any
) -> None:
    enrollment_certs(client).get(CONNECTOR_CERT)
    zpa_emulator.clear_requests()
    with pytest.raises(ApiError) as info:
        create_key(keys(client, "CONNECTOR_GRP"), key_body("bad", maxUsage=0))
    err = info.value
    assert type(err) is ApiError
    assert (err.status, err.code, err.operation) == (
        400,
        "invalid.resource.argument",
        "create provisioning key 'bad' (CONNECTOR_GRP)",
    )
    assert str(err).startswith(
        "create provisioning key 'bad' (CONNECTOR_GRP): 400 invalid.resource.argument: "
    )
    assert "\n" not in str(err) and err.reason
    assert api_calls(zpa_emulator) == [("POST", 400)]


def test_create_provisioning_key_wrong_group_kind_is_permanent(
    client: Transport, zpa_emulator: Any
) -> None:
    with pytest.raises(ApiError) as info:
        create_key(keys(client, "CONNECTOR_GRP"), key_body("x", zcomponentId=SERVICE_EDGE_GROUP))
    assert info.value.params and info.value.status == 400
    assert api_calls(zpa_emulator) == [("POST", 400)]


def test_update_and_delete_read_only_key_raise_read_only(
    client: Transport, zpa_emulator: Any
) -> None:
    key_id = str(create_key(keys(client, "CONNECTOR_GRP"), key_body("decoy"))["id"])
    zpa_emulator.patch_key(key_id, readOnly=True)
    with pytest.raises(ReadOnlyError):
        keys(client, "CONNECTOR_GRP").update(key_id, {"maxUsage": 3})
    with pytest.raises(ReadOnlyError, match=f"delete provisioning key {key_id}"):
        keys(client, "CONNECTOR_GRP").delete(key_id)
    assert api_calls(zpa_emulator)[-2:] == [("PUT", 400), ("DELETE", 400)]


def test_delete_provisioning_key_missing_raises_not_found(client: Transport) -> None:
    with pytest.raises(NotFoundError, match="delete provisioning key 123"):
        keys(client, "CONNECTOR_GRP").delete("123")


# --- sign-in


@pytest.mark.parametrize(
    ("legacy", "names"),
    [
        (False, ("zpa:clientId", "zpa:clientSecret", "ZSCALER_CLIENT_SECRET")),
        (True, ("zpa:zpaClientId", "zpa:zpaClientSecret", "ZPA_CLIENT_SECRET")),
    ],
    ids=["oneapi", "legacy"],
)
def test_sign_in_bad_secret_raises_auth_error_naming_keys(
    zpa_emulator: Any, clients: list[Transport], legacy: bool, names: tuple[str, ...]
) -> None:
    wrong = "wrong-secret-value-1234"
    client = Transport(settings_for(zpa_emulator, legacy=legacy, client_secret=wrong))
    clients.append(client)
    with pytest.raises(AuthError) as info:
        enrollment_certs(client).get(CONNECTOR_CERT)
    message = str(info.value)
    assert all(name in message for name in names) and "\n" not in message
    assert wrong not in message and wrong not in repr(info.value)
    assert info.value.status == 401 and api_calls(zpa_emulator) == []


def test_call_eight_threads_sign_in_once(client: Transport, zpa_emulator: Any) -> None:
    errors = run_threads(8, lambda i: enrollment_certs(client).get(CONNECTOR_CERT))
    assert errors == []
    assert client.sign_in_count == 1 and sign_ins(zpa_emulator) == 1
    assert api_calls(zpa_emulator) == [("GET", 200)] * 8


def test_call_expired_token_signs_in_again_and_resends_once(
    client: Transport, zpa_emulator: Any
) -> None:
    enrollment_certs(client).get(CONNECTOR_CERT)
    zpa_emulator.expire_tokens()
    zpa_emulator.clear_requests()
    enrollment_certs(client).get(CONNECTOR_CERT)
    assert client.sign_in_count == 2 and sign_ins(zpa_emulator) == 1
    assert api_calls(zpa_emulator) == [("GET", 401), ("GET", 200)]


def test_call_expired_token_eight_threads_one_extra_sign_in(
    client: Transport, zpa_emulator: Any
) -> None:
    enrollment_certs(client).get(CONNECTOR_CERT)
    zpa_emulator.expire_tokens()
    zpa_emulator.clear_requests()
    assert run_threads(8, lambda i: enrollment_certs(client).get(CONNECTOR_CERT)) == []
    assert client.sign_in_count == 2 and sign_ins(zpa_emulator) == 1
    assert sorted(api_calls(zpa_emulator)).count(("GET", 200)) == 8


def test_call_token_near_exp_refreshed_before_use(
    zpa_emulator: Any, clients: list[Transport]
) -> None:
    zpa_emulator.configure(token_ttl_s=120)
    now = [0.0]
    client = Transport(settings_for(zpa_emulator), clock=lambda: now[0])
    clients.append(client)
    enrollment_certs(client).get(CONNECTOR_CERT)
    now[0] = 109.0  # inside the last 10 % of the JWT's lifetime
    enrollment_certs(client).get(CONNECTOR_CERT)
    assert client.sign_in_count == 2
    assert api_calls(zpa_emulator) == [("GET", 200), ("GET", 200)]  # no 401 on the way


def test_call_401_after_fresh_sign_in_raises_auth_error(
    client: Transport, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="GET", path_regex="enrollmentCert", status=401, times=5)
    with pytest.raises(AuthError, match="after a fresh sign-in"):
        enrollment_certs(client).get(CONNECTOR_CERT)
    assert api_calls(zpa_emulator) == [("GET", 401), ("GET", 401)]
    assert client.sign_in_count == 2


# --- secrets never shown


def test_errors_and_reprs_never_contain_secret_or_token(
    client: Transport, zpa_emulator: Any, clients: list[Transport]
) -> None:
    secret = zpa_emulator.client_secret
    refused = Transport(settings_for(zpa_emulator, client_secret="x" + secret))
    clients.append(refused)
    enrollment_certs(client).get(CONNECTOR_CERT)
    token = client._auth.current_token
    assert token
    texts = [repr(client), str(client), repr(client.settings), str(client.settings),
             repr(client._auth)]  # fmt: skip
    failures: list[ZpaError] = []
    for call in (
        lambda: keys(client, "CONNECTOR_GRP").get("404"),
        lambda: create_key(keys(client, "CONNECTOR_GRP"), key_body("", maxUsage=-1)),
        lambda: enrollment_certs(refused).list(),
    ):
        with pytest.raises(ZpaError) as info:
            call()
        failures.append(info.value)
    texts += [str(e) for e in failures] + [repr(e) for e in failures]
    texts += [str(e.reason) for e in failures]
    for text in texts:
        assert secret not in text and token not in text


# --- headers, client registry


def test_session_headers_user_agent_and_json(client: Transport) -> None:
    assert USER_AGENT.startswith(f"pulumi-zpa-pkeys/{__version__} python/")
    assert "requests/" in USER_AGENT
    headers = client._http.headers
    assert headers["User-Agent"] == USER_AGENT and headers["Accept"] == "application/json"
    adapter = client._http.get_adapter("https://example.com")
    assert isinstance(adapter, HTTPAdapter) and isinstance(adapter.max_retries, ZpaRetry)
    assert adapter._pool_maxsize >= 8  # type: ignore[attr-defined]


def test_get_client_one_instance_per_settings_across_threads(zpa_emulator: Any) -> None:
    settings = settings_for(zpa_emulator, request_timeout_s=12.5)
    seen: list[Transport] = []
    assert run_threads(8, lambda i: seen.append(transport_for(settings))) == []
    assert len({id(c) for c in seen}) == 1
    assert transport_for(replace(settings, request_timeout_s=12.0)) is not seen[0]


# --- client-side pacing against the emulator's enforced limits


def test_call_burst_with_limiter_draws_no_429(zpa_emulator: Any, clients: list[Transport]) -> None:
    zpa_emulator.configure(rate_limit=True, get_per_window=6, write_per_window=3, window_s=0.5)
    client = Transport(
        settings_for(zpa_emulator, rate_limit_gets=6, rate_limit_writes=3, rate_limit_window_s=0.5)
    )
    clients.append(client)
    started = time.monotonic()

    def work(i: int) -> None:
        create_key(keys(client, "CONNECTOR_GRP"), key_body(f"paced-{i}"))
        for _ in range(5):
            enrollment_certs(client).get(CONNECTOR_CERT)

    assert run_threads(4, work) == []
    elapsed = time.monotonic() - started
    statuses = [status for _, status in api_calls(zpa_emulator)]
    assert statuses.count(429) == 0 and len(statuses) == 24
    # 20 GETs at 6 per 0.5 s need three more windows after the first: the limiter did pace.
    assert elapsed >= 1.5


def test_call_burst_without_limiter_is_saved_by_retry_after(
    zpa_emulator: Any, clients: list[Transport]
) -> None:
    zpa_emulator.configure(rate_limit=True, get_per_window=5, write_per_window=3, window_s=0.5)
    client = Transport(settings_for(zpa_emulator))  # limiter off
    clients.append(client)
    assert run_threads(4, lambda i: [enrollment_certs(client).get("6571") for _ in range(3)]) == []
    statuses = [status for _, status in api_calls(zpa_emulator)]
    assert statuses.count(200) == 12 and statuses.count(429) >= 1
