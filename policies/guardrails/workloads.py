"""Workloads: container images (ECR), container tasks (ECS) and functions (Lambda).

FSBP ECR.1-3, ECS.1, ECS.4, ECS.5, ECS.8, Lambda.2 and the public-repository case of ECR
repository policies. Task definitions carry their containers as one JSON string
(`containerDefinitions`); a string that is unknown during preview (it interpolates an image URI
or a secret ARN) is skipped, never failed.
"""

from __future__ import annotations

import datetime
import fnmatch
from collections.abc import Iterator, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, MANDATORY, Config, PolicySet, Resource, where
from .iam_docs import allows, as_strings, public_principal, statements
from .props import UNKNOWN, as_bool, get, items, json_document
from .relations import Targets, of_type, referenced

rules = PolicySet()

# --- ECR -----------------------------------------------------------------------------------

# What anyone may do to a repository open to Principal "*": pull and read metadata
# (ecr:BatchGetImage, ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer,
# ecr:Describe*, ecr:List*). Any other ecr action pushes, deletes or re-permissions.
ECR_READ_VERBS = ("batchget", "batchcheck", "get", "describe", "list")


def _ecr_write(action: Any) -> bool:
    """An action (or wildcard) that matches anything beyond pulling and reading metadata."""
    if not isinstance(action, str):
        return False
    pattern = action.strip().lower()
    if pattern == "*":
        return True
    if not pattern.startswith("ecr:"):
        return False  # another service's action does nothing to the repository
    return not pattern[4:].startswith(ECR_READ_VERBS)


@rules.resource(
    name="ecr-repository-policy-not-public",
    description='ECR repository policies do not let Principal "*" push, delete or re-permission.',
    types=[t.ECR_REPOSITORY_POLICY],
    level=MANDATORY,
    standard="AWS docs: Private repository policies in Amazon ECR",
)
def ecr_policy_not_public(r: Resource, cfg: Config) -> list[str]:
    out = []
    for i, s in enumerate(statements(get(r.props, "policy"))):
        if not allows(s) or not public_principal(s) or s.get("Condition"):
            continue
        actions = as_strings(s.get("Action"))
        writes = [a for a in actions if _ecr_write(a)]
        if s.get("NotAction") is not None:
            writes.append("NotAction")
        if writes:
            out.append(
                f'{where(r)} lets anyone (Principal "*") '
                f"{', '.join(map(str, writes))} (statement {i}): name the pushing accounts or "
                'roles in `Principal`, or keep only pull actions (e.g. "ecr:BatchGetImage", '
                '"ecr:GetDownloadUrlForLayer") for "*"'
            )
    return out


@rules.resource(
    name="ecr-image-scan-on-push",
    description="ECR repositories scan images on push.",
    types=[t.ECR_REPOSITORY],
    level=ADVISORY,
    fsbp=("ECR.1",),
)
def ecr_scan_on_push(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "imageScanningConfiguration", "scanOnPush")) in (False, None):
        return [
            f"{where(r)} does not scan pushed images: set "
            "`imageScanningConfiguration.scanOnPush: true` (or turn on enhanced scanning for the "
            "registry)"
        ]
    return []


@rules.resource(
    name="ecr-tag-immutability",
    description="ECR repositories keep image tags immutable.",
    types=[t.ECR_REPOSITORY],
    level=ADVISORY,
    fsbp=("ECR.2",),
)
def ecr_tag_immutability(r: Resource, cfg: Config) -> list[str]:
    mutability = get(r.props, "imageTagMutability")
    if mutability is UNKNOWN or (
        isinstance(mutability, str) and mutability.upper().startswith("IMMUTABLE")
    ):
        return []
    return [
        f'{where(r)} lets a push overwrite an existing tag: set `imageTagMutability: "IMMUTABLE"`'
    ]


@rules.stack(
    name="ecr-lifecycle-policy",
    description="ECR repositories have a lifecycle policy.",
    level=ADVISORY,
    fsbp=("ECR.3",),
)
def ecr_lifecycle(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    repos = of_type(resources, t.ECR_REPOSITORY)
    if not repos:
        return []
    targets = Targets(repos, ["name"])
    covered: set[str] = set()
    for policy in of_type(resources, t.ECR_LIFECYCLE_POLICY):
        found, ok = referenced(policy, "repository", targets)
        if not ok:
            return []  # a policy whose repository cannot be told yet: decide after the update
        covered.update(f.urn for f in found)
    return [
        (
            repo.urn,
            f"ECR repository '{repo.name}' keeps every image forever: add an "
            "`aws.ecr.LifecyclePolicy` with `repository` set to it (e.g. expire untagged images "
            "after 14 days)",
        )
        for repo in repos
        if repo.urn not in covered
    ]


# --- ECS -----------------------------------------------------------------------------------

SECRET_NAME_PATTERNS = [
    "*PASSWORD*",
    "*PASSWD*",
    "*SECRET*",
    "*TOKEN*",
    "*_KEY",
    "*PRIVATE_KEY*",
    "*CREDENTIAL*",
    "AWS_ACCESS_KEY_ID",
    "ECS_ENGINE_AUTH_DATA",
]
# Names that match a pattern above but hold no secret: where a secret lives or how it is used
# (DB_PASSWORD_FILE is Docker's convention for a mounted secret), and common data keys.
NOT_SECRET_NAMES = [
    "*_KEY_ID", "*_KEY_ARN", "*_KEY_NAME", "*_KEY_PREFIX", "*_ARN", "*_ID", "*_NAME", "*_URL",
    "*_URI", "*_ENDPOINT", "*_PATH", "*_FILE", "*_PREFIX", "*_LENGTH", "*_POLICY", "*_REGION",
    "*PUBLIC_KEY*", "*CACHE_KEY*", "*PARTITION_KEY*", "*SORT_KEY*", "*OBJECT_KEY*", "*S3_KEY*",
]  # fmt: skip


def containers(r: Resource) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, container) of a task definition's `containerDefinitions`; none if unknown."""
    document = json_document(get(r.props, "containerDefinitions"))
    if not isinstance(document, list):
        return
    for i, container in enumerate(document):
        if isinstance(container, dict):
            yield i, container


def _looks_secret(name: str, patterns: Sequence[str], allowed: Sequence[str]) -> bool:
    upper = name.upper()
    if upper == "AWS_ACCESS_KEY_ID":
        return True
    if any(fnmatch.fnmatchcase(upper, p.upper()) for p in allowed):
        return False
    return any(fnmatch.fnmatchcase(upper, p.upper()) for p in patterns)


@rules.resource(
    name="ecs-task-secrets-not-in-environment",
    description="ECS task definitions pass credentials through `secrets`, not `environment`.",
    types=[t.ECS_TASK_DEFINITION],
    level=MANDATORY,
    fsbp=("ECS.8",),
    config={
        "secretNamePatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": SECRET_NAME_PATTERNS,
            "description": "Environment variable names (shell globs, case-insensitive) that "
            "hold credentials.",
        },
        "allowedNamePatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": NOT_SECRET_NAMES,
            "description": "Names that match a secret pattern but hold no secret (ids, ARNs).",
        },
    },
)
def ecs_secrets_not_in_environment(r: Resource, cfg: Config) -> list[str]:
    patterns = cfg.get("secretNamePatterns", SECRET_NAME_PATTERNS)
    allowed = cfg.get("allowedNamePatterns", NOT_SECRET_NAMES)
    out = []
    for i, container in containers(r):
        environment = container.get("environment")
        for entry in environment if isinstance(environment, list) else []:
            name = entry.get("name") if isinstance(entry, dict) else None
            value = entry.get("value") if isinstance(entry, dict) else None
            if value == "" or (isinstance(value, str) and value.startswith("arn:")):
                continue  # empty, or the ARN of where the secret lives
            if isinstance(name, str) and _looks_secret(name, patterns, allowed):
                out.append(
                    f"{where(r)} puts {name} in plain text in container "
                    f"{i}'s `environment`: move it to `containerDefinitions[{i}].secrets` "
                    '(`{name: "' + name + '", valueFrom: <Secrets Manager or SSM parameter '
                    "ARN>}`)"
                )
    return out


def _root(user: Any) -> bool:
    return user is None or (isinstance(user, str) and user.split(":")[0] in ("", "root", "0"))


@rules.resource(
    name="ecs-task-not-privileged",
    description=(
        "ECS containers are not privileged, and host-network tasks run as a non-root user."
    ),
    types=[t.ECS_TASK_DEFINITION],
    level=ADVISORY,
    fsbp=("ECS.1", "ECS.4"),
)
def ecs_not_privileged(r: Resource, cfg: Config) -> list[str]:
    host = get(r.props, "networkMode") == "host"
    out = []
    for i, c in containers(r):
        privileged = as_bool(c.get("privileged")) is True
        if privileged:
            out.append(
                f"{where(r)} runs container {i} privileged (root on the host): set "
                f"`containerDefinitions[{i}].privileged: false`"
            )
        elif host and _root(c.get("user")):
            out.append(
                f"{where(r)} runs container {i} as root in host network mode: set "
                f'`containerDefinitions[{i}].user` to a non-root user (e.g. "1000"), or '
                '`networkMode: "awsvpc"`'
            )
    return out


@rules.resource(
    name="ecs-task-read-only-root",
    description="ECS containers mount their root file system read-only.",
    types=[t.ECS_TASK_DEFINITION],
    level=ADVISORY,
    fsbp=("ECS.5",),
)
def ecs_read_only_root(r: Resource, cfg: Config) -> list[str]:
    return [
        f"{where(r)} lets container {i} write to its root file system: set "
        f"`containerDefinitions[{i}].readonlyRootFilesystem: true` (mount volumes for what it "
        "writes)"
        for i, c in containers(r)
        if as_bool(c.get("readonlyRootFilesystem")) in (False, None)
    ]


# --- Lambda --------------------------------------------------------------------------------

# Runtime -> the date AWS deprecated it (or will), as the AWS Lambda runtimes page lists them
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html, "Deprecated runtimes" and
# the "Deprecation date" column of "Supported runtimes"). Written offline: python3.9
# (2025-12-15), nodejs18.x (2025-09-01), python3.10/3.11 (2026-06-30) and nodejs20.x were checked
# against copies of that page's dates (tflint-ruleset-aws PR 969, endoflife.date/aws-lambda);
# confirm the rest against the page when you next edit it. Update it here only.
LAMBDA_DEPRECATED_RUNTIMES: dict[str, datetime.date] = {
    "nodejs": datetime.date(2016, 10, 31),
    "nodejs4.3": datetime.date(2020, 3, 5),
    "nodejs4.3-edge": datetime.date(2019, 4, 30),
    "nodejs6.10": datetime.date(2019, 8, 12),
    "nodejs8.10": datetime.date(2020, 3, 6),
    "nodejs10.x": datetime.date(2021, 7, 30),
    "nodejs12.x": datetime.date(2023, 3, 31),
    "nodejs14.x": datetime.date(2023, 12, 4),
    "nodejs16.x": datetime.date(2024, 6, 12),
    "nodejs18.x": datetime.date(2025, 9, 1),
    "nodejs20.x": datetime.date(2026, 4, 30),
    "python2.7": datetime.date(2021, 7, 15),
    "python3.6": datetime.date(2022, 7, 18),
    "python3.7": datetime.date(2023, 12, 4),
    "python3.8": datetime.date(2024, 10, 14),
    "python3.9": datetime.date(2025, 12, 15),
    "python3.10": datetime.date(2026, 6, 30),
    "python3.11": datetime.date(2026, 6, 30),
    "ruby2.5": datetime.date(2021, 7, 30),
    "ruby2.7": datetime.date(2023, 12, 7),
    "ruby3.2": datetime.date(2026, 3, 31),
    "java8": datetime.date(2024, 1, 8),
    "go1.x": datetime.date(2024, 1, 8),
    "provided": datetime.date(2024, 1, 8),
    "dotnetcore1.0": datetime.date(2019, 7, 30),
    "dotnetcore2.0": datetime.date(2019, 5, 30),
    "dotnetcore2.1": datetime.date(2022, 1, 5),
    "dotnetcore3.1": datetime.date(2023, 4, 3),
    "dotnet5.0": datetime.date(2022, 5, 10),
    "dotnet6": datetime.date(2024, 12, 20),
    "dotnet7": datetime.date(2024, 5, 14),
}


def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


@rules.resource(
    name="lambda-runtime-supported",
    description="Lambda functions use a runtime AWS still supports.",
    types=[t.LAMBDA_FUNCTION],
    level=ADVISORY,
    fsbp=("Lambda.2",),
)
def lambda_runtime_supported(r: Resource, cfg: Config) -> list[str]:
    runtime = get(r.props, "runtime")
    deprecated = LAMBDA_DEPRECATED_RUNTIMES.get(runtime) if isinstance(runtime, str) else None
    if deprecated is None or deprecated > today():
        return []
    return [
        f"{where(r)} runs on {runtime}, deprecated by AWS on "
        f"{deprecated.isoformat()} (no security patches): set `runtime` to a supported version "
        "of its language (see the AWS Lambda runtimes page)"
    ]


@rules.resource(
    name="lambda-function-url-not-public",
    description="Lambda function URLs require IAM auth (no public, unauthenticated URL).",
    types=[t.LAMBDA_FUNCTION_URL, t.LAMBDA_PERMISSION],
    level=ADVISORY,
    fsbp=("Lambda.1",),
)
def lambda_url_not_public(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.LAMBDA_FUNCTION_URL:
        if get(r.props, "authorizationType") == "NONE":
            return [
                f"{where(r)} lets anyone on the internet invoke the "
                'function: set `authorizationType: "AWS_IAM"` (or front it with CloudFront and '
                "origin access control)"
            ]
        return []
    if get(r.props, "principal") == "*" and get(r.props, "functionUrlAuthType") == "NONE":
        return [
            f"{where(r)} opens the function URL to anyone: set "
            '`functionUrlAuthType: "AWS_IAM"` with a named `principal`'
        ]
    return []


@rules.resource(
    name="lambda-vpc-multi-subnet",
    description="Lambda functions in a VPC use subnets of at least two AZs.",
    types=[t.LAMBDA_FUNCTION],
    level=MANDATORY,
    fsbp=("Lambda.5",),
)
def lambda_multi_subnet(r: Resource, cfg: Config) -> list[str]:
    vpc = get(r.props, "vpcConfig")
    if vpc is None or vpc is UNKNOWN:
        return []
    subnets = get(vpc, "subnetIds")
    if subnets is UNKNOWN:
        return []
    listed = [s for s in items(subnets) if s is not None]
    if len(listed) == 1:
        return [
            f"{where(r)} runs in a single subnet: list subnets of at least two "
            "AZs in `vpcConfig.subnetIds`"
        ]
    return []


policies = rules.policies
