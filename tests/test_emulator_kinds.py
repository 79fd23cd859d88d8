"""A new object kind is its declaration and its rules, nothing edited in the emulator: proved with
a toy kind that is not a plain CRUD list (one key per product, regenerated in place), served on
non-ZPA paths (``/zia/api/v1/...`` behind OneAPI, ``/api/v1/...`` on the product's own host with
a session cookie of its own sign-in), over HTTP, kept by ``--state``."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pulumi_zpa_pkeys.emulator import App, Backend, EmulatorServer
from pulumi_zpa_pkeys.emulator.kind import Kind, Rules, TableSpec, operation
from pulumi_zpa_pkeys.emulator.kinds import KINDS
from pulumi_zpa_pkeys.emulator.responses import Operation, Reply, Request
from pulumi_zpa_pkeys.emulator.store import Journal
from pulumi_zpa_pkeys.emulator.table import FLAG, ID, TEXT, Shape, Table
from pulumi_zpa_pkeys.emulator.urls import DOORS, Door, row

PRODUCTS = {"zia": "9001", "ztw": "9002"}  # product -> the id of its one seeded key
SHAPE = Shape(required={"id": ID, "keyValue": TEXT, "enabled": FLAG})


class ProductKeys(Rules):
    """One key per product; regenerating gives it a new value under the same id."""

    def seed(self) -> None:
        for product, table in self.tables.items():
            table.fill([{"id": PRODUCTS[product], "keyValue": "seeded", "enabled": True}])

    def state(self, table: Table) -> list[dict[str, Any]]:
        return [{**key, "keyValue": "****"} for key in table]  # a kind may hide secrets here

    @operation
    def list_product_keys(self, *, product: str) -> list[dict[str, Any]]:
        return [dict(key) for key in self.tables[product]]

    @operation
    def regenerate_product_key(self, *, product: str, key_id: str) -> dict[str, Any]:
        key = {**self.tables[product].find(key_id), "keyValue": secrets.token_hex(8)}
        self.tables[product].put(key)
        return key

    def value(self, product: str) -> str:
        return str(next(iter(self.tables[product]))["keyValue"])


PRODUCT_KEYS = Kind(
    "product_keys",
    first_id=9100,
    tables=tuple(TableSpec(f"{p}Keys", f"{p.upper()} API key", SHAPE, name=p) for p in PRODUCTS),
    rules=ProductKeys,
)


def product_urls(product: str) -> list[Any]:
    fixed = (("product", product),)
    return [
        row("/api/v1/apiKeys", GET=Operation("list_product_keys", fixed=fixed)),
        row(
            r"/api/v1/apiKeys/(?P<key_id>[0-9]+)/regenerate",
            POST=Operation("regenerate_product_key", fixed=fixed),
        ),
    ]


def serve(journal: Path) -> tuple[EmulatorServer, App]:
    backend = Backend(journal=Journal(journal), kinds=(*KINDS, PRODUCT_KEYS))
    # Ahead of the emulator's own doors, which serve the real ZIA and ZTW on these paths.
    doors = (
        Door("/zia", "/api/v1/", product_urls("zia"), oneapi=True),
        Door("/ztw", "/api/v1/", product_urls("ztw"), oneapi=True),
        Door("", "/api/v1/", product_urls("zia"), oneapi=False, auth="session"),
        *DOORS,
    )
    app = App(backend, doors=doors)
    sessions: set[str] = set()

    def sign_in(req: Request) -> Reply:
        if req.body.decode() != backend.rules(ProductKeys).value("zia"):
            return Reply(401, {"message": "wrong key"})
        session = secrets.token_hex(8)
        sessions.add(session)
        return Reply(200, {"authType": "API"}, [("Set-Cookie", f"JSESSIONID={session}")])

    app.sign_ins["/api/v1/authenticatedSession"] = sign_in
    app.authorizers["session"] = lambda req: req.headers.get("cookie", "")[11:] in sessions
    server = EmulatorServer(app)
    server.start_in_thread()
    return server, app


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "state.jsonl"


@pytest.fixture
def server(journal: Path) -> Iterator[EmulatorServer]:
    server, _ = serve(journal)
    yield server
    server.shutdown()
    server.server_close()
    server.app.backend.close()


def token(url: str) -> dict[str, str]:
    answer = requests.post(
        f"{url}/oauth2/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "zpa-emulator",
            "client_secret": "zpa-emulator-secret",
        },
        timeout=5,
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_new_kind_is_served_behind_oneapi_for_each_product(server: EmulatorServer) -> None:
    auth = token(server.url)
    for product, key_id in PRODUCTS.items():
        listed = requests.get(f"{server.url}/{product}/api/v1/apiKeys", headers=auth, timeout=5)
        assert (listed.status_code, [k["id"] for k in listed.json()]) == (200, [key_id])
        regenerated = requests.post(
            f"{server.url}/{product}/api/v1/apiKeys/{key_id}/regenerate", headers=auth, timeout=5
        )
        assert regenerated.status_code == 200
        assert regenerated.json()["keyValue"] not in ("seeded", listed.json()[0]["keyValue"])
    unauthorized = requests.get(f"{server.url}/zia/api/v1/apiKeys", timeout=5)
    assert (unauthorized.status_code, unauthorized.json()["detail"]) == (401, "unauthorized")
    # ZPA is served as before, beside it.
    certs = requests.get(
        f"{server.url}/zpa/mgmtconfig/v2/admin/customers/216196257331281920/enrollmentCert",
        headers=auth,
        timeout=5,
    )
    assert certs.status_code == 200 and certs.json()["totalCount"] == "4"


def test_new_kind_is_served_on_its_own_host_with_its_own_sign_in(server: EmulatorServer) -> None:
    url = server.url
    refused = requests.get(f"{url}/api/v1/apiKeys", headers=token(url), timeout=5)
    assert (refused.status_code, refused.json()["id"]) == (401, "access.denied")
    session = requests.Session()
    signed_in = session.post(f"{url}/api/v1/authenticatedSession", data="seeded", timeout=5)
    assert signed_in.status_code == 200
    listed = session.get(f"{url}/api/v1/apiKeys", timeout=5)
    assert (listed.status_code, listed.json()[0]["id"]) == (200, PRODUCTS["zia"])
    missing = session.post(f"{url}/api/v1/apiKeys/1/regenerate", timeout=5)
    assert (missing.status_code, missing.json()["reason"]) == (400, "ZIA API key 1 was not found")
    session.close()


def test_new_kind_shows_in_state_and_survives_a_restart(
    server: EmulatorServer, journal: Path
) -> None:
    auth = token(server.url)
    key = requests.post(
        f"{server.url}/ztw/api/v1/apiKeys/{PRODUCTS['ztw']}/regenerate", headers=auth, timeout=5
    ).json()
    state = requests.get(f"{server.url}/_emulator/state", timeout=5).json()
    assert state["ztwKeys"] == [{**key, "keyValue": "****"}] and "provisioningKeys" in state
    server.shutdown()
    server.server_close()
    server.app.backend.close()
    again, app = serve(journal)
    try:
        assert app.backend.rules(ProductKeys).value("ztw") == key["keyValue"]
        assert app.backend.rules(ProductKeys).value("zia") == "seeded"
        requests.post(f"{again.url}/_emulator/reset", timeout=5)
        assert app.backend.rules(ProductKeys).value("ztw") == "seeded"
    finally:
        again.shutdown()
        again.server_close()
        app.backend.close()


def test_two_kinds_declaring_the_same_name_are_refused() -> None:
    twin = Kind("keys", first_id=1, tables=(), rules=ProductKeys)
    with pytest.raises(ValueError, match="two kinds declare the id sequence 'keys'"):
        Backend(kinds=(*KINDS, twin))
    operation_twin = Kind(
        "twin", first_id=1, tables=(TableSpec("twin", "twin", SHAPE),), rules=ProductKeys
    )
    with pytest.raises(ValueError, match="operation 'list_product_keys'"):
        Backend(kinds=(*KINDS, PRODUCT_KEYS, operation_twin))
