"""`get_app_connector_group[_output]` and `get_service_edge_group[_output]` against the emulator.

Both go through `lookups._lookup` (one `search` request by name, one GET by id, cached per
process). Outside a Pulumi program settings come from the environment variables; the `_output`
forms run under Pulumi mocks.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest
from group_support import KINDS, SERVICE_EDGE, GroupKind, api_for, group_body
from support import EchoMocks

from pulumi_zpa_pkeys import (
    AppConnectorGroupInfo,
    ServiceEdgeGroupInfo,
    _host,
    get_app_connector_group,
    get_app_connector_group_output,
    get_service_edge_group,
    get_service_edge_group_output,
)
from pulumi_zpa_pkeys.errors import ZpaLookupError
from pulumi_zpa_pkeys.lookups import clear_cache

pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)

Lookup = Callable[..., Any]


def _lookup(kind: GroupKind) -> Lookup:
    return get_service_edge_group if kind is SERVICE_EDGE else get_app_connector_group


def _lookup_output(kind: GroupKind) -> Lookup:
    return get_service_edge_group_output if kind is SERVICE_EDGE else get_app_connector_group_output


def _info_class(kind: GroupKind) -> type:
    return ServiceEdgeGroupInfo if kind is SERVICE_EDGE else AppConnectorGroupInfo


@pytest.fixture
def emu(zpa_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in zpa_emulator.env.items():
        monkeypatch.setenv(name, value)
    clear_cache()
    zpa_emulator.clear_requests()
    yield zpa_emulator
    # Lookups sign in through the process-wide transport; leave none behind for later tests.
    _host.reset()


def _api_requests(emulator: Any) -> list[tuple[str, str]]:
    return [(e["method"], e["query"]) for e in emulator.requests_log() if "mgmtconfig" in e["path"]]


def test_lookup_by_name_is_one_search_and_returns_the_groups_fields(
    emu: Any, kind: GroupKind
) -> None:
    info = _lookup(kind)(name=kind.seeded_name.upper())

    assert isinstance(info, _info_class(kind))
    assert info.id == kind.seeded_id and info.name == kind.seeded_name
    assert (info.latitude, info.longitude) == ("37.33874", "-121.8852525")
    assert (info.location, info.city_country, info.country_code) == (
        "San Jose, CA, USA",
        "San Jose, US",
        "US",
    )
    assert (info.upgrade_day, info.upgrade_time_in_secs) == ("SUNDAY", "66600")
    assert (info.version_profile_id, info.version_profile_name) == ("0", "Default")
    assert info.enabled is True and info.override_version_profile is False
    assert info.microtenant_id is None and info.creation_time == 1773369900
    if kind is SERVICE_EDGE:
        assert info.is_public is False  # type: ignore[attr-defined]
    else:
        assert info.dns_query_type == "IPV4_IPV6"  # type: ignore[attr-defined]
    ((method, query),) = _api_requests(emu)
    assert method == "GET" and "search=name" in query


def test_lookup_by_id_is_one_get_and_results_are_cached(emu: Any, kind: GroupKind) -> None:
    first = _lookup(kind)(id=kind.seeded_id)
    again = _lookup(kind)(id=f" 0{kind.seeded_id}")  # the same id, in another spelling
    assert first == again
    assert [m for m, _ in _api_requests(emu)] == ["GET"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "x"  # type: ignore[misc]


def test_lookup_of_a_created_group_reads_its_whole_object(
    emu: Any, kind: GroupKind, clients: list[Any]
) -> None:
    created = api_for(emu, kind, clients).create(
        group_body("lookup-me", description="by name", upgradeDay="TUESDAY", **kind.own_default)
    )
    info = _lookup(kind)(name="lookup-me")
    assert info.id == str(created["id"]) and info.description == "by name"
    assert info.upgrade_day == "TUESDAY" and info.version_profile_name == "Default"


def test_lookup_of_unknown_name_lists_existing_names(emu: Any, kind: GroupKind) -> None:
    with pytest.raises(ZpaLookupError) as err:
        _lookup(kind)(name="No Such Group")
    message = str(err.value)
    assert "'No Such Group'" in message and f"existing names: {kind.seeded_name!r}" in message
    assert "\n" not in message
    assert len(_api_requests(emu)) == 2


def test_lookup_of_unknown_id_fails_in_one_line(emu: Any, kind: GroupKind) -> None:
    with pytest.raises(ZpaLookupError, match=r"with id 216196257331399999 in customer"):
        _lookup(kind)(id="216196257331399999")


def test_two_case_insensitive_matches_are_ambiguous(
    emu: Any, kind: GroupKind, clients: list[Any]
) -> None:
    api = api_for(emu, kind, clients)
    ids = [str(api.create(group_body(n))["id"]) for n in ("Twin Group", "twin group")]
    with pytest.raises(ZpaLookupError, match="ambiguous") as err:
        _lookup(kind)(name="TWIN GROUP")
    assert all(i in str(err.value) for i in ids)


def test_lookup_needs_exactly_one_of_name_or_id(emu: Any, kind: GroupKind) -> None:
    for call in ({}, {"name": "x", "id": "1"}):
        with pytest.raises(ZpaLookupError, match="exactly one of name or id"):
            _lookup(kind)(**call)
    assert _api_requests(emu) == []


# -- the _output forms ---------------------------------------------------------------------------


@pytest.fixture
def mocked(emu: Any) -> Iterator[Any]:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)
    yield emu


@pulumi.runtime.test
def test_output_form_takes_inputs_and_is_not_secret(mocked: Any, kind: GroupKind) -> Any:
    result = _lookup_output(kind)(id=pulumi.Output.from_input(kind.seeded_id))

    async def verify() -> None:
        assert not await result.is_secret()
        info = await result.future()
        assert info is not None and info.id == kind.seeded_id

    return pulumi.Output.from_input(asyncio.ensure_future(verify()))
