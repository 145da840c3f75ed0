"""The Cache component on its own network, without the program's refusals.

The program refuses ``cache.engine: memcached`` (the app speaks only the Redis protocol), but the
component still builds a Memcached cluster; this keeps that path tested.
"""

import pulumi

from components import config as stack_config
from components.data.cache import Cache, CacheArgs
from components.foundation.keys import Keys, KeysArgs
from components.foundation.network import Network, NetworkArgs
from components.foundation.security import SecurityGroups, SecurityGroupsArgs

config = stack_config.from_pulumi()
name = f"{config.project}-{config.stack}"
keys = Keys(name, KeysArgs(region=config.region, protect=config.protect_data))
network = Network(
    name,
    NetworkArgs(config=config.network, region=config.region, flow_logs_key_arn=keys.logs.arn),
)
security = SecurityGroups(
    name,
    SecurityGroupsArgs(
        vpc_id=network.vpc.id,
        web_port=config.web.port,
        database_port=config.database.port,
        cache_port=config.cache.port,
    ),
)
cache = Cache(
    name,
    CacheArgs(
        config=config.cache,
        subnet_ids=[s.id for s in network.data_subnets],
        security_group_id=security.cache.id,
        kms_key_arn=keys.data.arn,
        logs_key_arn=keys.logs.arn,
        protect=config.protect_data,
    ),
)
pulumi.export("cacheEndpoint", cache.primary_endpoint)
pulumi.export("cachePort", cache.port)
pulumi.export("cacheAuthSecretArn", cache.auth_secret_arn)
