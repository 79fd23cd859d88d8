"""A model of what the Pulumi engine does with a stack of dynamic resources (imported as
`stack_engine`), calling the SDK's provider host exactly as the engine would and keeping the
stack's state exactly as the engine would:

* `up`: a preview first (Check every resource; any failure stops the update before it makes a
  change); then resources left pending deletion by an earlier update are deleted; then every
  declared resource in order: Check, then Create (new), or Diff and then Update (in place) or
  a replacement, Delete-then-Create or Create-then-Delete as Diff's `delete_before_replace`
  says; finally resources no longer declared are deleted. The first failure ends the update.
  A failed Create leaves no state; a failed Update keeps the old inputs and outputs; a failed
  Delete keeps the resource (a replaced one stays pending deletion); after a delete-first
  replacement whose Create failed, the resource is gone from the state (the engine keeps a
  pending-replacement marker with no object behind it, and creates it on the next update).
* `refresh`: Read every resource with its stored outputs; an empty id means it is gone.
* `destroy`: Delete every resource with its stored outputs (pending deletions included).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stack_kinds import Kind

from pulumi_zpa_pkeys.testing import ProviderHost, ProviderHostError, ResourceState

DEFAULT_TENANT = "zpa"


@dataclass
class Entry:
    """What the engine keeps for one resource."""

    slot: str
    kind: Kind
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]

    @property
    def tenant(self) -> str:
        return str(self.outputs.get("tenant") or self.inputs.get("tenant") or DEFAULT_TENANT)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.tenant, self.kind.table, self.id)

    def state(self) -> ResourceState:
        """As `ProviderHost`'s engine helpers (`preview`, `up`) take it."""
        return ResourceState(self.slot, self.id, self.inputs, self.outputs)


@dataclass(frozen=True)
class Plan:
    """What Diff decided for one resource in an update."""

    slot: str
    kind: Kind
    olds: dict[str, Any]
    news: dict[str, Any]
    replaces: tuple[str, ...]
    delete_before_replace: bool


@dataclass
class Outcome:
    """How one engine command ended; `error` is the first failure (None: success)."""

    command: str
    error: ProviderHostError | None = None
    failed_slot: str | None = None
    failed_call: str | None = None
    check_failures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    plans: list[Plan] = field(default_factory=list)
    #: Resources whose object existed and was deleted on purpose (removed, replaced, destroyed).
    deleted: list[Entry] = field(default_factory=list)
    #: Resources a refresh found gone (and dropped from the state).
    gone: list[Entry] = field(default_factory=list)
    #: Every output and refreshed input the provider answered (searched for secrets).
    answers: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


class StepFailed(Exception):
    pass


class Engine:
    """The stack's state and the engine's commands, over one host view per kind."""

    def __init__(self, hosts: Callable[[Kind], ProviderHost]) -> None:
        self.hosts = hosts
        self.resources: dict[str, Entry] = {}
        self.pending_deletes: list[Entry] = []
        #: Called with each Check outcome of the preview: (slot, inputs, failures).
        self.on_check: Callable[[str, Kind, Mapping[str, Any], list[tuple[str, str]]], None] = (
            lambda *_: None
        )

    def entries(self) -> list[Entry]:
        return [*self.resources.values(), *self.pending_deletes]

    # -- one call, recorded ------------------------------------------------------------------

    def _call(self, outcome: Outcome, slot: str, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ProviderHostError as err:
            outcome.error, outcome.failed_slot, outcome.failed_call = err, slot, what
            raise StepFailed from None

    def _delete(self, outcome: Outcome, entry: Entry) -> None:
        host = self.hosts(entry.kind)
        self._call(
            outcome, entry.slot, "Delete", lambda: host.delete(entry.slot, entry.id, entry.outputs)
        )
        outcome.deleted.append(entry)

    def _create(self, outcome: Outcome, slot: str, kind: Kind, inputs: dict[str, Any]) -> Entry:
        host = self.hosts(kind)
        id_, outputs = self._call(outcome, slot, "Create", lambda: host.create(slot, inputs))
        outcome.answers.append(outputs)
        return Entry(slot, kind, id_, inputs, outputs)

    # -- commands ----------------------------------------------------------------------------

    def up(self, program: Mapping[str, tuple[Kind, dict[str, Any]]]) -> Outcome:
        outcome = Outcome("up")
        # Preview: Check everything first; a failure stops the update before any change.
        for slot, (kind, inputs) in program.items():
            entry = self.resources.get(slot)
            olds = entry.inputs if entry else None
            checked = self.hosts(kind).check(slot, inputs, olds)
            self.on_check(slot, kind, inputs, checked.failures)
            if checked.failures:
                outcome.check_failures[slot] = checked.failures
        if outcome.check_failures:
            slot = next(iter(outcome.check_failures))
            text = "; ".join(f"{p}: {r}" for p, r in outcome.check_failures[slot])
            outcome.error, outcome.failed_slot = ProviderHostError("Check", text), slot
            outcome.failed_call = "Check"
            return outcome
        try:
            for entry in list(self.pending_deletes):
                self._delete(outcome, entry)
                self.forget(entry)
            for slot, (kind, inputs) in program.items():
                self._up_one(outcome, slot, kind, inputs)
            for slot in [s for s in self.resources if s not in program]:
                self._delete(outcome, self.resources[slot])
                del self.resources[slot]
        except StepFailed:
            pass
        return outcome

    def _up_one(self, outcome: Outcome, slot: str, kind: Kind, inputs: dict[str, Any]) -> None:
        host = self.hosts(kind)
        entry = self.resources.get(slot)
        checked = self._call(
            outcome,
            slot,
            "Check",
            lambda: host.check(slot, inputs, entry.inputs if entry else None),
        )
        if checked.failures:  # the preview passed: Check is pure, so this is a defect
            raise AssertionError(f"{slot}: Check failed at update, not at preview: {checked}")
        news = checked.inputs
        if entry is None:
            self.resources[slot] = self._create(outcome, slot, kind, news)
            return
        diff = self._call(
            outcome, slot, "Diff", lambda: host.diff(slot, entry.id, entry.outputs, news)
        )
        # "unknown": the engine compares old and new inputs itself.
        changed = entry.inputs != news if diff.changes == "unknown" else diff.changes == "some"
        if not changed:
            entry.inputs = news
            return
        outcome.plans.append(
            Plan(slot, kind, entry.outputs, news, tuple(diff.replaces), diff.delete_before_replace)
        )
        if not diff.replaces:
            outputs = self._call(
                outcome, slot, "Update", lambda: host.update(slot, entry.id, entry.outputs, news)
            )
            outcome.answers.append(outputs)
            entry.inputs, entry.outputs = news, outputs
            return
        if diff.delete_before_replace:
            self._delete(outcome, entry)
            del self.resources[slot]
            self.resources[slot] = self._create(outcome, slot, kind, news)
            return
        self.resources[slot] = self._create(outcome, slot, kind, news)
        self.pending_deletes.append(entry)
        self._delete(outcome, entry)
        self.forget(entry)

    def refresh(self) -> tuple[Outcome, list[Entry]]:
        """Read everything; returns the outcome and the entries refreshed and still there."""
        outcome = Outcome("refresh")
        refreshed: list[Entry] = []
        try:
            for entry in self.entries():
                host = self.hosts(entry.kind)
                read = self._call(
                    outcome,
                    entry.slot,
                    "Read",
                    lambda host=host, entry=entry: host.read(  # type: ignore[misc]
                        entry.slot, entry.id, entry.outputs, entry.inputs
                    ),
                )
                if not read.id:
                    self.forget(entry)
                    outcome.gone.append(entry)
                    continue
                outcome.answers += [read.outputs, read.inputs or {}]
                entry.outputs = read.outputs
                if read.inputs is not None:
                    entry.inputs = read.inputs
                refreshed.append(entry)
        except StepFailed:
            pass
        return outcome, refreshed

    def destroy(self) -> Outcome:
        outcome = Outcome("destroy")
        try:
            for entry in list(self.pending_deletes):
                self._delete(outcome, entry)
                self.forget(entry)
            for slot in list(self.resources):
                self._delete(outcome, self.resources[slot])
                del self.resources[slot]
        except StepFailed:
            pass
        return outcome

    def forget(self, entry: Entry) -> None:
        """Drop `entry` (by identity: two entries may look alike) from the state."""
        if self.resources.get(entry.slot) is entry:
            del self.resources[entry.slot]
        self.pending_deletes = [e for e in self.pending_deletes if e is not entry]
