"""DisasterRecovery: the DR mirror of the site in ``dr.region``, as ``dr.strategy`` plans it.

One composition, two regions: the mirror is the same ``WebStack`` class in a standby role (its
data tier follows the primary's: Aurora global database secondary, cross-Region RDS replica,
ElastiCache global datastore) plus S3 replication, AWS Backup and Route 53 failover, all children
of this component, so the preview tree shows the primary WebStack and the mirror side by side.
Every DR-region resource goes through the DR provider the component is given (built by
``components.providers.aws_provider``); what is managed from the primary region (the global
cluster and datastore, the backup plan and primary vault, replication configurations on the
primary bucket, Route 53) goes through the primary provider, explicitly.

It is built in three steps, because the primary and the mirror need each other:
1. the constructor makes the DR region's foundation (Auto Scaling service-linked role and keys):
   the primary's master credential and cache secret replicate under the DR data key;
2. ``build(primary)``, called by the primary WebStack between its compute and its CDN, makes the
   standby, replication and backup, and returns the DR ALB and files bucket as CloudFront's
   origins (an S3 origin group for the read-only file paths; the DR ALB for every method once
   ``dr.activeRegion`` names the DR region);
3. ``finish(primary)`` makes the Route 53 failover/latency records (they name the primary's
   distribution) and registers the outputs operators act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from components.config.dr_objectives import (
    DatabaseFamily,
    DatabaseMode,
    S3Replication,
    StandbySize,
    TrafficMode,
    objectives,
    plan,
)
from components.config.models import StackConfig
from components.config.values import NatGateways
from components.data.storage import Storage, StorageArgs
from components.dr.backup import Backup, BackupArgs
from components.dr.replication import ReplicatedBucket, Replication, ReplicationArgs
from components.edge.cdn import FailoverOrigins
from components.edge.failover_dns import FailoverDns, FailoverDnsArgs, RegionEndpoint
from components.stack import (
    RegionalFoundation,
    StandbyOf,
    WebStack,
    WebStackArgs,
    regional_foundation,
    uploads_bucket_policy,
)


@dataclass(frozen=True)
class DisasterRecoveryArgs:
    config: StackConfig
    # The primary WebStack's name: the mirror's names derive from it (``<site>-dr``).
    site_name: str
    # The DR region's provider is the component's own (``opts.provider``); this is the
    # primary region's, for what is managed from there.
    primary_provider: pulumi.ProviderResource
    edge_provider: pulumi.ProviderResource | None = None


def no_dr_outputs() -> dict[str, Any]:
    """The ``dr`` output of a stack without DR (the outputs contract, ``ops/outputs.py``)."""
    return {
        "strategy": "none",
        "region": None,
        "activeRegion": None,
        "rto": None,
        "rpo": None,
        "uploadsRpo": None,
        "standby": None,
        "database": None,
        "cache": None,
        "failoverCapacity": None,
        "dns": None,
        "backup": None,
        "replication": None,
    }


class DisasterRecovery(pulumi.ComponentResource):
    """The DR region's mirror of a WebStack, built as ``dr.strategy`` plans."""

    foundation: RegionalFoundation
    standby: WebStack | None
    storage: Storage | None  # backup-restore: the DR uploads bucket (a standby has its own)
    replication: Replication | None
    backup: Backup | None
    dns: FailoverDns | None
    outputs: pulumi.Output[dict[str, Any]]

    def __init__(
        self, name: str, args: DisasterRecoveryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:disaster_recovery:DisasterRecovery", name, None, opts)
        config = args.config
        if not config.dr.enabled:
            raise ValueError("DisasterRecovery needs a dr.strategy other than none")
        if opts is None or opts.provider is None:
            raise ValueError("DisasterRecovery needs the DR region's provider (opts.provider)")
        self._args = args
        self._provider: pulumi.ProviderResource = opts.provider
        self.plan = plan(config.dr.strategy)
        self._name = f"{args.site_name}-dr"
        self.standby = self.storage = self.replication = self.backup = self.dns = None
        self._resolve_distribution_arn: Callable[[pulumi.Output[str]], None] | None = None
        self.foundation = regional_foundation(
            self._name, config.dr.region, config.protect_data, self
        )
        # RDS after a failover: the primary's instances replicate the promoted DR instance, made
        # after them (in build); resolved there.
        self._writer_arn: pulumi.Output[str] | None = None
        self._resolve_writer_arn: Callable[[pulumi.Output[str]], None] | None = None
        if (
            config.dr_active
            and not config.database.engine.is_aurora
            and self.plan.database is DatabaseMode.SECONDARY
        ):
            self._writer_arn, self._resolve_writer_arn = pulumi.deferred_output()

    # --- what the primary WebStack reads (components.stack.Mirror) ---------------------------
    @property
    def region(self) -> str:
        return self._args.config.dr.region

    @property
    def data_key_arn(self) -> pulumi.Output[str]:
        return self.foundation.keys.data.arn

    @property
    def iam_auth(self) -> bool:
        """The tiers sign in with IAM tokens once a standby database can be promoted."""
        return self.plan.database is DatabaseMode.SECONDARY

    @property
    def aurora_global(self) -> bool:
        config = self._args.config
        return config.database.engine.is_aurora and self.plan.database is DatabaseMode.SECONDARY

    @property
    def writer_arn(self) -> pulumi.Output[str] | None:
        return self._writer_arn

    @property
    def global_write_forwarding(self) -> bool | None:
        config = self._args.config
        if self.aurora_global and config.dr_active and self.plan.write_forwarding:
            return True
        return None

    def build(self, primary: WebStack) -> FailoverOrigins | None:
        config = self._args.config
        plan_ = self.plan
        on_primary = pulumi.ResourceOptions(parent=self, provider=self._args.primary_provider)
        child = pulumi.ResourceOptions(parent=self)
        # The DR files bucket is an origin of the primary's distribution (read-only behaviours):
        # its policy names the distribution, made after this; resolved in finish().
        cdn_reads_dr = plan_.origin_group and primary.cdn_enabled
        distribution_arn: pulumi.Output[str] | None = None
        if cdn_reads_dr:
            distribution_arn, self._resolve_distribution_arn = pulumi.deferred_output()
        # Pilot light keeps data live and services idle: until the DR region holds the writer
        # (dr.activeRegion), one NAT gateway instead of one per AZ and a small regional cache.
        # The failover's `pulumi up` (activeRegion set) restores both; the RTO does not wait for
        # it (one NAT carries the failover traffic meanwhile).
        idle = plan_.standby_size is StandbySize.ZERO and not config.dr_active
        network_update: dict[str, Any] = {"cidr": config.dr.cidr}
        if idle:
            network_update["nat_gateways"] = NatGateways.SINGLE
        if plan_.foundation:
            self.standby = WebStack(
                self._name,
                WebStackArgs(
                    config=config,
                    region=config.dr.region,
                    network=config.network.model_copy(update=network_update),
                    edge_provider=self._args.edge_provider,
                    standby=StandbyOf(
                        primary=primary,
                        plan=plan_,
                        primary_provider=self._args.primary_provider,
                        foundation=self.foundation,
                        load_balancer_prefix=self._args.site_name,
                        cdn_distribution_arn=distribution_arn,
                        idle=idle,
                    ),
                ),
                pulumi.ResourceOptions(parent=self, provider=self._provider),
            )
            dr_storage = self.standby.storage
            if self._resolve_writer_arn is not None:
                if self.standby.replica is None:  # pragma: no cover - RDS builds a replica
                    raise ValueError("an RDS standby has a cross-Region instance")
                self._resolve_writer_arn(self.standby.replica.replica.arn)
                self._resolve_writer_arn = None
        else:
            # Backup and restore: no standby, but the uploads still need a bucket there.
            self.storage = Storage(
                self._name,
                StorageArgs(
                    region=config.dr.region,
                    data_key_arn=self.foundation.keys.data.arn,
                    protect=config.protect_data,
                ),
                child,
            )
            uploads_bucket_policy(self._name, self.storage, None)
            dr_storage = self.storage

        if plan_.s3_replication is not S3Replication.NONE:
            self.replication = Replication(
                f"{self._args.site_name}-uploads",
                ReplicationArgs(
                    source=ReplicatedBucket(
                        primary.region,
                        primary.storage.uploads_bucket,
                        primary.storage.uploads_versioning,
                        primary.storage.data_key_arn,
                        self._args.primary_provider,
                    ),
                    destination=ReplicatedBucket(
                        config.dr.region,
                        dr_storage.uploads_bucket,
                        dr_storage.uploads_versioning,
                        dr_storage.data_key_arn,
                        self._provider,
                    ),
                    bidirectional=plan_.s3_replication is S3Replication.TWO_WAY,
                    time_control=plan_.s3_time_control,
                ),
                on_primary,
            )

        if plan_.backup:
            database = primary.database
            if database is None:  # pragma: no cover - a primary always has one
                raise ValueError("backup-restore backs up the primary's database")
            resource = database.cluster.arn if database.cluster else None
            if resource is None and database.instance is not None:
                resource = database.instance.arn
            if resource is None:  # pragma: no cover
                raise ValueError("the primary database has neither a cluster nor an instance")
            self.backup = Backup(
                f"{self._args.site_name}-backup",
                BackupArgs(
                    region=primary.region,
                    dr_region=config.dr.region,
                    dr_provider=self._provider,
                    kms_key_arn=primary.keys.backups.arn,
                    dr_kms_key_arn=self.foundation.keys.backups.arn,
                    resource_arns=[resource],
                    # The database's snapshots inherit its key (not the vault's).
                    source_kms_key_arns=[primary.keys.data.arn],
                    protect=config.protect_data,
                ),
                on_primary,
            )

        if cdn_reads_dr and self.standby is not None:
            return FailoverOrigins(
                alb=self.standby.failover_origin(),
                files_bucket_regional_domain_name=(
                    self.standby.storage.uploads_bucket.bucket_regional_domain_name
                ),
                # CloudFront's writes follow the writer (dr.activeRegion).
                active=config.dr_active,
            )
        return None

    def finish(self, primary: WebStack) -> None:
        """Route 53 across the regions, then the outputs operators act on."""
        config = self._args.config
        domain = primary.certificates
        standby = self.standby
        if self._resolve_distribution_arn is not None:
            if primary.cdn is None:  # pragma: no cover - cdn_reads_dr needs the primary's CDN
                raise ValueError("the DR files bucket waits for the primary's distribution")
            self._resolve_distribution_arn(primary.cdn.distribution.arn)
            self._resolve_distribution_arn = None
        if (
            self.plan.traffic is not TrafficMode.NONE
            and config.domain is not None
            and domain is not None
            and standby is not None
        ):
            primary_endpoint = (
                RegionEndpoint(
                    primary.region,
                    # Route 53's checkers cannot reach an ALB that admits only CloudFront: the
                    # primary is checked through its distribution (HTTPS checks do not
                    # validate the certificate, so the distribution's own name will do).
                    health_check_fqdn=primary.cdn.distribution.domain_name,
                    alias_name=primary.cdn.distribution.domain_name,
                    alias_zone_id=primary.cdn.distribution.hosted_zone_id,
                    evaluate_target_health=False,
                )
                if primary.cdn is not None
                else RegionEndpoint(
                    primary.region,
                    health_check_fqdn=primary.load_balancer.alb.dns_name,
                    alias_name=primary.load_balancer.alb.dns_name,
                    alias_zone_id=primary.load_balancer.alb.zone_id,
                )
            )
            self.dns = FailoverDns(
                f"{self._args.site_name}-site",
                FailoverDnsArgs(
                    zone_id=domain.zone_id,
                    record_name=config.domain.fqdn,
                    routing=self.plan.traffic,
                    primary=primary_endpoint,
                    secondary=RegionEndpoint(
                        config.dr.region,
                        health_check_fqdn=standby.load_balancer.alb.dns_name,
                        alias_name=standby.load_balancer.alb.dns_name,
                        alias_zone_id=standby.load_balancer.alb.zone_id,
                    ),
                    switch_region=config.dr.region,
                    switch_provider=self._provider,
                    # The site's simple A record (DnsRecords, without a mirror) becomes the
                    # PRIMARY record.
                    replaces=(
                        pulumi.Alias(name=f"{self._args.site_name}-site-a", parent=primary.dns)
                        if primary.dns is not None
                        else None
                    ),
                ),
                pulumi.ResourceOptions(parent=self, provider=self._args.primary_provider),
            )
        if self.replication is not None:
            topics = {primary.region: primary.monitoring.topic.arn}
            if standby is not None:
                topics[config.dr.region] = standby.monitoring.topic.arn
            self.replication.latency_alarms(topics)
        self.outputs = self._outputs(primary)
        self.register_outputs({"dr": self.outputs})

    # --- outputs (ops/outputs.py, ``Dr``) ---------------------------------------------------
    def _outputs(self, primary: WebStack) -> pulumi.Output[dict[str, Any]]:
        config = self._args.config
        family = DatabaseFamily.AURORA if config.database.engine.is_aurora else DatabaseFamily.RDS
        grace = max(
            config.web.health_check_grace_seconds,
            config.app_tier.health_check_grace_seconds if config.app_tier.enabled else 0,
        )
        expected = objectives(
            config.dr.strategy,
            family,
            health_check_grace_seconds=grace,
            headless=family is DatabaseFamily.AURORA and config.dr.secondary_readers == 0,
        )
        standby = self.standby
        database: dict[str, Any] | None = None
        if standby is not None and standby.global_database is not None:
            g = standby.global_database
            cluster = primary.database.cluster if primary.database else None
            database = {
                "family": family.value,
                "globalClusterId": g.global_cluster.global_cluster_identifier,
                "primaryClusterId": cluster.cluster_identifier if cluster else None,
                "secondaryClusterId": g.secondary.cluster_identifier,
                "secondaryClusterArn": g.secondary.arn,
                "primaryInstanceId": None,
                "replicaInstanceId": None,
                "replicaInstanceArn": None,
                "writeForwarding": g.write_forwarding,
                # Headless: the writer the runbook adds on failover (adopted by the program).
                "failoverInstance": (
                    {
                        "identifier": g.failover_instance_identifier,
                        "instanceClass": g.failover_instance_class,
                    }
                    if config.dr.secondary_readers == 0
                    else None
                ),
            }
        elif standby is not None and standby.replica is not None:
            instance = primary.database.instance if primary.database else None
            database = {
                "family": family.value,
                "globalClusterId": None,
                "primaryClusterId": None,
                "secondaryClusterId": None,
                "secondaryClusterArn": None,
                "primaryInstanceId": instance.identifier if instance else None,
                "replicaInstanceId": standby.replica.replica.identifier,
                "replicaInstanceArn": standby.replica.replica.arn,
                "writeForwarding": False,
                "failoverInstance": None,
            }
        cache = None
        if standby is not None and standby.global_datastore is not None:
            primary_group = primary.cache.replication_group if primary.cache else None
            cache = {
                "globalReplicationGroupId": (
                    standby.global_datastore.global_group.global_replication_group_id
                ),
                "primaryReplicationGroupId": (
                    primary_group.replication_group_id if primary_group else None
                ),
                "secondaryReplicationGroupId": (
                    standby.global_datastore.secondary.replication_group_id
                ),
            }
        failover_capacity = None
        if standby is not None and self.plan.standby_size is not StandbySize.NONE:

            def capacity(tier: Any, primary_min: int, primary_max: int) -> Any:
                size = config.dr.failover_capacity or primary_min
                return {
                    "asgName": tier.group.name,
                    "minSize": size,
                    "maxSize": max(primary_max, size),
                    "desiredCapacity": size,
                }

            failover_capacity = {
                "web": capacity(standby.web, config.web.min_size, config.web.max_size),
                "app": (
                    capacity(standby.app, config.app_tier.min_size, config.app_tier.max_size)
                    if standby.app is not None
                    else None
                ),
            }
        dns = None
        if self.dns is not None and config.domain is not None:
            dns = {
                "zoneId": primary.certificates.zone_id if primary.certificates else None,
                "recordName": config.domain.fqdn,
                "routing": self.plan.traffic.value,
                "records": [
                    {
                        "setIdentifier": r.set_identifier,
                        "region": r.region,
                        "failover": r.failover,
                        "healthCheckId": r.health_check.id,
                        "recordHealthCheckId": (
                            r.record_health_check.id if r.record_health_check else None
                        ),
                    }
                    for r in self.dns.records
                ],
                "trafficSwitch": {
                    "region": self.dns.switch.region,
                    "namespace": self.dns.switch.namespace,
                    "metricName": self.dns.switch.metric_name,
                    "dimensions": self.dns.switch.dimensions,
                    "healthCheckId": self.dns.switch.health_check.id,
                },
            }
        backup = None
        if self.backup is not None:
            backup = {
                "planId": self.backup.plan.id,
                "planName": self.backup.plan.name,
                "vaultName": self.backup.vault.name,
                "drVaultName": self.backup.dr_vault.name,
                "drVaultArn": self.backup.dr_vault.arn,
            }
        replication = None
        if self.replication is not None:
            target = standby.storage if standby is not None else self.storage
            replication = {
                "sourceBucket": primary.storage.uploads_bucket.bucket,
                "replicaBucket": target.uploads_bucket.bucket if target else None,
                "ruleIds": list(self.replication.rule_ids),
                "bidirectional": self.plan.s3_replication is S3Replication.TWO_WAY,
                "replicationTimeControl": self.replication.time_control,
            }
        return pulumi.Output.from_input(
            {
                "strategy": config.dr.strategy.value,
                "region": config.dr.region,
                "activeRegion": config.active_region,
                "rto": expected.rto.as_output() if expected else None,
                "rpo": expected.rpo.as_output() if expected else None,
                "uploadsRpo": expected.uploads_rpo.as_output() if expected else None,
                "standby": standby.outputs if standby is not None else None,
                "database": database,
                "cache": cache,
                "failoverCapacity": failover_capacity,
                "dns": dns,
                "backup": backup,
                "replication": replication,
            }
        )
