"""The CI roles ship as documents (deploy/) that the policy pack itself checks, over its protocol.

Each stack gets two roles assumed through GitHub's OIDC provider: ``github-webstack-<stack>-
preview`` (pull requests, read-only) and ``github-webstack-<stack>-deploy`` (only jobs of the
GitHub environment named after the stack). The documents carry three placeholders, filled in
with ``envsubst`` when the roles are created (docs/delivery.md).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.analyzer import PolicyPackProcess, StackResource
from tools.stackfile import known_stacks

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PLACEHOLDERS = {"AWS_ACCOUNT_ID", "GITHUB_REPOSITORY", "STACK"}
ACCOUNT = "123456789012"
REPOSITORY = "example-org/webstack"
ROLES = ("deploy", "preview")
OIDC_PROVIDER = "token.actions.githubusercontent.com"
# IAM quotas: a managed policy document holds at most 6,144 characters without whitespace; a
# trust policy 2,048 by default.
MANAGED_POLICY_MAX = 6144
TRUST_POLICY_MAX = 2048


def render(name: str, stack: str) -> str:
    text = (DEPLOY / name).read_text()
    return (
        text.replace("${AWS_ACCOUNT_ID}", ACCOUNT)
        .replace("${GITHUB_REPOSITORY}", REPOSITORY)
        .replace("${STACK}", stack)
    )


def documents(stack: str) -> dict[str, dict[str, str]]:
    """role -> {"trust": ..., "permissions": ...} rendered for ``stack``."""
    return {
        role: {
            "trust": render(f"trust-policy.{role}.json", stack),
            "permissions": render(f"permissions.{role}.json", stack),
        }
        for role in ROLES
    }


def as_resources(stack: str, role: str, trust: str, permissions: str) -> list[StackResource]:
    name = f"github-webstack-{stack}-{role}"
    return [
        StackResource.of(
            "aws:iam/role:Role", name, {"assumeRolePolicy": trust, "name": name}, stack=stack
        ),
        StackResource.of("aws:iam/policy:Policy", name, {"policy": permissions}, stack=stack),
    ]


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    """The pack as the CLI starts it, with production's config (the strictest shipped)."""
    python = ROOT / "policies" / "venv" / "bin" / "python"
    if not python.exists():
        pytest.fail(f"{python} is missing: run `make policies-venv`", pytrace=False)
    with PolicyPackProcess(ROOT / "policies") as process:
        process.configure(json.loads((ROOT / "policies/config/prod.json").read_text()))
        yield process


def test_the_documents_are_the_four_expected_with_only_known_placeholders() -> None:
    names = sorted(p.name for p in DEPLOY.glob("*.json"))
    assert names == [
        "permissions.deploy.json",
        "permissions.preview.json",
        "trust-policy.deploy.json",
        "trust-policy.preview.json",
    ]
    for name in names:
        text = (DEPLOY / name).read_text()
        assert set(re.findall(r"\$\{([A-Z_]+)\}", text)) <= PLACEHOLDERS, name
        json.loads(text)


@pytest.mark.parametrize("stack", known_stacks(ROOT))
def test_every_stacks_role_documents_pass_the_pack(pack: PolicyPackProcess, stack: str) -> None:
    resources = [
        resource
        for role, docs in documents(stack).items()
        for resource in as_resources(stack, role, docs["trust"], docs["permissions"])
    ]
    assert len(resources) == 4
    findings = [d for r in resources for d in pack.analyze(r)]
    findings += pack.analyze_stack(resources)
    assert findings == []


def _with_statement(document: str, statement: dict[str, Any]) -> str:
    parsed = json.loads(document)
    parsed["Statement"].append(statement)
    return json.dumps(parsed)


@pytest.mark.parametrize("action", ["*", "ec2:*", ["s3:GetObject", "iam:*"]])
def test_a_wildcard_action_on_every_resource_is_refused(pack: PolicyPackProcess, action) -> None:
    docs = documents("prod")["deploy"]
    broad = _with_statement(
        docs["permissions"], {"Effect": "Allow", "Action": action, "Resource": "*"}
    )
    [role, policy] = as_resources("prod", "deploy", docs["trust"], broad)
    assert pack.analyze(role) == []
    [diagnostic] = pack.analyze(policy)
    assert (diagnostic.policy_name, diagnostic.level) == ("iam-no-wildcard-admin", "mandatory")
    assert "on every resource" in diagnostic.message


def test_a_trust_policy_open_to_anyone_is_refused(pack: PolicyPackProcess) -> None:
    docs = documents("prod")["deploy"]
    public = _with_statement(
        docs["trust"], {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    )
    [role, _] = as_resources("prod", "deploy", public, docs["permissions"])
    [diagnostic] = pack.analyze(role)
    assert (diagnostic.policy_name, diagnostic.level) == ("iam-trust-not-public", "mandatory")


@pytest.mark.parametrize(
    ("role", "subject"), [("deploy", "environment:prod"), ("preview", "pull_request")]
)
def test_only_this_repositorys_oidc_tokens_for_the_right_job_may_assume(role, subject) -> None:
    trust = json.loads(documents("prod")[role]["trust"])
    [statement] = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC_PROVIDER}"
    }
    # StringEquals, never StringLike: no wildcard can widen the subject.
    assert statement["Condition"] == {
        "StringEquals": {
            f"{OIDC_PROVIDER}:aud": "sts.amazonaws.com",
            f"{OIDC_PROVIDER}:sub": f"repo:{REPOSITORY}:{subject}",
        }
    }


def _statements(document: str) -> list[dict[str, Any]]:
    return list(json.loads(document)["Statement"])


def test_the_preview_role_cannot_change_anything() -> None:
    actions = [
        action
        for statement in _statements(documents("prod")["preview"]["permissions"])
        for action in statement["Action"]
    ]
    verbs = {action.split(":", 1)[1] for action in actions}
    read_only = ("Describe", "Get", "List")
    assert sorted(v for v in verbs if not v.startswith(read_only)) == []


def test_the_deploy_role_cannot_touch_the_ci_roles_or_attach_other_policies() -> None:
    statements = _statements(documents("prod")["deploy"]["permissions"])
    iam = [s for s in statements if any(a.startswith("iam:") for a in s["Action"])]
    assert len(iam) == 3
    for statement in iam:
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        for ci_role in ("github-webstack-prod-deploy", "github-webstack-prod-preview"):
            arn = f"arn:aws:iam::{ACCOUNT}:role/{ci_role}"
            assert not any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources)
        # A stack's roles only: another stack's name never matches.
        assert not any(
            fnmatch.fnmatchcase(f"arn:aws:iam::{ACCOUNT}:role/webstack-dev-web-1a2b3c4", p)
            for p in resources
        )
    [attach] = [s for s in iam if "iam:AttachRolePolicy" in s["Action"]]
    assert list(attach["Condition"]["ArnEquals"]) == ["iam:PolicyARN"]
    assert not any(
        "AdministratorAccess" in arn for arn in attach["Condition"]["ArnEquals"]["iam:PolicyARN"]
    )


@pytest.mark.parametrize("stack", known_stacks(ROOT))
def test_the_documents_fit_iams_size_quotas(stack: str) -> None:
    for role, docs in documents(stack).items():
        compact = {
            k: len(json.dumps(json.loads(v), separators=(",", ":"))) for k, v in docs.items()
        }
        assert compact["permissions"] <= MANAGED_POLICY_MAX, role
        assert compact["trust"] <= TRUST_POLICY_MAX, role
