# ruff: noqa: E501 - rule tables read best one case per line
"""Numbers where strings are expected, strings where booleans are: every spelling, one verdict.

Python programs pass `protocol=6` or `protocol=-1` as numbers; on the wire they arrive as 6.0
and -1.0. Ports may arrive as floats or strings, booleans as "true"/"false". Each rule that
reads them goes through `props.as_protocol`/`as_int`/`as_bool`, so any encoding of the same
rule gives the same messages as its canonical spelling (property-based, over the encodings).
"""

from __future__ import annotations

from typing import Any

from guardrails import tokens as t
from guardrails.props import as_bool, as_int, as_protocol
from hypothesis import given, settings
from hypothesis import strategies as st
from support import check

CANONICAL = {"tcp": 6, "udp": 17, "icmp": 1, "all": -1, "icmpv6": 58}


def protocol_spellings(name: str) -> st.SearchStrategy[Any]:
    number = CANONICAL[name]
    return st.sampled_from(
        [number, float(number), str(number), f"{number}.0", name, name.upper(), f" {name} "]
    )


def port_spellings(port: int) -> st.SearchStrategy[Any]:
    return st.sampled_from([port, float(port), str(port), f"{float(port)}", f" {port} "])


def bool_spellings(value: bool) -> st.SearchStrategy[Any]:
    text = "true" if value else "false"
    return st.sampled_from([value, text, text.upper(), text.title(), f" {text} ", int(value)])


PORTS = st.sampled_from([0, 22, 80, 443, 3306, 8080, 65535])
RULE_SHAPES = [
    (
        t.SECURITY_GROUP,
        lambda p, lo, hi: {
            "ingress": [{"protocol": p, "fromPort": lo, "toPort": hi, "cidrBlocks": ["0.0.0.0/0"]}]
        },
    ),
    (
        t.SECURITY_GROUP_RULE,
        lambda p, lo, hi: {
            "type": "ingress",
            "protocol": p,
            "fromPort": lo,
            "toPort": hi,
            "cidrBlocks": ["0.0.0.0/0"],
        },
    ),
    (
        t.SG_INGRESS_RULE,
        lambda p, lo, hi: {"ipProtocol": p, "fromPort": lo, "toPort": hi, "cidrIpv4": "0.0.0.0/0"},
    ),
]
SG_POLICIES = ("sg-world-ingress-forbidden", "sg-world-ingress-allowed-ports")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    shape=st.sampled_from(RULE_SHAPES),
    name=st.sampled_from(sorted(CANONICAL)),
    ports=st.tuples(PORTS, PORTS).map(sorted),
    data=st.data(),
)
def test_security_group_rules_judge_every_spelling_like_the_canonical_one(shape, name, ports, data):
    type_, make = shape
    lo, hi = ports
    protocol = data.draw(protocol_spellings(name))
    spelled = make(protocol, data.draw(port_spellings(lo)), data.draw(port_spellings(hi)))
    canonical = make(name, lo, hi)
    for policy in SG_POLICIES:
        assert check(policy, type_, spelled) == check(policy, type_, canonical), (policy, spelled)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(CANONICAL)), port=PORTS, data=st.data())
def test_network_acl_entries_judge_every_spelling_like_the_canonical_one(name, port, data):
    def entry(protocol: Any, lo: Any, hi: Any, egress: Any) -> dict[str, Any]:
        return {"ruleAction": "allow", "egress": egress, "protocol": protocol, "fromPort": lo, "toPort": hi, "cidrBlock": "0.0.0.0/0"}  # fmt: skip

    spelled = entry(
        data.draw(protocol_spellings(name)),
        data.draw(port_spellings(port)),
        data.draw(port_spellings(port)),
        data.draw(bool_spellings(False)),
    )
    canonical = entry(name, port, port, False)
    policy, type_ = "nacl-no-world-admin-ports", t.NETWORK_ACL_RULE
    assert check(policy, type_, spelled) == check(policy, type_, canonical), spelled


@settings(derandomize=True)
@given(value=st.booleans(), data=st.data())
def test_booleans_read_the_same_in_every_spelling(value: bool, data):
    spelled, in_props = data.draw(bool_spellings(value)), data.draw(bool_spellings(value))
    assert as_bool(spelled) is value
    props = {"publiclyAccessible": in_props}
    assert bool(check("db-not-publicly-accessible", t.RDS_INSTANCE, props)) is value


def test_the_issue_cases_tcp_as_six_point_zero_and_all_as_minus_one_point_zero():
    https = {"protocol": 6.0, "cidrBlocks": ["0.0.0.0/0"], "fromPort": 443.0, "toPort": 443.0}
    for policy in SG_POLICIES:
        assert check(policy, t.SECURITY_GROUP, {"ingress": [https]}) == []
    everything = {"protocol": -1.0, "cidrBlocks": ["0.0.0.0/0"], "fromPort": 0.0, "toPort": 0.0}
    [message] = check("sg-world-ingress-forbidden", t.SECURITY_GROUP, {"ingress": [everything]})
    assert "all protocols (-1)" in message and "6.0" not in message and "-1.0" not in message


def test_the_helpers_canonical_forms():
    assert [as_protocol(v) for v in (6, 6.0, "6", "6.0", "TCP", -1.0, "-1", "ALL", 132, "sctp")] == [
        "tcp", "tcp", "tcp", "tcp", "tcp", "all", "all", "all", "132", "sctp",
    ]  # fmt: skip
    assert [as_int(v) for v in (443, 443.0, "443", "443.0", 443.5, "x", None)] == [
        443, 443, 443, 443, None, None, None,
    ]  # fmt: skip
