"""Helpers for the cloud service API key tests (imported as `cloud_support`): the config that
reaches the emulator's ZIA and ZTW through either door, and the emulator's key calls over HTTP."""

from __future__ import annotations

import time
from typing import Any

import requests

from pulumi_zpa_pkeys.cloud_transport import obfuscate
from pulumi_zpa_pkeys.emulator.cloud_keys import SIGN_IN_PATHS
from pulumi_zpa_pkeys.testing import CLOUD_ADMIN_PASSWORD as ADMIN_PASSWORD
from pulumi_zpa_pkeys.testing import CLOUD_ADMIN_USERNAME as ADMIN_USERNAME
from pulumi_zpa_pkeys.testing import CLOUD_SERVICE_API_KEY_IDS as KEY_IDS
from pulumi_zpa_pkeys.testing import CLOUD_SERVICE_API_KEYS as SEEDED_VALUES

__all__ = [
    "ADMIN_PASSWORD",
    "ADMIN_USERNAME",
    "KEY_IDS",
    "SEEDED_VALUES",
    "SIGN_IN_PATHS",
    "cloud_calls",
    "cloud_config",
    "cloud_sign_ins",
    "legacy_session",
    "oneapi_headers",
    "out_of_band_regenerate",
    "stored_key",
]

_ONEAPI_PREFIX = {"ZIA": "/zia/api/v1", "ZTW": "/ztw/api/v1"}


def cloud_config(
    emulator: Any,
    product: str,
    *,
    oneapi: bool = False,
    namespace: str | None = None,
    api_key: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """Stack config that reaches the emulator's ``product`` through the legacy door (its seeded
    key, or ``api_key``) or OneAPI (the emulator's admin client), client-side pacing off
    (``RunningEmulator.cloud_config``, with ``extra`` settings)."""
    ns = namespace or product.lower()
    config = emulator.cloud_config(product, oneapi=oneapi, namespace=ns)
    changes = {"rateLimitWrites": "0", **({"apiKey": api_key} if api_key else {}), **extra}
    return {**config, **{f"{ns}:{key}": value for key, value in changes.items()}}


def cloud_sign_ins(emulator: Any, product: str | None = None) -> int:
    """Legacy sign-ins (of ``product``, or of both) and OneAPI token requests in the log."""
    paths = {SIGN_IN_PATHS[product]} if product else set(SIGN_IN_PATHS.values())
    return sum(
        1
        for r in emulator.requests_log()
        if (r["method"] == "POST" and r["path"] in paths) or r["path"] == "/oauth2/v1/token"
    )


def cloud_calls(emulator: Any) -> list[tuple[str, str]]:
    """(method, path after /api/v1) of every ZIA/ZTW API call in the log, sign-ins aside."""
    calls = []
    for r in emulator.requests_log():
        path = r["path"]
        for prefix in ("/zia/api/v1", "/ztw/api/v1", "/api/v1"):
            if path.startswith(prefix + "/") and path not in SIGN_IN_PATHS.values():
                calls.append((r["method"], path[len(prefix) :]))
                break
    return calls


def stored_key(emulator: Any, product: str) -> dict[str, Any]:
    """The product's organisation key in the emulator's state (value included)."""
    (key,) = [
        k
        for k in emulator.state()["cloudServiceApiKeys"]
        if k["product"] == product and "partner" not in k
    ]
    return dict(key)


def legacy_session(emulator: Any, product: str, key: str | None = None) -> requests.Session:
    """A ``requests`` session signed in at ``product``'s legacy door (raises on a refusal)."""
    session = requests.Session()
    answer = sign_in(emulator, product, key or SEEDED_VALUES[product], session=session)
    answer.raise_for_status()
    return session


def sign_in(
    emulator: Any,
    product: str,
    key: str,
    *,
    session: requests.Session | None = None,
    **changes: Any,
) -> requests.Response:
    """One legacy sign-in as the API documents it (the body may be changed by ``changes``)."""
    now_ms = int(time.time() * 1000)
    body = {
        "apiKey": obfuscate(key, now_ms),
        "username": ADMIN_USERNAME,
        "password": ADMIN_PASSWORD,
        "timestamp": now_ms,
        **changes,
    }
    post = (session or requests).post
    return post(f"{emulator.url}{SIGN_IN_PATHS[product]}", json=body, timeout=10)


def oneapi_headers(emulator: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {emulator.token(legacy=False)}"}


def oneapi_url(emulator: Any, product: str, path: str) -> str:
    return f"{emulator.url}{_ONEAPI_PREFIX[product]}{path}"


def out_of_band_regenerate(emulator: Any, product: str) -> dict[str, Any]:
    """Regenerate the product's key as an admin in the portal would (drift)."""
    answer = requests.post(
        f"{emulator.url}/_emulator/cloudServiceApiKeys/{product}/regenerate", timeout=10
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result
