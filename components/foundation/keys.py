"""Customer-managed KMS keys: one for data, one for logs, one for backups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.policy_documents import account_administers_key, document


@dataclass(frozen=True)
class KeysArgs:
    region: str
    protect: bool = False
    deletion_window_days: int = 30
    # EC2 Auto Scaling's service-linked role the stack creates (and sets on its groups), and
    # its custom suffix: the default AWSServiceRoleForAutoScaling may not exist yet on a fresh
    # account, and a key policy naming a missing principal is rejected. The ARN is spelled out
    # from the suffix (known at preview) and the keys wait for the role.
    autoscaling_role: aws.iam.ServiceLinkedRole | None = None
    autoscaling_role_suffix: str | None = None


class Keys(pulumi.ComponentResource):
    """Rotated, aliased KMS keys whose policies admit exactly the services that use them."""

    data: aws.kms.Key
    logs: aws.kms.Key
    backups: aws.kms.Key

    def __init__(
        self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:keys:Keys", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
        region = args.region

        def policy(extra: list[dict]) -> pulumi.Output[str]:
            return pulumi.Output.all(
                account=identity.account_id, partition=partition.partition
            ).apply(
                lambda v: document(
                    account_administers_key(v["partition"], v["account"]),
                    *[
                        _render(
                            s,
                            account=v["account"],
                            partition=v["partition"],
                            region=region,
                            autoscaling_role=_AUTOSCALING_ROLE.format(
                                partition=v["partition"], account=v["account"]
                            )
                            + (
                                f"_{args.autoscaling_role_suffix}"
                                if args.autoscaling_role_suffix
                                else ""
                            ),
                        )
                        for s in extra
                    ],
                )
            )

        def key(purpose: str, description: str, extra: list[dict]) -> aws.kms.Key:
            created = aws.kms.Key(
                f"{name}-{purpose}",
                description=f"{description} ({name})",
                enable_key_rotation=True,
                deletion_window_in_days=args.deletion_window_days,
                policy=policy(extra),
                tags={"Name": f"{name}-{purpose}", "Purpose": purpose},
                opts=pulumi.ResourceOptions(
                    parent=self,
                    protect=args.protect,
                    depends_on=[args.autoscaling_role] if args.autoscaling_role else [],
                ),
            )
            aws.kms.Alias(
                f"{name}-{purpose}",
                name=f"alias/{name}-{purpose}",
                target_key_id=created.key_id,
                opts=child,
            )
            return created

        self.data = key("data", "Databases, caches, volumes and buckets", _DATA_KEY_STATEMENTS)
        self.logs = key("logs", "CloudWatch log groups and alarm topics", _LOGS_KEY_STATEMENTS)
        self.backups = key("backups", "Snapshots and backup copies", _BACKUP_KEY_STATEMENTS)
        self.register_outputs(
            {
                "data_key_arn": self.data.arn,
                "logs_key_arn": self.logs.arn,
                "backups_key_arn": self.backups.arn,
            }
        )


_USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]

# EC2 Auto Scaling launches instances with encrypted volumes through its service-linked role,
# which needs the key and a grant for the attached volume; without this, launches fail.
_AUTOSCALING_ROLE = (
    "arn:{partition}:iam::{account}:role/aws-service-role/"
    "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
)
_DATA_KEY_STATEMENTS = [
    {
        "Sid": "AutoScalingUsesTheKeyForVolumes",
        "Effect": "Allow",
        "Principal": {"AWS": "{autoscaling_role}"},
        "Action": _USE,
        "Resource": "*",
    },
    {
        "Sid": "AutoScalingGrantsTheKeyToVolumes",
        "Effect": "Allow",
        "Principal": {"AWS": "{autoscaling_role}"},
        "Action": "kms:CreateGrant",
        "Resource": "*",
        "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
    },
]

# The files bucket is SSE-KMS: CloudFront's origin access control must decrypt what it serves.
# The distribution is created after the key (key -> bucket -> distribution), so the condition
# names this account's distributions rather than the one ARN; the bucket policy names it exactly.
_DATA_KEY_STATEMENTS.append(
    {
        "Sid": "CloudFrontReadsFilesThroughOac",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {
            "StringLike": {"aws:SourceArn": "arn:{partition}:cloudfront::{account}:distribution/*"}
        },
    }
)

_LOGS_KEY_STATEMENTS = [
    {
        "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
        "Effect": "Allow",
        "Principal": {"Service": "logs.{region}.amazonaws.com"},
        "Action": _USE,
        "Resource": "*",
        "Condition": {
            "ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": (
                    "arn:{partition}:logs:{region}:{account}:log-group:*"
                )
            }
        },
    },
    {
        "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": "{account}"}},
    },
]

# Snapshot copies and AWS Backup act on behalf of principals the account's IAM policies already
# admit through the root statement; nothing else needs the backups key directly.
_BACKUP_KEY_STATEMENTS: list[dict] = []


def _render(value: Any, **names: str) -> Any:
    """Fill {account}, {partition} and {region} placeholders throughout a statement."""
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, list):
        return [_render(v, **names) for v in value]
    if isinstance(value, dict):
        return {k.format(**names): _render(v, **names) for k, v in value.items()}
    return value
