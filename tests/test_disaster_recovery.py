"""The DR mirror as shipped: every strategy x database family, both regions, one synthesis each.

Stacks: prod (warm-standby, Aurora), dr-backup (backup-restore, RDS), dr-pilot (pilot-light,
Aurora), dr-pilotrds (pilot-light, RDS), dr-warmrds (warm-standby, RDS), dr-active (active-active,
Aurora). Each is synthesized once in deployed mode (ids and ARNs known, so references can be
followed) through the module's cache.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from components.edge.cdn import (
    ALL_METHODS,
    READ_METHODS,
    WAF_MANAGED_RULE_GROUPS,
    origin_group_problems,
)
from tests.support.synth import synth
from tools import stackfile
from tools.mockcloud import ROOT, RecordedResource, Synthesis

PRIMARY, DR = "us-east-1", "us-west-2"
STACKS = {
    "prod": ("warm-standby", "aurora", DR),
    "dr-backup": ("backup-restore", "rds", DR),
    "dr-pilot": ("pilot-light", "aurora", "us-east-2"),
    "dr-pilotrds": ("pilot-light", "rds", DR),
    "dr-warmrds": ("warm-standby", "rds", DR),
    "dr-active": ("active-active", "aurora", DR),
}
MIRRORED = [s for s, (strategy, _, _) in STACKS.items() if strategy != "backup-restore"]
REGIONAL_SITE = "webstack:site:RegionalSite"
# Managed from the primary region although they belong to the mirror.
PRIMARY_MANAGED = {
    "aws:rds/globalCluster:GlobalCluster",
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
    "aws:backup/plan:Plan",
    "aws:backup/selection:Selection",
    "aws:route53/record:Record",
    "aws:route53/healthCheck:HealthCheck",
}


@cache
def deployed(stack: str) -> Synthesis:
    # Explicit webstack:dr (the file's own value): the conftest strips prod's mirror otherwise.
    file_dr = stackfile.load_stack_config(stack, ROOT, None)["webstack:dr"]
    result = synth(stack, {"webstack:dr": file_dr}, preview=False)
    assert result.error is None, result.error
    return result


def providers(s: Synthesis) -> dict[str, str]:
    """Provider URN by region (the edge provider is the primary's in us-east-1)."""
    out: dict[str, str] = {}
    for p in s.of_type("pulumi:providers:aws"):
        out.setdefault(str(p.inputs["region"]), p.urn)
    return out


def under_regional_site(s: Synthesis, region: str) -> set[str]:
    """The URNs under the RegionalSite of ``region`` (none: the region has no site)."""
    sites = s.of_type(REGIONAL_SITE)
    found: set[str] = set()
    for site in sites:
        below = s.descendants(site.urn)
        if any(r.region == region for r in below if r.type == "aws:ec2/vpc:Vpc"):
            found |= {r.urn for r in below}
    return found


@pytest.mark.parametrize("stack", list(STACKS))
def test_every_dr_region_resource_goes_through_the_dr_provider(stack: str) -> None:
    s = deployed(stack)
    dr_region = STACKS[stack][2]
    provider = providers(s)
    assert set(provider) == {PRIMARY, dr_region}
    under_primary = under_regional_site(s, PRIMARY)
    under_standby = under_regional_site(s, dr_region)
    in_dr = [r for r in s.cloud_resources if r.region == dr_region]
    assert in_dr, "nothing in the DR region"
    for r in s.cloud_resources:
        if r.region == dr_region:
            assert r.provider == provider[dr_region], r.urn
            assert r.urn not in under_primary, r.urn
        else:
            assert r.region == PRIMARY, r.urn
            managed_from_primary = r.type in PRIMARY_MANAGED or _primary_side(r)
            assert r.urn not in under_standby or managed_from_primary, r.urn


def _primary_side(r: RecordedResource) -> bool:
    """Mirror resources that act on the primary: IAM (global), the primary vault, the primary
    bucket's replication configuration, the credential's replicated secret lives in primary."""
    return (
        r.type.startswith("aws:iam/")
        or r.type
        in ("aws:backup/vault:Vault", "aws:s3/bucketReplicationConfig:BucketReplicationConfig")
        or r.type.startswith("random:")
        # The primary bucket's replication latency alarm: S3 publishes it in that region.
        or (r.type == "aws:cloudwatch/metricAlarm:MetricAlarm" and r.get("namespace") == "AWS/S3")
    )


@pytest.mark.parametrize("stack", list(STACKS))
def test_urns_and_iam_names_never_collide_between_regions(stack: str) -> None:
    s = deployed(stack)
    urns = [r.urn for r in s.resources]
    assert len(urns) == len(set(urns))
    iam = [
        r for r in s.cloud_resources if r.type.startswith("aws:iam/") and r.type.endswith("Role")
    ]
    names = [r.name for r in iam]
    assert len(names) == len(set(names)), sorted(names)
    suffixes = [
        r.get("customSuffix") for r in s.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    ]
    assert len(suffixes) == (1 if STACKS[stack][0] == "none" else 2)
    assert len(set(suffixes)) == len(suffixes)
    for kind, key in (
        ("aws:rds/cluster:Cluster", "clusterIdentifier"),
        ("aws:rds/instance:Instance", "identifier"),
        ("aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId"),
        ("aws:kms/alias:Alias", "name"),
    ):
        values = [r.get(key) for r in s.of_type(kind)]
        assert len(values) == len(set(values)), (kind, values)


@pytest.mark.parametrize("stack", list(STACKS))
def test_the_database_crosses_regions_under_the_dr_key(stack: str) -> None:
    s = deployed(stack)
    strategy, family, dr_region = STACKS[stack]
    dr_keys = {r.outputs["arn"] for r in s.of_type("aws:kms/key:Key") if r.region == dr_region}
    assert len(dr_keys) == 3
    clusters = s.of_type("aws:rds/cluster:Cluster")
    instances = s.of_type("aws:rds/instance:Instance")
    if strategy == "backup-restore":
        assert [c.region for c in clusters] == []
        assert {i.region for i in instances} == {PRIMARY}
        (selection,) = s.of_type("aws:backup/selection:Selection")
        (primary_db,) = [i for i in instances if not i.get("replicateSourceDb")]
        assert selection.get("resources") == [primary_db.outputs["arn"]]
        (plan,) = s.of_type("aws:backup/plan:Plan")
        (dr_vault,) = [v for v in s.of_type("aws:backup/vault:Vault") if v.region == dr_region]
        assert (
            plan.get("rules", 0, "copyActions", 0, "destinationVaultArn") == dr_vault.outputs["arn"]
        )
        assert dr_vault.get("kmsKeyArn") in dr_keys
        return
    if family == "aurora":
        (primary,) = [c for c in clusters if c.region == PRIMARY]
        (secondary,) = [c for c in clusters if c.region == dr_region]
        (global_cluster,) = s.of_type("aws:rds/globalCluster:GlobalCluster")
        assert global_cluster.region == PRIMARY
        assert global_cluster.get("sourceDbClusterIdentifier") == primary.outputs["arn"]
        assert secondary.get("globalClusterIdentifier") == global_cluster.id
        assert secondary.get("kmsKeyId") in dr_keys
        assert secondary.get("masterUsername") is None and secondary.get("databaseName") is None
        assert secondary.protect and "globalClusterIdentifier" in secondary.ignore_changes
        assert "globalClusterIdentifier" in primary.ignore_changes
        assert secondary.get("engineVersion") == primary.get("engineVersion")
        assert primary.get("manageMasterUserPassword") is False
        assert primary.get("masterPassword")
        readers = [
            i for i in s.of_type("aws:rds/clusterInstance:ClusterInstance") if i.region == dr_region
        ]
        assert len(readers) == 1
    else:
        (primary,) = [
            i for i in instances if i.region == PRIMARY and not i.get("replicateSourceDb")
        ]
        (replica,) = [i for i in instances if i.region == dr_region]
        assert replica.get("replicateSourceDb") == primary.outputs["arn"]
        assert replica.get("kmsKeyId") in dr_keys
        assert replica.get("multiAz") is (strategy != "pilot-light")
        assert replica.get("backupRetentionPeriod") == 14
        assert primary.get("manageMasterUserPassword") is False and primary.get("password")


def test_the_backup_role_may_copy_a_snapshot_encrypted_with_the_databases_key() -> None:
    """Issue 17: RDS and Aurora snapshots inherit the source's key (AWS Backup encrypts only
    what it fully manages with the vault key); a cross-Region copy of a CMK-encrypted snapshot
    needs the role to use that key and the DR vault's, and to grant them to RDS."""
    s = deployed("dr-backup")
    (primary_db,) = [
        i for i in s.of_type("aws:rds/instance:Instance") if not i.get("replicateSourceDb")
    ]
    (dr_vault,) = [v for v in s.of_type("aws:backup/vault:Vault") if v.region == DR]
    (selection,) = s.of_type("aws:backup/selection:Selection")
    role_arn = selection.get("iamRoleArn")
    (role,) = [r for r in s.of_type("aws:iam/role:Role") if r.outputs["arn"] == role_arn]
    policies = [
        json.loads(p.get("policy"))
        for p in s.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.get("role") == role.id
    ]
    statements = [st for doc in policies for st in doc["Statement"]]
    use = next(st for st in statements if "kms:Decrypt" in st["Action"])
    grant = next(st for st in statements if st["Action"] == "kms:CreateGrant")
    for statement in (use, grant):
        assert primary_db.get("kmsKeyId") in statement["Resource"]
        assert dr_vault.get("kmsKeyArn") in statement["Resource"]
    assert {"kms:DescribeKey", "kms:GenerateDataKey*", "kms:ReEncrypt*"} <= set(use["Action"])
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


@pytest.mark.parametrize("stack", list(STACKS))
def test_the_master_secret_is_replicated_with_the_dr_key(stack: str) -> None:
    s = deployed(stack)
    dr_region = STACKS[stack][2]
    (secret,) = [
        r for r in s.of_type("aws:secretsmanager/secret:Secret") if r.name.endswith("-db-master")
    ]
    (replica,) = secret.get("replicas")
    assert replica["region"] == dr_region
    dr_data = [
        k
        for k in s.of_type("aws:kms/key:Key")
        if k.region == dr_region and k.name.endswith("-dr-data")
    ]
    assert replica["kmsKeyId"] == dr_data[0].outputs["arn"]


@pytest.mark.parametrize("stack", list(STACKS))
def test_uploads_replicate_to_the_dr_bucket_under_the_dr_key(stack: str) -> None:
    s = deployed(stack)
    strategy, _, dr_region = STACKS[stack]
    configs = s.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    assert len(configs) == (2 if strategy == "active-active" else 1)
    forward = next(c for c in configs if c.region == PRIMARY)
    dr_bucket = s.by_arn(forward.get("rules", 0, "destination", "bucket"))
    assert dr_bucket.region == dr_region and dr_bucket.name.endswith("-dr-uploads")
    key = forward.get("rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId")
    assert s.by_arn(key).region == dr_region
    assert forward.get("rules", 0, "deleteMarkerReplication", "status") == "Enabled"


@pytest.mark.parametrize("stack", list(STACKS))
def test_uploads_replicate_within_15_minutes_where_the_strategy_promises_minutes(
    stack: str,
) -> None:
    """Issue 17: without Replication Time Control there is no time bound and no latency metric;
    warm standby and active-active turn it on, alarm on ReplicationLatency and export the
    uploads RPO apart from the database's."""
    s = deployed(stack)
    strategy = STACKS[stack][0]
    promised = strategy in ("warm-standby", "active-active")
    configs = s.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    alarms = [
        a
        for a in s.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.get("metricName") == "ReplicationLatency"
    ]
    topics = {t.region: t.outputs["arn"] for t in s.of_type("aws:sns/topic:Topic")}
    for config in configs:
        destination = config.get("rules", 0, "destination")
        if not promised:
            assert destination.get("replicationTime") is None
            continue
        assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
        assert destination["metrics"] == {"status": "Enabled", "eventThreshold": {"minutes": 15}}
        (alarm,) = [
            a for a in alarms if a.get("dimensions", "RuleId") == config.get("rules", 0, "id")
        ]
        assert alarm.region == config.region  # S3 publishes the metric in the source's region
        assert (
            alarm.get("dimensions", "SourceBucket")
            == s.by_id(config.get("bucket")).outputs["bucket"]
        )
        assert (alarm.get("threshold"), alarm.get("comparisonOperator")) == (
            900,
            "GreaterThanThreshold",
        )
        assert alarm.get("alarmActions") == [topics[config.region]]
    assert len(alarms) == (len(configs) if promised else 0)
    out = s.outputs["dr"]
    assert out["replication"]["replicationTimeControl"] is promised
    assert (out["uploadsRpo"]["value"], out["uploadsRpo"]["unit"]) == (15, "minutes")
    assert out["uploadsRpo"]["source"].startswith("bound for" if promised else "expected, NOT")


@pytest.mark.parametrize("stack", list(STACKS))
def test_route53_routes_the_site_name_across_regions(stack: str) -> None:
    s = deployed(stack)
    strategy, _, dr_region = STACKS[stack]
    fqdn = f"{'www' if stack == 'prod' else stack}.example.com"
    routed = [r for r in s.of_type("aws:route53/record:Record") if r.get("name") == fqdn]
    if strategy == "backup-restore":
        assert {r.get("type") for r in routed} == {"A", "AAAA"}
        assert all(r.get("setIdentifier") is None for r in routed)
        return
    assert len(routed) == 2
    checks = {h.id: h for h in s.of_type("aws:route53/healthCheck:HealthCheck")}
    alarms = {a.get("name"): a for a in s.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}

    def probe(check: RecordedResource) -> None:
        assert (check.get("type"), check.get("resourcePath"), check.get("port")) == (
            "HTTPS",
            "/healthz",
            443,
        )

    gated = []
    for record in routed:
        assert record.get("setIdentifier")
        check = checks[record.get("healthCheckId")]
        if check.get("type") != "CALCULATED":
            probe(check)
            continue
        # The primary's record: its probe AND the traffic switch, both needed (threshold 2).
        gated.append(record)
        assert check.get("childHealthThreshold") == 2
        switch, endpoint = sorted(
            (checks[c] for c in check.get("childHealthchecks")), key=lambda c: c.get("type")
        )
        assert switch.get("type") == "CLOUDWATCH_METRIC"
        probe(endpoint)
        # The switch follows an alarm in the DR region that keeps its state without data.
        alarm = alarms[switch.get("cloudwatchAlarmName")]
        assert (alarm.region, switch.get("cloudwatchAlarmRegion")) == (dr_region, dr_region)
        assert alarm.get("treatMissingData") == "ignore"
        assert switch.get("insufficientDataHealthStatus") == "LastKnownStatus"
    assert [r.get("setIdentifier") for r in gated] == [
        f"primary-{PRIMARY}" if strategy != "active-active" else PRIMARY
    ]
    if strategy == "active-active":
        regions = sorted(r.get("latencyRoutingPolicies", 0, "region") for r in routed)
        assert regions == sorted([PRIMARY, dr_region])
    else:
        kinds = sorted(r.get("failoverRoutingPolicies", 0, "type") for r in routed)
        assert kinds == ["PRIMARY", "SECONDARY"]


def distribution_behaviours(distribution: RecordedResource) -> list[dict[str, Any]]:
    return [
        distribution.get("defaultCacheBehavior"),
        *(distribution.get("orderedCacheBehaviors") or []),
    ]


def test_cloudfront_refuses_a_write_method_on_an_origin_group() -> None:
    """The design before issue 17 (the default behaviour, every method, on an ALB origin
    group) is what CloudFront refuses: "The parameter AllowedMethods cannot include POST, PUT,
    PATCH, or DELETE for a cached behavior associated with an origin group"."""
    before = [{"targetOriginId": "alb-group", "allowedMethods": ALL_METHODS}]
    (problem,) = origin_group_problems(["alb-group"], before)
    assert "default (*)" in problem and "DELETE, PATCH, POST, PUT" in problem
    reads = [
        {"target_origin_id": "g", "path_pattern": "/uploads/*", "allowed_methods": READ_METHODS}
    ]
    assert origin_group_problems(["g"], reads) == []
    assert (
        origin_group_problems([], [{"targetOriginId": "alb", "allowedMethods": ALL_METHODS}]) == []
    )


@pytest.mark.parametrize("stack", list(STACKS))
def test_origin_groups_carry_only_reads_and_writes_go_to_one_alb(stack: str) -> None:
    s = deployed(stack)
    strategy, _, dr_region = STACKS[stack]
    (distribution,) = s.of_type("aws:cloudfront/distribution:Distribution")
    groups = distribution.get("originGroups") or []
    behaviours = distribution_behaviours(distribution)
    assert origin_group_problems([g["originId"] for g in groups], behaviours) == []
    default = distribution.get("defaultCacheBehavior")
    # Writes: the primary's ALB, one origin (the writer's region; dr.activeRegion moves it).
    assert default["targetOriginId"] == "alb"
    assert set(default["allowedMethods"]) == set(ALL_METHODS)
    if strategy not in ("warm-standby", "active-active"):
        assert groups == []
        return
    (group,) = groups
    assert [m["originId"] for m in group["members"]] == ["uploads-bucket", "uploads-bucket-dr"]
    on_group = [b for b in behaviours if b["targetOriginId"] == group["originId"]]
    assert sorted(str(b.get("pathPattern")) for b in on_group) == ["/static/*", "/uploads/*"]
    for b in on_group:
        assert b["allowedMethods"] == ["GET", "HEAD", "OPTIONS"]
    origins = {o["originId"]: o for o in distribution.get("origins")}
    (dr_bucket,) = [
        b
        for b in s.of_type("aws:s3/bucket:Bucket")
        if b.region == dr_region and b.name.endswith("-dr-uploads")
    ]
    assert (
        origins["uploads-bucket-dr"]["domainName"] == dr_bucket.outputs["bucketRegionalDomainName"]
    )
    assert origins["uploads-bucket-dr"]["originAccessControlId"]
    # The DR bucket admits the primary's distribution (origin access control), as the primary's.
    (policy,) = [
        p
        for p in s.of_type("aws:s3/bucketPolicy:BucketPolicy")
        if p.region == dr_region and p.get("bucket") == dr_bucket.id
    ]
    assert distribution.outputs["arn"] in json.dumps(policy.get("policy"))


@pytest.mark.parametrize("stack", list(STACKS))
def test_the_dr_alb_origin_is_a_name_on_the_dr_certificate(stack: str) -> None:
    """CloudFront requires a certificate name matching the origin domain or the forwarded Host
    (else 502); the ALB's *.elb.amazonaws.com name is on no certificate of ours."""
    s = deployed(stack)
    strategy, _, dr_region = STACKS[stack]
    (distribution,) = s.of_type("aws:cloudfront/distribution:Distribution")
    origins = {o["originId"]: o for o in distribution.get("origins")}
    if strategy not in ("warm-standby", "active-active"):
        assert "alb-dr" not in origins
        return
    fqdn = f"{'www' if stack == 'prod' else stack}.example.com"
    name = f"origin-{dr_region}.{fqdn}"
    dr_origin = origins["alb-dr"]
    assert dr_origin["domainName"] == name
    assert dr_origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    (certificate,) = [
        c
        for c in s.of_type("aws:acm/certificate:Certificate")
        if c.region == dr_region and c.name.endswith("-regional")
    ]
    assert name in certificate.get("subjectAlternativeNames")
    dr_alb = next(
        r
        for r in s.of_type("aws:lb/loadBalancer:LoadBalancer")
        if r.region == dr_region and not r.get("internal")
    )
    (record,) = [
        r
        for r in s.of_type("aws:route53/record:Record")
        if r.get("name") == name and r.get("type") == "A"
    ]
    assert record.get("aliases", 0, "name") == dr_alb.outputs["dnsName"]
    # The DR ALB's HTTPS listener serves that certificate.
    listeners = [
        listener
        for listener in s.of_type("aws:lb/listener:Listener")
        if listener.region == dr_region
        and listener.get("protocol") == "HTTPS"
        and listener.get("loadBalancerArn") == dr_alb.outputs["arn"]
    ]
    assert listeners
    validated = {
        v.outputs.get("certificateArn")
        for v in s.of_type("aws:acm/certificateValidation:CertificateValidation")
        if v.get("certificateArn") == certificate.outputs["arn"]
    }
    assert {listener.get("certificateArn") for listener in listeners} <= validated | {
        certificate.outputs["arn"]
    }


@pytest.mark.parametrize("stack", MIRRORED)
def test_a_dr_alb_users_reach_directly_has_the_edges_waf_rules(stack: str) -> None:
    """Issue 17: active-active's DR region serves users every day through its public ALB,
    without CloudFront: a REGIONAL web ACL with the AWS managed rules the edge's runs."""
    s = deployed(stack)
    strategy, _, dr_region = STACKS[stack]
    acls = [a for a in s.of_type("aws:wafv2/webAcl:WebAcl") if a.get("scope") == "REGIONAL"]
    associations = s.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    if strategy != "active-active":
        assert acls == [] and associations == []
        return
    (acl,) = acls
    assert acl.region == dr_region
    assert acl.get("defaultAction") == {"allow": {}}
    groups = [r["statement"]["managedRuleGroupStatement"]["name"] for r in acl.get("rules")]
    assert groups == list(WAF_MANAGED_RULE_GROUPS)
    assert all(r["overrideAction"] == {"none": {}} for r in acl.get("rules"))
    (association,) = associations
    dr_alb = next(
        r
        for r in s.of_type("aws:lb/loadBalancer:LoadBalancer")
        if r.region == dr_region and not r.get("internal")
    )
    assert association.get("resourceArn") == dr_alb.outputs["arn"]
    assert association.get("webAclArn") == acl.outputs["arn"]
    assert association.region == dr_region


@pytest.mark.parametrize("stack", MIRRORED)
def test_the_standby_tiers_run_the_plans_size(stack: str) -> None:
    s = deployed(stack)
    strategy, _, dr_region = STACKS[stack]
    groups = {g.region: g for g in s.of_type("aws:autoscaling/group:Group")}
    standby = groups[dr_region]
    # Pilot light at 0, warm standby at dr.standbySize (2 in prod), active-active as the primary.
    expected = {"pilot-light": (0, 0), "warm-standby": (2, 2), "active-active": (2, None)}
    assert (standby.get("minSize"), standby.get("desiredCapacity")) == expected[strategy]
    assert standby.get("maxSize") == 6


@pytest.mark.parametrize("stack", list(STACKS))
def test_the_outputs_follow_the_contract(stack: str) -> None:
    s = deployed(stack)
    strategy, family, dr_region = STACKS[stack]
    out = s.outputs
    assert (out["project"], out["stack"], out["environment"]) == ("webstack", stack, "prod")
    assert out["primary"]["role"] == "primary" and out["primary"]["region"] == PRIMARY
    dr: dict[str, Any] = out["dr"]
    assert set(dr) == {
        "strategy",
        "region",
        "activeRegion",
        "rto",
        "rpo",
        "uploadsRpo",
        "standby",
        "database",
        "cache",
        "failoverCapacity",
        "dns",
        "backup",
        "replication",
    }
    assert (dr["strategy"], dr["region"]) == (strategy, dr_region)
    assert dr["activeRegion"] == PRIMARY
    for objective in (dr["rto"], dr["rpo"], dr["uploadsRpo"]):
        assert set(objective) == {"value", "unit", "source"} and objective["source"]
    assert (dr["standby"] is None) == (strategy == "backup-restore")
    assert (dr["backup"] is None) == (strategy != "backup-restore")
    if dr["standby"] is not None:
        assert dr["standby"]["role"] == "standby" and dr["standby"]["region"] == dr_region
        assert dr["database"]["family"] == family
        assert dr["failoverCapacity"]["web"]["minSize"] == 2
        assert len(dr["dns"]["records"]) == 2
    # Active-active runs a cache per region (sessions per region): no global datastore.
    assert (dr["cache"] is not None) == (strategy == "warm-standby")
    assert dr["replication"]["bidirectional"] is (strategy == "active-active")


def test_a_stack_without_dr_exports_the_empty_dr_shape() -> None:
    out = synth("dev", preview=False).outputs
    assert out["dr"]["strategy"] == "none"
    assert all(v is None for k, v in out["dr"].items() if k != "strategy")
