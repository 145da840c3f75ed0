"""Hardening and data protection: IMDSv2, backups, deletion protection, snapshots, protect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, Config, PolicySet, Resource
from .props import UNKNOWN, as_bool, as_int, get, is_set, plain, raw
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
    return [
        f"{t.label(r.type)} '{r.name}' allows IMDSv1: set "
        '`metadataOptions.httpTokens: "required"`'
    ]


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
        return [
            f"{t.label(r.type)} '{r.name}' keeps backups {days} day(s): set "
            f"`{prop}: {minimum}` or more"
        ]
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
        return [f"{t.label(r.type)} '{r.name}' can be deleted: set `{prop}: true`"]
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
    where = f"{t.label(r.type)} '{r.name}'"
    skip = as_bool(get(r.props, "skipFinalSnapshot"))
    if skip is True:
        return [
            f"{where} is destroyed without a final snapshot: set `skipFinalSnapshot: false` "
            f"and {_snapshot_id(r)}"
        ]
    if skip is not UNKNOWN and get(r.props, "finalSnapshotIdentifier") in (None, ""):
        return [
            f"{where} has no `finalSnapshotIdentifier`: set {_snapshot_id(r)}, or destroy will fail"
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
            f"{t.label(r.type)} '{r.name}' keeps {limit or 0} day(s) of snapshots: set "
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
            f"{t.label(r.type)} '{r.name}' holds state but is not protected: pass "
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
        return [
            f"Load balancer '{r.name}' forwards malformed HTTP headers: set "
            "`dropInvalidHeaderFields: true`"
        ]
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
            f"DynamoDB table '{r.name}' cannot be restored to a point in time: set "
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
        return [f"Load balancer '{r.name}' can be deleted: set `enableDeletionProtection: true`"]
    return []


@rules.stack(
    name="efs-backups",
    description="EFS file systems have automatic backups (a backup policy, or AWS Backup).",
    level=ADVISORY,
    fsbp=("EFS.2",),
)
def efs_backups(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    systems = of_type(resources, t.EFS_FILE_SYSTEM)
    if not systems or of_type(resources, t.BACKUP_SELECTION):
        return []  # an AWS Backup selection may pick them by tag: not decidable here
    targets = Targets(systems)
    covered: set[str] = set()
    for policy in of_type(resources, t.EFS_BACKUP_POLICY):
        found, ok = referenced(policy, "fileSystemId", targets)
        if not ok:
            return []
        status = get(policy.props, "backupPolicy", "status")
        if status in ("ENABLED", "ENABLING", UNKNOWN):
            covered.update(f.urn for f in found)
    return [
        (
            fs.urn,
            f"EFS file system '{fs.name}' has no automatic backups: add an `aws.efs.BackupPolicy` "
            'with `fileSystemId` set to it and `backupPolicy.status: "ENABLED"`',
        )
        for fs in systems
        if fs.urn not in covered
    ]


policies = rules.policies
