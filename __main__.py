"""webstack: a highly-available AWS web stack. Composition only: config in, stack out."""

import pulumi

from components import config as stack_config
from components.providers import aws_provider
from components.stack import WebStack, WebStackArgs

config = stack_config.from_pulumi()
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
