"""``ApiKey``: a ZPA API key, the client id and secret the legacy front door signs in with.

API: ``/mgmtconfig/v1/admin/customers/{cid}/apiKeys[/{id}]``: create (201), get, update (PUT,
204), delete (204), list with ``search`` and ``microtenantId``.

Rules of its own:

* ``client_secret`` is in ZPA's create answer only: it is kept from there (never blanked by a
  refresh or an update) and is a secret output. A create whose answer is lost finds the key by
  name; since its secret went with the answer, that key is deleted and created once more (the
  kit's :func:`~pulumi_zpa_pkeys._lost_create.create_once`).
* ``token_expiry_time_in_sec`` is an int here and a string in ZPA (``"3600"``); ZPA allows at
  most 3600 s (help.zscaler.com, "Adding API Keys").
* ``keepers`` is never sent; any change replaces the key, so rotating its secret is one config
  change.

The provider's path ``pulumi_zpa_pkeys.api_key.ApiKeyProvider`` is frozen: every stack's state
refers to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

import pulumi

from . import _fields as F
from ._lookup import lookup, lookup_output
from ._provider import ZpaProvider
from ._resource_class import ZpaResource
from ._schema import KEEPERS_FIELD, Field, Schema

__all__ = [
    "ApiKey",
    "ApiKeyArgs",
    "ApiKeyInfo",
    "ApiKeyProvider",
    "get_api_key",
    "get_api_key_output",
]

MAX_TOKEN_EXPIRY_S = 3600

SCHEMA = Schema(
    label="API key",
    path="apiKeys",
    fields=(
        Field("name", "name", parse=F.name, required=True),
        Field("role_id", "roleId", parse=F.object_id, required=True, from_api=F.str_or_none),
        Field("enabled", "enabled", parse=F.boolean, default=True, from_api=F.bool_or(True)),
        Field("token_expiry_time_in_sec", "tokenExpiryTimeInSec",
              parse=F.whole_number(1, MAX_TOKEN_EXPIRY_S), default=3600,
              from_api=F.int_or_none, to_api=str),
        Field("client_id", "clientId", from_api=F.str_or_none),
        Field("client_secret", "clientSecret", secret=True, shown_once=True,
              from_api=F.str_or_none),
        Field("creation_time", "creationTime", from_api=F.int_or_none),
        Field("modified_time", "modifiedTime", from_api=F.int_or_none),
        KEEPERS_FIELD,
    ),
)  # fmt: skip

#: check() and diff() of the resource as plain functions (no API, no sockets).
check_inputs = SCHEMA.check
diff_inputs = SCHEMA.diff


class ApiKeyProvider(ZpaProvider):
    """CRUD for ZPA API keys. Frozen path: pulumi_zpa_pkeys.api_key.ApiKeyProvider."""

    schema = SCHEMA


@dataclass(frozen=True)
class ApiKeyInfo:
    """An existing API key; never its secret (ZPA shows that in the create answer only)."""

    id: str
    name: str
    enabled: bool
    role_id: str | None
    token_expiry_time_in_sec: int | None
    client_id: str | None


# -- the resource (program side) ---------------------------------------------------------------


@dataclass
class ApiKeyArgs:
    """Inputs of an ApiKey (see the README's resource reference)."""

    role_id: pulumi.Input[str]
    name: pulumi.Input[str] | None = None
    enabled: pulumi.Input[bool] = True
    token_expiry_time_in_sec: pulumi.Input[int] = 3600
    microtenant_id: pulumi.Input[str] | None = None
    adopt_existing: bool = False
    keepers: pulumi.Input[Mapping[str, str]] | None = None
    tenant: str | None = None


class ApiKey(ZpaResource, module="zpa", name="ApiKey"):
    """A ZPA API key; `client_secret` is a secret output, kept from ZPA's create answer."""

    _provider_class = ApiKeyProvider
    _args_class = ApiKeyArgs

    name: pulumi.Output[str]
    role_id: pulumi.Output[str]
    enabled: pulumi.Output[bool]
    token_expiry_time_in_sec: pulumi.Output[int]
    microtenant_id: pulumi.Output[str | None]
    adopt_existing: pulumi.Output[bool]
    keepers: pulumi.Output[Mapping[str, str] | None]
    tenant: pulumi.Output[str]
    client_id: pulumi.Output[str]
    client_secret: pulumi.Output[str | None]
    creation_time: pulumi.Output[int]
    modified_time: pulumi.Output[int]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: ApiKeyArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        role_id: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        enabled: pulumi.Input[bool] = True,
        token_expiry_time_in_sec: pulumi.Input[int] = 3600,
        microtenant_id: pulumi.Input[str] | None = None,
        adopt_existing: bool = False,
        keepers: pulumi.Input[Mapping[str, str]] | None = None,
        tenant: str | None = None,
    ) -> None: ...

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        microtenant_id: pulumi.Input[str] | None = None,
        tenant: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> ApiKey:
        """A read-only reference to an existing API key (the engine calls the provider's read;
        the secret cannot be read back, so `client_secret` is None)."""
        found: ApiKey = ApiKey._get(
            resource_name, id, {"microtenant_id": microtenant_id, "tenant": tenant}, opts
        )
        return found


# -- lookups -------------------------------------------------------------------------------------


def get_api_key(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> ApiKeyInfo:
    """Find one API key by exact name (case-insensitive) or by id; never its secret.

    :raises ZpaLookupError: not found (the message lists up to 10 existing names), or ambiguous.
    """
    return lookup(SCHEMA, ApiKeyInfo, "get_api_key", name, id, microtenant_id, tenant)


def get_api_key_output(
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    microtenant_id: pulumi.Input[str] | None = None,
    tenant: str | None = None,
) -> pulumi.Output[ApiKeyInfo]:
    """`get_api_key` over Inputs: `Output[ApiKeyInfo]` (no secret in it)."""
    return lookup_output(get_api_key, name, id, microtenant_id, tenant)
