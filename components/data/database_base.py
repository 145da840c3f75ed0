"""What every webstack database shares, whichever the engine (``AuroraCluster``, ``RdsInstance``).

In the isolated data subnets behind the database security group, encrypted with the data key,
TLS forced by a parameter group, the master password created and kept by RDS in Secrets Manager
(never in config or state), IAM authentication on, backups with point-in-time restore, a final
snapshot on delete, Performance Insights, enhanced monitoring and log exports, each exported log
in a group of our own (encrypted, expiring). The split follows terraform-aws-modules (``rds`` and
``rds-aurora``); ``DatabaseProxy`` fronts either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi
import pulumi_aws as aws

from components.config.models import DatabaseConfig
from components.foundation.logs import DATABASE_LOG_RETENTION_DAYS, encrypted_log_group
from components.naming import aws_identifier
from components.policy_documents import service_trust

MONITORING_INTERVAL_SECONDS = 60
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7  # the free tier
SLOW_QUERY_MS = 1000


@dataclass(frozen=True)
class PerformanceInsights:
    enabled: bool
    kms_key_id: pulumi.Input[str] | None = None
    retention_days: int | None = None


@dataclass(frozen=True)
class DatabaseServes:
    """What a database serves, whichever the engine: the one endpoints type."""

    writer_endpoint: pulumi.Output[str]
    # RDS has no reader endpoint of its own: the first replica's address, or the writer's.
    reader_endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    secret_arn: pulumi.Output[str]
    # For IAM database authentication: rds-db:connect on
    # arn:<partition>:rds-db:<region>:<account>:dbuser:<resource_id>/<user>.
    resource_id: pulumi.Output[str]
    # What AWS Backup protects (the cluster or the instance).
    arn: pulumi.Output[str]


_ParameterArgs = TypeVar(
    "_ParameterArgs",
    aws.rds.ParameterGroupParameterArgs,
    aws.rds.ClusterParameterGroupParameterArgs,
)


@dataclass(frozen=True)
class DatabaseArgs:
    config: DatabaseConfig
    # One data subnet per AZ, in the order of ``availability_zones``.
    subnet_ids: Sequence[pulumi.Input[str]]
    availability_zones: Sequence[str]
    security_group_id: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    # The key of the log groups the exported database logs land in.
    logs_key_arn: pulumi.Input[str]
    # Production: deletion protection on, and Pulumi refuses to delete the database.
    protect: bool = False
    log_retention_days: int = DATABASE_LOG_RETENTION_DAYS
    # With a DR mirror: RDS-managed master secrets are refused on global database members and
    # cross-Region replicas, so the master password comes from a MasterCredential (both set, or
    # neither). Switching is an in-place update of the master password, never a replacement.
    master_password: pulumi.Input[str] | None = None
    master_secret_arn: pulumi.Input[str] | None = None
    # RDS after a failover (dr.activeRegion is the DR region): the writer's ARN there. This
    # region's instance (and its readers) are then declared as cross-Region replicas of it, and
    # rebuilt as such (replaced, delete first: the identifiers stay) once the region is back.
    replicate_from: pulumi.Input[str] | None = None
    # Aurora global database members: minor upgrades are ordered by the operator (secondaries
    # first, as AWS requires for a managed failover), never taken on each region's own window.
    auto_minor_version_upgrade: bool = True
    # Aurora after a failover under active-active: this (now secondary) cluster forwards writes.
    global_write_forwarding: bool | None = None


class DatabaseBase(pulumi.ComponentResource):
    """The subnet group, enhanced-monitoring role and log groups every engine needs."""

    identifier: str
    subnet_group: aws.rds.SubnetGroup
    monitoring_role: aws.iam.Role
    # The log groups RDS exports to, created first (RDS would make them unencrypted, forever).
    log_groups: list[aws.cloudwatch.LogGroup]
    serves: DatabaseServes
    # What the DR region repeats in its own parameter groups.
    parameter_group_family: str
    cluster_parameters: dict[str, str]
    instance_parameters: dict[str, str]

    def __init__(
        self,
        type_: str,
        name: str,
        args: DatabaseArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(type_, name, None, opts)
        if (args.master_password is None) != (args.master_secret_arn is None):
            raise ValueError("master_password and master_secret_arn go together")
        self._name = name
        self._args = args
        self.identifier = aws_identifier(name, "db")
        self.parameter_group_family = args.config.parameter_group_family
        self.cluster_parameters = {}
        self.instance_parameters = {}
        self.log_groups = []
        child = pulumi.ResourceOptions(parent=self)
        self._partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self._account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))

        # Named, not auto-named: a database cannot move to another subnet group without being
        # replaced, so the group's name must never change.
        self.subnet_group = aws.rds.SubnetGroup(
            f"{name}-db",
            name=self.identifier,
            description=f"Data subnets of {name}",
            subnet_ids=list(args.subnet_ids),
            tags={"Name": self.identifier},
            opts=child,
        )

        self.monitoring_role = aws.iam.Role(
            f"{name}-db-monitoring",
            assume_role_policy=service_trust(
                "monitoring.rds.amazonaws.com", self._account.account_id
            ),
            description="Lets RDS enhanced monitoring publish OS metrics to CloudWatch Logs",
            opts=child,
        )
        monitoring_policy = aws.iam.RolePolicyAttachment(
            f"{name}-db-monitoring",
            role=self.monitoring_role.name,
            policy_arn=self._partition.partition.apply(
                lambda p: f"arn:{p}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
            ),
            opts=child,
        )
        self._monitoring_ready: list[pulumi.Resource] = [monitoring_policy]

    def _register(self) -> None:
        serves = self.serves
        self.register_outputs(
            {
                "writer_endpoint": serves.writer_endpoint,
                "reader_endpoint": serves.reader_endpoint,
                "port": serves.port,
                "secret_arn": serves.secret_arn,
                "resource_id": serves.resource_id,
            }
        )

    def _log_groups(self, name: str, kind: str, identifier: str) -> list[aws.cloudwatch.LogGroup]:
        """The groups RDS exports ``identifier``'s logs to (/aws/rds/<kind>/<id>/<type>), made
        before the database so they are encrypted with the logs key and expire; left to RDS they
        would be neither."""
        args = self._args
        groups = [
            encrypted_log_group(
                f"{name}-log-{log_type}",
                log_group_name=f"/aws/rds/{kind}/{identifier}/{log_type}",
                kms_key_arn=args.logs_key_arn,
                retention_days=args.log_retention_days,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            for log_type in args.config.log_exports
        ]
        self.log_groups.extend(groups)
        return groups

    def _secret_arn(self, secrets: pulumi.Output[Any]) -> pulumi.Output[str]:
        if self._args.master_secret_arn is not None:
            return pulumi.Output.from_input(self._args.master_secret_arn)
        return secrets.apply(_secret_arn)

    def _performance_insights(self) -> PerformanceInsights:
        if not self._args.config.performance_insights_supported:
            return PerformanceInsights(enabled=False)
        return PerformanceInsights(
            enabled=True,
            kms_key_id=self._args.kms_key_arn,
            retention_days=PERFORMANCE_INSIGHTS_RETENTION_DAYS,
        )


def parameter_args(
    values: Mapping[str, str], make: Callable[..., _ParameterArgs]
) -> list[_ParameterArgs]:
    # pending-reboot is accepted for static and dynamic parameters alike; a new database starts
    # with them either way.
    return [
        make(name=key, value=value, apply_method="pending-reboot")
        for key, value in sorted(values.items())
    ]


def _secret_arn(
    secrets: Sequence[
        aws.rds.outputs.ClusterMasterUserSecret | aws.rds.outputs.InstanceMasterUserSecret
    ]
    | None,
) -> str:
    if not secrets or not secrets[0].secret_arn:
        raise ValueError("RDS reported no master user secret although it manages the password")
    return secrets[0].secret_arn
