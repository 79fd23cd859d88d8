"""Sign-ins per provider process, with a client secret and with a private key.

Each mode gets a fresh provider host (`python -m pulumi.dynamic`, driven over gRPC by
`ProviderHost` as the engine calls it) that takes 8 provisioning keys through create,
update, refresh and destroy, 4 at a time as the engine's host pool allows; the count is the
sign-ins in the emulator's log for the whole process. With a private key the client signs an
RS256 client assertion (`zpa:privateKey`, a key made here and registered with the emulator's
`POST /_emulator/clients`) and keeps the token it gets until shortly before it expires, as it
does with a secret. (The official Go SDK, behind the Terraform provider, signs in again on every
call in this mode: it never records the token's expiry.)

ZIA and Cloud & Branch Connector (ZTW): a fresh host adopts the organisation's cloud service API
key, rotates it 3 times and refreshes it after each, once through the legacy door (one session:
obfuscated key, user and password, then a `JSESSIONID` cookie; the rotated key is the one that
signs in, and the process carries on with its new value) and once through OneAPI (one token).
"""

from __future__ import annotations

import base64
import concurrent.futures
import os
import uuid
from dataclasses import dataclass

from benchlib import key_inputs, traffic
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from resource_requests import CLOUD_SIGN_INS, cloud_config
from section import Add, Context, Section, Target, describe

from pulumi_zpa_pkeys.cloud_service_api_key import CloudServiceApiKeyProvider
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator, emulator

KEYS = 8


@dataclass
class SignInRow:
    mode: str
    calls: int
    api_requests: int
    sign_ins: int


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _key_config(emu: RunningEmulator) -> dict[str, str]:
    """Config for a OneAPI client that signs in with a fresh RSA key registered here."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    client_id = f"bench-{uuid.uuid4().hex[:12]}"
    emu.register_client(client_id, {"kty": "RSA", "n": _b64(numbers.n), "e": _b64(numbers.e)})
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    config = {k: v for k, v in emu.config.items() if k != "zpa:clientSecret"}
    return {**config, "zpa:clientId": client_id, "zpa:privateKey": pem}


def _lifecycle(host: ProviderHost, name: str) -> int:
    state = host.up(name, key_inputs(name))
    state = host.up(name, {**key_inputs(name), "max_usage": 3}, state)
    refreshed = host.refresh(state)
    host.destroy(refreshed or state)
    return 4


def sign_ins_per_process(emu: RunningEmulator) -> list[SignInRow]:
    """One row per sign-in mode: calls made, API requests and sign-ins of one host process."""
    rows = []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))}
    for mode, config in (("client secret", dict(emu.config)), ("private key", _key_config(emu))):
        emu.clear_requests()
        names = [f"signin-{mode.split()[-1]}-{i}" for i in range(KEYS)]
        with (
            ProviderHost(ProvisioningKeyProvider(), config, env=env) as host,
            concurrent.futures.ThreadPoolExecutor(4) as pool,
        ):
            calls = sum(pool.map(lambda n: _lifecycle(host, n), names))
        seen = traffic(emu.requests_log())
        rows.append(SignInRow(mode, calls, seen.gets + seen.writes, seen.sign_ins))
    return rows


#: ZIA and ZTW: a legacy session (cloud service API key, user, password) and a OneAPI token.
CLOUD_MODES = (("ZTW", "legacy", "ZTW legacy session"), ("ZIA", "OneAPI", "ZIA OneAPI token"))
ROTATIONS = 3


def cloud_sign_ins_per_process(emu: RunningEmulator) -> list[SignInRow]:
    """One row per ZIA/ZTW front door: a fresh provider host adopts the organisation's key,
    rotates it ``ROTATIONS`` times and refreshes it after each; the count is the sign-ins
    (legacy session or OneAPI token) of that process."""
    rows = []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZPA_", "ZSCALER_"))}
    sign_in_paths = {*CLOUD_SIGN_INS, "/oauth2/v1/token"}
    for product, door, mode in CLOUD_MODES:
        emu.reset()
        config = cloud_config(emu, product, door)
        emu.clear_requests()
        with ProviderHost(CloudServiceApiKeyProvider(), config, env=env) as host:
            state = host.up("key", {"product": product})
            calls = 1
            for rotation in range(ROTATIONS):
                state = host.up("key", {"product": product, "keepers": {"r": str(rotation)}}, state)
                state = host.refresh(state) or state
                calls += 2
        log = emu.requests_log()
        sign_ins = sum(1 for e in log if e["method"] == "POST" and e["path"] in sign_in_paths)
        api = sum(1 for e in log if "/api/v1/" in e["path"] and e["path"] not in sign_in_paths)
        rows.append(SignInRow(mode, calls, api, sign_ins))
    return rows


def measure(ctx: Context) -> list[SignInRow]:
    with emulator() as emu:
        return [*sign_ins_per_process(emu), *cloud_sign_ins_per_process(emu)]


def render(ctx: Context, rows: list[SignInRow], add: Add) -> None:
    describe(add, __doc__, first=True)
    add("| sign-in mode | provider calls | API requests | sign-ins in the process |")
    add("|---|---|---|---|")
    for row in rows:
        add(f"| {row.mode} | {row.calls} | {row.api_requests} | **{row.sign_ins}** |")
    add("")


def targets(ctx: Context, rows: list[SignInRow]) -> list[Target]:
    return [
        Target(f"one sign-in per provider process: {row.mode}",
               f"{row.sign_ins} over {row.calls} calls", row.sign_ins == 1, True)
        for row in rows
    ]  # fmt: skip


SECTION = Section(
    "signins",
    "Sign-ins per process: client secret, private key, ZIA/ZTW session and token",
    measure,
    render,
    targets,
)
