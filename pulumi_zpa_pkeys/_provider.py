"""The provider's CRUD skeleton, shared by every resource: what the engine calls, from the
resource's :class:`~pulumi_zpa_pkeys._schema.Schema` and a few hooks.

create (with adoption, :func:`~pulumi_zpa_pkeys._lost_create.create_once` and the read-back),
read, update and delete, with one-line apply-time errors that never carry a secret. An object
is always reached in the tenant and microtenant its state records, whatever the config says
now.

Providers hold no instance state (they are pickled into every stack's state by reference);
settings and transports come from ``_host`` at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

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
from ._api import Collection
from ._lost_create import create_once
from ._schema import JSON, Schema, tenant_of
from ._transport import Transport
from .errors import NotFoundError, ReadOnlyError, ResourceError, ZpaError
from .settings import Settings


class ZpaProvider(ResourceProvider):
    """CRUD for one ZPA object kind, from its :class:`Schema` and a few hooks.

    Subclasses set ``schema``; they may refine :meth:`collection`, :meth:`adopt_conflicts`
    and :meth:`describe`. Instances hold nothing.
    """

    schema: ClassVar[Schema]

    # The provider captures nothing secret (credentials are read at run time), so its pickled
    # form need not be encrypted in every resource's state (pulumi/pulumi#15538).
    serialize_as_secret_always = False

    # -- hooks --------------------------------------------------------------------------------

    def collection(
        self, transport: Transport, props: Mapping[str, Any], microtenant_id: str | None
    ) -> Collection:
        """Where objects with these inputs (or stored outputs) live."""
        return self.schema.collection(transport, props, microtenant_id)

    def adopt_conflicts(self, existing: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[str]:
        """Inputs that differ from an ``existing`` object in a way the table cannot see (an
        input kept only as a digest, say); adopting that object is refused when any does."""
        return []

    def describe(self, props: Mapping[str, Any], object_id: str | None = None) -> str:
        scope = self.schema.scope(props)
        detail = ", ".join(part for part in (f"id {object_id}" if object_id else "", scope) if part)
        text = f"{self.schema.label} {props.get('name')!r}"
        return f"{text} ({detail})" if detail else text

    def resource_outputs(
        self,
        props: Mapping[str, Any],
        answer: Mapping[str, Any],
        microtenant_id: str | None,
        stored: Mapping[str, Any],
    ) -> JSON:
        """The outputs for ZPA's ``answer`` about an object with inputs ``props``; ``stored``
        holds the values ZPA shows once."""
        carried = {
            f.name: props.get(f.name)
            for f in self.schema.fields
            if f.api is None or f.output_as is not None
        }
        carried["microtenant_id"] = microtenant_id
        carried["tenant"] = tenant_of(props)
        carried["adopt_existing"] = bool(props.get("adopt_existing", False))
        return self.schema.answer_outputs(answer, carried, stored)

    # -- engine calls -------------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        _host.configure(req.config.get)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs, failures = self.schema.check(news)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return self.schema.diff(_olds, _news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.schema.valid(props)
        try:
            settings = _host.settings(tenant_of(inputs))
            microtenant_id = _effective_microtenant(inputs, settings)
            api = self.collection(_host.transport(settings), inputs, microtenant_id)
            answer, shown_once = self._create(api, inputs, microtenant_id)
        except ZpaError as err:
            raise _failed(f"create {self.describe(inputs)}", err) from None
        outs = self.resource_outputs(inputs, answer, microtenant_id, shown_once)
        return CreateResult(str(answer["id"]), outs)

    def _stored(self, props: Mapping[str, Any]) -> Collection:
        """Where a stored object lives: the tenant and microtenant its state records, whatever
        the config says now.

        :raises ConfigError: the tenant's settings are missing or invalid.
        """
        microtenant_id = F.microtenant_or_none(props.get("microtenant_id"))
        transport = _host.transport(_host.settings(tenant_of(props)))
        return self.collection(transport, props, microtenant_id)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        microtenant_id = F.microtenant_or_none(props.get("microtenant_id"))
        try:
            answer = self._stored(props).get(id_)
        except NotFoundError:
            return ReadResult("", {})
        except ZpaError as err:
            raise _failed(
                f"read {self.schema.label} {id_}{_paren(self.schema.scope(props))}", err
            ) from None
        outs = self.resource_outputs(props, answer, microtenant_id, props)
        return ReadResult(id_, outs, self.schema.read_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = self.schema.valid(news)
        microtenant_id = F.microtenant_or_none(olds.get("microtenant_id"))
        operation = f"update {self.describe(inputs, id_)}"
        try:
            api = self._stored({**inputs, **olds})
            api.update(id_, self.schema.body(inputs, microtenant_id, update=True))
            answer = api.get(id_)
        except ReadOnlyError:
            raise ResourceError(
                f"{operation}: it is read-only ({self.schema.read_only_note}) and cannot be "
                "changed through the API"
            ) from None
        except ZpaError as err:
            raise _failed(operation, err) from None
        return UpdateResult(self.resource_outputs(inputs, answer, microtenant_id, olds))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        operation = f"delete {self.describe(props, id_)}"
        try:
            self._stored(props).delete(id_)
        except NotFoundError:
            return
        except ReadOnlyError:
            raise ResourceError(
                f"{operation}: it is read-only ({self.schema.read_only_note}) and cannot be "
                "deleted through the API; remove it from the stack with `pulumi state delete` "
                "instead"
            ) from None
        except ZpaError as err:
            raise _failed(operation, err) from None

    # -- create: adoption, the lost answer, the read-back ---------------------------------------

    def _create(
        self, api: Collection, inputs: JSON, microtenant_id: str | None
    ) -> tuple[JSON, JSON]:
        """(ZPA's object, the values it shows once) for a new or adopted object."""
        body = self.schema.body(inputs, microtenant_id)
        if inputs.get("adopt_existing"):
            adopted = self._adopt(api, inputs, microtenant_id)
            if adopted is not None:
                return adopted, {}
        created = create_once(api, body, self.schema, f"create {self.describe(inputs)}")
        shown_once = self.schema.shown_once_values(created)
        answer = created
        if not created.keys() >= self.schema.read_back:
            try:
                answer = api.get(str(created["id"]))
            except ZpaError:
                # The object exists: it must end in the stack. The missing fields (names)
                # are filled by the next refresh.
                answer = created
        return answer, shown_once

    def _adopt(self, api: Collection, inputs: JSON, microtenant_id: str | None) -> JSON | None:
        # Only in the declared microtenant: elsewhere it may be the very object a move
        # replaces, deleted next.
        existing = api.find(str(inputs["name"]))
        if existing is None:
            return None
        object_id = str(existing["id"])
        what = self.describe(inputs, object_id)
        if existing.get("readOnly") or existing.get("zscalerManaged"):
            raise ResourceError(
                f"cannot adopt {what}: it is read-only ({self.schema.read_only_note})"
            )
        current = self.schema.live_as_inputs(existing, {**inputs, "microtenant_id": microtenant_id})
        decision = self.schema.diff(current, inputs)
        replaces = [*(decision.replaces or []), *self.adopt_conflicts(existing, inputs)]
        if replaces:
            raise ResourceError(
                f"cannot adopt {what}: {', '.join(replaces)} differ from the existing "
                f"{self.schema.label} and cannot be changed in place; declare the existing "
                "values or rename"
            )
        if decision.changes:
            api.update(object_id, self.schema.body(inputs, microtenant_id, update=True))
        return api.get(object_id)


def _paren(text: str) -> str:
    return f" ({text})" if text else ""


def _effective_microtenant(inputs: Mapping[str, Any], settings: Settings) -> str | None:
    """A new object's microtenant: the declared one, else the tenant's ``microtenantId``."""
    return F.microtenant_or_none(inputs.get("microtenant_id") or settings.microtenant_id)


def _failed(operation: str, err: ZpaError) -> ResourceError:
    """One line: API errors already name their operation; others (settings, a bad stored
    value) get it prefixed."""
    return ResourceError(str(err) if err.operation else f"{operation}: {err}")
