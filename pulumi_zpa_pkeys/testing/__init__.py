"""Test helpers for stacks that use pulumi_zpa_pkeys (and for this package's own tests).

- `emulator(**options)`: a context manager that runs the bundled ZPA emulator on a free port and
  yields its URL, credentials and the `zpa:*` config that reaches it.
- the pytest plugin (`pulumi_zpa_pkeys.testing.plugin`, loaded automatically once the package is
  installed) with the fixture `zpa_emulator`.
- `ProviderHost`: runs the Pulumi SDK's dynamic provider host (`python -m pulumi.dynamic`) and
  drives it over gRPC exactly as the Pulumi engine does, with `preview`/`up`/`refresh`/`destroy`.
- `run_program` / `run_program_process`: run a Pulumi program under mocks (in this process, or
  in a fresh one as each `pulumi` command does) and return the RegisterResource requests it sent.

Names are loaded lazily: the emulator helpers do not import pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .emulator_process import RunningEmulator, emulator
    from .program import ProgramError, ProgramRun, Registration, run_program, run_program_process
    from .provider_host import (
        UNKNOWN,
        PreviewOutcome,
        ProviderHost,
        ProviderHostError,
        ProviderHostStartError,
        ResourceState,
    )

_LAZY = {
    "emulator": "emulator_process",
    "RunningEmulator": "emulator_process",
    "ProviderHost": "provider_host",
    "ProviderHostError": "provider_host",
    "ProviderHostStartError": "provider_host",
    "ResourceState": "provider_host",
    "PreviewOutcome": "provider_host",
    "UNKNOWN": "provider_host",
    "run_program": "program",
    "run_program_process": "program",
    "ProgramRun": "program",
    "Registration": "program",
    "ProgramError": "program",
}

__all__ = [
    "UNKNOWN",
    "PreviewOutcome",
    "ProgramError",
    "ProgramRun",
    "ProviderHost",
    "ProviderHostError",
    "ProviderHostStartError",
    "Registration",
    "ResourceState",
    "RunningEmulator",
    "emulator",
    "run_program",
    "run_program_process",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_zpa_pkeys.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
