"""AWS Backup for the backup-restore strategy: backups in the primary region, copied to the DR one.

- a vault in the primary region, "encrypted" with the primary's backups key. For RDS and
  Aurora that key encrypts only the vault's metadata: they are not fully managed by AWS Backup,
  so their snapshots inherit the SOURCE's encryption (the primary's data key), whatever the
  vault's key (AWS Backup Developer Guide, encryption.html, "Independent encryption");
- a vault in the DR region (created through the DR provider), encrypted with the DR region's
  backups key: a cross-Region copy of an encrypted snapshot must be encrypted under a key of the
  destination region (RDS CopyDBSnapshot/CopyDBClusterSnapshot ``KmsKeyId``), and AWS Backup
  copies into the destination vault's key, so nothing restored in the DR region depends on a
  key of the lost region;
- the role's KMS permissions for that copy: on the source's key (reading the snapshot, granting
  RDS its use) and the DR vault's key (re-encrypting the copy); without them the job fails;
- a plan whose rule backs up every ``BACKUP_INTERVAL_HOURS`` into the primary vault and copies
  each recovery point to the DR vault, both with a retention;
- a selection naming exactly the resources to protect (database cluster or instance ARNs, and
  EFS/EBS if the stack ever has any), assumed through a role of its own.

Names: vault names are regional and carry the region, so the two never collide; the IAM role
(IAM is global) is auto-named from the component name, which is unique per stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.dr_objectives import BACKUP_INTERVAL_HOURS
from components.naming import aws_identifier
from components.policy_documents import document, document_output

# Vault names: 2-50 letters, digits, hyphens and underscores.
MAX_VAULT_NAME = 50
# AWS managed policies of the AWS Backup service role (backups, then restores).
MANAGED_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
)


def schedule_expression(interval_hours: int) -> str:
    """An AWS Backup cron expression running every ``interval_hours`` (a divisor of 24)."""
    if interval_hours <= 0 or 24 % interval_hours:
        raise ValueError(f"a backup interval must divide 24 hours, not {interval_hours}")
    hours = "5" if interval_hours == 24 else f"0/{interval_hours}"
    return f"cron(0 {hours} ? * * *)"


@dataclass(frozen=True)
class BackupArgs:
    region: str
    dr_region: str
    # The DR region's provider: the DR vault is created through it.
    dr_provider: pulumi.ProviderResource
    # The backups keys of each region (Keys.backups).
    kms_key_arn: pulumi.Input[str]
    dr_kms_key_arn: pulumi.Input[str]
    # Exactly the resources to back up: database cluster/instance ARNs (EFS/EBS if any).
    resource_arns: Sequence[pulumi.Input[str]]
    # The keys that encrypt those resources (their snapshots inherit them): the data key.
    source_kms_key_arns: Sequence[pulumi.Input[str]] = ()
    interval_hours: int = BACKUP_INTERVAL_HOURS
    retention_days: int = 35
    dr_retention_days: int = 35
    protect: bool = False


class Backup(pulumi.ComponentResource):
    """A backup plan in the primary region with a copy of every recovery point in the DR vault."""

    vault: aws.backup.Vault
    dr_vault: aws.backup.Vault
    plan: aws.backup.Plan
    selection: aws.backup.Selection
    role: aws.iam.Role
    vault_name: str
    dr_vault_name: str
    rule_name: str

    def __init__(
        self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:backup:Backup", name, None, opts)
        if args.region == args.dr_region:
            raise ValueError(f"the DR vault must be in another region than {args.region}")
        if not args.resource_arns:
            raise ValueError("a backup selection needs at least one resource ARN")
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))

        self.vault_name = aws_identifier(name, args.region, max_length=MAX_VAULT_NAME)
        self.dr_vault_name = aws_identifier(name, args.dr_region, max_length=MAX_VAULT_NAME)
        self.vault = aws.backup.Vault(
            f"{name}-vault",
            name=self.vault_name,
            kms_key_arn=args.kms_key_arn,
            # Deleting a vault with recovery points in it fails: keep them (and the vault).
            force_destroy=False,
            tags={"Name": self.vault_name},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.dr_vault = aws.backup.Vault(
            f"{name}-dr-vault",
            name=self.dr_vault_name,
            kms_key_arn=args.dr_kms_key_arn,
            force_destroy=False,
            tags={"Name": self.dr_vault_name},
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.dr_provider, protect=args.protect
            ),
        )

        # AWS Backup's documented service role trusts the service without conditions; the
        # role is passed explicitly (iam:PassRole) by whoever creates the selection.
        self.role = aws.iam.Role(
            f"{name}-backup",
            description=f"AWS Backup of {name}: backs up, copies and restores the selection",
            assume_role_policy=document(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "backup.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
            opts=child,
        )
        attachments: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{name}-backup-{policy.rsplit('/', 1)[1]}",
                role=self.role.name,
                policy_arn=partition.partition.apply(
                    lambda p, policy=policy: f"arn:{p}:iam::aws:policy/{policy}"
                ),
                opts=child,
            )
            for policy in MANAGED_POLICIES
        ]

        # A cross-Region copy of a CMK-encrypted RDS/Aurora snapshot: AWS Backup decrypts with
        # the source's key and re-encrypts under the DR vault's, through grants it creates for
        # RDS (kms:CreateGrant, only for AWS resources).
        keys = [*args.source_kms_key_arns, args.kms_key_arn, args.dr_kms_key_arn]
        kms_policy = aws.iam.RolePolicy(
            f"{name}-backup-kms",
            role=self.role.id,
            policy=document_output(
                {
                    "Sid": "UseTheSourceAndVaultKeys",
                    "Effect": "Allow",
                    "Action": [
                        "kms:Decrypt",
                        "kms:DescribeKey",
                        "kms:GenerateDataKey*",
                        "kms:ReEncrypt*",
                    ],
                    "Resource": keys,
                },
                {
                    "Sid": "GrantTheKeysToAwsServices",
                    "Effect": "Allow",
                    "Action": "kms:CreateGrant",
                    "Resource": keys,
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
            ),
            opts=child,
        )
        attachments.append(kms_policy)

        self.rule_name = f"every-{args.interval_hours}h-copy-to-{args.dr_region}"
        self.plan = aws.backup.Plan(
            f"{name}-plan",
            name=aws_identifier(name, "plan", max_length=MAX_VAULT_NAME),
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name=self.rule_name,
                    target_vault_name=self.vault.name,
                    schedule=schedule_expression(args.interval_hours),
                    start_window=60,
                    completion_window=360,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=args.retention_days),
                    copy_actions=[
                        aws.backup.PlanRuleCopyActionArgs(
                            destination_vault_arn=self.dr_vault.arn,
                            lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(
                                delete_after=args.dr_retention_days
                            ),
                        )
                    ],
                    recovery_point_tags={"Plan": name},
                )
            ],
            tags={"Name": name},
            opts=child,
        )
        self.selection = aws.backup.Selection(
            f"{name}-selection",
            name=aws_identifier(name, "selection", max_length=MAX_VAULT_NAME),
            plan_id=self.plan.id,
            iam_role_arn=self.role.arn,
            resources=list(args.resource_arns),
            # AWS Backup checks the role's permissions when the selection is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )
        self.register_outputs(
            {
                "plan_id": self.plan.id,
                "plan_name": self.plan.name,
                "vault_name": self.vault.name,
                "dr_vault_name": self.dr_vault.name,
                "dr_vault_arn": self.dr_vault.arn,
            }
        )
