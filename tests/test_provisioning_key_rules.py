"""check() and diff() rules of ProvisioningKey, as pure functions (no API, no sockets).

The same rules are exercised through the real provider host in test_provisioning_key_engine.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_zpa_pkeys.provisioning_key import check_inputs, diff_inputs

VALID: dict[str, Any] = {
    "association_type": "CONNECTOR_GRP",
    "name": "edge-key",
    "max_usage": 2,
    "enrollment_cert_id": "6573",
    "zcomponent_id": "216196257331300001",
}


def _failures(**changes: Any) -> dict[str, str]:
    news = {**VALID, **changes}
    news = {k: v for k, v in news.items() if v is not None}
    _, failures = check_inputs(news)
    return {f.property: f.reason for f in failures}


def test_check_valid_inputs_are_normalised_with_defaults() -> None:
    inputs, failures = check_inputs({**VALID, "max_usage": 2.0, "enrollment_cert_id": 6573.0})
    assert failures == []
    assert inputs["max_usage"] == 2 and isinstance(inputs["max_usage"], int)
    assert inputs["enrollment_cert_id"] == "6573"
    assert inputs["enabled"] is True and inputs["exportable"] is True
    assert inputs["adopt_existing"] is False
    assert "microtenant_id" not in inputs


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("max_usage", 0, "at least 1"),
        ("max_usage", -3, "at least 1"),
        ("max_usage", 1.5, "whole number"),
        ("max_usage", True, "boolean"),
        ("max_usage", "two", "whole number"),
        ("max_usage", "", "whole number"),
        ("association_type", "CONNECTOR", "CONNECTOR_GRP, SERVICE_EDGE_GRP, NP_ASSISTANT_GRP"),
        ("name", "", "non-empty"),
        ("name", "x" * 256, "at most 255"),
        ("zcomponent_id", "abc", "numeric id"),
        ("zcomponent_id", 216196257331300001, "must be passed as a string"),
        ("enrollment_cert_id", True, "numeric id"),
        ("enabled", "true", "true or false"),
        ("exportable", 1, "true or false"),
        ("microtenant_id", "tenant-a", "numeric id"),
    ],
)
def test_check_bad_value_names_field_and_what_is_allowed(
    field: str, value: Any, fragment: str
) -> None:
    failures = _failures(**{field: value})
    assert list(failures) == [field]
    assert fragment in failures[field]
    assert "\n" not in failures[field]


@pytest.mark.parametrize(
    "field", ["association_type", "max_usage", "enrollment_cert_id", "zcomponent_id"]
)
def test_check_missing_required_field_fails(field: str) -> None:
    news = {k: v for k, v in VALID.items() if k != field}
    _, failures = check_inputs(news)
    assert [(f.property, f.reason) for f in failures] == [(field, "a value is required")]


def test_check_unknown_values_pass() -> None:
    inputs, failures = check_inputs({**VALID, "zcomponent_id": Unknown(), "max_usage": Unknown()})
    assert failures == []
    assert isinstance(inputs["zcomponent_id"], Unknown)


def _olds(**changes: Any) -> dict[str, Any]:
    inputs, _ = check_inputs(VALID)
    outs = {
        **inputs,
        "microtenant_id": None,
        "provisioning_key": "3|api.private.zscaler.com|abc",
        "usage_count": 0,
        "zcomponent_name": "Emulator Connector Group",
        "enrollment_cert_name": "Connector",
        "creation_time": 1,
        "modified_time": 1,
    }
    outs.update(changes)
    return outs


def _diff(
    olds: dict[str, Any] | None = None, **news_changes: Any
) -> tuple[bool | None, list[str], bool | None]:
    news, failures = check_inputs({**VALID, **news_changes})
    assert not failures
    result = diff_inputs(olds or _olds(), news)
    return result.changes, sorted(result.replaces or []), result.delete_before_replace


def test_diff_same_inputs_is_no_change() -> None:
    assert _diff() == (False, [], False)


@pytest.mark.parametrize("value", [2, 2.0, "2"])
def test_diff_max_usage_equal_after_normalisation_is_no_change(value: Any) -> None:
    assert _diff(max_usage=value)[0] is False


def test_diff_computed_outputs_never_cause_a_change() -> None:
    olds = _olds(usage_count=5, modified_time=99, zcomponent_name="renamed", provisioning_key=None)
    assert _diff(olds) == (False, [], False)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "renamed"},
        {"max_usage": 5},
        {"enabled": False},
        {"exportable": False},
        {"adopt_existing": True},
    ],
)
def test_diff_in_place_fields_update_without_replacing(changes: dict[str, Any]) -> None:
    changed, replaces, _ = _diff(**changes)
    assert replaces == []
    assert changed is ("adopt_existing" not in changes)


@pytest.mark.parametrize(
    ("changes", "collides"),
    [
        ({"association_type": "SERVICE_EDGE_GRP", "zcomponent_id": "216196257331300002"}, False),
        ({"zcomponent_id": "216196257331399999"}, True),
        ({"enrollment_cert_id": "6574"}, True),
        ({"microtenant_id": "42"}, False),
        ({"tenant": "zpa-emea"}, False),
    ],
)
def test_diff_replace_fields_delete_first_only_when_the_new_key_would_collide(
    changes: dict[str, Any], collides: bool
) -> None:
    changed, replaces, dbr = _diff(**changes)
    assert changed is True
    assert replaces == sorted(f for f in changes if f != "name")
    assert dbr is collides


def test_diff_replacement_that_renames_creates_first() -> None:
    changed, replaces, dbr = _diff(enrollment_cert_id="6574", name="new-name")
    assert (changed, replaces, dbr) == (True, ["enrollment_cert_id"], False)


def test_diff_exportable_false_to_true_replaces() -> None:
    assert _diff(_olds(exportable=False), exportable=True) == (True, ["exportable"], True)


def test_diff_exportable_true_to_false_updates_in_place() -> None:
    assert _diff(exportable=False) == (True, [], False)


def test_diff_unknown_in_replacing_field_reports_possible_replacement() -> None:
    changed, replaces, _ = _diff(zcomponent_id=Unknown())
    assert changed is True and replaces == ["zcomponent_id"]


def test_diff_unknown_in_update_field_reports_update_only() -> None:
    assert _diff(max_usage=Unknown()) == (True, [], False)


def test_diff_undeclared_microtenant_keeps_the_key_where_it_is() -> None:
    assert _diff(_olds(microtenant_id="42")) == (False, [], False)
