"""WebStack: the whole site in one region, composed from the concern components.

Order follows the dependencies: keys -> network -> security groups -> data tier -> files and
certificates -> load balancers and instance tiers -> CDN -> DNS records -> monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.config import NetworkConfig, StackConfig
from components.keys import Keys, KeysArgs
from components.network import Network, NetworkArgs, availability_zones
from components.security import SecurityGroups, SecurityGroupsArgs


@dataclass(frozen=True)
class WebStackArgs:
    config: StackConfig
    region: str
    network: NetworkConfig
    # us-east-1: CloudFront's certificate, WAF and CloudFront metrics live there.
    edge_provider: pulumi.ProviderResource | None = None


class WebStack(pulumi.ComponentResource):
    """Every tier of the site in one region."""

    keys: Keys
    network: Network
    security: SecurityGroups

    def __init__(
        self, name: str, args: WebStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:stack:WebStack", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)

        # --- foundation -------------------------------------------------------------------
        # Validated first: a region with too few AZs must fail before anything is created.
        zones = availability_zones(self, args.network.az_count, args.region)
        self.keys = Keys(name, KeysArgs(region=args.region, protect=config.protect_data), child)
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
                database_proxy=config.database.proxy,
            ),
            child,
        )

        # --- data tier ----------------------------------------------------------------------

        # --- files, certificates, load balancing and compute --------------------------------

        # --- edge: CDN, DNS records, monitoring ---------------------------------------------

        self.register_outputs({"vpc_id": self.network.vpc.id})
