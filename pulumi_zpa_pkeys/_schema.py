"""A resource's table of fields, and everything derived from it without calling the API.

A resource module declares one :class:`Schema`: where its objects live (``path``, ``label``,
``list_version``) and its :class:`Field` rows (API name, parser, default, change rule, secrecy,
one sentence of documentation). From the table this module derives:

* ``check``: defaults, required fields, parsing and normalising; unknowns (preview) pass;
* ``diff``: what changes in place, what replaces (and whether the old object goes first);
* the API body (the whole object, every time) and the outputs of an API answer;
* the :class:`~pulumi_zpa_pkeys._api.Collection` of an object, and a lookup result.

Every ZPA resource has ``microtenant_id`` (replace; undeclared keeps the object where it is),
``tenant`` (the Pulumi config namespace of the tenant's settings; replace) and
``adopt_existing`` (never sent): :data:`COMMON_FIELDS` are added to each table (a kind outside
ZPA, the cloud service API key, declares ``common_fields=()`` and its own ``tenant``).
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Literal, TypeVar

from pulumi.dynamic import CheckFailure, DiffResult
from pulumi.output import Unknown

from . import _fields as F
from ._api import Collection
from ._transport import Transport, segment
from .errors import FieldError, ResourceError
from .settings import DEFAULT_NAMESPACE

JSON = dict[str, Any]
T = TypeVar("T")
Change = Literal["update", "replace", "none"]
#: ``(old, new) -> "update" | "replace"`` for fields whose rule depends on the values.
ChangeRule = Callable[[Any, Any], Literal["update", "replace"]]


def _identity(value: Any) -> Any:
    return value


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is a preview-time unknown."""
    return isinstance(value, Unknown)


@dataclass(frozen=True)
class Field:
    """One field of a resource: ``Field(name, api, *, ...)``, every rule by keyword.

    What it is: ``doc``, one sentence for the docstrings and the reference page; ``py_type``,
    the Python type of its value as text (``"int"``, ``"str | None"`` where an answer may lack
    it); ``input_py_type`` where a program may pass more than that (``"float | str"``);
    ``plain``: a plain value, not an Input (known at preview); ``in_info``: part of the lookup
    result (``info_py_type`` there, when it differs); ``in_repr``: shown by repr() (secrets
    never are).

    How it behaves: ``api`` is its name in ZPA's JSON (None: never sent nor read; the output carries
    the input). ``parse`` makes it an input (None: an output only). ``change`` says what a changed
    value does: ``update`` in place, ``replace``, ``none`` (no change at all) or a
    :data:`ChangeRule` (whose docstring says it in words). ``shown_once``: a secret ZPA shows in the
    create answer only (or not always): the value kept is the create answer's, and no later read
    replaces it (a read may lack it, or carry a mask such as ``********``); only an object adopted
    or referenced with nothing stored takes it from a read, unless ``only_in_create_answer``: ZPA
    never shows the value again (a read carries nothing or a mask), so it comes from the create
    answer alone, and an object this stack did not create has none. ``same`` compares two normal
    forms where ``==`` is wrong (sets, the Default microtenant). ``undeclared_is_no_change``: an
    input left out is never a change (ZPA keeps or derives its value). ``output_as``: the outputs
    keep only this form of the input (e.g. a digest of a private key, which must appear in no
    output); it must map its own results to themselves, and changes are compared in that form.
    ``on_update``: sent in PUT bodies too (False: on create only). ``secret_input``: the resource
    class makes the input a secret itself, so a plain string never lands unencrypted in the state.

    Other names: ``aliases``, what pulumi-zpa (or the Terraform provider) calls the field
    (``ip_acls`` for ``ip_acl``), so that a program written for it runs unchanged: an input's
    alias is accepted as a keyword argument, and every alias reads the output as an attribute.
    The state keeps only the field's own name.
    """

    name: str
    api: str | None = None
    _: KW_ONLY
    doc: str = ""
    py_type: str = "str"
    input_py_type: str | None = None
    plain: bool = False
    in_info: bool = True
    info_py_type: str | None = None
    in_repr: bool = True
    parse: F.Parser | None = None
    change: Change | ChangeRule = "update"
    required: bool = False
    default: Any = None
    secret: bool = False
    shown_once: bool = False
    only_in_create_answer: bool = False
    from_api: Callable[[Any], Any] = _identity
    to_api: Callable[[Any], Any] = _identity
    same: Callable[[Any, Any], bool] | None = None
    undeclared_is_no_change: bool = False
    output_as: Callable[[Any], Any] | None = None
    on_update: bool = True
    secret_input: bool = False
    aliases: tuple[str, ...] = ()

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


def same_microtenant(old: Any, new: Any) -> bool:
    """Two microtenant ids name the same microtenant (see :func:`_fields.microtenant_or_none`)."""
    return F.microtenant_or_none(old) == F.microtenant_or_none(new)


def tenant_of(props: Mapping[str, Any]) -> str:
    """The config namespace an object's tenant settings live in (read at run time). State
    written before ``tenant`` existed has none: that was the default namespace."""
    return str(props.get("tenant") or DEFAULT_NAMESPACE)


def _same_tenant(old: Any, new: Any) -> bool:
    return tenant_of({"tenant": old}) == tenant_of({"tenant": new})


def same_mapping(old: Any, new: Any) -> bool:
    """None and an empty mapping are the same (``keepers`` not declared)."""
    return (old or {}) == (new or {})


#: ``keepers``, for every resource that holds a secret: a map of strings never sent to ZPA;
#: any change replaces the resource, so rotating its secret is one config change.
KEEPERS_FIELD = Field(
    "keepers",
    doc="Strings never sent to ZPA; any change replaces the resource, so rotating its secret "
    'is one config change (e.g. {"rotation": "2027-Q1"}).',
    py_type="Mapping[str, str] | None",
    in_info=False,
    parse=F.string_map,
    change="replace",
    same=same_mapping,
)

#: The two times ZPA stamps on every object.
CREATION_TIME = Field(
    "creation_time",
    "creationTime",
    doc="When ZPA created the object (epoch seconds).",
    py_type="int | None",
    from_api=F.int_or_none,
)
MODIFIED_TIME = Field(
    "modified_time",
    "modifiedTime",
    doc="When ZPA last changed the object (epoch seconds).",
    py_type="int | None",
    from_api=F.int_or_none,
)

MICROTENANT_FIELD = Field(
    "microtenant_id",
    doc="The microtenant the object belongs to (0 or none: the Default microtenant); "
    "undeclared, a new object goes to the tenant's zpa:microtenantId and later stays "
    "where it is.",
    py_type="str | None",
    parse=F.optional_id,
    change="replace",
    same=same_microtenant,
    undeclared_is_no_change=True,
)

TENANT_FIELD = Field(
    "tenant",
    doc="The Pulumi config namespace that holds the tenant's settings (default zpa, as in "
    "zpa:clientId); only the name is stored, never a credential.",
    plain=True,
    in_info=False,
    parse=F.namespace,
    change="replace",
    same=_same_tenant,
)

ADOPT_EXISTING_FIELD = Field(
    "adopt_existing",
    doc="On create, take over an existing object of the same name (brought to the declared "
    "in-place values) instead of creating one; refused when a replace-only value differs "
    "or the object is read-only.",
    py_type="bool",
    plain=True,
    in_info=False,
    parse=F.boolean,
    change="none",
    default=False,
)

#: Fields every resource has, added to each table by :class:`Schema` where the table does not
#: place them itself. The order is that of the ``Args`` classes of 0.1.0, where an ``Args``
#: could be built positionally: a table that had fields after them places them explicitly.
COMMON_FIELDS: tuple[Field, ...] = (MICROTENANT_FIELD, ADOPT_EXISTING_FIELD, TENANT_FIELD)


@dataclass(frozen=True, kw_only=True)
class Schema:
    """A resource's table of fields and what is derived from it.

    ``resource`` is the resource class's name (and its type token's), ``doc`` one sentence
    about the object kind, ``label`` its name in messages. ``path`` is where its objects live
    under the customer's URL; a ``{field}`` in it is an input that is part of the path (a
    provisioning key's association type): it scopes names and ids, lookups take it, and
    messages name it. ``list_version`` is the API version of the list endpoint where it
    differs from the others' (enrollment certificates: ``v2``). ``aliases``: other names of the
    resource class, pulumi-zpa's (``ConnectorGroup`` for ``AppConnectorGroup``): the same class
    under another name, so the type token and the state stay the same.

    How an object is found (what the static ``get`` and the lookups take, before the
    microtenant and ``tenant`` where the table has them): ``scope_fields``, the inputs that say
    where objects live, are the ``{field}`` names of ``path`` unless a kind outside ZPA's paths
    names them (the cloud service API key: ``product``). A ZPA object is looked up by name or
    by id in a microtenant (``_lookup.lookup``); a kind with ``one_per_scope`` has exactly one
    object per scope (the organisation's key of a product), so its lookups take the scope
    alone and call the ``lookup_one(schema, make, function, tenant, **scope)`` its module
    defines. ``service``: whose API holds the objects, as the docs name it.
    """

    resource: str
    doc: str
    label: str
    path: str
    fields: tuple[Field, ...]
    list_version: str = "v1"
    #: False for a kind that is looked up, never managed (enrollment certificates): no
    #: :data:`COMMON_FIELDS`, no resource class.
    managed: bool = True
    #: API fields a create answer may lack; when it does, the object is read back once.
    read_back: frozenset[str] = frozenset()
    #: What makes an object read-only, for messages ("managed by Zscaler Deception").
    read_only_note: str = "managed by Zscaler"
    aliases: tuple[str, ...] = ()
    #: The fields every managed object of the kind has, added where the table does not place
    #: them: ZPA's (:data:`COMMON_FIELDS`), or none for a kind outside ZPA.
    common_fields: tuple[Field, ...] = COMMON_FIELDS
    #: The inputs that say where objects live; empty: the ``{field}`` names of ``path``.
    scope_fields: tuple[str, ...] = ()
    #: Exactly one object per scope: looked up by its scope, with no name or id.
    one_per_scope: bool = False
    #: Whose API holds the objects, as the docs name it (the Pulumi id is its id there).
    service: str = "ZPA"
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {f.name for f in self.fields}
        common = self.common_fields if self.managed else ()
        extra = tuple(f for f in common if f.name not in names)
        object.__setattr__(self, "fields", self.fields + extra)
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        aliases = [a for f in self.fields for a in f.aliases]
        clashes = sorted({a for a in aliases if a in self.by_name or aliases.count(a) > 1})
        if clashes:
            raise ValueError(f"{self.resource}: aliases that name two fields: {clashes}")
        scope = self.scope_fields or self.path_fields
        strays = [n for n in (*self.path_fields, *scope) if n not in scope or n not in self.by_name]
        if strays:
            raise ValueError(f"{self.resource}: scope fields not in the table or scope: {strays}")
        object.__setattr__(self, "scope_fields", scope)

    @property
    def input_aliases(self) -> dict[str, str]:
        """Each input's other names: alias -> the field's own name."""
        return {a: f.name for f in self.inputs for a in f.aliases}

    @property
    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_input)

    @property
    def secret_outputs(self) -> list[str]:
        return [f.name for f in self.fields if f.secret]

    @property
    def path_fields(self) -> tuple[str, ...]:
        """The inputs that are part of the path (``association_type``)."""
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.path) if name)

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
                    failures.append(CheckFailure(f.name, "a value is required"))
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

    def parse_input(self, name: str, value: Any) -> Any:
        """One input value in normal form.

        :raises FieldError: the value is invalid (names the field and what is allowed).
        """
        parse = self.by_name[name].parse
        return parse(name, value) if parse is not None else value

    def stored_input(self, name: str, props: Mapping[str, Any]) -> Any:
        """One stored value in normal form, None if absent (read and delete get no Check).

        :raises ResourceError: the value is invalid (one line naming the field).
        """
        value = props.get(name)
        if value is None:
            return None
        try:
            return self.parse_input(name, value)
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
            if new is None and f.undeclared_is_no_change:
                continue
            if not is_unknown(new) and f.equal(old, self._normal(f, new)):
                continue
            changed.append(f.name)
            if f.replaces(old, new):
                replaces.append(f.name)
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=bool(replaces) and self.would_collide(olds, news),
        )

    def would_collide(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        """Whether a replacement would hold the old object's unique name where the old object
        lives, so that the old one must be deleted first: the same name (ignoring case) in the
        same tenant, microtenant and path inputs (a key's association type). A move elsewhere
        creates first, so a failed create leaves the old object in place. What may be the
        same (an unknown at preview, a microtenant left undeclared) counts as the same."""
        new_name = news.get("name")
        if not (is_unknown(new_name) or _same_name(olds.get("name"), new_name)):
            return False
        for name in ("tenant", "microtenant_id", *self.path_fields):
            f = self.by_name.get(name)
            new = news.get(name)
            if f is None or is_unknown(new) or (new is None and f.undeclared_is_no_change):
                continue
            if not f.equal(self._normal(f, olds.get(name)), self._normal(f, new)):
                return False
        return True

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

    def answer_outputs(
        self, answer: Mapping[str, Any], carried: Mapping[str, Any], stored: Mapping[str, Any]
    ) -> JSON:
        """Every field: from ZPA's ``answer`` where it has an API name, else ``carried`` over
        from the inputs; a ``shown_once`` field keeps its ``stored`` value, whatever the
        answer says."""
        outs: JSON = {}
        for f in self.fields:
            if f.output_as is not None:
                value = carried.get(f.name)
                outs[f.name] = None if value is None else f.output_as(value)
                continue
            if f.api is None:
                outs[f.name] = carried.get(f.name, f.default)
                continue
            value = f.from_api(answer.get(f.api))
            if f.only_in_create_answer:
                value = stored.get(f.name)  # what a read carries is a mask at best
            elif f.shown_once and stored.get(f.name) is not None:
                value = stored[f.name]  # the create answer's: a read never replaces it
            outs[f.name] = value
        return outs

    def shown_once_values(self, created: Mapping[str, Any]) -> JSON:
        """The ``shown_once`` values of a create answer (what the stack keeps from it)."""
        return {
            f.name: f.from_api(created.get(f.api))
            for f in self.fields
            if f.shown_once and f.api is not None
        }

    def read_inputs(self, outs: Mapping[str, Any]) -> JSON:
        """The inputs a refresh reports (what the next diff compares with)."""
        return {f.name: outs[f.name] for f in self.inputs if outs.get(f.name) is not None}

    def live_as_inputs(self, answer: Mapping[str, Any], carried: Mapping[str, Any]) -> JSON:
        """An existing object's values in input form (for adoption)."""
        return self.read_inputs(self.answer_outputs(answer, carried, {}))

    # -- where objects live, and lookup results -----------------------------------------------

    def scope(self, props: Mapping[str, Any]) -> str:
        """What qualifies an object's name and id in messages: its path inputs
        (``CONNECTOR_GRP``); empty when the path has none."""
        return ", ".join(str(props[n]) for n in self.path_fields if props.get(n))

    def collection(
        self, transport: Transport, props: Mapping[str, Any], microtenant_id: str | None
    ) -> Collection:
        """Where objects with these inputs (or stored outputs) live.

        :raises ResourceError: a path input is invalid (one line naming the field).
        """
        values = {n: self.stored_input(n, props) or "" for n in self.path_fields}
        scope = self.scope(values)
        return Collection(
            transport,
            self.path.format(**{n: segment(str(v)) for n, v in values.items()}),
            self.label,
            scope=f" ({scope})" if scope else "",
            microtenant_id=microtenant_id,
            list_version=self.list_version,
        )

    def info(
        self,
        make: Callable[..., T],
        answer: Mapping[str, Any],
        microtenant_id: str | None,
        **carried: Any,
    ) -> T:
        """A lookup result: ``make`` (a dataclass) of the outputs of ZPA's ``answer``,
        restricted to its fields, plus ``id``. ``microtenant_id`` is the one asked for, unless
        the answer names its own; ``carried`` gives the fields without an API name."""
        names = [f.name for f in dataclasses.fields(make) if f.name != "id"]  # type: ignore[arg-type]
        unknown = [n for n in names if n not in self.by_name]
        if unknown:
            raise TypeError(
                f"{getattr(make, '__name__', make)} has fields the {self.label} schema does "
                f"not: {', '.join(unknown)}"
            )
        own = F.microtenant_or_none(answer.get("microtenantId", microtenant_id))
        outs = self.answer_outputs(answer, {**carried, "microtenant_id": own}, {})
        return make(id=str(answer["id"]), **{n: outs[n] for n in names})


def _same_name(old: Any, new: Any) -> bool:
    # ZPA names are unique ignoring case: "Edge" and "edge" would collide.
    return isinstance(old, str) and isinstance(new, str) and old.casefold() == new.casefold()
