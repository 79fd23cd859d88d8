"""One ZPA tenant: the object kinds composed, one lock around every operation, the journal.

The rules live per object kind (``keys.py``, ``enrollment_certs.py``, ``groups.py``), each kept
in a ``table.Table``; this facade exposes their operations under their API names (so one grep
finds the client and the emulator side), seeds, resets, snapshots and replays. No HTTP here.
Values are kept in the API's own JSON shapes (ids, counts and epochs as strings).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar

from .enrollment_certs import FIRST_CERT_ID, EnrollmentCerts
from .errors import EmulatorError
from .groups import FIRST_GROUP_ID, GROUP_KINDS, Groups
from .groups import SEED_APP_CONNECTOR_GROUP_ID as SEED_APP_CONNECTOR_GROUP_ID
from .groups import SEED_NETWORK_CONNECTOR_GROUP_ID as SEED_NETWORK_CONNECTOR_GROUP_ID
from .groups import SEED_SERVICE_EDGE_GROUP_ID as SEED_SERVICE_EDGE_GROUP_ID
from .keys import ASSOCIATION_TYPES, FIRST_KEY_ID, ProvisioningKeys, name_slot
from .table import IdSequence, Table
from .values import JSON, now

DEFAULT_CUSTOMER_ID = "216196257331281920"

P = ParamSpec("P")
R = TypeVar("R")


class JournalLike(Protocol):
    def load(self) -> list[dict[str, Any]]: ...
    def rewrite(self, records: list[dict[str, Any]]) -> None: ...
    def append(self, records: list[dict[str, Any]]) -> None: ...
    def close(self) -> None: ...


def _locked(lock: threading.RLock, operation: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(operation)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        with lock:
            return operation(*args, **kwargs)

    return call


class Backend:
    """One ZPA tenant. Thread-safe: every operation holds ``self.lock``."""

    def __init__(
        self,
        customer_id: str = DEFAULT_CUSTOMER_ID,
        *,
        journal: JournalLike | None = None,
        clock: Callable[[], str] = now,
    ) -> None:
        self.customer_id = customer_id
        self.lock = threading.RLock()
        self._journal: JournalLike | None = None
        self._key_ids = IdSequence(FIRST_KEY_ID)
        self._group_ids = IdSequence(FIRST_GROUP_ID)
        self._cert_ids = IdSequence(FIRST_CERT_ID)
        certs = Table("cert", "enrollment certificate", self._cert_ids, self._persist)
        keys = Table("key", "provisioning key", self._key_ids, self._persist, index=name_slot)
        self.enrollment_certs = EnrollmentCerts(certs, customer_id=customer_id, clock=clock)
        self.groups = Groups(self._group_ids, self._persist, clock=clock)
        self.provisioning_keys = ProvisioningKeys(
            keys, groups=self.groups, certs=self.enrollment_certs, clock=clock
        )
        self.groups.in_use = self.provisioning_keys.uses_group
        self._tables = {t.name: t for t in (certs, *self.groups.tables.values(), keys)}

        # The API operations, by their API names.
        lock, pk, gr, ec = self.lock, self.provisioning_keys, self.groups, self.enrollment_certs
        self.list_provisioning_keys = _locked(lock, pk.list_provisioning_keys)
        self.get_provisioning_key = _locked(lock, pk.get_provisioning_key)
        self.create_provisioning_key = _locked(lock, pk.create_provisioning_key)
        self.update_provisioning_key = _locked(lock, pk.update_provisioning_key)
        self.delete_provisioning_key = _locked(lock, pk.delete_provisioning_key)
        self.list_enrollment_certs = _locked(lock, ec.list_enrollment_certs)
        self.get_enrollment_cert = _locked(lock, ec.get_enrollment_cert)
        self.list_groups = _locked(lock, gr.list_groups)
        self.get_group = _locked(lock, gr.get_group)
        self.create_group = _locked(lock, gr.create_group)
        self.update_group = _locked(lock, gr.update_group)
        self.delete_group = _locked(lock, gr.delete_group)
        # Control plane (tests only).
        self.patch_key = _locked(lock, pk.patch_key)
        self.seed_keys = _locked(lock, pk.seed_keys)
        self.add_enrollment_cert = _locked(lock, ec.add_enrollment_cert)

        self._seed()
        if journal is not None:
            for record in journal.load():
                self._apply(record)
            journal.rewrite(self._snapshot())
            self._journal = journal

    # ------------------------------------------------------------------ seeding and reset

    def _seed(self) -> None:
        self.enrollment_certs.seed()
        self.groups.seed()
        self.provisioning_keys.seed()

    def reset(self) -> None:
        """Back to the seeded state. Id sequences keep counting (inferred: ids never repeat)."""
        with self.lock:
            self._seed()
            self._persist([{"t": "reset"}])

    def state(self) -> JSON:
        with self.lock:
            return {
                "provisioningKeys": self.provisioning_keys.state(),
                **{kind: self.groups.state(kind) for kind in GROUP_KINDS},
                "enrollmentCerts": self.enrollment_certs.state(),
            }

    # ------------------------------------------------------------------ persistence

    def close(self) -> None:
        """Close the journal (if any); the backend keeps working in memory."""
        with self.lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

    def _persist(self, records: list[JSON]) -> None:
        if self._journal is not None:
            self._journal.append(records)

    def _snapshot(self) -> list[JSON]:
        out: list[JSON] = [
            {"t": "clear"},
            {
                "t": "seq",
                "key": self._key_ids.next,
                "group": self._group_ids.next,
                "cert": self._cert_ids.next,
            },
        ]
        for table in self._tables.values():
            out += table.snapshot()
        return out

    def _apply(self, record: JSON) -> None:
        kind = record.get("t")
        if kind == "reset":
            self._seed()
        elif kind == "clear":
            for table in self._tables.values():
                table.clear()
        elif kind == "seq":
            self._key_ids.restore(int(record["key"]))
            self._group_ids.restore(int(record["group"]))
            self._cert_ids.restore(int(record["cert"]))
        elif kind in ("put", "del") and record.get("k") in self._tables:
            self._tables[record["k"]].replay(record)


__all__ = [
    "ASSOCIATION_TYPES",
    "DEFAULT_CUSTOMER_ID",
    "GROUP_KINDS",
    "SEED_APP_CONNECTOR_GROUP_ID",
    "SEED_NETWORK_CONNECTOR_GROUP_ID",
    "SEED_SERVICE_EDGE_GROUP_ID",
    "Backend",
    "EmulatorError",
]
