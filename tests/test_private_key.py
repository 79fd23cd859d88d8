"""OneAPI sign-in with a private key: reading the key, signing the RS256 client assertion, and
the errors for every way the setting can be wrong (none of which may show the key)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from pulumi_zpa_pkeys._client_assertion import AUDIENCE, MAX_KEY_FILE_BYTES, signer
from pulumi_zpa_pkeys.errors import ConfigError
from pulumi_zpa_pkeys.settings import Settings

SETTING = "zpa:privateKey"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: Any, fmt: serialization.PrivateFormat) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwk(key: rsa.RSAPrivateKey, *, crt: bool = True) -> str:
    n = key.private_numbers()
    jwk = {"kty": "RSA", "kid": "k1", "n": _b64(n.public_numbers.n), "e": _b64(n.public_numbers.e),
           "d": _b64(n.d)}  # fmt: skip
    if crt:
        jwk |= {"p": _b64(n.p), "q": _b64(n.q), "dp": _b64(n.dmp1), "dq": _b64(n.dmq1),
                "qi": _b64(n.iqmp)}  # fmt: skip
    return json.dumps(jwk)


def _verify(assertion: str, key: rsa.RSAPrivateKey) -> tuple[dict[str, Any], dict[str, Any]]:
    def part(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    head, body, signature = assertion.split(".")
    key.public_key().verify(
        part(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return json.loads(part(head)), json.loads(part(body))


@pytest.mark.parametrize("form", ["pkcs8", "pkcs1", "jwk", "jwk-without-crt", "file"])
def test_assertion_is_rs256_signed_with_the_claims_zpa_expects(
    key: rsa.RSAPrivateKey, form: str, tmp_path: Path
) -> None:
    source = {
        "pkcs8": lambda: _pem(key, serialization.PrivateFormat.PKCS8),
        "pkcs1": lambda: _pem(key, serialization.PrivateFormat.TraditionalOpenSSL),
        "jwk": lambda: _jwk(key),
        "jwk-without-crt": lambda: _jwk(key, crt=False),
        "file": lambda: str(
            _write(tmp_path / "key.pem", _pem(key, serialization.PrivateFormat.PKCS8))
        ),
    }[form]()
    header, claims = _verify(signer("my-client", source, SETTING)(), key)
    assert header["alg"] == "RS256"
    assert claims["iss"] == claims["sub"] == "my-client"
    assert claims["aud"] == AUDIENCE
    assert 590 <= claims["exp"] - time.time() <= 601
    assert header.get("kid") == ("k1" if form.startswith("jwk") else None)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_each_assertion_is_fresh(key: rsa.RSAPrivateKey) -> None:
    sign = signer("c", _pem(key, serialization.PrivateFormat.PKCS8), SETTING)
    assert sign() != sign()  # a new jti every time


def test_key_under_2048_bits_is_refused_naming_the_setting() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(ConfigError, match=r"zpa:privateKey: the RSA key has 1024 bits; at least"):
        signer("c", _pem(small, serialization.PrivateFormat.PKCS8), SETTING)


def test_non_rsa_key_is_refused() -> None:
    curve = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ConfigError, match="must be an RSA key"):
        signer("c", _pem(curve, serialization.PrivateFormat.PKCS8), SETTING)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        (
            "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
            "PKCS#8 or PKCS#1",
        ),
        ('{"kty": "EC", "d": "c2VjcmV0"}', "RSA key (kty RSA)"),
        ('{"kty": "RSA", "n": "AQAB"', "not valid JSON"),
        ("/no/such/key-file.pem", "no readable file"),
        ("c2VjcmV0LWtleS1tYXRlcmlhbA", "no readable file"),
    ],
)
def test_unreadable_key_fails_without_showing_it(source: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        signer("c", source, SETTING)
    message = str(err.value)
    assert fragment in message and message.startswith(SETTING)
    for piece in ("bm90IGEga2V5", "c2VjcmV0", "/no/such"):
        assert piece not in message


def test_missing_extra_names_it(key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives", None)
    with pytest.raises(ConfigError, match=r"pulumi-zpa-pkeys\[private-key\]"):
        signer("c", _pem(key, serialization.PrivateFormat.PKCS8), SETTING)


def test_settings_take_exactly_one_of_secret_and_key() -> None:
    base = {"zpa:clientId": "c", "zpa:customerId": "1", "zpa:vanityDomain": "acme"}
    with pytest.raises(ConfigError, match="zpa:clientSecret"):
        Settings.from_config(base, {})
    with pytest.raises(ConfigError, match="set only one of it and zpa:clientSecret"):
        Settings.from_config({**base, "zpa:clientSecret": "s", "zpa:privateKey": "k"}, {})
    with pytest.raises(ConfigError, match="OneAPI only"):
        Settings.from_config(
            {**base, "zpa:useLegacyClient": "true", "zpa:zpaClientId": "c",
             "zpa:zpaClientSecret": "s", "zpa:privateKey": "k"}, {},
        )  # fmt: skip
    settings = Settings.from_config({**base}, {"ZSCALER_PRIVATE_KEY": "-----BEGIN x"})
    assert settings.private_key == "-----BEGIN x" and settings.client_secret == ""
    assert "BEGIN" not in repr(settings)


@pytest.mark.parametrize("damage", ["d + 2", "d = 0", "p of another key", "e changed"])
@pytest.mark.parametrize("crt", [True, False], ids=["with CRT numbers", "n, e, d only"])
def test_a_jwk_whose_numbers_do_not_match_is_one_line_naming_the_setting(
    key: rsa.RSAPrivateKey, damage: str, crt: bool
) -> None:
    jwk = json.loads(_jwk(key, crt=crt))
    numbers = key.private_numbers()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_numbers()
    if damage == "d + 2":
        jwk["d"] = _b64(numbers.d + 2)
    elif damage == "d = 0":
        jwk["d"] = "AA"
    elif damage == "p of another key":
        jwk |= {"p": _b64(other.p), "n": _b64(other.p * numbers.q)} if crt else {}
        jwk["d"] = jwk["d"] if crt else _b64(other.d)
    else:
        jwk["e"] = _b64(3)
    with pytest.raises(ConfigError) as err:
        signer("c", json.dumps(jwk), SETTING)
    message = str(err.value)
    assert message == f"{SETTING}: the JWK's numbers do not form an RSA key"
    assert err.value.__cause__ is None and err.value.__suppress_context__


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "key.fifo"
    os.mkfifo(path)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["a FIFO without a writer", "/dev/zero", "a directory"])
def test_a_key_path_that_is_no_regular_file_is_refused_at_once(kind: str, tmp_path: Path) -> None:
    """A FIFO once blocked sign-in forever, /dev/zero was read until MemoryError: each is
    refused without reading, in a thread the test can wait for."""
    path = {
        "a FIFO without a writer": lambda: _fifo(tmp_path),
        "/dev/zero": lambda: Path("/dev/zero"),
        "a directory": lambda: tmp_path,
    }[kind]()
    if not path.exists():
        pytest.skip(f"{path} does not exist here")
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            signer("c", str(path), SETTING)
            outcome.append(None)
        except BaseException as err:
            outcome.append(err)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive() and path.is_fifo():  # unblock the old behaviour's open()
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    assert outcome, "the signer did not return"
    (error,) = outcome
    assert isinstance(error, ConfigError)
    assert str(error).startswith(f"{SETTING}: the path names no regular file")
    assert str(path) not in str(error)


def test_a_key_file_over_the_size_cap_is_refused(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    big = tmp_path / "key.pem"
    pem = _pem(key, serialization.PrivateFormat.PKCS8)
    big.write_text(pem + "\n" * MAX_KEY_FILE_BYTES)
    with pytest.raises(ConfigError, match=rf"larger than {MAX_KEY_FILE_BYTES} bytes"):
        signer("c", str(big), SETTING)
    exact = tmp_path / "exact.pem"
    exact.write_text(pem + "\n" * (MAX_KEY_FILE_BYTES - len(pem)))
    assert signer("c", str(exact), SETTING)()
