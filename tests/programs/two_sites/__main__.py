"""The whole site twice: a primary in us-east-1 and a standby in us-west-2, as a
disaster-recovery stack will build it. Used by the delivery tests (picture and cost per region)."""

import pulumi

from components import config as stack_config
from components.config.models import NetworkConfig
from components.providers import aws_provider
from components.stack import WebStack, WebStackArgs

config = stack_config.from_pulumi()
name = f"{config.project}-{config.stack}"
edge = aws_provider("primary", "us-east-1", config)
for region, site, cidr, provider in (
    ("us-east-1", name, "10.10.0.0/16", edge),
    ("us-west-2", f"{name}-dr", "10.11.0.0/16", aws_provider("standby", "us-west-2", config)),
):
    WebStack(
        site,
        WebStackArgs(
            config=config,
            region=region,
            network=NetworkConfig.model_validate(
                {"cidr": cidr, "azCount": 2, "natGateways": "single"}
            ),
            edge_provider=edge,
        ),
        pulumi.ResourceOptions(provider=provider),
    )
pulumi.export("region", "us-east-1")
