"""Enrollment certificates: the tenant's four seeded ones (exactly as recorded) and any the
control plane adds. No HTTP here."""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Callable
from importlib import resources
from typing import Any

from .errors import bad_argument
from .query import list_page
from .table import ID, TEXT, Shape, Table
from .values import ADMIN_ID, JSON, body_dict, parse_id, parse_name

FIRST_CERT_ID = 6575
# Added certificates take any further fields as sent, so only these two are sure.
CERT_SHAPE = Shape(required={"id": ID, "name": TEXT})


@functools.lru_cache(maxsize=1)
def _seed_text() -> str:
    return resources.files(__package__).joinpath("data/enrollment_certs.json").read_text("utf-8")


def load_seed_certs() -> list[JSON]:
    certs = json.loads(_seed_text())
    assert isinstance(certs, list)
    return certs


class EnrollmentCerts:
    def __init__(self, table: Table, *, customer_id: str, clock: Callable[[], str]) -> None:
        self.table = table
        self.customer_id = customer_id
        self._clock = clock

    def seed(self) -> None:
        self.table.fill(load_seed_certs())

    def list_enrollment_certs(
        self, *, page: str | None = None, pagesize: str | None = None, search: str | None = None
    ) -> JSON:
        return list_page(
            self.table, page=page, pagesize=pagesize, search=search,
            field_of=lambda c, f: c.get(f), render=copy.deepcopy,
            fields={f for cert in self.table for f in cert},
        )  # fmt: skip

    def get_enrollment_cert(self, *, cert_id: str) -> JSON:
        return copy.deepcopy(self.table.find(cert_id))

    def add_enrollment_cert(self, *, body: Any) -> JSON:
        """Control plane: a new certificate; fields in ``body`` override the defaults."""
        body = body_dict(body)
        name = parse_name(body.get("name"))
        cert_id = self.table.new_id()
        now = self._clock()
        cname = f"{self.customer_id}.zpa-customer.com/{name}"
        cert: JSON = {
            "id": cert_id, "modifiedTime": now, "creationTime": now, "modifiedBy": ADMIN_ID,
            "cName": cname, "validFromInEpochSec": now,
            "validToInEpochSec": str(int(now) + 10 * 365 * 86400),
            "issuedTo": f"O=Zscaler,OU=Private Access,CN={cname}",
            "issuedBy": f"O=Zscaler,OU=Private Access,CN={self.customer_id}.zpa-customer.com/Root",
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

    def state(self) -> list[JSON]:
        return [copy.deepcopy(c) for c in self.table]
