"""Parsing of request values as ZPA takes them: numbers or strings for ids and counts,
booleans or their strings, and the Default microtenant. Each failure is a 400 naming the field."""

from __future__ import annotations

import re
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import bad_argument

JSON = dict[str, Any]

DEFAULT_MICROTENANT = "0"
ADMIN_ID = "216196257331372705"  # modifiedBy in the recorded traffic
# inferred: ZPA (a Java service) keeps ids and counts in 64-bit longs; larger numbers are a 400.
MAX_INTEGER = 2**63 - 1
# ASCII only: str.isdigit() also takes superscript and full-width digits.
_DIGITS = re.compile(r"[0-9]+")


def now() -> str:
    """The default clock: epoch seconds as ZPA writes them (a string)."""
    return str(int(time.time()))


def shown(value: Any) -> str:
    """``repr(value)`` cut short for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    # The documented payload sends "exportable": "true"; accept the strings too.
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad_argument(field, f"{field} must be a boolean, got {shown(value)}")


def parse_int(field: str, value: Any, *, minimum: int | None = None) -> int:
    number: Decimal | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    elif isinstance(value, str) and value.strip().isascii():
        try:
            number = Decimal(value.strip()) if value.strip() else None
        except InvalidOperation:
            number = None
    # inferred: integral floats like 2.0 (or "2.0") are taken as 2; 1.5 is refused.
    if (
        number is None
        or not number.is_finite()
        or number.copy_abs() > MAX_INTEGER  # before int(): "1e999999999" is not expanded
        or number != number.to_integral_value()
    ):
        raise bad_argument(field, f"{field} must be an integer, got {shown(value)}")
    result = int(number)
    if minimum is not None and result < minimum:
        raise bad_argument(field, f"{field} must be at least {minimum}, got {shown(value)}")
    return result


def parse_id(field: str, value: Any) -> str:
    """A non-negative integer up to MAX_INTEGER, as a number or a string of ASCII digits."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INTEGER:
        return str(value)
    if isinstance(value, str) and _DIGITS.fullmatch(text := value.strip()):
        digits = text.lstrip("0") or "0"
        if len(digits) <= 19 and int(digits) <= MAX_INTEGER:
            return digits
    raise bad_argument(field, f"{field} must be a numeric id, got {shown(value)}")


def parse_name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str):
        raise bad_argument(field, f"{field} must be a string, got {shown(value)}")
    if not value.strip():
        raise bad_argument(field, f"{field} must not be empty")
    if len(value) > 255:
        raise bad_argument(field, f"{field} must be at most 255 characters")
    return value


def parse_microtenant(value: Any) -> str:
    """``None``/empty/``"0"`` is the Default microtenant, stored as ``"0"``."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return DEFAULT_MICROTENANT
    # inferred: any numeric id names an existing microtenant; anything else is a 400.
    return parse_id("microtenantId", value)


def numeric_string(field: str, value: Any) -> str:
    """A finite number written in ASCII (at most 64 characters), kept as the string sent."""
    number: Decimal | None = None
    text = ""
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        text = str(value).strip()
        if text.isascii() and len(text) <= 64:
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
    if number is None or not number.is_finite():
        raise bad_argument(field, f"{field} must be a number, got {shown(value)}")
    return text


def parse_string(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise bad_argument(field, f"{field} must be a string, got {shown(value)}")
    return value


def body_dict(body: Any) -> JSON:
    if not isinstance(body, dict):
        raise bad_argument("body", "the request body must be a JSON object")
    return body
