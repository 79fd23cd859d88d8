"""AppConnectorGroup rules as pure functions (no API, no sockets): the parsers both group kinds
share (`pulumi_zpa_pkeys._group`), check, diff, the API body and the outputs of an answer.

The same behaviour through the provider host and the emulator is in
`test_app_connector_group_and_service_edge_group_engine.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_zpa_pkeys._group import coordinate, coordinate_from_api, seconds_of_day
from pulumi_zpa_pkeys.app_connector_group import SCHEMA, check_inputs, diff_inputs
from pulumi_zpa_pkeys.errors import FieldError

RECORDED = Path(__file__).resolve().parent / "data" / "recorded"
BASE: dict[str, Any] = {
    "name": "edge",
    "latitude": 37.33874,
    "longitude": -121.8852525,
    "location": "San Jose, CA, USA",
}


def _checked(**changes: Any) -> dict[str, Any]:
    inputs, failures = check_inputs({**BASE, **changes})
    assert failures == []
    return inputs


# -- coordinates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        (37.3, "37.3"),
        ("37.30", "37.3"),
        ("+37.300", "37.3"),
        (" 37.3 ", "37.3"),
        (37, "37"),
        ("037.0", "37"),
        ("90", "90"),
        (-90.0, "-90"),
        ("-0.0", "0"),
        (0.00001, "0.00001"),  # repr is 1e-05: no exponent in the normal form
        (".5", "0.5"),
        ("5.", "5"),
        (-121.8852525, "-121.8852525"),
        ("-121.88525250", "-121.8852525"),
    ],
)
def test_coordinate_normal_form_is_the_shortest_decimal_text(value: Any, normal: str) -> None:
    assert coordinate(180)("longitude", value) == normal


@pytest.mark.parametrize(
    "value", [90.0000001, -90.5, "91", float("nan"), float("inf"), "1e1", "", "-", ".", "3,5",
              "٣٧", True, None, [37.3]],
)  # fmt: skip
def test_latitude_outside_range_or_not_a_number_fails_naming_the_field(value: Any) -> None:
    with pytest.raises(FieldError) as err:
        coordinate(90)("latitude", value)
    assert err.value.field == "latitude"
    assert "from -90 to 90" in str(err.value)
    got = str(err.value).split("; got ")[1]
    if isinstance(value, str) and value and value != "91":
        assert value not in got  # text that is not a number: its kind, never the value
    if value == "91":
        assert got == 'the text "91"'  # a number, even as text, is shown


def test_longitude_accepts_the_full_range() -> None:
    assert coordinate(180)("longitude", -180) == "-180"
    assert coordinate(180)("longitude", "179.99999") == "179.99999"
    with pytest.raises(FieldError, match="longitude: must be a decimal number from -180 to 180"):
        coordinate(180)("longitude", 180.5)


def test_coordinates_from_zpa_take_the_same_normal_form() -> None:
    assert coordinate_from_api("37.338740") == "37.33874"
    assert coordinate_from_api(None) is None
    assert coordinate_from_api("N 37°") == "N 37°"  # unreadable text is shown as it came


def test_equal_coordinates_in_other_forms_are_no_change() -> None:
    olds = _checked()
    for news in (_checked(latitude="37.338740"), _checked(longitude="-121.88525250")):
        assert diff_inputs(olds, news).changes is False


# -- upgrade time, enumerations, country -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normal"),
    [(66600, "66600"), (66600.0, "66600"), ("66600", "66600"), (0, "0"), ("86399", "86399")],
)
def test_upgrade_time_is_a_string_of_seconds_within_a_day(value: Any, normal: str) -> None:
    assert seconds_of_day("upgrade_time_in_secs", value) == normal


@pytest.mark.parametrize("value", [86400, -1, 66600.5, "18:30", "", True, "1e4"])
def test_upgrade_time_outside_a_day_fails_naming_the_field(value: Any) -> None:
    with pytest.raises(FieldError, match=r"^upgrade_time_in_secs: .*within a day, 0 to 86399"):
        seconds_of_day("upgrade_time_in_secs", value)


def test_check_fills_the_schema_defaults() -> None:
    inputs = _checked()
    assert {k: inputs[k] for k in (
        "enabled", "upgrade_day", "upgrade_time_in_secs", "override_version_profile",
        "version_profile_id", "dns_query_type", "description", "adopt_existing",
    )} == {
        "enabled": True, "upgrade_day": "SUNDAY", "upgrade_time_in_secs": "66600",
        "override_version_profile": False, "version_profile_id": "0",
        "dns_query_type": "IPV4_IPV6", "description": "", "adopt_existing": False,
    }  # fmt: skip
    assert "city_country" not in inputs and "country_code" not in inputs  # ZPA derives them


def test_check_upper_cases_enumerations_and_country_code() -> None:
    inputs = _checked(upgrade_day="friday", dns_query_type="ipv6", country_code=" de ")
    assert (inputs["upgrade_day"], inputs["dns_query_type"]) == ("FRIDAY", "IPV6")
    assert inputs["country_code"] == "DE"


def test_check_reports_every_bad_field_at_once() -> None:
    _, failures = check_inputs(
        {**BASE, "latitude": 91, "dns_query_type": "A", "upgrade_day": "SOMEDAY"}
    )
    reasons = {f.property: f.reason for f in failures}
    assert set(reasons) == {"latitude", "dns_query_type", "upgrade_day"}
    assert reasons["dns_query_type"].startswith("must be one of IPV4_IPV6, IPV4, IPV6")
    assert "MONDAY, TUESDAY" in reasons["upgrade_day"]


# -- diff ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [{"name": "other"}, {"description": "x"}, {"enabled": False}, {"latitude": 1},
     {"longitude": 1}, {"location": "Paris, France"}, {"city_country": "Paris, FR"},
     {"country_code": "FR"}, {"upgrade_day": "MONDAY"}, {"upgrade_time_in_secs": 0},
     {"override_version_profile": True}, {"version_profile_id": "2"},
     {"dns_query_type": "IPV4"}],
)  # fmt: skip
def test_every_field_but_microtenant_changes_in_place(changes: dict[str, Any]) -> None:
    decision = diff_inputs(_checked(), _checked(**changes))
    assert (decision.changes, decision.replaces) == (True, [])


def test_microtenant_change_replaces_creating_first() -> None:
    decision = diff_inputs(_checked(), _checked(microtenant_id="42"))
    assert (decision.replaces, decision.delete_before_replace) == (["microtenant_id"], False)
    renamed = diff_inputs(_checked(), _checked(microtenant_id="42", name="edge-2"))
    assert renamed.delete_before_replace is False


def test_adoption_refuses_a_group_in_another_microtenant() -> None:
    """The decision `ZpaProvider._adopt` takes: a replace-only difference (for groups, only the
    microtenant) refuses adoption. The emulator does not scope groups by microtenant, so this is
    checked here rather than through the provider host."""
    existing = SCHEMA.live_as_inputs(
        {"id": "1", "name": "edge", "latitude": "37.33874", "longitude": "-121.8852525",
         "location": "San Jose, CA, USA"},
        {"microtenant_id": "7"},
    )  # fmt: skip
    assert diff_inputs(existing, _checked()).replaces == []  # undeclared: stays where it is
    assert diff_inputs(existing, _checked(microtenant_id="0")).replaces == ["microtenant_id"]


def test_undeclared_city_and_country_keep_what_zpa_derived() -> None:
    olds = {**_checked(), "city_country": "San Jose, US", "country_code": "US"}
    assert diff_inputs(olds, _checked()).changes is False
    assert diff_inputs(olds, _checked(country_code="us")).changes is False
    assert diff_inputs(olds, _checked(country_code="CA")).changes is True


def test_adopt_existing_is_never_a_change() -> None:
    assert diff_inputs(_checked(), _checked(adopt_existing=True)).changes is False


# -- body and outputs ------------------------------------------------------------------------


def test_body_is_the_whole_group_with_zpas_text_types_and_false_booleans() -> None:
    body = SCHEMA.body(_checked(enabled=False), None)
    assert body == {
        "name": "edge",
        "description": "",
        "enabled": False,
        "latitude": "37.33874",
        "longitude": "-121.8852525",
        "location": "San Jose, CA, USA",
        "upgradeDay": "SUNDAY",
        "upgradeTimeInSecs": "66600",
        "overrideVersionProfile": False,
        "versionProfileId": "0",
        "dnsQueryType": "IPV4_IPV6",
    }
    assert SCHEMA.body(_checked(), "42")["microtenantId"] == "42"


def test_body_field_names_and_types_match_the_recorded_create() -> None:
    exchanges = json.loads((RECORDED / "app_connector_group_exchanges.json").read_text())
    recorded = next(
        e["request_body"] for e in exchanges
        if e["method"] == "POST" and e["uri"].endswith("/appConnectorGroup")
    )  # fmt: skip
    body = SCHEMA.body(_checked(latitude=recorded["latitude"], override_version_profile=True), None)
    for api_field, value in body.items():
        if api_field in recorded:
            assert type(value) is type(recorded[api_field]), api_field
            assert value == recorded[api_field] or api_field in ("name", "description"), api_field
    assert set(body) - set(recorded) == set()  # nothing ZPA does not know


def test_outputs_of_the_recorded_get_answer() -> None:
    exchanges = json.loads((RECORDED / "app_connector_group_exchanges.json").read_text())
    answer = next(
        e["response_body"] for e in exchanges
        if e["method"] == "GET" and "/appConnectorGroup/" in e["uri"]
    )  # fmt: skip
    outs = SCHEMA.answer_outputs(answer, {"microtenant_id": None, "adopt_existing": False}, {})
    assert outs["latitude"] == "37.33874" and outs["longitude"] == "-121.8852525"
    assert (outs["city_country"], outs["country_code"]) == ("San Jose, US", "US")
    assert (outs["upgrade_time_in_secs"], outs["version_profile_name"]) == ("66600", "Default")
    assert outs["override_version_profile"] is True and outs["dns_query_type"] == "IPV4_IPV6"
    assert (outs["creation_time"], outs["modified_time"]) == (1773370832, 1773370832)


def test_outputs_of_an_answer_without_coordinates_show_them_missing() -> None:
    """After someone's partial PUT dropped them (recorded), the next diff restores them."""
    exchanges = json.loads((RECORDED / "app_connector_group_exchanges.json").read_text())
    after_partial_put = [
        e["response_body"] for e in exchanges
        if e["method"] == "GET" and "/appConnectorGroup/" in e["uri"]
    ][-1]  # fmt: skip
    outs = SCHEMA.answer_outputs(after_partial_put, {}, {})
    assert outs["latitude"] is None and outs["longitude"] is None
    current = SCHEMA.read_inputs(outs)
    assert set(diff_inputs(current, _checked(name=outs["name"])).replaces) == set()
    assert diff_inputs(current, _checked(name=outs["name"])).changes is True
