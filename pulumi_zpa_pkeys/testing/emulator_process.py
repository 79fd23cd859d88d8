"""Run the bundled ZPA emulator as a subprocess for tests (standard library only; no pulumi)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .seeds import (
    CLOUD_ADMIN_PASSWORD,
    CLOUD_ADMIN_USERNAME,
    CLOUD_SERVICE_API_KEYS,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_CUSTOMER_ID,
)

START_TIMEOUT_S = 30.0
#: The module children run under, so that they end with this process (see ``_lifeline``).
LIFELINE = "pulumi_zpa_pkeys.testing._lifeline"


class EmulatorControlError(RuntimeError):
    """A control endpoint refused a call (the message carries the emulator's answer)."""


@dataclass
class RunningEmulator:
    """A started emulator: where it listens, how to reach it, and its control endpoints."""

    url: str
    customer_id: str
    client_id: str
    client_secret: str
    config: dict[str, str]
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    legacy: bool = False
    rate_limit: bool = False
    state_file: str | None = None
    _timeout: float = field(default=30.0, repr=False)

    # ------------------------------------------------------------------ plumbing

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            exc.close()
            raise EmulatorControlError(f"{method} {path} answered {exc.code}: {detail}") from None
        return json.loads(raw) if raw else None

    # ------------------------------------------------------------------ control endpoints

    def requests_log(self) -> list[dict[str, Any]]:
        """Every front-door request so far: method, path (decoded), query (raw), status."""
        result: list[dict[str, Any]] = self._call("GET", "/_emulator/requests")
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/_emulator/requests")

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """E.g. ``add_fault(method="POST", path_regex="provisioningKey$", action="status",
        status=503, retry_after="1s")``; actions: status, drop_before, drop_after, delay,
        answer (a 2xx/3xx with a raw body)."""
        result: dict[str, Any] = self._call("POST", "/_emulator/faults", rule)
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "/_emulator/faults")

    def configure(self, **cfg: Any) -> dict[str, Any]:
        """Any of rate_limit, get_per_window, write_per_window, window_s, token_ttl_s."""
        result: dict[str, Any] = self._call("POST", "/_emulator/config", cfg)
        return result

    def expire_tokens(self) -> None:
        self._call("POST", "/_emulator/tokens/expire")

    def advance_clock(self, seconds: float) -> float:
        """Move the emulator's time forward (tokens, rate windows, sessions): a test passes a
        lifetime without sleeping. Returns how far ahead of the machine's clock it now is."""
        result: dict[str, Any] = self._call("POST", "/_emulator/clock", {"advance_s": seconds})
        return float(result["offset_s"])

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/_emulator/state")
        return result

    def patch_key(self, key_id: str | int, **fields: Any) -> dict[str, Any]:
        """Overwrite a key's fields out of band (drift), e.g. ``patch_key(id, readOnly=True)``."""
        result: dict[str, Any] = self._call("PATCH", f"/_emulator/provisioningKey/{key_id}", fields)
        return result

    def add_enrollment_cert(self, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/_emulator/enrollmentCert", fields)
        return result

    def register_client(self, client_id: str, public_jwk: dict[str, Any]) -> dict[str, Any]:
        """Register a OneAPI client that signs in with a private key: its public RSA JWK
        (``{"kty": "RSA", "n": ..., "e": ...}``), against which assertions are verified."""
        body = {"client_id": client_id, "public_jwk": public_jwk}
        result: dict[str, Any] = self._call("POST", "/_emulator/clients", body)
        return result

    def seed(
        self,
        association_type: str = "CONNECTOR_GRP",
        count: int = 1,
        name_prefix: str = "bulk-",
        **extra: Any,
    ) -> dict[str, Any]:
        """Add ``count`` keys named ``{name_prefix}{n}`` without rate limits."""
        body = {
            "associationType": association_type,
            "count": count,
            "namePrefix": name_prefix,
            **extra,
        }
        result: dict[str, Any] = self._call("POST", "/_emulator/seed", body)
        return result

    def reset(self) -> None:
        """Seeded state; clears the log, faults and rate counters; keeps config and tokens."""
        self._call("POST", "/_emulator/reset")

    # ------------------------------------------------------------------ conveniences

    @property
    def api_base(self) -> str:
        """The management API base of the configured front door."""
        return f"{self.url}/mgmtconfig" if self.legacy else f"{self.url}/zpa/mgmtconfig"

    def cloud_config(
        self, product: str = "ZTW", *, oneapi: bool = False, namespace: str | None = None
    ) -> dict[str, str]:
        """The config that reaches this emulator's ZIA or ZTW (``product``) in namespace
        ``namespace`` (default ``zia`` / ``ztw``): legacy sign-in with the seeded cloud service
        API key and admin, or (``oneapi``) the OneAPI client; client-side pacing as configured."""
        values = (
            {"clientId": self.client_id, "clientSecret": self.client_secret}
            if oneapi
            else {
                "apiKey": CLOUD_SERVICE_API_KEYS[product.upper()],
                "username": CLOUD_ADMIN_USERNAME,
                "password": CLOUD_ADMIN_PASSWORD,
            }
        )
        values["baseUrl"] = self.url
        if not self.rate_limit:
            values["rateLimitWrites"] = "0"
        ns = namespace or product.lower()
        return {f"{ns}:{key}": value for key, value in values.items()}

    def token(self, *, legacy: bool | None = None) -> str:
        """Sign in on a front door (the configured one by default) and return the token."""
        use_legacy = self.legacy if legacy is None else legacy
        if use_legacy:
            form = {"client_id": self.client_id, "client_secret": self.client_secret}
            path = "/signin"
        else:
            form = {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "audience": "https://api.zscaler.com",
            }
            path = "/oauth2/v1/token"
        data = urllib.parse.urlencode(form).encode("ascii")
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=self._timeout) as response:
            token: str = json.loads(response.read())["access_token"]
        return token


def _client_settings(
    url: str,
    customer_id: str,
    client_id: str,
    client_secret: str,
    *,
    legacy: bool,
    rate_limit: bool,
) -> tuple[dict[str, str], dict[str, str]]:
    config = {"zpa:baseUrl": url, "zpa:customerId": customer_id}
    env = {"ZPA_BASE_URL": url, "ZPA_CUSTOMER_ID": customer_id}
    if legacy:
        config |= {
            "zpa:useLegacyClient": "true",
            "zpa:zpaClientId": client_id,
            "zpa:zpaClientSecret": client_secret,
        }
        env |= {
            "ZSCALER_USE_LEGACY_CLIENT": "true",
            "ZPA_CLIENT_ID": client_id,
            "ZPA_CLIENT_SECRET": client_secret,
        }
    else:
        config |= {"zpa:clientId": client_id, "zpa:clientSecret": client_secret}
        env |= {"ZSCALER_CLIENT_ID": client_id, "ZSCALER_CLIENT_SECRET": client_secret}
    if not rate_limit:
        config |= {"zpa:rateLimitGets": "0", "zpa:rateLimitWrites": "0"}
        env |= {"ZPA_RATE_LIMIT_GETS": "0", "ZPA_RATE_LIMIT_WRITES": "0"}
    return config, env


def _read_first_line(stream: IO[bytes], timeout: float) -> str | None:
    result: list[bytes] = []

    def reader() -> None:
        with contextlib.suppress(Exception):
            result.append(stream.readline())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    if not result:
        return None
    return result[0].decode("utf-8", "replace").strip() or None


def _stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    for stream in (process.stdout, process.stdin):
        if stream is not None:
            stream.close()


@contextlib.contextmanager
def emulator(
    *,
    legacy: bool = False,
    rate_limit: bool = False,
    state_file: str | os.PathLike[str] | None = None,
    customer_id: str = DEFAULT_CUSTOMER_ID,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    host: str = "127.0.0.1",
    extra_args: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
    start_timeout: float = START_TIMEOUT_S,
) -> Iterator[RunningEmulator]:
    """Start ``python -m pulumi_zpa_pkeys.emulator --port 0`` and yield a
    :class:`RunningEmulator`; SIGTERM (then kill) on exit.

    The emulator ends with this process however it ends (SIGTERM without clean-up, SIGKILL):
    it runs under :mod:`~pulumi_zpa_pkeys.testing._lifeline`, which watches the pipe this
    process holds as its stdin.

    Rate limits are off on both sides unless ``rate_limit=True`` (then the emulator enforces
    ZPA's limits and ``config`` leaves the client's limiter at its defaults). ``legacy=True``
    gives legacy API-key settings instead of OneAPI ones.
    """
    args = [
        sys.executable, "-m", LIFELINE, "pulumi_zpa_pkeys.emulator", "--host", host, "--port", "0",
        "--customer-id", customer_id, "--client-id", client_id, "--client-secret", client_secret,
    ]  # fmt: skip
    if not rate_limit:
        args.append("--no-rate-limit")
    if state_file is not None:
        args += ["--state", os.fspath(state_file)]
    args += list(extra_args)
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    if extra_env:
        env.update(extra_env)
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.PIPE, env=env
        )
        try:
            assert process.stdout is not None
            url = _read_first_line(process.stdout, start_timeout)
            if url is None or not url.startswith("http"):
                _stop(process)
                stderr.seek(0)
                detail = stderr.read().decode("utf-8", "replace").strip()
                raise RuntimeError(
                    f"the ZPA emulator did not start (exit {process.returncode}): "
                    f"{detail[-2000:] or 'no output'}"
                )
            config, client_env = _client_settings(
                url, customer_id, client_id, client_secret, legacy=legacy, rate_limit=rate_limit
            )
            yield RunningEmulator(
                url=url,
                customer_id=customer_id,
                client_id=client_id,
                client_secret=client_secret,
                config=config,
                env=client_env,
                process=process,
                legacy=legacy,
                rate_limit=rate_limit,
                state_file=None if state_file is None else os.fspath(state_file),
            )
        finally:
            _stop(process)


__all__ = ["EmulatorControlError", "RunningEmulator", "emulator"]
