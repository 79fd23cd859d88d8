"""`deploy_program`: a Pulumi program's `pulumi up` and `pulumi destroy` without the Pulumi CLI,
its dynamic-provider resources (this package's) applied for real, everything else mocked.

The program runs under `pulumi.runtime.set_mocks`, as :func:`run_program` runs it. Each resource
registered with a pickled dynamic provider (`__provider`: `ProvisioningKey`, `AppConnectorGroup`,
...) goes, as under the CLI, to the Pulumi SDK's provider host (`python -u -m pulumi.dynamic`,
one per provider, `Configure`d with the stack config): `Check`, then `Create` (or `Read` for a
static `get`). Its real id and outputs flow back into the program, so a key made for a group of
the same stack enrolls into the group's real id. Outputs the resource declares secret, and
outputs named like an input that arrived secret, come back as secrets, as the engine makes them.
Every other resource (`pulumi_aws`, ...) is mocked: its outputs are its inputs and its id
`<name>-id`; invokes answer `call_results` (default `{}`).

Leaving the `with` block is `pulumi destroy`: `Delete` for every created resource, last created
first (dependents before what they depend on), then the provider hosts stop. Point the stack
config at an emulator (`emulator().config`); a real tenant works too, and then gets real objects.

    with emulator() as emu, deploy_program(
        "examples/quickstart", project="zpa-pkeys-quickstart",
        config={**emu.config, "appConnectorGroupId": APP_CONNECTOR_GROUP_ID},
    ) as deployment:
        key = deployment.one("pulumi-python:dynamic/zpa:ProvisioningKey")
        assert key.outputs["max_usage"] == 2
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.rpc import is_rpc_secret, wrap_rpc_secret

from .program import PROVIDER_KEY, CallResult, Exports, _qualified, run_under_mocks
from .provider_host import ProviderHost, ResourceState

__all__ = ["DeployedResource", "Deployment", "deploy_program"]


def _plain(value: Any) -> Any:
    """A deserialized input without secret wrappers, at any depth."""
    if is_rpc_secret(value):
        return _plain(value["value"])
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class DeployedResource:
    """One resource of the stack after `pulumi up`."""

    type: str
    name: str
    id: str
    #: Plain values (no secret wrappers); for a mocked resource, its inputs.
    outputs: dict[str, Any]
    #: Output names the engine would keep secret.
    secret_outputs: frozenset[str] = frozenset()
    #: True when a provider host created (or read) it; False for a mocked resource.
    applied: bool = False
    #: Read by a static `get` rather than created (so not deleted by destroy).
    read: bool = False


@dataclass
class Deployment:
    """What `pulumi up` made, in creation order, and the stack's exports."""

    resources: list[DeployedResource] = field(default_factory=list)
    stack_outputs: dict[str, Any] = field(default_factory=dict)
    #: Names of the stack outputs that are secret (`pulumi stack output` shows [secret]).
    secret_outputs: set[str] = field(default_factory=set)
    _states: dict[int, tuple[ProviderHost, ResourceState]] = field(default_factory=dict, repr=False)
    destroyed: list[DeployedResource] = field(default_factory=list)

    def of_type(self, type_: str) -> list[DeployedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> DeployedResource:
        """The only resource of `type_`; AssertionError when there are none or several."""
        found = self.of_type(type_)
        assert len(found) == 1, [r.type for r in self.resources]
        return found[0]

    def destroy(self) -> list[DeployedResource]:
        """`pulumi destroy`: delete every created resource, last created first (a mocked one is
        only dropped). Returns what it destroyed; a second call does nothing.

        :raises ProviderHostError: a `Delete` failed (the ones before it are done; the rest are
            still tried, and the first failure is raised at the end).
        """
        failure: Exception | None = None
        while self.resources:
            resource = self.resources.pop()
            applied = self._states.pop(id(resource), None)
            if applied is not None:
                host, state = applied
                try:
                    host.destroy(state)
                except Exception as err:  # the others are still deleted
                    failure = failure or err
                    continue
            self.destroyed.append(resource)
        if failure is not None:
            raise failure
        return self.destroyed


class _Hosts:
    """One started provider host per pickled provider (as the engine keeps one per provider)."""

    def __init__(self, config: Mapping[str, str], env: Mapping[str, str], stack: str, project: str):
        self._config, self._env, self._stack, self._project = config, env, stack, project
        self._hosts: dict[str, ProviderHost] = {}
        self._lock = threading.Lock()

    def get(self, blob: str, type_token: str) -> ProviderHost:
        with self._lock:
            host = self._hosts.get(blob)
            if host is None:
                host = ProviderHost(
                    blob, self._config, env=self._env, type_token=type_token,
                    project=self._project, stack=self._stack,
                )  # fmt: skip
                host.start()
                self._hosts[blob] = host
            return host

    def stop(self) -> None:
        with self._lock:
            for host in self._hosts.values():
                host.stop()
            self._hosts.clear()


class _ApplyingMonitor(MockMonitor):
    """Hands each RegisterResource's `additionalSecretOutputs` to the mocks (same thread)."""

    def __init__(self, mocks: _ApplyingMocks) -> None:
        super().__init__(mocks)
        self._mocks = mocks

    def RegisterResource(self, request: Any) -> Any:  # the gRPC method name
        self._mocks.local.secret_outputs = frozenset(request.additionalSecretOutputs)
        try:
            return super().RegisterResource(request)  # type: ignore[no-untyped-call]
        finally:
            self._mocks.local.secret_outputs = frozenset()


class _ApplyingMocks(pulumi.runtime.Mocks):
    def __init__(
        self, hosts: _Hosts, deployment: Deployment, call_results: Mapping[str, CallResult]
    ) -> None:
        self._hosts, self._deployment, self._call_results = hosts, deployment, call_results
        self._lock = threading.Lock()
        self.local = threading.local()

    def _record(
        self, resource: DeployedResource, applied: tuple[ProviderHost, ResourceState] | None
    ) -> None:
        with self._lock:
            self._deployment.resources.append(resource)
            if applied is not None:
                self._deployment._states[id(resource)] = applied

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        blob = _plain(args.inputs.get(PROVIDER_KEY))
        inputs = {k: _plain(v) for k, v in args.inputs.items() if k != PROVIDER_KEY}
        if not isinstance(blob, str):  # not a dynamic provider's resource: mocked
            id_ = args.resource_id or f"{args.name}-id"
            self._record(DeployedResource(args.typ, args.name, id_, inputs), None)
            return id_, dict(args.inputs)
        host = self._hosts.get(blob, args.typ)
        inputs = {k: v for k, v in inputs.items() if v is not None}
        if args.resource_id:  # a static get: Read, nothing to delete later
            outcome = host.get(args.name, args.resource_id, inputs)
            id_, outputs, applied = outcome.id, outcome.outputs, None
        else:
            state = host.up(args.name, inputs)
            id_, outputs, applied = state.id, state.outputs, (host, state)
        secret_inputs = {k for k, v in args.inputs.items() if is_rpc_secret(v)}
        secret = frozenset(
            getattr(self.local, "secret_outputs", frozenset()) | (secret_inputs & set(outputs))
        )
        resource = DeployedResource(
            args.typ, args.name, id_, outputs, secret, applied=True, read=applied is None
        )
        self._record(resource, applied)
        return id_, {k: wrap_rpc_secret(v) if k in secret else v for k, v in outputs.items()}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        result = self._call_results.get(args.token, {})
        return dict(result(args.args) if callable(result) else result), []


@contextlib.contextmanager
def deploy_program(
    program: str | os.PathLike[str],
    *,
    project: str,
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    call_results: Mapping[str, CallResult] | None = None,
) -> Iterator[Deployment]:
    """`pulumi up` of `program` (a `__main__.py` or a folder holding one), yielding the
    :class:`Deployment`; `pulumi destroy` when the block ends (also when it raises, and when
    the program itself fails half-way).

    - `config`: stack config as strings (a key without a namespace belongs to `project`); the
      provider hosts are `Configure`d with all of it, as the engine does.
    - `env`: environment variables set for the program run, and added to this process's
      environment for the provider hosts.
    - `call_results`: the result of each mocked invoke token (or a function of its arguments).

    The program runs in this process with its working directory unchanged (`pulumi` runs it in
    the project's folder: change to it first if the program reads relative paths).

    :raises ProviderHostError: a provider call failed (its message is the provider's error).
    :raises ProviderHostStartError: a provider host did not start.
    """
    deployment = Deployment()
    hosts = _Hosts(_qualified(project, config or {}), {**os.environ, **(env or {})}, stack, project)
    mocks = _ApplyingMocks(hosts, deployment, call_results or {})
    try:
        exports: Exports = run_under_mocks(
            program, mocks, _ApplyingMonitor(mocks), project=project, stack=stack,
            config=config, env=env, preview=False,
        )  # fmt: skip
        deployment.stack_outputs, deployment.secret_outputs = exports.values, exports.secret
        yield deployment
    except BaseException:
        with contextlib.suppress(Exception):  # the error that ended the block is the one to see
            deployment.destroy()
        hosts.stop()
        raise
    try:
        deployment.destroy()
    finally:
        hosts.stop()
