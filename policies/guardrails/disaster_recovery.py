"""Disaster recovery: when data is replicated across regions, every primary has its counterpart.

Once a stack replicates any data store to another region (an Aurora global database, a
cross-region RDS read replica, an ElastiCache global datastore, S3 replication to a bucket of
another region), a failover is only as good as its weakest store: each primary database and
cache needs its counterpart in another region, encrypted with a KMS key of the counterpart's
own region (a key cannot be used across regions, and a replica under the source region's key
cannot be promoted there). Each replicated bucket's destination uses a replica key of the
destination's region.

Counterparts: a global database's secondary (the primary names the global cluster, or the global
cluster names the primary in `sourceDbClusterIdentifier`, the way to build one from a running
cluster), a cross-region read replica, or, for backup and restore, an AWS Backup plan that
copies the database's recovery points to a vault of another region, under that region's key.

A resource's region is its own `region` property (pulumi-aws 7), else its provider's `region`
(stack policies see `resource.provider.props`), else the region in its ARN. Whatever cannot be
told during preview (unknown ids, regions or keys) is skipped, never failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, MANDATORY, Config, PolicySet, Resource, where
from .encryption import cache_behaviors
from .props import UNKNOWN, get, is_set, items
from .relations import Targets, of_type, referenced

rules = PolicySet()


def arn_region(value: object) -> str | None:
    """The region field of an ARN (`arn:partition:service:region:account:...`), if any."""
    if isinstance(value, str) and value.startswith("arn:"):
        parts = value.split(":")
        if len(parts) > 4 and parts[3]:
            return parts[3]
    return None


def region_of(r: PolicyResource) -> str | None:
    own = get(r.props, "region")
    if isinstance(own, str) and own:
        return own
    if r.provider is not None:
        region = get(r.provider.props, "region")
        if isinstance(region, str) and region:
            return region
    return arn_region(get(r.props, "arn"))


def _key_region(r: PolicyResource, prop: str, keys: Targets) -> object:
    """The region of the KMS key in `r.props[prop]`; None when absent, UNKNOWN if undecided."""
    value = get(r.props, prop)
    if value is None or value == "":
        return None
    if region := arn_region(value):
        return region
    found, _ = referenced(r, prop, keys)
    regions = {region_of(k) for k in found}
    if len(regions) == 1 and None not in regions:
        return regions.pop()
    return UNKNOWN


def _encryption_problem(
    counterpart: PolicyResource, prop: str, keys: Targets, what: str
) -> str | None:
    region = region_of(counterpart)
    key_region = _key_region(counterpart, prop, keys)
    if region is None or key_region is UNKNOWN:
        return None
    if key_region is None:
        return (
            f"{what} '{counterpart.name}' in {region} names no KMS key: set `{prop}` to a key "
            f"of {region}"
        )
    if key_region != region:
        return (
            f"{what} '{counterpart.name}' in {region} is encrypted with a key of {key_region}: "
            f"set `{prop}` to a key of {region}"
        )
    return None


def _replicates(resources: Sequence[PolicyResource]) -> bool:
    if of_type(resources, t.RDS_GLOBAL_CLUSTER, t.CACHE_GLOBAL_REPLICATION_GROUP):
        return True
    if any(
        is_set(get(c.props, "globalClusterIdentifier")) for c in of_type(resources, t.RDS_CLUSTER)
    ):
        return True
    instances = of_type(resources, t.RDS_INSTANCE)
    sources = Targets(instances, ["arn", "identifier"])
    for inst in instances:
        region = region_of(inst)
        found, _ = referenced(inst, "replicateSourceDb", sources)
        regions = {arn_region(get(inst.props, "replicateSourceDb"))} | {region_of(s) for s in found}
        if region and any(r and r != region for r in regions):
            return True
    buckets = Targets(of_type(resources, *t.S3_BUCKETS), ["bucket", "arn"])
    for config in of_type(resources, t.S3_REPLICATION_CONFIG):
        source = region_of(config)
        for dest in _destinations(config, buckets):
            if source and dest[1] and dest[1] != source:
                return True
    return False


def _destinations(
    config: PolicyResource, buckets: Targets
) -> list[tuple[int, str | None, PolicyResource | None]]:
    """(rule index, destination region, destination bucket) of a replication configuration."""
    out = []
    for i, rule in enumerate(items(get(config.props, "rules"))):
        arn = get(rule, "destination", "bucket")
        target = buckets.by_value.get(arn) if isinstance(arn, str) else None
        if target is None and arn is UNKNOWN:
            deps = [
                d
                for d in (config.property_dependencies or {}).get("rules", []) or []
                if d.urn in buckets.by_urn
            ]
            target = deps[0] if len(deps) == 1 else None
        out.append((i, region_of(target) if target else None, target))
    return out


def _backed_up_elsewhere(
    resources: Sequence[PolicyResource], keys: Targets
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Databases an AWS Backup selection names whose plan copies every recovery point to a vault
    of another region (backup and restore: the copies are the counterpart), by URN with the
    vault's region; and findings for such vaults encrypted with a key of another region."""
    vaults = of_type(resources, t.BACKUP_VAULT)
    vault_targets = Targets(vaults, ["arn", "name"])
    plans = Targets(of_type(resources, t.BACKUP_PLAN), ["id"])
    databases = Targets(of_type(resources, t.RDS_CLUSTER, t.RDS_INSTANCE), ["arn"])
    covered: dict[str, str] = {}
    out = []
    for selection in of_type(resources, t.BACKUP_SELECTION):
        found_plans, _ = referenced(selection, "planId", plans)
        copy_regions: set[str] = set()
        for plan in found_plans:
            for rule in items(get(plan.props, "rules")):
                for action in items(get(rule, "copyActions")):
                    arn = get(action, "destinationVaultArn")
                    region = arn_region(arn)
                    vault = vault_targets.by_value.get(arn) if isinstance(arn, str) else None
                    if vault is None and arn is UNKNOWN:
                        deps = [
                            d
                            for d in (plan.property_dependencies or {}).get("rules", []) or []
                            if d.urn in vault_targets.by_urn
                        ]
                        remote = [d for d in deps if region_of(d) != region_of(plan)]
                        vault = remote[0] if len(remote) == 1 else None
                    if vault is not None:
                        region = region_of(vault)
                        problem = _encryption_problem(vault, "kmsKeyArn", keys, "Backup vault")
                        if problem:
                            out.append((vault.urn, problem))
                    if region:
                        copy_regions.add(region)
        found, _ = referenced(selection, "resources", databases)
        for db in found:
            elsewhere = sorted(r for r in copy_regions if r != region_of(db))
            if elsewhere:
                covered[db.urn] = elsewhere[0]
    return covered, out


def _rds_findings(resources: Sequence[PolicyResource], keys: Targets) -> list[tuple[str, str]]:
    clusters = of_type(resources, t.RDS_CLUSTER)
    instances = of_type(resources, t.RDS_INSTANCE)
    global_clusters = of_type(resources, t.RDS_GLOBAL_CLUSTER)
    globals_ = Targets(global_clusters, ["globalClusterIdentifier"])
    cluster_arns = Targets(clusters, ["arn"])
    backed_up, out = _backed_up_elsewhere(resources, keys)
    for c in clusters:
        if is_set(get(c.props, "replicationSourceIdentifier")):
            continue  # a replica, not a primary
        if c.urn in backed_up:
            continue  # backup and restore: its recovery points are copied to another region
        ident = get(c.props, "globalClusterIdentifier")
        if is_set(ident) and get(c.props, "masterUsername") is None:
            continue  # a global database's secondary
        region = region_of(c)
        if region is None:
            continue
        mine, ok = referenced(c, "globalClusterIdentifier", globals_)
        # A global cluster created FROM a running cluster (`sourceDbClusterIdentifier`, the
        # way to add one without replacing the primary) names its primary, not vice versa.
        sourced = [
            g
            for g in global_clusters
            if c in referenced(g, "sourceDbClusterIdentifier", cluster_arns)[0]
        ]
        if sourced:
            mine, ok, ident = sourced, True, "sourced"
        if not is_set(ident):
            out.append(
                (
                    c.urn,
                    f"RDS cluster '{c.name}' in {region} has no cross-region counterpart: make it "
                    "the primary of an `aws.rds.GlobalCluster` (`globalClusterIdentifier`) with a "
                    "secondary cluster in the DR region",
                )
            )
            continue
        if not ok or not mine:
            continue  # a global cluster outside the stack, or not known yet
        secondaries = [
            s
            for s in clusters
            if s is not c
            and {g.urn for g in referenced(s, "globalClusterIdentifier", globals_)[0]}
            & {g.urn for g in mine}
        ]
        out += _counterpart_findings(
            c,
            region,
            secondaries,
            keys,
            f"RDS cluster '{c.name}' in {region} is in a global database with no secondary "
            "in another region: add an `aws.rds.Cluster` in the DR region with the same "
            "`globalClusterIdentifier`",
        )
    primaries = Targets(instances, ["arn", "identifier"])
    for inst in instances:
        if is_set(get(inst.props, "replicateSourceDb")) or inst.urn in backed_up:
            continue
        region = region_of(inst)
        if region is None:
            continue
        replicas = [
            r
            for r in instances
            if r is not inst and inst in referenced(r, "replicateSourceDb", primaries)[0]
        ]
        out += _counterpart_findings(
            inst,
            region,
            replicas,
            keys,
            f"RDS instance '{inst.name}' in {region} has no cross-region counterpart: add "
            "an `aws.rds.Instance` in the DR region with `replicateSourceDb` set to this "
            "instance's ARN",
        )
    return out


def _counterpart_findings(
    source: PolicyResource,
    region: str,
    counterparts: Sequence[PolicyResource],
    keys: Targets,
    missing: str,
) -> list[tuple[str, str]]:
    """`missing` on ``source`` when none of its counterparts (global secondaries, replicas) is
    in another region than ``region``, else the encryption problem of each remote one; nothing
    while a counterpart's region is not known yet."""
    if any(region_of(c) is None for c in counterparts):
        return []
    remote = [c for c in counterparts if region_of(c) != region]
    if not remote:
        return [(source.urn, missing)]
    problems = [
        (c.urn, _encryption_problem(c, "kmsKeyId", keys, t.label(c.resource_type))) for c in remote
    ]
    return [(urn, p) for urn, p in problems if p]


def _cache_findings(resources: Sequence[PolicyResource], keys: Targets) -> list[tuple[str, str]]:
    globals_ = of_type(resources, t.CACHE_GLOBAL_REPLICATION_GROUP)
    if not globals_:
        return []
    groups = of_type(resources, t.CACHE_REPLICATION_GROUP)
    group_targets = Targets(groups, ["replicationGroupId"])
    global_targets = Targets(globals_, ["globalReplicationGroupId"])
    primaries: dict[str, PolicyResource] = {}  # primary group urn -> its global datastore
    for g in globals_:
        found, _ = referenced(g, "primaryReplicationGroupId", group_targets)
        for p in found:
            primaries[p.urn] = g
    out = []
    for group in groups:
        if is_set(get(group.props, "globalReplicationGroupId")):
            problem = _encryption_problem(group, "kmsKeyId", keys, "ElastiCache replication group")
            if problem:
                out.append((group.urn, problem))
            continue
        region = region_of(group)
        if group.urn not in primaries:
            if region is not None:
                out.append(
                    (
                        group.urn,
                        f"ElastiCache replication group '{group.name}' in {region} has no "
                        "cross-region counterpart: make it the primary of an "
                        "`aws.elasticache.GlobalReplicationGroup` with a secondary group "
                        "(`globalReplicationGroupId`) in the DR region",
                    )
                )
            continue
        members = [
            s
            for s in groups
            if primaries[group.urn] in referenced(s, "globalReplicationGroupId", global_targets)[0]
        ]
        regions = [region_of(s) for s in members]
        if region is None or None in regions:
            continue
        if all(r == region for r in regions):
            out.append(
                (
                    group.urn,
                    f"ElastiCache replication group '{group.name}' in {region} has no secondary "
                    "in another region: add an `aws.elasticache.ReplicationGroup` in the DR "
                    "region with `globalReplicationGroupId` set to its global datastore",
                )
            )
    return out


def _bucket_findings(resources: Sequence[PolicyResource], keys: Targets) -> list[tuple[str, str]]:
    buckets = Targets(of_type(resources, *t.S3_BUCKETS), ["bucket", "arn"])
    out = []
    for config in of_type(resources, t.S3_REPLICATION_CONFIG):
        for i, rule in enumerate(items(get(config.props, "rules"))):
            dests = [d for d in _destinations(config, buckets) if d[0] == i]
            region = dests[0][1] if dests else None
            if region is None:
                continue
            key = get(rule, "destination", "encryptionConfiguration", "replicaKmsKeyId")
            prop = f"rules[{i}].destination.encryptionConfiguration.replicaKmsKeyId"
            if key is None:
                out.append(
                    (
                        config.urn,
                        f"S3 replication configuration '{config.name}' replicates to {region} "
                        f"without a replica key: set `{prop}` to a KMS key of {region}",
                    )
                )
                continue
            key_region = arn_region(key)
            if key_region is None:
                found, _ = referenced(config, "rules", keys)
                regions = {region_of(k) for k in found}
                key_region = regions.pop() if len(regions) == 1 else None
            if key_region is not None and key_region != region:
                out.append(
                    (
                        config.urn,
                        f"S3 replication configuration '{config.name}' encrypts replicas in "
                        f"{region} with a key of {key_region}: set `{prop}` to a key of {region}",
                    )
                )
    return out


@rules.stack(
    name="dr-cross-region-counterparts",
    description=(
        "When a stack replicates data across regions, every primary database and cache has a "
        "counterpart in another region, encrypted with a KMS key of that region."
    ),
    level=ADVISORY,
)
def cross_region_counterparts(
    resources: Sequence[PolicyResource], cfg: Config
) -> list[tuple[str, str]]:
    if not _replicates(resources):
        return []
    keys = Targets(of_type(resources, t.KMS_KEY), ["arn", "keyId"])
    return [
        *_rds_findings(resources, keys),
        *_cache_findings(resources, keys),
        *_bucket_findings(resources, keys),
    ]


WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@rules.resource(
    name="cloudfront-origin-group-read-only",
    description=(
        "CloudFront cache behaviours bound to an origin group allow only GET, HEAD and OPTIONS "
        "(CloudFront refuses POST, PUT, PATCH or DELETE there; origin failover is for reads)."
    ),
    types=[t.CLOUDFRONT_DISTRIBUTION],
    level=MANDATORY,
    standard="AWS docs: CloudFront origin failover (GET, HEAD, OPTIONS)",
)
def cloudfront_origin_group_read_only(r: Resource, cfg: Config) -> list[str]:
    groups = {get(g, "originId") for g in items(get(r.props, "originGroups"))}
    groups.discard(None)
    if not groups:
        return []
    out = []
    for path, behavior in cache_behaviors(r):
        target = get(behavior, "targetOriginId")
        if target is UNKNOWN or target not in groups:
            continue
        writes = [
            m for m in items(get(behavior, "allowedMethods")) if str(m).upper() in WRITE_METHODS
        ]
        if writes:
            out.append(
                f"{where(r)} sends {', '.join(map(str, writes))} to origin "
                f"group '{target}' (`{path}`), which CloudFront refuses (\"AllowedMethods cannot "
                "include POST, PUT, PATCH, or DELETE for a cached behavior associated with an "
                f'origin group"): set `{path}.allowedMethods: ["GET", "HEAD", "OPTIONS"]`, and '
                "route writes to a single origin with an `orderedCacheBehaviors` entry (DNS "
                "failover for writes)"
            )
    return out


policies = rules.policies
