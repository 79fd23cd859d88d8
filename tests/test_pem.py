"""`_pem`: the standard-library reader behind BaCertificate's Check. Keys and certificates are
made by `cryptography` (the test's reference); the reader must agree with it on every key form,
refuse keys that do not belong, and scan hostile text in linear time."""

from __future__ import annotations

import base64
import time
from typing import Any

import pki
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from pulumi_zpa_pkeys import _pem

CURVES = {
    "P-256": (ec.SECP256R1(), bytes.fromhex("06082a8648ce3d030107")),
    "P-384": (ec.SECP384R1(), bytes.fromhex("06052b81040022")),
    "P-521": (ec.SECP521R1(), bytes.fromhex("06052b81040023")),
}
EC_PUBLIC_KEY_OID = bytes.fromhex("06072a8648ce3d0201")
RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + body


def _int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _pem_text(label: str, der: bytes) -> str:
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _sec1(key: ec.EllipticCurvePrivateKey, curve: str, *, point: bool, named: bool = True) -> bytes:
    """An ECPrivateKey (SEC1), with or without its optional curve and public point."""
    size = (key.curve.key_size + 7) // 8
    body = _int(1) + _der(0x04, key.private_numbers().private_value.to_bytes(size, "big"))
    if named:
        body += _der(0xA0, CURVES[curve][1])
    if point:
        numbers = key.public_key().public_numbers()
        raw = b"\x04" + numbers.x.to_bytes(size, "big") + numbers.y.to_bytes(size, "big")
        body += _der(0xA1, _der(0x03, b"\x00" + raw))
    return _der(0x30, body)


def _pkcs8_ec(key: ec.EllipticCurvePrivateKey, curve: str, *, point: bool) -> bytes:
    algorithm = _der(0x30, EC_PUBLIC_KEY_OID + CURVES[curve][1])
    inner = _sec1(key, curve, point=point, named=False)
    return _der(0x30, _int(0) + algorithm + _der(0x04, inner))


def _pkcs1(*numbers: int) -> bytes:
    return _der(0x30, _int(0) + b"".join(_int(n) for n in numbers))


def _rsa_numbers(key: rsa.RSAPrivateKey) -> list[int]:
    n = key.private_numbers()
    return [n.public_numbers.n, n.public_numbers.e, n.d, n.p, n.q, n.dmp1, n.dmq1, n.iqmp]


def _cert_key(key: Any) -> _pem.PublicKey:
    (block,) = _pem.blocks(pki.cert_pem(pki.certificate(key)))
    return _pem.certificate_public_key(block.der)


def _key(label: str, der: bytes) -> _pem.PublicKey:
    (block,) = _pem.blocks(_pem_text(label, der))
    return _pem.private_key_public_key(block)


# -- keys agree with their certificates -------------------------------------------------------


@pytest.mark.parametrize("form", ["pkcs8", "traditional"])
def test_an_rsa_key_in_either_pem_form_matches_its_certificate_and_no_other(form: str) -> None:
    key = pki.rsa_key()
    (block,) = _pem.blocks(pki.key_pem(key, form))
    mine = _pem.private_key_public_key(block)
    assert mine.same_as(_cert_key(key))
    assert not mine.same_as(_cert_key(pki.rsa_key("other")))
    assert not mine.same_as(_cert_key(pki.ec_key()))


@pytest.mark.parametrize("curve", sorted(CURVES))
@pytest.mark.parametrize("wrapping", ["sec1", "pkcs8"])
@pytest.mark.parametrize("point", [True, False], ids=["with point", "without point"])
def test_an_ec_key_matches_its_certificate_with_or_without_its_public_point(
    curve: str, wrapping: str, point: bool
) -> None:
    key = ec.generate_private_key(CURVES[curve][0])
    other = ec.generate_private_key(CURVES[curve][0])
    if wrapping == "sec1":
        mine = _key("EC PRIVATE KEY", _sec1(key, curve, point=point))
    else:
        mine = _key("PRIVATE KEY", _pkcs8_ec(key, curve, point=point))

    assert mine.same_as(_cert_key(key))
    assert not mine.same_as(_cert_key(other))  # the point is computed when it is missing
    assert not mine.same_as(_cert_key(pki.rsa_key()))


def test_the_reader_agrees_with_cryptography_s_own_pem_forms_of_an_ec_key() -> None:
    key = pki.ec_key()
    for form in ("pkcs8", "traditional"):
        (block,) = _pem.blocks(pki.key_pem(key, form))
        assert _pem.private_key_public_key(block).same_as(_cert_key(key))


def test_an_ec_key_on_another_curve_without_its_point_is_compared_by_curve_only() -> None:
    key = ec.generate_private_key(ec.SECP256K1())
    other = ec.generate_private_key(ec.SECP256K1())
    k1 = bytes.fromhex("06052b8104000a")  # secp256k1
    size = 32
    secret = key.private_numbers().private_value.to_bytes(size, "big")
    der = _der(0x30, _int(1) + _der(0x04, secret) + _der(0xA0, k1))
    mine = _key("EC PRIVATE KEY", der)

    assert mine.same_as(_cert_key(other))  # documented: ZPA decides
    assert not mine.same_as(_cert_key(pki.ec_key()))  # another curve
    (block,) = _pem.blocks(pki.key_pem(key))  # with its point: compared exactly
    assert not _pem.private_key_public_key(block).same_as(_cert_key(other))


# -- damaged keys and certificates ------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    ["d + 2", "d = 0", "p swapped for another prime", "wrong CRT exponent", "too few numbers"],
)
def test_an_rsa_key_whose_numbers_do_not_hang_together_is_refused(damage: str) -> None:
    n, e, d, p, q, dp, dq, qi = _rsa_numbers(pki.rsa_key())
    other_p = _rsa_numbers(pki.rsa_key("other"))[3]
    numbers = {
        "d + 2": [n, e, d + 2, p, q, dp, dq, qi],
        "d = 0": [n, e, 0, p, q, dp, dq, qi],
        "p swapped for another prime": [n, e, d, other_p, q, dp, dq, qi],
        "wrong CRT exponent": [n, e, d, p, q, dp + 1, dq, qi],
        "too few numbers": [n, e, d],
    }[damage]
    with pytest.raises(_pem.PemError) as err:
        _key("RSA PRIVATE KEY", _pkcs1(*numbers))
    assert "MII" not in str(err.value) and str(n)[:12] not in str(err.value)


def test_an_ec_key_whose_stored_point_is_not_its_own_is_refused() -> None:
    key, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    der = _sec1(key, "P-256", point=False)
    foreign_point = _sec1(other, "P-256", point=True)
    # the key's own number with the other key's [1] public point
    tail = foreign_point[foreign_point.index(b"\xa1") :]
    damaged = _der(0x30, der[2:] + tail)
    with pytest.raises(_pem.PemError, match="not its own"):
        _key("EC PRIVATE KEY", damaged)


@pytest.mark.parametrize("cut", [1, 10, 100])
def test_a_truncated_or_padded_certificate_is_refused(cut: int) -> None:
    (block,) = _pem.blocks(pki.cert_pem(pki.certificate(pki.rsa_key())))
    with pytest.raises(_pem.PemError):
        _pem.certificate_public_key(block.der[:-cut])
    with pytest.raises(_pem.PemError):
        _pem.certificate_public_key(block.der + b"\x00" * cut)


def test_a_private_key_that_is_neither_rsa_nor_ec_is_refused() -> None:
    ed25519 = bytes.fromhex("302e020100300506032b657004220420") + bytes(32)
    with pytest.raises(_pem.PemError, match="neither RSA nor EC"):
        _key("PRIVATE KEY", ed25519)
    with pytest.raises(_pem.PemError):  # a PKCS#8 SEQUENCE with fewer than 3 elements
        _key("PRIVATE KEY", _der(0x30, _int(0) + _der(0x30, EC_PUBLIC_KEY_OID)))


# -- scanning ---------------------------------------------------------------------------------


def _hostile_texts(size: int) -> dict[str, str]:
    begin = "-----BEGIN CERTIFICATE-----\n"
    many = begin * (size // len(begin))
    return {
        "BEGIN lines, no END": many,
        "BEGIN lines, one END at the end": many + "-----END CERTIFICATE-----\n",
        "BEGIN lines between closed blocks": ("-----BEGIN A-----\n-----END A-----\n" + begin)
        * (size // 60),
        "dashes without a label": "-----BEGIN " * (size // 11),
    }


@pytest.mark.parametrize("case", sorted(_hostile_texts(100)))
def test_scanning_hostile_text_is_linear(case: str) -> None:
    """400 KB of unclosed BEGIN lines: a scan that restarts at each BEGIN (quadratic) needs
    minutes here, a linear one milliseconds; the bound is 100 times what it needs under load."""
    text = _hostile_texts(400_000)[case]
    started = time.perf_counter()
    with pytest.raises(_pem.PemError):
        _pem.blocks(text)
    assert time.perf_counter() - started < 2.0


def test_scanning_many_well_formed_blocks_is_linear() -> None:
    text = "junk between blocks\n-----BEGIN X-----\nQUJD\n-----END X-----\n" * 10_000
    started = time.perf_counter()
    found = _pem.blocks(text)
    assert time.perf_counter() - started < 2.0
    assert len(found) == 10_000 and found[0] == _pem.Block("X", b"ABC")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("-----BEGIN X-----\nQUJD\n-----END Y-----\n", "ends with END Y"),
        ("-----BEGIN X-----\nQU%D\n-----END X-----\n", "not base64"),
        ("-----BEGIN X-----\nQUJD\n", "no END line"),
        ("-----BEGIN MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA-----\n", "damaged"),
        ("-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nQUJD\n-----END X-----\n", "encrypted"),
    ],
)
def test_scanning_errors_name_the_structure_never_the_content(text: str, fragment: str) -> None:
    with pytest.raises(_pem.PemError) as err:
        _pem.blocks(text)
    assert fragment in str(err.value)
    assert "QU" not in str(err.value) and "MII" not in str(err.value)
