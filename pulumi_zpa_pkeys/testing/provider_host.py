"""Drive the Pulumi SDK's dynamic provider host over gRPC, as the Pulumi engine does.

`python -m pulumi.dynamic` is the process the CLI starts for every Python dynamic provider. This
module starts that same process and calls it over the same gRPC protocol: `Configure` once,
then Check/Diff/Create/Read/Update/Delete with `__provider` set to the pickled provider. The
engine-level helpers (`preview`, `up`, `refresh`, `destroy`) follow the call order documented in
the Pulumi engine, so a test exercises the serialization and wire layer a real stack goes
through, without the Pulumi CLI.

Values travel as the engine sends them: plain (secrets unwrapped, since the dynamic host does not
accept secrets), numbers as floats, unknowns (preview) as the `UNKNOWN` sentinel. Values coming
back are read from the protocol's `Struct` directly: a whole number is an `int` (the wire only
has doubles; a program's SDK makes them ints where the resource declares `int`, and a float
field such as `2.0` still compares equal to `2`), any other number a `float`, NaN and the
infinities included (a JSON conversion would refuse them, and a Check that returns the failure
for a NaN input must reach the caller as that failure).

The host runs under :mod:`~pulumi_zpa_pkeys.testing._lifeline` (``python -u -m
pulumi_zpa_pkeys.testing._lifeline pulumi.dynamic``: the same module, run the same way), so it
ends with the process that started it, however that process ends.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN

from .emulator_process import LIFELINE

__all__ = [
    "START_TIMEOUT_S",
    "UNKNOWN",
    "DiffOutcome",
    "PreviewOutcome",
    "ProviderHost",
    "ProviderHostError",
    "ProviderHostStartError",
    "ResourceState",
]

PROVIDER_KEY = "__provider"
DEFAULT_TYPE_TOKEN = "pulumi-python:dynamic/zpa:ProvisioningKey"
#: How long a host may take to print its port and accept gRPC calls.
START_TIMEOUT_S = 60.0
_STDERR_TAIL = 2000


class ProviderHostStartError(RuntimeError):
    """The host did not start: it exited, printed no port, or did not answer in time."""


class ProviderHostError(Exception):
    """A provider call failed; `message` is the last line of the host's traceback."""

    def __init__(self, method: str, details: str) -> None:
        lines = [line for line in details.strip().splitlines() if line.strip()]
        self.method = method
        self.details = details
        self.message = lines[-1].strip() if lines else details
        super().__init__(f"{method}: {self.message}")


@dataclass(frozen=True)
class CheckOutcome:
    inputs: dict[str, Any]
    failures: list[tuple[str, str]]


@dataclass(frozen=True)
class DiffOutcome:
    changes: str  # "some", "none" or "unknown"
    replaces: list[str]
    delete_before_replace: bool


@dataclass(frozen=True)
class ReadOutcome:
    id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None


@dataclass
class ResourceState:
    """What the engine keeps for one resource: its id, checked inputs and outputs."""

    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass(frozen=True)
class PreviewOutcome:
    op: str  # "create", "same", "update" or "replace"
    failures: list[tuple[str, str]] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False


def _to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update({k: v for k, v in props.items() if v is not None})
    return struct


def _plain(value: struct_pb2.Value) -> Any:
    """A protobuf ``Value`` as Python: whole numbers as ``int``, other numbers (NaN and the
    infinities included) as ``float``."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return _from_struct(value.struct_value)
    if kind == "list_value":
        return [_plain(item) for item in value.list_value.values]
    if kind == "number_value":
        number = value.number_value
        return int(number) if number.is_integer() else number
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    return None


def _from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return {key: _plain(value) for key, value in struct.fields.items()}


def _public(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


class ProviderHost:
    """A running `python -m pulumi.dynamic` host configured with `config` (`zpa:*` strings)."""

    def __init__(
        self,
        provider: ResourceProvider | str,
        config: Mapping[str, str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        type_token: str = DEFAULT_TYPE_TOKEN,
        project: str = "project",
        stack: str = "stack",
        start_timeout: float = START_TIMEOUT_S,
    ) -> None:
        self.blob = provider if isinstance(provider, str) else serialize_provider(provider)
        self.config = dict(config or {})
        self.type_token = type_token
        self._project = project
        self._stack = stack
        self._env = dict(os.environ if env is None else env)
        self._cwd = cwd
        self._start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None

    # -- process ---------------------------------------------------------------------------

    def start(self) -> ProviderHost:
        """Start the host as the Pulumi CLI does (``python -u``), then ``Configure`` it.

        The host writes its port without flushing, so it must run unbuffered or the port line
        never arrives. Any failure to start (exit, no port line within ``start_timeout``, no gRPC
        answer) kills the process and raises one :class:`ProviderHostStartError`.

        :raises ProviderHostStartError: the host did not start.
        :raises ProviderHostError: ``Configure`` failed.
        """
        # Kept open for the host's life (its diagnostics), closed by stop().
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._process = subprocess.Popen(
            [sys.executable, "-u", "-m", LIFELINE, "pulumi.dynamic", "host"],
            stdin=subprocess.PIPE,  # never written: it ends the host when this process ends
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=self._env,
            cwd=self._cwd,
        )
        try:
            port = self._read_port()
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            try:
                grpc.channel_ready_future(self._channel).result(timeout=self._start_timeout)
            except grpc.FutureTimeoutError:
                raise self._start_failed("did not accept gRPC calls") from None
            self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
            self._call(
                "Configure",
                provider_pb2.ConfigureRequest(args=_to_struct(self.config), acceptSecrets=False),
            )
        except BaseException:
            self.stop()
            raise
        return self

    def _read_port(self) -> int:
        """The port from the host's first stdout line, waiting at most ``start_timeout``."""
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(self._start_timeout)
        line = lines[0].decode("utf-8", "replace").strip() if lines else None
        if line is None:
            raise self._start_failed(f"printed no port within {self._start_timeout:g} s")
        if not line:
            raise self._start_failed("closed its output without printing its port")
        if not line.isdigit():
            raise self._start_failed(f"printed {line[:200]!r} instead of its port")
        return int(line)

    def _start_failed(self, what: str) -> ProviderHostStartError:
        """Kill the host and describe the failed start with the tail of its stderr."""
        process = self._process
        assert process is not None
        if process.poll() is None:
            process.kill()
        code = process.wait(timeout=10)
        detail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            text = self._stderr.read().decode("utf-8", "replace")
            detail = " | ".join(line.strip() for line in text.splitlines() if line.strip())
            detail = detail[-_STDERR_TAIL:]
        return ProviderHostStartError(
            f"the Pulumi provider host ({sys.executable} -u -m pulumi.dynamic) {what}; "
            f"exit code {code}" + (f"; stderr: {detail}" if detail else "; no stderr")
        )

    def stop(self) -> None:
        """Close the channel and kill the host; safe to call more than once."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            for stream in (process.stdout, process.stdin):
                if stream is not None:
                    stream.close()
        if self._stderr is not None:
            with contextlib.suppress(OSError):
                self._stderr.close()
            self._stderr = None

    def __enter__(self) -> ProviderHost:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stderr_text(self) -> str:
        """What the host has written to stderr so far: the provider's diagnostics (which the
        Pulumi CLI shows), or a traceback."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    @property
    def pid(self) -> int:
        assert self._process is not None, "host not started"
        return self._process.pid

    # -- raw RPCs (argument names as in the engine) ----------------------------------------

    def urn(self, name: str) -> str:
        return f"urn:pulumi:{self._stack}::{self._project}::{self.type_token}::{name}"

    def _call(self, method: str, request: Any) -> Any:
        assert self._stub is not None, "host not started"
        try:
            return getattr(self._stub, method)(request)
        except grpc.RpcError as err:
            raise ProviderHostError(method, err.details() or str(err)) from None

    def _with_provider(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**props, PROVIDER_KEY: self.blob}

    def check(
        self, name: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> CheckOutcome:
        response = self._call(
            "Check",
            provider_pb2.CheckRequest(
                urn=self.urn(name),
                olds=_to_struct(self._with_provider(olds) if olds else {}),
                news=_to_struct(self._with_provider(news)),
            ),
        )
        failures = [(f.property, f.reason) for f in response.failures]
        return CheckOutcome(_public(_from_struct(response.inputs)), failures)

    def diff(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> DiffOutcome:
        response = self._call(
            "Diff",
            provider_pb2.DiffRequest(
                id=id_,
                urn=self.urn(name),
                olds=_to_struct(self._with_provider(olds)),
                news=_to_struct(self._with_provider(news)),
            ),
        )
        changes = {
            provider_pb2.DiffResponse.DIFF_SOME: "some",
            provider_pb2.DiffResponse.DIFF_NONE: "none",
        }.get(response.changes, "unknown")
        return DiffOutcome(changes, list(response.replaces), bool(response.deleteBeforeReplace))

    def create(self, name: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._call(
            "Create",
            provider_pb2.CreateRequest(
                urn=self.urn(name), properties=_to_struct(self._with_provider(inputs))
            ),
        )
        return response.id, _public(_from_struct(response.properties))

    def read(
        self,
        name: str,
        id_: str,
        props: Mapping[str, Any],
        inputs: Mapping[str, Any] | None = None,
    ) -> ReadOutcome:
        response = self._call(
            "Read",
            provider_pb2.ReadRequest(
                id=id_,
                urn=self.urn(name),
                properties=_to_struct(self._with_provider(props) if props else {}),
                # A static get sends no properties: the host finds the provider in the inputs,
                # even when they are empty.
                inputs=_to_struct(self._with_provider(inputs) if inputs is not None else {}),
            ),
        )
        read_inputs = (
            _public(_from_struct(response.inputs)) if response.HasField("inputs") else None
        )
        return ReadOutcome(response.id, _public(_from_struct(response.properties)), read_inputs)

    def update(
        self, name: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        response = self._call(
            "Update",
            provider_pb2.UpdateRequest(
                id=id_,
                urn=self.urn(name),
                olds=_to_struct(self._with_provider(olds)),
                news=_to_struct(self._with_provider(news)),
            ),
        )
        return _public(_from_struct(response.properties))

    def delete(self, name: str, id_: str, props: Mapping[str, Any]) -> None:
        self._call(
            "Delete",
            provider_pb2.DeleteRequest(
                id=id_, urn=self.urn(name), properties=_to_struct(self._with_provider(props))
            ),
        )

    # -- engine operations -----------------------------------------------------------------

    def _checked(
        self, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        outcome = self.check(name, inputs, olds)
        if outcome.failures:
            text = "; ".join(f"{prop}: {reason}" for prop, reason in outcome.failures)
            raise ProviderHostError("Check", text)
        return outcome.inputs

    def _decide(self, state: ResourceState, checked: Mapping[str, Any]) -> DiffOutcome:
        outcome = self.diff(state.name, state.id, state.outputs, checked)
        if outcome.changes == "unknown":
            # The engine then compares old and new inputs itself.
            changed = _public(state.inputs) != _public(checked)
            return DiffOutcome("some" if changed else "none", [], False)
        return outcome

    def preview(
        self, name: str, inputs: Mapping[str, Any], state: ResourceState | None = None
    ) -> PreviewOutcome:
        """What `pulumi preview` shows for one resource (Check, then Diff if it exists)."""
        outcome = self.check(name, inputs, state.inputs if state else None)
        if outcome.failures:
            return PreviewOutcome("create" if state is None else "update", outcome.failures)
        if state is None:
            return PreviewOutcome("create")
        diff = self._decide(state, outcome.inputs)
        if diff.changes == "none":
            return PreviewOutcome("same")
        if diff.replaces:
            return PreviewOutcome("replace", [], diff.replaces, diff.delete_before_replace)
        return PreviewOutcome("update")

    def up(
        self, name: str, inputs: Mapping[str, Any], state: ResourceState | None = None
    ) -> ResourceState:
        """What `pulumi up` does for one resource; returns the state the engine would keep."""
        checked = self._checked(name, inputs, state.inputs if state else None)
        if state is None:
            id_, outputs = self.create(name, checked)
            return ResourceState(name, id_, checked, outputs)
        diff = self._decide(state, checked)
        if diff.changes == "none":
            return ResourceState(name, state.id, checked, state.outputs)
        if not diff.replaces:
            outputs = self.update(name, state.id, state.outputs, checked)
            return ResourceState(name, state.id, checked, outputs)
        if diff.delete_before_replace:
            self.delete(name, state.id, state.outputs)
            id_, outputs = self.create(name, checked)
        else:
            id_, outputs = self.create(name, checked)
            self.delete(name, state.id, state.outputs)
        return ResourceState(name, id_, checked, outputs)

    def refresh(self, state: ResourceState) -> ResourceState | None:
        """What `pulumi refresh` does: Read; None when the object is gone."""
        outcome = self.read(state.name, state.id, state.outputs, state.inputs)
        if not outcome.id:
            return None
        inputs = outcome.inputs if outcome.inputs is not None else state.inputs
        return ResourceState(state.name, outcome.id, inputs, outcome.outputs)

    def get(self, name: str, id_: str, props: Mapping[str, Any]) -> ReadOutcome:
        """What a static `Resource.get(name, id, ...)` makes the engine call (Read with inputs)."""
        return self.read(name, id_, {}, props)

    def destroy(self, state: ResourceState) -> None:
        """What `pulumi destroy` does: Delete with the stored outputs."""
        self.delete(state.name, state.id, state.outputs)
