"""CLI runs shared by test_cli.py and test_iam_policy.py (which records the calls they make)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from ops.cli import main
from tests.ops import support


def run(argv: list[str], aws: Any = None, sleep: Any = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    kwargs: dict[str, Any] = {"aws": aws or support.make_aws(), "out": out, "err": err}
    if sleep is not None:
        kwargs["sleep"] = sleep
    code = main(argv, **kwargs)
    return code, out.getvalue(), err.getvalue()


def no_sleep(_: float) -> None:
    return None


def execute(path: Path, journal: Path, *extra: str, verb: str = "failover") -> list[str]:
    return [
        verb,
        "--outputs",
        str(path),
        "--execute",
        "--json",
        "--journal",
        str(journal),
        "--poll-interval",
        "0",
        "--timeout",
        "3",
        *extra,
    ]


def primary_down(
    outputs: dict[str, Any], values: tuple[int, ...] = (0, 0, 0), later: int = 0
) -> None:
    """What Route 53's checkers report of the primary's records, a minute a value."""
    for record in outputs["dr"]["dns"]["records"]:
        if record["region"] == outputs["primary"]["region"]:
            support.put_health(record["healthCheckId"], list(values), later)


def replication_stopped(outputs: dict[str, Any]) -> None:
    """What CloudWatch in the DR region reports when nothing replicates in any more (lag -1):
    evidence of the outage from outside the primary region."""
    db = outputs["dr"]["database"]
    if db["family"] == "aurora":
        metric, dimension, name = (
            "AuroraGlobalDBReplicationLag",
            "DBClusterIdentifier",
            db["secondaryClusterId"],
        )
    else:
        metric, dimension, name = "ReplicaLag", "DBInstanceIdentifier", db["replicaInstanceId"]
    support.put_lag(outputs["dr"]["region"], metric, dimension, name, [-1, -1, -1])


def asg(outputs: dict[str, Any], key: str = "web") -> dict[str, Any]:
    group: dict[str, Any] = support.client("autoscaling", "us-west-2").describe_auto_scaling_groups(
        AutoScalingGroupNames=[outputs["dr"]["standby"][key]["asgName"]]
    )["AutoScalingGroups"][0]
    return group


# An RDS stack's failback (Aurora's has no fence-standby: its switchover fences).
FAILBACK = [
    "preflight",
    "confirm-primary-rebuilt",
    "fence-standby",
    "switch-database",
    "switch-cache",
    "restore-primary-capacity",
    "route-traffic-back",
    "scale-standby-down",
]

WRITES = (
    "Create",
    "Delete",
    "Failover",
    "Modify",
    "Promote",
    "Put",
    "Remove",
    "Switchover",
    "Update",
)


def record_writes(aws: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every state-changing call the tool sends through ``aws``'s session, with its parameters."""
    sent: list[tuple[str, dict[str, Any]]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name.startswith(WRITES):
            sent.append((model.name, dict(params)))

    aws.session.events.register("provide-client-params", record)
    return sent


def rebuild_old_primary_as_replica(outputs: dict[str, Any]) -> None:
    """What `pulumi up` does after a failover (README): the old primary instance is recreated as a
    cross-region read replica of the new writer in the DR region."""
    rds = support.client("rds", "us-east-1")
    name = outputs["dr"]["database"]["primaryInstanceId"]
    rds.modify_db_instance(DBInstanceIdentifier=name, DeletionProtection=False)
    rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    rds.create_db_instance_read_replica(
        DBInstanceIdentifier=name,
        SourceDBInstanceIdentifier=outputs["dr"]["database"]["replicaInstanceArn"],
        KmsKeyId=outputs["primary"]["dataKeyArn"],
        DeletionProtection=True,
    )
    support.put_lag("us-east-1", "ReplicaLag", "DBInstanceIdentifier", name, [3, 0])


def planned_rds_failover_and_failback(
    tmp_path: Path, aws: Any = None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """warm-standby RDS: a planned failover (primary healthy, --force), the old primary rebuilt as
    a replica of the DR writer, then the failback. Returns (outputs, failover, failback) reports."""
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs, (1, 1, 1))
    code, out, err = run(
        execute(path, tmp_path / "failover.json", "--force", "planned region move"), aws=aws
    )
    assert code == 0, err
    failover = json.loads(out)
    rebuild_old_primary_as_replica(outputs)
    code, out, err = run(
        execute(path, tmp_path / "failback.json", verb="failback"),
        aws=aws,
    )
    assert code == 0, err
    return outputs, failover, json.loads(out)


def aurora_failover_with_the_primary_unreachable(tmp_path: Path, aws: Any) -> dict[str, Any]:
    path, outputs = support.seed("warm-standby-aurora", tmp_path)
    primary_down(outputs)
    code, out, err = run(execute(path, tmp_path / "aurora.json"), aws=aws)
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


AURORA_FAILBACK = [n for n in FAILBACK if n != "fence-standby"]


def aurora_planned_failover_and_failback(
    tmp_path: Path, aws: Any = None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """warm-standby Aurora: a planned move (switchover), then back (switchover): no data loss
    either way, the global topology kept."""
    path, outputs = support.seed("warm-standby-aurora", tmp_path)
    primary_down(outputs, (1, 1, 1))
    code, out, err = run(execute(path, tmp_path / "over.json", "--force", "region move"), aws=aws)
    assert code == 0, err
    failover = json.loads(out)
    support.put_lag(
        "us-east-1",
        "AuroraGlobalDBReplicationLag",
        "DBClusterIdentifier",
        outputs["dr"]["database"]["primaryClusterId"],
        [40, 0],
    )
    code, out, err = run(execute(path, tmp_path / "back.json", verb="failback"), aws=aws)
    assert code == 0, err
    return outputs, failover, json.loads(out)


def headless(outputs: dict[str, Any]) -> None:
    """Pilot light with a headless Aurora secondary: no instance until a failover adds one."""
    outputs["dr"]["standby"]["database"]["instanceIds"] = []
    outputs["dr"]["database"]["failoverInstance"] = {
        "identifier": "webstack-prod-dr-db-1",
        "instanceClass": "db.r7g.large",
    }


def with_traffic_switch(outputs: dict[str, Any]) -> None:
    outputs["dr"]["dns"]["trafficSwitch"] = {
        "region": outputs["dr"]["region"],
        "namespace": "webstack/Failover",
        "metricName": "PrimaryServing",
        "dimensions": {"Stack": outputs["stack"]},
    }


def headless_failover_with_us_east_1_gone(tmp_path: Path, aws: Any) -> dict[str, Any]:
    """Pilot light, headless secondary, a traffic switch, and us-east-1 gone entirely (its
    regional services and its global control planes): the evidence comes from the DR region."""

    def edit(outputs: dict[str, Any]) -> None:
        headless(outputs)
        with_traffic_switch(outputs)

    path, outputs = support.seed("pilot-light-aurora", tmp_path, edit)
    replication_stopped(outputs)
    code, out, err = run(execute(path, tmp_path / "headless.json"), aws=aws)
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def aurora_failover_across_versions(tmp_path: Path, aws: Any) -> dict[str, Any]:
    """The DR cluster runs another engine version: AWS refuses a managed failover, so the
    runbook detaches the secondary (its one way left) after fencing the primary."""
    path, outputs = support.seed("warm-standby-aurora", tmp_path)
    support.set_engine_version("us-west-2", outputs["dr"]["database"]["secondaryClusterId"], "16.1")
    primary_down(outputs)
    code, out, err = run(execute(path, tmp_path / "versions.json"), aws=aws)
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def lag(outputs: dict[str, Any], values: list[float], later: int = 0) -> None:
    """Replication lag into the primary region's database (after a failover: the old primary,
    rebuilt as a replica of the DR writer), one datapoint a minute ending now."""
    db = outputs["dr"]["database"]
    region = outputs["primary"]["region"]
    if db["family"] == "aurora":
        metric, dimension, name = (
            "AuroraGlobalDBReplicationLag",
            "DBClusterIdentifier",
            db["primaryClusterId"],
        )
        values = [v * 1000 for v in values]  # milliseconds
    else:
        metric, dimension, name = "ReplicaLag", "DBInstanceIdentifier", db["primaryInstanceId"]
    support.put_lag(region, metric, dimension, name, values, later)


def rebuild_primary(outputs: dict[str, Any]) -> None:
    """What `pulumi up` with webstack:dr.activeRegion set to the DR region does to the returning
    primary: RDS recreates it as a cross-Region replica of the DR writer; Aurora's managed
    failover already made it a secondary of the global database. Either way it catches up."""
    if outputs["dr"]["database"]["family"] == "rds":
        db, region = outputs["dr"]["database"], outputs["primary"]["region"]
        rds = support.client("rds", region)
        name = db["primaryInstanceId"]
        rds.modify_db_instance(DBInstanceIdentifier=name, DeletionProtection=False)
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
        rds.create_db_instance_read_replica(
            DBInstanceIdentifier=name,
            SourceDBInstanceIdentifier=db["replicaInstanceArn"],
            KmsKeyId=outputs["primary"]["dataKeyArn"],
            DeletionProtection=True,
        )
    lag(outputs, [3, 0])
