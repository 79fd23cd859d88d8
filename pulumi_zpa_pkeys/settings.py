"""Provider settings: Pulumi config ``zpa:*`` first, then the Terraform provider's env vars.

The README's "All settings" table lists every key with its env var. Values arrive
as strings; an empty string counts as unset. Cloud names map to both sign-in front doors:

* legacy API key: ``{base}/signin`` and ``{base}/mgmtconfig`` (``zpaCloud``);
* OneAPI (ZIdentity): ``https://{vanity}.zslogin{cloud}.net/oauth2/v1/token`` and
  ``https://api.{cloud}.zsapi.net/zpa/mgmtconfig`` (``zscalerCloud``).

``baseUrl`` replaces the cloud's origin for either door (the emulator, private clouds).

Settings come from one Pulumi config namespace (``zpa`` by default; another namespace holds
another tenant's settings under the same keys). Environment variables are the fallback for the
default namespace only.

Errors name what to fix:

* a missing setting names its config key and env var, and every key of the namespace this
  package does not read (``zpa:clientSecert``), with the closest key it does read. Unknown keys
  alone are not reported: the ``zpa`` namespace is shared with pulumi-zpa (and whatever else a
  stack keeps there), so a key this package does not read is not necessarily a mistake;
* each URL records the setting that chose it (:attr:`Settings.token_url_source`,
  :attr:`Settings.api_base_source`), which a connection failure names with the URL.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import os
import re
from collections.abc import Callable, Iterable, Mapping
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

#: The config namespace read when a resource or lookup names no tenant.
DEFAULT_NAMESPACE = "zpa"


@dataclass(frozen=True)
class Settings:
    """Everything the API client needs; hashable, and its repr never shows the secret."""

    legacy: bool
    client_id: str
    #: The client secret; empty when OneAPI signs in with ``private_key`` instead.
    client_secret: str = field(repr=False)
    customer_id: str
    token_url: str
    api_base: str
    microtenant_id: str | None = None
    #: The Pulumi config namespace these settings came from (named in error messages).
    namespace: str = DEFAULT_NAMESPACE
    #: OneAPI only: a PEM (PKCS#8 or PKCS#1), a JWK, or a path to one, used instead of the
    #: client secret to sign a client assertion (``zpa:privateKey``).
    private_key: str | None = field(default=None, repr=False)
    rate_limit_gets: int = 20
    rate_limit_writes: int = 10
    rate_limit_window_s: float = 10.0
    #: Share the budget with the other processes of this machine that reach the same tenant
    #: through the same front door (``zpa:rateLimitShared``); False: this process's own.
    rate_limit_shared: bool = True
    #: ``redis://`` or ``rediss://`` URL of a Redis that keeps the budget for every machine that
    #: names it (``zpa:rateLimitRedisUrl``); may hold a password, so never shown.
    rate_limit_redis_url: str | None = field(default=None, repr=False)
    request_timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    #: Upper bound on the time one call spends waiting between retries (429 retry-after included).
    retry_max_wait_s: float = 60.0
    #: urllib3 backoff factor for retries without a retry-after header.
    retry_backoff_s: float = 0.5
    #: The settings that chose ``token_url`` and ``api_base`` (for messages: "Pulumi config
    #: zpa:baseUrl", "env ZPA_CLOUD", ...).
    token_url_source: str = field(default="", compare=False)
    api_base_source: str = field(default="", compare=False)

    @property
    def limiter_enabled(self) -> bool:
        """False when any of the three rate-limit settings is 0."""
        return bool(self.rate_limit_gets and self.rate_limit_writes and self.rate_limit_window_s)

    @classmethod
    def from_config(
        cls,
        config: ConfigSource,
        environ: Mapping[str, str] | None = None,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> Settings:
        """Build settings from ``<namespace>:*`` config strings; for the default namespace,
        fall back to env vars.

        :raises ConfigError: a credential is missing or a value cannot be parsed.
        """
        if namespace != DEFAULT_NAMESPACE:
            environ = {}
        return _Reader(config, os.environ if environ is None else environ, namespace).settings()

    @classmethod
    def from_pulumi_config(cls, namespace: str = DEFAULT_NAMESPACE) -> Settings:
        """Build settings inside a Pulumi program from ``pulumi.Config(namespace)`` (and env
        vars for the default namespace)."""
        return cls.from_config(_PulumiConfig(namespace), namespace=namespace)


class _PulumiConfig:
    """``pulumi.Config(namespace)`` as a config source that can also list the stack's keys."""

    def __init__(self, namespace: str) -> None:
        import pulumi  # lazily: the client and the emulator must not import pulumi

        self._config = pulumi.Config(namespace)

    def __call__(self, key: str) -> Any:
        return self._config.get(key.split(":", 1)[1])

    def keys(self) -> Iterable[str]:
        from pulumi.runtime import config

        return [*config.CONFIG.get(), *config.get_config_env()]


def _keys_of(config: ConfigSource) -> Iterable[str]:
    """The keys a config source holds, where it can tell: a mapping, a mapping's ``get``, the
    provider host's ``ConfigureRequest.config.get``, or an object with ``keys()``."""
    for holder in (config, getattr(config, "__self__", None)):
        if isinstance(holder, Mapping):
            return list(holder)
        props = getattr(holder, "_props", None)  # pulumi.dynamic's Config keeps them there
        if isinstance(props, Mapping):
            return list(props)
        keys = getattr(holder, "keys", None)
        if callable(keys):
            return [str(key) for key in keys()]
    return []


@functools.cache
def known_keys() -> frozenset[str]:
    """Every key :class:`Settings` reads, found by reading with nothing set in each sign-in
    mode (so a setting added to the reader is known without a list to keep)."""
    found: set[str] = set()
    for legacy in ("true", "false"):
        reader = _Reader({f"{DEFAULT_NAMESPACE}:useLegacyClient": legacy}, {}, DEFAULT_NAMESPACE)
        reader.probing = True
        reader.settings()
        found.update(reader.looked_up)
    return frozenset(found)


class _Reader:
    """Looks values up in config then env, and parses them with errors naming both."""

    def __init__(
        self,
        config: ConfigSource,
        environ: Mapping[str, str],
        namespace: str,
        *,
        env_backed: bool | None = None,
        known: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        self._config = config
        self._environ = environ
        self._namespace = namespace
        #: Whether env vars back this namespace (messages name them); by default, ``zpa`` only.
        self._env_backed = namespace == DEFAULT_NAMESPACE if env_backed is None else env_backed
        #: The keys a namespace read by this reader may hold (default: ZPA's, ``known_keys``).
        self._known = known or known_keys
        #: Every key looked up, in order (``known_keys`` reads them).
        self.looked_up: list[str] = []
        #: Reading to learn the keys only: a missing required setting is no error.
        self.probing = False

    def raw(self, keys: tuple[str, ...], env: str) -> str | None:
        return self.found(keys, env)[0]

    def found(self, keys: tuple[str, ...], env: str) -> tuple[str | None, str]:
        """(value, where it came from: "Pulumi config ns:key" or "env VAR"); (None, "")
        when unset."""
        self.looked_up.extend(keys)
        for key in keys:
            name = f"{self._namespace}:{key}"
            value = self._config(name) if callable(self._config) else self._config.get(name)
            if value is not None and str(value).strip() != "":
                return str(value).strip(), f"Pulumi config {name}"
        value = self._environ.get(env)
        if value is not None and value.strip() != "":
            return value.strip(), f"env {env}"
        return None, ""

    def required(self, keys: tuple[str, ...], env: str) -> str:
        value = self.raw(keys, env)
        if value is None:
            if self.probing:
                return "probe"
            raise ConfigError(f"missing setting: {self._where(keys, env)}{self._unknown_keys()}")
        return value

    def _unknown_keys(self) -> str:
        """``; not settings of pulumi-zpa-pkeys: ns:clientSecert (did you mean
        ns:clientSecret?)`` for the keys of this namespace the package does not read."""
        prefix = f"{self._namespace}:"
        known = self._known()
        by_case = {key.casefold(): key for key in known}
        unknown = []
        for name in sorted(set(_keys_of(self._config))):
            key = name[len(prefix) :] if name.startswith(prefix) else None
            if not key or key in known:
                continue
            close = by_case.get(key.casefold()) or next(
                iter(difflib.get_close_matches(key, known, n=1, cutoff=0.6)), None
            )
            hint = f" (did you mean {prefix}{close}?)" if close else ""
            unknown.append(f"{name}{hint}")
        return f"; not settings of pulumi-zpa-pkeys: {', '.join(unknown)}" if unknown else ""

    def _where(self, keys: tuple[str, ...], env: str) -> str:
        names = " or ".join(f"{self._namespace}:{key}" for key in keys)
        if self._env_backed and env:
            return f"set Pulumi config {names} or env {env}"
        return f"set Pulumi config {names}"

    def invalid(self, keys: tuple[str, ...], env: str, why: str) -> ConfigError:
        names = " or ".join(f"{self._namespace}:{key}" for key in keys)
        where = f"{names} (env {env})" if self._env_backed and env else names
        return ConfigError(f"invalid setting Pulumi config {where}: {why}")

    def boolean(self, keys: tuple[str, ...], env: str, default: bool) -> bool:
        value = self.raw(keys, env)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise self.invalid(keys, env, f"{value!r} is not one of true, false, 1, 0")

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
            raise self.invalid(keys, env, f"{value!r} is not {kind} >= 0")
        return number

    def settings(self) -> Settings:
        legacy = self.boolean(("useLegacyClient",), "ZSCALER_USE_LEGACY_CLIENT", False)
        if legacy:
            client_id = self.required(("zpaClientId",), "ZPA_CLIENT_ID")
            client_secret = self.required(("zpaClientSecret",), "ZPA_CLIENT_SECRET")
        else:
            client_id = self.required(("clientId",), "ZSCALER_CLIENT_ID")
        private_key = self.raw(("privateKey",), "ZSCALER_PRIVATE_KEY")
        if legacy and private_key is not None:
            raise self.invalid(
                ("privateKey",),
                "ZSCALER_PRIVATE_KEY",
                "a private key signs in at OneAPI only; unset it or useLegacyClient",
            )
        if not legacy:
            client_secret = self.raw(("clientSecret",), "ZSCALER_CLIENT_SECRET") or ""
            if not client_secret and not private_key:
                # The usual credential is named; docs/configuration.md explains zpa:privateKey.
                self.required(("clientSecret",), "ZSCALER_CLIENT_SECRET")
            if client_secret and private_key:
                raise self.invalid(
                    ("privateKey",),
                    "ZSCALER_PRIVATE_KEY",
                    f"set only one of it and {self._namespace}:clientSecret",
                )
        customer_id = self.required(("customerId", "zpaCustomerId"), "ZPA_CUSTOMER_ID")
        (token_url, api_base), (token_url_source, api_base_source) = self.urls(legacy)
        timeout = self.number(
            ("requestTimeoutSeconds",), "ZPA_REQUEST_TIMEOUT_SECONDS", 30.0, whole=False
        )
        if timeout == 0:
            raise self.invalid(
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
            namespace=self._namespace,
            private_key=private_key,
            rate_limit_gets=int(
                self.number(("rateLimitGets",), "ZPA_RATE_LIMIT_GETS", 20, whole=True)
            ),
            rate_limit_writes=int(
                self.number(("rateLimitWrites",), "ZPA_RATE_LIMIT_WRITES", 10, whole=True)
            ),
            rate_limit_window_s=self.number(
                ("rateLimitWindowSeconds",), "ZPA_RATE_LIMIT_WINDOW_SECONDS", 10.0, whole=False
            ),
            rate_limit_shared=self.boolean(("rateLimitShared",), "ZPA_RATE_LIMIT_SHARED", True),
            rate_limit_redis_url=self.redis_url(),
            request_timeout_s=timeout,
            connect_timeout_s=min(10.0, timeout),
            retry_max_wait_s=self.number(
                ("retryMaxWaitSeconds",), "ZPA_RETRY_MAX_WAIT_SECONDS", 60.0, whole=False
            ),
            token_url_source=token_url_source,
            api_base_source=api_base_source,
        )

    def urls(self, legacy: bool) -> tuple[tuple[str, str], tuple[str, str]]:
        """((token_url, api_base), (the settings that chose each)) for the chosen front door."""
        base, base_from = self.found(("baseUrl",), "ZPA_BASE_URL")
        if base is not None:
            base = self.base_url(base)
            if legacy:
                return (f"{base}/signin", f"{base}/mgmtconfig"), (base_from, base_from)
            return (f"{base}/oauth2/v1/token", f"{base}/zpa/mgmtconfig"), (base_from, base_from)
        ns = self._namespace
        if legacy:
            cloud, cloud_from = self.found(("zpaCloud",), "ZPA_CLOUD")
            cloud = (cloud or "PRODUCTION").upper()
            if cloud not in LEGACY_BASE_URLS:
                known = ", ".join(LEGACY_BASE_URLS)
                raise self.invalid(("zpaCloud",), "ZPA_CLOUD", f"{cloud!r} is not one of {known}")
            source = cloud_from or f"{ns}:zpaCloud (unset: PRODUCTION)"
            return legacy_urls(cloud), (source, source)
        return self.oneapi()

    def oneapi(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """((token_url, ZPA api_base), (the settings that chose each)) of the OneAPI tenant
        that ``vanityDomain`` and ``zscalerCloud`` name."""
        ns = self._namespace
        cloud, cloud_from = self.found(("zscalerCloud",), "ZSCALER_CLOUD")
        cloud = (cloud or "").lower()
        if cloud not in _PRODUCTION_NAMES and not _NAME_RE.match(cloud):
            raise self.invalid(("zscalerCloud",), "ZSCALER_CLOUD", f"{cloud!r} is not a cloud name")
        cloud_from = cloud_from or f"{ns}:zscalerCloud (unset: production)"
        vanity = self.required(("vanityDomain",), "ZSCALER_VANITY_DOMAIN").lower()
        if not _NAME_RE.match(vanity):
            raise self.invalid(
                ("vanityDomain",), "ZSCALER_VANITY_DOMAIN", f"{vanity!r} is not a name"
            )
        _, vanity_from = self.found(("vanityDomain",), "ZSCALER_VANITY_DOMAIN")
        return oneapi_urls(vanity, cloud), (f"{vanity_from} and {cloud_from}", cloud_from)

    def base_url(self, url: str, env: str = "ZPA_BASE_URL") -> str:
        """Strip the trailing slash; refuse plain http to anything but loopback, and user
        info (a password in a URL is never repeated in the message)."""
        keys = ("baseUrl",)
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            raise self.invalid(keys, env, "it is not an http(s) origin") from None
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            raise self.invalid(keys, env, "it must not contain a user name or password")
        if parts.scheme not in ("https", "http") or not host or parts.query or parts.fragment:
            raise self.invalid(keys, env, f"{url!r} is not an http(s) origin")
        if parts.scheme == "http" and not is_loopback(host):
            raise self.invalid(keys, env, f"plain http is allowed only to loopback, not {host!r}")
        return url.rstrip("/")

    def redis_url(self) -> str | None:
        """``zpa:rateLimitRedisUrl``: a ``redis://`` or ``rediss://`` URL with a host, an
        optional port and database number. The value is never repeated (it may hold a
        password)."""
        keys, env = ("rateLimitRedisUrl",), "ZPA_RATE_LIMIT_REDIS_URL"
        url = self.raw(keys, env)
        if url is None:
            return None
        why = "it is not a redis:// or rediss:// URL with a host (and optional port, /db)"
        try:
            parts = urlsplit(url)
            ok = parts.scheme in ("redis", "rediss") and bool(parts.hostname)
            ok = ok and (parts.port is None or parts.port > 0) and not parts.fragment
        except ValueError:
            ok = False
        if not ok or not re.fullmatch(r"/?[0-9]*", parts.path):
            raise self.invalid(keys, env, why) from None
        return url


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


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
