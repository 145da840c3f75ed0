"""The DR building blocks wired to stand-ins for what the primary stack and the DR mirror provide.

Stand-ins (keys, buckets, the primary database and cache, the DR subnet group) are plain
resources at the top level; the blocks under test are the components. Explicit providers for both
regions, as the program builds them (the real program uses components.providers.aws_provider).
"""

import pulumi
import pulumi_aws as aws

from components.config.dr_objectives import TrafficMode
from components.data.credentials import MasterCredential, MasterCredentialArgs
from components.dr.backup import Backup, BackupArgs
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
from components.dr.replication import ReplicatedBucket, Replication, ReplicationArgs
from components.edge.failover_dns import FailoverDns, FailoverDnsArgs, RegionEndpoint

PRIMARY, DR = "us-east-1", "us-west-2"
config = pulumi.Config("webstack")
family = config.get("family") or "aurora"
routing = TrafficMode(config.get("routing") or "failover")
readers = config.get_int("readers")
readers = 1 if readers is None else readers
write_forwarding = config.get_bool("writeForwarding") or False
bidirectional = config.get_bool("bidirectional") or False
protect = config.get_bool("protect") or False
engine = "aurora-postgresql" if family == "aurora" else "postgres"
engine_version = config.get("engineVersion") or "16.4"

primary = aws.Provider(f"aws-{PRIMARY}", region=PRIMARY)
dr = aws.Provider(f"aws-{DR}", region=DR)
on_primary = pulumi.ResourceOptions(provider=primary)
on_dr = pulumi.ResourceOptions(provider=dr)


def key(region_name: str, purpose: str, opts: pulumi.ResourceOptions) -> aws.kms.Key:
    return aws.kms.Key(f"site-{region_name}-{purpose}", enable_key_rotation=True, opts=opts)


data_key, backups_key = key(PRIMARY, "data", on_primary), key(PRIMARY, "backups", on_primary)
dr_data_key, dr_backups_key = key(DR, "data", on_dr), key(DR, "backups", on_dr)

# --- stand-ins for the primary data tier and the DR network --------------------------------
credential = MasterCredential(
    "site-db",
    MasterCredentialArgs(
        username="webstack",
        engine=engine,
        kms_key_arn=data_key.arn,
        dr_region=DR,
        dr_kms_key_arn=dr_data_key.arn,
        protect=protect,
    ),
    on_primary,
)
dr_subnet_group = aws.rds.SubnetGroup(
    "site-dr-db", name="site-dr-db", subnet_ids=["subnet-dr-a", "subnet-dr-b"], opts=on_dr
)
placement = DrNetworkPlacement(
    region=DR,
    provider=dr,
    subnet_group_name=dr_subnet_group.name,
    security_group_ids=["sg-dr-database"],
    kms_key_arn=dr_data_key.arn,
)

if family == "aurora":
    primary_cluster = aws.rds.Cluster(
        "site-db",
        cluster_identifier="site-db",
        engine=engine,
        engine_version=engine_version,
        database_name="app",
        master_username="webstack",
        master_password=credential.password,
        storage_encrypted=True,
        kms_key_id=data_key.arn,
        opts=pulumi.ResourceOptions(provider=primary, ignore_changes=["globalClusterIdentifier"]),
    )
    primary_instance = aws.rds.ClusterInstance(
        "site-db-1",
        identifier="site-db-1",
        cluster_identifier=primary_cluster.id,
        engine=engine,
        instance_class="db.r6g.large",
        opts=on_primary,
    )
    # The primary's data tier makes the global cluster (PrimaryData); the block is the secondary.
    global_cluster = aurora_global_cluster("site-db", primary_cluster, protect, on_primary)
    database = AuroraSecondaryCluster(
        "site-db",
        AuroraSecondaryClusterArgs(
            global_cluster=global_cluster,
            primary_instances=[primary_instance],
            engine=engine,
            engine_version=engine_version,
            parameter_group_family="aurora-postgresql16",
            placement=placement,
            instance_class="db.r6g.large",
            readers=readers,
            write_forwarding=write_forwarding,
            cluster_parameters={"rds.force_ssl": "1"},
            instance_parameters={"log_min_duration_statement": "1000"},
            protect=protect,
        ),
        on_primary,
    )
    protected_arns = [primary_cluster.arn]
else:
    primary_db = aws.rds.Instance(
        "site-db",
        identifier="site-db",
        engine=engine,
        engine_version=engine_version,
        instance_class="db.m7g.large",
        allocated_storage=20,
        username="webstack",
        password=credential.password,
        storage_encrypted=True,
        kms_key_id=data_key.arn,
        multi_az=True,
        backup_retention_period=7,
        opts=on_primary,
    )
    CrossRegionReplica(
        "site-db",
        CrossRegionReplicaArgs(
            source_instance=primary_db,
            engine=engine,
            parameter_group_family="postgres16",
            placement=placement,
            instance_class="db.m7g.large",
            multi_az=True,
            parameters={"rds.force_ssl": "1"},
            protect=protect,
        ),
        on_primary,
    )
    protected_arns = [primary_db.arn]

cache = aws.elasticache.ReplicationGroup(
    "site-cache",
    replication_group_id="site-cache",
    description="stand-in primary cache",
    engine="valkey",
    engine_version="8.0",
    node_type="cache.r7g.large",
    num_cache_clusters=2,
    at_rest_encryption_enabled=True,
    transit_encryption_enabled=True,
    opts=on_primary,
)
GlobalDatastoreSecondary(
    "site-cache",
    GlobalDatastoreSecondaryArgs(
        global_group=elasticache_global_datastore("site-cache", cache, protect, on_primary),
        engine="valkey",
        version="8.0",
        node_type="cache.r7g.large",
        placement=DrNetworkPlacement(
            region=DR,
            provider=dr,
            subnet_group_name="site-dr-cache",
            security_group_ids=["sg-dr-cache"],
            kms_key_arn=dr_data_key.arn,
        ),
        replicas=1,
        protect=protect,
    ),
    on_primary,
)


# --- uploads in both regions ---------------------------------------------------------------
def bucket(
    name: str, opts: pulumi.ResourceOptions
) -> tuple[aws.s3.Bucket, aws.s3.BucketVersioning]:
    created = aws.s3.Bucket(name, opts=opts)
    versioning = aws.s3.BucketVersioning(
        name,
        bucket=created.id,
        versioning_configuration={"status": "Enabled"},
        opts=opts,
    )
    return created, versioning


uploads, uploads_versioning = bucket("site-uploads", on_primary)
dr_uploads, dr_uploads_versioning = bucket("site-dr-uploads", on_dr)
Replication(
    "site-uploads",
    ReplicationArgs(
        source=ReplicatedBucket(PRIMARY, uploads, uploads_versioning, data_key.arn, primary),
        destination=ReplicatedBucket(DR, dr_uploads, dr_uploads_versioning, dr_data_key.arn, dr),
        bidirectional=bidirectional,
    ),
    on_primary,
)

Backup(
    "site-backup",
    BackupArgs(
        region=PRIMARY,
        dr_region=DR,
        dr_provider=dr,
        kms_key_arn=backups_key.arn,
        dr_kms_key_arn=dr_backups_key.arn,
        resource_arns=protected_arns,
        protect=protect,
    ),
    on_primary,
)

# --- traffic -------------------------------------------------------------------------------
albs = {
    region: aws.lb.LoadBalancer(f"site-{region}-alb", load_balancer_type="application", opts=opts)
    for region, opts in ((PRIMARY, on_primary), (DR, on_dr))
}
FailoverDns(
    "site-dns",
    FailoverDnsArgs(
        zone_id="Z0EXAMPLE",
        record_name="www.example.com",
        routing=routing,
        primary=RegionEndpoint(
            PRIMARY,
            f"origin-{PRIMARY}.www.example.com",
            albs[PRIMARY].dns_name,
            albs[PRIMARY].zone_id,
        ),
        secondary=RegionEndpoint(
            DR, f"origin-{DR}.www.example.com", albs[DR].dns_name, albs[DR].zone_id
        ),
        switch_region=DR,
        switch_provider=dr,
    ),
    on_primary,
)
