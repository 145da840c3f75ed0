"""The runbook CLI against moto's server on loopback, seeded in two regions."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.awsrequest
import pytest

from ops import checks
from tests.ops import flows, support
from tests.ops.flows import asg, execute, no_sleep, primary_down, run

FAILOVER = [
    "preflight",
    "confirm-primary-down",
    "fence-primary",
    "promote-database",
    "promote-cache",
    "scale-standby",
    "wait-healthy-targets",
    "route-traffic",
]


def primary_unreachable_and_a_new_target_fails(instance_id: str) -> Any:
    """An Aws whose primary region refuses connections and where, once the standby is scaled up,
    instance `instance_id` stops (so 1 of the 2 failover targets stays unhealthy). The instance is
    stopped after the scale call because moto refuses to register a stopped instance then."""
    session = support.fresh_session()

    def stop(**_: Any) -> None:
        support.client("ec2", "us-west-2").stop_instances(InstanceIds=[instance_id])

    session.events.register("after-call.auto-scaling.UpdateAutoScalingGroup", stop)
    return support.make_aws(
        {"*": support.moto_url(), "us-east-1": support.closed_port_url()}, boto_session=session
    )


@pytest.mark.parametrize(
    ("name", "database", "tiers", "verified"),
    [
        ("none-rds", "instance webstack-dev-db available (writer)", ["web"], 10),
        (
            "none-aurora",
            "cluster webstack-dev-db available; writer ['webstack-dev-db-1']; "
            "readers ['webstack-dev-db-2']",
            ["web", "app"],
            11,
        ),
    ],
)
def test_status_and_verify_work_on_a_stack_without_dr(
    tmp_path: Path, name: str, database: str, tiers: list[str], verified: int
) -> None:
    path, _ = support.seed(name, tmp_path)
    code, out, _ = run(["status", "--outputs", str(path), "--json"])
    assert code == 0
    report = json.loads(out)
    assert [(c["name"], c["detail"]) for c in report["checks"]] == [
        ("strategy", "none (us-east-1 only, no disaster recovery)"),
        ("us-east-1/database", database),
        *[
            (f"us-east-1/webstack-dev-{tier}", "min 2 desired 2 max 6; 2/2 targets healthy")
            for tier in tiers
        ],
    ]
    code, out, _ = run(["verify", "--outputs", str(path), "--json"])
    report = json.loads(out)
    assert (code, report["failed"]) == (0, [])
    assert len(report["checks"]) == verified
    # dev: deletion protection is advice, not a failure
    assert [c["name"] for c in report["checks"] if c["status"] == "warn"] == [
        "us-east-1/database/deletion-protection"
    ]
    code, out, _ = run(["status", "--outputs", str(path)])
    assert code == 0
    assert out.splitlines()[0] == "status: webstack/dev (none)"


def test_failover_and_drill_refuse_a_stack_without_dr_and_change_nothing(tmp_path: Path) -> None:
    path, _ = support.seed("none-aurora", tmp_path)
    for verb in ("failover", "drill", "failback"):
        code, out, err = run(
            [verb, "--outputs", str(path), "--execute"]
            if verb != "drill"
            else [verb, "--outputs", str(path)]
        )
        assert (code, out) == (2, "")
        assert err == (
            "outputs: stack 'dev' has no disaster recovery (dr.strategy is 'none'): "
            "nothing to fail over\n"
        )


def test_backup_restore_failover_is_refused_with_the_restore_hint(tmp_path: Path) -> None:
    path, _ = support.seed("backup-restore-rds", tmp_path)
    code, _, err = run(["failover", "--outputs", str(path)])
    assert code == 2
    assert "there is no standby to promote; recovery is a restore into us-west-2" in err


def test_verify_fails_on_a_world_open_group(tmp_path: Path) -> None:
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    web_group = outputs["primary"]["securityGroupIds"][1]
    support.client("ec2", "us-east-1").authorize_security_group_ingress(
        GroupId=web_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    code, out, _ = run(["verify", "--outputs", str(path), "--json"])
    assert (code, json.loads(out)["failed"]) == (1, ["us-east-1/network/no-world-open-groups"])


def test_verify_fails_on_uploads_that_only_one_region_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replication copies only what is written after the rule exists: an object uploaded before
    DR was turned on is in the primary bucket only, until the one-time Batch Replication job."""
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    rep = outputs["dr"]["replication"]
    source = support.client("s3", "us-east-1")
    replica = support.client("s3", "us-west-2")
    for key in ("avatars/1.png", "avatars/2.png"):
        source.put_object(Bucket=rep["sourceBucket"], Key=key, Body=b"x")
    replica.put_object(Bucket=rep["replicaBucket"], Key="avatars/1.png", Body=b"x")
    # Just uploaded: may still be replicating, so not counted.
    code, out, _ = run(["verify", "--outputs", str(path), "--json"])
    assert f"uploads/{rep['sourceBucket']}" not in json.loads(out)["failed"]
    # Two hours later (past the uploads RPO, or an hour without one): one is missing.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    monkeypatch.setattr(checks, "_now", lambda: later)
    code, out, _ = run(["verify", "--outputs", str(path), "--json"])
    found = {c["name"]: c for c in json.loads(out)["checks"]}[f"uploads/{rep['sourceBucket']}"]
    assert (code, found["status"]) == (1, "fail")
    assert found["detail"].startswith(
        f"1 of the first 2 objects of {rep['sourceBucket']} are not in {rep['replicaBucket']} "
        "(e.g. 'avatars/2.png'): only one region holds them; seed them once with S3 Batch "
        "Replication"
    )
    replica.put_object(Bucket=rep["replicaBucket"], Key="avatars/2.png", Body=b"x")
    code, out, _ = run(["verify", "--outputs", str(path), "--json"])
    found = {c["name"]: c for c in json.loads(out)["checks"]}[f"uploads/{rep['sourceBucket']}"]
    assert found["status"] == "pass", found


def test_drill_checks_everything_and_changes_nothing(tmp_path: Path) -> None:
    path, outputs = support.seed("warm-standby-aurora", tmp_path)
    code, out, _ = run(["drill", "--outputs", str(path), "--json"])
    report = json.loads(out)
    assert code == 0
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        ("preflight", "pass"),
        ("dr-data-store", "pass"),
        ("dr-capacity", "pass"),
        ("dr-cache", "pass"),
        ("dr-dns", "pass"),
        ("uploads", "info"),
        # moto does not implement iam:SimulatePrincipalPolicy: the check says it could not verify
        # (test_stubber.py covers allowed and denied answers)
        ("permissions", "warn"),
    ]
    assert asg(outputs)["DesiredCapacity"] == 1


def test_failover_without_execute_prints_the_plan(tmp_path: Path) -> None:
    path, outputs = support.seed("pilot-light-rds", tmp_path)
    code, out, _ = run(["failover", "--outputs", str(path), "--json"])
    assert code == 0
    report = json.loads(out)
    assert report["executed"] is False
    assert [s["name"] for s in report["plan"]] == [
        "preflight",
        "confirm-primary-down",
        "fence-primary",
        "promote-database",
        "scale-standby",
        "wait-healthy-targets",
        "route-traffic",
    ]
    assert asg(outputs)["DesiredCapacity"] == 0


def test_aurora_failover_with_the_primary_unreachable_is_a_managed_failover(
    tmp_path: Path,
) -> None:
    path, outputs = support.seed("warm-standby-aurora", tmp_path)
    primary_down(outputs)
    aws = support.make_aws({"*": support.moto_url(), "us-east-1": support.closed_port_url()})
    sent = flows.record_writes(aws)
    code, out, err = run(execute(path, tmp_path / "j.json"), aws=aws)
    report = json.loads(out)
    assert code == 0, err
    assert [(s["name"], s["status"]) for s in report["steps"]] == [(n, "done") for n in FAILOVER]
    assert report["steps"][1]["detail"].startswith(
        "primary us-east-1 down: unreachable from here and health check "
    )
    assert report["steps"][3]["detail"] == (
        "managed failover (AllowDataLoss) of webstack-prod-global to webstack-prod-dr-db"
    )
    # AWS's global failover for an unplanned outage (not a switchover, not a detach)
    assert [c for c in sent if c[0] == "FailoverGlobalCluster"] == [
        (
            "FailoverGlobalCluster",
            {
                "GlobalClusterIdentifier": "webstack-prod-global",
                "TargetDbClusterIdentifier": outputs["dr"]["database"]["secondaryClusterArn"],
                "AllowDataLoss": True,
            },
        )
    ]
    assert report["steps"][4]["detail"] == (
        "failed over global datastore ldgnf-webstack-prod-cache-global to "
        "webstack-prod-dr-cache in us-west-2"
    )
    assert report["measuredRtoSeconds"] >= report["seconds"] > 0
    assert report["expectedRtoSeconds"] == 900
    members = support.client("rds", "us-west-2").describe_global_clusters()["GlobalClusters"][0][
        "GlobalClusterMembers"
    ]
    # The global topology is kept: the DR cluster writes, the old primary is a secondary.
    assert {m["DBClusterArn"]: m["IsWriter"] for m in members} == {
        outputs["primary"]["database"]["clusterArn"]: False,
        outputs["dr"]["database"]["secondaryClusterArn"]: True,
    }
    for key in ("web", "app"):
        group = asg(outputs, key)
        assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (2, 2, 6)
    assert err.count("\n") == len(FAILOVER)  # a line per step, not a TTY
    assert report["next"][0].startswith(
        "next: record the writer's region in the stack, so that `pulumi up` describes it: "
        "`pulumi config set webstack:dr.activeRegion us-west-2 --stack prod && "
    )
    # A re-run with a fresh journal finds everything done and calls no promotion again.
    code, out, _ = run(execute(path, tmp_path / "j2.json"), aws=aws)
    report = json.loads(out)
    assert code == 0
    assert report["steps"][3]["detail"].startswith("already the writer: webstack-prod-dr-db")
    assert report["steps"][4]["detail"] == (
        "webstack-prod-dr-cache is already the primary of ldgnf-webstack-prod-cache-global"
    )
    assert len(support.DATASTORES.failovers) == 1
    assert len([c for c in sent if c[0] == "FailoverGlobalCluster"]) == 1
    # status shows the global datastore's members and which one is primary now.
    code, out, _ = run(["status", "--outputs", str(path), "--json"], aws=aws)
    datastore = [c for c in json.loads(out)["checks"] if c["name"] == "cache/global-datastore"]
    assert datastore == [
        {
            "name": "cache/global-datastore",
            "status": "info",
            "detail": "ldgnf-webstack-prod-cache-global: primary webstack-prod-dr-cache; members "
            "webstack-prod-cache (us-east-1) secondary associated, webstack-prod-dr-cache "
            "(us-west-2) primary associated",
        }
    ]


def test_rds_failover_fences_the_primary_before_it_promotes(tmp_path: Path) -> None:
    """The primary answers but Route 53 sees it down: its tiers go to 0 and its record is held
    out before the DR replica is promoted, so the old writer takes no traffic."""
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs)
    journal = tmp_path / "j.json"
    code, out, err = run(execute(path, journal))
    report = json.loads(out)
    assert code == 0, err
    assert [s["status"] for s in report["steps"]] == ["done"] * 8
    primary_check = outputs["dr"]["dns"]["records"][0]["healthCheckId"]
    assert report["steps"][2]["detail"] == (
        "webstack-prod-web 2/2/6 -> 0/0/6; "
        f"health check {primary_check} of 'primary-us-east-1' disabled and inverted (held out)"
    )
    # Held for good: a disabled check counts as healthy, inverted unhealthy, whatever the old
    # primary answers when it comes back (inverting alone would serve it while it fails).
    config = support.client("route53", "us-east-1").get_health_check(HealthCheckId=primary_check)
    held = config["HealthCheck"]["HealthCheckConfig"]
    assert (held["Disabled"], held["Inverted"]) == (True, True)
    assert report["steps"][3]["detail"].startswith(
        "promoted read replica webstack-prod-dr-db (old writer: webstack-prod-db (us-east-1) "
        "available, writer)"
    )
    web = support.client("autoscaling", "us-east-1").describe_auto_scaling_groups(
        AutoScalingGroupNames=[outputs["primary"]["web"]["asgName"]]
    )["AutoScalingGroups"][0]
    assert web["DesiredCapacity"] == 0
    replica = support.client("rds", "us-west-2").describe_db_instances()["DBInstances"][0]
    assert "ReadReplicaSourceDBInstanceIdentifier" not in replica
    saved = json.loads(journal.read_text())
    assert (saved["completed"], saved["facts"]["kind"], saved["facts"]["fenced"]) == (
        True,
        "unplanned",
        True,
    )


def test_a_planned_failover_needs_force_and_holds_the_primary_record_out(
    tmp_path: Path,
) -> None:
    path, outputs = support.seed("active-active-aurora", tmp_path)
    primary_down(outputs, (0, 1, 1))  # one failed probe is not an outage
    code, out, _ = run(execute(path, tmp_path / "j.json"))
    assert code == 1
    assert json.loads(out)["steps"][1]["detail"].startswith(
        "primary us-east-1 is not confirmed down"
    )
    code, out, _ = run(execute(path, tmp_path / "j.json", "--force", "region evacuation"))
    report = json.loads(out)
    assert code == 0
    assert [(s["name"], s["status"]) for s in report["steps"]] == [
        (n, "skipped" if n == "fence-primary" else "done") for n in FAILOVER
    ]
    assert report["steps"][1]["detail"].startswith("primary not down (health check ")
    assert report["steps"][1]["detail"].endswith("proceeding: --force 'region evacuation'")
    assert report["steps"][3]["detail"] == (
        "switchover of webstack-prod-global to webstack-prod-dr-db (no data loss)"
    )
    primary_check = outputs["dr"]["dns"]["records"][0]["healthCheckId"]
    assert report["steps"][7]["detail"].startswith(
        f"health check {primary_check} of 'primary-us-east-1' disabled and inverted (held out)"
    )
    saved = json.loads((tmp_path / "j.json").read_text())
    assert saved["facts"]["forceReason"] == "region evacuation"
    config = support.client("route53", "us-east-1").get_health_check(HealthCheckId=primary_check)
    held = config["HealthCheck"]["HealthCheckConfig"]
    assert (held["Disabled"], held["Inverted"]) == (True, True)


def test_ctrl_c_during_a_wait_is_journaled_and_the_next_run_resumes_there(tmp_path: Path) -> None:
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs)
    ec2 = support.client("ec2", "us-west-2")
    running = asg(outputs)["Instances"][0]["InstanceId"]

    def ctrl_c(_: float) -> None:
        raise KeyboardInterrupt

    journal = tmp_path / "j.json"
    aws = primary_unreachable_and_a_new_target_fails(running)
    code, out, _ = run(execute(path, journal), aws=aws, sleep=ctrl_c)
    assert code == 130
    saved = json.loads(journal.read_text())
    assert [(s["name"], s["status"]) for s in saved["steps"]] == [
        ("preflight", "done"),
        ("confirm-primary-down", "done"),
        ("fence-primary", "done"),
        ("promote-database", "done"),
        ("promote-cache", "done"),
        ("scale-standby", "done"),
        ("wait-healthy-targets", "interrupted"),
        ("route-traffic", "pending"),
    ]
    assert saved["steps"][6]["detail"] == (
        "interrupted (Ctrl-C) while webstack-prod-dr-web healthy targets"
    )
    ec2.start_instances(InstanceIds=[running])
    code, out, err = run(execute(path, journal), aws=aws, sleep=no_sleep)
    report = json.loads(out)
    assert code == 0
    assert [s["status"] for s in report["steps"]] == ["done"] * 8
    assert report["steps"][1]["detail"].startswith("decided in an earlier run: primary us-east-1")
    assert report["steps"][3]["detail"].startswith("already the writer: webstack-prod-dr-db")
    assert report["steps"][6]["detail"] == "webstack-prod-dr-web: 2/2 healthy (2 registered)"
    assert err.splitlines()[0] == (
        f"resuming failover from journal {journal}; every step checks AWS again"
    )
    assert len(json.loads(journal.read_text())["runs"]) == 2


def test_a_wait_times_out_and_the_report_says_what_is_left(tmp_path: Path) -> None:
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs)
    aws = primary_unreachable_and_a_new_target_fails(asg(outputs)["Instances"][0]["InstanceId"])
    code, out, _ = run(execute(path, tmp_path / "j.json", "--timeout", "0"), aws=aws)
    report = json.loads(out)
    assert code == 1
    assert report["leftUndone"] == ["wait-healthy-targets", "route-traffic"]
    assert report["steps"][6]["detail"].startswith(
        "timed out after 0s waiting for webstack-prod-dr-web healthy targets (last: 1/2 healthy"
    )


def test_failback_after_a_planned_failover_returns_everything_to_the_primary(
    tmp_path: Path,
) -> None:
    outputs, failover, failback = flows.planned_rds_failover_and_failback(tmp_path)
    assert [s["status"] for s in failover["steps"]] == ["done"] * 8
    primary_check = outputs["dr"]["dns"]["records"][0]["healthCheckId"]
    assert failover["steps"][2]["detail"].endswith(
        f"health check {primary_check} of 'primary-us-east-1' disabled and inverted (held out)"
    )
    assert [(s["name"], s["status"]) for s in failback["steps"]] == [
        (n, "done") for n in flows.FAILBACK
    ]
    assert [s["detail"] for s in failback["steps"][1:]] == [
        "webstack-prod-db replicates webstack-prod-dr-db from us-west-2; lag 0.0s (RPO 60s)",
        "webstack-prod-dr-web 2/2/6 -> 0/0/6",
        "promoted webstack-prod-db in us-east-1 (caught up)",
        "failed over global datastore ldgnf-webstack-prod-cache-global to webstack-prod-cache "
        "in us-east-1",
        # moto keeps scaled-in instances registered (AWS deregisters them): 4 registered here
        "webstack-prod-web 0/0/6 -> 2/2/6; webstack-prod-web: 4/2 healthy (4 registered)",
        f"health check {primary_check} of 'primary-us-east-1' back on (probing again); Route 53 "
        "answers with 'primary-us-east-1'",
        # the old DR writer stands alone until `pulumi up` rebuilds it: its tier stays at 0
        "webstack-prod-dr-web already 0/0/6; kept at 0: webstack-prod-dr-db (us-west-2) "
        "available, writer; rebuild it as a replica with `pulumi config set "
        "webstack:dr.activeRegion us-east-1 --stack prod && pulumi up --refresh --stack prod`, "
        "then `pulumi up` restores the standby size",
    ]
    writer = support.client("rds", "us-east-1").describe_db_instances(
        DBInstanceIdentifier="webstack-prod-db"
    )["DBInstances"][0]
    assert "ReadReplicaSourceDBInstanceIdentifier" not in writer
    config = support.client("route53", "us-east-1").get_health_check(HealthCheckId=primary_check)
    back = config["HealthCheck"]["HealthCheckConfig"]
    assert (back["Disabled"], back["Inverted"]) == (False, False)
    assert [m["Role"] for m in support.DATASTORES.groups["ldgnf-webstack-prod-cache-global"]] == [
        "PRIMARY",
        "SECONDARY",
    ]
    group = asg(outputs)
    assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (0, 0, 6)


def test_failback_onto_an_unrebuilt_primary_refuses_before_any_change(tmp_path: Path) -> None:
    """The old primary came back as what it was, a standalone writer: failing back would strand
    every write made in the DR region since the failover."""
    path, outputs = support.seed("warm-standby-rds", tmp_path)
    primary_down(outputs, (1, 1, 1))
    assert run(execute(path, tmp_path / "f.json", "--force", "planned"))[0] == 0
    # the primary region returns with its tiers and its old database as they were
    support.client("autoscaling", "us-east-1").update_auto_scaling_group(
        AutoScalingGroupName=outputs["primary"]["web"]["asgName"], MinSize=2, DesiredCapacity=2
    )
    sent = flows.record_writes(aws := support.make_aws())
    code, out, _ = run(execute(path, tmp_path / "b.json", verb="failback"), aws=aws)
    report = json.loads(out)
    assert code == 1
    assert report["steps"][1]["detail"] == (
        "two writers: webstack-prod-db (us-east-1) available, writer while webstack-prod-dr-db "
        "(us-west-2) available, writer; failing back now would discard what was written in "
        "us-west-2 since the failover. Rebuild webstack-prod-db as a replica of "
        "webstack-prod-dr-db: `pulumi config set webstack:dr.activeRegion us-west-2 --stack prod "
        "&& pulumi up --refresh --stack prod`, then re-run failback"
    )
    assert report["leftUndone"] == flows.FAILBACK[1:]
    assert sent == []
    code, out, _ = run(["status", "--outputs", str(path), "--json"], aws=aws)
    status = json.loads(out)
    assert (code, status["failed"]) == (1, ["writers"])


def test_throttling_is_retried_by_botocore_standard_mode(tmp_path: Path) -> None:
    path, _ = support.seed("warm-standby-rds", tmp_path)
    session = support.fresh_session()
    throttled: list[str] = []

    def throttle(request: Any, **_: Any) -> Any:
        if "DescribeAutoScalingGroups" in str(request.body) and len(throttled) < 2:
            throttled.append(request.url)
            body = (
                b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                b"<Message>Rate exceeded</Message></Error></ErrorResponse>"
            )
            return botocore.awsrequest.AWSResponse(request.url, 400, {}, _Raw(body))
        return None

    session.events.register("before-send.auto-scaling", throttle)
    code, out, _ = run(
        ["status", "--outputs", str(path), "--json"], aws=support.make_aws(boto_session=session)
    )
    assert (code, len(throttled)) == (0, 2)
    assert json.loads(out)["failed"] == []


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body

    def read(self, *_: Any) -> bytes:
        return self.body


def test_dr_region_unreachable_is_one_line_and_nothing_changes(tmp_path: Path) -> None:
    path, outputs = support.seed("pilot-light-aurora", tmp_path)
    primary_down(outputs)
    aws = support.make_aws({"*": support.moto_url(), "us-west-2": support.closed_port_url()})
    code, out, err = run(execute(path, tmp_path / "j.json"), aws=aws)
    assert (code, out) == (2, "")
    assert err.startswith("region us-west-2 unreachable: ")
    assert err.count("\n") == 1
    assert asg(outputs)["DesiredCapacity"] == 0


def test_a_wrong_account_is_refused(tmp_path: Path) -> None:
    data = support.fixture("warm-standby-rds")
    data["allowedAccountIds"] = ["210987654321"]
    path = tmp_path / "o.json"
    path.write_text(json.dumps(data))
    code, out, err = run(["drill", "--outputs", str(path)])
    assert (code, out) == (2, "")
    assert err == "account: credentials are for 123456789012, the stack allows 210987654321\n"


def test_a_missing_output_is_one_line(tmp_path: Path) -> None:
    data = support.fixture("warm-standby-rds")
    del data["dr"]["failoverCapacity"]
    path = tmp_path / "o.json"
    path.write_text(json.dumps(data))
    code, _, err = run(["failover", "--outputs", str(path)])
    assert code == 2
    assert err.startswith("outputs: missing 'dr.failoverCapacity' - is this a webstack stack")


def test_a_journal_of_another_stack_is_refused_with_its_path(tmp_path: Path) -> None:
    path, _outputs = support.seed("warm-standby-rds", tmp_path)
    journal = tmp_path / "j.json"
    journal.write_text(
        json.dumps(
            {
                "project": "webstack",
                "stack": "staging",
                "strategy": "pilot-light",
                "verb": "failover",
            }
        )
    )
    code, _, err = run(execute(path, journal))
    assert code == 2
    assert err.startswith(
        f"journal {journal} belongs to webstack/staging (failover, strategy "
        "pilot-light), not webstack/prod (failover, strategy warm-standby)"
    )


def test_subprocess_reads_outputs_from_stdin_and_reports_missing_credentials(
    tmp_path: Path,
) -> None:
    # pilot-light: no global datastore, which moto cannot answer without the tests' hook
    path, _ = support.seed("pilot-light-aurora", tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=support.moto_url(),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    root = Path(__file__).resolve().parents[2]

    def ops(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ops", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=root,
            env=env,
            timeout=60,
            check=False,
        )

    done = ops("status", "--outputs", "-", "--json", stdin=path.read_text())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["strategy"] == "pilot-light"
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    done = ops("drill", "--outputs", str(path))
    assert done.returncode == 2
    assert done.stderr == (
        "credentials: none found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
        "AWS_SECRET_ACCESS_KEY, or run `aws sso login`)\n"
    )


@pytest.fixture(autouse=True)
def _no_journal_in_the_repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _aws_effects(monkeypatch: pytest.MonkeyPatch) -> None:
    support.apply_aws_effects(monkeypatch)
