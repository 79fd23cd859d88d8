"""OneAPI sign-in with a private key: the RS256 client assertion (RFC 7523).

The key comes from ``zpa:privateKey`` / ``ZSCALER_PRIVATE_KEY``: a PEM (PKCS#8 ``PRIVATE KEY``
or PKCS#1 ``RSA PRIVATE KEY``), a JWK (JSON), or a path to a file holding either. Signing needs
the optional extra ``pulumi-zpa-pkeys[private-key]`` (``cryptography``: the Python Cryptographic
Authority's library, which does the RSA work and reads both PEM forms; a JWK is read through its
``RSAPrivateNumbers``, so no JWT library is needed on top).

A path must name a regular file of at most :data:`MAX_KEY_FILE_BYTES` (64 KiB; a 4096-bit key
is about 3 KiB in either form): a device such as ``/dev/zero`` would be read until memory runs
out, and a FIFO without a writer would block sign-in forever, so neither is read. The file is
opened without blocking and checked on the open descriptor (no race with a swap of the path).

Messages name the setting and what is wrong, never the key or any part of it (nor the path: a
value that is not a file may be a mistyped key).
"""

from __future__ import annotations

import base64
import json
import os
import stat
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ConfigError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AUDIENCE = "https://api.zscaler.com"
LIFETIME_S = 600
MIN_BITS = 2048
EXTRA = "pip install 'pulumi-zpa-pkeys[private-key]'"
#: The largest key file read (bytes).
MAX_KEY_FILE_BYTES = 64 * 1024

#: Makes a fresh signed assertion for the client id it was built for.
Signer = Callable[[], str]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_int(text: Any, member: str, setting: str) -> int:
    if not isinstance(text, str) or not text:
        raise ConfigError(f"{setting}: the JWK has no {member!r}")
    try:
        return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")
    except ValueError:
        raise ConfigError(f"{setting}: the JWK's {member!r} is not base64url") from None


def signer(client_id: str, source: str, setting: str) -> Signer:
    """A signer of client assertions for ``client_id`` with the key in ``source``.

    :raises ConfigError: the extra is missing, the key cannot be read, is not RSA, or has fewer
        than 2048 bits (``setting`` names the config key in the message).
    """
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
    except ImportError:
        raise ConfigError(f"{setting}: signing in with a private key needs {EXTRA}") from None

    text = _read(source, setting)
    key: Any
    if text.lstrip().startswith("{"):
        key, kid = _from_jwk(text, setting, rsa)
    elif "-----BEGIN" in text:
        kid = None
        try:
            key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
        except (ValueError, TypeError):
            raise ConfigError(
                f"{setting}: the PEM is not an unencrypted PKCS#8 or PKCS#1 private key"
            ) from None
    else:
        raise ConfigError(f"{setting}: expected a PEM private key, a JWK, or a path to one")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{setting}: the key must be an RSA key (RS256)")
    if key.key_size < MIN_BITS:
        raise ConfigError(
            f"{setting}: the RSA key has {key.key_size} bits; at least {MIN_BITS} are required"
        )
    header = {"alg": "RS256", "typ": "JWT", **({"kid": kid} if kid else {})}

    def sign() -> str:
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + LIFETIME_S,
            "jti": uuid.uuid4().hex,
        }
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    return sign


def _read(source: str, setting: str) -> str:
    """The key text: ``source`` itself, or the regular file it names (at most
    :data:`MAX_KEY_FILE_BYTES`)."""
    stripped = source.strip()
    if stripped.startswith(("{", "-----BEGIN")):
        return stripped
    path = Path(stripped).expanduser()
    try:
        # O_NONBLOCK: opening a FIFO without a writer must not wait (it is refused below).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError):
        # A path is not a secret, but a mistyped key might be: name neither.
        raise ConfigError(
            f"{setting}: not a PEM key or a JWK, and no readable file by that name"
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(
                f"{setting}: the path names no regular file (a directory, device or FIFO); "
                "give a PEM, a JWK, or the path of a file holding one"
            )
        data = b""
        while len(data) <= MAX_KEY_FILE_BYTES:
            chunk = os.read(fd, MAX_KEY_FILE_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError:
        raise ConfigError(f"{setting}: the file it names cannot be read") from None
    finally:
        os.close(fd)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ConfigError(
            f"{setting}: the file is larger than {MAX_KEY_FILE_BYTES} bytes; a private key "
            "file is a few KiB"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{setting}: the file is not text (a PEM or a JWK)") from None


def _from_jwk(text: str, setting: str, rsa: Any) -> tuple[Any, str | None]:
    """(the RSA private key, its ``kid`` if the JWK names one)."""
    try:
        jwk = json.loads(text)
    except ValueError:
        raise ConfigError(f"{setting}: the JWK is not valid JSON") from None
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        raise ConfigError(f"{setting}: the JWK must be an RSA key (kty RSA)")
    n, e, d = (_b64url_int(jwk.get(m), m, setting) for m in ("n", "e", "d"))
    crt = ("p", "q", "dp", "dq", "qi")
    given = [_b64url_int(jwk[m], m, setting) for m in crt] if all(jwk.get(m) for m in crt) else []
    kid = jwk.get("kid")
    try:
        if given:
            p, q, dp, dq, qi = given
        else:
            # Recovering p and q refuses numbers that do not belong together (d = 0 included).
            p, q = rsa.rsa_recover_prime_factors(n, e, d)
            dp, dq, qi = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
        numbers = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, rsa.RSAPublicNumbers(e, n))
        return numbers.private_key(), kid if isinstance(kid, str) and kid else None
    except (ValueError, TypeError, ArithmeticError):
        raise ConfigError(f"{setting}: the JWK's numbers do not form an RSA key") from None
