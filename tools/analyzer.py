"""Drive a CrossGuard policy pack over the analyzer protocol, as the Pulumi CLI does.

Runs in the project's main virtualenv; imports only pulumi, grpc and the standard library.

    with PolicyPackProcess(Path("policies")) as pack:     # starts `python -m pulumi.policy`
        pack.configure(json.loads(Path("policies/config/prod.json").read_text()))
        for r in resources:                               # StackResource(...)
            diagnostics = pack.analyze(r)                 # one Analyze request per resource
        diagnostics += pack.analyze_stack(resources)      # one AnalyzeStack request

- `serialize(props)` turns plain Python values into the wire Struct with Pulumi's own
  serializer; use `UNKNOWN` for a preview-unknown value and `secret(v)` for a secret.
- `configure(config)` takes the `--policy-pack-config` JSON shape
  (`{"policy": "advisory"}` or `{"policy": {"enforcementLevel": "...", "key": value}}`, plus an
  optional `"all"` level) and, like the CLI, sends every policy of the pack its resolved level
  and its properties with the schema defaults filled in. Without `configure` the pack uses its
  own defaults.
- `remediate(r)` sends one Remediate request (as the CLI does before Analyze) and returns what
  each policy at level `remediate` rewrote: `Remediation(policy_name, properties, diagnostic)`
  with `properties` the wire Struct as a dict (secrets enveloped, unknowns as sentinels).
- Diagnostics come back as `Diagnostic(policy_name, message, urn, level)`; `level` is one of
  "mandatory", "advisory", "remediate", "disabled". Resource diagnostics carry the analyzed
  resource's URN; stack diagnostics the URN the policy named (or "" for the whole stack).
"""

from __future__ import annotations

import asyncio
import difflib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
import pulumi
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc, settings
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, resource_pb2

UNKNOWN = rpc.UNKNOWN  # the engine's "unknown during preview" sentinel
_MAX_MESSAGE = 1024 * 1024 * 400
_LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
_LEVEL_VALUES = {v: k for k, v in _LEVELS.items()}


class PackConfigError(ValueError):
    """A mistake in a policy pack config, as one line (the file, the policy, what is accepted)."""


def load_pack_config(path: Path) -> dict[str, Any]:
    """A `--policy-pack-config` JSON file, or PackConfigError naming the file (and line)."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise PackConfigError(f"{path}: no such policy pack config file") from None
    except OSError as e:
        raise PackConfigError(f"{path}: cannot read the policy pack config: {e.strerror}") from None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as e:
        raise PackConfigError(
            f"{path}:{e.lineno}:{e.colno}: malformed JSON in the policy pack config: {e.msg}"
        ) from None
    if not isinstance(config, dict):
        raise PackConfigError(
            f"{path}: a policy pack config is a JSON object of policy names, got "
            f"{type(config).__name__}"
        )
    return config


def _did_you_mean(name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class Diagnostic:
    policy_name: str
    message: str
    urn: str
    level: str  # "mandatory" | "advisory" | "remediate" | "disabled"


@dataclass(frozen=True)
class Remediation:
    policy_name: str
    properties: dict[str, Any]  # the new wire properties (json_format.MessageToDict of the Struct)
    diagnostic: str  # why the remediation could not run (e.g. unknowns during preview), or ""


@dataclass(frozen=True)
class Provider:
    """The provider resource the engine sends with a resource (stack policies read its region)."""

    urn: str
    properties: struct_pb2.Struct

    @classmethod
    def aws(cls, region: str, name: str = "default", stack: str = "dev") -> Provider:
        urn = f"urn:pulumi:{stack}::webstack::pulumi:providers:aws::{name}"
        return cls(urn=urn, properties=serialize({"region": region}))

    def message(self) -> analyzer_pb2.AnalyzerProviderResource:
        type_, name = self.urn.rsplit("::", 2)[-2:]
        return analyzer_pb2.AnalyzerProviderResource(
            type=type_, properties=self.properties, urn=self.urn, name=name
        )


@dataclass(frozen=True)
class StackResource:
    urn: str
    type: str
    name: str
    properties: struct_pb2.Struct
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    provider_urn: str = ""
    provider: Provider | None = None  # sent to the pack as the CLI does, when known

    @classmethod
    def of(
        cls, type_: str, name: str, props: Mapping[str, Any], stack: str = "dev", **kw: Any
    ) -> StackResource:
        """A resource with a conventional URN and properties serialized from plain values."""
        urn = kw.pop("urn", f"urn:pulumi:{stack}::webstack::{type_}::{name}")
        return cls(urn=urn, type=type_, name=name, properties=serialize(props), **kw)


@dataclass(frozen=True)
class _Secret:
    value: Any


def secret(value: Any) -> Any:
    """Mark a value secret for `serialize` (it becomes `pulumi.Output.secret(value)`)."""
    return _Secret(value)


def _outputs(value: Any) -> Any:
    if isinstance(value, _Secret):
        return pulumi.Output.secret(_outputs(value.value))
    if isinstance(value, Mapping):
        return {k: _outputs(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_outputs(v) for v in value]
    return value


def serialize(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Wire form of `props`, by `pulumi.runtime.rpc.serialize_properties` (secrets enveloped)."""
    feature = resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS
    features = settings.SETTINGS.monitor_features
    added = feature not in features
    features.add(feature)  # a real engine supports secrets; the serializer asks
    loop = asyncio.new_event_loop()
    try:

        async def run() -> struct_pb2.Struct:
            return await rpc.serialize_properties(_outputs(props), {})

        return loop.run_until_complete(run())
    finally:
        loop.close()
        if added:
            features.discard(feature)


class PolicyPackProcess:
    """A policy pack started like the CLI starts it; a context manager that always stops it."""

    def __init__(
        self,
        pack_dir: Path,
        python: Path | None = None,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.python = Path(python) if python else self.pack_dir / "venv" / "bin" / "python"
        if not self.python.exists():
            raise FileNotFoundError(
                f"{self.python} is missing: build the pack's virtualenv with `make policies-venv` "
                f"(python3 -m venv {self.pack_dir}/venv && "
                f"{self.pack_dir}/venv/bin/pip install -r {self.pack_dir}/requirements.txt)"
            )
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            [str(self.python), "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(self.pack_dir)],
            cwd=self.pack_dir,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, **(env or {})},
        )
        try:
            port = self._read_port(start_timeout)
            self.channel = grpc.insecure_channel(
                f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", _MAX_MESSAGE)]
            )
            grpc.channel_ready_future(self.channel).result(timeout=start_timeout)
        except BaseException:
            self.close()
            raise
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        self._info: analyzer_pb2.AnalyzerInfo | None = None

    def _read_port(self, timeout: float) -> int:
        line: list[bytes] = []
        stdout = self.proc.stdout
        assert stdout is not None
        reader = threading.Thread(target=lambda: line.append(stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(timeout)
        text = line[0].decode().strip() if line else ""
        if not text.isdigit():
            self._stderr.seek(0)
            err = self._stderr.read().decode(errors="replace")
            raise RuntimeError(
                f"policy pack {self.pack_dir} did not print its port (got {text!r}, "
                f"exit code {self.proc.poll()}):\n{err}"
            )
        return int(text)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def peak_rss_mb(self) -> float:
        """The pack process's peak resident memory (VmHWM), in MiB."""
        for row in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
        return float("nan")

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        if self._info is None:
            self._info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        return self._info

    def resolve_config(self, config: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Per policy: (level, properties) as the CLI would send them for `config`.

        A mistake (a policy the pack does not have, an unknown level, an entry that is neither a
        level nor an object) raises PackConfigError, one line naming the policy and the fix.
        """
        policies = {p.name: p for p in self.info().policies}
        accepted = ", ".join(_LEVEL_VALUES)
        for name in config:
            if name not in policies and name != "all":
                raise PackConfigError(
                    f"the policy pack config names '{name}', which is no policy of "
                    f"{self.info().name}{_did_you_mean(name, sorted(policies))}"
                )
        resolved = {}
        for name, policy in policies.items():
            level = _LEVELS[policy.enforcementLevel]
            if "all" in config:
                level = config["all"]
            schema = json_format.MessageToDict(policy.configSchema.properties)
            props = {k: v["default"] for k, v in schema.items() if "default" in v}
            given = config.get(name)
            if isinstance(given, str):
                level = given
            elif isinstance(given, Mapping):
                level = given.get("enforcementLevel", level)
                props.update({k: v for k, v in given.items() if k != "enforcementLevel"})
            elif given is not None:
                raise PackConfigError(
                    f"'{name}': a policy's config is an enforcement level ({accepted}) or an "
                    f"object, got {given!r}"
                )
            if level not in _LEVEL_VALUES:
                where = "all" if name not in config and "all" in config else name
                raise PackConfigError(
                    f"'{where}': unknown enforcement level {level!r}; accepted: {accepted}"
                )
            resolved[name] = (level, props)
        return resolved

    def configure(self, config: Mapping[str, Any]) -> None:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, props) in self.resolve_config(config).items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = _LEVEL_VALUES[level]
            entry.properties.update(props)
        try:
            self.stub.Configure(request)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.INVALID_ARGUMENT:  # the pack named the mistake
                raise PackConfigError(e.details()) from None
            raise

    def analyze(self, r: StackResource) -> list[Diagnostic]:
        return _diagnostics(self.stub.Analyze(_analyze_request(r)), r.urn)

    def remediate(self, r: StackResource) -> list[Remediation]:
        response = self.stub.Remediate(_analyze_request(r))
        return [
            Remediation(
                rem.policyName,
                json_format.MessageToDict(rem.properties) if rem.HasField("properties") else {},
                rem.diagnostic,
            )
            for rem in response.remediations
        ]

    def analyze_stack(self, resources: Sequence[StackResource]) -> list[Diagnostic]:
        request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                analyzer_pb2.AnalyzerResource(
                    type=r.type,
                    properties=r.properties,
                    urn=r.urn,
                    name=r.name,
                    options=analyzer_pb2.AnalyzerResourceOptions(
                        protect=r.protect, parent=r.parent
                    ),
                    provider=r.provider.message() if r.provider else None,
                    parent=r.parent,
                    dependencies=list(r.dependencies),
                    propertyDependencies={
                        k: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(v))
                        for k, v in r.property_dependencies.items()
                    },
                )
                for r in resources
            ]
        )
        return _diagnostics(self.stub.AnalyzeStack(request), "")

    def close(self) -> None:
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._stderr.close()

    def __enter__(self) -> PolicyPackProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _analyze_request(r: StackResource) -> analyzer_pb2.AnalyzeRequest:
    """The request the CLI sends for one resource, to Analyze and to Remediate alike."""
    return analyzer_pb2.AnalyzeRequest(
        type=r.type,
        properties=r.properties,
        urn=r.urn,
        name=r.name,
        options=analyzer_pb2.AnalyzerResourceOptions(protect=r.protect, parent=r.parent),
        provider=r.provider.message() if r.provider else None,
    )


def _diagnostics(response: analyzer_pb2.AnalyzeResponse, default_urn: str) -> list[Diagnostic]:
    return [
        Diagnostic(d.policyName, d.message, d.urn or default_urn, _LEVELS[d.enforcementLevel])
        for d in response.diagnostics
    ]


def _main() -> None:  # pragma: no cover - a smoke check: python -m tools.analyzer policies
    with PolicyPackProcess(Path(sys.argv[1] if len(sys.argv) > 1 else "policies")) as pack:
        start = time.perf_counter()
        info = pack.info()
        print(f"{info.name}: {len(info.policies)} policies ({time.perf_counter() - start:.3f}s)")


if __name__ == "__main__":
    _main()
