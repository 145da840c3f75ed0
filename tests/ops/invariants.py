"""What must hold of the world after any run, killed or not, read from moto directly (never
through a faulted endpoint): who writes, where Route 53 sends users, which tiers run.

``World.read(outputs)`` gives the state; ``check(state)`` asserts the invariants:

1. at most one database that accepts writes takes traffic (users routed to its region and its
   tiers running);
2. after a completed failover or failback, users are routed only to the region whose database
   is the sole writer;
3. (across steps, ``Lineage``) users only ever move to a writer that holds every write made so
   far: the writer that served before it, or a replica of that writer promoted since. A
   standalone old primary that served nobody while the DR region took writes has stranded data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tests.ops import support


@dataclass(frozen=True)
class State:
    writers: tuple[str, ...]  # regions whose database accepts writes
    routed: tuple[str, ...]  # regions Route 53 answers with (both for latency routing)
    running: tuple[str, ...]  # regions whose web tier has desired capacity > 0
    replica_of: dict[str, str]  # region -> what its database replicates ("" for a writer)

    @property
    def serving_writers(self) -> tuple[str, ...]:
        return tuple(r for r in self.writers if r in self.routed and r in self.running)

    def describe(self) -> str:
        return (
            f"writers {list(self.writers)}, routed {list(self.routed)}, "
            f"running {list(self.running)}, replicas {self.replica_of}"
        )


def source_region(outputs: dict[str, Any], state: State, region: str) -> str | None:
    """The region whose database ``region``'s database replicates (None for a writer)."""
    source = state.replica_of.get(region, "")
    if not source:
        return None
    for other in _regions(outputs):
        database = other["database"]
        names = [database.get("clusterArn"), *database.get("instanceIds", [])]
        if any(n and (source == n or source.endswith(f":{n}")) for n in names):
            return str(other["region"])
    return "?"


class Lineage:
    """Which regions hold every write made so far, followed from one observed state to the next.

    Starts with the primary. While a writer takes traffic, the data lives with it and its
    replicas; while none does, nothing new is written and the holders keep it (a promoted replica
    stays a holder). A writer that takes traffic must have been a holder a step before."""

    def __init__(self, outputs: dict[str, Any]) -> None:
        self.outputs = outputs
        self.holders = {str(outputs["primary"]["region"])}

    def observe(self, state: State) -> None:
        for writer in state.serving_writers:
            assert writer in self.holders, (
                f"users moved to {writer}, which does not hold the writes made in "
                f"{sorted(self.holders)}: {state.describe()}"
            )
        base = set(state.serving_writers) or self.holders
        replicas = {r for r in state.replica_of if source_region(self.outputs, state, r) in base}
        self.holders = base | replicas


def _regions(outputs: dict[str, Any]) -> list[dict[str, Any]]:
    return [outputs["primary"], outputs["dr"]["standby"]]


def _rds_writers(outputs: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    writers, replicas = [], {}
    for region in _regions(outputs):
        name = region["database"]["instanceIds"][0]
        found = support.client("rds", region["region"]).describe_db_instances(
            DBInstanceIdentifier=name
        )["DBInstances"][0]
        source = found.get("ReadReplicaSourceDBInstanceIdentifier") or ""
        replicas[region["region"]] = source
        if not source and found["DBInstanceStatus"] == "available":
            writers.append(region["region"])
    return writers, replicas


def _aurora_writers(outputs: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    gid = outputs["dr"]["database"]["globalClusterId"]
    found = support.client("rds", outputs["primary"]["region"]).describe_global_clusters(
        GlobalClusterIdentifier=gid
    )["GlobalClusters"]
    members = {
        m["DBClusterArn"]: m["IsWriter"]
        for m in (found[0]["GlobalClusterMembers"] if found else [])
    }
    writers, replicas = [], {}
    for region in _regions(outputs):
        arn = region["database"]["clusterArn"]
        if arn not in members or members[arn]:
            writers.append(region["region"])
            replicas[region["region"]] = ""
        else:
            replicas[region["region"]] = next((a for a, w in members.items() if w), "?")
    return writers, replicas


def _check_serves(outputs: dict[str, Any], check_id: str) -> bool:
    """As Route 53 would judge the check now, then inverted if the check is (a disabled check
    counts as healthy). An endpoint check: its newest HealthCheckStatus minute. A calculated
    check: at least HealthThreshold of its children serve. A CLOUDWATCH_METRIC check: moto
    keeps no AlarmIdentifier and evaluates no alarm, so the stack's one such check, its traffic
    switch, is judged from the switch's metric as its alarm would (Minimum < 1 is ALARM,
    unhealthy; no data ever is a new check's LastKnownStatus, healthy; missing data is ignored,
    so the newest value stands)."""
    config = support.client("route53", "us-east-1").get_health_check(HealthCheckId=check_id)[
        "HealthCheck"
    ]["HealthCheckConfig"]
    if config["Type"] == "CALCULATED":
        children = config.get("ChildHealthChecks") or []
        passing = sum(_check_serves(outputs, child) for child in children)
        healthy = passing >= int(config.get("HealthThreshold") or 0)
    elif config["Type"] == "CLOUDWATCH_METRIC":
        switch = outputs["dr"]["dns"]["trafficSwitch"]
        value = _newest(
            switch["region"],
            switch["namespace"],
            switch["metricName"],
            switch["dimensions"],
            minutes=SWITCH_LOOKBACK_MINUTES,
        )
        healthy = value is None or value >= 1
    else:
        value = _newest(
            "us-east-1", "AWS/Route53", "HealthCheckStatus", {"HealthCheckId": check_id}, minutes=5
        )
        healthy = value is not None and value >= 1
    healthy = healthy or bool(config.get("Disabled"))
    return healthy != bool(config.get("Inverted"))


# The switch's alarm ignores missing data, so its newest value stands however old: a day is
# longer than any test run.
SWITCH_LOOKBACK_MINUTES = 1440


def _newest(
    region: str, namespace: str, metric: str, dimensions: dict[str, str], minutes: int
) -> float | None:
    """The newest one-minute maximum of a metric in the last ``minutes`` (None: no datapoint)."""
    now = dt.datetime.now(dt.UTC)
    points = support.client("cloudwatch", region).get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=now - dt.timedelta(minutes=minutes),
        EndTime=now + dt.timedelta(minutes=2),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    return float(max(points, key=lambda p: p["Timestamp"])["Maximum"]) if points else None


def _routed(outputs: dict[str, Any]) -> list[str]:
    dns = outputs["dr"]["dns"]
    if dns is None:
        return [outputs["primary"]["region"]]
    serving = {}
    for r in dns["records"]:
        carried = r.get("recordHealthCheckId") or r["healthCheckId"]
        serving[r["region"]] = carried is None or _check_serves(outputs, carried)
    if dns["routing"] == "latency":
        return [r for r, ok in serving.items() if ok] or list(serving)
    by_role = {r["failover"]: r["region"] for r in dns["records"]}
    primary, secondary = by_role["PRIMARY"], by_role["SECONDARY"]
    if serving[primary]:
        return [primary]
    # Route 53 answers with the secondary when it is healthy, else with the primary (fail-open)
    return [secondary] if serving[secondary] else [primary]


def _running(outputs: dict[str, Any]) -> list[str]:
    running = []
    for region in _regions(outputs):
        group = support.client("autoscaling", region["region"]).describe_auto_scaling_groups(
            AutoScalingGroupNames=[region["web"]["asgName"]]
        )["AutoScalingGroups"][0]
        if group["DesiredCapacity"] > 0:
            running.append(region["region"])
    return running


def read(outputs: dict[str, Any]) -> State:
    family = outputs["dr"]["database"]["family"]
    writers, replicas = _aurora_writers(outputs) if family == "aurora" else _rds_writers(outputs)
    return State(tuple(writers), tuple(_routed(outputs)), tuple(_running(outputs)), replicas)


def check(outputs: dict[str, Any], *, completed: str | None = None) -> State:
    """Assert the invariants on the world now; ``completed`` names a verb that just completed."""
    state = read(outputs)
    assert len(state.serving_writers) <= 1, f"two writers take traffic: {state.describe()}"
    if completed is not None:
        writer = (
            outputs["dr"]["region"] if completed == "failover" else outputs["primary"]["region"]
        )
        assert state.routed == (writer,) or outputs["dr"]["dns"]["routing"] == "latency", (
            f"{completed} completed but users go to {state.routed}: {state.describe()}"
        )
        assert writer in state.writers, f"{completed} completed: {state.describe()}"
        for region in state.routed:
            if region in state.running:
                assert region in state.writers, (
                    f"users routed to {region}, whose database is not a writer: {state.describe()}"
                )
    return state
