"""Replay the recorded ZPA traffic against the emulator: same status codes, same response field
names, same JSON value types (ids the emulator hands out are substituted for the recorded ones).

The recordings are copied into ``tests/data/recorded`` (see its README for their origin); if
one is missing these tests fail (they never skip).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator

RECORDED = Path(__file__).resolve().parent / "data" / "recorded"
FLOWS = [
    ("app_connector_group_exchanges.json", "TestAppConnectorGroupProvisioningKey.yaml"),
    ("app_connector_group_exchanges.json", "TestAppConnectorGroup.yaml"),
    ("service_edge_group_exchanges.json", "TestServiceEdgeGroupProvisioningKey.yaml"),
    ("service_edge_group_exchanges.json", "TestServiceEdgeGroup.yaml"),
    ("ba_certificate_exchanges.json", "TestBACertificates.yaml"),
]
OTHER_TENANT_IDS_NOTE = "list answers of the recording also hold other objects of that tenant"


def load(name: str) -> Any:
    path = RECORDED / name
    if not path.is_file():
        raise AssertionError(f"recorded traffic missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def assert_same_shape(recorded: Any, actual: Any, where: str) -> None:
    assert json_type(actual) == json_type(recorded), (where, recorded, actual)
    if isinstance(recorded, dict):
        assert set(actual) == set(recorded), (
            where, sorted(set(recorded) - set(actual)), sorted(set(actual) - set(recorded)),
        )  # fmt: skip
        for name, value in recorded.items():
            assert_same_shape(value, actual[name], f"{where}.{name}")
    elif isinstance(recorded, list) and recorded and actual:
        assert_same_shape(recorded[0], actual[0], f"{where}[0]")


def test_every_recorded_flow_is_replayed() -> None:
    seen = set()
    for name in {n for n, _ in FLOWS}:
        seen |= {(name, e["cassette"]) for e in load(name)}
    assert seen == set(FLOWS)


@pytest.mark.parametrize(("filename", "cassette"), FLOWS)
def test_replay(zpa_emulator: RunningEmulator, filename: str, cassette: str) -> None:
    exchanges = [e for e in load(filename) if e["cassette"] == cassette]
    assert exchanges
    ids: dict[str, str] = {}  # recorded id -> emulator id
    token: str | None = None
    if not any(urlsplit(e["uri"]).path == "/oauth2/v1/token" for e in exchanges):
        token = zpa_emulator.token()  # this flow starts already signed in

    def swap(text: str) -> str:
        for recorded, ours in ids.items():
            text = text.replace(recorded, ours)
        return text

    with requests.Session() as session:
        for n, ex in enumerate(exchanges):
            where = f"{cassette}#{n} {ex['method']} {ex['uri']}"
            uri = urlsplit(ex["uri"])
            url = zpa_emulator.url + swap(uri.path) + (f"?{uri.query}" if uri.query else "")
            headers = {"Accept": "application/json"}
            data: bytes | None = None
            if uri.path == "/oauth2/v1/token":
                form = ex["request_body"]
                assert isinstance(form, str) and "grant_type=client_credentials" in form
                form = form.replace("client_id=REDACTED", f"client_id={zpa_emulator.client_id}")
                form = form.replace(
                    "client_secret=REDACTED", f"client_secret={zpa_emulator.client_secret}"
                )
                form = form.replace("audience=REDACTED", "audience=https://api.zscaler.com")
                data = form.encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                if ex["request_body"]:
                    data = swap(json.dumps(ex["request_body"])).encode()
                    headers["Content-Type"] = "application/json"
                if ex["status"] != 401:
                    assert token is not None, where
                    headers["Authorization"] = f"Bearer {token}"
            response = session.request(ex["method"], url, data=data, headers=headers, timeout=10)
            assert response.status_code == ex["status"], (where, response.text)
            recorded = ex["response_body"]
            if recorded is None:
                assert response.content == b"", where
                continue
            assert response.headers["Content-Type"].startswith("application/json"), where
            body = response.json()
            if uri.path == "/oauth2/v1/token":
                token = body["access_token"]
            if isinstance(recorded, dict) and "list" in recorded:
                # Compare the envelope, then the item of the object this flow created or found.
                envelope = {k: v for k, v in body.items() if k != "list"}
                recorded_envelope = {k: v for k, v in recorded.items() if k != "list"}
                assert_same_shape(recorded_envelope, envelope, where)
                mine = {item["id"]: item for item in body["list"]}
                compared = 0
                for item in recorded["list"]:
                    ours = ids.get(item["id"], item["id"])
                    if ours in mine:
                        assert_same_shape(item, mine[ours], f"{where} item {item['id']}")
                        compared += 1
                assert compared == 1, (where, OTHER_TENANT_IDS_NOTE)
            else:
                assert_same_shape(recorded, body, where)
            if ex["method"] == "POST" and isinstance(recorded, dict) and "id" in recorded:
                ids[recorded["id"]] = body["id"]
            if "x-ratelimit-limit" in ex["response_headers"]:
                assert "x-ratelimit-limit" in response.headers, where
                assert "x-ratelimit-remaining" in response.headers, where
                assert "x-ratelimit-reset" in response.headers, where

    # The flow deleted what it made.
    state = zpa_emulator.state()
    assert state["provisioningKeys"] == [] and state["certificates"] == []
    assert len(state["appConnectorGroups"]) == 1 and len(state["serviceEdgeGroups"]) == 1


def test_401_then_token_then_retry(zpa_emulator: RunningEmulator) -> None:
    (first, token_ex, retry) = [
        e for e in load("app_connector_group_exchanges.json")
        if e["cassette"] == "TestAppConnectorGroup.yaml"
    ][:3]  # fmt: skip
    path = urlsplit(first["uri"]).path
    with requests.Session() as s:
        r = s.post(zpa_emulator.url + path, json=first["request_body"], timeout=10)
        assert (r.status_code, r.json()) == (401, first["response_body"])
        t = s.post(zpa_emulator.url + "/oauth2/v1/token", timeout=10, data={
            "grant_type": "client_credentials", "client_id": zpa_emulator.client_id,
            "client_secret": zpa_emulator.client_secret, "audience": "https://api.zscaler.com",
        })  # fmt: skip
        assert t.status_code == token_ex["status"] == 200
        assert_same_shape(token_ex["response_body"], t.json(), "token")
        r = s.post(zpa_emulator.url + path, json=retry["request_body"], timeout=10,
                   headers={"Authorization": f"Bearer {t.json()['access_token']}"})  # fmt: skip
        assert r.status_code == retry["status"] == 201
        assert_same_shape(retry["response_body"], r.json(), "retry")
    log = [(e["method"], e["path"], e["status"]) for e in zpa_emulator.requests_log()]
    assert log == [("POST", path, 401), ("POST", "/oauth2/v1/token", 200), ("POST", path, 201)]


def test_recorded_certificates_field_for_field(zpa_emulator: RunningEmulator) -> None:
    certs = load("enrollment_certs.json")
    assert [c["name"] for c in certs] == ["Root", "Client", "Connector", "Service Edge"]
    token = zpa_emulator.token()
    base = f"{zpa_emulator.url}/zpa/mgmtconfig"
    cid = zpa_emulator.customer_id
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {token}"
        listed = s.get(f"{base}/v2/admin/customers/{cid}/enrollmentCert", timeout=10).json()
        assert listed == {"totalPages": "1", "totalCount": "4", "list": certs}
        for cert in certs:
            got = s.get(f"{base}/v1/admin/customers/{cid}/enrollmentCert/{cert['id']}", timeout=10)
            assert got.status_code == 200 and got.json() == cert
        for cert in certs:
            found = s.get(
                f"{base}/v2/admin/customers/{cid}/enrollmentCert",
                params={"search": f"name EQ {cert['name']}"}, timeout=10,
            ).json()  # fmt: skip
            assert found["list"] == [cert]


def test_list_items_of_objects_like_the_recorded_tenants_have_the_recorded_shape(
    zpa_emulator: RunningEmulator,
) -> None:
    """The recorded lists also hold objects the flows did not make: a Service Edge group with a
    grace distance and enrolled Service Edges, a certificate with a description. Made here as a
    user would (the grace distance a number, as the SDKs document it; the Service Edge enrolled
    with the key's value), their list items have the recorded field names and types."""
    import pki

    from pulumi_zpa_pkeys.testing import SERVICE_EDGE_CERT_ID

    group_ex, cert_ex = load("list_items_of_other_objects.json")
    recorded = group_ex["list_item"]
    inputs = ("name", "enabled", "description", "versionProfileId", "overrideVersionProfile",
              "upgradeTimeInSecs", "upgradeDay", "isPublic", "location", "latitude", "longitude",
              "graceDistanceEnabled", "graceDistanceValueUnit")  # fmt: skip
    base = f"{zpa_emulator.url}/zpa/mgmtconfig/v1/admin/customers/{zpa_emulator.customer_id}"
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {zpa_emulator.token()}"
        body = {**{k: recorded[k] for k in inputs}, "graceDistanceValue": 10}
        group = s.post(f"{base}/serviceEdgeGroup", json=body, timeout=10)
        assert group.status_code == 201, group.text
        key = s.post(
            f"{base}/associationType/SERVICE_EDGE_GRP/provisioningKey", timeout=10,
            json={"name": "edges", "maxUsage": 2, "enrollmentCertId": SERVICE_EDGE_CERT_ID,
                  "zcomponentId": group.json()["id"]},
        ).json()  # fmt: skip
        edge = recorded["serviceEdges"][0]
        enrolled = requests.post(f"{zpa_emulator.url}/_emulator/serviceEdges", timeout=10, json={
            "provisioningKey": key["provisioningKey"], "name": edge["name"],
            "description": edge["description"],
        })  # fmt: skip
        assert enrolled.status_code == 200, enrolled.text
        listed = s.get(zpa_emulator.url + urlsplit(group_ex["uri"]).path, timeout=10).json()
        (ours,) = [g for g in listed["list"] if g["id"] == group.json()["id"]]
        assert_same_shape(recorded, ours, "Service Edge group list item")
        assert (ours["graceDistanceValue"], ours["graceDistanceValueUnit"]) == ("10.0", "MILES")
        assert ours["serviceEdges"][0]["provisioningKeyId"] == key["id"]
        used = s.get(f"{base}/associationType/SERVICE_EDGE_GRP/provisioningKey/{key['id']}",
                     timeout=10).json()  # fmt: skip
        assert used["usageCount"] == "1"

        upload = s.post(f"{base}/certificate", timeout=10, json={
            "name": "described", "description": "described", "certBlob": pki.blob(),
        })  # fmt: skip
        assert upload.status_code == 201, upload.text
        issued = s.get(zpa_emulator.url + urlsplit(cert_ex["uri"]).path, timeout=10).json()
        (cert,) = [c for c in issued["list"] if c["id"] == upload.json()["id"]]
        assert_same_shape(cert_ex["list_item"], cert, "issued certificate list item")
        assert cert["description"] == "described"
