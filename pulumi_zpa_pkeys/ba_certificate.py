"""``BaCertificate``: a browser-access certificate, the server certificate (and its private key)
ZPA presents for a browser-access application.

API: ``/mgmtconfig/v1/admin/customers/{cid}/certificate[/{id}]``: create (201, the object without
the upload), get, update (PUT: name and description only, 204), delete (204). Looked up by
name through the same v1 list with ``search``: the collection this resource writes to,
documented by both official SDKs as paged with ``search`` and ``microtenantId``; a lookup by
name is one request there with the ``name EQ`` form every other lookup uses. (The Go SDK looks
names up in the v2 ``clientlessCertificate/issued`` list with a bare search term, the path of
the Terraform provider's lookup regression, terraform-provider-zpa#538.)

Rules of its own:

* ``cert_blob`` (the certificate PEM, chain allowed, followed by its private key PEM) is a
  secret the resource marks itself, so a plain string never lands unencrypted in the state. It
  is sent in the POST only (ZPA's PUT takes name and description), and the outputs keep only a
  digest of it: the private key is in no output, error or log. The digest is taken over the
  decoded PEM blocks, so re-wrapping the same PEM is no change; any other change replaces the
  certificate.
* Check refuses at preview what ZPA refuses at upload, naming what is wrong, never the
  content: a blob over 64 KiB (:data:`~pulumi_zpa_pkeys._pem.MAX_BLOB_CHARS`); a PEM that
  cannot be read; no ``CERTIFICATE`` block, or one that is not a certificate; not exactly one
  unencrypted private key (``PRIVATE KEY``, ``RSA PRIVATE KEY`` or ``EC PRIVATE KEY``), RSA or
  EC, with consistent numbers; and a key that belongs to none of the certificates (``_pem``
  compares public keys). A replacement that keeps the name deletes the old certificate
  first, so a blob ZPA would refuse must never get that far: it fails Check, and the engine
  then calls neither Delete nor Create.
* ``name`` and ``description`` change in place and really reach ZPA (the Terraform resource
  drops such edits). An undeclared description clears ZPA's.
* ``adopt_existing`` takes over a certificate of the same name only if its certificate is the
  one in ``cert_blob``.

The provider's path ``pulumi_zpa_pkeys.ba_certificate.BaCertificateProvider`` is frozen: every
stack's state refers to it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, overload

import pulumi
from pulumi.dynamic import CreateResult

from . import _fields as F
from . import _pem
from ._lookup import lookup, lookup_output
from ._provider import ZpaProvider
from ._resource_class import ZpaResource
from ._schema import CREATION_TIME, MODIFIED_TIME, Field, Schema
from .errors import FieldError, ResourceError

__all__ = [
    "BaCertificate",
    "BaCertificateArgs",
    "BaCertificateInfo",
    "BaCertificateProvider",
    "get_ba_certificate",
    "get_ba_certificate_output",
]

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_FORM = "a certificate PEM (chain allowed) followed by its private key PEM"


def _ordinal(index: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(index, f"{index}th")


def cert_blob(field_name: str, value: Any) -> str:
    """A ``cert_blob`` ZPA accepts: at least one certificate and exactly one unencrypted RSA or
    EC private key, which belongs to one of the certificates."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(field_name, f"must be {_FORM}; got {F.describe(value)}")
    if len(value) > _pem.MAX_BLOB_CHARS:
        raise FieldError(
            field_name,
            f"is {len(value)} characters long; at most {_pem.MAX_BLOB_CHARS} are accepted "
            "(a certificate chain with its key is a few KiB)",
        )
    try:
        blocks = _pem.blocks(value)
    except ValueError as err:
        raise FieldError(field_name, f"cannot be read as PEM: {err}") from None
    labels = [block.label for block in blocks]
    if "CERTIFICATE" not in labels:
        raise FieldError(field_name, f"holds no CERTIFICATE block; it must be {_FORM}")
    if "ENCRYPTED PRIVATE KEY" in labels:
        raise FieldError(field_name, "holds an encrypted private key; ZPA needs it unencrypted")
    keys = [block for block in blocks if block.label in _pem.PRIVATE_KEY_LABELS]
    if len(keys) != 1:
        raise FieldError(
            field_name,
            f"must hold exactly one private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE "
            f"KEY); it holds {len(keys)}",
        )
    try:
        key = _pem.private_key_public_key(keys[0])
    except ValueError as err:
        raise FieldError(
            field_name, f"holds a private key that cannot be used (RSA or EC): {err}"
        ) from None
    certificates = [block.der for block in blocks if block.label == "CERTIFICATE"]
    public_keys = []
    for index, der in enumerate(certificates, 1):
        try:
            public_keys.append(_pem.certificate_public_key(der))
        except ValueError as err:
            raise FieldError(
                field_name,
                f"its {_ordinal(index)} CERTIFICATE block is not an X.509 certificate: {err}",
            ) from None
    if not any(key.same_as(public) for public in public_keys):
        raise FieldError(
            field_name,
            f"its private key ({key.algorithm}) belongs to none of its {len(certificates)} "
            "certificate(s); the blob must hold the certificate issued for this key",
        )
    return value


def blob_digest(value: Any) -> str:
    """What the outputs keep of a ``cert_blob``: ``sha256:<hex>`` of its decoded PEM blocks (a
    digest maps to itself)."""
    text = str(value)
    if _DIGEST.fullmatch(text):
        return text
    digest = hashlib.sha256()
    try:
        for block in _pem.blocks(text):
            label, der = block.label, block.der
            digest.update(label.encode("ascii") + b"\0" + len(der).to_bytes(4, "big") + der)
    except ValueError:
        digest = hashlib.sha256(text.encode("utf-8"))
    return f"sha256:{digest.hexdigest()}"


def _certificates(text: Any) -> set[bytes]:
    """The DER of every certificate in a PEM text (empty if none can be read)."""
    try:
        return {b.der for b in _pem.blocks(str(text or "")) if b.label == "CERTIFICATE"}
    except ValueError:
        return set()


def _without_blob(message: str, blob: Any) -> str:
    """``message`` with any line of the blob's PEM bodies masked (defence in depth: ZPA's own
    error texts are not under our control)."""
    if not isinstance(blob, str):
        return message
    for line in blob.splitlines():
        piece = line.strip()
        if len(piece) >= 8 and not piece.startswith("-----") and piece in message:
            message = message.replace(piece, "***")
    return message


def _same_text(old: Any, new: Any) -> bool:
    # No description and an empty one are the same.
    return (old or "") == (new or "")


def _strings(value: Any) -> list[str] | None:
    return [str(item) for item in value] if isinstance(value, list) else None


SCHEMA = Schema(
    resource="BaCertificate",
    doc="A ZPA browser-access certificate: the server certificate (and its private key) ZPA "
    "presents for a browser-access application.",
    label="browser-access certificate",
    path="certificate",
    fields=(
        Field("name", "name",
              doc="The certificate's name, unique in its microtenant, ignoring case.",
              parse=F.name, required=True),
        Field("description", "description",
              doc="Free text about the certificate (undeclared: none).",
              parse=F.text, default="", same=_same_text,
              from_api=lambda v: "" if v is None else str(v)),
        Field("cert_blob", "certBlob",
              doc="The certificate PEM (chain allowed) followed by its unencrypted private key "
              "PEM; a secret, kept in the outputs only as a sha256 digest.",
              in_info=False, parse=cert_blob, change="replace", required=True,
              output_as=blob_digest, on_update=False, secret_input=True),
        Field("certificate", "certificate",
              doc="The leaf certificate PEM, as ZPA keeps it.",
              py_type="str | None", in_repr=False, from_api=F.str_or_none),
        Field("cname", "cName",
              doc="The certificate subject's common name.",
              py_type="str | None", from_api=F.str_or_none),
        Field("issued_to", "issuedTo",
              doc="The subject, most specific part first (CN=...,O=...,C=...).",
              py_type="str | None", from_api=F.str_or_none),
        Field("issued_by", "issuedBy",
              doc="The issuer, most specific part first.",
              py_type="str | None", from_api=F.str_or_none),
        Field("serial_no", "serialNo",
              doc="The certificate's serial number, in decimal.",
              py_type="str | None", from_api=F.str_or_none),
        Field("public_key", "publicKey",
              doc="The certificate's public key PEM.",
              py_type="str | None", in_repr=False, from_api=F.str_or_none),
        Field("san", "san",
              doc="The subject alternative names (ZPA lists the common name when there are "
              "none).",
              py_type="list[str] | None", info_py_type="tuple[str, ...]", from_api=_strings),
        Field("valid_from_in_epoch_sec", "validFromInEpochSec",
              doc="Start of validity (epoch seconds).",
              py_type="int | None", from_api=F.int_or_none),
        Field("valid_to_in_epoch_sec", "validToInEpochSec",
              doc="End of validity (epoch seconds).",
              py_type="int | None", from_api=F.int_or_none),
        CREATION_TIME,
        MODIFIED_TIME,
    ),
)  # fmt: skip

#: check() and diff() of the resource as plain functions (no API, no sockets).
check_inputs = SCHEMA.check
diff_inputs = SCHEMA.diff


class BaCertificateProvider(ZpaProvider):
    """CRUD for browser-access certificates. Frozen path: pulumi_zpa_pkeys.ba_certificate."""

    schema = SCHEMA

    def adopt_conflicts(self, existing: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[str]:
        # The table only sees a digest of the blob: compare the certificates themselves.
        live = _certificates(existing.get("certificate"))
        return [] if live & _certificates(inputs.get("cert_blob")) else ["cert_blob"]

    def create(self, props: dict[str, Any]) -> CreateResult:
        try:
            return super().create(props)
        except ResourceError as err:
            raise ResourceError(_without_blob(str(err), props.get("cert_blob"))) from None


# --- generated by `make docs` from SCHEMA: edit the schema, not this block ---


@dataclass(frozen=True)
class BaCertificateInfo:
    """An existing browser-access certificate, as ``get_ba_certificate`` finds it: its ``id`` and
    the outputs of ``BaCertificate`` named below (described in its docstring).

    Not in repr(): certificate, public_key.
    """

    id: str
    name: str
    description: str
    certificate: str | None = field(repr=False)
    cname: str | None
    issued_to: str | None
    issued_by: str | None
    serial_no: str | None
    public_key: str | None = field(repr=False)
    san: tuple[str, ...]
    valid_from_in_epoch_sec: int | None
    valid_to_in_epoch_sec: int | None
    creation_time: int | None
    modified_time: int | None
    microtenant_id: str | None

    def __post_init__(self) -> None:
        # Tuples: hashable.
        object.__setattr__(self, "san", tuple(self.san or ()))


@dataclass
class BaCertificateArgs:
    """Inputs of a BaCertificate (described in its class docstring)."""

    cert_blob: pulumi.Input[str] = field(repr=False)
    name: pulumi.Input[str] | None = None
    description: pulumi.Input[str] = ""
    microtenant_id: pulumi.Input[str] | None = None
    adopt_existing: bool = False
    tenant: str | None = None


class BaCertificate(ZpaResource, module="zpa", name="BaCertificate"):
    """A ZPA browser-access certificate: the server certificate (and its private key) ZPA presents
    for a browser-access application.

    Type token ``pulumi-python:dynamic/zpa:BaCertificate``; id: the browser-access certificate's ZPA
    id. Two call forms: ``BaCertificate(name, BaCertificateArgs(...), opts)`` or
    ``BaCertificate(name, opts, **inputs)``.

    Inputs:
        name (str, default: the resource name): The certificate's name, unique in its microtenant,
            ignoring case.
        description (str, default ""): Free text about the certificate (undeclared: none).
        cert_blob (str, required, secret, change: replaces): The certificate PEM (chain allowed)
            followed by its unencrypted private key PEM; a secret, kept in the outputs only as a
            sha256 digest.
        microtenant_id (str, optional, change: replaces): The microtenant the object belongs to (0
            or none: the Default microtenant); undeclared, a new object goes to the tenant's
            zpa:microtenantId and later stays where it is.
        adopt_existing (bool, default False, change: never a change): On create, take over an
            existing object of the same name (brought to the declared in-place values) instead of
            creating one; refused when a replace-only value differs or the object is read-only.
        tenant (str, optional, change: replaces): The Pulumi config namespace that holds the
            tenant's settings (default zpa, as in zpa:clientId); only the name is stored, never a
            credential.

    Outputs (besides the inputs):
        certificate (str | None): The leaf certificate PEM, as ZPA keeps it.
        cname (str | None): The certificate subject's common name.
        issued_to (str | None): The subject, most specific part first (CN=...,O=...,C=...).
        issued_by (str | None): The issuer, most specific part first.
        serial_no (str | None): The certificate's serial number, in decimal.
        public_key (str | None): The certificate's public key PEM.
        san (list[str] | None): The subject alternative names (ZPA lists the common name when there
            are none).
        valid_from_in_epoch_sec (int | None): Start of validity (epoch seconds).
        valid_to_in_epoch_sec (int | None): End of validity (epoch seconds).
        creation_time (int | None): When ZPA created the object (epoch seconds).
        modified_time (int | None): When ZPA last changed the object (epoch seconds).
    """

    _provider_class = BaCertificateProvider
    _args_class = BaCertificateArgs

    name: pulumi.Output[str]
    description: pulumi.Output[str]
    cert_blob: pulumi.Output[str]
    certificate: pulumi.Output[str | None]
    cname: pulumi.Output[str | None]
    issued_to: pulumi.Output[str | None]
    issued_by: pulumi.Output[str | None]
    serial_no: pulumi.Output[str | None]
    public_key: pulumi.Output[str | None]
    san: pulumi.Output[list[str] | None]
    valid_from_in_epoch_sec: pulumi.Output[int | None]
    valid_to_in_epoch_sec: pulumi.Output[int | None]
    creation_time: pulumi.Output[int | None]
    modified_time: pulumi.Output[int | None]
    microtenant_id: pulumi.Output[str | None]
    adopt_existing: pulumi.Output[bool]
    tenant: pulumi.Output[str]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: BaCertificateArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        cert_blob: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] = "",
        microtenant_id: pulumi.Input[str] | None = None,
        adopt_existing: bool = False,
        tenant: str | None = None,
    ) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        microtenant_id: pulumi.Input[str] | None = None,
        tenant: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> BaCertificate:
        """A read-only reference to an existing browser-access certificate (the engine calls the
        provider's read).
        """
        found: BaCertificate = BaCertificate._get(
            resource_name,
            id,
            {
                "microtenant_id": microtenant_id,
                "tenant": tenant,
            },
            opts,
        )
        return found


def get_ba_certificate(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> BaCertificateInfo:
    """Find one existing browser-access certificate by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names),
        ambiguous, or not exactly one of name and id given.
    """
    return lookup(
        SCHEMA,
        BaCertificateInfo,
        "get_ba_certificate",
        name,
        id,
        microtenant_id,
        tenant,
    )


def get_ba_certificate_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[BaCertificateInfo]:
    """``get_ba_certificate`` over Inputs (unknown during preview included): an
    ``Output[BaCertificateInfo]``.
    """
    return lookup_output(
        get_ba_certificate,
        name,
        id,
        microtenant_id,
        tenant,
    )


# --- end of the generated block ---
