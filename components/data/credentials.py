"""The database master credential of a stack with a DR mirror.

RDS-managed master secrets (``manage_master_user_password``) are not supported on clusters in an
Aurora global database nor on cross-Region read replicas (Aurora and RDS user guides,
"Limitations for Secrets Manager integration"). With DR on, the master password is generated here
(pulumi-random, kept as a secret in state), stored in a Secrets Manager secret encrypted with the
primary region's data key and replicated by Secrets Manager to the DR region under the DR region's
key, so an operator can still read it after the primary region is lost. Applications never use it:
they sign in with IAM authentication tokens in both regions, before and after a promotion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

# The database user the tiers of both regions sign in as with IAM authentication tokens, once a
# DR mirror exists. A bootstrap grant creates it (docs/disaster-recovery.md): PostgreSQL
# `CREATE USER app_iam; GRANT rds_iam TO app_iam`, MySQL `CREATE USER app_iam IDENTIFIED WITH
# AWSAuthenticationPlugin AS 'RDS'`; users replicate with the data to the DR region.
IAM_DATABASE_USER = "app_iam"

# RDS master passwords: printable ASCII except /, @, " and space; letters and digits only keep
# it safe in every client, and 40 of them are ~238 bits.
PASSWORD_LENGTH = 40


@dataclass(frozen=True)
class MasterCredentialArgs:
    username: str
    engine: str
    # The secret's key in the primary region (the data key) ...
    kms_key_arn: pulumi.Input[str]
    # ... and its replica's key, a key of the DR region.
    dr_region: str
    dr_kms_key_arn: pulumi.Input[str]
    protect: bool = False
    recovery_window_days: int = 30


class MasterCredential(pulumi.ComponentResource):
    """A generated master password in a secret replicated to the DR region."""

    password: pulumi.Output[str]
    secret: aws.secretsmanager.Secret
    secret_arn: pulumi.Output[str]
    # The replica's ARN: the same name in the DR region (what operators read after a failover).
    replica_secret_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: MasterCredentialArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:credentials:MasterCredential", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        generated = random.RandomPassword(
            f"{name}-master-password",
            length=PASSWORD_LENGTH,
            special=False,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.password = pulumi.Output.secret(generated.result)
        self.secret = aws.secretsmanager.Secret(
            f"{name}-master",
            description=(
                f"Master credential of the {name} database (break-glass only: applications "
                "sign in with IAM); replicated to the DR region"
            ),
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=args.recovery_window_days,
            replicas=[
                aws.secretsmanager.SecretReplicaArgs(
                    region=args.dr_region, kms_key_id=args.dr_kms_key_arn
                )
            ],
            # A secret of the same name left in the DR region (a previous stack) would make the
            # replication fail; never overwrite someone else's secret.
            force_overwrite_replica_secret=False,
            tags={"Name": f"{name}-master", "Purpose": "database-master"},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-master",
            secret_id=self.secret.id,
            secret_string=pulumi.Output.secret(
                generated.result.apply(
                    lambda password: json.dumps(
                        {"engine": args.engine, "username": args.username, "password": password}
                    )
                )
            ),
            opts=child,
        )
        self.secret_arn = self.secret.arn
        self.replica_secret_arn = self.secret.arn.apply(
            lambda arn: replica_arn(arn, args.dr_region)
        )
        self.register_outputs(
            {"secret_arn": self.secret_arn, "replica_secret_arn": self.replica_secret_arn}
        )


def replica_arn(arn: str, region: str) -> str:
    """A replicated secret keeps its name (and suffix) in the replica region."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "secretsmanager":
        raise ValueError(f"not a Secrets Manager secret ARN: {arn!r}")
    parts[3] = region
    return ":".join(parts)
