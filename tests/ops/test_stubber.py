"""The calls moto 5.2.5 does not implement, with botocore's Stubber: each stub names the exact
request the tool must send and answers as AWS documents. Not served by moto: rds
FailoverGlobalCluster and SwitchoverGlobalCluster, elasticache DescribeGlobalReplicationGroups and
FailoverGlobalReplicationGroup, iam SimulatePrincipalPolicy (moto answers it with a body botocore
cannot parse)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import Stubber

from ops import checks, plans
from ops.aws import Aws
from ops.journal import Journal
from ops.outputs import StackOutputs, load_outputs
from ops.permissions import FAILOVER_ACTIONS
from ops.runner import Context, Options
from tests.ops import support

AURORA = support.FIXTURES / "warm-standby-aurora.json"
PRIMARY_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:webstack-prod-db"
SECONDARY_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:webstack-prod-dr-db"
GLOBAL_ID = "webstack-prod-global"
DATASTORE = "ldgnf-webstack-prod-cache-global"


def _context(tmp_path: Path, verb: str, session: boto3.Session | None) -> Context:
    outputs: StackOutputs = load_outputs(str(AURORA))
    # Every call is stubbed: an endpoint that nothing listens on proves no request leaves.
    aws = Aws(
        session=session or support.plain_session(),
        endpoints={"*": support.closed_port_url()},
        max_attempts=1,
    )
    ctx = Context(
        outputs=outputs,
        aws=aws,
        options=Options(execute=True, timeout=60, poll=0),
        out=io.StringIO(),
        sleep=lambda _: None,
    )
    steps = plans.failover_steps(outputs) if verb == "failover" else plans.failback_steps(outputs)
    ctx.journal = Journal.open(
        tmp_path / f"{verb}.json",
        project=outputs.project,
        stack=outputs.stack,
        strategy=outputs.dr.strategy,
        verb=verb,
        steps=[s.name for s in steps],
    )
    return ctx


def _stub(ctx: Context, service: str, region: str) -> Stubber:
    stubber = Stubber(ctx.client(service, region))
    stubber.activate()
    return stubber


def _global(writer: str) -> dict[str, Any]:
    return {
        "GlobalClusters": [
            {
                "GlobalClusterIdentifier": GLOBAL_ID,
                "GlobalClusterMembers": [
                    {"DBClusterArn": arn, "IsWriter": arn == writer}
                    for arn in (PRIMARY_ARN, SECONDARY_ARN)
                ],
            }
        ]
    }


def _datastore(primary: str) -> dict[str, Any]:
    members = [("webstack-prod-cache", "us-east-1"), ("webstack-prod-dr-cache", "us-west-2")]
    return {
        "GlobalReplicationGroups": [
            {
                "GlobalReplicationGroupId": DATASTORE,
                "Status": "available",
                "Members": [
                    {
                        "ReplicationGroupId": group,
                        "ReplicationGroupRegion": region,
                        "Role": "PRIMARY" if group == primary else "SECONDARY",
                        "AutomaticFailover": "enabled",
                        "Status": "associated",
                    }
                    for group, region in members
                ],
            }
        ]
    }


# --- scenarios (also run by test_iam_policy.py with its call recorder) ---------------------------


def managed_aurora_failover(tmp_path: Path, session: boto3.Session | None = None) -> str:
    """Primary reachable: the promotion is AWS's managed failover, and the step waits for it."""
    ctx = _context(tmp_path, "failover", session)
    dr = _stub(ctx, "rds", "us-west-2")
    primary = _stub(ctx, "rds", "us-east-1")
    by_id = {"GlobalClusterIdentifier": GLOBAL_ID}
    dr.add_response("describe_global_clusters", _global(PRIMARY_ARN), by_id)
    primary.add_response(
        "describe_db_clusters",
        {"DBClusters": [{"DBClusterIdentifier": "webstack-prod-db", "Status": "available"}]},
        {"DBClusterIdentifier": "webstack-prod-db"},
    )
    dr.add_response(
        "failover_global_cluster",
        {"GlobalCluster": {"GlobalClusterIdentifier": GLOBAL_ID, "Status": "failing-over"}},
        {"GlobalClusterIdentifier": GLOBAL_ID, "TargetDbClusterIdentifier": SECONDARY_ARN},
    )
    dr.add_response("describe_global_clusters", _global(PRIMARY_ARN), by_id)  # still failing over
    dr.add_response("describe_global_clusters", _global(SECONDARY_ARN), by_id)
    detail = plans.promote_database(ctx)
    dr.assert_no_pending_responses()
    primary.assert_no_pending_responses()
    assert ctx.journal is not None
    assert ctx.journal.facts == {
        "promotion": "managed",
        "oldWriter": "cluster webstack-prod-db is available",
    }
    return detail


def aurora_switchover_back(tmp_path: Path, session: boto3.Session | None = None) -> str:
    """Failback: a switchover (no data loss) to the rebuilt primary cluster."""
    ctx = _context(tmp_path, "failback", session)
    rds = _stub(ctx, "rds", "us-east-1")
    by_id = {"GlobalClusterIdentifier": GLOBAL_ID}
    rds.add_response("describe_global_clusters", _global(SECONDARY_ARN), by_id)
    rds.add_response(
        "switchover_global_cluster",
        {"GlobalCluster": {"GlobalClusterIdentifier": GLOBAL_ID, "Status": "switching-over"}},
        {"GlobalClusterIdentifier": GLOBAL_ID, "TargetDbClusterIdentifier": PRIMARY_ARN},
    )
    rds.add_response("describe_global_clusters", _global(PRIMARY_ARN), by_id)
    detail = plans.switch_database_back(ctx)
    rds.add_response("describe_global_clusters", _global(PRIMARY_ARN), by_id)
    again = plans.switch_database_back(ctx)  # a re-run finds it done and sends nothing
    rds.assert_no_pending_responses()
    assert again == f"webstack-prod-db is already the writer of {GLOBAL_ID}"
    return detail


def datastore_failover_and_back(tmp_path: Path, session: boto3.Session | None = None) -> list[str]:
    ctx = _context(tmp_path, "failover", session)
    dr = _stub(ctx, "elasticache", "us-west-2")
    primary = _stub(ctx, "elasticache", "us-east-1")
    by_id = {"GlobalReplicationGroupId": DATASTORE, "ShowMemberInfo": True}
    dr.add_response("describe_global_replication_groups", _datastore("webstack-prod-cache"), by_id)
    dr.add_response(
        "failover_global_replication_group",
        {"GlobalReplicationGroup": {"GlobalReplicationGroupId": DATASTORE, "Status": "modifying"}},
        {
            "GlobalReplicationGroupId": DATASTORE,
            "PrimaryRegion": "us-west-2",
            "PrimaryReplicationGroupId": "webstack-prod-dr-cache",
        },
    )
    dr.add_response("describe_global_replication_groups", _datastore("webstack-prod-cache"), by_id)
    dr.add_response(
        "describe_global_replication_groups", _datastore("webstack-prod-dr-cache"), by_id
    )
    primary.add_response(
        "describe_global_replication_groups", _datastore("webstack-prod-dr-cache"), by_id
    )
    primary.add_response(
        "failover_global_replication_group",
        {"GlobalReplicationGroup": {"GlobalReplicationGroupId": DATASTORE, "Status": "modifying"}},
        {
            "GlobalReplicationGroupId": DATASTORE,
            "PrimaryRegion": "us-east-1",
            "PrimaryReplicationGroupId": "webstack-prod-cache",
        },
    )
    primary.add_response(
        "describe_global_replication_groups", _datastore("webstack-prod-cache"), by_id
    )
    details = [plans.promote_cache(ctx), plans.switch_cache_back(ctx)]
    dr.assert_no_pending_responses()
    primary.assert_no_pending_responses()
    return details


def simulated_permissions(
    tmp_path: Path, decisions: dict[str, str], session: boto3.Session | None = None
) -> checks.Check:
    """drill's permission check: the caller's role, simulated for every failover action."""
    ctx = _context(tmp_path, "failover", session)
    sts = _stub(ctx, "sts", "us-east-1")
    iam = _stub(ctx, "iam", "us-east-1")
    sts.add_response(
        "get_caller_identity",
        {
            "UserId": "AROAEXAMPLE:operator",
            "Account": support.ACCOUNT,
            "Arn": f"arn:aws:sts::{support.ACCOUNT}:assumed-role/webstack-ops/operator",
        },
        {},
    )
    iam.add_response(
        "simulate_principal_policy",
        {
            "EvaluationResults": [
                {"EvalActionName": action, "EvalDecision": decisions.get(action, "allowed")}
                for action in FAILOVER_ACTIONS
            ]
        },
        {
            "PolicySourceArn": f"arn:aws:iam::{support.ACCOUNT}:role/webstack-ops",
            "ActionNames": list(FAILOVER_ACTIONS),
        },
    )
    check = checks._permissions(ctx)
    sts.assert_no_pending_responses()
    iam.assert_no_pending_responses()
    return check


# --- tests -------------------------------------------------------------------------------------


def test_aurora_failover_is_managed_when_the_primary_is_reachable(tmp_path: Path) -> None:
    assert managed_aurora_failover(tmp_path) == (
        "managed failover of webstack-prod-global to webstack-prod-dr-db"
    )


def test_aurora_failback_is_a_switchover_to_the_rebuilt_primary(tmp_path: Path) -> None:
    assert aurora_switchover_back(tmp_path) == (
        "switchover of webstack-prod-global to webstack-prod-db (no data loss)"
    )


def test_the_global_datastore_fails_over_to_the_dr_cache_and_back(tmp_path: Path) -> None:
    assert datastore_failover_and_back(tmp_path) == [
        f"failed over global datastore {DATASTORE} to webstack-prod-dr-cache in us-west-2",
        f"failed over global datastore {DATASTORE} to webstack-prod-cache in us-east-1",
    ]


def test_drill_passes_when_the_role_may_perform_every_failover_action(tmp_path: Path) -> None:
    assert len(FAILOVER_ACTIONS) == 7
    check = simulated_permissions(tmp_path, {})
    assert (check.status, check.detail) == (
        "pass",
        f"arn:aws:iam::{support.ACCOUNT}:role/webstack-ops may perform all 7 failover actions",
    )


def test_drill_fails_naming_each_denied_action(tmp_path: Path) -> None:
    check = simulated_permissions(
        tmp_path,
        {"rds:FailoverGlobalCluster": "implicitDeny", "route53:UpdateHealthCheck": "explicitDeny"},
    )
    assert (check.status, check.detail) == (
        "fail",
        f"arn:aws:iam::{support.ACCOUNT}:role/webstack-ops is denied "
        "rds:FailoverGlobalCluster, route53:UpdateHealthCheck",
    )
