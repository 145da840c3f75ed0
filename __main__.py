"""webstack: a highly-available AWS web stack. Composition only: config in, stack out."""

import pulumi

from components import config as stack_config
from components.config.loader import refuse_unbuilt
from components.dr.disaster_recovery import DisasterRecovery, DisasterRecoveryArgs, no_dr_outputs
from components.providers import aws_provider
from components.stack import WebStack, WebStackArgs

config = stack_config.from_pulumi()
refuse_unbuilt(config)
name = f"{config.project}-{config.stack}"

primary_provider = aws_provider("primary", config.region, config)
edge_provider = (
    primary_provider
    if config.region == "us-east-1"
    else aws_provider("edge-us-east-1", "us-east-1", config)
)
# The DR mirror is made first (its region's keys), built by the primary between its compute and
# its CDN (the origin group), and finished once the primary exists (Route 53 records, outputs).
mirror = (
    DisasterRecovery(
        f"{name}-dr",
        DisasterRecoveryArgs(
            config=config,
            site_name=name,
            primary_provider=primary_provider,
            edge_provider=edge_provider,
        ),
        pulumi.ResourceOptions(provider=aws_provider("dr", config.dr.region, config)),
    )
    if config.dr.enabled
    else None
)
site = WebStack(
    name,
    WebStackArgs(
        config=config,
        region=config.region,
        network=config.network,
        edge_provider=edge_provider,
        mirror=mirror,
    ),
    pulumi.ResourceOptions(provider=primary_provider),
)
if mirror is not None:
    mirror.finish(site)

# --- exports: the outputs contract of ops/outputs.py (the ops runbook CLI parses exactly these)
database, cache = site.database_endpoints, site.cache_endpoints
pulumi.export("project", config.project)
pulumi.export("stack", config.stack)
pulumi.export("environment", config.environment.value)
pulumi.export("allowedAccountIds", list(config.allowed_account_ids))
pulumi.export("primary", site.outputs)
pulumi.export("dr", mirror.outputs if mirror is not None else no_dr_outputs())

pulumi.export("region", config.region)
pulumi.export("vpcId", site.network.vpc.id)
pulumi.export("availabilityZones", site.network.availability_zones)
pulumi.export("publicSubnetIds", [s.id for s in site.network.public_subnets])
pulumi.export("appSubnetIds", [s.id for s in site.network.app_subnets])
pulumi.export("dataSubnetIds", [s.id for s in site.network.data_subnets])
pulumi.export(
    "securityGroupIds",
    {
        "publicAlb": site.security.public_alb.id,
        "web": site.security.web.id,
        "database": site.security.database.id,
        "cache": site.security.cache.id,
    },
)

# The data tier: where applications connect; credentials stay in Secrets Manager.
pulumi.export("databaseEndpoint", site.database.writer_endpoint if site.database else None)
pulumi.export("databaseReaderEndpoint", site.database.reader_endpoint if site.database else None)
pulumi.export("databasePort", database.port)
pulumi.export("databaseSecretArn", database.secret_arn)
pulumi.export("databaseProxyEndpoint", site.database.proxy_endpoint if site.database else None)
pulumi.export("cacheEndpoint", cache.primary_endpoint)
pulumi.export("cacheReaderEndpoint", site.cache.reader_endpoint if site.cache else None)
pulumi.export("cachePort", cache.port)
pulumi.export("cacheAuthSecretArn", cache.auth_secret_arn)

# Load balancing and compute.
pulumi.export("albDnsName", site.load_balancer.alb.dns_name)
pulumi.export("webAsgName", site.web.group.name)
if site.app is not None and site.internal_load_balancer is not None:
    pulumi.export("appAsgName", site.app.group.name)
    pulumi.export("internalAlbDnsName", site.internal_load_balancer.alb.dns_name)

# The edge: where users go, and what operators watch.
if config.domain is not None:
    pulumi.export("siteUrl", f"https://{config.domain.fqdn}")
elif site.cdn is not None:
    pulumi.export("siteUrl", site.cdn.distribution.domain_name.apply(lambda d: f"https://{d}"))
else:
    pulumi.export("siteUrl", site.load_balancer.alb.dns_name.apply(lambda d: f"http://{d}"))
pulumi.export("cloudFrontDomain", site.cdn.distribution.domain_name if site.cdn else None)
pulumi.export("uploadsBucketName", site.storage.uploads_bucket.bucket)
pulumi.export("dashboardName", site.monitoring.dashboard.dashboard_name)
pulumi.export("alarmTopicArn", site.monitoring.topic.arn)
