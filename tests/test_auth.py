"""The bearer-token object driven directly (no sockets), httpx style.

test_client.py checks the same behaviour over HTTP against the emulator.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import pytest
import requests

from pulumi_zpa_pkeys.auth import DEFAULT_LIFETIME_S, BearerAuth, token_lifetime


def jwt(**claims: Any) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2ln"


class SignIns:
    """A sign-in that hands out numbered tokens valid for ``lifetime`` seconds."""

    def __init__(self, lifetime: int = 3600) -> None:
        self.count = 0
        self.lifetime = lifetime

    def __call__(self) -> tuple[str, Any]:
        self.count += 1
        return jwt(iat=1_700_000_000, exp=1_700_000_000 + self.lifetime, n=self.count), None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def answer(status: int) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    return response


def test_token_lifetime_prefers_jwt_exp_minus_iat() -> None:
    assert token_lifetime(jwt(iat=100, exp=3700), "5") == 3600


def test_token_lifetime_jwt_exp_without_iat_uses_now() -> None:
    assert token_lifetime(jwt(exp=1000), None, now=400.0) == 600


@pytest.mark.parametrize(("expires_in", "lifetime"), [("3600", 3600.0), (83999, 83999.0)])
def test_token_lifetime_falls_back_to_expires_in(expires_in: Any, lifetime: float) -> None:
    assert token_lifetime("opaque-token", expires_in) == lifetime


def test_token_lifetime_default_when_nothing_known() -> None:
    assert token_lifetime("not.a-jwt.at all", None) == DEFAULT_LIFETIME_S


def test_token_reused_until_shortly_before_exp() -> None:
    sign_in, clock = SignIns(3600), Clock()
    auth = BearerAuth(sign_in, clock=clock)
    first = auth.token()
    clock.now = 3539.0
    assert auth.token() == first and sign_in.count == 1
    clock.now = 3541.0  # inside the 60 s safety margin
    assert auth.token() != first and sign_in.count == 2


def test_token_short_lifetime_refreshes_at_ninety_percent() -> None:
    sign_in, clock = SignIns(10), Clock()
    auth = BearerAuth(sign_in, clock=clock)
    auth.token()
    clock.now = 8.9
    auth.token()
    assert sign_in.count == 1
    clock.now = 9.0
    auth.token()
    assert sign_in.count == 2


def test_token_concurrent_threads_sign_in_once() -> None:
    sign_in = SignIns()
    auth = BearerAuth(sign_in)
    barrier = threading.Barrier(8)
    tokens: list[str] = []

    def worker() -> None:
        barrier.wait()
        tokens.append(auth.token())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sign_in.count == 1 and len(set(tokens)) == 1


def test_invalidate_stale_token_keeps_newer_one() -> None:
    sign_in = SignIns()
    auth = BearerAuth(sign_in)
    old = auth.token()
    auth.invalidate(old)
    new = auth.token()
    auth.invalidate(old)  # a second thread reporting the same 401 late
    assert auth.token() == new and sign_in.count == 2


def test_auth_flow_401_signs_in_again_and_resends_once() -> None:
    sign_in = SignIns()
    auth = BearerAuth(sign_in)
    flow = auth.auth_flow(requests.Request("GET", "https://zpa.test/x").prepare())
    first = next(flow)
    token = first.headers["Authorization"]
    second = flow.send(answer(401))
    assert second.headers["Authorization"] != token and sign_in.count == 2
    with pytest.raises(StopIteration):
        flow.send(answer(401))  # no third attempt


def test_auth_flow_success_sends_once() -> None:
    auth = BearerAuth(SignIns())
    flow = auth.auth_flow(requests.Request("GET", "https://zpa.test/x").prepare())
    next(flow)
    with pytest.raises(StopIteration):
        flow.send(answer(200))


def test_auth_repr_hides_token() -> None:
    auth = BearerAuth(SignIns())
    token = auth.token()
    assert token not in repr(auth) and "sign_ins=1" in repr(auth)
