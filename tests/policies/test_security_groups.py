# ruff: noqa: E501 - rule tables read best one case per line
"""Least-privilege security groups, in all three ways a rule can be declared."""

import pytest
from guardrails import tokens as t
from guardrails.props import UNKNOWN_LIST, UNKNOWN_NUMBER, UNKNOWN_STRING
from support import check, stack_check, stack_resources, urn

ALLOWED = "sg-world-ingress-allowed-ports"
FORBIDDEN = "sg-world-ingress-forbidden"


def inline(protocol="tcp", lo=443, hi=443, cidrs=("0.0.0.0/0",), v6=()):
    return {"ingress": [{"protocol": protocol, "fromPort": lo, "toPort": hi, "cidrBlocks": list(cidrs), "ipv6CidrBlocks": list(v6)}]}  # fmt: skip


def sg_rule(protocol="tcp", lo=443, hi=443, cidrs=("0.0.0.0/0",), kind="ingress"):
    return {"type": kind, "protocol": protocol, "fromPort": lo, "toPort": hi, "cidrBlocks": list(cidrs), "securityGroupId": "sg-1"}  # fmt: skip


def vpc_rule(protocol="tcp", lo=443, hi=443, cidr="0.0.0.0/0"):
    return {"ipProtocol": protocol, "fromPort": lo, "toPort": hi, "cidrIpv4": cidr, "securityGroupId": "sg-1"}  # fmt: skip


SHAPES = [
    (t.SECURITY_GROUP, inline),
    (t.SECURITY_GROUP_RULE, sg_rule),
    (t.SG_INGRESS_RULE, vpc_rule),
]


@pytest.mark.parametrize(("type_", "make"), SHAPES)
@pytest.mark.parametrize("port", [80, 443])
def test_web_ports_from_the_world_are_allowed(type_, make, port):
    props = make(lo=port, hi=port)
    assert check(ALLOWED, type_, props) == []
    assert check(FORBIDDEN, type_, props) == []


@pytest.mark.parametrize(("type_", "make"), SHAPES)
@pytest.mark.parametrize(
    ("args", "expect_allowed", "expect_forbidden"),
    [
        ({"lo": 22, "hi": 22}, "tcp 22", "admin/data port(s) 22"),
        ({"lo": 3389, "hi": 3389}, "tcp 3389", "3389"),
        ({"lo": 5432, "hi": 5432}, "tcp 5432", "5432"),
        ({"lo": 6000, "hi": 6500}, "tcp 6000-6500", "6379"),  # a data port inside a range
        ({"lo": 10000, "hi": 10100}, "tcp 10000-10100", "101-port range"),
        ({"protocol": "-1", "lo": 0, "hi": 0}, "all traffic", "all protocols (-1)"),
        ({"lo": 8080, "hi": 8080}, "tcp 8080", None),
    ],
)
def test_dangerous_world_ingress_is_caught(type_, make, args, expect_allowed, expect_forbidden):
    allowed = check(ALLOWED, type_, make(**args), name="web")
    assert any(expect_allowed in m and "'web'" in m for m in allowed), allowed
    forbidden = check(FORBIDDEN, type_, make(**args))
    if expect_forbidden is None:
        assert forbidden == []
    else:
        assert any(expect_forbidden in m for m in forbidden), forbidden


def test_ipv6_world_is_the_world_too():
    [message] = check(ALLOWED, t.SECURITY_GROUP, inline(lo=22, hi=22, cidrs=(), v6=("::/0",)))
    assert "::/0" in message and "`ingress[0].ipv6CidrBlocks`" in message


@pytest.mark.parametrize(
    ("cidrs", "v6"),
    [
        (("0.0.0.0/1", "128.0.0.0/1"), ()),
        (("0.0.0.0/1",), ()),
        ((), ("0::/0",)),
        ((), ("8000::/1",)),
        (("0.0.0.0/0 ",), ()),
        (("10.1.2.3/0",), ()),  # host bits set: still the whole internet (strict=False)
    ],
)
def test_any_network_of_prefix_one_or_shorter_is_the_world(cidrs, v6):
    props = inline(lo=22, hi=22, cidrs=cidrs, v6=v6)
    assert check(ALLOWED, t.SECURITY_GROUP, props)
    assert any("admin/data port(s) 22" in m for m in check(FORBIDDEN, t.SECURITY_GROUP, props))


@pytest.mark.parametrize("cidr", ["0.0.0.0/2", "10.0.0.0/8", "::/2", "not-a-cidr"])
def test_networks_narrower_than_a_half_are_not_the_world(cidr):
    props = inline(lo=22, hi=22, cidrs=(cidr,))
    assert check(ALLOWED, t.SECURITY_GROUP, props) == []
    assert check(FORBIDDEN, t.SECURITY_GROUP, props) == []


@pytest.mark.parametrize(("type_", "make"), SHAPES)
@pytest.mark.parametrize("protocol", ["132", "sctp", "47", "gre", "50"])
def test_world_ingress_on_other_protocols_is_forbidden(type_, make, protocol):
    [message] = check(FORBIDDEN, type_, make(protocol=protocol, lo=0, hi=0), name="web")
    assert f"'web' admits protocol {protocol} from the internet" in message
    assert "security group" in message


@pytest.mark.parametrize("protocol", ["icmp", "1", "icmpv6", "58"])
def test_world_icmp_is_not_forbidden(protocol):
    assert check(FORBIDDEN, t.SECURITY_GROUP, inline(protocol=protocol, lo=-1, hi=-1)) == []


def test_message_names_property_and_fix():
    [message] = check(ALLOWED, t.SECURITY_GROUP_RULE, sg_rule(lo=22, hi=22), name="ssh")
    assert "`cidrBlocks`" in message and "`sourceSecurityGroupId`" in message
    [message] = check(ALLOWED, t.SG_INGRESS_RULE, vpc_rule(lo=22, hi=22))
    assert "`cidrIpv4`" in message and "`referencedSecurityGroupId`" in message


@pytest.mark.parametrize(
    "props",
    [
        sg_rule(lo=22, hi=22, kind="egress"),
        inline(lo=22, hi=22, cidrs=("10.0.0.0/16",)),
        inline(lo=UNKNOWN_NUMBER, hi=UNKNOWN_NUMBER),
        inline(cidrs=()) | {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": UNKNOWN_LIST}]},
        inline(protocol="icmp", lo=-1, hi=-1),
        {"ingress": UNKNOWN_LIST},
    ],
)  # fmt: skip
def test_private_egress_icmp_and_unknown_rules_are_not_reported(props):
    type_ = t.SECURITY_GROUP_RULE if "type" in props else t.SECURITY_GROUP
    assert check(ALLOWED, type_, props) == []
    assert check(FORBIDDEN, type_, props) == []


def test_allowed_world_ports_are_configurable():
    assert check(ALLOWED, t.SECURITY_GROUP, inline(lo=8443, hi=8443), config={"allowedPorts": [8443]}) == []  # fmt: skip


def test_forbidden_ports_stay_forbidden_even_if_allowed_by_config():
    props = inline(lo=22, hi=22)
    assert check(ALLOWED, t.SECURITY_GROUP, props, config={"allowedPorts": [22]}) == []
    assert check(FORBIDDEN, t.SECURITY_GROUP, props, config={"allowedPorts": [22]})


def _data_tier(app_sg_ingress, rules=(), egress=()):
    specs = [
        (t.SECURITY_GROUP, "app-sg", {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]}),
        (t.SECURITY_GROUP, "db-sg", {"ingress": app_sg_ingress, "egress": list(egress)}),
        (t.RDS_CLUSTER, "db", {"vpcSecurityGroupIds": [UNKNOWN_STRING]}),
        *rules,
    ]  # fmt: skip
    deps = {"db": {"vpcSecurityGroupIds": ["db-sg"]}}
    deps.update({name: {"securityGroupId": ["db-sg"]} for _, name, _ in rules})
    return stack_resources(specs, deps)


def test_data_tier_group_admitting_a_security_group_passes():
    sg_ref = [
        {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "securityGroups": [UNKNOWN_STRING]}
    ]
    assert stack_check("sg-data-tier-sg-references-only", _data_tier(sg_ref)) == []


def test_data_tier_group_admitting_a_cidr_fails_on_the_group():
    cidr = [{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.0.0.0/16"]}]
    [(at, message)] = stack_check("sg-data-tier-sg-references-only", _data_tier(cidr))
    assert at == urn(t.SECURITY_GROUP, "db-sg") and "`ingress[0].cidrBlocks`" in message


def test_data_tier_standalone_rules_are_checked_too():
    rules = [
        (t.SG_INGRESS_RULE, "db-in", {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": "10.0.0.0/8", "securityGroupId": UNKNOWN_STRING}),
        (t.SECURITY_GROUP_RULE, "db-in-2", {"type": "ingress", "protocol": "tcp", "fromPort": 5432, "toPort": 5432, "sourceSecurityGroupId": UNKNOWN_STRING, "securityGroupId": UNKNOWN_STRING}),
    ]  # fmt: skip
    found = stack_check("sg-data-tier-sg-references-only", _data_tier([], rules))
    assert [at for at, _ in found] == [urn(t.SG_INGRESS_RULE, "db-in")]


def test_data_tier_egress_to_the_world_is_advised_against():
    egress = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]
    [(at, message)] = stack_check("sg-data-tier-egress", _data_tier([], egress=egress))
    assert at == urn(t.SECURITY_GROUP, "db-sg") and "all traffic" in message


def test_groups_outside_the_data_tier_are_not_constrained():
    specs = [(t.SECURITY_GROUP, "web", {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]})]  # fmt: skip
    assert stack_check("sg-data-tier-sg-references-only", stack_resources(specs)) == []
