"""App Connector and Service Edge groups in the emulator, over HTTP and through the provider
host: what ZPA derives (cityCountry, countryCode) is derived only where the request says nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from group_support import KINDS, GroupKind, group_body, group_inputs

from pulumi_zpa_pkeys.testing import ProviderHost
from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator

PLACES = {"cityCountry": "Milpitas, US", "countryCode": "CA"}  # not what location derives


class Groups:
    def __init__(self, emu: RunningEmulator, kind: GroupKind) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {emu.token()}"
        self.path = (
            f"{emu.url}/zpa/mgmtconfig/v1/admin/customers/{emu.customer_id}/{kind.collection_path}"
        )

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.session.post(self.path, json=body, timeout=10)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def get(self, group_id: str) -> dict[str, Any]:
        got: dict[str, Any] = self.session.get(f"{self.path}/{group_id}", timeout=10).json()
        return got

    def put(self, group_id: str, body: dict[str, Any]) -> None:
        answer = self.session.put(f"{self.path}/{group_id}", json=body, timeout=10)
        assert answer.status_code == 204, answer.text


@pytest.fixture(params=KINDS, ids=str)
def kind(request: pytest.FixtureRequest) -> GroupKind:
    chosen: GroupKind = request.param
    return chosen


@pytest.fixture
def groups(zpa_emulator: RunningEmulator, kind: GroupKind) -> Iterator[Groups]:
    api = Groups(zpa_emulator, kind)
    yield api
    api.session.close()


def _places(group: dict[str, Any]) -> tuple[Any, Any]:
    return group.get("cityCountry"), group.get("countryCode")


def test_create_keeps_declared_city_and_country(groups: Groups) -> None:
    created = groups.create(group_body("declared", **PLACES))
    assert _places(created) == _places(groups.get(created["id"])) == tuple(PLACES.values())


def test_create_derives_only_what_the_request_leaves_out(groups: Groups) -> None:
    created = groups.create(group_body("half", cityCountry="Milpitas, US"))
    assert _places(groups.get(created["id"])) == ("Milpitas, US", "US")
    derived = groups.create(group_body("none"))
    assert _places(groups.get(derived["id"])) == ("San Jose, US", "US")


def test_update_keeps_declared_city_and_country_and_derives_the_rest(groups: Groups) -> None:
    group_id = groups.create(group_body("moved"))["id"]
    groups.put(group_id, group_body("moved", location="Toronto, ON, Canada", **PLACES))
    assert _places(groups.get(group_id)) == tuple(PLACES.values())
    groups.put(group_id, group_body("moved", location="Toronto, ON, Canada"))
    assert _places(groups.get(group_id)) == ("Toronto, CA", "CA")


def test_declared_city_and_country_plan_no_change_after_up_and_refresh(
    host_for: Callable[[Any], ProviderHost], kind: GroupKind
) -> None:
    host = host_for(kind.make_provider())
    inputs = group_inputs("placed", city_country="Milpitas, US", country_code="CA")
    state = host.up("placed", inputs)
    assert (state.outputs["city_country"], state.outputs["country_code"]) == ("Milpitas, US", "CA")
    refreshed = host.refresh(state)
    assert refreshed is not None
    assert host.preview("placed", inputs, refreshed).op == "same"


# -- Service Edges enrolling into a Service Edge group --------------------------------------------


def _edge_key(emu: RunningEmulator, groups: Groups, max_usage: int = 1) -> dict[str, Any]:
    from pulumi_zpa_pkeys.testing import SERVICE_EDGE_CERT_ID

    group_id = groups.create(group_body("edges"))["id"]
    path = (
        f"{emu.url}/zpa/mgmtconfig/v1/admin/customers/{emu.customer_id}"
        "/associationType/SERVICE_EDGE_GRP/provisioningKey"
    )
    body = {"name": f"edges-{group_id}", "maxUsage": max_usage, "zcomponentId": group_id,
            "enrollmentCertId": SERVICE_EDGE_CERT_ID}  # fmt: skip
    key: dict[str, Any] = groups.session.post(path, json=body, timeout=10).json()
    return key


def _enroll(emu: RunningEmulator, key_value: Any, name: str = "edge") -> requests.Response:
    body = {"provisioningKey": key_value, "name": name}
    return requests.post(f"{emu.url}/_emulator/serviceEdges", json=body, timeout=10)


@pytest.fixture
def edge_groups(zpa_emulator: RunningEmulator) -> Iterator[Groups]:
    from group_support import SERVICE_EDGE

    api = Groups(zpa_emulator, SERVICE_EDGE)
    yield api
    api.session.close()


def test_enrolling_a_service_edge_spends_one_use_until_the_key_is_used_up(
    zpa_emulator: RunningEmulator, edge_groups: Groups
) -> None:
    key = _edge_key(zpa_emulator, edge_groups, max_usage=1)
    first = _enroll(zpa_emulator, key["provisioningKey"], "first")
    assert first.status_code == 200 and first.json()["provisioningKeyId"] == key["id"]
    used_up = _enroll(zpa_emulator, key["provisioningKey"], "second")
    assert (used_up.status_code, used_up.json()["params"]) == (400, ["provisioningKey"])
    (stored,) = [k for k in zpa_emulator.state()["provisioningKeys"] if k["id"] == key["id"]]
    assert stored["usageCount"] == "1"
    group = edge_groups.get(key["zcomponentId"])
    assert [e["name"] for e in group["serviceEdges"]] == ["first"]


def test_enrolling_with_an_unknown_or_disabled_key_is_refused(
    zpa_emulator: RunningEmulator, edge_groups: Groups
) -> None:
    for value in ("not a key", None, 42):
        assert _enroll(zpa_emulator, value).json()["params"] == ["provisioningKey"]
    key = _edge_key(zpa_emulator, edge_groups)
    zpa_emulator.patch_key(key["id"], enabled=False)
    refused = _enroll(zpa_emulator, key["provisioningKey"])
    assert (refused.status_code, refused.json()["reason"]) == (
        400, f"provisioning key {key['id']} is disabled",
    )  # fmt: skip


def test_a_group_with_service_edges_cannot_be_deleted(
    zpa_emulator: RunningEmulator, edge_groups: Groups
) -> None:
    key = _edge_key(zpa_emulator, edge_groups)
    assert _enroll(zpa_emulator, key["provisioningKey"]).status_code == 200
    delete_key = edge_groups.session.delete(
        f"{zpa_emulator.url}/zpa/mgmtconfig/v1/admin/customers/{zpa_emulator.customer_id}"
        f"/associationType/SERVICE_EDGE_GRP/provisioningKey/{key['id']}",
        timeout=10,
    )
    assert delete_key.status_code == 204  # the Service Edge stays enrolled
    refused = edge_groups.session.delete(f"{edge_groups.path}/{key['zcomponentId']}", timeout=10)
    assert (refused.status_code, refused.json()["reason"]) == (
        400, f"Service Edge group {key['zcomponentId']} has Service Edges",
    )  # fmt: skip
