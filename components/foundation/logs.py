"""The one way the stack makes a CloudWatch log group: encrypted with the logs key, expiring.

Retention is always explicit (a log group left to AWS keeps its events forever), and every
group is encrypted with a customer managed key.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

# How long each kind of log is kept, in days (VPC flow logs: network.flowLogRetentionDays).
DATABASE_LOG_RETENTION_DAYS = 90
CACHE_SLOW_LOG_RETENTION_DAYS = 30


def encrypted_log_group(
    resource_name: str,
    *,
    log_group_name: str,
    kms_key_arn: pulumi.Input[str],
    retention_days: int,
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.LogGroup:
    return aws.cloudwatch.LogGroup(
        resource_name,
        name=log_group_name,
        kms_key_id=kms_key_arn,
        retention_in_days=retention_days,
        opts=opts,
    )
