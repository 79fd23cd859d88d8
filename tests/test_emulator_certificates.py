"""Browser-access certificates in the emulator: the stdlib X.509 reader against certificates made
by `cryptography` (no sockets), the upload rules, and the API over HTTP (the `zpa_emulator`
subprocess). The recorded exchanges are replayed by test_emulator_recorded.py; here the fields
derived from the recorded PEM are compared with the recorded answer value for value."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pki
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pulumi_zpa_pkeys.emulator import x509
from pulumi_zpa_pkeys.emulator.certificates import derive
from pulumi_zpa_pkeys.emulator.errors import EmulatorError
from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator

RECORDED = Path(__file__).resolve().parent / "data" / "recorded" / "ba_certificate_exchanges.json"
CID = "216196257331281920"
V1 = f"/v1/admin/customers/{CID}"
V2 = f"/v2/admin/customers/{CID}"


def _recorded() -> list[dict[str, Any]]:
    exchanges: list[dict[str, Any]] = json.loads(RECORDED.read_text(encoding="utf-8"))
    return exchanges


# -- the X.509 reader (no sockets) ---------------------------------------------------------------


def test_reader_derives_what_cryptography_reads_from_an_rsa_certificate_with_san() -> None:
    key = pki.rsa_key()
    cert = pki.certificate(key, "web.example.com", san=["web.example.com", "10.1.2.3"])
    (block,) = x509.pem_blocks(pki.cert_pem(cert))

    read = x509.certificate(block.der)

    assert read.subject == cert.subject.rfc4514_string()
    assert read.subject == "CN=web.example.com,OU=IT,O=Example Inc,L=San Jose,ST=California,C=US"
    assert read.issuer == cert.issuer.rfc4514_string()
    assert read.serial == cert.serial_number
    assert read.not_before == int(cert.not_valid_before_utc.timestamp())
    assert read.not_after == int(cert.not_valid_after_utc.timestamp())
    assert read.common_name == "web.example.com"
    assert read.san == ["web.example.com", "10.1.2.3"]
    assert read.pem == pki.cert_pem(cert)
    spki = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert read.public_key_pem == spki.decode()


def test_reader_takes_ec_keys_in_both_pem_forms() -> None:
    key = pki.ec_key()
    cert = x509.certificate(x509.pem_blocks(pki.cert_pem(pki.certificate(key)))[0].der)
    for form in ("pkcs8", "traditional"):
        (block,) = x509.pem_blocks(pki.key_pem(key, form))
        assert x509.matches(x509.private_key(block), cert.public_key), form
    other = ec.generate_private_key(ec.SECP256R1())
    (block,) = x509.pem_blocks(pki.key_pem(other))
    assert not x509.matches(x509.private_key(block), cert.public_key)


def test_reader_escapes_special_characters_in_names() -> None:
    cert = pki.certificate(pki.rsa_key(), "a,b+c")
    read = x509.certificate(x509.pem_blocks(pki.cert_pem(cert))[0].der)
    assert read.subject.startswith("CN=a\\,b\\+c,") and read.common_name == "a,b+c"


def test_recorded_upload_derives_the_recorded_answer_value_for_value() -> None:
    create = _recorded()[0]
    answer = create["response_body"]
    derived = derive(create["request_body"]["certBlob"])
    for field in ("cName", "issuedTo", "issuedBy", "serialNo", "validFromInEpochSec",
                  "validToInEpochSec", "certificate", "publicKey", "san"):  # fmt: skip
        assert derived[field] == answer[field], field


# -- upload rules (no sockets) -------------------------------------------------------------------


def _refusal(blob: Any) -> EmulatorError:
    with pytest.raises(EmulatorError) as err:
        derive(blob)
    assert (err.value.status, err.value.error_id, err.value.params) == (
        400, "invalid.resource.argument", ["certBlob"],
    )  # fmt: skip
    if isinstance(blob, str):
        assert not pki.shows_any(err.value.reason, blob)
    return err.value


def test_chain_with_leaf_and_issuer_is_taken_and_the_leaf_is_the_key_s_certificate() -> None:
    ca_key, leaf_key = pki.rsa_key("ca"), pki.rsa_key("leaf")
    ca = pki.certificate(ca_key, "Example CA", serial=1)
    leaf = pki.certificate(leaf_key, "app.example.com", issuer_key=ca_key, issuer_cn="Example CA")
    for chain in ((leaf, ca), (ca, leaf)):  # either order: the leaf is the key's certificate
        fields = derive(pki.blob(leaf_key, *chain))
        assert fields["cName"] == "app.example.com"
        assert fields["issuedBy"].startswith("CN=Example CA,")
        assert fields["certificate"] == pki.cert_pem(leaf)
        assert fields["san"] == ["app.example.com"]


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("no certificate", "holds no certificate"),
        ("no key", "exactly one private key; it holds 0"),
        ("two keys", "exactly one private key; it holds 2"),
        ("another key", "does not belong to its certificate"),
        ("ec key for rsa cert", "does not belong to its certificate"),
        ("encrypted key", "encrypted"),
        ("not base64", "not valid PEM"),
        ("unclosed block", "not valid PEM"),
        ("not a certificate", "certificate that cannot be read"),
    ],
)
def test_upload_is_refused_without_quoting_it(case: str, fragment: str) -> None:
    key, other = pki.rsa_key(), pki.rsa_key("other")
    cert = pki.cert_pem(pki.certificate(key))
    key_text = pki.key_pem(key)
    blob = {
        "no certificate": key_text,
        "no key": cert,
        "two keys": cert + key_text + pki.key_pem(other),
        "another key": cert + pki.key_pem(other),
        "ec key for rsa cert": cert + pki.key_pem(pki.ec_key()),
        "encrypted key": cert
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        ).decode(),
        "not base64": cert.replace("\n", "\n!!", 1) + key_text,
        "unclosed block": cert + key_text.split("-----END")[0],
        "not a certificate": cert.replace(cert.splitlines()[1], "QUJD" * 16) + key_text,
    }[case]
    assert fragment in _refusal(blob).reason


@pytest.mark.parametrize("blob", [None, "", 42, "just text"])
def test_upload_that_is_not_a_pem_string_is_refused(blob: Any) -> None:
    _refusal(blob)


# -- the API over HTTP -------------------------------------------------------------------------


class Api:
    def __init__(self, emu: RunningEmulator) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {emu.token()}"
        self.base = emu.url + "/zpa/mgmtconfig"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=10, **kwargs)

    def upload(self, name: str, blob: str, **extra: Any) -> requests.Response:
        return self.call(
            "POST", f"{V1}/certificate", json={"name": name, "certBlob": blob, **extra}
        )


@pytest.fixture
def api(zpa_emulator: RunningEmulator) -> Iterator[Api]:
    client = Api(zpa_emulator)
    yield client
    client.session.close()


def test_create_answers_201_with_derived_fields_and_never_the_blob(
    api: Api, zpa_emulator: RunningEmulator
) -> None:
    blob = pki.blob(pki.rsa_key(), pki.certificate(pki.rsa_key(), "portal.example.com"))
    created = api.upload("portal", blob, description="the portal")
    assert created.status_code == 201, created.text
    body = created.json()
    assert "certBlob" not in body and not pki.shows_any(created.text, pki.key_pem(pki.rsa_key()))
    assert (body["name"], body["description"], body["cName"]) == (
        "portal", "the portal", "portal.example.com",
    )  # fmt: skip
    assert body["san"] == ["portal.example.com"] and body["readOnly"] is False
    assert "microtenantName" not in body and "microtenantId" not in body
    assert all(isinstance(body[f], str) for f in ("id", "serialNo", "validToInEpochSec"))

    got = api.call("GET", f"{V1}/certificate/{body['id']}").json()
    assert got == {**body, "microtenantName": "Default"}
    twin = api.call("GET", f"{V1}/clientlessCertificate/{body['id']}")
    assert twin.status_code == 200 and twin.json() == got
    (stored,) = zpa_emulator.state()["certificates"]
    assert stored["certBlob"] == blob and stored["microtenantId"] == "0"


def test_every_list_finds_the_certificate_by_name_ignoring_case(api: Api) -> None:
    cert_id = api.upload("Portal Cert", pki.blob()).json()["id"]
    api.upload("other", pki.blob(pki.rsa_key("b")))
    for path in (f"{V1}/certificate", f"{V2}/certificate/issued",
                 f"{V2}/clientlessCertificate/issued"):  # fmt: skip
        found = api.call("GET", path, params={"search": "name EQ portal cert"}).json()
        assert [c["id"] for c in found["list"]] == [cert_id], path
        assert found["list"][0]["microtenantName"] == "Default"
        everything = api.call("GET", path, params={"pagesize": "1"}).json()
        assert (everything["totalCount"], everything["totalPages"]) == ("2", "2")


def test_put_changes_name_and_description_only(api: Api) -> None:
    created = api.upload("before", pki.blob(), description="old").json()
    path = f"{V1}/certificate/{created['id']}"

    assert api.call("PUT", path, json={"name": "after", "description": "new"}).status_code == 204
    got = api.call("GET", path).json()
    assert (got["name"], got["description"]) == ("after", "new")
    assert got["certificate"] == created["certificate"]

    refused = api.call("PUT", path, json={"name": "after", "certBlob": pki.blob()})
    assert refused.status_code == 400 and refused.json()["params"] == ["certBlob"]
    assert api.call("PUT", path, json={"name": "after", "description": ""}).status_code == 204
    assert "description" not in api.call("GET", path).json()


def test_names_are_unique_per_microtenant_ignoring_case(api: Api) -> None:
    assert api.upload("Edge", pki.blob()).status_code == 201
    duplicate = api.upload("edge", pki.blob())
    assert duplicate.status_code == 400 and duplicate.json()["params"] == ["name"]
    elsewhere = api.call(
        "POST", f"{V1}/certificate", params={"microtenantId": "42"},
        json={"name": "edge", "certBlob": pki.blob()},
    )  # fmt: skip
    assert elsewhere.status_code == 201
    cert_id = elsewhere.json()["id"]
    assert elsewhere.json()["microtenantId"] == "42"
    assert api.call("GET", f"{V1}/certificate/{cert_id}").json()["id"] == "resource.not.found"
    scoped = api.call("GET", f"{V1}/certificate/{cert_id}", params={"microtenantId": "42"})
    assert scoped.json()["microtenantName"] == "Microtenant 42"


def test_delete_answers_204_then_the_certificate_is_gone(api: Api) -> None:
    cert_id = api.upload("gone", pki.blob()).json()["id"]
    deleted = api.call("DELETE", f"{V1}/certificate/{cert_id}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    again = api.call("DELETE", f"{V1}/certificate/{cert_id}")
    assert (again.status_code, again.json()["id"]) == (400, "resource.not.found")


def test_refused_upload_over_http_names_certblob_and_quotes_nothing(api: Api) -> None:
    key = pki.rsa_key()
    blob = pki.cert_pem(pki.certificate(key)) + pki.key_pem(pki.rsa_key("other"))
    refused = api.upload("bad", blob)
    assert refused.status_code == 400
    assert refused.json()["id"] == "invalid.resource.argument"
    assert refused.json()["params"] == ["certBlob"]
    assert not pki.shows_any(refused.text, blob)


def test_an_empty_description_on_create_is_no_description(api: Api) -> None:
    created = api.upload("plain", pki.blob(), description="")
    assert created.status_code == 201 and "description" not in created.json()


def _refused_naming_certblob(answer: requests.Response) -> str:
    assert (answer.status_code, answer.json()["id"]) == (400, "invalid.resource.argument")
    assert answer.json()["params"] == ["certBlob"]
    reason: str = answer.json()["reason"]
    return reason


def test_upload_of_unclosed_begin_lines_is_refused_in_linear_time(api: Api) -> None:
    # 3,000 BEGIN lines without END: the former scan was quadratic (about a second here, more
    # under load); one linear pass takes milliseconds, so 0.5 s leaves room for a busy machine.
    blob = "-----BEGIN CERTIFICATE-----\n" * 2300
    assert len(blob) < 65536
    started = time.perf_counter()
    reason = _refused_naming_certblob(api.upload("unclosed", blob))
    assert time.perf_counter() - started < 0.5
    assert "no END line" in reason


def test_upload_beyond_the_size_cap_is_refused_naming_certblob(api: Api) -> None:
    blob = pki.blob()
    padded = blob + "\n" * (65536 - len(blob) + 1)  # still a valid upload, one character long
    reason = _refused_naming_certblob(api.upload("big", padded))
    assert reason == "certBlob must be at most 65536 characters; it has 65537"
    assert api.upload("at the cap", blob + "\n" * (65536 - len(blob))).status_code == 201


@pytest.mark.parametrize(
    "der",
    [
        bytes.fromhex("3003020100"),  # version only
        bytes.fromhex("30050201003000"),  # version, an empty algorithm
        bytes.fromhex("3010020100300b06092a864886f70d010101"),  # version, algorithm: no key
        bytes.fromhex("300702010030000400"),  # version, an empty algorithm, a key
    ],
    ids=["version only", "empty algorithm", "no key", "empty algorithm and a key"],
)
def test_upload_of_a_pkcs8_key_with_too_few_elements_is_refused_naming_certblob(
    api: Api, der: bytes
) -> None:
    blob = pki.cert_pem(pki.certificate(pki.rsa_key())) + x509.pem("PRIVATE KEY", der)
    reason = _refused_naming_certblob(api.upload("short key", blob))
    assert reason == "certBlob holds a private key that cannot be read (RSA or EC expected)"


def test_upload_of_an_oversized_rsa_key_is_refused_without_checking_it() -> None:
    # A made-up 16384-bit "key": checking its numbers would take about 15 s.
    n, e, d = (1 << 16383) + 1, 65537, (1 << 16382) + 3
    ints = b"".join(_der_int(v) for v in (0, n, e, d))
    der = b"\x30\x82" + len(ints).to_bytes(2, "big") + ints
    blob = pki.cert_pem(pki.certificate(pki.rsa_key())) + x509.pem("RSA PRIVATE KEY", der)
    started = time.perf_counter()
    assert "cannot be read" in _refusal(blob).reason
    assert time.perf_counter() - started < 0.5


def _der_int(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    size = len(body)
    length = bytes([size]) if size < 0x80 else b"\x82" + size.to_bytes(2, "big")
    return b"\x02" + length + body
