"""Read-only questions the runbook asks AWS. Every function returns plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ops.aws import GLOBAL_REGION, error_code
from ops.outputs import DnsRecord, TrafficSwitch
from ops.runner import Context, StepFailed


def account_id(ctx: Context, region: str) -> str:
    return str(ctx.client("sts", region).get_caller_identity()["Account"])


def check_account(ctx: Context, region: str | None = None) -> str:
    """The caller's account, asked of STS in ``region`` (default: the DR region, else the
    primary), refused unless the stack allows it."""
    region = region or ctx.outputs.dr.region or ctx.outputs.primary.region
    account = account_id(ctx, region)
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
    def held(self) -> bool:
        """Held out by the runbook: disabled (counts as healthy) and inverted, so unhealthy
        whatever the endpoint answers."""
        return self.disabled and self.inverted

    @property
    def routable(self) -> bool:
        """Would Route 53 send users to a record with this check."""
        # Route 53 counts a disabled check as healthy, then applies the inversion.
        status = self.disabled or self.state == "healthy"
        return status != self.inverted


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
        carried = record.carried_check_id
        if carried and live.get("HealthCheckId") != carried:
            raise StepFailed(
                f"route53: record '{record.set_identifier}' has health check "
                f"{live.get('HealthCheckId')}, the outputs say {carried}"
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


def _latest(
    ctx: Context,
    region: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    minutes: int = 10,
) -> float | None:
    """The newest 1-minute maximum of a metric in the last `minutes` (None: no datapoint)."""
    now = dt.datetime.now(dt.UTC)
    stats = ctx.client("cloudwatch", region).get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - dt.timedelta(minutes=minutes),
        EndTime=now + dt.timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )
    points = sorted(stats.get("Datapoints", []), key=lambda p: p["Timestamp"])
    return None if not points else float(points[-1]["Maximum"])


# CloudWatch returns at most 1,440 datapoints a call: a day of minutes.
SWITCH_LOOKBACK_MINUTES = 1440


def switch_serves_primary(ctx: Context, switch: TrafficSwitch) -> bool | None:
    """What the traffic switch was last set to in the last day: True (serve the primary), False
    (hold it out), None (not set in a day: its alarm keeps whatever it was)."""
    value = _latest(
        ctx,
        switch.region,
        switch.namespace,
        switch.metric_name,
        switch.dimensions,
        SWITCH_LOOKBACK_MINUTES,
    )
    return None if value is None else value >= 1


def lag_seconds(ctx: Context, region: str, name: str) -> float | None:
    """Replication lag into the database ``name`` (a replica instance or a secondary Aurora
    cluster) of ``region``, in seconds, from CloudWatch in that region. None: no recent datapoint.
    -1: replication is not running (RDS reports -1 when it stopped)."""
    db = ctx.outputs.dr.database
    assert db is not None
    if db.family == "aurora":
        value = _latest(
            ctx, region, "AWS/RDS", "AuroraGlobalDBReplicationLag", {"DBClusterIdentifier": name}
        )
        return None if value is None else (-1.0 if value < 0 else value / 1000.0)
    value = _latest(ctx, region, "AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": name})
    return None if value is None else (-1.0 if value < 0 else value)


def replica_lag_seconds(ctx: Context) -> float | None:
    """Replication lag into the DR data store (None when no recent datapoint)."""
    db = ctx.outputs.dr.database
    region = ctx.outputs.dr.region
    if db is None or region is None:
        return None
    name = db.secondary_cluster_id if db.family == "aurora" else db.replica_instance_id
    return lag_seconds(ctx, region, name or "")


def uploads_replication_latency(ctx: Context) -> float | None:
    """S3 Replication Time Control's ReplicationLatency of the uploads rules (seconds; the
    largest of the rules), from CloudWatch in the source bucket's region."""
    rep = ctx.outputs.dr.replication
    if rep is None:
        return None
    seen = [
        _latest(
            ctx,
            ctx.outputs.primary.region,
            "AWS/S3",
            "ReplicationLatency",
            {
                "SourceBucket": rep.source_bucket,
                "DestinationBucket": rep.replica_bucket,
                "RuleId": rule,
            },
        )
        for rule in rep.rule_ids
    ]
    known = [v for v in seen if v is not None]
    return max(known) if known else None


def not_found(err: BaseException) -> bool:
    return error_code(err).endswith("NotFound") or error_code(err).endswith("NotFoundFault")
