"""A made-up resource, ``Widget``, built as docs/architecture.md says a new resource is: this
one module (schema, provider, program-side class, lookup) and nothing else in the package. It
lives on the emulator's API keys (``path="apiKeys"``), so the kit's CRUD skeleton, lost-create
rule, call forms and lookup can be driven end to end without a new emulator kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from pulumi_zpa_pkeys import _fields as F
from pulumi_zpa_pkeys._lookup import lookup
from pulumi_zpa_pkeys._provider import ZpaProvider
from pulumi_zpa_pkeys._resource_class import ZpaResource
from pulumi_zpa_pkeys._schema import KEEPERS_FIELD, Field, Schema

SCHEMA = Schema(
    label="widget",
    path="apiKeys",
    fields=(
        Field("name", "name", parse=F.name, required=True),
        Field("role_id", "roleId", parse=F.object_id, required=True, from_api=F.str_or_none),
        Field("token_expiry_time_in_sec", "tokenExpiryTimeInSec",
              parse=F.whole_number(1, 3600), default=600, from_api=F.int_or_none, to_api=str),
        Field("client_secret", "clientSecret", secret=True, shown_once=True,
              from_api=F.str_or_none),
        KEEPERS_FIELD,
    ),
)  # fmt: skip


class WidgetProvider(ZpaProvider):
    schema = SCHEMA


@dataclass(frozen=True)
class WidgetInfo:
    id: str
    name: str
    role_id: str | None
    token_expiry_time_in_sec: int | None


@dataclass
class WidgetArgs:
    role_id: pulumi.Input[str]
    name: pulumi.Input[str] | None = None
    token_expiry_time_in_sec: pulumi.Input[int] = 600
    keepers: pulumi.Input[Mapping[str, str]] | None = None
    microtenant_id: pulumi.Input[str] | None = None
    tenant: str | None = None
    adopt_existing: bool = False


class Widget(ZpaResource, module="zpa", name="Widget"):
    _provider_class = WidgetProvider
    _args_class = WidgetArgs

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        self._init(resource_name, args, kwargs)


def get_widget(
    name: str | None = None,
    id: str | None = None,
    microtenant_id: str | None = None,
    tenant: str | None = None,
) -> WidgetInfo:
    return lookup(SCHEMA, WidgetInfo, "get_widget", name, id, microtenant_id, tenant)
