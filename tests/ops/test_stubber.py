"""The calls moto 5.2.5 does not implement, with botocore's Stubber: each stub names the exact
request the tool must send and answers as AWS documents. Not served by moto: elasticache
DescribeGlobalReplicationGroups and FailoverGlobalReplicationGroup, iam SimulatePrincipalPolicy
(moto answers it with a body botocore cannot parse). rds FailoverGlobalCluster and
SwitchoverGlobalCluster run against moto with the documented effect applied (support.py), their
exact requests recorded by the tests in test_cli.py."""

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
    sts = _stub(ctx, "sts", "us-west-2")  # STS in the DR region: no us-east-1 dependency
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


def test_the_global_datastore_fails_over_to_the_dr_cache_and_back(tmp_path: Path) -> None:
    assert datastore_failover_and_back(tmp_path) == [
        f"failed over global datastore {DATASTORE} to webstack-prod-dr-cache in us-west-2",
        f"failed over global datastore {DATASTORE} to webstack-prod-cache in us-east-1",
    ]


def test_drill_passes_when_the_role_may_perform_every_failover_action(tmp_path: Path) -> None:
    check = simulated_permissions(tmp_path, {})
    assert (check.status, check.detail) == (
        "pass",
        f"arn:aws:iam::{support.ACCOUNT}:role/webstack-ops may perform all "
        f"{len(FAILOVER_ACTIONS)} failover actions",
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
