"""The program <-> ops contract: every shipped stack's outputs parse with ``ops.outputs``.

Each shipped stack is synthesized in deployed mode (ids known, as ``pulumi stack output --json``
would print them) and its outputs go through ``ops.outputs.parse_outputs``, the model the ops
runbook CLI reads them with (``ops/outputs.py``). Then what a failover acts on is followed back
to the recorded resources: the ids the CLI would hand to boto3 are the ones the program created.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from ops.outputs import StackOutputs, parse_outputs
from tests.support.synth import synth
from tools import stackfile
from tools.mockcloud import ROOT, RecordedResource, Synthesis

SHIPPED = stackfile.known_stacks(ROOT)
# Contract keys every stack exports (appAsgName and internalAlbDnsName only with an app tier).
TOP_LEVEL = {
    "region",
    "vpcId",
    "availabilityZones",
    "publicSubnetIds",
    "appSubnetIds",
    "dataSubnetIds",
    "securityGroupIds",
    "databaseEndpoint",
    "databaseReaderEndpoint",
    "databasePort",
    "databaseSecretArn",
    "databaseProxyEndpoint",
    "cacheEndpoint",
    "cacheReaderEndpoint",
    "cachePort",
    "cacheAuthSecretArn",
    "albDnsName",
    "webAsgName",
    "siteUrl",
    "cloudFrontDomain",
    "uploadsBucketName",
    "dashboardName",
    "alarmTopicArn",
    "project",
    "stack",
    "environment",
    "allowedAccountIds",
    "primary",
    "dr",
}
APP_TIER_KEYS = {"appAsgName", "internalAlbDnsName"}


def test_every_shipped_stack_is_covered() -> None:
    assert SHIPPED == [
        "dev",
        "dr-active",
        "dr-backup",
        "dr-pilot",
        "dr-pilotrds",
        "dr-warmrds",
        "prod",
    ]


@cache
def deployed(stack: str) -> Synthesis:
    # The stack file's own webstack:dr (tests/support/synth strips prod's mirror otherwise).
    file_config = stackfile.load_stack_config(stack, ROOT, None)
    overrides = {"webstack:dr": file_config.get("webstack:dr", {"strategy": "none"})}
    result = synth(stack, overrides, preview=False)
    assert result.error is None, result.error
    return result


@cache
def parsed(stack: str) -> StackOutputs:
    return parse_outputs(json.dumps(deployed(stack).outputs))


def file_dr(stack: str) -> dict[str, Any]:
    value = stackfile.load_stack_config(stack, ROOT, None).get("webstack:dr")
    if value is None:
        return {"strategy": "none"}
    loaded = json.loads(value) if isinstance(value, str) else value
    assert isinstance(loaded, dict)
    return loaded


def in_region(s: Synthesis, kind: str, region: str) -> list[RecordedResource]:
    return [r for r in s.of_type(kind) if r.region == region]


@pytest.mark.parametrize("stack", SHIPPED)
def test_the_outputs_parse_with_the_ops_model(stack: str) -> None:
    outputs = parsed(stack)
    raw = deployed(stack).outputs
    app = raw["primary"]["app"] is not None
    assert set(raw) == TOP_LEVEL | (APP_TIER_KEYS if app else set())
    assert (outputs.project, outputs.stack) == ("webstack", stack)
    dr = file_dr(stack)
    assert outputs.dr.strategy == dr["strategy"]
    assert outputs.dr.region == (dr.get("region") if dr["strategy"] != "none" else None)
    assert outputs.primary.region == raw["region"] == "us-east-1"
    (primary_asg,) = in_region(deployed(stack), "aws:autoscaling/group:Group", "us-east-1")
    assert outputs.primary.web.asg_name == primary_asg.outputs["name"] == raw["webAsgName"]


MIRRORED = [s for s in SHIPPED if file_dr(s)["strategy"] in ("pilot-light", "warm-standby")]
MIRRORED += [s for s in SHIPPED if file_dr(s)["strategy"] == "active-active"]


def test_every_standby_strategy_is_shipped() -> None:
    assert sorted(MIRRORED) == ["dr-active", "dr-pilot", "dr-pilotrds", "dr-warmrds", "prod"]


@pytest.mark.parametrize("stack", MIRRORED)
def test_the_standby_capacity_names_the_recorded_dr_groups(stack: str) -> None:
    s, out = deployed(stack), parsed(stack)
    region = file_dr(stack)["region"]
    assert out.dr.standby is not None and out.dr.failover_capacity is not None
    (dr_asg,) = in_region(s, "aws:autoscaling/group:Group", region)
    assert out.dr.standby.web.asg_name == dr_asg.outputs["name"]
    assert out.dr.failover_capacity.web.asg_name == dr_asg.outputs["name"]
    assert out.dr.failover_capacity.app is None
    # dr.failoverCapacity unset in every shipped stack: the primary web tier's minSize (2).
    web = out.dr.failover_capacity.web
    assert (web.min_size, web.desired_capacity, web.max_size) == (2, 2, 6)
    assert out.dr.standby.web.max_size == dr_asg.get("maxSize") == 6
    assert out.dr.standby.web.min_size == dr_asg.get("minSize")


@pytest.mark.parametrize("stack", MIRRORED)
def test_the_database_ids_are_the_recorded_ones(stack: str) -> None:
    s, out = deployed(stack), parsed(stack)
    region = file_dr(stack)["region"]
    database = out.dr.database
    assert database is not None and out.dr.standby is not None
    standby_db = out.dr.standby.database
    assert standby_db is not None
    if database.family == "aurora":
        (global_cluster,) = s.of_type("aws:rds/globalCluster:GlobalCluster")
        (primary,) = in_region(s, "aws:rds/cluster:Cluster", "us-east-1")
        (secondary,) = in_region(s, "aws:rds/cluster:Cluster", region)
        assert database.global_cluster_id == global_cluster.get("globalClusterIdentifier")
        assert database.primary_cluster_id == primary.get("clusterIdentifier")
        assert out.primary.database is not None
        assert out.primary.database.cluster_id == primary.get("clusterIdentifier")
        assert database.secondary_cluster_id == secondary.get("clusterIdentifier")
        assert standby_db.cluster_id == secondary.get("clusterIdentifier")
        assert database.secondary_cluster_arn == secondary.outputs["arn"]
        dr_instances = in_region(s, "aws:rds/clusterInstance:ClusterInstance", region)
        assert sorted(standby_db.instance_ids) == sorted(i.get("identifier") for i in dr_instances)
        assert database.write_forwarding is (file_dr(stack)["strategy"] == "active-active")
    else:
        (primary,) = [
            i
            for i in in_region(s, "aws:rds/instance:Instance", "us-east-1")
            if not i.get("replicateSourceDb")
        ]
        (replica,) = in_region(s, "aws:rds/instance:Instance", region)
        assert database.primary_instance_id == primary.get("identifier")
        assert database.replica_instance_id == replica.get("identifier")
        assert database.replica_instance_arn == replica.outputs["arn"]
        assert standby_db.instance_ids == (replica.get("identifier"),)
        assert database.write_forwarding is False


@pytest.mark.parametrize("stack", MIRRORED)
def test_the_dns_records_are_the_recorded_ones(stack: str) -> None:
    s, out = deployed(stack), parsed(stack)
    dr = file_dr(stack)
    dns = out.dr.dns
    assert dns is not None
    fqdn = f"{'www' if stack == 'prod' else stack}.example.com"
    assert dns.record_name == fqdn
    recorded = [r for r in s.of_type("aws:route53/record:Record") if r.get("name") == fqdn]
    assert len(recorded) == 2 and len(dns.records) == 2
    assert sorted(r.set_identifier for r in dns.records) == sorted(
        r.get("setIdentifier") for r in recorded
    )
    assert sorted(str(r.carried_check_id) for r in dns.records) == sorted(
        r.get("healthCheckId") for r in recorded
    )
    # The probes are the HTTPS checks; the switch is the one that follows its alarm.
    checks = {c.id: c for c in s.of_type("aws:route53/healthCheck:HealthCheck")}
    assert {checks[str(r.health_check_id)].get("type") for r in dns.records} == {"HTTPS"}
    switch = dns.traffic_switch
    assert switch is not None and switch.region == dr["region"]
    assert checks[str(switch.health_check_id)].get("type") == "CLOUDWATCH_METRIC"
    assert [r.region for r in dns.records] == ["us-east-1", dr["region"]]
    if dr["strategy"] == "active-active":
        assert dns.routing == "latency"
        assert [r.failover for r in dns.records] == [None, None]
    else:
        assert dns.routing == "failover"
        assert [r.failover for r in dns.records] == ["PRIMARY", "SECONDARY"]


@pytest.mark.parametrize("stack", [s for s in SHIPPED if file_dr(s)["strategy"] != "none"])
def test_backup_and_replication_name_the_recorded_resources(stack: str) -> None:
    s, out = deployed(stack), parsed(stack)
    dr = file_dr(stack)
    replication = out.dr.replication
    assert replication is not None
    configs = s.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    rule_ids = [rule["id"] for c in configs for rule in c.get("rules")]
    two_way = dr["strategy"] == "active-active"
    expected = [f"uploads-to-{dr['region']}"] + (["uploads-to-us-east-1"] if two_way else [])
    assert list(replication.rule_ids) == expected
    # Registration order of the two configurations is not fixed.
    assert sorted(rule_ids) == sorted(expected)
    assert replication.source_bucket == out.primary.uploads_bucket
    if dr["strategy"] != "backup-restore":
        assert out.dr.backup is None
        assert out.dr.standby is not None
        assert replication.replica_bucket == out.dr.standby.uploads_bucket
        return
    backup = out.dr.backup
    assert backup is not None
    (plan,) = s.of_type("aws:backup/plan:Plan")
    vaults = {v.region: v for v in s.of_type("aws:backup/vault:Vault")}
    assert (backup.plan_id, backup.plan_name) == (plan.id, plan.get("name"))
    assert backup.vault_name == vaults["us-east-1"].get("name")
    assert backup.dr_vault_name == vaults[dr["region"]].get("name")
    assert backup.dr_vault_arn == vaults[dr["region"]].outputs["arn"]


@pytest.mark.parametrize("stack", MIRRORED)
def test_the_cache_ids_follow_the_strategy(stack: str) -> None:
    s, out = deployed(stack), parsed(stack)
    strategy, region = file_dr(stack)["strategy"], file_dr(stack)["region"]
    assert out.dr.standby is not None and out.dr.standby.cache is not None
    (primary_group,) = in_region(
        s, "aws:elasticache/replicationGroup:ReplicationGroup", "us-east-1"
    )
    (dr_group,) = in_region(s, "aws:elasticache/replicationGroup:ReplicationGroup", region)
    assert out.dr.standby.cache.replication_group_id == dr_group.get("replicationGroupId")
    if strategy != "warm-standby":
        assert out.dr.cache is None
        assert dr_group.get("globalReplicationGroupId") is None
        return
    (global_group,) = s.of_type("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup")
    assert out.dr.cache is not None
    assert (
        out.dr.cache.global_replication_group_id == global_group.outputs["globalReplicationGroupId"]
    )
    assert out.dr.cache.primary_replication_group_id == primary_group.get("replicationGroupId")
    assert out.dr.cache.secondary_replication_group_id == dr_group.get("replicationGroupId")


def test_a_stack_without_dr_parses_with_the_empty_dr_shape() -> None:
    out = parsed("dev")
    assert out.dr.strategy == "none" and out.dr.region is None
    assert out.regions() == (out.primary,)
