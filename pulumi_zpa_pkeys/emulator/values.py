"""Parsing of request values as ZPA takes them: numbers or strings for ids and counts,
booleans or their strings, and the Default microtenant. Each failure is a 400 naming the field."""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import bad_argument

JSON = dict[str, Any]

DEFAULT_MICROTENANT = "0"
ADMIN_ID = "216196257331372705"  # modifiedBy in the recorded traffic


def now() -> str:
    """The default clock: epoch seconds as ZPA writes them (a string)."""
    return str(int(time.time()))


def parse_bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    # The documented payload sends "exportable": "true"; accept the strings too.
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad_argument(field, f"{field} must be a boolean, got {value!r}")


def parse_int(field: str, value: Any, *, minimum: int | None = None) -> int:
    number: Decimal | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip()) if value.strip() else None
        except InvalidOperation:
            number = None
    # inferred: integral floats like 2.0 (or "2.0") are taken as 2; 1.5 is refused.
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise bad_argument(field, f"{field} must be an integer, got {value!r}")
    result = int(number)
    if minimum is not None and result < minimum:
        raise bad_argument(field, f"{field} must be at least {minimum}, got {value!r}")
    return result


def parse_id(field: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        raise bad_argument(field, f"{field} must be an id, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value.strip()))
    raise bad_argument(field, f"{field} must be a numeric id, got {value!r}")


def parse_name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str):
        raise bad_argument(field, f"{field} must be a string, got {value!r}")
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
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad_argument(field, f"{field} must be a number, got {value!r}")
    text = str(value).strip()
    try:
        Decimal(text)
    except InvalidOperation:
        raise bad_argument(field, f"{field} must be a number, got {value!r}") from None
    return text


def parse_string(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise bad_argument(field, f"{field} must be a string, got {value!r}")
    return value


def body_dict(body: Any) -> JSON:
    if not isinstance(body, dict):
        raise bad_argument("body", "the request body must be a JSON object")
    return body
