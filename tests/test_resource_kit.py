"""The kit on made-up resources.

First the table-driven rules (no API, no sockets): what a field's flags do to check, diff, the
API body and the outputs. Then `Widget` (tests/toy_resource.py), a resource declared in one
module and nothing else, taken through the SDK's provider host and a lookup against the
emulator: the proof that a new resource touches only the files docs/architecture.md lists. Real
resources are tested through the provider host in their own files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format
from pulumi.runtime.rpc import is_rpc_secret
from toy_resource import WidgetProvider, get_widget

from pulumi_zpa_pkeys import _fields as F
from pulumi_zpa_pkeys._api import Collection, matching_names
from pulumi_zpa_pkeys._provider import ZpaProvider
from pulumi_zpa_pkeys._resource_class import ZpaResource
from pulumi_zpa_pkeys._schema import Field, Schema


def _digest(value: str) -> str:
    if value.startswith("sha256:"):
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


SCHEMA = Schema(
    resource="Gadget",
    doc="A made-up kind with one field of each sort.",
    label="gadget",
    path="gadget",
    fields=(
        Field("name", "name", parse=F.name, required=True),
        Field("blob", "blob", parse=F.text, change="replace", output_as=_digest,
              on_update=False, secret_input=True),
        Field("size", "size", parse=F.whole_number(1), default=1, from_api=F.int_or_none,
              to_api=str),
        Field("token", "token", secret=True, shown_once=True),
    ),
)  # fmt: skip


def _checked(**inputs: Any) -> dict[str, Any]:
    checked, failures = SCHEMA.check({"name": "w", "blob": "PRIVATE", **inputs})
    assert failures == []
    return checked


def test_common_fields_are_added_once() -> None:
    names = [f.name for f in SCHEMA.fields]
    assert names[-3:] == ["microtenant_id", "adopt_existing", "tenant"]
    assert len(names) == len(set(names))


def test_output_as_keeps_only_the_digest_and_compares_in_that_form() -> None:
    inputs = _checked()
    outs = SCHEMA.answer_outputs({"name": "w", "size": "1", "token": "t"}, {"blob": "PRIVATE"}, {})
    assert outs["blob"] == _digest("PRIVATE") and "PRIVATE" not in str(outs)
    assert SCHEMA.diff(outs, inputs).changes is False
    changed = SCHEMA.diff(outs, _checked(blob="OTHER"))
    assert changed.replaces == ["blob"]
    # A refresh reports the digest as the input; the next diff still compares digests.
    assert SCHEMA.diff(SCHEMA.read_inputs(outs), inputs).changes is False


def test_fields_not_sent_on_update_are_only_in_the_create_body() -> None:
    inputs = _checked(size=3)
    assert SCHEMA.body(inputs, None) == {"name": "w", "blob": "PRIVATE", "size": "3"}
    assert SCHEMA.body(inputs, "42", update=True) == {
        "name": "w",
        "size": "3",
        "microtenantId": "42",
    }


def test_kept_secret_survives_an_answer_without_it() -> None:
    outs = SCHEMA.answer_outputs({"name": "w"}, {"blob": "x"}, {"token": "from-create"})
    assert outs["token"] == "from-create"
    assert SCHEMA.secret_outputs == ["token"]


class GadgetProvider(ZpaProvider):
    schema = SCHEMA


@dataclass
class GadgetArgs:
    blob: pulumi.Input[str]
    name: pulumi.Input[str] | None = None


class Gadget(ZpaResource, module="zpa", name="Gadget"):
    _provider_class = GadgetProvider
    _args_class = GadgetArgs

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)


class _Monitor(pulumi.runtime.mocks.MockMonitor):
    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.objects: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.objects[request.name] = json_format.MessageToDict(request.object)
        return super().RegisterResource(request)


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return "id", {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture
def monitor() -> _Monitor:
    made = _Monitor(_Mocks())
    pulumi.runtime.set_mocks(made.mocks, preview=False, monitor=made)
    return made


@pulumi.runtime.test
def test_secret_input_reaches_the_engine_as_a_secret_even_from_a_plain_string(
    monitor: _Monitor,
) -> Any:
    gadget = Gadget("w", blob="-----BEGIN PRIVATE KEY-----")

    def check(_: Any) -> None:
        blob = monitor.objects["w"]["blob"]
        assert is_rpc_secret(blob) and blob["value"] == "-----BEGIN PRIVATE KEY-----"
        assert not is_rpc_secret(monitor.objects["w"]["name"])

    return gadget.urn.apply(check)  # resolves once the registration was sent


# -- a new resource from one module: Widget (tests/toy_resource.py) ------------------------------


@pytest.fixture
def widget_host(zpa_emulator: Any) -> Iterator[Any]:
    from pulumi_zpa_pkeys.testing import ProviderHost

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))}
    env["PYTHONPATH"] = str(Path(__file__).parent)  # where the host finds toy_resource
    with ProviderHost(
        WidgetProvider(), zpa_emulator.config, env=env, type_token="zpa:Widget"
    ) as host:
        yield host


def test_a_resource_declared_in_one_module_goes_through_the_engine_calls(
    widget_host: Any, zpa_emulator: Any
) -> None:
    state = widget_host.up("w", {"name": "widget-1", "role_id": "28"})
    stored = [k for k in zpa_emulator.state()["apiKeys"] if k["id"] == state.id]
    assert stored[0]["tokenExpiryTimeInSec"] == "600"  # the schema's default reached ZPA
    secret = state.outputs["client_secret"]
    assert secret == stored[0]["clientSecret"]
    assert widget_host.preview("w", {"name": "widget-1", "role_id": "28"}, state).op == "same"

    changed = {"name": "widget-1", "role_id": "28", "token_expiry_time_in_sec": 60}
    state = widget_host.up("w", changed, state)
    assert state.outputs["token_expiry_time_in_sec"] == 60
    assert state.outputs["client_secret"] == secret  # kept: ZPA shows it once

    old_id = state.id
    state = widget_host.up(
        "w", {"name": "widget-1", "role_id": "28", "keepers": {"rotate": "1"}}, state
    )
    assert state.id != old_id and state.outputs["client_secret"] != secret

    refreshed = widget_host.refresh(state)
    assert refreshed is not None
    assert refreshed.outputs["client_secret"] == state.outputs["client_secret"]
    widget_host.destroy(state)
    assert widget_host.refresh(state) is None
    assert [k for k in zpa_emulator.state()["apiKeys"] if k["name"] == "widget-1"] == []


def test_a_resource_declared_in_one_module_has_a_lookup(
    widget_host: Any, zpa_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = widget_host.up("w", {"name": "Looked Up", "role_id": "28"})
    for name, value in zpa_emulator.env.items():
        monkeypatch.setenv(name, value)
    found = get_widget(name="looked up")
    assert (found.id, found.name, found.role_id) == (state.id, "Looked Up", "28")
    assert found.token_expiry_time_in_sec == 600
    assert get_widget(id=state.id) == found
    widget_host.destroy(state)


@dataclass(frozen=True)
class _Found(Collection):
    """A collection whose search by name answers ``found`` (no API: objects of two
    microtenants at once, as a ZPA search without ``microtenantId`` may answer and the
    emulator never does)."""

    found: tuple[dict[str, Any], ...] = ()

    def search_name(self, name: str) -> list[dict[str, Any]]:
        return matching_names(list(self.found), name)

    def get(self, object_id: str) -> dict[str, Any]:
        return next(o for o in self.found if o["id"] == object_id)

    def update(self, object_id: str, body: dict[str, Any]) -> None:
        raise AssertionError(f"an adoption of equal values changed {object_id}")


MT = "216196257331400001"


def _found(microtenant_id: str | None, *found: dict[str, Any]) -> _Found:
    return _Found(None, "apiKeys", "widget", microtenant_id=microtenant_id, found=found)  # type: ignore[arg-type]


def test_adoption_takes_only_an_object_of_the_declared_microtenant() -> None:
    provider = WidgetProvider()
    same = {"roleId": "5", "tokenExpiryTimeInSec": "600"}
    elsewhere = {"id": "1", "name": "w", "microtenantId": MT, **same}
    default = {"id": "2", "name": "w", **same}  # the Default microtenant: no microtenantId
    inputs = {"name": "w", "role_id": "5", "token_expiry_time_in_sec": 600, "adopt_existing": True}

    assert provider._adopt(_found(None, elsewhere), inputs, None) is None
    assert provider._adopt(_found(None, elsewhere, default), inputs, None) == default
    mine = provider._adopt(_found(MT, elsewhere, default), inputs, MT)
    assert mine == elsewhere
