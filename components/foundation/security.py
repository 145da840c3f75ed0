"""Security groups chained tier to tier: each admits only the tier in front of it.

world -> (CloudFront prefix list | 80/443) -> public ALB -> web instances
web -> internal ALB -> app instances (when the app tier is on)
web/app (or the RDS Proxy) -> database; web/app -> cache
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
HTTP, HTTPS = 80, 443
INTERNAL_ALB_PORT = 80


@dataclass(frozen=True)
class SecurityGroupsArgs:
    vpc_id: pulumi.Input[str]
    web_port: int
    database_port: int
    cache_port: int
    app_tier: bool = False
    app_port: int = 8080
    cdn: bool = True
    # CloudFront reaches the ALB over HTTPS when the ALB has a certificate (a domain is set),
    # otherwise over HTTP with the secret origin header.
    origin_https: bool = False
    # With a certificate for its name (a domain is set) the internal ALB serves HTTPS on 443.
    internal_alb_port: int = INTERNAL_ALB_PORT
    database_proxy: bool = False


class SecurityGroups(pulumi.ComponentResource):
    """One group per tier, with one described rule resource per allowed flow."""

    public_alb: aws.ec2.SecurityGroup
    cloudfront_origin: aws.ec2.SecurityGroup | None
    web: aws.ec2.SecurityGroup
    internal_alb: aws.ec2.SecurityGroup | None
    app: aws.ec2.SecurityGroup | None
    database: aws.ec2.SecurityGroup
    database_proxy: aws.ec2.SecurityGroup | None
    cache: aws.ec2.SecurityGroup

    def __init__(
        self, name: str, args: SecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:security:SecurityGroups", name, None, opts)
        self._name = name
        self._vpc_id = args.vpc_id

        self.public_alb = self._group("public-alb", "Internet-facing load balancer")
        self.web = self._group("web", "Web tier instances")
        self.database = self._group("database", "Database: no egress, ingress from callers only")
        self.cache = self._group("cache", "Cache: no egress, ingress from callers only")
        self.cloudfront_origin = None
        self.internal_alb = self.app = self.database_proxy = None

        if args.cdn:
            # A prefix-list reference counts as its max entries (55) against the group's quota
            # of 60 rules: it gets a group of its own, and only the one port CloudFront uses.
            prefix_list = aws.ec2.get_managed_prefix_list_output(
                name=CLOUDFRONT_ORIGIN_FACING, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            self.cloudfront_origin = self._group(
                "cloudfront-origin", "Only CloudFront's origin-facing servers reach the ALB"
            )
            port = HTTPS if args.origin_https else HTTP
            self._ingress(
                self.cloudfront_origin,
                f"cloudfront-{port}",
                port,
                f"CloudFront origin-facing servers on {port}",
                prefix_list_id=prefix_list.id,
            )
        else:
            for port in (HTTP, HTTPS):
                self._ingress(
                    self.public_alb,
                    f"world-ipv4-{port}",
                    port,
                    f"Public web traffic on {port} (IPv4)",
                    cidr_ipv4="0.0.0.0/0",
                )
                self._ingress(
                    self.public_alb,
                    f"world-ipv6-{port}",
                    port,
                    f"Public web traffic on {port} (IPv6)",
                    cidr_ipv6="::/0",
                )

        self._flow(
            self.public_alb,
            self.web,
            args.web_port,
            "public-alb-to-web",
            "Load balancer forwards to web instances",
        )

        callers = [("web", self.web)]
        if args.app_tier:
            self.internal_alb = self._group(
                "internal-alb", "Internal load balancer of the app tier"
            )
            self.app = self._group("app", "App tier instances")
            self._flow(
                self.web,
                self.internal_alb,
                args.internal_alb_port,
                "web-to-internal-alb",
                "Web tier calls the app tier through the internal load balancer",
            )
            self._flow(
                self.internal_alb,
                self.app,
                args.app_port,
                "internal-alb-to-app",
                "Internal load balancer forwards to app instances",
            )
            callers.append(("app", self.app))

        database_entry = self.database
        if args.database_proxy:
            self.database_proxy = self._group(
                "database-proxy", "RDS Proxy in front of the database"
            )
            self._flow(
                self.database_proxy,
                self.database,
                args.database_port,
                "proxy-to-database",
                "RDS Proxy connects to the database",
            )
            database_entry = self.database_proxy

        for caller_name, caller in callers:
            self._flow(
                caller,
                database_entry,
                args.database_port,
                f"{caller_name}-to-database",
                f"{caller_name} tier queries the database",
            )
            self._flow(
                caller,
                self.cache,
                args.cache_port,
                f"{caller_name}-to-cache",
                f"{caller_name} tier reads and writes the cache",
            )
            # Package repositories, SSM, Secrets Manager and other AWS APIs are HTTPS endpoints.
            self._egress(
                caller,
                f"{caller_name}-https-out",
                HTTPS,
                "HTTPS to AWS APIs and package repositories",
                cidr_ipv4="0.0.0.0/0",
            )

        self.register_outputs(
            {
                "public_alb_id": self.public_alb.id,
                "web_id": self.web.id,
                "database_id": self.database.id,
                "cache_id": self.cache.id,
            }
        )

    @property
    def public_alb_groups(self) -> list[aws.ec2.SecurityGroup]:
        """The groups the internet-facing ALB carries."""
        return [g for g in (self.public_alb, self.cloudfront_origin) if g is not None]

    def _group(self, tier: str, description: str) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            f"{self._name}-{tier}",
            vpc_id=self._vpc_id,
            description=description,
            revoke_rules_on_delete=True,
            tags={"Name": f"{self._name}-{tier}", "Tier": tier},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _flow(
        self,
        source: aws.ec2.SecurityGroup,
        target: aws.ec2.SecurityGroup,
        port: int,
        label: str,
        description: str,
    ) -> None:
        """Allow source -> target on port: an egress rule on one side, an ingress on the other."""
        self._egress(source, label, port, description, referenced_security_group_id=target.id)
        self._ingress(target, label, port, description, referenced_security_group_id=source.id)

    def _ingress(
        self,
        group: aws.ec2.SecurityGroup,
        label: str,
        port: int,
        description: str,
        **peer: pulumi.Input[str],
    ) -> None:
        self._rule(aws.vpc.SecurityGroupIngressRule, "in", group, label, port, description, peer)

    def _egress(
        self,
        group: aws.ec2.SecurityGroup,
        label: str,
        port: int,
        description: str,
        **peer: pulumi.Input[str],
    ) -> None:
        self._rule(aws.vpc.SecurityGroupEgressRule, "out", group, label, port, description, peer)

    def _rule(
        self,
        rule: type[aws.vpc.SecurityGroupIngressRule] | type[aws.vpc.SecurityGroupEgressRule],
        direction: str,
        group: aws.ec2.SecurityGroup,
        label: str,
        port: int,
        description: str,
        peer: dict[str, pulumi.Input[str]],
    ) -> None:
        """One described rule resource: a single TCP port to one peer."""
        rule(
            f"{self._name}-{direction}-{label}",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=description,
            opts=pulumi.ResourceOptions(parent=self),
            **peer,
        )
