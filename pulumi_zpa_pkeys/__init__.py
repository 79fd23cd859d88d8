"""Manage Zscaler Private Access provisioning keys with Pulumi.

The public names are loaded lazily, so that ``python -m pulumi_zpa_pkeys.emulator`` and the
API client start without importing ``pulumi``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .lookups import (
        EnrollmentCert,
        ProvisioningKeyInfo,
        get_enrollment_cert,
        get_enrollment_cert_output,
        get_provisioning_key,
        get_provisioning_key_output,
    )
    from .provisioning_key import ProvisioningKey, ProvisioningKeyArgs

_LAZY = {
    "ProvisioningKey": "provisioning_key",
    "ProvisioningKeyArgs": "provisioning_key",
    "EnrollmentCert": "lookups",
    "ProvisioningKeyInfo": "lookups",
    "get_enrollment_cert": "lookups",
    "get_enrollment_cert_output": "lookups",
    "get_provisioning_key": "lookups",
    "get_provisioning_key_output": "lookups",
}

__all__ = [
    "EnrollmentCert",
    "ProvisioningKey",
    "ProvisioningKeyArgs",
    "ProvisioningKeyInfo",
    "__version__",
    "get_enrollment_cert",
    "get_enrollment_cert_output",
    "get_provisioning_key",
    "get_provisioning_key_output",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_zpa_pkeys' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
