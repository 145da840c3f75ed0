"""Site: the composition root. The whole site, in one or two regions, from one validated config.

Built in straight order, each step reading only finished components:
1. the DR region's foundation (Auto Scaling role and keys), when a DR strategy is on: the
   primary's master credential and cache secret replicate under its data key;
2. the primary ``RegionalSite`` (its ``PrimaryData``);
3. the standby ``RegionalSite`` (its ``StandbyData`` follows the primary's), when the plan has
   one; backup and restore keeps only an uploads bucket there;
4. the links across regions: S3 replication, AWS Backup;
5. the edge: CloudFront (an origin group on the DR region's files and ALB), the uploads buckets'
   policies (they name the distribution), DNS records, Route 53 failover/latency records;
6. monitoring per region;
7. the outputs contract operators act on (``components.outputs``).

One data flow runs backwards, and it is AWS's: after a failover of an RDS stack the DR instance is
the writer and the primary region's instances replicate it; their source is a deferred output the
standby resolves (``pulumi.deferred_output``).

Providers sit at the stack's root, not under the Site: a provider's URN is part of every
resource's state, and stacks made before the Site existed know them there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import legacy
from components.compute.loadbalancer import LoadBalancer
from components.config.dr_objectives import (
    CacheMode,
    DatabaseMode,
    DrPlan,
    S3Replication,
    StandbySize,
    TrafficMode,
    plan,
)
from components.config.loader import refuse_unbuilt
from components.config.models import StackConfig, TierConfig
from components.config.values import NatGateways
from components.data.storage import Storage, StorageArgs, uploads_policy_statements
from components.data.tier import (
    GlobalMember,
    PrimaryData,
    PrimaryDataPlan,
    SecretsReplica,
    StandbyData,
    StandbyDataPlan,
)
from components.dr.backup import Backup, BackupArgs
from components.dr.replication import ReplicatedBucket, Replication, ReplicationArgs
from components.edge.cdn import Cdn, CdnArgs, FailoverOrigins
from components.edge.dns import AliasTarget, DnsRecords, DnsRecordsArgs
from components.edge.failover_dns import FailoverDns, FailoverDnsArgs, RegionEndpoint
from components.monitoring import Monitoring, MonitoringArgs, ScaledTier
from components.outputs import SiteParts, stack_outputs
from components.policy_documents import document_output
from components.providers import aws_provider
from components.site.regional_site import (
    RegionalFoundation,
    RegionalSite,
    RegionalSiteArgs,
    regional_foundation,
)


@dataclass(frozen=True)
class SiteProviders:
    """Every AWS provider of the stack: the primary region's, us-east-1 for the edge (the
    primary's when it is us-east-1), and the DR region's when a strategy is on."""

    primary: pulumi.ProviderResource
    edge: pulumi.ProviderResource
    dr: pulumi.ProviderResource | None


def site_providers(config: StackConfig) -> SiteProviders:
    # At the stack's root (no parent): see the module docstring.
    primary = aws_provider("primary", config.region, config)
    return SiteProviders(
        primary=primary,
        edge=primary
        if config.region == "us-east-1"
        else aws_provider("edge-us-east-1", "us-east-1", config),
        dr=aws_provider("dr", config.dr.region, config) if config.dr.enabled else None,
    )


@dataclass(frozen=True)
class Region:
    """A finished region of the site, as the edge and monitoring steps read it."""

    name: str
    site: RegionalSite
    provider: pulumi.ProviderResource
    # The URN of the component its pieces were under before the Site (legacy).
    formerly: str


class Site(pulumi.ComponentResource):
    """The site: a primary region, and the DR region's mirror as ``dr.strategy`` plans it."""

    providers: SiteProviders
    plan: DrPlan | None
    primary: RegionalSite
    standby: RegionalSite | None
    # Backup and restore: the DR region's uploads bucket (a standby has its own).
    dr_storage: Storage | None
    replication: Replication | None
    backup: Backup | None
    cdn: Cdn | None
    dns: dict[str, DnsRecords]
    failover_dns: FailoverDns | None
    monitoring: dict[str, Monitoring]
    outputs: dict[str, Any]

    def __init__(self, config: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        # Before anything is registered: a setting the model accepts but nothing builds yet.
        refuse_unbuilt(config)
        self._name = f"{config.project}-{config.stack}"
        super().__init__("webstack:site:Site", self._name, None, opts)
        self._config = config
        self._dr_name = f"{self._name}-dr"
        self._primary_formerly = legacy.urn(legacy.WEB_STACK, name=self._name)
        self._standby_formerly = legacy.urn(
            legacy.DISASTER_RECOVERY, legacy.WEB_STACK, name=self._dr_name
        )
        self.providers = site_providers(config)
        self.plan = plan(config.dr.strategy) if config.dr.enabled else None
        self.standby = self.dr_storage = self.replication = self.backup = None
        self.cdn = self.failover_dns = None

        # 1. The DR region's foundation: the primary's secrets replicate under its data key.
        dr_foundation = self._dr_foundation()
        # 2. The primary region. After a failover of an RDS stack its instances replicate the
        # DR writer, made in step 3: their source is resolved there.
        writer_arn: pulumi.Output[str] | None = None
        resolve_writer_arn: Callable[[pulumi.Output[str]], None] | None = None
        if self._rds_writer_in_dr:
            writer_arn, resolve_writer_arn = pulumi.deferred_output()
        self.primary = self._primary_site(dr_foundation, writer_arn)
        # 3. The DR region: a standby site, or (backup and restore) an uploads bucket.
        dr_uploads: Storage | None = None
        if self.plan is not None and dr_foundation is not None:
            if self.plan.foundation:
                self.standby = self._standby_site(self.plan, dr_foundation)
                dr_uploads = self.standby.storage
            else:
                self.dr_storage = dr_uploads = self._dr_uploads(dr_foundation)
        if resolve_writer_arn is not None:
            resolve_writer_arn(self._standby_data().replica_arn())
        # 4. Links across regions.
        if self.plan is not None and dr_uploads is not None and dr_foundation is not None:
            self._links(self.plan, dr_uploads, dr_foundation)
        # 5. The edge.
        self._edge(dr_uploads)
        # 6. Monitoring per region.
        self.monitoring = {r.site.region: self._monitoring(r) for r in self._regions()}
        if self.replication is not None:
            self.replication.latency_alarms(
                {region: m.topic.arn for region, m in self.monitoring.items()}
            )
        # 7. The outputs contract.
        self.outputs = stack_outputs(
            SiteParts(
                config=config,
                plan=self.plan,
                primary=self.primary,
                standby=self.standby,
                primary_data=self._primary_data(),
                standby_data=self._standby_data() if self.standby is not None else None,
                dr_storage=self.dr_storage,
                replication=self.replication,
                backup=self.backup,
                cdn=self.cdn,
                failover_dns=self.failover_dns,
                monitoring=self.monitoring[config.region],
            )
        )
        self.register_outputs(self.outputs)

    # --- 1-3: the regions -------------------------------------------------------------------
    @property
    def _rds_writer_in_dr(self) -> bool:
        config = self._config
        return (
            self.plan is not None
            and config.dr_active
            and not config.database.engine.is_aurora
            and self.plan.database is DatabaseMode.SECONDARY
        )

    @property
    def _aurora_global(self) -> bool:
        return (
            self.plan is not None
            and self._config.database.engine.is_aurora
            and self.plan.database is DatabaseMode.SECONDARY
        )

    def _dr_foundation(self) -> RegionalFoundation | None:
        config, dr_provider = self._config, self.providers.dr
        if self.plan is None or dr_provider is None:
            return None
        return regional_foundation(
            self._dr_name,
            config.dr.region,
            config.protect_data,
            self,
            aliases=(
                legacy.urn(
                    legacy.DISASTER_RECOVERY,
                    legacy.SERVICE_LINKED_ROLE,
                    name=f"{self._dr_name}-autoscaling",
                ),
                legacy.urn(legacy.DISASTER_RECOVERY, legacy.KEYS, name=self._dr_name),
            ),
            provider=dr_provider,
        )

    def _primary_data_plan(
        self, dr_foundation: RegionalFoundation | None, writer_arn: pulumi.Output[str] | None
    ) -> PrimaryDataPlan:
        config, dr_plan = self._config, self.plan
        with_standby = dr_plan is not None and dr_plan.foundation
        db, cache = f"{self._dr_name}-db", f"{self._dr_name}-cache"
        return PrimaryDataPlan(
            config=config,
            secrets_replica=(
                SecretsReplica(config.dr.region, dr_foundation.keys.data.arn)
                if dr_foundation is not None
                else None
            ),
            iam_auth=dr_plan is not None and dr_plan.database is DatabaseMode.SECONDARY,
            replicate_from=writer_arn,
            auto_minor_version_upgrade=not self._aurora_global,
            global_write_forwarding=(
                True
                if self._aurora_global
                and config.dr_active
                and dr_plan is not None
                and dr_plan.write_forwarding
                else None
            ),
            # Named after the standby's data tier, where they were first made.
            global_database=(
                GlobalMember(db, legacy.child_urn(self._standby_formerly, legacy.AURORA_GLOBAL, db))
                if self._aurora_global and with_standby
                else None
            ),
            global_datastore=(
                GlobalMember(
                    cache, legacy.child_urn(self._standby_formerly, legacy.GLOBAL_DATASTORE, cache)
                )
                if with_standby
                and dr_plan is not None
                and dr_plan.cache is CacheMode.GLOBAL_DATASTORE
                else None
            ),
            moved_from=self._primary_formerly,
        )

    def _primary_site(
        self, dr_foundation: RegionalFoundation | None, writer_arn: pulumi.Output[str] | None
    ) -> RegionalSite:
        config, name = self._config, self._name
        return RegionalSite(
            name,
            RegionalSiteArgs(
                config=config,
                region=config.region,
                network=config.network,
                data=self._primary_data_plan(dr_foundation, writer_arn),
                web=config.web,
                app=config.app_tier,
                web_load_balancer_name=f"{name}-web",
                app_load_balancer_name=f"{name}-app",
                behind_cdn=config.cdn.enabled,
                origin_name=config.cdn.enabled,
                edge_provider=self.providers.edge,
            ),
            pulumi.ResourceOptions(
                parent=self, provider=self.providers.primary, aliases=[self._primary_formerly]
            ),
        )

    def _primary_data(self) -> PrimaryData:
        data = self.primary.data
        if not isinstance(data, PrimaryData):  # pragma: no cover - built from the plan
            raise TypeError("the primary region runs PrimaryData")
        return data

    def _standby_data(self) -> StandbyData:
        data = self.standby.data if self.standby is not None else None
        if not isinstance(data, StandbyData):  # pragma: no cover - built from the plan
            raise TypeError("the DR region runs StandbyData")
        return data

    def _standby_site(self, dr_plan: DrPlan, foundation: RegionalFoundation) -> RegionalSite:
        config, name = self._config, self._name
        # Pilot light keeps data live and services idle: until the DR region holds the writer
        # (dr.activeRegion), one NAT gateway instead of one per AZ and a small regional cache.
        # The failover's `pulumi up` (activeRegion set) restores both; the RTO does not wait for
        # it (one NAT carries the failover traffic meanwhile).
        idle = dr_plan.standby_size is StandbySize.ZERO and not config.dr_active
        network_update: dict[str, Any] = {"cidr": config.dr.cidr}
        if idle:
            network_update["nat_gateways"] = NatGateways.SINGLE
        return RegionalSite(
            self._dr_name,
            RegionalSiteArgs(
                config=config,
                region=config.dr.region,
                network=config.network.model_copy(update=network_update),
                data=StandbyDataPlan(
                    config=config,
                    primary=self._primary_data(),
                    plan=dr_plan,
                    idle=idle,
                    moved_from=self._standby_formerly,
                ),
                web=standby_tier(config.web, dr_plan, config.dr.standby_size),
                app=standby_tier(config.app_tier, dr_plan, config.dr.standby_size),
                # As long as the primary's <name>-web/-app: 32 characters with AWS's suffix.
                web_load_balancer_name=f"{name}-drw",
                app_load_balancer_name=f"{name}-dra",
                # The primary's CloudFront reaches this region's ALB (an origin group): its TLS
                # check needs the origin name on the certificate.
                origin_name=config.cdn.enabled and dr_plan.origin_group,
                site_name_validated_elsewhere=True,
                # Users reach this ALB directly every day (active-active's latency records) or
                # after a failover (dr.activeRegion): the edge's WAF rules on it.
                regional_waf=dr_plan.traffic is TrafficMode.LATENCY
                or (config.dr_active and dr_plan.traffic is not TrafficMode.NONE),
                edge_provider=self.providers.edge,
                foundation=foundation,
            ),
            pulumi.ResourceOptions(
                parent=self, provider=self.providers.dr, aliases=[self._standby_formerly]
            ),
        )

    def _dr_uploads(self, foundation: RegionalFoundation) -> Storage:
        """Backup and restore: no standby, but the uploads still need a bucket there."""
        config = self._config
        return Storage(
            self._dr_name,
            StorageArgs(
                region=config.dr.region,
                data_key_arn=foundation.keys.data.arn,
                protect=config.protect_data,
            ),
            pulumi.ResourceOptions(
                parent=self,
                provider=self.providers.dr,
                aliases=[legacy.urn(legacy.DISASTER_RECOVERY, legacy.STORAGE, name=self._dr_name)],
            ),
        )

    def _regions(self) -> list[Region]:
        regions = [Region(self._name, self.primary, self.providers.primary, self._primary_formerly)]
        if self.standby is not None and self.providers.dr is not None:
            regions.append(
                Region(self._dr_name, self.standby, self.providers.dr, self._standby_formerly)
            )
        return regions

    # --- 4: the links across regions ---------------------------------------------------------
    def _links(
        self, dr_plan: DrPlan, dr_uploads: Storage, dr_foundation: RegionalFoundation
    ) -> None:
        config, name, primary = self._config, self._name, self.primary
        providers = self.providers
        if providers.dr is None:  # pragma: no cover - made with the DR plan
            raise ValueError("links across regions need the DR region's provider")
        if dr_plan.s3_replication is not S3Replication.NONE:
            self.replication = Replication(
                f"{name}-uploads",
                ReplicationArgs(
                    source=ReplicatedBucket(
                        primary.region,
                        primary.storage.uploads_bucket,
                        primary.storage.uploads_versioning,
                        primary.storage.data_key_arn,
                        providers.primary,
                    ),
                    destination=ReplicatedBucket(
                        config.dr.region,
                        dr_uploads.uploads_bucket,
                        dr_uploads.uploads_versioning,
                        dr_uploads.data_key_arn,
                        providers.dr,
                    ),
                    bidirectional=dr_plan.s3_replication is S3Replication.TWO_WAY,
                    time_control=dr_plan.s3_time_control,
                ),
                self._formerly_dr_child(legacy.REPLICATION, f"{name}-uploads", providers.primary),
            )
        if dr_plan.backup:
            self.backup = Backup(
                f"{name}-backup",
                BackupArgs(
                    region=primary.region,
                    dr_region=config.dr.region,
                    dr_provider=providers.dr,
                    kms_key_arn=primary.keys.backups.arn,
                    dr_kms_key_arn=dr_foundation.keys.backups.arn,
                    resource_arns=[self._primary_data().database.serves.arn],
                    # The database's snapshots inherit its key (not the vault's).
                    source_kms_key_arns=[primary.keys.data.arn],
                    protect=config.protect_data,
                ),
                self._formerly_dr_child(legacy.BACKUP, f"{name}-backup", providers.primary),
            )

    def _formerly_dr_child(
        self, type_: str, name: str, provider: pulumi.ProviderResource
    ) -> pulumi.ResourceOptions:
        """A child of the Site that was a child of the DisasterRecovery component."""
        return pulumi.ResourceOptions(
            parent=self,
            provider=provider,
            aliases=[legacy.urn(legacy.DISASTER_RECOVERY, type_, name=name)],
        )

    # --- 5: the edge -------------------------------------------------------------------------
    def _edge(self, dr_uploads: Storage | None) -> None:
        config, dr_plan = self._config, self.plan
        # The DR files bucket and ALB are origins of the primary's distribution (an origin group
        # on the read-only behaviours; the ALB for every method once the DR region is active).
        cdn_reads_dr = (
            dr_plan is not None
            and dr_plan.origin_group
            and config.cdn.enabled
            and self.standby is not None
        )
        if config.cdn.enabled:
            self.cdn = self._cdn(cdn_reads_dr)
        distribution_arn = self.cdn.distribution.arn if self.cdn is not None else None
        uploads_bucket_policy(self._name, self.primary.storage, distribution_arn)
        if dr_uploads is not None:
            uploads_bucket_policy(
                self._dr_name, dr_uploads, distribution_arn if cdn_reads_dr else None
            )
        routes = dr_plan is not None and dr_plan.traffic is not TrafficMode.NONE
        self.dns = {}
        for region in self._regions():
            records = self._dns_records(region, site_name=not routes)
            if records is not None:
                self.dns[region.site.region] = records
        if routes and dr_plan is not None:
            self.failover_dns = self._failover_dns(dr_plan)

    def _cdn(self, cdn_reads_dr: bool) -> Cdn:
        config, primary = self._config, self.primary
        storage = primary.storage
        failover = (
            FailoverOrigins(
                alb=self.standby.alb_origin(),
                files_bucket_regional_domain_name=(
                    self.standby.storage.uploads_bucket.bucket_regional_domain_name
                ),
                # CloudFront's writes follow the writer (dr.activeRegion).
                active=config.dr_active,
            )
            if cdn_reads_dr and self.standby is not None
            else None
        )
        return Cdn(
            self._name,
            CdnArgs(
                config=config.cdn,
                alb=primary.alb_origin(),
                files_bucket_regional_domain_name=storage.uploads_bucket.bucket_regional_domain_name,
                log_bucket_domain_name=storage.log_bucket.bucket_domain_name,
                log_prefix=storage.cloudfront_log_prefix,
                aliases=(config.domain.fqdn,) if config.domain else (),
                certificate_arn=(
                    primary.certificates.edge_certificate_arn if primary.certificates else None
                ),
                edge_provider=self.providers.edge,
                log_bucket_dependencies=(storage.log_bucket_ownership, storage.log_bucket_acl),
                failover=failover,
            ),
            pulumi.ResourceOptions(
                parent=self,
                provider=self.providers.primary,
                aliases=[legacy.child_urn(self._primary_formerly, legacy.CDN, self._name)],
            ),
        )

    def _dns_records(self, region: Region, site_name: bool) -> DnsRecords | None:
        """The region's origin and internal names; the primary's also takes the site's name
        when no DR strategy routes it across regions (FailoverDns does then)."""
        config, site = self._config, region.site
        if site.certificates is None or config.domain is None:
            return None
        primary = site is self.primary
        return DnsRecords(
            region.name,
            DnsRecordsArgs(
                domain=config.domain,
                zone_id=site.certificates.zone_id,
                cloudfront=(
                    AliasTarget(
                        dns_name=self.cdn.distribution.domain_name,
                        zone_id=self.cdn.distribution.hosted_zone_id,
                        evaluate_target_health=False,
                        ipv6=True,
                    )
                    if self.cdn is not None and primary
                    else None
                ),
                alb=_alias_to(site.load_balancer),
                origin_fqdn=site.certificates.origin_fqdn,
                internal_alb=(
                    _alias_to(site.internal_load_balancer) if site.internal_load_balancer else None
                ),
                internal_fqdn=site.certificates.internal_fqdn,
                site=primary and site_name,
            ),
            pulumi.ResourceOptions(
                parent=self,
                provider=region.provider,
                aliases=[legacy.child_urn(region.formerly, legacy.DNS_RECORDS, region.name)],
            ),
        )

    def _failover_dns(self, dr_plan: DrPlan) -> FailoverDns | None:
        config, name = self._config, self._name
        primary, standby, dr_provider = self.primary, self.standby, self.providers.dr
        certificates = primary.certificates
        if config.domain is None or certificates is None or standby is None or dr_provider is None:
            return None
        primary_endpoint = (
            RegionEndpoint(
                primary.region,
                # Route 53's checkers cannot reach an ALB that admits only CloudFront: the
                # primary is checked through its distribution (HTTPS checks do not validate
                # the certificate, so the distribution's own name will do).
                health_check_fqdn=self.cdn.distribution.domain_name,
                alias_name=self.cdn.distribution.domain_name,
                alias_zone_id=self.cdn.distribution.hosted_zone_id,
                evaluate_target_health=False,
            )
            if self.cdn is not None
            else RegionEndpoint(
                primary.region,
                health_check_fqdn=primary.load_balancer.alb.dns_name,
                alias_name=primary.load_balancer.alb.dns_name,
                alias_zone_id=primary.load_balancer.alb.zone_id,
            )
        )
        simple_record = f"{name}-site-a"
        primary_records = self.dns.get(primary.region)
        return FailoverDns(
            f"{name}-site",
            FailoverDnsArgs(
                zone_id=certificates.zone_id,
                record_name=config.domain.fqdn,
                routing=dr_plan.traffic,
                primary=primary_endpoint,
                secondary=RegionEndpoint(
                    config.dr.region,
                    health_check_fqdn=standby.load_balancer.alb.dns_name,
                    alias_name=standby.load_balancer.alb.dns_name,
                    alias_zone_id=standby.load_balancer.alb.zone_id,
                ),
                switch_region=config.dr.region,
                switch_provider=dr_provider,
                # The site's simple A record (DnsRecords, without a mirror) becomes the PRIMARY
                # record: where it is now, and where a stack from before the Site had it.
                replaces=(
                    pulumi.Alias(name=simple_record, parent=primary_records),
                    legacy.child_urn(
                        legacy.child_urn(self._primary_formerly, legacy.DNS_RECORDS, name),
                        legacy.ROUTE53_RECORD,
                        simple_record,
                    ),
                )
                if primary_records is not None
                else (),
            ),
            self._formerly_dr_child(legacy.FAILOVER_DNS, f"{name}-site", self.providers.primary),
        )

    # --- 6: monitoring -----------------------------------------------------------------------
    def _monitoring(self, region: Region) -> Monitoring:
        site = region.site
        internal = site.internal_load_balancer
        cdn = self.cdn if site is self.primary else None
        return Monitoring(
            region.name,
            MonitoringArgs(
                region=site.region,
                logs_key_arn=site.keys.logs.arn,
                alarm_email=self._config.alarm_email,
                alb_arn_suffix=site.load_balancer.alb.arn_suffix,
                target_group_arn_suffix=site.load_balancer.target_group.arn_suffix,
                load_balancers=(
                    ((internal.alb.arn_suffix, internal.target_group.arn_suffix),)
                    if internal
                    else ()
                ),
                tiers=tuple(
                    ScaledTier(role, tier.group.name, size.min_size)
                    for role, tier, size in (
                        ("web", site.web, site.web_config),
                        ("app", site.app, site.app_config),
                    )
                    if tier is not None
                ),
                distribution_id=cdn.distribution.id if cdn else None,
                edge_provider=self.providers.edge,
                protect=self._config.protect_data,
            ),
            pulumi.ResourceOptions(
                parent=self,
                provider=region.provider,
                aliases=[legacy.child_urn(region.formerly, legacy.MONITORING, region.name)],
            ),
        )


def uploads_bucket_policy(
    storage_name: str, storage: Storage, cloudfront_distribution_arn: pulumi.Input[str] | None
) -> aws.s3.BucketPolicy:
    """The uploads bucket's one policy, which names the CDN's distribution: made by the composer,
    where both are known. It stays a child of the storage component, beside its bucket."""
    return aws.s3.BucketPolicy(
        f"{storage_name}-uploads",
        bucket=storage.uploads_bucket.id,
        policy=document_output(
            *uploads_policy_statements(storage.uploads_bucket.arn, cloudfront_distribution_arn)
        ),
        opts=pulumi.ResourceOptions(
            parent=storage, depends_on=[storage.uploads_public_access_block]
        ),
    )


def _alias_to(load_balancer: LoadBalancer) -> AliasTarget:
    return AliasTarget(
        dns_name=load_balancer.alb.dns_name,
        zone_id=load_balancer.alb.zone_id,
        evaluate_target_health=True,
        ipv6=False,  # the ALBs are IPv4-only: an AAAA alias would resolve to nothing
    )


def standby_tier(tier: TierConfig, dr_plan: DrPlan, standby_size: int) -> TierConfig:
    """A tier's size in the DR region: none or zero instances (pilot light), the configured
    standby size (warm standby) or the primary's (active-active). A modified copy of the
    primary's settings, so the standby runs the same instance type, scaling and health checks;
    scheduled actions stay with the primary (they would wake a pilot light)."""
    if dr_plan.standby_size is StandbySize.FULL:
        return tier
    size = 0 if dr_plan.standby_size in (StandbySize.ZERO, StandbySize.NONE) else standby_size
    return tier.model_copy(
        update={
            "min_size": size,
            "desired_capacity": size,
            "max_size": max(tier.max_size, size, 1),
            "scheduled_actions": (),
        }
    )
