"""Unit tests of the emulator's backend: state and rules, no sockets."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pulumi_zpa_pkeys.emulator.backend import (
    SEED_APP_CONNECTOR_GROUP_ID as ACG,
)
from pulumi_zpa_pkeys.emulator.backend import (
    SEED_NETWORK_CONNECTOR_GROUP_ID as NCG,
)
from pulumi_zpa_pkeys.emulator.backend import (
    SEED_SERVICE_EDGE_GROUP_ID as SEG,
)
from pulumi_zpa_pkeys.emulator.backend import Backend
from pulumi_zpa_pkeys.emulator.clock import Clock
from pulumi_zpa_pkeys.emulator.errors import EmulatorError
from pulumi_zpa_pkeys.emulator.query import parse_search
from pulumi_zpa_pkeys.emulator.ratelimit import RateLimiter
from pulumi_zpa_pkeys.emulator.store import Journal
from pulumi_zpa_pkeys.emulator.tokens import TokenIssuer

CONN = "CONNECTOR_GRP"


def body(**overrides: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": "k", "maxUsage": 2, "enrollmentCertId": "6573", "zcomponentId": ACG,
    }  # fmt: skip
    out.update(overrides)
    return out


def create(b: Backend, assoc: str = CONN, mt: str | None = None, **kw: Any) -> dict[str, Any]:
    return b.create_provisioning_key(association_type=assoc, body=body(**kw), microtenant_id=mt)


def err(fn: Any, *args: Any, **kwargs: Any) -> EmulatorError:
    with pytest.raises(EmulatorError) as info:
        fn(*args, **kwargs)
    return info.value


def test_seeded_state() -> None:
    state = Backend().state()
    assert [c["id"] for c in state["enrollmentCerts"]] == ["6571", "6572", "6573", "6574"]
    assert [g["id"] for g in state["appConnectorGroups"]] == [ACG]
    assert [g["id"] for g in state["serviceEdgeGroups"]] == [SEG]
    assert [g["id"] for g in state["networkConnectorGroups"]] == [NCG]
    assert state["appConnectorGroups"][0]["name"] == "Emulator Connector Group"
    assert state["serviceEdgeGroups"][0]["name"] == "Emulator Service Edge Group"
    assert state["provisioningKeys"] == []


def test_create_answer_shape_and_types() -> None:
    b = Backend()
    key = create(b, maxUsage="3")
    assert key["maxUsage"] == "3" and key["usageCount"] == "0"
    assert key["enabled"] is True and key["exportable"] is True
    assert "zcomponentName" not in key and "enrollmentCertName" not in key
    assert "microtenantId" not in key
    assert key["provisioningKey"].startswith("3|api.private.zscaler.com|")
    for name in ("id", "creationTime", "modifiedTime", "modifiedBy", "zcomponentId"):
        assert isinstance(key[name], str) and key[name].isdigit()
    got = b.get_provisioning_key(association_type=CONN, key_id=key["id"])
    assert got["zcomponentName"] == "Emulator Connector Group"
    assert got["enrollmentCertName"] == "Connector"
    assert got["provisioningKey"] == key["provisioningKey"]


@pytest.mark.parametrize("value", [0, -1, 1.5, True, False, "x", "", None, [1], {"a": 1}])
def test_max_usage_refused(value: Any) -> None:
    e = err(create, Backend(), maxUsage=value)
    assert (e.status, e.error_id, e.params) == (400, "invalid.resource.argument", ["maxUsage"])


@pytest.mark.parametrize("value", [1, "1", " 7 ", 2.0, "10"])
def test_max_usage_accepted(value: Any) -> None:
    assert create(Backend(), maxUsage=value)["maxUsage"] == str(int(float(str(value))))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""), ("name", "   "), ("name", "x" * 256), ("name", 5), ("name", None),
        ("enrollmentCertId", "9999"), ("enrollmentCertId", None), ("enrollmentCertId", "abc"),
        ("zcomponentId", "1"), ("zcomponentId", SEG), ("zcomponentId", None),
        ("enabled", "maybe"), ("exportable", 3),
    ],
)  # fmt: skip
def test_create_validation(field: str, value: Any) -> None:
    e = err(create, Backend(), **{field: value})
    assert (e.status, e.error_id, e.params) == (400, "invalid.resource.argument", [field])


def test_name_limits_and_bool_strings() -> None:
    b = Backend()
    key = create(b, name="x" * 255, enabled="false", exportable="TRUE")
    assert key["enabled"] is False and key["exportable"] is True


def test_cert_without_private_key_refused() -> None:
    b = Backend()
    cert = b.add_enrollment_cert(body={"name": "No Key", "privateKeyPresent": False})
    assert cert["privateKeyPresent"] is False and cert["id"] == "6575"
    e = err(create, b, enrollmentCertId=cert["id"])
    assert e.params == ["enrollmentCertId"]


def test_component_kind_follows_association_type() -> None:
    b = Backend()
    assert create(b, "SERVICE_EDGE_GRP", zcomponentId=SEG, enrollmentCertId="6574")
    assert create(b, "NP_ASSISTANT_GRP", zcomponentId=NCG)
    assert err(create, b, "SERVICE_EDGE_GRP", name="n2", zcomponentId=ACG).params == [
        "zcomponentId"
    ]
    e = err(create, b, "EXPORTER_GRP")
    assert e.params == ["associationType"]


def test_unknown_and_read_only_fields_ignored() -> None:
    b = Backend()
    key = create(
        b, id="1", usageCount="99", provisioningKey="mine", readOnly=True, zscalerManaged=True,
        zcomponentName="x", enrollmentCertName="y", creationTime="1", bogus=[1, 2],
    )  # fmt: skip
    assert key["id"] != "1" and key["usageCount"] == "0" and key["provisioningKey"] != "mine"
    assert key["readOnly"] is False and key["zscalerManaged"] is False
    assert key["creationTime"] != "1" and "bogus" not in key


def test_duplicate_names_case_insensitive_per_type_and_microtenant() -> None:
    b = Backend()
    create(b, name="Dup")
    e = err(create, b, name="dUP")
    assert (e.status, e.error_id, e.params) == (400, "invalid.resource.argument", ["name"])
    create(b, "SERVICE_EDGE_GRP", name="Dup", zcomponentId=SEG)  # other type: fine
    create(b, mt="42", name="Dup")  # other microtenant: fine


def test_ids_one_sequence_across_types_and_not_found_under_other_type() -> None:
    b = Backend()
    a = create(b, name="a")
    s = create(b, "SERVICE_EDGE_GRP", name="s", zcomponentId=SEG)
    assert int(s["id"]) == int(a["id"]) + 1
    e = err(b.get_provisioning_key, association_type="SERVICE_EDGE_GRP", key_id=a["id"])
    assert (e.status, e.error_id) == (400, "resource.not.found")
    e = err(b.get_provisioning_key, association_type=CONN, key_id="123")
    assert (e.status, e.error_id) == (400, "resource.not.found")


def test_exportable_false_hides_key_and_cannot_go_back() -> None:
    b = Backend()
    key = create(b, exportable=False)
    assert key["provisioningKey"]
    assert "provisioningKey" not in b.get_provisioning_key(association_type=CONN, key_id=key["id"])
    listed = b.list_provisioning_keys(association_type=CONN)["list"][0]
    assert "provisioningKey" not in listed
    e = err(
        b.update_provisioning_key, association_type=CONN, key_id=key["id"],
        body={"exportable": True},
    )  # fmt: skip
    assert e.params == ["exportable"]
    assert b.state()["provisioningKeys"][0]["provisioningKey"] == key["provisioningKey"]


def test_update_partial_keeps_other_fields() -> None:
    b = Backend(clock=iter(["100", "200"]).__next__)
    key = create(b, maxUsage=5, enabled=False)
    b.update_provisioning_key(association_type=CONN, key_id=key["id"], body={"name": "new"})
    got = b.get_provisioning_key(association_type=CONN, key_id=key["id"])
    assert got["name"] == "new" and got["maxUsage"] == "5" and got["enabled"] is False
    assert got["modifiedTime"] == "200" and got["creationTime"] == "100"
    assert got["provisioningKey"] == key["provisioningKey"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("zcomponentId", "216196257331300009"), ("enrollmentCertId", "6574"),
     ("microtenantId", "77"), ("maxUsage", 0), ("name", "")],
)  # fmt: skip
def test_update_refusals(field: str, value: Any) -> None:
    b = Backend()
    key = create(b)
    e = err(b.update_provisioning_key, association_type=CONN, key_id=key["id"], body={field: value})
    assert (e.status, e.params) == (400, [field])


def test_update_same_group_and_cert_accepted() -> None:
    b = Backend()
    key = create(b)
    b.update_provisioning_key(
        association_type=CONN, key_id=key["id"],
        body={"zcomponentId": int(ACG), "enrollmentCertId": 6573, "microtenantId": "0"},
    )  # fmt: skip


def test_read_only_key_refuses_put_and_delete() -> None:
    b = Backend()
    key = create(b)
    b.patch_key(key_id=key["id"], body={"readOnly": True})
    for call in (
        lambda: b.update_provisioning_key(association_type=CONN, key_id=key["id"], body={}),
        lambda: b.delete_provisioning_key(association_type=CONN, key_id=key["id"]),
    ):
        e = err(call)
        assert (e.status, e.error_id) == (400, "resource.readonly")


def test_microtenant_scoping() -> None:
    b = Backend()
    k0 = create(b, name="default")
    k1 = b.create_provisioning_key(association_type=CONN, body=body(name="mt", microtenantId="42"))
    assert k1["microtenantId"] == "42"
    assert [k["id"] for k in b.list_provisioning_keys(association_type=CONN)["list"]] == [k0["id"]]
    listed = b.list_provisioning_keys(association_type=CONN, microtenant_id="42")["list"]
    assert [k["id"] for k in listed] == [k1["id"]]
    assert b.list_provisioning_keys(association_type=CONN, microtenant_id="0")["totalCount"] == "1"
    err(b.get_provisioning_key, association_type=CONN, key_id=k1["id"])
    b.get_provisioning_key(association_type=CONN, key_id=k1["id"], microtenant_id="42")
    assert err(b.list_provisioning_keys, association_type=CONN, microtenant_id="x").params == [
        "microtenantId"
    ]


def test_paging_and_search() -> None:
    b = Backend()
    b.seed_keys(body={"count": 45, "namePrefix": "p-"})
    first = b.list_provisioning_keys(association_type=CONN)
    assert (first["totalPages"], first["totalCount"], len(first["list"])) == ("3", "45", 20)
    last = b.list_provisioning_keys(association_type=CONN, page="3")
    assert len(last["list"]) == 5
    past = b.list_provisioning_keys(association_type=CONN, page="9")
    assert past["list"] == [] and past["totalCount"] == "45"
    big = b.list_provisioning_keys(association_type=CONN, pagesize="100000")
    assert len(big["list"]) == 45 and big["totalPages"] == "1"
    hit = b.list_provisioning_keys(association_type=CONN, search="name EQ P-07")
    assert [k["name"] for k in hit["list"]] == ["p-07"]
    like = b.list_provisioning_keys(association_type=CONN, search="name+LIKE+-4")
    assert like["totalCount"] == "6"
    assert (
        b.list_provisioning_keys(association_type=CONN, search="maxUsage GE 10")["totalCount"]
        == "45"
    )
    for bad in ("page", "pagesize"):
        assert err(b.list_provisioning_keys, association_type=CONN, **{bad: "0"}).params == [bad]
    assert err(b.list_provisioning_keys, association_type=CONN, search="name").params == ["search"]
    assert err(b.list_provisioning_keys, association_type=CONN, search="name XX y").params == [
        "search"
    ]


def test_search_parsing() -> None:
    s = parse_search("name+EQ+Service Edge")
    assert s is not None and (s.field, s.op, s.value) == ("name", "EQ", "Service Edge")
    s = parse_search("name EQ a+b c")
    assert s is not None and s.value == "a+b c"
    assert parse_search("") is None
    certs = Backend().list_enrollment_certs(search="name+EQ+service edge")
    assert [c["id"] for c in certs["list"]] == ["6574"]
    certs = Backend().list_enrollment_certs(search="privateKeyPresent EQ true")
    assert certs["totalCount"] == "4"
    assert Backend().list_enrollment_certs(search="parentCertId EQ 6571")["totalCount"] == "3"


def test_groups_crud_and_put_quirk() -> None:
    b = Backend()
    g = b.create_group(
        kind="appConnectorGroups",
        body={
            "name": "g",
            "latitude": 37.3,
            "longitude": "-121.8",
            "location": "Ottawa, ON, Canada",
            "upgradeTimeInSecs": 66600,
            "enabled": "true",
            "junk": 1,
        },
    )
    assert g["cityCountry"] == "Ottawa, CA" and g["countryCode"] == "CA"
    assert g["latitude"] == "37.3" and g["upgradeTimeInSecs"] == "66600" and "junk" not in g
    assert len(g["id"]) == 18 and "microtenantName" not in g
    full = b.get_group(kind="appConnectorGroups", group_id=g["id"])
    assert full["microtenantName"] == "Default" and full["version"]["versionProfileName"]
    b.update_group(kind="appConnectorGroups", group_id=g["id"], body={"name": "g2"})
    after = b.get_group(kind="appConnectorGroups", group_id=g["id"])
    assert after["name"] == "g2" and after["location"] == "Ottawa, ON, Canada"
    assert not {"latitude", "longitude", "cityCountry", "countryCode"} & set(after)
    s = b.create_group(
        kind="serviceEdgeGroups",
        body={"name": "s", "latitude": "1", "longitude": "2", "location": "X, USA"},
    )
    b.update_group(kind="serviceEdgeGroups", group_id=s["id"], body={"name": "s2"})
    assert b.get_group(kind="serviceEdgeGroups", group_id=s["id"])["countryCode"] == "US"
    create(b, zcomponentId=g["id"])
    e = err(b.delete_group, kind="appConnectorGroups", group_id=g["id"])
    assert e.status == 400
    b.delete_group(kind="serviceEdgeGroups", group_id=s["id"])
    e = err(b.get_group, kind="serviceEdgeGroups", group_id=s["id"])
    assert e.error_id == "resource.not.found"
    assert err(b.create_group, kind="serviceEdgeGroups", body={"enabled": True}).params == ["name"]


def test_patch_key_and_seed_and_reset() -> None:
    b = Backend()
    key = create(b)
    patched = b.patch_key(key_id=key["id"], body={"name": "x", "maxUsage": "7", "readOnly": True})
    assert patched["name"] == "x" and patched["maxUsage"] == "7" and patched["readOnly"] is True
    assert err(b.patch_key, key_id=key["id"], body={"nope": 1}).params == ["nope"]
    assert err(b.patch_key, key_id="1", body={}).error_id == "resource.not.found"
    out = b.seed_keys(body={"associationType": "SERVICE_EDGE_GRP", "count": 3, "namePrefix": "s"})
    assert out["count"] == 3
    b.reset()
    assert b.state()["provisioningKeys"] == []
    assert int(create(b)["id"]) > int(out["lastId"])  # ids never repeat


def test_seed_ten_thousand_is_fast_and_name_lookup_fast(tmp_path: Path) -> None:
    b = Backend(journal=Journal(tmp_path / "state.jsonl"))
    t0 = time.perf_counter()
    b.seed_keys(body={"count": 10000, "namePrefix": "bulk-"})
    assert time.perf_counter() - t0 < 2.0
    t0 = time.perf_counter()
    hit = b.list_provisioning_keys(association_type=CONN, search="name EQ bulk-05000")
    assert time.perf_counter() - t0 < 0.1
    assert hit["totalCount"] == "1"
    t0 = time.perf_counter()
    create(b, name="one-more")
    assert time.perf_counter() - t0 < 0.1
    b.close()


def test_journal_replay_and_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    b = Backend(journal=Journal(path))
    a = create(b, name="a")
    c = create(b, name="c")
    b.update_provisioning_key(association_type=CONN, key_id=a["id"], body={"maxUsage": 9})
    b.delete_provisioning_key(association_type=CONN, key_id=c["id"])
    g = b.create_group(kind="serviceEdgeGroups", body={"name": "sg"})
    cert = b.add_enrollment_cert(body={"name": "extra"})
    with path.open("a") as f:
        f.write('{"t":"put","k":"key","o":{"id"')  # killed mid-write: never answered
    b.close()
    b2 = Backend(journal=Journal(path))
    keys = b2.state()["provisioningKeys"]
    assert [(k["id"], k["maxUsage"]) for k in keys] == [(a["id"], "9")]
    assert b2.get_group(kind="serviceEdgeGroups", group_id=g["id"])["name"] == "sg"
    assert b2.get_enrollment_cert(cert_id=cert["id"])["name"] == "extra"
    assert int(create(b2, name="d")["id"]) > int(c["id"])  # deleted ids not reused
    b2.close()


def test_concurrent_creates_unique_ids() -> None:
    b = Backend()
    ids: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(25):
            key = create(b, name=f"w{n}-{i}")
            with lock:
                ids.append(key["id"])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 200 == len(set(ids)) == len(b.state()["provisioningKeys"])


def test_tokens_and_rate_limiter() -> None:
    clock = Clock()
    issuer = TokenIssuer(ttl_s=0.2, clock=clock)
    token, _ = issuer.issue("me")
    assert issuer.valid(token)
    assert not issuer.valid(token[:-2] + "xx")
    assert not TokenIssuer().valid(token)  # another process's key
    clock.advance(0.2)
    assert not issuer.valid(token)
    token, _ = issuer.issue("me")
    issuer.expire_all()
    assert not issuer.valid(token)

    limiter = RateLimiter(get_per_window=2, write_per_window=1, window_s=0.3, clock=clock.monotonic)
    assert limiter.take("GET").allowed and limiter.take("GET").allowed
    refused = limiter.take("GET")
    assert not refused.allowed and refused.retry_after().endswith("s")
    assert "." in refused.retry_after()
    assert limiter.take("POST").allowed and not limiter.take("DELETE").allowed
    clock.advance(0.3)
    assert limiter.take("GET").allowed
    slow = RateLimiter(get_per_window=1, window_s=10)
    slow.take("GET")
    assert slow.take("GET").retry_after() == "10s"
