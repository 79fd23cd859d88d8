"""Paging and ``search`` filtering, as ZPA list endpoints do them: ``field OP value``, or a bare
term matched against the name."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import bad_argument
from .values import shown

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 500
MAX_INT32 = 2**31 - 1

# Parts are joined by spaces or literal '+'; only the first two separators split, the rest is
# the value (values may contain spaces and '+').
_SEARCH = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)[ +]+([A-Za-z]+)[ +](.*)$", re.DOTALL)
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")
# ASCII only: str.isdigit() also takes superscript and full-width digits.
_DIGITS = re.compile(r"[0-9]+")

OPERATORS = frozenset(
    {"EQ", "NE", "LIKE", "GT", "LT", "GE", "LE", "CONTAINS", "STARTSWITH", "ENDSWITH"}
)


@dataclass(frozen=True)
class Search:
    field: str
    op: str
    value: str

    def matches(self, item_value: Any) -> bool:
        # inferred: an object that lacks the field never matches (whatever the operator).
        if item_value is None or isinstance(item_value, (dict, list)):
            return False
        if isinstance(item_value, bool):
            text = "true" if item_value else "false"
        else:
            text = str(item_value)
        return _compare(text, self.op, self.value)


def _as_number(text: str) -> Decimal | None:
    if not _NUMBER.match(text.strip()):
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover - the regex already filters
        return None


def _compare(left: str, op: str, right: str) -> bool:
    ln, rn = _as_number(left), _as_number(right)
    a, b = left.casefold(), right.casefold()
    if op in ("EQ", "NE"):
        same = ln == rn if ln is not None and rn is not None else a == b
        return same if op == "EQ" else not same
    if op in ("LIKE", "CONTAINS"):
        return b in a
    if op == "STARTSWITH":
        return a.startswith(b)
    if op == "ENDSWITH":
        return a.endswith(b)
    # GT/LT/GE/LE: numeric when both sides are numbers, else case-insensitive text order.
    if ln is not None and rn is not None:
        ordered: tuple[Any, Any] = (ln, rn)
    else:
        ordered = (a, b)
    x, y = ordered
    if op == "GT":
        return bool(x > y)
    if op == "LT":
        return bool(x < y)
    if op == "GE":
        return bool(x >= y)
    return bool(x <= y)  # LE


def parse_search(raw: str | None, fields: Collection[str] = ()) -> Search | None:
    """Parse an already URL-decoded ``search`` value; ``None``/empty means no filter.

    ``field OP value`` when the second word is an operator. Otherwise the text is a bare term,
    matched case-insensitively as a substring of the name (ZPA takes a bare term too, and
    pyZscaler and older Go SDKs send ``search=Connector``), unless it starts with one of the
    object's ``fields``: then it is a broken expression (``name``, ``name XX y``) and a 400.
    """
    if raw is None or raw.strip() == "":
        return None
    m = _SEARCH.match(raw)
    if m is not None and m.group(2).upper() in OPERATORS:
        return Search(field=m.group(1), op=m.group(2).upper(), value=m.group(3).strip())
    first = re.split(r"[ +]", raw.strip(), maxsplit=1)[0].casefold()
    if first in {f.casefold() for f in fields}:
        if m is not None:
            raise bad_argument("search", f"unknown search operator {m.group(2)!r}")
        raise bad_argument("search", f"search must be 'field OP value', got {shown(raw)}")
    # inferred: the bare term is matched as a substring (LIKE) of the name.
    return Search(field="name", op="LIKE", value=raw.strip())


def parse_paging(page: str | None, pagesize: str | None) -> tuple[int, int]:
    """1-based page and page size; size defaults to 20 and is clamped to 500."""
    p = _positive_int32("page", page, 1)
    size = min(_positive_int32("pagesize", pagesize, DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    return p, size


def _positive_int32(name: str, raw: str | None, default: int) -> int:
    """ZPA's paging parameters are Java ints: ASCII digits from 1 to 2147483647, else a 400
    ``invalid.resource.argument`` (inferred: the exact reason text)."""
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    # Leading zeros are allowed; counting digits first keeps int() away from huge strings.
    if _DIGITS.fullmatch(text) and len(text.lstrip("0")) <= 10:
        value = int(text)
        if 1 <= value <= MAX_INT32:
            return value
    raise bad_argument(name, f"{name} must be an integer from 1 to {MAX_INT32}, got {shown(raw)}")


def page_envelope(
    items: Sequence[Any], page: int, pagesize: int, render: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """The ZPA list envelope; counts are strings, a page past the end has an empty list."""
    total = len(items)
    start = (page - 1) * pagesize
    chunk = items[start : start + pagesize] if start < total else []
    return {
        # inferred: an empty result reports totalPages "0".
        "totalPages": str(math.ceil(total / pagesize)),
        "totalCount": str(total),
        "list": [render(item) for item in chunk],
    }


def filter_items(
    items: Iterable[Any], search: Search | None, getter: Callable[[Any, str], Any]
) -> list[Any]:
    if search is None:
        return list(items)
    return [item for item in items if search.matches(getter(item, search.field))]


def list_page(
    items: Iterable[Any],
    *,
    page: str | None,
    pagesize: str | None,
    search: str | None,
    field_of: Callable[[Any, str], Any],
    render: Callable[[Any], dict[str, Any]],
    fields: Collection[str] = (),
    named: Callable[[str], Collection[str]] | None = None,
) -> dict[str, Any]:
    """One page of a list operation: paging and ``search`` parsed (400 on bad input), items
    filtered, the ZPA envelope rendered. ``named(casefolded name)`` gives the ids holding that
    name, for kinds that index names: ``name EQ x`` then uses the index."""
    page_no, size = parse_paging(page, pagesize)
    query = parse_search(search, fields)
    if (
        named is not None
        and query is not None
        and query.field.casefold() == "name"
        and query.op == "EQ"
    ):
        ids = named(query.value.casefold())
        chosen = [item for item in items if item["id"] in ids]
    else:
        chosen = filter_items(items, query, field_of)
    return page_envelope(chosen, page_no, size, render)
