"""Read-only questions the runbook asks AWS. Every function returns plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ops.aws import GLOBAL_REGION, error_code
from ops.outputs import DnsRecord
from ops.runner import Context, StepFailed


def account_id(ctx: Context) -> str:
    return str(ctx.client("sts", GLOBAL_REGION).get_caller_identity()["Account"])


def check_account(ctx: Context) -> str:
    account = account_id(ctx)
    allowed = ctx.outputs.allowed_account_ids
    if allowed and account not in allowed:
        raise StepFailed(
            f"account: credentials are for {account}, the stack allows {', '.join(allowed)}"
        )
    return account


def global_members(ctx: Context, region: str, global_id: str) -> dict[str, bool]:
    """Aurora global database: member cluster ARN -> is it the writer."""
    found = ctx.client("rds", region).describe_global_clusters(GlobalClusterIdentifier=global_id)
    clusters = found.get("GlobalClusters", [])
    if not clusters:
        raise StepFailed(f"aurora: global cluster {global_id} not found from {region}")
    return {m["DBClusterArn"]: bool(m.get("IsWriter")) for m in clusters[0]["GlobalClusterMembers"]}


@dataclass(frozen=True)
class DatastoreMember:
    """One replication group of an ElastiCache global datastore."""

    replication_group_id: str
    region: str
    role: str  # PRIMARY | SECONDARY
    status: str


def global_datastore(ctx: Context, region: str, global_id: str) -> list[DatastoreMember]:
    """ElastiCache global datastore: its member replication groups, as seen from `region`."""
    found = ctx.client("elasticache", region).describe_global_replication_groups(
        GlobalReplicationGroupId=global_id, ShowMemberInfo=True
    )["GlobalReplicationGroups"]
    if not found:
        raise StepFailed(f"elasticache: global datastore {global_id} not found from {region}")
    return [
        DatastoreMember(
            m["ReplicationGroupId"],
            m["ReplicationGroupRegion"],
            m.get("Role", "?"),
            m.get("Status", "?"),
        )
        for m in found[0].get("Members", [])
    ]


def cluster(ctx: Context, region: str, cluster_id: str) -> dict[str, Any]:
    rds = ctx.client("rds", region)
    found: list[dict[str, Any]] = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)[
        "DBClusters"
    ]
    return found[0]


def instance(ctx: Context, region: str, instance_id: str) -> dict[str, Any]:
    rds = ctx.client("rds", region)
    found: list[dict[str, Any]] = rds.describe_db_instances(DBInstanceIdentifier=instance_id)[
        "DBInstances"
    ]
    return found[0]


def asg(ctx: Context, region: str, name: str) -> dict[str, Any]:
    groups = ctx.client("autoscaling", region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[name]
    )["AutoScalingGroups"]
    if not groups:
        raise StepFailed(f"autoscaling: group {name} not found in {region}")
    group: dict[str, Any] = groups[0]
    return group


def healthy_targets(ctx: Context, region: str, target_group_arn: str) -> tuple[int, int]:
    """(healthy, registered) targets of a target group."""
    found = ctx.client("elbv2", region).describe_target_health(TargetGroupArn=target_group_arn)
    states = [d["TargetHealth"]["State"] for d in found["TargetHealthDescriptions"]]
    return states.count("healthy"), len(states)


@dataclass(frozen=True)
class CheckHealth:
    """A Route 53 health check as the runbook judges it."""

    health_check_id: str
    state: str  # healthy | unhealthy | unknown
    inverted: bool
    disabled: bool
    datapoints: tuple[float, ...]

    @property
    def routable(self) -> bool:
        """Would Route 53 send users to a record with this check."""
        if self.disabled:
            return True
        return self.state == "healthy" and not self.inverted


def check_health(ctx: Context, health_check_id: str) -> CheckHealth:
    """Health from the HealthCheckStatus metric (1 healthy, 0 unhealthy) over the last
    `confirm_minutes` minutes: unhealthy only when every minute was 0 (not one failed probe)."""
    route53 = ctx.client("route53", GLOBAL_REGION)
    config = route53.get_health_check(HealthCheckId=health_check_id)["HealthCheck"][
        "HealthCheckConfig"
    ]
    minutes = ctx.options.confirm_minutes
    now = dt.datetime.now(dt.UTC)
    # Route 53 publishes health check metrics in us-east-1 only.
    cloudwatch = ctx.aws.client("cloudwatch", GLOBAL_REGION, global_endpoint=True)
    stats = cloudwatch.get_metric_statistics(
        Namespace="AWS/Route53",
        MetricName="HealthCheckStatus",
        Dimensions=[{"Name": "HealthCheckId", "Value": health_check_id}],
        StartTime=now - dt.timedelta(minutes=minutes + 1),
        EndTime=now + dt.timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )
    points = sorted(stats.get("Datapoints", []), key=lambda p: p["Timestamp"])
    values = tuple(float(p["Maximum"]) for p in points)
    if len(values) >= minutes and all(v == 0 for v in values[-minutes:]):
        state = "unhealthy"
    elif values and values[-1] >= 1:
        state = "healthy"
    else:
        state = "unknown"
    return CheckHealth(
        health_check_id,
        state,
        bool(config.get("Inverted")),
        bool(config.get("Disabled")),
        values,
    )


def dns_records(ctx: Context) -> dict[str, dict[str, Any]]:
    """The record sets of dr.dns.recordName, by set identifier."""
    dns = ctx.outputs.dr.dns
    assert dns is not None
    name = dns.record_name.rstrip(".") + "."
    found = ctx.client("route53", GLOBAL_REGION).list_resource_record_sets(
        HostedZoneId=dns.zone_id, StartRecordName=name, MaxItems="20"
    )["ResourceRecordSets"]
    return {r["SetIdentifier"]: r for r in found if r["Name"] == name and "SetIdentifier" in r}


def check_records(ctx: Context) -> list[DnsRecord]:
    """The records of the outputs exist in the zone with the health checks they name."""
    dns = ctx.outputs.dr.dns
    assert dns is not None
    actual = dns_records(ctx)
    for record in dns.records:
        live = actual.get(record.set_identifier)
        if live is None:
            raise StepFailed(
                f"route53: no record {dns.record_name} '{record.set_identifier}' in zone "
                f"{dns.zone_id}"
            )
        if record.health_check_id and live.get("HealthCheckId") != record.health_check_id:
            raise StepFailed(
                f"route53: record '{record.set_identifier}' has health check "
                f"{live.get('HealthCheckId')}, the outputs say {record.health_check_id}"
            )
        if record.failover and live.get("Failover") != record.failover:
            raise StepFailed(
                f"route53: record '{record.set_identifier}' is {live.get('Failover')}, "
                f"the outputs say {record.failover}"
            )
    return list(dns.records)


def records_in(ctx: Context, region: str) -> list[DnsRecord]:
    dns = ctx.outputs.dr.dns
    return [] if dns is None else [r for r in dns.records if r.region == region]


def replica_lag_seconds(ctx: Context) -> float | None:
    """Replication lag of the DR data store from CloudWatch (None when no recent datapoint)."""
    db = ctx.outputs.dr.database
    region = ctx.outputs.dr.region
    if db is None or region is None:
        return None
    if db.family == "aurora":
        metric, dim, value, scale = (
            "AuroraGlobalDBReplicationLag",
            "DBClusterIdentifier",
            db.secondary_cluster_id,
            0.001,
        )
    else:
        metric, dim, value, scale = (
            "ReplicaLag",
            "DBInstanceIdentifier",
            db.replica_instance_id,
            1.0,
        )
    now = dt.datetime.now(dt.UTC)
    stats = ctx.client("cloudwatch", region).get_metric_statistics(
        Namespace="AWS/RDS",
        MetricName=metric,
        Dimensions=[{"Name": dim, "Value": value}],
        StartTime=now - dt.timedelta(minutes=10),
        EndTime=now + dt.timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )
    points = sorted(stats.get("Datapoints", []), key=lambda p: p["Timestamp"])
    return None if not points else float(points[-1]["Maximum"]) * scale


def not_found(err: BaseException) -> bool:
    return error_code(err).endswith("NotFound") or error_code(err).endswith("NotFoundFault")
