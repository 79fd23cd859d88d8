"""One ZPA tenant: the object kinds composed, one lock around every operation, the journal.

The rules live per object kind (``keys.py``, ``enrollment_certs.py``, ``groups.py``,
``certificates.py``, ``api_keys.py``), each kept
in a ``table.Table``; this facade exposes their operations under their API names (so one grep
finds the client and the emulator side), seeds, resets, snapshots and replays. No HTTP here.
Values are kept in the API's own JSON shapes (ids, counts and epochs as strings).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar

from . import api_keys as api_key_rules
from . import certificates as ba_cert_rules
from .api_keys import API_KEY_SHAPE, FIRST_API_KEY_ID, ApiKeys
from .certificates import BA_CERT_SHAPE, FIRST_BA_CERT_ID, BaCertificates
from .enrollment_certs import CERT_SHAPE, FIRST_CERT_ID, EnrollmentCerts
from .errors import EmulatorError
from .groups import FIRST_GROUP_ID, GROUP_KINDS, Groups
from .groups import SEED_APP_CONNECTOR_GROUP_ID as SEED_APP_CONNECTOR_GROUP_ID
from .groups import SEED_NETWORK_CONNECTOR_GROUP_ID as SEED_NETWORK_CONNECTOR_GROUP_ID
from .groups import SEED_SERVICE_EDGE_GROUP_ID as SEED_SERVICE_EDGE_GROUP_ID
from .keys import ASSOCIATION_TYPES, FIRST_KEY_ID, KEY_SHAPE, ProvisioningKeys, name_slot
from .table import IdSequence, Table
from .values import JSON, now

DEFAULT_CUSTOMER_ID = "216196257331281920"
ID_EPOCH_US = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z

P = ParamSpec("P")
R = TypeVar("R")


class JournalLike(Protocol):
    def replay(self, apply: Callable[[dict[str, Any]], None]) -> None: ...
    def rewrite(self, records: list[dict[str, Any]]) -> None: ...
    def append(self, records: list[dict[str, Any]]) -> None: ...
    def close(self) -> None: ...


def _locked(lock: threading.RLock, operation: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(operation)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        with lock:
            return operation(*args, **kwargs)

    return call


def process_id_offset() -> int:
    """Where a new process starts its id sequences: microseconds since 2025, so a later run
    never hands out an id an earlier one did, even without ``--state`` (inferred: no run makes
    more than one id a microsecond)."""
    return max(0, time.time_ns() // 1000 - ID_EPOCH_US)


class Backend:
    """One ZPA tenant. Thread-safe: every operation holds ``self.lock``. Key, group and
    certificate ids count up from fixed starts plus ``id_offset`` (the command line passes
    :func:`process_id_offset`); the seeded objects keep their fixed ids."""

    def __init__(
        self,
        customer_id: str = DEFAULT_CUSTOMER_ID,
        *,
        journal: JournalLike | None = None,
        clock: Callable[[], str] = now,
        id_offset: int = 0,
    ) -> None:
        self.customer_id = customer_id
        self.lock = threading.RLock()
        self._journal: JournalLike | None = None
        self._key_ids = IdSequence(FIRST_KEY_ID + id_offset)
        self._group_ids = IdSequence(FIRST_GROUP_ID + id_offset)
        self._cert_ids = IdSequence(FIRST_CERT_ID + id_offset)
        self._ba_cert_ids = IdSequence(FIRST_BA_CERT_ID + id_offset)
        self._api_key_ids = IdSequence(FIRST_API_KEY_ID + id_offset)
        certs = Table(
            "cert", "enrollment certificate", self._cert_ids, self._persist, shape=CERT_SHAPE
        )
        keys = Table(
            "key", "provisioning key", self._key_ids, self._persist, shape=KEY_SHAPE,
            index=name_slot,
        )  # fmt: skip
        self.enrollment_certs = EnrollmentCerts(certs, customer_id=customer_id, clock=clock)
        self.groups = Groups(self._group_ids, self._persist, clock=clock)
        self.provisioning_keys = ProvisioningKeys(
            keys, groups=self.groups, certs=self.enrollment_certs, clock=clock
        )
        self.groups.in_use = self.provisioning_keys.uses_group
        ba_certs = Table(
            "baCert", "certificate", self._ba_cert_ids, self._persist, shape=BA_CERT_SHAPE,
            index=ba_cert_rules.name_slot,
        )  # fmt: skip
        api_keys = Table(
            "apiKey", "API key", self._api_key_ids, self._persist, shape=API_KEY_SHAPE,
            index=api_key_rules.name_slot,
        )  # fmt: skip
        self.ba_certificates = BaCertificates(ba_certs, clock=clock)
        self.api_keys = ApiKeys(api_keys, customer_id=customer_id, clock=clock)
        self._tables = {
            t.name: t for t in (certs, *self.groups.tables.values(), keys, ba_certs, api_keys)
        }

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
        bc, ak = self.ba_certificates, self.api_keys
        self.list_ba_certificates = _locked(lock, bc.list_ba_certificates)
        self.get_ba_certificate = _locked(lock, bc.get_ba_certificate)
        self.create_ba_certificate = _locked(lock, bc.create_ba_certificate)
        self.update_ba_certificate = _locked(lock, bc.update_ba_certificate)
        self.delete_ba_certificate = _locked(lock, bc.delete_ba_certificate)
        self.list_api_keys = _locked(lock, ak.list_api_keys)
        self.get_api_key = _locked(lock, ak.get_api_key)
        self.create_api_key = _locked(lock, ak.create_api_key)
        self.update_api_key = _locked(lock, ak.update_api_key)
        self.delete_api_key = _locked(lock, ak.delete_api_key)
        # The legacy front door signs API keys in (app.py).
        self.api_key_sign_in = _locked(lock, ak.sign_in)
        self.api_key_active = _locked(lock, ak.active)
        # Control plane (tests only).
        self.patch_key = _locked(lock, pk.patch_key)
        self.seed_keys = _locked(lock, pk.seed_keys)
        self.add_enrollment_cert = _locked(lock, ec.add_enrollment_cert)

        self._seed()
        self._replayed = 0  # journal records taken so far
        if journal is not None:
            journal.replay(self._apply)  # raises store.JournalError: the file is left alone
            journal.rewrite(self._snapshot())
            self._journal = journal

    # ------------------------------------------------------------------ seeding and reset

    def _seed(self) -> None:
        self.enrollment_certs.seed()
        self.groups.seed()
        self.provisioning_keys.seed()
        self.ba_certificates.seed()
        self.api_keys.seed()

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
                "certificates": self.ba_certificates.state(),
                "apiKeys": self.api_keys.state(),
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
                "baCert": self._ba_cert_ids.next,
                "apiKey": self._api_key_ids.next,
            },
        ]
        for table in self._tables.values():
            out += table.snapshot()
        return out

    def _apply(self, record: JSON) -> None:
        """Replay one journal record; ``ValueError`` for one this backend did not write."""
        kind = record.get("t")
        if self._replayed == 0 and kind != "clear":
            # Every journal starts with the snapshot written at start (see _snapshot).
            raise ValueError("not a journal of the ZPA emulator (no 'clear' record first)")
        self._replayed += 1
        if kind == "reset":
            self._seed()
        elif kind == "clear":
            for table in self._tables.values():
                table.clear()
        elif kind == "seq":
            for name, ids in (("key", self._key_ids), ("group", self._group_ids),
                              ("cert", self._cert_ids), ("baCert", self._ba_cert_ids),
                              ("apiKey", self._api_key_ids)):  # fmt: skip
                if name in ("baCert", "apiKey") and name not in record:
                    continue  # a journal written before these kinds existed
                value = record[name]
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name!r} is not an id sequence position: {value!r}")
                ids.restore(value)
        elif kind in ("put", "del") and record.get("k") in self._tables:
            self._tables[record["k"]].replay(record)
        elif kind in ("put", "del"):
            raise ValueError(f"no table {record.get('k')!r}")
        else:
            raise ValueError(f"no record type {kind!r}")


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
