"""Route 53 traffic across the two regions: health checks and failover or latency records.

One HTTPS health check on ``/healthz`` per region endpoint (with SNI, so the endpoint's
certificate for the checked name is served), at the interval and failure threshold that
``dr_objectives`` counts into the RTO. Then either:

- failover: exactly one PRIMARY record (the primary region) and one SECONDARY record (the DR
  region) for the name, each with its ``set_identifier`` and its region's health check; or
- latency: one latency record per region, each with its ``set_identifier`` and health check.

The primary region's record carries a calculated check instead: its endpoint check AND a traffic
switch, a CloudWatch alarm in the DR region that a CLOUDWATCH_METRIC check follows. The runbook
holds the primary out by putting 0 in the switch's metric from the DR region, so moving users
needs neither the failed region nor Route 53's control plane (in us-east-1): AWS's
fault-isolation guidance for recovery is data-plane actions only. The hold is durable: the alarm
keeps its state while no data comes (``treat_missing_data=ignore``), and the check keeps its last
verdict when CloudWatch has too little data (``LastKnownStatus``; a new check starts healthy).

Records are aliases to what each region exposes (its ALB, or a CloudFront distribution); Route 53
health checks and records are global, so they are created with the primary region's provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.dr_objectives import (
    HEALTH_CHECK_FAILURE_THRESHOLD,
    HEALTH_CHECK_INTERVAL_SECONDS,
    TrafficMode,
)

HEALTH_CHECK_PATH = "/healthz"
HTTPS_PORT = 443
# The traffic switch's metric: 1 serve the primary region, 0 hold it out (ops writes it).
SWITCH_NAMESPACE = "webstack/TrafficSwitch"
SWITCH_METRIC = "ServePrimary"
SWITCH_PERIOD_SECONDS = 60


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
    # The region (and its provider) where the traffic switch's alarm lives: the DR region, so
    # the switch works while the primary region is gone.
    switch_region: str
    switch_provider: pulumi.ProviderResource
    # The simple A record the name had before it was routed across regions (a stack switching
    # from dr.strategy none): the PRIMARY record takes it over, so Pulumi changes that record
    # instead of creating a failover record beside it, which Route 53 refuses.
    replaces: Sequence[pulumi.Alias | str] = ()


@dataclass(frozen=True)
class RecordDescription:
    """One routed record, as the stack outputs describe it to operators."""

    set_identifier: str
    region: str
    failover: str | None  # PRIMARY / SECONDARY, None for latency records
    record: aws.route53.Record
    health_check: aws.route53.HealthCheck  # the endpoint probe: Route 53's verdict on the region
    # The check the record carries when it is not the probe (the primary's calculated check).
    record_health_check: aws.route53.HealthCheck | None = None


@dataclass(frozen=True)
class TrafficSwitchDescription:
    """The traffic switch, as the stack outputs describe it to operators (dr.dns.trafficSwitch)."""

    region: str
    namespace: str
    metric_name: str
    dimensions: dict[str, str]
    alarm: aws.cloudwatch.MetricAlarm
    health_check: aws.route53.HealthCheck


class FailoverDns(pulumi.ComponentResource):
    """Health-checked Route 53 records that move the site's name between regions."""

    health_checks: dict[str, aws.route53.HealthCheck]
    records: list[RecordDescription]
    switch: TrafficSwitchDescription

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

        self.switch = self._traffic_switch(name, args, child)
        # Serving needs both: the endpoint passing, and the switch not holding it out.
        primary_gate = aws.route53.HealthCheck(
            f"{name}-serve-{args.primary.region}",
            type="CALCULATED",
            child_healthchecks=[
                self.health_checks[args.primary.region].id,
                self.switch.health_check.id,
            ],
            child_health_threshold=2,
            tags={"Name": f"{name}-serve-{args.primary.region}"},
            opts=child,
        )

        self.records = []
        for role, endpoint in zip(("primary", "secondary"), endpoints, strict=True):
            health_check = self.health_checks[endpoint.region]
            gate = primary_gate if endpoint is args.primary else None
            failover = role.upper() if args.routing is TrafficMode.FAILOVER else None
            # Failover records name their role; latency records are told apart by region.
            set_identifier = f"{role}-{endpoint.region}" if failover else endpoint.region
            record = aws.route53.Record(
                f"{name}-{role}",
                zone_id=args.zone_id,
                name=args.record_name,
                type="A",
                set_identifier=set_identifier,
                health_check_id=(gate or health_check).id,
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
                            aliases=list(args.replaces),
                            # If the change replaces the record, the simple one must be gone
                            # before the routed one can exist.
                            delete_before_replace=True,
                        ),
                    )
                    if args.replaces and endpoint is args.primary
                    else child
                ),
            )
            self.records.append(
                RecordDescription(
                    set_identifier, endpoint.region, failover, record, health_check, gate
                )
            )
        self.register_outputs(
            {
                "record_name": args.record_name,
                "routing": args.routing.value,
                "health_check_ids": {r: hc.id for r, hc in self.health_checks.items()},
                "set_identifiers": [r.set_identifier for r in self.records],
                "traffic_switch_alarm": self.switch.alarm.name,
            }
        )

    @staticmethod
    def _traffic_switch(
        name: str, args: FailoverDnsArgs, child: pulumi.ResourceOptions
    ) -> TrafficSwitchDescription:
        dimensions = {"Site": name}
        alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-traffic-switch",
            name=f"{name}-traffic-switch",  # named, so an operator finds it in the DR console
            alarm_description=(
                f"ALARM holds {args.primary.region} out of {args.record_name}: "
                f"`python -m ops failover` sets {SWITCH_METRIC} to 0, failback to 1"
            ),
            namespace=SWITCH_NAMESPACE,
            metric_name=SWITCH_METRIC,
            dimensions=dimensions,
            statistic="Minimum",
            period=SWITCH_PERIOD_SECONDS,
            evaluation_periods=1,
            threshold=1,
            comparison_operator="LessThanThreshold",
            # No data means nobody changed the switch: keep the state it has.
            treat_missing_data="ignore",
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(provider=args.switch_provider)
            ),
        )
        check = aws.route53.HealthCheck(
            f"{name}-switch-{args.primary.region}",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=alarm.name,
            cloudwatch_alarm_region=args.switch_region,
            insufficient_data_health_status="LastKnownStatus",
            tags={"Name": f"{name}-switch-{args.primary.region}"},
            opts=child,
        )
        return TrafficSwitchDescription(
            args.switch_region, SWITCH_NAMESPACE, SWITCH_METRIC, dimensions, alarm, check
        )
