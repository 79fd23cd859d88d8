"""Certificates and keys made at run time for the tests (imported as `pki`): nothing here is a
real credential. Generation is cached per process (RSA key generation is the slow part)."""

from __future__ import annotations

import datetime
import functools
import ipaddress
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
NOT_BEFORE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


@functools.cache
def rsa_key(label: str = "a") -> rsa.RSAPrivateKey:
    """An RSA 2048 key, one per label for the whole test run."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key(label: str = "a") -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def name(cn: str, **extra: str) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, extra.get("c", "US"))]
    attributes += [
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, extra.get("st", "California")),
        x509.NameAttribute(NameOID.LOCALITY_NAME, extra.get("l", "San Jose")),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra.get("o", "Example Inc")),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, extra.get("ou", "IT")),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ]
    return x509.Name(attributes)


def certificate(
    key: PrivateKey,
    cn: str = "app.example.com",
    *,
    san: list[str] | None = None,
    issuer_key: PrivateKey | None = None,
    issuer_cn: str | None = None,
    serial: int = 4242424242424242,
    days: int = 3650,
) -> x509.Certificate:
    """A certificate for `key` (self-signed unless `issuer_key`), valid from 2026-01-01: the
    same arguments give the same certificate (RSA signatures are deterministic)."""
    now = NOT_BEFORE
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(cn))
        .issuer_name(name(issuer_cn or cn))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=days))
    )
    if san is not None:
        entries: list[x509.GeneralName] = []
        for entry in san:
            try:
                entries.append(x509.IPAddress(ipaddress.ip_address(entry)))
            except ValueError:
                entries.append(x509.DNSName(entry))
        builder = builder.add_extension(x509.SubjectAlternativeName(entries), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: PrivateKey, form: str = "pkcs8") -> str:
    fmt = {
        "pkcs8": serialization.PrivateFormat.PKCS8,
        "traditional": serialization.PrivateFormat.TraditionalOpenSSL,
    }[form]
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


def blob(key: PrivateKey | None = None, *certs: x509.Certificate, form: str = "pkcs8") -> str:
    """A `certBlob`: the certificates' PEM (a new one for `key` if none), then the key's."""
    key = key or rsa_key()
    chain = certs or (certificate(key),)
    return "".join(cert_pem(c) for c in chain) + key_pem(key, form)


def base64_lines(text: str) -> list[str]:
    """Every line of base64 in the PEM blocks of `text` (what must never appear in a message)."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith("-----") and len(line.strip()) >= 16
    ]


def shows_any(message: Any, text: str) -> bool:
    """Whether `message` contains any base64 line of `text`."""
    return any(line in str(message) for line in base64_lines(text))
