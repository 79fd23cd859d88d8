"""The resources the stack state machine drives, and the values a program may declare for them
(imported as `stack_kinds`).

A resource's inputs are built from knobs: each knob is a small set of choices, and a choice sets
one or more inputs at once (a provisioning key's association type, group and certificate go
together). A choice also says what ZPA must hold once it is applied (`api`, checked after the
stack converges) and whether it is acceptable at all:

* `fault=""`: valid;
* `fault="check"`: Check must refuse it at preview (a value no API call is needed to judge);
* `fault="api"`: Check cannot know; ZPA refuses it when the object is created.

Names come from one small pool for every kind, so the stack's objects collide with each other
(`alpha`/`Alpha`) and with the foreign objects seeded beside them (see `FOREIGN`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pki

from pulumi_zpa_pkeys._provider import ZpaProvider
from pulumi_zpa_pkeys.api_key import ApiKeyProvider
from pulumi_zpa_pkeys.app_connector_group import AppConnectorGroupProvider
from pulumi_zpa_pkeys.ba_certificate import BaCertificateProvider
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.service_edge_group import ServiceEdgeGroupProvider
from pulumi_zpa_pkeys.testing.seeds import (
    APP_CONNECTOR_GROUP_ID,
    CONNECTOR_CERT_ID,
    SERVICE_EDGE_CERT_ID,
    SERVICE_EDGE_GROUP_ID,
)

#: The second tenant's config namespace, and a microtenant (the emulator takes any numeric id).
EMEA = "zpa-emea"
MICROTENANT = "216196257331400001"
#: Ids ZPA does not know (Check cannot tell: only the create fails).
MISSING_GROUP_ID = "216196257331399999"
MISSING_CERT_ID = "6599"

NAMES = ("alpha", "Alpha", "beta", "gamma")


def _networks(*entries: str) -> Callable[[Any], bool]:
    want = {ipaddress.ip_network(e, strict=False) for e in entries}
    return lambda have: {ipaddress.ip_network(e, strict=False) for e in have or []} == want


@dataclass(frozen=True)
class Choice:
    """Inputs a program declares together; `api`: ZPA field -> expected value (or a predicate
    on it) once applied; `fault`: "", "check" or "api" (see the module docstring)."""

    label: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    api: Mapping[str, Any] = field(default_factory=dict)
    fault: str = ""


def _c(label: str, fault: str = "", api: Mapping[str, Any] | None = None, **inputs: Any) -> Choice:
    return Choice(label, inputs, api or {}, fault)


UNDECLARED = _c("undeclared")


def _flag(name: str, api: str) -> tuple[Choice, ...]:
    return (
        UNDECLARED,
        _c(f"{name}=true", api={api: True}, **{name: True}),
        _c(f"{name}=false", api={api: False}, **{name: False}),
        _c(f"{name}='yes'", "check", **{name: "yes"}),
    )


def _name_choices() -> tuple[Choice, ...]:
    valid = tuple(_c(f"name={n}", api={"name": n}, name=n) for n in NAMES)
    return (*valid, _c("name=' padded'", "check", name=" padded"), _c("name=''", "check", name=""))


COMMON_KNOBS: dict[str, tuple[Choice, ...]] = {
    "name": _name_choices(),
    "tenant": (
        UNDECLARED,
        _c("tenant=zpa", tenant="zpa"),
        _c("tenant=emea", tenant=EMEA),
        _c("tenant='zpa emea'", "check", tenant="zpa emea"),
    ),
    "microtenant": (
        UNDECLARED,
        _c("microtenant=0", microtenant_id="0"),
        _c("microtenant=mt", microtenant_id=MICROTENANT),
    ),
    "adopt": (UNDECLARED, _c("adopt", adopt_existing=True)),
}

KEEPERS: tuple[Choice, ...] = (
    UNDECLARED,
    _c("keepers=1", keepers={"rotation": "1"}),
    _c("keepers=2", keepers={"rotation": "2"}),
    _c("keepers=bad", "check", keepers={"rotation": 2}),
)


# -- provisioning keys ------------------------------------------------------------------------


def _association(label: str, assoc: str, group: str, cert: str, fault: str = "") -> Choice:
    api = (
        {} if fault else {"associationType": assoc, "zcomponentId": group, "enrollmentCertId": cert}
    )
    return _c(
        label, fault, api, association_type=assoc, zcomponent_id=group, enrollment_cert_id=cert
    )


KEY_KNOBS: dict[str, tuple[Choice, ...]] = {
    "association": (
        _association("connector", "CONNECTOR_GRP", APP_CONNECTOR_GROUP_ID, CONNECTOR_CERT_ID),
        _association(
            "service-edge", "SERVICE_EDGE_GRP", SERVICE_EDGE_GROUP_ID, SERVICE_EDGE_CERT_ID
        ),
        _association(
            "connector/missing-group", "CONNECTOR_GRP", MISSING_GROUP_ID, CONNECTOR_CERT_ID, "api"
        ),
        _association(
            "connector/missing-cert",
            "CONNECTOR_GRP",
            APP_CONNECTOR_GROUP_ID,
            MISSING_CERT_ID,
            "api",
        ),
        _association(
            "bogus-type", "BRANCH_GRP", APP_CONNECTOR_GROUP_ID, CONNECTOR_CERT_ID, "check"
        ),
        _association("group-id-text", "CONNECTOR_GRP", "connectors", CONNECTOR_CERT_ID, "check"),
    ),
    "max_usage": (
        _c("max_usage=1", api={"maxUsage": "1"}, max_usage=1),
        _c("max_usage=2", api={"maxUsage": "2"}, max_usage=2),
        _c("max_usage=2.0", api={"maxUsage": "2"}, max_usage=2.0),
        _c("max_usage='3'", api={"maxUsage": "3"}, max_usage="3"),
        _c("max_usage=0", "check", max_usage=0),
        _c("max_usage=1.5", "check", max_usage=1.5),
        _c("max_usage='many'", "check", max_usage="many"),
    ),
    "enabled": _flag("enabled", "enabled"),
    "exportable": _flag("exportable", "exportable"),
    "ip_acl": (
        UNDECLARED,
        _c("ip_acl=[]", api={"ipAcl": _networks()}, ip_acl=[]),
        _c("ip_acl=one", api={"ipAcl": _networks("10.0.0.0/8")}, ip_acl=["10.0.0.0/8"]),
        _c(
            "ip_acl=two",
            api={"ipAcl": _networks("192.168.1.1", "10.0.0.0/8")},
            ip_acl=["192.168.1.1", "10.0.0.0/8"],
        ),
        _c(
            "ip_acl=two-reordered",
            api={"ipAcl": _networks("192.168.1.1", "10.0.0.0/8")},
            ip_acl=["10.0.0.0/8", "192.168.1.1/32"],
        ),
        _c("ip_acl=bad", "check", ip_acl=["300.1.1.1"]),
    ),
    "keepers": KEEPERS,
}


# -- browser-access certificates ----------------------------------------------------------------


def _rewrapped(blob: str, width: int = 48) -> str:
    """The same PEM blocks with shorter lines (the same upload for ZPA: no change)."""
    out: list[str] = []
    body: list[str] = []
    for line in blob.splitlines():
        if line.startswith("-----"):
            joined = "".join(body)
            out += [joined[i : i + width] for i in range(0, len(joined), width)]
            body = []
            out.append(line)
        else:
            body.append(line.strip())
    return "\n".join(out) + "\n"


def certificate_blobs() -> dict[str, str]:
    """Uploads by label: two certificates for key `a`, one for key `b`, and a certificate of
    key `a` followed by key `b` (which ZPA refuses: the key does not belong to it)."""
    key_a, key_b = pki.rsa_key("stack-a"), pki.rsa_key("stack-b")
    a1 = pki.certificate(key_a, "a1.example.com", serial=1)
    a2 = pki.certificate(key_a, "a2.example.com", serial=2)
    b1 = pki.certificate(key_b, "b1.example.com", serial=3)
    return {
        "a1": pki.blob(key_a, a1),
        "a1-rewrapped": _rewrapped(pki.blob(key_a, a1)),
        "a2": pki.blob(key_a, a2),
        "b1": pki.blob(key_b, b1),
        "a1+key-b": pki.cert_pem(a1) + pki.key_pem(key_b),
        "certificate-only": pki.cert_pem(a1),
    }


def private_key_lines() -> set[str]:
    """The base64 lines of every private key uploaded that only the private key holds (a PKCS#8
    key also carries its public modulus, which the certificate shows too)."""
    public: set[str] = set()
    for blob in certificate_blobs().values():
        public.update(pki.base64_lines(blob.split("-----BEGIN PRIVATE KEY-----")[0]))
    lines: set[str] = set()
    for label in ("stack-a", "stack-b"):
        key = pki.rsa_key(label)
        public.update(pki.base64_lines(_public_pem(key)))
        lines.update(pki.base64_lines(pki.key_pem(key)))
    return lines - public


def _public_pem(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return str(raw.decode())


def _cert_knobs() -> dict[str, tuple[Choice, ...]]:
    blobs = certificate_blobs()
    cname = {
        "a1": "a1.example.com",
        "a1-rewrapped": "a1.example.com",
        "a2": "a2.example.com",
        "b1": "b1.example.com",
    }
    faults = {"a1+key-b": "check", "certificate-only": "check"}
    return {
        "cert_blob": (
            *(
                _c(
                    f"cert_blob={label}",
                    faults.get(label, ""),
                    {} if label in faults else {"cName": cname[label]},
                    cert_blob=blob,
                )
                for label, blob in blobs.items()
            ),
            _c("cert_blob='not pem'", "check", cert_blob="not a certificate"),
        ),
        "description": (
            _c("description=undeclared", api={"description": lambda v: v in (None, "")}),
            _c("description=''", api={"description": lambda v: v in (None, "")}, description=""),
            _c("description=first", api={"description": "first"}, description="first"),
            _c("description=second", api={"description": "second"}, description="second"),
        ),
    }


# -- API keys -----------------------------------------------------------------------------------

API_KEY_KNOBS: dict[str, tuple[Choice, ...]] = {
    "role_id": (
        _c("role_id='28'", api={"roleId": "28"}, role_id="28"),
        _c("role_id=29", api={"roleId": "29"}, role_id=29),
        _c("role_id='admin'", "check", role_id="admin"),
    ),
    "enabled": _flag("enabled", "enabled"),
    "token_expiry": (
        _c("expiry=undeclared", api={"tokenExpiryTimeInSec": "3600"}),
        _c("expiry=600", api={"tokenExpiryTimeInSec": "600"}, token_expiry_time_in_sec=600),
        _c("expiry=60.0", api={"tokenExpiryTimeInSec": "60"}, token_expiry_time_in_sec=60.0),
        _c("expiry='900'", api={"tokenExpiryTimeInSec": "900"}, token_expiry_time_in_sec="900"),
        _c("expiry=0", "check", token_expiry_time_in_sec=0),
        _c("expiry=3601", "check", token_expiry_time_in_sec=3601),
    ),
    "keepers": KEEPERS,
}


# -- groups ---------------------------------------------------------------------------------------


def _group_knobs(own: tuple[Choice, ...]) -> dict[str, tuple[Choice, ...]]:
    return {
        "coordinates": (
            _c(
                "coords=san-jose",
                api={"latitude": "37.33874", "longitude": "-121.8852525"},
                latitude=37.33874,
                longitude=-121.8852525,
            ),
            _c(
                "coords=text",
                api={"latitude": "37.3", "longitude": "-121.9"},
                latitude="37.30",
                longitude="-121.9",
            ),
            _c(
                "coords=sydney",
                api={"latitude": "-33.8688", "longitude": "151.2093"},
                latitude=-33.8688,
                longitude=151.2093,
            ),
            _c("coords=lat-91", "check", latitude=91, longitude=0),
            _c("coords=north", "check", latitude="north", longitude=0),
        ),
        "location": (
            _c(
                "location=san-jose",
                api={"location": "San Jose, CA, USA"},
                location="San Jose, CA, USA",
            ),
            _c(
                "location=sydney",
                api={"location": "Sydney, NSW, Australia"},
                location="Sydney, NSW, Australia",
            ),
            _c("location=''", "check", location=""),
            _c("location=two-lines", "check", location="San Jose\nCA"),
        ),
        "place": (
            UNDECLARED,
            _c(
                "place=san-jose",
                api={"cityCountry": "San Jose, US", "countryCode": "US"},
                city_country="San Jose, US",
                country_code="us",
            ),
            _c(
                "place=sydney",
                api={"cityCountry": "Sydney, AU", "countryCode": "AU"},
                city_country="Sydney, AU",
                country_code="AU",
            ),
            _c("place=country-usa", "check", country_code="USA"),
        ),
        "description": (
            UNDECLARED,
            _c("description=first", api={"description": "first"}, description="first"),
            _c("description=second", api={"description": "second"}, description="second"),
        ),
        "enabled": _flag("enabled", "enabled"),
        "upgrade": (
            UNDECLARED,
            _c(
                "upgrade=monday",
                api={"upgradeDay": "MONDAY", "upgradeTimeInSecs": "3600"},
                upgrade_day="monday",
                upgrade_time_in_secs=3600,
            ),
            _c(
                "upgrade=default",
                api={"upgradeDay": "SUNDAY", "upgradeTimeInSecs": "66600"},
                upgrade_day="SUNDAY",
                upgrade_time_in_secs="66600",
            ),
            _c("upgrade=someday", "check", upgrade_day="someday"),
            _c("upgrade=midnight", "check", upgrade_time_in_secs=86400),
        ),
        "version": (
            UNDECLARED,
            _c(
                "version=new-release",
                api={"overrideVersionProfile": True, "versionProfileId": "2"},
                override_version_profile=True,
                version_profile_id="2",
            ),
            _c(
                "version=default",
                api={"overrideVersionProfile": False, "versionProfileId": "0"},
                override_version_profile=False,
                version_profile_id=0,
            ),
        ),
        "own": own,
    }


# -- the kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One resource: its provider, where the emulator keeps it, its knobs.

    `secret`: the API field of the secret ZPA shows in the create answer only (kept in state);
    `scoped_by`: inputs beyond tenant and microtenant that separate name spaces (a key's
    association type). Every kind's objects are kept per microtenant.
    """

    id: str
    type_name: str
    make_provider: Callable[[], ZpaProvider]
    table: str
    segment: str
    knobs: Mapping[str, tuple[Choice, ...]]
    secret: str | None = None
    scoped_by: tuple[str, ...] = ()

    @property
    def type_token(self) -> str:
        return f"pulumi-python:dynamic/zpa:{self.type_name}"

    @property
    def all_knobs(self) -> dict[str, tuple[Choice, ...]]:
        return {**self.knobs, **COMMON_KNOBS}

    def __str__(self) -> str:
        return self.id


PROVISIONING_KEY = Kind(
    "provisioning_key",
    "ProvisioningKey",
    ProvisioningKeyProvider,
    "provisioningKeys",
    "provisioningKey",
    KEY_KNOBS,
    secret="provisioningKey",
    scoped_by=("association_type",),
)
BA_CERTIFICATE = Kind(
    "ba_certificate",
    "BaCertificate",
    BaCertificateProvider,
    "certificates",
    "certificate",
    _cert_knobs(),
)
API_KEY = Kind(
    "api_key",
    "ApiKey",
    ApiKeyProvider,
    "apiKeys",
    "apiKeys",
    API_KEY_KNOBS,
    secret="clientSecret",
)
APP_CONNECTOR_GROUP = Kind(
    "app_connector_group",
    "AppConnectorGroup",
    AppConnectorGroupProvider,
    "appConnectorGroups",
    "appConnectorGroup",
    _group_knobs(
        (
            UNDECLARED,
            _c("dns=ipv4", api={"dnsQueryType": "IPV4"}, dns_query_type="ipv4"),
            _c("dns=both", api={"dnsQueryType": "IPV4_IPV6"}, dns_query_type="IPV4_IPV6"),
            _c("dns=any", "check", dns_query_type="ANY"),
        )
    ),
)
SERVICE_EDGE_GROUP = Kind(
    "service_edge_group",
    "ServiceEdgeGroup",
    ServiceEdgeGroupProvider,
    "serviceEdgeGroups",
    "serviceEdgeGroup",
    _group_knobs(
        (
            UNDECLARED,
            _c("public", api={"isPublic": "TRUE"}, is_public=True),
            _c("private", api={"isPublic": "FALSE"}, is_public=False),
            _c("public='maybe'", "check", is_public="maybe"),
        )
    ),
)
KINDS = (PROVISIONING_KEY, BA_CERTIFICATE, API_KEY, APP_CONNECTOR_GROUP, SERVICE_EDGE_GROUP)


# -- a declaration: one choice per knob -----------------------------------------------------------


@dataclass(frozen=True)
class Declared:
    """What the program declares for one resource: a choice index per knob (and, for a program
    the user repaired, a name of its own instead of the name knob's)."""

    kind: Kind
    picks: tuple[tuple[str, int], ...]
    name: str | None = None

    @classmethod
    def of(cls, kind: Kind, **labels: str) -> Declared:
        """A declaration by choice labels (tests); knobs not named take their first choice."""
        picks = []
        for knob, choices in kind.all_knobs.items():
            wanted = labels.pop(knob, None)
            index = 0 if wanted is None else [c.label for c in choices].index(wanted)
            picks.append((knob, index))
        assert not labels, f"unknown knobs: {labels}"
        return cls(kind, tuple(picks))

    def choices(self) -> list[Choice]:
        knobs = self.kind.all_knobs
        return [knobs[knob][index] for knob, index in self.picks]

    def choice(self, knob: str) -> Choice:
        return self.kind.all_knobs[knob][dict(self.picks)[knob]]

    def with_pick(self, knob: str, index: int) -> Declared:
        picks = tuple((k, index if k == knob else i) for k, i in self.picks)
        return Declared(self.kind, picks, self.name)

    def inputs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for choice in self.choices():
            out.update(choice.inputs)
        return out if self.name is None else {**out, "name": self.name}

    def api(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for choice in self.choices():
            out.update(choice.api)
        return out if self.name is None else {**out, "name": self.name}

    def faults(self, which: str) -> list[str]:
        """The labels of the choices with fault `which` ("check" or "api")."""
        return [c.label for c in self.choices() if c.fault == which]

    @property
    def valid(self) -> bool:
        return not any(c.fault for c in self.choices())

    def repaired(self, name: str | None) -> Declared:
        """A user fixing the program: every knob with a faulty choice set to its first valid
        choice, and a name nobody else holds."""
        knobs = self.kind.all_knobs
        picks = []
        for knob, index in self.picks:
            if knobs[knob][index].fault:
                index = next(i for i, c in enumerate(knobs[knob]) if not c.fault)
            picks.append((knob, index))
        return Declared(self.kind, tuple(picks), name)

    def describe(self) -> str:
        text = ", ".join(c.label for c in self.choices() if c is not UNDECLARED)
        return text if self.name is None else f"{text}, name={self.name}"
