# ruff: noqa: E501 - rule tables read best one case per line
"""The pack as a whole: metadata, default levels, config files, and the fast servicer."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import guardrails
import jsonschema
import pytest
from google.protobuf import json_format
from guardrails import tokens as t
from guardrails.base import WEBSTACK_CONVENTION, PolicySet
from guardrails.pack import PACK_NAME, all_policies
from guardrails.server import build_servicer
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _PolicyAnalyzerServicer
from support import PACK_DIR

from tools.analyzer import UNKNOWN, secret, serialize

MANDATORY_MODULES = {
    "encryption",
    "encryption_other_services",
    "multi_az",
    "security_groups",
    "network",
    "exposure",
    "iam",
}
# Mandatory by default: what an AWS standard (FSBP, CIS) or AWS documentation asks within the
# pack's concerns (encryption, multi-AZ, least privilege and exposure). Exceptions both ways:
ADVISORY_EXCEPTIONS = {
    "log-group-encrypted",  # CloudWatch Logs already encrypts; a CMK is defence in depth
    "sg-data-tier-egress",  # no FSBP control: webstack convention
    "iam-no-wildcard-resource-writes",  # least privilege beyond IAM.1: advisory for others
    "redshift-enhanced-vpc-routing",  # routing, not reachability
}
MANDATORY_EXCEPTIONS = {
    "ecr-repository-policy-not-public",  # exposure, in the workloads module
    "ecs-task-secrets-not-in-environment",  # exposure of credentials (ECS.8)
    "lambda-vpc-multi-subnet",  # multi-AZ (Lambda.5)
    "cloudfront-origin-group-read-only",  # CloudFront refuses the configuration
}
CONFIG_FILES = sorted((PACK_DIR / "config").glob("*.json"))


def test_every_policy_is_named_described_and_levelled_by_its_concern():
    for policy in all_policies():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", policy.name), policy.name
        assert policy.description and policy.description.endswith("."), policy.name
        concern = policy.check.__module__.rsplit(".", 1)[-1]
        mandatory = (
            concern in MANDATORY_MODULES and policy.name not in ADVISORY_EXCEPTIONS
        ) or policy.name in MANDATORY_EXCEPTIONS
        expected = EnforcementLevel.MANDATORY if mandatory else EnforcementLevel.ADVISORY
        assert policy.enforcement_level == expected, policy.name


def test_every_policy_names_its_standard_and_no_convention_is_mandatory_by_default():
    for policy in all_policies():
        assert policy.standard, policy.name
        assert policy.standard.startswith(("FSBP ", "CIS ", "AWS docs: ", WEBSTACK_CONVENTION))
        if policy.standard == WEBSTACK_CONVENTION:
            assert policy.enforcement_level != EnforcementLevel.MANDATORY, policy.name


def test_webstacks_own_prod_and_staging_make_the_relaxed_defaults_mandatory():
    for env in ("prod", "staging"):
        config = json.loads((PACK_DIR / "config" / f"{env}.json").read_text())
        for name in (
            "log-group-encrypted",
            "sg-data-tier-egress",
            "iam-no-wildcard-resource-writes",
        ):
            entry = config[name]
            level = entry if isinstance(entry, str) else entry["enforcementLevel"]
            assert level == "mandatory", (env, name)
        # Only the CI deployer (deploy/permissions.deploy.json) creates what has no ARN yet.
        assert config["iam-no-wildcard-resource-writes"]["exemptNames"] == ["github-*-deploy"]


def test_no_policy_remediates_by_default_and_all_take_exempt_names():
    for policy in all_policies():
        assert policy.enforcement_level != EnforcementLevel.REMEDIATE
        assert policy.config_schema is not None
        assert "exemptNames" in policy.config_schema.properties


def test_pack_does_not_depend_on_the_program_or_aws_sdks():
    sources = "\n".join(p.read_text() for p in (PACK_DIR / "guardrails").glob("*.py"))
    sources += (PACK_DIR / "__main__.py").read_text()
    assert not re.search(r"^\s*(from|import)\s+(components|pulumi_aws|boto3)\b", sources, re.M)
    lines = (PACK_DIR / "requirements.txt").read_text().lower().splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    assert all("==" in line for line in pins), pins
    assert {"pulumi-policy==1.21.0", "pulumi==3.272.0"} <= set(pins)
    assert not [p for p in pins if p.startswith(("pulumi-aws", "pulumi_aws", "boto"))]
    assert "virtualenv: venv" in (PACK_DIR / "PulumiPolicy.yaml").read_text()


@pytest.mark.parametrize("path", CONFIG_FILES, ids=[p.name for p in CONFIG_FILES])
def test_config_files_validate_against_the_published_schemas(pack, path: Path):
    schemas = {p.name: json_format.MessageToDict(p.configSchema) for p in pack.info().policies}
    levels = {"type": "string", "enum": ["advisory", "mandatory", "remediate", "disabled"]}
    config = json.loads(path.read_text())
    assert config, f"{path} is empty"
    for name, value in config.items():
        assert name in schemas or name == "all", f"{path.name}: unknown policy {name}"
        if isinstance(value, str):
            jsonschema.validate(value, levels)
            continue
        schema = {
            "type": "object",
            "properties": {**schemas[name].get("properties", {}), "enforcementLevel": levels},
            "additionalProperties": False,
        }
        jsonschema.validate(value, schema)
    pack.resolve_config(config)  # the client resolves it as the CLI would


def _requests():
    bad_sg = {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]}  # fmt: skip
    cases: list[tuple[str, dict[str, Any]]] = [
        (t.RDS_CLUSTER, {"storageEncrypted": False, "tags": {"a": UNKNOWN}}),
        (t.RDS_CLUSTER, {"storageEncrypted": UNKNOWN}),
        (t.SECURITY_GROUP, bad_sg),
        (t.IAM_POLICY, {"policy": secret('{"Statement": [{"Action": "*", "Resource": "*"}]}')}),
        (t.LAUNCH_TEMPLATE, {"metadataOptions": {"httpTokens": "optional"}}),
        (t.VPC, {"cidrBlock": "10.0.0.0/16"}),
        ("aws:ec2/eip:Eip", {}),
        (
            t.SECURITY_GROUP,
            {
                "ingress": [
                    {
                        "protocol": "tcp",
                        "fromPort": 8443,
                        "toPort": 8443,
                        "cidrBlocks": ["0.0.0.0/0"],
                    }
                ]
            },
        ),
        (
            t.SG_INGRESS_RULE,
            {"ipProtocol": "tcp", "fromPort": 1000, "toPort": 1050, "cidrIpv4": "0.0.0.0/0"},
        ),
        (t.RDS_INSTANCE, {"storageEncrypted": True, "backupRetentionPeriod": 7}),
    ]
    for i, (type_, props) in enumerate(cases):
        yield analyzer_pb2.AnalyzeRequest(
            type=type_, properties=serialize(props), urn=f"urn:{i}", name=f"r{i}"
        )


def test_fast_servicer_answers_exactly_like_the_sdk():
    policies: list[Policy] = list(all_policies())
    fast = build_servicer(PACK_NAME, policies)
    stock = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", policies, EnforcementLevel.ADVISORY)
    configs: list[dict[str, tuple[str, dict[str, Any]]]] = [
        {},
        {"rds-storage-encrypted": ("disabled", {}), "imdsv2-required": ("remediate", {})},
        {  # per-policy properties, as the CLI sends them
            "sg-world-ingress-allowed-ports": ("mandatory", {"allowedPorts": [443, 8443]}),
            "sg-world-ingress-forbidden": (
                "mandatory",
                {"forbiddenPorts": [22], "maxPortRange": 100},
            ),
            "rds-storage-encrypted": ("mandatory", {"exemptNames": ["r0", "re:^r1$"]}),
            "db-backup-retention": ("advisory", {"minimumDays": 14}),
        },
    ]
    for config in configs:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, props) in config.items():
            request.policyConfig[name].enforcementLevel = analyzer_pb2.EnforcementLevel.Value(level.upper())  # fmt: skip
            request.policyConfig[name].properties.update(props)
        fast.Configure(request, None)
        stock.Configure(request, None)
        for req in _requests():
            assert fast.Analyze(req, None) == stock.Analyze(req, None), req.type


def _stack_request(resources: list[tuple[str, str, dict[str, Any], dict[str, list[str]]]]):
    return analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=type_,
                properties=serialize(props),
                urn=f"urn:{name}",
                name=name,
                dependencies=[f"urn:{d}" for ds in deps.values() for d in ds],
                propertyDependencies={
                    k: analyzer_pb2.AnalyzerPropertyDependencies(urns=[f"urn:{d}" for d in v])
                    for k, v in deps.items()
                },
            )
            for type_, name, props, deps in resources
        ]
    )


def test_fast_stack_analysis_answers_exactly_like_the_sdk():
    policies: list[Policy] = list(all_policies())
    fast = build_servicer(PACK_NAME, policies)
    stock = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", policies, EnforcementLevel.ADVISORY)
    request = _stack_request(
        [
            (t.VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}, {}),
            (
                t.SUBNET,
                "a",
                {"vpcId": UNKNOWN, "availabilityZone": "eu-west-1a"},
                {"vpcId": ["vpc"]},
            ),
            (
                t.SUBNET,
                "b",
                {"vpcId": UNKNOWN, "availabilityZone": "eu-west-1a"},
                {"vpcId": ["vpc"]},
            ),
            (
                t.AUTOSCALING_GROUP,
                "asg",
                {"vpcZoneIdentifiers": [UNKNOWN, UNKNOWN], "maxSize": 2, "minSize": 2},
                {"vpcZoneIdentifiers": ["a", "b"]},
            ),
            (t.RDS_CLUSTER, "db", {"engine": "aurora-postgresql", "storageEncrypted": True}, {}),
            (
                t.RDS_CLUSTER_INSTANCE,
                "db-1",
                {"clusterIdentifier": UNKNOWN},
                {"clusterIdentifier": ["db"]},
            ),
        ]
    )
    diagnostics = stock.AnalyzeStack(request, None).diagnostics
    # a one-AZ ASG, a lone cluster instance, a VPC without flow logs
    assert sorted(d.policyName for d in diagnostics) == [
        "asg-multi-az",
        "aurora-cluster-min-instances",
        "vpc-flow-logs",
    ]
    for config in ({}, {"vpc-flow-logs": "mandatory", "asg-multi-az": "disabled"}):
        configure = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, level in config.items():
            configure.policyConfig[name].enforcementLevel = analyzer_pb2.EnforcementLevel.Value(level.upper())  # fmt: skip
        fast.Configure(configure, None)
        stock.Configure(configure, None)
        assert fast.AnalyzeStack(request, None) == stock.AnalyzeStack(request, None)


def test_pack_argument_validation_matches_the_sdk():
    with pytest.raises(TypeError, match="Invalid policy pack name"):
        build_servicer("bad name!", all_policies())
    with pytest.raises(TypeError, match="Missing policies"):
        build_servicer("ok", [])


# --- the SDK fence and publishing -------------------------------------------------------------


def test_the_sdk_fence_reads_the_exact_pin_and_refuses_any_other_version():
    from guardrails import server

    requirements = (PACK_DIR / "requirements.txt").read_text()
    assert server.pinned_version(requirements) == "1.21.0"
    assert server.pinned_version("pulumi_policy == 2.0.1  # comment\n") == "2.0.1"
    server.check_sdk_version("1.21.0", "1.21.0")
    with pytest.raises(server.SdkVersionMismatch, match=r"pulumi-policy 1\.21\.0 .* but 1\.22\.0"):
        server.check_sdk_version("1.22.0", "1.21.0")
    with pytest.raises(server.SdkVersionMismatch, match="pins no exact version"):
        server.pinned_version("pulumi-policy>=1.0\n")


def test_the_pack_refuses_to_start_on_an_sdk_other_than_the_pinned_one(tmp_path: Path):
    shutil.copytree(
        PACK_DIR, tmp_path / "pack", ignore=shutil.ignore_patterns("venv", "__pycache__")
    )
    pinned = tmp_path / "pack" / "requirements.txt"
    pinned.write_text(pinned.read_text().replace("pulumi-policy==1.21.0", "pulumi-policy==1.0.0"))
    started = subprocess.run(
        [str(PACK_DIR / "venv" / "bin" / "python"), str(tmp_path / "pack" / "__main__.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    assert started.stdout == ""  # no port printed: the CLI never talks to it
    last = started.stderr.strip().splitlines()[-1]
    assert last.startswith("guardrails.server.SdkVersionMismatch: the policy pack serves through")
    assert "pulumi-policy 1.0.0" in last and "but 1.21.0 is installed" in last


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding only the pack's own .gitignore (no ignore file above it)."""
    root = tmp_path_factory.mktemp("publish")
    shutil.copy(PACK_DIR / ".gitignore", root / ".gitignore")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _ignored(root: Path, path: str) -> bool:
    # `pulumi policy publish` archives with .gitignore rules (pulumi's archive.TGZ).
    found = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=root, check=False)
    assert found.returncode in (0, 1), found
    return found.returncode == 0


@pytest.mark.parametrize(
    "path", ["venv/bin/python", "venv/lib/x.py", "guardrails/__pycache__/a.pyc"]
)
def test_publishing_never_uploads_the_virtualenv_or_bytecode(published: Path, path: str):
    assert _ignored(published, path)


@pytest.mark.parametrize(
    "path",
    [
        "__main__.py",
        "guardrails/base.py",
        "requirements.txt",
        "PulumiPolicy.yaml",
        "config/prod.json",
    ],
)
def test_publishing_keeps_the_pack_itself(published: Path, path: str):
    assert not _ignored(published, path)


def test_the_readme_table_lists_every_policy_with_its_level_fsbp_controls_and_standard():
    readme = (PACK_DIR / "README.md").read_text()
    rows = [
        (m[1], m[2], m[3].split(" ")[0], m[4].strip(), m[5].strip())
        for m in re.finditer(
            r"^\| `([a-z0-9-]+)` \| (\w+) \| [^|]+ \| ([^|]+) \| ([^|]+) \| ([^|]+) \|",
            readme,
            re.M,
        )
    ]
    expected = [
        (
            p.name,
            p.check.__module__.rsplit(".", 1)[-1],
            str(getattr(p.enforcement_level, "value", None)),
            ", ".join(p.fsbp) or "-",
            p.standard if not p.fsbp else "FSBP",
        )
        for p in all_policies()
    ]
    assert rows == expected  # in the pack's order, each policy once, with the module declaring it


def test_the_pack_reports_every_policy_its_modules_declare_each_once():
    declared = [
        name
        for info in pkgutil.iter_modules(guardrails.__path__)
        for value in vars(importlib.import_module(f"guardrails.{info.name}")).values()
        if isinstance(value, PolicySet)
        for name in (p.name for p in value.policies())
    ]
    reported = [p.name for p in all_policies()]
    assert len(set(reported)) == len(reported), "a policy name is reported twice"
    assert sorted(reported) == sorted(declared)


def _coverage_ids(cell: str) -> set[str]:
    """FSBP ids of a coverage row's first cell: "CloudFront.3, .7", "ES.1/3/8", "EC2.2"."""
    ids, prefix = set(), ""
    for token in cell.split(","):
        token = token.strip().split(" ")[0]
        if re.fullmatch(r"\.\d+", token):
            ids.add(prefix + token)
        elif m := re.fullmatch(r"([A-Za-z0-9]+)\.(\d+(?:/\d+)*)", token):
            prefix = m[1]
            ids.update(f"{prefix}.{n}" for n in m[2].split("/"))
    return ids


def test_the_fsbp_coverage_table_lists_every_control_a_policy_declares():
    readme = (PACK_DIR / "README.md").read_text()
    heading = "## AWS Foundational Security Best Practices (FSBP) coverage"
    section = readme.split(heading)[1].split("\n## ")[0]
    covered: dict[str, str] = {}
    for m in re.finditer(r"^\| ([^|]+) \| [^|]+ \| ([^|]+) \|", section, re.M):
        for control in _coverage_ids(m[1]):
            covered[control] = covered.get(control, "") + m[2]
    missing = [
        (p.name, control)
        for p in all_policies()
        for control in p.fsbp
        if f"`{p.name}`" not in covered.get(control, "")
    ]
    assert missing == []
