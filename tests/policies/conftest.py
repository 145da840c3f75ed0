"""Shared helpers for the policy-pack tests: rules are imported from `policies/guardrails`."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
for path in (PACK_DIR, REPO):  # rule modules (`guardrails`) and the client (`tools.analyzer`)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from guardrails.base import GuardrailPolicy, GuardrailStackPolicy, Resource  # noqa: E402
from guardrails.pack import all_policies  # noqa: E402
from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions  # noqa: E402


@pytest.fixture(scope="session")
def policies() -> dict[str, Any]:
    return {p.name: p for p in all_policies()}


def check(policy_name: str, type_: str, props: Mapping[str, Any], **kw: Any) -> list[str]:
    """Messages of one resource policy for one resource, with the policy's default config."""
    policy = next(
        p for p in all_policies() if isinstance(p, GuardrailPolicy) and p.name == policy_name
    )
    assert isinstance(policy, GuardrailPolicy)
    assert policy.applies_to(type_), f"{policy_name} does not apply to {type_}"
    cfg = policy.effective_config(kw.pop("config", None))
    return policy.check(Resource(type_, kw.pop("name", "r"), props, kw.pop("protect", False)), cfg)


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::webstack::{type_}::{name}"


def stack_resources(
    specs: Sequence[tuple[str, str, Mapping[str, Any]]],
    property_dependencies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> list[PolicyResource]:
    """PolicyResources as the SDK builds them; dependencies are given by resource name."""
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    by_name = {
        name: PolicyResource(type_, props, urn(type_, name), name, opts, None, None, [], {})
        for type_, name, props in specs
    }
    for name, deps in (property_dependencies or {}).items():
        by_name[name].property_dependencies = {k: [by_name[d] for d in v] for k, v in deps.items()}
    return list(by_name.values())


def stack_check(
    policy_name: str, resources: list[PolicyResource], config: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    policy = next(
        p for p in all_policies() if isinstance(p, GuardrailStackPolicy) and p.name == policy_name
    )
    return policy.check(resources, policy.effective_config(config))


@pytest.fixture(scope="module")
def pack():
    """The pack started exactly as the CLI starts it, with its own virtualenv; once per module."""
    from tools.analyzer import PolicyPackProcess

    python = PACK_DIR / "venv" / "bin" / "python"
    if not python.exists():
        pytest.fail(
            f"{python} is missing: run `make policies-venv` (python3 -m venv policies/venv && "
            "policies/venv/bin/pip install -r policies/requirements.txt)",
            pytrace=False,
        )
    with PolicyPackProcess(PACK_DIR) as process:
        yield process
