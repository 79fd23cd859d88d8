"""Parsers for resource inputs and for ZPA's answers: pure functions, no pulumi, no HTTP.

Inputs arrive from Pulumi's wire (every number a float, secrets already unwrapped) and ZPA
answers every id, count and epoch as a string, so values are normalised here before they are
compared or sent. A parser takes ``(field, value)``, returns the normal form and raises
:class:`~pulumi_zpa_pkeys.errors.FieldError` naming the field and what is allowed.

A reason shows what was given only where that cannot be a secret or free text: booleans and
numbers as they are (``got 0``), text that spells a number or a boolean (``got "2.5"``), and,
for fields whose values are words from a short list (an association type, a weekday, a country
code, a config namespace), a short word (``got "connector_grp"``). Any other text is described
by its kind and length only (``got a string of 12 characters``): the provider cannot tell which
inputs the program marked secret, and a failure is printed by ``pulumi preview``.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import FieldError

#: A parser: ``(field name, raw value) -> normal form``; raises FieldError.
Parser = Callable[[str, Any], Any]

MAX_SAFE_INT = 2**53  # an id at or above this has lost digits as a JSON/Pulumi number
INT32_MAX = 2**31 - 1  # inferred: ZPA stores counts such as maxUsage as 32-bit signed ints
MAX_NAME_LENGTH = 255
_ASCII_DIGITS = re.compile(r"[0-9]+")
# Control characters (C0, DEL, C1) and characters that render as nothing.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u2028-\u202f\u2060-\u2064\ufeff]+")


_NUMBER_TEXT = re.compile(r"\s*[+-]?[0-9]{1,30}(\.[0-9]{0,30})?\s*")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


def describe(value: Any, *, word: bool = False) -> str:
    """What ``value`` is, for an error message: booleans and numbers as they are, text only when
    it spells a number or a boolean (or, with ``word``, a short word such as an enumeration
    value), else its kind and length; never free text."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_SAFE_INT:
        return str(int(value))  # Pulumi's wire makes every number a float: 2 arrives as 2.0
    if isinstance(value, (int, float)):
        return repr(value) if math.isfinite(value) else f"a non-finite number ({value!r})"
    if isinstance(value, str):
        if not value:
            return "an empty string"
        shown = (
            _NUMBER_TEXT.fullmatch(value)
            or value.strip().lower() in ("true", "false")
            or (word and _WORD.fullmatch(value))
        )
        return f"the text {json.dumps(value)}" if shown else f"a string of {len(value)} characters"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


# -- inputs -------------------------------------------------------------------------------------


def object_id(field: str, value: Any) -> str:
    """A ZPA id as a string of ASCII digits without leading zeros.

    Numbers are taken only below 2**53 (larger ones have lost digits on Pulumi's wire).
    """
    allowed = "must be a numeric id (a string of digits 0-9)"
    if isinstance(value, bool):
        raise FieldError(field, f"{allowed}; got {describe(value)}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value != int(value) or value < 0:
            raise FieldError(field, f"{allowed}; got {describe(value)}")
        if value >= MAX_SAFE_INT:
            raise FieldError(
                field,
                "must be passed as a string: a number this large has lost digits on the way",
            )
        return str(int(value))
    if isinstance(value, str) and _ASCII_DIGITS.fullmatch(value.strip()):
        return value.strip().lstrip("0") or "0"
    raise FieldError(field, f"{allowed}; got {describe(value)}")


def optional_id(field: str, value: Any) -> str | None:
    """An id, or None for None and the empty string."""
    return None if value is None or value == "" else object_id(field, value)


def boolean(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(field, f"must be true or false; got {describe(value)}")
    return value


def whole_number(minimum: int, maximum: int = INT32_MAX) -> Parser:
    """A parser for an integer in ``[minimum, maximum]``: ``2``, ``2.0`` (Pulumi's wire) and
    ``"2"`` (ZPA's answers); no exponents, underscores or non-ASCII digits."""
    allowed = f"must be a whole number of at least {minimum} and at most {maximum}"

    def parse(field: str, value: Any) -> int:
        number: int | None = None
        if isinstance(value, bool):
            raise FieldError(field, f"{allowed}; got {describe(value)}")
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,12}(\.0*)?", value.strip()):
            number = int(float(value.strip()))
        if number is None or not minimum <= number <= maximum:
            raise FieldError(field, f"{allowed}; got {describe(value)}")
        return number

    return parse


def name(field: str, value: Any) -> str:
    """A ZPA object name: 1-255 characters, no control characters, no leading or trailing
    spaces (ZPA's search strips them, so such a name could never be found again)."""
    if not isinstance(value, str) or not value:
        raise FieldError(field, f"must be a non-empty string; got {describe(value)}")
    if len(value) > MAX_NAME_LENGTH:
        raise FieldError(field, f"must be at most {MAX_NAME_LENGTH} characters; got {len(value)}")
    if _CONTROL.search(value):
        raise FieldError(field, "must not contain control characters (line breaks, tabs, NUL)")
    if _INVISIBLE.fullmatch(value):
        raise FieldError(field, "must contain a visible character")
    if value != value.strip():
        raise FieldError(field, "must not begin or end with spaces")
    return value


def text(field: str, value: Any) -> str:
    """Free text (a description): a string without NUL."""
    if not isinstance(value, str):
        raise FieldError(field, f"must be a string; got {describe(value)}")
    if "\x00" in value:
        raise FieldError(field, "must not contain NUL characters")
    return value


def one_of(*choices: str, upper: bool = False) -> Parser:
    """A parser for one of ``choices`` (upper-cased first when ``upper``; otherwise a value in
    the wrong case is refused with a reason that says so)."""
    allowed = ", ".join(choices)

    def parse(field: str, value: Any) -> str:
        if isinstance(value, str) and upper:
            value = value.strip().upper()
        if not isinstance(value, str) or value not in choices:
            reason = f"must be one of {allowed}; got {describe(value, word=True)}"
            if isinstance(value, str) and value.strip().upper() in choices:
                reason += " (upper case is needed)"
            raise FieldError(field, reason)
        return value

    return parse


_NAMESPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def namespace(field: str, value: Any) -> str:
    """A Pulumi config namespace (``zpa``, ``zpa-emea``): letters, digits, ``-``, ``_``, ``.``."""
    if not isinstance(value, str) or not _NAMESPACE.fullmatch(value):
        raise FieldError(
            field,
            "must be a Pulumi config namespace (letters, digits, '-', '_' or '.', at most 100 "
            f"characters); got {describe(value, word=True)}",
        )
    return value


MAX_IP_ACL = 1000


def ip_list(field: str, value: Any) -> list[str]:
    """A list of IPv4/IPv6 addresses or CIDR networks (``1.2.3.4``, ``10.0.0.0/8``), stripped."""
    allowed = f"must be a list of at most {MAX_IP_ACL} IP addresses or CIDR networks"
    if not isinstance(value, (list, tuple)) or len(value) > MAX_IP_ACL:
        raise FieldError(field, f"{allowed}; got {describe(value)}")
    entries = []
    for index, entry in enumerate(value):
        try:
            ipaddress.ip_network(entry.strip() if isinstance(entry, str) else "", strict=False)
        except ValueError:
            raise FieldError(
                field, f"{allowed}; entry {index + 1} ({describe(entry)}) is not one"
            ) from None
        entries.append(entry.strip())
    return entries


def same_networks(old: Any, new: Any) -> bool:
    """Two IP lists allow the same networks: order, duplicates and ``/32`` do not matter; None
    and an empty list are the same."""

    def networks(value: Any) -> set[Any] | None:
        try:
            return {ipaddress.ip_network(str(v).strip(), strict=False) for v in value or ()}
        except ValueError:
            return None

    return networks(old) == networks(new) and networks(old) is not None


def string_map(field: str, value: Any) -> dict[str, str]:
    """A mapping of strings to strings (``keepers``)."""
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise FieldError(field, f"must be a mapping of strings to strings; got {describe(value)}")
    return dict(value)


# -- ZPA answers --------------------------------------------------------------------------------


def str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def int_or_none(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) else None


def bool_or(default: bool) -> Callable[[Any], bool]:
    """An answer's boolean (``true``/``"true"``), else ``default``."""

    def convert(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return default

    return convert


def str_list_or_none(value: Any) -> list[str] | None:
    """A list of strings from an answer (None when absent)."""
    return [str(v) for v in value] if isinstance(value, list) else None


#: ZPA's id for the Default microtenant (every tenant has it; ZPA also takes "no microtenant").
DEFAULT_MICROTENANT = "0"


def microtenant_or_none(value: Any) -> str | None:
    """The one rule for the Default microtenant: ``0``, ``"0"``, the empty string and None all
    mean it, and all become None (no ``microtenantId`` in a query or body); any other id is
    returned as a string."""
    text_value = str_or_none(value)
    return None if text_value == DEFAULT_MICROTENANT else text_value
