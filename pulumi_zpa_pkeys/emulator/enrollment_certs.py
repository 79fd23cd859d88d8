"""Enrollment certificates: the tenant's four seeded ones (exactly as recorded) and any the
control plane adds. No HTTP here."""

from __future__ import annotations

import copy
import functools
import json
import os
from importlib import resources
from typing import Any

from .errors import bad_argument
from .kind import Kind, Rules, TableSpec, operation
from .query import list_page
from .table import ID, TEXT, Shape
from .values import ADMIN_ID, JSON, body_dict, parse_id, parse_name

# Added certificates take any further fields as sent, so only these two are sure.
CERT_SHAPE = Shape(required={"id": ID, "name": TEXT})


@functools.lru_cache(maxsize=1)
def _seed_text() -> str:
    return resources.files(__package__).joinpath("data/enrollment_certs.json").read_text("utf-8")


def load_seed_certs() -> list[JSON]:
    certs = json.loads(_seed_text())
    assert isinstance(certs, list)
    return certs


class EnrollmentCerts(Rules):
    def seed(self) -> None:
        self.table.fill(load_seed_certs())

    @operation
    def list_enrollment_certs(
        self, *, page: str | None = None, pagesize: str | None = None, search: str | None = None
    ) -> JSON:
        return list_page(
            self.table, page=page, pagesize=pagesize, search=search,
            field_of=lambda c, f: c.get(f), render=copy.deepcopy,
            fields={f for cert in self.table for f in cert},
        )  # fmt: skip

    @operation
    def get_enrollment_cert(self, *, cert_id: str) -> JSON:
        return copy.deepcopy(self.table.find(cert_id))

    @operation
    def add_enrollment_cert(self, *, body: Any) -> JSON:
        """Control plane: a new certificate; fields in ``body`` override the defaults."""
        body = body_dict(body)
        name = parse_name(body.get("name"))
        cert_id = self.table.new_id()
        now = self.tenant.clock()
        customer_id = self.tenant.customer_id
        cname = f"{customer_id}.zpa-customer.com/{name}"
        cert: JSON = {
            "id": cert_id, "modifiedTime": now, "creationTime": now, "modifiedBy": ADMIN_ID,
            "cName": cname, "validFromInEpochSec": now,
            "validToInEpochSec": str(int(now) + 10 * 365 * 86400),
            "issuedTo": f"O=Zscaler,OU=Private Access,CN={cname}",
            "issuedBy": f"O=Zscaler,OU=Private Access,CN={customer_id}.zpa-customer.com/Root",
            "serialNo": str(int.from_bytes(os.urandom(16), "big")), "name": name,
            "allowSigning": True, "parentCertId": "6571", "parentCertName": "Root",
            "privateKeyPresent": True, "clientCertType": "NONE", "storeInHsm": False,
            "readOnly": False, "zscalerManaged": False,
        }  # fmt: skip
        for field, value in body.items():
            if field == "id":
                continue
            if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
                cert[field] = value
            else:
                cert[field] = str(value)
        cert = {k: v for k, v in cert.items() if v is not None}
        self.table.put(cert)
        return copy.deepcopy(cert)

    def signing_cert(self, value: Any) -> str:
        """The id of a certificate that can sign provisioning keys, else a 400."""
        cert_id = parse_id("enrollmentCertId", value)
        cert = self.table.get(cert_id)
        if cert is None:
            raise bad_argument(
                "enrollmentCertId", f"enrollmentCertId {cert_id} is not an existing certificate"
            )
        # inferred: only a certificate with a private key can sign keys (ZPA docs say so; the
        # exact error is undocumented).
        if cert.get("privateKeyPresent") is not True:
            raise bad_argument(
                "enrollmentCertId",
                f"enrollment certificate {cert_id} has no private key and cannot sign keys",
            )
        return cert_id

    def name_of(self, cert_id: str) -> str | None:
        cert = self.table.get(cert_id)
        return None if cert is None else str(cert["name"])


KIND = Kind(
    "enrollment_certs",
    first_id=6575,
    tables=(TableSpec("enrollmentCerts", "enrollment certificate", CERT_SHAPE),),
    rules=EnrollmentCerts,
    former_names=("cert",),
)
