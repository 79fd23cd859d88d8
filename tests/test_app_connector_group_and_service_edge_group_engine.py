"""AppConnectorGroup and ServiceEdgeGroup through the engine path, against the emulator.

Every test runs for both kinds (they share one table) and drives the SDK's provider host
(`python -m pulumi.dynamic`) as the Pulumi engine does, then checks the emulator's state and
request log. Request counts asserted here are the ones in docs/resources.md and the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from group_support import (
    APP_CONNECTOR,
    KINDS,
    LATITUDE,
    LONGITUDE,
    GroupKind,
    api_calls,
    api_for,
    group_body,
    group_in,
    group_inputs,
    groups_in,
)

from pulumi_zpa_pkeys.testing import UNKNOWN, ProviderHost, ResourceState

pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)

HostFor = Callable[[Any], ProviderHost]


def _host(host_for: HostFor, kind: GroupKind) -> ProviderHost:
    return host_for(kind.make_provider())


def _up(host: ProviderHost, emulator: Any, name: str, **changes: Any) -> ResourceState:
    state = host.up(name, group_inputs(name, **changes))
    emulator.clear_requests()
    return state


# -- create and no-op ----------------------------------------------------------------------


def test_create_sends_whole_group_and_returns_every_output_in_two_calls(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    zpa_emulator.clear_requests()

    state = host.up("web", group_inputs("web", latitude=37.3, description="edge"))

    assert state.id.isdigit() and len(state.id) == 18
    live = group_in(zpa_emulator, kind, state.id)
    assert (live["latitude"], live["longitude"]) == ("37.3", LONGITUDE)  # text, as ZPA keeps it
    assert (live["upgradeDay"], live["upgradeTimeInSecs"]) == ("SUNDAY", "66600")
    assert (live["versionProfileId"], live["overrideVersionProfile"]) == ("0", False)
    out = state.outputs
    assert out["name"] == "web" and out["description"] == "edge" and out["enabled"] is True
    assert (out["latitude"], out["longitude"]) == ("37.3", LONGITUDE)
    assert out["location"] == "San Jose, CA, USA"
    assert (out["city_country"], out["country_code"]) == ("San Jose, US", "US")  # ZPA's
    assert (out["upgrade_day"], out["upgrade_time_in_secs"]) == ("SUNDAY", "66600")
    assert (out["version_profile_id"], out["version_profile_name"]) == ("0", "Default")
    assert out["override_version_profile"] is False
    assert out["creation_time"] > 0 and out["modified_time"] > 0
    assert out["adopt_existing"] is False and out.get("microtenant_id") is None
    # The create answer lacks versionProfileName: read back once.
    assert api_calls(zpa_emulator) == [("POST", kind.collection_path), ("GET", state.id)]


def test_create_sends_the_kinds_own_field_with_its_default(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    state = _up(_host(host_for, kind), zpa_emulator, "own")
    name, api_field, _, _ = kind.own_field
    expected = {"dns_query_type": ("IPV4_IPV6", "IPV4_IPV6"), "is_public": (False, "FALSE")}
    output, stored = expected[name]
    assert state.outputs[name] == output
    assert group_in(zpa_emulator, kind, state.id)[api_field] == stored


def test_preview_of_unchanged_group_is_same_and_calls_nothing(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "same", upgrade_day="sunday", upgrade_time_in_secs=66600)
    equal_forms = [
        {},
        {"latitude": "37.338740", "longitude": LONGITUDE},  # text with a trailing zero
        {"latitude": f"+{LATITUDE}", "upgrade_time_in_secs": "66600"},
        {"upgrade_day": "Sunday", "upgrade_time_in_secs": 66600.0},
        {"description": ""},  # undeclared and empty are the same
        {"country_code": "us", "city_country": "San Jose, US"},  # what ZPA derived
    ]
    for changes in equal_forms:
        outcome = host.preview("same", group_inputs("same", **changes), state)
        assert outcome.op == "same", changes
    assert api_calls(zpa_emulator) == []


def test_undeclared_city_and_country_stay_no_change_after_refresh(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "derived")
    refreshed = host.refresh(state)
    assert refreshed is not None and refreshed.inputs["country_code"] == "US"
    assert host.preview("derived", group_inputs("derived"), refreshed).op == "same"


def test_preview_of_new_group_with_unknown_coordinates_is_create(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    outcome = _host(host_for, kind).preview("fresh", group_inputs("fresh", latitude=UNKNOWN))
    assert (outcome.op, outcome.failures) == ("create", [])
    assert api_calls(zpa_emulator) == []


# -- check failures at preview ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"latitude": 90.5}, "latitude", "from -90 to 90"),
        ({"latitude": "north"}, "latitude", "decimal number"),
        ({"latitude": "1e3"}, "latitude", "decimal number"),
        ({"latitude": True}, "latitude", "boolean"),
        ({"longitude": -180.01}, "longitude", "from -180 to 180"),
        ({"location": ""}, "location", "non-empty"),
        ({"location": "Line\nbreak"}, "location", "control characters"),
        ({"upgrade_day": "FUNDAY"}, "upgrade_day", "SUNDAY"),
        ({"upgrade_time_in_secs": 86400}, "upgrade_time_in_secs", "within a day"),
        ({"upgrade_time_in_secs": 66600.5}, "upgrade_time_in_secs", "whole number"),
        ({"upgrade_time_in_secs": -1}, "upgrade_time_in_secs", "0 to 86399"),
        ({"version_profile_id": "default"}, "version_profile_id", "numeric id"),
        ({"override_version_profile": "yes"}, "override_version_profile", "true or false"),
        ({"country_code": "USA"}, "country_code", "two-letter"),
        ({"name": " padded "}, "name", "spaces"),
        ({"enabled": 1}, "enabled", "true or false"),
    ],
)
def test_check_failure_names_the_field_at_preview_without_calling_zpa(
    host_for: HostFor,
    zpa_emulator: Any,
    kind: GroupKind,
    changes: dict[str, Any],
    field: str,
    says: str,
) -> None:
    zpa_emulator.clear_requests()
    outcome = _host(host_for, kind).preview("bad", group_inputs("bad", **changes))
    failures = dict(outcome.failures)
    assert list(failures) == [field]
    assert says in failures[field] and "\n" not in failures[field]
    assert api_calls(zpa_emulator) == []


def test_missing_required_inputs_fail_each_by_name(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    outcome = _host(host_for, kind).check("bare", {"name": "bare"})
    assert dict(outcome.failures) == {
        "latitude": "a value is required",
        "longitude": "a value is required",
        "location": "a value is required",
    }


def test_the_other_kinds_field_is_not_an_input(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    other = "is_public" if kind is APP_CONNECTOR else "dns_query_type"
    value = True if other == "is_public" else "IPV4"
    state = _up(_host(host_for, kind), zpa_emulator, "other", **{other: value})
    assert other not in state.outputs


# -- in-place updates ----------------------------------------------------------------------

IN_PLACE: list[tuple[dict[str, Any], str, Any]] = [
    ({"name": "upd-renamed"}, "name", "upd-renamed"),
    ({"description": "second line of the runbook"}, "description", "second line of the runbook"),
    ({"enabled": False}, "enabled", False),
    ({"latitude": "48.8566"}, "latitude", "48.8566"),
    ({"longitude": 2.3522}, "longitude", "2.3522"),
    ({"location": "Paris, France"}, "location", "Paris, France"),
    ({"upgrade_day": "wednesday"}, "upgradeDay", "WEDNESDAY"),
    ({"upgrade_time_in_secs": 3600}, "upgradeTimeInSecs", "3600"),
    ({"override_version_profile": True}, "overrideVersionProfile", True),
    ({"version_profile_id": "2"}, "versionProfileId", "2"),
]


@pytest.mark.parametrize(("changes", "api_field", "expected"), IN_PLACE)
def test_in_place_change_is_one_put_of_the_whole_group_and_one_get(
    host_for: HostFor,
    zpa_emulator: Any,
    kind: GroupKind,
    changes: dict[str, Any],
    api_field: str,
    expected: Any,
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "upd", description="first")
    new_inputs = group_inputs("upd", **{"description": "first", **changes})
    assert host.preview("upd", new_inputs, state).op == "update"

    new_state = host.up("upd", new_inputs, state)

    assert new_state.id == state.id
    live = group_in(zpa_emulator, kind, state.id)
    assert live[api_field] == expected
    assert api_calls(zpa_emulator) == [("PUT", state.id), ("GET", state.id)]
    field = next(iter(changes))
    assert new_state.outputs[field] == host.check("upd", new_inputs).inputs[field]
    assert host.preview("upd", new_inputs, new_state).op == "same"


def test_the_kinds_own_field_changes_in_place(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    name, api_field, value, stored = kind.own_field
    state = _up(host, zpa_emulator, "own-upd")
    new_inputs = group_inputs("own-upd", **{name: value})
    assert host.preview("own-upd", new_inputs, state).op == "update"
    new_state = host.up("own-upd", new_inputs, state)
    assert group_in(zpa_emulator, kind, state.id)[api_field] == stored
    assert new_state.outputs[name] == value
    assert api_calls(zpa_emulator) == [("PUT", state.id), ("GET", state.id)]


def test_version_profile_change_shows_zpas_profile_name(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "profile")
    changes = {"override_version_profile": True, "version_profile_id": "2"}
    new_state = host.up("profile", group_inputs("profile", **changes), state)
    assert new_state.outputs["version_profile_name"] == "New Release"


def test_description_only_update_keeps_the_coordinates(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "coords", description="before")

    host.up("coords", group_inputs("coords", description="after"), state)

    live = group_in(zpa_emulator, kind, state.id)
    assert live["description"] == "after"
    assert (live["latitude"], live["longitude"]) == (LATITUDE, LONGITUDE)
    assert (live["cityCountry"], live["countryCode"]) == ("San Jose, US", "US")


def test_partial_put_would_have_dropped_app_connector_coordinates(
    zpa_emulator: Any, kind: GroupKind, clients: list[Any]
) -> None:
    """The control for the test above: the emulator drops an App Connector group's coordinates
    on a PUT without them, as real ZPA did (recorded), so sending the whole object matters."""
    api = api_for(zpa_emulator, kind, clients)
    group_id = str(api.create(group_body("partial"))["id"])
    api.update(group_id, {"name": "partial", "description": "only this"})
    live = group_in(zpa_emulator, kind, group_id)
    if kind is APP_CONNECTOR:
        assert "latitude" not in live and "longitude" not in live
    else:  # the recorded Service Edge group PUT kept them
        assert live["latitude"] == LATITUDE


def test_undeclaring_description_clears_it(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "undesc", description="temporary")
    assert host.preview("undesc", group_inputs("undesc"), state).op == "update"
    new_state = host.up("undesc", group_inputs("undesc"), state)
    assert group_in(zpa_emulator, kind, state.id)["description"] == ""
    assert new_state.outputs["description"] == ""


def test_preview_with_unknown_in_place_field_is_update(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "unk")
    assert host.preview("unk", group_inputs("unk", latitude=UNKNOWN), state).op == "update"
    outcome = host.preview("unk", group_inputs("unk", microtenant_id=UNKNOWN), state)
    assert (outcome.op, outcome.replaces) == ("replace", ["microtenant_id"])
    assert api_calls(zpa_emulator) == []


# -- the replacing change ------------------------------------------------------------------


def test_microtenant_change_replaces_creating_first(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "rep")
    new_inputs = group_inputs("rep", microtenant_id="42")

    preview = host.preview("rep", new_inputs, state)
    assert (preview.op, preview.replaces, preview.delete_before_replace) == (
        "replace",
        ["microtenant_id"],
        False,
    )
    new_state = host.up("rep", new_inputs, state)

    assert new_state.id != state.id
    assert [g["id"] for g in groups_in(zpa_emulator, kind, "rep")] == [new_state.id]
    assert [m for m, _ in api_calls(zpa_emulator)] == ["POST", "GET", "DELETE"]
    assert new_state.outputs["microtenant_id"] == "42"
    assert host.preview("rep", new_inputs, new_state).op == "same"


def test_replacement_that_renames_creates_before_deleting(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "old-name")
    new_inputs = group_inputs("new-name", microtenant_id="42")
    preview = host.preview("old-name", new_inputs, state)
    assert (preview.op, preview.delete_before_replace) == ("replace", False)
    host.up("old-name", new_inputs, state)
    assert [m for m, _ in api_calls(zpa_emulator)] == ["POST", "GET", "DELETE"]
    assert groups_in(zpa_emulator, kind, "old-name") == []


# -- refresh -------------------------------------------------------------------------------


def test_refresh_shows_drift_made_through_the_api(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind, clients: list[Any]
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "drift", description="declared")
    drifted = group_body(
        "drift-edited",
        description="edited in the portal",
        enabled=False,
        latitude="51.5072",
        longitude="-0.1276",
        location="London, UK",
        upgradeDay="MONDAY",
        upgradeTimeInSecs="7200",
    )
    api_for(zpa_emulator, kind, clients).update(state.id, drifted)
    zpa_emulator.clear_requests()

    refreshed = host.refresh(state)

    assert refreshed is not None and refreshed.id == state.id
    expected = {
        "name": "drift-edited",
        "description": "edited in the portal",
        "enabled": False,
        "latitude": "51.5072",
        "longitude": "-0.1276",
        "location": "London, UK",
        "upgrade_day": "MONDAY",
        "upgrade_time_in_secs": "7200",
        "country_code": "GB",
    }
    for props in (refreshed.outputs, refreshed.inputs):
        assert {k: props[k] for k in expected} == expected
    assert api_calls(zpa_emulator) == [("GET", state.id)]
    declared = group_inputs("drift", description="declared")
    assert host.preview("drift", declared, refreshed).op == "update"
    host.up("drift", declared, refreshed)
    live = group_in(zpa_emulator, kind, state.id)
    assert (live["name"], live["latitude"], live["upgradeDay"]) == ("drift", LATITUDE, "SUNDAY")


def test_refresh_after_out_of_band_delete_drops_the_group(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind, clients: list[Any]
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "gone")
    api_for(zpa_emulator, kind, clients).delete(state.id)
    zpa_emulator.clear_requests()
    assert host.refresh(state) is None
    assert api_calls(zpa_emulator) == [("GET", state.id)]


def test_destroy_twice_succeeds_with_one_delete_each(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    host = _host(host_for, kind)
    state = _up(host, zpa_emulator, "twice")
    host.destroy(state)
    host.destroy(state)
    assert groups_in(zpa_emulator, kind, "twice") == []
    assert api_calls(zpa_emulator) == [("DELETE", state.id), ("DELETE", state.id)]


# -- adoption and static get -----------------------------------------------------------------


def test_adopt_existing_takes_over_group_and_applies_in_place_values(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind, clients: list[Any]
) -> None:
    existing = api_for(zpa_emulator, kind, clients).create(
        group_body("legacy", description="made by hand", upgradeDay="FRIDAY")
    )
    zpa_emulator.clear_requests()
    inputs = group_inputs("legacy", description="managed now", adopt_existing=True)

    state = _host(host_for, kind).up("legacy", inputs)

    assert state.id == str(existing["id"])
    (live,) = groups_in(zpa_emulator, kind, "legacy")
    assert (live["description"], live["upgradeDay"]) == ("managed now", "SUNDAY")
    assert (state.outputs["description"], state.outputs["upgrade_day"]) == ("managed now", "SUNDAY")
    assert [m for m, _ in api_calls(zpa_emulator)] == ["GET", "PUT", "GET"]


def test_adopt_existing_with_matching_values_sends_no_write(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind, clients: list[Any]
) -> None:
    body = group_body("as-is", description="", **kind.own_default)
    existing = api_for(zpa_emulator, kind, clients).create(body)
    zpa_emulator.clear_requests()
    state = _host(host_for, kind).up("as-is", group_inputs("as-is", adopt_existing=True))
    assert state.id == str(existing["id"])
    assert [m for m, _ in api_calls(zpa_emulator)] == ["GET", "GET"]


def test_without_adopt_existing_a_group_of_the_same_name_is_not_taken_over(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind, clients: list[Any]
) -> None:
    existing = api_for(zpa_emulator, kind, clients).create(group_body("twin"))
    state = _host(host_for, kind).up("twin", group_inputs("twin"))
    assert state.id != str(existing["id"])


def test_static_get_reads_the_seeded_group_in_one_call(
    host_for: HostFor, zpa_emulator: Any, kind: GroupKind
) -> None:
    zpa_emulator.clear_requests()
    outcome = _host(host_for, kind).read("existing", kind.seeded_id, {"microtenant_id": None})
    assert outcome.id == kind.seeded_id
    assert outcome.outputs["name"].startswith("Emulator ")
    assert (outcome.outputs["latitude"], outcome.outputs["longitude"]) == (LATITUDE, LONGITUDE)
    assert outcome.outputs["version_profile_name"] == "Default"
    assert api_calls(zpa_emulator) == [("GET", kind.seeded_id)]
