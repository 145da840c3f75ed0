"""Aurora: a cluster and its instances (one writer, ``readers`` readers), spread over the AZs."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.config.values import EngineFamily
from components.data.database_base import (
    MONITORING_INTERVAL_SECONDS,
    SLOW_QUERY_MS,
    DatabaseArgs,
    DatabaseBase,
    DatabaseServes,
    parameter_args,
)
from components.naming import aws_identifier, final_snapshot_identifier


class AuroraCluster(DatabaseBase):
    """An Aurora cluster, encrypted, TLS-only, audited, backed up."""

    cluster: aws.rds.Cluster
    instances: list[aws.rds.ClusterInstance]

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:data:AuroraCluster", name, args, opts)
        if not args.config.engine.is_aurora:
            raise ValueError(
                f"AuroraCluster needs an Aurora engine, not {args.config.engine.value}"
            )
        self.instances = []
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        postgres = config.engine.family is EngineFamily.POSTGRESQL

        cluster_parameters = (
            {"rds.force_ssl": "1"}
            if postgres
            else {
                # Aurora MySQL spells the boolean ON/OFF at cluster level.
                "require_secure_transport": "ON",
                # Without these, the exported audit log stays empty.
                "server_audit_logging": "1",
                "server_audit_events": "CONNECT,QUERY_DCL,QUERY_DDL",
            }
        )
        instance_parameters = (
            {"log_min_duration_statement": str(SLOW_QUERY_MS)}
            if postgres
            else {"slow_query_log": "1", "long_query_time": str(SLOW_QUERY_MS // 1000)}
        )
        self.cluster_parameters = dict(cluster_parameters)
        self.instance_parameters = dict(instance_parameters)
        cluster_parameter_group = aws.rds.ClusterParameterGroup(
            f"{name}-db-cluster",
            family=config.parameter_group_family,
            description=f"{name}: TLS only, audit logging",
            parameters=parameter_args(
                cluster_parameters, aws.rds.ClusterParameterGroupParameterArgs
            ),
            opts=child,
        )
        instance_parameter_group = aws.rds.ParameterGroup(
            f"{name}-db-instance",
            family=config.parameter_group_family,
            description=f"{name}: slow query logging",
            parameters=parameter_args(instance_parameters, aws.rds.ParameterGroupParameterArgs),
            opts=child,
        )

        log_groups = self._log_groups(f"{name}-db", "cluster", self.identifier)
        # No availability_zones: with fewer than three AZs it diffs forever and replaces the
        # cluster (pulumi#5637); the subnet group and the instances' AZs place it instead.
        cluster = aws.rds.Cluster(
            f"{name}-db",
            cluster_identifier=self.identifier,
            engine=config.engine.value,
            engine_version=config.version,
            database_name=config.database_name,
            master_username=config.master_username,
            # RDS keeps the master password in a secret of its own, unless a DR mirror supplies
            # one (a MasterCredential replicated to the DR region).
            manage_master_user_password=args.master_password is None,
            master_password=args.master_password,
            master_user_secret_kms_key_id=(
                args.kms_key_arn if args.master_password is None else None
            ),
            iam_database_authentication_enabled=True,
            port=config.port,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[args.security_group_id],
            db_cluster_parameter_group_name=cluster_parameter_group.name,
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            backup_retention_period=config.backup_retention_days,
            preferred_backup_window=config.backup_window,
            preferred_maintenance_window=config.maintenance_window,
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            deletion_protection=args.protect,
            skip_final_snapshot=False,
            final_snapshot_identifier=final_snapshot_identifier(
                f"{name}-db", self.identifier, child
            ),
            enabled_cloudwatch_logs_exports=list(config.log_exports),
            enable_global_write_forwarding=args.global_write_forwarding,
            tags={"Name": self.identifier},
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=log_groups,
                protect=args.protect,
                # Automatic minor upgrades move the running version past the configured one;
                # without this the next run would try to downgrade. A DR mirror makes the
                # cluster the primary of a global cluster created FROM it: the provider then
                # reads globalClusterIdentifier back, and it must never diff (detach).
                ignore_changes=["engineVersion", "globalClusterIdentifier"],
            ),
        )
        self.cluster = cluster

        zones = list(args.availability_zones)
        insights = self._performance_insights()
        for index in range(1 + config.readers):
            # Instance n always lands in the same AZ, so adding or removing readers never moves
            # (replaces) an existing one.
            instance_id = aws_identifier(self.identifier, str(index + 1))
            self.instances.append(
                aws.rds.ClusterInstance(
                    f"{name}-db-{index + 1}",
                    identifier=instance_id,
                    cluster_identifier=cluster.cluster_identifier,
                    engine=config.engine.value,
                    instance_class=config.instance_class,
                    availability_zone=zones[index % len(zones)],
                    db_subnet_group_name=self.subnet_group.name,
                    db_parameter_group_name=instance_parameter_group.name,
                    publicly_accessible=False,
                    auto_minor_version_upgrade=args.auto_minor_version_upgrade,
                    promotion_tier=0 if index == 0 else 1,
                    copy_tags_to_snapshot=True,
                    preferred_maintenance_window=config.maintenance_window,
                    monitoring_interval=MONITORING_INTERVAL_SECONDS,
                    monitoring_role_arn=self.monitoring_role.arn,
                    performance_insights_enabled=insights.enabled,
                    performance_insights_kms_key_id=insights.kms_key_id,
                    performance_insights_retention_period=insights.retention_days,
                    tags={"Name": instance_id},
                    opts=pulumi.ResourceOptions(
                        parent=self, depends_on=self._monitoring_ready, protect=args.protect
                    ),
                )
            )

        self.serves = DatabaseServes(
            writer_endpoint=cluster.endpoint,
            reader_endpoint=cluster.reader_endpoint,
            port=cluster.port,
            secret_arn=self._secret_arn(cluster.master_user_secrets),
            resource_id=cluster.cluster_resource_id,
            arn=cluster.arn,
        )
        self._register()
