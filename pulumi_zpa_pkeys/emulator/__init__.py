"""A local ZPA management API emulator (standard library only; never imports ``pulumi``).

Run it with ``python -m pulumi_zpa_pkeys.emulator``; see ``http.py`` for the front doors and
control endpoints and ``backend.py`` for the tenant's state and rules.
"""

from __future__ import annotations

from .backend import DEFAULT_CUSTOMER_ID, Backend
from .errors import EmulatorError
from .http import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, App, EmulatorServer

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_CUSTOMER_ID",
    "App",
    "Backend",
    "EmulatorError",
    "EmulatorServer",
]
