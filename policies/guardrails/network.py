"""Network least privilege beyond security groups: default groups, network ACLs, subnets.

FSBP EC2.2 (the VPC's default security group carries no rules, whether managed through
`aws.ec2.DefaultSecurityGroup` or by attaching rule resources to `vpc.default_security_group_id`),
EC2.21 (no network ACL admits SSH or RDP from the internet) and EC2.15 (subnets do not hand out
public IPs on their own).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, MANDATORY, Config, PolicySet, Resource, where
from .props import UNKNOWN, as_bool, as_int, as_protocol, get, items
from .relations import Targets, of_type, referenced
from .security_groups import is_world

rules = PolicySet()

NACL_ADMIN_PORTS = [22, 3389]
_RULE_RESOURCES = (t.SECURITY_GROUP_RULE, t.SG_INGRESS_RULE, t.SG_EGRESS_RULE)


@rules.resource(
    name="default-security-group-closed",
    description="The VPC's default security group has no ingress or egress rules.",
    types=[t.DEFAULT_SECURITY_GROUP],
    level=MANDATORY,
    fsbp=("EC2.2",),
)
def default_sg_closed(r: Resource, cfg: Config) -> list[str]:
    return [
        f"{where(r)} carries {direction} rules: set `{direction}: []` "
        "(give workloads security groups of their own)"
        for direction in ("ingress", "egress")
        if list(items(get(r.props, direction)))
    ]


@rules.stack(
    name="default-security-group-no-attached-rules",
    description="No rule resource is attached to a VPC's default security group.",
    level=MANDATORY,
    fsbp=("EC2.2",),
)
def default_sg_attached_rules(
    resources: Sequence[PolicyResource], cfg: Config
) -> list[tuple[str, str]]:
    # A rule referring to a Vpc resource in `securityGroupId` can only mean its default group.
    targets = Targets(
        of_type(resources, t.VPC, t.DEFAULT_SECURITY_GROUP), ["defaultSecurityGroupId"]
    )
    out = []
    for rule in of_type(resources, *_RULE_RESOURCES):
        found, _ = referenced(rule, "securityGroupId", targets)
        if found:
            out.append(
                (
                    rule.urn,
                    f"{t.label(rule.resource_type)} '{rule.name}' opens the default security group "
                    f"of '{found[0].name}': set `securityGroupId` to a security group of its own",
                )
            )
    return out


def _nacl_entries(r: Resource) -> list[tuple[str, Any]]:
    """(property prefix, entry) of every ingress allow entry a network ACL resource declares."""
    if r.type == t.NETWORK_ACL_RULE:
        if as_bool(get(r.props, "egress")) is True or get(r.props, "ruleAction") != "allow":
            return []
        return [("", r.props)]
    return [
        (f"ingress[{i}].", e)
        for i, e in enumerate(items(get(r.props, "ingress")))
        if e is not UNKNOWN and get(e, "action") == "allow"
    ]


@rules.resource(
    name="nacl-no-world-admin-ports",
    description="Network ACLs do not admit SSH or RDP from the internet.",
    types=[t.NETWORK_ACL, t.DEFAULT_NETWORK_ACL, t.NETWORK_ACL_RULE],
    level=MANDATORY,
    fsbp=("EC2.21",),
    config={
        "adminPorts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
            "default": NACL_ADMIN_PORTS,
            "description": "Ports a network ACL must not open to the internet.",
        }
    },
)
def nacl_admin_ports(r: Resource, cfg: Config) -> list[str]:
    ports = [int(p) for p in cfg.get("adminPorts", [])]
    out = []
    for prefix, entry in _nacl_entries(r):
        world = [p for p in ("cidrBlock", "ipv6CidrBlock") if is_world(get(entry, p))]
        protocol = as_protocol(get(entry, "protocol"))
        if not world or protocol is UNKNOWN:
            continue
        if protocol == "all":
            hit = ports
        elif protocol in ("tcp", "udp"):
            lo, hi = as_int(get(entry, "fromPort")), as_int(get(entry, "toPort"))
            if not isinstance(lo, int) or not isinstance(hi, int):
                continue
            hit = [p for p in ports if lo <= p <= hi]
        else:
            continue
        if hit:
            props = ", ".join(f"`{prefix}{p}`" for p in world)
            out.append(
                f"{where(r)} admits port(s) {', '.join(map(str, hit))} from the "
                f"internet ({props}): narrow {props} to your admin network, or deny those ports"
            )
    return out


@rules.resource(
    name="subnet-no-auto-public-ip",
    description="Subnets do not assign public IPv4 addresses to everything launched in them.",
    types=[t.SUBNET],
    level=MANDATORY,
    fsbp=("EC2.15",),
)
def subnet_public_ip(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "mapPublicIpOnLaunch")) is True:
        return [
            f"{where(r)} gives every instance a public IP: set `mapPublicIpOnLaunch: false` "
            "(load balancers and NAT gateways get theirs without it)"
        ]
    return []


@rules.resource(
    name="redshift-enhanced-vpc-routing",
    description="Redshift clusters route COPY and UNLOAD traffic through the VPC.",
    types=[t.REDSHIFT_CLUSTER],
    level=ADVISORY,
    fsbp=("Redshift.7",),
)
def redshift_enhanced_vpc_routing(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "enhancedVpcRouting")) in (False, None):
        return [
            f"{where(r)} sends COPY/UNLOAD traffic over the internet: set "
            "`enhancedVpcRouting: true`"
        ]
    return []


policies = rules.policies
