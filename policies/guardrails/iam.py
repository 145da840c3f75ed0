"""IAM least privilege: no wildcard admin, no AdministratorAccess, no public trust."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from . import tokens as t
from .base import ADVISORY, MANDATORY, Config, PolicySet, Resource, where
from .iam_docs import allows, as_strings, public_principal, statements
from .props import get, items

rules = PolicySet()

ADMIN_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")
_POLICY_DOCS = (t.IAM_POLICY, t.IAM_ROLE_POLICY, t.IAM_USER_POLICY, t.IAM_GROUP_POLICY)
_ATTACHMENTS = (
    t.IAM_POLICY_ATTACHMENT,
    t.IAM_ROLE_POLICY_ATTACHMENT,
    t.IAM_USER_POLICY_ATTACHMENT,
    t.IAM_GROUP_POLICY_ATTACHMENT,
)
_EXCLUSIVE_ATTACHMENTS = (
    t.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
    t.IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE,
    t.IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE,
)


def _wildcard_action(action: Any) -> bool:
    return isinstance(action, str) and (action == "*" or action.endswith(":*"))


def _documents(r: Resource) -> list[tuple[str, Any]]:
    if r.type == t.IAM_ROLE:
        return [
            (f"inlinePolicies[{i}].policy", get(p, "policy"))
            for i, p in enumerate(items(get(r.props, "inlinePolicies")))
        ]
    return [("policy", get(r.props, "policy"))]


@rules.resource(
    name="iam-no-wildcard-admin",
    description='IAM policies do not allow "*" or "service:*" actions on "*" resources.',
    types=[*_POLICY_DOCS, t.IAM_ROLE],
    level=MANDATORY,
    fsbp=("IAM.1",),
)
def no_wildcard_admin(r: Resource, cfg: Config) -> list[str]:
    out = []
    for prop, doc in _documents(r):
        for i, s in enumerate(statements(doc)):
            # `NotResource` allows everything except what it names: as good as "*".
            every = "*" in as_strings(s.get("Resource")) or s.get("NotResource") is not None
            if not allows(s) or not every:
                continue
            broad = [a for a in as_strings(s.get("Action")) if _wildcard_action(a)]
            if s.get("NotAction") is not None:
                broad.append("NotAction")
            if broad:
                scope = (
                    '`Resource` to ARNs instead of "*"'
                    if s.get("NotResource") is None
                    else "with `Resource` listing ARNs instead of `NotResource`"
                )
                out.append(
                    f"{where(r)} allows {', '.join(map(str, broad))} on every "
                    f"resource (`{prop}` statement {i}): list the actions needed and scope "
                    f"{scope}"
                )
    return out


@rules.resource(
    name="iam-no-administrator-access",
    description="Nothing attaches the AWS-managed AdministratorAccess policy.",
    types=[*_ATTACHMENTS, *_EXCLUSIVE_ATTACHMENTS, t.IAM_ROLE],
    level=MANDATORY,
    standard="CIS AWS Foundations 1.16 (no full administrative privileges)",
)
def no_admin_access(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.IAM_ROLE:
        arns = [
            (f"managedPolicyArns[{i}]", a)
            for i, a in enumerate(items(get(r.props, "managedPolicyArns")))
        ]
    elif r.type in _EXCLUSIVE_ATTACHMENTS:
        arns = [(f"policyArns[{i}]", a) for i, a in enumerate(items(get(r.props, "policyArns")))]
    else:
        arns = [("policyArn", get(r.props, "policyArn"))]
    return [
        f"{where(r)} grants AdministratorAccess (`{prop}`): attach a policy with only the "
        "permissions the workload needs"
        for prop, arn in arns
        if isinstance(arn, str) and ADMIN_ARN.match(arn)
    ]


@rules.resource(
    name="iam-trust-not-public",
    description='Role trust policies are not open to Principal "*".',
    types=[t.IAM_ROLE],
    level=MANDATORY,
    standard="AWS docs: IAM Access Analyzer (roles trusted by anyone)",
)
def trust_not_public(r: Resource, cfg: Config) -> list[str]:
    return [
        f"{where(r)} can be assumed by anyone (statement {i} of `assumeRolePolicy` has "
        'Principal "*"): name the service or account principals allowed to assume it'
        for i, s in enumerate(statements(get(r.props, "assumeRolePolicy")))
        if allows(s) and public_principal(s)
    ]


# Actions a policy may allow on `Resource: "*"`. They read metadata only, or AWS accepts no
# narrower resource for them (the Service Authorization Reference lists no resource type), or no
# ARN is known when they run. Globs, matched case-insensitively against each action (a wildcard
# action passes only if the table names it, or it matches nothing but listed reads).
GLOBAL_ACTIONS: tuple[str, ...] = (
    # read-only metadata of any service; Get* too, except the data reads in DATA_READS
    "*:Describe*",
    "*:List*",
    "*:Get*",
    # identity and tokens
    "sts:GetCallerIdentity",
    "sts:GetSessionToken",
    "iam:GetAccountSummary",
    "iam:GetAccountPasswordPolicy",
    "ecr:GetAuthorizationToken",
    "ecr-public:GetAuthorizationToken",
    "sts:GetServiceBearerToken",
    # telemetry that accepts no resource-level permission
    "cloudwatch:PutMetricData",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
    "logs:CreateLogGroup",  # the CloudWatch agent and Lambda create their group on first run
    # Session Manager channels (no resource-level permission)
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "ec2messages:*",
    "ssm:UpdateInstanceInformation",
    # lookups without a resource
    "tag:GetResources",
    "kms:ListAliases",
    "ec2:CreateNetworkInterface",  # Lambda in a VPC: the ENI's ARN is not known in advance
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)


# Reads that return data, not configuration: never on `Resource: "*"` (they match `*:Get*` or
# `*:List*` above, or are the data-plane reads of their service). A wildcard action that could
# match one of them (`s3:Get*`, `dynamodb:*Item`) counts as a data read too.
DATA_READS: tuple[str, ...] = (
    "s3:Get*",
    "s3:ListBucket",  # object keys
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter*",
    "kms:GetParametersForImport",
    "dynamodb:Get*",
    "dynamodb:BatchGet*",
    "dynamodb:Query",
    "dynamodb:Scan",
    "kinesis:Get*",
    "sqs:ReceiveMessage",
    "logs:GetLogEvents",
    "logs:GetLogRecord",
    "logs:GetQueryResults",
    "logs:FilterLogEvents",
    "athena:GetQueryResults",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "lambda:GetFunction",
    "codecommit:GetFile",
    "codecommit:GetBlob",
    "glacier:GetJobOutput",
    "rds-data:*",
    "cognito-idp:Get*",
)


def _matches(action: str, pattern: str) -> bool:
    """Whether `action` (itself possibly a glob) can match something `pattern` names."""
    a, p = action.lower(), pattern.lower()
    return fnmatch.fnmatchcase(a, p) or fnmatch.fnmatchcase(p, a)


def _global(action: str, allowed: tuple[str, ...]) -> bool:
    if any(_matches(action, d) for d in DATA_READS):
        return False
    lowered = action.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in allowed)


@rules.resource(
    name="iam-no-wildcard-resource-writes",
    description=(
        'IAM policies allow write and data actions only on named resources, not `Resource: "*"` '
        "(read-only and inherently global actions excepted)."
    ),
    types=[*_POLICY_DOCS, t.IAM_ROLE],
    level=ADVISORY,
    standard="AWS docs: IAM security best practices (least privilege)",
    config={
        "allowedActions": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": 'More actions (globs) your organisation allows on `Resource: "*"`.',
        }
    },
)
def no_wildcard_resource_writes(r: Resource, cfg: Config) -> list[str]:
    allowed = (*GLOBAL_ACTIONS, *(a for a in cfg.get("allowedActions", []) if isinstance(a, str)))
    out = []
    for prop, doc in _documents(r):
        for i, s in enumerate(statements(doc)):
            if not allows(s) or "*" not in as_strings(s.get("Resource")):
                continue
            actions = [
                a
                for a in as_strings(s.get("Action"))
                if isinstance(a, str) and not _wildcard_action(a) and not _global(a, allowed)
            ]  # "*" and "service:*" are iam-no-wildcard-admin's
            if actions:
                out.append(
                    f"{where(r)} allows {', '.join(actions)} on every resource "
                    f"(`{prop}` statement {i}): set `Resource` to the ARNs these actions need "
                    '(e.g. "arn:aws:s3:::my-bucket/*") instead of "*"'
                )
    return out


policies = rules.policies
