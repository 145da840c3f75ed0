"""Hardening and data protection: IMDSv2, backups, deletion protection, snapshots, protect."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import Any

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, Config, PolicySet, Resource, where
from .props import UNKNOWN, as_bool, as_int, get, is_set, items, plain, raw
from .relations import Targets, of_type, referenced

rules = PolicySet()

_DAYS = {
    "minimumDays": {
        "type": "integer",
        "minimum": 1,
        "maximum": 35,
        "default": 7,
        "description": "Minimum days of automated backups to keep.",
    }
}


STATEFUL = (
    t.RDS_INSTANCE,
    t.RDS_CLUSTER,
    t.RDS_GLOBAL_CLUSTER,
    t.CACHE_REPLICATION_GROUP,
    t.CACHE_CLUSTER,
    *t.S3_BUCKETS,
    t.EFS_FILE_SYSTEM,
    t.KMS_KEY,
    t.EBS_VOLUME,
)


def remediate_imdsv2(r: Resource, cfg: Config) -> dict[str, Any] | None:
    if not imdsv2(r, cfg):
        return None
    options = get(r.props, "metadataOptions")
    if options is UNKNOWN:
        return None
    return {**raw(r.props), "metadataOptions": {**(plain(options) or {}), "httpTokens": "required"}}


@rules.resource(
    name="imdsv2-required",
    description="Instances and launch templates require IMDSv2 (session tokens).",
    types=[t.LAUNCH_TEMPLATE, t.INSTANCE, t.LAUNCH_CONFIGURATION],
    level=ADVISORY,
    fsbp=("EC2.8", "EC2.170", "AutoScaling.3"),
    remediation=remediate_imdsv2,
    remediation_steps='Set metadataOptions.httpTokens to "required" (at level remediate).',
)
def imdsv2(r: Resource, cfg: Config) -> list[str]:
    tokens = get(r.props, "metadataOptions", "httpTokens")
    if tokens is UNKNOWN or tokens == "required":
        return []
    if get(r.props, "metadataOptions", "httpEndpoint") == "disabled":
        return []  # no metadata service at all
    return [f'{where(r)} allows IMDSv1: set `metadataOptions.httpTokens: "required"`']


@rules.resource(
    name="db-backup-retention",
    description="Databases keep automated backups for a minimum number of days.",
    types=[t.RDS_INSTANCE, t.RDS_CLUSTER, t.DOCDB_CLUSTER, t.NEPTUNE_CLUSTER, t.REDSHIFT_CLUSTER],
    level=ADVISORY,
    fsbp=("RDS.11", "DocumentDB.2", "Neptune.5", "Redshift.3"),
    config=_DAYS,
)
def backup_retention(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.RDS_INSTANCE and is_set(get(r.props, "replicateSourceDb")):
        return []
    minimum = int(cfg.get("minimumDays", 7))
    prop = (
        "automatedSnapshotRetentionPeriod"
        if r.type == t.REDSHIFT_CLUSTER
        else "backupRetentionPeriod"
    )
    days = as_int(get(r.props, prop))
    if days is UNKNOWN:
        return []
    days = days if days is not None else 0 if r.type == t.RDS_INSTANCE else 1  # AWS defaults
    if days < minimum:
        return [f"{where(r)} keeps backups {days} day(s): set `{prop}: {minimum}` or more"]
    return []


@rules.resource(
    name="db-deletion-protection",
    description="Databases (RDS, DocumentDB, Neptune, DynamoDB) have deletion protection.",
    types=[
        t.RDS_INSTANCE,
        t.RDS_CLUSTER,
        t.RDS_GLOBAL_CLUSTER,
        t.DOCDB_CLUSTER,
        t.NEPTUNE_CLUSTER,
        t.DYNAMODB_TABLE,
    ],
    level=ADVISORY,
    fsbp=("RDS.7", "RDS.8", "DocumentDB.5", "Neptune.4", "DynamoDB.6"),
)
def deletion_protection(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.RDS_INSTANCE and is_set(get(r.props, "replicateSourceDb")):
        return []
    prop = "deletionProtectionEnabled" if r.type == t.DYNAMODB_TABLE else "deletionProtection"
    if as_bool(get(r.props, prop)) in (False, None):
        return [f"{where(r)} can be deleted: set `{prop}: true`"]
    return []


def _snapshot_id(r: Resource) -> str:
    return f'`finalSnapshotIdentifier: "{r.name}-final-<suffix>"`'


@rules.resource(
    name="db-final-snapshot",
    description="Databases take a final snapshot when destroyed.",
    types=[t.RDS_INSTANCE, t.RDS_CLUSTER],
    level=ADVISORY,
)
def final_snapshot(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.RDS_INSTANCE and is_set(get(r.props, "replicateSourceDb")):
        return []
    skip = as_bool(get(r.props, "skipFinalSnapshot"))
    if skip is True:
        return [
            f"{where(r)} is destroyed without a final snapshot: set `skipFinalSnapshot: false` "
            f"and {_snapshot_id(r)}"
        ]
    if skip is not UNKNOWN and get(r.props, "finalSnapshotIdentifier") in (None, ""):
        return [
            f"{where(r)} has no `finalSnapshotIdentifier`: set {_snapshot_id(r)}, "
            "or destroy will fail"
        ]
    return []


@rules.resource(
    name="cache-snapshots",
    description="Redis/Valkey caches keep snapshots.",
    types=[t.CACHE_REPLICATION_GROUP, t.CACHE_CLUSTER],
    level=ADVISORY,
    fsbp=("ElastiCache.1",),
    config={"minimumDays": {**_DAYS["minimumDays"], "default": 1}},
)
def cache_snapshots(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.CACHE_CLUSTER and (
        is_set(get(r.props, "replicationGroupId"))
        or get(r.props, "engine") not in ("redis", "valkey")
    ):
        return []  # memcached has no snapshots; group members follow their group
    if get(r.props, "engine") == "memcached":
        return []
    minimum = int(cfg.get("minimumDays", 1))
    limit = as_int(get(r.props, "snapshotRetentionLimit"))
    if limit is not UNKNOWN and (limit or 0) < minimum:
        return [
            f"{where(r)} keeps {limit or 0} day(s) of snapshots: set "
            f"`snapshotRetentionLimit: {max(minimum, 7)}` (at least {minimum})"
        ]
    return []


@rules.resource(
    name="stateful-resources-protected",
    description="Stateful resources (databases, caches, buckets, keys, volumes) set `protect`.",
    types=STATEFUL,
    level=ADVISORY,
)
def protected(r: Resource, cfg: Config) -> list[str]:
    if not r.protect:
        return [
            f"{where(r)} holds state but is not protected: pass "
            "`opts=pulumi.ResourceOptions(protect=True)` (at least in production)"
        ]
    return []


def remediate_drop_invalid_headers(r: Resource, cfg: Config) -> dict[str, Any] | None:
    if not drop_invalid_headers(r, cfg):
        return None
    return {**raw(r.props), "dropInvalidHeaderFields": True}


@rules.resource(
    name="lb-drop-invalid-headers",
    description="Application load balancers drop invalid HTTP header fields.",
    types=t.LOAD_BALANCERS,
    level=ADVISORY,
    fsbp=("ELB.4",),
    remediation=remediate_drop_invalid_headers,
    remediation_steps="Set dropInvalidHeaderFields to true (at level remediate).",
)
def drop_invalid_headers(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "loadBalancerType") not in (None, "application"):
        return []
    if as_bool(get(r.props, "dropInvalidHeaderFields")) in (False, None):
        return [f"{where(r)} forwards malformed HTTP headers: set `dropInvalidHeaderFields: true`"]
    return []


@rules.resource(
    name="dynamodb-point-in-time-recovery",
    description="DynamoDB tables keep point-in-time recovery on.",
    types=[t.DYNAMODB_TABLE],
    level=ADVISORY,
    fsbp=("DynamoDB.2",),
)
def dynamodb_pitr(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "pointInTimeRecovery", "enabled")) in (False, None):
        return [
            f"{where(r)} cannot be restored to a point in time: set "
            "`pointInTimeRecovery.enabled: true`"
        ]
    return []


@rules.resource(
    name="lb-deletion-protection",
    description="Application, network and gateway load balancers have deletion protection.",
    types=t.LOAD_BALANCERS,
    level=ADVISORY,
    fsbp=("ELB.6",),
)
def lb_deletion_protection(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "enableDeletionProtection")) in (False, None):
        return [f"{where(r)} can be deleted: set `enableDeletionProtection: true`"]
    return []


def _tag_matches(fs: PolicyResource, key: object, value: object) -> bool | None:
    if key is UNKNOWN or value is UNKNOWN or not isinstance(key, str):
        return None
    tag = get(fs.props, "tags", key)
    if tag is UNKNOWN:
        return None
    return tag == value


def _selection_covers(selection: PolicyResource, fs: PolicyResource) -> bool | None:
    """Whether an AWS Backup selection picks file system `fs`; None when not decidable yet."""
    deps = (selection.property_dependencies or {}).get("resources", []) or []
    if any(d.urn == fs.urn for d in deps):
        return True
    undecided = False
    resources = get(selection.props, "resources")
    if resources is UNKNOWN and not deps:
        undecided = True
    arn = get(fs.props, "arn")
    for pattern in items(resources):
        if pattern is UNKNOWN:
            undecided |= not deps
        elif isinstance(pattern, str):
            if pattern == "*" or (isinstance(arn, str) and fnmatch.fnmatchcase(arn, pattern)):
                return True
            if "*" in pattern and ":elasticfilesystem:" in pattern and not isinstance(arn, str):
                return True  # a wildcard over EFS file systems; this one's ARN comes later
    for tag in items(get(selection.props, "selectionTags")):
        match = _tag_matches(fs, get(tag, "key"), get(tag, "value"))
        if match is None:
            undecided = True
        elif match and get(tag, "type") in (None, "STRINGEQUALS"):
            return True
    for condition in items(get(selection.props, "conditions")):
        for test in items(get(condition, "stringEquals")):
            key = get(test, "key")
            if isinstance(key, str) and key.startswith("aws:ResourceTag/"):
                match = _tag_matches(fs, key.split("/", 1)[1], get(test, "value"))
                if match is None:
                    undecided = True
                elif match:
                    return True
    return None if undecided else False


@rules.stack(
    name="efs-backups",
    description=(
        "EFS file systems are backed up: a backup policy, or an AWS Backup selection that picks "
        "them (by ARN, wildcard or tag)."
    ),
    level=ADVISORY,
    fsbp=("EFS.2",),
)
def efs_backups(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    systems = of_type(resources, t.EFS_FILE_SYSTEM)
    if not systems:
        return []
    targets = Targets(systems)
    covered: set[str] = set()
    for policy in of_type(resources, t.EFS_BACKUP_POLICY):
        found, ok = referenced(policy, "fileSystemId", targets)
        if not ok:
            return []
        status = get(policy.props, "backupPolicy", "status")
        if status in ("ENABLED", "ENABLING", UNKNOWN):
            covered.update(f.urn for f in found)
    selections = of_type(resources, t.BACKUP_SELECTION)
    out = []
    for fs in systems:
        if fs.urn in covered:
            continue
        verdicts = [_selection_covers(s, fs) for s in selections]
        if True in verdicts or None in verdicts:
            continue  # backed up, or picked by something decided only after the update
        out.append(
            (
                fs.urn,
                f"EFS file system '{fs.name}' is in no backup plan: add an "
                "`aws.efs.BackupPolicy` with `fileSystemId` set to it and "
                '`backupPolicy.status: "ENABLED"`, or list it in an `aws.backup.Selection`\'s '
                "`resources`",
            )
        )
    return out


@rules.stack(
    name="secrets-manager-rotation",
    description="Secrets Manager secrets rotate automatically (a SecretRotation).",
    level=ADVISORY,
    fsbp=("SecretsManager.1",),
)
def secrets_rotation(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    secrets = of_type(resources, t.SECRET)
    if not secrets:
        return []
    targets = Targets(secrets, ["arn", "name"])
    rotated: set[str] = set()
    for rotation in of_type(resources, t.SECRET_ROTATION):
        found, ok = referenced(rotation, "secretId", targets)
        if not ok:
            return []
        if as_bool(get(rotation.props, "rotationEnabled")) is not False:
            rotated.update(s.urn for s in found)
    return [
        (
            s.urn,
            f"Secrets Manager secret '{s.name}' never rotates: add an "
            "`aws.secretsmanager.SecretRotation` with `secretId` set to it, a `rotationLambdaArn` "
            "and `rotationRules.automaticallyAfterDays` (e.g. 30)",
        )
        for s in secrets
        if s.urn not in rotated
    ]


@rules.resource(
    name="cloudfront-waf",
    description="CloudFront distributions are protected by an AWS WAF web ACL.",
    types=[t.CLOUDFRONT_DISTRIBUTION],
    level=ADVISORY,
    fsbp=("CloudFront.6",),
)
def cloudfront_waf(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "webAclId") in (None, ""):
        return [
            f"{where(r)} has no WAF: set `webAclId` to the ARN of an "
            "`aws.wafv2.WebAcl` (scope CLOUDFRONT, in us-east-1)"
        ]
    return []


policies = rules.policies
