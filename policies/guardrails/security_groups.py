"""Least-privilege security groups, whichever way a rule is declared.

A rule can be inline (`SecurityGroup.ingress`/`egress`), a `SecurityGroupRule`, or one of the
newer `vpc.SecurityGroupIngressRule`/`EgressRule` resources; `permissions` reads all three into
one shape so each check is written once.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, MANDATORY, Config, PolicySet, Resource, where
from .props import UNKNOWN, as_int, as_protocol, get, is_set, items
from .relations import Targets, of_type, referenced

rules = PolicySet()

PORT_LIST = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535}}

WORLD_MAX_PREFIX = 1  # a /1 is half the internet: 0.0.0.0/1 + 128.0.0.0/1 is all of it
ALL_PORTS = (0, 65535)
_PORTED = ("all", "tcp", "udp")  # protocols whose ports the port checks judge
_HARMLESS = ("icmp", "icmpv6")  # other protocols the internet may use (ping, PMTU discovery)
_RULE_TYPES = (t.SECURITY_GROUP, t.SECURITY_GROUP_RULE, t.SG_INGRESS_RULE, t.SG_EGRESS_RULE)

ADMIN_PORTS = [22, 3389, 5985, 5986]
DATA_PORTS = [
    1433, 1521, 2049, 2379, 3306, 5432, 5439, 5984, 6379, 7000, 7001, 8020, 8086, 8888,
    9000, 9042, 9092, 9160, 9200, 9300, 11211, 27017, 27018, 27019, 50070,
]  # fmt: skip


@dataclass(frozen=True)
class Permission:
    """One ingress or egress permission, wherever it was declared."""

    direction: str  # "ingress" | "egress"
    path: str  # property prefix, e.g. "ingress[0]." (empty for a rule resource)
    protocol: Any  # "all" | "tcp" | "udp" | another protocol name | UNKNOWN
    ports: tuple[int, int] | None  # inclusive range; None when not yet known
    world: tuple[tuple[str, str], ...]  # (property, CIDR) pairs open to the whole internet
    non_sg_sources: tuple[str, ...]  # properties naming CIDRs or prefix lists (not groups)
    sg_property: str  # where a security-group reference goes instead

    def describe(self) -> str:
        if self.protocol == "all":
            return "all traffic"
        if self.ports is None:
            return str(self.protocol)
        lo, hi = self.ports
        return f"{self.protocol} {lo}" if lo == hi else f"{self.protocol} {lo}-{hi}"


def _protocol(value: Any) -> Any:
    # 6 / 6.0 / "6" / "tcp", -1 / -1.0 / "-1" / "all": one spelling (props.as_protocol).
    return as_protocol(value)


def _ports(protocol: Any, lo: Any, hi: Any) -> tuple[int, int] | None:
    if protocol == "all":
        return ALL_PORTS
    lo, hi = as_int(lo), as_int(hi)
    if lo is UNKNOWN or hi is UNKNOWN:
        return None
    if lo is None and hi is None:
        return ALL_PORTS
    lo = lo if isinstance(lo, int) else hi
    hi = hi if isinstance(hi, int) else lo
    assert isinstance(lo, int) and isinstance(hi, int)
    if lo < 0 or hi < 0:  # -1 means every port for tcp/udp
        return ALL_PORTS
    return (min(lo, hi), max(lo, hi))


def is_world(cidr: Any) -> bool:
    """An IPv4/IPv6 network of prefix /1 or shorter (0.0.0.0/0, 128.0.0.0/1, 0::/0, ...)."""
    if not isinstance(cidr, str):
        return False
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False
    return network.prefixlen <= WORLD_MAX_PREFIX


def _world(entry: Any, prefix: str, props: Sequence[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for prop in props:
        value = get(entry, prop)
        for cidr in [value] if isinstance(value, str) else items(value):
            if is_world(cidr):
                out.append((f"{prefix}{prop}", cidr))
    return tuple(out)


def _set(entry: Any, prefix: str, props: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{prefix}{p}" for p in props if is_set(get(entry, p)))


_INLINE_CIDRS = ("cidrBlocks", "ipv6CidrBlocks")
_VPC_CIDRS = ("cidrIpv4", "cidrIpv6")


def permissions(resource_type: str, props: Mapping[str, Any]) -> list[Permission]:
    out = []
    if resource_type == t.SECURITY_GROUP:
        for direction in ("ingress", "egress"):
            for i, entry in enumerate(items(get(props, direction))):
                if entry is UNKNOWN:
                    continue
                prefix = f"{direction}[{i}]."
                protocol = _protocol(get(entry, "protocol"))
                out.append(
                    Permission(
                        direction,
                        prefix,
                        protocol,
                        _ports(protocol, get(entry, "fromPort"), get(entry, "toPort")),
                        _world(entry, prefix, _INLINE_CIDRS),
                        _set(entry, prefix, (*_INLINE_CIDRS, "prefixListIds")),
                        f"{prefix}securityGroups",
                    )
                )
    elif resource_type == t.SECURITY_GROUP_RULE:
        direction = get(props, "type")
        protocol = _protocol(get(props, "protocol"))
        out.append(
            Permission(
                direction if isinstance(direction, str) else "unknown",
                "",
                protocol,
                _ports(protocol, get(props, "fromPort"), get(props, "toPort")),
                _world(props, "", _INLINE_CIDRS),
                _set(props, "", (*_INLINE_CIDRS, "prefixListIds")),
                "sourceSecurityGroupId",
            )
        )
    elif resource_type in (t.SG_INGRESS_RULE, t.SG_EGRESS_RULE):
        protocol = _protocol(get(props, "ipProtocol"))
        out.append(
            Permission(
                "ingress" if resource_type == t.SG_INGRESS_RULE else "egress",
                "",
                protocol,
                _ports(protocol, get(props, "fromPort"), get(props, "toPort")),
                _world(props, "", _VPC_CIDRS),
                _set(props, "", (*_VPC_CIDRS, "prefixListId")),
                "referencedSecurityGroupId",
            )
        )
    return out


def _world_ingress(r: Resource, protocols: Sequence[str] | None = _PORTED) -> list[Permission]:
    """World ingress permissions of `protocols` (None: any protocol known at preview)."""
    return [
        p
        for p in permissions(r.type, r.props)
        if p.direction == "ingress"
        and p.world
        and p.protocol is not UNKNOWN
        and p.protocol is not None
        and (protocols is None or p.protocol in protocols)
    ]


def _fix(p: Permission) -> str:
    props = ", ".join(f"`{prop}`" for prop, _ in p.world)
    cidrs = ", ".join(sorted({c for _, c in p.world}))
    return (
        f"remove {cidrs} from {props} and admit a security group (`{p.sg_property}`) "
        "or a narrower CIDR"
    )


def _ports_text(ports: Sequence[int]) -> str:
    return ", ".join(map(str, ports)) or "none"


@rules.resource(
    name="sg-world-ingress-allowed-ports",
    description="Ingress from the internet (0.0.0.0/0, ::/0 or any /1) is allowed only on the "
    "allowed ports.",
    types=_RULE_TYPES,
    level=MANDATORY,
    fsbp=("EC2.18",),
    config={
        "allowedPorts": {
            **PORT_LIST,
            "default": [80, 443],
            "description": "Ports the internet may reach (tcp/udp).",
        }
    },
)
def world_ingress_allowed_ports(r: Resource, cfg: Config) -> list[str]:
    allowed = {int(p) for p in cfg.get("allowedPorts", [])}
    out = []
    for p in _world_ingress(r):
        if p.ports is None:
            continue
        lo, hi = p.ports
        if p.protocol == "all" or any(port not in allowed for port in range(lo, hi + 1)):
            out.append(
                f"{where(r)} admits {p.describe()} from the internet: "
                f"{_fix(p)}; the internet may reach only ports {_ports_text(sorted(allowed))}"
            )
    return out


@rules.resource(
    name="sg-world-ingress-forbidden",
    description="Never from the internet: all protocols, protocols other than tcp/udp/icmp, "
    "wide port ranges, admin ports (SSH, RDP) or data ports (databases, caches, "
    "search), even inside a range.",
    types=_RULE_TYPES,
    level=MANDATORY,
    fsbp=("EC2.13", "EC2.14", "EC2.19"),
    config={
        "forbiddenPorts": {
            **PORT_LIST,
            "default": ADMIN_PORTS + DATA_PORTS,
            "description": "Ports that must never be reachable from the internet.",
        },
        "maxPortRange": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "Widest port range (number of ports) open to the internet.",
        },
    },
)
def world_ingress_forbidden(r: Resource, cfg: Config) -> list[str]:
    forbidden = sorted({int(x) for x in cfg.get("forbiddenPorts", [])})
    widest = int(cfg.get("maxPortRange", 1))
    out = []
    for p in _world_ingress(r, None):
        if p.protocol == "all":
            out.append(f"{where(r)} admits all protocols (-1) from the internet: {_fix(p)}")
            continue
        if p.protocol in _HARMLESS:
            continue
        if p.protocol not in _PORTED:
            out.append(
                f"{where(r)} admits protocol {p.protocol} from the internet (only tcp, udp, icmp "
                f"and icmpv6 may come from there): {_fix(p)}"
            )
            continue
        if p.ports is None:
            continue
        lo, hi = p.ports
        hit = [port for port in forbidden if lo <= port <= hi]
        if hit:
            out.append(
                f"{where(r)} exposes admin/data port(s) {_ports_text(hit)} to the internet "
                f"({p.describe()}): {_fix(p)}"
            )
        elif hi - lo + 1 > widest:
            out.append(
                f"{where(r)} opens a {hi - lo + 1}-port range ({p.describe()}) to the internet: "
                f"set `{p.path}fromPort` and `{p.path}toPort` to the single port you serve"
            )
    return out


# --- stack level: groups of the data tier --------------------------------------------------

_DATA_TIER = {
    t.RDS_INSTANCE: "vpcSecurityGroupIds",
    t.RDS_CLUSTER: "vpcSecurityGroupIds",
    t.RDS_PROXY: "vpcSecurityGroupIds",
    t.CACHE_REPLICATION_GROUP: "securityGroupIds",
    t.CACHE_CLUSTER: "securityGroupIds",
}


def data_tier_groups(resources: Sequence[PolicyResource]) -> list[PolicyResource]:
    groups = of_type(resources, t.SECURITY_GROUP)
    targets = Targets(groups)
    found: dict[str, PolicyResource] = {}
    for r in resources:
        prop = _DATA_TIER.get(r.resource_type)
        if prop:
            for g in referenced(r, prop, targets)[0]:
                found[g.urn] = g
    return [g for g in groups if g.urn in found]


def _rules_of(
    resources: Sequence[PolicyResource], groups: Sequence[PolicyResource]
) -> Iterator[tuple[PolicyResource, PolicyResource, Permission]]:
    """(rule, its group, permission) for every standalone rule attached to one of `groups`."""
    targets = Targets(groups)
    for rule in of_type(resources, t.SECURITY_GROUP_RULE, t.SG_INGRESS_RULE, t.SG_EGRESS_RULE):
        attached, _ = referenced(rule, "securityGroupId", targets)
        if attached:
            for p in permissions(rule.resource_type, rule.props):
                yield rule, attached[0], p


@rules.stack(
    name="sg-data-tier-sg-references-only",
    description="Security groups of databases and caches admit only other security groups, "
    "never CIDR blocks or prefix lists.",
    level=MANDATORY,
    standard="AWS docs: Controlling access with security groups (RDS)",
)
def data_tier_sg_references_only(
    resources: Sequence[PolicyResource], cfg: Config
) -> list[tuple[str, str]]:
    groups = data_tier_groups(resources)
    out = []
    for g in groups:
        for p in permissions(t.SECURITY_GROUP, g.props):
            if p.direction == "ingress" and p.non_sg_sources:
                out.append((g.urn, _data_msg(g.name, g.name, p)))
    for rule, g, p in _rules_of(resources, groups):
        if p.direction == "ingress" and p.non_sg_sources:
            out.append((rule.urn, _data_msg(rule.name, g.name, p)))
    return out


def _data_msg(owner: str, group: str, p: Permission) -> str:
    props = ", ".join(f"`{s}`" for s in p.non_sg_sources)
    return (
        f"'{owner}' admits {p.describe()} into data-tier security group '{group}' by CIDR or "
        f"prefix list ({props}): admit only the application's security group via "
        f"`{p.sg_property}`"
    )


@rules.stack(
    name="sg-data-tier-egress",
    # No FSBP control asks for it (webstack convention): advisory for other teams, mandatory in
    # webstack's prod/staging configs.
    description="Security groups of databases and caches do not allow egress to the internet.",
    level=ADVISORY,
)
def data_tier_egress(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    groups = data_tier_groups(resources)
    out = []
    found = [(g, g, p) for g in groups for p in permissions(t.SECURITY_GROUP, g.props)]
    for owner, g, p in [*found, *_rules_of(resources, groups)]:
        if p.direction == "egress" and p.world:
            out.append(
                (
                    owner.urn,
                    f"'{owner.name}' lets data-tier security group '{g.name}' send "
                    f"{p.describe()} to the internet: remove the {p.path or ''}egress to "
                    f"{', '.join(sorted({c for _, c in p.world}))} (databases and caches "
                    "answer, they do not call out)",
                )
            )
    return out


policies = rules.policies
