"""The pickled provider stored in every stack's state: frozen path, no state, no secrets.

`tests/data/provider_blob_v0.1.0.b64` is the `__provider` value written by the first release.
Stacks created with it are refreshed and destroyed by whatever version is installed later, so it
must keep unpickling to a working provider.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import dill
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost

GOLDEN = (Path(__file__).parent / "data" / "provider_blob_v0.1.0.b64").read_text().strip()


def test_golden_blob_unpickles_to_the_provider_with_empty_state() -> None:
    provider = dill.loads(base64.b64decode(GOLDEN))
    assert type(provider) is ProvisioningKeyProvider
    assert vars(provider) == {}


def test_current_blob_is_still_the_golden_blob() -> None:
    assert serialize_provider(ProvisioningKeyProvider()) == GOLDEN


def test_blob_holds_no_credentials_after_configure(zpa_emulator: Any) -> None:
    provider = ProvisioningKeyProvider()
    provider.configure(ConfigureRequest(Config(dict(zpa_emulator.config), "project")))
    raw = base64.b64decode(serialize_provider(provider))
    assert zpa_emulator.client_secret.encode() not in raw
    assert zpa_emulator.client_id.encode() not in raw
    assert vars(provider) == {}


def test_golden_blob_drives_a_full_lifecycle_in_the_provider_host(zpa_emulator: Any) -> None:
    inputs = {
        "association_type": "CONNECTOR_GRP",
        "name": "golden",
        "max_usage": 1,
        "enrollment_cert_id": "6573",
        "zcomponent_id": "216196257331300001",
    }
    with ProviderHost(GOLDEN, zpa_emulator.config) as host:
        state = host.up("golden", inputs)
        refreshed = host.refresh(state)
        assert refreshed is not None and refreshed.outputs["name"] == "golden"
        host.destroy(state)
    assert [k for k in zpa_emulator.state()["provisioningKeys"] if k["name"] == "golden"] == []
