"""Helpers for the policy-pack tests: run one rule as a function, or a stack of resources.

Rules come from `policies/guardrails` (on the path through pytest's `pythonpath`), with each
policy's default config, exactly as the pack builds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from guardrails.base import AnyPolicy, GuardrailPolicy, GuardrailStackPolicy, Resource
from guardrails.pack import all_policies
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
)

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
POLICIES: dict[str, AnyPolicy] = {p.name: p for p in all_policies()}


def resource_policy(name: str) -> GuardrailPolicy:
    policy = POLICIES[name]
    assert isinstance(policy, GuardrailPolicy), f"{name} is not a resource policy"
    return policy


def check(policy_name: str, type_: str, props: Mapping[str, Any], **kw: Any) -> list[str]:
    """Messages of one resource policy for one resource, with the policy's default config."""
    policy = resource_policy(policy_name)
    assert policy.applies_to(type_), f"{policy_name} does not apply to {type_}"
    cfg = policy.effective_config(kw.pop("config", None))
    return policy.check(Resource(type_, kw.pop("name", "r"), props, kw.pop("protect", False)), cfg)


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::webstack::{type_}::{name}"


def provider(region: str, name: str = "aws") -> PolicyProviderResource:
    """An explicit AWS provider of `region`, as the SDK hands it to stack policies."""
    return PolicyProviderResource(
        "pulumi:providers:aws", {"region": region}, urn("pulumi:providers:aws", name), name
    )


def stack_resources(
    specs: Sequence[tuple[str, str, Mapping[str, Any]]],
    property_dependencies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    providers: Mapping[str, PolicyProviderResource] | None = None,
) -> list[PolicyResource]:
    """PolicyResources as the SDK builds them; dependencies and providers are given by name."""
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    by_name = {
        name: PolicyResource(
            type_,
            props,
            urn(type_, name),
            name,
            opts,
            (providers or {}).get(name),
            None,
            [],
            {},
        )
        for type_, name, props in specs
    }
    for name, deps in (property_dependencies or {}).items():
        by_name[name].property_dependencies = {k: [by_name[d] for d in v] for k, v in deps.items()}
    return list(by_name.values())


def stack_check(
    policy_name: str, resources: list[PolicyResource], config: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    policy = POLICIES[policy_name]
    assert isinstance(policy, GuardrailStackPolicy), f"{policy_name} is not a stack policy"
    return policy.check(resources, policy.effective_config(config))
