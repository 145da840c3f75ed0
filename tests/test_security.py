"""Security groups: chained tier to tier; the world reaches only the public ALB on 80/443."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.synth import synth
from tests.support.tokens import (
    EC2_SECURITY_GROUP,
    VPC_SECURITY_GROUP_EGRESS_RULE,
    VPC_SECURITY_GROUP_INGRESS_RULE,
)
from tools.mockcloud import RecordedResource, Synthesis

WORLD = ("0.0.0.0/0", "::/0")


@dataclass(frozen=True)
class RuleCounts:
    """A variant's security group rules: ingress, egress, and those that name the world."""

    ingress: int
    egress: int
    world_ingress: int
    world_egress: int


FEATURE_MATRIX = [
    # With the CDN on, the ALB admits CloudFront's prefix list, not the world; every tier but
    # the data tiers reaches the world on 443 (one egress rule per instance tier).
    pytest.param({}, RuleCounts(4, 4, 0, 1), id="dev"),
    # Without it, the public ALB admits the world on 80 and 443 over IPv4 and IPv6.
    pytest.param({"webstack:cdn": {"enabled": False}}, RuleCounts(7, 4, 4, 1), id="no-cdn"),
    pytest.param({"webstack:appTier": {"enabled": True}}, RuleCounts(8, 9, 0, 2), id="app-tier"),
    pytest.param({"webstack:database": {"proxy": True}}, RuleCounts(5, 5, 0, 1), id="db-proxy"),
    pytest.param(
        {
            "webstack:cdn": {"enabled": False},
            "webstack:appTier": {"enabled": True},
            "webstack:database": {"proxy": True, "engine": "mysql"},
            "webstack:cache": {"engine": "redis"},
        },
        RuleCounts(12, 10, 4, 2),
        id="everything-else",
    ),
]


def group_tier(stack: Synthesis, group_id: str) -> str:
    return stack.by_id(group_id).get("tags", "Tier")


def rules(stack: Synthesis, token: str) -> list[RecordedResource]:
    return stack.of_type(token)


def _world(rule: RecordedResource) -> bool:
    return rule.get("cidrIpv4") in WORLD or rule.get("cidrIpv6") in WORLD


@pytest.mark.parametrize(("overrides", "counts"), FEATURE_MATRIX)
def test_only_the_public_alb_admits_the_world_and_only_on_80_and_443(
    overrides: dict[str, Any], counts: RuleCounts
) -> None:
    stack = synth("dev", overrides, preview=False)
    assert stack.error is None, stack.error
    ingress = rules(stack, VPC_SECURITY_GROUP_INGRESS_RULE)
    assert len(ingress) == counts.ingress
    world = [rule for rule in ingress if _world(rule)]
    assert len(world) == counts.world_ingress
    for rule in world:
        assert group_tier(stack, rule.get("securityGroupId")) == "public-alb", rule.name
        assert rule.get("ipProtocol") == "tcp"
        assert rule.get("fromPort") == rule.get("toPort")
        assert rule.get("fromPort") in (80, 443)


def test_with_the_cdn_on_the_world_is_admitted_nowhere_and_cloudfront_has_its_own_group(
    dev_deployed: Synthesis,
) -> None:
    assert not [r for r in rules(dev_deployed, VPC_SECURITY_GROUP_INGRESS_RULE) if _world(r)]
    prefix_rules = [
        r for r in rules(dev_deployed, VPC_SECURITY_GROUP_INGRESS_RULE) if r.get("prefixListId")
    ]
    # Without a domain the ALB has no certificate: CloudFront connects on 80 with its secret
    # header. One reference only: the list's 55 entries count against the 60-rule quota.
    assert [r.get("fromPort") for r in prefix_rules] == [80]
    assert {group_tier(dev_deployed, r.get("securityGroupId")) for r in prefix_rules} == {
        "cloudfront-origin"
    }


def test_with_a_domain_cloudfront_reaches_the_alb_on_443_only(
    prod_primary_deployed: Synthesis,
) -> None:
    prefix_rules = [
        r
        for r in rules(prod_primary_deployed, VPC_SECURITY_GROUP_INGRESS_RULE)
        if r.get("prefixListId")
    ]
    assert [r.get("fromPort") for r in prefix_rules] == [443]


def test_with_the_cdn_off_the_public_alb_admits_the_world_on_80_and_443_over_both_families() -> (
    None
):
    stack = synth("dev", {"webstack:cdn": {"enabled": False}}, preview=False)
    world = [r for r in rules(stack, VPC_SECURITY_GROUP_INGRESS_RULE) if _world(r)]
    assert sorted((r.get("fromPort"), bool(r.get("cidrIpv6"))) for r in world) == [
        (80, False),
        (80, True),
        (443, False),
        (443, True),
    ]
    assert not [r for r in rules(stack, VPC_SECURITY_GROUP_INGRESS_RULE) if r.get("prefixListId")]


@pytest.mark.parametrize(("overrides", "counts"), FEATURE_MATRIX)
def test_between_tiers_rules_reference_groups_never_cidrs(
    overrides: dict[str, Any], counts: RuleCounts
) -> None:
    stack = synth("dev", overrides, preview=False)
    found = rules(stack, VPC_SECURITY_GROUP_INGRESS_RULE) + rules(
        stack, VPC_SECURITY_GROUP_EGRESS_RULE
    )
    assert len(found) == counts.ingress + counts.egress
    for rule in found:
        peers = [
            k
            for k in ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
            if rule.get(k)
        ]
        assert len(peers) == 1, rule.name
        if rule.get("cidrIpv4") or rule.get("cidrIpv6"):
            tier = group_tier(stack, rule.get("securityGroupId"))
            assert tier in ("public-alb", "web", "app"), f"{rule.name} uses a CIDR"


@pytest.mark.parametrize(("overrides", "counts"), FEATURE_MATRIX)
def test_every_rule_has_a_description_and_a_single_port(
    overrides: dict[str, Any], counts: RuleCounts
) -> None:
    stack = synth("dev", overrides)
    found = rules(stack, VPC_SECURITY_GROUP_INGRESS_RULE) + rules(
        stack, VPC_SECURITY_GROUP_EGRESS_RULE
    )
    assert len(found) == counts.ingress + counts.egress
    for rule in found:
        assert rule.get("description"), rule.name
        assert rule.get("ipProtocol") == "tcp"
        assert rule.get("fromPort") == rule.get("toPort")


def flows(stack: Synthesis) -> set[tuple[str, str, int]]:
    """(source tier, target tier, port) admitted by an ingress rule."""
    return {
        (
            group_tier(stack, r.get("referencedSecurityGroupId")),
            group_tier(stack, r.get("securityGroupId")),
            int(r.get("fromPort")),
        )
        for r in rules(stack, VPC_SECURITY_GROUP_INGRESS_RULE)
        if r.get("referencedSecurityGroupId")
    }


def test_the_chain_without_app_tier(dev_deployed: Synthesis) -> None:
    assert flows(dev_deployed) == {
        ("public-alb", "web", 80),
        ("web", "database", 5432),
        ("web", "cache", 6379),
    }


def test_the_chain_with_app_tier_proxy_and_mysql() -> None:
    stack = synth(
        "dev",
        {
            "webstack:appTier": {"enabled": True},
            "webstack:database": {"proxy": True, "engine": "mysql"},
            "webstack:cache": {"engine": "redis"},
        },
        preview=False,
    )
    assert flows(stack) == {
        ("public-alb", "web", 80),
        ("web", "internal-alb", 80),
        ("internal-alb", "app", 8080),
        ("web", "database-proxy", 3306),
        ("app", "database-proxy", 3306),
        ("database-proxy", "database", 3306),
        ("web", "cache", 6379),
        ("app", "cache", 6379),
    }


def test_every_ingress_flow_has_the_matching_egress_on_the_source(dev_deployed: Synthesis) -> None:
    egress = {
        (
            group_tier(dev_deployed, r.get("securityGroupId")),
            group_tier(dev_deployed, r.get("referencedSecurityGroupId")),
            int(r.get("fromPort")),
        )
        for r in rules(dev_deployed, VPC_SECURITY_GROUP_EGRESS_RULE)
        if r.get("referencedSecurityGroupId")
    }
    assert egress == flows(dev_deployed)


@pytest.mark.parametrize(("overrides", "counts"), FEATURE_MATRIX)
def test_data_tiers_have_no_egress_and_instances_only_https_to_the_world(
    overrides: dict[str, Any], counts: RuleCounts
) -> None:
    stack = synth("dev", overrides, preview=False)
    egress = rules(stack, VPC_SECURITY_GROUP_EGRESS_RULE)
    assert len(egress) == counts.egress
    assert len([rule for rule in egress if _world(rule)]) == counts.world_egress
    for rule in egress:
        tier = group_tier(stack, rule.get("securityGroupId"))
        assert tier not in ("database", "cache"), f"{rule.name}: data tiers never call out"
        if _world(rule):
            assert tier in ("web", "app")
            assert rule.get("fromPort") == 443


def test_groups_have_no_inline_rules(dev_preview: Synthesis) -> None:
    groups = dev_preview.of_type(EC2_SECURITY_GROUP)
    assert len(groups) == 5
    for group in groups:
        assert not group.get("ingress") and not group.get("egress"), group.name
        assert group.get("description")
