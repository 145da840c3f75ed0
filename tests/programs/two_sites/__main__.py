"""The whole site twice: a primary in us-east-1 and a standby in us-west-2, each a RegionalSite
with its own CloudFront and monitoring (as components.site.Site fronts a primary). Used by the
delivery tests (picture and cost per region)."""

import pulumi

from components import config as stack_config
from components.config.models import NetworkConfig
from components.data.tier import PrimaryDataPlan
from components.edge.cdn import Cdn, CdnArgs
from components.monitoring import Monitoring, MonitoringArgs, ScaledTier
from components.providers import aws_provider
from components.site import RegionalSite, RegionalSiteArgs
from components.site.site import uploads_bucket_policy

config = stack_config.from_pulumi()
name = f"{config.project}-{config.stack}"
edge = aws_provider("primary", "us-east-1", config)
for region, site, cidr, provider in (
    ("us-east-1", name, "10.10.0.0/16", edge),
    ("us-west-2", f"{name}-dr", "10.11.0.0/16", aws_provider("standby", "us-west-2", config)),
):
    regional = RegionalSite(
        site,
        RegionalSiteArgs(
            config=config,
            region=region,
            network=NetworkConfig.model_validate(
                {"cidr": cidr, "azCount": 2, "natGateways": "single"}
            ),
            data=PrimaryDataPlan(config=config),
            web=config.web,
            app=config.app_tier,
            web_load_balancer_name=f"{site}-web",
            app_load_balancer_name=f"{site}-app",
            behind_cdn=config.cdn.enabled,
            origin_name=config.cdn.enabled,
            edge_provider=edge,
        ),
        pulumi.ResourceOptions(provider=provider),
    )
    storage = regional.storage
    cdn = Cdn(
        site,
        CdnArgs(
            config=config.cdn,
            alb=regional.alb_origin(),
            files_bucket_regional_domain_name=storage.uploads_bucket.bucket_regional_domain_name,
            log_bucket_domain_name=storage.log_bucket.bucket_domain_name,
            log_prefix=storage.cloudfront_log_prefix,
            edge_provider=edge,
            log_bucket_dependencies=(storage.log_bucket_ownership, storage.log_bucket_acl),
        ),
        pulumi.ResourceOptions(provider=provider),
    )
    uploads_bucket_policy(site, storage, cdn.distribution.arn)
    Monitoring(
        site,
        MonitoringArgs(
            region=region,
            logs_key_arn=regional.keys.logs.arn,
            alb_arn_suffix=regional.load_balancer.alb.arn_suffix,
            target_group_arn_suffix=regional.load_balancer.target_group.arn_suffix,
            tiers=(ScaledTier("web", regional.web.group.name, regional.web_config.min_size),),
            distribution_id=cdn.distribution.id,
            edge_provider=edge,
        ),
        pulumi.ResourceOptions(provider=provider),
    )
pulumi.export("region", "us-east-1")
