"""RegionalSite: one region's network, security groups, data tier, files, load balancers and tiers.

Order follows the dependencies: foundation (Auto Scaling role, keys) -> network -> security
groups -> the data tier it is given (``components.data.tier``) -> files and certificates -> load
balancers and instance tiers. What spans regions or sits in front of them (the CDN, DNS records,
monitoring, replication) is the ``Site``'s, built once every region is finished.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.compute import AutoScaledTier, AutoScaledTierArgs
from components.compute.loadbalancer import AccessLogs, LoadBalancer, LoadBalancerArgs
from components.config.models import NetworkConfig, StackConfig, TierConfig
from components.config.values import TierRole
from components.data.storage import Storage, StorageArgs
from components.data.tier import DataPlacement, DataTier, DataTierPlan
from components.edge.cdn import AlbOrigin
from components.edge.dns import Certificates, CertificatesArgs
from components.foundation.keys import Keys, KeysArgs
from components.foundation.network import Network, NetworkArgs, availability_zones
from components.foundation.security import HTTP, HTTPS, SecurityGroups, SecurityGroupsArgs

SERVICE_LINKED_ROLE_SUFFIX_MAX = 35


@dataclass(frozen=True)
class RegionalFoundation:
    """What a region's keys need first: the stack's own EC2 Auto Scaling service-linked role
    (the data key policy names it) and the keys. The DR region's foundation is made before the
    primary's data tier, which replicates secrets under the DR region's data key."""

    autoscaling_role: aws.iam.ServiceLinkedRole
    autoscaling_role_suffix: str
    keys: Keys


def regional_foundation(
    name: str,
    region: str,
    protect: bool,
    parent: pulumi.Resource,
    aliases: tuple[str, str] | None = None,
    provider: pulumi.ProviderResource | None = None,
) -> RegionalFoundation:
    """The role and keys of ``name`` in ``region`` (through ``provider``, else the parent's);
    ``aliases``: their URNs before a move (the role's, the keys')."""
    # The account's default Auto Scaling role may not exist yet, and a key policy must name a
    # role that does. IAM is global: the suffix carries the stack and region.
    suffix = autoscaling_role_suffix(name, region)
    role = aws.iam.ServiceLinkedRole(
        f"{name}-autoscaling",
        aws_service_name="autoscaling.amazonaws.com",
        custom_suffix=suffix,
        description=f"EC2 Auto Scaling for {name} in {region}",
        opts=pulumi.ResourceOptions(
            parent=parent, provider=provider, aliases=[aliases[0]] if aliases else None
        ),
    )
    keys = Keys(
        name,
        KeysArgs(
            region=region, protect=protect, autoscaling_role=role, autoscaling_role_suffix=suffix
        ),
        pulumi.ResourceOptions(
            parent=parent, provider=provider, aliases=[aliases[1]] if aliases else None
        ),
    )
    return RegionalFoundation(role, suffix, keys)


def autoscaling_role_suffix(name: str, region: str) -> str:
    """The custom suffix of the stack's Auto Scaling service-linked role: the stack and region,
    within IAM's 64 characters (``AWSServiceRoleForAutoScaling_`` takes 29)."""
    suffix = re.sub(r"[^A-Za-z0-9+=,.@_-]", "-", f"{name}-{region}")
    if len(suffix) > SERVICE_LINKED_ROLE_SUFFIX_MAX:
        digest = hashlib.sha256(suffix.encode()).hexdigest()[:8]
        suffix = f"{suffix[: SERVICE_LINKED_ROLE_SUFFIX_MAX - 9]}-{digest}"
    return suffix


@dataclass(frozen=True)
class RegionalSiteArgs:
    config: StackConfig
    region: str
    network: NetworkConfig
    # The data tier this region runs (PrimaryDataPlan or StandbyDataPlan).
    data: DataTierPlan
    # The tiers' sizes here (a standby runs its DR plan's size).
    web: TierConfig
    app: TierConfig
    # The load balancers' names: AWS allows 32 characters with the 8-character random suffix.
    web_load_balancer_name: str
    app_load_balancer_name: str
    # CloudFront fronts this region's ALB, which then admits only CloudFront.
    behind_cdn: bool = False
    # The regional certificate names ``origin-<region>.<site>``: CloudFront reaches the ALB so.
    origin_name: bool = False
    # The site's own name is validated by another region's certificate (ACM's validation
    # record is the same in every region).
    site_name_validated_elsewhere: bool = False
    # Users reach this region's ALB directly (latency records, or after a failover): the
    # edge's WAF rules on it.
    regional_waf: bool = False
    # us-east-1: CloudFront's certificate lives there.
    edge_provider: pulumi.ProviderResource | None = None
    # Made beforehand when another region's data tier needs this region's keys first.
    foundation: RegionalFoundation | None = None


class RegionalSite(pulumi.ComponentResource):
    """Every tier of the site in one region."""

    region: str
    autoscaling_role: aws.iam.ServiceLinkedRole
    keys: Keys
    network: Network
    security: SecurityGroups
    data: DataTier
    web_config: TierConfig
    app_config: TierConfig
    storage: Storage
    certificates: Certificates | None
    load_balancer: LoadBalancer
    web: AutoScaledTier
    internal_load_balancer: LoadBalancer | None
    app: AutoScaledTier | None

    def __init__(
        self, name: str, args: RegionalSiteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:site:RegionalSite", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        provider = opts.provider if opts is not None else None
        if provider is None:
            raise ValueError("a RegionalSite needs its region's provider (opts.provider)")
        self.region = args.region
        self.web_config, self.app_config = args.web, args.app

        # --- foundation -------------------------------------------------------------------
        # Validated first: a region with too few AZs must fail before anything is created.
        zones = availability_zones(self, args.network.az_count, args.region)
        foundation = args.foundation or regional_foundation(
            name, args.region, config.protect_data, self
        )
        self.autoscaling_role = foundation.autoscaling_role
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
                cdn=args.behind_cdn,
                origin_https=config.domain is not None,
                internal_alb_port=HTTPS if config.domain is not None else HTTP,
                database_proxy=args.data.uses_proxy,
            ),
            child,
        )

        # --- data tier ----------------------------------------------------------------------
        self.data = args.data.build(
            name,
            DataPlacement(
                region=args.region,
                provider=provider,
                network=self.network,
                security=self.security,
                keys=self.keys,
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
                    cdn=args.behind_cdn,
                    # CloudFront's TLS check needs its origin name on the certificate (else 502).
                    origin_name=args.origin_name,
                    app_tier=config.app_tier.enabled,
                    edge_provider=args.edge_provider,
                    validated_elsewhere=(
                        (config.domain.fqdn,) if args.site_name_validated_elsewhere else ()
                    ),
                ),
                child,
            )
            if config.domain is not None
            else None
        )
        self._load_balancing_and_compute(name, args)
        self.register_outputs(
            {
                "region": args.region,
                "vpc_id": self.network.vpc.id,
                "database_writer_endpoint": self.data.database_endpoints.writer_endpoint,
                "cache_endpoint": self.data.cache_endpoints.primary_endpoint,
                "alb_dns_name": self.load_balancer.alb.dns_name,
                "uploads_bucket": self.storage.uploads_bucket.bucket,
            }
        )

    def alb_origin(self) -> AlbOrigin:
        """How CloudFront reaches this region's public ALB: with a domain, HTTPS to
        ``origin-<region>.<site>`` (on the regional certificate, an alias record to the ALB):
        CloudFront requires a certificate name matching the origin domain or the forwarded Host,
        and requests on the *.cloudfront.net name (the primary's health check) forward no site
        name. Without a domain, HTTP to the ALB's own name. Both carry the secret header, since
        the prefix list admits every account's distributions."""
        lb = self.load_balancer
        origin_name = self.certificates.origin_fqdn if self.certificates else None
        return AlbOrigin(
            domain_name=origin_name or lb.alb.dns_name,
            https=origin_name is not None,
            header_name=lb.origin_header_name,
            header_value=lb.origin_header_value,
        )

    def _load_balancing_and_compute(self, name: str, args: RegionalSiteArgs) -> None:
        """The public ALB and web tier; with appTier.enabled, the internal ALB and app tier."""
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        app_subnets = [s.id for s in self.network.app_subnets]
        access_logs = AccessLogs(
            bucket=self.storage.log_bucket.bucket,
            prefix=self.storage.alb_log_prefix,
            bucket_policy=self.storage.log_bucket_policy,
        )

        def tier(
            tier_name: str,
            role: TierRole,
            load_balancer: LoadBalancer,
            group_id: pulumi.Input[str],
            app_tier_url: pulumi.Input[str] | None = None,
        ) -> AutoScaledTier:
            # Browsers reach the web tier over HTTPS through the CDN or the domain's
            # certificate; a plain-HTTP site (neither) cannot keep a Secure cookie. The app tier
            # is reached over HTTPS only with a domain (the internal ALB's certificate). A
            # standby's web tier is reached through the primary's CloudFront too.
            https = config.domain is not None or (role == "web" and config.cdn.enabled)
            return AutoScaledTier(
                tier_name,
                AutoScaledTierArgs(
                    tier=self.web_config if role == "web" else self.app_config,
                    role=role,
                    region=args.region,
                    subnet_ids=app_subnets,
                    security_group_ids=[group_id],
                    data_key_arn=self.keys.data.arn,
                    target_group_arn=load_balancer.target_group.arn,
                    request_count_label=load_balancer.request_count_label,
                    database=self.data.database_endpoints,
                    cache=self.data.cache_endpoints,
                    uploads_bucket_name=self.storage.uploads_bucket.bucket,
                    uploads_bucket_arn=self.storage.uploads_bucket.arn,
                    secure_cookies=https,
                    app_tier_url=app_tier_url,
                    service_linked_role_arn=self.autoscaling_role.arn,
                ),
                child,
            )

        regional_certificate = (
            self.certificates.regional_certificate_arn if self.certificates else None
        )
        self.load_balancer = LoadBalancer(
            args.web_load_balancer_name,
            LoadBalancerArgs(
                tier=self.web_config,
                vpc_id=self.network.vpc.id,
                subnet_ids=[s.id for s in self.network.public_subnets],
                security_group_ids=[g.id for g in self.security.public_alb_groups],
                deletion_protection=config.is_production,
                certificate_arn=regional_certificate,
                cloudfront_only=args.behind_cdn,
                access_logs=access_logs,
                web_acl=args.regional_waf,
            ),
            child,
        )
        self.internal_load_balancer = self.app = None
        if self.security.internal_alb is not None and self.security.app is not None:
            self.internal_load_balancer = LoadBalancer(
                args.app_load_balancer_name,
                LoadBalancerArgs(
                    tier=self.app_config,
                    vpc_id=self.network.vpc.id,
                    subnet_ids=app_subnets,
                    security_group_ids=[self.security.internal_alb.id],
                    internal=True,
                    deletion_protection=config.is_production,
                    certificate_arn=regional_certificate,
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
