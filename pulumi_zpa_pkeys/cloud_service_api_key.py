"""``CloudServiceApiKey``: the organisation's cloud service API key of ZIA or of Cloud & Branch
Connector (ZTW), adopted, read back, and regenerated in place when ``keepers`` change.

The key is the 12-character key that legacy ZIA and ZTW sign-in combines with an admin's user
name and password, and that Cloud Connector VMs read from AWS Secrets Manager (``api_key``) or
Azure Key Vault (``api-key``). An organisation has exactly one per product; the API lists it and
regenerates it, nothing more:

* ``GET {api}/apiKeys`` answers a JSON list (partner keys only with ``includePartnerKeys``);
* ``POST {api}/apiKeys/{id}/regenerate`` answers the key with its new value; the old value
  stops opening sessions at once, sessions already open stay valid;
* activation: ZIA ``POST {api}/status/activate``, ZTW ``PUT {api}/ecAdminActivateStatus/activate``.

``{api}`` is the product's legacy host (``https://zsapi.<cloud>.net/api/v1``, ZTW
``https://connector.<cloud>.net/api/v1``) or its OneAPI prefix (``/zia/api/v1``, ``/ztw/api/v1``);
settings and sign-in are ``cloud_settings`` and ``cloud_transport``.

Rules of its own:

* create adopts the key as it is (one GET), or regenerates it once with
  ``regenerate_on_create``; the Pulumi id is the key's id;
* refresh reads the value back, so a key regenerated in the portal shows as drift, and a key
  deleted there (even if another was added) is gone from the stack;
* any change of ``keepers`` regenerates the key in place (same id, new value), then activates
  the change unless ``activate`` is False; a lost regenerate answer is settled by reading the key
  (a new value means it happened) before regenerating once more;
* delete only forgets the key: the API cannot delete it, and losing it would cut every API client
  (and every Cloud Connector) off;
* when the key just regenerated is the one legacy sign-in uses, this process signs in with the
  new value from then on, and the next run needs it: the provider says so in one line naming the
  setting (``ztw:apiKey``). OneAPI sign-in does not depend on the key.

The provider's path ``pulumi_zpa_pkeys.cloud_service_api_key.CloudServiceApiKeyProvider`` is
frozen: every stack's state refers to it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, overload

import pulumi
from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import _fields as F
from . import _host
from ._lookup import lookup_output
from ._resource_class import ZpaResource
from ._schema import Field, Schema, same_mapping
from ._transport import is_ambiguous, segment
from .cloud_settings import PRODUCTS, ZIA, ZTW, default_namespace
from .cloud_transport import CloudTransport, SessionTransport, settings_for, transport_for
from .errors import NotFoundError, ResourceError, UnusableAnswerError, ZpaError

__all__ = [
    "CloudServiceApiKey",
    "CloudServiceApiKeyArgs",
    "CloudServiceApiKeyInfo",
    "CloudServiceApiKeyProvider",
    "get_cloud_service_api_key",
    "get_cloud_service_api_key_output",
]

JSON = dict[str, Any]
T = TypeVar("T")

#: How each product activates pending changes (method, path under its API base).
ACTIVATION: Mapping[str, tuple[str, str]] = {
    ZIA: ("POST", "/status/activate"),
    ZTW: ("PUT", "/ecAdminActivateStatus/activate"),
}


def _admin_name(value: Any) -> str | None:
    """``lastModifiedBy`` is ``{"id": ..., "name": ...}``: the admin's name."""
    return F.str_or_none(value.get("name")) if isinstance(value, Mapping) else None


#: The key's table. Not a ZPA object: none of ZPA's common fields (no microtenant; no
#: ``adopt_existing``, as the organisation's one key is always adopted), a ``tenant`` of its own;
#: ``product`` says where the key lives, and there is one key per product (``one_per_scope``), so
#: the static ``get`` and the lookups take the product, and the lookups call ``lookup_one``.
SCHEMA = Schema(
    resource="CloudServiceApiKey",
    doc="The organisation's cloud service API key of ZIA or Cloud & Branch Connector (ZTW): "
    "adopted as it is, read back on refresh, regenerated in place when keepers change; "
    "deleting the resource only forgets the key.",
    label="cloud service API key",
    service="ZIA or ZTW",
    path="",
    common_fields=(),
    scope_fields=("product",),
    one_per_scope=True,
    fields=(
        Field(
            "product",
            doc="ZIA or ZTW; a change replaces the resource (the other product's key).",
            parse=F.one_of(ZIA, ZTW, upper=True),
            change="replace",
            required=True,
        ),
        Field(
            "keepers",
            doc="Strings never sent to Zscaler; any change regenerates the key in place.",
            py_type="Mapping[str, str] | None",
            in_info=False,
            parse=F.string_map,
            same=same_mapping,
        ),
        Field(
            "regenerate_on_create",
            doc="True: create regenerates the adopted key once; False: adopts it as it is.",
            py_type="bool",
            plain=True,
            in_info=False,
            parse=F.boolean,
            change="none",
            default=False,
        ),
        Field(
            "activate",
            doc="After a regeneration, activate the change (as the product's docs say).",
            py_type="bool",
            plain=True,
            in_info=False,
            parse=F.boolean,
            change="none",
            default=True,
        ),
        Field(
            "tenant",
            doc="The Pulumi config namespace of the sign-in settings (default zia / ztw).",
            plain=True,
            in_info=False,
            parse=F.namespace,
            change="replace",
        ),
        Field("key_id", "id", doc="The key's id.", from_api=F.str_or_none),
        Field(
            "key_value",
            "keyValue",
            doc="The key (a secret; read back on refresh).",
            info_py_type="str | None",
            secret=True,
            from_api=F.str_or_none,
        ),
        Field(
            "enabled",
            "enabled",
            doc="Whether the key is enabled.",
            py_type="bool",
            from_api=F.bool_or(True),
        ),
        Field(
            "permissions",
            "permissions",
            doc="What the key may do, as the API lists it.",
            py_type="list[str]",
            info_py_type="tuple[str, ...]",
            from_api=F.str_list_or_none,
        ),
        Field(
            "last_modified_time",
            "lastModifiedTime",
            doc="When the key last changed (epoch seconds).",
            py_type="int",
            info_py_type="int | None",
            from_api=F.int_or_none,
        ),
        Field(
            "last_modified_by",
            "lastModifiedBy",
            doc="The name of the admin who changed the key last.",
            py_type="str",
            info_py_type="str | None",
            from_api=_admin_name,
        ),
    ),
)


def check_inputs(news: Mapping[str, Any]) -> tuple[JSON, list[Any]]:
    """check() as a plain function: the schema's, then the product's default namespace as the
    ``tenant`` (so that naming it, or not, is no change)."""
    inputs, failures = SCHEMA.check(news)
    product = inputs.get("product")
    if inputs.get("tenant") is None and isinstance(product, str) and product in PRODUCTS:
        inputs["tenant"] = default_namespace(product)
    return inputs, failures


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """diff() as a plain function. A ``tenant`` that is its product's default namespace counts
    as undeclared, so a change of product alone is not reported as a change of tenant too."""
    return SCHEMA.diff(_declared_tenant(olds), _declared_tenant(news))


def _declared_tenant(props: Mapping[str, Any]) -> dict[str, Any]:
    product, tenant = props.get("product"), props.get("tenant")
    code = product.upper() if isinstance(product, str) else None
    if code in PRODUCTS and tenant == default_namespace(str(code)):
        return {**props, "tenant": None}
    return dict(props)


# -- the API ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloudKeys:
    """One product's key calls over a transport (legacy session or OneAPI)."""

    transport: CloudTransport

    @property
    def product(self) -> str:
        return self.transport.cloud.product

    def _url(self, path: str) -> str:
        return f"{self.transport.cloud.api_base}{path}"

    def list(self) -> list[JSON]:
        """The product's keys, partner keys left out (one GET)."""
        answer = self.transport.call(
            "GET", self._url("/apiKeys"), f"list {self.product} cloud service API keys"
        )
        items = answer.get("list")
        if not isinstance(items, list):
            raise UnusableAnswerError(
                f"list {self.product} cloud service API keys: the answer is not a list",
                operation="list",
                status=200,
            )
        return [k for k in items if isinstance(k, dict) and not k.get("partner")]

    def organisation_key(self) -> JSON:
        """The organisation's key.

        :raises ResourceError: there is none (no API subscription), or more than one.
        """
        keys = self.list()
        if len(keys) != 1:
            what = "no key" if not keys else f"{len(keys)} keys"
            raise ResourceError(
                f"the organisation's {self.product} cloud service API key: the API lists {what}"
                " (an organisation has exactly one, provisioned with its API subscription)"
            )
        return keys[0]

    def find(self, key_id: str) -> JSON | None:
        return next((k for k in self.list() if str(k.get("id")) == key_id), None)

    def regenerate(self, key_id: str, old_value: str | None) -> JSON:
        """Regenerate the key; a lost answer is settled by reading it: a new value means the
        regeneration happened, else it is sent once more."""
        operation = f"regenerate {self.product} cloud service API key {key_id}"
        url = self._url(f"/apiKeys/{segment(key_id)}/regenerate")
        try:
            return self._key(self.transport.call("POST", url, operation), operation)
        except ZpaError as lost:
            if not is_ambiguous(lost):
                raise
        current = self.find(key_id)
        if current is None:
            raise NotFoundError(f"{operation}: the key is gone", operation=operation)
        if current.get("keyValue") not in (None, old_value):
            return current
        return self._key(self.transport.call("POST", url, operation), operation)

    @staticmethod
    def _key(answer: JSON, operation: str) -> JSON:
        if not answer.get("id") or not isinstance(answer.get("keyValue"), str):
            raise UnusableAnswerError(
                f"{operation}: the answer carries no key", operation=operation, status=200
            )
        return answer

    def activate(self) -> None:
        """Activate the product's pending changes (idempotent: sent once more if the answer
        was lost)."""
        method, path = ACTIVATION[self.product]
        operation = f"activate the {self.product} change"
        try:
            self.transport.call(method, self._url(path), operation)
        except ZpaError as lost:
            if not is_ambiguous(lost):
                raise
            self.transport.call(method, self._url(path), operation)


def _namespace(props: Mapping[str, Any]) -> str:
    return str(props.get("tenant") or default_namespace(str(props["product"])))


def cloud_keys(props: Mapping[str, Any]) -> CloudKeys:
    """The key calls for a resource's inputs or stored outputs (``product``, ``tenant``).

    :raises ConfigError: the namespace's settings are missing or invalid.
    """
    product = str(props["product"])
    return CloudKeys(transport_for(settings_for(product, _namespace(props))))


# -- the provider -------------------------------------------------------------------------------


class CloudServiceApiKeyProvider(ResourceProvider):
    """Adopt, read, regenerate; delete only forgets. Frozen path:
    pulumi_zpa_pkeys.cloud_service_api_key.CloudServiceApiKeyProvider."""

    schema: ClassVar[Schema] = SCHEMA
    # Nothing secret is captured (credentials are read at run time): the blob need not be
    # encrypted in every resource's state.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        _host.configure(req.config.get)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs, failures = check_inputs(news)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return diff_inputs(_olds, _news)

    def _valid(self, props: Mapping[str, Any]) -> JSON:
        inputs = SCHEMA.valid(props)
        if inputs.get("tenant") is None:
            inputs["tenant"] = default_namespace(str(inputs["product"]))
        return inputs

    def _outputs(self, inputs: Mapping[str, Any], live: Mapping[str, Any]) -> JSON:
        carried = {f.name: inputs.get(f.name) for f in SCHEMA.fields if f.api is None}
        carried["regenerate_on_create"] = bool(inputs.get("regenerate_on_create", False))
        carried["activate"] = inputs.get("activate", True) is not False
        return SCHEMA.answer_outputs(live, carried, {})

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self._valid(props)
        what = f"{inputs['product']} cloud service API key"
        try:
            api = cloud_keys(inputs)
            key = api.organisation_key()
            if inputs["regenerate_on_create"]:
                key = _rotate(api, key, inputs)
        except ZpaError as err:
            raise _failed(f"adopt the {what}", err) from None
        return CreateResult(str(key["id"]), self._outputs(inputs, key))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if props.get("product") is None:
            raise ResourceError(f"read cloud service API key {id_}: product is required")
        inputs = {**props, "product": SCHEMA.stored_input("product", props)}
        try:
            key = cloud_keys(inputs).find(id_)
        except ZpaError as err:
            raise _failed(f"read {inputs['product']} cloud service API key {id_}", err) from None
        if key is None:
            return ReadResult("", {})
        outs = self._outputs(inputs, key)
        if outs["tenant"] is None:
            outs["tenant"] = _namespace(inputs)
        return ReadResult(id_, outs, SCHEMA.read_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = self._valid(news)
        try:
            api = cloud_keys(inputs)
            if same_mapping(olds.get("keepers"), inputs.get("keepers")):
                key = api.find(id_)  # nothing to regenerate (only no-op fields changed)
                if key is None:
                    raise NotFoundError(f"{inputs['product']} key {id_} is gone", operation="read")
            else:
                key = _rotate(api, {**olds, "id": id_, "keyValue": olds.get("key_value")}, inputs)
        except ZpaError as err:
            raise _failed(
                f"regenerate {inputs['product']} cloud service API key {id_}", err
            ) from None
        return UpdateResult(self._outputs(inputs, key))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Forget the key: the API cannot delete it, and the stack never owned it."""
        product = props.get("product") or "the"
        print(
            f"{product} cloud service API key {id_}: removed from the stack only; the key itself "
            "is unchanged (it cannot be deleted through the API)",
            file=sys.stderr,
        )


def _rotate(api: CloudKeys, key: Mapping[str, Any], inputs: Mapping[str, Any]) -> JSON:
    """Regenerate ``key``, keep legacy sign-in working in this process, say what the next run
    needs, and activate the change (unless ``activate`` is False)."""
    old_value = key.get("keyValue")
    new = api.regenerate(str(key["id"]), old_value if isinstance(old_value, str) else None)
    transport = api.transport
    cloud = transport.cloud
    if isinstance(transport, SessionTransport):
        if cloud.api_key == old_value:
            transport.rekey(str(new["keyValue"]))
        env = f" (or env {PRODUCTS[cloud.product].env}_API_KEY)" if cloud.env_backed else ""
        print(
            f"{cloud.product} cloud service API key regenerated: legacy sign-in needs its new "
            f"value from the next run on; set {cloud.setting('apiKey')}{env} to the key_value "
            f"output, or sign in with OneAPI ({cloud.setting('clientId')}), which rotation "
            "does not affect",
            file=sys.stderr,
        )
    if inputs.get("activate", True):
        try:
            api.activate()
        except ZpaError as err:
            raise ResourceError(
                f"{err} (the key was regenerated; `pulumi refresh` reads its new value, and the "
                "change can be activated in the portal)"
            ) from None
    return new


def _failed(operation: str, err: ZpaError) -> ResourceError:
    """One line: API errors already name their operation; others get it prefixed."""
    if isinstance(err, ResourceError):
        return err
    return ResourceError(str(err) if err.operation else f"{operation}: {err}")


# -- the lookup ---------------------------------------------------------------------------------


def lookup_one(
    schema: Schema, make: Callable[..., T], function: str, tenant: str | None, *, product: str
) -> T:
    """The organisation's key of ``product`` as ``make`` (the lookup result): one request, once
    per process. Settings come from the ``zia`` / ``ztw`` namespace (or ``tenant``), env vars
    backing the default one; they are read before any request.

    :raises FieldError: ``product`` or ``tenant`` is not valid.
    :raises ZpaError: the settings are missing, or the API refused (one line, no secret).
    """
    code: str = schema.parse_input("product", product)
    namespace = F.namespace("tenant", tenant) if tenant is not None else None
    cloud = settings_for(code, namespace)

    def fetch() -> T:
        key = CloudKeys(transport_for(cloud)).organisation_key()
        return schema.info(make, key, None, product=code)

    return _host.cached((function, cloud), fetch)


# --- generated by `make docs` from SCHEMA: edit the schema, not this block ---


@dataclass(frozen=True)
class CloudServiceApiKeyInfo:
    """An existing cloud service API key, as ``get_cloud_service_api_key`` finds it: its ``id`` and
    the outputs of ``CloudServiceApiKey`` named below (described in its docstring).

    Not in repr(): key_value.
    """

    id: str
    product: str
    key_id: str
    key_value: str | None = field(repr=False)
    enabled: bool
    permissions: tuple[str, ...]
    last_modified_time: int | None
    last_modified_by: str | None

    def __post_init__(self) -> None:
        # Tuples: hashable.
        object.__setattr__(self, "permissions", tuple(self.permissions or ()))


@dataclass
class CloudServiceApiKeyArgs:
    """Inputs of a CloudServiceApiKey (described in its class docstring)."""

    product: pulumi.Input[str]
    keepers: pulumi.Input[Mapping[str, str]] | None = None
    regenerate_on_create: bool = False
    activate: bool = True
    tenant: str | None = None


class CloudServiceApiKey(ZpaResource, module="zpa", name="CloudServiceApiKey"):
    """The organisation's cloud service API key of ZIA or Cloud & Branch Connector (ZTW): adopted as
    it is, read back on refresh, regenerated in place when keepers change; deleting the resource
    only forgets the key.

    Type token ``pulumi-python:dynamic/zpa:CloudServiceApiKey``; id: the cloud service API key's ZIA
    or ZTW id. Two call forms: ``CloudServiceApiKey(name, CloudServiceApiKeyArgs(...), opts)`` or
    ``CloudServiceApiKey(name, opts, **inputs)``.

    Inputs:
        product (str, required, change: replaces): ZIA or ZTW; a change replaces the resource (the
            other product's key).
        keepers (Mapping[str, str], optional): Strings never sent to Zscaler; any change regenerates
            the key in place.
        regenerate_on_create (bool, default False, change: never a change): True: create regenerates
            the adopted key once; False: adopts it as it is.
        activate (bool, default True, change: never a change): After a regeneration, activate the
            change (as the product's docs say).
        tenant (str, optional, change: replaces): The Pulumi config namespace of the sign-in
            settings (default zia / ztw).

    Outputs (besides the inputs):
        key_id (str): The key's id.
        key_value (str, secret): The key (a secret; read back on refresh).
        enabled (bool): Whether the key is enabled.
        permissions (list[str]): What the key may do, as the API lists it.
        last_modified_time (int): When the key last changed (epoch seconds).
        last_modified_by (str): The name of the admin who changed the key last.
    """

    _provider_class = CloudServiceApiKeyProvider
    _args_class = CloudServiceApiKeyArgs

    product: pulumi.Output[str]
    keepers: pulumi.Output[Mapping[str, str] | None]
    regenerate_on_create: pulumi.Output[bool]
    activate: pulumi.Output[bool]
    tenant: pulumi.Output[str]
    key_id: pulumi.Output[str]
    key_value: pulumi.Output[str]
    enabled: pulumi.Output[bool]
    permissions: pulumi.Output[list[str]]
    last_modified_time: pulumi.Output[int]
    last_modified_by: pulumi.Output[str]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: CloudServiceApiKeyArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        product: pulumi.Input[str],
        keepers: pulumi.Input[Mapping[str, str]] | None = None,
        regenerate_on_create: bool = False,
        activate: bool = True,
        tenant: str | None = None,
    ) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        product: pulumi.Input[str],
        tenant: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> CloudServiceApiKey:
        """A read-only reference to an existing cloud service API key (the engine calls the
        provider's read).
        """
        found: CloudServiceApiKey = CloudServiceApiKey._get(
            resource_name,
            id,
            {
                "product": product,
                "tenant": tenant,
            },
            opts,
        )
        return found


def get_cloud_service_api_key(
    product: str,
    tenant: str | None = None,
) -> CloudServiceApiKeyInfo:
    """The one cloud service API key of the ``product`` given, read once per process.

    :raises FieldError: ``product`` or ``tenant`` is invalid.
    :raises ZpaError: the settings are missing or invalid, the API refused, or it
        lists no cloud service API key or several (one line, no secret).
    """
    return lookup_one(
        SCHEMA,
        CloudServiceApiKeyInfo,
        "get_cloud_service_api_key",
        tenant,
        product=product,
    )


def get_cloud_service_api_key_output(
    product: pulumi.Input[str],
    tenant: str | None = None,
) -> pulumi.Output[CloudServiceApiKeyInfo]:
    """``get_cloud_service_api_key`` over Inputs (unknown during preview included): a secret
    ``Output[CloudServiceApiKeyInfo]`` (it holds key_value).
    """
    return lookup_output(
        get_cloud_service_api_key,
        product,
        tenant,
        secret=True,
    )


# --- end of the generated block ---
