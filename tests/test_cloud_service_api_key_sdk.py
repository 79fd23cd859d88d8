"""A client nobody here wrote: zscaler-sdk-python's legacy ZIA and ZTW clients sign in to the
emulator (its obfuscated-key sessions), list the organisation's key, regenerate it and activate
the change, exactly as they would against Zscaler.

The SDK is in the `dev` extra (and `make bench` installs it); where it is missing these tests are
skipped, saying so. Its ZIA client takes a base URL (`override_url`); its ZTW client has none (the
host is always `https://connector.<cloud>.net`), so the test subclass changes that one attribute
before the SDK's own sign-in runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from cloud_support import ADMIN_PASSWORD, ADMIN_USERNAME, KEY_IDS, SEEDED_VALUES, stored_key

pytest.importorskip(
    "zscaler",
    reason="zscaler-sdk-python is not installed (pip install zscaler-sdk-python, or "
    "`make install`: it is in the dev extra)",
)

from zscaler.zia.legacy import LegacyZIAClientHelper
from zscaler.ztw.legacy import LegacyZTWClientHelper

# The SDK's legacy clients call datetime.utcnow(), deprecated since Python 3.12.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _ztw_client(emulator: Any, api_key: str) -> LegacyZTWClientHelper:
    class EmulatorZTW(LegacyZTWClientHelper):  # type: ignore[misc]
        def authenticate(self) -> None:
            self.url = emulator.url  # the only change: where the SDK's requests go
            super().authenticate()

    return EmulatorZTW(
        cloud="zscloud", api_key=api_key, username=ADMIN_USERNAME, password=ADMIN_PASSWORD
    )


def _zia_client(emulator: Any, api_key: str) -> LegacyZIAClientHelper:
    return LegacyZIAClientHelper(
        cloud="zscloud",
        api_key=api_key,
        username=ADMIN_USERNAME,
        password=ADMIN_PASSWORD,
        override_url=emulator.url,
    )


def test_the_sdks_ztw_client_lists_regenerates_and_activates_the_key(zpa_emulator: Any) -> None:
    client = _ztw_client(zpa_emulator, SEEDED_VALUES["ZTW"])

    keys, _, error = client.api_keys.list_api_keys()
    assert error is None
    assert [(str(k.id), k.key_value) for k in keys] == [(KEY_IDS["ZTW"], SEEDED_VALUES["ZTW"])]

    regenerated, _, error = client.api_keys.regenerate_api_key(KEY_IDS["ZTW"])
    assert error is None
    new_value = regenerated.key_value
    assert new_value == stored_key(zpa_emulator, "ZTW")["keyValue"] != SEEDED_VALUES["ZTW"]

    status, _, error = client.activate.activate()
    assert error is None and status.org_edit_status == "EDITS_CLEARED"
    assert stored_key(zpa_emulator, "ZTW")["pendingActivation"] is False

    # The SDK's session stays valid; a new client needs the new value.
    keys, _, error = client.api_keys.list_api_keys()
    assert error is None and [k.key_value for k in keys] == [new_value]
    with pytest.raises(Exception, match="401"):
        _ztw_client(zpa_emulator, SEEDED_VALUES["ZTW"])
    _ztw_client(zpa_emulator, new_value)


def test_the_sdks_zia_client_lists_regenerates_and_activates_the_key(zpa_emulator: Any) -> None:
    client = _zia_client(zpa_emulator, SEEDED_VALUES["ZIA"])

    # The SDK's ZIA client checks its session (GET authenticatedSession) before each call.
    listed, _ = client.send("GET", "/api/v1/apiKeys")
    assert [(k["id"], k["keyValue"]) for k in listed.json()] == [
        (int(KEY_IDS["ZIA"]), SEEDED_VALUES["ZIA"]),
    ]
    partners, _ = client.send("GET", "/api/v1/apiKeys", params={"includePartnerKeys": "true"})
    assert len(partners.json()) == 2

    regenerated, _ = client.send("POST", f"/api/v1/apiKeys/{KEY_IDS['ZIA']}/regenerate")
    new_value = regenerated.json()["keyValue"]
    assert new_value == stored_key(zpa_emulator, "ZIA")["keyValue"] != SEEDED_VALUES["ZIA"]

    status, _, error = client.activate.activate()
    assert error is None and status.status == "ACTIVE"

    with pytest.raises(Exception, match="401"):
        _zia_client(zpa_emulator, SEEDED_VALUES["ZIA"])
    assert client.deauthenticate() is True  # DELETE on the sign-in path ends the session
    log = zpa_emulator.requests_log()
    assert log[-1]["method"] == "DELETE" and log[-1]["status"] == 204
