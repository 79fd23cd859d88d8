"""BaCertificate's rules as pure functions (no API, no sockets): what Check refuses at preview
(never quoting the blob), what a change does, and what the outputs keep of the blob."""

from __future__ import annotations

import time
from typing import Any

import pki
import pytest
from pulumi.output import Unknown

from pulumi_zpa_pkeys.ba_certificate import (
    SCHEMA,
    BaCertificateArgs,
    _without_blob,
    blob_digest,
    check_inputs,
    diff_inputs,
)


def _checked(**inputs: Any) -> dict[str, Any]:
    checked, failures = check_inputs({"name": "portal", "cert_blob": pki.blob(), **inputs})
    assert failures == []
    return checked


def _outputs(inputs: dict[str, Any]) -> dict[str, Any]:
    return SCHEMA.answer_outputs({"name": inputs["name"]}, {"cert_blob": inputs["cert_blob"]}, {})


def _cases() -> dict[str, tuple[str, str]]:
    key = pki.rsa_key()
    cert, key_text = pki.cert_pem(pki.certificate(key)), pki.key_pem(key)
    return {
        "only a key": (key_text, "holds no CERTIFICATE block"),
        "only a certificate": (cert, "exactly one private key"),
        "two keys": (cert + key_text + pki.key_pem(pki.rsa_key("other")), "it holds 2"),
        "a public key instead": (
            cert + "-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----\n",
            "it holds 0",
        ),
        "encrypted key": (
            cert + key_text.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
            "encrypted private key",
        ),
        "legacy encrypted key": (
            cert
            + pki.key_pem(key, "traditional").replace(
                "-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n", 1
            ),
            "encrypted",
        ),
        "unclosed block": (cert + key_text.split("-----END")[0], "no END line"),
        "not base64": (cert.replace("\n", "\n%%", 1) + key_text, "not base64"),
        "no PEM at all": ("not a certificate", "holds no CERTIFICATE block"),
        "empty": ("", "must be a certificate PEM"),
        "the key of another certificate": (
            pki.cert_pem(pki.certificate(pki.rsa_key("other"))) + key_text,
            "belongs to none of its 1 certificate",
        ),
        "an EC key with an RSA certificate": (cert + pki.key_pem(pki.ec_key()), "belongs to none"),
        "a damaged key": (
            cert + key_text.replace(pki.base64_lines(key_text)[3], "A" * 64),
            "cannot be used",
        ),
        "a CERTIFICATE block that is no certificate": (
            cert + "-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n" + key_text,
            "its 2nd CERTIFICATE block is not an X.509 certificate",
        ),
        "over the size cap": (cert + key_text + "\n" * 70_000, "at most 65536 are accepted"),
    }


@pytest.mark.parametrize("case", sorted(_cases()))
def test_check_refuses_a_bad_blob_naming_the_field_and_never_the_content(case: str) -> None:
    blob, fragment = _cases()[case]
    _, failures = check_inputs({"name": "portal", "cert_blob": blob})
    ((field, reason),) = [(f.property, f.reason) for f in failures]
    assert field == "cert_blob" and fragment in reason, reason
    assert not pki.shows_any(reason, blob) and "MII" not in reason


def test_check_passes_a_chain_in_any_order_and_an_ec_key() -> None:
    key, issuer = pki.rsa_key(), pki.rsa_key("issuer")
    leaf = pki.certificate(key, issuer_key=issuer, issuer_cn="Issuing CA")
    ca = pki.certificate(issuer, "Issuing CA")
    for chain in ((leaf, ca), (ca, leaf)):
        _checked(cert_blob=pki.blob(key, *chain))
    _checked(cert_blob=pki.blob(pki.ec_key()))
    _checked(cert_blob=pki.blob(pki.ec_key(), form="traditional"))


def test_check_refuses_a_hostile_blob_under_the_cap_at_once() -> None:
    """60 KB of unclosed BEGIN lines took about a second to scan when the scan restarted at
    each BEGIN; it is refused at the first one now."""
    hostile = "-----BEGIN CERTIFICATE-----\n" * (60_000 // 28)
    started = time.perf_counter()
    _, failures = check_inputs({"name": "portal", "cert_blob": hostile})
    assert time.perf_counter() - started < 0.5
    assert ["no END line" in f.reason for f in failures] == [True]


def test_check_requires_the_blob_and_passes_an_unknown_one() -> None:
    _, failures = check_inputs({"name": "portal"})
    assert [(f.property, f.reason) for f in failures] == [("cert_blob", "a value is required")]
    checked, failures = check_inputs({"name": "portal", "cert_blob": Unknown()})
    assert failures == [] and checked["description"] == ""


def test_outputs_keep_a_digest_only_and_rewrapping_the_pem_is_no_change() -> None:
    inputs = _checked()
    outs = _outputs(inputs)
    assert outs["cert_blob"] == blob_digest(inputs["cert_blob"])
    assert outs["cert_blob"].startswith("sha256:") and "PRIVATE" not in str(outs)
    assert blob_digest(outs["cert_blob"]) == outs["cert_blob"]

    rewrapped = inputs["cert_blob"].replace("\n", "\r\n") + "\n\n"
    assert diff_inputs(outs, _checked(cert_blob=rewrapped)).changes is False
    assert diff_inputs(SCHEMA.read_inputs(outs), inputs).changes is False  # after a refresh


def test_name_and_description_change_in_place_the_blob_and_microtenant_replace() -> None:
    outs = _outputs(_checked(description="old"))
    assert diff_inputs(outs, _checked(name="renamed", description="old")).replaces == []
    assert diff_inputs(outs, _checked(description="new")).changes is True
    assert diff_inputs(outs, _checked(description="new")).replaces == []

    other = pki.blob(pki.rsa_key("other"))
    new_blob = diff_inputs(outs, _checked(cert_blob=other, description="old"))
    assert (new_blob.replaces, new_blob.delete_before_replace) == (["cert_blob"], True)
    moved = diff_inputs(outs, _checked(microtenant_id="42", description="old"))
    assert moved.replaces == ["microtenant_id"]
    renamed = diff_inputs(outs, _checked(name="other", cert_blob=other, description="old"))
    assert renamed.delete_before_replace is False
    unknown = diff_inputs(outs, {**_checked(description="old"), "cert_blob": Unknown()})
    assert unknown.replaces == ["cert_blob"]


def test_no_description_and_an_empty_one_are_the_same() -> None:
    outs = _outputs(_checked())
    assert diff_inputs({**outs, "description": None}, _checked()).changes is False


def test_the_blob_is_sent_on_create_only() -> None:
    inputs = _checked(description="d")
    assert set(SCHEMA.body(inputs, None)) == {"name", "description", "certBlob"}
    assert SCHEMA.body(inputs, None, update=True) == {"name": "portal", "description": "d"}


def test_args_repr_and_messages_never_show_the_blob() -> None:
    blob = pki.blob()
    assert not pki.shows_any(repr(BaCertificateArgs(cert_blob=blob, name="x")), blob)
    line = pki.base64_lines(blob)[5]
    masked = _without_blob(f"create failed: ZPA said {line} is bad", blob)
    assert line not in masked and masked.endswith("*** is bad")
