"""WebStack: the whole site in one region, composed from the concern components.

Order follows the dependencies: keys -> network -> security groups -> data tier -> files and
certificates -> load balancers and instance tiers -> CDN -> DNS records -> monitoring.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

import pulumi
import pulumi_aws as aws

from components.compute import (
    AutoScaledTier,
    AutoScaledTierArgs,
    CacheEndpoints,
    DatabaseEndpoints,
)
from components.compute.loadbalancer import AccessLogs, LoadBalancer, LoadBalancerArgs
from components.config.dr_objectives import CacheMode, DrPlan, StandbySize, TrafficMode
from components.config.models import NetworkConfig, StackConfig, TierConfig
from components.config.values import TierRole
from components.data.cache import Cache, CacheArgs
from components.data.credentials import (
    IAM_DATABASE_USER,
    MasterCredential,
    MasterCredentialArgs,
    replica_arn,
)
from components.data.database import Database, DatabaseArgs
from components.data.storage import Storage, StorageArgs, uploads_policy_statements
from components.dr.global_database import (
    AuroraGlobalDatabase,
    AuroraGlobalDatabaseArgs,
    CrossRegionReplica,
    CrossRegionReplicaArgs,
    DrNetworkPlacement,
    GlobalDatastore,
    GlobalDatastoreArgs,
)
from components.edge.cdn import AlbOrigin, Cdn, CdnArgs, FailoverOrigins
from components.edge.dns import (
    AliasTarget,
    Certificates,
    CertificatesArgs,
    DnsRecords,
    DnsRecordsArgs,
)
from components.foundation.keys import Keys, KeysArgs
from components.foundation.network import Network, NetworkArgs, availability_zones
from components.foundation.security import HTTP, HTTPS, SecurityGroups, SecurityGroupsArgs
from components.monitoring import Monitoring, MonitoringArgs, ScaledTier
from components.naming import MAX_ELASTICACHE_IDENTIFIER, aws_identifier
from components.policy_documents import document_output

SERVICE_LINKED_ROLE_SUFFIX_MAX = 35
# A pilot light's idle regional cache (sessions of a region that serves nothing yet).
IDLE_CACHE_NODE_TYPE = "cache.t4g.small"
Role = Literal["primary", "standby"]


@dataclass(frozen=True)
class RegionalFoundation:
    """What a region's keys need first: the stack's own EC2 Auto Scaling service-linked role
    (the data key policy names it) and the keys. A DR mirror makes its region's foundation
    before the primary's data tier, which replicates secrets under the DR region's key."""

    autoscaling_role: aws.iam.ServiceLinkedRole
    autoscaling_role_suffix: str
    keys: Keys


def regional_foundation(
    name: str, region: str, protect: bool, parent: pulumi.Resource
) -> RegionalFoundation:
    # The account's default Auto Scaling role may not exist yet, and a key policy must name a
    # role that does. IAM is global: the suffix carries the stack and region.
    suffix = autoscaling_role_suffix(name, region)
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.ServiceLinkedRole(
        f"{name}-autoscaling",
        aws_service_name="autoscaling.amazonaws.com",
        custom_suffix=suffix,
        description=f"EC2 Auto Scaling for {name} in {region}",
        opts=child,
    )
    keys = Keys(
        name,
        KeysArgs(
            region=region, protect=protect, autoscaling_role=role, autoscaling_role_suffix=suffix
        ),
        child,
    )
    return RegionalFoundation(role, suffix, keys)


class Mirror(Protocol):
    """The DR mirror as the primary WebStack sees it (components/dr/disaster_recovery.py)."""

    @property
    def region(self) -> str: ...

    @property
    def data_key_arn(self) -> pulumi.Output[str]: ...

    @property
    def iam_auth(self) -> bool: ...

    @property
    def aurora_global(self) -> bool:
        """Whether the primary's Aurora cluster is a member of a global database."""
        ...

    @property
    def writer_arn(self) -> pulumi.Output[str] | None:
        """RDS after a failover (dr.activeRegion is the DR region): the promoted DR instance's
        ARN, which the primary region's instances replicate; None otherwise."""
        ...

    @property
    def global_write_forwarding(self) -> bool | None:
        """Aurora after a failover under active-active: the primary region's cluster, now a
        secondary, forwards writes (None: leave it unset)."""
        ...

    def build(self, primary: WebStack) -> FailoverOrigins | None:
        """Build the mirror from the primary's data tier and load balancers (before the primary's
        CDN); return the DR ALB and files bucket as CloudFront's failover origins, or None."""
        ...


@dataclass(frozen=True)
class StandbyOf:
    """A standby WebStack (the DR mirror's): the primary it follows and what the plan runs."""

    primary: WebStack
    plan: DrPlan
    # The primary region's provider: global clusters and datastores are managed there.
    primary_provider: pulumi.ProviderResource
    foundation: RegionalFoundation
    # Load balancer names are ``<prefix>-drw``/``-dra``: AWS allows 32 characters with the
    # 8-character random suffix, as long as the primary's ``<name>-web``/``-app``.
    load_balancer_prefix: str
    # The primary's distribution, when it reads this region's files bucket (an origin group):
    # a deferred output the mirror resolves once the primary's CDN exists.
    cdn_distribution_arn: pulumi.Input[str] | None = None
    # Pilot light before a failover: the region serves nothing, so its regional cache is one
    # small node per AZ pair (IDLE_CACHE_NODE_TYPE); dr.activeRegion there restores the size.
    idle: bool = False


@dataclass(frozen=True)
class WebStackArgs:
    config: StackConfig
    region: str
    network: NetworkConfig
    # us-east-1: CloudFront's certificate, WAF and CloudFront metrics live there.
    edge_provider: pulumi.ProviderResource | None = None
    # The primary with a DR mirror: its credential and secrets are replicated to the mirror's
    # region, it is built between the data tier and the CDN, and it owns the site's name.
    mirror: Mirror | None = None
    # A standby (the mirror's own WebStack): its data tier follows the primary's.
    standby: StandbyOf | None = None


class WebStack(pulumi.ComponentResource):
    """Every tier of the site in one region."""

    role: Role
    region: str
    autoscaling_role: aws.iam.ServiceLinkedRole
    autoscaling_role_suffix: str
    keys: Keys
    network: Network
    security: SecurityGroups
    # The primary's data tier (None in a standby) ...
    database: Database | None
    cache: Cache | None
    credential: MasterCredential | None
    # ... and a standby's, following the primary's (None in a primary or as the plan says).
    global_database: AuroraGlobalDatabase | None
    replica: CrossRegionReplica | None
    global_datastore: GlobalDatastore | None
    # What the tiers connect to, whichever the region's role.
    database_endpoints: DatabaseEndpoints
    cache_endpoints: CacheEndpoints
    # The tiers' effective sizes (a standby runs the plan's size).
    web_config: TierConfig
    app_config: TierConfig
    storage: Storage
    # The uploads bucket's policy names the distribution: it joins storage and CDN.
    uploads_policy: aws.s3.BucketPolicy
    certificates: Certificates | None
    load_balancer: LoadBalancer
    web: AutoScaledTier
    internal_load_balancer: LoadBalancer | None
    app: AutoScaledTier | None
    cdn: Cdn | None
    dns: DnsRecords | None
    monitoring: Monitoring

    def __init__(
        self, name: str, args: WebStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:stack:WebStack", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        standby = args.standby
        self._stack_args = args
        self._opts_provider = opts.provider if opts is not None else None
        self.role = "standby" if standby is not None else "primary"
        self.region = args.region
        self.web_config, self.app_config = config.web, config.app_tier
        if standby is not None:
            self.web_config = standby_tier(config.web, standby.plan, config.dr.standby_size)
            self.app_config = standby_tier(config.app_tier, standby.plan, config.dr.standby_size)

        # --- foundation -------------------------------------------------------------------
        # Validated first: a region with too few AZs must fail before anything is created.
        zones = availability_zones(self, args.network.az_count, args.region)
        foundation = (
            standby.foundation
            if standby is not None
            else regional_foundation(name, args.region, config.protect_data, self)
        )
        self.autoscaling_role = foundation.autoscaling_role
        self.autoscaling_role_suffix = foundation.autoscaling_role_suffix
        self.keys = foundation.keys
        self.network = Network(
            name,
            NetworkArgs(
                config=args.network,
                region=args.region,
                flow_logs_key_arn=self.keys.logs.arn,
                availability_zones=zones,
            ),
            child,
        )
        self.security = SecurityGroups(
            name,
            SecurityGroupsArgs(
                vpc_id=self.network.vpc.id,
                web_port=config.web.port,
                database_port=config.database.port,
                cache_port=config.cache.port,
                app_tier=config.app_tier.enabled,
                app_port=config.app_tier.port,
                cdn=self.cdn_enabled,
                origin_https=config.domain is not None,
                internal_alb_port=HTTPS if config.domain is not None else HTTP,
                database_proxy=config.database.proxy and standby is None,
            ),
            child,
        )

        # --- data tier ----------------------------------------------------------------------
        self.database = self.cache = self.credential = None
        self.global_database = self.replica = self.global_datastore = None
        if standby is None:
            self._primary_data_tier(name, args)
        else:
            self._standby_data_tier(name, args, standby)

        # --- files, certificates, load balancing and compute --------------------------------
        self.storage = Storage(
            name,
            StorageArgs(
                region=args.region, data_key_arn=self.keys.data.arn, protect=config.protect_data
            ),
            child,
        )
        self.certificates = (
            Certificates(
                name,
                CertificatesArgs(
                    domain=config.domain,
                    region=args.region,
                    cdn=self.cdn_enabled,
                    # A standby's ALB is an origin of the primary's CloudFront (warm standby,
                    # active-active): CloudFront's TLS check needs its origin name on the
                    # certificate (else 502).
                    origin_name=self.cdn_enabled
                    or (standby is not None and config.cdn.enabled and standby.plan.origin_group),
                    app_tier=config.app_tier.enabled,
                    edge_provider=args.edge_provider,
                    # The primary's certificate already validates the site's name.
                    validated_elsewhere=(config.domain.fqdn,) if standby is not None else (),
                ),
                child,
            )
            if config.domain is not None
            else None
        )
        self._load_balancing_and_compute(name, args)

        # --- the DR mirror, between the primary's compute and its CDN (its origin group) ----
        failover_origin = args.mirror.build(self) if args.mirror is not None else None

        # --- edge: CDN, DNS records, monitoring ---------------------------------------------
        self.cdn = None
        if self.cdn_enabled:
            self.cdn = Cdn(
                name,
                CdnArgs(
                    config=config.cdn,
                    alb=self._alb_origin(),
                    files_bucket_regional_domain_name=(
                        self.storage.uploads_bucket.bucket_regional_domain_name
                    ),
                    log_bucket_domain_name=self.storage.log_bucket.bucket_domain_name,
                    log_prefix=self.storage.cloudfront_log_prefix,
                    aliases=(config.domain.fqdn,) if config.domain else (),
                    certificate_arn=(
                        self.certificates.edge_certificate_arn if self.certificates else None
                    ),
                    edge_provider=args.edge_provider,
                    log_bucket_dependencies=(
                        self.storage.log_bucket_ownership,
                        self.storage.log_bucket_acl,
                    ),
                    failover=failover_origin,
                ),
                child,
            )
        self.uploads_policy = uploads_bucket_policy(
            name,
            self.storage,
            self.cdn.distribution.arn
            if self.cdn
            else standby.cdn_distribution_arn
            if standby is not None
            else None,
        )

        self.dns = None
        if config.domain is not None and self.certificates is not None:
            self.dns = DnsRecords(
                name,
                DnsRecordsArgs(
                    domain=config.domain,
                    zone_id=self.certificates.zone_id,
                    cloudfront=(
                        AliasTarget(
                            dns_name=self.cdn.distribution.domain_name,
                            zone_id=self.cdn.distribution.hosted_zone_id,
                            evaluate_target_health=False,
                            ipv6=True,
                        )
                        if self.cdn
                        else None
                    ),
                    alb=_alias_to(self.load_balancer),
                    origin_fqdn=self.certificates.origin_fqdn,
                    internal_alb=(
                        _alias_to(self.internal_load_balancer)
                        if self.internal_load_balancer
                        else None
                    ),
                    internal_fqdn=self.certificates.internal_fqdn,
                    # With a mirror routing traffic, FailoverDns owns the site's name; a standby
                    # never takes it (the primary's CloudFront, or FailoverDns, does).
                    site=standby is None
                    and (args.mirror is None or not args.config.dr.enabled or not _routes(config)),
                ),
                child,
            )

        self.monitoring = Monitoring(
            name,
            MonitoringArgs(
                region=args.region,
                logs_key_arn=self.keys.logs.arn,
                alarm_email=config.alarm_email,
                alb_arn_suffix=self.load_balancer.alb.arn_suffix,
                target_group_arn_suffix=self.load_balancer.target_group.arn_suffix,
                load_balancers=(
                    (
                        (
                            self.internal_load_balancer.alb.arn_suffix,
                            self.internal_load_balancer.target_group.arn_suffix,
                        ),
                    )
                    if self.internal_load_balancer
                    else ()
                ),
                tiers=tuple(
                    ScaledTier(role, tier.group.name, tier_config.min_size)
                    for role, tier, tier_config in (
                        ("web", self.web, self.web_config),
                        ("app", self.app, self.app_config),
                    )
                    if tier is not None
                ),
                distribution_id=self.cdn.distribution.id if self.cdn else None,
                edge_provider=args.edge_provider,
                protect=config.protect_data,
            ),
            child,
        )

        self.outputs = self._region_outputs()
        self.register_outputs(
            {
                "role": self.role,
                "region": args.region,
                "vpc_id": self.network.vpc.id,
                "availability_zones": self.network.availability_zones,
                "public_subnet_ids": [s.id for s in self.network.public_subnets],
                "app_subnet_ids": [s.id for s in self.network.app_subnets],
                "data_subnet_ids": [s.id for s in self.network.data_subnets],
                "database_writer_endpoint": self.database_endpoints.writer_endpoint,
                "database_reader_endpoint": self.database_endpoints.reader_endpoint,
                "database_port": self.database_endpoints.port,
                "database_secret_arn": self.database_endpoints.secret_arn,
                "cache_endpoint": self.cache_endpoints.primary_endpoint,
                "cache_auth_secret_arn": self.cache_endpoints.auth_secret_arn,
                "alb_dns_name": self.load_balancer.alb.dns_name,
                "distribution_domain": self.cdn.distribution.domain_name if self.cdn else None,
                "uploads_bucket": self.storage.uploads_bucket.bucket,
                "dashboard_name": self.monitoring.dashboard.dashboard_name,
                "alarm_topic_arn": self.monitoring.topic.arn,
                "description": self.outputs,
            }
        )

    @property
    def cdn_enabled(self) -> bool:
        """A standby has no CloudFront of its own: the primary's distribution is global and
        reaches the standby's files through an origin group and its ALB as a second origin; DNS
        failover reaches its ALB directly."""
        return self._stack_args.config.cdn.enabled and self._stack_args.standby is None

    def _primary_data_tier(self, name: str, args: WebStackArgs) -> None:
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        mirror = args.mirror
        master_password: pulumi.Output[str] | None = None
        master_secret_arn: pulumi.Output[str] | None = None
        if mirror is not None:
            # RDS-managed master secrets are refused on global database members and
            # cross-Region replicas: the credential is generated and replicated instead.
            self.credential = MasterCredential(
                f"{name}-db",
                MasterCredentialArgs(
                    username=config.database.master_username,
                    engine=config.database.engine.value,
                    kms_key_arn=self.keys.data.arn,
                    dr_region=mirror.region,
                    dr_kms_key_arn=mirror.data_key_arn,
                    protect=config.protect_data,
                ),
                child,
            )
            master_password = self.credential.password
            master_secret_arn = self.credential.secret_arn
        self.database = Database(
            name,
            DatabaseArgs(
                config=config.database,
                subnet_ids=[s.id for s in self.network.data_subnets],
                availability_zones=self.network.availability_zones,
                security_group_id=self.security.database.id,
                kms_key_arn=self.keys.data.arn,
                logs_key_arn=self.keys.logs.arn,
                proxy_subnet_ids=[s.id for s in self.network.app_subnets],
                proxy_security_group_id=(
                    self.security.database_proxy.id if self.security.database_proxy else None
                ),
                protect=config.protect_data,
                master_password=master_password,
                master_secret_arn=master_secret_arn,
                replicate_from=mirror.writer_arn if mirror is not None else None,
                auto_minor_version_upgrade=not (mirror is not None and mirror.aurora_global),
                global_write_forwarding=(
                    mirror.global_write_forwarding if mirror is not None else None
                ),
            ),
            child,
        )
        self.cache = Cache(
            name,
            CacheArgs(
                config=config.cache,
                subnet_ids=[s.id for s in self.network.data_subnets],
                security_group_id=self.security.cache.id,
                kms_key_arn=self.keys.data.arn,
                logs_key_arn=self.keys.logs.arn,
                protect=config.protect_data,
                replica_region=mirror.region if mirror is not None else None,
                replica_kms_key_arn=mirror.data_key_arn if mirror is not None else None,
            ),
            child,
        )
        database = self.database
        # With an RDS Proxy the security groups admit only the proxy, and it requires IAM auth:
        # the tiers connect to it (writer and reader alike) with IAM auth tokens. With a DR
        # mirror the tiers sign in with IAM tokens directly (see README, Disaster recovery).
        proxy = database.proxy
        proxy_endpoint = database.proxy_endpoint
        iam_target: pulumi.Input[str] | None = None
        iam_user: str | None = None
        if proxy is not None and proxy_endpoint is not None:
            iam_target, iam_user = proxy.arn, config.database.master_username
        elif mirror is not None and mirror.iam_auth:
            iam_target, iam_user = iam_auth_target(database.resource_id), IAM_DATABASE_USER
        self.database_endpoints = DatabaseEndpoints(
            engine=config.database.engine.family.pdo_driver,
            writer_endpoint=(
                proxy_endpoint if proxy_endpoint is not None else database.writer_endpoint
            ),
            reader_endpoint=(
                proxy_endpoint if proxy_endpoint is not None else database.reader_endpoint
            ),
            port=database.port,
            name=config.database.database_name,
            secret_arn=database.secret_arn,
            proxy_arn=iam_target,
            iam_user=iam_user,
        )
        if self.cache.auth_secret_arn is None:
            raise ValueError("the app needs a Valkey/Redis cache with an AUTH secret")
        self.cache_endpoints = CacheEndpoints(
            primary_endpoint=self.cache.primary_endpoint,
            port=self.cache.port,
            auth_secret_arn=self.cache.auth_secret_arn,
        )

    def _standby_data_tier(self, name: str, args: WebStackArgs, standby: StandbyOf) -> None:
        """The DR region's data tier: the primary's database and cache, replicated here."""
        config = args.config
        primary = standby.primary
        plan = standby.plan
        on_primary = pulumi.ResourceOptions(parent=self, provider=standby.primary_provider)
        provider = self._dr_provider
        if primary.database is None or primary.cache is None or primary.credential is None:
            raise ValueError("a standby follows a primary with a database, cache and credential")
        data_subnets = [s.id for s in self.network.data_subnets]
        db_subnet_group = aws.rds.SubnetGroup(
            f"{name}-db",
            name=aws_identifier(name, "db"),
            description=f"Data subnets of {name}",
            subnet_ids=data_subnets,
            tags={"Name": aws_identifier(name, "db")},
            opts=pulumi.ResourceOptions(parent=self),
        )
        placement = DrNetworkPlacement(
            region=args.region,
            provider=provider,
            subnet_group_name=db_subnet_group.name,
            security_group_ids=[self.security.database.id],
            kms_key_arn=self.keys.data.arn,
        )
        database = primary.database
        db_config = config.database
        secret_arn = primary.credential.replica_secret_arn
        if database.cluster is not None:
            self.global_database = AuroraGlobalDatabase(
                f"{name}-db",
                AuroraGlobalDatabaseArgs(
                    primary_cluster=database.cluster,
                    primary_instances=database.cluster_instances,
                    engine=db_config.engine.value,
                    engine_version=db_config.version,
                    parameter_group_family=database.parameter_group_family,
                    placement=placement,
                    instance_class=db_config.instance_class,
                    readers=config.dr.secondary_readers,
                    adopt_failover_instance=config.dr_active and config.dr.secondary_readers == 0,
                    write_forwarding=plan.write_forwarding,
                    port=db_config.port,
                    cluster_parameters=database.cluster_parameters,
                    instance_parameters=database.instance_parameters,
                    backup_retention_days=db_config.backup_retention_days,
                    protect=config.protect_data,
                ),
                on_primary,
            )
            secondary = self.global_database.secondary
            writer, reader = secondary.endpoint, secondary.reader_endpoint
            resource_id = secondary.cluster_resource_id
        elif database.instance is not None:
            self.replica = CrossRegionReplica(
                f"{name}-db",
                CrossRegionReplicaArgs(
                    source_instance=database.instance,
                    engine=db_config.engine.value,
                    parameter_group_family=database.parameter_group_family,
                    placement=placement,
                    instance_class=db_config.instance_class,
                    multi_az=plan.replica_multi_az,
                    backup_retention_days=db_config.backup_retention_days,
                    max_allocated_storage_gb=db_config.max_allocated_storage_gb,
                    port=db_config.port,
                    parameters=database.instance_parameters,
                    protect=config.protect_data,
                    promoted=config.dr_active,
                ),
                on_primary,
            )
            writer = reader = self.replica.replica.address
            resource_id = self.replica.replica.resource_id
        else:  # pragma: no cover - Database always builds one or the other
            raise ValueError("the primary database has neither a cluster nor an instance")
        self.database_endpoints = DatabaseEndpoints(
            engine=db_config.engine.family.pdo_driver,
            writer_endpoint=writer,
            reader_endpoint=reader,
            port=db_config.port,
            name=db_config.database_name,
            secret_arn=secret_arn,
            proxy_arn=iam_auth_target(resource_id),
            iam_user=IAM_DATABASE_USER,
        )

        primary_cache = primary.cache
        auth_secret = primary_cache.auth_secret_arn
        if auth_secret is None or primary_cache.replication_group is None:
            raise ValueError("a standby follows a Valkey/Redis replication group")
        if plan.cache is CacheMode.GLOBAL_DATASTORE:
            cache_subnet_group = aws.elasticache.SubnetGroup(
                f"{name}-cache",
                name=aws_identifier(name, "cache", max_length=MAX_ELASTICACHE_IDENTIFIER),
                description=f"Data subnets of {name}",
                subnet_ids=data_subnets,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.global_datastore = GlobalDatastore(
                f"{name}-cache",
                GlobalDatastoreArgs(
                    primary_group=primary_cache.replication_group,
                    engine=config.cache.engine.value,
                    version=config.cache.version,
                    node_type=config.cache.node_type,
                    placement=replace(
                        placement,
                        subnet_group_name=cache_subnet_group.name,
                        security_group_ids=[self.security.cache.id],
                    ),
                    replicas=config.cache.replicas,
                    port=config.cache.port,
                    auth_token=primary_cache.auth_token,
                    snapshot_retention_days=config.cache.snapshot_retention_days,
                    snapshot_window=config.cache.snapshot_window,
                    protect=config.protect_data,
                ),
                on_primary,
            )
            group = self.global_datastore.secondary
            self.cache_endpoints = CacheEndpoints(
                primary_endpoint=group.primary_endpoint_address,
                port=config.cache.port,
                auth_secret_arn=pulumi.Output.from_input(auth_secret).apply(
                    lambda arn: replica_arn(arn, args.region)
                ),
            )
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
            if standby.idle:
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
                    security_group_id=self.security.cache.id,
                    kms_key_arn=self.keys.data.arn,
                    logs_key_arn=self.keys.logs.arn,
                    protect=config.protect_data,
                ),
                pulumi.ResourceOptions(parent=self),
            )
            if self.cache.auth_secret_arn is None:  # pragma: no cover - valkey/redis only
                raise ValueError("the standby cache has no AUTH secret")
            self.cache_endpoints = CacheEndpoints(
                primary_endpoint=self.cache.primary_endpoint,
                port=self.cache.port,
                auth_secret_arn=self.cache.auth_secret_arn,
            )

    @property
    def _dr_provider(self) -> pulumi.ProviderResource:
        provider = self._opts_provider
        if provider is None:
            raise ValueError("a standby WebStack needs the DR region's provider")
        return provider

    def _region_outputs(self) -> pulumi.Output[dict[str, Any]]:
        """This region described for operators (``Region`` of ``ops/outputs.py``)."""
        config = self._stack_args.config
        family = "aurora" if config.database.engine.is_aurora else "rds"
        database: dict[str, Any] | None = None
        if self.database is not None:
            db = self.database
            database = {
                "family": family,
                "engine": config.database.engine.value,
                "clusterId": db.cluster.cluster_identifier if db.cluster else None,
                "clusterArn": db.cluster.arn if db.cluster else None,
                "instanceIds": [i.identifier for i in db.cluster_instances]
                if db.cluster
                else [i.identifier for i in (db.instance, *db.replicas) if i is not None],
                "instanceArn": db.instance.arn if db.instance else None,
            }
        elif self.global_database is not None:
            g = self.global_database
            database = {
                "family": family,
                "engine": config.database.engine.value,
                "clusterId": g.secondary.cluster_identifier,
                "clusterArn": g.secondary.arn,
                "instanceIds": [i.identifier for i in g.secondary_instances],
                "instanceArn": None,
            }
        elif self.replica is not None:
            r = self.replica.replica
            database = {
                "family": family,
                "engine": config.database.engine.value,
                "clusterId": None,
                "clusterArn": None,
                "instanceIds": [r.identifier],
                "instanceArn": r.arn,
            }
        cache_group = (
            self.cache.replication_group
            if self.cache is not None
            else self.global_datastore.secondary
            if self.global_datastore is not None
            else None
        )

        def tier(group: AutoScaledTier | None, lb: LoadBalancer | None, size: TierConfig) -> Any:
            if group is None or lb is None:
                return None
            return {
                "asgName": group.group.name,
                "targetGroupArn": lb.target_group.arn,
                "minSize": size.min_size,
                "maxSize": size.max_size,
                "desiredCapacity": (
                    size.min_size if size.desired_capacity is None else size.desired_capacity
                ),
            }

        return pulumi.Output.from_input(
            {
                "region": self.region,
                "role": self.role,
                "dataKeyArn": self.keys.data.arn,
                "database": database,
                "cache": (
                    {"replicationGroupId": cache_group.replication_group_id}
                    if cache_group is not None
                    else None
                ),
                "web": tier(self.web, self.load_balancer, self.web_config),
                "app": tier(self.app, self.internal_load_balancer, self.app_config),
                "loadBalancer": {
                    "arn": self.load_balancer.alb.arn,
                    "dnsName": self.load_balancer.alb.dns_name,
                },
                "securityGroupIds": [
                    g.id
                    for g in (
                        self.security.public_alb,
                        self.security.cloudfront_origin,
                        self.security.web,
                        self.security.internal_alb,
                        self.security.app,
                        self.security.database,
                        self.security.database_proxy,
                        self.security.cache,
                    )
                    if g is not None
                ],
                "uploadsBucket": self.storage.uploads_bucket.bucket,
            }
        )

    def failover_origin(self) -> AlbOrigin:
        """How the primary's CloudFront reaches this (standby) region's public ALB: with a
        domain, HTTPS to ``origin-<region>.<site>`` (on the regional certificate, an alias record
        to the ALB): CloudFront requires a certificate name matching the origin domain or the
        forwarded Host, and requests on the *.cloudfront.net name (the primary's health check)
        forward no site name. Without a domain, HTTP to the ALB's own name."""
        origin_name = self.certificates.origin_fqdn if self.certificates else None
        return AlbOrigin(
            domain_name=origin_name or self.load_balancer.alb.dns_name,
            https=origin_name is not None,
            header_name=self.load_balancer.origin_header_name,
            header_value=self.load_balancer.origin_header_value,
        )

    def _alb_origin(self) -> AlbOrigin:
        """How CloudFront reaches the public ALB: HTTPS to its origin name, else HTTP; both
        carry the secret header, since the prefix list admits every account's distributions."""
        lb = self.load_balancer
        origin_name = self.certificates.origin_fqdn if self.certificates else None
        return AlbOrigin(
            domain_name=origin_name or lb.alb.dns_name,
            https=origin_name is not None,
            header_name=lb.origin_header_name,
            header_value=lb.origin_header_value,
        )

    def _load_balancing_and_compute(self, name: str, args: WebStackArgs) -> None:
        """The public ALB and web tier; with appTier.enabled, the internal ALB and app tier."""
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        app_subnets = [s.id for s in self.network.app_subnets]
        access_logs = AccessLogs(
            bucket=self.storage.log_bucket.bucket,
            prefix=self.storage.alb_log_prefix,
            bucket_policy=self.storage.log_bucket_policy,
        )
        database = self.database_endpoints
        cache = self.cache_endpoints

        def tier(
            tier_name: str,
            role: TierRole,
            load_balancer: LoadBalancer,
            group_id: pulumi.Input[str],
            app_tier_url: pulumi.Input[str] | None = None,
        ) -> AutoScaledTier:
            tier_config = self.web_config if role == "web" else self.app_config
            # Browsers reach the web tier over HTTPS through the CDN or the domain's
            # certificate; a plain-HTTP site (neither) cannot keep a Secure cookie. The app tier
            # is reached over HTTPS only with a domain (the internal ALB's certificate). A
            # standby's web tier is reached through the primary's CloudFront too.
            https = config.domain is not None or (role == "web" and config.cdn.enabled)
            return AutoScaledTier(
                tier_name,
                AutoScaledTierArgs(
                    tier=tier_config,
                    role=role,
                    region=args.region,
                    subnet_ids=app_subnets,
                    security_group_ids=[group_id],
                    data_key_arn=self.keys.data.arn,
                    target_group_arn=load_balancer.target_group.arn,
                    request_count_label=load_balancer.request_count_label,
                    database=database,
                    cache=cache,
                    uploads_bucket_name=self.storage.uploads_bucket.bucket,
                    uploads_bucket_arn=self.storage.uploads_bucket.arn,
                    secure_cookies=https,
                    app_tier_url=app_tier_url,
                    service_linked_role_arn=self.autoscaling_role.arn,
                ),
                child,
            )

        web_lb, app_lb = (
            (f"{name}-web", f"{name}-app")
            if args.standby is None
            else (
                f"{args.standby.load_balancer_prefix}-drw",
                f"{args.standby.load_balancer_prefix}-dra",
            )
        )
        self.load_balancer = LoadBalancer(
            web_lb,
            LoadBalancerArgs(
                tier=self.web_config,
                vpc_id=self.network.vpc.id,
                subnet_ids=[s.id for s in self.network.public_subnets],
                security_group_ids=[g.id for g in self.security.public_alb_groups],
                deletion_protection=config.is_production,
                certificate_arn=(
                    self.certificates.regional_certificate_arn if self.certificates else None
                ),
                cloudfront_only=self.cdn_enabled,
                access_logs=access_logs,
                # A standby ALB that users reach directly every day (active-active's latency
                # records) or after a failover (dr.activeRegion) gets the edge's WAF rules.
                web_acl=args.standby is not None
                and (
                    args.standby.plan.traffic is TrafficMode.LATENCY
                    or (config.dr_active and args.standby.plan.traffic is not TrafficMode.NONE)
                ),
            ),
            child,
        )
        self.internal_load_balancer = self.app = None
        if self.security.internal_alb is not None and self.security.app is not None:
            self.internal_load_balancer = LoadBalancer(
                app_lb,
                LoadBalancerArgs(
                    tier=self.app_config,
                    vpc_id=self.network.vpc.id,
                    subnet_ids=app_subnets,
                    security_group_ids=[self.security.internal_alb.id],
                    internal=True,
                    deletion_protection=config.is_production,
                    certificate_arn=(
                        self.certificates.regional_certificate_arn if self.certificates else None
                    ),
                    access_logs=access_logs,
                ),
                child,
            )
            self.app = tier(f"{name}-app", "app", self.internal_load_balancer, self.security.app.id)

        # The web tier calls the app tier through the internal ALB: HTTPS to its name with a
        # domain (the regional certificate covers it), else HTTP to the ALB's own DNS name.
        app_tier_url: pulumi.Input[str] | None = None
        if self.internal_load_balancer is not None:
            internal_fqdn = self.certificates.internal_fqdn if self.certificates else None
            app_tier_url = (
                f"https://{internal_fqdn}"
                if internal_fqdn
                else self.internal_load_balancer.alb.dns_name.apply(lambda d: f"http://{d}")
            )
        self.web = tier(
            f"{name}-web", "web", self.load_balancer, self.security.web.id, app_tier_url
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


def autoscaling_role_suffix(name: str, region: str) -> str:
    """The custom suffix of the stack's Auto Scaling service-linked role: the stack and region,
    within IAM's 64 characters (``AWSServiceRoleForAutoScaling_`` takes 29)."""
    suffix = re.sub(r"[^A-Za-z0-9+=,.@_-]", "-", f"{name}-{region}")
    if len(suffix) > SERVICE_LINKED_ROLE_SUFFIX_MAX:
        digest = hashlib.sha256(suffix.encode()).hexdigest()[:8]
        suffix = f"{suffix[: SERVICE_LINKED_ROLE_SUFFIX_MAX - 9]}-{digest}"
    return suffix


def _alias_to(load_balancer: LoadBalancer) -> AliasTarget:
    return AliasTarget(
        dns_name=load_balancer.alb.dns_name,
        zone_id=load_balancer.alb.zone_id,
        evaluate_target_health=True,
        ipv6=False,  # the ALBs are IPv4-only: an AAAA alias would resolve to nothing
    )


def standby_tier(tier: TierConfig, plan: DrPlan, standby_size: int) -> TierConfig:
    """A tier's size in the DR region: none or zero instances (pilot light), the configured
    standby size (warm standby) or the primary's (active-active). A modified copy of the
    primary's settings, so the standby runs the same instance type, scaling and health checks;
    scheduled actions stay with the primary (they would wake a pilot light)."""
    if plan.standby_size is StandbySize.FULL:
        return tier
    size = 0 if plan.standby_size in (StandbySize.ZERO, StandbySize.NONE) else standby_size
    return tier.model_copy(
        update={
            "min_size": size,
            "desired_capacity": size,
            "max_size": max(tier.max_size, size, 1),
            "scheduled_actions": (),
        }
    )


def iam_auth_target(resource_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """What DatabaseEndpoints.proxy_arn carries for IAM database authentication: a string whose
    last ``:`` field is the resource id rds-db:connect names (``dbuser:<resource id>/<user>``):
    the proxy's, or the cluster's/instance's when the tiers sign in directly."""
    return pulumi.Output.concat("rds-db-resource:", resource_id)


def _routes(config: StackConfig) -> bool:
    """Whether the DR strategy routes the site's name across regions (FailoverDns)."""
    from components.config.dr_objectives import plan

    return plan(config.dr.strategy).traffic is not TrafficMode.NONE
