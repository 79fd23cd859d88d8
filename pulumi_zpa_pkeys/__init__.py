"""Manage Zscaler Private Access provisioning keys (and what they enroll into) with Pulumi.

The public names are loaded lazily, so that ``python -m pulumi_zpa_pkeys.emulator`` and the
API client start without importing ``pulumi``. ``_EXPORTS`` below is the list of public names;
the ``TYPE_CHECKING`` imports repeat it for type checkers and editors, and a test
(tests/test_public_names.py) proves the two agree.
"""

# `from m import (A as A, ...)` marks A as re-exported for type checkers; isort would split such
# imports into one statement per name.
# ruff: noqa: I001

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._version import __version__

#: Every public name, by the module that defines it.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "api_key": ("ApiKey", "ApiKeyArgs", "ApiKeyInfo", "get_api_key", "get_api_key_output"),
    "app_connector_group": (
        "AppConnectorGroup",
        "AppConnectorGroupArgs",
        "AppConnectorGroupInfo",
        "ConnectorGroup",
        "ConnectorGroupArgs",
        "get_app_connector_group",
        "get_app_connector_group_output",
    ),
    "ba_certificate": (
        "BaCertificate",
        "BaCertificateArgs",
        "BaCertificateInfo",
        "get_ba_certificate",
        "get_ba_certificate_output",
    ),
    "cloud_service_api_key": (
        "CloudServiceApiKey",
        "CloudServiceApiKeyArgs",
        "CloudServiceApiKeyInfo",
        "get_cloud_service_api_key",
        "get_cloud_service_api_key_output",
    ),
    "enrollment_cert": ("EnrollmentCert", "get_enrollment_cert", "get_enrollment_cert_output"),
    "provisioning_key": (
        "ProvisioningKey",
        "ProvisioningKeyArgs",
        "ProvisioningKeyInfo",
        "get_provisioning_key",
        "get_provisioning_key_output",
    ),
    "service_edge_group": (
        "ServiceEdgeGroup",
        "ServiceEdgeGroupArgs",
        "ServiceEdgeGroupInfo",
        "get_service_edge_group",
        "get_service_edge_group_output",
    ),
}

if TYPE_CHECKING:
    from .api_key import (
        ApiKey as ApiKey,
        ApiKeyArgs as ApiKeyArgs,
        ApiKeyInfo as ApiKeyInfo,
        get_api_key as get_api_key,
        get_api_key_output as get_api_key_output,
    )
    from .app_connector_group import (
        AppConnectorGroup as AppConnectorGroup,
        AppConnectorGroupArgs as AppConnectorGroupArgs,
        AppConnectorGroupInfo as AppConnectorGroupInfo,
        ConnectorGroup as ConnectorGroup,
        ConnectorGroupArgs as ConnectorGroupArgs,
        get_app_connector_group as get_app_connector_group,
        get_app_connector_group_output as get_app_connector_group_output,
    )
    from .ba_certificate import (
        BaCertificate as BaCertificate,
        BaCertificateArgs as BaCertificateArgs,
        BaCertificateInfo as BaCertificateInfo,
        get_ba_certificate as get_ba_certificate,
        get_ba_certificate_output as get_ba_certificate_output,
    )
    from .cloud_service_api_key import (
        CloudServiceApiKey as CloudServiceApiKey,
        CloudServiceApiKeyArgs as CloudServiceApiKeyArgs,
        CloudServiceApiKeyInfo as CloudServiceApiKeyInfo,
        get_cloud_service_api_key as get_cloud_service_api_key,
        get_cloud_service_api_key_output as get_cloud_service_api_key_output,
    )
    from .enrollment_cert import (
        EnrollmentCert as EnrollmentCert,
        get_enrollment_cert as get_enrollment_cert,
        get_enrollment_cert_output as get_enrollment_cert_output,
    )
    from .provisioning_key import (
        ProvisioningKey as ProvisioningKey,
        ProvisioningKeyArgs as ProvisioningKeyArgs,
        ProvisioningKeyInfo as ProvisioningKeyInfo,
        get_provisioning_key as get_provisioning_key,
        get_provisioning_key_output as get_provisioning_key_output,
    )
    from .service_edge_group import (
        ServiceEdgeGroup as ServiceEdgeGroup,
        ServiceEdgeGroupArgs as ServiceEdgeGroupArgs,
        ServiceEdgeGroupInfo as ServiceEdgeGroupInfo,
        get_service_edge_group as get_service_edge_group,
        get_service_edge_group_output as get_service_edge_group_output,
    )

_public, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = [*_public, "__version__"]
