"""Lookup functions, Pulumi style: one algorithm for every kind of object.

``get_x(...)`` runs at once and returns a frozen result; ``get_x_output(...)`` takes Inputs
(unknown during preview included) and returns an Output of the same result. By id: one GET. By
name: one ``search`` request, matched exactly and ignoring case; a miss spends one more request
to list up to 10 existing names for the message; two matches are "ambiguous". Results are cached
per process (``_host``), so one certificate looked up by 50 resources costs one request.
Credentials come from ``pulumi.Config("zpa")`` in a program, with environment variables as
fallback.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from . import _fields as F
from . import _host
from ._api import Collection
from .api_key import SCHEMA as API_KEY_SCHEMA
from .api_key import ApiKeyInfo, api_keys
from .app_connector_group import SCHEMA as ACG_SCHEMA
from .app_connector_group import AppConnectorGroupInfo, app_connector_groups
from .ba_certificate import BaCertificateInfo, certificates
from .enrollment_cert import EnrollmentCert, enrollment_certs
from .errors import NotFoundError, ZpaLookupError
from .provisioning_key import SCHEMA as KEY_SCHEMA
from .provisioning_key import ProvisioningKeyInfo, keys
from .service_edge_group import SCHEMA as SEG_SCHEMA
from .service_edge_group import ServiceEdgeGroupInfo, service_edge_groups
from .settings import DEFAULT_NAMESPACE, Settings

if TYPE_CHECKING:
    import pulumi

__all__ = [
    "ApiKeyInfo",
    "AppConnectorGroupInfo",
    "BaCertificateInfo",
    "EnrollmentCert",
    "ProvisioningKeyInfo",
    "ServiceEdgeGroupInfo",
    "clear_cache",
    "get_api_key",
    "get_api_key_output",
    "get_app_connector_group",
    "get_app_connector_group_output",
    "get_ba_certificate",
    "get_ba_certificate_output",
    "get_enrollment_cert",
    "get_enrollment_cert_output",
    "get_provisioning_key",
    "get_provisioning_key_output",
    "get_service_edge_group",
    "get_service_edge_group_output",
]

MAX_NAMES_SHOWN = 10

T = TypeVar("T")

clear_cache = _host.clear_lookups


def _where(settings: Settings, microtenant_id: str | None) -> str:
    tenant = f"customer {settings.customer_id}"
    return tenant + (f", microtenant {microtenant_id}" if microtenant_id else "")


def _lookup(
    function: str,
    what: str,
    make_api: Callable[[Settings], Collection],
    build: Callable[[dict[str, Any]], T],
    name: str | None,
    id: Any,
    *,
    where: Callable[[Settings], str],
    qualifier: tuple[Any, ...] = (),
    tenant: str | None = None,
) -> T:
    """Find one object by exact name (ignoring case) or by id, once per process.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), ambiguous,
        or not exactly one of name and id given.
    """
    if (name is None) == (id is None):
        raise ZpaLookupError(f"{function}: pass exactly one of name or id")
    id_ = F.object_id("id", id) if id is not None else None
    settings = _host.settings(F.namespace("tenant", tenant or DEFAULT_NAMESPACE))
    key = (function, settings, qualifier, name.casefold() if name is not None else None, id_)

    def fetch() -> T:
        api = make_api(settings)
        place = where(settings)
        if id_ is not None:
            try:
                return build(api.get(id_))
            except NotFoundError:
                raise ZpaLookupError(f"no {what} with id {id_} in {place}") from None
        assert name is not None
        found = api.search_name(name)
        if len(found) > 1:
            ids = ", ".join(str(item.get("id")) for item in found)
            raise ZpaLookupError(
                f"{what} name {name!r} is ambiguous in {place}: ids {ids}; look it up by id"
            )
        if not found:
            names = [str(item.get("name")) for item in api.list(max_items=MAX_NAMES_SHOWN)]
            shown = ", ".join(repr(n) for n in names[:MAX_NAMES_SHOWN]) or "none"
            raise ZpaLookupError(f"no {what} named {name!r} in {place}; existing names: {shown}")
        return build(found[0])

    return _host.cached(key, fetch)


def _output(lookup: Callable[..., T], *inputs: Any, secret: bool = False) -> pulumi.Output[T]:
    """``lookup`` over Inputs, run off the program's event loop once they are known.

    Pulumi keeps the stack's config in context variables, which executor threads do not
    inherit: the lookup runs inside a copy of the caller's context so that
    ``pulumi.Config("zpa")`` works there.
    """
    import pulumi

    def run(values: list[Any]) -> Awaitable[T]:
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(None, context.run, lambda: lookup(*values))

    result: pulumi.Output[T] = pulumi.Output.all(*inputs).apply(run)
    return pulumi.Output.secret(result) if secret else result


# -- enrollment certificates --------------------------------------------------------------------


def get_enrollment_cert(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> EnrollmentCert:
    """Find one enrollment certificate by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return _lookup(
        "get_enrollment_cert",
        "enrollment certificate",
        lambda s: enrollment_certs(_host.transport(s), microtenant_id),
        EnrollmentCert.from_api,
        name,
        id,
        where=lambda s: _where(s, microtenant_id),
        qualifier=(microtenant_id,),
        tenant=tenant,
    )


def get_enrollment_cert_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[EnrollmentCert]:
    """`get_enrollment_cert` over Inputs (unknown during preview): `Output[EnrollmentCert]`."""
    return _output(get_enrollment_cert, name, id, microtenant_id, tenant)


# -- provisioning keys --------------------------------------------------------------------------


def get_provisioning_key(
    association_type: str,
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> ProvisioningKeyInfo:
    """Find one existing provisioning key by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    :raises FieldError: ``association_type`` is not one ZPA knows.
    """
    if (name is None) == (id is None):
        raise ZpaLookupError("get_provisioning_key: pass exactly one of name or id")
    association: str = KEY_SCHEMA.parse("association_type", association_type)
    return _lookup(
        "get_provisioning_key",
        "provisioning key",
        lambda s: keys(_host.transport(s), association, microtenant_id),
        lambda obj: KEY_SCHEMA.info(
            ProvisioningKeyInfo, obj, microtenant_id, association_type=association
        ),
        name,
        id,
        where=lambda s: f"{association} keys of {_where(s, microtenant_id)}",
        qualifier=(association, microtenant_id),
        tenant=tenant,
    )


def get_provisioning_key_output(
    association_type: pulumi.Input[str],
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[ProvisioningKeyInfo]:
    """`get_provisioning_key` over Inputs: a secret `Output[ProvisioningKeyInfo]` (the key)."""
    return _output(
        get_provisioning_key, association_type, name, id, microtenant_id, tenant, secret=True
    )


# -- App Connector and Service Edge groups ------------------------------------------------------


def get_app_connector_group(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> AppConnectorGroupInfo:
    """Find one App Connector group by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return _lookup(
        "get_app_connector_group",
        "App Connector group",
        lambda s: app_connector_groups(_host.transport(s), microtenant_id),
        lambda obj: ACG_SCHEMA.info(AppConnectorGroupInfo, obj, microtenant_id),
        name,
        id,
        where=lambda s: _where(s, microtenant_id),
        qualifier=(microtenant_id,),
        tenant=tenant,
    )


def get_app_connector_group_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[AppConnectorGroupInfo]:
    """`get_app_connector_group` over Inputs: `Output[AppConnectorGroupInfo]`."""
    return _output(get_app_connector_group, name, id, microtenant_id, tenant)


def get_service_edge_group(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> ServiceEdgeGroupInfo:
    """Find one Service Edge group by exact name (case-insensitive) or by id.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return _lookup(
        "get_service_edge_group",
        "Service Edge group",
        lambda s: service_edge_groups(_host.transport(s), microtenant_id),
        lambda obj: SEG_SCHEMA.info(ServiceEdgeGroupInfo, obj, microtenant_id),
        name,
        id,
        where=lambda s: _where(s, microtenant_id),
        qualifier=(microtenant_id,),
        tenant=tenant,
    )


def get_service_edge_group_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[ServiceEdgeGroupInfo]:
    """`get_service_edge_group` over Inputs: `Output[ServiceEdgeGroupInfo]`."""
    return _output(get_service_edge_group, name, id, microtenant_id, tenant)


# -- browser-access certificates ----------------------------------------------------------------


def get_ba_certificate(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> BaCertificateInfo:
    """Find one browser-access certificate by exact name (case-insensitive) or by id: one
    request (by name: the v1 certificate list with ``search``).

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return _lookup(
        "get_ba_certificate",
        "browser-access certificate",
        lambda s: certificates(_host.transport(s), microtenant_id),
        lambda obj: BaCertificateInfo.from_api(obj, microtenant_id),
        name,
        id,
        where=lambda s: _where(s, microtenant_id),
        qualifier=(microtenant_id,),
        tenant=tenant,
    )


def get_ba_certificate_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[BaCertificateInfo]:
    """`get_ba_certificate` over Inputs: `Output[BaCertificateInfo]` (public material only)."""
    return _output(get_ba_certificate, name, id, microtenant_id, tenant)


# -- API keys -------------------------------------------------------------------------------------


def get_api_key(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> ApiKeyInfo:
    """Find one API key by exact name (case-insensitive) or by id; never its secret.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return _lookup(
        "get_api_key",
        "API key",
        lambda s: api_keys(_host.transport(s), microtenant_id),
        lambda obj: API_KEY_SCHEMA.info(ApiKeyInfo, obj, microtenant_id),
        name,
        id,
        where=lambda s: _where(s, microtenant_id),
        qualifier=(microtenant_id,),
        tenant=tenant,
    )


def get_api_key_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[ApiKeyInfo]:
    """`get_api_key` over Inputs: `Output[ApiKeyInfo]` (no secret in it)."""
    return _output(get_api_key, name, id, microtenant_id, tenant)
