"""Several ZPA tenants in one stack: `tenant` names the Pulumi config namespace of a tenant's
settings (issue "Several tenants", part 1).

Two emulators play two tenants with different customer ids and credentials; the provider host
gets both namespaces in its stack config, as the engine passes the whole config.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from support import CONNECTOR_GROUP, EchoMocks, key_inputs, keys_named, sign_ins

from pulumi_zpa_pkeys import get_enrollment_cert, get_provisioning_key
from pulumi_zpa_pkeys.lookups import clear_cache
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider, check_inputs, diff_inputs
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError, RunningEmulator, emulator

EMEA = "zpa-emea"
EMEA_CUSTOMER = "216196257331299999"


def _as(namespace: str, config: dict[str, str]) -> dict[str, str]:
    return {f"{namespace}:{key.split(':', 1)[1]}": value for key, value in config.items()}


def _emea(**options: Any) -> Any:
    return emulator(
        customer_id=EMEA_CUSTOMER,
        client_id="emea-client",
        client_secret=options.pop("client_secret", "emea-secret-1"),
        **options,
    )


@pytest.fixture(scope="module")
def emea_session() -> Iterator[RunningEmulator]:
    with _emea() as running:
        yield running


@pytest.fixture
def emea(emea_session: RunningEmulator) -> RunningEmulator:
    emea_session.reset()
    emea_session.clear_faults()
    return emea_session


def _host(config: dict[str, str]) -> ProviderHost:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))}
    return ProviderHost(ProvisioningKeyProvider(), config, env=env).start()


@pytest.fixture
def both(zpa_emulator: RunningEmulator, emea: RunningEmulator) -> Iterator[ProviderHost]:
    host = _host({**zpa_emulator.config, **_as(EMEA, emea.config)})
    yield host
    host.stop()


def test_one_key_in_each_tenant_with_one_sign_in_each(
    both: ProviderHost, zpa_emulator: RunningEmulator, emea: RunningEmulator
) -> None:
    home = [both.up(f"home-{i}", key_inputs(f"home-{i}")) for i in range(2)]
    away = [both.up(f"away-{i}", key_inputs(f"away-{i}", tenant=EMEA)) for i in range(2)]

    assert sorted(k["name"] for k in keys_named(zpa_emulator)) == ["home-0", "home-1"]
    assert sorted(k["name"] for k in keys_named(emea)) == ["away-0", "away-1"]
    assert [s.outputs["tenant"] for s in home + away] == ["zpa", "zpa", EMEA, EMEA]
    assert (sign_ins(zpa_emulator), sign_ins(emea)) == (1, 1)
    for state in away:
        refreshed = both.refresh(state)
        assert refreshed is not None and refreshed.outputs["tenant"] == EMEA
        both.destroy(state)
    assert keys_named(emea) == [] and len(keys_named(zpa_emulator)) == 2


def test_tenant_change_replaces_creating_first_and_deletes_with_the_old_tenant(
    both: ProviderHost, zpa_emulator: RunningEmulator, emea: RunningEmulator
) -> None:
    state = both.up("moving", key_inputs("moving"))
    preview = both.preview("moving", key_inputs("moving", tenant=EMEA), state)
    assert (preview.op, preview.replaces, preview.delete_before_replace) == (
        "replace",
        ["tenant"],
        False,
    )

    moved = both.up("moving", key_inputs("moving", tenant=EMEA), state)

    assert keys_named(zpa_emulator, "moving") == []
    assert [str(k["id"]) for k in keys_named(emea, "moving")] == [moved.id]


def test_tenant_move_whose_create_fails_leaves_the_key_in_the_old_tenant(
    both: ProviderHost, zpa_emulator: RunningEmulator, emea: RunningEmulator
) -> None:
    state = both.up("stays", key_inputs("stays"))
    emea.add_fault(method="POST", path_regex="provisioningKey$", status=400)

    with pytest.raises(ProviderHostError):
        both.up("stays", key_inputs("stays", tenant=EMEA), state)

    assert [str(k["id"]) for k in keys_named(zpa_emulator, "stays")] == [state.id]
    assert keys_named(emea, "stays") == []


def test_destroy_after_the_tenant_credentials_were_rotated_in_config(tmp_path: Path) -> None:
    journal = tmp_path / "emea.jsonl"
    with _emea(state_file=journal) as before:
        host = _host(_as(EMEA, before.config))
        try:
            state = host.up("rotated", key_inputs("rotated", tenant=EMEA))
        finally:
            host.stop()
    # The tenant's secret was rotated (and the endpoint moved): only the config knows.
    with _emea(state_file=journal, client_secret="emea-secret-2") as after:
        assert [k["name"] for k in keys_named(after)] == ["rotated"]
        host = _host(_as(EMEA, after.config))
        try:
            host.destroy(state)
        finally:
            host.stop()
        assert keys_named(after) == []
    assert "emea-secret-1" not in str(state.outputs) and "emea-secret" not in str(state.inputs)


def test_missing_tenant_setting_names_the_namespaced_key(
    zpa_emulator: RunningEmulator, emea: RunningEmulator
) -> None:
    config = {**zpa_emulator.config, **_as(EMEA, emea.config)}
    del config[f"{EMEA}:clientSecret"]
    host = _host(config)
    try:
        with pytest.raises(ProviderHostError) as err:
            host.up("nosecret", key_inputs("nosecret", tenant=EMEA))
    finally:
        host.stop()
    assert "missing setting: set Pulumi config zpa-emea:clientSecret" in err.value.message
    assert "ZSCALER_CLIENT_SECRET" not in err.value.message  # env backs "zpa" only


def test_state_from_before_tenants_existed_plans_no_change() -> None:
    news, failures = check_inputs(key_inputs("old"))
    assert failures == []
    olds = {**news, "microtenant_id": None}  # no "tenant": written by an earlier version
    assert diff_inputs(olds, news).changes is False
    assert diff_inputs(olds, {**news, "tenant": "zpa"}).changes is False
    assert diff_inputs(olds, {**news, "tenant": EMEA}).replaces == ["tenant"]


def test_tenant_that_is_not_a_config_namespace_fails_check(both: ProviderHost) -> None:
    outcome = both.check("bad", key_inputs("bad", tenant="zpa emea"))
    assert [prop for prop, _ in outcome.failures] == ["tenant"]


# -- lookups against each tenant --------------------------------------------------------------


@pytest.fixture
def program(
    both: ProviderHost, zpa_emulator: RunningEmulator, emea: RunningEmulator
) -> Iterator[ProviderHost]:
    from pulumi.runtime.config import set_all_config

    clear_cache()
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)
    set_all_config({**zpa_emulator.config, **_as(EMEA, emea.config)})
    yield both
    set_all_config({})
    clear_cache()


def test_lookups_reach_the_tenant_they_name(
    program: ProviderHost, zpa_emulator: RunningEmulator, emea: RunningEmulator
) -> None:
    home = program.up("same-name", key_inputs("same-name"))
    away = program.up("same-name", key_inputs("same-name", tenant=EMEA))

    assert get_provisioning_key("CONNECTOR_GRP", name="same-name").id == home.id
    assert get_provisioning_key("CONNECTOR_GRP", name="same-name", tenant=EMEA).id == away.id
    with pytest.raises(Exception, match=EMEA_CUSTOMER):
        get_enrollment_cert(name="Nope", tenant=EMEA)
    assert (sign_ins(zpa_emulator), sign_ins(emea)) == (2, 2)  # host + program, per tenant


# -- the example --------------------------------------------------------------------------------


def test_two_tenants_example_puts_one_key_in_each_tenant(
    zpa_emulator: RunningEmulator, emea: RunningEmulator
) -> None:

    from pulumi_zpa_pkeys.testing import run_program

    config = {
        **zpa_emulator.config,
        **_as(EMEA, emea.config),
        "appConnectorGroupId": CONNECTOR_GROUP,
        "emeaAppConnectorGroupId": CONNECTOR_GROUP,
    }
    clear_cache()
    run = run_program(
        Path(__file__).parent.parent / "examples" / "two-tenants",
        project="zpa-pkeys-two-tenants",
        config=config,
    )
    keys = run.of_type("pulumi-python:dynamic/zpa:ProvisioningKey")
    assert sorted(k.plain_inputs().get("tenant") for k in keys) == ["zpa", EMEA]
    assert all(k.additional_secret_outputs == ["provisioning_key"] for k in keys)
    assert "emea-secret" not in str([k.inputs for k in keys])  # only the namespace is stored

    blob = keys[0].provider_blob
    assert blob is not None
    host = ProviderHost(
        blob,
        {k: v for k, v in config.items() if ":" in k},
        env={k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))},
    ).start()
    try:
        for key in keys:
            host.up(key.name, key.plain_inputs())
    finally:
        host.stop()
    assert [k["name"] for k in keys_named(zpa_emulator)] == ["connectors-test"]
    assert [k["name"] for k in keys_named(emea)] == ["connectors-test"]
