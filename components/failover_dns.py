"""Route 53 traffic across the two regions: health checks and failover or latency records.

One HTTPS health check on ``/healthz`` per region endpoint (with SNI, so the endpoint's
certificate for the checked name is served), at the interval and failure threshold that
``dr_objectives`` counts into the RTO. Then either:

- failover: exactly one PRIMARY record (the primary region) and one SECONDARY record (the DR
  region) for the name, each with its ``set_identifier`` and its region's health check; or
- latency: one latency record per region, each with its ``set_identifier`` and health check.

Records are aliases to what each region exposes (its ALB, or a CloudFront distribution); Route 53
health checks and records are global, so they are created with the primary region's provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.dr_objectives import (
    HEALTH_CHECK_FAILURE_THRESHOLD,
    HEALTH_CHECK_INTERVAL_SECONDS,
    TrafficMode,
)

HEALTH_CHECK_PATH = "/healthz"
HTTPS_PORT = 443


@dataclass(frozen=True)
class RegionEndpoint:
    region: str
    # An HTTPS name served by this region alone (e.g. origin-<region>.<domain>, on the regional
    # certificate), so the check tests this region and not whichever one DNS prefers.
    health_check_fqdn: pulumi.Input[str]
    # The alias target: an ALB's DNS name and zone, or a CloudFront domain and its zone.
    alias_name: pulumi.Input[str]
    alias_zone_id: pulumi.Input[str]
    # Route 53 cannot evaluate a CloudFront distribution's health: False for CloudFront.
    evaluate_target_health: bool = True


@dataclass(frozen=True)
class FailoverDnsArgs:
    zone_id: pulumi.Input[str]
    record_name: str
    routing: TrafficMode
    primary: RegionEndpoint
    secondary: RegionEndpoint
    # The simple A record the name had before it was routed across regions (a stack switching
    # from dr.strategy none): the PRIMARY record takes it over, so Pulumi changes that record
    # instead of creating a failover record beside it, which Route 53 refuses.
    replaces: pulumi.Alias | None = None


@dataclass(frozen=True)
class RecordDescription:
    """One routed record, as the stack outputs describe it to operators."""

    set_identifier: str
    region: str
    failover: str | None  # PRIMARY / SECONDARY, None for latency records
    record: aws.route53.Record
    health_check: aws.route53.HealthCheck


class FailoverDns(pulumi.ComponentResource):
    """Health-checked Route 53 records that move the site's name between regions."""

    health_checks: dict[str, aws.route53.HealthCheck]
    records: list[RecordDescription]

    def __init__(
        self, name: str, args: FailoverDnsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:failover_dns:FailoverDns", name, None, opts)
        if args.routing is TrafficMode.NONE:
            raise ValueError("FailoverDns needs failover or latency routing, not none")
        if args.primary.region == args.secondary.region:
            raise ValueError(f"both endpoints are in {args.primary.region}; need two regions")
        child = pulumi.ResourceOptions(parent=self)
        endpoints = (args.primary, args.secondary)

        self.health_checks = {
            endpoint.region: aws.route53.HealthCheck(
                f"{name}-health-{endpoint.region}",
                type="HTTPS",
                fqdn=endpoint.health_check_fqdn,
                port=HTTPS_PORT,
                resource_path=HEALTH_CHECK_PATH,
                enable_sni=True,
                request_interval=HEALTH_CHECK_INTERVAL_SECONDS,
                failure_threshold=HEALTH_CHECK_FAILURE_THRESHOLD,
                measure_latency=args.routing is TrafficMode.LATENCY,
                tags={"Name": f"{name}-{endpoint.region}"},
                opts=child,
            )
            for endpoint in endpoints
        }

        self.records = []
        for role, endpoint in zip(("primary", "secondary"), endpoints, strict=True):
            health_check = self.health_checks[endpoint.region]
            failover = role.upper() if args.routing is TrafficMode.FAILOVER else None
            # Failover records name their role; latency records are told apart by region.
            set_identifier = f"{role}-{endpoint.region}" if failover else endpoint.region
            record = aws.route53.Record(
                f"{name}-{role}",
                zone_id=args.zone_id,
                name=args.record_name,
                type="A",
                set_identifier=set_identifier,
                health_check_id=health_check.id,
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=endpoint.alias_name,
                        zone_id=endpoint.alias_zone_id,
                        evaluate_target_health=endpoint.evaluate_target_health,
                    )
                ],
                failover_routing_policies=(
                    [aws.route53.RecordFailoverRoutingPolicyArgs(type=failover)]
                    if failover
                    else None
                ),
                latency_routing_policies=(
                    None
                    if failover
                    else [aws.route53.RecordLatencyRoutingPolicyArgs(region=endpoint.region)]
                ),
                opts=(
                    pulumi.ResourceOptions.merge(
                        child,
                        pulumi.ResourceOptions(
                            aliases=[args.replaces],
                            # If the change replaces the record, the simple one must be gone
                            # before the routed one can exist.
                            delete_before_replace=True,
                        ),
                    )
                    if args.replaces is not None and endpoint is args.primary
                    else child
                ),
            )
            self.records.append(
                RecordDescription(set_identifier, endpoint.region, failover, record, health_check)
            )
        self.register_outputs(
            {
                "record_name": args.record_name,
                "routing": args.routing.value,
                "health_check_ids": {r: hc.id for r, hc in self.health_checks.items()},
                "set_identifiers": [r.set_identifier for r in self.records],
            }
        )
