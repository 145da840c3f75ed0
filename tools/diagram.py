"""A picture of a stack, drawn from the resources the program registers.

    python -m tools.diagram --stack prod [--out docs/stack-prod.png]    # make diagram STACK=prod

``build_graph`` turns a synthesis (``pulumi up`` against the mock cloud, so references between
resources resolve) into a small model: regions, their availability zones, nodes per tier (edge,
public, web, app, data, storage) placed in their AZ where they have one, and the edges of the
request path (users -> DNS -> CloudFront -> ALB -> instances -> internal ALB -> app instances
-> database and cache; CloudFront -> the buckets it serves). ``render`` draws that model with the
``diagrams`` library and Graphviz (Debian package ``graphviz``). Regions come from where each
resource is created (its provider's region), so a stack spanning two regions shows both.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.cost import GLOBAL, primary_region, region_of
from tools.mockcloud import ROOT, RecordedResource, Synthesis, synthesize

TIERS = ("edge", "public", "web", "app", "data", "storage")
_SUBNET = "aws:ec2/subnet:Subnet"
_LB = "aws:lb/loadBalancer:LoadBalancer"
_LISTENER = "aws:lb/listener:Listener"
# CloudFront's originProtocolPolicy, as the edge to the origin is labelled.
_ORIGIN_PROTOCOL = {"https-only": "HTTPS", "http-only": "HTTP", "match-viewer": "HTTP/HTTPS"}
_ASG = "aws:autoscaling/group:Group"
_ENGINES = {"postgresql": "PostgreSQL", "postgres": "PostgreSQL", "mysql": "MySQL"}


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str  # users, dns, cdn, waf, alb, internal-alb, instances, nat, aurora, rds, proxy, ...
    tier: str  # one of TIERS
    region: str  # an AWS region, or "global"
    az: str | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    request_path: bool = True


@dataclass
class StackGraph:
    stack: str
    primary_region: str
    azs: dict[str, list[str]] = field(default_factory=dict)  # region -> its AZs, sorted
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def of_kind(self, kind: str) -> list[Node]:
        return [n for n in self.nodes if n.kind == kind]

    def regions(self) -> list[str]:
        """Regions with something in them, the primary first."""
        found = {n.region for n in self.nodes if n.region != GLOBAL}
        return sorted(found, key=lambda r: (r != self.primary_region, r))

    def role(self, region: str) -> str:
        return "primary" if region == self.primary_region else "standby"

    def successors(self, node_id: str) -> list[str]:
        return [e.target for e in self.edges if e.source == node_id and e.request_path]

    def request_path(self) -> list[tuple[str, str]]:
        """Every request-path edge reachable from the users, as (source kind, target kind)."""
        seen: set[str] = set()
        pairs: list[tuple[str, str]] = []
        queue = ["users"]
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            for target in self.successors(current):
                pair = (self.node(current).kind, self.node(target).kind)
                if pair not in pairs:
                    pairs.append(pair)
                queue.append(target)
        return pairs

    def add(self, node: Node) -> Node:
        self.nodes.append(node)
        return node

    def link(self, source: str, target: str, label: str = "", request_path: bool = True) -> None:
        edge = Edge(source, target, label, request_path)
        if edge not in self.edges:
            self.edges.append(edge)


def _tag(resource: RecordedResource, key: str) -> str | None:
    tags = resource.get("tags")
    if isinstance(tags, Mapping):
        value = tags.get(key)
        return str(value) if value is not None else None
    if isinstance(tags, list):  # Auto Scaling groups: [{key, value, propagateAtLaunch}]
        for tag in tags:
            if isinstance(tag, Mapping) and tag.get("key") == key:
                return str(tag.get("value"))
    return None


class _Builder:
    def __init__(self, synthesis: Synthesis) -> None:
        if synthesis.preview:
            raise ValueError("build the graph from a deployed synthesis (preview=False)")
        self.s = synthesis
        self.graph = StackGraph(synthesis.stack, primary_region(synthesis))
        self.subnet_az: dict[str, str] = {}
        self.origins: dict[str, set[str]] = {}  # CloudFront node -> its origins' domain names
        # (CloudFront node, origin domain name) -> the protocol CloudFront speaks to it.
        self.origin_protocols: dict[tuple[str, str], str] = {}

    def resources(self, type_token: str) -> list[RecordedResource]:
        return self.s.of_type(type_token)

    def follow(self, reference: Any) -> RecordedResource | None:
        if not isinstance(reference, str) or not reference:
            return None
        try:
            return (
                self.s.by_arn(reference)
                if reference.startswith("arn:")
                else self.s.by_id(reference)
            )
        except KeyError:
            return None

    def build(self) -> StackGraph:
        g = self.graph
        g.add(Node("users", "Users", "users", "edge", GLOBAL))
        for subnet in self.resources(_SUBNET):
            az = subnet.get("availabilityZone")
            if isinstance(az, str):
                self.subnet_az[subnet.id] = az
                zones = g.azs.setdefault(subnet.region, [])
                if az not in zones:
                    zones.append(az)
        for zones in g.azs.values():
            zones.sort()
        entry = self._edge()
        self._nat_gateways()
        consumers = self._load_balanced_tiers(entry)
        self._data_tier(consumers)
        return g

    # ------------------------------------------------------------------ edge: DNS, CDN, WAF
    def _edge(self) -> list[str]:
        """Add DNS, CloudFront and WAF; return the nodes that send requests to the origin."""
        g = self.graph
        front = "users"
        site = [
            r
            for r in self.resources("aws:route53/record:Record")
            if r.get("aliases")
            and r.get("type") == "A"
            and not str(r.get("name")).startswith("origin")
        ]
        if site:
            names = sorted({str(r.get("name")) for r in site})
            g.add(Node("dns", "Route 53\n" + "\n".join(names), "dns", "edge", GLOBAL))
            g.link("users", "dns")
            front = "dns"
        distributions = self.resources("aws:cloudfront/distribution:Distribution")
        if not distributions:
            return [front]
        for acl in self.resources("aws:wafv2/webAcl:WebAcl"):
            g.add(Node(f"waf:{acl.name}", "AWS WAF", "waf", "edge", region_of(acl)))
        for distribution in distributions:
            node = g.add(Node(f"cdn:{distribution.name}", "CloudFront", "cdn", "edge", GLOBAL))
            g.link(front, node.id)
            for waf in g.of_kind("waf"):
                g.link(waf.id, node.id, "filters", request_path=False)
            self._bucket_origins(distribution, node.id)
        return [f"cdn:{d.name}" for d in distributions]

    def _bucket_origins(self, distribution: RecordedResource, cdn: str) -> None:
        origins = distribution.get("origins") or []
        domains = {str(o.get("domainName")) for o in origins if isinstance(o, Mapping)}
        self.origins[cdn] = domains
        for origin in origins:
            custom = origin.get("customOriginConfig") if isinstance(origin, Mapping) else None
            if isinstance(custom, Mapping):
                policy = str(custom.get("originProtocolPolicy"))
                self.origin_protocols[(cdn, str(origin.get("domainName")))] = _ORIGIN_PROTOCOL.get(
                    policy, policy
                )
        for bucket in self.resources("aws:s3/bucket:Bucket"):
            if bucket.outputs.get("bucketRegionalDomainName") in domains:
                purpose = _tag(bucket, "Purpose") or bucket.name
                node = self.graph.add(
                    Node(
                        f"bucket:{bucket.name}",
                        f"S3\n{purpose}",
                        "bucket",
                        "storage",
                        bucket.region,
                    )
                )
                self.graph.link(cdn, node.id, "static files")

    # ------------------------------------------------------------------ public subnets
    def _nat_gateways(self) -> None:
        for nat in self.resources("aws:ec2/natGateway:NatGateway"):
            az = self.subnet_az.get(str(nat.get("subnetId")))
            self.graph.add(Node(f"nat:{nat.name}", "NAT gateway", "nat", "public", nat.region, az))

    # ------------------------------------------------------------------ load balancers and tiers
    def _targets_of(self, lb: RecordedResource) -> set[str]:
        """ARNs of the target groups ``lb``'s listeners and rules forward to."""
        arn = lb.outputs.get("arn")
        listeners = [
            r for r in self.resources("aws:lb/listener:Listener") if r.get("loadBalancerArn") == arn
        ]
        listener_arns = {r.outputs.get("arn") for r in listeners}
        rules = [
            r
            for r in self.resources("aws:lb/listenerRule:ListenerRule")
            if r.get("listenerArn") in listener_arns
        ]
        groups: set[str] = set()
        for resource, key in [(r, "defaultActions") for r in listeners] + [
            (r, "actions") for r in rules
        ]:
            for action in resource.get(key) or []:
                if isinstance(action, Mapping) and action.get("targetGroupArn"):
                    groups.add(str(action["targetGroupArn"]))
        return groups

    def _senders(self, lb: RecordedResource, entry: list[str]) -> list[tuple[str, str]]:
        """(entry node, protocol) for each entry node whose requests reach ``lb``: the CloudFront
        distributions with it as an origin (by its DNS name or a Route 53 alias of it), with the
        origin's protocol; else every entry node, with the ALB's own protocol."""
        names = {str(lb.outputs.get("dnsName"))}
        for record in self.resources("aws:route53/record:Record"):
            aliases = record.get("aliases") or []
            if any(isinstance(a, Mapping) and a.get("name") in names for a in aliases):
                names.add(str(record.get("name")))
        matched = [
            (cdn, self.origin_protocols.get((cdn, name), "HTTPS"))
            for cdn in entry
            for name in sorted(self.origins.get(cdn, set()) & names)
        ]
        return matched or [(node, self._listener_protocol(lb)) for node in entry]

    def _listener_protocol(self, lb: RecordedResource) -> str:
        """HTTPS when the ALB has an HTTPS listener (its HTTP one then redirects), else HTTP."""
        arn = lb.outputs.get("arn")
        protocols = {
            str(listener.get("protocol"))
            for listener in self.resources(_LISTENER)
            if listener.get("loadBalancerArn") == arn
        }
        return "HTTPS" if "HTTPS" in protocols else "HTTP"

    def _load_balanced_tiers(self, entry: list[str]) -> dict[str, list[str]]:
        """ALBs and the instance nodes behind them; returns region -> the deepest tier's nodes."""
        g = self.graph
        instance_type: dict[str, str] = {}
        for template in self.resources("aws:ec2/launchTemplate:LaunchTemplate"):
            instance_type[template.urn] = str(template.get("instanceType"))
        groups_by_target: dict[str, list[str]] = {}
        tier_nodes: dict[str, dict[str, list[str]]] = {}  # region -> tier -> node ids
        for asg in self.resources(_ASG):
            tier = _tag(asg, "Tier") or "web"
            size = next(
                (
                    instance_type[u]
                    for u in asg.property_dependencies.get("launchTemplate", ())
                    if u in instance_type
                ),
                "",
            )
            ids = []
            for subnet in asg.get("vpcZoneIdentifiers") or []:
                az = self.subnet_az.get(str(subnet))
                node = g.add(
                    Node(
                        f"{asg.name}:{az}",
                        f"{tier} instances\n{size}".strip(),
                        "instances",
                        tier,
                        asg.region,
                        az,
                    )
                )
                ids.append(node.id)
            tier_nodes.setdefault(asg.region, {}).setdefault(tier, []).extend(ids)
            for target in asg.get("targetGroupArns") or []:
                groups_by_target.setdefault(str(target), []).extend(ids)
        for lb in self.resources(_LB):
            internal = bool(lb.get("internal"))
            kind = "internal-alb" if internal else "alb"
            label = "internal ALB" if internal else f"ALB ({self._listener_protocol(lb)})"
            node = g.add(
                Node(f"lb:{lb.name}", label, kind, "app" if internal else "public", lb.region)
            )
            if internal:
                for source in tier_nodes.get(lb.region, {}).get("web", []):
                    g.link(source, node.id)
            else:
                for source, protocol in self._senders(lb, entry):
                    g.link(source, node.id, protocol)
            for target in self._targets_of(lb):
                for instances in groups_by_target.get(target, []):
                    g.link(node.id, instances)
        return {
            region: tiers.get("app") or tiers.get("web") or []
            for region, tiers in tier_nodes.items()
        }

    # ------------------------------------------------------------------ data tier
    def _data_tier(self, consumers: dict[str, list[str]]) -> None:
        g = self.graph
        stores: list[Node] = []
        for cluster in self.resources("aws:rds/cluster:Cluster"):
            members = [
                i
                for i in self.resources("aws:rds/clusterInstance:ClusterInstance")
                if cluster.urn in i.property_dependencies.get("clusterIdentifier", ())
            ]
            size = members[0].get("instanceClass") if members else ""
            engine = str(cluster.get("engine")).removeprefix("aurora-")
            label = f"Aurora {_ENGINES.get(engine, engine)}\n{len(members)} x {size}"
            stores.append(
                g.add(Node(f"db:{cluster.name}", label, "aurora", "data", cluster.region))
            )
        for instance in self.resources("aws:rds/instance:Instance"):
            role = (
                "replica"
                if instance.get("replicateSourceDb")
                else ("Multi-AZ" if instance.get("multiAz") else "")
            )
            engine = str(instance.get("engine"))
            label = f"RDS {_ENGINES.get(engine, engine)} {role}\n{instance.get('instanceClass')}"
            stores.append(g.add(Node(f"db:{instance.name}", label, "rds", "data", instance.region)))
        for group in self.resources("aws:elasticache/replicationGroup:ReplicationGroup"):
            nodes = group.get("numCacheClusters")
            label = (
                f"ElastiCache {group.get('engine')}\n{int(nodes or 0)} x {group.get('nodeType')}"
                if group.get("engine")
                # A global datastore's secondary takes its engine and node type from the primary.
                else f"ElastiCache global\nsecondary, {int(nodes or 0)} nodes"
            )
            stores.append(g.add(Node(f"cache:{group.name}", label, "cache", "data", group.region)))
        proxies = {
            p.region: g.add(Node(f"proxy:{p.name}", "RDS Proxy", "proxy", "data", p.region))
            for p in self.resources("aws:rds/proxy:Proxy")
        }
        # Cross-region replication, off the request path: each primary data store to the
        # standby's store of the same kind.
        for kind in ("aurora", "rds", "cache"):
            primaries = [n for n in stores if n.kind == kind and g.role(n.region) == "primary"]
            standbys = [n for n in stores if n.kind == kind and g.role(n.region) != "primary"]
            for origin in primaries[:1]:
                for copy in standbys:
                    if kind == "rds" and "replica" not in copy.label:
                        continue
                    g.link(origin.id, copy.id, "replication", request_path=False)
        for store in stores:
            sources = consumers.get(store.region, [])
            proxy = proxies.get(store.region)
            if proxy is not None and store.kind in ("aurora", "rds"):
                for source in sources:
                    g.link(source, proxy.id)
                g.link(proxy.id, store.id)
                continue
            for source in sources:
                g.link(source, store.id)


def build_graph(synthesis: Synthesis) -> StackGraph:
    """The picture's model of a deployed synthesis."""
    return _Builder(synthesis).build()


# ---------------------------------------------------------------------------- rendering
def _icon(kind: str) -> Any:
    from diagrams.aws import compute, database, network, security, storage
    from diagrams.onprem.client import Users

    return {
        "users": Users,
        "dns": network.Route53,
        "cdn": network.CloudFront,
        "waf": security.WAF,
        "alb": network.ElbApplicationLoadBalancer,
        "internal-alb": network.ElbApplicationLoadBalancer,
        "nat": network.NATGateway,
        "instances": compute.EC2AutoScaling,
        "aurora": database.Aurora,
        "rds": database.RDS,
        "proxy": database.RDSInstance,
        "cache": database.ElastiCache,
        "bucket": storage.S3,
    }[kind]


def render(graph: StackGraph, out: Path) -> Path:
    """Draw ``graph`` to ``out`` (PNG) with diagrams + Graphviz; returns the file written."""
    if shutil.which("dot") is None:
        raise RuntimeError("Graphviz's `dot` is missing: install the Debian package graphviz")
    from diagrams import Cluster, Diagram
    from diagrams import Edge as DiagramEdge

    drawn: dict[str, Any] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    title = f"webstack {graph.stack}: regions, availability zones, tiers and the request path"
    graph_attr = {
        "fontsize": "22",
        "pad": "0.4",
        "nodesep": "0.5",
        "ranksep": "1.1",
        "splines": "spline",
    }

    def draw(nodes: Sequence[Node]) -> None:
        for node in nodes:
            drawn[node.id] = _icon(node.kind)(node.label)

    with Diagram(
        title,
        filename=str(out.with_suffix("")),
        outformat="png",
        show=False,
        direction="LR",
        graph_attr=graph_attr,
    ):
        draw([n for n in graph.nodes if n.region == GLOBAL])
        for region in graph.regions():
            in_region = [n for n in graph.nodes if n.region == region]
            with Cluster(f"{region} ({graph.role(region)})", graph_attr={"fontsize": "18"}):
                draw([n for n in in_region if n.tier == "storage"])
                with Cluster("VPC", graph_attr={"fontsize": "16"}):
                    draw([n for n in in_region if n.az is None and n.tier != "storage"])
                    # Graphviz stacks clusters bottom-up in a left-to-right layout: reversed, the
                    # zones read a, b, c from the top.
                    for az in reversed(graph.azs.get(region, [])):
                        with Cluster(az, graph_attr={"fontsize": "14", "bgcolor": "#F5F9FF"}):
                            draw(list(_placed(in_region, az)))
        for edge in graph.edges:
            style = "solid" if edge.request_path else "dashed"
            color = "#1f5fbf" if edge.request_path else "#888888"
            (
                drawn[edge.source]
                >> DiagramEdge(label=edge.label, style=style, color=color)
                >> drawn[edge.target]
            )
    return out


def _placed(nodes: Sequence[Node], az: str) -> Iterator[Node]:
    order = {tier: i for i, tier in enumerate(TIERS)}
    yield from sorted((n for n in nodes if n.az == az), key=lambda n: (order[n.tier], n.id))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.diagram", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--cwd", type=Path, default=ROOT, help="the project directory")
    parser.add_argument("--out", type=Path, help="PNG to write (default docs/stack-<stack>.png)")
    args = parser.parse_args(argv)
    synthesis = synthesize(args.stack, preview=False, project_dir=args.cwd.resolve())
    if synthesis.error:
        print(f"error: {synthesis.error}", file=sys.stderr)
        return 1
    out = args.out or ROOT / "docs" / f"stack-{args.stack}.png"
    try:
        written = render(build_graph(synthesis), out)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {written.relative_to(ROOT) if written.is_relative_to(ROOT) else written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
