"""One ZPA tenant: the object kinds of ``kinds.KINDS`` composed, one lock around every
operation, the journal. No HTTP here.

Each kind declares itself (``kind.Kind``: tables, id sequence, rules); this facade builds its
tables and rules, exposes the rules' operations under their API names (so one grep finds the
client and the emulator side) holding the lock, and seeds, resets, shows, snapshots and replays
every kind the same way. Values are kept in the API's own JSON shapes (ids, counts and epochs as
strings).

Journal records (see ``table.py`` for ``put``/``del``): ``clear`` (every table emptied),
``seq`` (each kind's next id, by kind name), ``reset`` (back to the seeded state). Older
journals named kinds as ``Kind.former_names`` say; they still load.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, Protocol, TypeVar

from .errors import EmulatorError
from .groups import GROUP_KINDS
from .groups import SEED_APP_CONNECTOR_GROUP_ID as SEED_APP_CONNECTOR_GROUP_ID
from .groups import SEED_NETWORK_CONNECTOR_GROUP_ID as SEED_NETWORK_CONNECTOR_GROUP_ID
from .groups import SEED_SERVICE_EDGE_GROUP_ID as SEED_SERVICE_EDGE_GROUP_ID
from .keys import ASSOCIATION_TYPES
from .kind import Kind, Rules, is_operation
from .kinds import KINDS
from .table import IdSequence, Table
from .values import JSON, now

DEFAULT_CUSTOMER_ID = "216196257331281920"
ID_EPOCH_US = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R", bound=Rules)


class JournalLike(Protocol):
    def replay(self, apply: Callable[[dict[str, Any]], None]) -> None: ...
    def rewrite(self, records: list[dict[str, Any]]) -> None: ...
    def append(self, records: list[dict[str, Any]]) -> None: ...
    def close(self) -> None: ...


def _locked(lock: threading.RLock, operation: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(operation)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        with lock:
            return operation(*args, **kwargs)

    return call


def process_id_offset() -> int:
    """Where a new process starts its id sequences: microseconds since 2025, so a later run
    never hands out an id an earlier one did, even without ``--state`` (inferred: no run makes
    more than one id a microsecond)."""
    return max(0, time.time_ns() // 1000 - ID_EPOCH_US)


class Backend:
    """One ZPA tenant. Thread-safe: every operation holds ``self.lock``. Ids count up from each
    kind's ``first_id`` plus ``id_offset`` (the command line passes :func:`process_id_offset`);
    the seeded objects keep their fixed ids.

    The operations of every kind's rules are attributes of the backend, by name
    (``backend.create_provisioning_key(...)``); :meth:`rules` gives a kind's rules (typed), for
    what is not an operation (the front door asking an API key's rules about a sign-in)."""

    def __init__(
        self,
        customer_id: str = DEFAULT_CUSTOMER_ID,
        *,
        journal: JournalLike | None = None,
        clock: Callable[[], str] = now,
        id_offset: int = 0,
        kinds: Sequence[Kind] = KINDS,
    ) -> None:
        self.customer_id = customer_id
        self.clock = clock
        self.lock = threading.RLock()
        self._journal: JournalLike | None = None
        self._ids: dict[str, IdSequence] = {}  # by kind name
        self._tables: dict[str, Table] = {}  # by journal name
        self._former: dict[str, str] = {}  # an older journal's name -> today's
        self._rules: dict[type[Rules], Rules] = {}
        self._shown: list[tuple[str, Rules, Table]] = []  # state key, rules, table
        self.operations: dict[str, Callable[..., Any]] = {}
        self._by_kind: dict[str, Rules] = {}  # by kind name
        self._journaled: set[str] = set()  # kinds a replayed journal's "seq" records name
        for kind in kinds:
            self._add(kind, id_offset)

        self._seed()
        self._replayed = 0  # journal records taken so far
        if journal is not None:
            journal.replay(self._apply)  # raises store.JournalError: the file is left alone
            # A kind added after the journal was written starts seeded, not emptied by its
            # "clear" (an organisation's seeded cloud service API keys, say).
            for name, rules in self._by_kind.items():
                if self._replayed and name not in self._journaled:
                    rules.seed()
            journal.rewrite(self._snapshot())
            self._journal = journal

    def _add(self, kind: Kind, id_offset: int) -> None:
        ids = self._ids[_new(self._ids, kind.name, "id sequence")] = IdSequence(
            kind.first_id + id_offset
        )
        tables: dict[str, Table] = {}
        for spec in kind.tables:
            name = _new(self._tables, kind.table_name(spec), "table")
            table = Table(name, spec.label, ids, self._persist, shape=spec.shape, index=spec.index)
            tables[name] = self._tables[name] = table
        rules = kind.rules(tables, self)
        self._rules[type(rules)] = rules
        self._by_kind[kind.name] = rules
        for spec in kind.tables:
            if spec.state_key is not None:
                self._shown.append((spec.state_key, rules, tables[kind.table_name(spec)]))
        for former in kind.former_names:
            self._former[_new(self._former, former, "former name")] = kind.name
        for name, member in inspect.getmembers(type(rules)):
            if is_operation(member):
                operation = _locked(self.lock, getattr(rules, name))
                self.operations[_new(self.operations, name, "operation")] = operation

    def __getattr__(self, name: str) -> Callable[..., Any]:
        """An operation of one of the kinds, by its API name."""
        try:
            return self.__dict__["operations"][name]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(f"the emulator has no operation {name!r}") from None

    # ------------------------------------------------------------------ what kinds ask

    def rules(self, kind: type[R]) -> R:
        rules = self._rules[kind]
        assert isinstance(rules, kind)
        return rules

    def referenced(self, table: str, ident: str) -> str | None:
        return next(
            (r for rules in self._rules.values() if (r := rules.refers_to(table, ident))), None
        )

    def embedded(self, table: str, obj: JSON) -> JSON:
        out: JSON = {}
        for rules in self._rules.values():
            out.update(rules.embeds(table, obj))
        return out

    # ------------------------------------------------------------------ seeding and reset

    def _seed(self) -> None:
        for rules in self._rules.values():
            rules.seed()

    def reset(self) -> None:
        """Back to the seeded state. Id sequences keep counting (inferred: ids never repeat)."""
        with self.lock:
            self._seed()
            self._persist([{"t": "reset"}])

    def state(self) -> JSON:
        with self.lock:
            return {key: rules.state(table) for key, rules, table in self._shown}

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
            {"t": "seq", **{name: ids.next for name, ids in self._ids.items()}},
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
            # A kind the record does not name was added after the journal was written.
            for name, value in record.items():
                if name == "t":
                    continue
                self._journaled.add(self._former.get(name, name))
                ids = self._ids.get(self._former.get(name, name))
                if ids is None:
                    raise ValueError(f"no id sequence {name!r}")
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name!r} is not an id sequence position: {value!r}")
                ids.restore(value)
        elif kind in ("put", "del"):
            name = str(record.get("k"))
            target = self._tables.get(self._former.get(name, name))
            if target is None:
                raise ValueError(f"no table {record.get('k')!r}")
            target.replay(record)
        else:
            raise ValueError(f"no record type {kind!r}")


def _new(names: dict[str, Any], name: str, what: str) -> str:
    if name in names:
        raise ValueError(f"two kinds declare the {what} {name!r}")
    return name


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
