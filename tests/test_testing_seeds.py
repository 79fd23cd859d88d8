"""The ids `pulumi_zpa_pkeys.testing` exports are the ones the emulator really seeds (the
emulator imports nothing from the package, so the two are kept apart and checked here)."""

from __future__ import annotations

from typing import Any

from pulumi_zpa_pkeys import testing


def test_exported_seed_ids_match_the_emulator_state(zpa_emulator: Any) -> None:
    state = zpa_emulator.state()
    certs = {c["name"]: c["id"] for c in state["enrollmentCerts"]}
    assert certs == {
        "Root": testing.ROOT_CERT_ID,
        "Client": testing.CLIENT_CERT_ID,
        "Connector": testing.CONNECTOR_CERT_ID,
        "Service Edge": testing.SERVICE_EDGE_CERT_ID,
    }
    assert [g["id"] for g in state["appConnectorGroups"]] == [testing.APP_CONNECTOR_GROUP_ID]
    assert [g["id"] for g in state["serviceEdgeGroups"]] == [testing.SERVICE_EDGE_GROUP_ID]
    assert [g["id"] for g in state["networkConnectorGroups"]] == [
        testing.NETWORK_CONNECTOR_GROUP_ID
    ]
    assert zpa_emulator.customer_id == testing.DEFAULT_CUSTOMER_ID
    assert zpa_emulator.client_id == testing.DEFAULT_CLIENT_ID


def test_key_inputs_and_body_name_the_seeded_group_and_certificate() -> None:
    inputs = testing.key_inputs("k", max_usage=3)
    body = testing.key_body("k", maxUsage=3)
    assert (inputs["zcomponent_id"], inputs["enrollment_cert_id"]) == (
        body["zcomponentId"],
        body["enrollmentCertId"],
    )
    assert inputs["max_usage"] == body["maxUsage"] == 3
