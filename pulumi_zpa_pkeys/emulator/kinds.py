"""Every object kind the emulator serves, in the order they are seeded, snapshotted and shown.
A new kind is its rules module (a ``kind.Rules`` subclass and a ``kind.Kind`` declaration), one
line here and its rows in ``urls.py``."""

from __future__ import annotations

from . import (
    api_keys,
    assertions,
    certificates,
    cloud_keys,
    enrollment_certs,
    groups,
    keys,
    service_edges,
)
from .kind import Kind

KINDS: tuple[Kind, ...] = (
    enrollment_certs.KIND,
    groups.KIND,
    keys.KIND,
    service_edges.KIND,
    certificates.KIND,
    api_keys.KIND,
    assertions.KIND,  # OneAPI clients that sign in with a private key
    cloud_keys.KIND,  # ZIA and Cloud & Branch Connector cloud service API keys
)

__all__ = ["KINDS"]
