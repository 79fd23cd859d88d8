"""Run a Pulumi program under `pulumi.runtime.set_mocks` and capture what it registers.

`run_program(path, project=..., config=...)` runs a program (a `__main__.py` or a folder holding
one) the way `pulumi up` would run it, except that resources are mocked: each RegisterResource
request the SDK sends is recorded as a :class:`Registration`, with its inputs in wire form
(secret inputs still wrapped, `__provider` the pickled dynamic provider exactly as the engine
would receive it) and its `additionalSecretOutputs`. Calls that are not resources, such as this
package's lookups, run for real (point them at the emulator through config or environment).

Mocks do not apply `additional_secret_outputs`: under mocks an output is never secret unless the
mock makes it so. Check secrecy in the registration instead (`additional_secret_outputs`, and
`is_secret(name)` for inputs).

    python -m pulumi_zpa_pkeys.testing.program PROGRAM --project NAME [--stack S] [--preview]

runs the program in a process of its own, as each `pulumi` command does, with the stack config
read from the `PULUMI_CONFIG` environment variable (a JSON object of `ns:key` strings, as the
CLI passes it), and prints the registrations as JSON on stdout (the program's own prints go to
stderr). :func:`run_program_process` is that call from Python.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import runpy
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.rpc import is_rpc_secret

from .environment import environment

__all__ = [
    "ProgramError",
    "ProgramRun",
    "Registration",
    "run_program",
    "run_program_process",
]

PROVIDER_KEY = "__provider"
STACK_TYPE = "pulumi:pulumi:Stack"


class ProgramError(RuntimeError):
    """The program failed; the message is one line (the last line of its error)."""


def _plain(value: Any) -> Any:
    return value["value"] if is_rpc_secret(value) else value


@dataclass(frozen=True)
class Registration:
    """One RegisterResource request, as the SDK sent it to the engine."""

    type: str
    name: str
    #: As serialized on the wire: secret values are still wrapped (`is_rpc_secret`).
    inputs: dict[str, Any]
    additional_secret_outputs: list[str]
    #: The URNs this resource depends on (what makes the engine delete it before them).
    dependencies: list[str] = field(default_factory=list)
    urn: str = ""

    @property
    def provider_blob(self) -> str | None:
        """The pickled dynamic provider (`__provider`) the engine would hand to the host."""
        blob = _plain(self.inputs.get(PROVIDER_KEY))
        return blob if isinstance(blob, str) else None

    def plain_inputs(self) -> dict[str, Any]:
        """The inputs the engine hands to a provider: secrets unwrapped, no `__provider`,
        unset (`None`) values left out."""
        return {
            key: _plain(value)
            for key, value in self.inputs.items()
            if key != PROVIDER_KEY and _plain(value) is not None
        }

    def is_secret(self, name: str) -> bool:
        """Whether input `name` reached the engine as a secret."""
        return is_rpc_secret(self.inputs.get(name))


@dataclass
class ProgramRun:
    """What one run of a program registered (the root stack included) and exported."""

    registrations: list[Registration]
    #: The stack's exports as the program resolved them under mocks (empty after a run in a
    #: process of its own: only registrations cross the process boundary).
    stack_outputs: dict[str, Any] = field(default_factory=dict)
    #: Tokens of the provider functions (invokes) the program called, in order.
    calls: list[str] = field(default_factory=list)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str) -> Registration:
        """The only registration of `type_`; AssertionError when there are none or several."""
        found = self.of_type(type_)
        assert len(found) == 1, [r.type for r in self.registrations]
        return found[0]

    def to_json(self) -> str:
        return json.dumps(
            {"registrations": [asdict(r) for r in self.registrations], "calls": self.calls}
        )

    @classmethod
    def from_json(cls, text: str) -> ProgramRun:
        data = json.loads(text)
        return cls([Registration(**r) for r in data["registrations"]], calls=data["calls"])


#: The result of a mocked invoke: fixed, or computed from the call's arguments.
CallResult = Mapping[str, Any] | Callable[[Mapping[str, Any]], Mapping[str, Any]]


class _Mocks(pulumi.runtime.Mocks):
    """Every resource's outputs are its inputs (no `__provider`) plus any declared extras; its
    id is `<name>-id` unless one is declared for its type."""

    def __init__(
        self,
        resource_outputs: Mapping[str, Mapping[str, Any]],
        call_results: Mapping[str, CallResult],
        resource_ids: Mapping[str, str],
    ) -> None:
        self._resource_outputs = resource_outputs
        self._call_results = call_results
        self._resource_ids = resource_ids
        self.calls: list[str] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        outputs = {k: v for k, v in args.inputs.items() if k != PROVIDER_KEY}
        outputs.update(self._resource_outputs.get(args.typ, {}))
        return self._resource_ids.get(args.typ, f"{args.name}-id"), outputs

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append(args.token)
        result = self._call_results.get(args.token, {})
        return dict(result(args.args) if callable(result) else result), []  # no failures


class _RecordingMonitor(MockMonitor):
    def __init__(self, mocks: _Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:  # the gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                inputs=dict(json_format.MessageToDict(request.object)),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                dependencies=list(request.dependencies),
                urn=str(getattr(response, "urn", "")),
            )
        )
        return response


def _qualified(project: str, config: Mapping[str, str]) -> dict[str, str]:
    return {(key if ":" in key else f"{project}:{key}"): value for key, value in config.items()}


def run_program(
    program: str | os.PathLike[str],
    *,
    project: str,
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    preview: bool = False,
    resource_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    call_results: Mapping[str, CallResult] | None = None,
    resource_ids: Mapping[str, str] | None = None,
) -> ProgramRun:
    """Run `program` in this process under mocks and return what it registered.

    - `config`: stack config as strings; a key without a namespace (`appConnectorGroupId`)
      belongs to `project`. It is passed as the language host passes it (`PULUMI_CONFIG`), so
      it replaces any config already in the environment for the run.
    - `env`: environment variables set for the run (e.g. the emulator's `ZPA_*` settings for
      lookups); the environment is restored afterwards.
    - `resource_outputs`: extra mock outputs per type token (every resource's outputs are its
      inputs otherwise); `call_results`: the result of each mocked invoke token (default `{}`),
      or a function of the invoke's arguments; `resource_ids`: the id per type token (default
      `<name>-id`), e.g. an 18-digit id for a group whose id another resource uses.

    Returns once every registration has been sent and every export resolved.
    """
    mocks = _Mocks(resource_outputs or {}, call_results or {}, resource_ids or {})
    monitor = _RecordingMonitor(mocks)
    exports = run_under_mocks(
        program, mocks, monitor, project=project, stack=stack, config=config, env=env,
        preview=preview,
    )  # fmt: skip
    return ProgramRun(monitor.registrations, exports.values, mocks.calls)


@dataclass
class Exports:
    """A program's stack outputs, resolved, and the names of those that are secret."""

    values: dict[str, Any] = field(default_factory=dict)
    secret: set[str] = field(default_factory=set)


def run_under_mocks(
    program: str | os.PathLike[str],
    mocks: pulumi.runtime.Mocks,
    monitor: MockMonitor,
    *,
    project: str,
    stack: str,
    config: Mapping[str, str] | None,
    env: Mapping[str, str] | None,
    preview: bool,
) -> Exports:
    """Run `program` under `set_mocks(mocks, monitor=monitor)` as `pulumi up` runs it (config
    and `env` as for :func:`run_program`); returns once every registration has been sent and
    every export resolved."""
    path = Path(program)
    exports = Exports()
    run_env = {**(env or {}), "PULUMI_CONFIG": json.dumps(_qualified(project, config or {}))}
    with environment(run_env):
        # A fresh root stack: set_mocks keeps the one of an earlier run in this process, and
        # with it that run's exports (and, after a failed run, its failed outputs).
        pulumi.runtime.settings.ROOT.set(None)
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=preview, monitor=monitor
        )

        def record(values: list[Any]) -> None:
            half = len(values) // 2
            names = list(outputs)
            exports.values.update(zip(names, values[:half], strict=True))
            exports.secret.update(n for n, s in zip(names, values[half:], strict=True) if s)

        def body() -> pulumi.Output[None]:
            runpy.run_path(str(path), run_name="__main__")
            root: Any = pulumi.runtime.settings.get_root_resource()
            outputs.update(root.outputs)
            values = [pulumi.Output.from_input(v) for v in outputs.values()]
            return pulumi.Output.all(*values, *(v.is_secret() for v in values)).apply(record)

        outputs: dict[str, Any] = {}
        # Waits for every registration and export, as the end of a `pulumi up` program run.
        run: Callable[[], None] = pulumi.runtime.test(body)  # type: ignore[no-untyped-call]
        try:
            run()
        except BaseException as err:
            _unlogged(err)
            raise
    return exports


def _unlogged(error: BaseException) -> None:
    """After a failed run, the SDK's futures that hold `error` are never awaited: keep asyncio
    from logging each one ("Future exception was never retrieved") when it is collected."""
    loop = asyncio.get_event_loop()
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("exception") is error:
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no error output"


def run_program_process(
    program: str | os.PathLike[str],
    *,
    project: str,
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    preview: bool = False,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 120.0,
) -> ProgramRun:
    """:func:`run_program` in a fresh Python process, as each `pulumi` command runs the program
    anew (so per-process caches, such as lookups' and sign-in tokens, start empty).

    `env` is the child's whole environment (default: this process's), to which `PULUMI_CONFIG`
    is added from `config`.

    :raises ProgramError: the program failed (message: the last line of its stderr).
    """
    child_env = dict(os.environ if env is None else env)
    child_env["PULUMI_CONFIG"] = json.dumps(_qualified(project, config or {}))
    args = [sys.executable, "-m", __name__, os.fspath(program), "--project", project]
    args += ["--stack", stack] + (["--preview"] if preview else [])
    try:
        result = subprocess.run(
            args,
            env=child_env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ProgramError(f"the program {program} did not finish within {timeout:g} s") from None
    if result.returncode != 0:
        raise ProgramError(f"the program {program} failed: {_last_line(result.stderr)}")
    return ProgramRun.from_json(result.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_zpa_pkeys.testing.program",
        description="Run a Pulumi program under mocks; print its RegisterResource requests "
        "as JSON. Stack config comes from PULUMI_CONFIG, as the Pulumi CLI passes it.",
    )
    parser.add_argument("program", help="a __main__.py, or a folder holding one")
    parser.add_argument("--project", required=True)
    parser.add_argument("--stack", default="test")
    parser.add_argument("--preview", action="store_true", help="run as `pulumi preview` does")
    args = parser.parse_args(argv)
    config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the JSON answer
        run = run_program(
            args.program, project=args.project, stack=args.stack, config=config,
            preview=args.preview,
        )  # fmt: skip
    print(run.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
