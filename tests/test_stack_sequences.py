"""Sequences the stack state machine (`stack_machine.py`) shrank to, kept as regular tests.

Each test is the smallest sequence of engine calls, faults and out-of-band changes that broke
an invariant, through the SDK's provider host against the emulators (two tenants). Tests of
defects still open are marked `xfail(strict=True)`: when a fix lands the test passes, strict
xfail fails, and the marker (and the machine's `KNOWN_DEFECTS` entry) comes off. The others
were found open and have been fixed since; they stay as regression tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from stack_kinds import EMEA, MICROTENANT, certificate_blobs
from stack_world import DEFAULT, World

from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError, ResourceState
from pulumi_zpa_pkeys.testing.seeds import key_inputs

MASK = "********"


@pytest.fixture
def world() -> Iterator[World]:
    running = World().start()
    try:
        running.reset()  # with the foreign objects: "alpha" keys in EMEA and in MICROTENANT
        yield running
    finally:
        running.stop()


def _objects(world: World, table: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    """(tenant, object) of every object of `table` named `name`, in both tenants."""
    return [
        (key[0], obj)
        for key, obj in world.objects().items()
        if key[1] == table and obj.get("name") == name
    ]


def _key(world: World) -> ProviderHost:
    return world.hosts["provisioning_key"]


# -- a replacement that moves a resource elsewhere creates first ---------------------------------


@pytest.mark.parametrize(
    "move", [{"tenant": EMEA}, {"microtenant_id": MICROTENANT}], ids=["tenant", "microtenant"]
)
def test_move_to_another_tenant_or_microtenant_creates_first(
    world: World, move: dict[str, str]
) -> None:
    host = _key(world)
    state = host.up("moving", key_inputs("moving"))

    plan = host.preview("moving", key_inputs("moving", **move), state)

    assert (plan.op, plan.delete_before_replace) == ("replace", False)


def test_key_replaced_for_another_association_type_creates_first(world: World) -> None:
    host = _key(world)
    state = host.up("moving", key_inputs("moving"))
    edge = key_inputs(
        "moving",
        association_type="SERVICE_EDGE_GRP",
        zcomponent_id="216196257331300002",
        enrollment_cert_id="6574",
    )

    plan = host.preview("moving", edge, state)

    assert (plan.op, plan.delete_before_replace) == ("replace", False)


def test_move_to_a_tenant_where_the_name_is_taken_keeps_the_object(world: World) -> None:
    # The machine's sequence: a key "alpha" at home, moved to EMEA where another admin's
    # "alpha" already is; the create there is refused.
    host = _key(world)
    state = host.up("alpha", key_inputs("alpha"))

    with pytest.raises(ProviderHostError, match="already exists"):
        host.up("alpha", key_inputs("alpha", tenant=EMEA), state)

    home = [
        str(obj["id"])
        for tenant, obj in _objects(world, "provisioningKeys", "alpha")
        if tenant == DEFAULT
    ]
    assert state.id in home


# -- a certificate rotation that cannot succeed --------------------------------------------------


def test_certificate_whose_key_is_not_its_own_fails_at_preview(world: World) -> None:
    host = world.hosts["ba_certificate"]
    blobs = certificate_blobs()
    state = host.up("portal", {"name": "portal", "cert_blob": blobs["a1"]})

    plan = host.preview("portal", {"name": "portal", "cert_blob": blobs["a1+key-b"]}, state)

    assert [field for field, _ in plan.failures] == ["cert_blob"]


def test_certificate_rotation_refused_by_zpa_keeps_the_certificate_in_use(world: World) -> None:
    host = world.hosts["ba_certificate"]
    blobs = certificate_blobs()
    state = host.up("portal", {"name": "portal", "cert_blob": blobs["a1"]})

    with pytest.raises(ProviderHostError):
        host.up("portal", {"name": "portal", "cert_blob": blobs["a1+key-b"]}, state)

    assert [str(obj["id"]) for _, obj in _objects(world, "certificates", "portal")] == [state.id]


# -- secrets ZPA shows once -----------------------------------------------------------------------


def test_refresh_through_a_masked_client_secret_keeps_the_secret(world: World) -> None:
    host = world.hosts["api_key"]
    state = host.up("ci", {"name": "ci", "role_id": "28"})
    secret = state.outputs["client_secret"]
    tenant = world.tenants[DEFAULT]
    live = tenant.api("GET", f"apiKeys/{state.id}").json()
    tenant.add_fault(
        {
            "method": "GET",
            "path_regex": f"apiKeys/{state.id}$",
            "action": "answer",
            "status": 200,
            "body": _json({**live, "clientSecret": MASK}),
            "content_type": "application/json",
        }
    )

    refreshed = host.refresh(state)

    assert refreshed is not None and refreshed.outputs["client_secret"] == secret


def test_adopted_api_key_refreshed_through_a_masked_secret_has_no_secret(world: World) -> None:
    # The machine's sequence: adopt another admin's API key "beta" (ZPA never shows its secret
    # again), then refresh while the read answers the secret masked.
    host = world.hosts["api_key"]
    state = host.up("ci", {"name": "beta", "role_id": "28", "adopt_existing": True})
    assert state.outputs.get("client_secret") is None
    tenant = world.tenants[DEFAULT]
    live = tenant.api("GET", f"apiKeys/{state.id}").json()
    tenant.add_fault({"method": "GET", "path_regex": f"apiKeys/{state.id}$", "action": "answer",
                      "status": 200, "body": _json({**live, "clientSecret": MASK}),
                      "content_type": "application/json"})  # fmt: skip

    refreshed = host.refresh(state)

    assert refreshed is not None and refreshed.outputs.get("client_secret") is None


# -- an answer that does not say the work was done ------------------------------------------------


def test_delete_answered_200_without_the_work_leaves_the_object_in_the_state(
    world: World,
) -> None:
    # The machine's sequence: a group whose delete (a replacement, or destroy) is answered
    # 200 with no body by something that did not pass it on; the group stays in ZPA and
    # must stay in the state.
    host = world.hosts["app_connector_group"]
    inputs = {
        "name": "edge",
        "latitude": 37.33874,
        "longitude": -121.8852525,
        "location": "San Jose, CA, USA",
    }
    state = host.up("edge", inputs)
    world.tenants[DEFAULT].add_fault(
        {
            "method": "DELETE",
            "path_regex": "appConnectorGroup/",
            "action": "answer",
            "status": 200,
            "body": "",
        }
    )

    deleted = _destroyed(host, state)

    still_there = _objects(world, "appConnectorGroups", "edge")
    assert not (deleted and still_there), "destroy reported success; the group is still in ZPA"


def _destroyed(host: ProviderHost, state: ResourceState) -> bool:
    try:
        host.destroy(state)
    except ProviderHostError:
        return False
    return True


# -- the emulator keeps what a group declares -----------------------------------------------------


def test_group_with_a_declared_place_converges(world: World) -> None:
    host = world.hosts["service_edge_group"]
    inputs = {
        "name": "edge",
        "latitude": -33.8688,
        "longitude": 151.2093,
        "location": "Sydney, NSW, Australia",
        "city_country": "San Jose, US",
        "country_code": "US",
    }
    state = host.up("edge", inputs)
    refreshed = host.refresh(state)
    assert refreshed is not None

    assert host.preview("edge", inputs, refreshed).op == "same"


def test_group_create_whose_answer_is_lost_makes_one_group(world: World) -> None:
    # The machine's sequence: a Service Edge group declaring a place other than its location's,
    # created while the create answer is lost (a redirect after the work). Group names are not
    # unique, so a second POST succeeds.
    host = world.hosts["service_edge_group"]
    inputs = {"name": "edge", "latitude": 37.33874, "longitude": -121.8852525,
              "location": "San Jose, CA, USA", "city_country": "Sydney, AU",
              "country_code": "AU"}  # fmt: skip
    world.tenants[DEFAULT].add_fault({"method": "POST", "path_regex": "serviceEdgeGroup$",
                                      "action": "answer", "status": 307, "work": True,
                                      "location": "http://127.0.0.1:9/elsewhere"})  # fmt: skip

    state = host.up("edge", inputs)

    assert [str(obj["id"]) for _, obj in _objects(world, "serviceEdgeGroups", "edge")] == [state.id]


_HTML = {"action": "answer", "status": 200, "body": "<html>ok</html>", "content_type": "text/html"}


def test_group_create_after_a_failed_recovery_claims_the_group_it_made(world: World) -> None:
    # The machine's sequence: a group's create answer is lost and so are the answers of every
    # search that looks for it within the retry budget, so the group is left outside the state
    # (nothing could know its id); the next up posts again (group names are not unique), loses
    # that answer too, and finds both groups in its search: it must claim the newer.
    host = world.hosts["app_connector_group"]
    inputs = {"name": "edge", "latitude": 37.33874, "longitude": -121.8852525,
              "location": "San Jose, CA, USA"}  # fmt: skip
    tenant = world.tenants[DEFAULT]
    post = {"method": "POST", "path_regex": "appConnectorGroup$", "work": True, **_HTML}
    tenant.add_fault(post)
    tenant.add_fault({"method": "GET", "path_regex": "appConnectorGroup$", "times": 1000, **_HTML})
    with pytest.raises(ProviderHostError, match="find App Connector group 'edge'"):
        host.up("edge", inputs)
    tenant.clear_faults()
    tenant.add_fault(post)

    state = host.up("edge", inputs)

    groups = sorted((int(obj["id"]), int(obj["creationTime"]))
                    for _, obj in _objects(world, "appConnectorGroups", "edge"))  # fmt: skip
    if groups[-1][1] - groups[0][1] >= 2:
        pytest.skip("the two creates were more than ZPA's 2 s apart (a loaded machine)")
    assert state.id == str(groups[-1][0])


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


# -- a group moved out of a microtenant ----------------------------------------------------------

#: Where the moved group stands (any place the emulator knows).
PLACE = {"latitude": 37.33874, "longitude": -121.8852525, "location": "San Jose, CA, USA"}


def _alpha_in_a_microtenant(world: World) -> tuple[ProviderHost, ResourceState]:
    """A group "Alpha" made in MICROTENANT: what the machine's two sequences below move."""
    host = world.hosts["app_connector_group"]
    return host, host.up("group", {"name": "Alpha", "microtenant_id": MICROTENANT, **PLACE})


def _groups_named(world: World, name: str) -> list[str]:
    """Ids of the groups named `name` (ignoring case) in the home tenant."""
    return [str(obj["id"]) for key, obj in world.objects().items()
            if key[:2] == (DEFAULT, "appConnectorGroups")
            and obj["name"].casefold() == name.casefold()]  # fmt: skip


def test_microtenant_move_that_adopts_by_name_never_adopts_the_object_it_replaces(
    world: World,
) -> None:
    # The machine's sequence (make soak): a group "Alpha" declared in a microtenant, then
    # declared as "alpha" in the Default microtenant with adopt_existing. Created first (the
    # microtenants keep the names apart), the new resource's search by name found the old
    # group itself, adopted it, and the replacement then deleted it: the stack held an id ZPA
    # no longer had. An object of another microtenant is never adopted.
    host, state = _alpha_in_a_microtenant(world)
    old_id = state.id
    moved = {"name": "alpha", "microtenant_id": "0", "adopt_existing": True, **PLACE}

    plan = host.preview("group", moved, state)
    state = host.up("group", moved, state)

    assert _groups_named(world, "alpha") == [state.id] and state.id != old_id
    assert host.refresh(state) is not None
    assert (plan.op, plan.delete_before_replace) == ("replace", False)


# -- a create whose sign-in fails sent nothing ----------------------------------------------------


def test_create_whose_sign_in_fails_signs_in_again_and_claims_no_other_group(
    world: World,
) -> None:
    # The machine's sequence (make soak): a group moved to another microtenant (created first)
    # just after it was made, its token expired and the sign-in answered 503. The failure was
    # taken for a lost POST; the search found the group being replaced (same name and values,
    # made within the 2 s that ZPA's clock cannot tell apart), claimed it, and the
    # replacement then deleted it.
    host, state = _alpha_in_a_microtenant(world)
    old_id = state.id
    tenant = world.tenants[DEFAULT]
    tenant.expire_tokens()
    tenant.add_fault({"method": "POST", "path_regex": "(/signin|/oauth2/v1/token)$",
                      "action": "status", "status": 503, "retry_after": "0.1s",
                      "times": 1})  # fmt: skip

    state = host.up("group", {"name": "Alpha", "microtenant_id": "0", **PLACE}, state)

    assert _groups_named(world, "Alpha") == [state.id] and state.id != old_id
    assert tenant.fault_rules() == []  # the 503 was answered (and the sign-in tried again)


# -- a lost create whose cleanup is in doubt ------------------------------------------------------


def test_lost_create_of_a_non_exportable_key_deletes_its_own_key_even_when_unconfirmed(
    world: World,
) -> None:
    # The machine's sequence (make soak): a non-exportable key's create answer is lost after
    # the work; the search finds the key this create made, whose value went with the answer,
    # so it is deleted to be made again. The DELETE answered 200 without a body (not ZPA's 204)
    # and so did the GET that checks it: the create failed and left that key behind, in no
    # resource's state. A delete in doubt is tried again within the retry budget.
    host = _key(world)
    tenant = world.tenants[DEFAULT]
    tenant.add_fault({"method": "POST", "path_regex": "provisioningKey$", "times": 1,
                      "action": "drop_after"})  # fmt: skip
    tenant.add_fault({"method": None, "path_regex": "provisioningKey/[0-9]+$", "times": 2,
                      "action": "answer", "status": 200, "body": "", "work": False})  # fmt: skip

    state = host.up("lost", key_inputs("lost", exportable=False))

    keys = [str(obj["id"]) for tenant_name, obj in _objects(world, "provisioningKeys", "lost")
            if tenant_name == DEFAULT]  # fmt: skip
    assert keys == [state.id]
    assert tenant.fault_rules() == []  # both faults fired
