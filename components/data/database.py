"""The relational database: Aurora (cluster + instances) or RDS Multi-AZ (+ read replicas).

Whatever the engine: in the isolated data subnets behind the database security group, encrypted
with the data key, TLS forced by a parameter group, the master password created and kept by RDS
in Secrets Manager (never in config or state), IAM authentication on, backups with point-in-time
restore, a final snapshot on delete, Performance Insights, enhanced monitoring and log exports.
An optional RDS Proxy sits in the app subnets and admits only TLS and IAM-authenticated clients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi
import pulumi_aws as aws

from components.config.models import DatabaseConfig
from components.config.values import EngineFamily
from components.foundation.logs import DATABASE_LOG_RETENTION_DAYS, encrypted_log_group
from components.naming import aws_identifier, final_snapshot_identifier
from components.policy_documents import document_output, service_trust

MONITORING_INTERVAL_SECONDS = 60
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7  # the free tier
SLOW_QUERY_MS = 1000


@dataclass(frozen=True)
class PerformanceInsights:
    enabled: bool
    kms_key_id: pulumi.Input[str] | None = None
    retention_days: int | None = None


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
    # RDS Proxy (config.proxy): the app subnets and the proxy's own security group.
    proxy_subnet_ids: Sequence[pulumi.Input[str]] = ()
    proxy_security_group_id: pulumi.Input[str] | None = None
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


class Database(pulumi.ComponentResource):
    """Aurora or RDS Multi-AZ, encrypted, TLS-only, backed up, with an optional RDS Proxy."""

    identifier: str
    subnet_group: aws.rds.SubnetGroup
    monitoring_role: aws.iam.Role
    cluster: aws.rds.Cluster | None
    cluster_instances: list[aws.rds.ClusterInstance]
    instance: aws.rds.Instance | None
    replicas: list[aws.rds.Instance]
    # The log groups RDS exports to, created first (RDS would make them unencrypted, forever).
    log_groups: list[aws.cloudwatch.LogGroup]
    proxy: aws.rds.Proxy | None
    writer_endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    secret_arn: pulumi.Output[str]
    # For IAM database authentication: rds-db:connect on
    # arn:<partition>:rds-db:<region>:<account>:dbuser:<resource_id>/<user>.
    resource_id: pulumi.Output[str]
    proxy_endpoint: pulumi.Output[str] | None
    # What the DR mirror repeats in its own region: the parameter group family and settings.
    parameter_group_family: str
    cluster_parameters: dict[str, str]
    instance_parameters: dict[str, str]

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:database:Database", name, None, opts)
        config = args.config
        if config.proxy and (not args.proxy_subnet_ids or args.proxy_security_group_id is None):
            raise ValueError("an RDS Proxy needs proxy_subnet_ids and proxy_security_group_id")
        if (args.master_password is None) != (args.master_secret_arn is None):
            raise ValueError("master_password and master_secret_arn go together")
        self._name = name
        self._args = args
        self.identifier = aws_identifier(name, "db")
        self.parameter_group_family = config.parameter_group_family
        self.cluster_parameters = {}
        self.instance_parameters = {}
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

        self.cluster = None
        self.cluster_instances = []
        self.instance = None
        self.replicas = []
        self.log_groups = []
        if config.engine.is_aurora:
            self._aurora()
        else:
            self._rds_instance()

        self.proxy = None
        self.proxy_endpoint = None
        if config.proxy:
            self._rds_proxy()

        self.register_outputs(
            {
                "writer_endpoint": self.writer_endpoint,
                "reader_endpoint": self.reader_endpoint,
                "port": self.port,
                "secret_arn": self.secret_arn,
                "resource_id": self.resource_id,
                "proxy_endpoint": self.proxy_endpoint,
            }
        )

    # --- Aurora -----------------------------------------------------------------------------

    def _aurora(self) -> None:
        name, args, config = self._name, self._args, self._args.config
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
            parameters=_parameters(cluster_parameters, aws.rds.ClusterParameterGroupParameterArgs),
            opts=child,
        )
        instance_parameter_group = aws.rds.ParameterGroup(
            f"{name}-db-instance",
            family=config.parameter_group_family,
            description=f"{name}: slow query logging",
            parameters=_parameters(instance_parameters, aws.rds.ParameterGroupParameterArgs),
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
            self.cluster_instances.append(
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

        self.writer_endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
        self.port = cluster.port
        self.resource_id = cluster.cluster_resource_id
        self.secret_arn = self._secret_arn(cluster.master_user_secrets)

    # --- RDS Multi-AZ instance --------------------------------------------------------------

    def _rds_instance(self) -> None:
        name, args, config = self._name, self._args, self._args.config
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
            parameters=_parameters(parameters, aws.rds.ParameterGroupParameterArgs),
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

        self.writer_endpoint = instance.address
        # RDS has no reader endpoint of its own: the first replica serves reads, or the
        # primary when there is none.
        self.reader_endpoint = self.replicas[0].address if self.replicas else instance.address
        self.port = instance.port
        self.resource_id = instance.resource_id
        self.secret_arn = self._secret_arn(instance.master_user_secrets)

    # --- RDS Proxy --------------------------------------------------------------------------

    def _rds_proxy(self) -> None:
        name, args, config = self._name, self._args, self._args.config
        child = pulumi.ResourceOptions(parent=self)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        role = aws.iam.Role(
            f"{name}-db-proxy",
            assume_role_policy=service_trust("rds.amazonaws.com", self._account.account_id),
            description="Lets the RDS Proxy read the database's master secret",
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-db-proxy",
            role=role.id,
            policy=document_output(
                {
                    "Sid": "ReadTheMasterSecret",
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": self.secret_arn,
                },
                {
                    "Sid": "DecryptTheMasterSecret",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": args.kms_key_arn,
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": region.region.apply(
                                lambda r: f"secretsmanager.{r}.amazonaws.com"
                            )
                        }
                    },
                },
            ),
            opts=child,
        )
        proxy_name = aws_identifier(self.identifier, "proxy")
        proxy = aws.rds.Proxy(
            f"{name}-db-proxy",
            name=proxy_name,
            # RDS Proxy names the family in capitals: POSTGRESQL or MYSQL.
            engine_family=config.engine.family.value.upper(),
            role_arn=role.arn,
            vpc_subnet_ids=list(args.proxy_subnet_ids),
            vpc_security_group_ids=[args.proxy_security_group_id],
            require_tls=True,
            idle_client_timeout=1800,
            auths=[
                aws.rds.ProxyAuthArgs(
                    auth_scheme="SECRETS",
                    secret_arn=self.secret_arn,
                    iam_auth="REQUIRED",
                    description="Clients sign in with IAM; the proxy uses the master secret",
                )
            ],
            tags={"Name": proxy_name},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )
        target_group = aws.rds.ProxyDefaultTargetGroup(
            f"{name}-db-proxy",
            db_proxy_name=proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=90,
                max_idle_connections_percent=50,
                connection_borrow_timeout=120,
            ),
            opts=child,
        )
        if self.cluster is not None:
            aws.rds.ProxyTarget(
                f"{name}-db-proxy",
                db_proxy_name=proxy.name,
                target_group_name=target_group.name,
                db_cluster_identifier=self.cluster.cluster_identifier,
                # A proxy can only reach a cluster that has an instance.
                opts=pulumi.ResourceOptions(parent=self, depends_on=self.cluster_instances),
            )
        elif self.instance is not None:
            aws.rds.ProxyTarget(
                f"{name}-db-proxy",
                db_proxy_name=proxy.name,
                target_group_name=target_group.name,
                db_instance_identifier=self.instance.identifier,
                opts=child,
            )
        self.proxy = proxy
        self.proxy_endpoint = proxy.endpoint

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


def _parameters(
    values: dict[str, str], make: Callable[..., _ParameterArgs]
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
