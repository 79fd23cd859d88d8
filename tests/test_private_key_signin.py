"""OneAPI sign-in with a private key, end to end (issue "Several tenants / private key", part 2).

First the emulator's side: `POST /_emulator/clients` registers a client's public JWK, and the
token endpoint verifies RS256 client assertions with the standard library (each refusal for its
own reason, answered with the OneAPI 401). Then the package against it, with a key pair made
in the test: `zpa:privateKey` (a PEM, or a file) and no `zpa:clientSecret` take a
ProvisioningKey through the SDK's provider host with one sign-in for the whole process, a lookup
works in a program, and every refusal reaches the user as one line without the key.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pki
import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from support import key_inputs, keys_named, sign_ins

from pulumi_zpa_pkeys import _client_assertion, _host, get_enrollment_cert
from pulumi_zpa_pkeys.emulator.assertions import AssertionRefused, Clients
from pulumi_zpa_pkeys.errors import ZpaError
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError, RunningEmulator, run_program

AUDIENCE = "https://api.zscaler.com"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ONEAPI_401 = {"detail": "unauthorized", "type": "", "title": "", "status": ""}
TOKEN_PATH = "/oauth2/v1/token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64_int(number: int) -> str:
    return _b64(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def public_jwk(key: rsa.RSAPrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "n": _b64_int(numbers.n), "e": _b64_int(numbers.e)}


def assertion(key: rsa.RSAPrivateKey, client_id: str, **claims: Any) -> str:
    """A client assertion signed by `key`; `claims` override the valid ones."""
    now = int(time.time())
    body = {"iss": client_id, "sub": client_id, "aud": AUDIENCE, "iat": now,
            "exp": now + 600, "jti": uuid.uuid4().hex, **claims}  # fmt: skip
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(body).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{_b64(signature)}"


def _token_request(emu: RunningEmulator, client_id: str, signed: str, **form: str) -> Any:
    data = {"grant_type": "client_credentials", "client_id": client_id,
            "client_assertion": signed, "client_assertion_type": ASSERTION_TYPE,
            "audience": AUDIENCE, **form}  # fmt: skip
    return requests.post(emu.url + TOKEN_PATH, data=data, timeout=10)


@pytest.fixture
def client_id(zpa_emulator: RunningEmulator) -> str:
    """A client registered with the public half of `pki.rsa_key("client")`."""
    name = f"pk-{uuid.uuid4().hex[:12]}"
    zpa_emulator.register_client(name, public_jwk(pki.rsa_key("client")))
    return name


# -- the emulator: registering clients, verifying assertions --------------------------------------


def test_a_valid_assertion_gets_a_oneapi_token_that_works(
    zpa_emulator: RunningEmulator, client_id: str
) -> None:
    answer = _token_request(zpa_emulator, client_id, assertion(pki.rsa_key("client"), client_id))
    assert answer.status_code == 200, answer.text
    assert isinstance(answer.json()["expires_in"], int)
    listed = requests.get(
        f"{zpa_emulator.url}/zpa/mgmtconfig/v2/admin/customers/{zpa_emulator.customer_id}"
        "/enrollmentCert",
        headers={"Authorization": f"Bearer {answer.json()['access_token']}"},
        timeout=10,
    )
    assert listed.status_code == 200


def _refusals(client_id: str) -> dict[str, tuple[str, dict[str, str]]]:
    """(assertion, extra form fields) per refusal, for `client_id` registered with the
    "client" key."""
    mine, other = pki.rsa_key("client"), pki.rsa_key("other")
    good = assertion(mine, client_id)
    head, payload, signature = good.split(".")
    forever = {"iss": client_id, "sub": client_id, "aud": AUDIENCE, "exp": 2**40}
    return {
        "bad signature": (assertion(other, client_id), {}),
        "wrong audience": (assertion(mine, client_id, aud="https://api.example.com"), {}),
        "expired": (assertion(mine, client_id, exp=int(time.time()) - 1), {}),
        "unknown client": (assertion(mine, "nobody"), {"client_id": "nobody"}),
        "iss, sub and client_id differ": (assertion(mine, client_id, sub="someone"), {}),
        "tampered claims": (f"{head}.{_b64(json.dumps(forever).encode())}.{signature}", {}),
        "not RS256": (
            f"{_b64(json.dumps({'alg': 'none'}).encode())}.{payload}.",
            {},
        ),
        "wrong assertion type": (good, {"client_assertion_type": "urn:example"}),
    }


REASONS = {
    "bad signature": "bad signature",
    "wrong audience": "wrong audience",
    "expired": "expired",
    "unknown client": "unknown client",
    "iss, sub and client_id differ": "differ",
    "tampered claims": "bad signature",
    "not RS256": "not RS256",
    "wrong assertion type": "jwt-bearer",
}


@pytest.mark.parametrize("case", sorted(REASONS))
def test_each_bad_assertion_is_refused_with_the_oneapi_401(
    zpa_emulator: RunningEmulator, client_id: str, case: str
) -> None:
    signed, form = _refusals(client_id)[case]
    answer = _token_request(zpa_emulator, form.pop("client_id", client_id), signed, **form)
    assert (answer.status_code, answer.json()) == (401, ONEAPI_401)


@pytest.mark.parametrize("case", sorted(REASONS))
def test_each_refusal_is_for_its_own_reason(case: str) -> None:
    clients = Clients()
    clients.register(body={"client_id": "c1", "public_jwk": public_jwk(pki.rsa_key("client"))})
    signed, form = _refusals("c1")[case]
    request = {"client_id": "c1", "client_assertion": signed,
               "client_assertion_type": ASSERTION_TYPE, **form}  # fmt: skip
    with pytest.raises(AssertionRefused, match=REASONS[case]):
        clients.verify(request)
    assert clients.verify({**request, **_good_form("c1")}) == "c1"


def _good_form(client_id: str) -> dict[str, str]:
    return {
        "client_id": client_id,
        "client_assertion": assertion(pki.rsa_key("client"), client_id),
        "client_assertion_type": ASSERTION_TYPE,
    }


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "crv": "P-256", "x": "AQ", "y": "AQ"},
        {"kty": "RSA", "n": "not*base64", "e": "AQAB"},
        {"kty": "RSA", "n": _b64_int(2**1023 + 1), "e": "AQAB"},  # 1024 bits
        "a string",
    ],
)
def test_registering_a_client_refuses_a_jwk_that_is_not_a_big_enough_rsa_key(
    zpa_emulator: RunningEmulator, jwk: Any
) -> None:
    answer = requests.post(
        f"{zpa_emulator.url}/_emulator/clients",
        json={"client_id": "c", "public_jwk": jwk},
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["params"] == ["public_jwk"]


# -- the package signing in with a key --------------------------------------------------------


def _key_config(emu: RunningEmulator, client: str, key_source: str) -> dict[str, str]:
    config = {k: v for k, v in emu.config.items() if k != "zpa:clientSecret"}
    return {**config, "zpa:clientId": client, "zpa:privateKey": key_source}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))}


def _lifecycle(host: ProviderHost, emu: RunningEmulator, name: str) -> None:
    """Create, refresh after drift, update, destroy a key; the emulator must show each step."""
    state = host.up(name, key_inputs(name))
    assert [k["id"] for k in keys_named(emu, name)] == [state.id]
    emu.patch_key(state.id, maxUsage="7")
    refreshed = host.refresh(state)
    assert refreshed is not None and refreshed.outputs["max_usage"] == 7
    updated = host.up(name, key_inputs(name, max_usage=3), refreshed)
    assert updated.outputs["max_usage"] == 3
    host.destroy(updated)
    assert keys_named(emu, name) == []


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "zpa-api-client.pem"
    path.write_text(pki.key_pem(pki.rsa_key("client")))
    return path


@pytest.mark.parametrize("source", ["pem", "file"])
def test_a_key_lifecycle_through_the_provider_host_signs_in_once(
    zpa_emulator: RunningEmulator, client_id: str, key_file: Path, source: str
) -> None:
    key_source = pki.key_pem(pki.rsa_key("client")) if source == "pem" else str(key_file)
    config = _key_config(zpa_emulator, client_id, key_source)
    with ProviderHost(ProvisioningKeyProvider(), config, env=_clean_env()) as host:
        zpa_emulator.clear_requests()
        _lifecycle(host, zpa_emulator, f"pk-{source}")
        tokens = [r for r in zpa_emulator.requests_log() if r["path"] == TOKEN_PATH]
    assert [r["status"] for r in tokens] == [200]  # one sign-in for the whole host process


def test_the_client_secret_mode_also_signs_in_once_per_process(
    zpa_emulator: RunningEmulator,
) -> None:
    config = {**zpa_emulator.config, "zpa:requestTimeoutSeconds": "28"}  # a fresh host
    with ProviderHost(ProvisioningKeyProvider(), config, env=_clean_env()) as host:
        zpa_emulator.clear_requests()
        _lifecycle(host, zpa_emulator, "secret-mode")
        assert sign_ins(zpa_emulator) == 1


PROGRAM = """
import pulumi
from pulumi_zpa_pkeys import get_enrollment_cert, get_enrollment_cert_output

cert = get_enrollment_cert(name="Connector")
pulumi.export("cert_id", cert.id)
pulumi.export("same_id", get_enrollment_cert_output(name="connector").apply(lambda c: c.id))
"""


def test_a_lookup_in_a_program_signs_in_with_the_key(
    zpa_emulator: RunningEmulator, client_id: str, tmp_path: Path
) -> None:
    (tmp_path / "__main__.py").write_text(PROGRAM)
    config = _key_config(zpa_emulator, client_id, pki.key_pem(pki.rsa_key("client")))
    zpa_emulator.clear_requests()

    run = run_program(tmp_path, project="pk", config=config)

    assert (run.stack_outputs["cert_id"], run.stack_outputs["same_id"]) == ("6573", "6573")
    tokens = [r for r in zpa_emulator.requests_log() if r["path"] == TOKEN_PATH]
    assert [r["status"] for r in tokens] == [200]


# -- every refusal reaches the user as one line without the key -----------------------------


def _without_key(text: str) -> bool:
    return all(not pki.shows_any(text, pki.key_pem(pki.rsa_key(k))) for k in ("client", "other"))


@pytest.mark.parametrize("case", ["bad signature", "unknown client"])
def test_a_refusal_through_the_provider_host_is_one_line_without_the_key(
    zpa_emulator: RunningEmulator, client_id: str, case: str
) -> None:
    key, client = (pki.rsa_key("other"), client_id) if case == "bad signature" else (
        pki.rsa_key("client"), "not-registered",
    )  # fmt: skip
    config = _key_config(zpa_emulator, client, pki.key_pem(key))
    with (
        ProviderHost(ProvisioningKeyProvider(), config, env=_clean_env()) as host,
        pytest.raises(ProviderHostError) as err,
    ):
        host.up("refused", key_inputs("refused"))
    message = err.value.message
    assert "401" in message and "sign in to ZPA (OneAPI)" in message
    assert "zpa:privateKey" in message and "zpa:clientSecret" not in message
    assert _without_key(err.value.details)
    assert keys_named(zpa_emulator, "refused") == []


@pytest.fixture
def key_configured(zpa_emulator: RunningEmulator, client_id: str) -> Iterator[None]:
    config = _key_config(zpa_emulator, client_id, pki.key_pem(pki.rsa_key("client")))
    _host.configure(config.get)
    yield


@pytest.mark.parametrize(
    ("case", "patch"),
    [
        ("wrong audience", {"AUDIENCE": "https://api.example.com"}),
        ("expired", {"LIFETIME_S": -60}),  # as if this machine's clock were behind
    ],
)
def test_a_refused_claim_reaches_a_lookup_as_one_line_without_the_key(
    key_configured: None, monkeypatch: pytest.MonkeyPatch, case: str, patch: dict[str, Any]
) -> None:
    for name, value in patch.items():
        monkeypatch.setattr(_client_assertion, name, value)
    with pytest.raises(ZpaError) as err:
        get_enrollment_cert(name="Connector")
    message = str(err.value)
    assert "\n" not in message and "401" in message and "zpa:privateKey" in message
    assert _without_key(message), case


def test_the_same_lookup_works_once_the_claims_are_right(key_configured: None) -> None:
    assert get_enrollment_cert(name="Connector").id == "6573"


def _mismatched_jwk() -> str:
    numbers = pki.rsa_key("client").private_numbers()
    jwk = {"kty": "RSA", "n": _b64_int(numbers.public_numbers.n),
           "e": _b64_int(numbers.public_numbers.e), "d": _b64_int(numbers.d + 2)}  # fmt: skip
    return json.dumps(jwk)


@pytest.mark.parametrize("case", ["a JWK whose numbers do not match", "a FIFO path"])
def test_an_unusable_private_key_setting_is_one_line_naming_it_through_the_provider_host(
    zpa_emulator: RunningEmulator, client_id: str, case: str, tmp_path: Path
) -> None:
    if case == "a FIFO path":
        source = str(tmp_path / "key.fifo")
        os.mkfifo(source)
    else:
        source = _mismatched_jwk()
    config = _key_config(zpa_emulator, client_id, source)
    zpa_emulator.clear_requests()
    with (
        ProviderHost(ProvisioningKeyProvider(), config, env=_clean_env()) as host,
        pytest.raises(ProviderHostError) as err,
    ):
        host.up("unusable", key_inputs("unusable"))
    message = err.value.message
    assert message.startswith("pulumi_zpa_pkeys.errors.ResourceError: create provisioning key")
    assert "zpa:privateKey: " in message
    assert "ValueError" not in err.value.details and source not in err.value.details
    assert zpa_emulator.requests_log() == []
