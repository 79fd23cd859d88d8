"""The world the stack state machine runs in (imported as `stack_world`): two ZPA tenants (two
emulators), the SDK's provider host configured for both, foreign objects seeded beside the
stack's, another admin's hands (out-of-band changes through the API), and faults.

Everything the machine observes comes from here: the objects each tenant holds (the emulator's
`/_emulator/state`), the requests of a step (its log), the faults armed and fired, and the host's
stderr.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from stack_kinds import EMEA, KINDS, MICROTENANT, Kind, certificate_blobs

from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator, emulator
from pulumi_zpa_pkeys.testing.seeds import (
    APP_CONNECTOR_GROUP_ID,
    CONNECTOR_CERT_ID,
    SERVICE_EDGE_CERT_ID,
    SERVICE_EDGE_GROUP_ID,
)

DEFAULT = "zpa"
EMEA_CUSTOMER = "216196257331299999"
#: Every table the stack's kinds live in (the emulator's state keys).
TABLES = tuple(kind.table for kind in KINDS)
#: The provider gives up retrying after this long: a step never takes seconds.
RETRY_MAX_WAIT_S = "1"

#: The developer's own settings never reach the host (as tests/conftest.py clears them).
_OUR_ENV_PREFIXES = ("ZPA_", "ZSCALER_", "ZIA_", "ZTW_")
#: Fault fields the emulator takes for its "answer" action only.
_ANSWER_ONLY = ("body", "content_type", "location", "work")
#: Where (tenant, table, id) identifies one object: ids are per emulator.
ObjectKey = tuple[str, str, str]


def foreign_bodies() -> list[tuple[str, Kind, str | None, str, dict[str, Any]]]:
    """(tenant, kind, microtenant, collection path, body) of the objects another admin made.

    Their names are the stack's names, in the stack's scopes (adoptable only when asked) and
    in the neighbouring ones (another association type, microtenant or tenant). Each holds a
    value no program here declares (max usage 7, description "foreign", token expiry 1800), so
    that a lost create's search can never take one for the stack's own: ZPA stamps creation
    times in whole seconds, too coarse to tell apart objects made within the same two seconds.
    """
    by_id = {kind.id: kind for kind in KINDS}
    blobs = certificate_blobs()

    def key(name: str, assoc: str = "CONNECTOR_GRP") -> dict[str, Any]:
        group, cert = {
            "CONNECTOR_GRP": (APP_CONNECTOR_GROUP_ID, CONNECTOR_CERT_ID),
            "SERVICE_EDGE_GRP": (SERVICE_EDGE_GROUP_ID, SERVICE_EDGE_CERT_ID),
        }[assoc]
        return {"name": name, "maxUsage": "7", "zcomponentId": group, "enrollmentCertId": cert}

    def group(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "description": "foreign",
            "latitude": "48.8566",
            "longitude": "2.3522",
            "location": "Paris, France",
        }

    pk, cert, api_key = by_id["provisioning_key"], by_id["ba_certificate"], by_id["api_key"]
    acg, seg = by_id["app_connector_group"], by_id["service_edge_group"]
    assoc = "associationType/{}/provisioningKey"
    return [
        (DEFAULT, pk, None, assoc.format("CONNECTOR_GRP"), key("beta")),
        (DEFAULT, pk, None, assoc.format("SERVICE_EDGE_GRP"), key("gamma", "SERVICE_EDGE_GRP")),
        (DEFAULT, pk, MICROTENANT, assoc.format("CONNECTOR_GRP"), key("alpha")),
        (EMEA, pk, None, assoc.format("CONNECTOR_GRP"), key("alpha")),
        (
            DEFAULT,
            cert,
            None,
            "certificate",
            {"name": "beta", "description": "foreign", "certBlob": blobs["a1"]},
        ),
        (
            DEFAULT,
            cert,
            MICROTENANT,
            "certificate",
            {"name": "gamma", "description": "foreign", "certBlob": blobs["a2"]},
        ),
        (
            EMEA,
            cert,
            None,
            "certificate",
            {"name": "alpha", "description": "foreign", "certBlob": blobs["b1"]},
        ),
        (
            DEFAULT,
            api_key,
            None,
            "apiKeys",
            {"name": "beta", "roleId": "28", "tokenExpiryTimeInSec": "1800"},
        ),
        (
            DEFAULT,
            api_key,
            MICROTENANT,
            "apiKeys",
            {"name": "alpha", "roleId": "28", "tokenExpiryTimeInSec": "1800"},
        ),
        (
            EMEA,
            api_key,
            None,
            "apiKeys",
            {"name": "gamma", "roleId": "28", "tokenExpiryTimeInSec": "1800"},
        ),
        (DEFAULT, acg, None, "appConnectorGroup", group("beta")),
        (EMEA, acg, None, "appConnectorGroup", group("alpha")),
        (DEFAULT, seg, None, "serviceEdgeGroup", group("gamma")),
        (EMEA, seg, None, "serviceEdgeGroup", group("beta")),
    ]


@dataclass
class Tenant:
    """One ZPA tenant: its config namespace and its emulator."""

    namespace: str
    emulator: RunningEmulator
    _token: str | None = None

    @property
    def control(self) -> str:
        return self.emulator.url + "/_emulator"

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(method, self.control + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    # -- observing ---------------------------------------------------------------------------

    def objects(self) -> dict[ObjectKey, dict[str, Any]]:
        """Every object of the stack's tables, as the emulator keeps it (secrets included)."""
        state = self._control("GET", "/state")
        return {
            (self.namespace, table, str(obj["id"])): obj
            for table in TABLES
            for obj in state.get(table, [])
        }

    def requests_log(self) -> list[dict[str, Any]]:
        log: list[dict[str, Any]] = self._control("GET", "/requests")
        return log

    def clear_requests(self) -> None:
        self._control("DELETE", "/requests")

    # -- faults ------------------------------------------------------------------------------

    def fault_rules(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self._control("GET", "/faults")
        return rules

    def add_fault(self, rule: Mapping[str, Any]) -> None:
        self._control("POST", "/faults", dict(rule))

    def clear_faults(self) -> None:
        self._control("DELETE", "/faults")

    def expire_tokens(self) -> None:
        self._control("POST", "/tokens/expire")

    def restore_faults(self, rules: list[dict[str, Any]]) -> None:
        """Arm `rules` (as `fault_rules()` lists them) again, in order."""
        for rule in rules:
            if rule["action"] != "answer":
                rule = {k: v for k, v in rule.items() if k not in _ANSWER_ONLY}
            self.add_fault(rule)

    @contextlib.contextmanager
    def faults_suspended(self) -> Iterator[None]:
        """Another admin's calls do not meet the faults armed for the provider."""
        rules = self.fault_rules()
        self.clear_faults()
        try:
            yield
        finally:
            self.restore_faults(rules)

    # -- another admin, through the API ------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None, query: str = "") -> requests.Response:
        """A call on `/zpa/mgmtconfig/v1/admin/customers/{cid}/{path}` as another admin (signs
        in again when the token was expired), with the provider's faults held back."""
        url = f"{self.emulator.api_base}/v1/admin/customers/{self.emulator.customer_id}/{path}"
        url += f"?{query}" if query else ""
        with self.faults_suspended():
            for _ in range(2):
                if self._token is None:
                    self._token = self.emulator.token()
                headers = {"Authorization": f"Bearer {self._token}"}
                response = requests.request(method, url, json=body, headers=headers, timeout=30)
                if response.status_code != 401:
                    return response
                self._token = None
        return response

    def patch_key(self, key_id: str, fields: Mapping[str, Any]) -> None:
        """Drift of a provisioning key (the emulator's control endpoint)."""
        self._control("PATCH", f"/provisioningKey/{key_id}", dict(fields))

    def reset(self) -> None:
        self._control("POST", "/reset")
        self._control("POST", "/config", {"rate_limit": False, "token_ttl_s": 3600})
        self._token = None


def _as_namespace(namespace: str, config: Mapping[str, str]) -> dict[str, str]:
    return {f"{namespace}:{key.split(':', 1)[1]}": value for key, value in config.items()}


class World:
    """Two tenants and one provider host that serves every kind (as `pulumi up` starts one
    `pulumi-python:dynamic` provider for all of a program's dynamic resources)."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self.tenants: dict[str, Tenant] = {}
        self.host: ProviderHost | None = None
        self.hosts: dict[str, ProviderHost] = {}
        self.client_secrets: list[str] = []

    def start(self) -> World:
        home = self._stack.enter_context(emulator())
        emea = self._stack.enter_context(
            emulator(
                customer_id=EMEA_CUSTOMER, client_id="emea-client", client_secret="emea-secret"
            )
        )
        self.tenants = {DEFAULT: Tenant(DEFAULT, home), EMEA: Tenant(EMEA, emea)}
        self.client_secrets = [home.client_secret, emea.client_secret]
        self.restart_host()
        return self

    @property
    def config(self) -> dict[str, str]:
        home, emea = self.tenants[DEFAULT].emulator, self.tenants[EMEA].emulator
        config = {**home.config, **_as_namespace(EMEA, emea.config)}
        for namespace in (DEFAULT, EMEA):
            config[f"{namespace}:retryMaxWaitSeconds"] = RETRY_MAX_WAIT_S
        return config

    def restart_host(self) -> None:
        """A new provider host process, as every `pulumi` command starts one."""
        if self.host is not None:
            self.host.stop()
        env = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_ENV_PREFIXES)}
        base = ProviderHost(KINDS[0].make_provider(), self.config, env=env).start()
        self.host = base
        # One process serves every kind: each view sends its own pickled provider and URN type.
        self.hosts = {}
        for kind in KINDS:
            view = copy.copy(base)
            view.blob = ProviderHost(kind.make_provider()).blob
            view.type_token = kind.type_token
            self.hosts[kind.id] = view

    def host_stderr(self) -> str:
        """What the host has written to its stderr so far (read without moving its offset)."""
        assert self.host is not None
        stream = self.host._stderr  # the host's own file, shared with the child process
        if stream is None:
            return ""
        size = os.fstat(stream.fileno()).st_size
        return os.pread(stream.fileno(), size, 0).decode("utf-8", "replace")

    def reset(self) -> dict[ObjectKey, dict[str, Any]]:
        """Both tenants back to their seeds plus the foreign objects; returns every object
        that is not the stack's (seeds included)."""
        for tenant in self.tenants.values():
            tenant.reset()
        for namespace, _kind, microtenant, path, body in foreign_bodies():
            query = f"microtenantId={microtenant}" if microtenant else ""
            answer = self.tenants[namespace].api("POST", path, body, query)
            assert answer.status_code in (200, 201), answer.text
        for tenant in self.tenants.values():
            tenant.clear_requests()
        return self.objects()

    def objects(self) -> dict[ObjectKey, dict[str, Any]]:
        found: dict[ObjectKey, dict[str, Any]] = {}
        for tenant in self.tenants.values():
            found.update(tenant.objects())
        return found

    def stop(self) -> None:
        if self.host is not None:
            self.host.stop()
            self.host = None
        self._stack.close()


def dumps(value: Any) -> str:
    """Text to search for secrets in."""
    return value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
