"""A region's data tier, by role: ``PrimaryData`` (the writer's database and cache) or
``StandbyData`` (the DR region's copies of them, following the primary's).

Both expose the same small surface a ``RegionalSite`` and the outputs need: what the tiers connect
to (``database_endpoints``, ``cache_endpoints``) and a typed ``description`` for operators. A
``RegionalSite`` is given a plan (``PrimaryDataPlan`` or ``StandbyDataPlan``) and builds it once
its network, security groups and keys exist; it never asks which one it has.

Each store is owned by the component of the region it lives in, through that region's provider:
the Aurora global cluster and the ElastiCache global datastore are made FROM the primary's cluster
and group and managed in the primary region, so ``PrimaryData`` makes them (when the DR plan
needs them); ``StandbyData`` makes only the DR region's members (secondary cluster, cross-Region
replica, secondary replication group) and never holds the primary region's provider.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import pulumi
import pulumi_aws as aws

from components import legacy
from components.compute import CacheEndpoints, DatabaseEndpoints
from components.config.dr_objectives import CacheMode, DrPlan
from components.config.models import StackConfig
from components.data.aurora import AuroraCluster
from components.data.cache import Cache, CacheArgs
from components.data.credentials import (
    IAM_DATABASE_USER,
    MasterCredential,
    MasterCredentialArgs,
    replica_arn,
)
from components.data.database_base import DatabaseArgs
from components.data.database_proxy import DatabaseProxy, DatabaseProxyArgs
from components.data.rds_instance import RdsInstance
from components.dr.global_database import (
    AuroraSecondaryCluster,
    AuroraSecondaryClusterArgs,
    CrossRegionReplica,
    CrossRegionReplicaArgs,
    DrNetworkPlacement,
    GlobalDatastoreSecondary,
    GlobalDatastoreSecondaryArgs,
    aurora_global_cluster,
    elasticache_global_datastore,
)
from components.foundation.keys import Keys
from components.foundation.network import Network
from components.foundation.security import SecurityGroups
from components.naming import MAX_ELASTICACHE_IDENTIFIER, aws_identifier

# A pilot light's idle regional cache (sessions of a region that serves nothing yet).
IDLE_CACHE_NODE_TYPE = "cache.t4g.small"


@dataclass(frozen=True)
class DataPlacement:
    """What a region gives its data tier: where it goes and the keys it uses."""

    region: str
    provider: pulumi.ProviderResource
    network: Network
    security: SecurityGroups
    keys: Keys


@dataclass(frozen=True)
class DatabaseDescription:
    """The region's database for operators (``ops/outputs.py`` ``RegionDatabase``)."""

    family: str
    engine: str
    cluster_id: pulumi.Input[str] | None
    cluster_arn: pulumi.Input[str] | None
    instance_ids: list[pulumi.Input[str]]
    instance_arn: pulumi.Input[str] | None


@dataclass(frozen=True)
class DataDescription:
    database: DatabaseDescription
    cache_replication_group_id: pulumi.Input[str]


class DataTier(pulumi.ComponentResource):
    """What a RegionalSite and the outputs read of a data tier, whichever the role."""

    # What the tiers connect to.
    database_endpoints: DatabaseEndpoints
    cache_endpoints: CacheEndpoints
    # The region's stores for operators.
    description: DataDescription


class DataTierPlan(Protocol):
    """A data tier to build once the region's network, security groups and keys exist."""

    @property
    def uses_proxy(self) -> bool:
        """Whether the tiers reach the database through an RDS Proxy (its security group)."""
        ...

    def build(
        self, name: str, placement: DataPlacement, opts: pulumi.ResourceOptions
    ) -> DataTier: ...


def iam_auth_target(resource_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """What DatabaseEndpoints.proxy_arn carries for IAM database authentication: a string whose
    last ``:`` field is the resource id rds-db:connect names (``dbuser:<resource id>/<user>``):
    the proxy's, or the cluster's/instance's when the tiers sign in directly."""
    return pulumi.Output.concat("rds-db-resource:", resource_id)


def _family(config: StackConfig) -> str:
    return "aurora" if config.database.engine.is_aurora else "rds"


# --- the primary region --------------------------------------------------------------------------
@dataclass(frozen=True)
class SecretsReplica:
    """With a DR mirror: the region and key the primary's secrets are replicated under."""

    region: str
    data_key_arn: pulumi.Input[str]


@dataclass(frozen=True)
class GlobalMember:
    """A global cluster or datastore the primary's store is the source of, for the DR region."""

    # The name it is made under (``<site>-dr-db``, ``<site>-dr-cache``): resource names and AWS
    # identifiers derive from it, so it never changes.
    name: str
    # The URN of the component it was made in before the Site composition (legacy).
    moved_from: str | None = None


@dataclass(frozen=True)
class PrimaryDataPlan:
    config: StackConfig
    # With a DR mirror: the master credential and the cache's AUTH secret are replicated there.
    secrets_replica: SecretsReplica | None = None
    # The tiers sign in with IAM tokens directly (a standby database can be promoted).
    iam_auth: bool = False
    # RDS after a failover: the promoted DR instance's ARN, which this region's instances
    # replicate (see DatabaseArgs.replicate_from).
    replicate_from: pulumi.Input[str] | None = None
    # Aurora as a global database member: no automatic minor upgrades.
    auto_minor_version_upgrade: bool = True
    global_write_forwarding: bool | None = None
    # Aurora with a standby database: the global cluster made from this region's cluster.
    global_database: GlobalMember | None = None
    # A standby cache in a global datastore: the datastore made from this region's group.
    global_datastore: GlobalMember | None = None
    # The URN of the component the data tier's resources were children of (legacy).
    moved_from: str | None = None

    @property
    def uses_proxy(self) -> bool:
        return self.config.database.proxy

    def build(
        self, name: str, placement: DataPlacement, opts: pulumi.ResourceOptions
    ) -> PrimaryData:
        return PrimaryData(name, self, placement, opts)


class PrimaryData(DataTier):
    """The writer region's database (with an optional proxy) and cache."""

    credential: MasterCredential | None
    database: AuroraCluster | RdsInstance
    proxy: DatabaseProxy | None
    cache: Cache
    global_cluster: aws.rds.GlobalCluster | None
    global_datastore: aws.elasticache.GlobalReplicationGroup | None

    def __init__(
        self,
        name: str,
        plan: PrimaryDataPlan,
        placement: DataPlacement,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webstack:data:PrimaryData", name, None, opts)
        config = plan.config
        network, security, keys = placement.network, placement.security, placement.keys

        def moved(
            type_: str, resource_name: str, moved_from: str | None = plan.moved_from
        ) -> pulumi.ResourceOptions:
            return legacy.moved_child(self, moved_from, type_, resource_name)

        master_password: pulumi.Output[str] | None = None
        master_secret_arn: pulumi.Output[str] | None = None
        self.credential = None
        if plan.secrets_replica is not None:
            # RDS-managed master secrets are refused on global database members and
            # cross-Region replicas: the credential is generated and replicated instead.
            self.credential = MasterCredential(
                f"{name}-db",
                MasterCredentialArgs(
                    username=config.database.master_username,
                    engine=config.database.engine.value,
                    kms_key_arn=keys.data.arn,
                    dr_region=plan.secrets_replica.region,
                    dr_kms_key_arn=plan.secrets_replica.data_key_arn,
                    protect=config.protect_data,
                ),
                moved(legacy.CREDENTIAL, f"{name}-db"),
            )
            master_password = self.credential.password
            master_secret_arn = self.credential.secret_arn
        database_args = DatabaseArgs(
            config=config.database,
            subnet_ids=[s.id for s in network.data_subnets],
            availability_zones=network.availability_zones,
            security_group_id=security.database.id,
            kms_key_arn=keys.data.arn,
            logs_key_arn=keys.logs.arn,
            protect=config.protect_data,
            master_password=master_password,
            master_secret_arn=master_secret_arn,
            replicate_from=plan.replicate_from,
            auto_minor_version_upgrade=plan.auto_minor_version_upgrade,
            global_write_forwarding=plan.global_write_forwarding,
        )
        engine = AuroraCluster if config.database.engine.is_aurora else RdsInstance
        self.database = engine(name, database_args, moved(legacy.DATABASE, name))
        serves = self.database.serves

        self.proxy = self._proxy(name, plan, placement) if config.database.proxy else None
        self.global_cluster = None
        member = plan.global_database
        if member is not None:
            if not isinstance(self.database, AuroraCluster):
                raise ValueError("a global database is made from an Aurora cluster")
            self.global_cluster = aurora_global_cluster(
                member.name,
                self.database.cluster,
                config.protect_data,
                moved(legacy.GLOBAL_CLUSTER, f"{member.name}-global", member.moved_from),
            )
        replica = plan.secrets_replica
        self.cache = Cache(
            name,
            CacheArgs(
                config=config.cache,
                subnet_ids=[s.id for s in network.data_subnets],
                security_group_id=security.cache.id,
                kms_key_arn=keys.data.arn,
                logs_key_arn=keys.logs.arn,
                protect=config.protect_data,
                replica_region=replica.region if replica is not None else None,
                replica_kms_key_arn=replica.data_key_arn if replica is not None else None,
            ),
            moved(legacy.CACHE, name),
        )

        # With an RDS Proxy the security groups admit only the proxy, and it requires IAM auth:
        # the tiers connect to it (writer and reader alike) with IAM auth tokens. With a DR
        # mirror the tiers sign in with IAM tokens directly (see docs/disaster-recovery.md).
        iam_target: pulumi.Input[str] | None = None
        iam_user: str | None = None
        if self.proxy is not None:
            iam_target, iam_user = self.proxy.proxy.arn, config.database.master_username
        elif plan.iam_auth:
            iam_target, iam_user = iam_auth_target(serves.resource_id), IAM_DATABASE_USER
        self.database_endpoints = DatabaseEndpoints(
            engine=config.database.engine.family.pdo_driver,
            writer_endpoint=self.proxy.endpoint if self.proxy else serves.writer_endpoint,
            reader_endpoint=self.proxy.endpoint if self.proxy else serves.reader_endpoint,
            port=serves.port,
            name=config.database.database_name,
            secret_arn=serves.secret_arn,
            proxy_arn=iam_target,
            iam_user=iam_user,
        )
        if self.cache.auth_secret_arn is None or self.cache.replication_group is None:
            raise ValueError("the app needs a Valkey/Redis cache with an AUTH secret")
        self.global_datastore = None
        member = plan.global_datastore
        if member is not None:
            self.global_datastore = elasticache_global_datastore(
                member.name,
                self.cache.replication_group,
                config.protect_data,
                moved(legacy.GLOBAL_REPLICATION_GROUP, f"{member.name}-global", member.moved_from),
            )
        self.cache_endpoints = CacheEndpoints(
            primary_endpoint=self.cache.primary_endpoint,
            port=self.cache.port,
            auth_secret_arn=self.cache.auth_secret_arn,
        )
        self.description = DataDescription(
            database=_describe_database(config, self.database),
            cache_replication_group_id=self.cache.replication_group.replication_group_id,
        )
        self.register_outputs({"database": serves.writer_endpoint, "cache": self.cache.port})

    def _proxy(self, name: str, plan: PrimaryDataPlan, placement: DataPlacement) -> DatabaseProxy:
        config, network, security, keys = (
            plan.config,
            placement.network,
            placement.security,
            placement.keys,
        )
        serves = self.database.serves
        if security.database_proxy is None:  # pragma: no cover - SecurityGroups makes it
            raise ValueError("an RDS Proxy needs its security group")
        aurora = self.database if isinstance(self.database, AuroraCluster) else None
        rds = self.database if isinstance(self.database, RdsInstance) else None
        return DatabaseProxy(
            name,
            DatabaseProxyArgs(
                config=config.database,
                database_identifier=self.database.identifier,
                secret_arn=serves.secret_arn,
                kms_key_arn=keys.data.arn,
                subnet_ids=[s.id for s in network.app_subnets],
                security_group_id=security.database_proxy.id,
                cluster_identifier=aurora.cluster.cluster_identifier if aurora else None,
                cluster_instances=aurora.instances if aurora else (),
                instance_identifier=rds.instance.identifier if rds else None,
                moved_from=(
                    legacy.child_urn(plan.moved_from, legacy.DATABASE, name)
                    if plan.moved_from is not None
                    else None
                ),
            ),
            pulumi.ResourceOptions(parent=self),
        )


def _describe_database(
    config: StackConfig, database: AuroraCluster | RdsInstance
) -> DatabaseDescription:
    aurora = database if isinstance(database, AuroraCluster) else None
    rds = database if isinstance(database, RdsInstance) else None
    return DatabaseDescription(
        family=_family(config),
        engine=config.database.engine.value,
        cluster_id=aurora.cluster.cluster_identifier if aurora else None,
        cluster_arn=aurora.cluster.arn if aurora else None,
        instance_ids=[i.identifier for i in aurora.instances]
        if aurora
        else [i.identifier for i in (rds.instance, *rds.replicas)]
        if rds
        else [],
        instance_arn=rds.instance.arn if rds else None,
    )


# --- the DR region -------------------------------------------------------------------------------
@dataclass(frozen=True)
class StandbyDataPlan:
    config: StackConfig
    # The primary's finished data tier: what this region replicates.
    primary: PrimaryData
    plan: DrPlan
    # Pilot light before a failover: the region serves nothing, so its regional cache is one
    # small node per AZ pair (IDLE_CACHE_NODE_TYPE); dr.activeRegion there restores the size.
    idle: bool = False
    moved_from: str | None = None

    @property
    def uses_proxy(self) -> bool:
        return False

    def build(
        self, name: str, placement: DataPlacement, opts: pulumi.ResourceOptions
    ) -> StandbyData:
        return StandbyData(name, self, placement, opts)


class StandbyData(DataTier):
    """The DR region's data tier: the primary's database and cache, replicated here."""

    global_database: AuroraSecondaryCluster | None
    replica: CrossRegionReplica | None
    global_datastore: GlobalDatastoreSecondary | None
    cache: Cache | None

    def __init__(
        self,
        name: str,
        plan: StandbyDataPlan,
        placement: DataPlacement,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("webstack:data:StandbyData", name, None, opts)
        primary = plan.primary
        self._moved_from = plan.moved_from
        if primary.credential is None:
            raise ValueError("a standby follows a primary with a replicated master credential")
        self.global_database = self.replica = self.global_datastore = self.cache = None
        data_subnets = [s.id for s in placement.network.data_subnets]
        db_subnet_group = aws.rds.SubnetGroup(
            f"{name}-db",
            name=aws_identifier(name, "db"),
            description=f"Data subnets of {name}",
            subnet_ids=data_subnets,
            tags={"Name": aws_identifier(name, "db")},
            opts=self._moved("aws:rds/subnetGroup:SubnetGroup", f"{name}-db"),
        )
        dr_placement = DrNetworkPlacement(
            region=placement.region,
            provider=placement.provider,
            subnet_group_name=db_subnet_group.name,
            security_group_ids=[placement.security.database.id],
            kms_key_arn=placement.keys.data.arn,
        )
        description = self._database(name, plan, dr_placement)
        cache_group_id = self._cache(name, plan, placement, dr_placement)
        self.description = DataDescription(
            database=description, cache_replication_group_id=cache_group_id
        )
        self.register_outputs(
            {
                "database": self.database_endpoints.writer_endpoint,
                "cache": self.cache_endpoints.primary_endpoint,
            }
        )

    def replica_arn(self) -> pulumi.Output[str]:
        """RDS: the DR instance's ARN (the writer after a failover)."""
        if self.replica is None:
            raise ValueError("an RDS standby has a cross-Region instance")
        return self.replica.replica.arn

    def _moved(self, type_: str, resource_name: str) -> pulumi.ResourceOptions:
        return legacy.moved_child(self, self._moved_from, type_, resource_name)

    def _database(
        self, name: str, plan: StandbyDataPlan, dr_placement: DrNetworkPlacement
    ) -> DatabaseDescription:
        config, primary, strategy = plan.config, plan.primary, plan.plan
        db_config = config.database
        database = primary.database
        if isinstance(database, AuroraCluster):
            if primary.global_cluster is None:
                raise ValueError("an Aurora standby joins the primary's global cluster")
            self.global_database = AuroraSecondaryCluster(
                f"{name}-db",
                AuroraSecondaryClusterArgs(
                    global_cluster=primary.global_cluster,
                    primary_instances=database.instances,
                    engine=db_config.engine.value,
                    engine_version=db_config.version,
                    parameter_group_family=database.parameter_group_family,
                    placement=dr_placement,
                    instance_class=db_config.instance_class,
                    readers=config.dr.secondary_readers,
                    adopt_failover_instance=config.dr_active and config.dr.secondary_readers == 0,
                    write_forwarding=strategy.write_forwarding,
                    port=db_config.port,
                    cluster_parameters=database.cluster_parameters,
                    instance_parameters=database.instance_parameters,
                    backup_retention_days=db_config.backup_retention_days,
                    protect=config.protect_data,
                ),
                self._moved(legacy.AURORA_GLOBAL, f"{name}-db"),
            )
            secondary = self.global_database.secondary
            writer, reader = secondary.endpoint, secondary.reader_endpoint
            resource_id = secondary.cluster_resource_id
            description = DatabaseDescription(
                family=_family(config),
                engine=db_config.engine.value,
                cluster_id=secondary.cluster_identifier,
                cluster_arn=secondary.arn,
                instance_ids=[i.identifier for i in self.global_database.secondary_instances],
                instance_arn=None,
            )
        else:
            self.replica = CrossRegionReplica(
                f"{name}-db",
                CrossRegionReplicaArgs(
                    source_instance=database.instance,
                    engine=db_config.engine.value,
                    parameter_group_family=database.parameter_group_family,
                    placement=dr_placement,
                    instance_class=db_config.instance_class,
                    multi_az=strategy.replica_multi_az,
                    backup_retention_days=db_config.backup_retention_days,
                    max_allocated_storage_gb=db_config.max_allocated_storage_gb,
                    port=db_config.port,
                    parameters=database.instance_parameters,
                    protect=config.protect_data,
                    promoted=config.dr_active,
                ),
                self._moved(legacy.CROSS_REGION_REPLICA, f"{name}-db"),
            )
            instance = self.replica.replica
            writer = reader = instance.address
            resource_id = instance.resource_id
            description = DatabaseDescription(
                family=_family(config),
                engine=db_config.engine.value,
                cluster_id=None,
                cluster_arn=None,
                instance_ids=[instance.identifier],
                instance_arn=instance.arn,
            )
        if primary.credential is None:  # pragma: no cover - checked by the constructor
            raise ValueError("a standby follows a primary with a replicated master credential")
        self.database_endpoints = DatabaseEndpoints(
            engine=db_config.engine.family.pdo_driver,
            writer_endpoint=writer,
            reader_endpoint=reader,
            port=db_config.port,
            name=db_config.database_name,
            secret_arn=primary.credential.replica_secret_arn,
            proxy_arn=iam_auth_target(resource_id),
            iam_user=IAM_DATABASE_USER,
        )

        return description

    def _cache(
        self,
        name: str,
        plan: StandbyDataPlan,
        placement: DataPlacement,
        dr_placement: DrNetworkPlacement,
    ) -> pulumi.Output[str]:
        config, primary, strategy = plan.config, plan.primary, plan.plan
        data_subnets = [s.id for s in placement.network.data_subnets]
        primary_cache = primary.cache
        auth_secret = primary_cache.auth_secret_arn
        if auth_secret is None or primary_cache.replication_group is None:
            raise ValueError("a standby follows a Valkey/Redis replication group")
        if strategy.cache is CacheMode.GLOBAL_DATASTORE:
            cache_subnet_group = aws.elasticache.SubnetGroup(
                f"{name}-cache",
                name=aws_identifier(name, "cache", max_length=MAX_ELASTICACHE_IDENTIFIER),
                description=f"Data subnets of {name}",
                subnet_ids=data_subnets,
                opts=self._moved("aws:elasticache/subnetGroup:SubnetGroup", f"{name}-cache"),
            )
            if primary.global_datastore is None:
                raise ValueError("a standby cache joins the primary's global datastore")
            self.global_datastore = GlobalDatastoreSecondary(
                f"{name}-cache",
                GlobalDatastoreSecondaryArgs(
                    global_group=primary.global_datastore,
                    engine=config.cache.engine.value,
                    version=config.cache.version,
                    node_type=config.cache.node_type,
                    placement=replace(
                        dr_placement,
                        subnet_group_name=cache_subnet_group.name,
                        security_group_ids=[placement.security.cache.id],
                    ),
                    replicas=config.cache.replicas,
                    port=config.cache.port,
                    auth_token=primary_cache.auth_token,
                    snapshot_retention_days=config.cache.snapshot_retention_days,
                    snapshot_window=config.cache.snapshot_window,
                    protect=config.protect_data,
                ),
                self._moved(legacy.GLOBAL_DATASTORE, f"{name}-cache"),
            )
            group = self.global_datastore.secondary
            region = placement.region
            self.cache_endpoints = CacheEndpoints(
                primary_endpoint=group.primary_endpoint_address,
                port=config.cache.port,
                auth_secret_arn=pulumi.Output.from_input(auth_secret).apply(
                    lambda arn: replica_arn(arn, region)
                ),
            )
            cache_group_id = group.replication_group_id
        else:
            # CacheMode.REGIONAL: the standby runs a cache of its own (the primary's settings).
            # Pilot light: the app keeps its sessions there and turns healthy only with one;
            # sessions start empty after failover. Active-active: both regions write sessions,
            # which a global datastore's read-only secondary could not take; a user moved to the
            # other region signs in again.
            # Named apart from the global datastore's secondary and its subnet group: switching
            # to warm-standby replaces this cache (an existing group cannot join a global
            # datastore), and Pulumi creates the replacement before deleting this one.
            cache_config = config.cache
            if plan.idle:
                # Two nodes (the pack's Multi-AZ rule, and the tiers turn healthy only with a
                # cache), the smallest Graviton size: about $47/month instead of the primary's.
                cache_config = cache_config.model_copy(
                    update={"node_type": IDLE_CACHE_NODE_TYPE, "replicas": 1}
                )
            self.cache = Cache(
                f"{name}-regional",
                CacheArgs(
                    config=cache_config,
                    subnet_ids=data_subnets,
                    security_group_id=placement.security.cache.id,
                    kms_key_arn=placement.keys.data.arn,
                    logs_key_arn=placement.keys.logs.arn,
                    protect=config.protect_data,
                ),
                self._moved(legacy.CACHE, f"{name}-regional"),
            )
            if self.cache.auth_secret_arn is None or self.cache.replication_group is None:
                raise ValueError("the standby cache has no AUTH secret")  # pragma: no cover
            self.cache_endpoints = CacheEndpoints(
                primary_endpoint=self.cache.primary_endpoint,
                port=self.cache.port,
                auth_secret_arn=self.cache.auth_secret_arn,
            )
            cache_group_id = self.cache.replication_group.replication_group_id
        return cache_group_id
