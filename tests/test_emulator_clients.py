"""OneAPI clients that sign in with a private key, in the emulator over HTTP: the time claims of
a client assertion must be finite numbers, and ``exp`` in the future, ``nbf`` (when sent) not;
registered clients are kept by ``--state`` (and by a reset), like the tenant's objects."""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pki
import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator, emulator

AUDIENCE = "https://api.zscaler.com"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ONEAPI_401 = {"detail": "unauthorized", "type": "", "title": "", "status": ""}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64_int(number: int) -> str:
    return _b64(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def public_jwk() -> dict[str, str]:
    numbers = pki.rsa_key("client").public_key().public_numbers()
    return {"kty": "RSA", "n": _b64_int(numbers.n), "e": _b64_int(numbers.e)}


def assertion(client_id: str, claims_json: str | None = None, **claims: Any) -> str:
    """A client assertion signed with the "client" key; ``claims`` override the valid ones, or
    ``claims_json`` is the payload as sent (for numbers JSON cannot say, such as 1e400)."""
    now = int(time.time())
    body = {"iss": client_id, "sub": client_id, "aud": AUDIENCE, "iat": now,
            "exp": now + 600, "jti": uuid.uuid4().hex, **claims}  # fmt: skip
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = _b64((claims_json or json.dumps(body)).encode())  # NaN and Infinity as Python writes
    signature = pki.rsa_key("client").sign(
        f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{header}.{payload}.{_b64(signature)}"


def token_request(emu: RunningEmulator, client_id: str, signed: str) -> requests.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id,
            "client_assertion": signed, "client_assertion_type": ASSERTION_TYPE,
            "audience": AUDIENCE}  # fmt: skip
    return requests.post(f"{emu.url}/oauth2/v1/token", data=form, timeout=10)


@pytest.fixture
def client_id(zpa_emulator: RunningEmulator) -> str:
    name = f"pk-{uuid.uuid4().hex[:12]}"
    zpa_emulator.register_client(name, public_jwk())
    return name


def _claims(client_id: str, **times: str) -> str:
    now = int(time.time())
    fields = {"exp": str(now + 600), **times}
    text = ",".join(f'"{name}":{value}' for name, value in fields.items())
    return f'{{"iss":"{client_id}","sub":"{client_id}","aud":"{AUDIENCE}","iat":{now},{text}}}'


@pytest.mark.parametrize(
    "times",
    [
        {"exp": "NaN"},
        {"exp": "Infinity"},
        {"exp": "1e400"},  # parsed as infinity
        {"exp": '"9999999999"'},  # a string is not a NumericDate
        {"nbf": "NaN"},
        {"nbf": "-Infinity"},
        {"nbf": str(int(time.time()) + 3600)},  # not valid for another hour
    ],
    ids=[
        "exp NaN",
        "exp Infinity",
        "exp 1e400",
        "exp a string",
        "nbf NaN",
        "nbf -Infinity",
        "nbf in the future",
    ],
)
def test_assertion_with_a_time_claim_that_is_not_valid_now_is_refused_with_401(
    zpa_emulator: RunningEmulator, client_id: str, times: dict[str, str]
) -> None:
    answer = token_request(
        zpa_emulator, client_id, assertion(client_id, _claims(client_id, **times))
    )
    assert (answer.status_code, answer.json()) == (401, ONEAPI_401)


def test_assertion_with_nbf_now_or_before_signs_in(
    zpa_emulator: RunningEmulator, client_id: str
) -> None:
    for nbf in (int(time.time()) - 60, int(time.time())):
        answer = token_request(zpa_emulator, client_id, assertion(client_id, nbf=nbf))
        assert answer.status_code == 200, answer.text


def test_registered_clients_survive_a_restart_with_state_and_a_reset(tmp_path: Path) -> None:
    journal = tmp_path / "zpa.jsonl"
    with emulator(state_file=journal) as first:
        first.register_client("kept", public_jwk())
        first.register_client("dropped", public_jwk())
        requests.post(f"{first.url}/_emulator/reset", timeout=10)
        assert token_request(first, "kept", assertion("kept")).status_code == 200
    with emulator(state_file=journal) as second:
        listed = requests.get(f"{second.url}/_emulator/clients", timeout=10).json()
        assert listed == ["dropped", "kept"]
        assert token_request(second, "kept", assertion("kept")).status_code == 200
        requests.delete(f"{second.url}/_emulator/clients", timeout=10)
    with emulator(state_file=journal) as third:
        assert requests.get(f"{third.url}/_emulator/clients", timeout=10).json() == []
        refused = token_request(third, "kept", assertion("kept"))
        assert (refused.status_code, refused.json()) == (401, ONEAPI_401)


def test_a_damaged_client_record_in_the_journal_is_refused_at_start(tmp_path: Path) -> None:
    from pulumi_zpa_pkeys.emulator.backend import Backend
    from pulumi_zpa_pkeys.emulator.store import Journal, JournalError

    journal = tmp_path / "zpa.jsonl"
    backend = Backend(journal=Journal(journal))
    backend.register_client(body={"client_id": "c", "public_jwk": public_jwk()})
    backend.close()
    text = journal.read_text()
    record = next(line for line in text.splitlines() if '"k":"clients"' in line)
    damaged = json.loads(record)
    damaged["o"]["n"] = "AQAB"  # a 17-bit "modulus"
    journal.write_text(text.replace(record, json.dumps(damaged, separators=(",", ":"))))
    with pytest.raises(JournalError, match="public_jwk must be an RSA key"):
        Backend(journal=Journal(journal))
