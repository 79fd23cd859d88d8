"""The kit every resource module is built from: a table of fields in, a provider out.

A resource module declares a :class:`Schema` (its fields: API name, parser, default, whether a
change is made in place or replaces, whether the value is secret) and subclasses
:class:`ZpaProvider` and :class:`ZpaResource`. From the table this module derives:

* ``check``: defaults, required fields, parsing and normalising; unknowns (preview) pass;
* ``diff``: what changes in place, what replaces (and whether the old object goes first);
* the API body (the whole object, every time) and the outputs of an API answer;
* the CRUD skeleton: create (with adoption and the lost-answer rule), read, update, delete,
  with one-line apply-time errors that never carry a secret;
* the two call forms of a resource class, its declared outputs and secret outputs.

Every resource has ``microtenant_id`` (replace; undeclared keeps the object where it is),
``tenant`` (the Pulumi config namespace of the tenant's settings; replace, and the old object
is deleted with the old tenant's settings) and ``adopt_existing`` (never sent); the kit adds
them to each table.

Providers hold no instance state (they are pickled into every stack's state); settings and
transports come from ``_host`` at run time.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

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

from . import _fields as F
from . import _host
from ._api import Collection
from ._transport import Transport, is_ambiguous
from .errors import (
    ApiError,
    FieldError,
    NotFoundError,
    ReadOnlyError,
    ResourceError,
    TransportError,
    UnusableAnswerError,
    ZpaError,
)
from .settings import DEFAULT_NAMESPACE, Settings

JSON = dict[str, Any]
T = TypeVar("T")
Change = Literal["update", "replace", "none", "output"]
#: ``(old, new) -> "update" | "replace"`` for fields whose rule depends on the values.
ChangeRule = Callable[[Any, Any], Literal["update", "replace"]]


def _identity(value: Any) -> Any:
    return value


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is a preview-time unknown."""
    return isinstance(value, Unknown)


@dataclass(frozen=True)
class Field:
    """One field of a resource.

    ``parse`` makes it an input (None: an output only). ``api`` is its name in ZPA's JSON (None:
    never sent nor read; the output carries the input). ``change`` says what a changed value
    does: ``update`` in place, ``replace``, ``none`` (no change at all) or a :data:`ChangeRule`.
    ``kept``: when ZPA's answer lacks the value (a secret it shows once), the stored one stays.
    ``same`` compares two normal forms where ``==`` is wrong (sets, Default microtenant).
    ``output_as``: the outputs keep only this form of the input (e.g. a digest of a private key,
    which must appear in no output); it must map its own results to themselves, and changes
    are compared in that form. ``on_update``: sent in PUT bodies too (False: on create only).
    ``secret_input``: the resource class makes the input a secret itself, so a plain string
    never lands unencrypted in the state.
    """

    name: str
    api: str | None = None
    parse: F.Parser | None = None
    change: Change | ChangeRule = "update"
    required: bool = False
    default: Any = None
    secret: bool = False
    kept: bool = False
    from_api: Callable[[Any], Any] = _identity
    to_api: Callable[[Any], Any] = _identity
    same: Callable[[Any, Any], bool] | None = None
    keep_when_undeclared: bool = False
    output_as: Callable[[Any], Any] | None = None
    on_update: bool = True
    secret_input: bool = False

    @property
    def is_input(self) -> bool:
        return self.parse is not None

    def replaces(self, old: Any, new: Any) -> bool:
        if callable(self.change):
            return self.change(old, new) == "replace"
        return self.change == "replace"

    def equal(self, old: Any, new: Any) -> bool:
        if self.output_as is not None:
            old, new = (None if v is None else self.output_as(v) for v in (old, new))
        return self.same(old, new) if self.same is not None else old == new


def _same_microtenant(old: Any, new: Any) -> bool:
    return (old or "0") == (new or "0")


def _same_tenant(old: Any, new: Any) -> bool:
    # State written before `tenant` existed has none: that was the default namespace.
    return (old or DEFAULT_NAMESPACE) == (new or DEFAULT_NAMESPACE)


def same_mapping(old: Any, new: Any) -> bool:
    """None and an empty mapping are the same (``keepers`` not declared)."""
    return (old or {}) == (new or {})


#: ``keepers``, for every resource that holds a secret: a map of strings never sent to ZPA;
#: any change replaces the resource, so rotating its secret is one config change.
KEEPERS = Field("keepers", parse=F.string_map, change="replace", same=same_mapping)


#: Fields every resource has (appended to each table by :class:`Schema`).
COMMON_FIELDS: tuple[Field, ...] = (
    Field(
        "microtenant_id",
        parse=F.optional_id,
        change="replace",
        same=_same_microtenant,
        keep_when_undeclared=True,
    ),
    Field("tenant", parse=F.namespace, change="replace", same=_same_tenant),
    Field("adopt_existing", parse=F.boolean, change="none", default=False),
)


@dataclass(frozen=True)
class Schema:
    """A resource's table of fields and what is derived from it."""

    label: str
    fields: tuple[Field, ...]
    #: API fields a create answer may lack; when it does, the object is read back once.
    read_back: frozenset[str] = frozenset()
    #: What makes an object read-only, for messages ("managed by Zscaler Deception").
    read_only_note: str = "managed by Zscaler"
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {f.name for f in self.fields}
        extra = tuple(f for f in COMMON_FIELDS if f.name not in names)
        object.__setattr__(self, "fields", self.fields + extra)
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    @property
    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_input)

    @property
    def secret_outputs(self) -> list[str]:
        return [f.name for f in self.fields if f.secret]

    # -- check --------------------------------------------------------------------------------

    def check(self, news: Mapping[str, Any]) -> tuple[JSON, list[CheckFailure]]:
        """Validate and normalise inputs without calling the API; unknown values pass."""
        inputs = dict(news)
        failures: list[CheckFailure] = []
        for f in self.inputs:
            if inputs.get(f.name) is None and f.default is not None:
                inputs[f.name] = f.default
        for f in self.inputs:
            value = inputs.get(f.name)
            if value is None:
                if f.required:
                    failures.append(CheckFailure(f.name, f"{f.name} is required"))
                continue
            if is_unknown(value):
                continue
            try:
                inputs[f.name] = f.parse(f.name, value)  # type: ignore[misc]
            except FieldError as err:
                failures.append(CheckFailure(err.field, str(err.reason)))
        return {k: v for k, v in inputs.items() if v is not None}, failures

    def valid(self, props: Mapping[str, Any]) -> JSON:
        """``check`` at apply time: its failures as one exception (preview reported them)."""
        inputs, failures = self.check(props)
        if failures:
            raise ResourceError("; ".join(f"{f.property}: {f.reason}" for f in failures))
        return inputs

    def parse(self, name: str, value: Any) -> Any:
        """One input value in normal form.

        :raises FieldError: the value is invalid (names the field and what is allowed).
        """
        parse = self.by_name[name].parse
        return parse(name, value) if parse is not None else value

    def parsed(self, name: str, props: Mapping[str, Any]) -> Any:
        """One stored value in normal form, None if absent (read and delete get no Check).

        :raises ResourceError: the value is invalid (one line naming the field).
        """
        value = props.get(name)
        if value is None:
            return None
        try:
            return self.parse(name, value)
        except FieldError as err:
            raise ResourceError(str(err)) from None

    # -- diff ---------------------------------------------------------------------------------

    def _normal(self, f: Field, value: Any) -> Any:
        if value is None or is_unknown(value) or f.parse is None:
            return value
        try:
            return f.parse(f.name, value)
        except FieldError:
            return value

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        """What ``pulumi preview`` shows: changes, replacements, and whether the old object
        must go first (a replacement that keeps the name, which ZPA keeps unique)."""
        changed: list[str] = []
        replaces: list[str] = []
        for f in self.inputs:
            if f.change == "none":
                continue
            new, old = news.get(f.name), self._normal(f, olds.get(f.name))
            if new is None and f.keep_when_undeclared:
                continue
            if not is_unknown(new) and f.equal(old, self._normal(f, new)):
                continue
            changed.append(f.name)
            if f.replaces(old, new):
                replaces.append(f.name)
        new_name = news.get("name")
        name_kept = is_unknown(new_name) or _same_name(olds.get("name"), new_name)
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=bool(replaces) and name_kept,
        )

    # -- API body and outputs -----------------------------------------------------------------

    def body(
        self, inputs: Mapping[str, Any], microtenant_id: str | None, *, update: bool = False
    ) -> JSON:
        """The whole desired object for POST, or for PUT with ``update`` (false booleans
        included; fields ZPA takes on create only left out of a PUT)."""
        body = {
            f.api: f.to_api(inputs[f.name])
            for f in self.inputs
            if f.api is not None and inputs.get(f.name) is not None and (f.on_update or not update)
        }
        if microtenant_id:
            body["microtenantId"] = microtenant_id
        return body

    def outputs(
        self, live: Mapping[str, Any], carried: Mapping[str, Any], kept: Mapping[str, Any]
    ) -> JSON:
        """Every field: from ZPA's answer where it has an API name, else carried over from the
        inputs; a ``kept`` field the answer lacks keeps its stored value."""
        outs: JSON = {}
        for f in self.fields:
            if f.output_as is not None:
                value = carried.get(f.name)
                outs[f.name] = None if value is None else f.output_as(value)
                continue
            if f.api is None:
                outs[f.name] = carried.get(f.name, f.default)
                continue
            value = f.from_api(live.get(f.api))
            if value is None and f.kept:
                value = kept.get(f.name)
            outs[f.name] = value
        return outs

    def info(
        self,
        make: Callable[..., T],
        obj: Mapping[str, Any],
        microtenant_id: str | None,
        **carried: Any,
    ) -> T:
        """A lookup result: ``make`` (a dataclass) of the outputs of ZPA's answer ``obj``,
        restricted to its fields, plus ``id``. ``microtenant_id`` is the one asked for, unless
        the answer names its own; ``carried`` gives the fields without an API name."""
        mt = F.microtenant_or_none(obj.get("microtenantId", microtenant_id))
        outs = self.outputs(obj, {**carried, "microtenant_id": mt}, {})
        names = [f.name for f in dataclasses.fields(make) if f.name != "id"]  # type: ignore[arg-type]
        return make(id=str(obj["id"]), **{n: outs[n] for n in names})

    def read_inputs(self, outs: Mapping[str, Any]) -> JSON:
        """The inputs a refresh reports (what the next diff compares with)."""
        return {f.name: outs[f.name] for f in self.inputs if outs.get(f.name) is not None}

    def live_as_inputs(self, live: Mapping[str, Any], carried: Mapping[str, Any]) -> JSON:
        """An existing object's values in input form (for adoption)."""
        return self.read_inputs(self.outputs(live, carried, {}))


def _same_name(old: Any, new: Any) -> bool:
    # ZPA names are unique ignoring case: "Edge" and "edge" would collide.
    return isinstance(old, str) and isinstance(new, str) and old.casefold() == new.casefold()


# -- the provider ------------------------------------------------------------------------------


class ZpaProvider(ResourceProvider):
    """CRUD for one ZPA object kind, from its :class:`Schema` and a few hooks.

    Subclasses set ``schema`` and implement :meth:`collection` (where the objects live); they
    may refine :meth:`outputs` and :meth:`describe`. Instances hold nothing.
    """

    schema: ClassVar[Schema]

    # The provider captures nothing secret (credentials are read at run time), so its pickled
    # form need not be encrypted in every resource's state (pulumi/pulumi#15538).
    serialize_as_secret_always = False

    # -- hooks --------------------------------------------------------------------------------

    def collection(
        self, transport: Transport, props: Mapping[str, Any], mt: str | None
    ) -> Collection:
        """Where objects with these inputs (or stored outputs) live."""
        raise NotImplementedError

    def scope(self, props: Mapping[str, Any]) -> str:
        """What qualifies an object's id in messages (e.g. its association type)."""
        return ""

    def outputs(
        self,
        props: Mapping[str, Any],
        live: Mapping[str, Any],
        mt: str | None,
        kept: Mapping[str, Any],
    ) -> JSON:
        """The outputs for an API answer ``live`` of an object with inputs ``props``."""
        carried = {
            f.name: props.get(f.name)
            for f in self.schema.fields
            if f.api is None or f.output_as is not None
        }
        carried["microtenant_id"] = mt
        carried["tenant"] = _tenant(props)
        carried["adopt_existing"] = bool(props.get("adopt_existing", False))
        return self.schema.outputs(live, carried, kept)

    def adopt_conflicts(self, existing: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[str]:
        """Inputs that differ from an ``existing`` object in a way the table cannot see (an
        input kept only as a digest, say); adopting that object is refused when any does."""
        return []

    def describe(self, props: Mapping[str, Any], object_id: str | None = None) -> str:
        scope = self.scope(props)
        detail = ", ".join(part for part in (f"id {object_id}" if object_id else "", scope) if part)
        text = f"{self.schema.label} {props.get('name')!r}"
        return f"{text} ({detail})" if detail else text

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
            settings = _host.settings(_tenant(inputs))
            mt = _effective_microtenant(inputs, settings)
            api = self.collection(_host.transport(settings), inputs, mt)
            live, kept = self._create(api, inputs, mt)
        except ZpaError as err:
            raise _failed(f"create {self.describe(inputs)}", err) from None
        return CreateResult(str(live["id"]), self.outputs(inputs, live, mt, kept))

    def _stored(self, props: Mapping[str, Any]) -> Collection:
        """Where a stored object lives: the tenant and microtenant its state records, whatever
        the config says now.

        :raises ConfigError: the tenant's settings are missing or invalid.
        """
        mt = _stored_microtenant(props)
        return self.collection(_host.transport(_host.settings(_tenant(props))), props, mt)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        mt = _stored_microtenant(props)
        try:
            live = self._stored(props).get(id_)
        except NotFoundError:
            return ReadResult("", {})
        except ZpaError as err:
            raise _failed(
                f"read {self.schema.label} {id_}{_paren(self.scope(props))}", err
            ) from None
        outs = self.outputs(props, live, mt, props)
        return ReadResult(id_, outs, self.schema.read_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = self.schema.valid(news)
        mt = _stored_microtenant(olds)
        operation = f"update {self.describe(inputs, id_)}"
        try:
            api = self._stored({**inputs, **olds})
            api.update(id_, self.schema.body(inputs, mt, update=True))
            live = api.get(id_)
        except ReadOnlyError:
            raise ResourceError(
                f"{operation}: it is read-only ({self.schema.read_only_note}) and cannot be "
                "changed through the API"
            ) from None
        except ZpaError as err:
            raise _failed(operation, err) from None
        return UpdateResult(self.outputs(inputs, live, mt, olds))

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

    def _create(self, api: Collection, inputs: JSON, mt: str | None) -> tuple[JSON, JSON]:
        """(ZPA's object, secrets to keep) for a new or adopted object."""
        body = self.schema.body(inputs, mt)
        if inputs.get("adopt_existing"):
            adopted = self._adopt(api, inputs, mt)
            if adopted is not None:
                return adopted, {}
        created = create_once(api, body, self.schema, f"create {self.describe(inputs)}")
        kept = self.schema.outputs(created, {}, {})
        live = created
        if not created.keys() >= self.schema.read_back:
            try:
                live = api.get(str(created["id"]))
            except ZpaError:
                # The object exists: it must end in the stack. The missing fields (names)
                # are filled by the next refresh.
                live = created
        return live, kept

    def _adopt(self, api: Collection, inputs: JSON, mt: str | None) -> JSON | None:
        existing = api.find(str(inputs["name"]))
        if existing is None:
            return None
        object_id = str(existing["id"])
        what = self.describe(inputs, object_id)
        if existing.get("readOnly") or existing.get("zscalerManaged"):
            raise ResourceError(
                f"cannot adopt {what}: it is read-only ({self.schema.read_only_note})"
            )
        current = self.schema.live_as_inputs(existing, {**inputs, "microtenant_id": mt})
        decision = self.schema.diff(current, inputs)
        replaces = [*(decision.replaces or []), *self.adopt_conflicts(existing, inputs)]
        if replaces:
            raise ResourceError(
                f"cannot adopt {what}: {', '.join(replaces)} differ from the existing "
                f"{self.schema.label} and cannot be changed in place; declare the existing "
                "values or rename"
            )
        if decision.changes:
            api.update(object_id, self.schema.body(inputs, mt, update=True))
        return api.get(object_id)


def _paren(text: str) -> str:
    return f" ({text})" if text else ""


def create_once(api: Collection, body: JSON, schema: Schema, operation: str) -> JSON:
    """POST ``body`` and return ZPA's answer, never leaving a duplicate or touching an object
    this create did not make.

    An answer that is lost (5xx, dropped connection, timeout) or unusable may hide a create
    that happened. The object is then looked up by its unique name: one that this create made
    (created after the first POST went out, by ZPA's clock, with the values sent) is returned,
    or, if a secret it shows only once is missing, deleted and created again. Anything else
    is left alone: the POST is sent again, and if an older object holds the name ZPA answers
    with its own "already exists" error, as without a fault. Retries wait as ZPA's
    ``retry-after`` asks (else back off) within ``retryMaxWaitSeconds``.
    """
    transport = api.transport
    secrets = [f.api for f in schema.fields if f.kept and f.api is not None]
    name = body.get("name")
    first_sent = time.time()
    deadline: float | None = None
    failures = 0
    while True:
        try:
            created = api.create(body, operation)
            if not created.get("id"):
                raise UnusableAnswerError(
                    f"{operation}: the answer carries no id", operation=operation, status=200
                )
            return created
        except (TransportError, ApiError) as lost:
            if not isinstance(name, str) or not is_ambiguous(lost):
                raise
            failures += 1
            now = time.monotonic()
            deadline = deadline or now + transport.settings.retry_max_wait_s
            ours = _made_by_us(api.search_name(name), body, first_sent, transport.server_time())
            if ours is not None:
                if all(ours.get(secret) for secret in secrets):
                    return ours
                api.delete(str(ours["id"]))  # ours, but its secret went with the answer
            wait = lost.retry_after
            if wait is None:
                step = transport.settings.retry_backoff_s * 2.0 ** (failures - 1)
                wait = min(10.0, step) * (0.5 + random.random() / 2)
            if time.monotonic() + wait > deadline:
                raise
            time.sleep(wait)


def _made_by_us(
    found: Sequence[JSON],
    body: Mapping[str, Any],
    sent: float,
    server_now: float | None,
) -> JSON | None:
    """The object among ``found`` that a POST of ``body`` sent at ``sent`` (our clock) made.

    ZPA stamps ``creationTime`` in whole seconds of its own clock; ours is mapped onto it with
    the ``Date`` of its answers (also whole seconds), hence the 2 s of slack. Without ZPA's
    clock nothing can be told apart, and nothing is claimed.
    """
    if server_now is None:
        return None
    sent_by_server_clock = sent + (server_now - time.time())
    for item in found:
        created = F.int_or_none(item.get("creationTime"))
        if created is None or created < sent_by_server_clock - 2:
            continue
        if all(_same_value(item.get(key), value) for key, value in body.items() if key in item):
            return item
    return None


def _same_value(have: Any, sent: Any) -> bool:
    if isinstance(have, str) and isinstance(sent, str):
        return have.casefold() == sent.casefold()
    return str(have).lower() == str(sent).lower()


def _effective_microtenant(inputs: Mapping[str, Any], settings: Settings) -> str | None:
    declared = inputs.get("microtenant_id")
    chosen = str(declared) if declared else settings.microtenant_id
    return None if chosen in (None, "", "0") else chosen


def _tenant(props: Mapping[str, Any]) -> str:
    """The config namespace an object's tenant settings live in (read at run time)."""
    return str(props.get("tenant") or DEFAULT_NAMESPACE)


def _stored_microtenant(props: Mapping[str, Any]) -> str | None:
    value = props.get("microtenant_id")
    return None if value in (None, "", "0") else str(value)


def _failed(operation: str, err: ZpaError) -> ResourceError:
    """One line: API errors already name their operation; others (settings, a bad stored
    value) get it prefixed."""
    return ResourceError(str(err) if err.operation else f"{operation}: {err}")


# -- the resource (program side) ---------------------------------------------------------------


class ZpaResource(pulumi.dynamic.Resource):
    """Base of the resource classes: two call forms, every output declared, secrets marked."""

    _provider_class: ClassVar[type[ZpaProvider]]
    _args_class: ClassVar[type]

    def _init(self, resource_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        args_obj, opts = split_call(type(self).__name__, self._args_class, args, kwargs)
        props: dict[str, Any] = dict(vars(args_obj))
        if props.get("name") is None:
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
    what: str, args_class: type, args: Sequence[Any], kwargs: dict[str, Any]
) -> tuple[Any, pulumi.ResourceOptions | None]:
    """Accept ``(args, opts)`` or ``(opts, **fields)``; refuse both forms at once."""
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
