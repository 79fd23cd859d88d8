"""A local ZPA management API emulator (standard library only; never imports ``pulumi``).

Run it with ``python -m pulumi_zpa_pkeys.emulator``. Laid out as moto lays out a service:

- ``table.py``: the generic table (items by id, id sequence, finder, journaled put/delete);
- ``kind.py``: how an object kind declares itself (``Kind``, ``TableSpec``, ``Rules``);
- ``keys.py``, ``enrollment_certs.py``, ``groups.py``, ``certificates.py``, ``api_keys.py``:
  the rules and the declaration per object kind, no HTTP; ``kinds.py`` lists them;
- ``backend.py``: one tenant, composing the declared kinds (``Backend``);
- ``urls.py`` (the URL tables and front doors), ``responses.py`` (parse, call, serialise;
  errors -> JSON), ``control.py`` (``/_emulator/``), ``app.py`` (sign-ins, doors, faults, log),
  ``server.py`` (HTTP);
- ``errors.py``, ``values.py``, ``query.py``, ``faults.py``, ``ratelimit.py``, ``tokens.py``,
  ``store.py`` (the ``--state`` journal), ``__main__.py`` (the command line).
"""

from __future__ import annotations

from .app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, App
from .backend import DEFAULT_CUSTOMER_ID, Backend
from .errors import EmulatorError
from .server import EmulatorServer

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_CUSTOMER_ID",
    "App",
    "Backend",
    "EmulatorError",
    "EmulatorServer",
]
