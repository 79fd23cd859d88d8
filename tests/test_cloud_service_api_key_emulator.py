"""The emulator's ZIA and ZTW over HTTP: seeded keys, legacy sessions opened with the obfuscated
key, a regeneration refusing the old value for new sign-ins while open sessions stay valid,
activation, the OneAPI door with the ZPA token, out-of-band regeneration, the state and the
journal, and rate limits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from cloud_support import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    KEY_IDS,
    SEEDED_VALUES,
    legacy_session,
    oneapi_headers,
    oneapi_url,
    out_of_band_regenerate,
    sign_in,
    stored_key,
)

from pulumi_zpa_pkeys.testing import emulator

PRODUCTS = ["ZIA", "ZTW"]
ACTIVATION = {
    "ZIA": ("POST", "/status/activate"),
    "ZTW": ("PUT", "/ecAdminActivateStatus/activate"),
}


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_legacy_session_lists_the_organisations_key_and_partners_on_request(
    zpa_emulator: Any, product: str
) -> None:
    answer = sign_in(zpa_emulator, product, SEEDED_VALUES[product])
    assert answer.status_code == 200
    assert "JSESSIONID=" in answer.headers["Set-Cookie"] and ";" in answer.headers["Set-Cookie"]
    cookie = {"Cookie": f"JSESSIONID={answer.cookies['JSESSIONID']}"}

    listed = requests.get(f"{zpa_emulator.url}/api/v1/apiKeys", headers=cookie, timeout=10)
    (key,) = listed.json()
    assert (listed.status_code, key["id"], key["keyValue"]) == (
        200, int(KEY_IDS[product]), SEEDED_VALUES[product],
    )  # fmt: skip
    assert set(key) == {"id", "keyValue", "permissions", "enabled", "lastModifiedTime",
                        "lastModifiedBy"}  # fmt: skip
    with_partners = requests.get(
        f"{zpa_emulator.url}/api/v1/apiKeys?includePartnerKeys=true", headers=cookie, timeout=10
    ).json()
    assert len(with_partners) == 2 and {"partner", "partnerUrl"} <= set(with_partners[1])


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"password": "wrong"}, 401),
        ({"username": "someone@emulator.zscaler.invalid"}, 401),
        ({"apiKey": "EmulatorZIA1"}, 401),  # the key itself, not obfuscated
        ({"timestamp": "soon"}, 400),
        ({"apiKey": None}, 400),
    ],
)
def test_a_sign_in_with_wrong_credentials_is_refused(
    zpa_emulator: Any, changes: dict[str, Any], status: int
) -> None:
    answer = sign_in(zpa_emulator, "ZIA", SEEDED_VALUES["ZIA"], **changes)
    assert answer.status_code == status and "Set-Cookie" not in answer.headers
    assert set(answer.json()) == {"code", "message"}


def test_a_call_without_a_live_session_is_refused(zpa_emulator: Any) -> None:
    for headers in ({}, {"Cookie": "JSESSIONID=FORGED"}, oneapi_headers(zpa_emulator)):
        answer = requests.get(f"{zpa_emulator.url}/api/v1/apiKeys", headers=headers, timeout=10)
        assert answer.status_code == 401 and answer.json()["code"] == "NOT_AUTHENTICATED"


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_regenerated_key_refuses_new_sign_ins_while_open_sessions_stay_valid(
    zpa_emulator: Any, product: str
) -> None:
    session = legacy_session(zpa_emulator, product)
    url = f"{zpa_emulator.url}/api/v1/apiKeys"

    regenerated = session.post(f"{url}/{KEY_IDS[product]}/regenerate", timeout=10)

    new = regenerated.json()
    assert regenerated.status_code == 200 and new["id"] == int(KEY_IDS[product])
    assert new["keyValue"] != SEEDED_VALUES[product] and len(new["keyValue"]) == 12
    assert new["lastModifiedBy"]["name"] == ADMIN_USERNAME
    assert sign_in(zpa_emulator, product, SEEDED_VALUES[product]).status_code == 401
    assert sign_in(zpa_emulator, product, new["keyValue"]).status_code == 200
    assert session.get(url, timeout=10).json()[0]["keyValue"] == new["keyValue"]  # still open
    assert stored_key(zpa_emulator, product)["pendingActivation"] is True
    method, path = ACTIVATION[product]
    activated = session.request(method, f"{zpa_emulator.url}/api/v1{path}", timeout=10)
    assert activated.status_code == 200
    assert stored_key(zpa_emulator, product)["pendingActivation"] is False


def test_activation_status_and_answers_per_product(zpa_emulator: Any) -> None:
    zia, ztw = legacy_session(zpa_emulator, "ZIA"), legacy_session(zpa_emulator, "ZTW")
    base = f"{zpa_emulator.url}/api/v1"
    assert zia.get(f"{base}/status", timeout=10).json() == {"status": "ACTIVE"}
    zia.post(f"{base}/apiKeys/{KEY_IDS['ZIA']}/regenerate", timeout=10)
    assert zia.get(f"{base}/status", timeout=10).json() == {"status": "PENDING"}
    assert zia.post(f"{base}/status/activate", timeout=10).json() == {"status": "ACTIVE"}
    ztw_status = ztw.put(f"{base}/ecAdminActivateStatus/forcedActivate", timeout=10).json()
    assert ztw_status["orgEditStatus"] == "EDITS_CLEARED"
    # Each session reaches its own product only.
    assert zia.get(f"{base}/ecAdminActivateStatus", timeout=10).status_code == 404
    assert ztw.get(f"{base}/status", timeout=10).status_code == 404
    assert zia.post(f"{base}/apiKeys/{KEY_IDS['ZTW']}/regenerate", timeout=10).status_code == 404


def test_logout_ends_the_session_and_zia_reports_the_sessions_status(zpa_emulator: Any) -> None:
    session = legacy_session(zpa_emulator, "ZIA")
    status_url = f"{zpa_emulator.url}/api/v1/authenticatedSession"
    assert session.get(status_url, timeout=10).status_code == 200
    assert session.delete(status_url, timeout=10).status_code == 204
    assert session.get(status_url, timeout=10).status_code == 401
    assert session.get(f"{zpa_emulator.url}/api/v1/apiKeys", timeout=10).status_code == 401


def test_expiring_tokens_also_ends_sessions_and_idle_sessions_end(zpa_emulator: Any) -> None:
    session = legacy_session(zpa_emulator, "ZTW")
    zpa_emulator.expire_tokens()
    assert session.get(f"{zpa_emulator.url}/api/v1/apiKeys", timeout=10).status_code == 401
    zpa_emulator.configure(session_idle_s=10)
    try:
        idle = legacy_session(zpa_emulator, "ZTW")
        busy = legacy_session(zpa_emulator, "ZTW")
        zpa_emulator.advance_clock(6)
        assert busy.get(f"{zpa_emulator.url}/api/v1/apiKeys", timeout=10).status_code == 200
        zpa_emulator.advance_clock(4)  # idle for 10 s; busy for 4 s since its last call
        assert idle.get(f"{zpa_emulator.url}/api/v1/apiKeys", timeout=10).status_code == 401
        assert busy.get(f"{zpa_emulator.url}/api/v1/apiKeys", timeout=10).status_code == 200
    finally:
        zpa_emulator.configure(session_idle_s=300)


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_oneapi_door_serves_the_product_with_the_zpa_token(
    zpa_emulator: Any, product: str
) -> None:
    headers = oneapi_headers(zpa_emulator)
    listed = requests.get(
        oneapi_url(zpa_emulator, product, "/apiKeys"), headers=headers, timeout=10
    )
    assert [k["keyValue"] for k in listed.json()] == [SEEDED_VALUES[product]]
    assert "x-ratelimit-limit" in listed.headers  # the OneAPI gateway's headers
    regenerated = requests.post(
        oneapi_url(zpa_emulator, product, f"/apiKeys/{KEY_IDS[product]}/regenerate"),
        headers=headers,
        timeout=10,
    )
    assert regenerated.json()["keyValue"] == stored_key(zpa_emulator, product)["keyValue"]
    method, path = ACTIVATION[product]
    activated = requests.request(
        method, oneapi_url(zpa_emulator, product, path), headers=headers, timeout=10
    )
    assert activated.status_code == 200
    refused = requests.get(oneapi_url(zpa_emulator, product, "/apiKeys"), timeout=10)
    assert (refused.status_code, refused.json()["detail"]) == (401, "unauthorized")


def test_out_of_band_regeneration_and_the_state_hold_the_values(zpa_emulator: Any) -> None:
    changed = out_of_band_regenerate(zpa_emulator, "ZTW")
    state = zpa_emulator.state()["cloudServiceApiKeys"]
    assert {(k["product"], k["id"]) for k in state} == {
        ("ZIA", 4101), ("ZIA", 4102), ("ZTW", 4201), ("ZTW", 4202),
    }  # fmt: skip
    assert stored_key(zpa_emulator, "ZTW")["keyValue"] == changed["keyValue"] != "EmulatorZTW1"
    assert changed["lastModifiedBy"]["name"].startswith("portal-admin")
    bad = requests.post(
        f"{zpa_emulator.url}/_emulator/cloudServiceApiKeys/ZPA/regenerate", timeout=10
    )
    assert bad.status_code == 400
    zpa_emulator.reset()
    assert stored_key(zpa_emulator, "ZTW")["keyValue"] == SEEDED_VALUES["ZTW"]


def test_regenerations_survive_a_restart_with_state(tmp_path: Path) -> None:
    journal = tmp_path / "state.jsonl"
    with emulator(state_file=journal) as first:
        session = legacy_session(first, "ZIA")
        new = session.post(
            f"{first.url}/api/v1/apiKeys/{KEY_IDS['ZIA']}/regenerate", timeout=10
        ).json()
        session.close()
    with emulator(state_file=journal) as second:
        assert stored_key(second, "ZIA")["keyValue"] == new["keyValue"]
        assert stored_key(second, "ZIA")["pendingActivation"] is True
        assert sign_in(second, "ZIA", new["keyValue"]).status_code == 200
        assert stored_key(second, "ZTW")["keyValue"] == SEEDED_VALUES["ZTW"]


def test_each_products_calls_spend_a_write_like_budget(zpa_emulator: Any) -> None:
    zpa_emulator.configure(rate_limit=True, write_per_window=2, window_s=30)
    session = legacy_session(zpa_emulator, "ZTW")  # sign-ins are not counted
    url = f"{zpa_emulator.url}/api/v1/apiKeys"
    assert [session.get(url, timeout=10).status_code for _ in range(2)] == [200, 200]
    over = session.get(url, timeout=10)
    assert over.status_code == 429 and over.headers["Retry-After"].endswith(" seconds")
    # ZIA has its own budget; ZPA's is untouched.
    zia = legacy_session(zpa_emulator, "ZIA")
    assert zia.get(url, timeout=10).status_code == 200
    zpa = requests.get(
        f"{zpa_emulator.url}/zpa/mgmtconfig/v2/admin/customers/{zpa_emulator.customer_id}"
        "/enrollmentCert",
        headers=oneapi_headers(zpa_emulator),
        timeout=10,
    )
    assert zpa.status_code == 200


def test_help_names_the_default_admin() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "pulumi_zpa_pkeys.emulator", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert ADMIN_USERNAME in shown.stdout and ADMIN_PASSWORD in shown.stdout
    assert "EmulatorZIA1" in shown.stdout and "EmulatorZTW1" in shown.stdout
