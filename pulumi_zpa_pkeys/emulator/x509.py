"""A small reader of PEM blocks, X.509 certificates and RSA/EC private keys (DER), standard
library only: what the emulator needs to derive a browser-access certificate's fields from an
upload and to tell whether the uploaded key belongs to the certificate. No HTTP, no ZPA rules.

Every parse failure is a :class:`ValueError` whose message describes the structure, never its
content (the input holds a private key).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import ipaddress
import re
from dataclasses import dataclass

_BEGIN, _END = "-----BEGIN ", "-----END "
# A label is at most 64 characters, so matching one line never reads far.
_BEGIN_LINE = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,64})-----")
_END_LINE = re.compile(r"-----END ([A-Z0-9 ]{1,64})-----")
PRIVATE_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")

# DER tags
_INTEGER, _BIT_STRING, _OCTET_STRING, _NULL, _OID = 0x02, 0x03, 0x04, 0x05, 0x06
_SEQUENCE, _SET = 0x30, 0x31
_UTC_TIME, _GENERALIZED_TIME = 0x17, 0x18
_STRING_CODECS = {
    0x0C: "utf-8",  # UTF8String
    0x12: "ascii",  # NumericString
    0x13: "ascii",  # PrintableString
    0x14: "latin-1",  # TeletexString (T.61, read as Latin-1)
    0x16: "ascii",  # IA5String
    0x1A: "ascii",  # VisibleString
    0x1C: "utf-32-be",  # UniversalString
    0x1E: "utf-16-be",  # BMPString
}

MAX_RSA_BITS = 8192  # inferred: ZPA documents no limit; larger keys are not in use
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
_SUBJECT_ALT_NAME = "2.5.29.17"
# inferred: the attribute names of RFC 4514 (and Java's X500Principal), which the recorded
# issuedTo/issuedBy use (CN, OU, O, L, ST, C, DC); others as the dotted OID.
_ATTRIBUTE_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "STREET",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}


@dataclass(frozen=True)
class PemBlock:
    label: str
    der: bytes


@dataclass(frozen=True)
class PublicKey:
    """The parts of a public key that identify it: RSA ``(n, e)`` or an EC curve and point."""

    algorithm: str  # "RSA" or "EC"
    rsa: tuple[int, int] | None = None
    curve: str | None = None
    point: bytes | None = None


@dataclass(frozen=True)
class Certificate:
    der: bytes
    serial: int
    subject: str  # RFC 4514 order: most specific first, no spaces after commas
    issuer: str
    common_name: str | None
    not_before: int  # epoch seconds
    not_after: int
    spki: bytes  # SubjectPublicKeyInfo, DER
    public_key: PublicKey
    san: list[str] | None  # None: the certificate has no subjectAltName extension

    @property
    def pem(self) -> str:
        return pem("CERTIFICATE", self.der)

    @property
    def public_key_pem(self) -> str:
        return pem("PUBLIC KEY", self.spki)


@dataclass(frozen=True)
class PrivateKey:
    """What a private key says about its public half (an EC key may not carry its point:
    ``public.point`` None), and whether its own numbers hang together (RSA)."""

    algorithm: str  # "RSA" or "EC"
    public: PublicKey
    consistent: bool


# -- PEM ---------------------------------------------------------------------------------------


def pem_blocks(text: str) -> list[PemBlock]:
    """The PEM blocks of ``text`` in order, in one pass (each search starts where the last block
    ended, and a block without its END line stops the scan): linear in the text.

    :raises ValueError: a damaged BEGIN or END line, a block not closed by its own END line, or
        a body that is not base64 (legacy encrypted PEM, with ``Proc-Type`` headers, counts as
        not base64).
    """
    blocks = []
    pos = 0
    while (begin := text.find(_BEGIN, pos)) >= 0:
        opened = _BEGIN_LINE.match(text, begin)
        if opened is None:
            raise ValueError("a PEM BEGIN line is damaged")
        label = opened.group(1)
        end = text.find(_END, opened.end())
        if end < 0 or text.find(_BEGIN, opened.end(), end) >= 0:
            raise ValueError("a PEM block has no END line")
        closed = _END_LINE.match(text, end)
        if closed is None:
            raise ValueError("a PEM END line is damaged")
        if closed.group(1) != label:
            raise ValueError(f"a {label} block ends with END {closed.group(1)}")
        try:
            der = base64.b64decode("".join(text[opened.end() : end].split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"the body of a {label} block is not base64") from None
        blocks.append(PemBlock(label, der))
        pos = closed.end()
    return blocks


def pem(label: str, der: bytes) -> str:
    """``der`` as a PEM block (64 characters a line, ending with a newline)."""
    text = base64.b64encode(der).decode("ascii")
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


# -- DER ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tlv:
    tag: int
    data: bytes  # the whole buffer
    start: int  # content start
    end: int  # content end

    @property
    def content(self) -> bytes:
        return self.data[self.start : self.end]


def _read(data: bytes, pos: int, limit: int) -> tuple[_Tlv, int]:
    """One element at ``pos`` (not past ``limit``) and the position after it."""
    if pos + 2 > limit:
        raise ValueError("truncated DER")
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("unsupported DER tag")
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > limit:
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > limit:
        raise ValueError("truncated DER")
    return _Tlv(tag, data, pos, pos + length), pos + length


def _one(data: bytes, tag: int) -> _Tlv:
    """The single element ``data`` holds, of ``tag``."""
    element, end = _read(data, 0, len(data))
    if element.tag != tag or end != len(data):
        raise ValueError("unexpected DER structure")
    return element


def _children(parent: _Tlv, at_least: int = 0) -> list[_Tlv]:
    """The elements ``parent`` holds (at least ``at_least`` of them, else a ValueError)."""
    items, pos = [], parent.start
    while pos < parent.end:
        element, pos = _read(parent.data, pos, parent.end)
        items.append(element)
    if len(items) < at_least:
        raise ValueError("unexpected DER structure")
    return items


def _raw(parent: _Tlv, child_index: int) -> bytes:
    """The complete encoding (header and content) of one child of ``parent``."""
    pos = parent.start
    for index in range(child_index + 1):
        start = pos
        _, pos = _read(parent.data, pos, parent.end)
        if index == child_index:
            return parent.data[start:pos]
    raise ValueError("unexpected DER structure")  # pragma: no cover - loop always returns


def _expect(element: _Tlv, tag: int) -> _Tlv:
    if element.tag != tag:
        raise ValueError("unexpected DER structure")
    return element


def _integer(element: _Tlv) -> int:
    return int.from_bytes(_expect(element, _INTEGER).content, "big", signed=True)


def _oid(element: _Tlv) -> str:
    raw = _expect(element, _OID).content
    if not raw:
        raise ValueError("empty OID")
    parts, value = [], 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    if not parts:
        raise ValueError("unterminated OID")
    first = parts[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(p) for p in head + parts[1:])


def _bits(element: _Tlv) -> bytes:
    content = _expect(element, _BIT_STRING).content
    if not content or content[0] != 0:
        raise ValueError("unsupported BIT STRING")
    return content[1:]


def _text(element: _Tlv) -> str:
    codec = _STRING_CODECS.get(element.tag)
    if codec is None:
        raise ValueError("unsupported string type")
    return element.content.decode(codec)


def _time(element: _Tlv) -> int:
    text = element.content.decode("ascii")
    if element.tag == _UTC_TIME and re.fullmatch(r"\d{12}Z", text):
        year = int(text[:2])
        year += 1900 if year >= 50 else 2000
        rest = text[2:]
    elif element.tag == _GENERALIZED_TIME and re.fullmatch(r"\d{14}(\.\d+)?Z", text):
        year, rest = int(text[:4]), text[4:]
    else:
        raise ValueError("unsupported time format")
    month, day, hour, minute, second = (int(rest[i : i + 2]) for i in range(0, 10, 2))
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


# -- names -------------------------------------------------------------------------------------


def _escape(value: str) -> str:
    out = re.sub(r'([,+"\\<>;=])', r"\\\1", value)
    if out.startswith(("#", " ")):
        out = "\\" + out
    if out.endswith(" ") and not out.endswith("\\ "):
        out = out[:-1] + "\\ "
    return out


def _name(element: _Tlv) -> tuple[str, str | None]:
    """(RFC 4514 string, the most specific CN) of a Name."""
    rdns = []
    common_name = None
    for rdn in _children(_expect(element, _SEQUENCE)):
        parts = []
        for attribute in _children(_expect(rdn, _SET)):
            oid_element, value = _children(_expect(attribute, _SEQUENCE), 2)[:2]
            oid = _oid(oid_element)
            if oid in _ATTRIBUTE_NAMES:
                text = _text(value)
                parts.append(f"{_ATTRIBUTE_NAMES[oid]}={_escape(text)}")
                if oid == "2.5.4.3":
                    common_name = text
            else:
                encoded = _raw(attribute, 1)
                parts.append(f"{oid}=#{encoded.hex()}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns)), common_name


def _general_names(extension_value: bytes) -> list[str]:
    """The subjectAltName entries ZPA lists: DNS names, IP addresses, e-mail addresses, URIs
    (inferred: other kinds, such as directory names, are left out)."""
    names = []
    for entry in _children(_one(extension_value, _SEQUENCE)):
        if entry.tag in (0x81, 0x82, 0x86):  # rfc822Name, dNSName, URI (IA5String)
            names.append(entry.content.decode("ascii"))
        elif entry.tag == 0x87 and len(entry.content) in (4, 16):  # iPAddress
            names.append(str(ipaddress.ip_address(entry.content)))
    return names


# -- keys --------------------------------------------------------------------------------------


def _public_key(spki: _Tlv) -> PublicKey:
    algorithm, key_bits = _children(_expect(spki, _SEQUENCE), 2)[:2]
    parts = _children(_expect(algorithm, _SEQUENCE), 1)
    oid = _oid(parts[0])
    if oid == RSA_ENCRYPTION:
        n, e = _children(_one(_bits(key_bits), _SEQUENCE))[:2]
        return PublicKey("RSA", rsa=(_integer(n), _integer(e)))
    if oid == EC_PUBLIC_KEY:
        curve = _oid(parts[1]) if len(parts) > 1 and parts[1].tag == _OID else None
        return PublicKey("EC", curve=curve, point=_bits(key_bits))
    return PublicKey(oid)


def _rsa_private(der: bytes) -> PrivateKey:
    fields = [_integer(f) for f in _children(_one(der, _SEQUENCE))[:6]]
    if len(fields) < 4:
        raise ValueError("not an RSA private key")
    _, n, e, d, *primes = fields
    if n.bit_length() > MAX_RSA_BITS:
        # Checking a key costs cubic time in its size: 8192 bits take about a second.
        raise ValueError(f"an RSA key of more than {MAX_RSA_BITS} bits")
    consistent = n > 3 and 0 < e < n and 0 < d < n and pow(pow(2, e, n), d, n) == 2
    if len(primes) == 2:
        consistent = consistent and primes[0] * primes[1] == n
    return PrivateKey("RSA", PublicKey("RSA", rsa=(n, e)), consistent)


def _ec_private(der: bytes, curve: str | None) -> PrivateKey:
    version, secret, *rest = _children(_one(der, _SEQUENCE), 2)
    if _integer(version) != 1:
        raise ValueError("not an EC private key")
    _expect(secret, _OCTET_STRING)
    point = None
    for element in rest:
        if element.tag == 0xA0:  # [0] parameters: the named curve
            curve = _oid(_one(element.content, _OID))
        elif element.tag == 0xA1:  # [1] publicKey
            point = _bits(_one(element.content, _BIT_STRING))
    return PrivateKey("EC", PublicKey("EC", curve=curve, point=point), True)


def private_key(block: PemBlock) -> PrivateKey:
    """The key in a ``PRIVATE KEY`` (PKCS#8), ``RSA PRIVATE KEY`` or ``EC PRIVATE KEY`` block.

    :raises ValueError: not such a key, or an algorithm other than RSA and EC.
    """
    if block.label == "RSA PRIVATE KEY":
        return _rsa_private(block.der)
    if block.label == "EC PRIVATE KEY":
        return _ec_private(block.der, None)
    if block.label != "PRIVATE KEY":
        raise ValueError(f"a {block.label} block is not a private key")
    # PrivateKeyInfo: version, algorithm (an OID and its parameters), the key.
    parts = _children(_one(block.der, _SEQUENCE), 3)
    algorithm = _children(_expect(parts[1], _SEQUENCE), 1)
    oid = _oid(algorithm[0])
    inner = _expect(parts[2], _OCTET_STRING).content
    if oid == RSA_ENCRYPTION:
        return _rsa_private(inner)
    if oid == EC_PUBLIC_KEY:
        curve = _oid(algorithm[1]) if len(algorithm) > 1 and algorithm[1].tag == _OID else None
        return _ec_private(inner, curve)
    raise ValueError("the private key is neither RSA nor EC")


def _ec_point(point: bytes) -> tuple[bytes, int] | None:
    """(x, parity of y) of an uncompressed or compressed point."""
    if point[:1] == b"\x04" and len(point) % 2 == 1:
        half = (len(point) - 1) // 2
        return point[1 : 1 + half], point[-1] & 1
    if point[:1] in (b"\x02", b"\x03"):
        return point[1:], point[0] - 2
    return None


def matches(key: PrivateKey, cert_key: PublicKey) -> bool:
    """Whether ``key`` is the private half of ``cert_key``: RSA modulus and exponent equal; EC
    the same curve and, when the key carries its point, the same point (inferred: an EC key
    without its public point is taken on the curve alone, since deriving the point needs
    elliptic-curve arithmetic this reader does not do)."""
    if not key.consistent or key.algorithm != cert_key.algorithm:
        return False
    mine = key.public
    if key.algorithm == "RSA":
        return mine.rsa == cert_key.rsa
    if mine.curve is not None and cert_key.curve is not None and mine.curve != cert_key.curve:
        return False
    if mine.point is None or cert_key.point is None:
        return True
    ours, theirs = _ec_point(mine.point), _ec_point(cert_key.point)
    return ours is not None and ours == theirs


# -- certificates ------------------------------------------------------------------------------


def certificate(der: bytes) -> Certificate:
    """The fields of one DER certificate.

    :raises ValueError: not an X.509 certificate this reader understands.
    """
    cert = _one(der, _SEQUENCE)
    tbs_element = _children(cert, 3)[0]  # tbsCertificate, signatureAlgorithm, signature
    tbs = _children(_expect(tbs_element, _SEQUENCE), 6)
    if tbs[0].tag == 0xA0:  # [0] version
        tbs = tbs[1:]
    serial, _signature, issuer, validity, subject, spki, *optional = tbs
    not_before, not_after = (_time(t) for t in _children(_expect(validity, _SEQUENCE), 2)[:2])
    subject_name, common_name = _name(subject)
    issuer_name, _ = _name(issuer)
    san = None
    for element in optional:
        if element.tag != 0xA3:  # [3] extensions
            continue
        for extension in _children(_one(element.content, _SEQUENCE)):
            parts = _children(_expect(extension, _SEQUENCE), 2)
            if _oid(parts[0]) == _SUBJECT_ALT_NAME:
                san = _general_names(_expect(parts[-1], _OCTET_STRING).content)
    spki_index = 5 + (1 if _children(tbs_element)[0].tag == 0xA0 else 0)
    return Certificate(
        der=der,
        serial=_integer(serial),
        subject=subject_name,
        issuer=issuer_name,
        common_name=common_name,
        not_before=not_before,
        not_after=not_after,
        spki=_raw(tbs_element, spki_index),
        public_key=_public_key(spki),
        san=san,
    )
