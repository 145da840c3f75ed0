"""Serving the pack: the SDK's analyzer, with a faster `Analyze`.

Why this exists: the SDK's `_PolicyAnalyzerServicer.Analyze` deserializes a resource's
properties once per policy and runs every policy on every resource, which caps a pack of ~40
policies at a few hundred resources/s. This servicer deserializes once per request and runs
only the policies registered for the resource's type (policies that declare no types still run
on every resource). Levels, config, diagnostics, not-applicable reports and the handling of
preview unknowns are the SDK's own (same helpers, same messages).

This is the ONE module that touches pulumi-policy's private internals (underscore names of
`pulumi_policy.policy`, the servicer's helper methods and its name-mangled stack tags). They
can change in any release, so the module refuses to load unless the installed pulumi-policy is
exactly the version pinned in `policies/requirements.txt`: a pin bump must come with a re-read
of the SDK's servicer and `tests/policies/test_pack.py` (which compares answers with the SDK's).
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

SDK_DISTRIBUTION = "pulumi-policy"
REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"


class SdkVersionMismatch(RuntimeError):
    """The installed pulumi-policy is not the version this module was written against."""


def pinned_version(requirements: str, distribution: str = SDK_DISTRIBUTION) -> str:
    """The exact `name==version` pin of `distribution` in a requirements file's text."""
    wanted = re.sub(r"[-_.]+", "-", distribution).lower()
    for line in requirements.splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s#;]+).*", line)
        if match and re.sub(r"[-_.]+", "-", match[1]).lower() == wanted:
            return match[2]
    raise SdkVersionMismatch(f"{REQUIREMENTS.name} pins no exact version of {distribution}")


def check_sdk_version(installed: str, pinned: str) -> None:
    if installed != pinned:
        raise SdkVersionMismatch(
            f"the policy pack serves through private internals of {SDK_DISTRIBUTION} {pinned} "
            f"(policies/guardrails/server.py), but {installed} is installed: reinstall the pack's "
            f"virtualenv from policies/requirements.txt (make policies-venv), or re-check "
            f"server.py against {installed} and update the pin"
        )


# Before any private import: a different SDK may not even have these names.
check_sdk_version(
    importlib.metadata.version(SDK_DISTRIBUTION), pinned_version(REQUIREMENTS.read_text())
)

import asyncio  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from concurrent import futures  # noqa: E402
from inspect import isawaitable  # noqa: E402
from typing import Any  # noqa: E402

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from pulumi.runtime import proto  # noqa: E402
from pulumi.runtime.proto import analyzer_pb2_grpc  # noqa: E402
from pulumi_policy import (  # noqa: E402
    EnforcementLevel,
    Policy,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties  # noqa: E402
from pulumi_policy.policy import (  # noqa: E402
    _GRPC_CHANNEL_OPTIONS,
    _ONE_DAY_IN_SECONDS,
    _POLICY_PACK_NAME_RE,
    _NotApplicableError,
    _PolicyAnalyzerServicer,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy  # noqa: E402

from .config_check import configure_errors  # noqa: E402

# Python packs report this version; the CLI uses PulumiPolicy.yaml's `version` (as the SDK).
_VERSION = "0.0.1"


class FastAnalyzerServicer(_PolicyAnalyzerServicer):
    def __init__(self, name: str, version: str, policies: list[Policy], *args: Any, **kw: Any):
        super().__init__(name, version, policies, *args, **kw)
        self._pack_name = name
        self._pack_version = version
        self._resource_policies = [p for p in policies if isinstance(p, ResourceValidationPolicy)]
        self._stack_policies = [p for p in policies if isinstance(p, StackValidationPolicy)]
        self._by_type: dict[str, list[ResourceValidationPolicy]] = {}
        self._runtime_configured = False

    def Configure(self, request: Any, context: Any) -> Any:
        """The SDK's Configure, after checking the request: every mistake one line, as an
        INVALID_ARGUMENT error the CLI prints (never a traceback, never a check silently off)."""
        schemas = {
            p.name: dict(getattr(p, "schema", None) or _schema_properties(p))
            for p in self._resource_policies + self._stack_policies
        }
        config = {
            name: (
                _LEVEL_NAMES.get(entry.enforcementLevel),
                json_format.MessageToDict(entry.properties),
            )
            for name, entry in request.policyConfig.items()
        }
        errors = configure_errors(config, schemas)
        if errors:
            message = f"policy pack {self._pack_name}: " + "; ".join(errors)
            if context is None:  # called in process (tests)
                raise ValueError(message)
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, message)
        return super().Configure(request, context)

    def policies_for(self, resource_type: str) -> list[ResourceValidationPolicy]:
        found = self._by_type.get(resource_type)
        if found is None:
            found = [
                p
                for p in self._resource_policies
                if (applies := getattr(p, "applies_to", None)) is None or applies(resource_type)
            ]
            self._by_type[resource_type] = found
        return found

    def _configure_runtime_once(self) -> None:
        # The environment the SDK re-reads per request does not change within the process.
        if not self._runtime_configured:
            self._configure_runtime_settings()
            self._runtime_configured = True

    def Analyze(self, request: Any, _context: Any) -> Any:
        self._configure_runtime_once()
        response = proto.AnalyzeResponse()
        policies = self.policies_for(request.type)
        if not policies:
            return response

        props = opts = provider = None
        stack_tags = getattr(self, "_PolicyAnalyzerServicer__stack_tags")  # noqa: B009
        for policy in policies:
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED:
                continue
            if not policy.has_validation():
                response.not_applicable.append(
                    proto.PolicyNotApplicable(
                        policy_name=policy.name, reason="Policy does not implement validate"
                    )
                )
                continue
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY
            report_violation = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            if props is None:
                props = unknown_checking_proxy(
                    deserialize_properties(struct_to_dict(request.properties))
                )
                opts = self._get_resource_options(request)
                provider = self._get_provider_resource(request)
            args = ResourceValidationArgs(
                request.type,
                props,
                request.urn,
                request.name,
                opts,  # type: ignore[arg-type]
                provider,
                self._get_policy_config(policy.name),
                stack_tags,
            )
            self._run(policy, args, report_violation, response)
        return response

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:
        # The SDK rebuilds every resource once per stack policy; build them once for all.
        self._configure_runtime_once()
        response = proto.AnalyzeResponse()
        policies = [
            (policy, level)
            for policy in self._stack_policies
            if (level := self._get_enforcement_level(policy)) != EnforcementLevel.DISABLED
        ]
        if not policies:
            return response
        resources = self._stack_resources(request)
        stack_tags = getattr(self, "_PolicyAnalyzerServicer__stack_tags")  # noqa: B009
        for policy, level in policies:
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY  # stack policies cannot remediate
            report_violation = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            args = StackValidationArgs(resources, self._get_policy_config(policy.name), stack_tags)
            self._run(policy, args, report_violation, response)
        return response

    def _stack_resources(self, request: Any) -> list[PolicyResource]:
        """The SDK's PolicyResource graph (parents, dependencies), deserialized once."""
        built: list[tuple[PolicyResource, Any]] = []
        by_urn: dict[str, PolicyResource] = {}
        providers: dict[str, Any] = {}  # a stack has a few providers: deserialize each once
        for r in request.resources:
            props = unknown_checking_proxy(deserialize_properties(struct_to_dict(r.properties)))
            key = r.provider.urn if r.HasField("provider") else ""
            if key not in providers:
                providers[key] = self._get_provider_resource(r)
            resource = PolicyResource(
                r.type,
                props,
                r.urn,
                r.name,
                self._get_resource_options(r),
                providers[key],
                None,
                [],
                {},
            )
            built.append((resource, r))
            by_urn[r.urn] = resource
        for resource, r in built:
            if r.parent:
                resource.parent = by_urn.get(r.parent)
            resource.dependencies.extend(by_urn[d] for d in r.dependencies if d in by_urn)
            for key, deps in r.propertyDependencies.items():
                resource.property_dependencies[key] = [by_urn[d] for d in deps.urns if d in by_urn]
        return [resource for resource, _ in built]

    def _run(self, policy: Any, args: Any, report_violation: Any, response: Any) -> None:
        """Validate as the SDK does: awaitables awaited, unknowns and not-applicable reported."""
        try:
            result = policy.validate(args, report_violation)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(asyncio.Task(result, loop=loop))  # type: ignore[arg-type]
                loop.close()
        except UnknownValueError as e:
            response.diagnostics.append(self._cannot_run(policy, e.message))
        except _NotApplicableError as e:
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or "")
            )

    def _cannot_run(self, policy: Policy, reason: str) -> Any:
        return proto.AnalyzeDiagnostic(
            policyName=policy.name,
            policyPackName=self._pack_name,
            policyPackVersion=self._pack_version,
            message=(
                f"can't run policy '{policy.name}' from policy pack "
                f"'{self._pack_name}@v{self._pack_version}' during preview: {reason}"
            ),
            urn="",
            description=policy.description,
            enforcementLevel=self._map_enforcement_level(EnforcementLevel.ADVISORY),
        )


_LEVEL_NAMES = {
    proto.ADVISORY: "advisory",
    proto.MANDATORY: "mandatory",
    proto.REMEDIATE: "remediate",
    proto.DISABLED: "disabled",
}


def _schema_properties(policy: Policy) -> dict[str, Any]:
    schema = getattr(policy, "config_schema", None)
    return dict(getattr(schema, "properties", None) or {})


def _value(value: Any) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return struct_to_dict(value.struct_value)
    if kind == "list_value":
        return [_value(v) for v in value.list_value.values]
    if kind is None or kind == "null_value":
        return None
    return getattr(value, kind)


def struct_to_dict(struct: Any) -> dict[str, Any]:
    """`json_format.MessageToDict` for a Struct (same result), without its generic walk."""
    return {k: _value(v) for k, v in struct.fields.items()}


def _check_pack_args(
    name: Any,
    policies: Any,
    enforcement_level: Any,
    initial_config: Any,
) -> None:
    """`PolicyPack.__init__`'s argument validation, same errors."""
    if not name:
        raise TypeError("Missing name argument")
    if not isinstance(name, str):
        raise TypeError("Expected name to be a string")
    if _POLICY_PACK_NAME_RE.match(name) is None:
        raise TypeError(
            f"Invalid policy pack name {name}. Policy pack names may only contain "
            "alphanumerics, hyphens, underscores, or periods."
        )
    if not policies:
        raise TypeError("Missing policies argument")
    if not isinstance(policies, list):
        raise TypeError("Expected policies to be a list of policies")
    for policy in policies:
        if not isinstance(policy, Policy):
            raise TypeError("Expected each policy in policies to be a Policy")
    names = [p.name for p in policies]
    if len(set(names)) != len(names):
        raise TypeError("Policy names must be unique within a pack")
    if enforcement_level is not None and not isinstance(enforcement_level, EnforcementLevel):
        raise TypeError("Expected enforcement_level to be an EnforcementLevel")
    if initial_config is not None:
        if not isinstance(initial_config, dict):
            raise TypeError("Expected initial_config to be a dict")
        for k, v in initial_config.items():
            if not isinstance(k, str):
                raise TypeError("Expected initial_config key to be a string")
            if not isinstance(v, EnforcementLevel | dict):
                raise TypeError(f"Expected initial_config['{k}'] to be an EnforcementLevel or dict")
            if isinstance(v, dict) and any(not isinstance(vk, str) for vk in v):
                raise TypeError(f"Expected initial_config['{k}'] key to be a string")


def build_servicer(
    name: str,
    policies: Sequence[Policy],
    enforcement_level: EnforcementLevel | None = None,
    initial_config: dict[str, Any] | None = None,
    description: str | None = None,
    display_name: str | None = None,
    readme: str | None = None,
    provider: str | None = None,
    tags: list[str] | None = None,
    repository: str | None = None,
) -> FastAnalyzerServicer:
    _check_pack_args(name, policies, enforcement_level, initial_config)
    return FastAnalyzerServicer(
        name,
        _VERSION,
        list(policies),
        enforcement_level if enforcement_level is not None else EnforcementLevel.ADVISORY,
        initial_config,
        description,
        display_name,
        readme,
        provider,
        tags,
        repository,
    )


def serve(name: str, policies: list[Policy], **kwargs: Any) -> None:
    """What `PolicyPack(...)` does, with the fast servicer: listen, print the port, block."""
    servicer = build_servicer(name, policies, **kwargs)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=_GRPC_CHANNEL_OPTIONS)
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(servicer, server)
    port = server.add_insecure_port(address="127.0.0.1:0")
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.flush()
    try:
        while True:
            time.sleep(_ONE_DAY_IN_SECONDS)
    except KeyboardInterrupt:
        server.stop(0)
