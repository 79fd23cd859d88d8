"""API keys in the emulator, over HTTP: the collection (create shows the secret once), and the
legacy front door signing a key in with its `clientId`/`clientSecret` while it is enabled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator

CID = "216196257331281920"
KEYS = f"/v1/admin/customers/{CID}/apiKeys"
INVALID_CREDENTIALS = "invalid.credentials"
LEGACY_401 = {"id": "access.denied", "reason": "Access denied"}


class Api:
    def __init__(self, emu: RunningEmulator) -> None:
        self.emu = emu
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {emu.token()}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self.emu.url + "/zpa/mgmtconfig" + path
        return self.session.request(method, url, timeout=10, **kwargs)

    def create(self, name: str = "ci", **fields: Any) -> dict[str, Any]:
        body = {"name": name, "enabled": True, "tokenExpiryTimeInSec": "3600", "roleId": "28"}
        answer = self.call("POST", KEYS, json={**body, **fields})
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created


@pytest.fixture
def api(zpa_emulator: RunningEmulator) -> Iterator[Api]:
    client = Api(zpa_emulator)
    yield client
    client.session.close()


def _sign_in(emu: RunningEmulator, client_id: str, secret: str) -> requests.Response:
    form = {"client_id": client_id, "client_secret": secret}
    return requests.post(f"{emu.url}/signin", data=form, timeout=10)


def _legacy_get(emu: RunningEmulator, token: str) -> requests.Response:
    return requests.get(
        f"{emu.url}/mgmtconfig{KEYS}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


# -- the collection -----------------------------------------------------------------------------


def test_create_answers_201_with_the_secret_which_no_later_answer_shows(
    api: Api, zpa_emulator: RunningEmulator
) -> None:
    created = api.create("ci", tokenExpiryTimeInSec=900)
    assert created["clientSecret"] and created["clientId"]
    assert (created["name"], created["enabled"], created["roleId"]) == ("ci", True, "28")
    assert created["tokenExpiryTimeInSec"] == "900"  # a string, whatever was sent
    assert isinstance(created["creationTime"], str) and created["readOnly"] is False

    got = api.call("GET", f"{KEYS}/{created['id']}").json()
    listed = api.call("GET", KEYS).json()["list"]
    for answer in (got, *listed):
        assert "clientSecret" not in answer
        assert answer["clientId"] == created["clientId"]
    assert got["microtenantName"] == "Default"
    (stored,) = zpa_emulator.state()["apiKeys"]
    assert stored["clientSecret"] == created["clientSecret"]


def test_list_searches_names_ignoring_case_per_microtenant(api: Api) -> None:
    wanted = api.create("Deploy Bot")
    api.create("other")
    api.call("POST", KEYS, params={"microtenantId": "7"}, json={"name": "deploy bot",
                                                                 "roleId": "28"})  # fmt: skip
    found = api.call("GET", KEYS, params={"search": "name EQ deploy bot"}).json()
    assert [k["id"] for k in found["list"]] == [wanted["id"]]
    scoped = api.call("GET", KEYS, params={"microtenantId": "7"}).json()
    assert [k["name"] for k in scoped["list"]] == ["deploy bot"]
    duplicate = api.call("POST", KEYS, json={"name": "DEPLOY BOT", "roleId": "28"})
    assert duplicate.status_code == 400 and duplicate.json()["params"] == ["name"]


def test_put_answers_204_and_changes_what_it_carries(api: Api) -> None:
    created = api.create("before")
    path = f"{KEYS}/{created['id']}"
    body = {"name": "after", "enabled": False, "roleId": "29", "tokenExpiryTimeInSec": "600"}
    answer = api.call("PUT", path, json=body)
    assert (answer.status_code, answer.content) == (204, b"")
    got = api.call("GET", path).json()
    assert {k: got[k] for k in body} == body
    assert got["clientId"] == created["clientId"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"name": "x"}, "roleId"),
        ({"roleId": "28"}, "name"),
        ({"name": "x", "roleId": "28", "tokenExpiryTimeInSec": "3601"}, "tokenExpiryTimeInSec"),
        ({"name": "x", "roleId": "28", "tokenExpiryTimeInSec": "0"}, "tokenExpiryTimeInSec"),
        ({"name": "x", "roleId": "admin"}, "roleId"),
    ],
)
def test_create_refuses_a_bad_body_naming_the_field(
    api: Api, body: dict[str, Any], param: str
) -> None:
    answer = api.call("POST", KEYS, json=body)
    assert answer.status_code == 400 and answer.json()["params"] == [param]


def test_delete_answers_204_then_the_key_is_gone(api: Api) -> None:
    created = api.create("gone")
    assert api.call("DELETE", f"{KEYS}/{created['id']}").status_code == 204
    again = api.call("GET", f"{KEYS}/{created['id']}")
    assert (again.status_code, again.json()["id"]) == (400, "resource.not.found")


# -- signing in with an API key -------------------------------------------------------------


def test_an_enabled_key_signs_in_at_the_legacy_door_and_its_token_works(
    api: Api, zpa_emulator: RunningEmulator
) -> None:
    zpa_emulator.configure(token_ttl_s=None)  # the doors' own lifetimes, not the test's 3600
    created = api.create("ci", tokenExpiryTimeInSec="1200")
    signed_in = _sign_in(zpa_emulator, created["clientId"], created["clientSecret"])
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["expires_in"] == "1200"  # the key's lifetime, a string as legacy

    answer = _legacy_get(zpa_emulator, signed_in.json()["access_token"])
    assert answer.status_code == 200
    assert [k["name"] for k in answer.json()["list"]] == ["ci"]


@pytest.mark.parametrize("how", ["disabled", "deleted"])
def test_a_disabled_or_deleted_key_can_no_longer_sign_in_nor_use_its_token(
    api: Api, zpa_emulator: RunningEmulator, how: str
) -> None:
    created = api.create("ci")
    token = _sign_in(zpa_emulator, created["clientId"], created["clientSecret"]).json()[
        "access_token"
    ]
    path = f"{KEYS}/{created['id']}"
    if how == "disabled":
        api.call("PUT", path, json={"name": "ci", "enabled": False, "roleId": "28"})
    else:
        api.call("DELETE", path)

    refused = _sign_in(zpa_emulator, created["clientId"], created["clientSecret"])
    assert refused.status_code == 401 and refused.json()["id"] == INVALID_CREDENTIALS
    stale = _legacy_get(zpa_emulator, token)
    assert (stale.status_code, stale.json()) == (401, LEGACY_401)


def test_a_wrong_secret_or_the_oneapi_door_is_refused(
    api: Api, zpa_emulator: RunningEmulator
) -> None:
    created = api.create("ci")
    wrong = _sign_in(zpa_emulator, created["clientId"], created["clientSecret"] + "x")
    assert wrong.status_code == 401 and wrong.json()["id"] == INVALID_CREDENTIALS
    oneapi = requests.post(
        f"{zpa_emulator.url}/oauth2/v1/token",
        data={"grant_type": "client_credentials", "client_id": created["clientId"],
              "client_secret": created["clientSecret"], "audience": "https://api.zscaler.com"},
        timeout=10,
    )  # fmt: skip
    assert oneapi.status_code == 401 and oneapi.json()["id"] == INVALID_CREDENTIALS
    assert wrong.text.find(created["clientSecret"]) == -1


# -- --state: API keys and certificates survive a restart ---------------------------------------


def test_api_keys_and_certificates_survive_a_restart_with_state(tmp_path: Any) -> None:
    import pki

    from pulumi_zpa_pkeys.testing.emulator_process import emulator

    journal = tmp_path / "zpa.jsonl"
    with emulator(state_file=journal) as first:
        api = Api(first)
        key = api.create("kept")
        cert = api.call(
            "POST", f"/v1/admin/customers/{CID}/certificate",
            json={"name": "kept", "certBlob": pki.blob()},
        ).json()  # fmt: skip
        api.session.close()
    with emulator(state_file=journal) as second:
        state = second.state()
        assert [(k["id"], k["clientSecret"]) for k in state["apiKeys"]] == [
            (key["id"], key["clientSecret"])
        ]
        assert [(c["id"], c["san"]) for c in state["certificates"]] == [(cert["id"], cert["san"])]
        signed_in = _sign_in(second, key["clientId"], key["clientSecret"])
        assert signed_in.status_code == 200
        api = Api(second)
        newer = api.create("newer")
        api.session.close()
        assert int(newer["id"]) > int(key["id"])  # the id sequence went on from the journal


def test_a_journal_written_before_these_kinds_existed_still_loads(tmp_path: Any) -> None:
    from pulumi_zpa_pkeys.emulator.backend import Backend
    from pulumi_zpa_pkeys.emulator.store import Journal

    path = tmp_path / "old.jsonl"
    path.write_text(
        '{"t":"clear"}\n{"t":"seq","key":60000,"group":216196257331400001,"cert":6575}\n'
    )
    backend = Backend(journal=Journal(path))
    assert backend.state()["apiKeys"] == [] and backend.state()["certificates"] == []
    backend.close()
