"""What a Check failure says: the field (as its property), what is allowed, and what was given
where that cannot be a secret or free text (booleans, numbers, enumeration words); any other
text only by its kind and length. Through `check` as plain functions, and once through the
SDK's provider host as `pulumi preview` gets it."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_zpa_pkeys import api_key, app_connector_group, ba_certificate, provisioning_key
from pulumi_zpa_pkeys.testing import ProviderHost
from pulumi_zpa_pkeys.testing.seeds import key_inputs

GROUP = {"name": "g", "latitude": 37.3, "longitude": -121.8, "location": "San Jose, CA, USA"}


def _reasons(module: Any, inputs: dict[str, Any]) -> dict[str, str]:
    _, failures = module.SCHEMA.check(inputs)
    return {f.property: f.reason for f in failures}


def test_check_shows_an_enumeration_value_it_refuses() -> None:
    reasons = _reasons(provisioning_key, key_inputs("k", association_type="CONNECTOR"))
    assert reasons == {
        "association_type": "must be one of CONNECTOR_GRP, SERVICE_EDGE_GRP, NP_ASSISTANT_GRP; "
        'got the text "CONNECTOR"'
    }


def test_check_says_upper_case_is_needed_for_an_association_type_in_lower_case() -> None:
    reason = _reasons(provisioning_key, key_inputs("k", association_type="connector_grp"))
    expected = 'got the text "connector_grp" (upper case is needed)'
    assert reason["association_type"].endswith(expected)


def test_check_accepts_group_enumerations_in_any_case() -> None:
    inputs = {**GROUP, "upgrade_day": "sunday", "dns_query_type": "ipv4"}
    checked, failures = app_connector_group.SCHEMA.check(inputs)
    assert failures == []
    assert (checked["upgrade_day"], checked["dns_query_type"]) == ("SUNDAY", "IPV4")


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("upgrade_day", "FUNDAY", '"FUNDAY"'),
        ("country_code", "USA", '"USA"'),
        ("latitude", 91, "got 91"),
        ("upgrade_time_in_secs", 86400, "got 86400"),
        ("enabled", "true", 'got the text "true"'),
        ("tenant", "zpa emea", "a string of 8 characters"),
    ],
)
def test_check_shows_numbers_booleans_and_words_but_not_free_text(
    field: str, value: Any, shown: str
) -> None:
    reasons = _reasons(app_connector_group, {**GROUP, field: value})
    assert list(reasons) == [field] and shown in reasons[field]


@pytest.mark.parametrize(
    ("module", "inputs", "field", "value"),
    [
        (provisioning_key, key_inputs("k"), "max_usage", 0),
        (provisioning_key, key_inputs("k"), "max_usage", 2.5),
        (provisioning_key, key_inputs("k"), "max_usage", "3000000000"),
        (api_key, {"name": "a", "role_id": "28"}, "token_expiry_time_in_sec", 7200),
    ],
)
def test_check_shows_a_number_it_refuses(
    module: Any, inputs: dict[str, Any], field: str, value: Any
) -> None:
    reasons = _reasons(module, {**inputs, field: value})
    assert list(reasons) == [field]
    assert reasons[field].endswith(f"got {value!r}" if not isinstance(value, str) else f'"{value}"')


@pytest.mark.parametrize(
    ("module", "inputs", "field", "value"),
    [
        (provisioning_key, key_inputs("k"), "name", "secret-ish name\n"),
        (provisioning_key, key_inputs("k"), "zcomponent_id", "my-group-name"),
        (provisioning_key, key_inputs("k"), "max_usage", "two"),
        (app_connector_group, GROUP, "location", "Line\nbreak"),
        (app_connector_group, GROUP, "description", 5),
        (ba_certificate, {"name": "c"}, "cert_blob", "-----BEGIN CERTIFICATE-----\nMIIBsecret"),
    ],
)
def test_check_never_shows_free_text(
    module: Any, inputs: dict[str, Any], field: str, value: Any
) -> None:
    reasons = _reasons(module, {**inputs, field: value})
    assert list(reasons) == [field]
    if isinstance(value, str):
        assert value.strip() not in reasons[field] and "secret" not in reasons[field]


def test_a_missing_input_reason_does_not_repeat_the_field_name() -> None:
    inputs = key_inputs("k")
    del inputs["max_usage"]
    assert _reasons(provisioning_key, inputs) == {"max_usage": "a value is required"}


def test_preview_through_the_provider_host_shows_refused_numbers_and_words(
    provider_host: ProviderHost,
) -> None:
    outcome = provider_host.preview(
        "k", key_inputs("k", association_type="service_edge_grp", max_usage=0, name=None)
    )
    assert dict(outcome.failures) == {
        "association_type": "must be one of CONNECTOR_GRP, SERVICE_EDGE_GRP, NP_ASSISTANT_GRP; "
        'got the text "service_edge_grp" (upper case is needed)',
        "max_usage": "must be a whole number of at least 1 and at most 2147483647; got 0",
        "name": "a value is required",
    }
