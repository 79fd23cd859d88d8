"""Enrollment certificates: what signs provisioning keys (looked up, never managed).

List: ``GET /mgmtconfig/v2/admin/customers/{cid}/enrollmentCert`` (note v2); get:
``GET /mgmtconfig/v1/admin/customers/{cid}/enrollmentCert/{id}``. Only certificates with
``privateKeyPresent`` can sign keys ("Connector" for App Connector groups, "Service Edge" for
Service Edge groups).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _fields as F
from ._api import Collection
from ._transport import Transport

__all__ = ["EnrollmentCert", "enrollment_certs"]


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
    def from_api(cls, obj: Mapping[str, Any]) -> EnrollmentCert:
        return cls(
            id=str(obj["id"]),
            name=str(obj.get("name", "")),
            cname=F.str_or_none(obj.get("cName")),
            allow_signing=F.bool_or(False)(obj.get("allowSigning")),
            private_key_present=F.bool_or(False)(obj.get("privateKeyPresent")),
            issued_by=F.str_or_none(obj.get("issuedBy")),
            issued_to=F.str_or_none(obj.get("issuedTo")),
            parent_cert_id=F.str_or_none(obj.get("parentCertId")),
            parent_cert_name=F.str_or_none(obj.get("parentCertName")),
            valid_from_in_epoch_sec=F.int_or_none(obj.get("validFromInEpochSec")),
            valid_to_in_epoch_sec=F.int_or_none(obj.get("validToInEpochSec")),
            client_cert_type=F.str_or_none(obj.get("clientCertType")),
            certificate=F.str_or_none(obj.get("certificate")),
        )


def enrollment_certs(transport: Transport, microtenant_id: str | None = None) -> Collection:
    """The tenant's enrollment certificates (listed by the v2 API, read by v1)."""
    return Collection(
        transport,
        "enrollmentCert",
        "enrollment certificate",
        microtenant_id=microtenant_id,
        list_version="v2",
    )
