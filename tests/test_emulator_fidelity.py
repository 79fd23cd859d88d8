"""Issue 17, emulator fidelity: the emulator answers as the recordings of real ZPA do (B1 the 429
body, B2 the OneAPI rate-limit headers, B3 token lifetimes, B4 unknown sub-paths)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pulumi_zpa_pkeys.emulator.ratelimit import GatewayBudget
from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator

RECORDED = Path(__file__).resolve().parent / "data" / "recorded"
CID = "216196257331281920"
KEYS = f"/v1/admin/customers/{CID}/associationType/CONNECTOR_GRP/provisioningKey"
ACG = f"/v1/admin/customers/{CID}/appConnectorGroup"
SEG = f"/v1/admin/customers/{CID}/serviceEdgeGroup"
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def recorded_header_values(header: str) -> set[str]:
    values = set()
    for name in ("app_connector_group_exchanges.json", "service_edge_group_exchanges.json",
                 "ba_certificate_exchanges.json", "rate_limited_exchange.json"):  # fmt: skip
        for exchange in recorded(name):
            values.update(exchange["response_headers"].get(header, []))
    return values


class Door:
    """A signed-in session on one front door."""

    def __init__(self, emu: RunningEmulator, *, legacy: bool) -> None:
        self.base = emu.url + ("/mgmtconfig" if legacy else "/zpa/mgmtconfig")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {emu.token(legacy=legacy)}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=10, **kwargs)


@pytest.fixture
def oneapi(zpa_emulator: RunningEmulator) -> Iterator[Door]:
    door = Door(zpa_emulator, legacy=False)
    yield door
    door.session.close()


@pytest.fixture
def legacy(zpa_emulator: RunningEmulator) -> Iterator[Door]:
    door = Door(zpa_emulator, legacy=True)
    yield door
    door.session.close()


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    out: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return out


# ------------------------------------------------------------------ B1: the 429 body


@pytest.mark.parametrize("door_name", ["oneapi", "legacy"])
def test_b1_rate_limited_429_body_is_the_recorded_one(
    door_name: str, request: pytest.FixtureRequest, zpa_emulator: RunningEmulator
) -> None:
    door: Door = request.getfixturevalue(door_name)
    expected = recorded("rate_limited_exchange.json")[0]
    zpa_emulator.configure(rate_limit=True, window_s=10, get_per_window=1)
    assert door.call("GET", KEYS).status_code == 200
    refused = door.call("GET", KEYS)
    assert refused.status_code == expected["status"] == 429
    assert refused.json() == expected["response_body"]
    assert list(refused.json()) == ["exception", "id", "reason"]
    assert refused.headers["Content-Type"] == expected["response_headers"]["content-type"][0]
    assert re.fullmatch(r"\d+s", refused.headers["retry-after"])


def test_b1_injected_429_without_error_id_answers_the_recorded_body(
    oneapi: Door, zpa_emulator: RunningEmulator
) -> None:
    expected = recorded("rate_limited_exchange.json")[0]["response_body"]
    zpa_emulator.add_fault(method="GET", path_regex="provisioningKey$", action="status",
                           status=429, retry_after="4s")  # fmt: skip
    r = oneapi.call("GET", KEYS)
    assert (r.status_code, r.json(), r.headers["retry-after"]) == (429, expected, "4s")
    zpa_emulator.add_fault(path_regex="", action="status", status=429, error_id="my.limit")
    assert oneapi.call("GET", KEYS).json()["id"] == "my.limit"  # error_id still overrides


# ------------------------------------------------------------------ B2: rate-limit headers


def test_b2_recorded_headers_are_the_ones_we_send(
    oneapi: Door, zpa_emulator: RunningEmulator
) -> None:
    """Every value the recordings hold for the budget headers, and the format of the counts."""
    assert recorded_header_values("x-ratelimit-limit") == {
        "5000, 5000;w=60", "500, 500;w=1, 100000;w=60",
    }  # fmt: skip
    assert all(v.isdigit() for v in recorded_header_values("x-ratelimit-remaining"))
    assert all(v.isdigit() for v in recorded_header_values("x-ratelimit-reset"))
    token = requests.post(zpa_emulator.url + "/oauth2/v1/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": zpa_emulator.client_id,
        "client_secret": zpa_emulator.client_secret, "audience": "https://api.zscaler.com",
    })  # fmt: skip
    assert token.headers["x-ratelimit-limit"] == "500, 500;w=1, 100000;w=60"
    assert 0 <= int(token.headers["x-ratelimit-remaining"]) <= 499
    assert token.headers["x-ratelimit-reset"] == "1"


def test_b2_every_oneapi_answer_counts_against_the_gateway_budget(
    oneapi: Door, zpa_emulator: RunningEmulator
) -> None:
    zpa_emulator.configure(rate_limit=True, window_s=10, get_per_window=3)
    answers = [
        oneapi.call("GET", KEYS),  # 200
        oneapi.call("POST", KEYS, json={"name": ""}),  # 400
        oneapi.call("GET", f"/v1/admin/customers/{CID}/nothingHere"),  # 404
        oneapi.call("GET", KEYS),
        oneapi.call("GET", KEYS),  # 429 from ZPA's own budget, behind the gateway
    ]
    assert [r.status_code for r in answers] == [200, 400, 404, 200, 429]
    for r in answers:
        assert set(RATE_HEADERS) <= set(r.headers), r.status_code
        assert r.headers["x-ratelimit-limit"] == "5000, 5000;w=60"
    # The fixture reset the counters: the first answer of the window leaves 4999.
    assert [r.headers["x-ratelimit-remaining"] for r in answers] == [
        "4999", "4998", "4997", "4996", "4995",
    ]  # fmt: skip
    resets = [int(r.headers["x-ratelimit-reset"]) for r in answers]
    assert all(1 <= s <= 60 for s in resets) and resets == sorted(resets, reverse=True)
    zpa_emulator.reset()
    assert oneapi.call("GET", KEYS).headers["x-ratelimit-remaining"] == "4999"


def test_b2_unauthorized_and_legacy_answers_carry_no_budget_headers(
    legacy: Door, zpa_emulator: RunningEmulator
) -> None:
    unsigned = requests.get(zpa_emulator.url + "/zpa/mgmtconfig" + KEYS, timeout=10)
    assert unsigned.status_code == 401  # recorded: the gateway's 401 has none
    assert not set(RATE_HEADERS) & set(unsigned.headers)
    zpa_emulator.configure(rate_limit=True, window_s=10, get_per_window=1)
    signin = requests.post(zpa_emulator.url + "/signin", timeout=10, data={
        "client_id": zpa_emulator.client_id, "client_secret": zpa_emulator.client_secret,
    })  # fmt: skip
    for r in (signin, legacy.call("GET", KEYS), legacy.call("GET", KEYS)):
        assert not set(RATE_HEADERS) & set(r.headers), r.status_code
    assert r.status_code == 429


def test_b2_gateway_budget_counts_per_sixty_second_window() -> None:
    now = [1000.0]
    budget = GatewayBudget(5000, 60.0, clock=lambda: now[0])
    assert dict(budget.take()) == {
        "x-ratelimit-limit": "5000, 5000;w=60", "x-ratelimit-remaining": "4999",
        "x-ratelimit-reset": "60",
    }  # fmt: skip
    now[0] += 12.5
    assert dict(budget.take())["x-ratelimit-remaining"] == "4998"
    assert dict(budget.take())["x-ratelimit-reset"] == "48"
    now[0] += 47.5  # the window that opened at the first call has ended
    assert dict(budget.take())["x-ratelimit-remaining"] == "4999"
    for _ in range(6000):
        headers = dict(budget.take())
    assert headers["x-ratelimit-remaining"] == "0"  # never negative, never refuses
    token_host = GatewayBudget(500, 1.0, more_policies=", 100000;w=60", clock=lambda: now[0])
    assert dict(token_host.take()) == {
        "x-ratelimit-limit": "500, 500;w=1, 100000;w=60", "x-ratelimit-remaining": "499",
        "x-ratelimit-reset": "1",
    }  # fmt: skip


# ------------------------------------------------------------------ B3: token lifetimes


def _sign_in(emu: RunningEmulator, *, legacy: bool) -> dict[str, Any]:
    if legacy:
        path, form = "/signin", {"client_id": emu.client_id, "client_secret": emu.client_secret}
    else:
        path, form = "/oauth2/v1/token", {
            "grant_type": "client_credentials", "client_id": emu.client_id,
            "client_secret": emu.client_secret, "audience": "https://api.zscaler.com",
        }  # fmt: skip
    r = requests.post(emu.url + path, data=form, timeout=10)
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def test_b3_token_lifetimes_per_door_and_the_override(zpa_emulator: RunningEmulator) -> None:
    cfg = zpa_emulator.configure(token_ttl_s=None)  # what a fresh emulator starts with
    assert cfg["token_ttl_s"] is None
    oneapi = _sign_in(zpa_emulator, legacy=False)
    assert oneapi["expires_in"] == 83999  # an integer, as recorded
    c = claims(oneapi["access_token"])
    assert c["exp"] - c["iat"] == 83999
    legacy = _sign_in(zpa_emulator, legacy=True)
    assert legacy["expires_in"] == "3600"  # a string, as documented
    c = claims(legacy["access_token"])
    assert c["exp"] - c["iat"] == 3600
    assert zpa_emulator.configure(token_ttl_s=120)["token_ttl_s"] == 120
    assert _sign_in(zpa_emulator, legacy=False)["expires_in"] == 120
    legacy = _sign_in(zpa_emulator, legacy=True)
    assert legacy["expires_in"] == "120"
    c = claims(legacy["access_token"])
    assert c["exp"] - c["iat"] == 120


def test_b3_fresh_emulator_reports_door_default_lifetimes() -> None:
    from pulumi_zpa_pkeys.testing import emulator

    with emulator() as emu:
        assert requests.get(emu.url + "/_emulator/config", timeout=10).json()["token_ttl_s"] is None
        assert _sign_in(emu, legacy=False)["expires_in"] == 83999


# ------------------------------------------------------------------ B4: unknown sub-paths


@pytest.mark.parametrize(
    "path",
    [f"{ACG}/summary", f"{SEG}/summary", f"{KEYS}/summary", f"{ACG}/12ab",
     f"/v1/admin/customers/{CID}/enrollmentCert/summary", f"{ACG}/\N{SUPERSCRIPT TWO}"],
)  # fmt: skip
def test_b4_a_segment_that_is_not_an_id_is_no_route(oneapi: Door, path: str) -> None:
    r = oneapi.call("GET", path)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["id"] == "not.found"


def test_b4_an_unknown_numeric_id_is_still_resource_not_found(oneapi: Door) -> None:
    r = oneapi.call("GET", f"{ACG}/216196257331499999")
    assert (r.status_code, r.json()["id"]) == (400, "resource.not.found")
