"""ZPA requests per operation of BaCertificate and ApiKey, through the real provider host.

Run: `.venv/bin/python bench/resource_requests.py`. Starts the bundled emulator and one
`python -m pulumi.dynamic` host per resource (as the Pulumi engine does), runs each operation
once and prints the API requests the emulator logged for it (sign-ins counted apart); lookups
run in this process, as a program runs them. Needs the dev extra (`cryptography` makes the
test certificate).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from pulumi_zpa_pkeys import _host, get_api_key, get_ba_certificate
from pulumi_zpa_pkeys.api_key import ApiKeyProvider
from pulumi_zpa_pkeys.ba_certificate import BaCertificateProvider
from pulumi_zpa_pkeys.testing import ProviderHost, emulator

SIGN_INS = ("/signin", "/oauth2/v1/token")


def blob(cn: str) -> str:
    """A throw-away self-signed certificate and its key (made here, never a real credential)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1).not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365)).sign(key, hashes.SHA256())
    )  # fmt: skip
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode() + pem.decode()


def measure(emu: Any, label: str, action: Callable[[], object]) -> None:
    emu.clear_requests()
    action()
    log = emu.requests_log()
    api = [f"{e['method']} {e['status']}" for e in log if "mgmtconfig" in e["path"]]
    sign_ins = sum(1 for e in log if e["path"] in SIGN_INS)
    print(f"| {label} | {len(api)} | {' + '.join(api) or 'none'} | {sign_ins} |")


def lifecycle(emu: Any, host: ProviderHost, kind: str, inputs: dict[str, Any],
              update: dict[str, Any], lookup: Callable[..., Any]) -> None:  # fmt: skip
    print(f"\n**{kind}**\n\n| operation | API requests | sent | sign-ins |\n|---|---|---|---|")
    name = inputs["name"]
    measure(emu, "check (Check)", lambda: host.check(name, inputs))
    state = host.up(name, inputs)
    measure(emu, "create (Create)", lambda: host.up(f"{name}-2", {**inputs, "name": f"{name}-2"}))
    measure(emu, "diff, no change (Diff)", lambda: host.diff(name, state.id, state.outputs, inputs))
    changed = {**inputs, **update}
    measure(emu, "diff, a change (Diff)", lambda: host.diff(name, state.id, state.outputs, changed))
    measure(emu, "update in place (Update)", lambda: host.up(name, changed, state))
    measure(emu, "read (Read, refresh)", lambda: host.refresh(state))
    measure(emu, f"{lookup.__name__}(name=...)", lambda: lookup(name=update.get("name", name)))
    measure(emu, f"{lookup.__name__}(id=...)", lambda: lookup(id=state.id))
    measure(emu, "delete (Delete)", lambda: host.destroy(state))
    measure(emu, "read of a deleted object (gone)", lambda: host.refresh(state))


def main() -> None:
    with emulator() as emu:
        for name, value in emu.env.items():
            os.environ[name] = value  # the in-process lookups reach the emulator through env
        _host.reset()
        with ProviderHost(BaCertificateProvider(), emu.config) as host:
            inputs = {"name": "portal", "cert_blob": blob("portal.example.com")}
            lifecycle(emu, host, "BaCertificate", inputs, {"description": "new"},
                      get_ba_certificate)  # fmt: skip
        with ProviderHost(ApiKeyProvider(), emu.config) as host:
            inputs = {"name": "ci", "role_id": "28"}
            lifecycle(emu, host, "ApiKey", inputs, {"enabled": False}, get_api_key)


if __name__ == "__main__":
    main()
