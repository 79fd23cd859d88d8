"""Every lookup function and result class in one import (kept for programs that import from
here). Each lookup lives with its resource module and is exported by the package; the algorithm
they share is :mod:`pulumi_zpa_pkeys._lookup`. The names below are those this module has always
had; the lookups of later resources are reached through the package (a new resource does not
edit this file).
"""

from __future__ import annotations

from typing import Any

from . import _host
from .api_key import ApiKeyInfo, get_api_key, get_api_key_output
from .app_connector_group import (
    AppConnectorGroupInfo,
    get_app_connector_group,
    get_app_connector_group_output,
)
from .ba_certificate import BaCertificateInfo, get_ba_certificate, get_ba_certificate_output
from .enrollment_cert import EnrollmentCert, get_enrollment_cert, get_enrollment_cert_output
from .provisioning_key import (
    ProvisioningKeyInfo,
    get_provisioning_key,
    get_provisioning_key_output,
)
from .service_edge_group import (
    ServiceEdgeGroupInfo,
    get_service_edge_group,
    get_service_edge_group_output,
)

__all__ = [
    "ApiKeyInfo",
    "AppConnectorGroupInfo",
    "BaCertificateInfo",
    "EnrollmentCert",
    "ProvisioningKeyInfo",
    "ServiceEdgeGroupInfo",
    "clear_cache",
    "get_api_key",
    "get_api_key_output",
    "get_app_connector_group",
    "get_app_connector_group_output",
    "get_ba_certificate",
    "get_ba_certificate_output",
    "get_enrollment_cert",
    "get_enrollment_cert_output",
    "get_provisioning_key",
    "get_provisioning_key_output",
    "get_service_edge_group",
    "get_service_edge_group_output",
]

#: Forget every cached lookup result (tests, long-running automation).
clear_cache = _host.clear_lookups


def __getattr__(name: str) -> Any:
    """A later resource's lookup (``get_x``, ``get_x_output``) or result class, from the
    package."""
    import pulumi_zpa_pkeys as package

    if (name.startswith("get_") or name.endswith("Info")) and name in package.__all__:
        return getattr(package, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
