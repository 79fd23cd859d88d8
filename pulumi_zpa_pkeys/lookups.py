"""Lookup functions: enrollment certificates and existing provisioning keys, Pulumi style.

`get_x(...)` runs at once and returns a frozen result; `get_x_output(...)` takes Inputs (unknown
during preview included) and returns an Output of the same result. A name lookup is one `search`
request, matched exactly and case-insensitively; results are cached per process, so one
certificate looked up by 50 resources costs one request. Credentials come from
`pulumi.Config("zpa")` in a program, with environment variables as fallback.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from . import key_fields as kf
from .client import ZpaClient, get_client, search_expression
from .errors import NotFoundError, ZpaError
from .settings import Settings

if TYPE_CHECKING:
    import pulumi

__all__ = [
    "EnrollmentCert",
    "LookupError",
    "ProvisioningKeyInfo",
    "get_enrollment_cert",
    "get_enrollment_cert_output",
    "get_provisioning_key",
    "get_provisioning_key_output",
]

MAX_NAMES_SHOWN = 10

T = TypeVar("T")


class LookupError(ZpaError):
    """A lookup found nothing, or more than one match; the message says what exists."""


@dataclass(frozen=True)
class EnrollmentCert:
    """An enrollment certificate; only those with `private_key_present` can sign keys."""

    id: str
    name: str
    cname: str | None
    allow_signing: bool
    private_key_present: bool
    issued_by: str | None
    issued_to: str | None
    parent_cert_id: str | None
    parent_cert_name: str | None
    valid_from_in_epoch_sec: int | None
    valid_to_in_epoch_sec: int | None
    client_cert_type: str | None
    certificate: str | None = field(repr=False)


@dataclass(frozen=True)
class ProvisioningKeyInfo:
    """An existing provisioning key: the resource's outputs plus `id`; the key is not in repr()."""

    id: str
    association_type: str
    name: str
    max_usage: int
    enrollment_cert_id: str
    zcomponent_id: str
    enabled: bool
    exportable: bool
    microtenant_id: str | None
    provisioning_key: str | None = field(repr=False)
    usage_count: int
    zcomponent_name: str | None
    enrollment_cert_name: str | None
    creation_time: int | None
    modified_time: int | None


# -- process-wide cache (single flight: concurrent identical lookups share one request) -----

_cache_lock = threading.Lock()
_cache: dict[tuple[Any, ...], Future[Any]] = {}


def _cached(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    with _cache_lock:
        future = _cache.get(key)
        owner = future is None
        if future is None:
            future = _cache[key] = Future()
    if owner:
        try:
            future.set_result(compute())
        except BaseException as err:
            with _cache_lock:
                _cache.pop(key, None)  # failures are not cached
            future.set_exception(err)
    return future.result()  # type: ignore[no-any-return]


def clear_cache() -> None:
    """Forget every cached lookup result (tests, long-running automation)."""
    with _cache_lock:
        _cache.clear()


def _settings() -> Settings:
    return Settings.from_pulumi_config()


def _one_of(name: str | None, id_: str | None, what: str) -> None:
    if (name is None) == (id_ is None):
        raise LookupError(f"{what}: pass exactly one of name or id")


def _where(settings: Settings, microtenant_id: str | None) -> str:
    tenant = f"customer {settings.customer_id}"
    return tenant + (f", microtenant {microtenant_id}" if microtenant_id else "")


def _pick(
    matches: Sequence[Mapping[str, Any]],
    name: str,
    what: str,
    where: str,
    existing: Callable[[], list[str]],
) -> Mapping[str, Any]:
    exact = [m for m in matches if str(m.get("name", "")).casefold() == name.casefold()]
    if len(exact) > 1:
        ids = ", ".join(str(m.get("id")) for m in exact)
        raise LookupError(
            f"{what} name {name!r} is ambiguous in {where}: ids {ids}; look it up by id"
        )
    if not exact:
        names = existing()
        shown = ", ".join(repr(n) for n in names[:MAX_NAMES_SHOWN]) or "none"
        raise LookupError(f"no {what} named {name!r} in {where}; existing names: {shown}")
    return exact[0]


# -- enrollment certificates ----------------------------------------------------------------


def _cert(obj: Mapping[str, Any]) -> EnrollmentCert:
    return EnrollmentCert(
        id=str(obj["id"]),
        name=str(obj.get("name", "")),
        cname=kf.str_or_none(obj.get("cName")),
        allow_signing=bool(obj.get("allowSigning", False)),
        private_key_present=bool(obj.get("privateKeyPresent", False)),
        issued_by=kf.str_or_none(obj.get("issuedBy")),
        issued_to=kf.str_or_none(obj.get("issuedTo")),
        parent_cert_id=kf.str_or_none(obj.get("parentCertId")),
        parent_cert_name=kf.str_or_none(obj.get("parentCertName")),
        valid_from_in_epoch_sec=kf.int_or_none(obj.get("validFromInEpochSec")),
        valid_to_in_epoch_sec=kf.int_or_none(obj.get("validToInEpochSec")),
        client_cert_type=kf.str_or_none(obj.get("clientCertType")),
        certificate=kf.str_or_none(obj.get("certificate")),
    )


def _fetch_cert(
    client: ZpaClient, name: str | None, id_: str | None, microtenant_id: str | None
) -> EnrollmentCert:
    where = _where(client.settings, microtenant_id)
    if id_ is not None:
        try:
            return _cert(client.get_enrollment_cert(id_, microtenant_id=microtenant_id))
        except NotFoundError:
            raise LookupError(f"no enrollment certificate with id {id_} in {where}") from None
    assert name is not None
    found = client.list_enrollment_certs(
        search=search_expression("name", "EQ", name), microtenant_id=microtenant_id
    )

    def existing() -> list[str]:
        certs = client.list_enrollment_certs(
            microtenant_id=microtenant_id, max_items=MAX_NAMES_SHOWN
        )
        return [str(c.get("name")) for c in certs]

    return _cert(_pick(found, name, "enrollment certificate", where, existing))


def get_enrollment_cert(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
) -> EnrollmentCert:
    """Find one enrollment certificate by exact name (case-insensitive) or by id.

    :raises LookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    _one_of(name, id, "get_enrollment_cert")
    id_ = kf.object_id("id", id) if id is not None else None
    settings = _settings()
    key = (
        "cert",
        settings,
        (name or "").casefold() if name is not None else None,
        id_,
        microtenant_id,
    )
    return _cached(key, lambda: _fetch_cert(get_client(settings), name, id_, microtenant_id))


# -- provisioning keys ------------------------------------------------------------------------


def _key_info(
    obj: Mapping[str, Any], association: str, microtenant_id: str | None
) -> ProvisioningKeyInfo:
    outs = kf.outputs_from_api(obj, association, microtenant_id)
    fields = {f: outs[f] for f in ProvisioningKeyInfo.__dataclass_fields__ if f != "id"}
    return ProvisioningKeyInfo(id=str(obj["id"]), **fields)


def _fetch_key(
    client: ZpaClient,
    association: str,
    name: str | None,
    id_: str | None,
    microtenant_id: str | None,
) -> ProvisioningKeyInfo:
    where = f"{association} keys of {_where(client.settings, microtenant_id)}"
    if id_ is not None:
        try:
            obj = client.get_provisioning_key(association, id_, microtenant_id=microtenant_id)
        except NotFoundError:
            raise LookupError(f"no provisioning key with id {id_} in {where}") from None
        return _key_info(obj, association, microtenant_id)
    assert name is not None
    found = client.list_provisioning_keys(
        association, search=search_expression("name", "EQ", name), microtenant_id=microtenant_id
    )

    def existing() -> list[str]:
        keys = client.list_provisioning_keys(
            association, microtenant_id=microtenant_id, max_items=MAX_NAMES_SHOWN
        )
        return [str(k.get("name")) for k in keys]

    return _key_info(
        _pick(found, name, "provisioning key", where, existing), association, microtenant_id
    )


def get_provisioning_key(
    association_type: str,
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
) -> ProvisioningKeyInfo:
    """Find one existing provisioning key by exact name (case-insensitive) or by id.

    :raises LookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    _one_of(name, id, "get_provisioning_key")
    association = kf.association_type(association_type)
    id_ = kf.object_id("id", id) if id is not None else None
    settings = _settings()
    key = (
        "key",
        settings,
        association,
        (name or "").casefold() if name is not None else None,
        id_,
        microtenant_id,
    )
    return _cached(
        key, lambda: _fetch_key(get_client(settings), association, name, id_, microtenant_id)
    )


# -- Output forms ------------------------------------------------------------------------------


def _in_thread(fn: Callable[[], T]) -> Awaitable[T]:
    """Run a blocking lookup off the program's event loop (rate-limit waits must not stall it).

    Pulumi keeps the stack's config in context variables, which executor threads do not inherit:
    the lookup runs inside a copy of the caller's context so that `pulumi.Config("zpa")` works.
    """
    context = contextvars.copy_context()
    return asyncio.get_running_loop().run_in_executor(None, context.run, fn)


def get_enrollment_cert_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
) -> pulumi.Output[EnrollmentCert]:
    """`get_enrollment_cert` over Inputs (unknown during preview): `Output[EnrollmentCert]`."""
    import pulumi

    def lookup(a: list[Any]) -> Awaitable[EnrollmentCert]:
        return _in_thread(lambda: get_enrollment_cert(a[0], a[1], a[2]))

    return pulumi.Output.all(name, id, microtenant_id).apply(lookup)


def get_provisioning_key_output(
    association_type: pulumi.Input[str],
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
) -> pulumi.Output[ProvisioningKeyInfo]:
    """`get_provisioning_key` over Inputs: a secret `Output[ProvisioningKeyInfo]` (the key)."""
    import pulumi

    def lookup(a: list[Any]) -> Awaitable[ProvisioningKeyInfo]:
        return _in_thread(lambda: get_provisioning_key(a[0], a[1], a[2], a[3]))

    result: pulumi.Output[ProvisioningKeyInfo] = pulumi.Output.all(
        association_type, name, id, microtenant_id
    ).apply(lookup)
    return pulumi.Output.secret(result)
