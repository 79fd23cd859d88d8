"""Enrollment certificates: what signs provisioning keys (looked up, never managed).

List: ``GET /mgmtconfig/v2/admin/customers/{cid}/enrollmentCert`` (note v2); get:
``GET /mgmtconfig/v1/admin/customers/{cid}/enrollmentCert/{id}``. Only certificates with
``privateKeyPresent`` can sign keys ("Connector" for App Connector groups, "Service Edge" for
Service Edge groups).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import _fields as F
from ._api import Collection
from ._lookup import lookup, lookup_output
from ._schema import Field, Schema
from ._transport import Transport

if TYPE_CHECKING:
    import pulumi

__all__ = [
    "EnrollmentCert",
    "enrollment_certs",
    "get_enrollment_cert",
    "get_enrollment_cert_output",
]


def _text_or_empty(value: Any) -> str:
    return "" if value is None else str(value)


#: What a lookup reads of an enrollment certificate (outputs only: never managed).
SCHEMA = Schema(
    label="enrollment certificate",
    path="enrollmentCert",
    list_version="v2",
    fields=(
        Field("name", "name", from_api=_text_or_empty),
        Field("cname", "cName", from_api=F.str_or_none),
        Field("allow_signing", "allowSigning", from_api=F.bool_or(False)),
        Field("private_key_present", "privateKeyPresent", from_api=F.bool_or(False)),
        Field("issued_by", "issuedBy", from_api=F.str_or_none),
        Field("issued_to", "issuedTo", from_api=F.str_or_none),
        Field("parent_cert_id", "parentCertId", from_api=F.str_or_none),
        Field("parent_cert_name", "parentCertName", from_api=F.str_or_none),
        Field("valid_from_in_epoch_sec", "validFromInEpochSec", from_api=F.int_or_none),
        Field("valid_to_in_epoch_sec", "validToInEpochSec", from_api=F.int_or_none),
        Field("client_cert_type", "clientCertType", from_api=F.str_or_none),
        Field("certificate", "certificate", from_api=F.str_or_none),
    ),
)


@dataclass(frozen=True)
class EnrollmentCert:
    """An enrollment certificate; only those with `private_key_present` can sign keys."""

    id: str
    name: str
    cname: str | None
    allow_signing: bool
    private_key_present: bool
    issued_by: str | None
    issued_to: str | None
    parent_cert_id: str | None
    parent_cert_name: str | None
    valid_from_in_epoch_sec: int | None
    valid_to_in_epoch_sec: int | None
    client_cert_type: str | None
    certificate: str | None = field(repr=False)

    @classmethod
    def from_api(cls, answer: dict[str, Any]) -> EnrollmentCert:
        """The lookup result for ZPA's ``answer``."""
        found: EnrollmentCert = SCHEMA.info(cls, answer, None)
        return found


def enrollment_certs(transport: Transport, microtenant_id: str | None = None) -> Collection:
    """The tenant's enrollment certificates (listed by the v2 API, read by v1)."""
    return SCHEMA.collection(transport, {}, microtenant_id)


# -- lookups -------------------------------------------------------------------------------------


def get_enrollment_cert(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> EnrollmentCert:
    """Find one enrollment certificate by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return lookup(SCHEMA, EnrollmentCert, "get_enrollment_cert", name, id, microtenant_id, tenant)


def get_enrollment_cert_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[EnrollmentCert]:
    """`get_enrollment_cert` over Inputs (unknown during preview): `Output[EnrollmentCert]`."""
    return lookup_output(get_enrollment_cert, name, id, microtenant_id, tenant)
