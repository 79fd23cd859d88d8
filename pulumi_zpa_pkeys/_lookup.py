"""The one lookup algorithm, Pulumi style, behind every ``get_x`` / ``get_x_output``.

``get_x(...)`` runs at once and returns a frozen result; ``get_x_output(...)`` takes Inputs
(unknown during preview included) and returns an Output of the same result. By id: one GET. By
name: one ``search`` request, matched exactly and ignoring case; a miss spends one more request
to list up to 10 existing names for the message; two matches are "ambiguous". Results are cached
per process (``_host``), so one certificate looked up by 50 resources costs one request.
Credentials come from ``pulumi.Config(tenant)`` in a program, with environment variables as
fallback for the default namespace.

Each resource module defines its own ``get_x`` and ``get_x_output`` as calls of :func:`lookup`
and :func:`lookup_output`; where its objects live and what a result holds come from its schema.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from . import _fields as F
from . import _host
from ._schema import Schema
from .errors import NotFoundError, ZpaLookupError
from .settings import DEFAULT_NAMESPACE, Settings

if TYPE_CHECKING:
    import pulumi

MAX_NAMES_SHOWN = 10

T = TypeVar("T")


def _place(settings: Settings, microtenant_id: str | None) -> str:
    tenant = f"customer {settings.customer_id}"
    return tenant + (f", microtenant {microtenant_id}" if microtenant_id else "")


def lookup(
    schema: Schema,
    make: Callable[..., T],
    function: str,
    name: str | None,
    id: Any,
    microtenant_id: str | None,
    tenant: str | None,
    **path_inputs: Any,
) -> T:
    """Find one object of ``schema`` by exact name (ignoring case) or by id, once per process,
    and return it as ``make`` (the kind's frozen result dataclass). ``path_inputs`` are the
    schema's path inputs (a key's ``association_type``).

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), ambiguous,
        or not exactly one of name and id given.
    :raises FieldError: a path input, ``id`` or ``tenant`` is invalid.
    """
    if (name is None) == (id is None):
        raise ZpaLookupError(f"{function}: pass exactly one of name or id")
    scope = {n: schema.parse_input(n, value) for n, value in path_inputs.items()}
    id_ = F.object_id("id", id) if id is not None else None
    settings = _host.settings(F.namespace("tenant", tenant or DEFAULT_NAMESPACE))
    qualifier = (*scope.values(), microtenant_id)
    key = (function, settings, qualifier, name.casefold() if name is not None else None, id_)

    def build(answer: dict[str, Any]) -> T:
        return schema.info(make, answer, microtenant_id, **scope)

    def fetch() -> T:
        api = schema.collection(_host.transport(settings), scope, microtenant_id)
        place = _place(settings, microtenant_id)
        if scope:
            place = f"{schema.scope(scope)} {schema.label}s of {place}"
        if id_ is not None:
            try:
                return build(api.get(id_))
            except NotFoundError:
                raise ZpaLookupError(f"no {schema.label} with id {id_} in {place}") from None
        assert name is not None
        found = api.search_name(name)
        if len(found) > 1:
            ids = ", ".join(str(item.get("id")) for item in found)
            raise ZpaLookupError(
                f"{schema.label} name {name!r} is ambiguous in {place}: ids {ids}; look it up by id"
            )
        if not found:
            names = [str(item.get("name")) for item in api.list(max_items=MAX_NAMES_SHOWN)]
            shown = ", ".join(repr(n) for n in names[:MAX_NAMES_SHOWN]) or "none"
            raise ZpaLookupError(
                f"no {schema.label} named {name!r} in {place}; existing names: {shown}"
            )
        return build(found[0])

    return _host.cached(key, fetch)


def lookup_output(
    function: Callable[..., T], *inputs: Any, secret: bool = False
) -> pulumi.Output[T]:
    """``function`` (a ``get_x``) over Inputs, run off the program's event loop once they are
    known; a ``secret`` result when it holds a secret.

    Pulumi keeps the stack's config in context variables, which executor threads do not
    inherit: the lookup runs inside a copy of the caller's context so that
    ``pulumi.Config("zpa")`` works there.
    """
    import pulumi

    def run(values: list[Any]) -> Awaitable[T]:
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(None, context.run, lambda: function(*values))

    result: pulumi.Output[T] = pulumi.Output.all(*inputs).apply(run)
    return pulumi.Output.secret(result) if secret else result
