"""Data safety, emulator items: hostile input gets a 4xx in ZPA's error shape, never a 500, a
traceback or a dropped connection; bare search terms are matched against the name."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from pulumi_zpa_pkeys.emulator.query import Search, parse_search
from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator

CID = "216196257331281920"
ACG = "216196257331300001"
API = f"/zpa/mgmtconfig/v1/admin/customers/{CID}"
KEYS = f"{API}/associationType/CONNECTOR_GRP/provisioningKey"
CERTS = f"/zpa/mgmtconfig/v2/admin/customers/{CID}/enrollmentCert"
SUPERSCRIPT_TWO = "\N{SUPERSCRIPT TWO}"
FULL_WIDTH_TWELVE = "\N{FULLWIDTH DIGIT ONE}\N{FULLWIDTH DIGIT TWO}"
FULL_WIDTH_ACG = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in ACG)  # int() would take it
HUGE = "9" * 5000  # more digits than Python's int() takes by default (4,300)
SEED = b"POST /_emulator/seed HTTP/1.1\r\nHost: x\r\n"


@pytest.fixture
def api(zpa_emulator: RunningEmulator) -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {zpa_emulator.token()}"
        yield s


def assert_zpa_error(r: requests.Response, status: int, param: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["id"] == "invalid.resource.argument" and isinstance(body["reason"], str)
    if param is not None:
        assert body["params"] == [param]


def key_body(**fields: Any) -> dict[str, Any]:
    return {"name": "k", "maxUsage": 2, "enrollmentCertId": "6573", "zcomponentId": ACG, **fields}


def raw_exchange(
    url: str, data: bytes, *, closes: bool = False
) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; the answer's status, headers and body. With ``closes``, the server must
    close the connection right after the answer (long before its idle timeout)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        if closes:
            sock.settimeout(2)
            assert sock.recv(1) == b""
        return response.status, dict(response.getheaders()), body


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("query", "param"),
    [(f"page={SUPERSCRIPT_TWO}", "page"), (f"page={FULL_WIDTH_TWELVE}", "page"),
     (f"pagesize={SUPERSCRIPT_TWO}", "pagesize"), (f"microtenantId={SUPERSCRIPT_TWO}",
     "microtenantId"), (f"microtenantId={FULL_WIDTH_TWELVE}", "microtenantId"),
     (f"microtenantId={HUGE}", "microtenantId")],
)  # fmt: skip
def test_unicode_and_huge_digits_in_the_query_are_a_400(
    api: requests.Session, zpa_emulator: RunningEmulator, query: str, param: str
) -> None:
    assert_zpa_error(api.get(f"{zpa_emulator.url}{KEYS}?{query}", timeout=10), 400, param)


@pytest.mark.parametrize("param", ["page", "pagesize"])
@pytest.mark.parametrize("value", ["2147483648", "4294967297", "99999999999", HUGE, "0", "-1"])
def test_page_and_pagesize_outside_int32_range_are_a_400(
    api: requests.Session, zpa_emulator: RunningEmulator, param: str, value: str
) -> None:
    answer = api.get(f"{zpa_emulator.url}{CERTS}?{param}={value}", timeout=10)
    assert_zpa_error(answer, 400, param)
    assert answer.json()["id"] == "invalid.resource.argument"


def test_page_and_pagesize_at_int32_max_are_past_the_end_or_clamped(
    api: requests.Session, zpa_emulator: RunningEmulator
) -> None:
    past = api.get(f"{zpa_emulator.url}{CERTS}?page=2147483647", timeout=10)
    assert (past.status_code, past.json()["list"], past.json()["totalCount"]) == (200, [], "4")
    clamped = api.get(f"{zpa_emulator.url}{CERTS}?pagesize=2147483647", timeout=10)
    assert (clamped.status_code, len(clamped.json()["list"])) == (200, 4)


@pytest.mark.parametrize(
    ("fields", "param"),
    [({"enrollmentCertId": SUPERSCRIPT_TWO}, "enrollmentCertId"),
     ({"zcomponentId": FULL_WIDTH_ACG}, "zcomponentId"), ({"microtenantId": -5}, "microtenantId"),
     ({"maxUsage": FULL_WIDTH_TWELVE}, "maxUsage"), ({"maxUsage": SUPERSCRIPT_TWO}, "maxUsage"),
     ({"maxUsage": HUGE}, "maxUsage"), ({"maxUsage": "1e999999999"}, "maxUsage"),
     ({"maxUsage": 2**63}, "maxUsage"), ({"microtenantId": HUGE}, "microtenantId")],
)  # fmt: skip
def test_unicode_and_huge_numbers_in_the_body_are_a_400(
    api: requests.Session, zpa_emulator: RunningEmulator, fields: dict[str, Any], param: str
) -> None:
    t0 = time.monotonic()
    assert_zpa_error(api.post(zpa_emulator.url + KEYS, json=key_body(**fields), timeout=10), 400,
                     param)  # fmt: skip
    assert time.monotonic() - t0 < 2  # "1e999999999" is refused, never expanded


def test_json_integer_beyond_python_limit_is_a_400(
    api: requests.Session, zpa_emulator: RunningEmulator
) -> None:
    data = ('{"name":"k","maxUsage":' + HUGE + "}").encode()
    r = api.post(zpa_emulator.url + KEYS, data=data, timeout=10,
                 headers={"Content-Type": "application/json"})  # fmt: skip
    assert_zpa_error(r, 400, "body")
    group_body = {"name": "g", "latitude": "NaN", "longitude": "1", "location": "X, US"}
    group = api.post(f"{zpa_emulator.url}{API}/appConnectorGroup", json=group_body, timeout=10)
    assert_zpa_error(group, 400, "latitude")


def test_seed_count_is_bounded(zpa_emulator: RunningEmulator) -> None:
    for count in (100_001, 10**30, HUGE):
        r = requests.post(zpa_emulator.url + "/_emulator/seed", json={"count": count}, timeout=10)
        assert_zpa_error(r, 400, "count")
    assert zpa_emulator.state()["provisioningKeys"] == []


def test_fault_retry_after_with_cr_lf_is_refused(zpa_emulator: RunningEmulator) -> None:
    for value in ("1s\r\nX-Injected: yes", "2s\n", "\x00"):
        rule = {"action": "status", "status": 503, "retry_after": value}
        r = requests.post(zpa_emulator.url + "/_emulator/faults", json=rule, timeout=10)
        assert_zpa_error(r, 400, "retry_after")
    assert requests.get(zpa_emulator.url + "/_emulator/faults", timeout=10).json() == []
    assert zpa_emulator.add_fault(action="status", status=503, retry_after="2s")


# ------------------------------------------------------------------ HTTP framing


def test_unknown_method_answers_zpa_json(zpa_emulator: RunningEmulator) -> None:
    token = zpa_emulator.token()
    status, headers, body = raw_exchange(zpa_emulator.url, (
        f"BREW {KEYS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode())  # fmt: skip
    assert (status, headers["Content-Type"]) == (405, "application/json")
    assert b'"method.not.allowed"' in body
    status, _, body = raw_exchange(zpa_emulator.url, b"BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 404 and b'"id": "not.found"' in body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (SEED + b"Content-Length: 99999999999999\r\n\r\n", 413),
        (SEED + b"Content-Length: " + HUGE.encode() + b"\r\n\r\n", 413),
        (SEED + b"Content-Length: 12ab\r\n\r\n", 400),
        (SEED + b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\nabc", 413),
        (SEED + b"Transfer-Encoding: chunked\r\n\r\n-5\r\nabc", 400),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"NOT A REQUEST LINE AT ALL\r\n\r\n", 400),
    ],
    ids=["content-length", "content-length-5000-digits", "content-length-garbage",
         "chunk-size", "chunk-size-negative", "request-line", "request-line-garbage"],
)  # fmt: skip
def test_bad_framing_answers_zpa_json_and_closes(
    zpa_emulator: RunningEmulator, request_bytes: bytes, status: int
) -> None:
    got, headers, body = raw_exchange(zpa_emulator.url, request_bytes, closes=True)
    assert (got, headers["Content-Type"]) == (status, "application/json")
    assert b'"id": "invalid.resource.argument"' in body


def test_body_over_one_mib_is_a_413_and_the_connection_stays_usable(
    zpa_emulator: RunningEmulator,
) -> None:
    with requests.Session() as s:
        r = s.post(zpa_emulator.url + "/_emulator/seed", data=b"x" * ((1 << 20) + 1), timeout=10)
        assert_zpa_error(r, 413, "body")
        ok = s.post(zpa_emulator.url + "/_emulator/seed", data=b" " * (1 << 20), timeout=10)
        assert_zpa_error(ok, 400, "body")  # exactly 1 MiB is read (and is no JSON)


def test_idle_keep_alive_connection_is_closed(zpa_emulator: RunningEmulator) -> None:
    assert zpa_emulator.configure()["idle_timeout_s"] == 5.0  # the documented default
    zpa_emulator.configure(idle_timeout_s=0.3)
    try:
        t0 = time.monotonic()
        keep_alive = b"GET /_emulator/faults HTTP/1.1\r\nHost: x\r\n\r\n"
        assert raw_exchange(zpa_emulator.url, keep_alive, closes=True)[0] == 200
        assert time.monotonic() - t0 < 2
    finally:
        zpa_emulator.configure(idle_timeout_s=5)


def test_hostile_requests_never_print_a_traceback() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_zpa_pkeys.emulator", "--port", "0", "--no-rate-limit"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        for data in (
            SEED + b"Content-Length: 99999999999999\r\n\r\n",
            SEED + b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\nabc",
            b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n",
        ):
            assert raw_exchange(url, data)[0] in (404, 413)
        for body in ({"count": HUGE}, {"count": 10**30}):
            assert requests.post(url + "/_emulator/seed", json=body, timeout=10).status_code == 400
        token = requests.post(url + "/signin", timeout=10, data={
            "client_id": "zpa-emulator", "client_secret": "zpa-emulator-secret",
        }).json()["access_token"]  # fmt: skip
        auth = {"Authorization": f"Bearer {token}"}
        keys = url + KEYS.removeprefix("/zpa")
        for query in (f"page={SUPERSCRIPT_TWO}", f"microtenantId={HUGE}"):
            assert requests.get(f"{keys}?{query}", headers=auth, timeout=10).status_code == 400
        bad = key_body(enrollmentCertId=SUPERSCRIPT_TWO, maxUsage="1e999999999")
        assert requests.post(keys, json=bad, headers=auth, timeout=10).status_code == 400
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode == 0
    assert b"Traceback" not in err, err.decode()


# ------------------------------------------------------------------ bare search terms


def test_bare_search_term_is_a_case_insensitive_substring_of_the_name(
    api: requests.Session, zpa_emulator: RunningEmulator
) -> None:
    def names(path: str, term: str) -> list[str]:
        r = api.get(zpa_emulator.url + path, params={"search": term}, timeout=10)
        assert r.status_code == 200, r.text
        return [item["name"] for item in r.json()["list"]]

    assert names(CERTS, "Connector") == ["Connector"]
    assert names(CERTS, "connector") == ["Connector"]
    assert names(CERTS, "EDGE") == ["Service Edge"]
    assert names(CERTS, "Service Edge") == ["Service Edge"]
    assert names(f"{API}/appConnectorGroup", "connector group") == ["Emulator Connector Group"]
    assert names(f"{API}/serviceEdgeGroup", "Edge") == ["Emulator Service Edge Group"]
    zpa_emulator.seed("CONNECTOR_GRP", 12, "Bulk-")
    assert names(KEYS, "bulk-1") == ["Bulk-10", "Bulk-11", "Bulk-12"]
    # field OP value works exactly as before.
    assert names(CERTS, "name EQ Connector") == ["Connector"]
    assert names(CERTS, "name+EQ+service edge") == ["Service Edge"]
    for broken in ("name", "name XX y", "NAME EQ"):
        assert_zpa_error(api.get(zpa_emulator.url + CERTS, params={"search": broken}, timeout=10),
                         400, "search")  # fmt: skip


def test_parse_search_bare_and_structured() -> None:
    assert parse_search("Connector", ("name",)) == Search("name", "LIKE", "Connector")
    assert parse_search(" Service Edge ", ("name",)) == Search("name", "LIKE", "Service Edge")
    assert parse_search("name+EQ+x y", ("name",)) == Search("name", "EQ", "x y")
    assert parse_search("maxUsage GE 2", ()) == Search("maxUsage", "GE", "2")
