"""Test helpers for stacks that use pulumi_zpa_pkeys (and for this package's own tests).

- `emulator(**options)`: a context manager that runs the bundled ZPA emulator on a free port and
  yields its URL, credentials and the `zpa:*` config that reaches it.
- the pytest plugin (`pulumi_zpa_pkeys.testing.plugin`, loaded automatically once the package is
  installed) with the fixture `zpa_emulator`.
- `ProviderHost`: runs the Pulumi SDK's dynamic provider host (`python -m pulumi.dynamic`) and
  drives it over gRPC exactly as the Pulumi engine does, with `preview`/`up`/`refresh`/`destroy`.
- `run_program` / `run_program_process`: run a Pulumi program under mocks (in this process, or
  in a fresh one as each `pulumi` command does) and return the RegisterResource requests it sent.
- `deploy_program`: `pulumi up` / `pulumi destroy` of a program without the CLI: this package's
  resources applied through the provider host (to an emulator), every other resource mocked.
- the emulator's seeded ids (`APP_CONNECTOR_GROUP_ID`, `CONNECTOR_CERT_ID`, ...) and valid key
  inputs built on them (`key_inputs`, `key_body`).

Names are loaded lazily: the emulator helpers do not import pulumi.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .deploy import DeployedResource as DeployedResource
    from .deploy import Deployment as Deployment
    from .deploy import deploy_program as deploy_program
    from .emulator_process import RunningEmulator as RunningEmulator
    from .emulator_process import emulator as emulator
    from .program import ProgramError as ProgramError
    from .program import ProgramRun as ProgramRun
    from .program import Registration as Registration
    from .program import run_program as run_program
    from .program import run_program_process as run_program_process
    from .provider_host import UNKNOWN as UNKNOWN
    from .provider_host import PreviewOutcome as PreviewOutcome
    from .provider_host import ProviderHost as ProviderHost
    from .provider_host import ProviderHostError as ProviderHostError
    from .provider_host import ProviderHostStartError as ProviderHostStartError
    from .provider_host import ResourceState as ResourceState
    from .seeds import APP_CONNECTOR_GROUP_ID as APP_CONNECTOR_GROUP_ID
    from .seeds import CLIENT_CERT_ID as CLIENT_CERT_ID
    from .seeds import CLOUD_ADMIN_PASSWORD as CLOUD_ADMIN_PASSWORD
    from .seeds import CLOUD_ADMIN_USERNAME as CLOUD_ADMIN_USERNAME
    from .seeds import CLOUD_SERVICE_API_KEY_IDS as CLOUD_SERVICE_API_KEY_IDS
    from .seeds import CLOUD_SERVICE_API_KEYS as CLOUD_SERVICE_API_KEYS
    from .seeds import CONNECTOR_CERT_ID as CONNECTOR_CERT_ID
    from .seeds import DEFAULT_CLIENT_ID as DEFAULT_CLIENT_ID
    from .seeds import DEFAULT_CLIENT_SECRET as DEFAULT_CLIENT_SECRET
    from .seeds import DEFAULT_CUSTOMER_ID as DEFAULT_CUSTOMER_ID
    from .seeds import NETWORK_CONNECTOR_GROUP_ID as NETWORK_CONNECTOR_GROUP_ID
    from .seeds import ROOT_CERT_ID as ROOT_CERT_ID
    from .seeds import SERVICE_EDGE_CERT_ID as SERVICE_EDGE_CERT_ID
    from .seeds import SERVICE_EDGE_GROUP_ID as SERVICE_EDGE_GROUP_ID
    from .seeds import key_body as key_body
    from .seeds import key_inputs as key_inputs

_public, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "deploy": (
            "DeployedResource",
            "Deployment",
            "deploy_program",
        ),
        "emulator_process": (
            "RunningEmulator",
            "emulator",
        ),
        "program": (
            "ProgramError",
            "ProgramRun",
            "Registration",
            "run_program",
            "run_program_process",
        ),
        "provider_host": (
            "UNKNOWN",
            "PreviewOutcome",
            "ProviderHost",
            "ProviderHostError",
            "ProviderHostStartError",
            "ResourceState",
        ),
        "seeds": (
            "APP_CONNECTOR_GROUP_ID",
            "CLIENT_CERT_ID",
            "CLOUD_ADMIN_PASSWORD",
            "CLOUD_ADMIN_USERNAME",
            "CLOUD_SERVICE_API_KEYS",
            "CLOUD_SERVICE_API_KEY_IDS",
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
    },
)
__all__ = _public
