"""The `ProvisioningKey` dynamic resource and its provider.

The provider translates between Pulumi's inputs/outputs and client calls; it holds no state on
the instance (the pickled provider lives in every stack's state, so the module path and class
name of `ProvisioningKeyProvider` are frozen). Credentials come from the stack configuration
passed to `configure()` in the provider host, with environment variables as fallback.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

from . import key_fields as kf
from .client import ZpaClient, get_client
from .errors import ConfigError, NotFoundError, ReadOnlyError, ZpaError
from .settings import Settings

__all__ = ["ProvisioningKey", "ProvisioningKeyArgs", "ProvisioningKeyProvider"]

_config_lock = threading.Lock()
_configured: dict[str, Any] | None = None


def _set_stack_config(config: Mapping[str, Any]) -> None:
    global _configured
    with _config_lock:
        _configured = {k: v for k, v in config.items() if k.startswith("zpa:")}


def _settings() -> Settings:
    with _config_lock:
        config = dict(_configured or {})
    return Settings.from_config(config)


def _is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


class ProvisioningKeyError(ZpaError):
    """An apply-time failure of a ProvisioningKey operation (one line, no secrets)."""


def _failed(operation: str, err: ZpaError) -> ProvisioningKeyError:
    """One line: API errors already name their operation; settings errors get it prefixed."""
    return ProvisioningKeyError(f"{operation}: {err}" if isinstance(err, ConfigError) else str(err))


# -- check ----------------------------------------------------------------------------------

_VALIDATORS: dict[str, Any] = {
    "association_type": kf.association_type,
    "name": kf.key_name,
    "max_usage": kf.max_usage,
    "enrollment_cert_id": lambda v: kf.object_id("enrollment_cert_id", v),
    "zcomponent_id": lambda v: kf.object_id("zcomponent_id", v),
    "enabled": lambda v: kf.boolean("enabled", v),
    "exportable": lambda v: kf.boolean("exportable", v),
    "microtenant_id": lambda v: kf.optional_id("microtenant_id", v),
    "adopt_existing": lambda v: kf.boolean("adopt_existing", v),
}
_REQUIRED = ("association_type", "name", "max_usage", "enrollment_cert_id", "zcomponent_id")
_DEFAULTS: dict[str, Any] = {"enabled": True, "exportable": True, "adopt_existing": False}


def check_inputs(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[CheckFailure]]:
    """Validate and normalise inputs without calling the API; unknown values pass."""
    inputs = dict(news)
    failures: list[CheckFailure] = []
    for field, default in _DEFAULTS.items():
        if inputs.get(field) is None:
            inputs[field] = default
    for field in _REQUIRED:
        if inputs.get(field) is None:
            failures.append(CheckFailure(field, f"{field} is required"))
    for field, validate in _VALIDATORS.items():
        value = inputs.get(field)
        if value is None or _is_unknown(value):
            continue
        try:
            inputs[field] = validate(value)
        except kf.FieldError as err:
            failures.append(CheckFailure(err.field, err.reason))
    if inputs.get("microtenant_id") is None:
        inputs.pop("microtenant_id", None)
    return inputs, failures


def _valid_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """check_inputs at apply time: the failures as one exception (preview reports them first)."""
    inputs, failures = check_inputs(props)
    if failures:
        raise ProvisioningKeyError("; ".join(f"{f.property}: {f.reason}" for f in failures))
    return inputs


# -- diff -----------------------------------------------------------------------------------


def _normalised(field: str, value: Any) -> Any:
    if value is None or _is_unknown(value):
        return value
    try:
        return _VALIDATORS[field](value)
    except kf.FieldError:
        return value


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """The contract's change table: what is updated in place and what replaces the key."""
    changed: list[str] = []
    replaces: list[str] = []
    for field in (*kf.REPLACE_FIELDS, *kf.UPDATE_FIELDS, "exportable"):
        new = news.get(field)
        old = _normalised(field, olds.get(field))
        if field == "microtenant_id" and new is None:
            continue  # not declared: the key stays where it was created
        if _is_unknown(new):
            changed.append(field)
            if field in kf.REPLACE_FIELDS or (field == "exportable" and old is False):
                replaces.append(field)
            continue
        if _normalised(field, new) == old:
            continue
        changed.append(field)
        if field in kf.REPLACE_FIELDS or (field == "exportable" and new is True):
            replaces.append(field)
    name_kept = not _is_unknown(news.get("name")) and news.get("name") == olds.get("name")
    return DiffResult(
        changes=bool(changed),
        replaces=replaces,
        delete_before_replace=bool(replaces) and (name_kept or _is_unknown(news.get("name"))),
    )


# -- the provider ---------------------------------------------------------------------------


def _effective_microtenant(inputs: Mapping[str, Any], settings: Settings) -> str | None:
    declared = inputs.get("microtenant_id")
    if declared:
        return str(declared)
    mt = settings.microtenant_id
    return mt if mt not in (None, "", "0") else None


def _outputs(
    inputs: Mapping[str, Any], live: Mapping[str, Any], microtenant_id: str | None, secret: Any
) -> dict[str, Any]:
    outs = kf.outputs_from_api(live, str(inputs["association_type"]), microtenant_id)
    outs["microtenant_id"] = microtenant_id
    outs["adopt_existing"] = bool(inputs.get("adopt_existing", False))
    if outs["provisioning_key"] is None:
        outs["provisioning_key"] = secret  # hidden by the API: keep what we hold
    return outs


def _describe(inputs: Mapping[str, Any], key_id: str | None = None) -> str:
    where = f"{inputs.get('association_type')}"
    return f"provisioning key {inputs.get('name')!r}" + (
        f" (id {key_id}, {where})" if key_id else f" ({where})"
    )


def _adopt(client: ZpaClient, inputs: Mapping[str, Any], mt: str | None) -> dict[str, Any] | None:
    association = str(inputs["association_type"])
    existing = client.find_provisioning_key(association, str(inputs["name"]), microtenant_id=mt)
    if existing is None:
        return None
    key_id = str(existing["id"])
    if existing.get("readOnly") or existing.get("zscalerManaged"):
        raise ProvisioningKeyError(
            f"cannot adopt {_describe(inputs, key_id)}: "
            "it is read-only (managed by Zscaler Deception)"
        )
    live = kf.outputs_from_api(existing, association, mt)
    differing = [f for f in ("zcomponent_id", "enrollment_cert_id") if live[f] != inputs[f]]
    if inputs.get("exportable") is True and live["exportable"] is False:
        differing.append("exportable")
    if differing:
        raise ProvisioningKeyError(
            f"cannot adopt {_describe(inputs, key_id)}: {', '.join(differing)} differ from the "
            "existing key and cannot be changed in place; declare the existing values or rename"
        )
    if any(live[f] != inputs[f] for f in ("name", "max_usage", "enabled", "exportable")):
        client.update_provisioning_key(association, key_id, kf.api_body(inputs), microtenant_id=mt)
    return client.get_provisioning_key(association, key_id, microtenant_id=mt)


_NAME_FIELDS = frozenset({"zcomponentName", "enrollmentCertName"})


class ProvisioningKeyProvider(ResourceProvider):
    """CRUD for ZPA provisioning keys. Frozen path: pulumi_zpa_pkeys.provisioning_key."""

    # The provider captures nothing secret (credentials are read at run time), so its pickled
    # form need not be encrypted in every resource's state (pulumi/pulumi#15538).
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        _set_stack_config(getattr(req.config, "_props", {}) or {})

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs, failures = check_inputs(news)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return diff_inputs(_olds, _news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = _valid_inputs(props)
        association = str(inputs["association_type"])
        try:
            settings = _settings()
            client = get_client(settings)
            mt = _effective_microtenant(inputs, settings)
            body = kf.api_body({**inputs, "microtenant_id": mt})
            secret: Any = None
            live = _adopt(client, inputs, mt) if inputs.get("adopt_existing") else None
            if live is None:
                created = client.create_provisioning_key(association, body, microtenant_id=mt)
                secret = created.get("provisioningKey")
                live = created
                if not created.keys() >= _NAME_FIELDS:  # a create answer omits the two names
                    live = client.get_provisioning_key(
                        association, str(created["id"]), microtenant_id=mt
                    )
        except ZpaError as err:
            raise _failed(f"create {_describe(inputs)}", err) from None
        return CreateResult(str(live["id"]), _outputs(inputs, live, mt, secret))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        association = kf.association_type(props.get("association_type"))
        mt = props.get("microtenant_id") or None
        try:
            live = get_client(_settings()).get_provisioning_key(association, id_, microtenant_id=mt)
        except NotFoundError:
            return ReadResult("", {})
        except ZpaError as err:
            raise _failed(f"read provisioning key {id_} ({association})", err) from None
        outs = _outputs(
            {"association_type": association, "adopt_existing": props.get("adopt_existing")},
            live,
            mt,
            props.get("provisioning_key"),
        )
        inputs = {f: outs[f] for f in kf.INPUT_FIELDS if outs.get(f) is not None}
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = _valid_inputs(news)
        association = str(olds.get("association_type", inputs["association_type"]))
        mt = olds.get("microtenant_id") or None
        try:
            client = get_client(_settings())
            body = kf.api_body({**inputs, "microtenant_id": mt})
            client.update_provisioning_key(association, id_, body, microtenant_id=mt)
            live = client.get_provisioning_key(association, id_, microtenant_id=mt)
        except ReadOnlyError:
            raise ProvisioningKeyError(
                f"update {_describe(inputs, id_)}: the key is read-only (managed by Zscaler "
                "Deception) and cannot be changed through the API"
            ) from None
        except ZpaError as err:
            raise _failed(f"update {_describe(inputs, id_)}", err) from None
        return UpdateResult(_outputs(inputs, live, mt, olds.get("provisioning_key")))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        association = str(props.get("association_type"))
        mt = props.get("microtenant_id") or None
        try:
            get_client(_settings()).delete_provisioning_key(association, id_, microtenant_id=mt)
        except NotFoundError:
            return
        except ReadOnlyError:
            raise ProvisioningKeyError(
                f"delete {_describe(props, id_)}: the key is read-only (managed by Zscaler "
                "Deception) and cannot be deleted through the API; remove it from the stack "
                "with `pulumi state delete` instead"
            ) from None
        except ZpaError as err:
            raise _failed(f"delete {_describe(props, id_)}", err) from None


# -- the resource (program side) ------------------------------------------------------------


@dataclass
class ProvisioningKeyArgs:
    """Inputs of a ProvisioningKey (see the README's resource reference)."""

    association_type: pulumi.Input[str]
    max_usage: pulumi.Input[int]
    enrollment_cert_id: pulumi.Input[str]
    zcomponent_id: pulumi.Input[str]
    name: pulumi.Input[str] | None = None
    enabled: pulumi.Input[bool] = True
    exportable: pulumi.Input[bool] = True
    microtenant_id: pulumi.Input[str] | None = None
    adopt_existing: bool = False


_ARG_NAMES = tuple(ProvisioningKeyArgs.__dataclass_fields__)


class ProvisioningKey(pulumi.dynamic.Resource, module="zpa", name="ProvisioningKey"):
    """A ZPA provisioning key; `provisioning_key` (the enrollment secret) is a secret output."""

    association_type: pulumi.Output[str]
    name: pulumi.Output[str]
    max_usage: pulumi.Output[int]
    enrollment_cert_id: pulumi.Output[str]
    zcomponent_id: pulumi.Output[str]
    enabled: pulumi.Output[bool]
    exportable: pulumi.Output[bool]
    microtenant_id: pulumi.Output[str | None]
    adopt_existing: pulumi.Output[bool]
    provisioning_key: pulumi.Output[str | None]
    usage_count: pulumi.Output[int]
    zcomponent_name: pulumi.Output[str]
    enrollment_cert_name: pulumi.Output[str]
    creation_time: pulumi.Output[int]
    modified_time: pulumi.Output[int]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: ProvisioningKeyArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        association_type: pulumi.Input[str],
        max_usage: pulumi.Input[int],
        enrollment_cert_id: pulumi.Input[str],
        zcomponent_id: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        enabled: pulumi.Input[bool] = True,
        exportable: pulumi.Input[bool] = True,
        microtenant_id: pulumi.Input[str] | None = None,
        adopt_existing: bool = False,
    ) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        args_obj, opts = _split_call(args, kwargs)
        props: dict[str, Any] = dict(vars(args_obj)) if args_obj is not None else {}
        if props.get("name") is None:
            props["name"] = resource_name
        self._register(resource_name, props, opts)

    def _register(
        self, resource_name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        all_props: dict[str, Any] = {field: None for field in (*kf.INPUT_FIELDS, *kf.OUTPUT_FIELDS)}
        all_props.update(props)
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=["provisioning_key"])
        super().__init__(
            ProvisioningKeyProvider(),
            resource_name,
            all_props,
            pulumi.ResourceOptions.merge(secret_opts, opts),
        )

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        association_type: pulumi.Input[str],
        microtenant_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> ProvisioningKey:
        """A read-only reference to an existing key (the engine calls the provider's read)."""
        key = ProvisioningKey.__new__(ProvisioningKey)
        key._register(
            resource_name,
            {"association_type": association_type, "microtenant_id": microtenant_id},
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)),
        )
        return key


def _split_call(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[ProvisioningKeyArgs | None, pulumi.ResourceOptions | None]:
    """Accept `(args, opts)` or `(opts, **fields)`; refuse both forms at once."""
    positional = list(args)
    args_obj = kwargs.pop("args", None)
    opts = kwargs.pop("opts", None)
    if positional and isinstance(positional[0], ProvisioningKeyArgs):
        args_obj = positional.pop(0)
    if positional:
        opts = positional.pop(0)
    if positional:
        raise TypeError(
            "ProvisioningKey() takes (resource_name, args, opts) or (resource_name, opts, **fields)"
        )
    fields = {k: kwargs.pop(k) for k in list(kwargs) if k in _ARG_NAMES}
    if kwargs:
        raise TypeError(
            f"ProvisioningKey() got unexpected keyword arguments: {', '.join(sorted(kwargs))}"
        )
    if args_obj is not None and fields:
        raise TypeError(
            "ProvisioningKey() takes either a ProvisioningKeyArgs or keyword fields, not both "
            f"(got args and {', '.join(sorted(fields))})"
        )
    if args_obj is None:
        missing = [f for f in _REQUIRED if f != "name" and f not in fields]
        if missing:
            raise TypeError(f"ProvisioningKey() missing required fields: {', '.join(missing)}")
        args_obj = ProvisioningKeyArgs(**fields)
    if opts is not None and not isinstance(opts, pulumi.ResourceOptions):
        raise TypeError(f"opts must be a pulumi.ResourceOptions, got {type(opts).__name__}")
    return args_obj, opts
