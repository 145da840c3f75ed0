"""The VPC: public, app and data subnets in every AZ, NAT, endpoints and flow logs.

Subnet layout (deterministic, see ``NetworkConfig.subnet_cidr``): the VPC block is cut into 32
equal slots. Public subnets take slots 0-7, app (private) subnets 8-15 and data (isolated)
subnets 16-23, one per AZ in AZ order; slots 24-31 are left for future tiers. For 10.0.0.0/16:
public 10.0.0.0/21, 10.0.8.0/21, ...; app 10.0.64.0/21, ...; data 10.0.128.0/21, ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.errors import ConfigError
from components.config.models import NetworkConfig
from components.config.values import NatGateways
from components.foundation.logs import encrypted_log_group
from components.naming import PROJECT, log_group_name
from components.policy_documents import document_output, service_trust

TIERS = ("public", "app", "data")


@dataclass(frozen=True)
class NetworkArgs:
    config: NetworkConfig
    region: str
    flow_logs_key_arn: pulumi.Input[str]
    # Looked up by the caller before it creates anything, so a bad azCount fails the run before
    # any resource exists; looked up here (through this component's provider) when absent.
    availability_zones: Sequence[str] | None = None


def availability_zones(parent: pulumi.Resource, count: int, region: str) -> list[str]:
    """The first ``count`` AZs the parent's provider offers, or a ConfigError naming them."""
    zones = aws.get_availability_zones(
        state="available",
        filters=[
            aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])
        ],
        opts=pulumi.InvokeOptions(parent=parent),
    )
    if len(zones.names) < count:
        raise ConfigError(
            f"{PROJECT}:network.azCount is {count}; accepted: at most "
            f"{len(zones.names)}, the AZs {region} offers ({', '.join(zones.names)})"
        )
    return list(zones.names[:count])


class Network(pulumi.ComponentResource):
    """A multi-AZ VPC. Data subnets have no route out; app subnets leave through NAT."""

    vpc: aws.ec2.Vpc
    availability_zones: list[str]
    public_subnets: list[aws.ec2.Subnet]
    app_subnets: list[aws.ec2.Subnet]
    data_subnets: list[aws.ec2.Subnet]
    nat_gateways: list[aws.ec2.NatGateway]
    flow_log_group: aws.cloudwatch.LogGroup

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        config = args.config

        self.availability_zones = list(
            args.availability_zones or availability_zones(self, config.az_count, args.region)
        )

        self.vpc = aws.ec2.Vpc(
            name,
            cidr_block=str(config.cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": name},
            opts=child,
        )
        # A VPC's default group allows all traffic between its members; strip it so nothing
        # that lands in it by accident can talk to anything.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": f"{name}-default-unused"},
            opts=child,
        )

        subnets: dict[str, list[aws.ec2.Subnet]] = {tier: [] for tier in TIERS}
        for index, zone in enumerate(self.availability_zones):
            for tier in TIERS:
                subnets[tier].append(
                    aws.ec2.Subnet(
                        f"{name}-{tier}-{zone}",
                        vpc_id=self.vpc.id,
                        cidr_block=config.subnet_cidr(tier, index),
                        availability_zone=zone,
                        map_public_ip_on_launch=False,
                        tags={"Name": f"{name}-{tier}-{zone}", "Tier": tier},
                        opts=child,
                    )
                )
        self.public_subnets = subnets["public"]
        self.app_subnets = subnets["app"]
        self.data_subnets = subnets["data"]

        internet_gateway = aws.ec2.InternetGateway(
            name, vpc_id=self.vpc.id, tags={"Name": name}, opts=child
        )
        public_routes = aws.ec2.RouteTable(
            f"{name}-public", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}, opts=child
        )
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public_routes.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=internet_gateway.id,
            opts=child,
        )
        for zone, subnet in zip(self.availability_zones, self.public_subnets, strict=True):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}",
                subnet_id=subnet.id,
                route_table_id=public_routes.id,
                opts=child,
            )

        nat_zones = (
            self.availability_zones
            if config.nat_gateways is NatGateways.PER_AZ
            else self.availability_zones[:1]
        )
        self.nat_gateways = []
        for zone, subnet in zip(nat_zones, self.public_subnets, strict=False):
            address = aws.ec2.Eip(
                f"{name}-nat-{zone}",
                domain="vpc",
                tags={"Name": f"{name}-nat-{zone}"},
                opts=child,
            )
            self.nat_gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-{zone}",
                    allocation_id=address.id,
                    subnet_id=subnet.id,
                    tags={"Name": f"{name}-{zone}"},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[internet_gateway]),
                )
            )

        app_route_tables = []
        for index, (zone, subnet) in enumerate(
            zip(self.availability_zones, self.app_subnets, strict=True)
        ):
            nat = self.nat_gateways[index if len(self.nat_gateways) > 1 else 0]
            table = aws.ec2.RouteTable(
                f"{name}-app-{zone}",
                vpc_id=self.vpc.id,
                tags={"Name": f"{name}-app-{zone}"},
                opts=child,
            )
            aws.ec2.Route(
                f"{name}-app-{zone}-nat",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-app-{zone}", subnet_id=subnet.id, route_table_id=table.id, opts=child
            )
            app_route_tables.append(table)

        # Data subnets keep only the VPC's local route: nothing in them can reach the internet.
        data_routes = aws.ec2.RouteTable(
            f"{name}-data", vpc_id=self.vpc.id, tags={"Name": f"{name}-data"}, opts=child
        )
        for zone, subnet in zip(self.availability_zones, self.data_subnets, strict=True):
            aws.ec2.RouteTableAssociation(
                f"{name}-data-{zone}",
                subnet_id=subnet.id,
                route_table_id=data_routes.id,
                opts=child,
            )

        # S3 traffic from the app tier stays on the AWS network and off the NAT bill.
        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[t.id for t in app_route_tables],
            tags={"Name": f"{name}-s3"},
            opts=child,
        )

        self.flow_log_group = encrypted_log_group(
            f"{name}-flow-logs",
            log_group_name=log_group_name(name, "vpc-flow-logs"),
            kms_key_arn=args.flow_logs_key_arn,
            retention_days=config.flow_log_retention_days,
            opts=child,
        )
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        flow_role = aws.iam.Role(
            f"{name}-flow-logs",
            assume_role_policy=service_trust("vpc-flow-logs.amazonaws.com", identity.account_id),
            description="Lets VPC Flow Logs write to its log group",
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=flow_role.id,
            policy=document_output(
                {
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                    ],
                    "Resource": self.flow_log_group.arn.apply(lambda arn: [arn, f"{arn}:*"]),
                }
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            name,
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=flow_role.arn,
            max_aggregation_interval=60,
            tags={"Name": name},
            opts=child,
        )

        self.register_outputs(
            {
                "vpc_id": self.vpc.id,
                "public_subnet_ids": [s.id for s in self.public_subnets],
                "app_subnet_ids": [s.id for s in self.app_subnets],
                "data_subnet_ids": [s.id for s in self.data_subnets],
            }
        )
