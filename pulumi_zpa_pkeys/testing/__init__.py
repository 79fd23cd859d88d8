"""Test helpers for stacks that use pulumi_zpa_pkeys (and for this package's own tests).

- `emulator(**options)`: a context manager that runs the bundled ZPA emulator on a free port and
  yields its URL, credentials and the `zpa:*` config that reaches it.
- the pytest plugin (`pulumi_zpa_pkeys.testing.plugin`, loaded automatically once the package is
  installed) with the fixture `zpa_emulator`.
- `ProviderHost`: runs the Pulumi SDK's dynamic provider host (`python -m pulumi.dynamic`) and
  drives it over gRPC exactly as the Pulumi engine does, with `preview`/`up`/`refresh`/`destroy`.

Names are loaded lazily: the emulator helpers do not import pulumi.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .emulator_process import (
        RunningEmulator as RunningEmulator,
    )
    from .emulator_process import (
        emulator as emulator,
    )
    from .provider_host import (
        UNKNOWN as UNKNOWN,
    )
    from .provider_host import (
        PreviewOutcome as PreviewOutcome,
    )
    from .provider_host import (
        ProviderHost as ProviderHost,
    )
    from .provider_host import (
        ProviderHostError as ProviderHostError,
    )
    from .provider_host import (
        ProviderHostStartError as ProviderHostStartError,
    )
    from .provider_host import (
        ResourceState as ResourceState,
    )

_public, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "emulator_process": ("RunningEmulator", "emulator"),
        "seeds": (
            "APP_CONNECTOR_GROUP_ID",
            "CLIENT_CERT_ID",
            "CONNECTOR_CERT_ID",
            "DEFAULT_CLIENT_ID",
            "DEFAULT_CLIENT_SECRET",
            "DEFAULT_CUSTOMER_ID",
            "NETWORK_CONNECTOR_GROUP_ID",
            "ROOT_CERT_ID",
            "SERVICE_EDGE_CERT_ID",
            "SERVICE_EDGE_GROUP_ID",
            "key_body",
            "key_inputs",
        ),
        "provider_host": (
            "UNKNOWN",
            "PreviewOutcome",
            "ProviderHost",
            "ProviderHostError",
            "ProviderHostStartError",
            "ResourceState",
        ),
    },
)
__all__ = _public
