"""WebStack: the whole site in one region, composed from the concern components.

Order follows the dependencies: keys -> network -> security groups -> data tier -> files and
certificates -> load balancers and instance tiers -> CDN -> DNS records -> monitoring.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.cache import Cache, CacheArgs
from components.cdn import AlbOrigin, Cdn, CdnArgs
from components.compute import (
    AutoScaledTier,
    AutoScaledTierArgs,
    CacheEndpoints,
    DatabaseEndpoints,
)
from components.config.models import NetworkConfig, StackConfig
from components.config.values import TierRole
from components.database import Database, DatabaseArgs
from components.dns import AliasTarget, Certificates, CertificatesArgs, DnsRecords, DnsRecordsArgs
from components.keys import Keys, KeysArgs
from components.loadbalancer import AccessLogs, LoadBalancer, LoadBalancerArgs
from components.monitoring import Monitoring, MonitoringArgs, ScaledTier
from components.network import Network, NetworkArgs, availability_zones
from components.policy_documents import document_output
from components.security import HTTP, HTTPS, SecurityGroups, SecurityGroupsArgs
from components.storage import Storage, StorageArgs, uploads_policy_statements

SERVICE_LINKED_ROLE_SUFFIX_MAX = 35


@dataclass(frozen=True)
class WebStackArgs:
    config: StackConfig
    region: str
    network: NetworkConfig
    # us-east-1: CloudFront's certificate, WAF and CloudFront metrics live there.
    edge_provider: pulumi.ProviderResource | None = None


class WebStack(pulumi.ComponentResource):
    """Every tier of the site in one region."""

    autoscaling_role: aws.iam.ServiceLinkedRole
    autoscaling_role_suffix: str
    keys: Keys
    network: Network
    security: SecurityGroups
    database: Database
    cache: Cache
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

        # --- foundation -------------------------------------------------------------------
        # Validated first: a region with too few AZs must fail before anything is created.
        zones = availability_zones(self, args.network.az_count, args.region)
        # The stack's own EC2 Auto Scaling service-linked role: the account's default one may
        # not exist yet, and the data key policy must name a role that does. IAM is global:
        # the suffix carries the stack and region.
        self.autoscaling_role_suffix = autoscaling_role_suffix(name, args.region)
        self.autoscaling_role = aws.iam.ServiceLinkedRole(
            f"{name}-autoscaling",
            aws_service_name="autoscaling.amazonaws.com",
            custom_suffix=self.autoscaling_role_suffix,
            description=f"EC2 Auto Scaling for {name} in {args.region}",
            opts=child,
        )
        self.keys = Keys(
            name,
            KeysArgs(
                region=args.region,
                protect=config.protect_data,
                autoscaling_role=self.autoscaling_role,
                autoscaling_role_suffix=self.autoscaling_role_suffix,
            ),
            child,
        )
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
                cdn=config.cdn.enabled,
                origin_https=config.domain is not None,
                internal_alb_port=HTTPS if config.domain is not None else HTTP,
                database_proxy=config.database.proxy,
            ),
            child,
        )

        # --- data tier ----------------------------------------------------------------------
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
            ),
            child,
        )

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
                    cdn=config.cdn.enabled,
                    app_tier=config.app_tier.enabled,
                    edge_provider=args.edge_provider,
                ),
                child,
            )
            if config.domain is not None
            else None
        )
        self._load_balancing_and_compute(name, args)

        # --- edge: CDN, DNS records, monitoring ---------------------------------------------
        self.cdn = None
        if config.cdn.enabled:
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
                ),
                child,
            )
        self.uploads_policy = uploads_bucket_policy(
            name, self.storage, self.cdn.distribution.arn if self.cdn else None
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
                        ("web", self.web, config.web),
                        ("app", self.app, config.app_tier),
                    )
                    if tier is not None
                ),
                distribution_id=self.cdn.distribution.id if self.cdn else None,
                edge_provider=args.edge_provider,
                protect=config.protect_data,
            ),
            child,
        )

        self.register_outputs({"vpc_id": self.network.vpc.id})

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
        # With an RDS Proxy the security groups admit only the proxy, and it requires IAM auth:
        # the tiers connect to it (writer and reader alike) with IAM auth tokens.
        proxy = self.database.proxy
        proxy_endpoint = self.database.proxy_endpoint
        database = DatabaseEndpoints(
            engine=config.database.engine.family.pdo_driver,
            writer_endpoint=(
                proxy_endpoint if proxy_endpoint is not None else self.database.writer_endpoint
            ),
            reader_endpoint=(
                proxy_endpoint if proxy_endpoint is not None else self.database.reader_endpoint
            ),
            port=self.database.port,
            name=config.database.database_name,
            secret_arn=self.database.secret_arn,
            proxy_arn=proxy.arn if proxy is not None and proxy_endpoint is not None else None,
            iam_user=config.database.master_username if proxy is not None else None,
        )
        cache = CacheEndpoints(
            primary_endpoint=self.cache.primary_endpoint,
            port=self.cache.port,
            auth_secret_arn=self.cache.auth_secret_arn,
        )

        def tier(
            tier_name: str,
            role: TierRole,
            load_balancer: LoadBalancer,
            group_id: pulumi.Input[str],
            app_tier_url: pulumi.Input[str] | None = None,
        ) -> AutoScaledTier:
            tier_config = config.web if role == "web" else config.app_tier
            # Browsers reach the web tier over HTTPS through the CDN or the domain's
            # certificate; a plain-HTTP site (neither) cannot keep a Secure cookie. The app tier
            # is reached over HTTPS only with a domain (the internal ALB's certificate).
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

        self.load_balancer = LoadBalancer(
            f"{name}-web",
            LoadBalancerArgs(
                tier=config.web,
                vpc_id=self.network.vpc.id,
                subnet_ids=[s.id for s in self.network.public_subnets],
                security_group_ids=[g.id for g in self.security.public_alb_groups],
                deletion_protection=config.is_production,
                certificate_arn=(
                    self.certificates.regional_certificate_arn if self.certificates else None
                ),
                cloudfront_only=config.cdn.enabled,
                access_logs=access_logs,
            ),
            child,
        )
        self.internal_load_balancer = self.app = None
        if self.security.internal_alb is not None and self.security.app is not None:
            self.internal_load_balancer = LoadBalancer(
                f"{name}-app",
                LoadBalancerArgs(
                    tier=config.app_tier,
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
