"""RDS Multi-AZ: one instance (a standby in a second AZ) and ``readers`` read replicas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.values import EngineFamily
from components.data.database_base import (
    MONITORING_INTERVAL_SECONDS,
    SLOW_QUERY_MS,
    DatabaseArgs,
    DatabaseBase,
    DatabaseServes,
    PerformanceInsights,
    parameter_args,
)
from components.naming import aws_identifier, final_snapshot_identifier


@dataclass(frozen=True)
class InstanceSettings:
    """What an RDS primary and its read replicas share."""

    instance_class: str
    max_allocated_storage_gb: int
    kms_key_arn: pulumi.Input[str]
    port: int
    subnet_group_name: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    parameter_group_name: pulumi.Input[str]
    maintenance_window: str
    monitoring_role_arn: pulumi.Input[str]
    log_exports: Sequence[str]
    performance_insights: PerformanceInsights


@dataclass(frozen=True)
class SourceSettings:
    """What only the primary RDS instance sets; a replica follows its source."""

    engine: str
    engine_version: str
    allocated_storage_gb: int
    db_name: str
    username: str
    kms_key_arn: pulumi.Input[str]
    backup_retention_days: int
    backup_window: str
    deletion_protection: bool
    # Set by a DR mirror (a MasterCredential); None: RDS manages the password in a secret.
    password: pulumi.Input[str] | None = None


class RdsInstance(DatabaseBase):
    """An RDS Multi-AZ instance and its read replicas, encrypted, TLS-only, backed up."""

    instance: aws.rds.Instance
    replicas: list[aws.rds.Instance]

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:data:RdsInstance", name, args, opts)
        if args.config.engine.is_aurora:
            raise ValueError(f"RdsInstance takes an RDS engine, not {args.config.engine.value}")
        self.replicas = []
        config = args.config
        postgres = config.engine.family is EngineFamily.POSTGRESQL
        parameters = (
            {"rds.force_ssl": "1", "log_min_duration_statement": str(SLOW_QUERY_MS)}
            if postgres
            else {
                # RDS for MySQL spells the boolean 1/0 at instance level (Aurora: ON/OFF).
                "require_secure_transport": "1",
                "slow_query_log": "1",
                "long_query_time": str(SLOW_QUERY_MS // 1000),
            }
        )
        self.instance_parameters = dict(parameters)
        parameter_group = aws.rds.ParameterGroup(
            f"{name}-db",
            family=config.parameter_group_family,
            description=f"{name}: TLS only, slow query logging",
            parameters=parameter_args(parameters, aws.rds.ParameterGroupParameterArgs),
            opts=pulumi.ResourceOptions(parent=self),
        )
        settings = InstanceSettings(
            instance_class=config.instance_class,
            max_allocated_storage_gb=config.max_allocated_storage_gb,
            kms_key_arn=args.kms_key_arn,
            port=config.port,
            subnet_group_name=self.subnet_group.name,
            security_group_id=args.security_group_id,
            parameter_group_name=parameter_group.name,
            maintenance_window=config.maintenance_window,
            monitoring_role_arn=self.monitoring_role.arn,
            log_exports=config.log_exports,
            performance_insights=self._performance_insights(),
        )
        log_groups = self._log_groups(f"{name}-db", "instance", self.identifier)
        writer_elsewhere = args.replicate_from
        # Declared as a replica (of the DR writer, after a failover): a standalone instance
        # cannot become a replica in place ("cannot elect new source database for
        # replication"), so a changed source replaces it, deleted first (the identifier stays).
        as_replica = pulumi.ResourceOptions(
            replace_on_changes=["replicateSourceDb"], delete_before_replace=True
        )
        # Made either way: the snapshot name's random suffix must outlive a failover.
        final_snapshot = final_snapshot_identifier(
            f"{name}-db", self.identifier, pulumi.ResourceOptions(parent=self)
        )
        if writer_elsewhere is not None:
            instance = self._instance(
                f"{name}-db",
                settings,
                identifier=self.identifier,
                replicate_source_db=writer_elsewhere,
                replica_backup_retention_days=config.backup_retention_days,
                opts=pulumi.ResourceOptions.merge(
                    pulumi.ResourceOptions(
                        parent=self,
                        depends_on=[*self._monitoring_ready, *log_groups],
                        protect=args.protect,
                        ignore_changes=["engineVersion"],
                    ),
                    as_replica,
                ),
            )
        else:
            instance = self._instance(
                f"{name}-db",
                settings,
                identifier=self.identifier,
                source=SourceSettings(
                    engine=config.engine.value,
                    engine_version=config.version,
                    allocated_storage_gb=config.allocated_storage_gb,
                    db_name=config.database_name,
                    username=config.master_username,
                    kms_key_arn=args.kms_key_arn,
                    backup_retention_days=config.backup_retention_days,
                    backup_window=config.backup_window,
                    deletion_protection=args.protect,
                    password=args.master_password,
                ),
                final_snapshot_identifier=final_snapshot,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[*self._monitoring_ready, *log_groups],
                    protect=args.protect,
                    ignore_changes=["engineVersion"],
                ),
            )
        self.instance = instance

        zones = list(args.availability_zones)
        for index in range(config.readers):
            replica_id = aws_identifier(self.identifier, "replica", str(index + 1))
            replica_logs = self._log_groups(
                f"{name}-db-replica-{index + 1}", "instance", replica_id
            )
            # A replica follows its source's engine version and encryption; AWS refuses a
            # final snapshot of a replica, and the source's backups cover its data.
            self.replicas.append(
                self._instance(
                    f"{name}-db-replica-{index + 1}",
                    settings,
                    identifier=replica_id,
                    # With a subnet group named, AWS wants the source's ARN, not its identifier.
                    # After a failover they replicate the DR writer directly (cross-Region).
                    replicate_source_db=(
                        writer_elsewhere if writer_elsewhere is not None else instance.arn
                    ),
                    availability_zone=zones[(index + 1) % len(zones)],
                    opts=pulumi.ResourceOptions.merge(
                        pulumi.ResourceOptions(
                            parent=self,
                            depends_on=[*self._monitoring_ready, *replica_logs],
                            protect=args.protect,
                            ignore_changes=["engineVersion"],
                        ),
                        as_replica,
                    ),
                )
            )

        self.serves = DatabaseServes(
            writer_endpoint=instance.address,
            # RDS has no reader endpoint of its own: the first replica serves reads, or the
            # primary when there is none.
            reader_endpoint=self.replicas[0].address if self.replicas else instance.address,
            port=instance.port,
            secret_arn=self._secret_arn(instance.master_user_secrets),
            resource_id=instance.resource_id,
            arn=instance.arn,
        )
        self._register()

    def _instance(
        self,
        resource_name: str,
        settings: InstanceSettings,
        *,
        identifier: str,
        opts: pulumi.ResourceOptions,
        source: SourceSettings | None = None,
        replicate_source_db: pulumi.Input[str] | None = None,
        availability_zone: str | None = None,
        final_snapshot_identifier: pulumi.Input[str] | None = None,
        replica_backup_retention_days: int | None = None,
    ) -> aws.rds.Instance:
        """An RDS instance, the primary (``source``: its engine, storage, credentials and
        backups) or a read replica (``replicate_source_db``), with the settings they share."""
        insights = settings.performance_insights
        return aws.rds.Instance(
            resource_name,
            identifier=identifier,
            engine=source.engine if source else None,
            engine_version=source.engine_version if source else None,
            allocated_storage=source.allocated_storage_gb if source else None,
            db_name=source.db_name if source else None,
            username=source.username if source else None,
            manage_master_user_password=(source.password is None) if source else None,
            password=source.password if source else None,
            master_user_secret_kms_key_id=(
                source.kms_key_arn if source and source.password is None else None
            ),
            # A replica rebuilt from the DR writer is promoted back on failback: Multi-AZ and
            # backed up, as the instance it replaces.
            multi_az=True if source or replica_backup_retention_days else None,
            backup_retention_period=(
                source.backup_retention_days if source else replica_backup_retention_days
            ),
            backup_window=source.backup_window if source else None,
            delete_automated_backups=False if source else None,
            deletion_protection=source.deletion_protection if source else None,
            replicate_source_db=replicate_source_db,
            availability_zone=availability_zone,
            skip_final_snapshot=source is None,
            final_snapshot_identifier=final_snapshot_identifier,
            tags={"Name": identifier},
            instance_class=settings.instance_class,
            max_allocated_storage=settings.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=settings.kms_key_arn,
            iam_database_authentication_enabled=True,
            port=settings.port,
            db_subnet_group_name=settings.subnet_group_name,
            vpc_security_group_ids=[settings.security_group_id],
            parameter_group_name=settings.parameter_group_name,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
            copy_tags_to_snapshot=True,
            maintenance_window=settings.maintenance_window,
            monitoring_interval=MONITORING_INTERVAL_SECONDS,
            monitoring_role_arn=settings.monitoring_role_arn,
            enabled_cloudwatch_logs_exports=list(settings.log_exports),
            performance_insights_enabled=insights.enabled,
            performance_insights_kms_key_id=insights.kms_key_id,
            performance_insights_retention_period=insights.retention_days,
            opts=opts,
        )
