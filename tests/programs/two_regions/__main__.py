"""Two copies of the foundation in two regions, as the disaster-recovery mirror will build."""

import pulumi

from components import config as stack_config
from components.config.models import NetworkConfig
from components.foundation.keys import Keys, KeysArgs
from components.foundation.network import Network, NetworkArgs
from components.foundation.security import SecurityGroups, SecurityGroupsArgs
from components.providers import aws_provider

config = stack_config.from_pulumi()
for region, name, cidr in (
    ("us-east-1", "site", "10.0.0.0/16"),
    ("us-west-2", "site-dr", "10.1.0.0/16"),
):
    provider = aws_provider(f"aws-{region}", region, config)
    opts = pulumi.ResourceOptions(provider=provider)
    keys = Keys(name, KeysArgs(region=region), opts)
    network = Network(
        name,
        NetworkArgs(
            config=NetworkConfig.model_validate({"cidr": cidr, "azCount": 2}),
            region=region,
            flow_logs_key_arn=keys.logs.arn,
        ),
        opts,
    )
    SecurityGroups(
        name,
        SecurityGroupsArgs(vpc_id=network.vpc.id, web_port=80, database_port=5432, cache_port=6379),
        opts,
    )
