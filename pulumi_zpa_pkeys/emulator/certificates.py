"""Browser-access certificates ("Certificate Management"): uploaded as a certificate PEM (chain
allowed) followed by its private key PEM, answered with fields derived from the certificate.
Names unique per microtenant, ignoring case. No HTTP here.

What an upload must hold (inferred: ZPA documents none of it): at least one ``CERTIFICATE``
block; exactly one private key (``PRIVATE KEY``, ``RSA PRIVATE KEY`` or ``EC PRIVATE KEY``,
unencrypted); and that key must belong to one of the certificates (RSA: the same modulus and
exponent, and the key's own numbers consistent; EC: the same curve and public point), which
is then the leaf. An upload of more than ``MAX_BLOB_CHARS`` (65,536) characters is refused
before it is read (a certificate chain with its key is a few KiB; reading is linear in the text
anyway). Every refusal is a 400 ``invalid.resource.argument`` naming ``certBlob`` and never
quoting it.
"""

from __future__ import annotations

from typing import Any

from . import x509
from .errors import EmulatorError, bad_argument, read_only
from .kind import Kind, Rules, TableSpec, operation
from .query import list_page
from .table import FLAG, ID, INTEGER, TEXT, Shape, Table
from .values import (
    ADMIN_ID,
    DEFAULT_MICROTENANT,
    JSON,
    body_dict,
    parse_microtenant,
    parse_name,
    parse_string,
)

MAX_BLOB_CHARS = 64 * 1024  # inferred: ZPA documents no limit

# Answer fields in the order the recorded answers list them ("*": GET and lists only).
_ORDER = (
    "id", "modifiedTime", "creationTime", "modifiedBy", "name", "description",
    "validFromInEpochSec", "validToInEpochSec", "certificate", "issuedTo", "issuedBy",
    "serialNo", "publicKey", "san", "readOnly", "zscalerManaged", "cName", "microtenantId",
    "*microtenantName",
)  # fmt: skip
BA_CERT_SHAPE = Shape(
    required={
        **dict.fromkeys(("id", "microtenantId"), ID),
        **dict.fromkeys(("modifiedTime", "creationTime", "serialNo"), INTEGER),
        **dict.fromkeys(("validFromInEpochSec", "validToInEpochSec"), INTEGER),
        **dict.fromkeys(
            ("name", "modifiedBy", "certificate", "issuedTo", "issuedBy", "publicKey", "certBlob"),
            TEXT,
        ),
        **dict.fromkeys(("readOnly", "zscalerManaged"), FLAG),
    },
    optional={"description": TEXT, "cName": TEXT},
)


def name_slot(cert: JSON) -> tuple[str, str]:
    # inferred: names are unique per microtenant, case-insensitively (as for keys).
    return (cert["microtenantId"], cert["name"].casefold())


def microtenant_name(microtenant: str) -> str:
    # inferred: the recorded Default microtenant is named "Default"; others get a made-up name.
    return "Default" if microtenant == DEFAULT_MICROTENANT else f"Microtenant {microtenant}"


def _refuse(reason: str) -> EmulatorError:
    return bad_argument("certBlob", f"certBlob {reason}")


def derive(blob: Any) -> JSON:
    """The certificate fields of an upload (``certBlob``), or a 400 saying what is wrong."""
    if not isinstance(blob, str) or not blob.strip():
        raise _refuse("must be a non-empty string: a certificate PEM followed by its private key")
    if len(blob) > MAX_BLOB_CHARS:
        raise _refuse(f"must be at most {MAX_BLOB_CHARS} characters; it has {len(blob)}")
    try:
        blocks = x509.pem_blocks(blob)
    except ValueError as err:
        raise _refuse(f"is not valid PEM: {err}") from None
    certs = [b for b in blocks if b.label == "CERTIFICATE"]
    if not certs:
        raise _refuse("holds no certificate (a CERTIFICATE PEM block)")
    if any(b.label == "ENCRYPTED PRIVATE KEY" for b in blocks):
        raise _refuse("holds an encrypted private key; upload it unencrypted")
    keys = [b for b in blocks if b.label in x509.PRIVATE_KEY_LABELS]
    if len(keys) != 1:
        raise _refuse(f"must hold exactly one private key; it holds {len(keys)}")
    try:
        key = x509.private_key(keys[0])
    except (ValueError, UnicodeError):
        raise _refuse("holds a private key that cannot be read (RSA or EC expected)") from None
    try:
        parsed = [x509.certificate(b.der) for b in certs]
    except (ValueError, UnicodeError):
        raise _refuse("holds a certificate that cannot be read") from None
    leaf = next((c for c in parsed if x509.matches(key, c.public_key)), None)
    if leaf is None:
        raise _refuse("holds a private key that does not belong to its certificate")
    # inferred: without a CN the first subjectAltName stands in.
    cname = leaf.common_name or next(iter(leaf.san or []), None)
    fields: JSON = {
        "validFromInEpochSec": str(leaf.not_before),
        "validToInEpochSec": str(leaf.not_after),
        "certificate": leaf.pem,
        "issuedTo": leaf.subject,
        "issuedBy": leaf.issuer,
        "serialNo": str(leaf.serial),
        "publicKey": leaf.public_key_pem,
        # Recorded: a certificate without the extension is answered with [cName].
        "san": leaf.san or ([cname] if cname else []),
    }
    if cname:
        fields["cName"] = cname
    return fields


class BaCertificates(Rules):
    # ------------------------------------------------------------------ rules and views

    def _find(self, cert_id: str, microtenant: str) -> JSON:
        return self.table.find(cert_id, lambda c: c["microtenantId"] == microtenant)

    def _check_unique_name(self, microtenant: str, name: str, own_id: str) -> None:
        if self.table.holders((microtenant, name.casefold())) - {own_id}:
            # inferred: the error for a duplicate name (ZPA documents none).
            raise bad_argument(
                "name",
                f"a certificate named {name!r} already exists in microtenant {microtenant}",
            )

    def view(self, cert: JSON, *, full: bool, internal: bool = False) -> JSON:
        fields = dict(cert)
        fields["microtenantName"] = microtenant_name(cert["microtenantId"])
        if not internal and cert["microtenantId"] == DEFAULT_MICROTENANT:
            # inferred, as for keys: the Default microtenant's id is not reported.
            fields.pop("microtenantId")
        names = [n.lstrip("*") for n in _ORDER if full or not n.startswith("*")]
        out = {n: fields[n] for n in names if n in fields}
        if internal:
            out["certBlob"] = cert["certBlob"]  # the upload, private key included
        return out

    def _field(self, cert: JSON, field: str) -> Any:
        return None if field == "certBlob" else cert.get(field)

    def state(self, table: Table) -> list[JSON]:
        return [self.view(c, full=True, internal=True) for c in table]

    # ------------------------------------------------------------------ API operations

    @operation
    def list_ba_certificates(
        self,
        *,
        microtenant_id: str | None = None,
        page: str | None = None,
        pagesize: str | None = None,
        search: str | None = None,
    ) -> JSON:
        microtenant = parse_microtenant(microtenant_id)
        # inferred: v1 list items look like GET answers (with microtenantName), as the
        # recorded v2 "issued" list items do.
        return list_page(
            [c for c in self.table if c["microtenantId"] == microtenant],
            page=page, pagesize=pagesize, search=search, field_of=self._field,
            render=lambda c: self.view(c, full=True),
            named=lambda name: self.table.holders((microtenant, name)),
        )  # fmt: skip

    @operation
    def get_ba_certificate(self, *, cert_id: str, microtenant_id: str | None = None) -> JSON:
        return self.view(self._find(cert_id, parse_microtenant(microtenant_id)), full=True)

    @operation
    def create_ba_certificate(self, *, body: Any, microtenant_id: str | None = None) -> JSON:
        body = body_dict(body)
        # inferred, as for keys: the query's microtenantId wins over the body's.
        microtenant = parse_microtenant(
            microtenant_id if microtenant_id not in (None, "") else body.get("microtenantId")
        )
        if body.get("name") is None:
            raise bad_argument("name", "name is required")
        if body.get("certBlob") is None:
            raise _refuse("is required")
        name = parse_name(body["name"])
        description = body.get("description")
        derived = derive(body["certBlob"])
        self._check_unique_name(microtenant, name, "")
        now = self.tenant.clock()
        cert: JSON = {
            "id": self.table.new_id(), "modifiedTime": now, "creationTime": now,
            "modifiedBy": ADMIN_ID, "name": name, **derived, "readOnly": False,
            "zscalerManaged": False, "microtenantId": microtenant,
            "certBlob": body["certBlob"],
        }  # fmt: skip
        if description not in (None, ""):  # inferred: an empty description is none
            cert["description"] = parse_string("description", description)
        self.table.put(cert)
        return self.view(cert, full=False)  # recorded: no microtenantName, no certBlob

    @operation
    def update_ba_certificate(
        self, *, cert_id: str, body: Any, microtenant_id: str | None = None
    ) -> None:
        body = body_dict(body)
        cert = self._find(cert_id, parse_microtenant(microtenant_id))
        if cert["readOnly"]:
            raise read_only("certificate", cert_id)
        if body.get("certBlob") is not None:
            # inferred: ZPA's PUT takes name and description only; an uploaded certificate
            # never changes (upload a new one).
            raise bad_argument("certBlob", "certBlob cannot be changed; upload a new certificate")
        moved = body.get("microtenantId") not in (None, "") and (
            parse_microtenant(body["microtenantId"]) != cert["microtenantId"]
        )
        if moved:
            raise bad_argument("microtenantId", "a certificate cannot move to another microtenant")
        changes: JSON = {}
        if "name" in body:
            changes["name"] = parse_name(body["name"])
            self._check_unique_name(cert["microtenantId"], changes["name"], cert_id)
        updated = {**cert, **changes}
        if "description" in body:
            # inferred: a PUT without description keeps it; null or "" clears it.
            if body["description"] in (None, ""):
                updated.pop("description", None)
            else:
                updated["description"] = parse_string("description", body["description"])
        updated.update(modifiedTime=self.tenant.clock(), modifiedBy=ADMIN_ID)
        self.table.put(updated)

    @operation
    def delete_ba_certificate(self, *, cert_id: str, microtenant_id: str | None = None) -> None:
        cert = self._find(cert_id, parse_microtenant(microtenant_id))
        if cert["readOnly"]:
            raise read_only("certificate", cert_id)
        self.table.delete(cert_id)


KIND = Kind(
    "certificates",
    first_id=216196257331500001,
    tables=(TableSpec("certificates", "certificate", BA_CERT_SHAPE, index=name_slot),),
    rules=BaCertificates,
    former_names=("baCert",),
)
