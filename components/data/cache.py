"""The cache: a Valkey/Redis replication group, or a Memcached cluster.

Valkey/Redis: one primary and ``replicas`` replicas, failing over automatically across AZs,
encrypted at rest with the data key and in transit (TLS required), clients authenticated with a
generated AUTH token kept in Secrets Manager, daily snapshots and slow-log delivery to an
encrypted log group. Memcached: nodes spread across AZs with TLS, but no replication and no
persistence, which the program says out loud.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.config.models import CacheConfig
from components.config.values import CacheEngine
from components.foundation.logs import CACHE_SLOW_LOG_RETENTION_DAYS, encrypted_log_group
from components.naming import (
    MAX_ELASTICACHE_IDENTIFIER,
    aws_identifier,
    final_snapshot_identifier,
    log_group_name,
)

AUTH_TOKEN_LENGTH = 64


@dataclass(frozen=True)
class CacheArgs:
    config: CacheConfig
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    protect: bool = False
    log_retention_days: int = CACHE_SLOW_LOG_RETENTION_DAYS
    # With a DR mirror, the AUTH secret is replicated to the DR region under the DR data key:
    # the standby's tiers read the same token there (the global datastore shares it).
    replica_region: str | None = None
    replica_kms_key_arn: pulumi.Input[str] | None = None


class Cache(pulumi.ComponentResource):
    """ElastiCache for sessions and hot data, reachable only from the tiers that use it."""

    identifier: str
    subnet_group: aws.elasticache.SubnetGroup
    replication_group: aws.elasticache.ReplicationGroup | None
    cluster: aws.elasticache.Cluster | None
    auth_secret: aws.secretsmanager.Secret | None
    slow_log_group: aws.cloudwatch.LogGroup | None
    primary_endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    auth_secret_arn: pulumi.Output[str] | None
    # The AUTH token (a secret output): a global datastore's secondary group takes the same.
    auth_token: pulumi.Output[str] | None

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("webstack:cache:Cache", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        self.identifier = aws_identifier(name, "cache", max_length=MAX_ELASTICACHE_IDENTIFIER)

        # Named: a cache cannot move to another subnet group without being replaced.
        self.subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-cache",
            name=self.identifier,
            description=f"Data subnets of {name}",
            subnet_ids=list(args.subnet_ids),
            opts=child,
        )
        self.replication_group = None
        self.cluster = None
        self.auth_secret = None
        self.slow_log_group = None
        self.auth_secret_arn = None
        self.auth_token = None

        if config.engine is CacheEngine.MEMCACHED:
            self._memcached(name, args)
        else:
            self._replication_group(name, args)

        self.register_outputs(
            {
                "primary_endpoint": self.primary_endpoint,
                "reader_endpoint": self.reader_endpoint,
                "port": self.port,
                "auth_secret_arn": self.auth_secret_arn,
            }
        )

    def _replication_group(self, name: str, args: CacheArgs) -> None:
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        nodes = 1 + config.replicas

        # ElastiCache tokens: 16-128 printable characters without @, " or /; letters and digits
        # only keeps them safe in URLs and shells too.
        token = random.RandomPassword(
            f"{name}-cache-auth", length=AUTH_TOKEN_LENGTH, special=False, opts=child
        )
        self.auth_secret = aws.secretsmanager.Secret(
            f"{name}-cache-auth",
            description=f"AUTH token of the {name} cache ({config.engine.value})",
            kms_key_id=args.kms_key_arn,
            replicas=(
                [
                    aws.secretsmanager.SecretReplicaArgs(
                        region=args.replica_region, kms_key_id=args.replica_kms_key_arn
                    )
                ]
                if args.replica_region is not None
                else None
            ),
            tags={"Name": f"{name}-cache-auth"},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-cache-auth",
            secret_id=self.auth_secret.id,
            secret_string=token.result,
            opts=child,
        )
        self.auth_secret_arn = self.auth_secret.arn
        self.auth_token = pulumi.Output.secret(token.result)

        self.slow_log_group = encrypted_log_group(
            f"{name}-cache-slow-log",
            log_group_name=log_group_name(name, "cache", "slow-log"),
            kms_key_arn=args.logs_key_arn,
            retention_days=args.log_retention_days,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        # A group of our own (the default ones cannot be changed), so tuning a parameter later
        # is an in-place change rather than a swap of groups.
        parameter_group = aws.elasticache.ParameterGroup(
            f"{name}-cache",
            family=config.parameter_group_family,
            description=f"{name}: {config.engine.value} settings",
            opts=child,
        )

        highly_available = nodes >= 2
        group = aws.elasticache.ReplicationGroup(
            f"{name}-cache",
            replication_group_id=self.identifier,
            description=f"{name} cache ({config.engine.value})",
            engine=config.engine.value,
            engine_version=config.version,
            node_type=config.node_type,
            num_cache_clusters=nodes,
            cluster_mode="disabled",
            port=config.port,
            parameter_group_name=parameter_group.name,
            subnet_group_name=self.subnet_group.name,
            security_group_ids=[args.security_group_id],
            automatic_failover_enabled=highly_available,
            multi_az_enabled=highly_available,
            at_rest_encryption_enabled=True,
            kms_key_id=args.kms_key_arn,
            # Set on day one: turning TLS on later goes through "preferred" or replaces the
            # group (see the docs/architecture.md, "Data tier").
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token.result,
            auth_token_update_strategy="ROTATE",
            auto_minor_version_upgrade=True,
            snapshot_retention_limit=config.snapshot_retention_days,
            snapshot_window=config.snapshot_window,
            maintenance_window=config.maintenance_window,
            final_snapshot_identifier=final_snapshot_identifier(
                f"{name}-cache", self.identifier, child
            ),
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=self.slow_log_group.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type="slow-log",
                )
            ],
            tags={"Name": self.identifier},
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, additional_secret_outputs=["authToken"]
            ),
        )
        self.replication_group = group
        self.primary_endpoint = group.primary_endpoint_address
        self.reader_endpoint = group.reader_endpoint_address
        self.port = group.port.apply(lambda p: int(p) if p is not None else config.port)

    def _memcached(self, name: str, args: CacheArgs) -> None:
        config = args.config
        pulumi.log.warn(
            f"{name}: the cache engine is memcached, which has no replication and no "
            "persistence: losing a node loses its keys, and the cache is not highly available. "
            "Use valkey (the default) for sessions or anything that must survive a failure.",
            resource=self,
        )
        cluster = aws.elasticache.Cluster(
            f"{name}-cache",
            cluster_id=self.identifier,
            engine="memcached",
            engine_version=config.version,
            node_type=config.node_type,
            num_cache_nodes=config.nodes,
            az_mode="cross-az",
            port=config.port,
            subnet_group_name=self.subnet_group.name,
            security_group_ids=[args.security_group_id],
            transit_encryption_enabled=True,
            maintenance_window=config.maintenance_window,
            tags={"Name": self.identifier},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.cluster = cluster
        self.primary_endpoint = cluster.cluster_address
        self.reader_endpoint = cluster.cluster_address
        self.port = cluster.port.apply(lambda p: int(p) if p is not None else config.port)
