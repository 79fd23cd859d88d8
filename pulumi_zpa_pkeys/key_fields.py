"""Provisioning key fields: validation, normalisation and the API <-> Pulumi name mapping.

Pure functions shared by the resource provider and the lookups; nothing here talks to ZPA or
imports pulumi. Pulumi's wire turns every number into a float and ZPA answers every number as a
string, so values are normalised here before they are compared or sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ASSOCIATION_TYPES = ("CONNECTOR_GRP", "SERVICE_EDGE_GRP", "NP_ASSISTANT_GRP")
MAX_NAME_LENGTH = 255
MAX_SAFE_INT = 2**53  # an id above this has lost digits as a JSON/Pulumi number

#: Inputs that the API cannot change in place: a change replaces the key.
REPLACE_FIELDS = ("association_type", "zcomponent_id", "enrollment_cert_id", "microtenant_id")
#: Inputs that a PUT changes in place.
UPDATE_FIELDS = ("name", "max_usage", "enabled")
INPUT_FIELDS = (
    "association_type",
    "name",
    "max_usage",
    "enrollment_cert_id",
    "zcomponent_id",
    "enabled",
    "exportable",
    "microtenant_id",
    "adopt_existing",
)
OUTPUT_FIELDS = (
    "provisioning_key",
    "usage_count",
    "zcomponent_name",
    "enrollment_cert_name",
    "creation_time",
    "modified_time",
)


class FieldError(ValueError):
    """One input is invalid; `field` names it and the message says what is allowed."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def association_type(value: Any) -> str:
    if not isinstance(value, str) or value not in ASSOCIATION_TYPES:
        allowed = ", ".join(ASSOCIATION_TYPES)
        raise FieldError("association_type", f"must be one of {allowed}; got {value!r}")
    return value


def key_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError("name", f"must be a non-empty string; got {value!r}")
    if len(value) > MAX_NAME_LENGTH:
        raise FieldError("name", f"must be at most {MAX_NAME_LENGTH} characters; got {len(value)}")
    return value


def max_usage(value: Any) -> int:
    """An integer >= 1: accepts 2, 2.0 (Pulumi's wire) and "2" (ZPA's answers)."""
    allowed = "must be a whole number of at least 1"
    if isinstance(value, bool):
        raise FieldError("max_usage", f"{allowed}; got a boolean")
    number: float | int
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip()) if value.strip() else float("nan")
        except ValueError:
            raise FieldError("max_usage", f"{allowed}; got {value!r}") from None
    else:
        raise FieldError("max_usage", f"{allowed}; got {value!r}")
    if number != number or number in (float("inf"), float("-inf")) or number != int(number):
        raise FieldError("max_usage", f"{allowed}; got {value!r}")
    if number < 1:
        raise FieldError("max_usage", f"{allowed}; got {value!r}")
    return int(number)


def object_id(field: str, value: Any) -> str:
    """A numeric ZPA id as a string; numbers only below 2**53 (larger ones have lost digits)."""
    if isinstance(value, bool):
        raise FieldError(field, "must be a numeric id (a string of digits); got a boolean")
    if isinstance(value, (int, float)):
        if value != int(value) or value < 0:
            raise FieldError(field, f"must be a numeric id (a string of digits); got {value!r}")
        if value >= MAX_SAFE_INT:
            raise FieldError(
                field,
                "must be passed as a string: a number this large has lost digits on the way "
                f"(got {int(value)})",
            )
        return str(int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    raise FieldError(field, f"must be a numeric id (a string of digits); got {value!r}")


def boolean(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(field, f"must be true or false; got {value!r}")
    return value


def optional_id(field: str, value: Any) -> str | None:
    return None if value is None or value == "" else object_id(field, value)


def int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def outputs_from_api(
    obj: Mapping[str, Any], association: str, microtenant_id: str | None
) -> dict[str, Any]:
    """The resource's input and output fields (snake_case, typed) for one ZPA key object.

    `provisioning_key` is None when the API hides it (non-exportable keys); callers that hold a
    stored value keep theirs instead.
    """
    mt = obj.get("microtenantId", microtenant_id)
    return {
        "association_type": association,
        "name": obj.get("name"),
        "max_usage": int_or_none(obj.get("maxUsage")),
        "enrollment_cert_id": str_or_none(obj.get("enrollmentCertId")),
        "zcomponent_id": str_or_none(obj.get("zcomponentId")),
        "enabled": _bool(obj.get("enabled"), True),
        "exportable": _bool(obj.get("exportable"), True),
        "microtenant_id": None if mt in (None, "", "0", 0) else str(mt),
        "provisioning_key": obj.get("provisioningKey") or None,
        "usage_count": int_or_none(obj.get("usageCount")) or 0,
        "zcomponent_name": obj.get("zcomponentName"),
        "enrollment_cert_name": obj.get("enrollmentCertName"),
        "creation_time": int_or_none(obj.get("creationTime")),
        "modified_time": int_or_none(obj.get("modifiedTime")),
    }


def api_body(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The full desired object for POST/PUT; `enabled` is always sent, false included."""
    body: dict[str, Any] = {
        "name": inputs["name"],
        "maxUsage": str(max_usage(inputs["max_usage"])),
        "enrollmentCertId": inputs["enrollment_cert_id"],
        "zcomponentId": inputs["zcomponent_id"],
        "enabled": bool(inputs.get("enabled", True)),
        "exportable": bool(inputs.get("exportable", True)),
    }
    if inputs.get("microtenant_id"):
        body["microtenantId"] = inputs["microtenant_id"]
    return body


def str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default
