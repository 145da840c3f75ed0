# ruff: noqa: E501 - rule tables read best one case per line
"""Inputs no one planned for, through the analyzer protocol: 0 errors, 0 "can't run" notes.

Every resource the protocol table misconfigures is sent again with its values secret-wrapped,
unknown, with `None` inside every list and as every value; resources of other providers, and
aws types the pack does not know (other pulumi-aws majors, future resources), get no answer at
all. A policy that raised would surface as a gRPC error and fail the test.
"""

from __future__ import annotations

from typing import Any

import pytest
from guardrails import tokens as t
from test_protocol import RESOURCE_CASES, res

from tools.analyzer import UNKNOWN, secret


def _leaves(value: Any, leaf) -> Any:
    if isinstance(value, dict):
        return {k: _leaves(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_leaves(v, leaf) for v in value]
    return leaf(value)


def _nones_in_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nones_in_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return [None, *(_nones_in_lists(v) for v in value), None]
    return value


MUTATIONS = {
    "secret-leaves": lambda p: _leaves(p, secret),
    "secret-top-level": lambda p: {k: secret(v) for k, v in p.items()},
    "unknown-leaves": lambda p: _leaves(p, lambda v: UNKNOWN),
    "unknown-top-level": lambda p: dict.fromkeys(p, UNKNOWN),
    "none-in-lists": _nones_in_lists,
    "none-leaves": lambda p: _leaves(p, lambda v: None),
    "empty-lists": lambda p: {key: [] for key in p},
    "lists-of-none": lambda p: {key: [None] for key in p},
}
CASES = [
    pytest.param(type_, props, mutation, id=f"{policy}:{i}:{mutation}")
    for i, (policy, type_, props, _level, _fix) in enumerate(RESOURCE_CASES)
    for mutation in MUTATIONS
]


@pytest.mark.parametrize(("type_", "props", "mutation"), CASES)
def test_odd_inputs_never_error_and_never_abort_a_policy(pack, type_, props, mutation):
    diagnostics = pack.analyze(res(type_, "odd", MUTATIONS[mutation](props)))
    assert not [d for d in diagnostics if "can't run policy" in d.message], diagnostics


SG_PROPS = {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}], "publiclyAccessible": True, "storageEncrypted": False}  # fmt: skip
OTHER_TYPES = [
    "gcp:compute/firewall:Firewall",
    "azure-native:network:NetworkSecurityGroup",
    "kubernetes:core/v1:Service",
    "random:index/randomPassword:RandomPassword",
    "pulumi:providers:kubernetes",
    "awsx:ec2:Vpc",  # a component: its children are what gets checked
    "aws-native:ec2:SecurityGroup",
    "aws:ec2/securityGroupV9:SecurityGroupV9",  # an aws type the pack does not know
    "aws:opsworks/stack:Stack",  # removed from pulumi-aws 7
    "aws:future/service:Thing",
]


@pytest.mark.parametrize("type_", OTHER_TYPES)
def test_resources_the_pack_does_not_know_are_ignored_never_an_error(pack, type_):
    assert pack.analyze(res(type_, "other", SG_PROPS)) == []


def test_stack_analysis_with_other_providers_and_unknown_types_is_quiet(pack):
    resources = [res(type_, f"r{i}", SG_PROPS) for i, type_ in enumerate(OTHER_TYPES)]
    resources.append(res(t.SECURITY_GROUP, "sg", {"ingress": [None, {"protocol": 6, "fromPort": 443, "toPort": 443, "cidrBlocks": [None, "0.0.0.0/0"]}]}))  # fmt: skip
    assert pack.analyze_stack(resources) == []


def test_tcp_given_as_the_number_six_is_tcp_over_the_wire(pack):
    # Python's `protocol=6` reaches the pack as 6.0; -1 as -1.0.
    web = {
        "ingress": [{"protocol": 6, "cidrBlocks": ["0.0.0.0/0"], "fromPort": 443, "toPort": 443}]
    }
    assert pack.analyze(res(t.SECURITY_GROUP, "web", web)) == []
    wide = {"ingress": [{"protocol": -1, "cidrBlocks": ["0.0.0.0/0"], "fromPort": 0, "toPort": 0}]}
    messages = [d.message for d in pack.analyze(res(t.SECURITY_GROUP, "wide", wide))]
    assert any("all protocols (-1)" in m for m in messages), messages
    assert not any("6.0" in m or "-1.0" in m for m in messages), messages
    rule = {"ipProtocol": "6", "fromPort": 443.0, "toPort": "443", "cidrIpv4": "0.0.0.0/0"}
    assert pack.analyze(res(t.SG_INGRESS_RULE, "web-rule", rule)) == []


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_stack_policies_take_odd_inputs_without_error(pack, mutation):
    resources = [
        res(type_, f"odd-{i}", MUTATIONS[mutation](props))
        for i, (_policy, type_, props, _level, _fix) in enumerate(RESOURCE_CASES)
    ]
    diagnostics = pack.analyze_stack(resources)
    assert not [d for d in diagnostics if "can't run policy" in d.message], diagnostics
