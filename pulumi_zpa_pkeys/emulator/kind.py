"""How an object kind declares itself, so that ``backend.Backend`` composes every kind the same
way (locking, seeding, ``/_emulator/state``, the ``--state`` snapshot and replay) from
``kinds.KINDS`` alone.

A kind is one rules module holding a :class:`Rules` subclass and a :class:`Kind` declaration:

- ``Kind.name`` is the module's name; the journal names the kind's id sequence by it (and its
  table, when it has one table), ``former_names`` are what older journals called them;
- ``Kind.first_id``: where its id sequence starts (every table of the kind shares it);
- one :class:`TableSpec` per table: its key in ``/_emulator/state``, the label of its not-found
  errors, the shape a replayed record must have, and an optional secondary index (names);
- ``Kind.rules``: the class, built with its tables and the :class:`Tenant`; its methods marked
  :func:`operation` are what the URL table (``urls.py``) and the control plane may call, by
  their names on the backend.

Nothing here knows HTTP or any particular kind.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from .table import Shape, Table
from .values import JSON

R = TypeVar("R", bound="Rules")
F = TypeVar("F", bound=Callable[..., Any])

_OPERATION = "__emulator_operation__"


def operation(method: F) -> F:
    """Mark a rules method as an operation the backend exposes (under the method's name, holding
    the tenant's lock)."""
    setattr(method, _OPERATION, True)
    return method


def is_operation(member: object) -> bool:
    return callable(member) and getattr(member, _OPERATION, False) is True


class Tenant(Protocol):
    """What a kind's rules may ask of the tenant they live in (``backend.Backend``)."""

    @property
    def customer_id(self) -> str: ...

    def clock(self) -> str:
        """The time as ZPA writes it (epoch seconds, a string)."""
        ...

    def rules(self, kind: type[R]) -> R:
        """The rules of another kind (by class), e.g. keys asking for their groups."""
        ...

    def referenced(self, table: str, ident: str) -> str | None:
        """What still refers to object ``ident`` of ``table`` ("provisioning keys"), if anything
        does (then it cannot be deleted)."""
        ...

    def embedded(self, table: str, obj: JSON) -> JSON:
        """The fields other kinds add to object ``obj`` of ``table`` in its full view (a Service
        Edge group lists its Service Edges)."""
        ...


class Rules:
    """The rules of one kind over its tables (no HTTP). The defaults suit a kind that starts
    empty and shows its objects as stored; override what differs."""

    def __init__(self, tables: Mapping[str, Table], tenant: Tenant) -> None:
        self.tables = dict(tables)  # by journal name
        self.tenant = tenant

    @property
    def table(self) -> Table:
        """The kind's table, for kinds with one."""
        (only,) = self.tables.values()
        return only

    def seed(self) -> None:
        """Back to the seeded state (also at start, before a journal is replayed)."""
        for table in self.tables.values():
            table.clear()

    def state(self, table: Table) -> list[JSON]:
        """``table``'s list in ``GET /_emulator/state`` (secrets included: tests only)."""
        return [copy.deepcopy(obj) for obj in table]

    def refers_to(self, table: str, ident: str) -> str | None:
        """What of this kind refers to object ``ident`` of ``table`` (which then cannot be
        deleted), in words for the refusal ("provisioning keys"); None when nothing does."""
        return None

    def embeds(self, table: str, obj: JSON) -> JSON:
        """Fields this kind adds to the full view of object ``obj`` of another kind's ``table``."""
        return {}


@dataclass(frozen=True)
class TableSpec:
    state_key: str | None  # its list in GET /_emulator/state (None: not shown)
    label: str  # in not-found messages ("provisioning key 7 was not found")
    shape: Shape  # what a replayed journal record must hold
    index: Callable[[JSON], Hashable] | None = None  # a secondary index (names)
    name: str | None = None  # the journal's "k"; None: the kind's name (one table per kind)


@dataclass(frozen=True)
class Kind:
    name: str  # the rules module's name
    first_id: int
    tables: tuple[TableSpec, ...]
    rules: Callable[[Mapping[str, Table], Tenant], Rules]
    former_names: tuple[str, ...] = ()  # older journals' names of its sequence and table

    def table_name(self, spec: TableSpec) -> str:
        return spec.name or self.name


__all__ = ["Kind", "Rules", "TableSpec", "Tenant", "is_operation", "operation"]
