"""IAM actions of the runbook. ops/iam-policy.json must allow exactly what the tool calls
(tests/ops/test_iam_policy.py records the calls of runs against moto and of the botocore Stubber
runs of tests/ops/test_stubber.py); the write actions are simulated by `drill`."""

from __future__ import annotations

# botocore "service:Operation" whose IAM action is not "<signing name>:<Operation>".
ACTION_OF_OPERATION: dict[str, str] = {
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:ListObjectsV2": "s3:ListBucket",
}
# Calls that need no IAM permission.
NO_PERMISSION: frozenset[str] = frozenset({"sts:GetCallerIdentity"})

FAILOVER_ACTIONS: tuple[str, ...] = (
    "cloudwatch:PutMetricData",
    "rds:CreateDBInstance",
    "rds:FailoverGlobalCluster",
    "rds:RemoveFromGlobalCluster",
    "rds:PromoteReadReplica",
    "rds:SwitchoverGlobalCluster",
    "elasticache:FailoverGlobalReplicationGroup",
    "autoscaling:UpdateAutoScalingGroup",
    "route53:UpdateHealthCheck",
)


# botocore signing names that differ from the IAM service prefix.
PREFIX_OF_SIGNING_NAME: dict[str, str] = {"monitoring": "cloudwatch"}


def iam_action(service: str, operation: str) -> str | None:
    key = f"{PREFIX_OF_SIGNING_NAME.get(service, service)}:{operation}"
    if key in NO_PERMISSION:
        return None
    return ACTION_OF_OPERATION.get(key, key)
