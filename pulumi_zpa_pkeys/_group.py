"""What App Connector groups and Service Edge groups share: their fields, parsers and rules.

Both kinds are the same object to ZPA apart from one or two fields, so both resource modules
build their tables from :func:`group_fields`. Rules of their own (from the recorded traffic in
``tests/data/recorded/*_group_exchanges.json``):

* Every value ZPA keeps as text is sent as text: ``latitude``/``longitude`` (``"37.33874"``),
  ``upgradeTimeInSecs`` (``"66600"``), ``versionProfileId`` (``"0"``).
* A PUT carrying only ``name`` dropped ``latitude``, ``longitude``, ``cityCountry`` and
  ``countryCode``: every update sends the whole object (the kit's body does).
* ZPA derives ``cityCountry`` and ``countryCode`` from the coordinates when they are not sent,
  so an undeclared ``city_country``/``country_code`` is left to ZPA (never a change).
* A create answer lacks ``versionProfileName`` unless the body carried it: a new group is read
  back once.

Normal forms (so that equal values never show a diff): a coordinate is the shortest decimal
text of its value (``37.3``, ``"37.30"`` and ``"+37.300"`` are all ``"37.3"``; ``-0`` is
``"0"``); ``upgrade_time_in_secs`` is a string of digits (``66600``, ``66600.0`` and
``"66600"`` are ``"66600"``); ``upgrade_day`` and ``dns_query_type`` are upper case; a
country code is two upper-case letters; an undeclared description is the empty one.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from . import _fields as F
from ._schema import (
    ADOPT_EXISTING_FIELD,
    CREATION_TIME,
    MICROTENANT_FIELD,
    MODIFIED_TIME,
    TENANT_FIELD,
    Field,
)
from .errors import FieldError

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
SECONDS_PER_DAY = 86_400
DEFAULT_UPGRADE_DAY = "SUNDAY"
DEFAULT_UPGRADE_TIME = "66600"  # 18:30, ZPA's default
DEFAULT_VERSION_PROFILE = "0"  # "Default"

_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _decimal_text(value: Any) -> str | None:
    """The shortest decimal text of a number or numeric string; None if it is neither.

    Floats (Pulumi's wire) are read through their shortest round-trip text, so ``37.3`` is
    ``"37.3"``, never ``"37.299999999999997"``. Strings take digits, one optional point and a
    sign; no exponent, no spaces inside, no non-ASCII digits.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        text = format(Decimal(repr(value)), "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    match = _DECIMAL.fullmatch(text)
    if match is None:
        return None
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if not whole and not fraction:
        return None
    fraction = fraction.rstrip("0")
    normal = (whole.lstrip("0") or "0") + ("." + fraction if fraction else "")
    return "-" + normal if sign == "-" and normal != "0" else normal


def coordinate(limit: int) -> F.Parser:
    """A parser for a latitude (``limit`` 90) or longitude (180): a number or numeric string
    within ``[-limit, limit]``, in normal form (see the module docstring)."""
    allowed = f"must be a decimal number from -{limit} to {limit} (e.g. 37.33874)"

    def parse(field: str, value: Any) -> str:
        text = _decimal_text(value)
        try:
            inside = text is not None and abs(Decimal(text)) <= limit
        except InvalidOperation:  # pragma: no cover - _decimal_text only yields decimals
            inside = False
        if text is None or not inside:
            raise FieldError(field, f"{allowed}; got {F.describe(value)}")
        return text

    return parse


def coordinate_from_api(value: Any) -> str | None:
    """A coordinate from ZPA's answer in normal form (unreadable text is kept as it came)."""
    return _decimal_text(value) or F.str_or_none(value)


def seconds_of_day(field: str, value: Any) -> str:
    """``upgrade_time_in_secs``: a whole number of seconds after midnight, 0 to 86399, as the
    string of digits ZPA keeps (``66600`` is 18:30)."""
    try:
        seconds: int = F.whole_number(0, SECONDS_PER_DAY - 1)(field, value)
    except FieldError:
        raise FieldError(
            field,
            f"must be a whole number of seconds within a day, 0 to {SECONDS_PER_DAY - 1} "
            f"(e.g. 66600 for 18:30); got {F.describe(value)}",
        ) from None
    return str(seconds)


def country_code(field: str, value: Any) -> str:
    """An ISO 3166 alpha-2 country code (``US``), upper-cased."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        return value.strip().upper()
    raise FieldError(
        field, f"must be a two-letter country code (e.g. US); got {F.describe(value, word=True)}"
    )


def place(field: str, value: Any) -> str:
    """A place name (``location`` "San Jose, CA, USA", ``city_country`` "San Jose, US"):
    non-empty text without control characters."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(field, f"must be a non-empty string; got {F.describe(value)}")
    if _CONTROL.search(value):
        raise FieldError(field, "must not contain control characters (line breaks, tabs, NUL)")
    return value


def _text_or_empty(value: Any) -> str:
    return "" if value is None else str(value)


def upper_text(value: Any) -> str | None:
    """An enumeration value from ZPA's answer, upper-cased as inputs are."""
    text = F.str_or_none(value)
    return text.upper() if text is not None else None


def group_fields(*extra: Field) -> tuple[Field, ...]:
    """The fields both group kinds have, with ``extra`` (the kind's own inputs) after the
    common fields and before the outputs."""
    return (
        Field("name", "name",
              doc="The group's name, unique among the groups of its kind and microtenant, "
              "ignoring case.",
              parse=F.name, required=True),
        Field("description", "description",
              doc="Free text about the group (undeclared: none).",
              parse=F.text, default="", from_api=_text_or_empty),
        Field("enabled", "enabled",
              doc="Whether the group is in use.",
              py_type="bool", parse=F.boolean, default=True, from_api=F.bool_or(True)),
        Field("latitude", "latitude",
              doc="Latitude of the group's location, -90 to 90 (a number or numeric text; "
              "kept as ZPA's text, e.g. \"37.33874\").",
              input_py_type="float | str", parse=coordinate(90), required=True,
              from_api=coordinate_from_api),
        Field("longitude", "longitude",
              doc="Longitude of the group's location, -180 to 180 (a number or numeric text).",
              input_py_type="float | str", parse=coordinate(180), required=True,
              from_api=coordinate_from_api),
        Field("location", "location",
              doc="The place the group serves, as ZPA's location search names it (e.g. "
              "\"San Jose, CA, USA\").",
              parse=place, required=True, from_api=F.str_or_none),
        Field("city_country", "cityCountry",
              doc="City and country (e.g. \"San Jose, US\"); undeclared, ZPA derives it from "
              "the coordinates.",
              py_type="str | None", parse=place, undeclared_is_no_change=True,
              from_api=F.str_or_none),
        Field("country_code", "countryCode",
              doc="ISO 3166 two-letter country code (e.g. US); undeclared, ZPA derives it from "
              "the coordinates.",
              py_type="str | None", parse=country_code, undeclared_is_no_change=True,
              from_api=upper_text),
        Field("upgrade_day", "upgradeDay",
              doc="The weekday software upgrades run on (MONDAY to SUNDAY).",
              parse=F.one_of(*WEEKDAYS, upper=True), default=DEFAULT_UPGRADE_DAY,
              from_api=upper_text),
        Field("upgrade_time_in_secs", "upgradeTimeInSecs",
              doc="When upgrades start, in seconds after midnight (66600 is 18:30).",
              input_py_type="int | str", parse=seconds_of_day, default=DEFAULT_UPGRADE_TIME,
              from_api=F.str_or_none),
        Field("override_version_profile", "overrideVersionProfile",
              doc="Whether version_profile_id overrides the tenant's default software version "
              "profile.",
              py_type="bool", parse=F.boolean, default=False, from_api=F.bool_or(False)),
        Field("version_profile_id", "versionProfileId",
              doc="Id of the software version profile (0 is Default).",
              parse=F.object_id, default=DEFAULT_VERSION_PROFILE, from_api=F.str_or_none),
        # The common fields sit where 0.1.0's positional Args had them.
        MICROTENANT_FIELD,
        ADOPT_EXISTING_FIELD,
        TENANT_FIELD,
        *extra,
        Field("version_profile_name", "versionProfileName",
              doc="The name of the software version profile.",
              py_type="str | None", from_api=F.str_or_none),
        CREATION_TIME,
        MODIFIED_TIME,
    )  # fmt: skip


#: What a create answer may lack (then the group is read back once).
READ_BACK = frozenset({"versionProfileName"})
