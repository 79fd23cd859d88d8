"""The program side of a resource: the base of the classes a Pulumi program constructs.

Two call forms (``X(name, args: XArgs, opts=None)`` and ``X(name, opts=None, **fields)``),
``name`` (where the kind has one) defaulting to the resource name, every field of the schema
declared as a property (so each output is reachable as an attribute), secret outputs marked,
secret inputs wrapped, and the static ``get`` (a read-only reference to an existing object).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol

import pulumi
from pulumi.dynamic import ResourceProvider

from ._schema import Schema


class ProviderClass(Protocol):
    """A resource's provider class (a ``ZpaProvider``, or a provider of its own such as the
    cloud service API key's): it makes the provider, and ``schema`` is its table."""

    schema: Schema

    def __call__(self) -> ResourceProvider: ...


class ZpaResource(pulumi.dynamic.Resource):
    """Base of the resource classes: two call forms, every output declared, secrets marked."""

    _provider_class: ClassVar[ProviderClass]
    _args_class: ClassVar[type]

    def _init(self, resource_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        schema = self._provider_class.schema
        aliases = schema.input_aliases
        args_obj, opts = split_call(type(self).__name__, self._args_class, args, kwargs, aliases)
        props: dict[str, Any] = dict(vars(args_obj))
        if "name" in schema.by_name and props.get("name") is None:
            props["name"] = resource_name
        self._register(resource_name, props, opts)

    def _register(
        self, resource_name: str, props: Mapping[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        schema = self._provider_class.schema
        all_props: dict[str, Any] = {f.name: None for f in schema.fields}
        all_props.update(props)
        for f in schema.fields:
            if f.secret_input and all_props.get(f.name) is not None:
                all_props[f.name] = pulumi.Output.secret(all_props[f.name])
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=schema.secret_outputs)
        super().__init__(
            self._provider_class(),
            resource_name,
            all_props,
            pulumi.ResourceOptions.merge(secret_opts, opts),
        )

    @classmethod
    def _get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],
        props: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None,
    ) -> Any:
        """A read-only reference to an existing object (the engine calls the provider's read)."""
        obj = cls.__new__(cls)
        obj._register(
            resource_name, props, pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        )
        return obj


def split_call(
    what: str,
    args_class: type,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    aliases: Mapping[str, str] | None = None,
) -> tuple[Any, pulumi.ResourceOptions | None]:
    """Accept ``(args, opts)`` or ``(opts, **fields)``; refuse both forms at once. A keyword
    in ``aliases`` (alias -> field name) counts as that field."""
    for alias, name in (aliases or {}).items():
        if alias in kwargs:
            if name in kwargs:
                raise TypeError(f"{what}() got both {name} and its alias {alias}: give one")
            kwargs[name] = kwargs.pop(alias)
    positional = list(args)
    args_obj = kwargs.pop("args", None)
    opts = kwargs.pop("opts", None)
    if positional and isinstance(positional[0], args_class):
        args_obj = positional.pop(0)
    if positional:
        opts = positional.pop(0)
    if positional:
        raise TypeError(
            f"{what}() takes (resource_name, args, opts) or (resource_name, opts, **fields)"
        )
    arg_names = [f.name for f in dataclasses.fields(args_class)]
    fields = {k: kwargs.pop(k) for k in list(kwargs) if k in arg_names}
    if kwargs:
        raise TypeError(f"{what}() got unexpected keyword arguments: {', '.join(sorted(kwargs))}")
    if args_obj is not None and fields:
        raise TypeError(
            f"{what}() takes either a {args_class.__name__} or keyword fields, not both "
            f"(got args and {', '.join(sorted(fields))})"
        )
    if args_obj is None:
        required = [
            f.name
            for f in dataclasses.fields(args_class)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        missing = [name for name in required if name not in fields]
        if missing:
            raise TypeError(f"{what}() missing required fields: {', '.join(missing)}")
        args_obj = args_class(**fields)
    if opts is not None and not isinstance(opts, pulumi.ResourceOptions):
        raise TypeError(f"opts must be a pulumi.ResourceOptions, got {type(opts).__name__}")
    return args_obj, opts
