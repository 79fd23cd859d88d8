"""ZPA requests per operation, for every resource, through the real provider host.

Run: `.venv/bin/python bench/resource_requests.py`. Starts the bundled emulator (rate limits off:
these are counts, not pacing) and, per resource case, a fresh `python -m pulumi.dynamic` host
driven over gRPC by `ProviderHost` as the engine calls it. Each operation runs once; its count
is the management API requests the emulator logged for it (`GET /_emulator/requests`), sign-ins
counted apart. The lookup by name runs in this process, as a Pulumi program calls it.

A resource is one `ResourceCase` entry in `CASES`; `targets` are the most requests an operation
may take (the exit status is 1 when one is missed). The host signs in during its warm-up, so the
measured operations show the sign-ins of the lookup only (one: a fresh program's first call).
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchlib import ASSOCIATION, SIGN_IN_PATHS, key_inputs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pulumi.dynamic import ResourceProvider
from section import Add, Context, Section, Target, describe

from pulumi_zpa_pkeys import _host, lookups
from pulumi_zpa_pkeys.api_key import ApiKeyProvider
from pulumi_zpa_pkeys.app_connector_group import AppConnectorGroupProvider
from pulumi_zpa_pkeys.ba_certificate import BaCertificateProvider
from pulumi_zpa_pkeys.cloud_service_api_key import (
    CloudServiceApiKeyProvider,
    get_cloud_service_api_key,
)
from pulumi_zpa_pkeys.emulator.cloud_keys import ADMIN_PASSWORD, ADMIN_USERNAME
from pulumi_zpa_pkeys.emulator.cloud_keys import SIGN_IN_PATHS as SIGN_IN_PATHS_OF_PRODUCTS
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.service_edge_group import ServiceEdgeGroupProvider
from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator, emulator
from pulumi_zpa_pkeys.testing.environment import environment

OPERATIONS = ("check", "diff", "create", "read", "update", "delete", "lookup by name")
TARGETS = {
    "check": 0, "diff": 0, "create": 2, "read": 1, "update": 2, "delete": 1, "lookup by name": 1,
}  # fmt: skip


@dataclass(frozen=True)
class ResourceCase:
    """One resource: how to make its provider, a new object's inputs, an in-place change, the
    stored props a read needs before anything exists, and its lookup by name."""

    label: str
    provider: Callable[[], ResourceProvider]
    type_token: str
    inputs: Callable[[str], dict[str, Any]]
    change: dict[str, Any]
    lookup: Callable[[str], Any]
    # (ProviderHost.read sends no pickled provider with empty props: give at least one key.)
    read_props: dict[str, Any] = field(default_factory=lambda: {"microtenant_id": None})
    targets: dict[str, int] = field(default_factory=dict)
    #: The stack config of its provider host, and the environment of its lookup (read when
    #: the lookup runs); ZPA's by default.
    config: Callable[[RunningEmulator], dict[str, str]] = lambda emu: dict(emu.config)
    env: Callable[[RunningEmulator], dict[str, str]] = lambda emu: dict(emu.env)
    #: What counts as an API request, and as a sign-in, in the emulator's log.
    api_paths: tuple[str, ...] = ("/mgmtconfig/",)
    sign_in_paths: frozenset[str] = SIGN_IN_PATHS


def _blob(cn: str) -> str:
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


def _certificate_inputs(name: str) -> dict[str, Any]:
    return {"name": name, "cert_blob": _blob(f"{name}.example.com")}


def _api_key_inputs(name: str) -> dict[str, Any]:
    return {"name": name, "role_id": "28"}


#: The organisation's key is adopted (a GET), regenerated and activated (two calls), never
#: deleted (the API cannot: delete only forgets it).
CLOUD_TARGETS = {
    "check": 0, "diff": 0, "create": 1, "read": 1, "update": 2, "delete": 0, "lookup by name": 1,
}  # fmt: skip
CLOUD_SIGN_INS = frozenset(SIGN_IN_PATHS_OF_PRODUCTS.values())


def _cloud_settings(emu: RunningEmulator, product: str, door: str) -> dict[str, str]:
    """A product's settings that reach the emulator through ``door``; the legacy key is the
    one the emulator holds now (a rotation changes it)."""
    if door == "OneAPI":
        return {"clientId": emu.client_id, "clientSecret": emu.client_secret, "baseUrl": emu.url}
    (key,) = [
        k["keyValue"]
        for k in emu.state()["cloudServiceApiKeys"]
        if k["product"] == product and "partner" not in k
    ]
    return {"apiKey": key, "username": ADMIN_USERNAME, "password": ADMIN_PASSWORD,
            "baseUrl": emu.url}  # fmt: skip


def cloud_config(emu: RunningEmulator, product: str, door: str) -> dict[str, str]:
    ns = product.lower()
    values = {**_cloud_settings(emu, product, door), "rateLimitWrites": "0"}
    return {**emu.config, **{f"{ns}:{key}": value for key, value in values.items()}}


def _cloud_env(emu: RunningEmulator, product: str, door: str) -> dict[str, str]:
    """The lookup's environment: ZIA_* / ZTW_* (legacy) or ZSCALER_* (OneAPI)."""
    names = {"apiKey": "API_KEY", "username": "USERNAME", "password": "PASSWORD",
             "baseUrl": "BASE_URL"}  # fmt: skip
    settings = _cloud_settings(emu, product, door)
    if door == "OneAPI":
        return {"ZSCALER_CLIENT_ID": settings["clientId"],
                "ZSCALER_CLIENT_SECRET": settings["clientSecret"],
                f"{product}_BASE_URL": settings["baseUrl"]}  # fmt: skip
    return {f"{product}_{names[key]}": value for key, value in settings.items()}


def _cloud_case(product: str, door: str) -> ResourceCase:
    """The organisation's key of ``product``, its provider host and lookup signed in through
    ``door``."""
    return ResourceCase(
        f"CloudServiceApiKey ({product}, {door})",
        CloudServiceApiKeyProvider,
        "pulumi-python:dynamic/zpa:CloudServiceApiKey",
        lambda name: {"product": product},
        {"keepers": {"rotation": "bench"}},
        lambda name: get_cloud_service_api_key(product),
        read_props={"product": product},
        targets=CLOUD_TARGETS,
        config=lambda emu: cloud_config(emu, product, door),
        env=lambda emu: _cloud_env(emu, product, door),
        api_paths=("/api/v1/",),
        sign_in_paths=SIGN_IN_PATHS | CLOUD_SIGN_INS,
    )


def _group_inputs(name: str) -> dict[str, Any]:
    return {"name": name, "latitude": 37.33874, "longitude": -121.8852525,
            "location": "San Jose, CA, USA"}  # fmt: skip


CASES = [
    ResourceCase(
        "ProvisioningKey",
        ProvisioningKeyProvider,
        "pulumi-python:dynamic/zpa:ProvisioningKey",
        key_inputs,
        {"max_usage": 5},
        lambda name: lookups.get_provisioning_key(ASSOCIATION, name=name),
        read_props={"association_type": ASSOCIATION},
        targets=TARGETS,
    ),
    ResourceCase(
        "AppConnectorGroup",
        AppConnectorGroupProvider,
        "pulumi-python:dynamic/zpa:AppConnectorGroup",
        _group_inputs,
        {"description": "changed in place"},
        lambda name: lookups.get_app_connector_group(name=name),
        targets=TARGETS,
    ),
    ResourceCase(
        "ServiceEdgeGroup",
        ServiceEdgeGroupProvider,
        "pulumi-python:dynamic/zpa:ServiceEdgeGroup",
        _group_inputs,
        {"description": "changed in place"},
        lambda name: lookups.get_service_edge_group(name=name),
        targets=TARGETS,
    ),
    ResourceCase(
        "BaCertificate",
        BaCertificateProvider,
        "pulumi-python:dynamic/zpa:BaCertificate",
        _certificate_inputs,
        {"description": "changed in place"},
        lambda name: lookups.get_ba_certificate(name=name),
        targets=TARGETS,
    ),
    _cloud_case("ZTW", "legacy"),
    _cloud_case("ZIA", "OneAPI"),
    ResourceCase(
        "ApiKey",
        ApiKeyProvider,
        "pulumi-python:dynamic/zpa:ApiKey",
        _api_key_inputs,
        {"enabled": False},
        lambda name: lookups.get_api_key(name=name),
        targets=TARGETS,
    ),
]


@dataclass
class Measured:
    """What one operation sent: API requests (method and status) and sign-ins."""

    sent: list[str]
    sign_ins: int

    @property
    def count(self) -> int:
        return len(self.sent)


#: Each case with what each of its operations sent.
Measurements = list[tuple[ResourceCase, dict[str, Measured]]]


def _measure(
    emu: RunningEmulator, case: ResourceCase, work: Callable[[], Any]
) -> tuple[Any, Measured]:
    emu.clear_requests()
    result = work()
    log = emu.requests_log()
    sign_ins = [e for e in log if e["path"] in case.sign_in_paths and e["method"] == "POST"]
    api = [e for e in log if e not in sign_ins and e["path"] not in case.sign_in_paths]
    sent = [f"{e['method']} {e['status']}" for e in api if _is_api(case, e["path"])]
    return result, Measured(sent, len(sign_ins))


def _is_api(case: ResourceCase, path: str) -> bool:
    return any(part in path for part in case.api_paths)


def measure_case(emu: RunningEmulator, case: ResourceCase) -> dict[str, Measured]:
    """Every operation of ``case`` once, through a fresh provider host."""
    results: dict[str, Measured] = {}
    name = f"bench-{case.label.lower()}"
    inputs = case.inputs(name)
    with ProviderHost(case.provider(), case.config(emu), type_token=case.type_token) as host:
        # Warm-up: the host unpickles the provider and signs in on its first calls.
        host.check("warm-up", case.inputs("warm-up"))
        host.read("warm-up", "1", case.read_props)

        def op(label: str, work: Callable[[], Any]) -> Any:
            value, results[label] = _measure(emu, case, work)
            return value

        checked = op("check", lambda: host.check(name, inputs).inputs)
        object_id, outputs = op("create", lambda: host.create(name, checked))
        changed = host.check(name, {**inputs, **case.change}, checked).inputs
        op("diff", lambda: host.diff(name, object_id, outputs, changed))
        outputs = op("update", lambda: host.update(name, object_id, outputs, changed))
        op("read", lambda: host.read(name, object_id, outputs, changed))
        with environment(case.env(emu)):
            _host.reset()  # a cold lookup cache and transport, as in a fresh program
            op("lookup by name", lambda: case.lookup(name))
            _host.reset()
        op("delete", lambda: host.delete(name, object_id, outputs))
    return results


def missed_targets(case: ResourceCase, results: dict[str, Measured]) -> list[str]:
    return [
        f"{case.label} {op}: {results[op].count} requests, target ≤ {most}"
        for op, most in case.targets.items()
        if results[op].count > most
    ]


def table(measured: Measurements) -> str:
    """Markdown: API requests per operation, then what each operation sent."""
    head = "| resource | " + " | ".join(OPERATIONS) + " | sign-ins |"
    lines = [head, "|---" * (len(OPERATIONS) + 2) + "|"]
    for case, results in measured:
        cells = []
        for op in OPERATIONS:
            most = case.targets.get(op)
            target = f" (≤ {most})" if most is not None else ""
            cells.append(f"{results[op].count}{target}")
        sign_ins = sum(m.sign_ins for m in results.values())
        lines.append(f"| {case.label} | " + " | ".join(cells) + f" | {sign_ins} |")
    lines += ["", "| resource | operation | sent (method status) |", "|---|---|---|"]
    for case, results in measured:
        for op in OPERATIONS:
            sent = " + ".join(results[op].sent) or "none"
            lines.append(f"| {case.label} | {op} | {sent} |")
    return "\n".join(lines)


def main(cases: list[ResourceCase] | None = None) -> int:
    measured = []
    with emulator() as emu:
        for case in cases or CASES:
            measured.append((case, measure_case(emu, case)))
    print(table(measured))
    missed = [m for case, results in measured for m in missed_targets(case, results)]
    print()
    print("targets: " + ("; ".join(missed) if missed else "all met"))
    return 1 if missed else 0


def measure(ctx: Context) -> Measurements:
    with emulator() as emu:
        return [(case, measure_case(emu, case)) for case in CASES]


def render(ctx: Context, measured: Measurements, add: Add) -> None:
    describe(add, __doc__, first=True)
    add(table(measured))
    add("")


def targets(ctx: Context, measured: Measurements) -> list[Target]:
    return [
        Target(
            f"{case.label}: " + ", ".join(f"{op} ≤ {most}" for op, most in case.targets.items()),
            "; ".join(missed_targets(case, results)) or "all met",
            not missed_targets(case, results),
            True,
        )
        for case, results in measured
    ]


SECTION = Section("resources", "Requests per operation of every resource", measure, render, targets)


if __name__ == "__main__":
    sys.exit(main())
