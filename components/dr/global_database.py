"""The data tier's counterparts in the DR region.

- ``aurora_global_cluster``: an ``aws.rds.GlobalCluster`` created FROM the running primary cluster
  (``source_db_cluster_identifier`` = its ARN; the provider then requires ``force_destroy``), made
  by the primary's data tier (it is managed in the primary region); ``AuroraSecondaryCluster``:
  the secondary cluster in the DR region. Creating the global cluster this way leaves the primary
  where it is: the primary only needs ``ignore_changes=["globalClusterIdentifier"]`` (the
  provider's "New Global Cluster From Existing DB Cluster" example), so switching a running stack
  from ``none`` to a strategy is an in-place change, not a replacement. The secondary takes no
  database name, master user or password (it replicates the primary's storage), uses the DR
  region's key, subnet group and security groups, takes the global cluster's running engine
  version (a managed failover needs identical versions; no automatic minor upgrades), and
  ignores ``globalClusterIdentifier``/``replicationSourceIdentifier`` so a routine update can
  never detach or promote it; it is protected and waits for the primary's instances.
- ``CrossRegionReplica``: an RDS (non-Aurora) read replica in the DR region, replicating the
  primary instance by ARN, encrypted with the DR region's key, with backups on so it can be
  promoted with point-in-time recovery. After a failover (``promoted``) it is declared
  standalone, the writer; as a replica it is rebuilt (replaced, deleted first) when its source
  changes, which failback needs.
- ``elasticache_global_datastore``: an ElastiCache global datastore from the primary replication
  group (made by the primary's data tier), and ``GlobalDatastoreSecondary``: the secondary group
  in the DR region; which node types and engine versions it accepts is pure data in
  ``components.config.capabilities``, for the config layer to refuse the rest.

Every DR-region resource is created through the DR provider passed in the args; the global
cluster and the global datastore belong to the primary region (they are managed there) and to
the component of the primary's data tier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config.capabilities import global_datastore_problem, write_forwarding_supported
from components.data.database_base import parameter_args
from components.naming import aws_identifier, final_snapshot_identifier

# ElastiCache replication group ids are at most 40 characters.
MAX_CACHE_IDENTIFIER = 40


# --- Aurora global database ----------------------------------------------------------------------
# What ``ops`` ``add-writer-instance`` leaves to AWS's defaults (it sets the identifier, cluster,
# class and engine): the adopted failover instance does not enforce these.
ADOPTED_IGNORED = [
    "dbParameterGroupName",
    "dbSubnetGroupName",
    "autoMinorVersionUpgrade",
    "promotionTier",
    "copyTagsToSnapshot",
    "publiclyAccessible",
    "tags",
]


@dataclass(frozen=True)
class DrNetworkPlacement:
    """Where a DR-region data store goes: the DR region's subnet group and security groups."""

    region: str
    provider: pulumi.ProviderResource
    subnet_group_name: pulumi.Input[str]
    security_group_ids: Sequence[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]


def aurora_global_cluster(
    name: str, primary_cluster: aws.rds.Cluster, protect: bool, opts: pulumi.ResourceOptions
) -> aws.rds.GlobalCluster:
    """The global cluster ``<name>-global`` made from the running primary cluster."""
    return aws.rds.GlobalCluster(
        f"{name}-global",
        global_cluster_identifier=aws_identifier(name, "global"),
        # Built from the running primary: its engine, version and encryption are inherited
        # (setting engine too is refused: it conflicts with the source).
        source_db_cluster_identifier=primary_cluster.arn,
        # Required with a source cluster: on destroy, members are removed from the global
        # cluster first rather than the destroy failing.
        force_destroy=True,
        deletion_protection=protect,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=protect)),
    )


@dataclass(frozen=True)
class AuroraSecondaryClusterArgs:
    global_cluster: aws.rds.GlobalCluster
    # The secondary is added only once the primary has an instance to replicate from.
    primary_instances: Sequence[aws.rds.ClusterInstance]
    engine: str
    engine_version: str
    parameter_group_family: str
    placement: DrNetworkPlacement
    instance_class: str
    # 0 = headless: the secondary cluster stores the replicated volume but runs no instance.
    readers: int = 1
    # Requested for active-active; applied only where the engine version supports it.
    write_forwarding: bool = False
    port: int | None = None
    # The primary's TLS/audit settings, repeated in the DR region's own parameter groups.
    cluster_parameters: Mapping[str, str] = field(default_factory=dict)
    instance_parameters: Mapping[str, str] = field(default_factory=dict)
    backup_retention_days: int = 7
    protect: bool = False
    # Headless (readers 0) after a failover: the runbook gave the promoted secondary its writer
    # instance (``failover_instance_identifier``); the program declares it and adopts it.
    adopt_failover_instance: bool = False


class AuroraSecondaryCluster(pulumi.ComponentResource):
    """The DR region's member of an Aurora global database (secondary cluster, instances)."""

    global_cluster: aws.rds.GlobalCluster
    secondary: aws.rds.Cluster
    secondary_instances: list[aws.rds.ClusterInstance]
    secondary_identifier: str
    # The writer instance the runbook adds to a headless secondary on failover.
    failover_instance_identifier: str
    failover_instance_class: str
    write_forwarding: bool

    def __init__(
        self,
        name: str,
        args: AuroraSecondaryClusterArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webstack:dr:AuroraSecondaryCluster", name, None, opts)
        if not args.engine.startswith("aurora-"):
            raise ValueError(f"a global database needs an Aurora engine, not {args.engine!r}")
        if args.readers < 0:
            raise ValueError(f"readers must be 0 (headless) or more, not {args.readers}")
        placement = args.placement
        dr_child = pulumi.ResourceOptions(parent=self, provider=placement.provider)
        self.secondary_identifier = aws_identifier(name, placement.region)
        self.failover_instance_identifier = aws_identifier(self.secondary_identifier, "1")
        self.failover_instance_class = args.instance_class
        if args.adopt_failover_instance and args.readers:
            raise ValueError("only a headless secondary (readers 0) adopts a failover instance")
        self.write_forwarding = args.write_forwarding and write_forwarding_supported(
            args.engine, args.engine_version
        )
        if args.write_forwarding and not self.write_forwarding:
            pulumi.log.warn(
                f"{name}: {args.engine} {args.engine_version} cannot forward writes from a "
                "secondary region; writes go to the primary region's writer endpoint",
                resource=self,
            )

        self.global_cluster = args.global_cluster
        cluster_parameters = aws.rds.ClusterParameterGroup(
            f"{name}-secondary-cluster",
            family=args.parameter_group_family,
            description=f"{name} secondary: the primary's TLS and audit settings",
            parameters=parameter_args(
                args.cluster_parameters, aws.rds.ClusterParameterGroupParameterArgs
            ),
            opts=dr_child,
        )
        self.secondary = aws.rds.Cluster(
            f"{name}-secondary",
            cluster_identifier=self.secondary_identifier,
            # No database_name, master_username or master_password: a secondary replicates the
            # primary's volume, and AWS rejects them (pulumi#15818).
            engine=args.engine,
            # The global cluster's running version, not the config's: the primary may have
            # moved past it, and a secondary must match it (AWS allows a managed failover or
            # switchover only at identical major, minor and patch levels).
            engine_version=self.global_cluster.engine_version_actual.apply(
                lambda running: running or args.engine_version
            ),
            global_cluster_identifier=self.global_cluster.id,
            enable_global_write_forwarding=self.write_forwarding,
            storage_encrypted=True,
            kms_key_id=placement.kms_key_arn,
            db_subnet_group_name=placement.subnet_group_name,
            vpc_security_group_ids=list(placement.security_group_ids),
            db_cluster_parameter_group_name=cluster_parameters.name,
            port=args.port,
            iam_database_authentication_enabled=True,
            backup_retention_period=args.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=args.protect,
            # The provider removes a secondary from its global cluster before deleting it, and
            # a detached (possibly promoted) cluster can take a final snapshot: keep one.
            skip_final_snapshot=False,
            final_snapshot_identifier=final_snapshot_identifier(
                f"{name}-secondary", self.secondary_identifier, dr_child
            ),
            tags={"Name": self.secondary_identifier, "Role": "dr-secondary"},
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=placement.provider,
                protect=args.protect,
                depends_on=list(args.primary_instances),
                # Drift on these detaches or promotes the secondary (terraform-provider-aws
                # #43214); the version follows the global cluster's upgrades.
                ignore_changes=[
                    "globalClusterIdentifier",
                    "replicationSourceIdentifier",
                    "engineVersion",
                ],
            ),
        )

        self.secondary_instances = []
        instances = args.readers or (1 if args.adopt_failover_instance else 0)
        if instances:
            instance_parameters = aws.rds.ParameterGroup(
                f"{name}-secondary-instance",
                family=args.parameter_group_family,
                description=f"{name} secondary: the primary's instance settings",
                parameters=parameter_args(
                    args.instance_parameters, aws.rds.ParameterGroupParameterArgs
                ),
                opts=dr_child,
            )
            for index in range(instances):
                identifier = aws_identifier(self.secondary_identifier, str(index + 1))
                adopted = args.adopt_failover_instance and index == 0
                self.secondary_instances.append(
                    aws.rds.ClusterInstance(
                        f"{name}-secondary-{index + 1}",
                        identifier=identifier,
                        cluster_identifier=self.secondary.id,
                        engine=args.engine,
                        instance_class=args.instance_class,
                        db_subnet_group_name=placement.subnet_group_name,
                        db_parameter_group_name=instance_parameters.name,
                        publicly_accessible=False,
                        # Minor upgrades are ordered by the operator, secondaries first (README,
                        # Disaster recovery): never on each region's own maintenance window.
                        auto_minor_version_upgrade=False,
                        promotion_tier=0 if index == 0 else 1,
                        copy_tags_to_snapshot=True,
                        tags={"Name": identifier},
                        opts=pulumi.ResourceOptions(
                            parent=self,
                            provider=placement.provider,
                            protect=args.protect,
                            # Created by the runbook at failover (ops add-writer-instance):
                            # adopted into the stack, not created again. Pulumi ignores the
                            # option once the instance is in the state.
                            import_=identifier if adopted else None,
                            # An import fails on any input that differs from what AWS holds
                            # (pulumi#5878: ignore_changes is honoured on import): what the
                            # runbook does not set stays as it made it.
                            ignore_changes=ADOPTED_IGNORED if adopted else None,
                        ),
                    )
                )
        self.register_outputs(
            {
                "global_cluster_id": self.global_cluster.id,
                "secondary_cluster_id": self.secondary.cluster_identifier,
                "secondary_cluster_arn": self.secondary.arn,
                "secondary_reader_endpoint": self.secondary.reader_endpoint,
                "write_forwarding": self.write_forwarding,
            }
        )


# --- RDS cross-Region read replica -----------------------------------------------------------
@dataclass(frozen=True)
class CrossRegionReplicaArgs:
    source_instance: aws.rds.Instance
    engine: str
    parameter_group_family: str
    placement: DrNetworkPlacement
    instance_class: str
    # Ready to take writes after promotion (warm standby, active-active): Multi-AZ.
    multi_az: bool = False
    # Backups on the replica, so a promoted replica has point-in-time recovery at once.
    backup_retention_days: int = 7
    max_allocated_storage_gb: int = 100
    port: int | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False
    # After a failover (dr.activeRegion is the DR region): the runbook promoted the replica, and
    # the program declares it standalone, the writer (PromoteReadReplica leaves its identity,
    # storage and key as they were, so this is no replacement).
    promoted: bool = False


class CrossRegionReplica(pulumi.ComponentResource):
    """An RDS read replica of the primary instance in the DR region, promotable with PITR."""

    replica: aws.rds.Instance
    identifier: str

    def __init__(
        self, name: str, args: CrossRegionReplicaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:global_database:CrossRegionReplica", name, None, opts)
        if args.engine.startswith("aurora-"):
            raise ValueError("Aurora crosses regions as a global database, not an RDS replica")
        if args.backup_retention_days < 1:
            raise ValueError("a promotable replica needs backups (backup_retention_days >= 1)")
        placement = args.placement
        self.identifier = aws_identifier(name, placement.region)
        parameter_group = aws.rds.ParameterGroup(
            f"{name}-replica",
            family=args.parameter_group_family,
            description=f"{name} replica: the primary's TLS and logging settings",
            parameters=parameter_args(args.parameters, aws.rds.ParameterGroupParameterArgs),
            opts=pulumi.ResourceOptions(parent=self, provider=placement.provider),
        )
        # Made whether promoted or not, so the snapshot name outlives failover and failback.
        final_snapshot = final_snapshot_identifier(
            f"{name}-replica",
            self.identifier,
            pulumi.ResourceOptions(parent=self, provider=placement.provider),
        )
        # As a replica: a changed source (failback rebuilds it from the writer) replaces it,
        # deleted first (the identifier stays): a standalone instance cannot become a replica in
        # place ("cannot elect new source database for replication"). Never on the promoted
        # one: dropping replicate_source_db must not replace the writer.
        as_replica = not args.promoted
        self.replica = aws.rds.Instance(
            f"{name}-replica",
            identifier=self.identifier,
            # Across regions (and with a subnet group named) AWS wants the source's ARN.
            replicate_source_db=None if args.promoted else args.source_instance.arn,
            engine=args.engine if args.promoted else None,
            instance_class=args.instance_class,
            # storage_encrypted is ignored for a cross-Region replica: the key decides, and it
            # must be a key of the replica's region (terraform-aws-rds#428).
            storage_encrypted=True,
            kms_key_id=placement.kms_key_arn,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            storage_type="gp3",
            max_allocated_storage=args.max_allocated_storage_gb,
            db_subnet_group_name=placement.subnet_group_name,
            vpc_security_group_ids=list(placement.security_group_ids),
            parameter_group_name=parameter_group.name,
            port=args.port,
            iam_database_authentication_enabled=True,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
            copy_tags_to_snapshot=True,
            deletion_protection=args.protect,
            # AWS refuses a final snapshot of a replica (the primary's backups hold the data);
            # once promoted it is the writer, and keeps one.
            skip_final_snapshot=not args.promoted,
            final_snapshot_identifier=final_snapshot if args.promoted else None,
            tags={"Name": self.identifier, "Role": "dr-writer" if args.promoted else "dr-replica"},
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=placement.provider,
                protect=args.protect,
                # A replica follows its source's minor upgrades.
                ignore_changes=["engineVersion"],
                replace_on_changes=["replicateSourceDb"] if as_replica else None,
                delete_before_replace=True if as_replica else None,
            ),
        )
        self.register_outputs(
            {
                "replica_instance_id": self.replica.identifier,
                "replica_instance_arn": self.replica.arn,
                "replica_address": self.replica.address,
            }
        )


# --- ElastiCache global datastore ----------------------------------------------------------------
def elasticache_global_datastore(
    name: str,
    primary_group: aws.elasticache.ReplicationGroup,
    protect: bool,
    opts: pulumi.ResourceOptions,
) -> aws.elasticache.GlobalReplicationGroup:
    """The global datastore ``<name>-global`` made from the primary replication group."""
    return aws.elasticache.GlobalReplicationGroup(
        f"{name}-global",
        # AWS prefixes the suffix with its own letters, so the id is unique per account.
        global_replication_group_id_suffix=aws_identifier(name, max_length=30),
        primary_replication_group_id=primary_group.id,
        global_replication_group_description=f"{name}: primary and DR caches",
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=protect)),
    )


@dataclass(frozen=True)
class GlobalDatastoreSecondaryArgs:
    global_group: aws.elasticache.GlobalReplicationGroup
    engine: str
    version: str
    node_type: str
    placement: DrNetworkPlacement
    # Replicas of the secondary group (its own primary node is added).
    replicas: int = 1
    port: int | None = None
    # The primary's AUTH token: clients in both regions use the same one.
    auth_token: pulumi.Input[str] | None = None
    # Daily snapshots of the secondary too: once promoted it is the only copy.
    snapshot_retention_days: int = 0
    snapshot_window: str | None = None
    protect: bool = False


class GlobalDatastoreSecondary(pulumi.ComponentResource):
    """The DR region's member of an ElastiCache global datastore."""

    global_group: aws.elasticache.GlobalReplicationGroup
    secondary: aws.elasticache.ReplicationGroup
    secondary_identifier: str

    def __init__(
        self,
        name: str,
        args: GlobalDatastoreSecondaryArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webstack:dr:GlobalDatastoreSecondary", name, None, opts)
        problem = global_datastore_problem(args.engine, args.version, args.node_type)
        if problem:
            raise ValueError(f"{name}: {problem}")
        placement = args.placement
        self.global_group = args.global_group
        self.secondary_identifier = aws_identifier(
            name, placement.region, max_length=MAX_CACHE_IDENTIFIER
        )
        nodes = 1 + args.replicas
        highly_available = nodes >= 2
        self.secondary = aws.elasticache.ReplicationGroup(
            f"{name}-secondary",
            replication_group_id=self.secondary_identifier,
            description=f"{name} DR-region member of the global datastore",
            # Engine, version, node type and parameter group come from the global datastore.
            global_replication_group_id=self.global_group.global_replication_group_id,
            num_cache_clusters=nodes,
            port=args.port,
            subnet_group_name=placement.subnet_group_name,
            security_group_ids=list(placement.security_group_ids),
            automatic_failover_enabled=highly_available,
            multi_az_enabled=highly_available,
            at_rest_encryption_enabled=True,
            kms_key_id=placement.kms_key_arn,
            transit_encryption_enabled=True,
            auth_token=args.auth_token,
            snapshot_retention_limit=args.snapshot_retention_days,
            snapshot_window=args.snapshot_window,
            tags={"Name": self.secondary_identifier, "Role": "dr-secondary"},
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=placement.provider,
                protect=args.protect,
                additional_secret_outputs=["authToken"],
            ),
        )
        self.register_outputs(
            {
                "global_replication_group_id": self.global_group.global_replication_group_id,
                "secondary_replication_group_id": self.secondary.replication_group_id,
            }
        )
