"""The generic table every object kind is kept in: items by id, an id sequence, one finder that
raises ZPA's not-found, journaled put/delete, a snapshot and replay for ``--state``.

Journal records (one JSON object a line, see ``store.py``): ``{"t":"put","k":<table>,"o":<obj>}``
and ``{"t":"del","k":<table>,"id":<id>}``; the backend adds ``clear``, ``seq`` and ``reset``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import not_found

JSON = dict[str, Any]
Persist = Callable[[list[JSON]], None]


ID, INTEGER, TEXT, FLAG = "an id", "an integer string", "a string", "a boolean"
TEXTS = "a list of strings"
_DIGITS = re.compile(r"[0-9]+")
_INTEGER = re.compile(r"-?[0-9]+")
_KINDS: dict[str, Callable[[Any], bool]] = {
    ID: lambda v: isinstance(v, str) and _DIGITS.fullmatch(v) is not None,
    INTEGER: lambda v: isinstance(v, str) and _INTEGER.fullmatch(v) is not None,
    TEXT: lambda v: isinstance(v, str),
    FLAG: lambda v: isinstance(v, bool),
    TEXTS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
}


@dataclass(frozen=True)
class Shape:
    """What a stored object must hold, checked when the journal is replayed so that a record
    of the wrong shape is refused at start instead of failing requests later."""

    required: Mapping[str, str]  # field -> ID, INTEGER, TEXT or FLAG
    optional: Mapping[str, str] = field(default_factory=dict)
    choices: Mapping[str, Collection[str]] = field(default_factory=dict)
    #: What the field kinds cannot say (raises ValueError): e.g. that a text is a usable key.
    more: Callable[[JSON], None] | None = None

    def check(self, obj: Any) -> None:
        if not isinstance(obj, dict):
            raise ValueError("the object is not a JSON object")
        for name, kind in {**self.optional, **self.required}.items():
            if name not in obj:
                if name in self.required:
                    raise ValueError(f"{name!r} is missing")
            elif not _KINDS[kind](obj[name]):
                raise ValueError(f"{name!r} is not {kind}: {_short(obj[name])}")
        for name, allowed in self.choices.items():
            if obj[name] not in allowed:
                raise ValueError(f"{name!r} is not one of {', '.join(sorted(allowed))}")
        if self.more is not None:
            self.more(obj)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class IdSequence:
    """Ids handed out in increasing order, never twice (several tables may share one)."""

    def __init__(self, first: int) -> None:
        self.next = first

    def take(self) -> str:
        ident = self.next
        self.next += 1
        return str(ident)

    def see(self, ident: str) -> None:
        """An id that exists already (replayed): later ids come after it."""
        self.restore(int(ident) + 1)

    def restore(self, next_id: int) -> None:
        """A journaled position: never hand out less than ``next_id`` again."""
        self.next = max(self.next, next_id)


class Table:
    """Objects of one kind by id (insertion order), with an optional secondary index."""

    def __init__(
        self,
        name: str,
        label: str,
        ids: IdSequence,
        persist: Persist,
        *,
        shape: Shape,
        index: Callable[[JSON], Hashable] | None = None,
    ) -> None:
        self.name = name  # the journal's "k"
        self.label = label  # for "not found" messages
        self.ids = ids
        self.shape = shape
        self._persist = persist
        self._index_of = index
        self._items: dict[str, JSON] = {}
        self._index: dict[Hashable, set[str]] = {}

    def __contains__(self, ident: object) -> bool:
        return ident in self._items

    def __iter__(self) -> Iterator[JSON]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, ident: str) -> JSON | None:
        return self._items.get(ident)

    def find(self, ident: str, match: Callable[[JSON], bool] | None = None) -> JSON:
        """The object with this id (and for which ``match`` holds), else ZPA's not-found."""
        obj = self._items.get(ident)
        if obj is None or (match is not None and not match(obj)):
            raise not_found(self.label, ident)
        return obj

    def holders(self, slot: Hashable) -> set[str]:
        """Ids of the objects whose index value is ``slot``."""
        return self._index.get(slot, set())

    def new_id(self) -> str:
        return self.ids.take()

    # ------------------------------------------------------------------ changes

    def put(self, *objs: JSON) -> None:
        """Store (insert or replace) and journal, in one journal write."""
        for obj in objs:
            self._store(obj)
        self._persist([{"t": "put", "k": self.name, "o": obj} for obj in objs])

    def delete(self, ident: str) -> None:
        self._drop(ident)
        self._persist([{"t": "del", "k": self.name, "id": ident}])

    def fill(self, objs: Iterable[JSON]) -> None:
        """Replace everything, without journaling (seeding)."""
        self.clear()
        for obj in objs:
            self._store(obj)

    def clear(self) -> None:
        self._items = {}
        self._index = {}

    # ------------------------------------------------------------------ persistence

    def snapshot(self) -> list[JSON]:
        return [{"t": "put", "k": self.name, "o": obj} for obj in self._items.values()]

    def replay(self, record: JSON) -> None:
        """Apply a ``put`` or ``del`` record read back from the journal (``ValueError`` when it
        is not one this table wrote)."""
        if record["t"] == "put":
            obj = record["o"]
            self.shape.check(obj)
            self._store(obj)
            self.ids.see(obj["id"])
        elif _KINDS[ID](record.get("id")):
            self._drop(record["id"])
        else:
            raise ValueError(f"'id' is not {ID}: {_short(record.get('id'))}")

    # ------------------------------------------------------------------ storage and index

    def _store(self, obj: JSON) -> None:
        old = self._items.get(obj["id"])
        if old is not None and self._index_of is not None:
            self._index.get(self._index_of(old), set()).discard(old["id"])
        self._items[obj["id"]] = obj
        if self._index_of is not None:
            self._index.setdefault(self._index_of(obj), set()).add(obj["id"])

    def _drop(self, ident: str) -> None:
        old = self._items.pop(ident, None)
        if old is not None and self._index_of is not None:
            self._index.get(self._index_of(old), set()).discard(ident)
