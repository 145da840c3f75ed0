"""Estimated monthly cost of a stack, from what the program registered and an embedded price table.

    python -m tools.cost --stack prod [--json]

An estimate, never a quote: on-demand list prices of one date (``tools.prices``), the always-on
capacity the program declares (an Auto Scaling group at its minimum or desired size, every
database and cache node, NAT gateways, load balancers at one LCU, keys, secrets, alarms), and
nothing that depends on traffic (``tools.prices.NOT_ESTIMATED``).

Resources are grouped by the region they are created in (their provider's region, as recorded
by the mock monitor), so a stack spanning two regions shows its standby region separately.
CloudFront, Route 53, IAM and CloudFront-scoped WAF are global.

``compare_markdown`` sets two ``tools.preview --json`` documents (their ``cost`` key) side by
side, e.g. a pull request's head and main (``tools.pr_comment``).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools import prices as p
from tools.mockcloud import ROOT, RecordedResource, Synthesis, synthesize

GLOBAL = "global"
_GLOBAL_PREFIXES = ("aws:cloudfront/", "aws:route53/", "aws:iam/")
MONTH = p.HOURS_PER_MONTH


@dataclass(frozen=True)
class LineItem:
    """One priced resource: ``quantity`` units of ``kind`` for ``monthly`` USD."""

    region: str  # an AWS region, or "global"
    type: str
    resource: str
    kind: str  # what is billed: "NAT gateway", "EC2 t4g.small (web)", ...
    quantity: int
    monthly: float


@dataclass(frozen=True)
class CostEstimate:
    stack: str
    primary_region: str
    items: tuple[LineItem, ...]
    unpriced: tuple[str, ...] = ()  # resources whose size the table does not know, named
    multipliers: Mapping[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(item.monthly for item in self.items)

    def role(self, region: str) -> str:
        if region == GLOBAL:
            return GLOBAL
        return "primary" if region == self.primary_region else "standby"

    def regions(self) -> list[str]:
        """Primary first, then standby regions by name, then global."""
        found = {item.region for item in self.items}
        order = {"primary": 0, "standby": 1, GLOBAL: 2}
        return sorted(found, key=lambda r: (order[self.role(r)], r))

    def region_total(self, region: str) -> float:
        return sum(item.monthly for item in self.items if item.region == region)

    def by_kind(self, region: str) -> list[tuple[str, int, float]]:
        """(kind, quantity, monthly) in ``region``, most expensive first."""
        grouped: dict[str, tuple[int, float]] = {}
        for item in self.items:
            if item.region == region:
                quantity, monthly = grouped.get(item.kind, (0, 0.0))
                grouped[item.kind] = (quantity + item.quantity, monthly + item.monthly)
        return sorted(
            ((kind, q, m) for kind, (q, m) in grouped.items()), key=lambda row: (-row[2], row[0])
        )

    def by_type(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for item in self.items:
            totals[item.type] = totals.get(item.type, 0.0) + item.monthly
        return {key: round(value, 2) for key, value in sorted(totals.items())}

    def to_json(self) -> dict[str, Any]:
        return {
            "estimate": True,
            "currency": p.CURRENCY,
            "priceTableDate": p.PRICE_TABLE_DATE,
            "priceTableRegion": p.PRICE_TABLE_REGION,
            "primaryRegion": self.primary_region,
            "monthlyTotal": round(self.total, 2),
            "regions": [
                {
                    "region": region,
                    "role": self.role(region),
                    "multiplier": self.multipliers.get(region, 1.0),
                    "monthlyTotal": round(self.region_total(region), 2),
                    "items": [
                        {"kind": kind, "quantity": quantity, "monthly": round(monthly, 2)}
                        for kind, quantity, monthly in self.by_kind(region)
                    ],
                }
                for region in self.regions()
            ],
            "byType": self.by_type(),
            "unpriced": list(self.unpriced),
            "notEstimated": list(p.NOT_ESTIMATED),
        }


def region_of(resource: RecordedResource) -> str:
    """Where a resource is billed: its provider's region, or "global"."""
    if resource.type.startswith(_GLOBAL_PREFIXES):
        return GLOBAL
    if resource.type == "aws:wafv2/webAcl:WebAcl" and resource.get("scope") == "CLOUDFRONT":
        return GLOBAL
    return resource.region


def primary_region(synthesis: Synthesis) -> str:
    """The stack's own region: its ``region`` output, else where its first resource lives."""
    exported = synthesis.outputs.get("region")
    if isinstance(exported, str) and exported:
        return exported
    for resource in synthesis.cloud_resources:
        if region_of(resource) != GLOBAL:
            return resource.region
    return p.PRICE_TABLE_REGION


def multiplier(region: str) -> float:
    if region == GLOBAL:
        return 1.0
    return p.REGION_MULTIPLIERS.get(region, p.DEFAULT_REGION_MULTIPLIER)


def _int(value: Any, default: int = 0) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


class _Pricer:
    def __init__(self, synthesis: Synthesis) -> None:
        self.synthesis = synthesis
        self.items: list[LineItem] = []
        self.unpriced: list[str] = []

    def add(self, r: RecordedResource, kind: str, quantity: int, monthly: float) -> None:
        region = region_of(r)
        self.items.append(
            LineItem(region, r.type, r.name, kind, quantity, monthly * multiplier(region))
        )

    def hourly(self, r: RecordedResource, kind: str, quantity: int, per_hour: float) -> None:
        self.add(r, kind, quantity, quantity * per_hour * MONTH)

    def table(self, r: RecordedResource, table: Mapping[str, float], size: Any) -> float | None:
        price = table.get(size) if isinstance(size, str) else None
        if price is None:
            self.unpriced.append(f"{r.type} '{r.name}': no price for size {size!r}")
        return price

    def price(self, r: RecordedResource) -> None:
        handler = _HANDLERS.get(r.type)
        if handler is not None:
            handler(self, r)

    # ---------------------------------------------------------------- per resource type
    def nat_gateway(self, r: RecordedResource) -> None:
        self.hourly(r, "NAT gateway", 1, p.NAT_GATEWAY_HOUR)

    def eip(self, r: RecordedResource) -> None:
        self.hourly(r, "Public IPv4 address", 1, p.PUBLIC_IPV4_HOUR)

    def load_balancer(self, r: RecordedResource) -> None:
        if r.get("loadBalancerType") not in (None, "application"):
            self.unpriced.append(f"{r.type} '{r.name}': only application load balancers priced")
            return
        internal = bool(r.get("internal"))
        kind = "Internal ALB" if internal else "ALB"
        self.hourly(r, f"{kind} (1 LCU)", 1, p.ALB_HOUR + p.ALB_ASSUMED_LCUS * p.ALB_LCU_HOUR)
        subnets = r.get("subnets")
        if not internal and isinstance(subnets, list) and subnets:
            self.hourly(r, "Public IPv4 address", len(subnets), p.PUBLIC_IPV4_HOUR)

    def auto_scaling_group(self, r: RecordedResource) -> None:
        count = _int(r.get("desiredCapacity"), _int(r.get("minSize")))
        template = self._launch_template(r)
        tier = _tier(r)
        instance_type = template.get("instanceType") if template else None
        price = self.table(r, p.EC2_HOURLY, instance_type)
        if price is None or count == 0:
            return
        self.hourly(r, f"EC2 {instance_type} ({tier})", count, price)
        volume_gb = sum(
            _int((m.get("ebs") or {}).get("volumeSize"))
            for m in (template.get("blockDeviceMappings") or [] if template else [])
            if isinstance(m, Mapping)
        )
        if volume_gb:
            self.add(r, f"EBS gp3 ({tier})", count, count * volume_gb * p.EBS_GP3_GB_MONTH)

    def _launch_template(self, r: RecordedResource) -> Mapping[str, Any] | None:
        for urn in r.property_dependencies.get("launchTemplate", ()):
            try:
                return self.synthesis.by_urn(urn).inputs
            except KeyError:
                continue
        return None

    def aurora_instance(self, r: RecordedResource) -> None:
        size = r.get("instanceClass")
        price = self.table(r, p.AURORA_HOURLY, size)
        if price is not None:
            self.hourly(r, f"Aurora {size}", 1, price)

    def aurora_cluster(self, r: RecordedResource) -> None:
        if r.get("manageMasterUserPassword"):
            self.add(r, "Secrets Manager secret", 1, p.SECRET_MONTH)

    def rds_instance(self, r: RecordedResource) -> None:
        size = r.get("instanceClass")
        price = self.table(r, p.RDS_HOURLY, size)
        if price is None:
            return
        copies = 2 if r.get("multiAz") else 1
        label = "Multi-AZ" if copies == 2 else "Single-AZ"
        self.hourly(r, f"RDS {size} {label}", 1, price * copies)
        storage = _int(r.get("allocatedStorage"))
        if storage:
            self.add(r, "RDS gp3 storage (GB)", storage, storage * copies * p.RDS_GP3_GB_MONTH)
        if r.get("manageMasterUserPassword"):
            self.add(r, "Secrets Manager secret", 1, p.SECRET_MONTH)

    def rds_proxy(self, r: RecordedResource) -> None:
        classes = [
            db.get("instanceClass")
            for db in self.synthesis.resources
            if db.type in ("aws:rds/clusterInstance:ClusterInstance", "aws:rds/instance:Instance")
            and db.region == r.region
        ]
        vcpus = sum(p.DB_VCPUS.get(c, 2) if isinstance(c, str) else 2 for c in classes)
        vcpus = max(vcpus, p.RDS_PROXY_MIN_VCPUS)
        self.hourly(r, "RDS Proxy (vCPU)", vcpus, p.RDS_PROXY_VCPU_HOUR)

    def replication_group(self, r: RecordedResource) -> None:
        # A global datastore's secondary takes node type and engine from the datastore.
        source = self._global_datastore_primary(r) or r
        size = r.get("nodeType") or source.get("nodeType")
        price = self.table(r, p.ELASTICACHE_HOURLY, size)
        if price is None:
            return
        nodes = _int(r.get("numCacheClusters"))
        if not nodes:
            shards = _int(r.get("numNodeGroups"), 1)
            nodes = shards * (_int(r.get("replicasPerNodeGroup")) + 1)
        engine = r.get("engine") or source.get("engine") or "redis"
        if engine == "valkey":
            price *= p.VALKEY_DISCOUNT
        self.hourly(r, f"ElastiCache {engine} {size}", nodes, price)

    def _global_datastore_primary(self, r: RecordedResource) -> RecordedResource | None:
        """The primary group of the global datastore ``r`` is a secondary of, through the
        references (known in preview and deployed alike); None for any other group."""
        for global_urn in r.property_dependencies.get("globalReplicationGroupId", ()):
            datastore = self.synthesis.by_urn(global_urn)
            for primary_urn in datastore.property_dependencies.get("primaryReplicationGroupId", ()):
                return self.synthesis.by_urn(primary_urn)
        return None

    def cache_cluster(self, r: RecordedResource) -> None:
        if r.get("replicationGroupId"):
            return  # a member of a replication group, priced there
        size = r.get("nodeType")
        price = self.table(r, p.ELASTICACHE_HOURLY, size)
        if price is not None:
            nodes = _int(r.get("numCacheNodes"), 1)
            self.hourly(r, f"ElastiCache {r.get('engine')} {size}", nodes, price)

    def vpc_endpoint(self, r: RecordedResource) -> None:
        if r.get("vpcEndpointType") == "Interface":
            azs = len(r.get("subnetIds") or []) or 1
            self.hourly(r, "Interface VPC endpoint (AZ)", azs, p.INTERFACE_ENDPOINT_AZ_HOUR)

    def health_check(self, r: RecordedResource) -> None:
        kind = str(r.get("type") or "")
        options = (1 if kind.startswith("HTTPS") else 0) + (1 if "STR_MATCH" in kind else 0)
        self.add(
            r,
            "Route 53 health check",
            1,
            p.HEALTH_CHECK_MONTH + options * p.HEALTH_CHECK_OPTION_MONTH,
        )

    def web_acl(self, r: RecordedResource) -> None:
        rules = len(r.get("rules") or [])
        self.add(r, "WAF web ACL", 1, p.WAF_WEB_ACL_MONTH + rules * p.WAF_RULE_MONTH)


def _tier(r: RecordedResource) -> str:
    tags = r.get("tags")
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, Mapping) and tag.get("key") == "Tier":
                return str(tag.get("value"))
    return r.name


def _flat(kind: str, monthly: float) -> Any:
    def handler(pricer: _Pricer, r: RecordedResource) -> None:
        pricer.add(r, kind, 1, monthly)

    return handler


_HANDLERS: dict[str, Any] = {
    "aws:ec2/natGateway:NatGateway": _Pricer.nat_gateway,
    "aws:ec2/eip:Eip": _Pricer.eip,
    "aws:lb/loadBalancer:LoadBalancer": _Pricer.load_balancer,
    "aws:autoscaling/group:Group": _Pricer.auto_scaling_group,
    "aws:rds/clusterInstance:ClusterInstance": _Pricer.aurora_instance,
    "aws:rds/cluster:Cluster": _Pricer.aurora_cluster,
    "aws:rds/instance:Instance": _Pricer.rds_instance,
    "aws:rds/proxy:Proxy": _Pricer.rds_proxy,
    "aws:elasticache/replicationGroup:ReplicationGroup": _Pricer.replication_group,
    "aws:elasticache/cluster:Cluster": _Pricer.cache_cluster,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _Pricer.vpc_endpoint,
    "aws:route53/healthCheck:HealthCheck": _Pricer.health_check,
    "aws:wafv2/webAcl:WebAcl": _Pricer.web_acl,
    "aws:kms/key:Key": _flat("KMS key", p.KMS_KEY_MONTH),
    "aws:secretsmanager/secret:Secret": _flat("Secrets Manager secret", p.SECRET_MONTH),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _flat("CloudWatch alarm", p.ALARM_MONTH),
    "aws:cloudwatch/dashboard:Dashboard": _flat("CloudWatch dashboard", p.DASHBOARD_MONTH),
}
PRICED_TYPES = frozenset(_HANDLERS)
# Types the program creates that cost nothing by themselves, or only with use (requests, data,
# storage: ``tools.prices.NOT_ESTIMATED``). A type in neither set fails the tests, so a new
# billable resource gets a price decision.
UNPRICED_TYPES = frozenset(
    {
        "aws:acm/certificate:Certificate",
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:autoscaling/policy:Policy",
        "aws:backup/plan:Plan",
        "aws:backup/selection:Selection",
        "aws:backup/vault:Vault",  # recovery-point storage and cross-region copy transfer
        "aws:autoscaling/schedule:Schedule",
        "aws:cloudfront/distribution:Distribution",  # requests and data
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:cloudwatch/logGroup:LogGroup",  # ingestion and storage
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/flowLog:FlowLog",  # log ingestion
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/launchTemplate:LaunchTemplate",  # priced through its Auto Scaling group
        "aws:ec2/route:Route",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/vpc:Vpc",
        # Priced through its member replication groups; cross-region transfer not estimated.
        "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
        "aws:elasticache/parameterGroup:ParameterGroup",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/serviceLinkedRole:ServiceLinkedRole",
        "aws:kms/alias:Alias",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:lb/targetGroup:TargetGroup",
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        # Priced through its member clusters; replicated write I/O and transfer not estimated.
        "aws:rds/globalCluster:GlobalCluster",
        "aws:rds/parameterGroup:ParameterGroup",
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
        "aws:rds/proxyTarget:ProxyTarget",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:route53/record:Record",  # queries
        "aws:s3/bucket:Bucket",  # storage and requests
        "aws:s3/bucketAcl:BucketAcl",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",  # transfer and replica storage
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:sns/topic:Topic",  # deliveries
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:wafv2/webAclAssociation:WebAclAssociation",  # free; the web ACL is priced
        "random:index/randomId:RandomId",
        "random:index/randomPassword:RandomPassword",
    }
)


def estimate(synthesis: Synthesis, primary: str | None = None) -> CostEstimate:
    """The monthly estimate of everything ``synthesis`` registered."""
    pricer = _Pricer(synthesis)
    for resource in synthesis.cloud_resources:
        pricer.price(resource)
    regions = {item.region for item in pricer.items}
    return CostEstimate(
        stack=synthesis.stack,
        primary_region=primary or primary_region(synthesis),
        items=tuple(pricer.items),
        unpriced=tuple(pricer.unpriced),
        multipliers={region: multiplier(region) for region in regions},
    )


def money(value: float) -> str:
    return f"${value:,.2f}"


def heading() -> str:
    return (
        f"estimated: {p.CURRENCY} on-demand list prices of {p.PRICE_TABLE_DATE}, usage not included"
    )


def render(cost: CostEstimate, indent: str = "    ") -> list[str]:
    """The estimate as indented text lines, per region then per kind of charge."""
    lines = [f"{indent}~ {money(cost.total)}/month {heading()}"]
    for region in cost.regions():
        role = cost.role(region)
        factor = cost.multipliers.get(region, 1.0)
        notes = [role] if role != GLOBAL else []
        notes += [f"prices x{factor:g}"] if factor != 1.0 else []
        label = f"{region} ({', '.join(notes)})" if notes else region
        lines.append(f"{indent}    {label}: {money(cost.region_total(region))}")
        for kind, quantity, monthly in cost.by_kind(region):
            lines.append(f"{indent}        {monthly:>10,.2f}  {quantity:>3} x {kind}")
    for problem in cost.unpriced:
        lines.append(f"{indent}    not priced: {problem}")
    lines += textwrap.wrap(
        "not estimated: " + ", ".join(p.NOT_ESTIMATED),
        width=96,
        initial_indent=f"{indent}    ",
        subsequent_indent=f"{indent}        ",
    )
    return lines


# ------------------------------------------------------------------ comparison, for pull requests
def _rows(cost: Mapping[str, Any] | None) -> dict[tuple[str, str], float]:
    rows: dict[tuple[str, str], float] = {}
    for region in (cost or {}).get("regions", []):
        label = f"{region['region']} ({region['role']})"
        for item in region["items"]:
            key = (label, item["kind"])
            rows[key] = rows.get(key, 0.0) + float(item["monthly"])
    return rows


def compare_markdown(
    base: Mapping[str, Any] | None, head: Mapping[str, Any] | None, stack: str
) -> list[str]:
    """A Markdown table of the monthly estimate on ``head`` against ``base`` (``None``: absent)."""
    head_cost = (head or {}).get("cost")
    base_cost = (base or {}).get("cost")
    if head_cost is None:
        return [f"No cost estimate for `{stack}`: the offline preview failed on this branch."]
    head_rows, base_rows = _rows(head_cost), _rows(base_cost)
    head_total = float(head_cost["monthlyTotal"])
    base_total = float(base_cost["monthlyTotal"]) if base_cost else 0.0
    delta = head_total - base_total
    sign = "+" if delta >= 0.005 else ("-" if delta <= -0.005 else "±")
    lines = [
        f"**Estimated monthly cost of `{stack}`: {money(head_total)} "
        f"({sign}{money(abs(delta))} against main)**"
        + ("" if base_cost else " — the stack is new, or main's preview failed"),
        "",
        "| Region | Charge | main | this branch | change |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for key in sorted(set(head_rows) | set(base_rows)):
        before, after = base_rows.get(key, 0.0), head_rows.get(key, 0.0)
        change = after - before
        shown = f"{change:+,.2f}" if abs(change) >= 0.005 else ""
        lines.append(f"| {key[0]} | {key[1]} | {before:,.2f} | {after:,.2f} | {shown} |")
    lines.append(
        f"| **total** | | **{base_total:,.2f}** | **{head_total:,.2f}** | **{delta:+,.2f}** |"
    )
    lines += [
        "",
        f"An estimate: {p.CURRENCY} on-demand list prices of {head_cost['priceTableDate']} "
        f"({head_cost['priceTableRegion']} table, other regions scaled), always-on capacity "
        "only; not included: " + ", ".join(head_cost["notEstimated"]) + ".",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.cost", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--cwd", type=Path, default=ROOT, help="the project directory")
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")
    args = parser.parse_args(argv)
    synthesis = synthesize(args.stack, project_dir=args.cwd.resolve())
    if synthesis.error:
        print(f"error: {synthesis.error}", file=sys.stderr)
        return 1
    cost = estimate(synthesis)
    if args.json:
        print(json.dumps(cost.to_json(), indent=2))
    else:
        print("\n".join(render(cost, indent="")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
