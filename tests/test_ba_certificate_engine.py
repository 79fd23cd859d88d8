"""BaCertificate through the engine path: the SDK's provider host over gRPC, against the emulator.

Every test drives `python -m pulumi.dynamic` as the Pulumi engine does and checks the emulator's
state and request log. The private key must appear in no output and no error; request counts
asserted here are the ones quoted in docs/resources.md.
"""

from __future__ import annotations

import json
from typing import Any

import pki
import pytest
import requests
from support import call_segments

from pulumi_zpa_pkeys.ba_certificate import BaCertificateProvider, blob_digest
from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError, ResourceState

CERTS = "/mgmtconfig/v1/admin/customers/{cid}/certificate"


@pytest.fixture
def host(host_for: Any) -> ProviderHost:
    provider_host: ProviderHost = host_for(BaCertificateProvider())
    return provider_host


def _inputs(name_: str, **changes: Any) -> dict[str, Any]:
    return {"name": name_, "cert_blob": pki.blob(), **changes}


_calls = call_segments


def _stored(emulator: Any, name: str | None = None) -> list[dict[str, Any]]:
    certs: list[dict[str, Any]] = emulator.state()["certificates"]
    return [c for c in certs if name is None or c["name"] == name]


def _up(host: ProviderHost, emulator: Any, name: str, **changes: Any) -> ResourceState:
    state = host.up(name, _inputs(name, **changes))
    emulator.clear_requests()
    return state


def _api(emulator: Any, method: str, path: str = "", **kwargs: Any) -> requests.Response:
    """A call through the API as another admin would make it (out of band)."""
    url = emulator.url + "/zpa" + CERTS.format(cid=emulator.customer_id) + path
    headers = {"Authorization": f"Bearer {emulator.token()}"}
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def _no_key(emulator: Any, *texts: Any) -> None:
    key = pki.key_pem(pki.rsa_key())
    for text in texts:
        dumped = text if isinstance(text, str) else json.dumps(text)
        assert not pki.shows_any(dumped, key) and "PRIVATE KEY-----" not in dumped


# -- create and no-op ----------------------------------------------------------------------


def test_create_is_one_post_and_every_output_but_the_key(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    zpa_emulator.clear_requests()
    inputs = _inputs("portal", description="the portal")
    state = host.up("portal", inputs)

    assert _calls(zpa_emulator) == [("POST", "certificate")]
    (live,) = _stored(zpa_emulator, "portal")
    assert state.id == live["id"] and live["certBlob"] == inputs["cert_blob"]
    out = state.outputs
    assert out["cert_blob"] == blob_digest(inputs["cert_blob"])
    assert (out["name"], out["description"], out["cname"]) == (
        "portal", "the portal", "app.example.com",
    )  # fmt: skip
    for field, api in [("certificate", "certificate"), ("issued_to", "issuedTo"),
                       ("issued_by", "issuedBy"), ("serial_no", "serialNo"),
                       ("public_key", "publicKey"), ("san", "san")]:  # fmt: skip
        assert out[field] == live[api], field
    assert out["valid_to_in_epoch_sec"] == int(live["validToInEpochSec"])
    assert out["creation_time"] > 0 and out.get("microtenant_id") is None
    _no_key(zpa_emulator, out)


def test_preview_of_an_unchanged_or_rewrapped_blob_is_same_and_calls_nothing(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(host, zpa_emulator, "same")
    assert host.preview("same", _inputs("same"), state).op == "same"
    rewrapped = pki.blob().replace("\n", "\r\n")
    assert host.preview("same", _inputs("same", cert_blob=rewrapped), state).op == "same"
    assert _calls(zpa_emulator) == []


@pytest.mark.parametrize(
    ("case", "fragment"),
    [("only a key", "holds no CERTIFICATE block"), ("two keys", "it holds 2")],
)
def test_a_bad_blob_fails_at_preview_naming_the_field_without_quoting_it(
    host: ProviderHost, zpa_emulator: Any, case: str, fragment: str
) -> None:
    key = pki.rsa_key()
    blob = {
        "only a key": pki.key_pem(key),
        "two keys": pki.blob(key) + pki.key_pem(pki.rsa_key("other")),
    }[case]
    outcome = host.preview("bad", _inputs("bad", cert_blob=blob))
    ((field, reason),) = outcome.failures
    assert field == "cert_blob" and fragment in reason
    _no_key(zpa_emulator, reason)
    assert _calls(zpa_emulator) == []


def test_a_key_that_is_not_the_certificate_s_fails_at_preview_without_quoting_it(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    blob = pki.cert_pem(pki.certificate(pki.rsa_key())) + pki.key_pem(pki.rsa_key("other"))
    outcome = host.preview("mismatch", _inputs("mismatch", cert_blob=blob))
    ((field, reason),) = outcome.failures
    assert field == "cert_blob" and "belongs to none of its 1 certificate" in reason
    _no_key(zpa_emulator, reason)
    assert not pki.shows_any(reason, blob) and _calls(zpa_emulator) == []


def test_a_rotation_to_a_blob_zpa_refuses_never_deletes_the_certificate_in_use(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    """Keeping the name, a replacement deletes first: a blob ZPA would refuse must fail Check,
    so the engine never calls Delete (and the certificate in use stays)."""
    state = _up(host, zpa_emulator, "in-use")
    foreign = pki.cert_pem(pki.certificate(pki.rsa_key("other"))) + pki.key_pem(pki.rsa_key())

    with pytest.raises(ProviderHostError) as err:
        host.up("in-use", _inputs("in-use", cert_blob=foreign), state)

    assert err.value.method == "Check" and "cert_blob" in err.value.message
    assert [c["id"] for c in _stored(zpa_emulator, "in-use")] == [state.id]
    assert _calls(zpa_emulator) == []


def test_a_hostile_100_kb_blob_is_refused_by_check_at_once(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    hostile = "-----BEGIN CERTIFICATE-----\n" * (100_000 // 28)
    outcome = host.check("hostile", _inputs("hostile", cert_blob=hostile))
    ((field, reason),) = outcome.failures
    assert field == "cert_blob" and "at most 65536" in reason
    assert _calls(zpa_emulator) == []


def test_create_without_check_refuses_a_foreign_key_as_one_line_and_sends_nothing(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    """Create re-checks its inputs: a blob that skipped Check never reaches ZPA either."""
    blob = pki.cert_pem(pki.certificate(pki.rsa_key())) + pki.key_pem(pki.rsa_key("other"))
    with pytest.raises(ProviderHostError) as err:
        host.create("mismatch", {**_inputs("mismatch", cert_blob=blob), "description": ""})
    assert err.value.message.startswith("pulumi_zpa_pkeys.errors.ResourceError: cert_blob:")
    assert "belongs to none of its 1 certificate" in err.value.message
    assert not pki.shows_any(err.value.details, blob)
    assert _stored(zpa_emulator) == [] and _calls(zpa_emulator) == []


# -- in-place updates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "api_field", "expected"),
    [
        ({"name": "portal-renamed"}, "name", "portal-renamed"),
        ({"description": "now described"}, "description", "now described"),
    ],
)
def test_name_and_description_really_reach_zpa_in_one_put_and_one_get(
    host: ProviderHost, zpa_emulator: Any, changes: dict[str, Any], api_field: str, expected: str
) -> None:
    state = _up(host, zpa_emulator, "portal")
    new_inputs = _inputs("portal", **changes)
    assert host.preview("portal", new_inputs, state).op == "update"

    updated = host.up("portal", new_inputs, state)

    assert updated.id == state.id
    (live,) = [c for c in _stored(zpa_emulator) if c["id"] == state.id]
    assert live[api_field] == expected
    assert live["certBlob"] == pki.blob()  # the upload is never sent again
    assert _calls(zpa_emulator) == [("PUT", state.id), ("GET", state.id)]
    assert updated.outputs[next(iter(changes))] == expected
    assert updated.outputs["cert_blob"] == state.outputs["cert_blob"]
    _no_key(zpa_emulator, updated.outputs)


def test_dropping_the_description_clears_it_in_zpa(host: ProviderHost, zpa_emulator: Any) -> None:
    state = _up(host, zpa_emulator, "desc", description="temporary")
    host.up("desc", _inputs("desc"), state)
    (live,) = _stored(zpa_emulator, "desc")
    assert "description" not in live


# -- replacements --------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["cert_blob", "microtenant_id"])
def test_a_new_blob_deletes_first_and_a_new_microtenant_creates_first(
    host: ProviderHost, zpa_emulator: Any, field: str
) -> None:
    state = _up(host, zpa_emulator, "rep")
    changes = {
        "cert_blob": {"cert_blob": pki.blob(pki.rsa_key("other"))},
        "microtenant_id": {"microtenant_id": "42"},
    }[field]
    new_inputs = _inputs("rep", **changes)
    preview = host.preview("rep", new_inputs, state)
    collides = field == "cert_blob"  # names are unique per microtenant
    assert (preview.op, preview.replaces, preview.delete_before_replace) == (
        "replace", [field], collides,
    )  # fmt: skip

    new_state = host.up("rep", new_inputs, state)

    assert new_state.id != state.id
    assert [c["id"] for c in _stored(zpa_emulator, "rep")] == [new_state.id]
    calls = [m for m, _ in _calls(zpa_emulator)]
    assert calls == (["DELETE", "POST"] if collides else ["POST", "DELETE"])


def test_a_replacement_that_renames_creates_first(host: ProviderHost, zpa_emulator: Any) -> None:
    state = _up(host, zpa_emulator, "old-name")
    new_inputs = _inputs("new-name", cert_blob=pki.blob(pki.rsa_key("other")))
    assert host.preview("old-name", new_inputs, state).delete_before_replace is False
    host.up("old-name", new_inputs, state)
    assert [m for m, _ in _calls(zpa_emulator)] == ["POST", "DELETE"]
    assert [c["name"] for c in _stored(zpa_emulator)] == ["new-name"]


# -- refresh, destroy ------------------------------------------------------------------------


def test_refresh_shows_changes_made_out_of_band_in_one_get(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(host, zpa_emulator, "drift", description="ours")
    edited = _api(zpa_emulator, "PUT", f"/{state.id}", json={"name": "drift-edited",
                                                              "description": "theirs"})  # fmt: skip
    assert edited.status_code == 204
    zpa_emulator.clear_requests()

    refreshed = host.refresh(state)

    assert refreshed is not None
    for props in (refreshed.outputs, refreshed.inputs):
        assert (props["name"], props["description"]) == ("drift-edited", "theirs")
    assert refreshed.outputs["cert_blob"] == state.outputs["cert_blob"]
    _no_key(zpa_emulator, refreshed.outputs, refreshed.inputs)  # what the next diff compares
    assert _calls(zpa_emulator) == [("GET", state.id)]
    assert host.preview("drift", _inputs("drift", description="ours"), refreshed).op == "update"


def test_refresh_after_an_out_of_band_delete_drops_the_resource(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    state = _up(host, zpa_emulator, "gone")
    assert _api(zpa_emulator, "DELETE", f"/{state.id}").status_code == 204
    assert host.refresh(state) is None


def test_destroy_twice_succeeds_with_one_delete_each(host: ProviderHost, zpa_emulator: Any) -> None:
    state = _up(host, zpa_emulator, "twice")
    host.destroy(state)
    host.destroy(state)
    assert _stored(zpa_emulator) == []
    assert _calls(zpa_emulator) == [("DELETE", state.id), ("DELETE", state.id)]


# -- adopt, get, lost answers ----------------------------------------------------------------


def test_adopt_existing_takes_over_the_same_certificate_and_applies_the_description(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    existing = _api(zpa_emulator, "POST", json={"name": "legacy", "certBlob": pki.blob()}).json()
    zpa_emulator.clear_requests()

    state = host.up("legacy", _inputs("legacy", description="adopted", adopt_existing=True))

    assert state.id == existing["id"]
    assert [c["description"] for c in _stored(zpa_emulator, "legacy")] == ["adopted"]
    assert [m for m, _ in _calls(zpa_emulator)] == ["GET", "PUT", "GET"]
    assert state.outputs["cert_blob"] == blob_digest(pki.blob())


def test_adopt_existing_refuses_a_certificate_of_that_name_with_another_certificate(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    other = pki.blob(pki.rsa_key("other"))
    _api(zpa_emulator, "POST", json={"name": "taken", "certBlob": other})
    with pytest.raises(ProviderHostError) as err:
        host.up("taken", _inputs("taken", adopt_existing=True))
    assert "cannot adopt" in err.value.message and "cert_blob" in err.value.message
    assert [c["certBlob"] for c in _stored(zpa_emulator, "taken")] == [other]


def test_static_get_reads_an_existing_certificate(host: ProviderHost, zpa_emulator: Any) -> None:
    existing = _api(zpa_emulator, "POST", json={"name": "ref", "certBlob": pki.blob()}).json()
    zpa_emulator.clear_requests()
    read = host.get("ref", existing["id"], {"microtenant_id": None})
    assert read.id == existing["id"] and read.outputs["name"] == "ref"
    assert read.outputs["cname"] == existing["cName"] and read.outputs.get("cert_blob") is None
    assert _calls(zpa_emulator) == [("GET", existing["id"])]


def test_lost_create_answer_leaves_exactly_one_certificate(
    host: ProviderHost, zpa_emulator: Any
) -> None:
    zpa_emulator.add_fault(method="POST", path_regex="certificate$", action="drop_after")
    zpa_emulator.clear_requests()

    state = host.up("lost", _inputs("lost"))

    (live,) = _stored(zpa_emulator, "lost")
    assert state.id == live["id"] and state.outputs["cname"] == "app.example.com"
    assert [m for m, _ in _calls(zpa_emulator)] == ["POST", "GET"]  # the search finds it
