"""webstack: a highly-available AWS web stack. Composition only: config in, stack out."""

import pulumi

from components import config as stack_config
from components.config.loader import refuse_unbuilt
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
site = WebStack(
    name,
    WebStackArgs(
        config=config,
        region=config.region,
        network=config.network,
        edge_provider=edge_provider,
    ),
    pulumi.ResourceOptions(provider=primary_provider),
)

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
pulumi.export("databaseEndpoint", site.database.writer_endpoint)
pulumi.export("databaseReaderEndpoint", site.database.reader_endpoint)
pulumi.export("databasePort", site.database.port)
pulumi.export("databaseSecretArn", site.database.secret_arn)
pulumi.export("databaseProxyEndpoint", site.database.proxy_endpoint)
pulumi.export("cacheEndpoint", site.cache.primary_endpoint)
pulumi.export("cacheReaderEndpoint", site.cache.reader_endpoint)
pulumi.export("cachePort", site.cache.port)
pulumi.export("cacheAuthSecretArn", site.cache.auth_secret_arn)

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
