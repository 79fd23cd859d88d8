"""Manage Zscaler Private Access provisioning keys (and what they enroll into) with Pulumi.

The public names are loaded lazily, so that ``python -m pulumi_zpa_pkeys.emulator`` and the
API client start without importing ``pulumi``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._version import __version__

if TYPE_CHECKING:
    from .api_key import ApiKey as ApiKey
    from .api_key import ApiKeyArgs as ApiKeyArgs
    from .api_key import ApiKeyInfo as ApiKeyInfo
    from .ba_certificate import BaCertificate as BaCertificate
    from .ba_certificate import BaCertificateArgs as BaCertificateArgs
    from .ba_certificate import BaCertificateInfo as BaCertificateInfo
    from .enrollment_cert import (
        EnrollmentCert as EnrollmentCert,
    )
    from .lookups import get_api_key as get_api_key
    from .lookups import get_api_key_output as get_api_key_output
    from .lookups import get_ba_certificate as get_ba_certificate
    from .lookups import get_ba_certificate_output as get_ba_certificate_output
    from .lookups import (
        get_enrollment_cert as get_enrollment_cert,
    )
    from .lookups import (
        get_enrollment_cert_output as get_enrollment_cert_output,
    )
    from .lookups import (
        get_provisioning_key as get_provisioning_key,
    )
    from .lookups import (
        get_provisioning_key_output as get_provisioning_key_output,
    )
    from .provisioning_key import (
        ProvisioningKey as ProvisioningKey,
    )
    from .provisioning_key import (
        ProvisioningKeyArgs as ProvisioningKeyArgs,
    )
    from .provisioning_key import (
        ProvisioningKeyInfo as ProvisioningKeyInfo,
    )

if TYPE_CHECKING:  # App Connector and Service Edge groups
    from .app_connector_group import (
        AppConnectorGroup as AppConnectorGroup,
    )
    from .app_connector_group import (
        AppConnectorGroupArgs as AppConnectorGroupArgs,
    )
    from .app_connector_group import (
        AppConnectorGroupInfo as AppConnectorGroupInfo,
    )
    from .lookups import (
        get_app_connector_group as get_app_connector_group,
    )
    from .lookups import (
        get_app_connector_group_output as get_app_connector_group_output,
    )
    from .lookups import (
        get_service_edge_group as get_service_edge_group,
    )
    from .lookups import (
        get_service_edge_group_output as get_service_edge_group_output,
    )
    from .service_edge_group import (
        ServiceEdgeGroup as ServiceEdgeGroup,
    )
    from .service_edge_group import (
        ServiceEdgeGroupArgs as ServiceEdgeGroupArgs,
    )
    from .service_edge_group import (
        ServiceEdgeGroupInfo as ServiceEdgeGroupInfo,
    )

if TYPE_CHECKING:  # the ZIA / Cloud & Branch Connector cloud service API key
    from .cloud_service_api_key import CloudServiceApiKey as CloudServiceApiKey
    from .cloud_service_api_key import CloudServiceApiKeyArgs as CloudServiceApiKeyArgs
    from .cloud_service_api_key import CloudServiceApiKeyInfo as CloudServiceApiKeyInfo
    from .cloud_service_api_key import get_cloud_service_api_key as get_cloud_service_api_key
    from .cloud_service_api_key import (
        get_cloud_service_api_key_output as get_cloud_service_api_key_output,
    )

_public, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "enrollment_cert": ("EnrollmentCert",),
        "provisioning_key": ("ProvisioningKey", "ProvisioningKeyArgs", "ProvisioningKeyInfo"),
        "lookups": (
            "get_enrollment_cert",
            "get_enrollment_cert_output",
            "get_provisioning_key",
            "get_provisioning_key_output",
            "get_app_connector_group",
            "get_app_connector_group_output",
            "get_service_edge_group",
            "get_service_edge_group_output",
            "get_ba_certificate",
            "get_ba_certificate_output",
            "get_api_key",
            "get_api_key_output",
        ),
        "app_connector_group": (
            "AppConnectorGroup",
            "AppConnectorGroupArgs",
            "AppConnectorGroupInfo",
        ),
        "service_edge_group": ("ServiceEdgeGroup", "ServiceEdgeGroupArgs", "ServiceEdgeGroupInfo"),
        "ba_certificate": ("BaCertificate", "BaCertificateArgs", "BaCertificateInfo"),
        "api_key": ("ApiKey", "ApiKeyArgs", "ApiKeyInfo"),
        "cloud_service_api_key": (
            "CloudServiceApiKey",
            "CloudServiceApiKeyArgs",
            "CloudServiceApiKeyInfo",
            "get_cloud_service_api_key",
            "get_cloud_service_api_key_output",
        ),
    },
)
__all__ = [*_public, "__version__"]
