"""An ``Args`` class of 0.1.0 could be built positionally: its fields keep their places.

The generated ``Args`` put the required inputs first and the rest in table order, so a table's
order is part of the public surface. Fields added since may only come after these.
"""

from __future__ import annotations

import dataclasses

import pytest

from pulumi_zpa_pkeys import (
    ApiKeyArgs,
    AppConnectorGroupArgs,
    BaCertificateArgs,
    ProvisioningKeyArgs,
    ServiceEdgeGroupArgs,
)

_GROUP = (
    "latitude", "longitude", "location", "name", "description", "enabled", "city_country",
    "country_code", "upgrade_day", "upgrade_time_in_secs", "override_version_profile",
    "version_profile_id", "microtenant_id", "adopt_existing", "tenant",
)  # fmt: skip

ORDER_IN_0_1_0: dict[type, tuple[str, ...]] = {
    ProvisioningKeyArgs: (
        "association_type", "max_usage", "enrollment_cert_id", "zcomponent_id", "name",
        "enabled", "exportable", "microtenant_id", "adopt_existing", "ip_acl", "keepers",
        "tenant",
    ),
    ApiKeyArgs: (
        "role_id", "name", "enabled", "token_expiry_time_in_sec", "microtenant_id",
        "adopt_existing", "keepers", "tenant",
    ),
    AppConnectorGroupArgs: (*_GROUP, "dns_query_type"),
    ServiceEdgeGroupArgs: (*_GROUP, "is_public"),
    BaCertificateArgs: ("cert_blob", "name", "description", "microtenant_id", "adopt_existing",
                        "tenant"),
}  # fmt: skip


@pytest.mark.parametrize("args_class", list(ORDER_IN_0_1_0), ids=lambda c: c.__name__)
def test_args_fields_of_0_1_0_keep_their_positions(args_class: type) -> None:
    names = tuple(f.name for f in dataclasses.fields(args_class))
    old = ORDER_IN_0_1_0[args_class]
    assert names[: len(old)] == old


def test_a_key_built_positionally_as_in_0_1_0_gets_the_same_values() -> None:
    args = ProvisioningKeyArgs("CONNECTOR_GRP", 2, "6573", "216196257331300001", "edge", False,
                               True, "123", True)  # fmt: skip
    assert (args.name, args.enabled, args.microtenant_id, args.adopt_existing) == (
        "edge", False, "123", True,
    )  # fmt: skip
