"""What the bundled emulator holds after start and reset, and valid inputs built on it.

The ids never change: examples and users' tests refer to them. The emulator seeds them itself
(it imports nothing from the package), so ``tests/test_testing_seeds.py`` checks that both
agree. Standard library only.
"""

from __future__ import annotations

from typing import Any

DEFAULT_CUSTOMER_ID = "216196257331281920"
DEFAULT_CLIENT_ID = "zpa-emulator"
DEFAULT_CLIENT_SECRET = "zpa-emulator-secret"

APP_CONNECTOR_GROUP_ID = "216196257331300001"
SERVICE_EDGE_GROUP_ID = "216196257331300002"
NETWORK_CONNECTOR_GROUP_ID = "216196257331300003"

#: ZIA's and Cloud & Branch Connector's (ZTW) admin, and each product's cloud service API key.
CLOUD_ADMIN_USERNAME = "admin@emulator.zscaler.invalid"
CLOUD_ADMIN_PASSWORD = "emulator-password"
CLOUD_SERVICE_API_KEYS = {"ZIA": "EmulatorZIA1", "ZTW": "EmulatorZTW1"}
CLOUD_SERVICE_API_KEY_IDS = {"ZIA": "4101", "ZTW": "4201"}

ROOT_CERT_ID = "6571"
CLIENT_CERT_ID = "6572"
CONNECTOR_CERT_ID = "6573"
SERVICE_EDGE_CERT_ID = "6574"


def key_inputs(name: str, /, **changes: Any) -> dict[str, Any]:
    """A ``ProvisioningKey``'s inputs for the seeded App Connector group, as a program would
    declare them (resource field names), with ``changes`` applied."""
    return {
        "association_type": "CONNECTOR_GRP",
        "name": name,
        "max_usage": 2,
        "enrollment_cert_id": CONNECTOR_CERT_ID,
        "zcomponent_id": APP_CONNECTOR_GROUP_ID,
        "enabled": True,
        "exportable": True,
        "adopt_existing": False,
        **changes,
    }


def key_body(name: str, /, **fields: Any) -> dict[str, Any]:
    """A valid CONNECTOR_GRP key body in ZPA's field names, with ``fields`` applied."""
    return {
        "name": name,
        "maxUsage": 2,
        "enrollmentCertId": CONNECTOR_CERT_ID,
        "zcomponentId": APP_CONNECTOR_GROUP_ID,
        **fields,
    }
