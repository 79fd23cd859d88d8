"""The stack state machine (imported as `stack_machine`; run by `tests/test_stack_machine.py`).

Hypothesis drives random sequences of what happens to a stack: a program declares, changes and
drops resources of every kind (valid values, values Check must refuse, values only ZPA refuses,
tenant and microtenant moves) and runs `pulumi up`; `refresh` and `destroy`; another admin
changes or deletes the stack's objects; faults are armed on either tenant (5xx, 429 with
`retry-after`, connections dropped before and after the work, redirects, empty and non-JSON
answers, slow answers, expired tokens, a failed sign-in, a masked secret in a read); a new
provider host process starts (every `pulumi` command starts one). Foreign objects whose names
collide with the stack's are seeded beside it.

After every step it checks:

(a) every object the stack created exists once and is in the stack's state (no orphan, no two
    resources holding one object); an object taken over from elsewhere was asked for
    (`adopt_existing`, same name and scope);
(b) no object the stack did not create was changed or deleted (unless a resource asked to
    adopt it);
(c) after a refresh, the state equals the API (every field ZPA holds, the tenant, the
    microtenant, the secret ZPA showed once);
(d) no secret (credentials, tokens, key values, client secrets, private keys) in a non-secret
    output, a refreshed input, an error, or the host's stderr;
(e) after a failed step, the next fault-free `up` (after a refresh) succeeds and converges: a
    second preview shows no change, no deletion is left pending, and ZPA holds the declared
    values; unless the failure has a cause the program owns (a value Check refuses, a value
    ZPA refuses, a name held by another object, an object made read-only);
and, for the plans and checks on the way:
(f) an update that fails without any fault fired never leaves a resource with neither its old
    nor its new object, unless only ZPA could know the new one was uncreatable;
(g) a replacement deletes first exactly when the new object would collide with the old one
    (same kind, tenant, microtenant, association type and name, ignoring case);
(h) Check refuses exactly the values it can judge to be invalid.

Known defects being fixed elsewhere are recognised, counted (`STATS.known`) and tolerated;
each has a regular test in `tests/test_stack_sequences.py`. Remove an entry from
`KNOWN_DEFECTS` when its fix lands.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from stack_engine import Engine, Entry, Outcome
from stack_kinds import (
    API_KEY,
    EMEA,
    KINDS,
    PROVISIONING_KEY,
    Declared,
    Kind,
    private_key_lines,
)
from stack_world import DEFAULT, ObjectKey, World, dumps

#: Defects found earlier and being fixed elsewhere: recognised, counted, tolerated.
KNOWN_DEFECTS: dict[str, str] = {}

#: How many of the last steps a violation shows (the whole example: STACK_HISTORY=all).
HISTORY_SHOWN = 10_000 if os.environ.get("STACK_HISTORY") == "all" else 16
SLOTS: tuple[tuple[str, Kind], ...] = tuple(
    (f"{kind.id}-{i}", kind) for kind in KINDS for i in range(2)
)
SLOT_KINDS = dict(SLOTS)
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
SECRET_OUTPUTS = frozenset(
    name for kind in KINDS for name in kind.make_provider().schema.secret_outputs
)
MASK = "********"
#: The error of a create whose recovery from a lost answer failed (its search or clean-up).
RECOVERY_FAILED = re.compile(r"Error: (find|delete) ")


class Violation(AssertionError):
    """An invariant does not hold."""


@dataclass
class Stats:
    """What the machine did (printed by `make soak`)."""

    examples: int = 0
    steps: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    failed_steps: int = 0
    faults_armed: Counter[str] = field(default_factory=Counter)
    faults_fired: int = 0
    expected_failures: Counter[str] = field(default_factory=Counter)
    excused: Counter[str] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)
    convergences: int = 0
    events: Counter[str] = field(default_factory=Counter)
    violations: int = 0

    def summary(self, elapsed: float) -> str:
        armed = sum(self.faults_armed.values())
        lines = [
            f"examples: {self.examples}, steps run: {self.steps}, elapsed: {elapsed:.0f} s",
            f"engine commands: {dict(sorted(self.commands.items()))}",
            f"failed steps: {self.failed_steps}; converged after checks: {self.convergences}",
            f"seen: {dict(sorted(self.events.items()))}",
            f"faults injected: {armed} ({dict(sorted(self.faults_armed.items()))}), "
            f"fired: {self.faults_fired}",
            f"expected failures: {dict(sorted(self.expected_failures.items()))}",
            f"excused: {dict(sorted(self.excused.items()))}",
            f"known defects seen: {dict(sorted(self.known.items()))}",
            f"invariant violations: {self.violations}",
        ]
        return "\n".join(lines)


STATS = Stats()


def _norm_mt(value: Any) -> str:
    return "0" if value in (None, "", "0", 0) else str(value)


def _fault_times(world: World) -> int:
    return sum(
        int(rule["times"] or 1000) for t in world.tenants.values() for rule in t.fault_rules()
    )


def _faulty(choices: Iterable[Any]) -> bool:
    return any(c.fault for c in choices)


def _collection(kind: Kind, props: Mapping[str, Any]) -> str:
    if kind is PROVISIONING_KEY:
        return f"associationType/{props['associationType']}/provisioningKey"
    return kind.segment


#: (tenant, family, fault rule for `POST /_emulator/faults`)
Fault = tuple[str, str, dict[str, Any]]
FAULT_FAMILIES = (
    "5xx", "429", "drop_before", "drop_after", "redirect", "empty", "not-json", "slow",
    "token-expiry", "sign-in",
)  # fmt: skip
OWN = "{own}"


@st.composite
def _faults(draw: st.DrawFn) -> Fault:
    """A fault on one tenant: which requests it meets, what it does, how many times."""
    # "own": the tenant and kind of the resource the step is about (most faults should meet
    # the requests the step makes).
    tenant = draw(st.sampled_from([OWN, OWN, OWN, DEFAULT, EMEA]))
    family = draw(st.sampled_from(FAULT_FAMILIES))
    segment = draw(st.sampled_from([OWN, OWN, OWN, None, *[k.segment for k in KINDS]]))
    part = draw(st.sampled_from(["(/[0-9]+)?$", "(/[0-9]+)?$", "(/[0-9]+)?$", "$", "/[0-9]+$"]))
    rule_: dict[str, Any] = {
        "method": draw(st.sampled_from([None, None, None, "GET", "POST", "PUT", "DELETE"])),
        "path_regex": "" if segment is None else f"{segment}{part}",
        "times": draw(st.sampled_from([1, 2, 3, 10])),
    }
    if family == "5xx":
        rule_.update(
            action="status",
            status=draw(st.sampled_from([500, 502, 503, 504])),
            retry_after=draw(st.sampled_from([None, "0.1s", "0"])),
        )
    elif family == "429":
        rule_.update(
            action="status", status=429, retry_after=draw(st.sampled_from(["0.1s", "0.2s", "0"]))
        )
    elif family in ("drop_before", "drop_after"):
        rule_.update(action=family, times=min(rule_["times"], 3))
    elif family == "redirect":
        rule_.update(
            action="answer",
            status=draw(st.sampled_from([302, 307])),
            location="http://127.0.0.1:9/elsewhere",
            work=draw(st.booleans()),
            times=1,
        )
    elif family == "empty":
        rule_.update(action="answer", status=200, body="", work=draw(st.booleans()))
    elif family == "not-json":
        rule_.update(
            action="answer",
            status=200,
            body="<html>ok</html>",
            content_type="text/html",
            work=draw(st.booleans()),
        )
    elif family == "slow":
        rule_.update(action="delay", delay_s=0.05)
    elif family == "token-expiry":  # every token expires: the next call is a 401
        rule_ = {}
    else:  # the tokens expire and the next sign-in fails once
        rule_ = {
            "method": "POST",
            "path_regex": "(/signin|/oauth2/v1/token)$",
            "action": "status",
            "status": 503,
            "retry_after": "0.1s",
            "times": 1,
        }
    return tenant, family, rule_


FAULTS = _faults()
MAYBE_FAULT = st.none() | FAULTS


class StackMachine(RuleBasedStateMachine):
    """One stack on two tenants; see the module docstring."""

    world: ClassVar[World]

    def __init__(self) -> None:
        super().__init__()
        STATS.examples += 1
        self.world.restart_host()
        self.foreign = self.world.reset()
        self.adopted: set[ObjectKey] = set()
        self.released: set[ObjectKey] = set()
        self.engine = Engine(lambda kind: self.world.hosts[kind.id])
        self.engine.on_check = self._check_judged
        self.program: dict[str, Declared] = {}
        self.secrets: set[str] = set(self.world.client_secrets)
        self.secrets.update(private_key_lines())
        self.stderr_seen = 0
        self.tokens_expired = False
        self.failed = False
        self.history: list[str] = []
        self.last: Outcome | None = None
        #: The first resource seen holding each object.
        self.holders: dict[ObjectKey, str] = {}

    # -- helpers -------------------------------------------------------------------------------

    def _violation(self, text: str) -> Violation:
        tail = "\n  ".join(self.history[-HISTORY_SHOWN:])
        return Violation(f"{text}\n last steps:\n  {tail}")

    def _known(self, defect: str, detail: str) -> None:
        assert defect in KNOWN_DEFECTS, defect
        STATS.known[defect] += 1
        self.history.append(f"  (known defect {defect}: {detail})")

    def _program_inputs(self) -> dict[str, tuple[Kind, dict[str, Any]]]:
        return {
            slot: (kind, self.program[slot].inputs())
            for slot, kind in SLOTS
            if slot in self.program
        }

    def _run(self, what: str, command: Callable[[], Outcome]) -> Outcome:
        """Run one engine command, with the bookkeeping every step shares."""
        for tenant in self.world.tenants.values():
            tenant.clear_requests()
        armed = _fault_times(self.world)
        before = self.world.objects()
        had = {
            slot: entry.key for slot, entry in self.engine.resources.items() if entry.key in before
        }
        outcome = command()
        self.last = outcome
        fired = armed - _fault_times(self.world)
        STATS.faults_fired += fired
        STATS.commands[outcome.command] += 1
        fault_free = fired == 0 and not self.tokens_expired
        self.tokens_expired = False
        result = "ok" if outcome.ok else f"failed at {outcome.failed_call} {outcome.failed_slot}"
        self.history.append(f"{what}: {result}" + (f" ({fired} faults fired)" if fired else ""))
        if not outcome.ok:
            STATS.failed_steps += 1
            self.failed = True
            self.history.append(f"  error: {outcome.error.message if outcome.error else ''}")
        self._count_events(outcome)
        self._check_secrets(outcome)
        self._check_plans(outcome)
        if not outcome.ok and fault_free and outcome.command == "up":
            self._check_nothing_lost(outcome, had)
        return outcome

    def _count_events(self, outcome: Outcome) -> None:
        STATS.events["refresh found an object gone"] += len(outcome.gone)
        if outcome.ok and outcome.command == "up":
            for tenant in self.world.tenants.values():
                lost = [e for e in tenant.requests_log() if e["method"] == "POST"
                        and "mgmtconfig" in e["path"] and (e["status"] or 599) >= 300]  # fmt: skip
                if lost:
                    STATS.events["up succeeded after a create answer was lost"] += 1

    # -- (h) Check judges what it can -----------------------------------------------------------

    def _check_judged(
        self, slot: str, kind: Kind, inputs: Mapping[str, Any], failures: list[tuple[str, str]]
    ) -> None:
        declared = self.program.get(slot)
        if declared is None:
            return
        refused = declared.faults("check")
        if refused and not failures:
            raise self._violation(f"Check accepted {refused} of {slot} ({declared.describe()})")
        if failures and not refused:
            raise self._violation(
                f"Check refused valid inputs of {slot} ({declared.describe()}): {failures}"
            )

    # -- (g) delete first exactly when the new object would collide ----------------------------

    @staticmethod
    def _scope(kind: Kind, props: Mapping[str, Any]) -> tuple[str, str, str, str]:
        return (
            str(props.get("tenant") or DEFAULT),
            _norm_mt(props.get("microtenant_id")),
            str(props.get("association_type") or "") if kind is PROVISIONING_KEY else "",
            str(props.get("name") or "").casefold(),
        )

    def _check_plans(self, outcome: Outcome) -> None:
        for plan in outcome.plans:
            if not plan.replaces:
                STATS.events["update in place"] += 1
                continue
            first = "delete" if plan.delete_before_replace else "create"
            STATS.events[f"replacement ({first} first)"] += 1
            old, new = self._scope(plan.kind, plan.olds), self._scope(plan.kind, plan.news)
            if plan.news.get("microtenant_id") is None and old[1] != "0":
                continue  # where an undeclared microtenant puts the new object is open
            collide = old == new
            if plan.delete_before_replace == collide:
                continue
            what = f"{plan.slot} replaced for {list(plan.replaces)}: {old} -> {new}"
            if plan.delete_before_replace:
                raise self._violation(f"deletes first though nothing would collide: {what}")
            else:
                raise self._violation(f"creates first though the names collide: {what}")

    # -- (f) nothing lost when no fault fired ---------------------------------------------------

    def _check_nothing_lost(self, outcome: Outcome, had: Mapping[str, ObjectKey]) -> None:
        now = self.world.objects()
        for slot, old_key in had.items():
            if slot not in self.program or old_key in now:
                continue
            entry = self.engine.resources.get(slot)
            if entry is not None and entry.key in now:
                continue
            declared = self.program[slot]
            message = outcome.error.message if outcome.error else ""
            what = f"{slot} lost its object {old_key} ({declared.describe()}): {message}"
            if declared.faults("api"):
                STATS.excused["lost: only ZPA knew the new value was invalid"] += 1
            elif "already exists" in message:
                STATS.excused["lost: the new name was held elsewhere"] += 1
            else:
                raise self._violation(f"a failed update without faults lost an object: {what}")

    # -- (d) no secret where it does not belong -------------------------------------------------

    def _learn_secrets(self, objects: Mapping[ObjectKey, Mapping[str, Any]]) -> None:
        for obj in objects.values():
            for name in ("provisioningKey", "clientSecret"):
                value = obj.get(name)
                if isinstance(value, str) and len(value) >= 8:
                    self.secrets.add(value)

    def _check_secrets(self, outcome: Outcome) -> None:
        self._learn_secrets(self.world.objects())
        texts: list[tuple[str, str]] = []
        for answer in outcome.answers:
            public = {k: v for k, v in answer.items() if k not in SECRET_OUTPUTS}
            texts.append(("a non-secret output or refreshed input", dumps(public)))
        if outcome.error is not None:
            texts.append(("an error", outcome.error.details))
        for slot, failures in outcome.check_failures.items():
            texts.append((f"a Check failure of {slot}", dumps(failures)))
        stderr = self.world.host_stderr()
        texts.append(("the host's stderr", stderr[self.stderr_seen :]))
        self.stderr_seen = len(stderr)
        for where, text in texts:
            leaked = [s for s in self.secrets if s in text]
            if JWT.search(text):
                leaked.append("a token (JWT)")
            if leaked:
                shown = [s[:6] + "..." for s in leaked]
                for secret in self.secrets:
                    text = text.replace(secret, "***")
                raise self._violation(f"secret {shown} in {where}: {JWT.sub('***', text)[:300]!r}")

    # -- (a) and (b): the stack's objects and everybody else's ---------------------------------

    def _claims(self, key: ObjectKey, obj: Mapping[str, Any]) -> str | None:
        """The slot that asked to adopt `obj` (adopt_existing, same kind, tenant, name)."""
        tenant, table, _id = key
        for slot, declared in self.program.items():
            inputs = declared.inputs()
            if declared.kind.table != table or not inputs.get("adopt_existing"):
                continue
            if str(inputs.get("tenant") or DEFAULT) != tenant:
                continue
            if str(inputs.get("name", "")).casefold() == str(obj.get("name", "")).casefold():
                return slot
        return None

    def _two_resources_one_name(self) -> None:
        """Two resources the program declares with one name in one scope (the user's error:
        the second create fails as "already exists") whose second create lost its answer: its
        search found the first one's object, made within ZPA's 2 s with the same values, and
        took it (the lost-create rule's documented limit). The user removes the second from the
        state (`pulumi state delete`); its create then fails as it should."""
        by_key: dict[ObjectKey, list[Entry]] = {}
        for entry in self.engine.entries():
            by_key.setdefault(entry.key, []).append(entry)
        for key, entries in by_key.items():
            names = {
                str(self.program[e.slot].inputs().get("name", "")).casefold()
                for e in entries
                if e.slot in self.program
            }
            slots = {e.slot for e in entries}
            if len(slots) < 2 or len(names) != 1 or not slots <= set(self.program):
                continue
            # Made in this step: the engine goes through the program in order.
            first = self.holders.get(key) or min(slots, key=[s for s, _ in SLOTS].index)
            for entry in entries:
                if entry.slot != first:
                    self.engine.forget(entry)
                    self.history.append(f"  (state delete {entry.slot}: it took {key})")
            STATS.excused["a second resource of one name took the first's object"] += 1

    def _orphan_excused(self, key: ObjectKey, log: list[dict[str, Any]]) -> bool:
        """A create whose answer was lost and whose search for the object by name (or the
        clean-up of an object whose secret went with the answer) failed too: the provider
        cannot know the object's id. It is left to the user (`adopt_existing`)."""
        outcome = self.last
        kind = next(k for k in KINDS if k.table == key[1])
        if outcome is None or outcome.failed_call != "Create" or outcome.error is None:
            return False
        if SLOT_KINDS.get(outcome.failed_slot or "") is not kind:
            return False
        posted = any(e["method"] == "POST" and kind.segment in e["path"] for e in log)
        return posted and RECOVERY_FAILED.search(outcome.error.message) is not None

    @invariant()
    def every_object_is_owned_once(self) -> None:
        STATS.steps += 1
        objects = self.world.objects()
        self._two_resources_one_name()
        entries = self.engine.entries()
        held = Counter(entry.key for entry in entries)
        doubles = [key for key, count in held.items() if count > 1]
        if doubles:
            raise self._violation(f"two resources of the stack hold one object: {doubles}")
        for entry in entries:
            self.holders.setdefault(entry.key, entry.slot)
        for entry in entries:
            if entry.key not in self.foreign:
                continue
            obj = self.foreign.pop(entry.key)
            if self._claims(entry.key, obj) != entry.slot:
                raise self._violation(
                    f"{entry.slot} took over {entry.key} ({obj.get('name')!r}), which it did "
                    "not ask to adopt"
                )
            self.adopted.add(entry.key)
            STATS.events["foreign object adopted"] += 1
        for key, snapshot in list(self.foreign.items()):
            if objects.get(key) == snapshot:
                continue
            slot = self._claims(key, snapshot)
            if slot is None:
                change = "deleted" if key not in objects else "changed"
                raise self._violation(f"a foreign object {key} was {change}: {snapshot}")
            STATS.excused["foreign object changed by an adoption that then failed"] += 1
            del self.foreign[key]
            self.released.add(key)
        logs = {name: tenant.requests_log() for name, tenant in self.world.tenants.items()}
        for key in objects:
            if key in self.foreign or key in self.released or key in held:
                continue
            if self._orphan_excused(key, logs[key[0]]):
                STATS.excused["orphan: lost create answer and failed search"] += 1
                self.released.add(key)
                continue
            raise self._violation(f"an object of the stack is in no resource's state: {key}")

    # -- (c) after a refresh the state equals the API -------------------------------------------

    def _check_refreshed(self, entries: Iterable[Entry]) -> None:
        objects = self.world.objects()
        for entry in entries:
            obj = objects.get(entry.key)
            if obj is None:
                raise self._violation(f"refresh kept {entry.slot} {entry.key}, which is gone")
            schema = entry.kind.make_provider().schema
            out = entry.outputs
            for f in schema.fields:
                if f.api is None or f.output_as is not None or f.shown_once:
                    continue
                want = f.from_api(obj.get(f.api))
                if out.get(f.name) != want:
                    raise self._violation(
                        f"after refresh {entry.slot}.{f.name} is {out.get(f.name)!r}, ZPA holds "
                        f"{want!r} ({f.api}={obj.get(f.api)!r})"
                    )
            if entry.kind.secret:
                self._check_kept_secret(entry, obj)
            if _norm_mt(out.get("microtenant_id")) != _norm_mt(obj.get("microtenantId")):
                raise self._violation(
                    f"after refresh {entry.slot}.microtenant_id is {out.get('microtenant_id')!r}"
                    f", ZPA holds {obj.get('microtenantId')!r}"
                )
            if entry.kind is PROVISIONING_KEY and out.get("association_type") != obj.get(
                "associationType"
            ):
                raise self._violation(f"after refresh {entry.slot} has the wrong association type")

    def _check_kept_secret(self, entry: Entry, obj: Mapping[str, Any]) -> None:
        assert entry.kind.secret is not None
        name = "provisioning_key" if entry.kind is PROVISIONING_KEY else "client_secret"
        have, want = entry.outputs.get(name), obj.get(entry.kind.secret)
        # Taken over, not made: a foreign object ((a) moves it to `adopted` after the step), or
        # one released earlier (a half-done adoption, an orphan) and adopted since.
        adopted = entry.key in self.adopted | self.released or entry.key in self.foreign
        if have == want or (have is None and adopted):
            return
        shown = "None" if have is None else f"{str(have)[:6]}..."
        raise self._violation(f"after refresh {entry.slot}.{name} is {shown}, not ZPA's secret")

    # -- (e) convergence ------------------------------------------------------------------------

    def _holder(self, declared: Declared, slot: str, objects: Mapping[ObjectKey, Any]) -> str:
        """Who else holds the declared name in the declared scope ("" if nobody)."""
        inputs = declared.inputs()
        tenant = str(inputs.get("tenant") or DEFAULT)
        own = self.engine.resources.get(slot)
        for key, obj in objects.items():
            if key[0] != tenant or key[1] != declared.kind.table or (own and own.key == key):
                continue
            if str(obj.get("name", "")).casefold() != str(inputs.get("name", "")).casefold():
                continue
            if declared.kind is PROVISIONING_KEY and obj.get("associationType") != inputs.get(
                "association_type"
            ):
                continue
            mt = inputs.get("microtenant_id")
            elsewhere = _norm_mt(obj.get("microtenantId")) != _norm_mt(mt)
            if mt is not None and elsewhere:
                continue
            if key in self.foreign or key in self.adopted:
                return "a foreign object"
            if key in self.released:
                return "an object outside the stack"
            return "another resource of the stack"
        return ""

    def _explain(self, outcome: Outcome) -> str | None:
        """The program's own reason for a fault-free failure, or None."""
        slot = outcome.failed_slot
        message = outcome.error.message if outcome.error else ""
        if outcome.failed_call == "Check":
            return "a value Check refuses"
        declared = self.program.get(slot or "")
        objects = self.world.objects()
        if declared is not None and declared.faults("api") and outcome.failed_call == "Create":
            return "a value only ZPA refuses"
        if declared is not None and ("already exists" in message or "cannot adopt" in message):
            holder = self._holder(declared, slot or "", objects)
            if holder:
                return f"the name is held by {holder}"
        if "read-only" in message:  # the slot's object, or its replaced one pending deletion
            mine = [e for e in self.engine.entries() if e.slot == slot]
            if any(objects.get(e.key, {}).get("readOnly") for e in mine):
                return "the object was made read-only"
        return None

    def _converge(self, *, final: bool) -> None:
        for tenant in self.world.tenants.values():
            tenant.clear_faults()
        refreshed = self._run("refresh (before converging)", self._refresh)
        if not refreshed.ok:
            raise self._violation(f"a refresh without faults failed: {refreshed.error}")
        program = self._program_inputs()
        outcome = self._run("up (converging)", lambda: self.engine.up(program))
        if not outcome.ok:
            reason = None if final else self._explain(outcome)
            if reason is None:
                message = outcome.error.message if outcome.error else ""
                raise self._violation(f"an up without faults did not converge: {message}")
            STATS.expected_failures[reason] += 1
            return
        self._check_unchanged("after the up")
        pending = [entry.key for entry in self.engine.pending_deletes]
        if pending:
            raise self._violation(f"deletions still pending after a successful up: {pending}")
        again = self._run("refresh (after converging)", self._refresh)
        if not again.ok:
            raise self._violation(f"a refresh without faults failed: {again.error}")
        self._check_declared_values()
        self._check_unchanged("after a refresh")
        STATS.convergences += 1
        self.failed = False

    def _check_unchanged(self, when: str) -> None:
        for slot, (kind, inputs) in self._program_inputs().items():
            entry = self.engine.resources.get(slot)
            if entry is None:
                raise self._violation(f"{slot} is declared but not in the state {when}")
            preview = self.world.hosts[kind.id].preview(slot, inputs, entry.state())
            if preview.op == "same":
                continue
            raise self._violation(f"{when}, a preview of {slot} still shows {preview}")

    def _check_declared_values(self) -> None:
        objects = self.world.objects()
        for slot, declared in self.program.items():
            entry = self.engine.resources.get(slot)
            if entry is None:
                raise self._violation(f"a refresh after converging found {slot}'s object gone")
            obj = objects.get(entry.key)
            if obj is None:
                raise self._violation(f"{slot}'s object {entry.key} is gone after converging")
            inputs = declared.inputs()
            if entry.tenant != str(inputs.get("tenant") or DEFAULT):
                raise self._violation(f"{slot} lives in tenant {entry.tenant}, not as declared")
            mt = inputs.get("microtenant_id")
            elsewhere = _norm_mt(obj.get("microtenantId")) != _norm_mt(mt)
            if mt is not None and elsewhere:
                raise self._violation(f"{slot} is in microtenant {obj.get('microtenantId')}")
            for api_field, want in declared.api().items():
                have = obj.get(api_field)
                ok = want(have) if callable(want) else have == want
                if ok:
                    continue
                raise self._violation(
                    f"after converging ZPA holds {api_field}={have!r} for {slot}, declared "
                    f"{declared.describe()}"
                )

    def _refresh(self) -> Outcome:
        outcome, refreshed = self.engine.refresh()
        self._check_refreshed(refreshed)
        return outcome

    # -- rules: the program and the engine --------------------------------------------------------

    def _draw_declared(self, data: st.DataObject, kind: Kind) -> Declared:
        """Valid values, or (one time in eight) one knob with a faulty one."""
        knobs = kind.all_knobs
        picks = {knob: self._draw_pick(data, choices, False) for knob, choices in knobs.items()}
        if data.draw(st.integers(0, 7)) == 7:
            knob = data.draw(st.sampled_from(sorted(k for k, c in knobs.items() if _faulty(c))))
            picks[knob] = self._draw_pick(data, knobs[knob], True)
        return Declared(kind, tuple(picks.items()))

    @staticmethod
    def _draw_pick(
        data: st.DataObject, choices: tuple[Any, ...], faulty: bool, but: int | None = None
    ) -> int:
        """A valid (or a faulty) choice, other than `but` where there is another."""
        candidates = [i for i, c in enumerate(choices) if bool(c.fault) == faulty]
        candidates = [i for i in candidates if i != but] or candidates
        return int(data.draw(st.sampled_from(candidates)))

    def _sane_adoptions(self) -> None:
        """A program never asks to adopt a name its own resources hold (that is the user's
        error: two resources would manage one object)."""
        for slot, declared in list(self.program.items()):
            inputs = declared.inputs()
            if not inputs.get("adopt_existing"):
                continue
            name = str(inputs.get("name", "")).casefold()
            kind = declared.kind
            others = [d.inputs() for s, d in self.program.items() if s != slot and d.kind is kind]
            others += [
                e.outputs for e in self.engine.entries() if e.slot != slot and e.kind is kind
            ]
            if any(str(o.get("name", "")).casefold() == name for o in others):
                self.program[slot] = declared.with_pick("adopt", 0)

    @initialize(
        slots=st.lists(st.sampled_from([s for s, _ in SLOTS]), min_size=1, max_size=4, unique=True),
        data=st.data(),
    )
    def declare_a_stack(self, slots: list[str], data: st.DataObject) -> None:
        """Every example starts from a stack of a few resources, made without faults."""
        for slot in slots:
            self.program[slot] = self._draw_declared(data, SLOT_KINDS[slot])
        self._sane_adoptions()
        for slot in slots:
            self.history.append(f"declare {slot}: {self.program[slot].describe()}")
        self._run("up", lambda: self.engine.up(self._program_inputs()))

    def _repair_others(self, slot: str) -> None:
        """The user fixed what Check refused before changing something else."""
        for other, declared in self.program.items():
            if other != slot and not declared.valid:
                self.program[other] = declared.repaired(declared.name)

    def _declare_and_up(self, slot: str, declared: Declared, fault: Fault | None) -> None:
        self.program[slot] = declared
        self._sane_adoptions()
        self.history.append(f"declare {slot}: {self.program[slot].describe()}")
        self._arm(fault, slot)
        self._run("up", lambda: self.engine.up(self._program_inputs()))

    @rule(slot=st.sampled_from([s for s, _ in SLOTS]), data=st.data(), fault=MAYBE_FAULT)
    def declare_and_up(self, slot: str, data: st.DataObject, fault: Fault | None) -> None:
        """Declare a resource anew (every knob drawn), then `pulumi up` (maybe with a fault
        armed)."""
        self._repair_others(slot)
        self._declare_and_up(slot, self._draw_declared(data, SLOT_KINDS[slot]), fault)

    @precondition(lambda self: bool(self.program))
    @rule(data=st.data(), fault=MAYBE_FAULT)
    def change_and_up(self, data: st.DataObject, fault: Fault | None) -> None:
        """Change one knob of a declared resource (an update in place or a replacement),
        then `pulumi up` (maybe with a fault armed)."""
        slot = data.draw(st.sampled_from(sorted(self.program)))
        self._repair_others(slot)
        current = self.program[slot]
        knobs = current.kind.all_knobs
        knob = data.draw(st.sampled_from(sorted(k for k, c in knobs.items() if len(c) > 1)))
        faulty = _faulty(knobs[knob]) and data.draw(st.integers(0, 7)) == 7
        now = dict(current.picks)[knob]
        pick = self._draw_pick(data, knobs[knob], faulty, but=now)
        self._declare_and_up(slot, current.with_pick(knob, pick), fault)

    @rule(fault=MAYBE_FAULT)
    def up(self, fault: Fault | None) -> None:
        """`pulumi up` of the same program (a retry)."""
        self._arm(fault)
        self._run("up", lambda: self.engine.up(self._program_inputs()))

    @precondition(lambda self: bool(self.program))
    @rule(data=st.data(), fault=MAYBE_FAULT)
    def remove_and_up(self, data: st.DataObject, fault: Fault | None) -> None:
        """Drop a resource from the program, then `pulumi up` (it is deleted)."""
        slot = data.draw(st.sampled_from(sorted(self.program)))
        del self.program[slot]
        self.history.append(f"remove {slot}")
        self._arm(fault)
        self._run("up", lambda: self.engine.up(self._program_inputs()))

    @rule(fault=MAYBE_FAULT)
    def refresh(self, fault: Fault | None) -> None:
        """`pulumi refresh`; every resource read stays equal to ZPA's object."""
        self._arm(fault)
        self._run("refresh", self._refresh)

    @precondition(lambda self: bool(self.engine.resources))
    @rule(fault=MAYBE_FAULT)
    def destroy(self, fault: Fault | None) -> None:
        """`pulumi destroy` (the program is emptied: a later up starts afresh)."""
        self.program.clear()
        self._arm(fault)
        self._run("destroy", self.engine.destroy)

    @rule()
    def converge(self) -> None:
        """Without faults: refresh, then up; the stack must converge or the program say why."""
        self.history.append("converge")
        self._converge(final=False)

    @rule()
    def restart_host(self) -> None:
        """A new provider host process (every `pulumi` command starts one)."""
        self.history.append("restart the provider host")
        self.world.restart_host()
        self.stderr_seen = 0

    # -- rules: another admin ---------------------------------------------------------------------

    def _live_entry(self, data: st.DataObject) -> tuple[Entry, dict[str, Any]] | None:
        objects = self.world.objects()
        live = [e for e in self.engine.entries() if e.key in objects]
        if not live:
            return None
        entry = data.draw(st.sampled_from(sorted(live, key=lambda e: (e.slot, e.id))))
        return entry, objects[entry.key]

    def _object_path(self, entry: Entry, obj: Mapping[str, Any]) -> tuple[str, str]:
        mt = obj.get("microtenantId")
        query = f"microtenantId={mt}" if mt not in (None, "0") else ""
        return f"{_collection(entry.kind, obj)}/{entry.id}", query

    @rule(data=st.data())
    def change_out_of_band(self, data: st.DataObject) -> None:
        """Another admin changes one of the stack's objects (drift)."""
        found = self._live_entry(data)
        if found is None:
            return
        entry, obj = found
        tenant = self.world.tenants[entry.tenant]
        if entry.kind is PROVISIONING_KEY:
            change = data.draw(
                st.sampled_from(
                    [
                        {"maxUsage": "9"},
                        {"enabled": not obj.get("enabled", True)},
                        {"name": f"drifted-{entry.id}"},
                        {"exportable": False},
                        {"ipAcl": ["172.16.0.0/12"]},
                        {"readOnly": True},
                    ]
                )
            )
            self.history.append(f"drift {entry.slot} {entry.id}: {change}")
            tenant.patch_key(entry.id, change)
            return
        path, query = self._object_path(entry, obj)
        current = tenant.api("GET", path, query=query)
        if current.status_code != 200:
            return
        body = current.json()
        change = data.draw(
            st.sampled_from(
                [
                    {"description": "drifted"},
                    {"name": "drifted"},
                    {"name": "beta"},
                    {"enabled": not body.get("enabled", True)},
                ]
            )
        )
        if entry.kind.id == "ba_certificate":
            body = {"name": body.get("name"), "description": body.get("description", "")}
            change.pop("enabled", None)
        answer = tenant.api("PUT", path, {**body, **change}, query)
        self.history.append(f"drift {entry.slot} {entry.id}: {change} -> {answer.status_code}")

    @rule(data=st.data())
    def delete_out_of_band(self, data: st.DataObject) -> None:
        """Another admin deletes one of the stack's objects."""
        found = self._live_entry(data)
        if found is None:
            return
        entry, obj = found
        path, query = self._object_path(entry, obj)
        answer = self.world.tenants[entry.tenant].api("DELETE", path, query=query)
        self.history.append(f"delete {entry.slot} {entry.id} out of band -> {answer.status_code}")

    # -- rules: faults ----------------------------------------------------------------------------

    def _target(self, slot: str | None = None) -> tuple[str, Kind]:
        """The tenant and kind a step is about: `slot`'s, else the first resource's."""
        if slot is None:
            slot = next(iter([*self.program, *self.engine.resources]), SLOTS[0][0])
        declared = self.program.get(slot)
        if declared is not None:
            return str(declared.inputs().get("tenant") or DEFAULT), declared.kind
        entry = self.engine.resources.get(slot)
        return (entry.tenant if entry else DEFAULT), SLOT_KINDS[slot]

    def _arm(self, fault: Fault | None, slot: str | None = None) -> None:
        if fault is None:
            return
        tenant, family, rule_ = fault
        own_tenant, own_kind = self._target(slot)
        if tenant == OWN:
            tenant = own_tenant if own_tenant in self.world.tenants else DEFAULT
        if "path_regex" in rule_:
            rule_ = {**rule_, "path_regex": rule_["path_regex"].replace(OWN, own_kind.segment)}
        if family in ("sign-in", "token-expiry"):
            self.world.tenants[tenant].expire_tokens()
            self.tokens_expired = True
        if rule_:
            self.world.tenants[tenant].add_fault(rule_)
        STATS.faults_armed[family] += 1
        self.history.append(f"fault on {tenant}: {family} {rule_}")

    @rule(fault=FAULTS)
    def inject_fault(self, fault: Fault) -> None:
        """Arm a fault on one tenant; it fires on the next matching requests."""
        self._arm(fault)

    @rule(data=st.data())
    def refresh_through_a_masked_secret(self, data: st.DataObject) -> None:
        """A refresh whose read of an API key answers its secret masked (`********`)."""
        keys = [e for e in self.engine.resources.values() if e.kind is API_KEY]
        objects = self.world.objects()
        keys = [e for e in keys if e.key in objects]
        if not keys:
            return
        entry = data.draw(st.sampled_from(sorted(keys, key=lambda e: e.slot)))
        tenant = self.world.tenants[entry.tenant]
        path, query = self._object_path(entry, objects[entry.key])
        current = tenant.api("GET", path, query=query)
        if current.status_code != 200:
            return
        masked = dumps({**current.json(), "clientSecret": MASK})
        tenant.add_fault(
            {
                "method": "GET",
                "path_regex": f"apiKeys/{entry.id}$",
                "action": "answer",
                "status": 200,
                "body": masked,
                "content_type": "application/json",
                "times": 1,
            }
        )
        STATS.faults_armed["masked-secret"] += 1
        self.history.append(f"mask the secret in the next read of {entry.slot}")
        self._run("refresh", self._refresh)
        rules = [r for r in tenant.fault_rules() if r.get("body") != masked]
        tenant.clear_faults()
        tenant.restore_faults(rules)  # the mask was not read: it goes

    # -- the end of every example -----------------------------------------------------------------

    def teardown(self) -> None:
        """The user fixes the program (valid values, names nobody else holds, read-only made
        writable), converges, and destroys: nothing of the stack is left, nothing else
        touched."""
        try:
            self._finish()
        finally:
            for tenant in self.world.tenants.values():
                tenant.clear_faults()

    def _finish(self) -> None:
        if self.failed or self.program:
            for slot in list(self.program):
                self.program[slot] = self.program[slot].repaired(f"{slot}-final")
            for entry in self.engine.entries():
                obj = self.world.objects().get(entry.key)
                if obj is not None and obj.get("readOnly") and entry.kind is PROVISIONING_KEY:
                    self.world.tenants[entry.tenant].patch_key(entry.id, {"readOnly": False})
            self.history.append("teardown: converge the repaired program")
            self._converge(final=True)
        self.program.clear()
        for tenant in self.world.tenants.values():
            tenant.clear_faults()
        outcome = self._run("destroy (teardown)", self.engine.destroy)
        if not outcome.ok:
            raise self._violation(f"a destroy without faults failed: {outcome.error}")
        self.every_object_is_owned_once()
        left = [
            key
            for key in self.world.objects()
            if key not in self.foreign and key not in self.released
        ]
        if left or self.engine.entries():
            raise self._violation(f"destroy left objects {left} / state {self.engine.entries()}")


__all__ = ["KNOWN_DEFECTS", "STATS", "StackMachine", "Stats"]
