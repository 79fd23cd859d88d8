"""ServiceEdgeGroup rules as pure functions: what differs from the App Connector group (the
shared parsers are covered in `test_app_connector_group_rules.py`): `is_public`, which ZPA keeps
as the text "TRUE"/"FALSE", and no `dns_query_type`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_zpa_pkeys.service_edge_group import SCHEMA, check_inputs, diff_inputs

RECORDED = Path(__file__).resolve().parent / "data" / "recorded"
BASE: dict[str, Any] = {
    "name": "pse",
    "latitude": "37.33874",
    "longitude": "-121.8852525",
    "location": "San Jose, CA, USA",
}


def _checked(**changes: Any) -> dict[str, Any]:
    inputs, failures = check_inputs({**BASE, **changes})
    assert failures == []
    return inputs


def _recorded(method: str, tail: str) -> list[dict[str, Any]]:
    exchanges = json.loads((RECORDED / "service_edge_group_exchanges.json").read_text())
    return [e for e in exchanges if e["method"] == method and tail in e["uri"]]


def test_is_public_defaults_to_false_and_is_sent_as_zpas_text() -> None:
    assert _checked()["is_public"] is False
    assert SCHEMA.body(_checked(), None)["isPublic"] == "FALSE"
    assert SCHEMA.body(_checked(is_public=True), None)["isPublic"] == "TRUE"


def test_is_public_must_be_a_boolean() -> None:
    _, failures = check_inputs({**BASE, "is_public": "TRUE"})
    assert [(f.property, f.reason) for f in failures] == [
        ("is_public", 'must be true or false; got the text "TRUE"')
    ]


@pytest.mark.parametrize(("answer", "output"), [("TRUE", True), ("FALSE", False),
                                                 ("true", True), (None, False)])  # fmt: skip
def test_is_public_from_zpas_answer(answer: Any, output: bool) -> None:
    live = {"isPublic": answer} if answer is not None else {}
    assert SCHEMA.answer_outputs(live, {}, {})["is_public"] is output


def test_is_public_changes_in_place_and_equal_forms_are_no_change() -> None:
    decision = diff_inputs(_checked(), _checked(is_public=True))
    assert (decision.changes, decision.replaces) == (True, [])
    # What ZPA answers for the group we sent ("isPublic": "FALSE") reads back as no change.
    stored = SCHEMA.read_inputs(SCHEMA.answer_outputs(SCHEMA.body(_checked(), None), {}, {}))
    assert diff_inputs(stored, _checked()).changes is False


def test_service_edge_group_has_no_dns_query_type() -> None:
    assert "dns_query_type" not in SCHEMA.by_name
    assert "dnsQueryType" not in SCHEMA.body(_checked(), None)


def test_body_matches_the_recorded_create_field_for_field() -> None:
    recorded = _recorded("POST", "/serviceEdgeGroup")[0]["request_body"]
    body = SCHEMA.body(_checked(is_public=True, override_version_profile=True), None)
    assert set(body) <= set(recorded)
    for api_field in ("latitude", "longitude", "upgradeTimeInSecs", "versionProfileId", "isPublic"):
        assert body[api_field] == recorded[api_field], api_field


def test_outputs_of_the_recorded_get_answer() -> None:
    answer = _recorded("GET", "/serviceEdgeGroup/")[0]["response_body"]
    outs = SCHEMA.answer_outputs(answer, {"microtenant_id": None, "adopt_existing": False}, {})
    assert outs["is_public"] is True
    assert (outs["latitude"], outs["country_code"]) == ("37.33874", "US")
    assert outs["version_profile_name"] == "Default"
