"""What a ``cert_blob`` holds, read with the standard library only: its PEM blocks, the public
key of each certificate, and whether the private key belongs to one of them.

The package's runtime dependencies are ``pulumi`` and ``requests`` (``cryptography`` is an
optional extra), so the few DER structures needed are read here by hand:

* a certificate's ``SubjectPublicKeyInfo`` (RFC 5280), after checking the certificate's outer
  structure (TBS fields in order, validity times);
* RSA private keys as PKCS#1 (``RSA PRIVATE KEY``) or PKCS#8 (``PRIVATE KEY``), whose numbers
  must hang together (``p * q = n``, ``e * d = 1`` modulo ``lcm(p - 1, q - 1)``, and the CRT
  values);
* EC private keys as SEC1 (``EC PRIVATE KEY``) or PKCS#8, on a named curve.

An EC key's public point is **computed** from its private scalar on P-256, P-384 and P-521
(plain affine double-and-add: a few milliseconds, once per Check), so a key without the
optional public point is compared as exactly as one with it, and a key whose stored point is
not its own is refused. On any other named curve the stored point is compared when the key
carries one; a key without it is taken on the curve alone (ZPA decides).

Scanning is linear in the text: each ``find`` starts where the previous block ended, and a
block that is not closed stops the scan at once. A blob above :data:`MAX_BLOB_CHARS` is
refused before any scan (a certificate chain with its key is a few KiB).

Every failure is a :class:`PemError` (a ``ValueError``) whose message describes the structure,
never the content: the text holds a private key.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass

__all__ = [
    "MAX_BLOB_CHARS",
    "PRIVATE_KEY_LABELS",
    "Block",
    "PemError",
    "PublicKey",
    "blocks",
    "certificate_public_key",
    "private_key_public_key",
]

#: The longest ``cert_blob`` accepted, in characters.
MAX_BLOB_CHARS = 64 * 1024
PRIVATE_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")

_BEGIN, _END, _DASHES = "-----BEGIN ", "-----END ", "-----"
_LABEL = re.compile(r"[A-Z0-9]+(?: [A-Z0-9]+)*")
_MAX_LABEL = 40

_OID_RSA = "1.2.840.113549.1.1.1"
_OID_EC = "1.2.840.10045.2.1"


class PemError(ValueError):
    """The text cannot be read as the PEM or DER expected; the message names no content."""


@dataclass(frozen=True)
class Block:
    label: str
    der: bytes


# -- PEM -----------------------------------------------------------------------------------------


def _label(text: str, start: int, what: str) -> tuple[str, int]:
    """The label that starts at ``start`` and the position after its closing dashes."""
    close = text.find(_DASHES, start, start + _MAX_LABEL + len(_DASHES))
    label = text[start:close] if close >= 0 else ""
    if not _LABEL.fullmatch(label):
        raise PemError(f"a PEM {what} line is damaged")
    return label, close + len(_DASHES)


def blocks(text: str) -> list[Block]:
    """Every PEM block of ``text`` in order (text between blocks is ignored), in one pass.

    :raises PemError: a block without its END line, an END of another label, an encrypted
        (``Proc-Type``) block, or a body that is not base64.
    """
    found: list[Block] = []
    pos = 0
    while (begin := text.find(_BEGIN, pos)) >= 0:
        label, body_start = _label(text, begin + len(_BEGIN), "BEGIN")
        end = text.find(_END, body_start)
        if end < 0:
            raise PemError(f"a {label} block has no END line")
        body = text[body_start:end]
        if _BEGIN in body:
            raise PemError(f"a {label} block has no END line before the next BEGIN")
        end_label, pos = _label(text, end + len(_END), "END")
        if end_label != label:
            raise PemError(f"a {label} block ends with END {end_label}")
        if "Proc-Type:" in body:
            raise PemError(f"a {label} block is encrypted; ZPA needs the key unencrypted")
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            raise PemError(f"the body of a {label} block is not base64") from None
        found.append(Block(label, der))
    return found


# -- DER -----------------------------------------------------------------------------------------

_INTEGER, _BIT_STRING, _OCTET_STRING, _OID, _SEQUENCE = 0x02, 0x03, 0x04, 0x06, 0x30
_UTC_TIME, _GENERALIZED_TIME = 0x17, 0x18
_CONTEXT_0, _CONTEXT_1 = 0xA0, 0xA1


@dataclass(frozen=True)
class _Element:
    tag: int
    body: bytes


def _elements(data: bytes) -> list[_Element]:
    """The DER elements that ``data`` holds side by side, all of it."""
    out: list[_Element] = []
    pos, size = 0, len(data)
    while pos < size:
        if size - pos < 2:
            raise PemError("truncated DER")
        tag, length = data[pos], data[pos + 1]
        pos += 2
        if tag & 0x1F == 0x1F:
            raise PemError("unsupported DER tag")
        if length & 0x80:
            count = length & 0x7F
            if not 1 <= count <= 4 or size - pos < count:
                raise PemError("bad DER length")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        if size - pos < length:
            raise PemError("truncated DER")
        out.append(_Element(tag, data[pos : pos + length]))
        pos += length
    return out


def _sole(data: bytes, tag: int) -> _Element:
    """The one element of ``tag`` that makes up all of ``data``."""
    items = _elements(data)
    if len(items) != 1 or items[0].tag != tag:
        raise PemError("unexpected DER structure")
    return items[0]


def _children(element: _Element, *tags: int) -> list[_Element]:
    """The children of the SEQUENCE ``element``; the first ones must carry ``tags`` in order."""
    items = _elements(element.body) if element.tag == _SEQUENCE else []
    if element.tag != _SEQUENCE or [i.tag for i in items[: len(tags)]] != list(tags):
        raise PemError("unexpected DER structure")
    return items


def _fields(data: bytes, *tags: int) -> list[_Element]:
    """The children of the SEQUENCE that is all of ``data`` (see :func:`_children`)."""
    return _children(_sole(data, _SEQUENCE), *tags)


def _int(element: _Element) -> int:
    if element.tag != _INTEGER or not element.body:
        raise PemError("unexpected DER structure")
    return int.from_bytes(element.body, "big", signed=True)


def _oid(element: _Element) -> str:
    if element.tag != _OID or not element.body or element.body[-1] & 0x80:
        raise PemError("bad OID")
    arcs, value = [], 0
    for byte in element.body:
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))


def _bit_string(element: _Element) -> bytes:
    if element.tag != _BIT_STRING or element.body[:1] != b"\x00":
        raise PemError("unexpected DER structure")
    return element.body[1:]


# -- public keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    """What identifies a public key: RSA ``numbers`` ``(n, e)``; EC its ``curve`` OID and
    point as ``(x, parity of y)`` (which fixes a point of a curve, compressed or not; ``()``
    when unknown); for another algorithm only its OID."""

    algorithm: str  # "RSA", "EC", or the OID of another algorithm
    numbers: tuple[int, ...] = ()
    curve: str | None = None

    def same_as(self, other: PublicKey) -> bool:
        """Whether both are the same key (EC: the same curve, and the same point where both
        points are known)."""
        if self.algorithm != other.algorithm or self.algorithm not in ("RSA", "EC"):
            return False
        if self.algorithm == "EC":
            if self.curve and other.curve and self.curve != other.curve:
                return False
            if not self.numbers or not other.numbers:
                return True
        return self.numbers == other.numbers


def _point(raw: bytes) -> tuple[int, int]:
    """``(x, parity of y)`` of an uncompressed or compressed point."""
    if raw[:1] == b"\x04" and len(raw) % 2 == 1 and len(raw) > 1:
        half = (len(raw) - 1) // 2
        return int.from_bytes(raw[1 : 1 + half], "big"), raw[-1] & 1
    if raw[:1] in (b"\x02", b"\x03") and len(raw) > 1:
        return int.from_bytes(raw[1:], "big"), raw[0] & 1
    raise PemError("an EC point is neither compressed nor uncompressed")


def _spki(element: _Element) -> PublicKey:
    algorithm, key = _children(element, _SEQUENCE, _BIT_STRING)[:2]
    ident = _children(algorithm, _OID)
    oid = _oid(ident[0])
    if oid == _OID_RSA:
        n, e = _fields(_bit_string(key), _INTEGER, _INTEGER)[:2]
        return PublicKey("RSA", (_int(n), _int(e)))
    if oid == _OID_EC:
        curve = _oid(ident[1]) if len(ident) > 1 and ident[1].tag == _OID else None
        return PublicKey("EC", _point(_bit_string(key)), curve)
    return PublicKey(oid)


def _check_time(element: _Element) -> None:
    text = element.body.decode("ascii", "replace")
    pattern = r"\d{12}Z" if element.tag == _UTC_TIME else r"\d{14}(?:\.\d+)?Z"
    if element.tag not in (_UTC_TIME, _GENERALIZED_TIME) or not re.fullmatch(pattern, text):
        raise PemError("unexpected validity time")


def certificate_public_key(der: bytes) -> PublicKey:
    """The public key of the X.509 certificate ``der``.

    :raises PemError: not a certificate (outer structure, TBS fields or validity wrong).
    """
    tbs = _fields(der, _SEQUENCE, _SEQUENCE, _BIT_STRING)[0]
    fields = _children(tbs)
    if fields and fields[0].tag == _CONTEXT_0:  # [0] version
        fields = fields[1:]
    tags = [f.tag for f in fields[:6]]
    if tags != [_INTEGER, _SEQUENCE, _SEQUENCE, _SEQUENCE, _SEQUENCE, _SEQUENCE]:
        raise PemError("unexpected DER structure")
    validity = _elements(fields[3].body)
    if len(validity) != 2:
        raise PemError("unexpected validity")
    for when in validity:
        _check_time(when)
    return _spki(fields[5])


# -- private keys --------------------------------------------------------------------------------


def _rsa(der: bytes) -> PublicKey:
    """The public half of a PKCS#1 RSAPrivateKey whose numbers hang together."""
    items = _fields(der, *([_INTEGER] * 9))
    version, n, e, d, p, q, dp, dq, qinv = (_int(i) for i in items[:9])
    if version not in (0, 1) or min(n, e, d, p, q) < 2 or d >= n:
        raise PemError("the RSA private key's numbers are out of range")
    lam = math.lcm(p - 1, q - 1)
    if (
        p * q != n
        or e * d % lam != 1
        or dp != d % (p - 1)
        or dq != d % (q - 1)
        or qinv * q % p != 1
    ):
        raise PemError("the RSA private key's numbers do not belong together (a damaged key)")
    return PublicKey("RSA", (n, e))


def _ec(der: bytes, curve: str | None) -> PublicKey:
    """The public half of a SEC1 ECPrivateKey (``curve`` from PKCS#8, if it named one)."""
    items = _fields(der, _INTEGER, _OCTET_STRING)
    if _int(items[0]) != 1 or not items[1].body:
        raise PemError("not an EC private key")
    secret = int.from_bytes(items[1].body, "big")
    stored: tuple[int, ...] = ()
    for item in items[2:]:
        if item.tag == _CONTEXT_0:
            named = _oid(_sole(item.body, _OID))
            if curve is not None and named != curve:
                raise PemError("the EC private key names two curves")
            curve = named
        elif item.tag == _CONTEXT_1:
            stored = _point(_bit_string(_sole(item.body, _BIT_STRING)))
    if curve is None:
        raise PemError("the EC private key names no curve")
    computed = _multiply_base(curve, secret)
    if computed is not None:
        x, y = computed
        if stored and stored != (x, y & 1):
            raise PemError("the EC private key's public point is not its own (a damaged key)")
        stored = (x, y & 1)
    return PublicKey("EC", stored, curve)


def private_key_public_key(block: Block) -> PublicKey:
    """The public half of the private key in ``block`` (PKCS#1, SEC1 or PKCS#8).

    :raises PemError: not an RSA or EC private key, or one whose numbers are inconsistent.
    """
    if block.label == "RSA PRIVATE KEY":
        return _rsa(block.der)
    if block.label == "EC PRIVATE KEY":
        return _ec(block.der, None)
    if block.label != "PRIVATE KEY":
        raise PemError(f"a {block.label} block is not a private key")
    items = _fields(block.der, _INTEGER, _SEQUENCE, _OCTET_STRING)
    if _int(items[0]) not in (0, 1):
        raise PemError("not a PKCS#8 private key")
    ident = _children(items[1], _OID)
    oid = _oid(ident[0])
    if oid == _OID_RSA:
        return _rsa(items[2].body)
    if oid == _OID_EC:
        curve = _oid(ident[1]) if len(ident) > 1 and ident[1].tag == _OID else None
        return _ec(items[2].body, curve)
    raise PemError("the private key is neither RSA nor EC")


# -- the NIST prime curves (FIPS 186-4, D.1.2): y^2 = x^3 - 3x + b over GF(p) ---------------------


@dataclass(frozen=True)
class _Curve:
    p: int
    b: int
    gx: int
    gy: int
    order: int


_CURVES = {
    "1.2.840.10045.3.1.7": _Curve(  # P-256
        p=2**256 - 2**224 + 2**192 + 2**96 - 1,
        b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
        gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
        order=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    ),
    "1.3.132.0.34": _Curve(  # P-384
        p=2**384 - 2**128 - 2**96 + 2**32 - 1,
        b=int(
            "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875A"
            "C656398D8A2ED19D2A85C8EDD3EC2AEF",
            16,
        ),
        gx=int(
            "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A38"
            "5502F25DBF55296C3A545E3872760AB7",
            16,
        ),
        gy=int(
            "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C0"
            "0A60B1CE1D7E819D7A431D7C90EA0E5F",
            16,
        ),
        order=int(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
            "581A0DB248B0A77AECEC196ACCC52973",
            16,
        ),
    ),
    "1.3.132.0.35": _Curve(  # P-521
        p=2**521 - 1,
        b=int(
            "0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF1"
            "09E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B50"
            "3F00",
            16,
        ),
        gx=int(
            "00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D"
            "3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5"
            "BD66",
            16,
        ),
        gy=int(
            "011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E"
            "662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD1"
            "6650",
            16,
        ),
        order=int(
            "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
            "FFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E9138"
            "6409",
            16,
        ),
    ),
}

_Point = tuple[int, int] | None  # None: the point at infinity


def _add(c: _Curve, a: _Point, b: _Point) -> _Point:
    if a is None:
        return b
    if b is None:
        return a
    (x1, y1), (x2, y2) = a, b
    if x1 == x2:
        if (y1 + y2) % c.p == 0:
            return None
        slope = (3 * x1 * x1 - 3) * pow(2 * y1, -1, c.p) % c.p
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, c.p) % c.p
    x3 = (slope * slope - x1 - x2) % c.p
    return x3, (slope * (x1 - x3) - y1) % c.p


def _multiply_base(curve: str, scalar: int) -> tuple[int, int] | None:
    """``scalar * G`` on a curve of :data:`_CURVES`; None for another curve.

    :raises PemError: the scalar is not in ``[1, order)``.
    """
    c = _CURVES.get(curve)
    if c is None:
        return None
    if not 0 < scalar < c.order:
        raise PemError("the EC private key's number is out of range")
    result: _Point = None
    addend: _Point = (c.gx, c.gy)
    while scalar:
        if scalar & 1:
            result = _add(c, result, addend)
        addend = _add(c, addend, addend)
        scalar >>= 1
    assert result is not None  # 0 < scalar < order
    return result
