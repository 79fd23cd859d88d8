"""Provider settings: Pulumi config ``zpa:*`` first, then the Terraform provider's env vars.

The table in docs/contract.md ("Provider configuration") is the source of truth. Values arrive
as strings; an empty string counts as unset. Cloud names map to both sign-in front doors:

* legacy API key: ``{base}/signin`` and ``{base}/mgmtconfig`` (``zpaCloud``);
* OneAPI (ZIdentity): ``https://{vanity}.zslogin{cloud}.net/oauth2/v1/token`` and
  ``https://api.{cloud}.zsapi.net/zpa/mgmtconfig`` (``zscalerCloud``).

``baseUrl`` replaces the cloud's origin for either door (the emulator, private clouds).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError

LEGACY_BASE_URLS: Mapping[str, str] = {
    "PRODUCTION": "https://config.private.zscaler.com",
    "ZPATWO": "https://config.zpatwo.net",
    "BETA": "https://config.zpabeta.net",
    "GOV": "https://config.zpagov.net",
    "GOVUS": "https://config.zpagov.us",
    "PREVIEW": "https://config.zpapreview.net",
}

# OneAPI clouds whose hosts do not follow the zslogin{cloud}.net / api.{cloud}.zsapi.net pattern.
ONEAPI_SPECIAL_HOSTS: Mapping[str, tuple[str, str]] = {
    "gov": ("zidentitygov.net", "api.zscalergov.net"),
    "govus": ("zidentitygov.us", "api.zscalergov.us"),
}

_PRODUCTION_NAMES = frozenset({"", "production", "prod"})
_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})

ConfigSource = Mapping[str, Any] | Callable[[str], Any]


@dataclass(frozen=True)
class Settings:
    """Everything the API client needs; hashable, and its repr never shows the secret."""

    legacy: bool
    client_id: str
    client_secret: str = field(repr=False)
    customer_id: str
    token_url: str
    api_base: str
    microtenant_id: str | None = None
    rate_limit_gets: int = 20
    rate_limit_writes: int = 10
    rate_limit_window_s: float = 10.0
    request_timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    #: Upper bound on the time one call spends waiting between retries (429 retry-after included).
    retry_max_wait_s: float = 60.0
    #: urllib3 backoff factor for retries without a retry-after header.
    retry_backoff_s: float = 0.5

    @property
    def limiter_enabled(self) -> bool:
        """False when any of the three rate-limit settings is 0."""
        return bool(self.rate_limit_gets and self.rate_limit_writes and self.rate_limit_window_s)

    @classmethod
    def from_config(
        cls, config: ConfigSource, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Build settings from ``zpa:*`` config strings, falling back to env vars.

        :raises ConfigError: a credential is missing or a value cannot be parsed.
        """
        return _Reader(config, os.environ if environ is None else environ).settings()

    @classmethod
    def from_pulumi_config(cls) -> Settings:
        """Build settings inside a Pulumi program from ``pulumi.Config("zpa")`` and env vars."""
        import pulumi  # lazily: the client and the emulator must not import pulumi

        cfg = pulumi.Config("zpa")
        return cls.from_config(lambda key: cfg.get(key.split(":", 1)[1]))


class _Reader:
    """Looks values up in config then env, and parses them with errors naming both."""

    def __init__(self, config: ConfigSource, environ: Mapping[str, str]) -> None:
        self._config = config
        self._environ = environ

    def raw(self, keys: tuple[str, ...], env: str) -> str | None:
        for key in keys:
            value = self._config(f"zpa:{key}") if callable(self._config) else (
                self._config.get(f"zpa:{key}")
            )
            if value is not None and str(value).strip() != "":
                return str(value).strip()
        value = self._environ.get(env)
        return value.strip() if value is not None and value.strip() != "" else None

    def required(self, keys: tuple[str, ...], env: str) -> str:
        value = self.raw(keys, env)
        if value is None:
            raise ConfigError(f"missing setting: set Pulumi config {_names(keys)} or env {env}")
        return value

    def boolean(self, keys: tuple[str, ...], env: str, default: bool) -> bool:
        value = self.raw(keys, env)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise _invalid(keys, env, f"{value!r} is not one of true, false, 1, 0")

    def number(self, keys: tuple[str, ...], env: str, default: float, *, whole: bool) -> float:
        value = self.raw(keys, env)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not number >= 0 or number == float("inf") or (whole and not number.is_integer()):
            kind = "a whole number" if whole else "a number"
            raise _invalid(keys, env, f"{value!r} is not {kind} >= 0")
        return number

    def settings(self) -> Settings:
        legacy = self.boolean(("useLegacyClient",), "ZSCALER_USE_LEGACY_CLIENT", False)
        if legacy:
            client_id = self.required(("zpaClientId",), "ZPA_CLIENT_ID")
            client_secret = self.required(("zpaClientSecret",), "ZPA_CLIENT_SECRET")
        else:
            client_id = self.required(("clientId",), "ZSCALER_CLIENT_ID")
            client_secret = self.required(("clientSecret",), "ZSCALER_CLIENT_SECRET")
        customer_id = self.required(("customerId", "zpaCustomerId"), "ZPA_CUSTOMER_ID")
        token_url, api_base = self.urls(legacy)
        timeout = self.number(
            ("requestTimeoutSeconds",), "ZPA_REQUEST_TIMEOUT_SECONDS", 30.0, whole=False
        )
        if timeout == 0:
            raise _invalid(
                ("requestTimeoutSeconds",), "ZPA_REQUEST_TIMEOUT_SECONDS", "0 is not > 0"
            )
        return Settings(
            legacy=legacy,
            client_id=client_id,
            client_secret=client_secret,
            customer_id=customer_id,
            token_url=token_url,
            api_base=api_base,
            microtenant_id=self.raw(("microtenantId",), "ZPA_MICROTENANT_ID"),
            rate_limit_gets=int(
                self.number(("rateLimitGets",), "ZPA_RATE_LIMIT_GETS", 20, whole=True)
            ),
            rate_limit_writes=int(
                self.number(("rateLimitWrites",), "ZPA_RATE_LIMIT_WRITES", 10, whole=True)
            ),
            rate_limit_window_s=self.number(
                ("rateLimitWindowSeconds",), "ZPA_RATE_LIMIT_WINDOW_SECONDS", 10.0, whole=False
            ),
            request_timeout_s=timeout,
            connect_timeout_s=min(10.0, timeout),
            retry_max_wait_s=self.number(
                ("retryMaxWaitSeconds",), "ZPA_RETRY_MAX_WAIT_SECONDS", 60.0, whole=False
            ),
        )

    def urls(self, legacy: bool) -> tuple[str, str]:
        """(token_url, api_base) for the chosen front door."""
        base = self.raw(("baseUrl",), "ZPA_BASE_URL")
        if base is not None:
            base = _check_base_url(base)
            if legacy:
                return f"{base}/signin", f"{base}/mgmtconfig"
            return f"{base}/oauth2/v1/token", f"{base}/zpa/mgmtconfig"
        if legacy:
            cloud = (self.raw(("zpaCloud",), "ZPA_CLOUD") or "PRODUCTION").upper()
            if cloud not in LEGACY_BASE_URLS:
                known = ", ".join(LEGACY_BASE_URLS)
                raise _invalid(("zpaCloud",), "ZPA_CLOUD", f"{cloud!r} is not one of {known}")
            return legacy_urls(cloud)
        cloud = (self.raw(("zscalerCloud",), "ZSCALER_CLOUD") or "").lower()
        if cloud not in _PRODUCTION_NAMES and not _NAME_RE.match(cloud):
            raise _invalid(("zscalerCloud",), "ZSCALER_CLOUD", f"{cloud!r} is not a cloud name")
        vanity = self.required(("vanityDomain",), "ZSCALER_VANITY_DOMAIN").lower()
        if not _NAME_RE.match(vanity):
            raise _invalid(("vanityDomain",), "ZSCALER_VANITY_DOMAIN", f"{vanity!r} is not a name")
        return oneapi_urls(vanity, cloud)


def legacy_urls(cloud: str) -> tuple[str, str]:
    """(token_url, api_base) of a legacy ``zpaCloud`` (PRODUCTION, ZPATWO, BETA, ...)."""
    base = LEGACY_BASE_URLS[cloud.upper()]
    return f"{base}/signin", f"{base}/mgmtconfig"


def oneapi_urls(vanity: str, cloud: str = "") -> tuple[str, str]:
    """(token_url, api_base) of a OneAPI tenant ``vanity`` in ``zscalerCloud`` ``cloud``."""
    cloud = cloud.lower()
    if cloud in ONEAPI_SPECIAL_HOSTS:
        login, api = ONEAPI_SPECIAL_HOSTS[cloud]
    elif cloud in _PRODUCTION_NAMES:
        login, api = "zslogin.net", "api.zsapi.net"
    else:
        login, api = f"zslogin{cloud}.net", f"api.{cloud}.zsapi.net"
    return f"https://{vanity}.{login}/oauth2/v1/token", f"https://{api}/zpa/mgmtconfig"


def _check_base_url(url: str) -> str:
    """Strip the trailing slash; refuse plain http to anything but loopback."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host or parts.query or parts.fragment:
        raise _invalid(("baseUrl",), "ZPA_BASE_URL", f"{url!r} is not an http(s) origin")
    if parts.scheme == "http" and not _is_loopback(host):
        raise _invalid(
            ("baseUrl",), "ZPA_BASE_URL", f"plain http is allowed only to loopback, not {host!r}"
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _names(keys: tuple[str, ...]) -> str:
    return " or ".join(f"zpa:{key}" for key in keys)


def _invalid(keys: tuple[str, ...], env: str, why: str) -> ConfigError:
    return ConfigError(f"invalid setting Pulumi config {_names(keys)} (env {env}): {why}")
