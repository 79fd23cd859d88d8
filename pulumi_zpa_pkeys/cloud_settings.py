"""Settings of the ZIA and Cloud & Branch Connector (ZTW) APIs, where the organisation's cloud
service API key lives: one Pulumi config namespace per product (``zia`` / ``ztw`` by default, or
a ``tenant``), the names the Zscaler SDKs use.

Two front doors, chosen by what is set (``apiKey``: legacy; otherwise OneAPI):

* **legacy session**: ``apiKey`` (the 12-character cloud service API key), ``username``,
  ``password`` and ``cloud`` (``zscloud``, ``zscalertwo``, ...). ZIA answers at
  ``https://zsapi.<cloud>.net/api/v1`` (``zspreview``: ``https://admin.zspreview.net``), ZTW at
  ``https://connector.<cloud>.net/api/v1``; sign-in is ``POST /api/v1/authenticatedSession``
  (ZIA) or ``POST /api/v1/auth`` (ZTW), which opens a ``JSESSIONID`` session;
* **OneAPI** (ZIdentity): ``clientId`` with ``clientSecret`` or ``privateKey``,
  ``vanityDomain``, ``zscalerCloud``: the token of ZPA's OneAPI door, then
  ``https://api.zsapi.net/zia/api/v1`` or ``/ztw/api/v1``.

``baseUrl`` replaces the origin for either door (the emulator, private clouds). Environment
variables back the default namespaces only: ``ZIA_API_KEY``, ``ZIA_USERNAME``,
``ZIA_PASSWORD``, ``ZIA_CLOUD``, ``ZIA_BASE_URL`` (``ZTW_*`` alike) and ``ZSCALER_*`` for OneAPI.
Rate limits (``rateLimitWrites``, ``rateLimitWindowSeconds``, ``rateLimitShared``) and
``requestTimeoutSeconds`` are read from the namespace only.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError
from .settings import _NAME_RE, ConfigSource, Settings, _Reader

#: The product codes of Zscaler's SDKs and URLs: ZIA, and ZTW (Cloud & Branch Connector).
ZIA, ZTW = "ZIA", "ZTW"


@dataclass(frozen=True)
class Product:
    """Where one product's API and sign-in live, and the names of its settings."""

    code: str
    title: str
    #: The default Pulumi config namespace (and the env var prefix, upper-cased).
    namespace: str
    #: The legacy API host is ``https://<legacy_host>.<cloud>.net``.
    legacy_host: str
    #: The legacy session's sign-in (POST), status (GET, ZIA) and logout (DELETE) path.
    sign_in_path: str
    #: The OneAPI gateway's prefix of the product's ``/api/v1``.
    oneapi_prefix: str

    @property
    def env(self) -> str:
        return self.namespace.upper()


PRODUCTS: Mapping[str, Product] = {
    ZIA: Product(ZIA, "ZIA", "zia", "zsapi", "/api/v1/authenticatedSession", "/zia/api/v1"),
    ZTW: Product(
        ZTW, "Cloud & Branch Connector (ZTW)", "ztw", "connector", "/api/v1/auth", "/ztw/api/v1"
    ),
}

#: ZIA clouds whose legacy API is not ``zsapi.<cloud>.net`` (zscaler-sdk-python's ZIA client).
_LEGACY_SPECIAL_HOSTS: Mapping[tuple[str, str], str] = {(ZIA, "zspreview"): "admin.zspreview.net"}
API_KEY_LENGTH = 12


@dataclass(frozen=True)
class CloudSettings:
    """How to reach one product's API; hashable, and its repr shows no secret."""

    product: str
    namespace: str
    legacy: bool
    #: ``{origin}/api/v1`` (legacy) or ``https://api.zsapi.net/zia/api/v1`` (OneAPI).
    api_base: str
    #: The legacy session's sign-in URL, or the OneAPI token URL.
    sign_in_url: str
    #: Whose budget the calls spend (the organisation: the admin's login domain or the OneAPI
    #: vanity domain); never a secret.
    organisation: str
    #: The setting that chose the URLs (named when they cannot be reached).
    url_source: str = field(default="", compare=False)
    username: str = ""
    api_key: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    private_key: str | None = field(default=None, repr=False)
    #: Whether env vars back the namespace (error messages name them).
    env_backed: bool = False
    rate_limit_writes: int = 10
    rate_limit_window_s: float = 10.0
    rate_limit_shared: bool = True
    request_timeout_s: float = 30.0
    retry_max_wait_s: float = 60.0

    @property
    def door(self) -> str:
        return "legacy API key" if self.legacy else "OneAPI"

    def setting(self, key: str) -> str:
        """``<namespace>:<key>`` (what a message tells the user to set)."""
        return f"{self.namespace}:{key}"

    def transport_settings(self) -> Settings:
        """The settings of the transport that carries the calls: its pacing (every call
        counts as a write), timeouts, and the secrets it scrubs from messages (the password
        or client secret; the API key is scrubbed by the session transport)."""
        return Settings(
            legacy=self.legacy,
            client_id=self.username if self.legacy else self.client_id,
            client_secret=self.password if self.legacy else self.client_secret,
            customer_id=self.organisation,
            token_url=self.sign_in_url,
            api_base=self.api_base,
            namespace=self.namespace,
            private_key=self.private_key,
            rate_limit_gets=self.rate_limit_writes,
            rate_limit_writes=self.rate_limit_writes,
            rate_limit_window_s=self.rate_limit_window_s,
            rate_limit_shared=self.rate_limit_shared,
            request_timeout_s=self.request_timeout_s,
            connect_timeout_s=min(10.0, self.request_timeout_s),
            retry_max_wait_s=self.retry_max_wait_s,
            token_url_source=self.url_source,
            api_base_source=self.url_source,
        )


def default_namespace(product: str) -> str:
    """The config namespace a product's settings live in when no ``tenant`` is named."""
    return PRODUCTS[product].namespace


def cloud_settings(
    product: str,
    config: ConfigSource,
    environ: Mapping[str, str] | None = None,
    namespace: str | None = None,
) -> CloudSettings:
    """Settings of ``product`` from ``<namespace>:*`` config strings; the product's default
    namespace falls back to env vars.

    :raises ConfigError: a credential is missing, both doors are configured, or a value cannot
        be parsed (the message names the setting, never its value).
    """
    spec = PRODUCTS[product]
    namespace = namespace or spec.namespace
    env_backed = namespace == spec.namespace
    environ = (os.environ if environ is None else environ) if env_backed else {}
    return _CloudReader(spec, config, environ, namespace, env_backed).settings()


def from_pulumi_config(product: str, namespace: str | None = None) -> CloudSettings:
    """Settings inside a Pulumi program, from ``pulumi.Config(namespace)`` (and env vars for
    the product's default namespace)."""
    import pulumi  # lazily: the client must not import pulumi

    cfg = pulumi.Config(namespace or PRODUCTS[product].namespace)
    return cloud_settings(product, lambda key: cfg.get(key.split(":", 1)[1]), namespace=namespace)


@functools.cache
def cloud_known_keys() -> frozenset[str]:
    """Every key a product's namespace may hold, found by reading each door's settings with
    nothing else set (so a setting added to the reader is known without a list to keep)."""
    found: set[str] = set()
    doors = ({"apiKey": "A" * API_KEY_LENGTH}, {"clientId": "probe"})
    for door in doors:
        reader = _CloudReader(
            PRODUCTS[ZIA], {f"zia:{k}": v for k, v in door.items()}, {}, "zia", False
        )
        reader.read.probing = True
        with contextlib.suppress(ConfigError):
            reader.settings()
        found.update(reader.read.looked_up)
    return frozenset(found)


class _CloudReader:
    """Reads one product's settings with the ZPA settings' reader (config, then env)."""

    def __init__(
        self,
        spec: Product,
        config: ConfigSource,
        environ: Mapping[str, str],
        namespace: str,
        env_backed: bool,
    ) -> None:
        self.spec = spec
        self.ns = namespace
        self.env_backed = env_backed
        self.read = _Reader(
            config, environ, namespace, env_backed=env_backed, known=cloud_known_keys
        )
        self.config_only = _Reader(config, {}, namespace, env_backed=False, known=cloud_known_keys)

    def env(self, suffix: str) -> str:
        return f"{self.spec.env}_{suffix}"

    def settings(self) -> CloudSettings:
        r = self.read
        api_key = r.raw(("apiKey",), self.env("API_KEY"))
        client_id = r.raw(("clientId",), "ZSCALER_CLIENT_ID")
        if api_key is not None and self.config_only.raw(("clientId",), "") is not None:
            raise r.invalid(
                ("clientId",),
                "",
                f"set either {self.ns}:apiKey, {self.ns}:username and {self.ns}:password "
                f"(legacy sign-in) or {self.ns}:clientId (OneAPI), not both",
            )
        if api_key is None and client_id is None:
            raise ConfigError(f"missing {self.spec.code} credentials: {self._both_doors()}")
        timeout = r.number(("requestTimeoutSeconds",), "", 30.0, whole=False)
        if timeout == 0:
            raise r.invalid(("requestTimeoutSeconds",), "", "0 is not > 0")
        common: dict[str, Any] = {
            "product": self.spec.code,
            "namespace": self.ns,
            "env_backed": self.env_backed,
            "rate_limit_writes": int(r.number(("rateLimitWrites",), "", 10, whole=True)),
            "rate_limit_window_s": r.number(("rateLimitWindowSeconds",), "", 10.0, whole=False),
            "rate_limit_shared": r.boolean(("rateLimitShared",), "", True),
            "request_timeout_s": timeout,
            "retry_max_wait_s": r.number(("retryMaxWaitSeconds",), "", 60.0, whole=False),
        }
        if api_key is not None:
            return self.legacy(api_key, common)
        assert client_id is not None
        return self.oneapi(client_id, common)

    def _both_doors(self) -> str:
        ns = self.ns
        oneapi = f"{ns}:clientId with {ns}:clientSecret or {ns}:privateKey (OneAPI)"
        legacy = f"{ns}:apiKey, {ns}:username and {ns}:password (legacy sign-in)"
        if not self.env_backed:
            return f"set Pulumi config {oneapi}, or {legacy}"
        return (
            f"set Pulumi config {oneapi} or env ZSCALER_CLIENT_ID with ZSCALER_CLIENT_SECRET, "
            f"or {legacy} or env {self.env('API_KEY')}, {self.env('USERNAME')} and "
            f"{self.env('PASSWORD')}"
        )

    def legacy(self, api_key: str, common: dict[str, Any]) -> CloudSettings:
        r = self.read
        if len(api_key) != API_KEY_LENGTH or not (api_key.isascii() and api_key.isalnum()):
            raise r.invalid(
                ("apiKey",),
                self.env("API_KEY"),
                f"must be the {API_KEY_LENGTH}-character cloud service API key (letters and "
                f"digits); got {len(api_key)} characters",
            )
        username = r.required(("username",), self.env("USERNAME"))
        password = r.required(("password",), self.env("PASSWORD"))
        base, source = self.base()
        if base is None:
            host, source = self.legacy_host()
            base = f"https://{host}"
        return CloudSettings(
            legacy=True,
            url_source=source,
            api_base=f"{base}/api/v1",
            sign_in_url=f"{base}{self.spec.sign_in_path}",
            # inferred: the organisation is the admin's login domain (ZIA admins sign in as
            # user@<organisation domain>); it only names the client-side budget.
            organisation=f"{self.spec.code} {username.rpartition('@')[2].lower()}",
            username=username,
            api_key=api_key,
            password=password,
            **common,
        )

    def legacy_host(self) -> tuple[str, str]:
        """(the legacy API's host, the setting that named it)."""
        keys, env = ("cloud",), self.env("CLOUD")
        value, source = self.read.found(keys, env)
        if value is None:
            where = f" or env {env}" if self.env_backed else ""
            raise ConfigError(
                f"missing setting: set Pulumi config {self.ns}:cloud (e.g. zscloud){where}, "
                f"or {self.ns}:baseUrl"
            )
        cloud = value.lower().removesuffix(".net")
        if not _NAME_RE.match(cloud):
            raise self.read.invalid(keys, env, f"{value!r} is not a cloud name (e.g. zscloud)")
        special = _LEGACY_SPECIAL_HOSTS.get((self.spec.code, cloud))
        return special or f"{self.spec.legacy_host}.{cloud}.net", source

    def oneapi(self, client_id: str, common: dict[str, Any]) -> CloudSettings:
        r = self.read
        client_secret = r.raw(("clientSecret",), "ZSCALER_CLIENT_SECRET") or ""
        private_key = r.raw(("privateKey",), "ZSCALER_PRIVATE_KEY")
        if not client_secret and not private_key:
            r.required(("clientSecret",), "ZSCALER_CLIENT_SECRET")
        if client_secret and private_key:
            raise r.invalid(
                ("privateKey",),
                "ZSCALER_PRIVATE_KEY",
                f"set only one of it and {self.ns}:clientSecret",
            )
        base, source = self.base()
        vanity = None
        if base is None:
            (token_url, zpa_api), (source, _) = r.oneapi()
            base = zpa_api.removesuffix("/zpa/mgmtconfig")
            vanity = r.raw(("vanityDomain",), "ZSCALER_VANITY_DOMAIN")
        else:
            token_url = f"{base}/oauth2/v1/token"
        return CloudSettings(
            legacy=False,
            url_source=source,
            api_base=f"{base}{self.spec.oneapi_prefix}",
            sign_in_url=token_url,
            organisation=f"{self.spec.code} {(vanity or client_id).lower()}",
            client_id=client_id,
            client_secret=client_secret,
            private_key=private_key,
            **common,
        )

    def base(self) -> tuple[str | None, str]:
        """(``baseUrl`` checked, the setting it came from); (None, "") when unset."""
        env = self.env("BASE_URL")
        value, source = self.read.found(("baseUrl",), env)
        return (None, "") if value is None else (self.read.base_url(value, env), source)
